/* SPDX-License-Identifier: MIT */
/*
 * cgroup-devices.c: the devices subsystem of the chain in cgroup.c, the
 * device allowlist of every container (devices.c holds the rules):
 *
 *   v1  devices.deny = "a" (nothing), then one devices.allow line per rule
 *   v2  a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the leaf with
 *       BPF_F_ALLOW_MULTI (cgroup v2 has no devices files; what crun, runc
 *       and systemd do), so the programs of the ancestors still apply too
 *
 * Always used: without it root in the container could mknod any device
 * (CAP_MKNOD is in docker's set) and open it, or open what it finds in a
 * /dev that is not private (no mount namespace).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "devices.h"
#include "spec.h"
#include "util.h"

static bool devices_enabled(const struct container_spec *spec)
{
	(void)spec;
	return true;
}

static int resolve(const struct container_spec *spec, struct device_set *set,
		   struct cgroup_error *err)
{
	size_t failed = 0;
	int r = devices_resolve(spec, set, &failed);

	if (r < 0 && r != -ENOMEM)
		return cgroup_error_message(err, r, "AddDevice: '%s': %s",
					    spec->devices[failed].host,
					    r == -ENODEV ? "not a device node" : strerror(-r));
	return r;
}

static int apply_v1(struct cgroup *cg, const struct device_set *set, struct cgroup_error *err)
{
	_cleanup_free_ char *text = malloc(set->n_rules * 64 + 1);
	_cleanup_free_ char **rules = calloc(set->n_rules + 1, sizeof(char *));
	int r;

	if (!text || !rules)
		return -ENOMEM;
	r = cgroup_write(cg, &cgroup_subsys_devices, "devices.deny", "a", "deny all first", err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < set->n_rules; i++) {
		rules[i] = text + i * 64;
		device_rule_format(&set->rules[i], rules[i], 64);
	}
	/* One open of devices.allow for all the rules. */
	return cgroup_write_each(cg, &cgroup_subsys_devices, "devices.allow", rules, set->n_rules,
				 err);
}

static int apply_v2(struct cgroup *cg, const struct device_set *set, struct cgroup_error *err)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, CGROUP_CTL_DEVICES));
	_cleanup_close_ int prog = -EBADF;
	union bpf_attr attr;

	if (!leaf)
		return cgroup_error_set(err, -ENOENT, "find the cgroup of", "devices", NULL, NULL);
	if (cg->plan) {
		_cleanup_free_ struct bpf_insn *insns =
		    calloc(DEVICE_BPF_INSNS(set->n_rules), sizeof(*insns));
		size_t n = 0;

		if (!insns)
			return -ENOMEM;
		(void)device_bpf_program(set->rules, set->n_rules, insns,
					 DEVICE_BPF_INSNS(set->n_rules), &n);
		fprintf(cg->plan,
			"     %s: BPF device program (%zu instructions, BPF_F_ALLOW_MULTI) "
			"allowing:\n",
			leaf->path, n);
		for (size_t i = 0; i < set->n_rules; i++) {
			char rule[64];

			device_rule_format(&set->rules[i], rule, sizeof(rule));
			fprintf(cg->plan, "       %s\n", rule);
		}
		return 0;
	}
	prog = device_bpf_load(set->rules, set->n_rules);
	if (prog < 0)
		return cgroup_error_message(err, prog,
					    "cannot load the BPF device program: %s (the kernel "
					    "needs CONFIG_CGROUP_BPF)",
					    strerror(-prog));
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)leaf->fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	/* The cgroup keeps the program; it goes with the directory. */
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return cgroup_error_set(err, -errno, "attach the BPF device program to", leaf->path,
					NULL, NULL);
	return 0;
}

static int devices_apply(struct cgroup *cg, const struct container_spec *spec,
			 enum cgroup_version version, struct cgroup_error *err)
{
	struct device_set set = {};
	int r;

	r = resolve(spec, &set, err);
	if (r < 0)
		return r;
	r = version == CGROUP_V2 ? apply_v2(cg, &set, err) : apply_v1(cg, &set, err);
	device_set_done(&set);
	return r;
}

const struct cgroup_subsys_ops cgroup_subsys_devices = {
	.name = "devices",
	.controller = CGROUP_CTL_DEVICES,
	.enabled = devices_enabled,
	.apply = devices_apply,
};
