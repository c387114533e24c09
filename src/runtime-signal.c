/* SPDX-License-Identifier: MIT */
/*
 * runtime-signal.c: step 7 of the runtime flow (runtime.c). The launcher
 * blocks the signals it forwards before it creates anything, so a Ctrl-C
 * during setup still ends in a full teardown; afterwards runtime.c polls the
 * signalfd made here next to the status pipe and lets signal_dispatch()
 * forward and reap.
 */
#include "runtime-signal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Consecutive failed waits (other than ECHILD) before the launcher gives up. */
#define WAIT_FAILURES_MAX 100

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/* True for the signals the launcher forwards to the container. */
static bool signal_is_forwarded(int sig)
{
	for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
		if (forwarded_signals[i] == sig)
			return true;
	return false;
}

int signal_setup(struct signal_saved *ret_saved)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct signal_saved saved;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &saved.mask) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		int r = -errno;

		(void)sigprocmask(SIG_SETMASK, &saved.mask, NULL);
		return r;
	}
	(void)sigaction(SIGPIPE, &ign, &saved.sigpipe);
	*ret_saved = saved;
	return fd;
}

void signal_restore(const struct signal_saved *saved)
{
	(void)sigaction(SIGPIPE, &saved->sigpipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &saved->mask, NULL);
}

void signal_reset_child(uint64_t which)
{
	/*
	 * A zeroed kernel struct sigaction is SIG_DFL, no flags, an empty mask
	 * on every architecture (the handler comes first everywhere). The raw
	 * system call, because glibc's sigaction() refuses its internal
	 * signals 32 and 33, which an ignoring parent passes on like any other.
	 */
	static const unsigned long dfl[8];
	sigset_t empty;

	/* SIGKILL and SIGSTOP fail with EINVAL: nothing to reset. */
	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if (which & (1ULL << (sig - 1)))
			(void)syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(NSIG - 1) / 8);
	sigemptyset(&empty);
	(void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

void signal_block_forwarded(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
}

void signal_unblock_all(void)
{
	sigset_t empty;

	sigemptyset(&empty);
	(void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

int signal_take_stop_request(void)
{
	static const struct timespec now = { 0, 0 };
	sigset_t pending, stop;
	int sig;

	if (sigpending(&pending) < 0 ||
	    (!sigismember(&pending, SIGTERM) && !sigismember(&pending, SIGINT)))
		return 0;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sig = RETRY_EINTR(sigtimedwait(&stop, NULL, &now));
	return sig > 0 ? sig : 0;
}

/* The hex mask of the "@field:" line of /proc/PID/status text @s. 0 or -errno. */
static int status_mask(const char *s, const char *field, uint64_t *ret)
{
	const char *p = strstr(s, field);
	char *end;
	unsigned long long v;

	if (!p)
		return -ENOENT;
	errno = 0;
	v = strtoull(p + strlen(field), &end, 16);
	if (errno != 0 || end == p + strlen(field))
		return -EINVAL;
	*ret = (uint64_t)v;
	return 0;
}

int signal_proc_masks(pid_t pid, uint64_t *ret_ignored, uint64_t *ret_caught)
{
	_cleanup_free_ char *s = NULL;
	char path[64];
	int r;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	r = read_file_at(AT_FDCWD, path, 1 << 16, &s);
	if (r < 0)
		return r;
	r = status_mask(s, "\nSigIgn:", ret_ignored);
	if (r < 0)
		return r;
	return status_mask(s, "\nSigCgt:", ret_caught);
}

uint64_t signal_non_default(void)
{
	uint64_t ignored, caught;

	if (signal_proc_masks(0, &ignored, &caught) < 0)
		return UINT64_MAX;
	return ignored | caught;
}

/* True for the signals that ask the launcher to stop the container. */
static bool signal_is_stop_request(int sig)
{
	return sig == SIGTERM || sig == SIGINT;
}

int signal_dispatch(int sfd, pid_t child, int stop_signal, unsigned *stop_requests,
		    int *ret_wstatus)
{
	struct signalfd_siginfo si;
	int reaped = 0, wstatus = 0;

	for (;;) {
		ssize_t n = read(sfd, &si, sizeof(si));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		if ((size_t)n != sizeof(si))
			return -EIO;
		/*
		 * A signal the kernel generated for the terminal (Ctrl-C, Ctrl-\,
		 * hangup) went to the whole foreground process group, which the
		 * container shares with us: forwarding it would deliver it twice.
		 */
		if (signal_is_stop_request((int)si.ssi_signo))
			(*stop_requests)++;
		if (si.ssi_code == SI_KERNEL && si.ssi_signo != SIGCHLD)
			log_debug("SIG%s came from the terminal, the container has it too",
				  sigabbrev_np((int)si.ssi_signo));
		else if (signal_is_forwarded((int)si.ssi_signo)) {
			/* SIGINT stays SIGINT (a Ctrl-C) but starts the stop timer too. */
			int sig = si.ssi_signo == SIGTERM ? stop_signal : (int)si.ssi_signo;

			log_debug("forwarding SIG%s to pid %d", sigabbrev_np(sig), (int)child);
			if (!reaped && kill(child, sig) < 0 && errno != ESRCH)
				log_warn_errno(errno,
					       "cannot forward SIG%s to pid %d: %m, ignoring",
					       sigabbrev_np(sig), (int)child);
		}
		/*
		 * SIGCHLD coalesces, so always try the wait when one came; only
		 * our own child is reaped (WNOHANG on its pid).
		 */
		if (si.ssi_signo == SIGCHLD && !reaped) {
			/* This SIGCHLD is consumed: a failed wait must not be lost. */
			static unsigned failures;
			pid_t p = RETRY_EINTR(waitpid(child, &wstatus, WNOHANG));

			if (p < 0 && (errno == ECHILD || ++failures > WAIT_FAILURES_MAX))
				return -errno;
			if (p < 0) {
				/* A transient refusal: queue a SIGCHLD of our own to try again. */
				log_debug("cannot wait for pid %d: %m, retrying", (int)child);
				(void)kill(getpid(), SIGCHLD);
				break;
			}
			failures = 0;
			if (p == child)
				reaped = 1;
		}
	}
	if (reaped)
		*ret_wstatus = wstatus;
	return reaped;
}

int signal_wait_pid(pid_t pid, int *ret_wstatus)
{
	int wstatus;

	if (RETRY_EINTR(waitpid(pid, &wstatus, 0)) < 0)
		return -errno;
	*ret_wstatus = wstatus;
	return 0;
}

int signal_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}
