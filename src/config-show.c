/* SPDX-License-Identifier: MIT */
/*
 * config-show.c: `mdlaunch show --effective` and `show --json`, the view of
 * a loaded spec key by key: each key's final value and where it came from
 * (a line of the .container, of a drop-in or of mdlaunch.conf, a `run`
 * option, or the default). It only reads the spec; main.c prints the runtime
 * plan after it.
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "spec.h"
#include "util.h"

/* Writes @s to @f, a space before it unless it is the first word. */
static void put_word(FILE *f, const char *s, bool *first)
{
	if (!*first)
		fputc(' ', f);
	fputs(s, f);
	*first = false;
}

/* A byte count or a count: nothing when @unset, "max" for SPEC_MEMORY_INFINITY. */
static void put_number(FILE *f, uint64_t v, uint64_t unset)
{
	if (v == unset)
		return;
	if (v == SPEC_MEMORY_INFINITY)
		fputs("max", f);
	else
		fprintf(f, "%" PRIu64, v);
}

static void put_caps(FILE *f, uint64_t mask)
{
	bool first = true;

	if (mask == 0)
		fputs("none", f);
	for (unsigned i = 0; i < SPEC_CAP_BITS; i++) {
		char *name;

		if (!(mask & (1ULL << i)))
			continue;
		name = cap_to_name((cap_value_t)i);
		put_word(f, name ? name : "?", &first);
		cap_free(name);
	}
}

/*
 * Writes the value of @key as the spec holds it (used when the value did not
 * come from a file, whose text is shown as written instead). Keys it does
 * not know are shown as "-": the resolved spec printed after tells.
 */
static void put_value(const struct container_spec *spec, enum spec_key key, FILE *f)
{
	bool first = true;

	switch (key) {
	case SPEC_KEY_COMMAND:
		for (char **a = spec->argv; a && *a; a++)
			put_word(f, *a, &first);
		break;
	case SPEC_KEY_TTY:
		fputs(spec->tty ? "yes" : "no", f);
		break;
	case SPEC_KEY_NO_NEW_PRIVILEGES:
		fputs(spec->no_new_privs ? "yes" : "no", f);
		break;
	case SPEC_KEY_INIT:
		fputs(spec->init ? "yes" : "no", f);
		break;
	case SPEC_KEY_STOP_TIMEOUT:
		fprintf(f, "%u", spec->stop_timeout);
		break;
	case SPEC_KEY_STOP_SIGNAL:
		fprintf(f, "SIG%s",
			sigabbrev_np(spec->stop_signal) ? sigabbrev_np(spec->stop_signal) : "?");
		break;
	case SPEC_KEY_MEMORY:
		put_number(f, spec->memory_max, SPEC_MEMORY_UNSET);
		break;
	case SPEC_KEY_MEMORY_SWAP:
		put_number(f, spec->memory_swap_max, SPEC_MEMORY_UNSET);
		break;
	case SPEC_KEY_CPU_SHARES:
		put_number(f, spec->cpu_shares, 0);
		break;
	case SPEC_KEY_CPU_WEIGHT:
		put_number(f, spec->cpu_weight, 0);
		break;
	case SPEC_KEY_PIDS_LIMIT:
		if (spec->pids_max == SPEC_PIDS_INFINITY)
			fputs("max", f);
		else
			put_number(f, spec->pids_max, 0);
		break;
	case SPEC_KEY_CPUSET:
		fputs(spec->cpuset ? spec->cpuset : "", f);
		break;
	case SPEC_KEY_HOSTNAME:
		fputs(spec->hostname ? spec->hostname : "", f);
		break;
	case SPEC_KEY_NAME:
		fputs(spec->name ? spec->name : "", f);
		break;
	case SPEC_KEY_USER:
		fputs(spec->user ? spec->user : "", f);
		break;
	case SPEC_KEY_WORKING_DIRECTORY:
		fputs(spec->working_directory ? spec->working_directory : "", f);
		break;
	case SPEC_KEY_SECCOMP_PROFILE:
		fputs(spec->seccomp_profile ? spec->seccomp_profile : "default", f);
		break;
	case SPEC_KEY_ENVIRONMENT:
		for (char **e = spec->env; e && *e; e++)
			put_word(f, *e, &first);
		break;
	case SPEC_KEY_NAMESPACES:
		for (unsigned flag = 1; flag & NS_ALL; flag <<= 1)
			if (spec->namespaces & flag)
				put_word(f, namespace_to_string(flag), &first);
		break;
	case SPEC_KEY_CAPABILITIES:
		put_caps(f, spec->capabilities);
		break;
	case SPEC_KEY_AMBIENT_CAPABILITIES:
		put_caps(f, spec->ambient_caps);
		break;
	default:
		fputs("-", f);
		break;
	}
}

/*
 * The value of @key and its origin as new strings (*ret_value, *ret_origin:
 * "web.container:5", "--memory" or "default"). Returns 0 or -ENOMEM.
 */
static int key_view(const struct container_spec *spec, enum spec_key key, char **ret_value,
		    char **ret_origin)
{
	const struct spec_origin *o = &spec->origin[key];
	const char *file = spec_origin_file(spec, key);
	char *value = NULL, *origin;
	size_t size = 0;
	FILE *f;

	if (o->value) {
		value = strdup(o->value);
	} else {
		f = open_memstream(&value, &size);
		if (!f)
			return -ENOMEM;
		put_value(spec, key, f);
		if (fclose(f) != 0) {
			free(value);
			return -ENOMEM;
		}
	}
	if (file)
		origin = strdup_printf("%s:%u", file, o->line);
	else
		origin = strdup(o->option ? o->option : "default");
	if (!value || !origin) {
		free(value);
		free(origin);
		return -ENOMEM;
	}
	*ret_value = value;
	*ret_origin = origin;
	return 0;
}

int config_show_effective(const struct container_spec *spec, FILE *f)
{
	for (unsigned k = 0; k < _SPEC_KEY_MAX; k++) {
		_cleanup_free_ char *value = NULL, *origin = NULL;
		const char *name = config_key_name(k);

		if (!name)
			continue;
		if (key_view(spec, (enum spec_key)k, &value, &origin) < 0)
			return -ENOMEM;
		if (streq(value, "-"))
			fprintf(f, "%-20s = %-32s  %s\n", name, "(see below)", origin);
		else
			fprintf(f, "%-20s = %-32s  %s\n", name, *value ? value : "(unset)", origin);
	}
	fputc('\n', f);
	return 0;
}

void fputs_json(const char *s, FILE *f)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f); /* UTF-8 passes through as is */
	}
	fputc('"', f);
}

int config_show_json(const struct container_spec *spec, const char *plan, FILE *f)
{
	bool first = true;

	fputs("{\n  \"source\": ", f);
	fputs_json(spec->source ? spec->source : "", f);
	fputs(",\n  \"files\": [", f);
	for (char **p = spec->files; p && *p; p++) {
		fputs(p == spec->files ? "" : ", ", f);
		fputs_json(*p, f);
	}
	fputs("],\n  \"keys\": [", f);
	for (unsigned k = 0; k < _SPEC_KEY_MAX; k++) {
		_cleanup_free_ char *value = NULL, *origin = NULL;
		const char *name = config_key_name(k);
		const char *file = spec_origin_file(spec, (enum spec_key)k);

		if (!name)
			continue;
		if (key_view(spec, (enum spec_key)k, &value, &origin) < 0)
			return -ENOMEM;
		fputs(first ? "\n    { \"key\": " : ",\n    { \"key\": ", f);
		first = false;
		fputs_json(name, f);
		fputs(", \"value\": ", f);
		fputs_json(value, f);
		fputs(", \"origin\": ", f);
		fputs_json(origin, f);
		if (file) {
			fputs(", \"file\": ", f);
			fputs_json(file, f);
			fprintf(f, ", \"line\": %u", spec->origin[k].line);
		}
		fputs(" }", f);
	}
	fputs("\n  ],\n  \"plan\": ", f);
	fputs_json(plan ? plan : "", f);
	fputs("\n}\n", f);
	return 0;
}
