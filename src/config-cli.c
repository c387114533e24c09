/* SPDX-License-Identifier: MIT */
/*
 * config-cli.c: the `run` command line, the imperative front end. Options
 * are parsed first (through the same value parsers as the files, so a value
 * means the same everywhere), then the global file and the .container file
 * (if the first argument is one) are loaded, then the options are applied
 * over them, and the result is validated like any other spec.
 *
 *   run [OPTIONS] FILE.container [-- ARG...]   ARGs are appended to Command=
 *   run [OPTIONS] [--] COMMAND [ARG...]        no file: the command line is all
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "config-keys.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

#define CONTAINER_SUFFIX ".container"

/* One key option of the command line, checked, applied after the file. */
struct cli_value {
	const struct config_key *k;
	const char *value; /* optarg (lives in argv), or "true" for a flag */
};

/* The options of one `run`, parsed and checked but not yet applied. */
struct cli_options {
	struct cli_value *v; /* in command-line order */
	size_t n;
	struct key_ctx check; /* the values are checked into a scratch spec */
	unsigned n_errors;    /* usage errors (the value errors count in check) */
};

static void cli_options_done(struct cli_options *o)
{
	free(o->v);
	spec_free(o->check.spec);
}

/* Writes the --help line of the option of @k. */
static void help_line(FILE *f, const struct config_key *k)
{
	const struct config_key_option *opt = &k->option;
	char left[96];
	int n;

	n = snprintf(left, sizeof(left), "  %c%c%s%s", opt->short_name ? '-' : ' ',
		     opt->short_name ? opt->short_name : ' ', opt->short_name ? ", " : "  ",
		     opt->name);
	if (opt->short_alias)
		n += snprintf(left + n, sizeof(left) - (size_t)n, ", -%c", opt->short_alias);
	if (opt->alias)
		n += snprintf(left + n, sizeof(left) - (size_t)n, ", %s", opt->alias);
	if (opt->arg)
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", opt->arg);
	fprintf(f, "%-22s  %s (%s=)\n", left, opt->help, k->name);
}

void config_cli_help(FILE *f)
{
	fputs("Run options (override the file's keys):\n", f);
	for (size_t i = 0; i < config_keys_n; i++)
		if (config_keys[i].option.name)
			help_line(f, &config_keys[i]);
	fputs("  --log-level, --verbose, --config, --stats   the global options, also accepted\n"
	      "                        here (after run, -v is --volume, as in podman)\n"
	      "  -h, --help            show this help\n"
	      "An argument ending in " CONTAINER_SUFFIX " is a file unless it follows --.\n",
	      f);
}

static void run_help(FILE *f)
{
	fprintf(f, "Usage: mdlaunch run [OPTIONS] FILE.container [-- ARG...]\n"
		   "       mdlaunch run [OPTIONS] [--] COMMAND [ARG...]\n"
		   "\n");
	config_cli_help(f);
}

/* Logs a usage error and counts it. */
_printf_(2, 3) static void cli_error(struct cli_options *o, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->n_errors++;
	log_error("%s", msg);
}

/*
 * Checks the value of the option of @k (@label as written: "--cpushare") with
 * the key's own parser, into a scratch spec, and records it to apply after
 * the file. Returns 0 (a bad value is reported and counted) or -ENOMEM.
 */
static int cli_value(struct cli_options *o, const struct config_key *k, const char *label,
		     const char *arg)
{
	int r;

	o->check.label = label;
	r = config_key_parse(&o->check, k, arg ? arg : "true");
	if (r == -ENOMEM)
		return r;
	o->v[o->n++] = (struct cli_value){ .k = k, .value = arg ? arg : "true" };
	return 0;
}

/* Option values of the key options: the row index * 2 (+ 1 for the alias name). */
#define OPT_KEY_BASE 0x200

/* The getopt short option string: "+:", at most two letters with ':' per key, "hv", NUL. */
#define SHORTS_MAX (2 + 4 * _SPEC_KEY_MAX + 2 + 1)

/*
 * The getopt tables of `run`: the key options of config_keys[] and the global
 * options. Returns a new array and fills @shorts (SHORTS_MAX bytes) with the
 * short option string, or returns NULL (OOM).
 */
static struct option *cli_getopt_tables(char shorts[static SHORTS_MAX])
{
	static const struct option globals[] = {
		{ "log-level", required_argument, NULL, 'L' | 0x100 },
		{ "config", required_argument, NULL, 'C' | 0x100 },
		{ "stats", no_argument, NULL, 'S' | 0x100 },
		/* -v after `run` is --volume (podman's and docker's meaning). */
		{ "verbose", no_argument, NULL, 'V' | 0x100 },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option *opts = calloc(2 * config_keys_n + ELEMENTSOF(globals) + 1, sizeof(*opts));
	size_t n = 0;
	char *p = shorts;

	if (!opts)
		return NULL;
	*p++ = '+';
	*p++ = ':';
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key_option *opt = &config_keys[i].option;
		int has_arg = opt->arg ? required_argument : no_argument;

		if (!opt->name)
			continue;
		opts[n++] =
		    (struct option){ opt->name + 2, has_arg, NULL, OPT_KEY_BASE + 2 * (int)i };
		if (opt->alias)
			opts[n++] = (struct option){ opt->alias + 2, has_arg, NULL,
						     OPT_KEY_BASE + 2 * (int)i + 1 };
		for (int j = 0; j < 2; j++) {
			char c = j == 0 ? opt->short_name : opt->short_alias;

			if (!c)
				continue;
			*p++ = c;
			if (opt->arg)
				*p++ = ':';
		}
	}
	memcpy(p, "h", 2);
	memcpy(opts + n, globals, sizeof(globals));
	return opts;
}

/* The key whose option has the short name @c, or NULL. */
static const struct config_key *key_of_short(int c)
{
	for (size_t i = 0; i < config_keys_n; i++)
		if (c > 0 && (config_keys[i].option.short_name == c ||
			      config_keys[i].option.short_alias == c))
			return &config_keys[i];
	return NULL;
}

/*
 * A capability given to both --cap-add and --cap-drop (unless --cap-drop ALL)
 * is a usage error, as in podman and as in a file.
 */
static void cli_check_capabilities(struct cli_options *o)
{
	uint64_t set;
	unsigned both;
	char *name;

	if (capability_merge(0, o->check.cap_add, o->check.cap_drop, &set, &both) == 0)
		return;
	name = cap_to_name((cap_value_t)both);
	cli_error(o, "--cap-drop: '%s' is also given to --cap-add", name ? name : "?");
	cap_free(name);
}

/*
 * Parses the options of `run` (argv[0] is "run" or a stand-in) into @o and
 * @g. Returns the index of the first operand, -1 after printing help, or
 * -EINVAL / -ENOMEM (logged). *ret_dashdash tells whether a "--" ended the
 * options (which makes the operand a COMMAND even if it looks like a file).
 */
static int cli_parse_options(int argc, char **argv, struct cli_options *o, struct global_options *g,
			     bool *ret_dashdash)
{
	_cleanup_free_ struct option *options = NULL;
	char shorts[SHORTS_MAX];
	int c, before = 1, verbose = 0, r;

	options = cli_getopt_tables(shorts);
	o->v = calloc((size_t)argc + 1, sizeof(*o->v));
	o->check.spec = spec_new();
	o->check.option = true;
	if (!options || !o->v || !o->check.spec)
		return log_error_errno(-ENOMEM, "out of memory");
	/* main() already ran getopt over the global options: start afresh. */
	opterr = 0;
	optind = 1;
	for (;;) {
		const struct config_key *k;

		before = optind;
		c = getopt_long(argc, argv, shorts, options, NULL);
		if (c < 0)
			break;
		if (c >= OPT_KEY_BASE) {
			k = &config_keys[(c - OPT_KEY_BASE) / 2];
			r = cli_value(o, k,
				      (c - OPT_KEY_BASE) % 2 ? k->option.alias : k->option.name,
				      optarg);
			if (r < 0)
				return log_error_errno(r, "out of memory");
			continue;
		}
		k = key_of_short(c);
		if (k) {
			r = cli_value(o, k, k->option.name, optarg);
			if (r < 0)
				return log_error_errno(r, "out of memory");
			continue;
		}
		switch (c) {
		case 'L' | 0x100:
			r = log_level_from_string(optarg);
			if (r < 0)
				cli_error(o,
					  "--log-level: unknown level '%s' (use error, warn, info "
					  "or debug)",
					  optarg);
			else
				g->log_level = r;
			break;
		case 'C' | 0x100:
			g->config_path = optarg;
			break;
		case 'S' | 0x100:
			g->stats = true;
			break;
		case 'V' | 0x100:
			verbose++;
			g->log_level = verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
			break;
		case 'h':
			run_help(stdout);
			return -1;
		case ':':
			/* glibc sets optopt to a long option's val too: name it as written. */
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				cli_error(o, "run: option '%s' requires an argument",
					  argv[optind - 1]);
			else
				cli_error(o, "run: option '-%c' requires an argument", optopt);
			break;
		default:
			if (optopt && strncmp(argv[optind - 1], "--", 2) != 0)
				cli_error(o, "run: unknown option '-%c' (see mdlaunch run --help)",
					  optopt);
			else
				cli_error(o, "run: unknown option '%s' (see mdlaunch run --help)",
					  argv[optind - 1]);
			break;
		}
	}
	config_set_log_level(g, -1);
	cli_check_capabilities(o);
	if (o->n_errors > 0 || o->check.n_errors > 0)
		return -EINVAL;
	*ret_dashdash = optind == before + 1 && before < argc && streq(argv[before], "--");
	return optind;
}

static bool has_container_suffix(const char *s)
{
	size_t n = strlen(s), k = strlen(CONTAINER_SUFFIX);

	return n > k && streq(s + n - k, CONTAINER_SUFFIX);
}

/*
 * The COMMAND form's default name: the basename of @arg0 with every
 * character outside [A-Za-z0-9_.-] replaced by '_', at most SPEC_NAME_MAX
 * long ("container" when nothing is left). Returns a new string or NULL (OOM).
 */
static char *name_from_command(const char *arg0)
{
	const char *base = strrchr(arg0, '/');
	char *name;

	base = base ? base + 1 : arg0;
	if (*base == '\0')
		return strdup("container");
	name = strndup(base, SPEC_NAME_MAX);
	if (!name)
		return NULL;
	for (char *p = name; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-",
			    *p))
			*p = '_';
	return name;
}

/*
 * Applies the checked options over @spec (file or defaults), in command-line
 * order, with the keys' own parsers; each key records its option as its
 * origin (an option that adds, such as --env or --volume, after the file's
 * lines). Then --cap-add and --cap-drop fold over the capabilities of the
 * files, as AddCapabilities= and DropCapabilities= fold over Capabilities=
 * (so the options win for the capabilities they name). Returns 0 or -ENOMEM.
 */
static int cli_apply(const struct cli_options *o, struct container_spec *spec)
{
	struct key_ctx c = { .spec = spec, .option = true, .quiet = true };
	unsigned both;

	for (size_t i = 0; i < o->n; i++) {
		const struct config_key *k = o->v[i].k;
		int r;

		c.label = k->option.name;
		r = config_key_parse(&c, k, o->v[i].value);
		if (r == -ENOMEM)
			return r;
		if (!config_key_adds(k)) {
			spec_set_origin_option(spec, k->id, k->option.name);
			continue;
		}
		r = spec_add_origin(spec, k->id, 0, 0, k->option.name, o->v[i].value);
		if (r < 0)
			return r;
	}
	/* Cannot fail: cli_check_capabilities() refused a capability both added and dropped. */
	(void)capability_merge(spec->capabilities, c.cap_add, c.cap_drop, &spec->capabilities,
			       &both);
	return 0;
}

/* What `run` puts over the file (or the defaults): its operands, then its options. */
struct cli_layer {
	const struct cli_options *o;
	char **operands; /* ARGs after "FILE.container --", or COMMAND [ARG...] */
	bool command_form;
};

/*
 * The run layer of the load pipeline: the COMMAND and its ARGs (with the
 * default name), or the ARGs appended to Command=, then the options.
 * Returns 0 or -errno (logged).
 */
static int cli_layer_apply(void *userdata, struct container_spec *spec)
{
	const struct cli_layer *l = userdata;
	int r;

	if (l->command_form) {
		strv_free(spec->argv);
		spec->argv = NULL;
		free(spec->name);
		spec->name = name_from_command(l->operands[0]);
		if (!spec->name)
			return log_error_errno(-ENOMEM, "out of memory");
	}
	for (char **a = l->operands; a && *a; a++) {
		r = strv_extend(&spec->argv, *a);
		if (r < 0)
			return log_error_errno(r, "out of memory");
	}
	r = cli_apply(l->o, spec);
	if (r < 0)
		return log_error_errno(r, "out of memory");
	return 0;
}

int config_from_cli(int argc, char **argv, struct global_options *g, struct container_spec **ret)
{
	struct cli_options o = { 0 };
	struct cli_layer l = { .o = &o };
	struct config_layers layers = {
		.g = g, .host = true, .apply = cli_layer_apply, .userdata = &l
	};
	bool dashdash = false;
	int i, r;

	i = cli_parse_options(argc, argv, &o, g, &dashdash);
	if (i < 0) {
		cli_options_done(&o);
		return i == -1 ? 1 : i;
	}
	if (i >= argc) {
		cli_options_done(&o);
		return log_error_errno(-EINVAL, "run: no FILE.container or COMMAND given (see "
						"mdlaunch run --help)");
	}
	if (!dashdash && has_container_suffix(argv[i])) {
		layers.file = argv[i];
		if (i + 1 < argc && !streq(argv[i + 1], "--")) {
			cli_options_done(&o);
			return log_error_errno(-EINVAL,
					       "run: unexpected argument '%s' after '%s' (put -- "
					       "before arguments for Command=)",
					       argv[i + 1], argv[i]);
		}
		l.operands = i + 2 <= argc ? argv + i + 2 : NULL;
	} else {
		l.command_form = true;
		l.operands = argv + i;
	}
	r = config_load(&layers, ret);
	cli_options_done(&o);
	return r;
}
