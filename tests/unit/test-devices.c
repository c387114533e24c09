/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the device set (devices.c), its cgroup subsystem
 * (cgroup-devices.c, v1 writes and v2 plan through plan mode), the /dev
 * builder of the mount plan (runtime-dev.c) and the AddDevice= parser
 * (config-values.c). The cgroup v2 BPF program is run here by a small
 * interpreter of the instructions it uses, so the allow/deny decisions are
 * checked without a kernel; loading and attaching it is the v2 guest's
 * business (make check-vm). No root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "test-util.h"

#include "cgroup-internal.h"
#include "config-values.h"
#include "devices.h"
#include "runtime-dev.h"
#include "runtime-mount.h"
#include "spec.h"
#include "util.h"

/* Runs @insns on a struct bpf_cgroup_dev_ctx; returns r0, or -1 on an unknown instruction. */
static int64_t run_bpf(const struct bpf_insn *insns, size_t n, uint32_t type, uint32_t access,
		       uint32_t maj, uint32_t min)
{
	uint32_t ctx[3] = { (access << 16) | type, maj, min };
	uint64_t reg[11] = {};

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &insns[pc];
		uint64_t src = BPF_SRC(i->code) == BPF_X ? reg[i->src_reg] : (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, BPF_REG_1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			reg[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = src;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			reg[i->dst_reg] &= src;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			reg[i->dst_reg] >>= src;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (reg[i->dst_reg] != src) {
				pc += (size_t)i->off;
				assert_true(pc < n);
			}
			break;
		case BPF_JMP | BPF_EXIT:
			return (int64_t)reg[0];
		default:
			return -1;
		}
	}
	return -1; /* fell off the end: the verifier would refuse it */
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD

static void test_default_set(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct device_set set = {};
	size_t failed = 99;
	char rule[64];

	(void)state;
	assert_int_equal(devices_resolve(spec, &set, &failed), 0);
	assert_int_equal(set.n_nodes, 6);
	assert_string_equal(set.nodes[0].path, "/dev/null");
	assert_int_equal(set.nodes[0].mode, S_IFCHR | 0666);
	assert_int_equal(set.nodes[5].major, 5);
	/* No block device, nothing of kvm, fuse or kmsg. */
	for (size_t i = 0; i < set.n_nodes; i++) {
		assert_true(S_ISCHR(set.nodes[i].mode));
		assert_true(set.nodes[i].major == 1 || set.nodes[i].major == 5);
	}
	assert_int_equal(set.n_rules, 11);
	device_rule_format(&set.rules[0], rule, sizeof(rule));
	assert_string_equal(rule, "c *:* m");
	device_rule_format(&set.rules[1], rule, sizeof(rule));
	assert_string_equal(rule, "b *:* m");
	device_rule_format(&set.rules[2], rule, sizeof(rule));
	assert_string_equal(rule, "c 1:3 rwm");
	device_rule_format(&set.rules[10], rule, sizeof(rule));
	assert_string_equal(rule, "c 136:* rwm");
	device_set_done(&set);
}

static void test_add_device(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct spec_device d = {};
	struct device_set set = {};
	size_t failed = 99;
	char rule[64];

	(void)state;
	assert_int_equal(parse_device("/dev/null:/dev/net/mynull:rw", &d), 0);
	assert_int_equal(spec_add_device(spec, &d), 0);
	free(d.host);
	free(d.container);
	assert_int_equal(parse_device("-/dev/does-not-exist", &d), 0);
	assert_int_equal(spec_add_device(spec, &d), 0);
	free(d.host);
	free(d.container);
	assert_int_equal(devices_resolve(spec, &set, &failed), 0);
	assert_int_equal(set.n_nodes, 7); /* the optional missing one is skipped */
	assert_string_equal(set.nodes[6].path, "/dev/net/mynull");
	assert_string_equal(set.nodes[6].host, "/dev/null");
	assert_int_equal(set.n_rules, 12);
	device_rule_format(&set.rules[11], rule, sizeof(rule));
	assert_string_equal(rule, "c 1:3 rw");
	device_set_done(&set);

	/* At a default node's path: replaces it. */
	free(spec->devices[0].container);
	spec->devices[0].container = strdup("/dev/zero");
	assert_int_equal(devices_resolve(spec, &set, &failed), 0);
	assert_int_equal(set.n_nodes, 6);
	assert_string_equal(set.nodes[1].path, "/dev/zero");
	assert_int_equal(set.nodes[1].minor, 3);
	assert_string_equal(set.nodes[1].host, "/dev/null");
	device_set_done(&set);

	/* Without '-': the index of the entry. */
	spec->devices[1].optional = false;
	assert_int_equal(devices_resolve(spec, &set, &failed), -ENOENT);
	assert_int_equal(failed, 1);
	assert_null(set.nodes);
	/* Not a device node. */
	free(spec->devices[1].host);
	spec->devices[1].host = strdup("/etc/passwd");
	assert_int_equal(devices_resolve(spec, &set, &failed), -ENODEV);
	assert_int_equal(failed, 1);
}

static void test_parse_device(void **state)
{
	static const char *const bad[] = {
		"", "-", "dev/null", "/dev/null:rx", "/dev/null:", ":/dev/null", "/dev/null::rw",
		"/dev/null:/tmp/null", "/dev/null:/dev/pts/0", "/dev/null:/dev/shm/x",
		"/dev/null:/dev/../etc/x", "/dev/null:/dev/a:rw:x", "/etc/passwd",
		"/dev/null:/dev/mqueue", "/dev//null", "/dev/null/",
	};
	struct spec_device d = {};

	(void)state;
	assert_int_equal(parse_device("/dev/kvm", &d), 0);
	assert_string_equal(d.host, "/dev/kvm");
	assert_string_equal(d.container, "/dev/kvm");
	assert_int_equal(d.perms, SPEC_DEV_ALL);
	assert_false(d.optional);
	free(d.host);
	free(d.container);
	assert_int_equal(parse_device("-/dev/fuse:r", &d), 0);
	assert_true(d.optional);
	assert_int_equal(d.perms, SPEC_DEV_READ);
	assert_string_equal(d.container, "/dev/fuse");
	free(d.host);
	free(d.container);
	/* A host path outside /dev is fine when the container path is below it. */
	assert_int_equal(parse_device("/srv/disk:/dev/xvda:mw", &d), 0);
	assert_int_equal(d.perms, SPEC_DEV_WRITE | SPEC_DEV_MKNOD);
	free(d.host);
	free(d.container);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		d = (struct spec_device){};
		if (parse_device(bad[i], &d) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_bpf_program(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct bpf_insn insns[DEVICE_BPF_INSNS(16)];
	struct device_set set = {};
	struct device_rule extra = { 'b', 7, 0, SPEC_DEV_READ };
	size_t n = 0, failed;

	(void)state;
	assert_int_equal(devices_resolve(spec, &set, &failed), 0);
	set.rules = reallocarray(set.rules, set.n_rules + 1, sizeof(*set.rules));
	assert_non_null(set.rules);
	set.rules[set.n_rules++] = extra;
	assert_int_equal(device_bpf_program(set.rules, set.n_rules, insns, 3, &n), -E2BIG);
	assert_int_equal(
	    device_bpf_program(set.rules, set.n_rules, insns, ELEMENTSOF(insns), &n), 0);
	assert_true(n <= DEVICE_BPF_INSNS(set.n_rules));

	/* The defaults. */
	assert_int_equal(run_bpf(insns, n, CHR, R | W, 1, 3), 1);	/* /dev/null */
	assert_int_equal(run_bpf(insns, n, CHR, R | W | M, 1, 9), 1);	/* urandom */
	assert_int_equal(run_bpf(insns, n, CHR, R | W, 136, 4), 1);	/* a pty */
	assert_int_equal(run_bpf(insns, n, CHR, R | W, 5, 2), 1);	/* ptmx */
	assert_int_equal(run_bpf(insns, n, CHR, M, 10, 232), 1);	/* mknod kvm: yes */
	assert_int_equal(run_bpf(insns, n, CHR, R | W, 10, 232), 0);	/* open kvm: no */
	assert_int_equal(run_bpf(insns, n, CHR, R, 1, 1), 0);		/* /dev/mem */
	assert_int_equal(run_bpf(insns, n, CHR, R, 1, 11), 0);		/* /dev/kmsg */
	assert_int_equal(run_bpf(insns, n, CHR, R, 10, 229), 0);	/* /dev/fuse */
	assert_int_equal(run_bpf(insns, n, BLK, R, 8, 0), 0);		/* a disk */
	assert_int_equal(run_bpf(insns, n, BLK, M, 8, 0), 1);		/* mknod of it */
	/* The extra rule: b 7:0 r, and nothing more. */
	assert_int_equal(run_bpf(insns, n, BLK, R, 7, 0), 1);
	assert_int_equal(run_bpf(insns, n, BLK, R | W, 7, 0), 0);
	assert_int_equal(run_bpf(insns, n, BLK, R, 7, 1), 0);
	assert_int_equal(run_bpf(insns, n, CHR, R, 7, 0), 0);
	device_set_done(&set);

	/* No rule: everything denied. */
	assert_int_equal(device_bpf_program(NULL, 0, insns, ELEMENTSOF(insns), &n), 0);
	assert_int_equal(n, 8);
	assert_int_equal(run_bpf(insns, n, CHR, R, 1, 3), 0);
}

/* The subsystem in plan mode on a v1 part: every write in order. */
static void test_cgroup_v1_plan(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *out = NULL;
	struct cgroup *cg = cgroup_new(&cgroup_v1_ops);
	struct cgroup_dir *d;
	struct cgroup_error err = {};
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	(void)state;
	assert_non_null(cg);
	assert_non_null(f);
	assert_true(cgroup_subsys_devices.enabled(spec));
	assert_string_equal(cgroup_controller_to_string(CGROUP_CTL_DEVICES), "devices");
	d = &cg->dirs[CGROUP_CTL_DEVICES];
	d->used = true;
	d->levels[0].path = strdup("/cg/devices/mdlaunch/x-1");
	d->n_levels = 1;
	cg->plan = f;
	assert_int_equal(cgroup_subsys_devices.apply(cg, spec, CGROUP_V1, &err), 0);
	fclose(f);
	assert_non_null(strstr(out, "     /cg/devices/mdlaunch/x-1/devices.deny = a (deny all "
				    "first)\n     /cg/devices/mdlaunch/x-1/devices.allow = c *:* m\n"));
	assert_non_null(strstr(out, "/devices.allow = c 136:* rwm\n"));
	assert_null(strstr(out, "10:232"));
	cgroup_free(cg);
}

static void test_cgroup_v2_plan(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *out = NULL;
	struct cgroup *cg = cgroup_new(&cgroup_v2_ops);
	struct cgroup_dir *d;
	struct cgroup_error err = {};
	struct spec_device dev = { .host = "/dev/null", .container = "/dev/n2", .perms = 1 };
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	(void)state;
	assert_non_null(cg);
	assert_non_null(f);
	assert_int_equal(spec_add_device(spec, &dev), 0);
	d = &cg->dirs[CGROUP_CTL_DEVICES];
	d->used = true;
	d->levels[0].path = strdup("/cg/mdlaunch/x-1");
	d->n_levels = 1;
	cg->plan = f;
	assert_int_equal(cgroup_subsys_devices.apply(cg, spec, CGROUP_V2, &err), 0);
	fclose(f);
	assert_non_null(strstr(out, "/cg/mdlaunch/x-1: BPF device program (72 instructions, "
				    "BPF_F_ALLOW_MULTI) allowing:\n"));
	assert_non_null(strstr(out, "       c 1:3 r\n"));
	/* Nothing to enable in cgroup.subtree_control for it. */
	assert_true(CGROUP_V2_IMPLICIT & (1U << CGROUP_CTL_DEVICES));
	cgroup_free(cg);
}

static void test_cgroup_missing_device(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct cgroup *cg = cgroup_new(&cgroup_v1_ops);
	struct spec_device dev = { .host = "/dev/nope-nope", .perms = SPEC_DEV_ALL };
	struct cgroup_error err = {};
	FILE *f = fopen("/dev/null", "we");

	(void)state;
	assert_non_null(cg);
	assert_int_equal(spec_add_device(spec, &dev), 0);
	cg->dirs[CGROUP_CTL_DEVICES].used = true;
	cg->dirs[CGROUP_CTL_DEVICES].levels[0].path = strdup("/cg/x");
	cg->dirs[CGROUP_CTL_DEVICES].n_levels = 1;
	cg->plan = f;
	assert_int_equal(cgroup_subsys_devices.apply(cg, spec, CGROUP_V1, &err), -ENOENT);
	assert_string_equal(err.message,
			    "AddDevice: '/dev/nope-nope': No such file or directory");
	fclose(f);
	cgroup_free(cg);
}

/* The index of the first op of @plan with @type on @target, or -1. */
static int find_op(const struct mount_plan *plan, uint32_t type, const char *target)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].type == type && streq(plan->ops[i].target, target))
			return (int)i;
	return -1;
}

static void test_mount_plan_dev(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct mount_plan plan = {};
	int dev, null, pts, shm, proc;

	(void)state;
	spec->shm_size = 1 << 20;
	assert_int_equal(mount_plan_build(spec, &plan), 0);
	proc = find_op(&plan, MOUNT_OP_MOUNT, "/proc");
	dev = find_op(&plan, MOUNT_OP_MOUNT, "/dev");
	null = find_op(&plan, MOUNT_OP_MKNOD, "/dev/null");
	pts = find_op(&plan, MOUNT_OP_MOUNT, "/dev/pts");
	shm = find_op(&plan, MOUNT_OP_MOUNT, "/dev/shm");
	assert_true(proc >= 0 && proc < dev && dev < null && null < pts && pts < shm);
	assert_string_equal(plan.ops[dev].fstype, "tmpfs");
	assert_true(plan.ops[dev].mountflags & MS_NOSUID);
	assert_int_equal(plan.ops[null].dev, makedev(1, 3));
	assert_string_equal(plan.ops[null].source, "/dev/null"); /* the bind fallback */
	assert_string_equal(plan.ops[pts].fstype, "devpts");
	assert_non_null(strstr(plan.ops[pts].data, "newinstance,ptmxmode=0666,mode=0620"));
	assert_string_equal(plan.ops[shm].data, "mode=1777,size=1048576");
	assert_int_equal(plan.ops[shm].mountflags & (MS_NOSUID | MS_NODEV | MS_NOEXEC),
			 MS_NOSUID | MS_NODEV | MS_NOEXEC);
	assert_true(find_op(&plan, MOUNT_OP_SYMLINK, "/dev/ptmx") > pts);
	assert_true(find_op(&plan, MOUNT_OP_SYMLINK, "/dev/stderr") > 0);
	assert_true(find_op(&plan, MOUNT_OP_MOUNT, "/dev/mqueue") > shm);
	assert_int_equal(find_op(&plan, MOUNT_OP_MKNOD, "/dev/kvm"), -1);
	mount_plan_done(&plan);

	/* No IPC namespace: no mqueue (it would show the host's queues). */
	spec->namespaces &= ~NS_IPC;
	assert_int_equal(mount_plan_build(spec, &plan), 0);
	assert_int_equal(find_op(&plan, MOUNT_OP_MOUNT, "/dev/mqueue"), -1);
	mount_plan_done(&plan);

	/* No mount namespace: no plan, the host's /dev stays (the allowlist still applies). */
	spec->namespaces &= ~NS_MOUNT;
	assert_int_equal(mount_plan_build(spec, &plan), 0);
	assert_int_equal(plan.n_ops, 0);
}

static void test_mount_plan_add_device(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct spec_device dev = { .host = "/dev/null", .container = "/dev/net/x", .perms = 3 };
	struct mount_plan plan = {};
	int mkdir_at, node;

	(void)state;
	assert_int_equal(spec_add_device(spec, &dev), 0);
	assert_int_equal(mount_plan_build(spec, &plan), 0);
	mkdir_at = find_op(&plan, MOUNT_OP_MKDIR, "/dev/net");
	node = find_op(&plan, MOUNT_OP_MKNOD, "/dev/net/x");
	assert_true(mkdir_at > 0 && mkdir_at < node);
	assert_string_equal(plan.ops[node].source, "/dev/null");
	assert_int_equal(plan.ops[node].mode & S_IFMT, S_IFCHR);
	mount_plan_done(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_set),
		cmocka_unit_test(test_add_device),
		cmocka_unit_test(test_parse_device),
		cmocka_unit_test(test_bpf_program),
		cmocka_unit_test(test_cgroup_v1_plan),
		cmocka_unit_test(test_cgroup_v2_plan),
		cmocka_unit_test(test_cgroup_missing_device),
		cmocka_unit_test(test_mount_plan_dev),
		cmocka_unit_test(test_mount_plan_add_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
