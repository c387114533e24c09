/* SPDX-License-Identifier: MIT */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The launcher's signal handling: the forwarded signals and SIGCHLD are
 * blocked and read from a signalfd, SIGPIPE is ignored; the child gets a
 * clean slate before it re-executes.
 */

/* What signal_setup() changed, for signal_restore(). */
struct signal_saved {
	sigset_t mask;
	struct sigaction sigpipe;
};

/*
 * Blocks SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGCHLD,
 * ignores SIGPIPE (a dead init must give EPIPE, not kill the launcher), and
 * returns a non-blocking, close-on-exec signalfd for them, or -errno.
 */
int signal_setup(struct signal_saved *ret_saved);

/* Undoes signal_setup() (the signalfd is closed by the caller). */
void signal_restore(const struct signal_saved *saved);

/*
 * In a freshly cloned child: the dispositions of the signals in @which (bit
 * N-1 for signal N; UINT64_MAX: every signal) back to SIG_DFL and an empty
 * signal mask, so the container inherits nothing of the launcher's handling
 * (SIGPIPE ignored, the forwarded signals blocked) or of its caller's (an
 * ignored SIGHUP). Async-signal-safe.
 */
void signal_reset_child(uint64_t which);

/*
 * In the clone child, after signal_reset_child(): blocks the forwarded
 * signals again until init is ready for them. A namespace's init drops a
 * signal it neither handles nor blocks, so a stop forwarded between the
 * command frame and init's own signal handling would be lost; blocked, it
 * waits. Init=true takes them with sigwaitinfo(); otherwise init unblocks
 * (signal_unblock_all()) right before the exec of the command.
 * Async-signal-safe.
 */
void signal_block_forwarded(void);

/* An empty signal mask (before the exec of the command). Async-signal-safe. */
void signal_unblock_all(void);

/*
 * A stop request (SIGTERM or SIGINT) pending since signal_setup(): taken
 * (it will not be delivered when signal_restore() unblocks it) and returned,
 * or 0 when there is none. Other pending signals stay for the signalfd.
 */
int signal_take_stop_request(void);

/*
 * The SigIgn and SigCgt masks (bit N-1 for signal N) of /proc/@pid/status
 * (@pid 0: this process), from one read. 0 or -errno.
 */
int signal_proc_masks(pid_t pid, uint64_t *ret_ignored, uint64_t *ret_caught);

/*
 * The signals whose disposition is not SIG_DFL in this process (ignored or
 * caught, per SigIgn and SigCgt of /proc/self/status), as a mask for
 * signal_reset_child(): 3 system calls instead of one per signal in the
 * child. UINT64_MAX when /proc cannot tell.
 */
uint64_t signal_non_default(void);

/*
 * Drains @sfd: forwards each forwarded signal to @child, and on SIGCHLD reaps
 * @child with WNOHANG (other children are not the launcher's). SIGTERM and
 * SIGINT are stop requests, counted in *stop_requests; SIGTERM is sent as
 * @stop_signal (StopSignal=), SIGINT as itself.
 * Returns 1 with *ret_wstatus set once @child was reaped, 0 if it still
 * runs, or -errno.
 */
int signal_dispatch(int sfd, pid_t child, int stop_signal, unsigned *stop_requests,
		    int *ret_wstatus);

/* Waits for @pid, retrying EINTR; *ret_wstatus is set on success. Returns 0 or -errno. */
int signal_wait_pid(pid_t pid, int *ret_wstatus);

/* The launcher's exit status for a wait status: the exit code, or 128+N for signal N. */
int signal_exit_status(int wstatus);
