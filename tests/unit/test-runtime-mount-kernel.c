/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for runtime-mount-kernel.c (the masks and read-only paths of
 * the mount plan, Unmask= matching) and cgroup-mounts.c's mountinfo parser
 * (the options a new mount of a v1 hierarchy needs). No root needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "cgroup.h"
#include "runtime-mount-kernel.h"
#include "runtime-mount.h"
#include "spec.h"
#include "util.h"

/* The index of the first op of @type on @target in @plan, or -1. */
static int find_op(const struct mount_plan *plan, uint32_t type, const char *target)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].type == type && streq(plan->ops[i].target, target))
			return (int)i;
	return -1;
}

static void test_default_masks(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct mount_plan plan = {};
	int i;

	(void)state;
	assert_non_null(spec);
	assert_int_equal(mount_plan_add_masks(spec, &plan), 0);
	for (const char *const *p = mount_default_masked; *p; p++)
		assert_true(find_op(&plan, MOUNT_OP_MASK, *p) >= 0);
	for (const char *const *p = mount_default_readonly; *p; p++) {
		i = find_op(&plan, MOUNT_OP_MOUNT, *p);
		assert_true(i >= 0);
		/* a bind onto itself, then the read-only remount, both skipped when missing */
		assert_true(plan.ops[i].mountflags & MS_BIND);
		assert_string_equal(plan.ops[i].source, *p);
		assert_int_equal(plan.ops[i + 1].type, MOUNT_OP_REMOUNT);
		assert_string_equal(plan.ops[i + 1].target, *p);
		assert_true(plan.ops[i + 1].mountflags & MS_RDONLY);
		assert_true(plan.ops[i + 1].flags & MOUNT_OP_OPTIONAL);
	}
	assert_int_equal(find_op(&plan, MOUNT_OP_MASK, "/proc/kcore") >= 0, 1);
	mount_plan_done(&plan);
}

static void test_mask_unmask(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct mount_plan plan = {};

	(void)state;
	assert_non_null(spec);
	assert_int_equal(strv_extend(&spec->mask_paths, "/proc/version"), 0);
	assert_int_equal(strv_extend(&spec->unmask_paths, "/proc/timer_*"), 0);
	assert_int_equal(strv_extend(&spec->unmask_paths, "/proc/sys"), 0);
	assert_int_equal(mount_plan_add_masks(spec, &plan), 0);
	assert_true(find_op(&plan, MOUNT_OP_MASK, "/proc/version") >= 0);
	assert_int_equal(find_op(&plan, MOUNT_OP_MASK, "/proc/timer_list"), -1);
	assert_int_equal(find_op(&plan, MOUNT_OP_MASK, "/proc/timer_stats"), -1);
	assert_true(find_op(&plan, MOUNT_OP_MASK, "/proc/keys") >= 0);
	assert_int_equal(find_op(&plan, MOUNT_OP_REMOUNT, "/proc/sys"), -1);
	assert_true(find_op(&plan, MOUNT_OP_REMOUNT, "/proc/irq") >= 0);
	mount_plan_done(&plan);

	/* ALL (any case): only Mask= is left */
	assert_int_equal(strv_extend(&spec->unmask_paths, "all"), 0);
	assert_int_equal(mount_plan_add_masks(spec, &plan), 0);
	assert_int_equal(plan.n_ops, 1);
	assert_string_equal(plan.ops[0].target, "/proc/version");
	mount_plan_done(&plan);
}

static void test_unmasked(void **state)
{
	char *u[] = { "/proc/a*", "/sys/firmware", NULL };

	(void)state;
	assert_true(mount_path_unmasked(u, "/proc/acpi"));
	assert_true(mount_path_unmasked(u, "/sys/firmware"));
	assert_false(mount_path_unmasked(u, "/sys/firmware/efi"));
	assert_false(mount_path_unmasked(u, "/proc/kcore"));
	assert_false(mount_path_unmasked(NULL, "/proc/kcore"));
}

static const char mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "33 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "34 31 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
    "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "35 31 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n";

/* Parses @controller out of the mountinfo text above; returns r. */
static int parse(const char *controller, char **mp, char **opts)
{
	FILE *f = fmemopen((void *)mountinfo, sizeof(mountinfo) - 1, "r");
	int r;

	assert_non_null(f);
	r = cgroup_parse_mount_options(f, controller, mp, opts);
	fclose(f);
	return r;
}

static void test_mount_options(void **state)
{
	_cleanup_free_ char *mp = NULL, *opts = NULL;

	(void)state;
	assert_int_equal(parse("cpu", &mp, &opts), 0);
	assert_string_equal(mp, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(opts, "cpu,cpuacct");
	free(mp);
	free(opts);
	assert_int_equal(parse("cpuacct", &mp, &opts), 0);
	assert_string_equal(opts, "cpu,cpuacct");
	free(mp);
	free(opts);
	assert_int_equal(parse("name=systemd", &mp, &opts), 0);
	assert_string_equal(opts, "xattr,name=systemd");
	free(mp);
	free(opts);
	mp = opts = NULL;
	assert_int_equal(parse("cpuset", &mp, &opts), -ENOENT);
	assert_int_equal(parse("mem", &mp, &opts), -ENOENT);
	assert_null(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_masks),
		cmocka_unit_test(test_mask_unmask),
		cmocka_unit_test(test_unmasked),
		cmocka_unit_test(test_mount_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
