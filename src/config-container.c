/* SPDX-License-Identifier: MIT */
/*
 * config-container.c: the .container loader, the declarative front end. It
 * reads FILE.container and then its drop-ins (FILE.container.d/ *.conf, in
 * lexical order) through config-file.c, gets their "Key = value" lines from
 * the INI scan (config-ini.c), and turns each into fields of struct
 * container_spec through the key table (config-keys.c), reporting every
 * error of the files in one pass as "file:line: Key: message".
 *
 * Every assignment is parsed where it stands, into a scratch spec, so that
 * each bad value is reported; then only the last assignment of each key is
 * applied to the real spec, which is what lets a later file override an
 * earlier one and an empty value reset a key to its default.
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "config-file.h"
#include "config-ini.h"
#include "config-keys.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

/* A .container file is a few lines; anything this big is a mistake (or /dev/zero). */
#define CONTAINER_FILE_MAX (1024 * 1024)

#define SECTION "Container"

/* The last assignment of a key over the .container and its drop-ins. */
struct key_assignment {
	char *value;	  /* the raw text after '=' ("": reset to the default), NULL: never set */
	const char *path; /* the file that set it (owned by target->files) */
	unsigned file;	  /* its index in target->files */
	unsigned line;
	struct key_assignment *prev; /* a repeatable key: the assignments before this one */
};

struct load_ctx {
	struct key_ctx k; /* the file being read (k.path), where parsers write (k.spec) */
	unsigned file;	  /* the index of k.path in target->files */
	struct container_spec *target; /* the spec being loaded */
	struct key_assignment *final;  /* by SPEC_KEY_* */
	unsigned seen[_SPEC_KEY_MAX];  /* the line of each key in the file being read, 0: none */
	unsigned routed;	       /* errors only iniparser found */
	bool disagree; /* iniparser and the scan read the file differently (a bug of ours) */
};

/* Logs one error of the file and counts it; returns -EINVAL. */
_printf_(3, 4) static int load_error(struct load_ctx *c, unsigned line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (c->k.quiet)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->k.n_errors++;
	return log_syntax(c->k.path, line, LOG_LEVEL_ERROR, "%s", msg);
}

/* Frees a chain of earlier assignments (key_assignment.prev); accepts NULL. */
static void key_assignments_free(struct key_assignment *a)
{
	while (a) {
		struct key_assignment *prev = a->prev;

		free(a->value);
		free(a);
		a = prev;
	}
}

/*
 * One "Key = value" of [Container] (the ini scan's callback): the key's
 * lookup, duplicates in one file, the last assignment over all files, and
 * the value's parse into the scratch spec. Returns 0, -EINVAL (reported) or
 * -ENOMEM.
 */
static int on_assignment(void *userdata, unsigned line, const char *key, const char *value)
{
	struct load_ctx *c = userdata;
	const struct config_key *k;
	size_t i;

	k = config_key_lookup(key);
	if (!k) {
		const char *hint = config_key_suggest(key);

		if (strcaseeq(key, "Image"))
			return load_error(
			    c, line,
			    "unknown key '%s' in [" SECTION "] (this looks like a Podman "
			    "quadlet file, not an mdlaunch file: mdlaunch runs a Command= "
			    "on the host's root file system, without images)",
			    key);
		if (hint)
			return load_error(c, line,
					  "unknown key '%s' in [" SECTION "] (did you mean '%s'?)",
					  key, hint);
		return load_error(c, line, "unknown key '%s' in [" SECTION "]", key);
	}
	i = k->id;
	if (c->seen[i] && !k->repeatable)
		return load_error(c, line, "%s: duplicate key, first set at line %u", k->name,
				  c->seen[i]);
	c->seen[i] = line;
	if (k->repeatable && !isempty(value) && !isempty(c->final[i].value)) {
		/* Keep the earlier assignments of a list key; an empty one drops them all. */
		struct key_assignment *prev = malloc(sizeof(*prev));

		if (!prev)
			return -ENOMEM;
		*prev = c->final[i];
		c->final[i].value = NULL;
		c->final[i].prev = prev;
	} else {
		key_assignments_free(c->final[i].prev);
		c->final[i].prev = NULL;
	}
	/*
	 * A later file overrides an earlier one: only the last assignment is
	 * applied (apply_assignments()), so that an empty value can reset the
	 * key to its default. Every value is still parsed here, into a scratch
	 * spec, so that each bad one is reported at its own line.
	 */
	free(c->final[i].value);
	c->final[i] = (struct key_assignment){ .value = strdup(value),
					       .path = c->k.path,
					       .file = c->file,
					       .line = line,
					       .prev = c->final[i].prev };
	if (!c->final[i].value)
		return -ENOMEM;
	if (*value == '\0')
		return 0;
	c->k.line = line;
	c->k.label = k->name;
	return config_key_parse(&c->k, k, value);
}

/*
 * The default name: the file's basename without ".container". Returns 0,
 * -EINVAL (logged: the basename is not a valid name) or -ENOMEM.
 */
static int default_name(struct load_ctx *c)
{
	const char *base = strrchr(c->target->source, '/');
	size_t n;
	char *name;

	base = base ? base + 1 : c->target->source;
	n = strlen(base);
	if (n > strlen(".container") && streq(base + n - strlen(".container"), ".container"))
		n -= strlen(".container");
	name = strndup(base, n);
	if (!name)
		return -ENOMEM;
	if (!name_is_valid(name)) {
		free(name);
		return load_error(
		    c, 0,
		    "cannot use the file name '%s' as the container name " CONFIG_NAME_HINT
		    "; set Name=",
		    base);
	}
	free(c->target->name);
	c->target->name = name;
	return 0;
}

/*
 * After all files: the default name when Name= is absent or reset, and the
 * required Command= (unless its line was already reported as invalid).
 * Returns 0, -EINVAL (logged) or -ENOMEM.
 */
static int finish_defaults(struct load_ctx *c)
{
	const struct key_assignment *name = &c->final[SPEC_KEY_NAME];
	const struct key_assignment *cmd = &c->final[SPEC_KEY_COMMAND];
	int r = 0;

	c->k.path = c->target->source;
	if (!name->value || *name->value == '\0')
		r = default_name(c);
	if (r == -ENOMEM)
		return r;
	if (strv_length(c->target->argv) > 0)
		return r;
	if (!cmd->value)
		return load_error(c, 0, "missing Command= in [" SECTION "] (it is required)");
	if (*cmd->value == '\0') {
		c->k.path = cmd->path;
		return load_error(c, cmd->line, "Command: empty, a command is required");
	}
	return r;
}

/*
 * The capability set of the files: the base (mdlaunch.conf's default or
 * Capabilities=) minus DropCapabilities= plus AddCapabilities=, so that
 * "DropCapabilities=all" with "AddCapabilities=NET_BIND_SERVICE" keeps just
 * that one. A capability both added and dropped by name is an error. The
 * run options' --cap-add/--cap-drop fold in the same way over this set
 * (config-cli.c), so an option overrides the files for its capabilities.
 */
static void finish_capabilities(struct load_ctx *c)
{
	unsigned both = 0;

	if (capability_merge(c->k.spec->capabilities, c->k.cap_add, c->k.cap_drop,
			     &c->k.spec->capabilities, &both) < 0) {
		char *name = cap_to_name((cap_value_t)both);
		const char *add = spec_origin_file(c->k.spec, SPEC_KEY_ADD_CAPABILITIES);

		c->k.path = spec_origin_file(c->k.spec, SPEC_KEY_DROP_CAPABILITIES);
		if (add && c->k.path && streq(add, c->k.path))
			load_error(c, c->k.spec->origin[SPEC_KEY_DROP_CAPABILITIES].line,
				   "DropCapabilities: '%s' is also in AddCapabilities= (line %u)",
				   name ? name : "?",
				   c->k.spec->origin[SPEC_KEY_ADD_CAPABILITIES].line);
		else
			load_error(c, c->k.spec->origin[SPEC_KEY_DROP_CAPABILITIES].line,
				   "DropCapabilities: '%s' is also in AddCapabilities= (%s:%u)",
				   name ? name : "?", add ? add : "?",
				   c->k.spec->origin[SPEC_KEY_ADD_CAPABILITIES].line);
		cap_free(name);
	}
}

/*
 * Reads one file (the .container or a drop-in) into the load: its errors
 * are logged and counted in @c, its assignments recorded in c->final.
 * Returns 0 (even when the file had errors), or -errno (logged) when it
 * cannot be read at all or is refused.
 */
static int load_one_file(struct load_ctx *c, const char *path)
{
	_cleanup_free_ char *text = NULL;
	struct ini_scan s = { .k = &c->k, .assignment = on_assignment, .userdata = c };
	size_t size = 0;
	int r;

	r = config_file_read(path, CONTAINER_FILE_MAX, c->target->strict_permissions, false, &text,
			     &size);
	if (r < 0)
		return r;
	r = spec_add_file(c->target, path);
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	c->file = (unsigned)r;
	c->k.path = c->target->files[c->file - 1];
	memset(c->seen, 0, sizeof(c->seen));
	r = ini_scan_file(&s, path, text, size);
	c->routed += s.routed;
	c->disagree = c->disagree || s.disagree;
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	return 0;
}

/* Applies @a: for a list key, its earlier assignments first, each at its own line. */
static int apply_one(struct load_ctx *c, const struct config_key *k, const struct key_assignment *a)
{
	int r;

	if (a->prev) {
		r = apply_one(c, k, a->prev);
		if (r == -ENOMEM)
			return r;
	}
	c->k.path = a->path;
	c->k.line = a->line;
	c->k.label = k->name;
	return config_key_parse(&c->k, k, a->value);
}

/*
 * Records where the value of @k comes from: the line of @a, and for a list
 * key also the lines before it (a->prev), each with its own text, oldest
 * first. Returns 0 or -ENOMEM.
 */
static int record_origin(struct load_ctx *c, const struct config_key *k,
			 const struct key_assignment *a)
{
	int r;

	if (!a->prev) {
		spec_set_origin(c->target, k->id, a->file, a->line);
		c->target->origin[k->id].value = strdup(a->value);
		return c->target->origin[k->id].value ? 0 : -ENOMEM;
	}
	r = record_origin(c, k, a->prev);
	if (r < 0)
		return r;
	return spec_add_origin(c->target, k->id, a->file, a->line, NULL, a->value);
}

/*
 * Applies the last assignment of every key to c->target, in key table order
 * (no key's parser depends on another's), recording where each came from.
 * An empty assignment leaves the default (spec_new() and mdlaunch.conf).
 * After errors, the values are applied quietly so that config_validate_values()
 * can still judge the good ones. Returns 0 or -ENOMEM.
 */
static int apply_assignments(struct load_ctx *c)
{
	c->k.spec = c->target;
	c->k.quiet = c->k.n_errors > 0;
	c->k.cap_add = c->k.cap_drop = 0;
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key *k = &config_keys[i];
		struct key_assignment *a = &c->final[k->id];
		int r;

		if (!a->value || *a->value == '\0')
			continue;
		r = record_origin(c, k, a);
		if (r < 0)
			return r;
		r = apply_one(c, k, a);
		if (r == -ENOMEM)
			return r;
	}
	c->k.quiet = false;
	return 0;
}

int config_load_container(const char *path, struct container_spec *spec)
{
	_cleanup_(spec_freep) struct container_spec *scratch = NULL;
	_cleanup_strv_free_ char **dropins = NULL;
	struct key_assignment final[_SPEC_KEY_MAX] = { 0 };
	struct load_ctx c = { .target = spec, .final = final };
	int r;

	free(spec->source);
	spec->source = strdup(path);
	scratch = spec_new();
	if (!spec->source || !scratch)
		return log_error_errno(-ENOMEM, "out of memory");
	/* EnvironmentFile= is trust-checked while parsing: as mdlaunch.conf says. */
	scratch->strict_permissions = spec->strict_permissions;
	c.k.spec = scratch;

	r = load_one_file(&c, path);
	if (r >= 0)
		r = config_file_dropins(path, spec->strict_permissions, &dropins);
	for (char **p = dropins; r >= 0 && p && *p; p++)
		r = load_one_file(&c, *p);
	if (r < 0)
		goto out; /* logged */
	r = apply_assignments(&c);
	if (r >= 0)
		r = finish_defaults(&c);
	if (r == -ENOMEM) {
		log_error_errno(r, "%s: out of memory", path);
		goto out;
	}
	finish_capabilities(&c);
	/*
	 * -EPROTO: refused because the two readings differ: the key sets, or
	 * iniparser refused a file the scan found clean. (After an error of the
	 * scan, iniparser may legitimately see other lines.) Fuzzers look for it.
	 */
	if (c.disagree || (c.routed > 0 && c.routed == c.k.n_errors))
		r = -EPROTO;
	else
		r = c.k.n_errors > 0 ? -EINVAL : 0;
out:
	for (size_t i = 0; i < ELEMENTSOF(final); i++) {
		free(final[i].value);
		key_assignments_free(final[i].prev);
	}
	return r;
}
