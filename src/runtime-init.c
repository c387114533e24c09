/* SPDX-License-Identifier: MIT */
/*
 * runtime-init.c: `mdlaunch init`, the container side of the runtime flow.
 * runtime-ns.c re-executes this binary inside the new namespaces with the
 * command pipe on fd 3 and the status pipe on fd 4. Init reads the command
 * frame to EOF (the launcher closes the pipe only once init is in its
 * cgroups: the start barrier), prepares the namespaces (private mounts, a
 * fresh /proc, hostname, loopback; a pty of its own for Tty=true on a
 * terminal, runtime-tty.c), then gives up privilege (rlimits, then
 * runtime-caps.c: groups, gid, uid, the working directory, the capability
 * sets, no_new_privs), and execs the command, which becomes the
 * container's PID 1. Any failure goes back to the launcher as a status frame
 * (errno, exit code, message) before _exit(). This path loads no config
 * library and allocates little: it is on every start's critical path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "runtime-caps.h"
#include "runtime-idmap.h"
#include "runtime-mount.h"
#include "runtime-pipe.h"
#include "runtime-seccomp.h"
#include "runtime-signal.h"
#include "runtime-tty.h"
#include "runtime.h"
#include "spec.h"
#include "util.h"

#define INIT_COMMAND_FD 3
#define INIT_STATUS_FD	4

/* Reports a failure to the launcher and exits with @exit_code. Never returns. */
static _noreturn_ _printf_(3, 4) void init_fail(int exit_code, int error, const char *fmt, ...)
{
	char msg[PIPE_STATUS_MESSAGE_MAX + 1];
	va_list ap;

	errno = error;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* If even this fails the launcher still sees the exit code. */
	(void)status_write(INIT_STATUS_FD, error, exit_code, msg);
	_exit(exit_code);
}

/* Run by hand (or by anything but the launcher): say so on stderr and stop. */
static _noreturn_ void refuse(void)
{
	log_error("init is internal to mdlaunch (run by the launcher with its pipe on fd 3); "
		  "use 'mdlaunch run'");
	_exit(EXIT_LAUNCHER_ERROR);
}

/* True when @fd is a pipe opened for @accmode (O_RDONLY or O_WRONLY). */
static bool fd_is_pipe(int fd, int accmode)
{
	struct stat st;
	int flags;

	if (fstat(fd, &st) < 0) {
		if (errno == EBADF)
			return false;
		/* Open, so probably the launcher's pipe: the kernel failed us, not the caller. */
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot inspect fd %d: %m", fd);
	}
	if (!S_ISFIFO(st.st_mode))
		return false;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 && errno != EBADF)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot inspect fd %d: %m", fd);
	return flags >= 0 && (flags & O_ACCMODE) == accmode;
}

/*
 * The parent-death signal was set before the re-exec, but the launcher may
 * have died before that. Then nobody reads the status pipe any more, which
 * poll() reports as POLLERR on our write end (getppid() cannot tell: it is 0
 * in a new PID namespace).
 */
static bool launcher_gone(void)
{
	struct pollfd p = { .fd = INIT_STATUS_FD, .events = POLLOUT };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLERR);
}

/*
 * Mount namespace: the launcher's mount plan (runtime-mount.c), in order.
 * Its first op makes every mount private: without it the proc mount
 * propagates to a shared host /proc and breaks it.
 */
static void setup_mounts(const struct mount_plan *plan)
{
	char what[PIPE_STATUS_MESSAGE_MAX / 2];
	size_t failed = 0;
	int r;

	r = mount_plan_execute(plan, &failed);
	if (r < 0) {
		mount_op_describe(&plan->ops[failed], what, sizeof(what));
		init_fail(EXIT_LAUNCHER_ERROR, -r, "cannot %s: %s", what, strerror(-r));
	}
}

/* A new network namespace has only a loopback interface, and it is down. */
static void loopback_up(void)
{
	_cleanup_close_ int fd = -EBADF;
	struct ifreq ifr = {};

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot open a socket for 'lo': %m");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot read the flags of 'lo': %m");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot bring 'lo' up: %m");
}

/* Without a tty the container's stdin is /dev/null (stdout and stderr stay the caller's). */
static void stdin_null(void)
{
	int fd = open("/dev/null", O_RDONLY | O_NOCTTY);

	if (fd < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot open /dev/null: %m");
	/* fd 0 may have been closed, and then open() already returned it. */
	if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) < 0)
			init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot make /dev/null stdin: %m");
		(void)close(fd);
	}
}

/*
 * InheritEnvironment=false: only TERM (and NOTIFY_SOCKET, present only with
 * Notify=passthrough) survive, plus container=mdlaunch, systemd's convention
 * for telling a container manager.
 */
static void clear_environment(void)
{
	static const char *const keep[] = { "TERM", "NOTIFY_SOCKET" };
	char *saved[ELEMENTSOF(keep)] = { NULL };

	for (size_t i = 0; i < ELEMENTSOF(keep); i++)
		if (getenv(keep[i]) && !(saved[i] = strdup(getenv(keep[i]))))
			init_fail(EXIT_LAUNCHER_ERROR, ENOMEM, "out of memory");
	if (clearenv() != 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot clear the environment: %m");
	for (size_t i = 0; i < ELEMENTSOF(keep); i++)
		if (saved[i] && setenv(keep[i], saved[i], 1) < 0)
			init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set %s: %m", keep[i]);
	if (setenv("container", "mdlaunch", 1) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set container: %m");
}

/* The environment additions over the inherited environment, then the container's PATH. */
static void setup_environment(const struct command *c)
{
	if (c->clear_env)
		clear_environment();
	for (char **e = c->env; e && *e; e++) {
		/* The frame outlives the exec, so putenv() can keep pointing into it. */
		if (!strchr(*e, '=') || **e == '=')
			init_fail(EXIT_LAUNCHER_ERROR, EINVAL, "invalid environment entry '%s'",
				  *e);
		if (putenv(*e) < 0)
			init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set '%s': %m", *e);
	}
	if (setenv("PATH", c->path, 1) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set PATH: %m");
}

/* The Limit*= name of RLIMIT_* @resource, for messages. */
static const char *rlimit_name(uint32_t resource)
{
	for (int i = 0; i < _SPEC_RLIMIT_MAX; i++)
		if (spec_rlimit_resource((enum spec_rlimit)i) == (int)resource)
			return spec_rlimit_to_string((enum spec_rlimit)i);
	return "?";
}

/*
 * The Limit*= keys, while init is still privileged (a hard limit above
 * the launcher's own needs CAP_SYS_RESOURCE, which the container may not
 * keep). EPERM: the value is above what the launcher may grant.
 */
static void setup_rlimits(const struct command *c)
{
	for (size_t i = 0; i < c->n_rlimits; i++) {
		const struct command_rlimit *l = &c->rlimits[i];
		struct rlimit rl = {
			.rlim_cur = l->soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)l->soft,
			.rlim_max = l->hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)l->hard,
		};

		if (setrlimit((int)l->resource, &rl) == 0)
			continue;
		if (errno == EPERM)
			init_fail(EXIT_LAUNCHER_ERROR, errno,
				  "Limit%s=: cannot raise the hard limit to %llu: %m (above the "
				  "launcher's own hard limit, or the kernel's maximum)",
				  rlimit_name(l->resource), (unsigned long long)l->hard);
		init_fail(EXIT_LAUNCHER_ERROR, errno, "Limit%s=: cannot set %llu:%llu: %m",
			  rlimit_name(l->resource), (unsigned long long)l->soft,
			  (unsigned long long)l->hard);
	}
}

/*
 * Drops to the container's user and capabilities. The working directory is
 * entered after the uid switch, so that a user who may not enter it cannot;
 * a failure there is exit 125 (the command was never tried).
 */
static void drop_privileges(const struct command *c)
{
	const char *failed = "";
	int r;

	r = caps_set_ids(c->uid, c->gid, c->groups, c->n_groups, &failed);
	if (r < 0)
		init_fail(EXIT_LAUNCHER_ERROR, -r, "cannot switch to uid %u gid %u: %s: %m",
			  (unsigned)c->uid, (unsigned)c->gid, failed);
	/* A credential change clears the parent-death signal the clone set up. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set the parent-death signal: %m");
	/* If the launcher is really gone this frame goes nowhere, which is fine. */
	if (launcher_gone())
		init_fail(EXIT_LAUNCHER_ERROR, ESRCH, "the launcher is gone, not starting");
	if (!isempty(c->cwd) && chdir(c->cwd) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno,
			  "cannot change to the working directory '%s' as uid %u: %m", c->cwd,
			  (unsigned)c->uid);
	r = caps_apply(c->uid, c->cap_bounding, c->cap_ambient, &failed);
	if (r < 0)
		init_fail(EXIT_LAUNCHER_ERROR, -r, "cannot drop capabilities: %s: %m", failed);
	if (c->no_new_privs && caps_no_new_privs() < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set no_new_privs: %m");
}

/*
 * Installs the seccomp filter of the frame, if any. With no_new_privs it is
 * the last step before the exec (or the fork of Init=true, so that init runs
 * under it too); without, the kernel wants CAP_SYS_ADMIN for it, so it comes
 * before drop_privileges(), whose calls the default profile allows (as runc
 * and crun order it).
 */
static void load_seccomp(const struct command *c)
{
	size_t n = c->seccomp_filter_len / sizeof(struct sock_filter);
	int r;

	if (n == 0)
		return;
	r = seccomp_load_program((const struct sock_filter *)c->seccomp_filter, n);
	if (r < 0)
		init_fail(EXIT_LAUNCHER_ERROR, -r,
			  "SeccompProfile: cannot load the seccomp filter (%zu instructions): %m",
			  n);
}

/* Resolves and execs argv; returns never. */
static _noreturn_ void exec_command(const struct command *c)
{
	char file[PATH_MAX];
	const char *cmd = c->argv[0];
	int r;

	/* Already in the working directory: relative candidates need no prefix. */
	r = command_resolve(cmd, c->path, NULL, file, sizeof(file));
	if (r == -ENOENT)
		init_fail(EXIT_NOT_FOUND, ENOENT, "command '%s' not found in PATH '%s'", cmd,
			  c->path);
	if (r == -EACCES)
		init_fail(EXIT_CANNOT_EXECUTE, EACCES,
			  "command '%s' found in PATH '%s' but not executable", cmd, c->path);

	(void)close(INIT_COMMAND_FD);
	/* fd 4 is close-on-exec: EOF on the status pipe tells the launcher this worked. */
	execve(file, c->argv, environ);
	r = errno;
	if (r == ENOENT && access(file, F_OK) < 0)
		init_fail(EXIT_NOT_FOUND, r, "command '%s' not found", file);
	if (r == ENOENT)
		init_fail(EXIT_CANNOT_EXECUTE, r,
			  "cannot execute '%s': %m (is its interpreter missing?)", file);
	init_fail(EXIT_CANNOT_EXECUTE, r, "cannot execute '%s': %m", file);
}

/*
 * Reaps every child that has exited (orphans are reparented to init). Never
 * returns once @child was among them: init exits with the command's status,
 * its code or 128+N (in a PID namespace the kernel then kills the rest).
 * Returns false when waitpid() failed before it could say there is nothing
 * left: the SIGCHLD that brought us here is consumed, so the caller must try
 * again without waiting for another one.
 */
static bool reap_children(pid_t child)
{
	int wstatus;
	pid_t p;

	while ((p = waitpid(-1, &wstatus, WNOHANG)) > 0 || (p < 0 && errno == EINTR))
		if (p == child)
			_exit(signal_exit_status(wstatus));
	/* ECHILD or 0: nothing more to reap now. Anything else: try again soon. */
	return p == 0 || errno == ECHILD;
}

/*
 * Init=true: init stays the container's PID 1 and supervises the command
 * instead of becoming it. The forked child execs the command and reports a
 * failure there on the status pipe itself (126/127); init closes its own
 * copy, so the launcher still sees EOF exactly at the command's exec. Init
 * then forwards every catchable signal it receives to the command's pid
 * (not its process group: a command that wants its children signalled
 * forwards itself), reaps every zombie, and exits with the command's status.
 * Signals stay blocked and are taken with sigwaitinfo(): blocked signals are
 * never dropped by a namespace's init, unlike unhandled ones. With
 * @has_pty the command, not init, becomes the pty's session leader.
 */
static _noreturn_ void supervise_command(const struct command *c, bool has_pty)
{
	pid_t self = getpid(), child;
	bool reaped_all = true;
	sigset_t all;

	/* A credential change resets dumpable to fs.suid_dumpable: init stays out of reach. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot make init non-dumpable: %m");
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot block signals: %m");
	/* Without a PID namespace, orphans of the command still come to us. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	child = fork();
	if (child < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot fork the command: %m");
	if (child == 0) {
		signal_reset_child(UINT64_MAX);
		/* The command, not init, leads the terminal's session (job control). */
		if (has_pty && tty_init_take_control() < 0)
			init_fail(EXIT_LAUNCHER_ERROR, errno,
				  "cannot make the pty the controlling terminal: %m");
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			init_fail(EXIT_LAUNCHER_ERROR, errno,
				  "cannot set the parent-death signal: %m");
		if (getppid() != self)
			init_fail(EXIT_LAUNCHER_ERROR, ESRCH,
				  "init died before the command could start");
		exec_command(c);
	}
	(void)close(INIT_COMMAND_FD);
	(void)close(INIT_STATUS_FD);
	for (;;) {
		static const struct timespec retry = { .tv_nsec = 100 * 1000 * 1000 };
		siginfo_t si;
		int sig = reaped_all ? sigwaitinfo(&all, &si) : sigtimedwait(&all, &si, &retry);

		if (sig < 0 && errno == EAGAIN)
			sig = SIGCHLD; /* the retry of a failed reap */
		else if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			reaped_all = reap_children(child);
			continue;
		}
		/* The terminal signalled its whole foreground group: the command has it too. */
		if (si.si_code == SI_KERNEL)
			continue;
		(void)kill(child, sig);
	}
}

int runtime_init_main(void)
{
	_cleanup_(command_freep) struct command *c = NULL;
	bool has_pty = false; /* 0, 1 and 2 are the slave of a pty of the container's own */
	bool idmap;	      /* fd 6 carries the idmapped volumes */
	int r;

	if (!fd_is_pipe(INIT_COMMAND_FD, O_RDONLY) || !fd_is_pipe(INIT_STATUS_FD, O_WRONLY))
		refuse();
	/*
	 * Non-dumpable: a container process without CAP_SYS_PTRACE cannot open
	 * /proc/<init>/exe (the host's mdlaunch binary: runc's CVE-2019-5736),
	 * root or fd/. The exec of the command makes it dumpable again.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot make init non-dumpable: %m");
	/* Neither pipe may reach the command; fd 4 must close exactly at the final exec. */
	(void)fcntl(INIT_COMMAND_FD, F_SETFD, FD_CLOEXEC);
	(void)fcntl(INIT_STATUS_FD, F_SETFD, FD_CLOEXEC);
	idmap = idmap_init_present();
	if (idmap)
		(void)fcntl(INIT_IDMAP_FD, F_SETFD, FD_CLOEXEC);

	r = command_read(INIT_COMMAND_FD, &c);
	if (r == -ENODATA)
		/* The launcher closed the pipe without a frame: setup failed there. Run nothing. */
		_exit(EXIT_LAUNCHER_ERROR);
	if (r == -EPROTO)
		refuse();
	if (r < 0)
		init_fail(EXIT_LAUNCHER_ERROR, -r, "cannot read the command from the launcher: %m");
	/* If the launcher is really gone this frame goes nowhere, which is fine. */
	if (launcher_gone())
		init_fail(EXIT_LAUNCHER_ERROR, ESRCH, "the launcher is gone, not starting");

	/* In its cgroups by now (the frame was the barrier): they become its cgroup root. */
	if ((c->namespaces & NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot enter a new cgroup namespace: %m");
	setup_mounts(&c->mounts);
	if (idmap)
		(void)close(INIT_IDMAP_FD);
	if ((c->namespaces & NS_UTS) && !isempty(c->hostname) &&
	    sethostname(c->hostname, strlen(c->hostname)) < 0)
		init_fail(EXIT_LAUNCHER_ERROR, errno, "cannot set the hostname to '%s': %m",
			  c->hostname);
	if (c->namespaces & NS_NET)
		loopback_up();
	/* After the mount plan: /dev/ptmx is the container's own devpts when it has one. */
	if (tty_init_present()) {
		const char *what = "";

		r = tty_init_open(c->uid, &what);
		if (r < 0)
			init_fail(EXIT_LAUNCHER_ERROR, -r, "cannot %s: %s", what, strerror(-r));
		has_pty = r > 0;
		/* Without Init=, init becomes the command: it leads the session itself. */
		r = c->init || !has_pty ? 0 : tty_init_take_control();
		if (r < 0)
			init_fail(EXIT_LAUNCHER_ERROR, -r,
				  "cannot make the pty the controlling terminal: %s", strerror(-r));
	} else if (!c->tty)
		stdin_null();
	setup_environment(c);
	setup_rlimits(c);
	if (!c->no_new_privs)
		load_seccomp(c);
	drop_privileges(c);
	if (c->no_new_privs)
		load_seccomp(c);
	if (c->init)
		supervise_command(c, has_pty);
	/* Blocked since the clone (signal_block_forwarded()); the command starts with none. */
	signal_unblock_all();
	exec_command(c);
}
