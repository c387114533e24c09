/* SPDX-License-Identifier: MIT */
/*
 * runtime-tty.c: a pty of the container's own for Tty=true on a terminal
 * (see runtime-tty.h for why init opens it and passes the master over a
 * socket). The launcher side is driven from run_supervise()'s poll loop; the
 * init side runs after the mount plan, before the privileges are dropped.
 */
#include "runtime-tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define TTY_BUF 4096

bool tty_wanted(bool tty)
{
	return tty && isatty(STDIN_FILENO);
}

int tty_relay_prepare(struct tty_relay *t, int *ret_peer)
{
	sigset_t winch, old;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	t->sock = sv[0];
	*ret_peer = sv[1];
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, &old) < 0)
		return -errno;
	t->blocked = !sigismember(&old, SIGWINCH);
	t->winch = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->winch < 0)
		return -errno;
	t->in = STDIN_FILENO;
	return 0;
}

int tty_relay_receive(struct tty_relay *t)
{
	struct termios raw;
	struct winsize ws;
	int fd;

	fd = fd_receive(t->sock);
	if (fd == -EAGAIN)
		return 0;
	t->sock = safe_close(t->sock);
	if (fd == -EPIPE || fd == -EBADMSG)
		return 0; /* init failed before: its status frame says why */
	if (fd < 0)
		return fd;
	t->master = fd;
	if (fcntl(t->master, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	/*
	 * Every byte goes to the container's line discipline: Ctrl-C makes its
	 * SIGINT there, once, and none reaches the launcher.
	 */
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

/* Writes all of @buf to @fd, waiting on a full non-blocking fd. 0 or -errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, buf, len);

		if (k < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			(void)poll(&p, 1, 100);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

int tty_relay_input(struct tty_relay *t)
{
	char buf[TTY_BUF];
	ssize_t n = read(t->in, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* EOF (or a dead terminal): stop reading; the container keeps its pty. */
		t->in = -EBADF;
		return n < 0 ? -errno : 0;
	}
	if (t->master < 0)
		return 0;
	return write_all(t->master, buf, (size_t)n);
}

int tty_relay_output(struct tty_relay *t)
{
	char buf[TTY_BUF];
	ssize_t n = read(t->master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* EIO: every slave fd is closed (the container is gone). */
		t->master = safe_close(t->master);
		return 0;
	}
	return write_all(STDOUT_FILENO, buf, (size_t)n);
}

void tty_relay_winch(struct tty_relay *t)
{
	struct signalfd_siginfo si;
	struct winsize ws;

	while (read(t->winch, &si, sizeof(si)) == sizeof(si))
		;
	if (t->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

void tty_relay_drain(struct tty_relay *t)
{
	/* Non-blocking: ends at EAGAIN (a slave still open somewhere) or EIO. */
	for (int i = 0; t->master >= 0 && i < 1024; i++) {
		char buf[TTY_BUF];
		ssize_t n = read(t->master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	}
}

void tty_relay_cooked(struct tty_relay *t)
{
	if (t->raw) {
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
		t->raw = false;
	}
}

void tty_relay_release(struct tty_relay *t)
{
	tty_relay_cooked(t);
	t->sock = safe_close(t->sock);
	t->master = safe_close(t->master);
	t->winch = safe_close(t->winch);
	t->in = -EBADF;
	if (t->blocked) {
		sigset_t winch;

		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		(void)sigprocmask(SIG_UNBLOCK, &winch, NULL);
		t->blocked = false;
	}
}

bool tty_init_present(void)
{
	struct stat st;

	return fstat(INIT_TTY_FD, &st) == 0 && S_ISSOCK(st.st_mode);
}

int tty_init_open(uid_t uid, const char **ret_what)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;
	int unlock = 0, r;

	*ret_what = "open /dev/ptmx";
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 && errno == ENOENT) {
		/*
		 * A root without one (Rootfs= with a minimal /dev): the
		 * caller's terminal stays shared, as without a pty. EOF on
		 * the socket tells the launcher.
		 */
		(void)close(INIT_TTY_FD);
		return 0;
	}
	if (master < 0)
		return -errno;
	*ret_what = "unlock the pty";
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return -errno;
	/* The peer of this very master, with no path lookup in between. */
	*ret_what = "open the pty's slave";
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	/*
	 * The command's user owns its terminal, as after a login; the group
	 * stays devpts's (gid=tty where the private /dev sets it). Best effort.
	 */
	(void)fchown(slave, uid, (gid_t)-1);
	*ret_what = "send the pty to the launcher";
	r = fd_send(INIT_TTY_FD, master);
	if (r < 0)
		return r;
	(void)close(INIT_TTY_FD);
	*ret_what = "put the pty on stdin, stdout and stderr";
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return -errno;
	return 1;
}

int tty_init_take_control(void)
{
	if (setsid() < 0)
		return -errno;
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return -errno;
	return 0;
}
