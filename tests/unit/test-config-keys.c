/* SPDX-License-Identifier: MIT */
/*
 * Every key of the key table is documented in mdlaunch.container(5), in the
 * section its row names (.doc): it appears as "Key=" in the tag line of a .TP
 * entry (".BI Key= arg", or after "\fP" when one entry lists several keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-util.h"

#include "config-keys.h"
#include "log.h"
#include "spec.h"

#define MAN_PAGE "man/mdlaunch.container.5"

/* The tag lines of the page's .TP entries, one per line, each after its section ("KEYS\t"). */
static char *tags;
static int setup(void **state)
{
	char *line = NULL, *p, section[64] = "";
	size_t cap = 0, len = 0, size = 1;
	int after_tp = 0;
	FILE *f;

	(void)state;
	f = fopen(MAN_PAGE, "re");
	if (!f)
		return -1;
	tags = calloc(1, 1);
	while (tags && getline(&line, &cap, f) > 0) {
		if (strncmp(line, ".SH ", 4) == 0)
			snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 4, "\n"),
				 line + 4);
		if (after_tp) {
			len = strlen(section) + 1 + strlen(line);
			p = realloc(tags, size + len);
			if (!p)
				break;
			tags = p;
			strcat(tags, section);
			strcat(tags, "\t");
			strcat(tags, line);
			size += len;
		}
		after_tp = strncmp(line, ".TP", 3) == 0;
	}
	free(line);
	fclose(f);
	return tags ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(tags);
	return 0;
}

/*
 * Whether "@key=" is a whole key in a tag line (not the end of a longer key)
 * of the section @section (NULL: any section).
 */
static int documented(const char *key, const char *section)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "%s=", key);
	for (p = strstr(tags, want); p; p = strstr(p + 1, want)) {
		const char *bol = p;

		if (p == tags)
			continue;
		if (!(p[-1] == ' ' || p[-1] == '"' ||
		      (p - tags >= 3 && strncmp(p - 3, "\\fP", 3) == 0)))
			continue;
		while (bol > tags && bol[-1] != '\n')
			bol--;
		if (!section || (strncmp(bol, section, strlen(section)) == 0 &&
				 bol[strlen(section)] == '\t'))
			return 1;
	}
	return 0;
}

static void test_every_key_documented(void **state)
{
	unsigned missing = 0, n = 0;

	(void)state;
	for (size_t k = 0; k < config_keys_n; k++) {
		const struct config_key *key = &config_keys[k];

		n++;
		assert_non_null(key->doc);
		if (!documented(key->name, key->doc)) {
			print_error("%s= is not documented in section %s of " MAN_PAGE "\n",
				    key->name, key->doc);
			missing++;
		}
	}
	assert_true(n > 20);
	assert_int_equal(missing, 0);
}

/* The whole of @path (run from the top of the tree); the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t size = 0;

	assert_non_null(f);
	assert_int_equal(getdelim(&buf, &size, '\0', f) > 0, 1);
	fclose(f);
	return buf;
}

/*
 * Every key has a row in the README key table ("| `Key`" or "`Key`" inside
 * the first cell), and every run option is in the README's run option table
 * and in mdlaunch(1) (where '-' is written "\-").
 */
static void test_every_key_in_readme_and_options_documented(void **state)
{
	char *readme = slurp("README.md"), *man1 = slurp("man/mdlaunch.1");
	unsigned missing = 0;

	(void)state;
	for (size_t k = 0; k < config_keys_n; k++) {
		const struct config_key *key = &config_keys[k];
		const char *opt = key->option.name;
		char want[96], man_opt[96], *q = man_opt;
		bool found = false;

		snprintf(want, sizeof(want), "`%s`", key->name);
		for (const char *p = strstr(readme, want); p && !found; p = strstr(p + 1, want)) {
			const char *bol = p;

			while (bol > readme && bol[-1] != '\n')
				bol--;
			/* In the first cell of a table row. */
			found = bol[0] == '|' && !memchr(bol + 1, '|', (size_t)(p - bol - 1));
		}
		if (!found) {
			print_error("%s is not in the README key table\n", key->name);
			missing++;
		}
		if (!opt)
			continue;
		snprintf(want, sizeof(want), "`%s", opt);
		if (!strstr(readme, want)) {
			print_error("run option %s is not in the README\n", opt);
			missing++;
		}
		for (const char *p = opt; *p && q < man_opt + sizeof(man_opt) - 3; p++) {
			if (*p == '-')
				*q++ = '\\';
			*q++ = *p;
		}
		*q = '\0';
		if (!strstr(man1, man_opt)) {
			print_error("run option %s is not in man/mdlaunch.1\n", opt);
			missing++;
		}
	}
	free(readme);
	free(man1);
	assert_int_equal(missing, 0);
}

static void test_matcher(void **state)
{
	(void)state;
	assert_true(documented("Memory", NULL));
	assert_true(documented("Memory", "KEYS"));
	assert_false(documented("Memory", "SUPERVISION"));
	assert_true(documented("DropCapabilities", "LEAST PRIVILEGE"));
	assert_true(documented("LimitAS", "LEAST PRIVILEGE"));
	assert_false(documented("NoSuchKey", NULL));
	assert_false(documented("apabilities", NULL));
}

#define VIM_SYNTAX "contrib/vim/syntax/mdlaunch.vim"

/* The vim syntax highlights exactly the keys of the table ("syn keyword mdlaunchKey ..."). */
static void test_vim_syntax_keys(void **state)
{
	char *line = NULL, *words = NULL;
	size_t cap = 0, n = 0;
	FILE *f = fopen(VIM_SYNTAX, "re");

	(void)state;
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0)
		if (strncmp(line, "syn keyword mdlaunchKey contained ", 34) == 0)
			words = strdup(line + 34);
	free(line);
	fclose(f);
	assert_non_null(words);
	for (char *w = strtok(words, " \n"); w; w = strtok(NULL, " \n")) {
		if (!config_key_lookup(w))
			print_error("%s: '%s' is not a key\n", VIM_SYNTAX, w);
		assert_non_null(config_key_lookup(w));
		n++;
	}
	free(words);
	if (n != config_keys_n)
		print_error(VIM_SYNTAX ": %zu keys, the table has %zu\n", n, config_keys_n);
	assert_int_equal(n, config_keys_n);
}

/* The table itself: one row per SPEC_KEY_*, names unique, lookups case-insensitive. */
static void test_table(void **state)
{
	(void)state;
	assert_int_equal(config_keys_n, _SPEC_KEY_MAX);
	for (size_t i = 0; i < config_keys_n; i++) {
		assert_ptr_equal(config_key_from_id(config_keys[i].id), &config_keys[i]);
		assert_ptr_equal(config_key_lookup(config_keys[i].name), &config_keys[i]);
		assert_non_null(config_keys[i].parse);
		assert_non_null(config_keys[i].format);
		if (config_keys[i].option.name) {
			assert_memory_equal(config_keys[i].option.name, "--", 2);
			assert_non_null(config_keys[i].option.help);
		}
	}
	assert_ptr_equal(config_key_lookup("mEMORY"), config_key_from_id(SPEC_KEY_MEMORY));
	assert_null(config_key_lookup("Memry"));
	assert_string_equal(config_key_suggest("Memry"), "Memory");
}

/* Parses @value for @key into @spec as a file line would (web.container:7); returns r, *ret_err. */
static int parse_as_file(struct container_spec *spec, const char *key, const char *value,
			 char **ret_err)
{
	const struct config_key *k = config_key_lookup(key);
	struct key_ctx c = { .spec = spec, .path = "web.container", .line = 7, .label = k->name };
	int r;

	capture_begin();
	r = config_key_parse(&c, k, value);
	*ret_err = capture_end();
	return r;
}

/*
 * Environment=: quoted words, each KEY=VALUE, PATH= to spec->path; every bad
 * word reported (was parse_environment()'s test); --env takes one word whole.
 */
static void test_environment_key(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	const struct config_key *k = config_key_from_id(SPEC_KEY_ENVIRONMENT);
	struct key_ctx opt = { .label = "--env", .option = true };
	char *err = NULL;

	(void)state;
	assert_non_null(spec);
	assert_int_equal(parse_as_file(spec, "Environment",
				       "PORT=8080 \"GREETING=hello world\" EMPTY= _X1=a=b PATH=/p",
				       &err),
			 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(strv_length(spec->env), 4);
	assert_string_equal(spec->env[0], "PORT=8080");
	assert_string_equal(spec->env[1], "GREETING=hello world");
	assert_string_equal(spec->env[2], "EMPTY=");
	assert_string_equal(spec->env[3], "_X1=a=b");
	assert_string_equal(spec->path, "/p");
	assert_int_equal(parse_as_file(spec, "environment", "NOVALUE 1A=x =x A-B=x PATH=", &err),
			 -EINVAL);
	assert_string_equal(
	    err, "web.container:7: Environment: invalid assignment 'NOVALUE' (use KEY=VALUE, KEY "
		 "made of A-Z a-z 0-9 _ and not starting with a digit)\n"
		 "web.container:7: Environment: invalid assignment '1A=x' (use KEY=VALUE, KEY made "
		 "of A-Z a-z 0-9 _ and not starting with a digit)\n"
		 "web.container:7: Environment: invalid assignment '=x' (use KEY=VALUE, KEY made of "
		 "A-Z a-z 0-9 _ and not starting with a digit)\n"
		 "web.container:7: Environment: invalid assignment 'A-B=x' (use KEY=VALUE, KEY made "
		 "of A-Z a-z 0-9 _ and not starting with a digit)\n"
		 "web.container:7: Environment: PATH must not be empty\n");
	free(err);
	assert_int_equal(parse_as_file(spec, "Environment", "A=\"x", &err), -EINVAL);
	assert_string_equal(err, "web.container:7: Environment: unterminated quote in 'A=\"x'\n");
	free(err);
	/* A run option: one assignment, spaces and quotes kept. */
	opt.spec = spec;
	assert_int_equal(config_key_parse(&opt, k, "Q=a \"b\""), 0);
	assert_string_equal(spec->env[4], "Q=a \"b\"");
	capture_begin();
	assert_int_equal(config_key_parse(&opt, k, "PATH="), -EINVAL);
	err = capture_end();
	assert_string_equal(err, "mdlaunch: error: --env: PATH must not be empty\n");
	free(err);
	assert_int_equal(opt.n_errors, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_documented),
		cmocka_unit_test(test_every_key_in_readme_and_options_documented),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_environment_key),
		cmocka_unit_test(test_vim_syntax_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
