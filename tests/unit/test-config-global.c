/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the mdlaunch.conf loader (config-global.c): a complete file,
 * syntax errors, unknown settings and wrong types, each with its file:line,
 * and the shipped conf/mdlaunch.conf, which must load and change nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

static char topdir[PATH_MAX];

/* Loads @path (relative to tests/unit/data) into a fresh spec; checks r and stderr. */
static struct container_spec *load(const char *path, int want_r, const char *want_err,
				   int *ret_level)
{
	struct container_spec *spec = spec_new();
	_cleanup_free_ char *err = NULL;
	int r, level = -5;

	assert_non_null(spec);
	capture_begin();
	r = config_load_global(path, spec, &level);
	err = capture_end();
	assert_string_equal(err, want_err);
	assert_int_equal(r, want_r);
	if (r < 0)
		assert_int_equal(level, -5); /* ret_ untouched on failure */
	if (ret_level)
		*ret_level = level;
	return spec;
}

static void test_good(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	int level;

	(void)state;
	spec = load("good.conf", 0, "", &level);
	assert_int_equal(level, LOG_LEVEL_DEBUG);
	assert_int_equal(spec->namespaces, NS_UTS | NS_PID | NS_MOUNT);
	assert_string_equal(spec->path, "/opt/bin:/usr/bin:/bin");
	assert_string_equal(spec->cgroup_parent, "services/containers");
}

static void test_shipped_default_file(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *path = strdup_printf("%s/conf/mdlaunch.conf", topdir);
	_cleanup_free_ char *err = NULL;
	int level = -5;

	(void)state;
	spec = spec_new();
	capture_begin();
	assert_int_equal(config_load_global(path, spec, &level), 0);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(level, -1);
	assert_int_equal(spec->namespaces, NS_ALL);
	assert_string_equal(spec->path, SPEC_DEFAULT_PATH);
	assert_null(spec->cgroup_parent);
}

static void test_syntax_error(void **state)
{
	(void)state;
	spec_free(load("syntax.conf", -EINVAL, "syntax.conf:2: syntax error\n", NULL));
}

static void test_unknown_setting(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load("unknown.conf", -EINVAL,
		    "unknown.conf:3: unknown setting 'memory' (known: log_level, namespaces, path, "
		    "cgroup_parent, capabilities, strict_permissions, init, stop_timeout, "
		    "network_config_dirs, cni_path, cni_timeout)\n",
		    NULL);
}

static void test_wrong_types(void **state)
{
	(void)state;
	spec_free(load("wrongtype.conf", -EINVAL,
		       "wrongtype.conf:1: log_level: expected a string, got an integer\n"
		       "wrongtype.conf:3: namespaces: element 2: expected a string, got an "
		       "integer\n"
		       "wrongtype.conf:3: namespaces: unknown namespace 'user' (use any of: uts "
		       "pid mount net ipc)\n"
		       "wrongtype.conf:4: path: expected a string, got a boolean\n"
		       "wrongtype.conf:5: cgroup_parent: invalid path '../escape' (no '..' "
		       "components)\n"
		       "wrongtype.conf:6: unknown setting 'extra' (known: log_level, namespaces, "
		       "path, cgroup_parent, capabilities, strict_permissions, init, "
		       "stop_timeout, network_config_dirs, cni_path, cni_timeout)\n",
		       NULL));
}

static void test_network_settings(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load("network.conf", 0, "", NULL);
	assert_int_equal(strv_length(spec->network_config_dirs), 2);
	assert_string_equal(spec->network_config_dirs[0], "/srv/net.d");
	assert_string_equal(spec->network_config_dirs[1], "/etc/cni/net.d");
	assert_int_equal(strv_length(spec->cni_path), 1);
	assert_string_equal(spec->cni_path[0], "/opt/cni/bin");
	assert_int_equal(spec->cni_timeout, 5);
	spec_free(load("network-bad.conf", -EINVAL,
		       "network-bad.conf:1: network_config_dirs: 'relative/dir' is not an absolute "
		       "directory (no ':')\n"
		       "network-bad.conf:2: cni_path: '/a:/b' is not an absolute directory (no ':')\n"
		       "network-bad.conf:2: cni_path: element 2: expected a string, got an integer\n"
		       "network-bad.conf:3: cni_timeout: 0 out of range (1 to 3600 seconds)\n",
		       NULL));
}

static void test_network_defaults(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();

	(void)state;
	assert_non_null(spec);
	assert_string_equal(spec->network_config_dirs[0], "/etc/mdlaunch/net.d");
	assert_string_equal(spec->network_config_dirs[1], "/etc/cni/net.d");
	assert_string_equal(spec->cni_path[0], "/usr/lib/cni");
	assert_string_equal(spec->cni_path[1], "/opt/cni/bin");
	assert_int_equal(spec->cni_timeout, 30);
	assert_null(spec->network);
}

static void test_include_refused(void **state)
{
	(void)state;
	spec_free(load("include.conf", -EINVAL,
		       "include.conf:2: @include is not supported in this file\n", NULL));
}

static void test_missing_files(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	int level = -5;

	(void)state;
	spec_free(load("nope.conf", -ENOENT,
		       "mdlaunch: error: cannot open 'nope.conf': No such file or directory\n",
		       NULL));
	spec_free(
	    load(".", -EINVAL, "mdlaunch: error: cannot load '.': not a regular file\n", NULL));
	/* The default path is optional (and absent on a build machine, or it is used). */
	if (access(CONFIG_GLOBAL_DEFAULT_PATH, F_OK) == 0)
		skip();
	spec = load(NULL, 0, "", &level);
	assert_int_equal(level, -1);
}

static void test_namespace_string_and_empty(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	FILE *f;

	(void)state;
	f = fopen("/proc/self/cwd/ns.conf.tmp", "we");
	assert_non_null(f);
	fputs("namespaces = \"net,ipc\";\ncgroup_parent = \"\";\nlog_level = \"nope\";\n", f);
	fclose(f);
	spec_free(load("ns.conf.tmp", -EINVAL,
		       "ns.conf.tmp:3: log_level: unknown level 'nope' (use error, warn, info or "
		       "debug)\n",
		       NULL));
	f = fopen("ns.conf.tmp", "we");
	assert_non_null(f);
	fputs("namespaces = \"net,ipc\";\ncgroup_parent = \"\";\n", f);
	fclose(f);
	spec = load("ns.conf.tmp", 0, "", NULL);
	assert_int_equal(spec->namespaces, NS_NET | NS_IPC);
	assert_null(spec->cgroup_parent);
	unlink("ns.conf.tmp");
	spec_free(spec);
	spec = NULL;
	f = fopen("ns.conf.tmp", "we");
	assert_non_null(f);
	fputs("namespaces = [];\n", f);
	fclose(f);
	spec = load("ns.conf.tmp", 0, "", NULL);
	assert_int_equal(spec->namespaces, 0);
	unlink("ns.conf.tmp");
}

/* Writes @text to caps.conf.tmp and loads it. */
static struct container_spec *load_text(const char *text, int want_r, const char *want_err)
{
	struct container_spec *spec;
	FILE *f = fopen("caps.conf.tmp", "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	spec = load("caps.conf.tmp", want_r, want_err, NULL);
	unlink("caps.conf.tmp");
	return spec;
}

/* capabilities = [...] or "..." sets the default set; names with or without CAP_, any case. */
static void test_capabilities(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = load_text("capabilities = [\"CHOWN\", \"cap_kill\", \"Net_Raw\"];\n", 0, "");
	assert_int_equal(spec->capabilities, (1ULL << 0) | (1ULL << 5) | (1ULL << 13));
	spec_free(spec);
	spec = load_text("capabilities = \"none\";\n", 0, "");
	assert_int_equal(spec->capabilities, 0);
	spec_free(spec);
	spec = load_text("capabilities = [];\n", 0, "");
	assert_int_equal(spec->capabilities, 0);
	spec_free(spec);
	spec = spec_new();
	assert_int_equal(spec->capabilities, SPEC_CAPS_DEFAULT);
	spec_free(spec);
	spec_free(load_text("\ncapabilities = (\"CHOWN\", \"bogus\", 3);\n", -EINVAL,
			    "caps.conf.tmp:2: capabilities: invalid capability 'bogus' (capability "
			    "names such as NET_ADMIN or CAP_NET_ADMIN, or all, none)\n"
			    "caps.conf.tmp:2: capabilities: element 3: expected a string, got an "
			    "integer\n"));
	spec_free(load_text("capabilities = true;\n", -EINVAL,
			    "caps.conf.tmp:1: capabilities: expected an array of strings or a "
			    "string, got a boolean\n"));
}

/* strict_permissions = false turns the trust check off; the settings record their line. */
static void test_strict_permissions_and_origin(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = spec_new();
	assert_true(spec->strict_permissions);
	spec_free(spec);
	spec = load_text("strict_permissions = false;\nnamespaces = \"pid\";\n", 0, "");
	assert_false(spec->strict_permissions);
	assert_string_equal(spec_origin_file(spec, SPEC_KEY_NAMESPACES), "caps.conf.tmp");
	assert_int_equal(spec->origin[SPEC_KEY_NAMESPACES].line, 2);
	assert_null(spec_origin_file(spec, SPEC_KEY_CAPABILITIES));
	spec_free(spec);
	spec_free(load_text("strict_permissions = \"no\";\n", -EINVAL,
			    "caps.conf.tmp:1: strict_permissions: expected true or false, got a "
			    "string\n"));
}

/* init and stop_timeout set the defaults of Init= and StopTimeout= for every container. */
static void test_init_and_stop_timeout(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = load_text("init = true;\nstop_timeout = 30;\n", 0, "");
	assert_true(spec->init);
	assert_int_equal(spec->stop_timeout, 30);
	assert_int_equal(spec->origin[SPEC_KEY_STOP_TIMEOUT].line, 2);
	spec_free(spec);
	spec_free(load_text("init = 1;\nstop_timeout = -1;\n", -EINVAL,
			    "caps.conf.tmp:1: init: expected true or false, got an integer\n"
			    "caps.conf.tmp:2: stop_timeout: -1 out of range (0 to 86400 seconds; 0 "
			    "waits forever)\n"));
	spec_free(load_text("stop_timeout = \"10\";\n", -EINVAL,
			    "caps.conf.tmp:1: stop_timeout: expected an integer, got a string\n"));
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
		cmocka_unit_test_setup(test_good, setup),
		cmocka_unit_test_setup(test_shipped_default_file, setup),
		cmocka_unit_test_setup(test_syntax_error, setup),
		cmocka_unit_test_setup(test_unknown_setting, setup),
		cmocka_unit_test_setup(test_wrong_types, setup),
		cmocka_unit_test_setup(test_network_settings, setup),
		cmocka_unit_test_setup(test_network_defaults, setup),
		cmocka_unit_test_setup(test_include_refused, setup),
		cmocka_unit_test_setup(test_missing_files, setup),
		cmocka_unit_test_setup(test_namespace_string_and_empty, setup),
		cmocka_unit_test_setup(test_capabilities, setup),
		cmocka_unit_test_setup(test_strict_permissions_and_origin, setup),
		cmocka_unit_test_setup(test_init_and_stop_timeout, setup),
	};

	if (!getcwd(topdir, sizeof(topdir)) || chdir("tests/unit/data") < 0) {
		fprintf(stderr, "run from the top of the source tree\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
