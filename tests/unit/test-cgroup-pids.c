/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for cgroup-pids.c through the v1 hierarchy ops, against a
 * temporary directory laid out like cgroupfs (<tmp>/mdlaunch/web-1 is the
 * leaf): enabled() only with PidsLimit=, pids.max for a count and for max
 * on both versions, the error naming the file, and plan mode. No root.
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
	char *leaf;
	struct cgroup *cg;
	struct container_spec *spec;
};

static void assert_file(const char *dir, const char *file, const char *expected)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *s = NULL;

	assert_true(fd >= 0);
	assert_int_equal(read_file_at(fd, file, 4096, &s), 0);
	assert_string_equal(s, expected);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	_cleanup_free_ char *mid = NULL;
	struct cgroup_dir *d;

	assert_non_null(fx);
	snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/test-pids-XXXXXX");
	assert_non_null(mkdtemp(fx->tmp));
	mid = strdup_printf("%s/mdlaunch", fx->tmp);
	fx->leaf = strdup_printf("%s/web-1", mid);
	assert_int_equal(mkdir(mid, 0755), 0);
	assert_int_equal(mkdir(fx->leaf, 0755), 0);
	put(fx->leaf, "pids.max", ""); /* a real cgroupfs file needs no O_TRUNC */

	fx->cg = cgroup_new(&cgroup_v1_ops);
	assert_non_null(fx->cg);
	d = &fx->cg->dirs[CGROUP_CTL_PIDS];
	d->used = true;
	d->base_path = strdup(fx->tmp);
	d->base_fd = open(fx->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->levels[0].path = strdup(mid);
	d->levels[0].fd = open(mid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->levels[1].path = strdup(fx->leaf);
	d->levels[1].fd = open(fx->leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->n_levels = 2;
	assert_true(d->base_fd >= 0 && d->levels[0].fd >= 0 && d->levels[1].fd >= 0);
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
	free(fx->leaf);
	free(fx);
	return 0;
}

static void test_enabled_only_when_set(void **state)
{
	struct fixture *fx = *state;

	assert_false(cgroup_subsys_pids.enabled(fx->spec));
	fx->spec->pids_max = 64;
	assert_true(cgroup_subsys_pids.enabled(fx->spec));
	assert_int_equal(cgroup_subsys_pids.controller, CGROUP_CTL_PIDS);
	assert_string_equal(cgroup_controller_to_string(CGROUP_CTL_PIDS), "pids");
}

static void test_apply_count_v1_and_v2(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	fx->spec->pids_max = 64;
	assert_int_equal(cgroup_subsys_pids.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "pids.max", "64");
	/* v2 has the same file and syntax (written through the same open_file here). */
	put(fx->leaf, "pids.max", "");
	fx->spec->pids_max = 1000;
	assert_int_equal(cgroup_subsys_pids.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "pids.max", "1000");
}

static void test_apply_max(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	put(fx->leaf, "pids.max", "");
	fx->spec->pids_max = SPEC_PIDS_INFINITY;
	assert_int_equal(cgroup_subsys_pids.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "pids.max", "max");
}

static void test_missing_file_names_path(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *path = strdup_printf("%s/pids.max", fx->leaf);
	struct cgroup_error err = {};

	assert_int_equal(unlink(path), 0);
	fx->spec->pids_max = 64;
	assert_int_equal(cgroup_subsys_pids.apply(fx->cg, fx->spec, CGROUP_V1, &err), -ENOENT);
	assert_string_equal(err.path, path);
	assert_string_equal(err.value, "64");
}

static void test_plan_mode_writes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};
	_cleanup_free_ char *out = NULL, *line = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	assert_non_null(f);
	fx->cg->plan = f;
	fx->spec->pids_max = 64;
	assert_int_equal(cgroup_subsys_pids.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	fclose(f);
	line = strdup_printf("     %s/pids.max = 64\n", fx->leaf);
	assert_string_equal(out, line);
	assert_file(fx->leaf, "pids.max", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enabled_only_when_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_count_v1_and_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_names_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_mode_writes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
