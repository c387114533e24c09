/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the .container loader (config-container.c) and of
 * config_validate(): every value and every error, asserting both the spec
 * fields and the exact "file:line: ..." lines written to stderr.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

static char datadir[PATH_MAX];
static char tmpdir[] = "/tmp/test-config-container.XXXXXX";

static void write_text(const char *name, const char *text, size_t len)
{
	FILE *f = fopen(name, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Loads and validates @name (relative to the cwd); *ret_err gets stderr. */
static int load(const char *name, struct container_spec **ret, char **ret_err)
{
	struct container_spec *spec = spec_new();
	int r;

	assert_non_null(spec);
	capture_begin();
	r = config_load_container(name, spec);
	if (r == 0)
		r = config_validate(spec, true);
	*ret_err = capture_end();
	*ret = spec;
	return r;
}

/* Writes @text into @name in the temp dir, loads it, checks the result and stderr. */
static struct container_spec *load_text(const char *name, const char *text, int want_r,
					const char *want_err)
{
	struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;
	int r;

	write_text(name, text, strlen(text));
	r = load(name, &spec, &err);
	assert_string_equal(err, want_err);
	assert_int_equal(r, want_r);
	return spec;
}

static struct container_spec *load_fixture(const char *name, int want_r, char **ret_err)
{
	struct container_spec *spec = NULL;
	char cwd[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(datadir), 0);
	assert_int_equal(load(name, &spec, ret_err), want_r);
	assert_int_equal(chdir(cwd), 0);
	return spec;
}

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

static void test_web_example(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	spec = load_fixture("web.container", 0, &err);
	assert_string_equal(err, "");
	assert_string_equal(spec->name, "web");
	assert_string_equal(spec->source, "web.container");
	assert_strv(spec->argv, "python3", "-m", "http.server", "8080", NULL);
	assert_false(spec->tty);
	assert_true(spec->memory_max == 256ULL << 20);
	assert_true(spec->cpu_shares == 512);
	assert_string_equal(spec->cpuset, "0");
	assert_string_equal(spec->hostname, "web");
	assert_strv(spec->env, "PORT=8080", "GREETING=hello world", NULL);
	assert_string_equal(spec->path, SPEC_DEFAULT_PATH);
	assert_int_equal(spec->namespaces, NS_ALL);
	assert_int_equal(spec->origin[SPEC_KEY_COMMAND].line, 3);
	assert_int_equal(spec->origin[SPEC_KEY_NAMESPACES].line, 10);
	assert_null(spec->cgroup_parent);
}

static void test_defaults(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	spec = load_fixture("minimal.container", 0, &err);
	assert_string_equal(err, "");
	assert_string_equal(spec->name, "minimal");
	assert_null(spec->hostname);
	assert_string_equal(spec_hostname(spec), "minimal");
	assert_strv(spec->argv, "/bin/true", NULL);
	assert_false(spec->tty);
	assert_true(spec->memory_max == SPEC_MEMORY_UNSET);
	assert_true(spec->cpu_shares == 0);
	assert_null(spec->cpuset);
	assert_null(spec->env);
	assert_int_equal(spec->namespaces, NS_ALL);
}

/* iniparser would cut at ';'/'#' and drop text after a quoted word: the scan does not. */
static void test_quoting_runs_as_written(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	spec = load_fixture("quoting.container", 0, &err);
	assert_string_equal(err, "");
	assert_strv(spec->argv, "sh", "-c", "echo a; echo b # c", "", "/bin/my prog", "arg\tx",
		    NULL);
	assert_strv(spec->env, "A=x;y", "B=#not a comment", "C=3", NULL);
	assert_int_equal(spec->origin[SPEC_KEY_ENVIRONMENT].line, 4);
}

static void test_all_errors_in_one_pass(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	spec = load_fixture("errors.container", -EINVAL, &err);
	assert_string_equal(
	    err, "errors.container:3: Memory: invalid size '12x' (use e.g. 512M, 2G)\n"
		 "errors.container:4: CPUShares: invalid value '1' (an integer from 2 to 262144)\n"
		 "errors.container:5: Tty: invalid boolean 'maybe' (use true/false, yes/no, on/off "
		 "or 1/0)\n"
		 "errors.container:6: unknown key 'Memroy' in [Container] (did you mean "
		 "'Memory'?)\n"
		 "errors.container:7: Memory: duplicate key, first set at line 3\n"
		 "errors.container:8: unknown key 'Foo' in [Container]\n"
		 "errors.container:9: CPUSet: invalid CPU list '3-1' (use a CPU list such as "
		 "0-2,4)\n"
		 "errors.container:10: Namespaces: invalid namespace list 'uts user' (use any of: "
		 "uts pid mount net ipc cgroup)\n"
		 "errors.container:11: Environment: invalid assignment '1A=x' (use KEY=VALUE, KEY "
		 "made of A-Z a-z 0-9 _ and not starting with a digit)\n"
		 "errors.container:13: Name: invalid name 'my web' (1 to 64 characters from A-Z "
		 "a-z 0-9 _ . -)\n"
		 "errors.container:14: Hostname: invalid hostname 'a/b' (1 to 64 bytes, no '/')\n"
		 "errors.container:15: unknown section [Network] (the sections are "
		 "[Container], [Unit], [Service] or [Install])\n");
}

static void test_cannot_open(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(load("nope.container", &spec, &err), -ENOENT);
	assert_string_equal(
	    err, "mdlaunch: error: cannot open 'nope.container': No such file or directory\n");
}

static void test_not_regular(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(mkdir("dir.container", 0755), 0);
	assert_int_equal(load("dir.container", &spec, &err), -EISDIR);
	assert_string_equal(err, "mdlaunch: error: cannot open 'dir.container': Is a directory\n");
}

/* A FIFO is refused at once: opening it must not wait for a writer. */
static void test_fifo_does_not_hang(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(mkfifo("fifo.container", 0644), 0);
	alarm(5); /* a hang fails the test (SIGALRM) instead of the suite */
	assert_int_equal(load("fifo.container", &spec, &err), -EINVAL);
	alarm(0);
	assert_string_equal(err,
			    "mdlaunch: error: cannot load 'fifo.container': not a regular file\n");
}

static void test_missing_and_empty_command(void **state)
{
	(void)state;
	spec_free(load_text("nocmd.container", "[Container]\nTty = yes\n", -EINVAL,
			    "nocmd.container: missing Command= in [Container] (it is required)\n"));
	spec_free(load_text("emptycmd.container", "[Container]\nCommand =\n", -EINVAL,
			    "emptycmd.container:2: Command: empty, a command is required\n"));
	spec_free(load_text("emptyword.container", "[Container]\nCommand = \"\" x\n", -EINVAL,
			    "emptyword.container:2: Command: empty program name in '\"\" x'\n"));
	spec_free(load_text("empty.container", "", -EINVAL,
			    "empty.container: missing Command= in [Container] (it is required)\n"));
}

static void test_key_outside_section(void **state)
{
	(void)state;
	spec_free(
	    load_text("outside.container", "Command = true\n[Container]\nTty = 1\n", -EINVAL,
		      "outside.container:1: key 'Command' outside of a section (add "
		      "[Container] above it)\n"
		      "outside.container: missing Command= in [Container] (it is required)\n"));
}

static void test_syntax_errors(void **state)
{
	(void)state;
	/* One message per line: iniparser's own report of line 3 is not repeated. */
	spec_free(load_text("syntax.container",
			    "[Container]\nCommand = true\ngarbage line\n[Container\n= x\n[]\n",
			    -EINVAL,
			    "syntax.container:3: expected 'Key = value', '[Section]' or a "
			    "comment, got 'garbage line'\n"
			    "syntax.container:4: invalid section header '[Container' (use "
			    "[Container], [Unit], [Service] or [Install])\n"
			    "syntax.container:5: expected 'Key = value', '[Section]' or a "
			    "comment, got '= x'\n"
			    "syntax.container:6: invalid section header '[]' (use [Container], "
			    "[Unit], [Service] or [Install])\n"));
}

static void test_unknown_key_suggestions(void **state)
{
	(void)state;
	spec_free(load_text("typo.container",
			    "[Container]\nComand = true\nCPUShare = 2\nHostnme = x\nZzzzzz = 1\n",
			    -EINVAL,
			    "typo.container:2: unknown key 'Comand' in [Container] (did you mean "
			    "'Command'?)\n"
			    "typo.container:3: unknown key 'CPUShare' in [Container] (did you mean "
			    "'CPUShares'?)\n"
			    "typo.container:4: unknown key 'Hostnme' in [Container] (did you mean "
			    "'Hostname'?)\n"
			    "typo.container:5: unknown key 'Zzzzzz' in [Container]\n"
			    "typo.container: missing Command= in [Container] (it is required)\n"));
}

static void test_duplicates_case_insensitive(void **state)
{
	(void)state;
	spec_free(load_text("dup.container",
			    "[Container]\nCommand = true\n\n# comment\nCOMMAND = false\n"
			    "[container]\ncommand = x\n",
			    -EINVAL,
			    "dup.container:5: Command: duplicate key, first set at line 2\n"
			    "dup.container:7: Command: duplicate key, first set at line 2\n"));
}

static void test_x_keys_and_comments(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load_text("x.container",
			 "# a comment\n  ; another\n[Container]\nX-Foo = 1\nx-foo = 2\n"
			 "X-Bar = a ; b # c\nCommand = true\n",
			 0, "");
	assert_strv(spec->argv, "true", NULL);
}

static void test_empty_value_resets(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load_text("reset.container",
			 "[Container]\nCommand = true\nMemory =\nCPUShares=\nCPUSet =\n"
			 "Hostname=\nEnvironment=\nNamespaces=\nName=\nTty=\n",
			 0, "");
	assert_true(spec->memory_max == SPEC_MEMORY_UNSET);
	assert_true(spec->cpu_shares == 0);
	assert_null(spec->cpuset);
	assert_null(spec->hostname);
	assert_null(spec->env);
	assert_int_equal(spec->namespaces, NS_ALL);
	assert_string_equal(spec->name, "reset");
	assert_false(spec->tty);
}

static void test_no_inline_comments(void **state)
{
	(void)state;
	spec_free(load_text("inline.container",
			    "[Container]\nCommand = true\nMemory = 256M # big\n", -EINVAL,
			    "inline.container:3: Memory: invalid size '256M # big' (use e.g. "
			    "512M, 2G)\n"));
}

static void test_value_errors(void **state)
{
	(void)state;
	spec_free(
	    load_text("values.container",
		      "[Container]\nCommand = sh -c \"a\nMemory = 99999999999T\nMemory = 0\n"
		      "CPUShares = 262145\nCPUSet = 0-99999\nEnvironment = PATH=\n"
		      "Hostname = 12345678901234567890123456789012345678901234567890123456789"
		      "0123456\nTty = 2\n",
		      -EINVAL,
		      "values.container:2: Command: unterminated quote in 'sh -c \"a'\n"
		      "values.container:3: Memory: size '99999999999T' out of range (1 byte "
		      "to 16777215T, or max)\n"
		      "values.container:4: Memory: duplicate key, first set at line 3\n"
		      "values.container:5: CPUShares: invalid value '262145' (an integer from "
		      "2 to 262144)\n"
		      "values.container:6: CPUSet: CPU number out of range in '0-99999' (at "
		      "most 8191)\n"
		      "values.container:7: Environment: PATH must not be empty\n"
		      "values.container:8: Hostname: invalid hostname "
		      "'123456789012345678901234567890123456789012345678901234567890123456' (1 "
		      "to 64 bytes, no '/')\n"
		      "values.container:9: Tty: invalid boolean '2' (use true/false, yes/no, "
		      "on/off or 1/0)\n"));
	spec_free(load_text("escape.container", "[Container]\nCommand = echo \\q\n", -EINVAL,
			    "escape.container:2: Command: invalid escape in 'echo \\q' (use \\\\, "
			    "\\\", \\', \\n, \\t, \\xNN, ...; no \\0)\n"));
}

static void test_continuation_lines(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load_text("cont.container",
			 "[Container]\nCommand = echo \\\n    one\\\n  two \\\n\n"
			 "Memory = 1G\\\n\nTty = yes\n",
			 0, "");
	/* Joined with a space, as systemd does: "one\" + "two" are two words. */
	assert_strv(spec->argv, "echo", "one", "two", NULL);
	assert_int_equal(spec->origin[SPEC_KEY_COMMAND].line, 2);
	assert_true(spec->memory_max == 1ULL << 30);
	assert_int_equal(spec->origin[SPEC_KEY_TTY].line, 8);
	assert_true(spec->tty);

	spec_free(load_text("contkey.container", "[Container]\nCommand = true\nX-A\\\nB = 1\n",
			    -EINVAL,
			    "contkey.container:3: the key is continued onto the next line (put "
			    "'Key =' on one line)\n"));
	spec_free(load_text("contend.container", "[Container]\nCommand = true \\\n", -EINVAL,
			    "contend.container:2: the file ends with a '\\' continuation and no "
			    "next line\n"));
	spec_free(
	    load_text("contcomment.container",
		      "[Container]\n# a comment \\\nCommand = a \\\n# inside\n", -EINVAL,
		      "contcomment.container:2: comment line ends with '\\' (it would swallow "
		      "the next line)\n"
		      "contcomment.container:4: comment line inside a continued line (remove "
		      "the '\\' on the line above)\n"));
}

static void test_long_lines(void **state)
{
	_cleanup_free_ char *text = malloc(4096);
	_cleanup_(spec_freep) struct container_spec *ok = NULL;
	int n;

	(void)state;
	assert_non_null(text);
	/* 1022 bytes of text fit iniparser's buffer, 1023 do not. */
	n = sprintf(text, "[Container]\nCommand = true\nX-Long = ");
	memset(text + n, 'x', 1022 - strlen("X-Long = "));
	strcpy(text + n + 1022 - strlen("X-Long = "), "\n");
	ok = load_text("long1022.container", text, 0, "");

	n = sprintf(text, "[Container]\nCommand = true\nEnvironment = A=");
	memset(text + n, 'x', 1500);
	strcpy(text + n + 1500, "\nMemory = 12x\n");
	spec_free(load_text("long.container", text, -EINVAL,
			    "long.container:3: line too long (1516 bytes; the limit is 1022 bytes, "
			    "continued lines counted together)\n"
			    "long.container:4: Memory: invalid size '12x' (use e.g. 512M, 2G)\n"));

	/* Continued lines share the buffer: 600 + 600 is too much for iniparser. */
	n = sprintf(text, "[Container]\nCommand = true\nX-A = ");
	memset(text + n, 'y', 600);
	n += 600;
	n += sprintf(text + n, " \\\n");
	memset(text + n, 'z', 600);
	strcpy(text + n + 600, "\n");
	spec_free(load_text("longcont.container", text, -EINVAL,
			    "longcont.container:4: line too long (1207 bytes; the limit is 1022 "
			    "bytes, continued lines counted together)\n"));
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[Container]\nCommand = a\0b\nTty = yes\n";
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	write_text("nul.container", text, sizeof(text) - 1);
	assert_int_equal(load("nul.container", &spec, &err), -EINVAL);
	assert_string_equal(err,
			    "nul.container:2: line contains a NUL byte\n"
			    "nul.container: missing Command= in [Container] (it is required)\n");
}

static void test_name_from_file(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec_free(load_text("my web.container", "[Container]\nCommand = true\n", -EINVAL,
			    "my web.container: cannot use the file name 'my web.container' as the "
			    "container name (1 to 64 characters from A-Z a-z 0-9 _ . -); set "
			    "Name=\n"));
	spec = load_text("my app.container", "[Container]\nCommand = true\nName = app\n", 0, "");
	assert_string_equal(spec->name, "app");
	assert_int_equal(spec->origin[SPEC_KEY_NAME].line, 3);
}

static void test_path_goes_to_spec_path(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load_text("path.container",
			 "[Container]\nCommand = true\nEnvironment = A=1 PATH=/opt/bin:/bin A=2\n",
			 0, "");
	assert_string_equal(spec->path, "/opt/bin:/bin");
	assert_strv(spec->env, "A=2", NULL);
}

static void test_validate_cpuset_offline(void **state)
{
	_cleanup_free_ char *online = NULL, *want = NULL;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	char buf[4096] = "";

	(void)state;
	if (!f)
		skip();
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	if (strstr(buf, "8191"))
		skip();
	want = strdup_printf("offline.container:3: CPUSet: CPU 8191 is not online (online: %s)\n",
			     buf);
	spec_free(load_text("offline.container", "[Container]\nCommand = true\nCPUSet = 0,8191\n",
			    -EINVAL, want));
}

/* MemorySwap= and CPUWeight=: values, their lines, and the cross-field rules. */
static void test_swap_and_weight(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	struct statfs fs;
	bool unified;

	(void)state;
	spec = load_text(
	    "sw.container",
	    "[Container]\nCommand = true\nMemory = 1G\nMemorySwap = 0\nCPUWeight = 250\n", 0, "");
	assert_true(spec->memory_swap_max == 0);
	assert_true(spec->cpu_weight == 250);
	assert_true(spec->cpu_shares == 0);
	assert_int_equal(spec->origin[SPEC_KEY_MEMORY_SWAP].line, 4);
	assert_int_equal(spec->origin[SPEC_KEY_CPU_WEIGHT].line, 5);
	spec_free(spec);
	spec = load_text("sw2.container",
			 "[Container]\nCommand = true\nMemory = 1G\nMemorySwap = max\n", 0, "");
	assert_true(spec->memory_swap_max == SPEC_MEMORY_INFINITY);
	assert_true(spec->cpu_weight == 0);

	spec_free(load_text("both.container",
			    "[Container]\nCommand = true\nCPUShares = 512\nCPUWeight = 50\n",
			    -EINVAL,
			    "both.container:4: CPUWeight: cannot be combined with CPUShares= (set "
			    "one of them)\n"));
	spec_free(
	    load_text("badw.container",
		      "[Container]\nCommand = true\nCPUWeight = 0\nMemorySwap = -1\n", -EINVAL,
		      "badw.container:3: CPUWeight: invalid value '0' (an integer from 1 to "
		      "10000)\n"
		      "badw.container:4: MemorySwap: invalid size '-1' (use e.g. 512M, 2G)\n"));
	spec_free(load_text("bigw.container", "[Container]\nCommand = true\nCPUWeight = 10001\n",
			    -EINVAL,
			    "bigw.container:3: CPUWeight: invalid value '10001' (an integer from 1 "
			    "to 10000)\n"));

	/* Swap alone: memory.swap.max on v2; v1 has only Memory + MemorySwap. */
	unified = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
	spec_free(load_text("swonly.container", "[Container]\nCommand = true\nMemorySwap = 64M\n",
			    unified ? 0 : -EINVAL,
			    unified
				? ""
				: "swonly.container:3: MemorySwap: needs Memory= on a cgroup v1 "
				  "host (the swap limit is written as Memory + MemorySwap to "
				  "memory.memsw.limit_in_bytes)\n"));
}

static void test_validate_warnings(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	spec = load_text("pid.container",
			 "[Container]\nCommand = true\nNamespaces = pid,uts\nHostname = h\n", 0,
			 "pid.container:3: warning: Namespaces: 'pid' without 'mount': the "
			 "container will see the host's /proc\n");
	assert_int_equal(spec->namespaces, NS_PID | NS_UTS);
	spec_free(load_text("nouts.container",
			    "[Container]\nCommand = true\nNamespaces = net\nHostname = h\n", 0,
			    "nouts.container:4: warning: Hostname: ignored, the container has no "
			    "uts namespace\n"));
}

static void test_validate_programmatic(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *err = NULL;
	int r;

	(void)state;
	assert_non_null(spec);
	capture_begin();
	r = config_validate(spec, true);
	err = capture_end();
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, "mdlaunch: error: Command: a command is required\n"
				 "mdlaunch: error: Name: no container name\n");
}

/*
 * Plain `check` judges the file, not this machine: offline CPUs, unknown
 * users and groups pass it; the host rules (`run`, `show`, `check --host`)
 * reject them at the key's file:line.
 */
static void test_host_rules_only_with_host(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL, *online = NULL, *want = NULL;
	struct global_options g = { .config_path = NULL, .log_level = -1 };
	const char *host_text = "[Container]\nCommand = true\nCPUSet = 8191\n"
				"User = no-such-user-xyz\nSupplementaryGroups = no-such-group-xyz\n"
				"AmbientCapabilities = NET_RAW\n";
	const char *amb_text = "[Container]\nCommand = true\nAmbientCapabilities = SYS_ADMIN\n";
	const char *fs_text = "[Container]\nCommand = true\nRootfs = /no-such-root-mdl\n"
			      "Volume = /no-such-dir-mdl:/data\n";
	const char *fs2_text = "[Container]\nCommand = true\nVolume = /no-such-dir-mdl:/data\n"
			       "Tmpfs = /data\n";
	int r;

	(void)state;
	if (read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", 4096, &online) < 0 ||
	    strstr(online, "8191"))
		skip();
	write_text("g0.conf", "", 0);
	g.config_path = "g0.conf";
	write_text("host.container", host_text, strlen(host_text));
	capture_begin();
	r = config_from_file("host.container", &g, false, &spec);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(r, 0);
	assert_non_null(spec);
	spec_free(spec);
	spec = NULL;
	free(err);
	capture_begin();
	r = config_from_file("host.container", &g, true, &spec);
	err = capture_end();
	assert_int_equal(r, -EINVAL);
	assert_null(spec);
	want = strdup_printf(
	    "host.container:3: CPUSet: CPU 8191 is not online (online: %s)\n"
	    "host.container:4: User: unknown user 'no-such-user-xyz' (not in /etc/passwd; a "
	    "numeric uid needs no entry)\n"
	    "host.container:5: SupplementaryGroups: unknown group 'no-such-group-xyz' (not in "
	    "/etc/group)\n",
	    strstrip(online));
	assert_string_equal(err, want);
	/* The file system: what exists is the host's; two mounts on one point are wrong anywhere. */
	spec_free(spec);
	spec = NULL;
	free(err);
	write_text("fs.container", fs_text, strlen(fs_text));
	capture_begin();
	r = config_from_file("fs.container", &g, false, &spec);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(r, 0);
	spec_free(spec);
	spec = NULL;
	free(err);
	capture_begin();
	r = config_from_file("fs.container", &g, true, &spec);
	err = capture_end();
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, "fs.container:3: Rootfs: cannot use '/no-such-root-mdl': No such "
				 "file or directory\n"
				 "fs.container:4: Volume: cannot use the host path '/no-such-dir-mdl': "
				 "No such file or directory\n");
	free(err);
	write_text("fs2.container", fs2_text, strlen(fs2_text));
	capture_begin();
	r = config_from_file("fs2.container", &g, false, &spec);
	err = capture_end();
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, "fs2.container:4: Tmpfs: '/data' is already a mount point (Volume= "
				 "at fs2.container:3)\n");
	/* A file rule still applies without the host: the ambient set within the set. */
	free(err);
	write_text("amb.container", amb_text, strlen(amb_text));
	capture_begin();
	r = config_from_file("amb.container", &g, false, &spec);
	err = capture_end();
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(err, "amb.container:3: AmbientCapabilities: 'cap_sys_admin' is not"));
}

static void test_config_from_file(void **state)
{
	struct global_options g = { .config_path = NULL, .log_level = -1 };
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *conf = NULL, *err = NULL;
	int r;

	(void)state;
	write_text("g.conf", "namespaces = [\"pid\", \"mount\"];\npath = \"/x\";\n", 44);
	write_text("ff.container", "[Container]\nCommand = true\n", 27);
	g.config_path = "g.conf";
	capture_begin();
	r = config_from_file("ff.container", &g, true, &spec);
	err = capture_end();
	assert_string_equal(err, "");
	assert_int_equal(r, 0);
	assert_int_equal(spec->namespaces, NS_PID | NS_MOUNT);
	assert_string_equal(spec->path, "/x");
	assert_strv(spec->argv, "true", NULL);
}

/* The least-privilege keys: values in the spec, every error with its file:line. */
static void test_privilege_keys(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = load_text("p.container",
			 "[Container]\nCommand = id\nAddCapabilities = sys_admin\n"
			 "Capabilities = CHOWN KILL\nDropCapabilities = KILL\n"
			 "AmbientCapabilities = CAP_CHOWN\nNoNewPrivileges = no\n"
			 "User = nobody:0\nSupplementaryGroups = 0 nogroup\n"
			 "WorkingDirectory = /tmp\nPidsLimit = 64\nLimitNOFILE = 100:200\n"
			 "LimitCORE = 0\nLimitSTACK = 8M:infinity\n",
			 0, "");
	assert_int_equal(spec->capabilities, (1ULL << 0) | (1ULL << 21));
	assert_int_equal(spec->ambient_caps, 1);
	assert_false(spec->no_new_privs);
	assert_int_equal(spec->uid, 65534);
	assert_int_equal(spec->gid, 0);
	assert_int_equal(spec->n_groups, 2);
	assert_int_equal(spec->groups[0], 0);
	assert_int_equal(spec->groups[1], 65534);
	assert_string_equal(spec->working_directory, "/tmp");
	assert_int_equal(spec->pids_max, 64);
	assert_true(spec->rlimits[SPEC_RLIMIT_NOFILE].set);
	assert_int_equal(spec->rlimits[SPEC_RLIMIT_NOFILE].soft, 100);
	assert_int_equal(spec->rlimits[SPEC_RLIMIT_NOFILE].hard, 200);
	assert_int_equal(spec->rlimits[SPEC_RLIMIT_STACK].hard, SPEC_RLIMIT_INFINITY);
	assert_false(spec->rlimits[SPEC_RLIMIT_AS].set);
	spec_free(spec);

	/* Defaults: docker's set, no_new_privs, the launcher's ids and cwd, nothing else. */
	spec = load_text("d.container", "[Container]\nCommand = id\n", 0, "");
	assert_int_equal(spec->capabilities, SPEC_CAPS_DEFAULT);
	assert_int_equal(spec->ambient_caps, 0);
	assert_true(spec->no_new_privs);
	assert_int_equal(spec->uid, geteuid());
	assert_int_equal(spec->n_groups, 0);
	assert_non_null(spec->working_directory);
	assert_int_equal(spec->working_directory[0], '/');
	assert_int_equal(spec->pids_max, 0);
	spec_free(spec);

	spec_free(load_text(
	    "e.container",
	    "[Container]\nCommand = id\nCapabilities = CHOWN bogus\n"
	    "AddCapabilities = all KILL\nPidsLimit = 0\nLimitNOFILE = 10:5\n"
	    "LimitNPROC = 1K\nUser = a b\nWorkingDirectory = tmp\n"
	    "SupplementaryGroups = ok b/d\n",
	    -EINVAL,
	    "e.container:3: Capabilities: unknown capability 'bogus' (capability names such "
	    "as NET_ADMIN or CAP_NET_ADMIN, or all, none)\n"
	    "e.container:4: AddCapabilities: 'all' and 'none' must stand alone in 'all KILL'\n"
	    "e.container:5: PidsLimit: invalid value '0' (a positive integer, or max)\n"
	    "e.container:6: LimitNOFILE: soft limit above the hard limit in '10:5'\n"
	    "e.container:7: LimitNPROC: invalid value '1K' (use SOFT[:HARD], each a number or "
	    "infinity)\n"
	    "e.container:8: User: invalid user 'a b' (use USER[:GROUP], names or numeric ids)\n"
	    "e.container:9: WorkingDirectory: 'tmp' is not an absolute path\n"
	    "e.container:10: SupplementaryGroups: invalid group 'b/d' (a name or a numeric "
	    "id)\n"));

	/* Host lookups and cross-field rules, at check time with file:line. */
	spec_free(load_text("h.container",
			    "[Container]\nCommand = id\nUser = no-such-user-here\n"
			    "Capabilities = CHOWN\nAmbientCapabilities = KILL\n"
			    "SupplementaryGroups = no-such-group-here\n",
			    -EINVAL,
			    "h.container:3: User: unknown user 'no-such-user-here' (not in "
			    "/etc/passwd; a numeric uid needs no entry)\n"
			    "h.container:6: SupplementaryGroups: unknown group "
			    "'no-such-group-here' (not in /etc/group)\n"
			    "h.container:5: AmbientCapabilities: 'cap_kill' is not in the "
			    "container's capability set (see Capabilities=, AddCapabilities=, "
			    "DropCapabilities=)\n"));
	spec_free(load_text("a.container",
			    "[Container]\nCommand = id\nAddCapabilities = KILL\n"
			    "DropCapabilities = kill\n",
			    -EINVAL,
			    "a.container:4: DropCapabilities: 'cap_kill' is also in "
			    "AddCapabilities= (line 3)\n"));
	/* A numeric uid needs no passwd entry; its gid is then the same number. */
	spec = load_text("n.container", "[Container]\nCommand = id\nUser = 4242\n", 0, "");
	assert_int_equal(spec->uid, 4242);
	assert_int_equal(spec->gid, 4242);
	spec_free(spec);
}

/* Writes @text into the drop-in @name of dropin.container.d (mode 0644). */
static void write_dropin(const char *name, const char *text)
{
	_cleanup_free_ char *path = strdup_printf("dropin.container.d/%s", name);

	(void)mkdir("dropin.container.d", 0755);
	write_text(path, text, strlen(text));
	assert_int_equal(chmod(path, 0644), 0);
}

static void remove_dropins(void)
{
	const char *names[] = { "10-a.conf",   "20-b.conf",    "30-c.conf",
				"ignored.txt", ".hidden.conf", "dir.conf" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *path = strdup_printf("dropin.container.d/%s", names[i]);

		(void)unlink(path);
		(void)rmdir(path);
	}
	(void)rmdir("dropin.container.d");
}

/*
 * Mask= and Unmask=: list keys. Repeated assignments add up, within a file
 * and across drop-ins; an empty one resets; each bad item is reported.
 */
static void test_mask_keys(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	remove_dropins();
	spec = load_text("mask.container",
			 "[Container]\nCommand = true\nMask = /proc/a:/proc/b\nMask = /sys/c\n"
			 "Unmask = /proc/timer_*\n",
			 0, "");
	assert_strv(spec->mask_paths, "/proc/a", "/proc/b", "/sys/c", NULL);
	assert_strv(spec->unmask_paths, "/proc/timer_*", NULL);
	assert_int_equal(spec->origin[SPEC_KEY_MASK].line, 4);
	spec = spec_free(spec);

	write_dropin("10-a.conf", "[Container]\nMask = /proc/d\nUnmask =\nUnmask = ALL\n");
	spec = load_text("dropin.container",
			 "[Container]\nCommand = true\nMask = /proc/a\nUnmask = /proc/sys\n", 0,
			 "");
	assert_strv(spec->mask_paths, "/proc/a", "/proc/d", NULL);
	assert_strv(spec->unmask_paths, "ALL", NULL);
	assert_string_equal(spec_origin_file(spec, SPEC_KEY_MASK), "dropin.container.d/10-a.conf");
	spec = spec_free(spec);
	remove_dropins();

	spec = load_text("badmask.container",
			 "[Container]\nCommand = true\nMask = /ok:rel/path\nMask = /a/../b\n"
			 "Unmask = /proc/./x\n",
			 -EINVAL,
			 "badmask.container:3: Mask: invalid path 'rel/path' (colon-separated "
			 "absolute paths, e.g. /proc/foo:/sys/bar)\n"
			 "badmask.container:4: Mask: invalid path '/a/../b' (colon-separated "
			 "absolute paths, e.g. /proc/foo:/sys/bar)\n"
			 "badmask.container:5: Unmask: invalid path '/proc/./x' (ALL, or "
			 "colon-separated absolute paths or patterns such as /proc/*)\n");
}

/*
 * Drop-ins: read in lexical order after the file, each overriding the last
 * value; an empty value resets to the default; only regular *.conf files;
 * provenance is file and line.
 */
static void test_dropins(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;

	(void)state;
	remove_dropins();
	write_dropin("20-b.conf", "[Container]\nMemory = 2G\nHostname =\n");
	write_dropin("10-a.conf", "[Container]\n# host override\nMemory = 1G\nCPUShares = 100\n");
	write_dropin("ignored.txt", "[Container]\nMemory = 3G\n");
	write_dropin(".hidden.conf", "[Container]\nMemory = 4G\n");
	assert_int_equal(mkdir("dropin.container.d/dir.conf", 0755), 0);
	spec = load_text("dropin.container",
			 "[Container]\nCommand = true\nMemory = 512M\nHostname = h\nTty = yes\n", 0,
			 "");
	assert_true(spec->memory_max == 2ULL << 30);
	assert_string_equal(spec_origin_file(spec, SPEC_KEY_MEMORY),
			    "dropin.container.d/20-b.conf");
	assert_int_equal(spec->origin[SPEC_KEY_MEMORY].line, 2);
	assert_string_equal(spec->origin[SPEC_KEY_MEMORY].value, "2G");
	assert_true(spec->cpu_shares == 100);
	assert_string_equal(spec_origin_file(spec, SPEC_KEY_CPU_SHARES),
			    "dropin.container.d/10-a.conf");
	assert_int_equal(spec->origin[SPEC_KEY_CPU_SHARES].line, 4);
	assert_null(spec->hostname); /* reset */
	assert_null(spec_origin_file(spec, SPEC_KEY_HOSTNAME));
	assert_true(spec->tty);
	assert_string_equal(spec_origin_file(spec, SPEC_KEY_TTY), "dropin.container");
	assert_int_equal(spec->origin[SPEC_KEY_TTY].line, 5);
	assert_string_equal(spec->files[0], "dropin.container");
	assert_string_equal(spec->files[1], "dropin.container.d/10-a.conf");
	assert_string_equal(spec->files[2], "dropin.container.d/20-b.conf");
	assert_null(spec->files[3]);
	remove_dropins();
}

/* Errors name the drop-in; a key twice in one drop-in is an error, across files an override. */
static void test_dropin_errors(void **state)
{
	(void)state;
	remove_dropins();
	write_dropin("10-a.conf", "[Container]\nMemory = 1G\nMemory = 2G\n");
	write_dropin("20-b.conf", "[Container]\nCPUShares = lots\nBogus = 1\n");
	spec_free(load_text(
	    "dropin.container", "[Container]\nCommand = true\nMemory = 1G\n", -EINVAL,
	    "dropin.container.d/10-a.conf:3: Memory: duplicate key, first set at line 2\n"
	    "dropin.container.d/20-b.conf:2: CPUShares: invalid value 'lots' (an integer from "
	    "2 to 262144)\n"
	    "dropin.container.d/20-b.conf:3: unknown key 'Bogus' in [Container]\n"));
	remove_dropins();
	/* The file's missing Command= may come from a drop-in; an empty one there is an error. */
	write_dropin("10-a.conf", "[Container]\nCommand = sleep 1\n");
	write_dropin("20-b.conf", "[Container]\nCommand =\n");
	spec_free(load_text("dropin.container", "[Container]\nMemory = 1G\n", -EINVAL,
			    "dropin.container.d/20-b.conf:2: Command: empty, a command is "
			    "required\n"));
	remove_dropins();
}

/* A quadlet file (Image=) gets a hint; X- keys stay ignored. */
static void test_quadlet_hint(void **state)
{
	(void)state;
	spec_free(load_text("quadlet.container",
			    "[Container]\nImage = docker.io/library/nginx\nX-Mine = 1\nCommand = "
			    "true\n",
			    -EINVAL,
			    "quadlet.container:2: unknown key 'Image' in [Container] (this looks "
			    "like a Podman quadlet file, not an mdlaunch file: mdlaunch runs a "
			    "Command= on the host's root file system, without images)\n"));
}

/* As root: files and drop-in directories others or the group can write are refused. */
static void test_trust_check(void **state)
{
	struct container_spec *spec;

	(void)state;
	if (geteuid() != 0)
		skip();
	remove_dropins();
	spec = load_text("trust.container", "[Container]\nCommand = true\n", 0, "");
	spec_free(spec);
	assert_int_equal(chmod("trust.container", 0666), 0);
	spec_free(load_text("trust.container", "[Container]\nCommand = true\n", -EPERM,
			    "trust.container: refusing a file writable by others (mode 0666); "
			    "chmod o-w it or set strict_permissions = false in mdlaunch.conf\n"));
	assert_int_equal(chmod("trust.container", 0620), 0);
	spec_free(load_text("trust.container", "[Container]\nCommand = true\n", -EPERM,
			    "trust.container: refusing a file writable by its group (mode 0620); "
			    "chmod g-w it or set strict_permissions = false in mdlaunch.conf\n"));
	assert_int_equal(chmod("trust.container", 0644), 0);
	assert_int_equal(chown("trust.container", 1234, 0), 0);
	spec_free(load_text("trust.container", "[Container]\nCommand = true\n", -EPERM,
			    "trust.container: refusing a file owned by uid 1234, not root; chown "
			    "root it or set strict_permissions = false in mdlaunch.conf\n"));
	assert_int_equal(chown("trust.container", 0, 0), 0);
	write_dropin("10-a.conf", "[Container]\nMemory = 1G\n");
	assert_int_equal(chmod("dropin.container.d", 0777), 0);
	spec_free(load_text("dropin.container", "[Container]\nCommand = true\n", -EPERM,
			    "dropin.container.d: refusing a directory writable by others (mode "
			    "0777); chmod o-w it or set strict_permissions = false in "
			    "mdlaunch.conf\n"));
	assert_int_equal(chmod("dropin.container.d", 0755), 0);
	assert_int_equal(chmod("dropin.container.d/10-a.conf", 0646), 0);
	spec_free(load_text("dropin.container", "[Container]\nCommand = true\n", -EPERM,
			    "dropin.container.d/10-a.conf: refusing a file writable by others "
			    "(mode 0646); chmod o-w it or set strict_permissions = false in "
			    "mdlaunch.conf\n"));
	/* strict_permissions = false in mdlaunch.conf turns it off. */
	spec = spec_new();
	assert_non_null(spec);
	spec->strict_permissions = false;
	capture_begin();
	assert_int_equal(config_load_container("dropin.container", spec), 0);
	free(capture_end());
	assert_true(spec->memory_max == 1ULL << 30);
	spec_free(spec);
	remove_dropins();
}

/* show --effective and --json: the value as written and its origin; a valid JSON string escaper. */
static void test_show_effective(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	remove_dropins();
	write_dropin("10-a.conf", "[Container]\nMemory = 1G\n");
	spec = load_text("dropin.container", "[Container]\nCommand = sh -c 'echo \"a\"'\nMemory = 2G\n",
			 0, "");
	spec_set_origin_option(spec, SPEC_KEY_HOSTNAME, "--hostname");
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_effective(spec, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "Command              = sh -c 'echo \"a\"'                  "
				    "dropin.container:2\n"));
	assert_non_null(strstr(out, "Memory               = 1G                                "
				    "dropin.container.d/10-a.conf:2\n"));
	assert_non_null(strstr(out, "Hostname             = (unset)                           "
				    "--hostname\n"));
	assert_non_null(strstr(out, "Tty                  = no                                "
				    "default\n"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_json(spec,
					  "plan\n\"x\"\t\x01\n  1. cpuset (cgroup v1)\n"
					  "     /sys/fs/cgroup/cpuset/a/cpuset.cpus = 0-1 (empty level: "
					  "copied from parent: 0-1)\n"
					  "     /sys/fs/cgroup/memory/a/memory.limit_in_bytes = 268435456\n",
					  NULL, f),
			 0);
	assert_int_equal(fclose(f), 0);
	/* Typed: a size is a number, a command an array, a boolean a boolean, unset null. */
	assert_non_null(strstr(out, "{ \"key\": \"Memory\", \"value\": 1073741824, \"text\": \"1G\", "
				    "\"origin\": \"dropin.container.d/10-a.conf:2\", \"file\": "
				    "\"dropin.container.d/10-a.conf\", \"line\": 2 }"));
	assert_non_null(strstr(out, "{ \"key\": \"Command\", \"value\": [\"sh\", \"-c\", "
				    "\"echo \\\"a\\\"\"], \"text\": \"sh -c 'echo \\\"a\\\"'\""));
	assert_non_null(strstr(out, "{ \"key\": \"Tty\", \"value\": false, \"origin\": \"default\" }"));
	assert_non_null(
	    strstr(out, "{ \"key\": \"Hostname\", \"value\": null, \"origin\": \"--hostname\" }"));
	assert_non_null(strstr(out, "{ \"key\": \"StopTimeout\", \"value\": 10, "));
	/* The plan: each cgroup write as { file, value, note }, and the whole text. */
	assert_non_null(strstr(out, "\"plan\": [\n    { \"file\": "
				    "\"/sys/fs/cgroup/cpuset/a/cpuset.cpus\", \"value\": \"0-1\", "
				    "\"note\": \"empty level: copied from parent: 0-1\" },\n    { "
				    "\"file\": \"/sys/fs/cgroup/memory/a/memory.limit_in_bytes\", "
				    "\"value\": \"268435456\" }\n  ],\n"));
	assert_non_null(strstr(out, "\"plan_text\": \"plan\\n\\\"x\\\"\\t\\u0001\\n"));
	remove_dropins();
}

/*
 * A repeatable key: show --effective prints every line still in effect, each
 * with its file:line (a drop-in's empty value drops the earlier ones), and
 * --json lists them as "assignments".
 */
static void test_show_repeatable(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	remove_dropins();
	write_dropin("10-a.conf", "[Container]\nMask = /proc/c\nUnmask =\nUnmask = /proc/kcore\n");
	spec = load_text("dropin.container",
			 "[Container]\nCommand = true\nMask = /proc/a\nMask = /proc/b\n"
			 "Unmask = /proc/sys\nUnmask = /proc/timer_list\n",
			 0, "");
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_effective(spec, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "Mask                 = /proc/a                           "
				    "dropin.container:3\n"
				    "Mask                 = /proc/b                           "
				    "dropin.container:4\n"
				    "Mask                 = /proc/c                           "
				    "dropin.container.d/10-a.conf:2\n"));
	assert_non_null(strstr(out, "\nUnmask               = /proc/kcore                       "
				    "dropin.container.d/10-a.conf:4\nSeccompProfile "));
	free(out);
	out = NULL;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_json(spec, "", NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(
	    out, "{ \"key\": \"Mask\", \"value\": [\"/proc/a\", \"/proc/b\", \"/proc/c\"], "
		 "\"text\": \"/proc/c\", \"origin\": \"dropin.container.d/10-a.conf:2\", \"file\": "
		 "\"dropin.container.d/10-a.conf\", \"line\": 2, \"assignments\": [{ \"text\": "
		 "\"/proc/a\", \"origin\": \"dropin.container:3\", \"file\": \"dropin.container\", "
		 "\"line\": 3 }, { \"text\": \"/proc/b\", \"origin\": \"dropin.container:4\", "
		 "\"file\": \"dropin.container\", \"line\": 4 }, { \"text\": \"/proc/c\", "
		 "\"origin\": \"dropin.container.d/10-a.conf:2\", \"file\": "
		 "\"dropin.container.d/10-a.conf\", \"line\": 2 }] }"));
	assert_non_null(strstr(out, "{ \"key\": \"Volume\", \"value\": [], \"origin\": "
				    "\"default\", \"assignments\": [] }"));
	/* A key set once has no assignments list. */
	assert_non_null(strstr(out, "{ \"key\": \"Command\", \"value\": [\"true\"], \"text\": "
				    "\"true\", \"origin\": \"dropin.container:2\", \"file\": "
				    "\"dropin.container\", \"line\": 2 }"));
	remove_dropins();
}

/*
 * Capabilities= changed by AddCapabilities=/DropCapabilities= or a run option:
 * show --effective and --json give the final set, and the origin names the
 * base and every change in the order they apply.
 */
static void test_show_capabilities(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	remove_dropins();
	spec = load_text("dropin.container",
			 "[Container]\nCommand = true\nCapabilities = CHOWN KILL\n"
			 "AddCapabilities = NET_RAW\n",
			 0, "");
	/* What config-cli.c does for --cap-drop KILL. */
	assert_int_equal(spec_add_origin(spec, SPEC_KEY_DROP_CAPABILITIES, 0, 0, "--cap-drop", "KILL"),
			 0);
	spec->capabilities &= ~(1ULL << CAP_KILL);
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_effective(spec, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "Capabilities         = cap_chown cap_net_raw             "
				    "dropin.container:3, then dropin.container:4, --cap-drop\n"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_json(spec, "", NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "{ \"key\": \"Capabilities\", \"value\": [\"cap_chown\", "
				    "\"cap_net_raw\"], \"text\": \"CHOWN KILL\", \"origin\": "
				    "\"dropin.container:3, then dropin.container:4, --cap-drop\""));
	spec_free(spec);
	/* Nothing changed the set: the line as written, its origin alone. */
	spec = load_text("dropin.container", "[Container]\nCommand = true\nCapabilities = CHOWN\n", 0,
			 "");
	free(out);
	out = NULL;
	f = open_memstream(&out, &size);
	assert_non_null(f);
	assert_int_equal(config_show_effective(spec, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "Capabilities         = CHOWN                             "
				    "dropin.container:3\n"));
	remove_dropins();
}

static int setup(void **state)
{
	(void)state;
	log_max_level = LOG_LEVEL_WARN;
	return 0;
}

/* A FIFO is refused at once (it used to hang the open); a BOM is named, not quoted. */
static void test_fifo_and_bom(void **state)
{
	struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	(void)unlink("fifo.container"); /* test_fifo_does_not_hang's */
	assert_int_equal(mkfifo("fifo.container", 0644), 0);
	assert_int_equal(load("fifo.container", &spec, &err), -EINVAL);
	assert_string_equal(err, "mdlaunch: error: cannot load 'fifo.container': not a regular "
				 "file\n");
	spec_free(spec);
	spec_free(load_text("bom.container", "\xEF\xBB\xBF[Container]\nCommand = true\n", -EINVAL,
			    "bom.container:1: the file starts with a UTF-8 byte-order mark (remove "
			    "it: mdlaunch files are plain UTF-8 without one)\n"));
}

/* [Unit], [Service] and [Install] are the generator's: accepted, their keys not read. */
static void test_unit_sections(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = load_text("units.container",
			 "[Unit]\nAfter=a.service\nAfter=b.service\n[Container]\nCommand = true\n"
			 "[Service]\nRestart=on-failure\nExecStartPre=/bin/echo \"a; b\"\n"
			 "[install]\nWantedBy=multi-user.target\n",
			 0, "");
	assert_string_equal(spec->argv[0], "true");
	spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_web_example, setup),
		cmocka_unit_test_setup(test_privilege_keys, setup),
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_quoting_runs_as_written, setup),
		cmocka_unit_test_setup(test_all_errors_in_one_pass, setup),
		cmocka_unit_test_setup(test_cannot_open, setup),
		cmocka_unit_test_setup(test_not_regular, setup),
		cmocka_unit_test_setup(test_fifo_does_not_hang, setup),
		cmocka_unit_test_setup(test_missing_and_empty_command, setup),
		cmocka_unit_test_setup(test_key_outside_section, setup),
		cmocka_unit_test_setup(test_syntax_errors, setup),
		cmocka_unit_test_setup(test_unknown_key_suggestions, setup),
		cmocka_unit_test_setup(test_duplicates_case_insensitive, setup),
		cmocka_unit_test_setup(test_x_keys_and_comments, setup),
		cmocka_unit_test_setup(test_empty_value_resets, setup),
		cmocka_unit_test_setup(test_no_inline_comments, setup),
		cmocka_unit_test_setup(test_value_errors, setup),
		cmocka_unit_test_setup(test_continuation_lines, setup),
		cmocka_unit_test_setup(test_long_lines, setup),
		cmocka_unit_test_setup(test_nul_byte, setup),
		cmocka_unit_test_setup(test_name_from_file, setup),
		cmocka_unit_test_setup(test_path_goes_to_spec_path, setup),
		cmocka_unit_test_setup(test_validate_cpuset_offline, setup),
		cmocka_unit_test_setup(test_swap_and_weight, setup),
		cmocka_unit_test_setup(test_validate_warnings, setup),
		cmocka_unit_test_setup(test_validate_programmatic, setup),
		cmocka_unit_test_setup(test_config_from_file, setup),
		cmocka_unit_test_setup(test_host_rules_only_with_host, setup),
		cmocka_unit_test_setup(test_dropins, setup),
		cmocka_unit_test_setup(test_dropin_errors, setup),
		cmocka_unit_test_setup(test_quadlet_hint, setup),
		cmocka_unit_test_setup(test_trust_check, setup),
		cmocka_unit_test_setup(test_show_effective, setup),
		cmocka_unit_test_setup(test_show_repeatable, setup),
		cmocka_unit_test_setup(test_show_capabilities, setup),
		cmocka_unit_test_setup(test_mask_keys, setup),
		cmocka_unit_test_setup(test_fifo_and_bom, setup),
		cmocka_unit_test_setup(test_unit_sections, setup),
	};
	char cmd[PATH_MAX + 16];
	int r;

	if (!realpath("tests/unit/data", datadir)) {
		fprintf(stderr, "run from the top of the source tree\n");
		return 1;
	}
	if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (chdir("/") == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		(void)!system(cmd);
	}
	return r;
}
