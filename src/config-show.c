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

/* The file of an earlier assignment @e (see spec_origin.earlier), or NULL. */
static const char *earlier_file(const struct container_spec *spec, const struct spec_origin *e)
{
	if (e->file == 0 || e->file > strv_length(spec->files))
		return NULL;
	return spec->files[e->file - 1];
}

/* "file:line" or the option of the earlier assignment @e, as a new string (NULL: OOM). */
static char *earlier_origin(const struct container_spec *spec, const struct spec_origin *e)
{
	const char *file = earlier_file(spec, e);

	if (file)
		return strdup_printf("%s:%u", file, e->line);
	return strdup(e->option ? e->option : "default");
}

/*
 * Appends to @list (a new string, consumed) the origin of every assignment of
 * @id still in effect that comes from a `run` option (@options) or from a
 * file, oldest first, separated by ", ". Returns the new string, or NULL on
 * OOM (@list freed).
 */
static char *append_assignments(const struct container_spec *spec, enum spec_key id, bool options,
				char *list)
{
	const struct spec_origin *o = &spec->origin[id];
	bool last = o->file > 0 || o->option;

	for (size_t j = 0; list && j < o->n_earlier + (last ? 1 : 0); j++) {
		const struct spec_origin *e = j < o->n_earlier ? &o->earlier[j] : o;
		_cleanup_free_ char *from = NULL;
		char *joined;

		if (!e->option != !options)
			continue;
		from = earlier_origin(spec, e);
		joined = !from ? NULL : *list ? strdup_printf("%s, %s", list, from) : strdup(from);

		free(list);
		list = joined;
	}
	return list;
}

/* Whether AddCapabilities=/DropCapabilities= or --cap-add/--cap-drop changed Capabilities=. */
static bool caps_changed(const struct container_spec *spec)
{
	for (enum spec_key id = SPEC_KEY_ADD_CAPABILITIES; id <= SPEC_KEY_DROP_CAPABILITIES; id++) {
		const struct spec_origin *o = &spec->origin[id];

		if (o->n_earlier > 0 || o->file > 0 || o->option)
			return true;
	}
	return false;
}

/*
 * The origin of the final capability set, as a new string: that of
 * Capabilities= (or "default"), then each add or drop that changed it,
 * "default, then web.container:7, --cap-drop" (NULL: OOM).
 */
static char *caps_origin(const struct container_spec *spec, const char *base)
{
	_cleanup_free_ char *changes = strdup("");

	/* In the order they apply: the files' drops and adds, then the options'. */
	for (int options = 0; options <= 1; options++) {
		changes = append_assignments(spec, SPEC_KEY_DROP_CAPABILITIES, options, changes);
		changes = append_assignments(spec, SPEC_KEY_ADD_CAPABILITIES, options, changes);
	}
	if (!changes)
		return NULL;
	return strdup_printf("%s, then %s", base, changes);
}

/*
 * The value of @k as text and its origin as new strings (*ret_value: the text
 * as written when a file set it, else the spec's; *ret_origin:
 * "web.container:5", "--memory" or "default"). Capabilities= changed by the
 * add and drop keys or options is shown as the final set, with every change
 * in its origin. Returns 0 or -ENOMEM.
 */
static int key_view(const struct container_spec *spec, const struct config_key *k, char **ret_value,
		    char **ret_origin)
{
	const struct spec_origin *o = &spec->origin[k->id];
	const char *file = spec_origin_file(spec, k->id);
	bool caps = k->id == SPEC_KEY_CAPABILITIES && caps_changed(spec);
	char *value = NULL, *origin;
	size_t size = 0;
	FILE *f;

	if (o->value && !caps) {
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
	if (caps && origin) {
		char *changed = caps_origin(spec, origin);

		free(origin);
		origin = changed;
	}
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
		const struct spec_origin *o = &spec->origin[k->id];
		_cleanup_free_ char *value = NULL, *origin = NULL;

		/* A list key: each assignment still in effect on its own line, the last below. */
		for (size_t j = 0; j < o->n_earlier; j++) {
			_cleanup_free_ char *from = earlier_origin(spec, &o->earlier[j]);

			if (!from)
				return -ENOMEM;
			fprintf(f, "%-20s = %-32s  %s\n", k->name, o->earlier[j].value, from);
		}
		if (key_view(spec, k, &value, &origin) < 0)
			return -ENOMEM;
		fprintf(f, "%-20s = %-32s  %s\n", k->name, *value ? value : "(unset)", origin);
	}
	fputc('\n', f);
	return 0;
}

/*
 * The "assignments" of a key whose values add up: every assignment still in
 * effect, oldest first, as { text, origin, file?, line? }. Returns 0 or -ENOMEM.
 */
static int put_assignments(const struct container_spec *spec, const struct config_key *k, FILE *f)
{
	const struct spec_origin *o = &spec->origin[k->id];
	bool last = o->file > 0 || o->option;

	fputs(", \"assignments\": [", f);
	for (size_t j = 0; j < o->n_earlier + (last ? 1 : 0); j++) {
		const struct spec_origin *e = j < o->n_earlier ? &o->earlier[j] : o;
		const char *file = earlier_file(spec, e);
		_cleanup_free_ char *from = earlier_origin(spec, e);

		if (!from)
			return -ENOMEM;
		fputs(j == 0 ? "{ \"text\": " : ", { \"text\": ", f);
		fputs_json(e->value ? e->value : "", f);
		fputs(", \"origin\": ", f);
		fputs_json(from, f);
		if (file) {
			fputs(", \"file\": ", f);
			fputs_json(file, f);
			fprintf(f, ", \"line\": %u", e->line);
		}
		fputs(" }", f);
	}
	fputc(']', f);
	return 0;
}

/*
 * Writes the cgroup writes of the plan text @plan as JSON objects
 * { "file": ..., "value": ..., "note"?: ... }: the lines the subsystem chain
 * prints as "     /sys/fs/cgroup/.../FILE = VALUE (NOTE)". Returns 0 or -ENOMEM.
 */
static int put_plan_writes(const char *plan, FILE *f)
{
	bool first = true;

	for (const char *p = plan; p && *p;) {
		const char *nl = strchrnul(p, '\n');
		_cleanup_free_ char *line = strndup(p, (size_t)(nl - p));
		char *eq, *note = NULL;

		if (!line)
			return -ENOMEM;
		p = *nl ? nl + 1 : nl;
		if (strncmp(line, "     /", 6) != 0 || !(eq = strstr(line, " = ")))
			continue;
		*eq = '\0';
		eq += 3;
		/* "VALUE (NOTE)": the values written (numbers, CPU lists, max) have no " (". */
		note = strstr(eq, " (");
		if (note && eq[strlen(eq) - 1] == ')') {
			*note = '\0';
			note += 2;
			note[strlen(note) - 1] = '\0';
		} else {
			note = NULL;
		}
		fputs(first ? "\n    { \"file\": " : ",\n    { \"file\": ", f);
		first = false;
		fputs_json(line + 5, f);
		fputs(", \"value\": ", f);
		fputs_json(eq, f);
		if (note) {
			fputs(", \"note\": ", f);
			fputs_json(note, f);
		}
		fputs(" }", f);
	}
	fputs(first ? "]" : "\n  ]", f);
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
		const struct spec_origin *o = &spec->origin[k->id];
		_cleanup_free_ char *value = NULL, *origin = NULL;
		const char *file = spec_origin_file(spec, k->id);

		if (key_view(spec, k, &value, &origin) < 0)
			return -ENOMEM;
		fputs(i == 0 ? "\n    { \"key\": " : ",\n    { \"key\": ", f);
		fputs_json(k->name, f);
		fputs(", \"value\": ", f);
		put_value(spec, k, true, f);
		if (o->value) {
			fputs(", \"text\": ", f);
			fputs_json(o->value, f);
		}
		fputs(", \"origin\": ", f);
		fputs_json(origin, f);
		if (file) {
			fputs(", \"file\": ", f);
			fputs_json(file, f);
			fprintf(f, ", \"line\": %u", o->line);
		}
		if (config_key_adds(k) && put_assignments(spec, k, f) < 0)
			return -ENOMEM;
		fputs(" }", f);
	}
	fputs("\n  ],\n  \"plan\": [", f);
	if (put_plan_writes(plan, f) < 0)
		return -ENOMEM;
	fputs(",\n  \"plan_text\": ", f);
	fputs_json(plan ? plan : "", f);
	if (network) {
		fputs(",\n  \"network\": ", f);
		fputs(network, f);
	}
	fputs("\n}\n", f);
	return 0;
}
