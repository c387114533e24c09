/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the systemd generator (generator.c): generated units compared
 * with expected text (tests/unit/data/generator/), the user's lines winning
 * over the defaults, the [Install] links, invalid files giving no unit and a
 * file:line message, the search path and its overrides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "generator.h"
#include "log.h"
#include "util.h"

static char datadir[PATH_MAX];
static char tmpdir[] = "/tmp/test-generator.XXXXXX";
static char empty_conf[PATH_MAX + 16];
static struct global_options opts = { .log_level = -1 };

/* @text with every "@DIR@" replaced by @dir (caller frees). */
static char *subst(const char *text, const char *dir)
{
	char *out = malloc(strlen(text) * (strlen(dir) + 1) + 1), *q = out;

	assert_non_null(out);
	while (*text) {
		if (strncmp(text, "@DIR@", 5) == 0) {
			q = stpcpy(q, dir);
			text += 5;
		} else {
			*q++ = *text++;
		}
	}
	*q = '\0';
	return out;
}

static void write_text(const char *name, const char *text)
{
	FILE *f = fopen(name, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Generates the fixture @name and compares it with @name's .service.expected. */
static void check_fixture(const char *name, const char *want_links)
{
	_cleanup_free_ char *dir = strdup_printf("%s/generator", datadir);
	_cleanup_free_ char *path = strdup_printf("%s/%s.container", dir, name);
	_cleanup_free_ char *exp_name = strdup_printf("%s.service.expected", name);
	_cleanup_free_ char *expected = get(dir, exp_name), *want = subst(expected, dir);
	_cleanup_free_ char *err = NULL, *links = NULL;
	struct generated_unit u = { 0 };
	size_t size = 0;
	FILE *f;
	int r;

	capture_begin();
	r = generator_build(path, &opts, "/usr/bin/mdlaunch", &u);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(r, 0);
	assert_string_equal(u.text, want);
	f = open_memstream(&links, &size);
	for (size_t i = 0; u.links && u.links[i]; i++)
		fprintf(f, "%s -> %s\n", u.links[i], u.link_targets[i]);
	fclose(f);
	assert_string_equal(links, want_links);
	generated_unit_done(&u);
}

static void test_fixture_web(void **state)
{
	(void)state;
	/* The drop-in's StopTimeout= (30) counts, and its [Service] line follows. */
	check_fixture("web", "multi-user.target.wants/web.service -> ../web.service\n"
			     "web.target.requires/web.service -> ../web.service\n"
			     "other.target.requires/web.service -> ../web.service\n"
			     "www.service -> web.service\n");
}

static void test_user_lines_win(void **state)
{
	(void)state;
	check_fixture("own-service", "");
}

/* Generates @text as @name in the temp dir; returns the unit text or NULL, *ret_err stderr. */
static char *generate_text(const char *name, const char *text, int want_r, char **ret_err)
{
	struct generated_unit u = { 0 };
	char *unit;
	int r;

	write_text(name, text);
	capture_begin();
	r = generator_build(name, &opts, "/opt/my tools/100%/mdlaunch", &u);
	*ret_err = capture_end();
	assert_int_equal(r, want_r);
	unit = TAKE_PTR(u.text);
	generated_unit_done(&u);
	return unit;
}

static void test_defaults_and_quoting(void **state)
{
	_cleanup_free_ char *err = NULL, *unit = NULL, *want = NULL;
	char cwd[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	unit = generate_text("forever.container",
			     "[Container]\nCommand = true\nStopTimeout = 0\n", 0, &err);
	assert_string_equal(err, "");
	/* A relative FILE is made absolute; '%' and spaces are escaped for ExecStart=. */
	want = strdup_printf("ExecStart=\"/opt/my tools/100%%%%/mdlaunch\" run %s/forever.container\n",
			     cwd);
	assert_non_null(strstr(unit, want));
	assert_non_null(strstr(unit, "\nTimeoutStopSec=infinity\n"));
	assert_non_null(strstr(unit, "\nSyslogIdentifier=forever\n"));
	assert_null(strstr(unit, "[Install]"));
}

static void test_invalid_file(void **state)
{
	_cleanup_free_ char *err = NULL, *unit = NULL;

	(void)state;
	unit = generate_text("bad.container",
			     "[Unit]\nAfter=x.service\n[Container]\nCommand = true\nMemory = lots\n",
			     -EINVAL, &err);
	assert_null(unit);
	assert_string_equal(err, "bad.container:5: Memory: invalid size 'lots' (use e.g. 512M, "
				 "2G)\n");
	free(err);
	unit = generate_text("badinstall.container",
			     "[Container]\nCommand = true\n[Install]\nWantedBy=multi-user.target "
			     "no/slash\n",
			     -EINVAL, &err);
	assert_null(unit);
	assert_string_equal(err, "badinstall.container:4: WantedBy: invalid unit name 'no/slash'\n");
	free(err);
	unit = generate_text("badsection.container", "[Container]\nCommand = true\n[Socket]\nX=1\n",
			     -EINVAL, &err);
	assert_null(unit);
	assert_string_equal(err, "badsection.container:3: unknown section [Socket] (the sections "
				 "are [Container], [Unit], [Service] or [Install])\n");
	free(err);
	unit = generate_text("bad name.container", "[Container]\nCommand = true\nName = ok\n", -EINVAL,
			     &err);
	assert_null(unit);
	assert_string_equal(err, "bad name.container: cannot name a unit 'bad name.service' (use "
				 "A-Z a-z 0-9 : - _ . \\ in the file name)\n");
}

static size_t count_entries(const char *dir)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	return n;
}

/* The search path: /etc's file hides the same name below; a bad file gives no unit, status 1. */
static void test_main_search_path(void **state)
{
	_cleanup_free_ char *err = NULL, *a = NULL, *b = NULL;
	char *argv[] = { "mdlaunch-generator", "out", NULL };
	char target[64];
	ssize_t n;
	int r;

	(void)state;
	assert_int_equal(mkdir("etc", 0755), 0);
	assert_int_equal(mkdir("lib", 0755), 0);
	assert_int_equal(mkdir("out", 0755), 0);
	write_text("etc/app.container", "[Container]\nCommand = true\n[Service]\nRestart=always\n"
					"[Install]\nWantedBy=multi-user.target\n");
	write_text("lib/app.container", "[Container]\nCommand = false\n");
	write_text("lib/other.container", "[Container]\nCommand = true\n");
	write_text("lib/broken.container", "[Container]\nCommand = true\nNope = 1\n");
	write_text("lib/notes.txt", "not a container\n");
	capture_begin();
	r = generator_main(2, argv, &opts, "/usr/bin/mdlaunch", "etc:lib:missing", true);
	err = capture_end();
	assert_int_equal(r, 1);
	assert_string_equal(err, "lib/broken.container:3: unknown key 'Nope' in [Container] (did "
				 "you mean 'Name'?)\n");
	a = get("out", "app.service");
	assert_non_null(strstr(a, "\nRestart=always\n"));
	assert_non_null(strstr(a, "/etc/app.container\n"));
	b = get("out", "other.service");
	assert_non_null(strstr(b, "\nType=notify\n"));
	n = readlink("out/multi-user.target.wants/app.service", target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../app.service");
	/* app, other, multi-user.target.wants: no broken.service, no temporary file. */
	assert_int_equal(count_entries("out"), 3);
	/* Run again over the same directory: replaced, not duplicated. */
	capture_begin();
	r = generator_main(2, argv, &opts, "/usr/bin/mdlaunch", "etc:lib", true);
	free(capture_end());
	assert_int_equal(r, 1);
	assert_int_equal(count_entries("out"), 3);
}

static void test_main_usage(void **state)
{
	_cleanup_free_ char *err = NULL;
	char *argv[] = { "generate", "x.container", NULL };

	(void)state;
	capture_begin();
	assert_int_equal(generator_main(2, argv, &opts, "/usr/bin/mdlaunch", NULL, false), 125);
	err = capture_end();
	assert_string_equal(err, "mdlaunch: error: generate: give --dry-run or -o DIR (usage: mdlaunch "
				 "generate [--dry-run | -o DIR] [FILE.container...])\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_web),
		cmocka_unit_test(test_user_lines_win),
		cmocka_unit_test(test_defaults_and_quoting),
		cmocka_unit_test(test_invalid_file),
		cmocka_unit_test(test_main_search_path),
		cmocka_unit_test(test_main_usage),
	};
	char cmd[PATH_MAX + 16];
	int r;

	if (!realpath("tests/unit/data", datadir)) {
		fprintf(stderr, "run from the top of the source tree\n");
		return 1;
	}
	snprintf(empty_conf, sizeof(empty_conf), "%s/empty.conf", datadir);
	opts.config_path = empty_conf;
	if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (chdir("/") == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		(void)!system(cmd);
	}
	return r;
}
