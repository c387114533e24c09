/* SPDX-License-Identifier: MIT */
/*
 * devices.c: the container's device set (devices.h): the nodes of its
 * private /dev and the allowlist that makes every other device node, even
 * one made with mknod (CAP_MKNOD is in docker's set), unusable. The mount
 * plan (runtime-dev.c) makes the nodes, the cgroup chain (cgroup-devices.c)
 * enforces the rules: devices.deny/devices.allow on cgroup v1, the BPF
 * program built here on cgroup v2 (what crun, runc and systemd attach).
 */
#include "devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spec.h"
#include "util.h"

/* The nodes every container gets (docker's, podman's and systemd's PrivateDevices= list). */
static const struct {
	const char *name;
	uint32_t major, minor;
} default_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/*
 * The default allowlist, docker's: the nodes above, the console (5:1), ptmx
 * (5:2) and the ptys of a devpts (136:*, the first Unix98 pty major, which
 * also covers a Tty=true caller's terminal); and mknod (never open) of any
 * node, which keeps `mknod` working for a program that creates its nodes.
 */
static const struct device_rule default_rules[] = {
	{ 'c', DEVICE_WILDCARD, DEVICE_WILDCARD, SPEC_DEV_MKNOD },
	{ 'b', DEVICE_WILDCARD, DEVICE_WILDCARD, SPEC_DEV_MKNOD },
	{ 'c', 1, 3, SPEC_DEV_ALL },
	{ 'c', 1, 5, SPEC_DEV_ALL },
	{ 'c', 1, 7, SPEC_DEV_ALL },
	{ 'c', 1, 8, SPEC_DEV_ALL },
	{ 'c', 1, 9, SPEC_DEV_ALL },
	{ 'c', 5, 0, SPEC_DEV_ALL },
	{ 'c', 5, 1, SPEC_DEV_ALL },
	{ 'c', 5, 2, SPEC_DEV_ALL },
	{ 'c', 136, DEVICE_WILDCARD, SPEC_DEV_ALL },
};

static int add_node(struct device_set *set, const char *path, const char *host, mode_t mode,
		    uint32_t major, uint32_t minor)
{
	struct device_node n = { .mode = mode, .major = major, .minor = minor }, *nodes;

	n.path = strdup(path);
	n.host = strdup(host);
	if (!n.path || !n.host)
		goto out_nomem;
	nodes = reallocarray(set->nodes, set->n_nodes + 1, sizeof(*nodes));
	if (!nodes)
		goto out_nomem;
	nodes[set->n_nodes++] = n;
	set->nodes = nodes;
	return 0;

out_nomem:
	free(n.path);
	free(n.host);
	return -ENOMEM;
}

static int add_rule(struct device_set *set, const struct device_rule *rule)
{
	struct device_rule *rules = reallocarray(set->rules, set->n_rules + 1, sizeof(*rules));

	if (!rules)
		return -ENOMEM;
	rules[set->n_rules++] = *rule;
	set->rules = rules;
	return 0;
}

void device_set_done(struct device_set *set)
{
	for (size_t i = 0; i < set->n_nodes; i++) {
		free(set->nodes[i].path);
		free(set->nodes[i].host);
	}
	free(set->nodes);
	free(set->rules);
	*set = (struct device_set){};
}

/* Adds AddDevice= entry @d: its node at the container path and its rule. */
static int add_device(struct device_set *set, const struct spec_device *d)
{
	struct stat st;
	struct device_rule rule;
	int r;

	if (stat(d->host, &st) < 0)
		return errno == ENOENT && d->optional ? 0 : -errno;
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return -ENODEV;
	rule = (struct device_rule){
		.type = S_ISBLK(st.st_mode) ? 'b' : 'c',
		.major = major(st.st_rdev),
		.minor = minor(st.st_rdev),
		.access = d->perms,
	};
	/* At the path of a default node (AddDevice=/dev/sda:/dev/null): it replaces that node. */
	for (size_t i = 0; i < set->n_nodes; i++) {
		struct device_node *n = &set->nodes[i];
		char *host;

		if (!streq(n->path, d->container))
			continue;
		host = strdup(d->host);
		if (!host)
			return -ENOMEM;
		free(n->host);
		n->host = host;
		n->mode = st.st_mode & (S_IFMT | 07777);
		n->major = rule.major;
		n->minor = rule.minor;
		return add_rule(set, &rule);
	}
	r = add_node(set, d->container, d->host, st.st_mode & (S_IFMT | 07777), rule.major,
		     rule.minor);
	if (r < 0)
		return r;
	return add_rule(set, &rule);
}

int devices_resolve(const struct container_spec *spec, struct device_set *ret, size_t *ret_failed)
{
	struct device_set set = {};
	char path[32];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(default_nodes); i++) {
		snprintf(path, sizeof(path), "/dev/%s", default_nodes[i].name);
		r = add_node(&set, path, path, S_IFCHR | 0666, default_nodes[i].major,
			     default_nodes[i].minor);
	}
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(default_rules); i++)
		r = add_rule(&set, &default_rules[i]);
	for (size_t i = 0; r >= 0 && i < spec->n_devices; i++) {
		r = add_device(&set, &spec->devices[i]);
		if (r < 0 && r != -ENOMEM)
			*ret_failed = i;
	}
	if (r < 0) {
		device_set_done(&set);
		return r;
	}
	*ret = set;
	return 0;
}

void device_rule_format(const struct device_rule *rule, char *buf, size_t size)
{
	char major[16] = "*", minor[16] = "*";

	if (rule->major != DEVICE_WILDCARD)
		snprintf(major, sizeof(major), "%u", rule->major);
	if (rule->minor != DEVICE_WILDCARD)
		snprintf(minor, sizeof(minor), "%u", rule->minor);
	snprintf(buf, size, "%c %s:%s %s%s%s", rule->type, major, minor,
		 rule->access & SPEC_DEV_READ ? "r" : "", rule->access & SPEC_DEV_WRITE ? "w" : "",
		 rule->access & SPEC_DEV_MKNOD ? "m" : "");
}

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The BPF_DEVCG_ACC_* bits of SPEC_DEV_* @access. */
static int32_t bpf_access(unsigned access)
{
	return (access & SPEC_DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
	       (access & SPEC_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0) |
	       (access & SPEC_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
}

/*
 * The context is struct bpf_cgroup_dev_ctx: access_type (device type in the
 * low 16 bits, BPF_DEVCG_ACC_* in the high 16), major, minor. Registers:
 * r2 type, r3 access, r4 major, r5 minor; each rule is a block of checks
 * that jumps to the next block on a mismatch and returns 1 at its end; after
 * the last block the program returns 0.
 */
int device_bpf_program(const struct device_rule *rules, size_t n_rules, struct bpf_insn *insns,
		       size_t max, size_t *ret_n)
{
	struct bpf_insn block[8];
	size_t n = 0;

	if (max < DEVICE_BPF_INSNS(n_rules))
		return -E2BIG;
	insns[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	insns[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	insns[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	insns[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	insns[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = 0; i < n_rules; i++) {
		const struct device_rule *rule = &rules[i];
		int32_t access = bpf_access(rule->access);
		size_t k = 0, len;

		/* Jump offsets are filled in once the block's length is known (off = -1). */
		if (rule->type != 'a')
			block[k++] =
			    INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, -1,
				 rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if (access != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
			/* Any requested bit outside the rule's: no match. */
			block[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			block[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, ~access);
			block[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, -1, 0);
		}
		if (rule->major != DEVICE_WILDCARD)
			block[k++] =
			    INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, -1, (int32_t)rule->major);
		if (rule->minor != DEVICE_WILDCARD)
			block[k++] =
			    INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, -1, (int32_t)rule->minor);
		block[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		block[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		len = k;
		for (k = 0; k < len; k++) {
			if (block[k].off == -1)
				block[k].off = (int16_t)(len - k - 1);
			insns[n++] = block[k];
		}
	}
	insns[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	insns[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*ret_n = n;
	return 0;
}

static int load_program(const struct bpf_insn *insns, size_t n)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int device_bpf_load(const struct device_rule *rules, size_t n_rules)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n = 0;
	int r;

	insns = calloc(DEVICE_BPF_INSNS(n_rules), sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	r = device_bpf_program(rules, n_rules, insns, DEVICE_BPF_INSNS(n_rules), &n);
	if (r < 0)
		return r;
	return load_program(insns, n);
}

bool device_bpf_supported(void)
{
	static const struct device_rule none[] = {};
	int fd = device_bpf_load(none, 0);

	/* EINVAL: no such program type; EPERM and the like say nothing about the kernel. */
	if (fd < 0)
		return fd != -EINVAL;
	close(fd);
	return true;
}
