/* SPDX-License-Identifier: MIT */
/*
 * cgexec.c: runs COMMAND in the cgroup v2 directory CGROUP-DIR and exits
 * with its status (128 + n when signal n ended it).
 *
 *   cgexec CGROUP-DIR COMMAND [ARG...]      (COMMAND: a path, not searched)
 *
 * For the fault sweep on a cgroup v2 host (tests/faults/run-faults.sh,
 * tests/integration/faults.bats): strace starts this program in the
 * sweep's own cgroup, and the launcher starts as a child of it directly in
 * the delegated cgroup (clone3 with CLONE_INTO_CGROUP), alone there. As a
 * process of its own, the launcher's per-process count of each call (which
 * strace's inject when=N counts) starts at its exec, exactly as when strace
 * starts it directly. The child makes no call before the exec, and every
 * call here is retried, so a failure injected into this process changes
 * nothing. Build it static (cc -static): a dynamic loader's calls before
 * main() cannot survive a failure (a failed mmap there is a SIGSEGV).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ATTEMPTS 10

int main(int argc, char **argv)
{
	struct clone_args args;
	int fd = -1, status;
	long pid = -1;

	if (argc < 3) {
		fprintf(stderr, "usage: cgexec CGROUP-DIR COMMAND [ARG...]\n");
		return 125;
	}
	for (int i = 0; i < ATTEMPTS && fd < 0; i++)
		fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cgexec: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 125;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)fd;
	for (int i = 0; i < ATTEMPTS && pid < 0; i++)
		pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		fprintf(stderr, "cgexec: cannot start a process in '%s': %s\n", argv[1],
			strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno == ECHILD) {
			fprintf(stderr, "cgexec: lost the child %ld\n", pid);
			return 125;
		}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
