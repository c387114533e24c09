/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/*
 * The systemd generator (quadlet's shape): a .container file becomes
 * NAME.service. Its [Container] section is validated by the normal loader;
 * its [Unit], [Service] and [Install] sections are copied into the unit,
 * after the generated defaults of [Service] that the user's lines do not set.
 */

struct global_options;

/* Where the generator looks, in priority order (a same-named file earlier wins). */
#define GENERATOR_SEARCH_PATH "/etc/mdlaunch:/usr/local/lib/mdlaunch"

/* One generated unit. */
struct generated_unit {
	char *name;   /* "NAME.service" */
	char *text;   /* the unit file's text */
	char **links; /* relative symlink paths, e.g. "multi-user.target.wants/NAME.service" */
	char **link_targets; /* what each link points to, e.g. "../NAME.service" */
};

void generated_unit_done(struct generated_unit *u);

/*
 * Builds the unit of the .container @path (validated as for `check`, with the
 * global options @g), whose ExecStart= runs @exec_path. Returns 0 with *ret
 * filled (free with generated_unit_done()), -EINVAL when the file is invalid
 * (logged as file:line), or -errno (logged).
 */
int generator_build(const char *path, const struct global_options *g, const char *exec_path,
		    struct generated_unit *ret);

/*
 * `mdlaunch generate [--dry-run] [-o DIR] [FILE...]` (argv[0] is "generate")
 * and the systemd generator (argv[1] is the normal output directory, @systemd
 * true). Without FILE, every *.container of @search_path (colon-separated;
 * NULL: GENERATOR_SEARCH_PATH). Returns an exit status: 0, 1 when some file
 * was invalid (its unit is not written), 125 on usage or system errors.
 */
int generator_main(int argc, char **argv, const struct global_options *g, const char *exec_path,
		   const char *search_path, bool systemd);
