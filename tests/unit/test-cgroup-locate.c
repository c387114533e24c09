/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the cgroup locator (cgroup-locate.c) on a fake host: a
 * directory holding "mode", "mountinfo" and "cgroup" as cgroup_host_load()
 * reads them. Where each controller lives (v1 mount, cgroup2, nowhere), the
 * hybrid choice through the cgroup2 root's cgroup.controllers, the base
 * below the launcher's own cgroup or the root, and the answer the front end
 * gets for this host (cgroup_controller_version()), which must agree with
 * the mode.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test-util.h"

#include "cgroup-locate.h"
#include "util.h"

struct fixture {
	char root[64];
	char *unified; /* the fake cgroup2 mount point */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	_cleanup_free_ char *mi = NULL;

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/test-cgroup-locate-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	fx->unified = strdup_printf("%s/unified", fx->root);
	assert_int_equal(mkdir(fx->unified, 0755), 0);
	put(fx->unified, "cgroup.controllers", "hugetlb pids\n");
	mi = strdup_printf("30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
			   "31 30 0:27 / %s rw,nosuid - cgroup2 cgroup2 rw\n"
			   "33 30 0:29 / /sys/fs/cgroup/memory rw shared:9 - cgroup cgroup "
			   "rw,memory\n"
			   "34 30 0:30 /sub /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
			   "rw,cpu,cpuacct\n",
			   fx->unified);
	put(fx->root, "mountinfo", mi);
	put(fx->root, "cgroup",
	    "5:cpu,cpuacct:/sub/svc\n4:memory:/system.slice/a.service\n0::/user.slice\n");
	put(fx->root, "mode", "hybrid\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", fx->root);

	assert_int_equal(system(cmd), 0);
	free(fx->unified);
	free(fx);
	return 0;
}

static void test_hybrid(void **state)
{
	struct fixture *fx = *state;
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	struct cgroup_location loc = {};
	char *base = NULL;

	assert_int_equal(cgroup_host_load(fx->root, &h), 0);
	assert_int_equal(h->mode, CGROUP_MODE_HYBRID);
	assert_string_equal(h->v2_mountpoint, fx->unified);

	/* memory: its own v1 mount, the base below the launcher's memory cgroup. */
	assert_int_equal(cgroup_host_locate(h, CGROUP_CTL_MEMORY, &loc), 0);
	assert_int_equal(loc.version, CGROUP_V1);
	assert_string_equal(loc.mountpoint, "/sys/fs/cgroup/memory");
	assert_int_equal(cgroup_host_base(h, &loc, "memory", false, &base), 0);
	assert_string_equal(base, "/sys/fs/cgroup/memory/system.slice/a.service");
	free(base);
	assert_int_equal(cgroup_host_base(h, &loc, "memory", true, &base), 0);
	assert_string_equal(base, "/sys/fs/cgroup/memory");
	free(base);
	cgroup_location_done(&loc);
	assert_null(loc.mountpoint);

	/* cpu: a mount of a sub-tree; the own cgroup is below its root. */
	assert_int_equal(cgroup_host_locate(h, CGROUP_CTL_CPU, &loc), 0);
	assert_int_equal(loc.version, CGROUP_V1);
	assert_string_equal(loc.mount_root, "/sub");
	assert_int_equal(cgroup_host_base(h, &loc, "cpu", false, &base), 0);
	assert_string_equal(base, "/sys/fs/cgroup/cpu,cpuacct/svc");
	free(base);
	cgroup_location_done(&loc);

	/* pids: no v1 mount, but the cgroup2 root offers it; the base is the 0:: line. */
	assert_int_equal(cgroup_host_locate(h, CGROUP_CTL_PIDS, &loc), 0);
	assert_int_equal(loc.version, CGROUP_V2);
	assert_string_equal(loc.mountpoint, fx->unified);
	assert_int_equal(cgroup_host_base(h, &loc, "", false, &base), 0);
	assert_non_null(strstr(base, "/unified/user.slice"));
	free(base);
	/* ... and no v1 line for it. */
	assert_int_equal(cgroup_host_base(h, &loc, "pids", false, &base), -ENOENT);
	cgroup_location_done(&loc);

	/* cpuset: nowhere. */
	assert_int_equal(cgroup_host_locate(h, CGROUP_CTL_CPUSET, &loc), -ENOENT);
	assert_null(loc.mountpoint);
	assert_int_equal(cgroup_host_locate(h, _CGROUP_CTL_MAX, &loc), -EINVAL);
}

static void test_legacy_and_unified(void **state)
{
	struct fixture *fx = *state;
	_cleanup_(cgroup_host_freep) struct cgroup_host *legacy = NULL, *unified = NULL;
	struct cgroup_location loc = {};

	/* Legacy ignores cgroup2: pids is not available. */
	put(fx->root, "mode", "legacy\n");
	assert_int_equal(cgroup_host_load(fx->root, &legacy), 0);
	assert_int_equal(cgroup_host_locate(legacy, CGROUP_CTL_PIDS, &loc), -ENOENT);
	assert_int_equal(cgroup_host_locate(legacy, CGROUP_CTL_MEMORY, &loc), 0);
	assert_int_equal(loc.version, CGROUP_V1);
	cgroup_location_done(&loc);

	/* Unified puts everything on cgroup2, whatever v1 mounts a namespace shows. */
	put(fx->root, "mode", "unified\n");
	assert_int_equal(cgroup_host_load(fx->root, &unified), 0);
	assert_int_equal(cgroup_host_locate(unified, CGROUP_CTL_MEMORY, &loc), 0);
	assert_int_equal(loc.version, CGROUP_V2);
	assert_string_equal(loc.mountpoint, fx->unified);
	cgroup_location_done(&loc);

	/* A mode the locator does not know, and a missing file. */
	put(fx->root, "mode", "v3\n");
	assert_int_equal(cgroup_host_load(fx->root, &legacy), -EINVAL);
	assert_int_equal(cgroup_host_load("/nonexistent-dir", &legacy), -ENOENT);
}

/* The front end's question on this host agrees with the host's mode. */
static void test_this_host(void **state)
{
	enum cgroup_mode mode;
	enum cgroup_version v = 0;
	int r;

	(void)state;
	if (cgroup_mode_get(&mode) < 0)
		skip();
	r = cgroup_controller_version(CGROUP_CTL_MEMORY, &v);
	if (mode == CGROUP_MODE_UNIFIED) {
		assert_int_equal(r, 0);
		assert_int_equal(v, CGROUP_V2);
	} else if (mode == CGROUP_MODE_LEGACY) {
		assert_true(r == -ENOENT || (r == 0 && v == CGROUP_V1));
	} else {
		assert_true(r == -ENOENT || (r == 0 && (v == CGROUP_V1 || v == CGROUP_V2)));
	}
	/* The snapshot is read once and shared. */
	{
		struct cgroup_host *a, *b;

		assert_int_equal(cgroup_host_get(&a), 0);
		assert_int_equal(cgroup_host_get(&b), 0);
		assert_ptr_equal(a, b);
		assert_int_equal(a->mode, mode);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hybrid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_and_unified, setup, teardown),
		cmocka_unit_test(test_this_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
