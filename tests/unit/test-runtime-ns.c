/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for runtime-ns.c: spec namespaces -> clone flags, and the
 * child's setup before it re-executes /proc/self/exe. The latter runs
 * without root (no namespace flags): this test binary is /proc/self/exe,
 * and when started as "<test> init" it reports what it inherited (open fds,
 * signal mask and dispositions, parent-death signal) on fd 4.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime-ns.h"
#include "runtime-signal.h"
#include "spec.h"
#include "util.h"

static void test_clone_flags(void **state)
{
	(void)state;
	assert_int_equal(ns_clone_flags(0), 0);
	assert_int_equal(ns_clone_flags(NS_UTS), CLONE_NEWUTS);
	assert_int_equal(ns_clone_flags(NS_PID), CLONE_NEWPID);
	assert_int_equal(ns_clone_flags(NS_MOUNT), CLONE_NEWNS);
	assert_int_equal(ns_clone_flags(NS_NET), CLONE_NEWNET);
	assert_int_equal(ns_clone_flags(NS_IPC), CLONE_NEWIPC);
	assert_int_equal(ns_clone_flags(NS_ALL),
			 CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC);
	assert_int_equal(ns_clone_flags(NS_PID | NS_MOUNT), CLONE_NEWPID | CLONE_NEWNS);
	/* Bits the spec does not define are not turned into anything. */
	assert_int_equal(ns_clone_flags(1U << 20), 0);
}

static void test_clone_flags_to_string(void **state)
{
	char buf[256], small[16];

	(void)state;
	assert_string_equal(ns_clone_flags_to_string(ns_clone_flags(NS_ALL), buf, sizeof(buf)),
			    "CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWIPC");
	assert_string_equal(ns_clone_flags_to_string(CLONE_NEWNET, buf, sizeof(buf)),
			    "CLONE_NEWNET");
	assert_string_equal(ns_clone_flags_to_string(0, buf, sizeof(buf)), "none");
	/* Cut, but terminated. */
	ns_clone_flags_to_string(ns_clone_flags(NS_ALL), small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* The "init" side of this test binary: describe the inherited state on fd 4. */
static int report_as_init(void)
{
	char buf[4096], c;
	size_t len = 0;
	sigset_t mask;
	struct sigaction sa;
	int pdeath = 0, blocked = 0;

	while (read(3, &c, 1) > 0)
		;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%d ", fd);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (int sig = 1; sig < 32; sig++)
		blocked += sigismember(&mask, sig) == 1;
	sigaction(SIGPIPE, NULL, &sa);
	prctl(PR_GET_PDEATHSIG, &pdeath);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "blocked=%d sigpipe=%s pdeath=%d",
				blocked, sa.sa_handler == SIG_DFL ? "default" : "changed", pdeath);
	return write(4, buf, len) == (ssize_t)len ? 0 : 1;
}

static void test_spawn_plumbing(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigset_t set, oldmask;
	int cmd[2], st[2], stray, wstatus;
	struct ns_spawn s;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	(void)state;
	/* Set up like the launcher: blocked signals, SIGPIPE ignored, a stray inheritable fd. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	sigaction(SIGPIPE, &ign, &old);
	stray = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	assert_true(stray >= 0);
	/* The pipes land on low fds, crossing 3 and 4 on purpose. */
	assert_int_equal(pipe2(cmd, O_CLOEXEC), 0);
	assert_int_equal(pipe2(st, O_CLOEXEC), 0);

	s = (struct ns_spawn){ .flags = 0,
			       .command_fd = cmd[0],
			       .status_fd = st[1],
			       .tty_fd = -EBADF,
			       .idmap_fd = -EBADF,
			       .cgroup_fd = -EBADF };
	s.reset_signals = signal_non_default(); /* as run_spawn() does */
	assert_true(s.reset_signals & (1ULL << (SIGPIPE - 1)));
	assert_int_equal(ns_spawn_init(&s, &pid), 0);
	close(cmd[0]);
	close(st[1]);
	assert_int_equal(write(cmd[1], "go", 2), 2);
	close(cmd[1]);
	n = read(st[0], buf, sizeof(buf) - 1);
	close(st[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);

	/*
	 * fds 0-2, the two pipes on 3 and 4, nothing else; default dispositions,
	 * only the six forwarded signals blocked (until init is ready for them;
	 * SIGCHLD, blocked in the launcher, is not); pdeathsig.
	 */
	assert_string_equal(buf, "0 1 2 3 4 blocked=6 sigpipe=default pdeath=9");

	close(stray);
	sigaction(SIGPIPE, &old, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_flags),
		cmocka_unit_test(test_clone_flags_to_string),
		cmocka_unit_test(test_spawn_plumbing),
	};

	if (argc == 2 && streq(argv[1], "init"))
		return report_as_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
