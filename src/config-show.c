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

#include "config-keys.h"
#include "spec.h"
#include "util.h"

/* Writes @s to @f as a JSON string: quotes and backslashes escaped, control bytes as \u00XX. */
static void fputs_json(const char *s, FILE *f)
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

/* Starts one value: the separator of a list ("a b" in text, "a, b" in JSON). */
static void value_out_sep(struct value_out *o)
{
	if (o->in_list && !o->first)
		fputs(o->json ? ", " : " ", o->f);
	o->first = false;
}

void value_out_string(struct value_out *o, const char *s)
{
	value_out_sep(o);
	if (o->json)
		fputs_json(s, o->f);
	else
		fputs(s, o->f);
}

void value_out_number(struct value_out *o, uint64_t v)
{
	value_out_sep(o);
	fprintf(o->f, "%" PRIu64, v);
}

void value_out_bool(struct value_out *o, bool b)
{
	value_out_sep(o);
	if (o->json)
		fputs(b ? "true" : "false", o->f);
	else
		fputs(b ? "yes" : "no", o->f);
}

void value_out_null(struct value_out *o)
{
	value_out_sep(o);
	if (o->json)
		fputs("null", o->f);
}

void value_out_list_begin(struct value_out *o)
{
	value_out_sep(o);
	if (o->json)
		fputc('[', o->f);
	o->in_list = true;
	o->first = true;
}

void value_out_list_end(struct value_out *o)
{
	if (o->json)
		fputc(']', o->f);
	o->in_list = false;
}

/* Writes the value of @k as the spec holds it, as text or as typed JSON. */
static void put_value(const struct container_spec *spec, const struct config_key *k, bool json,
		      FILE *f)
{
	struct value_out o = { .f = f, .json = json };

	k->format(spec, k, &o);
}

/*
 * The value of @k as text and its origin as new strings (*ret_value: the text
 * as written when a file set it, else the spec's; *ret_origin:
 * "web.container:5", "--memory" or "default"). Returns 0 or -ENOMEM.
 */
static int key_view(const struct container_spec *spec, const struct config_key *k, char **ret_value,
		    char **ret_origin)
{
	const struct spec_origin *o = &spec->origin[k->id];
	const char *file = spec_origin_file(spec, k->id);
	char *value = NULL, *origin;
	size_t size = 0;
	FILE *f;

	if (o->value) {
		value = strdup(o->value);
	} else {
		f = open_memstream(&value, &size);
		if (!f)
			return -ENOMEM;
		put_value(spec, k, false, f);
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
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key *k = &config_keys[i];
		_cleanup_free_ char *value = NULL, *origin = NULL;

		if (key_view(spec, k, &value, &origin) < 0)
			return -ENOMEM;
		fprintf(f, "%-20s = %-32s  %s\n", k->name, *value ? value : "(unset)", origin);
	}
	fputc('\n', f);
	return 0;
}

int config_show_json(const struct container_spec *spec, const char *plan, const char *network,
		     FILE *f)
{
	fputs("{\n  \"source\": ", f);
	fputs_json(spec->source ? spec->source : "", f);
	fputs(",\n  \"files\": [", f);
	for (char **p = spec->files; p && *p; p++) {
		fputs(p == spec->files ? "" : ", ", f);
		fputs_json(*p, f);
	}
	fputs("],\n  \"keys\": [", f);
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key *k = &config_keys[i];
		_cleanup_free_ char *value = NULL, *origin = NULL;
		const char *file = spec_origin_file(spec, k->id);

		if (key_view(spec, k, &value, &origin) < 0)
			return -ENOMEM;
		fputs(i == 0 ? "\n    { \"key\": " : ",\n    { \"key\": ", f);
		fputs_json(k->name, f);
		fputs(", \"value\": ", f);
		fputs_json(value, f);
		fputs(", \"origin\": ", f);
		fputs_json(origin, f);
		if (file) {
			fputs(", \"file\": ", f);
			fputs_json(file, f);
			fprintf(f, ", \"line\": %u", spec->origin[k->id].line);
		}
		fputs(" }", f);
	}
	fputs("\n  ],\n  \"plan\": ", f);
	fputs_json(plan ? plan : "", f);
	if (network) {
		fputs(",\n  \"network\": ", f);
		fputs(network, f);
	}
	fputs("\n}\n", f);
	return 0;
}
