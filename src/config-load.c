/* SPDX-License-Identifier: MIT */
/*
 * config-load.c: the one load pipeline of the front end, for `check`, `show`
 * and `run` alike: mdlaunch.conf (config-global.c), then the .container file
 * and its drop-ins (config-container.c), then the caller's layer (the `run`
 * operands and options, config-cli.c), then validation (config-validate.c).
 * The log level is decided here too, the same way for every command.
 *
 * The capability changes are per layer: the files' AddCapabilities= and
 * DropCapabilities= fold over Capabilities= at the end of the file layer,
 * the run options' --cap-add and --cap-drop over that result at the end of
 * the run layer, both through capability_merge(); so an option wins for the
 * capabilities it names, and the rest of the file's changes stay.
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>

#include "log.h"
#include "spec.h"
#include "util.h"

void config_set_log_level(const struct global_options *g, int file_level)
{
	if (g && g->log_level >= 0)
		log_max_level = g->log_level;
	else if (file_level >= 0)
		log_max_level = file_level;
}

int config_load(const struct config_layers *l, struct container_spec **ret)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	int r, level = -1;

	spec = spec_new();
	if (!spec)
		return log_error_errno(-ENOMEM, "out of memory");
	r = config_load_global(l->g ? l->g->config_path : NULL, spec, &level);
	if (r < 0)
		return r;
	config_set_log_level(l->g, level);
	if (l->file) {
		r = config_load_container(l->file, spec);
		if (r == -EINVAL && l->one_pass) {
			/* Keys that did load may still be wrong: say so in the same pass. */
			(void)config_validate_values(spec, l->host);
			return r;
		}
		if (r < 0)
			return r;
	}
	if (l->apply) {
		r = l->apply(l->userdata, spec);
		if (r < 0)
			return r;
	}
	r = config_validate(spec, l->host);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(spec);
	return 0;
}

int config_from_file(const char *path, const struct global_options *g, bool host,
		     struct container_spec **ret)
{
	const struct config_layers l = { .g = g, .file = path, .one_pass = true, .host = host };

	return config_load(&l, ret);
}
