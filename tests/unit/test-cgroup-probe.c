/* SPDX-License-Identifier: MIT */
/*
 * cgroup_probe() on a fake tree (its test knob): a directory with "mode",
 * "mountinfo" and "cgroup", whose mount points are directories of the tree.
 * It must report what a run would meet and change nothing.
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

#include "cgroup-probe.h"
#include "spec.h"
#include "util.h"

struct facts {
	unsigned count[CGROUP_PROBE_UNREADABLE + 1];
	char last[CGROUP_PROBE_UNREADABLE + 1][PATH_MAX + 512];
	const char *controller[CGROUP_PROBE_UNREADABLE + 1];
};

struct fixture {
	char root[64];
	struct container_spec *spec;
	struct facts facts;
};

static void dir(const char *root, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void collect(const struct cgroup_probe_fact *fact, void *userdata)
{
	struct facts *f = userdata;

	f->count[fact->kind]++;
	snprintf(f->last[fact->kind], sizeof(f->last[fact->kind]), "%s", fact->message);
	f->controller[fact->kind] = fact->controller;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/mdlaunch-probe-XXXXXX");
	if (!mkdtemp(fx->root))
		return -1;
	fx->spec = spec_new();
	if (!fx->spec)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	(void)!system(cmd);
	spec_free(fx->spec);
	free(fx);
	return 0;
}

/* A v1 host with cpuset, memory and devices mounted, the launcher at each root. */
static void legacy_tree(struct fixture *fx, const char *mems)
{
	char mi[1024];

	put(fx->root, "mode", "legacy\n");
	snprintf(mi, sizeof(mi),
		 "33 30 0:30 / %s/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
		 "34 30 0:31 / %s/memory rw,relatime - cgroup cgroup rw,memory\n"
		 "35 30 0:32 / %s/devices rw,relatime - cgroup cgroup rw,devices\n",
		 fx->root, fx->root, fx->root);
	put(fx->root, "mountinfo", mi);
	put(fx->root, "cgroup", "5:cpuset:/\n4:memory:/\n3:devices:/\n0::/\n");
	dir(fx->root, "cpuset");
	dir(fx->root, "devices");
	dir(fx->root, "memory");
	put(fx->root, "cpuset/cpuset.mems", mems);
}

static void test_legacy_ok(void **state)
{
	struct fixture *fx = *state;

	legacy_tree(fx, "0\n");
	fx->spec->memory_max = 64 << 20;
	fx->spec->cpuset = strdup("0");
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_MODE], 1);
	assert_non_null(strstr(fx->facts.last[CGROUP_PROBE_MODE], "legacy"));
	assert_int_equal(fx->facts.count[CGROUP_PROBE_PLACED], 3); /* + devices, always */
	assert_int_equal(fx->facts.count[CGROUP_PROBE_MISSING], 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_NO_MEMS], 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_UNREADABLE], 0);
}

static void test_legacy_missing_and_no_mems(void **state)
{
	struct fixture *fx = *state;

	legacy_tree(fx, "\n");
	fx->spec->cpuset = strdup("0");
	fx->spec->pids_max = 10; /* no pids hierarchy in the tree */
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_MISSING], 1);
	assert_string_equal(fx->facts.controller[CGROUP_PROBE_MISSING], "pids");
	assert_non_null(strstr(fx->facts.last[CGROUP_PROBE_MISSING], "pids controller"));
	assert_int_equal(fx->facts.count[CGROUP_PROBE_NO_MEMS], 1);
	assert_non_null(strstr(fx->facts.last[CGROUP_PROBE_NO_MEMS], "cpuset.mems is empty"));
}

static void test_nothing_needed(void **state)
{
	struct fixture *fx = *state;

	legacy_tree(fx, "0\n");
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_MODE], 1);
	/* No limit: only the device allowlist, which every container gets. */
	assert_int_equal(fx->facts.count[CGROUP_PROBE_PLACED], 1);
	assert_string_equal(fx->facts.controller[CGROUP_PROBE_PLACED], "devices");

	/* A v1 host without the devices controller: reported, at the file's concern. */
	memset(&fx->facts, 0, sizeof(fx->facts));
	put(fx->root, "mountinfo", "");
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_MISSING], 1);
	assert_string_equal(fx->facts.controller[CGROUP_PROBE_MISSING], "devices");
}

/* A v2 host, the launcher in /launcher, which offers only cpu and pids. */
static void unified_tree(struct fixture *fx, const char *procs)
{
	char mi[512];

	put(fx->root, "mode", "unified\n");
	snprintf(mi, sizeof(mi), "40 30 0:37 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n",
		 fx->root);
	put(fx->root, "mountinfo", mi);
	put(fx->root, "cgroup", "0::/launcher\n");
	dir(fx->root, "unified");
	dir(fx->root, "unified/launcher");
	put(fx->root, "unified/cgroup.controllers", "cpuset cpu io memory pids\n");
	put(fx->root, "unified/launcher/cgroup.controllers", "cpu pids\n");
	put(fx->root, "unified/launcher/cgroup.subtree_control", "\n");
	put(fx->root, "unified/launcher/cgroup.procs", procs);
}

static void test_unified_not_offered(void **state)
{
	struct fixture *fx = *state;
	char self[32];

	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	unified_tree(fx, self);
	fx->spec->memory_max = 64 << 20;
	fx->spec->pids_max = 10;
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_NOT_OFFERED], 1);
	assert_string_equal(fx->facts.controller[CGROUP_PROBE_NOT_OFFERED], "memory");
	assert_non_null(strstr(fx->facts.last[CGROUP_PROBE_NOT_OFFERED], "cgroup.controllers"));
	/* Only we are in the base: the runtime moves itself aside, no problem. */
	assert_int_equal(fx->facts.count[CGROUP_PROBE_BUSY], 0);
}

static void test_unified_busy(void **state)
{
	struct fixture *fx = *state;
	char procs[64];

	snprintf(procs, sizeof(procs), "%d\n1\n", (int)getpid());
	unified_tree(fx, procs);
	fx->spec->pids_max = 10;
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_NOT_OFFERED], 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_BUSY], 1);
	assert_string_equal(fx->facts.controller[CGROUP_PROBE_BUSY], "pids");

	/* Already enabled below the base: nothing to enable, so no conflict. */
	memset(&fx->facts, 0, sizeof(fx->facts));
	put(fx->root, "unified/launcher/cgroup.subtree_control", "pids\n");
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), 0);
	assert_int_equal(fx->facts.count[CGROUP_PROBE_BUSY], 0);
}

static void test_bad_knob(void **state)
{
	struct fixture *fx = *state;

	put(fx->root, "mode", "sideways\n");
	assert_int_equal(cgroup_probe(fx->spec, fx->root, collect, &fx->facts), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_legacy_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_missing_and_no_mems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_needed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unified_not_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unified_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_knob, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
