/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of seccomp: SHA-256, the JSON profile parser (values and every
 * error), the rule filter (caps, arches, minKernel), the compiler (the
 * default profile actually refuses and allows what it should, checked in a
 * child under the filter), and the BPF cache (hit, rebuild of a corrupt,
 * truncated, foreign or writable file, keys that change with the inputs).
 * No root needed: the child sets no_new_privs before loading.
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
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config-values.h"
#include "runtime-seccomp.h"
#include "seccomp-profile.h"
#include "sha256.h"
#include "spec.h"
#include "util.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static char tmpdir[] = "/tmp/test-seccomp.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sha256_of(const char *s, char hex[65])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&c);
	sha256_update(&c, s, strlen(s));
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

static void test_sha256(void **state)
{
	char hex[65], big[1001];

	(void)state;
	sha256_of("", hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_of("abc", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(big, 'x', 1000);
	big[1000] = '\0';
	sha256_of(big, hex);
	assert_string_equal(hex, "44f8354494a5ba03ba1792a8d3e9c534c47a9181980fde7a3f44b06ef2ae7c7f");
}

static int parse(const char *json, struct seccomp_profile **p, char *err, size_t errlen)
{
	return seccomp_profile_parse(json, strlen(json), p, err, errlen);
}

static const char good_profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
	"  \"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\",\n"
	"                 \"subArchitectures\": [ \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\" ] },\n"
	"               { \"architecture\": \"SCMP_ARCH_AARCH64\",\n"
	"                 \"subArchitectures\": [ \"SCMP_ARCH_ARM\" ] } ],\n"
	"  \"syscalls\": [\n"
	"    { \"names\": [ \"read\", \"write\", \"no_such_call_xyz\" ], \"action\": \"SCMP_ACT_ALLOW\" },\n"
	"    { \"name\": \"getpid\", \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"old format\" },\n"
	"    { \"names\": [ \"personality\" ], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"      \"args\": [ { \"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\" },\n"
	"                { \"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\" } ] },\n"
	"    { \"names\": [ \"mount\" ], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"      \"includes\": { \"caps\": [ \"CAP_SYS_ADMIN\" ] } },\n"
	"    { \"names\": [ \"ptrace\" ], \"action\": \"SCMP_ACT_KILL\",\n"
	"      \"includes\": { \"minKernel\": \"4.8\" }, \"excludes\": { \"arches\": [ \"s390x\" ] } },\n"
	"    { \"names\": [ \"keyctl\" ], \"action\": \"SCMP_ACT_ERRNO\" },\n"
	"    { \"names\": [ \"acct\" ], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 7,\n"
	"      \"includes\": { \"caps\": [ \"CAP_NO_SUCH_CAP\" ] } }\n"
	"  ], \"flags\": [], \"listenerPath\": \"\" }\n";

static void test_parse_good(void **state)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	char err[512] = "";

	(void)state;
	assert_int_equal(parse(good_profile, &p, err, sizeof(err)), 0);
	assert_int_equal(p->default_action, SECCOMP_ACT_ERRNO);
	assert_int_equal(p->default_ret, 38);
	assert_int_equal(p->n_rules, 7);
	/* x86-64 here: its archMap entry adds x86 and x32, the aarch64 one nothing. */
	if (seccomp_native_arch() && streq(seccomp_native_arch(), "amd64"))
		assert_int_equal(p->n_arches, 2);
	assert_string_equal(p->rules[0].names[2], "no_such_call_xyz");
	assert_string_equal(p->rules[1].names[0], "getpid");
	assert_int_equal(p->rules[2].n_conds, 2);
	assert_int_equal(p->rules[2].conds[0].op, SECCOMP_OP_EQ);
	assert_int_equal(p->rules[2].conds[0].value, 8);
	assert_int_equal(p->rules[3].caps_include, CAP_SYS_ADMIN_BIT);
	assert_int_equal(p->rules[4].action, SECCOMP_ACT_KILL_THREAD);
	assert_int_equal(p->rules[4].min_kernel[0], 4);
	assert_int_equal(p->rules[4].min_kernel[1], 8);
	assert_string_equal(p->rules[4].arches_exclude[0], "s390x");
	assert_int_equal(p->rules[5].ret, EPERM); /* ERRNO without errnoRet */
	assert_int_equal(p->rules[6].action, SECCOMP_ACT_TRACE);
	assert_int_equal(p->rules[6].ret, 7);
	assert_true(p->rules[6].caps_include_unknown);
}

static void expect_error(const char *json, const char *message)
{
	struct seccomp_profile *p = NULL;
	char err[512] = "";

	assert_int_equal(parse(json, &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	assert_string_equal(err, message);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\",\n",
		     "line 2: string or '}' expected near end of file");
	expect_error("[]", "the profile is not a JSON object");
	expect_error("{}", "defaultAction: missing or not a string");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_NOPE\" }",
		     "defaultAction: unknown action 'SCMP_ACT_NOPE' (use SCMP_ACT_ALLOW, ERRNO, "
		     "KILL, KILL_PROCESS, KILL_THREAD, TRAP, TRACE or LOG)");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
		     "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\" }, { \"names\": [\"write\"], "
		     "\"action\": \"SCMP_ACT_FOO\" } ] }",
		     "syscalls[1].action: unknown action 'SCMP_ACT_FOO' (use SCMP_ACT_ALLOW, "
		     "ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP, TRACE or LOG)");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
		     "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 0, "
		     "\"value\": 1, \"op\": \"SCMP_CMP_ALMOST\" } ] } ] }",
		     "syscalls[0].args[0].op: unknown operator 'SCMP_CMP_ALMOST' (use SCMP_CMP_NE, "
		     "LT, LE, EQ, GE, GT or MASKED_EQ)");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
		     "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 6, "
		     "\"value\": 1, \"op\": \"SCMP_CMP_EQ\" } ] } ] }",
		     "syscalls[0].args[0].index: must be 0 to 5");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [], "
		     "\"action\": \"SCMP_ACT_ALLOW\" } ] }",
		     "syscalls[0]: no \"names\"");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
		     "[ \"SCMP_ARCH_VAX\" ] }",
		     "architectures[0]: unknown architecture 'SCMP_ARCH_VAX'");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1 }",
		     "defaultAction: errnoRet must be an integer from 0 to 65535");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": "
		     "\"SCMP_ACT_KILL\" }",
		     "line 1: duplicate object key near '\"defaultAction\"'");
	expect_error("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
		     "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": { \"minKernel\": "
		     "\"four\" } } ] }",
		     "syscalls[0].includes.minKernel: not a version like '4.8'");
}

static void test_rule_applies(void **state)
{
	char *sixty_four[] = { "amd64", NULL }, *s390[] = { "s390x", NULL };
	struct seccomp_rule r = { .caps_include = CAP_SYS_ADMIN_BIT };
	const unsigned k61[2] = { 6, 1 }, k47[2] = { 4, 7 };

	(void)state;
	assert_false(seccomp_rule_applies(&r, 0, "amd64", k61));
	assert_true(seccomp_rule_applies(&r, CAP_SYS_ADMIN_BIT | 1, "amd64", k61));
	r = (struct seccomp_rule){ .caps_exclude = CAP_SYS_ADMIN_BIT };
	assert_true(seccomp_rule_applies(&r, 0, "amd64", k61));
	assert_false(seccomp_rule_applies(&r, CAP_SYS_ADMIN_BIT, "amd64", k61));
	r = (struct seccomp_rule){ .arches_include = sixty_four, .min_kernel = { 4, 8 } };
	assert_true(seccomp_rule_applies(&r, 0, "amd64", k61));
	assert_false(seccomp_rule_applies(&r, 0, "arm64", k61));
	assert_false(seccomp_rule_applies(&r, 0, "amd64", k47));
	r = (struct seccomp_rule){ .arches_exclude = s390 };
	assert_false(seccomp_rule_applies(&r, 0, "s390x", k61));
	r = (struct seccomp_rule){ .caps_include_unknown = true };
	assert_false(seccomp_rule_applies(&r, UINT64_MAX, "amd64", k61));
}

static void test_parse_kernel(void **state)
{
	unsigned k[2];

	(void)state;
	assert_int_equal(seccomp_parse_kernel("6.1.0-13-amd64", k), 0);
	assert_int_equal(k[0], 6);
	assert_int_equal(k[1], 1);
	assert_int_equal(seccomp_parse_kernel("4.8", k), 0);
	assert_int_equal(seccomp_parse_kernel("4", k), -EINVAL);
	assert_int_equal(seccomp_parse_kernel("x.1", k), -EINVAL);
	assert_int_equal(seccomp_parse_kernel("", k), -EINVAL);
}

/*
 * Loads @insns in a child (no_new_privs first, no root needed), makes
 * system calls there and checks their results; returns the child's exit
 * status (0: every check held; N: check N failed).
 */
static int run_under_filter(const struct sock_filter *insns, size_t len, bool sys_admin)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct clone_args ca = { .exit_signal = SIGCHLD };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_program(insns, len) < 0)
			_exit(100);
		if (syscall(SYS_getpid) != getpid())
			_exit(1);
		if (sys_admin)
			_exit(0);
		errno = 0;
		if (syscall(SYS_unshare, CLONE_NEWUSER) != -1 || errno != EPERM)
			_exit(2);
		errno = 0;
		if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
			_exit(3);
		errno = 0;
		if (syscall(SYS_clone3, &ca, sizeof(ca)) != -1 || errno != ENOSYS)
			_exit(4);
		errno = 0;
		if (syscall(1000) != -1 || errno != ENOSYS) /* no such call: ENOSYS, not EPERM */
			_exit(5);
		errno = 0;
		if (syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EPERM)
			_exit(6);
		errno = 0;
		if (syscall(SYS_personality, 0xffffffffUL) < 0)
			_exit(7);
		errno = 0;
		if (syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL) != -1 || errno != EPERM)
			_exit(8);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_default_profile_applies(void **state)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	_cleanup_free_ struct sock_filter *insns = NULL;
	size_t len = 0;
	char err[512] = "";

	(void)state;
	assert_int_equal(seccomp_profile_default(&p), 0);
	assert_int_equal(seccomp_compile(p, SPEC_CAPS_DEFAULT, &insns, &len, NULL, err, sizeof(err)),
			 0);
	assert_true(len > 100);
	assert_int_equal(run_under_filter(insns, len, false), 0);
}

static void test_compile_same_argument_conditions(void **state)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	_cleanup_free_ struct sock_filter *insns = NULL;
	size_t len = 0;
	unsigned skipped = 0;
	char err[512] = "";

	(void)state;
	assert_int_equal(parse(good_profile, &p, err, sizeof(err)), 0);
	/* personality has two conditions on argument 0: one rule each, not EINVAL. */
	assert_int_equal(seccomp_compile(p, 0, &insns, &len, &skipped, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(skipped, 1); /* no_such_call_xyz */
	assert_true(len > 0);
}

static void test_summary(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	struct seccomp_summary s, admin;
	char err[512] = "";

	(void)state;
	assert_non_null(spec);
	assert_int_equal(seccomp_summarize(spec, &s, err, sizeof(err)), 0);
	assert_false(s.unconfined);
	assert_string_equal(s.profile, "default");
	assert_string_equal(s.default_action, "SCMP_ACT_ERRNO(ENOSYS)");
	assert_true(s.allowed > 300);
	assert_true(s.refused > 20);
	spec->capabilities |= CAP_SYS_ADMIN_BIT;
	assert_int_equal(seccomp_summarize(spec, &admin, err, sizeof(err)), 0);
	/* CAP_SYS_ADMIN turns the mount family, unshare, setns, bpf... into allowed calls. */
	assert_true(admin.allowed > s.allowed + 15);
	assert_true(admin.refused < s.refused);
	spec->seccomp_profile = strdup(SPEC_SECCOMP_UNCONFINED);
	assert_int_equal(seccomp_summarize(spec, &s, err, sizeof(err)), 0);
	assert_true(s.unconfined);
}

static char *cache_path(const char *name)
{
	return strdup_printf("%s/%s", tmpdir, name);
}

static void prepare(const struct container_spec *spec, const char *dir,
		    struct seccomp_program *prog, bool expect_cached)
{
	char err[512] = "";

	assert_int_equal(seccomp_prepare(spec, dir, prog, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_non_null(prog->insns);
	assert_true(prog->path[0] != '\0');
	assert_int_equal(prog->cached, expect_cached);
}

/* Rewrites the cache file @path through @edit (a shell snippet on $f). */
static void edit_cache(const char *path, const char *edit)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "f='%s'; %s", path, edit);
	assert_int_equal(system(cmd), 0);
}

static void test_cache(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *dir = cache_path("cache/seccomp");
	struct seccomp_program a, b;
	static const char *const damage[] = {
		/* a flipped byte in the instructions: the checksum catches it */
		"b=$(od -An -tu1 -j100 -N1 \"$f\"); printf \"\\\\$(printf %o $((255 - b)))\" | "
		"dd of=\"$f\" bs=1 seek=100 conv=notrunc status=none",
		/* truncated */
		"truncate -s -8 \"$f\"",
		/* grown */
		"printf 'xxxxxxxx' >> \"$f\"",
		/* a header of another format */
		"printf 'MDLBPF9\\n' | dd of=\"$f\" bs=1 seek=0 conv=notrunc status=none",
		/* writable by others: not trusted */
		"chmod 666 \"$f\"",
		/* not a regular file */
		"rm \"$f\" && mkfifo \"$f\"",
		/* a symlink to a valid file is not followed */
		"cp \"$f\" \"$f.real\" && rm \"$f\" && ln -s \"$f.real\" \"$f\"",
	};

	(void)state;
	assert_non_null(spec);
	prepare(spec, dir, &a, false);
	prepare(spec, dir, &b, true);
	assert_string_equal(a.path, b.path);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.insns, b.insns, a.len * sizeof(*a.insns));
	assert_int_equal(run_under_filter(b.insns, b.len, false), 0);
	free(b.insns);
	for (size_t i = 0; i < ELEMENTSOF(damage); i++) {
		struct stat st;

		edit_cache(a.path, damage[i]);
		prepare(spec, dir, &b, false); /* rebuilt, not trusted */
		assert_memory_equal(a.insns, b.insns, a.len * sizeof(*a.insns));
		free(b.insns);
		assert_int_equal(lstat(a.path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0600);
		prepare(spec, dir, &b, true); /* and replaced by a good one */
		free(b.insns);
	}
	/* Other capabilities: another program, another file. */
	spec->capabilities |= CAP_SYS_ADMIN_BIT;
	prepare(spec, dir, &b, false);
	assert_string_not_equal(a.path, b.path);
	assert_int_equal(run_under_filter(b.insns, b.len, true), 0);
	free(b.insns);
	free(a.insns);
}

static void test_cache_unwritable(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *file = cache_path("a-file");
	_cleanup_free_ char *dir = cache_path("a-file/seccomp");
	struct seccomp_program p;
	char err[512] = "";

	(void)state;
	put(tmpdir, "a-file", "x");
	/* The cache cannot be made (a file is in the way): the run still gets its program. */
	assert_int_equal(seccomp_prepare(spec, dir, &p, err, sizeof(err)), 0);
	assert_non_null(p.insns);
	assert_false(p.cached);
	assert_string_equal(p.path, "");
	free(p.insns);
}

static void test_file_profile(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = spec_new();
	_cleanup_free_ char *dir = cache_path("cache2");
	struct seccomp_program a, b;
	char err[512] = "";

	(void)state;
	put(tmpdir, "p.json", good_profile);
	spec->seccomp_profile = cache_path("p.json");
	prepare(spec, dir, &a, false);
	prepare(spec, dir, &b, true);
	assert_string_equal(a.path, b.path);
	free(b.insns);
	/* Another content under the same name: another key. */
	put(tmpdir, "p.json", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
			      "[\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }");
	prepare(spec, dir, &b, false);
	assert_string_not_equal(a.path, b.path);
	free(b.insns);
	free(a.insns);

	put(tmpdir, "p.json", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": "
			      "[\"keyctl\"], \"action\": \"SCMP_ACT_SOMETIMES\" } ] }");
	assert_int_equal(seccomp_prepare(spec, dir, &a, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "p.json': syscalls[0].action: unknown action "
				    "'SCMP_ACT_SOMETIMES'"));
	free(spec->seccomp_profile);
	spec->seccomp_profile = cache_path("missing.json");
	assert_int_equal(seccomp_prepare(spec, dir, &a, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read the profile '"));
	assert_non_null(strstr(err, "missing.json': No such file or directory"));
	free(spec->seccomp_profile);
	spec->seccomp_profile = strdup(SPEC_SECCOMP_UNCONFINED);
	assert_int_equal(seccomp_prepare(spec, dir, &a, err, sizeof(err)), 0);
	assert_null(a.insns);
	assert_int_equal(a.len, 0);
}

static void test_parse_value(void **state)
{
	char *s = (char *)"x";

	(void)state;
	assert_int_equal(parse_seccomp_profile("default", "/etc", &s), 0);
	assert_null(s);
	assert_int_equal(parse_seccomp_profile("unconfined", "/etc", &s), 0);
	assert_string_equal(s, SPEC_SECCOMP_UNCONFINED);
	free(s);
	assert_int_equal(parse_seccomp_profile("p.json", "/etc/mdlaunch", &s), 0);
	assert_string_equal(s, "/etc/mdlaunch/p.json");
	free(s);
	assert_int_equal(parse_seccomp_profile("/a/b.json", "/etc", &s), 0);
	assert_string_equal(s, "/a/b.json");
	free(s);
	assert_int_equal(parse_seccomp_profile("", "/etc", &s), -EINVAL);
	assert_int_equal(parse_seccomp_profile("a\nb", "/etc", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_rule_applies),
		cmocka_unit_test(test_parse_kernel),
		cmocka_unit_test(test_default_profile_applies),
		cmocka_unit_test(test_compile_same_argument_conditions),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_unwritable),
		cmocka_unit_test(test_file_profile),
		cmocka_unit_test(test_parse_value),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
