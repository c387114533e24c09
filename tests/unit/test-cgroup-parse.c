/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the cgroup parsers on string input: /proc/self/mountinfo
 * (which v1 mount carries a controller, escaped paths, a mount of a
 * sub-tree), /proc/self/cgroup (controller lists, the v2 line) and the
 * resolution of the launcher's own cgroup directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup-internal.h"
#include "util.h"

static const char mountinfo_hybrid[] =
    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 /docker/abc /sys/fs/cgroup/mem\\040ory rw,relatime master:3 shared:9 - "
    "cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* Runs cgroup_parse_mountinfo() on @text; returns its result. */
static int parse_mi(const char *text, const char *ctl, char **mp, char **root)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = cgroup_parse_mountinfo(f, ctl, mp, root);
	fclose(f);
	return r;
}

static int parse_pc(const char *text, const char *ctl, char **path)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = cgroup_parse_proc_cgroup(f, ctl, path);
	fclose(f);
	return r;
}

static void test_mountinfo(void **state)
{
	char *mp = NULL, *root = NULL;

	(void)state;
	assert_int_equal(parse_mi(mountinfo_hybrid, "cpuset", &mp, &root), 0);
	assert_string_equal(mp, "/sys/fs/cgroup/cpuset");
	assert_string_equal(root, "/");
	free(mp);
	free(root);

	/* Co-mounted controllers, with an optional field before the separator. */
	assert_int_equal(parse_mi(mountinfo_hybrid, "cpu", &mp, &root), 0);
	assert_string_equal(mp, "/sys/fs/cgroup/cpu,cpuacct");
	free(mp);
	free(root);

	/* A sub-tree mount with an escaped space in the mount point. */
	assert_int_equal(parse_mi(mountinfo_hybrid, "memory", &mp, &root), 0);
	assert_string_equal(mp, "/sys/fs/cgroup/mem ory");
	assert_string_equal(root, "/docker/abc");
	free(mp);
	free(root);

	/* "cpu" must not match "cpuset" or "cpuacct" alone; cgroup2 is not v1. */
	mp = root = NULL;
	assert_int_equal(parse_mi("33 30 0:30 / /c rw - cgroup cgroup rw,cpuset\n"
				  "32 30 0:29 / /d rw - cgroup cgroup rw,cpuacct\n"
				  "40 30 0:37 / /u rw - cgroup2 cgroup2 rw,cpu\n",
				  "cpu", &mp, &root),
			 -ENOENT);
	assert_null(mp);
	assert_int_equal(parse_mi(mountinfo_hybrid, "pids", &mp, &root), -ENOENT);
	/* Garbage lines are skipped, not fatal. */
	assert_int_equal(parse_mi("garbage\n\n1 2 3\n", "cpu", &mp, &root), -ENOENT);
}

static void test_proc_cgroup(void **state)
{
	static const char text[] = "12:pids:/user.slice\n"
				   "4:memory:/process_api/e8e1\n"
				   "3:cpuset:/\n"
				   "2:cpu,cpuacct:/system.slice/web.service\n"
				   "1:name=systemd:/system.slice/web.service\n"
				   "0::/system.slice/web.service\n";
	char *p = NULL;

	(void)state;
	assert_int_equal(parse_pc(text, "memory", &p), 0);
	assert_string_equal(p, "/process_api/e8e1");
	free(p);
	assert_int_equal(parse_pc(text, "cpuset", &p), 0);
	assert_string_equal(p, "/");
	free(p);
	assert_int_equal(parse_pc(text, "cpuacct", &p), 0);
	assert_string_equal(p, "/system.slice/web.service");
	free(p);
	assert_int_equal(parse_pc(text, "cpu", &p), 0);
	assert_string_equal(p, "/system.slice/web.service");
	free(p);
	assert_int_equal(parse_pc(text, "", &p), 0);
	assert_string_equal(p, "/system.slice/web.service");
	free(p);
	p = NULL;
	assert_int_equal(parse_pc(text, "blkio", &p), -ENOENT);
	assert_int_equal(parse_pc(text, "systemd", &p), -ENOENT);
	assert_null(p);
	assert_int_equal(parse_pc("0::/\n", "memory", &p), -ENOENT);
}

static void test_resolve_base(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(cgroup_resolve_base("/sys/fs/cgroup/memory", "/", "/a/b", &p), 0);
	assert_string_equal(p, "/sys/fs/cgroup/memory/a/b");
	free(p);
	assert_int_equal(cgroup_resolve_base("/sys/fs/cgroup/memory", "/", "/", &p), 0);
	assert_string_equal(p, "/sys/fs/cgroup/memory");
	free(p);
	/* The mount shows the hierarchy from /docker/abc on. */
	assert_int_equal(cgroup_resolve_base("/m", "/docker/abc", "/docker/abc/x", &p), 0);
	assert_string_equal(p, "/m/x");
	free(p);
	assert_int_equal(cgroup_resolve_base("/m", "/docker/abc", "/docker/abc", &p), 0);
	assert_string_equal(p, "/m");
	free(p);
	p = NULL;
	assert_int_equal(cgroup_resolve_base("/m", "/docker/abc", "/docker/abcd", &p), -EXDEV);
	assert_int_equal(cgroup_resolve_base("/m", "/docker/abc", "/other", &p), -EXDEV);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_resolve_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
