/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the cgroup v2 side, without root and without a v2 host:
 * mode detection against fake cgroupfs trees in a temporary directory (the
 * file system type comes from a fake statfs that looks at marker files),
 * the per-controller choice of hierarchy, the mountinfo lookup of cgroup2,
 * the subsystem chain writing v2 files into a temporary directory laid out
 * like cgroup2, the enabling of controllers in cgroup.subtree_control (and
 * the exact error for a parent that lacks one), and the CPUShares <->
 * cpu.weight mapping: its anchors, monotonicity and the inverse.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
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

static void assert_file(const char *dir, const char *file, const char *expected)
{
	_cleanup_free_ char *s = get(dir, file);

	assert_string_equal(s, expected);
}

static char *make_tmp(void)
{
	char *t = strdup("/tmp/test-cgroup-v2-XXXXXX");

	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	return t;
}

static void remove_tree(const char *dir)
{
	_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
}

static void mkdir_in(const char *dir, const char *name)
{
	_cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);

	assert_int_equal(mkdir(p, 0755), 0);
}

/*
 * The fake statfs: a directory holding "cgroup.controllers" is cgroup2, one
 * holding "tasks" a v1 hierarchy, anything else tmpfs; missing is -ENOENT.
 */
static int fake_fstype(const char *path, uint64_t *ret)
{
	_cleanup_free_ char *c2 = strdup_printf("%s/cgroup.controllers", path);
	_cleanup_free_ char *v1 = strdup_printf("%s/tasks", path);
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (access(c2, F_OK) == 0)
		*ret = CGROUP2_SUPER_MAGIC;
	else if (access(v1, F_OK) == 0)
		*ret = CGROUP_SUPER_MAGIC;
	else
		*ret = TMPFS_MAGIC;
	return 0;
}

static void test_mode_detect(void **state)
{
	_cleanup_free_ char *root = make_tmp();
	_cleanup_free_ char *mem = strdup_printf("%s/memory", root);
	_cleanup_free_ char *uni = strdup_printf("%s/unified", root);
	enum cgroup_mode mode = _CGROUP_MODE_INVALID;

	(void)state;
	/* An empty tmpfs: no cgroup at all. */
	assert_int_equal(cgroup_mode_detect(root, fake_fstype, &mode), -ENOMEDIUM);
	/* v1 hierarchies only: legacy. */
	mkdir_in(root, "memory");
	put(mem, "tasks", "");
	assert_int_equal(cgroup_mode_detect(root, fake_fstype, &mode), 0);
	assert_int_equal(mode, CGROUP_MODE_LEGACY);
	/* Plus cgroup2 at unified/: hybrid. */
	mkdir_in(root, "unified");
	put(uni, "cgroup.controllers", "");
	assert_int_equal(cgroup_mode_detect(root, fake_fstype, &mode), 0);
	assert_int_equal(mode, CGROUP_MODE_HYBRID);
	/* cgroup2 at the root: unified, whatever is below. */
	put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
	assert_int_equal(cgroup_mode_detect(root, fake_fstype, &mode), 0);
	assert_int_equal(mode, CGROUP_MODE_UNIFIED);
	remove_tree(root);
	assert_int_equal(cgroup_mode_detect(root, fake_fstype, &mode), -ENOENT);
	assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_UNIFIED), "unified (cgroup v2)");
}

static void test_pick_version(void **state)
{
	enum cgroup_version v = 0;

	(void)state;
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_LEGACY, true, NULL, "memory", &v), 0);
	assert_int_equal(v, CGROUP_V1);
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_LEGACY, false, NULL, "memory", &v),
			 -ENOENT);
	assert_int_equal(
	    cgroup_pick_version(CGROUP_MODE_UNIFIED, false, "cpu memory", "cpuset", &v), 0);
	assert_int_equal(v, CGROUP_V2);
	/* Hybrid: v1 wins; a controller only cgroup2 offers goes there (this host: hugetlb). */
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_HYBRID, true, "hugetlb\n", "memory", &v),
			 0);
	assert_int_equal(v, CGROUP_V1);
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_HYBRID, false, "hugetlb\n", "hugetlb", &v),
			 0);
	assert_int_equal(v, CGROUP_V2);
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_HYBRID, false, "hugetlb\n", "cpu", &v),
			 -ENOENT);
	assert_int_equal(cgroup_pick_version(CGROUP_MODE_HYBRID, false, NULL, "cpu", &v), -ENOENT);

	assert_true(cgroup_controller_listed("cpuset cpu io memory pids\n", "cpu"));
	assert_true(cgroup_controller_listed("cpuset cpu io memory pids\n", "pids"));
	assert_false(cgroup_controller_listed("cpuset io memory\n", "cpu"));
	assert_false(cgroup_controller_listed("", "cpu"));
	assert_false(cgroup_controller_listed(NULL, "cpu"));
}

static void test_mountinfo_cgroup2(void **state)
{
	static const char text[] =
	    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	    "40 30 0:37 /x /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw\n";
	_cleanup_free_ char *mp = NULL, *root = NULL;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(cgroup_parse_mountinfo(f, NULL, &mp, &root), 0);
	fclose(f);
	assert_string_equal(mp, "/sys/fs/cgroup/uni fied");
	assert_string_equal(root, "/x");
}

/* A v2 layout: <tmp> the own cgroup, <tmp>/mdlaunch, <tmp>/mdlaunch/web-1 the leaf. */
struct fixture {
	char *tmp, *mid, *leaf;
	struct cgroup *cg;
	struct container_spec *spec;
};

static int setup(void **state)
{
	static const char *const files[] = { "cpuset.cpus",	"cpuset.mems", "memory.max",
					     "memory.swap.max", "cpu.weight",  "cgroup.procs" };
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct cgroup_dir *d;

	assert_non_null(fx);
	fx->tmp = make_tmp();
	fx->mid = strdup_printf("%s/mdlaunch", fx->tmp);
	fx->leaf = strdup_printf("%s/web-1", fx->mid);
	assert_int_equal(mkdir(fx->mid, 0755), 0);
	assert_int_equal(mkdir(fx->leaf, 0755), 0);
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		put(fx->leaf, files[i], "");

	fx->cg = cgroup_new(&cgroup_v2_ops);
	assert_non_null(fx->cg);
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		fx->cg->dirs[i].used = true;
		fx->cg->dirs[i].alias = i == 0 ? -1 : 0; /* v2: one directory for all */
	}
	d = &fx->cg->dirs[0];
	d->base_path = strdup(fx->tmp);
	d->base_fd = open(fx->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->levels[0].path = strdup(fx->mid);
	d->levels[0].fd = open(fx->mid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

	remove_tree(fx->tmp);
	cgroup_free(fx->cg);
	spec_free(fx->spec);
	free(fx->tmp);
	free(fx->mid);
	free(fx->leaf);
	free(fx);
	return 0;
}

static void test_v2_memory(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	fx->spec->memory_max = 268435456;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "memory.max", "268435456");
	assert_file(fx->leaf, "memory.swap.max", ""); /* swap is left alone by default */

	put(fx->leaf, "memory.max", "");
	fx->spec->memory_max = SPEC_MEMORY_INFINITY;
	fx->spec->memory_swap_max = 0;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "memory.max", "max");
	assert_file(fx->leaf, "memory.swap.max", "0");

	/* Swap alone is fine on v2; "max" for infinity. */
	put(fx->leaf, "memory.max", "");
	put(fx->leaf, "memory.swap.max", "");
	fx->spec->memory_max = SPEC_MEMORY_UNSET;
	fx->spec->memory_swap_max = SPEC_MEMORY_INFINITY;
	assert_true(cgroup_subsys_memory.enabled(fx->spec));
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "memory.max", "");
	assert_file(fx->leaf, "memory.swap.max", "max");
}

/* No swap accounting: memory.swap.max is missing, a clear message (not "No such file"). */
static void test_v2_swap_missing(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *path = strdup_printf("%s/memory.swap.max", fx->leaf);
	struct cgroup_error err = {};
	char msg[sizeof(err.message)];

	assert_int_equal(unlink(path), 0);
	fx->spec->memory_max = 1 << 20;
	fx->spec->memory_swap_max = 1 << 20;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V2, &err), -ENOENT);
	assert_string_equal(cgroup_error_format(&err, msg, sizeof(msg)),
			    "MemorySwap= cannot be applied: memory.swap.max does not exist in the "
			    "container's memory cgroup (the kernel does no swap accounting; see "
			    "swapaccount=1 and CONFIG_MEMCG_SWAP)");
}

/* v1: memsw is Memory + MemorySwap, written after limit_in_bytes. */
static void test_v1_memsw(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	put(fx->leaf, "memory.limit_in_bytes", "");
	put(fx->leaf, "memory.memsw.limit_in_bytes", "");
	fx->spec->memory_max = 1 << 20;
	fx->spec->memory_swap_max = 1 << 19;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "memory.limit_in_bytes", "1048576");
	assert_file(fx->leaf, "memory.memsw.limit_in_bytes", "1572864");
	fx->spec->memory_swap_max = SPEC_MEMORY_INFINITY;
	put(fx->leaf, "memory.memsw.limit_in_bytes", "");
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "memory.memsw.limit_in_bytes", "-1");
	/* Swap without Memory= cannot be expressed on v1. */
	fx->spec->memory_max = SPEC_MEMORY_UNSET;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V1, &err), -EINVAL);
	assert_string_equal(err.message, "MemorySwap= needs Memory= on cgroup v1 "
					 "(memory.memsw.limit_in_bytes is Memory + MemorySwap)");
}

static void test_v2_cpu_and_cpuset(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};

	fx->spec->cpu_shares = 1024;
	assert_int_equal(cgroup_subsys_cpu.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "cpu.weight", "100");
	put(fx->leaf, "cpu.weight", "");
	fx->spec->cpu_shares = 0;
	fx->spec->cpu_weight = 7;
	assert_true(cgroup_subsys_cpu.enabled(fx->spec));
	assert_int_equal(cgroup_subsys_cpu.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "cpu.weight", "7");
	/* CPUWeight= on v1 goes through the inverse mapping. */
	put(fx->leaf, "cpu.shares", "");
	fx->spec->cpu_weight = 100;
	assert_int_equal(cgroup_subsys_cpu.apply(fx->cg, fx->spec, CGROUP_V1, &err), 0);
	assert_file(fx->leaf, "cpu.shares", "1024");

	/* v2 cpuset: only the leaf's cpus; mems stay empty (the parent's effective). */
	fx->spec->cpuset = strdup("1");
	assert_int_equal(cgroup_subsys_cpuset.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_file(fx->leaf, "cpuset.cpus", "1");
	assert_file(fx->leaf, "cpuset.mems", "");
}

/* Plan mode prints the v2 files a run would write. */
static void test_v2_plan(void **state)
{
	struct fixture *fx = *state;
	struct cgroup_error err = {};
	_cleanup_free_ char *out = NULL, *want = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	assert_non_null(f);
	fx->cg->plan = f;
	fx->spec->memory_max = 4096;
	fx->spec->cpu_shares = 2;
	assert_int_equal(cgroup_subsys_memory.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	assert_int_equal(cgroup_subsys_cpu.apply(fx->cg, fx->spec, CGROUP_V2, &err), 0);
	fclose(f);
	want = strdup_printf("     %s/memory.max = 4096\n"
			     "     %s/cpu.weight = 1 (CPUShares=2, log-scale mapping)\n",
			     fx->leaf, fx->leaf);
	assert_string_equal(out, want);
	assert_file(fx->leaf, "memory.max", "");
}

/* A fresh own cgroup for create: <tmp>/own with the cgroup2 interface files. */
static char *make_own(const char *tmp, const char *controllers, const char *subtree)
{
	char *own = strdup_printf("%s/own", tmp);

	assert_int_equal(mkdir(own, 0755), 0);
	put(own, "cgroup.controllers", controllers);
	put(own, "cgroup.subtree_control", subtree);
	put(own, "cgroup.procs", "");
	return own;
}

/* A cgroup ready for create() on @own, with the default parent "mdlaunch". */
static struct cgroup *cgroup_on(const char *own, const char *mid_controllers, unsigned used)
{
	struct cgroup *cg = cgroup_new(&cgroup_v2_ops);
	_cleanup_free_ char *mid = strdup_printf("%s/mdlaunch", own);

	assert_non_null(cg);
	cg->parent = strdup("mdlaunch");
	cg->parent_is_default = true;
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		cg->dirs[i].used = used & (1U << i);
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		if (cg->dirs[i].used) {
			cg->dirs[i].base_path = strdup(own);
			cg->dirs[i].base_fd = open(own, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	/* "mdlaunch" exists already (another run's), so that its files can be faked. */
	assert_int_equal(mkdir(mid, 0755), 0);
	put(mid, "cgroup.controllers", mid_controllers);
	put(mid, "cgroup.subtree_control", "");
	return cg;
}

/* create enables each needed controller at each level above the leaf, once. */
static void test_v2_enable_controllers(void **state)
{
	_cleanup_free_ char *tmp = make_tmp(), *own = NULL, *mid = NULL, *leaf = NULL;
	struct cgroup_error err = {};
	struct cgroup *cg;

	(void)state;
	own = make_own(tmp, "cpuset cpu io memory pids\n", "");
	cg = cgroup_on(own, "memory\n", 1U << CGROUP_CTL_MEMORY);
	mid = strdup_printf("%s/mdlaunch", own);
	leaf = strdup_printf("%s/web-7", mid);
	assert_int_equal(cgroup_v2_ops.create(cg, "web-7", &err), 0);
	assert_file(own, "cgroup.subtree_control", "+memory");
	assert_file(mid, "cgroup.subtree_control", "+memory");
	assert_int_equal(access(leaf, F_OK), 0);
	assert_int_equal(cg->enabled[0], 1U << CGROUP_CTL_MEMORY);
	assert_int_equal(cg->enabled[1], 1U << CGROUP_CTL_MEMORY);
	assert_false(cg->moved_self);
	cgroup_free(cg);
	remove_tree(tmp);

	/* Already enabled: nothing is written, nothing recorded for teardown. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	own = (free(own), make_own(tmp, "cpu memory\n", "cpu memory\n"));
	cg = cgroup_on(own, "cpu memory\n", 1U << CGROUP_CTL_MEMORY | 1U << CGROUP_CTL_CPU);
	put(mid, "cgroup.subtree_control", "memory cpu\n");
	assert_int_equal(cgroup_v2_ops.create(cg, "web-8", &err), 0);
	assert_file(own, "cgroup.subtree_control", "cpu memory\n");
	assert_int_equal(cg->enabled[0], 0);
	assert_int_equal(cg->enabled[1], 0);
	cgroup_free(cg);
	remove_tree(tmp);
}

/* A parent that does not offer a controller: the exact error, naming the file. */
static void test_v2_controller_not_offered(void **state)
{
	_cleanup_free_ char *tmp = make_tmp(), *own = NULL, *want = NULL;
	struct cgroup_error err = {};
	char msg[sizeof(err.message)];
	struct cgroup *cg;

	(void)state;
	own = make_own(tmp, "cpuset cpu io pids\n", "");
	cg = cgroup_on(own, "", 1U << CGROUP_CTL_MEMORY | 1U << CGROUP_CTL_CPU);
	assert_int_equal(cgroup_v2_ops.create(cg, "web-9", &err), -EOPNOTSUPP);
	want = strdup_printf("memory controller not available: not listed in "
			     "%s/cgroup.controllers",
			     own);
	assert_string_equal(cgroup_error_format(&err, msg, sizeof(msg)), want);
	/* Nothing was enabled before the check failed. */
	assert_file(own, "cgroup.subtree_control", "");
	cgroup_free(cg);

	/* Offered at the own cgroup, but the intermediate level lacks it. */
	remove_tree(tmp);
	assert_int_equal(mkdir(tmp, 0700), 0);
	free(own);
	own = make_own(tmp, "cpu memory\n", "");
	cg = cgroup_on(own, "cpu\n", 1U << CGROUP_CTL_MEMORY);
	memset(&err, 0, sizeof(err));
	assert_int_equal(cgroup_v2_ops.create(cg, "web-9", &err), -EOPNOTSUPP);
	free(want);
	want = strdup_printf("memory controller not available: not listed in "
			     "%s/mdlaunch/cgroup.controllers",
			     own);
	assert_string_equal(err.message, want);
	cgroup_free(cg);
	remove_tree(tmp);
}

/* The anchors of the log-scale mapping, its ends, monotonicity and the inverse. */
static void test_shares_to_weight(void **state)
{
	uint64_t prev = 0;

	(void)state;
	assert_int_equal(cgroup_cpu_shares_to_weight(2), 1);
	assert_int_equal(cgroup_cpu_shares_to_weight(1024), 100);
	assert_int_equal(cgroup_cpu_shares_to_weight(262144), 10000);
	assert_int_equal(cgroup_cpu_shares_to_weight(0), 0);
	assert_int_equal(cgroup_cpu_shares_to_weight(1), 1);
	assert_int_equal(cgroup_cpu_shares_to_weight(1 << 20), 10000);
	/* A few values in between, as crun and runc compute them. */
	assert_int_equal(cgroup_cpu_shares_to_weight(512), 59);
	assert_int_equal(cgroup_cpu_shares_to_weight(2048), 174);
	assert_int_equal(cgroup_cpu_shares_to_weight(4096), 303);
	for (uint64_t s = 2; s <= 262144; s++) {
		uint64_t w = cgroup_cpu_shares_to_weight(s);

		assert_true(w >= prev);
		assert_true(w >= 1 && w <= 10000);
		prev = w;
	}

	assert_int_equal(cgroup_cpu_weight_to_shares(1), 2);
	assert_int_equal(cgroup_cpu_weight_to_shares(100), 1024);
	assert_int_equal(cgroup_cpu_weight_to_shares(10000), 262144);
	assert_int_equal(cgroup_cpu_weight_to_shares(0), 0);
	prev = 0;
	for (uint64_t w = 1; w <= 10000; w++) {
		uint64_t s = cgroup_cpu_weight_to_shares(w);

		assert_true(s >= prev && s >= 2 && s <= 262144);
		/* The largest shares not above w: one more maps beyond it. */
		assert_true(cgroup_cpu_shares_to_weight(s) <= w);
		assert_true(s == 262144 || cgroup_cpu_shares_to_weight(s + 1) > w);
		prev = s;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_detect),
		cmocka_unit_test(test_pick_version),
		cmocka_unit_test(test_mountinfo_cgroup2),
		cmocka_unit_test_setup_teardown(test_v2_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_swap_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_memsw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_cpu_and_cpuset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_plan, setup, teardown),
		cmocka_unit_test(test_v2_enable_controllers),
		cmocka_unit_test(test_v2_controller_not_offered),
		cmocka_unit_test(test_shares_to_weight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
