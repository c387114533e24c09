/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/*
 * The config front end: mdlaunch.conf (libconfig), FILE.container (iniparser)
 * and the `run` command line, all producing one validated struct
 * container_spec. Nothing here touches namespaces, mounts or cgroups.
 *
 * Every loader logs its own errors with file:line (it has the context) and
 * returns a negative errno; -EINVAL means "the input is wrong, already said".
 */

struct container_spec;

#define CONFIG_GLOBAL_DEFAULT_PATH "/etc/mdlaunch/mdlaunch.conf"

/* Options that may precede the subcommand (and may be repeated after `run`). */
struct global_options {
	const char *config_path; /* --config PATH; NULL: CONFIG_GLOBAL_DEFAULT_PATH if it exists */
	int log_level;		 /* --log-level / -v / -vv, or -1 when not given */
	bool stats;		 /* --stats: print the run's resource use at exit */
};

/*
 * Loads the global defaults file into @spec (namespaces, PATH, cgroup parent).
 * @path NULL loads CONFIG_GLOBAL_DEFAULT_PATH when it exists and is silently
 * skipped otherwise; an explicit path must exist. *ret_log_level receives the
 * file's log_level, or -1 when it sets none. Returns 0 or -errno (logged).
 */
int config_load_global(const char *path, struct container_spec *spec, int *ret_log_level);

/*
 * Loads a .container file, then its drop-ins (@path.d/ *.conf in lexical
 * order; the last assignment of a key wins, an empty one resets it), over the
 * values already in @spec, reporting every error of the files in one pass
 * (each as "file:line: Key: message"). Sets spec->source, spec->files,
 * spec->origin[] and the default name (the basename without ".container").
 * Returns 0, or -EINVAL when a file had errors, -EPERM when the trust check
 * refused a file (root only, unless spec->strict_permissions is false),
 * -EPROTO when iniparser and our own line scan read different keys (a bug of
 * ours, refused rather than guessed), or -errno (all logged).
 */
int config_load_container(const char *path, struct container_spec *spec);

/*
 * Cross-field rules, the only place they live (a Command is required, ...),
 * and, with @host, the rules that judge the values against this machine
 * (CPUs online, users and groups known, limits the kernel allows, the cgroup
 * version memory is on). Fills derived defaults (the working directory; with
 * @host the uid, gid and groups). Returns 0 or -EINVAL (logged).
 */
int config_validate(struct container_spec *spec, bool host);

/*
 * The rules of config_validate() that judge single values (and, with @host,
 * against this machine), without the ones about what is missing. The load
 * of `check` runs it after a file had errors, so that one pass reports
 * every error of the file. Returns 0 or -EINVAL.
 */
int config_validate_values(struct container_spec *spec, bool host);

/*
 * The layers of one load, applied in this order over the defaults:
 * mdlaunch.conf (g->config_path), @file and its drop-ins, then @apply. Then
 * the spec is validated.
 */
struct config_layers {
	const struct global_options *g; /* NULL: no global options given */
	const char *file;		/* FILE.container, or NULL (`run COMMAND`) */
	bool one_pass;			/* after file errors, still judge the values that loaded */
	bool host;			/* also the host rules of config_validate() */
	/* The caller's layer (run's operands and options). Returns 0 or -errno (logged). */
	int (*apply)(void *userdata, struct container_spec *spec);
	void *userdata;
};

/* The load pipeline. On success *ret owns a complete spec. Returns 0 or -errno (logged). */
int config_load(const struct config_layers *l, struct container_spec **ret);

/*
 * Sets the log level: --log-level / -v of @g when given, else the
 * log_level of mdlaunch.conf (@file_level, -1 when none), else unchanged.
 */
void config_set_log_level(const struct global_options *g, int file_level);

/*
 * The whole front end for `check` and `show`: global conf (per @g), the file,
 * validation (with the host rules when @host: `show`, `check --host`), every
 * error of the file in one pass. On success *ret owns a complete spec.
 * Returns 0 or -errno.
 */
int config_from_file(const char *path, const struct global_options *g, bool host,
		     struct container_spec **ret);

/*
 * The whole front end for `run`: argv[0] is "run", then options, then either
 * FILE.container [-- ARG...] or [--] COMMAND [ARG...]. Options override the
 * file; global options given after `run` update @g. Returns 0 with *ret set,
 * 1 when it only printed help (exit 0), or -errno (logged; usage errors too).
 */
int config_from_cli(int argc, char **argv, struct global_options *g, struct container_spec **ret);

/*
 * `show --effective`: one line per key, "Key = value  origin", where the value
 * is the text of the line that set it (else the spec's value) and the origin
 * is "file:line", the `run` option, or "default". A key whose values add up
 * (Volume=, DNS=, --env, --cap-add, ...) gets one such line per assignment
 * still in effect, oldest first. Returns 0 or -ENOMEM.
 */
int config_show_effective(const struct container_spec *spec, FILE *f);

/*
 * `show --json`: the same as one JSON object {source, files, keys: [{key,
 * value (typed), text?, origin, file?, line?, assignments?}], plan: [{file,
 * value, note?}], where text and origin are the last assignment's and the
 * keys whose values add up list every one as assignments: [{text, origin,
 * file?, line?}],
 * plan_text, network}, @plan being the runtime plan's text (its cgroup writes
 * are listed in plan) and @network the network plan, already a JSON object
 * text (NULL: left out). Returns 0 or -ENOMEM.
 */
int config_show_json(const struct container_spec *spec, const char *plan, const char *network,
		     FILE *f);

/* Prints the `run` options for --help. */
void config_cli_help(FILE *f);
