/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the `run` command line (config-cli.c): options, -ti, the
 * file form with "--" ARGs, the COMMAND form and its default name, options
 * overriding the file, usage errors with their exact messages, and --help.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

#include "test-util.h"

/* Runs config_from_cli() on "run" + the given words (with --config empty.conf first). */
#define RUN(g, spec, err, ...)                                                                     \
	({                                                                                         \
		char *_argv[] = { "run", "--config", "empty.conf", __VA_ARGS__, NULL };            \
		int _r;                                                                            \
		capture_begin();                                                      \
		_r = config_from_cli((int)ELEMENTSOF(_argv) - 1, _argv, (g), (spec));              \
		*(err) = capture_end();                                               \
		_r;                                                                                \
	})

static void assert_strv(char **l, ...)
{
	va_list ap;
	size_t i = 0;

	va_start(ap, l);
	for (const char *w; (w = va_arg(ap, const char *)); i++) {
		assert_non_null(l);
		assert_non_null(l[i]);
		assert_string_equal(l[i], w);
	}
	va_end(ap);
	if (l)
		assert_null(l[i]);
}

static void test_command_form(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "-ti", "-m", "512M", "--cpushare", "100", "--cpuset",
			     "0", "--hostname", "h", "-e", "A=1", "--env", "PATH=/p", "-e", "A=2",
			     "--", "sleep", "10"),
			 0);
	assert_string_equal(err, "");
	assert_strv(spec->argv, "sleep", "10", NULL);
	assert_true(spec->tty);
	assert_true(spec->memory_max == 512ULL << 20);
	assert_true(spec->cpu_shares == 100);
	assert_string_equal(spec->cpuset, "0");
	assert_string_equal(spec->hostname, "h");
	assert_string_equal(spec->name, "sleep");
	assert_strv(spec->env, "A=2", NULL);
	assert_string_equal(spec->path, "/p");
	assert_null(spec->source);
	assert_string_equal(g.config_path, "empty.conf");
}

static void test_command_form_name(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "/usr/bin/my prog!", "a b", "--", "-x"), 0);
	assert_string_equal(err, "");
	assert_string_equal(spec->name, "my_prog_");
	assert_strv(spec->argv, "/usr/bin/my prog!", "a b", "--", "-x", NULL);
	assert_false(spec->tty);
	assert_true(spec->memory_max == SPEC_MEMORY_UNSET);
	spec_free(spec);
	spec = NULL;
	free(err);
	assert_int_equal(RUN(&g, &spec, &err, "-i", "--name", "n1", "--cpu-shares", "2", "x"), 0);
	assert_string_equal(spec->name, "n1");
	assert_true(spec->tty);
	assert_true(spec->cpu_shares == 2);
}

/* --memory-swap and --cpu-weight; either CPU option replaces the other's value. */
static void test_swap_and_weight_options(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(
	    RUN(&g, &spec, &err, "-m", "1G", "--memory-swap", "0", "--cpu-weight", "300", "x"), 0);
	assert_string_equal(err, "");
	assert_true(spec->memory_swap_max == 0);
	assert_true(spec->cpu_weight == 300);
	assert_true(spec->cpu_shares == 0);
	spec_free(spec);
	spec = NULL;
	free(err);
	assert_int_equal(RUN(&g, &spec, &err, "--cpu-weight", "0", "--memory-swap", "1X", "x"),
			 -EINVAL);
	assert_non_null(
	    strstr(err, "--cpu-weight: invalid value '0' (an integer from 1 to 10000)"));
	assert_non_null(strstr(err, "--memory-swap: invalid size '1X' (use e.g. 512M, 2G)"));
	spec_free(spec);
	spec = NULL;
	free(err);
	assert_int_equal(RUN(&g, &spec, &err, "--cpu-weight", "5", "--cpu-shares", "5", "x"),
			 -EINVAL);
	assert_non_null(strstr(err, "CPUWeight: cannot be combined with CPUShares="));
}

static void test_file_form_overrides(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "-m", "1G", "-t", "-e", "PORT=9090", "-e", "NEW=1",
			     "--cpuset", "0", "--name", "other", "web.container", "--", "extra",
			     "a b"),
			 0);
	assert_string_equal(err, "");
	assert_string_equal(spec->source, "web.container");
	assert_strv(spec->argv, "python3", "-m", "http.server", "8080", "extra", "a b", NULL);
	assert_true(spec->memory_max == 1ULL << 30);
	assert_int_equal(spec->origin[SPEC_KEY_MEMORY].line, 0);
	assert_true(spec->tty);
	assert_true(spec->cpu_shares == 512); /* from the file */
	assert_int_equal(spec->origin[SPEC_KEY_CPU_SHARES].line, 6);
	assert_string_equal(spec->name, "other");
	assert_string_equal(spec->hostname, "web");
	assert_strv(spec->env, "PORT=9090", "GREETING=hello world", "NEW=1", NULL);
}

/*
 * --cap-add/--cap-drop: repeatable, any case, with or without CAP_, ALL; they
 * fold over the file's set (Capabilities=, AddCapabilities=,
 * DropCapabilities=) and win for the capabilities they name.
 */
static void test_capability_options(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL, *e2 = NULL, *e3 = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE",
			     "--", "true"),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(spec->capabilities, 1ULL << 10);
	assert_string_equal(spec->origin[SPEC_KEY_ADD_CAPABILITIES].option, "--cap-add");
	spec_free(spec);
	spec = NULL;
	free(err);
	assert_int_equal(RUN(&g, &spec, &err, "--cap-drop", "chown", "--cap-drop", "CAP_KILL",
			     "--cap-add", "sys_admin,Net_Admin", "true"),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(spec->capabilities,
			 (SPEC_CAPS_DEFAULT & ~((1ULL << 0) | (1ULL << 5))) | (1ULL << 21) |
			     (1ULL << 12));
	spec_free(spec);
	spec = NULL;
	free(err);
	/* The file drops NET_RAW and adds SYS_ADMIN; the options say the opposite and win. */
	assert_int_equal(RUN(&g, &spec, &err, "--cap-add", "net_raw", "--cap-drop", "SYS_ADMIN",
			     "caps.container"),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(spec->capabilities, SPEC_CAPS_DEFAULT | (1ULL << 12));
	spec_free(spec);
	spec = NULL;
	free(err);
	assert_int_equal(RUN(&g, &spec, &err, "caps.container"), 0);
	assert_int_equal(spec->capabilities, ((SPEC_CAPS_DEFAULT & ~(1ULL << 13)) | (1ULL << 21) |
					      (1ULL << 12)));
	spec_free(spec);
	spec = NULL;
	/* Errors: one line each, a usage error. */
	assert_int_equal(RUN(&g, &spec, &e2, "--cap-add", "NET_BOGUS", "--cap-drop", "2", "true"),
			 -EINVAL);
	assert_string_equal(e2, "mdlaunch: error: --cap-add: unknown capability 'NET_BOGUS' "
				"(capability names such as NET_ADMIN or CAP_NET_ADMIN, or all, "
				"none)\n"
				"mdlaunch: error: --cap-drop: unknown capability '2' (capability names "
				"such as NET_ADMIN or CAP_NET_ADMIN, or all, none)\n");
	assert_int_equal(RUN(&g, &spec, &e3, "--cap-add", "kill", "--cap-drop", "net_raw,KILL",
			     "true"),
			 -EINVAL);
	assert_string_equal(e3, "mdlaunch: error: --cap-drop: 'cap_kill' is also given to "
				"--cap-add\n");
	assert_null(spec);
}

static void test_file_form_plain(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "minimal.container"), 0);
	assert_string_equal(err, "");
	assert_strv(spec->argv, "/bin/true", NULL);
	assert_string_equal(spec->name, "minimal");
	spec_free(spec);
	spec = NULL;
	free(err);
	/* After "--" an argument ending in .container is a COMMAND. */
	assert_int_equal(RUN(&g, &spec, &err, "--", "minimal.container", "x"), 0);
	assert_string_equal(err, "");
	assert_null(spec->source);
	assert_strv(spec->argv, "minimal.container", "x", NULL);
	assert_string_equal(spec->name, "minimal.container");
}

static void test_usage_errors(void **state)
{
	struct global_options g = { .log_level = -1 };
	struct container_spec *spec = NULL;
	_cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL, *e6 = NULL,
			    *e7 = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &e1, "-m", "12x", "--cpushare", "1", "--bogus", "-e", "1=2",
			     "-x", "--cpuset", "2-1", "--name", "a b", "--hostname", "a/b",
			     "--log-level", "loud", "true"),
			 -EINVAL);
	assert_string_equal(e1,
			    "mdlaunch: error: --memory: invalid size '12x' (use e.g. 512M, 2G)\n"
			    "mdlaunch: error: --cpushare: invalid value '1' (an integer from 2 "
			    "to 262144)\n"
			    "mdlaunch: error: run: unknown option '--bogus' (see mdlaunch run "
			    "--help)\n"
			    "mdlaunch: error: --env: invalid assignment '1=2' (use KEY=VALUE, "
			    "KEY made of A-Z a-z 0-9 _ and not starting with a digit)\n"
			    "mdlaunch: error: run: unknown option '-x' (see mdlaunch run "
			    "--help)\n"
			    "mdlaunch: error: --cpuset: invalid CPU list '2-1' (use a CPU list "
			    "such as 0-2,4)\n"
			    "mdlaunch: error: --name: invalid name 'a b' (1 to 64 characters "
			    "from A-Z a-z 0-9 _ . -)\n"
			    "mdlaunch: error: --hostname: invalid hostname 'a/b' (1 to 64 "
			    "bytes, no '/')\n"
			    "mdlaunch: error: --log-level: unknown level 'loud' (use error, "
			    "warn, info or debug)\n");
	assert_null(spec);
	assert_int_equal(RUN(&g, &spec, &e2, "-m"), -EINVAL);
	assert_string_equal(e2, "mdlaunch: error: run: option '-m' requires an argument\n");
	assert_int_equal(RUN(&g, &spec, &e3, "--memory"), -EINVAL);
	assert_string_equal(e3, "mdlaunch: error: run: option '--memory' requires an argument\n");
	assert_int_equal(RUN(&g, &spec, &e4, "-t"), -EINVAL);
	assert_string_equal(e4, "mdlaunch: error: run: no FILE.container or COMMAND given (see "
				"mdlaunch run --help)\n");
	assert_int_equal(RUN(&g, &spec, &e5, "web.container", "extra"), -EINVAL);
	assert_string_equal(e5, "mdlaunch: error: run: unexpected argument 'extra' after "
				"'web.container' (put -- before arguments for Command=)\n");
	assert_int_equal(RUN(&g, &spec, &e6, "nope.container"), -ENOENT);
	assert_string_equal(
	    e6, "mdlaunch: error: cannot open 'nope.container': No such file or directory\n");
	assert_int_equal(RUN(&g, &spec, &e7, "-m", "99999999999T", "true"), -EINVAL);
	assert_string_equal(e7, "mdlaunch: error: --memory: size '99999999999T' out of range (1 "
				"byte to 16777215T, or max)\n");
	assert_null(spec);
}

static void test_file_errors_pass_through(void **state)
{
	struct global_options g = { .log_level = -1 };
	struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "-m", "1G", "errors.container"), -EINVAL);
	assert_non_null(strstr(err, "errors.container:3: Memory: invalid size '12x' (use e.g. "
				    "512M, 2G)\n"));
	assert_null(spec);
}

static void test_validate_after_options(void **state)
{
	struct global_options g = { .log_level = -1 };
	struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL, *want = NULL, *online = NULL;

	(void)state;
	if (read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", 4096, &online) < 0 ||
	    strstr(online, "8191"))
		skip();
	want = strdup_printf("mdlaunch: error: CPUSet: CPU 8191 is not online (online: %s)\n",
			     strstrip(online));
	assert_int_equal(RUN(&g, &spec, &err, "--cpuset", "8191", "web.container"), -EINVAL);
	assert_string_equal(err, want);
}

static void test_log_options(void **state)
{
	struct global_options g = { .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(RUN(&g, &spec, &err, "--verbose", "--verbose", "true"), 0);
	assert_int_equal(g.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(log_max_level, LOG_LEVEL_DEBUG);
	spec_free(spec);
	spec = NULL;
	free(err);
	g.log_level = -1;
	assert_int_equal(RUN(&g, &spec, &err, "--log-level", "error", "--verbose", "true"), 0);
	assert_int_equal(g.log_level, LOG_LEVEL_INFO);
	spec_free(spec);
	spec = NULL;
	free(err);
	/* The global file's log_level applies only when the command line set none. */
	g.log_level = -1;
	log_max_level = LOG_LEVEL_WARN;
	{
		char *argv[] = { "run", "--config", "good.conf", "true", NULL };

		capture_begin();
		assert_int_equal(config_from_cli(4, argv, &g, &spec), 0);
		err = capture_end();
	}
	assert_int_equal(log_max_level, LOG_LEVEL_DEBUG);
	assert_int_equal(spec->namespaces, NS_UTS | NS_PID | NS_MOUNT);
	spec_free(spec);
	spec = NULL;
	free(err);
	g.log_level = LOG_LEVEL_ERROR;
	log_max_level = LOG_LEVEL_ERROR;
	{
		char *argv[] = { "run", "--config", "good.conf", "true", NULL };

		capture_begin();
		assert_int_equal(config_from_cli(4, argv, &g, &spec), 0);
		err = capture_end();
	}
	assert_int_equal(log_max_level, LOG_LEVEL_ERROR);
}

static void test_help(void **state)
{
	struct global_options g = { .log_level = -1 };
	struct container_spec *spec = NULL;
	char *argv[] = { "run", "-t", "--help", "true", NULL };
	_cleanup_free_ char *out = NULL;

	(void)state;
	capture_fd_begin(STDOUT_FILENO);
	assert_int_equal(config_from_cli(4, argv, &g, &spec), 1);
	out = capture_fd_end(STDOUT_FILENO);
	assert_null(spec);
	assert_ptr_equal(strstr(out, "Usage: mdlaunch run [OPTIONS] FILE.container [-- ARG...]\n"),
			 out);
	assert_non_null(strstr(out, "  -m, --memory SIZE "));
	assert_non_null(strstr(out, "--cpushare N"));
	assert_non_null(strstr(out, "-e, --env KEY=VALUE"));
}

static int setup(void **state)
{
	(void)state;
	log_max_level = LOG_LEVEL_WARN;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_command_form, setup),
		cmocka_unit_test_setup(test_command_form_name, setup),
		cmocka_unit_test_setup(test_swap_and_weight_options, setup),
		cmocka_unit_test_setup(test_file_form_overrides, setup),
		cmocka_unit_test_setup(test_capability_options, setup),
		cmocka_unit_test_setup(test_file_form_plain, setup),
		cmocka_unit_test_setup(test_usage_errors, setup),
		cmocka_unit_test_setup(test_file_errors_pass_through, setup),
		cmocka_unit_test_setup(test_validate_after_options, setup),
		cmocka_unit_test_setup(test_log_options, setup),
		cmocka_unit_test_setup(test_help, setup),
	};

	if (chdir("tests/unit/data") < 0) {
		fprintf(stderr, "run from the top of the source tree\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
