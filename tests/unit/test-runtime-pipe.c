/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for runtime-pipe.c: the command frame survives a real pipe read
 * by a forked reader (the launcher writes while init reads, as in a run),
 * whatever bytes the strings hold and however large the frame is; truncated
 * or garbled frames are rejected; status frames round-trip and are bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime-pipe.h"
#include "spec.h"
#include "util.h"

static bool strv_equal(char **a, char **b)
{
	size_t n = strv_length(a);

	if (n != strv_length(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!streq(a[i], b[i]))
			return false;
	return true;
}

static bool opt_streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

static bool mounts_equal(const struct mount_plan *a, const struct mount_plan *b)
{
	if (a->n_ops != b->n_ops)
		return false;
	for (size_t i = 0; i < a->n_ops; i++) {
		const struct mount_op *x = &a->ops[i], *y = &b->ops[i];

		if (x->type != y->type || x->flags != y->flags || x->mountflags != y->mountflags ||
		    x->mode != y->mode || x->dev != y->dev || x->uid != y->uid ||
		    x->gid != y->gid || !opt_streq(x->source, y->source) ||
		    !streq(x->target, y->target) || !opt_streq(x->fstype, y->fstype) ||
		    !opt_streq(x->data, y->data))
			return false;
	}
	return true;
}

static bool command_equal(const struct command *a, const struct command *b)
{
	return mounts_equal(&a->mounts, &b->mounts) &&
	       a->seccomp_filter_len == b->seccomp_filter_len &&
	       (a->seccomp_filter_len == 0 ||
		memcmp(a->seccomp_filter, b->seccomp_filter, a->seccomp_filter_len) == 0) &&
	       strv_equal(a->argv, b->argv) && strv_equal(a->env, b->env) &&
	       streq(a->path ? a->path : "", b->path) &&
	       streq(a->hostname ? a->hostname : "", b->hostname) &&
	       a->namespaces == b->namespaces && a->tty == b->tty &&
	       streq(a->cwd ? a->cwd : "", b->cwd) && a->no_new_privs == b->no_new_privs &&
	       a->uid == b->uid && a->gid == b->gid && a->cap_bounding == b->cap_bounding &&
	       a->cap_ambient == b->cap_ambient && a->n_groups == b->n_groups &&
	       (a->n_groups == 0 ||
		memcmp(a->groups, b->groups, a->n_groups * sizeof(*a->groups)) == 0) &&
	       a->n_rlimits == b->n_rlimits &&
	       (a->n_rlimits == 0 ||
		memcmp(a->rlimits, b->rlimits, a->n_rlimits * sizeof(*a->rlimits)) == 0);
}

/*
 * Writes @c into a pipe whose read end a forked child drains with
 * command_read() and compares with @c; the child's exit status is the verdict
 * (0 equal, 1 different, 2 read error).
 */
static void round_trip(const struct command *c)
{
	int fds[2], wstatus;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct command *got = NULL;

		close(fds[1]);
		if (command_read(fds[0], &got) < 0)
			_exit(2);
		_exit(command_equal(c, got) ? 0 : 1);
	}
	close(fds[0]);
	assert_int_equal(command_write(fds[1], c), 0);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
}

static void test_simple(void **state)
{
	char *argv[] = { "echo", "hello", NULL };
	char *env[] = { "A=1", NULL };
	struct command c = { .argv = argv,
			     .env = env,
			     .path = "/bin",
			     .hostname = "web",
			     .namespaces = NS_ALL,
			     .tty = true };

	(void)state;
	round_trip(&c);
	c.env = NULL;
	c.tty = false;
	c.hostname = NULL;
	c.namespaces = NS_PID | NS_NET;
	round_trip(&c);
}

static void test_special_bytes(void **state)
{
	char *argv[] = { "sh",
			 "",
			 "a b  c",
			 "line1\nline2\n",
			 "'single' \"double\" \\back",
			 "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93",
			 "; # $HOME `x`",
			 "\t\x01\x7f",
			 "",
			 NULL };
	char *env[] = { "GREETING=hello world", "EMPTY=", "NL=a\nb", "Q=\"x\"", NULL };
	struct command c = {
		.argv = argv, .env = env, .path = "/a b:/c", .hostname = "h", .namespaces = NS_UTS
	};

	(void)state;
	round_trip(&c);
}

/* The mount plan (optional strings included) and the seccomp filter travel intact. */
static void test_mounts_and_filter(void **state)
{
	char *argv[] = { "true", NULL };
	uint8_t filter[24];
	struct mount_op ops[] = {
		{ .type = MOUNT_OP_MOUNT, .target = "/", .mountflags = 0x44000 },
		{ .type = MOUNT_OP_MOUNT,
		  .flags = MOUNT_OP_MKTARGET,
		  .source = "tmpfs",
		  .target = "/dev",
		  .fstype = "tmpfs",
		  .data = "mode=755,size=65536k" },
		{ .type = MOUNT_OP_MKNOD, .target = "/dev/null", .source = "", .mode = 020666,
		  .dev = 0x103 },
		{ .type = MOUNT_OP_MASK, .flags = MOUNT_OP_OPTIONAL, .target = "/proc/kcore",
		  .data = "" },
		{ .type = MOUNT_OP_MKDIR, .flags = MOUNT_OP_CHOWN, .target = "/tmp/w", .mode = 0755,
		  .uid = 65534, .gid = 4294967294U },
	};
	struct command c = { .argv = argv,
			     .path = "/bin",
			     .hostname = "m",
			     .namespaces = NS_ALL,
			     .mounts = { .ops = ops, .n_ops = ELEMENTSOF(ops) },
			     .seccomp_filter = filter,
			     .seccomp_filter_len = sizeof(filter) };
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(filter); i++)
		filter[i] = (uint8_t)(i * 7 + 1);
	round_trip(&c);
	c.seccomp_filter_len = 0;
	c.mounts.n_ops = 0;
	round_trip(&c);

	/* A filter that is not whole instructions, or too big, is refused by the writer. */
	c.seccomp_filter_len = 12;
	assert_int_equal(command_build(&c, &buf, &len), -EINVAL);
	c.seccomp_filter_len = PIPE_SECCOMP_MAX + 8;
	assert_int_equal(command_build(&c, &buf, &len), -E2BIG);
	assert_null(buf);

	/* A frame whose op type is out of range is refused by the reader. */
	c.seccomp_filter_len = 0;
	c.mounts.n_ops = 1;
	ops[0].type = _MOUNT_OP_MAX;
	assert_int_equal(command_build(&c, &buf, &len), 0);
	{
		struct command *got = NULL;

		assert_int_equal(command_parse(buf, len, &got), -EBADMSG);
		assert_null(got);
	}
	free(buf);
}

/* Well over the 64 KiB pipe buffer: the writer blocks while the reader drains. */
static void test_large(void **state)
{
	_cleanup_strv_free_ char **argv = NULL, **env = NULL;
	struct command c = { .path = "/bin", .hostname = "big", .namespaces = NS_ALL };

	(void)state;
	for (int i = 0; i < 2000; i++) {
		char *s = malloc(200);

		assert_non_null(s);
		memset(s, 'a' + i % 26, 199);
		s[199] = '\0';
		assert_int_equal(strv_consume(&argv, s), 0);
	}
	for (int i = 0; i < 3; i++) {
		char *s = malloc(PIPE_STRING_MAX + 1);

		assert_non_null(s);
		memset(s, 'x', PIPE_STRING_MAX);
		memcpy(s, "BIG=", 4);
		s[PIPE_STRING_MAX] = '\0';
		assert_int_equal(strv_consume(&env, s), 0);
	}
	c.argv = argv;
	c.env = env;
	round_trip(&c);
}

static void test_build_limits(void **state)
{
	char *empty[] = { NULL };
	char *big = malloc(PIPE_STRING_MAX + 2);
	char *argv[] = { big, NULL };
	struct command c = { .argv = empty, .path = "/bin" };
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(command_build(&c, &buf, &len), -EINVAL);
	c.argv = NULL;
	assert_int_equal(command_build(&c, &buf, &len), -EINVAL);
	assert_non_null(big);
	memset(big, 'y', PIPE_STRING_MAX + 1);
	big[PIPE_STRING_MAX + 1] = '\0';
	c.argv = argv;
	assert_int_equal(command_build(&c, &buf, &len), -E2BIG);
	assert_null(buf);
	free(big);
}

/* Every proper prefix of a valid frame, and anything appended to it, is rejected. */
static void test_parse_truncated_and_garbage(void **state)
{
	char *argv[] = { "true", "x y", NULL };
	char *env[] = { "K=V", NULL };
	struct command c = { .argv = argv, .env = env, .path = "/bin", .hostname = "h" };
	struct command *got = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ uint8_t *longer = NULL;
	size_t len;

	(void)state;
	assert_int_equal(command_build(&c, &buf, &len), 0);
	assert_int_equal(command_parse(buf, len, &got), 0);
	assert_true(command_equal(&c, got));
	got = command_free(got);

	assert_int_equal(command_parse(buf, 0, &got), -ENODATA);
	for (size_t i = 1; i < len; i++) {
		int r = command_parse(buf, i, &got);

		assert_true(r == -EBADMSG || (i < 4 && r == -EPROTO));
		assert_null(got);
	}
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, buf, len);
	longer[len] = 'z';
	assert_int_equal(command_parse(longer, len + 1, &got), -EBADMSG);

	/* A NUL inside a string: the last byte of "x y" is at len - 4 - 3 - 4 - 1. */
	memcpy(longer, buf, len);
	longer[len - (4 + 3) - 2] = '\0';
	assert_int_equal(command_parse(longer, len, &got), -EBADMSG);

	/* Wrong magic, wrong version, absurd counts. */
	memcpy(longer, buf, len);
	longer[0] ^= 0xff;
	assert_int_equal(command_parse(longer, len, &got), -EPROTO);
	memcpy(longer, buf, len);
	longer[4] = 9;
	assert_int_equal(command_parse(longer, len, &got), -EBADMSG);
	memcpy(longer, buf, len);
	memset(longer + 16, 0xff, 4);
	assert_int_equal(command_parse(longer, len, &got), -EBADMSG);
	memcpy(longer, buf, len);
	memset(longer + 16, 0, 4); /* argc 0 */
	assert_int_equal(command_parse(longer, len, &got), -EBADMSG);
	assert_null(got);
}

/* Version 2: uid, gid, groups, capability masks, cwd, rlimits and no_new_privs survive. */
static void test_privilege_fields(void **state)
{
	char *argv[] = { "id", NULL };
	uint32_t groups[] = { 10, 65534, 4000000000U };
	struct command c = { .argv = argv,
			     .path = "/bin",
			     .hostname = "h",
			     .cwd = "/srv/a dir",
			     .no_new_privs = true,
			     .uid = 65534,
			     .gid = 65533,
			     .groups = groups,
			     .n_groups = 3,
			     .cap_bounding = 0xa80425fbULL | (1ULL << 40),
			     .cap_ambient = 1ULL << 10,
			     .n_rlimits = 2 };
	struct command *got = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;

	(void)state;
	c.rlimits[0] = (struct command_rlimit){ 7, 1024, UINT64_MAX };
	c.rlimits[1] = (struct command_rlimit){ 4, 0, 0 };
	round_trip(&c);
	assert_int_equal(command_build(&c, &buf, &len), 0);
	assert_int_equal(command_parse(buf, len, &got), 0);
	assert_int_equal(got->uid, 65534);
	assert_int_equal(got->groups[2], 4000000000U);
	assert_true(got->cap_bounding & (1ULL << 40));
	assert_int_equal(got->rlimits[0].hard, UINT64_MAX);
	assert_string_equal(got->cwd, "/srv/a dir");
	got = command_free(got);
	/* Every prefix is refused (the trailing gids and rlimits are counted). */
	for (size_t i = 1; i < len; i++) {
		int r = command_parse(buf, i, &got);

		assert_true(r == -EBADMSG || (i < 4 && r == -EPROTO));
		assert_null(got);
	}
	/* No groups, no rlimits, no_new_privs off: still equal. */
	c.n_groups = 0;
	c.groups = NULL;
	c.n_rlimits = 0;
	c.no_new_privs = false;
	round_trip(&c);
}

/* Counts above the bounds are refused on both sides. */
static void test_privilege_bounds(void **state)
{
	char *argv[] = { "id", NULL };
	struct command c = { .argv = argv, .path = "/bin" };
	struct command *got = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	uint8_t *none = NULL;
	size_t len;
	uint32_t v;

	(void)state;
	c.n_rlimits = PIPE_RLIMITS_MAX + 1;
	assert_int_equal(command_build(&c, &none, &len), -E2BIG);
	c.n_rlimits = 0;
	c.n_groups = PIPE_GROUPS_MAX + 1;
	assert_int_equal(command_build(&c, &none, &len), -E2BIG);
	assert_null(none);
	c.n_groups = 0;
	assert_int_equal(command_build(&c, &buf, &len), 0);
	/* ngroups (word 8) and nrlimits (word 9) claiming more than the frame holds. */
	v = 1000;
	memcpy(buf + 8 * 4, &v, 4);
	assert_int_equal(command_parse(buf, len, &got), -EBADMSG);
	v = 0;
	memcpy(buf + 8 * 4, &v, 4);
	v = PIPE_RLIMITS_MAX + 1;
	memcpy(buf + 9 * 4, &v, 4);
	assert_int_equal(command_parse(buf, len, &got), -EBADMSG);
	assert_null(got);
}

/* A stranger's pipe is refused as soon as its first bytes are read, not at EOF. */
static void test_read_wrong_magic(void **state)
{
	struct command *got = NULL;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(write(fds[1], "hello world\n", 12), 12);
	/* The write end stays open: a reader waiting for EOF would hang here. */
	assert_int_equal(command_read(fds[0], &got), -EPROTO);
	close(fds[1]);
	close(fds[0]);

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	close(fds[1]);
	assert_int_equal(command_read(fds[0], &got), -ENODATA);
	close(fds[0]);
}

static void test_status(void **state)
{
	uint8_t buf[PIPE_STATUS_MAX + 16];
	char longmsg[3000];
	struct status st;
	int fds[2];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(
	    status_write(fds[1], ENOENT, 127, "command 'foo' not found in PATH '/usr/bin:/bin'"),
	    0);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	assert_true(n > 0);
	assert_int_equal(status_parse(buf, (size_t)n, &st), 0);
	assert_int_equal(st.error, ENOENT);
	assert_int_equal(st.exit_code, 127);
	assert_string_equal(st.message, "command 'foo' not found in PATH '/usr/bin:/bin'");

	for (size_t i = 0; i < (size_t)n; i++)
		assert_true(status_parse(buf, i, &st) < 0);
	buf[n] = 'x';
	assert_int_equal(status_parse(buf, (size_t)n + 1, &st), -EBADMSG);
	buf[0] ^= 0xff;
	assert_int_equal(status_parse(buf, (size_t)n, &st), -EPROTO);

	/* A long message is cut at the bound, still as one atomic frame. */
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(status_write(fds[1], 0, 125, longmsg), 0);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	assert_int_equal(n, PIPE_STATUS_MAX);
	assert_int_equal(status_parse(buf, (size_t)n, &st), 0);
	assert_int_equal(strlen(st.message), PIPE_STATUS_MESSAGE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_special_bytes),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_mounts_and_filter),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_parse_truncated_and_garbage),
		cmocka_unit_test(test_read_wrong_magic),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_privilege_fields),
		cmocka_unit_test(test_privilege_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
