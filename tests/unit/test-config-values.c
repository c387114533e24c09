/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of config-values.c, the pure parsers: sizes, shares, booleans,
 * CPU lists and the online check, names, command and environment splitting,
 * namespace lists. No files, no logging: values in, values or -errno out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "config-values.h"
#include "spec.h"
#include "util.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	print_message("# size '%s'\n", s);
	assert_int_equal(parse_size(s, &v), 0);
	assert_true(v == want);
}

static void size_bad(const char *s, int err)
{
	uint64_t v = 42;

	print_message("# size '%s'\n", s);
	assert_int_equal(parse_size(s, &v), err);
	assert_true(v == 42); /* ret_ untouched on failure */
}

static void test_size_suffixes(void **state)
{
	(void)state;
	size_ok("1", 1);
	size_ok("512", 512);
	size_ok("512B", 512);
	size_ok("512b", 512);
	size_ok("1K", 1024);
	size_ok("1k", 1024);
	size_ok("1KB", 1024);
	size_ok("1KiB", 1024);
	size_ok("1kib", 1024);
	size_ok("512M", 512ULL << 20);
	size_ok("512MiB", 512ULL << 20);
	size_ok("2G", 2ULL << 30);
	size_ok("2gb", 2ULL << 30);
	size_ok("3T", 3ULL << 40);
	size_ok("3TiB", 3ULL << 40);
	size_ok("16777215T", 16777215ULL << 40);
	size_ok("0010M", 10ULL << 20);
	size_ok("max", SPEC_MEMORY_INFINITY);
	size_ok("MAX", SPEC_MEMORY_INFINITY);
	size_ok("infinity", SPEC_MEMORY_INFINITY);
	size_ok("Infinity", SPEC_MEMORY_INFINITY);
	size_ok("18446744073709551613", UINT64_MAX - 2);
}

static void test_size_errors(void **state)
{
	(void)state;
	size_bad("", -EINVAL);
	size_bad("12x", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("+1", -EINVAL);
	size_bad(" 1M", -EINVAL);
	size_bad("1M ", -EINVAL);
	size_bad("1 M", -EINVAL);
	size_bad("1.5G", -EINVAL);
	size_bad("M", -EINVAL);
	size_bad("1iB", -EINVAL);
	size_bad("1MB B", -EINVAL);
	size_bad("1P", -EINVAL);
	size_bad("0x10", -EINVAL);
	size_bad("256M # big", -EINVAL);
	size_bad("99999999999999999999999x", -EINVAL);
	size_bad("0", -ERANGE);
	size_bad("0M", -ERANGE);
	size_bad("99999999999T", -ERANGE);
	size_bad("16777216T", -ERANGE);
	size_bad("99999999999999999999999", -ERANGE);
	size_bad("18446744073709551614", -ERANGE); /* would be the infinity sentinel */
	size_bad("18446744073709551615", -ERANGE);
	assert_int_equal(parse_size(NULL, &(uint64_t){ 0 }), -EINVAL);
}

static void test_shares(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_cpu_shares("2", &v), 0);
	assert_true(v == 2);
	assert_int_equal(parse_cpu_shares("1024", &v), 0);
	assert_true(v == 1024);
	assert_int_equal(parse_cpu_shares("262144", &v), 0);
	assert_true(v == 262144);
	v = 7;
	assert_int_equal(parse_cpu_shares("1", &v), -ERANGE);
	assert_int_equal(parse_cpu_shares("0", &v), -ERANGE);
	assert_int_equal(parse_cpu_shares("262145", &v), -ERANGE);
	assert_int_equal(parse_cpu_shares("99999999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_cpu_shares("", &v), -EINVAL);
	assert_int_equal(parse_cpu_shares("-2", &v), -EINVAL);
	assert_int_equal(parse_cpu_shares("12x", &v), -EINVAL);
	assert_int_equal(parse_cpu_shares("1k", &v), -EINVAL);
	assert_true(v == 7);
}

static void test_bools(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "Yes", "on", "ON", "1" };
	static const char *const no[] = { "false", "False", "no", "NO", "off", "Off", "0" };
	static const char *const bad[] = { "", "2", "y", "n", "truee", "of", " true", "enable" };
	bool b;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		b = false;
		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		b = true;
		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		b = true;
		assert_int_equal(parse_bool(bad[i], &b), -EINVAL);
		assert_true(b);
	}
}

static void cpuset_ok(const char *s, const char *canonical)
{
	_cleanup_free_ char *c = NULL;

	print_message("# cpuset '%s'\n", s);
	assert_int_equal(parse_cpuset(s, &c), 0);
	assert_string_equal(c, canonical);
}

static void cpuset_bad(const char *s, int err)
{
	char *c = NULL;

	print_message("# cpuset '%s'\n", s);
	assert_int_equal(parse_cpuset(s, &c), err);
	assert_null(c);
}

static void test_cpuset(void **state)
{
	(void)state;
	cpuset_ok("0", "0");
	cpuset_ok("0-2,4", "0-2,4");
	cpuset_ok("4,0-2", "0-2,4");
	cpuset_ok("0,1,2,3", "0-3");
	cpuset_ok("3-3", "3");
	cpuset_ok("0-2,1-5,7", "0-5,7");
	cpuset_ok(" 1 , 3 ", "1,3");
	cpuset_ok("8191", "8191");
	{
		_cleanup_free_ char *c = NULL;

		assert_int_equal(parse_cpuset("0-1\n", &c), 0); /* as read from sysfs */
		assert_string_equal(c, "0-1");
	}
	cpuset_ok("0-8191", "0-8191");
	cpuset_bad("", -EINVAL);
	cpuset_bad(" ", -EINVAL);
	cpuset_bad(",", -EINVAL);
	cpuset_bad("1,", -EINVAL);
	cpuset_bad(",1", -EINVAL);
	cpuset_bad("1,,2", -EINVAL);
	cpuset_bad("2-1", -EINVAL);
	cpuset_bad("a", -EINVAL);
	cpuset_bad("1-", -EINVAL);
	cpuset_bad("-1", -EINVAL);
	cpuset_bad("1-2-3", -EINVAL);
	cpuset_bad("0-7:2", -EINVAL);
	cpuset_bad("1 2", -EINVAL);
	cpuset_bad("0x1", -EINVAL);
	cpuset_bad("8192", -ERANGE);
	cpuset_bad("0-99999999999999999999", -ERANGE);
	cpuset_bad("99999999999999999999x", -EINVAL);
}

static void test_cpuset_online(void **state)
{
	unsigned missing = 99;

	(void)state;
	assert_int_equal(cpuset_check_online("0-1", "0-1\n", &missing), 0);
	assert_int_equal(cpuset_check_online("1", "0-3", &missing), 0);
	assert_int_equal(cpuset_check_online("0,2-3", "0-3,8-11", &missing), 0);
	assert_int_equal(missing, 99);
	assert_int_equal(cpuset_check_online("0-2", "0-1\n", &missing), -ENODEV);
	assert_int_equal(missing, 2);
	assert_int_equal(cpuset_check_online("9,5", "0-3,8-11", &missing), -ENODEV);
	assert_int_equal(missing, 5);
	assert_int_equal(cpuset_check_online("x", "0-1", &missing), -EINVAL);
	assert_int_equal(cpuset_check_online("0", "garbage", &missing), -EINVAL);
}

static void test_names(void **state)
{
	char long_name[SPEC_NAME_MAX + 2];

	(void)state;
	assert_true(name_is_valid("web"));
	assert_true(name_is_valid("a_b.c-D9"));
	assert_true(name_is_valid("."));
	assert_false(name_is_valid(""));
	assert_false(name_is_valid(NULL));
	assert_false(name_is_valid("my web"));
	assert_false(name_is_valid("a/b"));
	assert_false(name_is_valid("caf\xc3\xa9"));
	memset(long_name, 'a', sizeof(long_name));
	long_name[SPEC_NAME_MAX] = '\0';
	assert_true(name_is_valid(long_name));
	long_name[SPEC_NAME_MAX] = 'a';
	long_name[SPEC_NAME_MAX + 1] = '\0';
	assert_false(name_is_valid(long_name));

	assert_true(hostname_is_valid("web"));
	assert_true(hostname_is_valid("my host"));
	assert_false(hostname_is_valid(""));
	assert_false(hostname_is_valid("a/b"));
	assert_false(hostname_is_valid(long_name)); /* 65 bytes */
}

/* Splits @s and compares with the NULL-terminated expected words. */
static void split_expect(const char *s, ...)
{
	_cleanup_strv_free_ char **l = NULL;
	va_list ap;
	size_t i = 0;

	print_message("# split '%s'\n", s);
	assert_int_equal(split_words(s, &l), 0);
	assert_non_null(l);
	va_start(ap, s);
	for (const char *w; (w = va_arg(ap, const char *)); i++) {
		assert_non_null(l[i]);
		assert_string_equal(l[i], w);
	}
	va_end(ap);
	assert_null(l[i]);
}

static void split_bad(const char *s, int err)
{
	char **l = NULL;

	print_message("# split '%s'\n", s);
	assert_int_equal(split_words(s, &l), err);
	assert_null(l);
}

static void test_split_words(void **state)
{
	(void)state;
	split_expect("python3 -m http.server 8080", "python3", "-m", "http.server", "8080", NULL);
	split_expect("  a \t b  ", "a", "b", NULL);
	split_expect("", NULL);
	split_expect("   ", NULL);
	split_expect("sh -c \"a; b\"", "sh", "-c", "a; b", NULL);
	split_expect("sh -c 'echo # not a comment'", "sh", "-c", "echo # not a comment", NULL);
	split_expect("\"/bin/my prog\" arg", "/bin/my prog", "arg", NULL);
	split_expect("echo \"\" x ''", "echo", "", "x", "", NULL);
	split_expect("a\"b c\"d", "ab cd", NULL);
	split_expect("'it'\\''s'", "it's", NULL);
	split_expect("\"say \\\"hi\\\"\"", "say \"hi\"", NULL);
	split_expect("'single \\' quote'", "single ' quote", NULL);
	split_expect("a\\nb c\\td", "a\nb", "c\td", NULL);
	split_expect("\\\\ \\x41\\x7e \\101 \\s", "\\", "A~", "A", " ", NULL);
	split_expect("one\\ word", "one word", NULL);
	split_expect("\"a\\nb\"", "a\nb", NULL);
	split_expect("a;b # c", "a;b", "#", "c", NULL);
	split_expect("caf\xc3\xa9", "caf\xc3\xa9", NULL);
	split_bad("sh -c \"a", -EBADMSG);
	split_bad("'abc", -EBADMSG);
	split_bad("\"it's", -EBADMSG);
	split_bad("a\\", -EINVAL);
	split_bad("a\\q", -EINVAL);
	split_bad("\\x4", -EINVAL);
	split_bad("\\xg1", -EINVAL);
	split_bad("\\x00", -EINVAL);
	split_bad("\\000", -EINVAL);
	split_bad("\\8", -EINVAL);
	split_bad("\\12", -EINVAL);
}

static void test_environment(void **state)
{
	(void)state;
	/* Environment= as a key: tests/unit/test-config-keys.c. */
	assert_true(env_key_is_valid("_a9", 3));
	assert_false(env_key_is_valid("9a", 2));
	assert_false(env_key_is_valid("", 0));
	assert_true(env_assignment_is_valid("EMPTY="));
	assert_true(env_assignment_is_valid("_X1=a=b"));
	assert_false(env_assignment_is_valid("NOVALUE"));
	assert_false(env_assignment_is_valid("=x"));
}

static void test_env_vector_set(void **state)
{
	_cleanup_strv_free_ char **env = NULL;

	(void)state;
	assert_int_equal(env_vector_set(&env, "A=1"), 0);
	assert_int_equal(env_vector_set(&env, "AB=2"), 0);
	assert_int_equal(env_vector_set(&env, "A=3"), 0);
	assert_int_equal(strv_length(env), 2);
	assert_string_equal(env[0], "A=3");
	assert_string_equal(env[1], "AB=2");
}

static void test_namespaces(void **state)
{
	unsigned f = 1234;

	(void)state;
	assert_int_equal(parse_namespaces("uts pid mount net ipc cgroup", &f), 0);
	assert_int_equal(f, NS_ALL);
	/* The five of the first version: no cgroup namespace. */
	assert_int_equal(parse_namespaces("uts pid mount net ipc", &f), 0);
	assert_int_equal(f, NS_ALL & ~NS_CGROUP);
	assert_int_equal(parse_namespaces("pid,mount", &f), 0);
	assert_int_equal(f, NS_PID | NS_MOUNT);
	assert_int_equal(parse_namespaces(" net , ,UTS  net", &f), 0);
	assert_int_equal(f, NS_NET | NS_UTS);
	assert_int_equal(parse_namespaces("", &f), 0);
	assert_int_equal(f, 0);
	f = 1234;
	assert_int_equal(parse_namespaces("uts user", &f), -EINVAL);
	assert_int_equal(parse_namespaces("pid;mount", &f), -EINVAL);
	assert_int_equal(f, 1234);
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(string_distance("Memory", "memory"), 0);
	assert_int_equal(string_distance("Memroy", "Memory"), 2);
	assert_int_equal(string_distance("Comand", "Command"), 1);
	assert_int_equal(string_distance("", "abc"), 3);
}

static void caps_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	assert_int_equal(parse_capability_list(s, &v, NULL, 0), 0);
	assert_int_equal(v, want);
}

static void caps_bad(const char *s, const char *bad_word)
{
	char bad[64] = "";
	uint64_t v = 42;

	assert_int_equal(parse_capability_list(s, &v, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, bad_word);
	assert_int_equal(v, 42);
}

/* Names with or without CAP_, any case; all and none; unknown names and numbers refused. */
static void test_capabilities(void **state)
{
	unsigned cap = 99;

	(void)state;
	assert_int_equal(parse_capability("CAP_CHOWN", &cap), 0);
	assert_int_equal(cap, 0);
	assert_int_equal(parse_capability("sys_admin", &cap), 0);
	assert_int_equal(cap, 21);
	assert_int_equal(parse_capability("Net_Bind_Service", &cap), 0);
	assert_int_equal(cap, 10);
	assert_int_equal(parse_capability("cap_Setfcap", &cap), 0);
	assert_int_equal(cap, 31);
	assert_int_equal(parse_capability("12", &cap), -EINVAL);
	assert_int_equal(parse_capability("", &cap), -EINVAL);
	assert_int_equal(parse_capability("CAP_", &cap), -EINVAL);
	assert_int_equal(parse_capability("chown ", &cap), -EINVAL);
	assert_int_equal(parse_capability("NET_ADMINX", &cap), -EINVAL);
	assert_int_equal(cap, 31);

	caps_ok("CHOWN", 1);
	caps_ok("chown, cap_kill  NET_RAW,", (1ULL << 0) | (1ULL << 5) | (1ULL << 13));
	caps_ok("kill kill", 1ULL << 5);
	caps_ok("", 0);
	caps_ok("none", 0);
	caps_ok("ALL", capability_mask_all());
	/* The docker/podman default set, by name, is exactly the spec's default mask. */
	caps_ok("CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP "
		"NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE",
		SPEC_CAPS_DEFAULT);
	assert_true(capability_mask_all() & (1ULL << 40));
	assert_int_equal(capability_mask_all() & SPEC_CAPS_DEFAULT, SPEC_CAPS_DEFAULT);
	caps_bad("CHOWN bogus KILL", "bogus");
	caps_bad("CAP_SYS_ADMN", "CAP_SYS_ADMN");
	caps_bad("all CHOWN", "CHOWN");
	caps_bad("CHOWN none", "none");
	caps_bad("21", "21");
}

/* Add/drop arithmetic as the loader does it: (base & ~drop) | add. */
static void test_capability_masks(void **state)
{
	uint64_t base = SPEC_CAPS_DEFAULT, add = 0, drop = 0;

	(void)state;
	assert_int_equal(parse_capability_list("SYS_ADMIN", &add, NULL, 0), 0);
	assert_int_equal((base & ~drop) | add, 0xa82425fbULL);
	assert_int_equal(parse_capability_list("all", &drop, NULL, 0), 0);
	assert_int_equal(parse_capability_list("NET_BIND_SERVICE", &add, NULL, 0), 0);
	assert_int_equal((base & ~drop) | add, 1ULL << 10);
	assert_int_equal(parse_capability_list("MKNOD AUDIT_WRITE", &drop, NULL, 0), 0);
	assert_int_equal(base & ~drop, 0x800425fbULL);
}

/* capability_merge(): set minus drop plus add; one added and dropped by name is refused. */
static void test_capability_merge(void **state)
{
	uint64_t set = 7;
	unsigned conflict = 99;

	(void)state;
	assert_int_equal(capability_merge(SPEC_CAPS_DEFAULT, 1ULL << 21, 1ULL << 0, &set, &conflict),
			 0);
	assert_int_equal(set, 0xa82425faULL);
	assert_int_equal(conflict, 99);
	/* Dropping all keeps exactly the added ones, even one also named by the drop. */
	assert_int_equal(
	    capability_merge(SPEC_CAPS_DEFAULT, 1ULL << 10, capability_mask_all(), &set, &conflict), 0);
	assert_int_equal(set, 1ULL << 10);
	assert_int_equal(capability_merge(0, 0, capability_mask_all(), &set, &conflict), 0);
	assert_int_equal(set, 0);
	/* Adding and dropping KILL (5) and NET_RAW (13): the lowest is named, nothing set. */
	set = 7;
	assert_int_equal(capability_merge(SPEC_CAPS_DEFAULT, (1ULL << 5) | (1ULL << 13),
					  (1ULL << 13) | (1ULL << 5) | 1, &set, &conflict),
			 -EEXIST);
	assert_int_equal(conflict, 5);
	assert_int_equal(set, 7);
}

static void test_pids_limit(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_pids_limit("64", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(parse_pids_limit("max", &v), 0);
	assert_int_equal(v, SPEC_PIDS_INFINITY);
	assert_int_equal(parse_pids_limit("Infinity", &v), 0);
	assert_int_equal(v, SPEC_PIDS_INFINITY);
	v = 7;
	assert_int_equal(parse_pids_limit("0", &v), -ERANGE);
	assert_int_equal(parse_pids_limit("-1", &v), -EINVAL);
	assert_int_equal(parse_pids_limit("64k", &v), -EINVAL);
	assert_int_equal(parse_pids_limit("", &v), -EINVAL);
	assert_int_equal(parse_pids_limit("18446744073709551615", &v), -ERANGE);
	assert_int_equal(v, 7);
}

static void test_stop_keys(void **state)
{
	unsigned t = 7;
	int sig = 0;

	(void)state;
	assert_int_equal(parse_signal("TERM", &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(parse_signal("sigusr1", &sig), 0);
	assert_int_equal(sig, SIGUSR1);
	assert_int_equal(parse_signal("9", &sig), 0);
	assert_int_equal(sig, SIGKILL);
	sig = 0;
	assert_int_equal(parse_signal("0", &sig), -EINVAL);
	assert_int_equal(parse_signal("65", &sig), -EINVAL);
	assert_int_equal(parse_signal("SIG", &sig), -EINVAL);
	assert_int_equal(parse_signal("NOPE", &sig), -EINVAL);
	assert_int_equal(parse_signal("", &sig), -EINVAL);
	assert_int_equal(sig, 0);
	assert_int_equal(parse_stop_timeout("0", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(parse_stop_timeout("30", &t), 0);
	assert_int_equal(t, 30);
	assert_int_equal(parse_stop_timeout("-1", &t), -EINVAL);
	assert_int_equal(parse_stop_timeout("10s", &t), -EINVAL);
	assert_int_equal(parse_stop_timeout("86401", &t), -ERANGE);
	assert_int_equal(t, 30);
}

static void test_notify(void **state)
{
	bool p = true;

	(void)state;
	assert_int_equal(parse_notify("launcher", &p), 0);
	assert_false(p);
	assert_int_equal(parse_notify("Passthrough", &p), 0);
	assert_true(p);
	assert_int_equal(parse_notify("yes", &p), -EINVAL);
	assert_int_equal(parse_notify("", &p), -EINVAL);
	assert_true(p);
}

static void rlimit_ok(const char *s, bool bytes, uint64_t soft, uint64_t hard)
{
	uint64_t a = 1, b = 1;

	assert_int_equal(parse_rlimit(s, bytes, &a, &b), 0);
	assert_int_equal(a, soft);
	assert_int_equal(b, hard);
}

static void test_rlimits(void **state)
{
	uint64_t a = 1, b = 1;

	(void)state;
	rlimit_ok("1024", false, 1024, 1024);
	rlimit_ok("1024:4096", false, 1024, 4096);
	rlimit_ok("0", true, 0, 0);
	rlimit_ok("infinity", false, SPEC_RLIMIT_INFINITY, SPEC_RLIMIT_INFINITY);
	rlimit_ok("8M:infinity", true, 8ULL << 20, SPEC_RLIMIT_INFINITY);
	rlimit_ok("1K:2G", true, 1024, 2ULL << 30);
	assert_int_equal(parse_rlimit("4096:1024", false, &a, &b), -EDOM);
	assert_int_equal(parse_rlimit("infinity:10", false, &a, &b), -EDOM);
	assert_int_equal(parse_rlimit("8M", false, &a, &b), -EINVAL); /* a count has no unit */
	assert_int_equal(parse_rlimit("8X", true, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit("", false, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit("1:", false, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit(":1", false, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit("1:2:3", false, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit("-1", false, &a, &b), -EINVAL);
	assert_int_equal(parse_rlimit("99999999999999999999", false, &a, &b), -ERANGE);
	assert_int_equal(parse_rlimit("16777216T", true, &a, &b), -ERANGE);
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
}

static void user_ok(const char *s, const char *user, const char *group)
{
	char *u = NULL, *g = NULL;

	assert_int_equal(parse_user(s, &u, &g), 0);
	assert_string_equal(u, user);
	if (group)
		assert_string_equal(g, group);
	else
		assert_null(g);
	free(u);
	free(g);
}

static void test_users(void **state)
{
	char *u = NULL, *g = NULL, **l = NULL;
	char bad[64] = "";
	uint32_t id = 5;

	(void)state;
	user_ok("nobody", "nobody", NULL);
	user_ok("1000:1000", "1000", "1000");
	user_ok("www-data:nogroup", "www-data", "nogroup");
	user_ok("0", "0", NULL);
	assert_int_equal(parse_user("", &u, &g), -EINVAL);
	assert_int_equal(parse_user(":0", &u, &g), -EINVAL);
	assert_int_equal(parse_user("0:", &u, &g), -EINVAL);
	assert_int_equal(parse_user("a b", &u, &g), -EINVAL);
	assert_int_equal(parse_user("-x", &u, &g), -EINVAL);
	assert_int_equal(parse_user("1:2:3", &u, &g), -EINVAL);
	assert_int_equal(parse_user("4294967295", &u, &g), -EINVAL); /* (uid_t)-1 */
	assert_null(u);
	assert_null(g);
	assert_int_equal(parse_id("4294967294", &id), 0);
	assert_int_equal(id, 4294967294U);
	assert_int_equal(parse_id("4294967295", &id), -ERANGE);
	assert_int_equal(parse_id("x", &id), -EINVAL);

	assert_int_equal(parse_group_list("wheel, 10 audio", &l, bad, sizeof(bad)), 0);
	assert_int_equal(strv_length(l), 3);
	assert_string_equal(l[1], "10");
	l = strv_free(l);
	assert_int_equal(parse_group_list("", &l, bad, sizeof(bad)), 0);
	assert_int_equal(strv_length(l), 0);
	l = strv_free(l);
	assert_int_equal(parse_group_list("ok b/d", &l, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "b/d");
	assert_null(l);

	assert_true(working_directory_is_valid("/"));
	assert_true(working_directory_is_valid("/srv/a b"));
	assert_false(working_directory_is_valid("srv"));
	assert_false(working_directory_is_valid(""));
	assert_false(working_directory_is_valid("./x"));
}

/* Parses the whole of @text with env_file_line(); returns "A=1|B=2|" or "ERR@line|" entries. */
static char *env_file_all(const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char *out = calloc(1, 4096), *p = copy, *next;
	unsigned line = 0;

	assert_non_null(out);
	while (*p) {
		char *a = NULL;
		unsigned start = ++line;
		int r = env_file_line(&p, &next, &line, &a);

		if (r < 0)
			snprintf(out + strlen(out), 4096 - strlen(out), "ERR@%u|", start);
		else if (a)
			snprintf(out + strlen(out), 4096 - strlen(out), "%s|", a);
		free(a);
		p = next;
	}
	return out;
}

static void test_env_file(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "A=1\nB=2\n", "A=1|B=2|" },
		{ "# comment\n; also\n\n  \nA=1", "A=1|" },
		{ "  A = spaced value  \n", "A=spaced value|" },
		{ "A=\"two words\" \nB='single $x \\n'\n", "A=two words|B=single $x \\n|" },
		{ "A=\"q\\\"uote \\\\ \\$ \\` \\n\"\n", "A=q\"uote \\ $ ` \\n|" },
		{ "A=con\\\ntinued\nB=2\n", "A=continued|B=2|" },
		{ "A=\"multi\nline\"\nB=3\n", "A=multi\nline|B=3|" },
		{ "A=a\\ b\\\\c\n", "A=a b\\c|" },
		{ "A=\nB\nC=3\n", "A=|ERR@2|C=3|" },
		{ "A=\"open\nB=2\n", "ERR@1|" },
		{ "A='open\n", "ERR@1|" },
		{ "A=mixed\"quoted part\"'and'more\n", "A=mixedquoted partandmore|" },
		{ "=novalue\n", "=novalue|" }, /* the key is judged by env_assignment_is_valid() */
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = env_file_all(cases[i].text);

		assert_string_equal(got, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_suffixes), cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_shares),	      cmocka_unit_test(test_bools),
		cmocka_unit_test(test_cpuset),	      cmocka_unit_test(test_cpuset_online),
		cmocka_unit_test(test_names),	      cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_environment),   cmocka_unit_test(test_env_vector_set),
		cmocka_unit_test(test_namespaces),    cmocka_unit_test(test_distance),
		cmocka_unit_test(test_capabilities),  cmocka_unit_test(test_capability_masks),
		cmocka_unit_test(test_capability_merge),
		cmocka_unit_test(test_pids_limit), cmocka_unit_test(test_stop_keys), cmocka_unit_test(test_notify),    cmocka_unit_test(test_rlimits),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_env_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
