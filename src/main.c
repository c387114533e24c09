/* SPDX-License-Identifier: MIT */
/*
 * main.c: the command-line dispatcher and the only file that sees both sides
 * of the design: the config front end (config.h) builds a spec, the runtime
 * (runtime.h) runs it. It also maps every failure to a documented exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "generator.h"
#include "log.h"
#include "probe.h"
#include "runtime.h"
#include "spec.h"
#include "util.h"

#ifndef MDLAUNCH_VERSION
#define MDLAUNCH_VERSION "0.1.0"
#endif

/* Exit status of `check` when some file is invalid (a linter's 1, not a launcher error). */
#define EXIT_CHECK_INVALID 1

static void help(FILE *f)
{
	fprintf(
	    f,
	    "Usage: mdlaunch [GLOBAL OPTIONS] FILE.container [-- ARG...]\n"
	    "       mdlaunch [GLOBAL OPTIONS] run [OPTIONS] FILE.container [-- ARG...]\n"
	    "       mdlaunch [GLOBAL OPTIONS] run [OPTIONS] [--] COMMAND [ARG...]\n"
	    "       mdlaunch [GLOBAL OPTIONS] check [--host] FILE.container...\n"
	    "       mdlaunch [GLOBAL OPTIONS] show [--effective | --json] [RUN OPTIONS] "
	    "FILE.container\n"
	    "       mdlaunch [GLOBAL OPTIONS] generate [--dry-run | -o DIR] [FILE.container...]\n"
	    "       mdlaunch --help | --version\n"
	    "\n"
	    "Start a command as a container in new UTS, PID, mount, net and IPC namespaces,\n"
	    "with memory, CPU shares and cpuset limits, in the foreground.\n"
	    "\n"
	    "Commands:\n"
	    "  FILE.container   same as `run FILE.container`; ARGs are appended to Command=\n"
	    "  run              run a container from a file or from a command line\n"
	    "  check            validate files (syntax, values, rules between keys) and\n"
	    "                   report every error; runs nothing, judges nothing of this host\n"
	    "                   (--host, or -v: also judge them on this host as run does:\n"
	    "                   CPUs, users, limits, cgroups, command, namespaces)\n"
	    "  show             print the resolved spec and the runtime plan; runs nothing\n"
	    "                   (--effective: each key's value and where it came from first;\n"
	    "                   --json: the same as JSON; run options show their effect)\n"
	    "  generate         write NAME.service for each file (default: the *.container of\n"
	    "                   /etc/mdlaunch, then /usr/local/lib/mdlaunch) into DIR, or\n"
	    "                   print them (--dry-run); what mdlaunch-generator does at boot\n"
	    "\n"
	    "Global options:\n"
	    "  --log-level LEVEL  error, warn (default), info or debug\n"
	    "  -v, -vv            same as --log-level info, debug (-vv: timeline of a start)\n"
	    "  --config PATH      global defaults file (default " CONFIG_GLOBAL_DEFAULT_PATH ")\n"
	    "  --stats            at exit, log the run's peak memory and CPU time (also at -v)\n"
	    "  -h, --help         show this help\n"
	    "  --version          show the version\n"
	    "\n");
	config_cli_help(f);
	fprintf(f, "\n"
		   "Exit status:\n"
		   "  the container's exit status, or 128+N if it was killed by signal N;\n"
		   "  125 mdlaunch or configuration error; 126 command not executable;\n"
		   "  127 command not found; `check`: 0 all valid, 1 some file invalid.\n"
		   "\n"
		   "See mdlaunch(1) and mdlaunch.container(5).\n");
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && streq(s + n - k, suffix);
}

/*
 * Takes the global option at argv[*i] (and its argument) when it is one, for
 * `check`, `show` and `generate`, which accept global options after the
 * subcommand too (`check -v FILE`). Returns 1 and advances *i past it, 0 when
 * argv[*i] is no global option, or -EINVAL (logged).
 */
static int take_global_option(int argc, char **argv, int *i, struct global_options *g)
{
	const char *a = argv[*i], *value = NULL;

	if (streq(a, "-v") || streq(a, "--verbose")) {
		g->log_level = g->log_level >= LOG_LEVEL_INFO ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	} else if (streq(a, "-vv")) {
		g->log_level = LOG_LEVEL_DEBUG;
	} else if (streq(a, "--stats")) {
		g->stats = true;
	} else if (streq(a, "--log-level") || streq(a, "--config")) {
		if (*i + 1 >= argc)
			return log_error("option '%s' requires an argument (see mdlaunch --help)",
					 a),
			       -EINVAL;
		value = argv[++*i];
	} else if (strncmp(a, "--log-level=", 12) == 0 || strncmp(a, "--config=", 9) == 0) {
		value = strchr(a, '=') + 1;
	} else {
		return 0;
	}
	if (value && strncmp(a, "--config", 8) == 0) {
		g->config_path = value;
	} else if (value) {
		g->log_level = log_level_from_string(value);
		if (g->log_level < 0)
			return log_error(
				   "--log-level: unknown level '%s' (use error, warn, info or "
				   "debug)",
				   value),
			       -EINVAL;
	}
	if (g->log_level >= 0)
		log_max_level = g->log_level;
	(*i)++;
	return 1;
}

/*
 * Parses the global options at the front of argv (stopping at the first
 * non-option, the subcommand). Returns the index of the subcommand, argc when
 * there is none, -1 after printing help/version (exit 0), or -EINVAL.
 */
static int parse_global_options(int argc, char **argv, struct global_options *g)
{
	enum { ARG_LOG_LEVEL = 0x100, ARG_CONFIG, ARG_VERSION, ARG_STATS };
	static const struct option options[] = {
		{ "log-level", required_argument, NULL, ARG_LOG_LEVEL },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "stats", no_argument, NULL, ARG_STATS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{},
	};
	int c, verbose = 0;

	opterr = 0;
	optind = 1;
	/* ":" after "+": a missing argument is ':', told apart from an unknown option. */
	while ((c = getopt_long(argc, argv, "+:vh", options, NULL)) >= 0) {
		switch (c) {
		case ARG_LOG_LEVEL:
			g->log_level = log_level_from_string(optarg);
			if (g->log_level < 0) {
				log_error("--log-level: unknown level '%s' "
					  "(use error, warn, info or debug)",
					  optarg);
				return -EINVAL;
			}
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
			help(stdout);
			return -1;
		case ARG_VERSION:
			printf("mdlaunch %s\n", MDLAUNCH_VERSION);
			return -1;
		case ':':
			log_error("option '%s' requires an argument (see mdlaunch --help)",
				  argv[optind - 1]);
			return -EINVAL;
		case '?':
			if (optopt > 0 && optopt < 0x100)
				log_error("unknown option '-%c' (see mdlaunch --help)", optopt);
			else
				log_error("unknown option '%s' (see mdlaunch --help)",
					  argv[optind - 1]);
			return -EINVAL;
		default:
			return -EINVAL;
		}
	}
	config_set_log_level(g, -1);
	return optind;
}

/* One finding of the host probe, at the file:line of the key it concerns. */
struct probe_print {
	const struct container_spec *spec;
	unsigned errors;
};

static void print_finding(const struct probe_finding *f, void *userdata)
{
	struct probe_print *pp = userdata;
	const char *file = f->file > 0 && f->file <= strv_length(pp->spec->files)
			       ? pp->spec->files[f->file - 1]
			       : spec_origin_file(pp->spec, f->key);
	unsigned line;
	int level = f->severity == PROBE_ERROR	   ? LOG_LEVEL_ERROR
		    : f->severity == PROBE_WARNING ? LOG_LEVEL_WARN
						   : LOG_LEVEL_INFO;

	if (f->severity == PROBE_ERROR)
		pp->errors++;
	/* A default (no line) is the .container file's concern as a whole. */
	if (!file)
		file = pp->spec->source;
	line = file ? (f->line ? f->line : pp->spec->origin[f->key].line) : 0;
	if (level == LOG_LEVEL_INFO && line > 0)
		log_info("%s:%u: %s", file, line, f->message);
	else if (level == LOG_LEVEL_INFO)
		log_info("%s: %s", file ? file : "-", f->message);
	else
		(void)log_syntax(file, line, level, "%s", f->message);
}

/*
 * `check --host`: the probe of a valid spec against this host. The
 * environment variable MDLAUNCH_PROBE_CGROUP_ROOT is a test knob: a fake
 * cgroup tree for the probe (see cgroup-probe.h). Returns the number of
 * errors, or -errno (logged).
 */
static int check_host(const struct container_spec *spec)
{
	struct probe_print pp = { .spec = spec };
	int r;

	r = probe_host(spec, getenv("MDLAUNCH_PROBE_CGROUP_ROOT"), print_finding, &pp);
	if (r < 0)
		return log_error_errno(r, "%s: cannot probe this host: %m", spec->source);
	return (int)pp.errors;
}

static int cmd_check(int argc, char **argv, struct global_options *g)
{
	int status = EXIT_SUCCESS;
	bool host = false;
	int i = 1, r;

	while (i < argc) {
		if (streq(argv[i], "--host")) {
			host = true;
			i++;
			continue;
		}
		r = take_global_option(argc, argv, &i, g);
		if (r < 0)
			return EXIT_LAUNCHER_ERROR;
		if (r == 0)
			break;
	}
	if (i < argc && streq(argv[i], "--"))
		i++;
	host = host || log_max_level >= LOG_LEVEL_INFO;
	if (i >= argc) {
		log_error("check: no file given (usage: mdlaunch check [--host] FILE...)");
		return EXIT_LAUNCHER_ERROR;
	}
	for (; i < argc; i++) {
		_cleanup_(spec_freep) struct container_spec *spec = NULL;

		if (config_from_file(argv[i], g, host, &spec) < 0) {
			status = EXIT_CHECK_INVALID;
			continue;
		}
		r = host ? check_host(spec) : 0;
		if (r < 0)
			return EXIT_LAUNCHER_ERROR;
		if (r > 0)
			status = EXIT_CHECK_INVALID;
		else
			log_info("%s: valid%s", argv[i], host ? " on this host" : "");
	}
	/* -v: where the limits would go on this host. */
	if (log_max_level >= LOG_LEVEL_INFO && runtime_describe_host(stdout) < 0)
		return EXIT_LAUNCHER_ERROR;
	return status;
}

/* The runtime plan of @spec as a string (for show --json); NULL on error (logged). */
static char *plan_to_string(const struct container_spec *spec)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r;

	if (!f) {
		log_error_errno(-ENOMEM, "out of memory");
		return NULL;
	}
	r = runtime_show_plan(spec, f);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * show [--effective | --json] [RUN OPTIONS] FILE: the resolved spec and the
 * runtime plan; --effective first lists every key with its origin, --json
 * prints both as one JSON object. Run options (`show -m 1G FILE`) go through
 * the `run` front end, so what is shown is what that run would do.
 */
static int cmd_show(int argc, char **argv, struct global_options *g)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *plan = NULL, *network = NULL;
	_cleanup_free_ char **run_argv = NULL;
	bool effective = false, json = false;
	int n = 0, r;

	run_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!run_argv)
		return log_error_errno(-ENOMEM, "out of memory"), EXIT_LAUNCHER_ERROR;
	run_argv[n++] = "run";
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--effective"))
			effective = true;
		else if (streq(argv[i], "--json"))
			json = true;
		else
			run_argv[n++] = argv[i];
	}
	if (n == 1) {
		log_error("show: no file given (usage: mdlaunch show [--effective | --json] [RUN "
			  "OPTIONS] FILE.container)");
		return EXIT_LAUNCHER_ERROR;
	}
	if (n == 2 && run_argv[1][0] != '-')
		r = config_from_file(run_argv[1], g, true, &spec);
	else
		r = config_from_cli(n, run_argv, g, &spec);
	if (r > 0)
		return EXIT_SUCCESS; /* --help */
	if (r < 0)
		return EXIT_LAUNCHER_ERROR;
	if (json) {
		plan = plan_to_string(spec);
		network = plan ? runtime_network_json(spec) : NULL;
		if (!plan || !network || config_show_json(spec, plan, network, stdout) < 0)
			return EXIT_LAUNCHER_ERROR;
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_LAUNCHER_ERROR;
	}
	if (effective && config_show_effective(spec, stdout) < 0)
		return EXIT_LAUNCHER_ERROR;
	spec_dump(spec, stdout);
	if (runtime_show_plan(spec, stdout) < 0)
		return EXIT_LAUNCHER_ERROR;
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_LAUNCHER_ERROR;
}

/*
 * The mdlaunch binary for ExecStart=: this very executable (the generator is
 * a symlink to it). Falls back to the install path when /proc is missing.
 */
static const char *self_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n <= 0 || (size_t)n >= size - 1)
		return "/usr/local/bin/mdlaunch";
	buf[n] = '\0';
	return buf;
}

static int cmd_generate(int argc, char **argv, struct global_options *g, bool systemd)
{
	char self[4096];

	/* Global options may follow `generate`, before its own. */
	for (int i = 1; !systemd && i < argc;) {
		int r = take_global_option(argc, argv, &i, g);

		if (r < 0)
			return EXIT_LAUNCHER_ERROR;
		if (r == 0)
			break;
		argv[i - 1] = argv[0];
		argv += i - 1;
		argc -= i - 1;
		i = 1;
	}
	/* MDLAUNCH_GENERATOR_PATH is a test knob: where to look instead of GENERATOR_SEARCH_PATH.
	 */
	return generator_main(argc, argv, g, self_path(self, sizeof(self)),
			      getenv("MDLAUNCH_GENERATOR_PATH"), systemd);
}

/* When main() started, for the -vv timeline of a run (parse, then runtime.c's steps). */
static struct timespec main_start;

static long us_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000000L + (now.tv_nsec - t0->tv_nsec) / 1000L;
}

static int cmd_run(int argc, char **argv, struct global_options *g)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	int r;

	r = config_from_cli(argc, argv, g, &spec);
	if (r < 0)
		return EXIT_LAUNCHER_ERROR;
	if (r > 0)
		return EXIT_SUCCESS;
	log_debug("%s: configuration parsed (%ld us after mdlaunch started; the steps below "
		  "count from here)",
		  spec->name ? spec->name : "container", us_since(&main_start));
	spec->stats = g->stats || log_max_level >= LOG_LEVEL_INFO;
	/* Anything buffered now would otherwise be duplicated into the child. */
	(void)fflush(stdout);
	return runtime_run(spec);
}

/*
 * A launcher started with fd 0, 1 or 2 closed would hand the next pipe it
 * makes to the container as stdin or stdout: point each closed one at
 * /dev/null first (what systemd and bubblewrap do). Returns 0 or -errno.
 */
static int ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number is @fd itself, so no dup2 is needed. */
		n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			return -errno;
		if (n != fd) {
			(void)close(n);
			return -EBADF;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct global_options g = { .config_path = NULL, .log_level = -1 };
	const char *cmd;
	int i;

	/* The container side comes first: it must not pay for anything else. */
	if (argc == 2 && streq(argv[1], "init"))
		return runtime_init_main();

	clock_gettime(CLOCK_MONOTONIC, &main_start);
	if (ensure_std_fds() < 0)
		return EXIT_LAUNCHER_ERROR;
	if (has_suffix(argv[0], "/mdlaunch-generator") || streq(argv[0], "mdlaunch-generator"))
		return cmd_generate(argc, argv, &g, true);

	i = parse_global_options(argc, argv, &g);
	if (i == -1)
		return EXIT_SUCCESS;
	if (i < 0)
		return EXIT_LAUNCHER_ERROR;
	if (i >= argc) {
		help(stderr);
		return EXIT_LAUNCHER_ERROR;
	}

	cmd = argv[i];
	if (streq(cmd, "run"))
		return cmd_run(argc - i, argv + i, &g);
	if (streq(cmd, "check"))
		return cmd_check(argc - i, argv + i, &g);
	if (streq(cmd, "show"))
		return cmd_show(argc - i, argv + i, &g);
	if (streq(cmd, "generate"))
		return cmd_generate(argc - i, argv + i, &g, false);
	if (streq(cmd, "init")) {
		log_error("init is internal to mdlaunch and takes no arguments");
		return EXIT_LAUNCHER_ERROR;
	}
	/*
	 * `mdlaunch FILE.container [-- ARG...]`: the same as `run FILE...` (argv[i-1] stands
	 * in for "run"). Only a .container file: a mistyped subcommand must not run as a command.
	 */
	if (!has_suffix(cmd, ".container")) {
		log_error(
		    "unknown command '%s' (expected FILE.container, run, check, show or generate; "
		    "see mdlaunch --help)",
		    cmd);
		return EXIT_LAUNCHER_ERROR;
	}
	return cmd_run(argc - i + 1, argv + i - 1, &g);
}
