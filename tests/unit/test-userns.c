/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the user namespace pieces that need no root: the UserNS=,
 * UIDMap= and GIDMap= parsers and the overlap rule (config-values.c), the
 * subuid pools (subid.c), and the allocator on a state file in a temporary
 * directory (runtime-userns.c): lowest free range, no sharing, release,
 * reclaim of a dead owner's lines, pool exhaustion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config-values.h"
#include "runtime-userns.h"
#include "spec.h"
#include "subid.h"
#include "util.h"

static void test_parse_userns(void **state)
{
	enum spec_userns mode = _SPEC_USERNS_MAX;
	uint32_t size = 7;

	(void)state;
	assert_int_equal(parse_userns("host", &mode, &size), 0);
	assert_int_equal(mode, SPEC_USERNS_HOST);
	assert_int_equal(size, 7); /* untouched for host */
	assert_int_equal(parse_userns("auto", &mode, &size), 0);
	assert_int_equal(mode, SPEC_USERNS_AUTO);
	assert_int_equal(size, SPEC_USERNS_SIZE_DEFAULT);
	assert_int_equal(parse_userns("auto:size=1000", &mode, &size), 0);
	assert_int_equal(size, 1000);
	assert_int_equal(parse_userns("auto:size=1073741824", &mode, &size), 0);
	assert_int_equal(parse_userns("auto:size=1073741825", &mode, &size), -ERANGE);
	assert_int_equal(parse_userns("auto:size=0", &mode, &size), -ERANGE);
	assert_int_equal(parse_userns("auto:size=", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns("auto:size=-1", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns("auto:uidmapping=0:1:1", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns("Auto", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns("private", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns("", &mode, &size), -EINVAL);
	assert_int_equal(parse_userns(NULL, &mode, &size), -EINVAL);
}

static void test_parse_idmap(void **state)
{
	struct spec_idmap m = { 1, 2, 3 };

	(void)state;
	assert_int_equal(parse_idmap("0:100000:65536", &m), 0);
	assert_int_equal(m.inside, 0);
	assert_int_equal(m.outside, 100000);
	assert_int_equal(m.count, 65536);
	assert_int_equal(parse_idmap("0:4294967294:1", &m), 0);
	assert_int_equal(parse_idmap("0:4294967294:2", &m), -ERANGE);
	assert_int_equal(parse_idmap("4294967295:0:1", &m), -ERANGE);
	assert_int_equal(parse_idmap("0:1:0", &m), -ERANGE);
	assert_int_equal(parse_idmap("0:1", &m), -EINVAL);
	assert_int_equal(parse_idmap("0:1:2:3", &m), -EINVAL);
	assert_int_equal(parse_idmap("a:1:2", &m), -EINVAL);
	assert_int_equal(parse_idmap("0::2", &m), -EINVAL);
	assert_int_equal(parse_idmap(":0:1:2", &m), -EINVAL);
	assert_int_equal(parse_idmap("-1:0:1", &m), -EINVAL);
	assert_int_equal(parse_idmap("0:100000:65536 ", &m), -EINVAL);
	assert_int_equal(parse_idmap("000000000000000000000000000000000000000:1:1", &m), -EINVAL);
	assert_int_equal(m.outside, 4294967294U); /* untouched on failure */
}

static void test_parse_idmap_list(void **state)
{
	struct spec_idmaps maps = {};
	char bad[32];
	char many[SPEC_IDMAP_MAX * 16 + 16] = "";

	(void)state;
	assert_int_equal(parse_idmap_list("0:100000:1000  1000:500000:10\t2000:1:1", &maps, bad,
					  sizeof(bad)),
			 0);
	assert_int_equal(maps.n, 3);
	assert_int_equal(maps.v[1].inside, 1000);
	assert_int_equal(maps.v[2].outside, 1);
	assert_int_equal(parse_idmap_list("0:1:1 x", &maps, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "x");
	assert_int_equal(parse_idmap_list("0:1:1 0:1:0", &maps, bad, sizeof(bad)), -ERANGE);
	assert_string_equal(bad, "0:1:0");
	assert_int_equal(parse_idmap_list("   ", &maps, bad, sizeof(bad)), -EINVAL);
	assert_int_equal(maps.n, 3); /* untouched on failure */
	for (unsigned i = 0; i <= SPEC_IDMAP_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%u:%u:1 ", i,
			 1000 + i);
	assert_int_equal(parse_idmap_list(many, &maps, bad, sizeof(bad)), -E2BIG);
}

static void test_overlap(void **state)
{
	struct spec_idmaps maps = {};
	unsigned a = 9, b = 9;
	uint32_t host = 0;

	(void)state;
	assert_int_equal(parse_idmap_list("0:100000:1000 1000:200000:10", &maps, NULL, 0), 0);
	assert_false(idmaps_find_overlap(&maps, &a, &b));
	/* Adjacent ranges do not overlap; one id in common does. */
	assert_int_equal(parse_idmap_list("0:100000:1000 1000:101000:10", &maps, NULL, 0), 0);
	assert_false(idmaps_find_overlap(&maps, &a, &b));
	assert_int_equal(parse_idmap_list("0:100000:1000 999:200000:10", &maps, NULL, 0), 0);
	assert_true(idmaps_find_overlap(&maps, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	/* The same host ids twice. */
	assert_int_equal(parse_idmap_list("50:1:1 0:100:10 20:105:1", &maps, NULL, 0), 0);
	assert_true(idmaps_find_overlap(&maps, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	/* spec_idmap_to_host(): the id through the map that holds it. */
	assert_int_equal(parse_idmap_list("1:100:10 0:5:1", &maps, NULL, 0), 0);
	assert_true(spec_idmap_to_host(&maps, 0, &host));
	assert_int_equal(host, 5);
	assert_true(spec_idmap_to_host(&maps, 10, &host));
	assert_int_equal(host, 109);
	assert_false(spec_idmap_to_host(&maps, 11, &host));
}

/* Writes @text to a new file in a temporary directory; returns its path (static buffer). */
static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", getenv("MDL_UNIT_TMP"), name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_subid_pool(void **state)
{
	struct subid_pool pool;
	struct subid_range r;
	char name[16];

	(void)state;
	assert_int_equal(subid_parse_line("mdlaunch:100000:65536", name, sizeof(name), &r), 0);
	assert_string_equal(name, "mdlaunch");
	assert_int_equal(r.start, 100000);
	assert_int_equal(subid_parse_line("mdlaunch:100000:0", name, sizeof(name), &r), -EINVAL);
	assert_int_equal(subid_parse_line("mdlaunch:4294967295:1", name, sizeof(name), &r),
			 -EINVAL);
	assert_int_equal(subid_parse_line("mdlaunch:1:2:3", name, sizeof(name), &r), -EINVAL);
	assert_int_equal(subid_parse_line(":1:2", name, sizeof(name), &r), -EINVAL);
	assert_int_equal(subid_parse_line("averyveryverylongname:1:2", name, sizeof(name), &r),
			 -EINVAL);

	/* mdlaunch first, even after containers; malformed lines skipped. */
	assert_int_equal(subid_pool_read(write_tmp("subuid1", "root:1:2\ncontainers:500:100\n"
							      "garbage\nmdlaunch:1000:10\n"
							      " mdlaunch:3000:20 \n"),
					 &pool),
			 0);
	assert_string_equal(pool.name, "mdlaunch");
	assert_int_equal(pool.n, 2);
	assert_int_equal(pool.v[1].start, 3000);
	assert_int_equal(subid_pool_largest(&pool), 20);

	assert_int_equal(subid_pool_read(write_tmp("subuid2", "containers:500:100\n"), &pool), 0);
	assert_string_equal(pool.name, "containers");

	/* Neither entry, or no file: the built-in range. */
	assert_int_equal(subid_pool_read(write_tmp("subuid3", "alice:100000:65536\n"), &pool), 0);
	assert_string_equal(pool.name, "");
	assert_int_equal(pool.n, 1);
	assert_int_equal(pool.v[0].start, SUBID_BUILTIN_START);
	assert_int_equal(subid_pool_read("/nonexistent/subuid", &pool), 0);
	assert_int_equal(pool.v[0].count, SUBID_BUILTIN_COUNT);

	/* A range holding host root is refused. */
	assert_int_equal(subid_pool_read(write_tmp("subuid4", "mdlaunch:0:65536\n"), &pool),
			 -EDOM);
}

/* A pid that no longer exists (a reaped child's). */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return p;
}

static void test_alloc(void **state)
{
	struct subid_pool up = { .n = 2, .v = { { 1000, 300 }, { 5000, 100 } } };
	struct subid_pool gp = { .n = 1, .v = { { 9000, 1000 } } };
	char path[256];
	uint32_t u = 0, g = 0;
	pid_t self = getpid(), parent = getppid(), dead = dead_pid();
	_cleanup_free_ char *text = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/state/userns", getenv("MDL_UNIT_TMP"));
	/* The directory is created; the lowest free range first. */
	assert_int_equal(userns_alloc(path, &up, &gp, 100, self, &u, &g), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 9000);
	assert_int_equal(userns_alloc(path, &up, &gp, 100, parent, &u, &g), 0);
	assert_int_equal(u, 1100);
	assert_int_equal(g, 9100);
	assert_int_equal(userns_alloc(path, &up, &gp, 100, self, &u, &g), 0);
	assert_int_equal(u, 1200);
	/* The first pool range is full: the next one. */
	assert_int_equal(userns_alloc(path, &up, &gp, 100, parent, &u, &g), 0);
	assert_int_equal(u, 5000);
	assert_int_equal(g, 9300);
	/* Nothing left of 100 uids. */
	assert_int_equal(userns_alloc(path, &up, &gp, 100, parent, &u, &g), -ENOSPC);
	assert_int_equal(userns_alloc(path, &up, &gp, 400, parent, &u, &g), -ENOSPC);

	/* Release: self's two ranges come free; the lowest is reused. */
	assert_int_equal(userns_free(path, self), 0);
	assert_int_equal(userns_alloc(path, &up, &gp, 50, parent, &u, &g), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 9000);
	assert_int_equal(userns_alloc(path, &up, &gp, 100, parent, &u, &g), 0);
	assert_int_equal(u, 1200);
	assert_int_equal(userns_free(path, parent), 0);
	assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &text), 0);
	assert_string_equal(text, "");

	/* A dead owner's lines (and garbage) are dropped by the next allocation. */
	free(text);
	text = strdup_printf("uid 1000 300 %d\ngid 9000 1000 %d\nnonsense\nuid 5000 100 %d\n",
			     (int)dead, (int)dead, (int)parent);
	assert_non_null(text);
	write_tmp("state/userns", text);
	assert_int_equal(userns_alloc(path, &up, &gp, 300, self, &u, &g), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 9000);
	free(text);
	text = NULL;
	assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &text), 0);
	assert_null(strstr(text, "nonsense"));
	assert_non_null(strstr(text, "uid 5000 100 "));
	assert_int_equal(userns_free(path, self), 0);
	assert_int_equal(userns_free(path, parent), 0);
}

int main(void)
{
	char tmpl[] = "/tmp/mdl-unit-userns.XXXXXX";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_userns), cmocka_unit_test(test_parse_idmap),
		cmocka_unit_test(test_parse_idmap_list), cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_subid_pool), cmocka_unit_test(test_alloc),
	};
	char cmd[sizeof(tmpl) + 16];
	int r;

	if (!mkdtemp(tmpl))
		return 1;
	setenv("MDL_UNIT_TMP", tmpl, 1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	(void)system(cmd);
	return r;
}
