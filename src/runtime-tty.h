/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

/*
 * Tty=true on a terminal: the container gets a pty of its own, like
 * `docker run -t` or `systemd-nspawn --console=interactive`.
 *
 * Init opens the master from /dev/ptmx after the mount plan ran, so it comes
 * from the container's own devpts instance when the container has a private
 * /dev (with no mount namespace it is the host's /dev/ptmx, the fallback),
 * and passes it to the launcher over a unix socket (SCM_RIGHTS) on fd 5.
 * Init opening it, rather than the launcher going through
 * /proc/<init>/root/dev/pts/ptmx, needs no second barrier (the launcher
 * cannot tell from outside when the plan has mounted /dev/pts), resolves
 * /dev/ptmx -> pts/ptmx inside the container's root and user namespace, and
 * sees the same failure path as every other setup step (a status frame).
 * The command gets the slave on 0, 1 and 2 as its controlling terminal; the
 * launcher puts the caller's terminal in raw mode and copies both ways.
 */

/* The fd init finds the launcher's end of the socket on (absent without a pty). */
#define INIT_TTY_FD 5

/* The launcher's side of one pty. */
struct tty_relay {
	int sock;     /* receives the master from init; -EBADF once received */
	int master;   /* the pty's master; -EBADF before it came or once it hung up */
	int in;	      /* the caller's stdin while it is read; -EBADF at EOF */
	int winch;    /* signalfd for SIGWINCH */
	bool raw;     /* the caller's terminal is in raw mode: restore @saved */
	bool blocked; /* SIGWINCH was unblocked before tty_relay_prepare() */
	struct termios saved;
};

#define TTY_RELAY_INIT                                                                             \
	{                                                                                          \
		.sock = -EBADF, .master = -EBADF, .in = -EBADF, .winch = -EBADF                    \
	}

/* True when Tty=true gets a pty: stdin is a terminal. */
bool tty_wanted(bool tty);

/*
 * Launcher, before the clone: the socket pair (the peer, returned in
 * *ret_peer, becomes fd 5 in init; the caller closes its copy after the
 * clone) and a signalfd for SIGWINCH (blocked). 0 or -errno.
 */
int tty_relay_prepare(struct tty_relay *t, int *ret_peer);

/*
 * Launcher: t->sock is readable. Takes the master (EOF without one: init
 * failed before, and its status frame says why), copies the caller's window
 * size and puts the caller's terminal in raw mode. 0 or -errno.
 */
int tty_relay_receive(struct tty_relay *t);

/* Launcher: copies what is readable from stdin to the master. 0 or -errno. */
int tty_relay_input(struct tty_relay *t);

/* Launcher: copies what the master has to stdout; hangup closes it. 0 or -errno. */
int tty_relay_output(struct tty_relay *t);

/* Launcher: a SIGWINCH came: the caller's window size to the master. */
void tty_relay_winch(struct tty_relay *t);

/* Launcher, after the container exited: what the master still holds, to stdout. */
void tty_relay_drain(struct tty_relay *t);

/* Launcher: the caller's terminal modes back now (before an error message). */
void tty_relay_cooked(struct tty_relay *t);

/*
 * Launcher, on every exit path: the caller's terminal modes back, every fd
 * closed, SIGWINCH unblocked again if it was. Idempotent.
 */
void tty_relay_release(struct tty_relay *t);

/*
 * Init, with fd 5 present: opens a pty from /dev/ptmx, sends the master to
 * the launcher, closes fd 5 and puts the slave on 0, 1 and 2 (owned by
 * @uid when possible). Returns 1, 0 when the root has no /dev/ptmx (the
 * caller's stdio stays, the launcher sees no master), or -errno with
 * *ret_what naming the step that failed.
 */
int tty_init_open(uid_t uid, const char **ret_what);

/* True when init was given the launcher's socket on fd 5. */
bool tty_init_present(void);

/*
 * The command's side: becomes a session leader with fd 0 (the slave) as its
 * controlling terminal. 0 or -errno.
 */
int tty_init_take_control(void);
