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
 * Cross-field rules, the only place they live (a Command is required, the
 * name is valid, ...). Fills derived defaults. Returns 0 or -EINVAL (logged).
 */
int config_validate(struct container_spec *spec);

/*
 * The rules of config_validate() that judge single values against the host
 * (CPUs online, users and groups known, limits in range), without the ones
 * about what is missing. config_from_file() runs it after a file had errors,
 * so that one pass reports every error of the file. Returns 0 or -EINVAL.
 */
int config_validate_values(struct container_spec *spec);

/*
 * The whole front end for `check` and `show`: global conf (per @g), the file,
 * validation. On success *ret owns a complete spec. Returns 0 or -errno.
 */
int config_from_file(const char *path, const struct global_options *g, struct container_spec **ret);

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
 * is "file:line", the `run` option, or "default". Returns 0 or -ENOMEM.
 */
int config_show_effective(const struct container_spec *spec, FILE *f);

/*
 * `show --json`: the same as one JSON object {source, files, keys: [{key,
 * value, origin, file?, line?}], plan, network}, @plan being the runtime
 * plan's text and @network the network plan, already a JSON object text
 * (NULL: left out). Returns 0 or -ENOMEM.
 */
int config_show_json(const struct container_spec *spec, const char *plan, const char *network,
		     FILE *f);

/* Prints the `run` options for --help. */
void config_cli_help(FILE *f);
