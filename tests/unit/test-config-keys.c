/* SPDX-License-Identifier: MIT */
/*
 * Every key the .container parser accepts is documented in
 * mdlaunch.container(5): it appears as "Key=" in the tag line of a .TP entry
 * (".BI Key= arg", or after "\fP" when one entry lists several keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "spec.h"

#define MAN_PAGE "man/mdlaunch.container.5"

static char *tags;

/* The tag lines of the page's .TP entries, one per line. */
static int setup(void **state)
{
	char *line = NULL, *p;
	size_t cap = 0, len = 0, size = 1;
	int after_tp = 0;
	FILE *f;

	(void)state;
	f = fopen(MAN_PAGE, "re");
	if (!f)
		return -1;
	tags = calloc(1, 1);
	while (tags && getline(&line, &cap, f) > 0) {
		if (after_tp) {
			len = strlen(line);
			p = realloc(tags, size + len);
			if (!p)
				break;
			tags = p;
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

/* Whether "@key=" is a whole key in a tag line (not the end of a longer key). */
static int documented(const char *key)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "%s=", key);
	for (p = strstr(tags, want); p; p = strstr(p + 1, want)) {
		if (p == tags)
			continue;
		if (p[-1] == ' ' || p[-1] == '"')
			return 1;
		if (p - tags >= 3 && strncmp(p - 3, "\\fP", 3) == 0)
			return 1;
	}
	return 0;
}

static void test_every_key_documented(void **state)
{
	unsigned missing = 0, n = 0;

	(void)state;
	for (unsigned k = 0; k < _SPEC_KEY_MAX; k++) {
		const char *name = config_key_name(k);

		if (!name)
			continue;
		n++;
		if (!documented(name)) {
			print_error("%s= is not documented in " MAN_PAGE "\n", name);
			missing++;
		}
	}
	assert_true(n > 20);
	assert_int_equal(missing, 0);
}

static void test_matcher(void **state)
{
	(void)state;
	assert_true(documented("Memory"));
	assert_true(documented("DropCapabilities"));
	assert_false(documented("NoSuchKey"));
	assert_false(documented("apabilities"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_documented),
		cmocka_unit_test(test_matcher),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
