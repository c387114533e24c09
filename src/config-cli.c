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
#include <string.h>
#include <sys/stat.h>

#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

#define CONTAINER_SUFFIX ".container"

/* The options of one `run`, parsed and checked but not yet applied. */
struct cli_options {
	bool tty;
	bool memory_set;
	uint64_t memory_max;
	bool memory_swap_set;
	uint64_t memory_swap_max;
	uint64_t cpu_shares; /* 0 = not given */
	uint64_t cpu_weight; /* 0 = not given */
	char *cpuset;	     /* canonical, NULL = not given */
	const char *name;
	const char *hostname;
	const char *user; /* -u/--user, as User= */
	char **env;	  /* in command-line order */
	char **devices;	  /* --device, in command-line order (added to AddDevice=) */
	uint64_t shm_size; /* --shm-size, 0 = not given */
	unsigned n_errors;
};

static void cli_options_done(struct cli_options *o)
{
	free(o->cpuset);
	strv_free(o->env);
	strv_free(o->devices);
}

void config_cli_help(FILE *f)
{
	fprintf(
	    f,
	    "Run options (override the file's keys):\n"
	    "  -t, --tty             share the caller's stdin (Tty=true)\n"
	    "  -i, --interactive     the same as --tty (so -ti works)\n"
	    "  -m, --memory SIZE     memory limit, e.g. 512M, 2G or max (Memory=)\n"
	    "      --memory-swap SIZE  swap limit alone, e.g. 0, 1G or max (MemorySwap=)\n"
	    "      --cpushare N      CPU shares, 2 to 262144 (CPUShares=); alias --cpu-shares\n"
	    "      --cpu-weight N    CPU weight, 1 to 10000 (CPUWeight=; replaces CPUShares=)\n"
	    "      --cpuset CPUS     CPUs to run on, e.g. 0-2,4 (CPUSet=)\n"
	    "      --name NAME       container name (Name=)\n"
	    "      --hostname NAME   hostname in the container (Hostname=)\n"
	    "  -u, --user USER[:GROUP]  run as this user: ids, or names from /etc/passwd (User=)\n"
	    "  -e, --env KEY=VALUE   set an environment variable (Environment=); repeatable\n"
	    "      --device [-]HOST[:CONTAINER][:PERMS]  give the container a host device node\n"
	    "                        (AddDevice=; PERMS from rwm); repeatable\n"
	    "      --shm-size SIZE   size of the container's /dev/shm, default 64M (ShmSize=)\n"
	    "  --log-level, -v, --config, --stats   the global options, also accepted here\n"
	    "  -h, --help            show this help\n"
	    "An argument ending in " CONTAINER_SUFFIX " is a file unless it follows --.\n");
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

/* Parses the value of one option into @o, logging a bad value. Returns 0 or -ENOMEM. */
static int cli_value(struct cli_options *o, int c, const char *arg)
{
	int r;

	switch (c) {
	case 'm':
		r = parse_size(arg, &o->memory_max);
		if (r == -ERANGE)
			cli_error(o,
				  "--memory: size '%s' out of range (1 byte to 16777215T, or max)",
				  arg);
		else if (r < 0)
			cli_error(o, "--memory: invalid size '%s' " CONFIG_SIZE_HINT, arg);
		else
			o->memory_set = true;
		return 0;
	case 'c':
		if (parse_cpu_shares(arg, &o->cpu_shares) < 0)
			cli_error(o, "--cpushare: invalid value '%s' " CONFIG_SHARES_HINT, arg);
		return 0;
	case 'W':
		if (parse_cpu_weight(arg, &o->cpu_weight) < 0)
			cli_error(o, "--cpu-weight: invalid value '%s' " CONFIG_WEIGHT_HINT, arg);
		return 0;
	case 'S':
		r = parse_swap_size(arg, &o->memory_swap_max);
		if (r == -ERANGE)
			cli_error(o,
				  "--memory-swap: size '%s' out of range (0 to 16777215T, or max)",
				  arg);
		else if (r < 0)
			cli_error(o, "--memory-swap: invalid size '%s' " CONFIG_SIZE_HINT, arg);
		else
			o->memory_swap_set = true;
		return 0;
	case 's':
		free(o->cpuset);
		o->cpuset = NULL;
		r = parse_cpuset(arg, &o->cpuset);
		if (r == -ENOMEM)
			return r;
		if (r == -ERANGE)
			cli_error(o, "--cpuset: CPU number out of range in '%s' (at most %u)", arg,
				  CONFIG_CPU_MAX);
		else if (r < 0)
			cli_error(o, "--cpuset: invalid CPU list '%s' " CONFIG_CPUSET_HINT, arg);
		return 0;
	case 'n':
		if (!name_is_valid(arg))
			cli_error(o, "--name: invalid name '%s' " CONFIG_NAME_HINT, arg);
		o->name = arg;
		return 0;
	case 'H':
		if (!hostname_is_valid(arg))
			cli_error(o, "--hostname: invalid hostname '%s' (1 to 64 bytes, no '/')",
				  arg);
		o->hostname = arg;
		return 0;
	case 'u': {
		_cleanup_free_ char *u = NULL, *grp = NULL;

		r = parse_user(arg, &u, &grp);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			cli_error(o, "--user: invalid user '%s' " CONFIG_USER_HINT, arg);
		o->user = arg;
		return 0;
	}
	case 'e':
		if (!env_assignment_is_valid(arg)) {
			cli_error(o,
				  "--env: invalid assignment '%s' (use KEY=VALUE, KEY made of "
				  "A-Z a-z 0-9 _ and not starting with a digit)",
				  arg);
			return 0;
		}
		if (streq(arg, "PATH=")) {
			cli_error(o, "--env: PATH must not be empty");
			return 0;
		}
		return strv_extend(&o->env, arg);
	case 'D': {
		struct spec_device d = {};

		r = parse_device(arg, &d);
		free(d.host);
		free(d.container);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			cli_error(o, "--device: invalid device '%s' " CONFIG_DEVICE_HINT, arg);
			return 0;
		}
		return strv_extend(&o->devices, arg);
	}
	case 'Z': {
		uint64_t v;

		r = parse_size(arg, &v);
		if (r < 0 || v == SPEC_MEMORY_INFINITY)
			cli_error(o, "--shm-size: invalid size '%s' " CONFIG_SIZE_HINT, arg);
		else
			o->shm_size = v;
		return 0;
	}
	}
	return 0;
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
	enum { ARG_LOG_LEVEL = 0x100, ARG_CONFIG, ARG_STATS };
	static const struct option options[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpushare", required_argument, NULL, 'c' },
		{ "cpu-shares", required_argument, NULL, 'c' },
		{ "cpu-weight", required_argument, NULL, 'W' },
		{ "memory-swap", required_argument, NULL, 'S' },
		{ "cpuset", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "device", required_argument, NULL, 'D' },
		{ "shm-size", required_argument, NULL, 'Z' },
		{ "log-level", required_argument, NULL, ARG_LOG_LEVEL },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "stats", no_argument, NULL, ARG_STATS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, before = 1, verbose = 0, r;

	/* main() already ran getopt over the global options: start afresh. */
	opterr = 0;
	optind = 1;
	for (;;) {
		before = optind;
		c = getopt_long(argc, argv, "+:tim:e:u:hv", options, NULL);
		if (c < 0)
			break;
		switch (c) {
		case 't':
		case 'i':
			o->tty = true;
			break;
		case 'm':
		case 'c':
		case 'W':
		case 'S':
		case 's':
		case 'n':
		case 'H':
		case 'u':
		case 'e':
		case 'D':
		case 'Z':
			r = cli_value(o, c, optarg);
			if (r < 0)
				return log_error_errno(r, "out of memory");
			break;
		case ARG_LOG_LEVEL:
			r = log_level_from_string(optarg);
			if (r < 0)
				cli_error(o,
					  "--log-level: unknown level '%s' (use error, warn, info "
					  "or debug)",
					  optarg);
			else
				g->log_level = r;
			break;
		case ARG_CONFIG:
			g->config_path = optarg;
			break;
		case ARG_STATS:
			g->stats = true;
			break;
		case 'v':
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
	if (g->log_level >= 0)
		log_max_level = g->log_level;
	if (o->n_errors > 0)
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

/* Applies the parsed options over @spec (file or defaults). Returns 0 or -ENOMEM. */
static int cli_apply(const struct cli_options *o, struct container_spec *spec)
{
	char *s;
	int r;

	if (o->tty) {
		spec->tty = true;
		spec_set_origin_option(spec, SPEC_KEY_TTY, "--tty");
	}
	if (o->memory_set) {
		spec->memory_max = o->memory_max;
		spec_set_origin_option(spec, SPEC_KEY_MEMORY, "--memory");
	}
	if (o->memory_swap_set) {
		spec->memory_swap_max = o->memory_swap_max;
		spec_set_origin_option(spec, SPEC_KEY_MEMORY_SWAP, "--memory-swap");
	}
	/* Either option replaces the file's CPU setting; both together fail validation. */
	if (o->cpu_shares || o->cpu_weight) {
		spec->cpu_shares = o->cpu_shares;
		spec->cpu_weight = o->cpu_weight;
		spec_set_origin_option(spec, SPEC_KEY_CPU_SHARES,
				       o->cpu_shares ? "--cpu-shares" : "--cpu-weight");
		spec_set_origin_option(spec, SPEC_KEY_CPU_WEIGHT,
				       o->cpu_shares ? "--cpu-shares" : "--cpu-weight");
	}
	if (o->cpuset) {
		s = strdup(o->cpuset);
		if (!s)
			return -ENOMEM;
		free(spec->cpuset);
		spec->cpuset = s;
		spec_set_origin_option(spec, SPEC_KEY_CPUSET, "--cpuset");
	}
	if (o->name) {
		s = strdup(o->name);
		if (!s)
			return -ENOMEM;
		free(spec->name);
		spec->name = s;
		spec_set_origin_option(spec, SPEC_KEY_NAME, "--name");
	}
	if (o->hostname) {
		s = strdup(o->hostname);
		if (!s)
			return -ENOMEM;
		free(spec->hostname);
		spec->hostname = s;
		spec_set_origin_option(spec, SPEC_KEY_HOSTNAME, "--hostname");
	}
	if (o->shm_size) {
		spec->shm_size = o->shm_size;
		spec_set_origin_option(spec, SPEC_KEY_SHM_SIZE, "--shm-size");
	}
	for (char **d = o->devices; d && *d; d++) {
		struct spec_device dev = {};

		r = parse_device(*d, &dev);
		if (r == 0)
			r = spec_add_device(spec, &dev);
		free(dev.host);
		free(dev.container);
		if (r < 0)
			return r;
		spec_set_origin_option(spec, SPEC_KEY_ADD_DEVICE, "--device");
	}
	if (o->user) {
		s = strdup(o->user);
		if (!s)
			return -ENOMEM;
		free(spec->user);
		spec->user = s;
		spec_set_origin_option(spec, SPEC_KEY_USER, "--user");
	}
	for (char **e = o->env; e && *e; e++) {
		if (strncmp(*e, "PATH=", 5) == 0) {
			s = strdup(*e + 5);
			if (!s)
				return -ENOMEM;
			free(spec->path);
			spec->path = s;
			continue;
		}
		r = env_vector_set(&spec->env, *e);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Loads the operands: the .container file plus ARGs after "--", or the
 * COMMAND and its ARGs (with the default name). Returns 0 or -errno (logged).
 */
static int cli_operands(int argc, char **argv, int i, bool dashdash, struct container_spec *spec)
{
	int r;

	if (!dashdash && has_container_suffix(argv[i])) {
		r = config_load_container(argv[i], spec);
		if (r < 0)
			return r;
		if (i + 1 < argc && !streq(argv[i + 1], "--"))
			return log_error_errno(-EINVAL,
					       "run: unexpected argument '%s' after '%s' (put -- "
					       "before arguments for Command=)",
					       argv[i + 1], argv[i]);
		for (int j = i + 2; j < argc; j++) {
			r = strv_extend(&spec->argv, argv[j]);
			if (r < 0)
				return log_error_errno(r, "out of memory");
		}
		return 0;
	}
	strv_free(spec->argv);
	spec->argv = NULL;
	for (int j = i; j < argc; j++) {
		r = strv_extend(&spec->argv, argv[j]);
		if (r < 0)
			return log_error_errno(r, "out of memory");
	}
	free(spec->name);
	spec->name = name_from_command(argv[i]);
	if (!spec->name)
		return log_error_errno(-ENOMEM, "out of memory");
	return 0;
}

int config_from_cli(int argc, char **argv, struct global_options *g, struct container_spec **ret)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	struct cli_options o = { 0 };
	bool dashdash = false;
	int i, r, level = -1;

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
	spec = spec_new();
	if (!spec)
		r = log_error_errno(-ENOMEM, "out of memory");
	else
		r = config_load_global(g->config_path, spec, &level);
	if (r >= 0 && g->log_level < 0 && level >= 0)
		log_max_level = level;
	if (r >= 0)
		r = cli_operands(argc, argv, i, dashdash, spec);
	if (r >= 0) {
		r = cli_apply(&o, spec);
		if (r < 0)
			log_error_errno(r, "out of memory");
	}
	cli_options_done(&o);
	if (r < 0)
		return r;
	r = config_validate(spec);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(spec);
	return 0;
}
