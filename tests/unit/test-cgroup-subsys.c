/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the subsystem chain (cgroup-cpuset.c, cgroup-memory.c,
 * cgroup-cpu.c) through the v1 hierarchy ops, against a temporary directory
 * laid out like cgroupfs: <tmp> is the launcher's own cgroup, <tmp>/mdlaunch
 * the shared level, <tmp>/mdlaunch/web-1 the leaf. All writes are relative
 * to directory fds, so this needs no root. Also: the cpuset seeding of empty
 * levels, error reports naming the full path and the value, and plan mode.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

struct fixture {
	char tmp[64];
	char *mid, *leaf;
	struct cgroup *cg;
	struct container_spec *spec;
};

/* Makes the three levels with the files each controller's directory holds. */
static int setup(void **state)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems", "memory.limit_in_bytes",
					     "cpu.shares", "cgroup.procs" };
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/test-cgroup-XXXXXX");
	assert_non_null(mkdtemp(fx->tmp));
	fx->mid = strdup_printf("%s/mdlaunch", fx->tmp);
	fx->leaf = strdup_printf("%s/web-1", fx->mid);
	assert_int_equal(mkdir(fx->mid, 0755), 0);
	assert_int_equal(mkdir(fx->leaf, 0755), 0);
	put(fx->tmp, "cpuset.cpus", "0-3\n");
	put(fx->tmp, "cpuset.mems", "0\n");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		put(fx->mid, files[i], "");
		put(fx->leaf, files[i], "");
	}

	fx->cg = cgroup_new(&cgroup_v1_ops);
	assert_non_null(fx->cg);
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &fx->cg->dirs[i];

		d->used = true;
		d->alias = i == 0 ? -1 : 0; /* one directory for all: like a co-mount */
	}
	{
		struct cgroup_dir *d = &fx->cg->dirs[0];

		d->base_path = strdup(fx->tmp);
		d->base_fd = open(fx->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d->levels[0].path = strdup(fx->mid);
		d->levels[0].fd = open(fx->mid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d->levels[1].path = strdup(fx->leaf);
		d->levels[1].fd = open(fx->leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d->n_levels = 2;
		assert_true(d->base_fd >= 0 && d->levels[0].fd >= 0 && d->levels[1].fd >= 0);
	}
	fx->spec = spec_new();
	assert_non_null(fx->spec);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", fx->tmp);

	assert_int_equal(system(cmd), 0);
	cgroup_free(fx->cg);
	spec_free(fx->spec);
	free(fx->mid);
	free(fx->leaf);
	free(fx);
	return 0;
}

static void assert_file(const char *dir, const char *file, const char *expected)
{
	_cleanup_free_ char *s = get(dir, file);

	assert_string_equal(s, expected);
}

static void test_memory(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	assert_false(cgroup_subsys_memory.enabled(fx->spec));
	fx->spec->memory_max = 268435456;
	assert_true(cgroup_subsys_memory.enabled(fx->spec));
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "memory.limit_in_bytes", "268435456");

	put(fx->leaf, "memory.limit_in_bytes", "");
	fx->spec->memory_max = SPEC_MEMORY_INFINITY;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "memory.limit_in_bytes", "-1");
}

static void test_cpu(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	assert_false(cgroup_subsys_cpu.enabled(fx->spec));
	fx->spec->cpu_shares = 512;
	assert_int_equal(cgroup_subsys_cpu.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "cpu.shares", "512");
}

/* Every empty level gets the parent's cpus and mems; the leaf its mems and the spec's cpus. */
static void test_cpuset_seeds_empty_levels(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	fx->spec->cpuset = strdup("1");
	assert_true(cgroup_subsys_cpuset.enabled(fx->spec));
	assert_int_equal(cgroup_subsys_cpuset.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->mid, "cpuset.cpus", "0-3");
	assert_file(fx->mid, "cpuset.mems", "0");
	assert_file(fx->leaf, "cpuset.mems", "0");
	assert_file(fx->leaf, "cpuset.cpus", "1");
}

/* A level that has values keeps them, and passes them down. */
static void test_cpuset_keeps_set_levels(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	put(fx->mid, "cpuset.cpus", "2-3\n");
	put(fx->mid, "cpuset.mems", "0-1\n");
	fx->spec->cpuset = strdup("2");
	assert_int_equal(cgroup_subsys_cpuset.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->mid, "cpuset.cpus", "2-3\n");
	assert_file(fx->leaf, "cpuset.mems", "0-1");
	assert_file(fx->leaf, "cpuset.cpus", "2");
}

/* A failed write names the full path and the value; nothing is logged. */
static void test_error_names_file_and_value(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *path = strdup_printf("%s/memory.limit_in_bytes", fx->leaf);
	_cleanup_free_ char *expected = NULL;
	struct cgroup_error err = {};
	char msg[PATH_MAX + 256];

	assert_int_equal(unlink(path), 0);
	fx->spec->memory_max = 1048576;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), -ENOENT);
	assert_string_equal(err.path, path);
	assert_string_equal(err.value, "1048576");
	expected = strdup_printf("cannot write '1048576' to %s", path);
	assert_string_equal(cgroup_error_format(&err, msg, sizeof(msg)), expected);

	/* The same for the cpuset of a level without the files (a wrong mount, say). */
	free(path);
	path = strdup_printf("%s/cpuset.cpus", fx->leaf);
	assert_int_equal(unlink(path), 0);
	fx->spec->cpuset = strdup("0-7");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cgroup_subsys_cpuset.apply(fx->cg, fx->spec, CGROUP_V1, &err), -ENOENT);
	assert_string_equal(err.path, path);
	assert_string_equal(err.value, "0-7");
}

/* Plan mode prints each write, with the seeded values, and writes nothing. */
static void test_plan_mode(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};
	_cleanup_free_ char *out = NULL, *line = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	assert_non_null(f);
	fx->cg->plan = f;
	fx->spec->cpuset = strdup("1");
	fx->spec->memory_max = 4096;
	assert_int_equal(cgroup_subsys_cpuset.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	fclose(f);
	line = strdup_printf("     %s/cpuset.mems = 0 (empty level: copied from parent: 0)\n"
			     "     %s/cpuset.cpus = 1\n"
			     "     %s/memory.limit_in_bytes = 4096\n",
			     fx->leaf, fx->leaf, fx->leaf);
	assert_non_null(strstr(out, line));
	assert_non_null(
	    strstr(out, "/mdlaunch/cpuset.cpus = 0-3 (empty level: copied from parent: 0-3)"));
	assert_file(fx->leaf, "cpuset.cpus", "");
	assert_file(fx->mid, "cpuset.mems", "");
	assert_file(fx->leaf, "memory.limit_in_bytes", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuset_seeds_empty_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuset_keeps_set_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_names_file_and_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_mode, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
