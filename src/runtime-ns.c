/* SPDX-License-Identifier: MIT */
/*
 * runtime-ns.c: step 3 of the runtime flow (runtime.c), the birth of the
 * container. Maps the spec's namespaces to clone flags and clones a child
 * that re-executes this binary as `mdlaunch init` (runtime-init.c) with the
 * command pipe on fd 3 and the status pipe on fd 4 (with Tty=true on a
 * terminal, the pty socket on fd 5: runtime-tty.h), and nothing else.
 * Re-executing gives init a fresh process image, so the child of the raw
 * clone only calls async-signal-safe functions before execve.
 *
 * The clone is vfork-like (CLONE_VM | CLONE_VFORK on a small stack of its
 * own, as posix_spawn does): the child borrows our memory for the few
 * system calls before its execve and we wait for that execve, so neither
 * side copies page tables or takes copy-on-write faults for an address
 * space that is thrown away at once. On a virtual machine that is most of
 * what a fork costs (the `gap` section of `make bench` measures it).
 *
 * On cgroup v2 the child is born in its leaf cgroup: clone3() with
 * CLONE_INTO_CGROUP (Linux 5.7+) and the leaf's directory fd (vfork-like
 * as well on x86-64, see clone3_on_stack()), so it never
 * runs a single instruction outside its limits and no cgroup.procs write is
 * needed. Any clone3 failure (ENOSYS on old kernels or under a seccomp
 * filter that hides it, EINVAL/E2BIG for an unknown flag or struct size,
 * ...) falls back to the plain clone; the caller then attaches the child.
 */
#include "runtime-ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-idmap.h"
#include "runtime-pipe.h"
#include "runtime-signal.h"
#include "runtime-userns.h"
#include "spec.h"
#include "util.h"

/* The fds init finds its pipes on (runtime-init.c relies on them). */
#define INIT_COMMAND_FD 3
#define INIT_STATUS_FD	4
#define INIT_TTY_FD	5

/* The borrowed stack of the vfork-like child: a few calls before execve. */
#define CHILD_STACK_SIZE (64 * 1024)

static const struct {
	unsigned ns;
	unsigned long flag;
	const char *name;
} ns_table[] = {
	{ NS_UTS, CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ NS_PID, CLONE_NEWPID, "CLONE_NEWPID" },
	{ NS_MOUNT, CLONE_NEWNS, "CLONE_NEWNS" },
	{ NS_NET, CLONE_NEWNET, "CLONE_NEWNET" },
	{ NS_IPC, CLONE_NEWIPC, "CLONE_NEWIPC" },
	/* No NS_* flag: a user namespace comes from UserNS=, not Namespaces=. */
	{ 0, CLONE_NEWUSER, "CLONE_NEWUSER" },
};

unsigned long ns_clone_flags(unsigned namespaces)
{
	unsigned long flags = 0;

	for (size_t i = 0; i < ELEMENTSOF(ns_table); i++)
		if (namespaces & ns_table[i].ns)
			flags |= ns_table[i].flag;
	return flags;
}

unsigned long ns_spec_clone_flags(const struct container_spec *spec)
{
	return ns_clone_flags(spec->namespaces) | (spec_has_userns(spec) ? CLONE_NEWUSER : 0);
}

char *ns_clone_flags_to_string(unsigned long flags, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(ns_table); i++) {
		if (!(flags & ns_table[i].flag))
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					len ? "|" : "", ns_table[i].name);
		if (len >= size)
			return buf;
	}
	if (len == 0)
		snprintf(buf, size, "none");
	return buf;
}

/* Child side: reports a failure before init runs and exits. Never returns. */
static _no_sanitize_address_ _noreturn_ void child_fail(int status_fd, int error, const char *what)
{
	char msg[256];
	size_t n = 0;
	const char *desc = strerrordesc_np(error);

	/* No snprintf: keep to async-signal-safe string copies in the cloned child. */
	msg[0] = '\0';
	strncat(msg, what, sizeof(msg) - 1);
	n = strlen(msg);
	if (desc && n + 2 < sizeof(msg)) {
		strncat(msg, ": ", sizeof(msg) - n - 1);
		strncat(msg, desc, sizeof(msg) - n - 3);
	}
	(void)status_write(status_fd, error, 125, msg);
	_exit(125);
}

/*
 * Closes every fd >= @from. close_range() is in every kernel this runs on
 * (5.9+); the loop covers an older kernel or a seccomp filter refusing it.
 */
static _no_sanitize_address_ void close_fds_from(unsigned from)
{
	struct rlimit rl;

	if (close_range(from, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 1U << 20)
		rl.rlim_cur = 1U << 20;
	for (unsigned fd = from; fd < rl.rlim_cur; fd++)
		(void)close((int)fd);
}

/*
 * Child side of ns_spawn_init(): fd plumbing, signal reset, parent-death
 * signal, then the re-exec. Never returns. In the vfork-like clone it runs
 * on the borrowed stack of clone_vfork() with our memory: it writes nothing
 * but its own stack (errno aside, which the parent does not read after a
 * successful clone), and its fd table and signal dispositions are its own
 * copies (no CLONE_FILES, no CLONE_SIGHAND). Not instrumented by ASan,
 * which cannot follow a stack it did not allocate.
 */
static _no_sanitize_address_ _noreturn_ void child_exec_init(const struct ns_spawn *s)
{
	static char *const init_argv[] = { "mdlaunch", "init", NULL };
	int cmd, st, tty = -EBADF, idm = -EBADF;

	if (s->flags & CLONE_NEWUSER) {
		char go = 0;
		ssize_t n;

		(void)close(s->sync_peer_fd);
		n = RETRY_EINTR(read(s->sync_fd, &go, 1));
		if (n < 0)
			child_fail(s->status_fd, errno, "cannot wait for the user namespace maps");
		/* EOF without the byte: the launcher failed to map us (and says so), or died. */
		if (n == 0)
			_exit(125);
		/* Root of the namespace now, so that the exec keeps its capabilities. */
		if (setresgid(0, 0, 0) < 0)
			child_fail(s->status_fd, errno,
				   "cannot become gid 0 of the user namespace");
		if (setresuid(0, 0, 0) < 0)
			child_fail(s->status_fd, errno,
				   "cannot become uid 0 of the user namespace");
	}

	/*
	 * Lift every fd above 6 first, so that moving them to 3 to 6 cannot
	 * clobber one with the other whatever numbers they had (and dup2 onto a
	 * different fd clears the close-on-exec flag init relies on keeping).
	 */
	cmd = fcntl(s->command_fd, F_DUPFD, INIT_IDMAP_FD + 1);
	if (cmd < 0)
		child_fail(s->status_fd, errno, "cannot move the command pipe");
	st = fcntl(s->status_fd, F_DUPFD, INIT_IDMAP_FD + 1);
	if (st < 0)
		child_fail(s->status_fd, errno, "cannot move the status pipe");
	if (s->tty_fd >= 0 && (tty = fcntl(s->tty_fd, F_DUPFD, INIT_IDMAP_FD + 1)) < 0)
		child_fail(st, errno, "cannot move the pty socket");
	if (s->idmap_fd >= 0 && (idm = fcntl(s->idmap_fd, F_DUPFD, INIT_IDMAP_FD + 1)) < 0)
		child_fail(st, errno, "cannot move the idmapped-mount socket");
	if (dup2(cmd, INIT_COMMAND_FD) < 0)
		child_fail(st, errno, "cannot move the command pipe to fd 3");
	if (dup2(st, INIT_STATUS_FD) < 0)
		child_fail(st, errno, "cannot move the status pipe to fd 4");
	if (tty >= 0 && dup2(tty, INIT_TTY_FD) < 0)
		child_fail(INIT_STATUS_FD, errno, "cannot move the pty socket to fd 5");
	if (idm >= 0 && dup2(idm, INIT_IDMAP_FD) < 0)
		child_fail(INIT_STATUS_FD, errno, "cannot move the idmapped-mount socket to fd 6");
	if (idm >= 0) {
		/* Without a pty fd 5 stays free: init takes a socket there for one. */
		if (tty < 0)
			(void)close(INIT_TTY_FD);
		close_fds_from(INIT_IDMAP_FD + 1);
	} else
		close_fds_from(tty >= 0 ? INIT_TTY_FD + 1 : INIT_STATUS_FD + 1);

	signal_reset_child(s->reset_signals);
	signal_block_forwarded();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(INIT_STATUS_FD, errno, "cannot set the parent-death signal");

	(void)execve("/proc/self/exe", init_argv, environ);
	if (errno == EACCES && (s->flags & CLONE_NEWUSER))
		child_fail(INIT_STATUS_FD, errno,
			   "cannot re-execute /proc/self/exe as init: root of the user namespace "
			   "is an unprivileged host uid, which must be able to execute the "
			   "mdlaunch binary (chmod o+rx)");
	child_fail(INIT_STATUS_FD, errno, "cannot re-execute /proc/self/exe as init");
}

static _no_sanitize_address_ int child_main(void *arg)
{
	child_exec_init(arg);
}

/* The child's stack: CHILD_STACK_SIZE bytes above a guard page. */
struct child_stack {
	char *base; /* the mapping, guard page first */
	size_t size;
	char *low; /* the lowest usable byte */
};

static int child_stack_alloc(struct child_stack *st)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	st->size = CHILD_STACK_SIZE + page;
	st->base = mmap(NULL, st->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (st->base == MAP_FAILED)
		return -errno;
	if (mprotect(st->base, page, PROT_NONE) < 0) {
		int r = -errno;

		(void)munmap(st->base, st->size);
		return r;
	}
	st->low = st->base + page;
	return 0;
}

static void child_stack_free(struct child_stack *st)
{
	(void)munmap(st->base, st->size);
}

/*
 * The vfork-like clone: the child runs child_exec_init() on a stack of its
 * own (with a guard page below it) in our address space, and clone()
 * returns once it has called execve (or exited). Returns the pid or -errno.
 */
static long clone_vfork(const struct ns_spawn *s)
{
	struct child_stack st;
	long pid;
	int r;

	r = child_stack_alloc(&st);
	if (r < 0)
		return r;
	pid = clone(child_main, st.low + CHILD_STACK_SIZE,
		    (int)(s->flags | CLONE_VM | CLONE_VFORK | SIGCHLD), (void *)s);
	if (pid < 0)
		pid = -errno;
	child_stack_free(&st);
	return pid;
}

#if defined(__x86_64__)
/*
 * clone3() of a child on a stack of its own: the child starts at the
 * instruction after the syscall with its stack pointer at the top of
 * args->stack, so it must call @fn from the same asm statement (no C frame
 * of ours is valid on its stack). glibc 2.36 exports no clone3() wrapper;
 * this is the shape of glibc's own. Returns the pid or -errno; the child
 * never returns (@fn does not, and an _exit follows in case).
 */
static long clone3_on_stack(struct clone_args *args, int (*fn)(void *), void *arg)
{
	register int (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[nr_exit], %%eax\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "r"(r12),
			   "r"(r13), [nr_exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif

/*
 * clone3() with the namespaces and CLONE_INTO_CGROUP. On x86-64 it is
 * vfork-like too (clone3_on_stack()); elsewhere fork-like, the child
 * running child_exec_init() from here. Returns the pid or -errno.
 */
static long clone3_into_cgroup(const struct ns_spawn *s)
{
	struct clone_args args = {
		.flags = (uint64_t)s->flags | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)s->cgroup_fd,
	};
	long pid;
#if defined(__x86_64__)
	struct child_stack st;
	int r;

	r = child_stack_alloc(&st);
	if (r < 0)
		return r;
	args.flags |= CLONE_VM | CLONE_VFORK;
	args.stack = (uint64_t)(uintptr_t)st.low;
	args.stack_size = CHILD_STACK_SIZE;
	pid = clone3_on_stack(&args, child_main, (void *)s);
	child_stack_free(&st);
	return pid;
#else
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		child_exec_init(s);
	return pid < 0 ? -errno : pid;
#endif
}

/*
 * The fork-like clone of a child with CLONE_NEWUSER: the child copies our
 * memory and waits in child_exec_init() on the barrier. With s->cgroup_fd,
 * clone3(CLONE_INTO_CGROUP) first. Returns the pid (setting *ret_born) or
 * -errno.
 */
static long clone_fork_userns(const struct ns_spawn *s, bool *ret_born)
{
	long pid = -ENOSYS;

	if (s->cgroup_fd >= 0) {
		struct clone_args args = {
			.flags = (uint64_t)s->flags | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)s->cgroup_fd,
		};

		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			child_exec_init(s);
		*ret_born = pid > 0;
	}
	if (pid <= 0) {
		pid = syscall(SYS_clone, s->flags | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid == 0)
			child_exec_init(s);
	}
	return pid < 0 ? -errno : pid;
}

/* ns_spawn_init() for CLONE_NEWUSER: clone, write the maps, open the barrier. */
static int spawn_userns(const struct ns_spawn *s, pid_t *ret_pid)
{
	struct ns_spawn c = *s;
	const char *file = "uid_map";
	bool born = false;
	int fds[2], r, wstatus;
	long pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	c.sync_fd = fds[0];
	c.sync_peer_fd = fds[1];
	pid = clone_fork_userns(&c, &born);
	(void)close(fds[0]);
	if (pid < 0) {
		(void)close(fds[1]);
		return (int)pid;
	}
	r = userns_write_maps((pid_t)pid, s->uid_map, s->gid_map, &file);
	if (r >= 0 && write(fds[1], "1", 1) != 1)
		r = -errno;
	(void)close(fds[1]);
	if (r < 0) {
		if (s->failed_map)
			*s->failed_map = file;
		(void)kill((pid_t)pid, SIGKILL);
		(void)RETRY_EINTR(waitpid((pid_t)pid, &wstatus, 0));
		return r;
	}
	*ret_pid = (pid_t)pid;
	return born ? 1 : 0;
}

int ns_spawn_init(const struct ns_spawn *s, pid_t *ret_pid)
{
	long pid;

	if (s->flags & CLONE_NEWUSER)
		return spawn_userns(s, ret_pid);

	if (s->cgroup_fd >= 0) {
		pid = clone3_into_cgroup(s);
		if (pid > 0) {
			*ret_pid = (pid_t)pid;
			return 1;
		}
	}
	pid = clone_vfork(s);
	if (pid < 0)
		return (int)pid;
	*ret_pid = (pid_t)pid;
	return 0;
}
