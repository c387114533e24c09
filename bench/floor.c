/* SPDX-License-Identifier: MIT */
/*
 * floor.c: the least work one container start needs, as a yardstick for
 * `make bench`. Usage: floor COMMAND [ARG...]
 * Three cgroup v1 dirs (memory, cpu, cpuset) below the caller's own cgroup,
 * memory 100M / cpu.shares 512 / cpuset 0-1, clone into new UTS, PID, mount,
 * net and IPC namespaces, a pipe barrier while the parent joins the child to
 * the cgroups, / made rprivate, /proc mounted, exec; then wait and rmdir.
 * No option parsing, no config, no signal forwarding: that is the point.
 *
 * Build options, only to measure where a launcher's extra time goes (the
 * plain build is the floor): -DFLOOR_REEXEC the child re-executes
 * /proc/self/exe, which reads the barrier on fd 3, mounts and execs (the shape
 * of a launcher's `init`); -DFLOOR_NESTED the cgroups go one shared level
 * deeper (<own>/floor-nest/floor-PID, cpuset copied into the level when empty,
 * the level removed when empty); -DFLOOR_LO the child brings `lo` up;
 * -DFLOOR_VFORK (with FLOOR_REEXEC) clones with CLONE_VM | CLONE_VFORK, as
 * mdlaunch does: the child shares the parent's memory until its re-exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef FLOOR_VFORK
#ifndef FLOOR_REEXEC
#error "FLOOR_VFORK needs FLOOR_REEXEC: the barrier must be read after the exec"
#endif
#define VFORK_FLAGS (CLONE_VM | CLONE_VFORK)
#else
#define VFORK_FLAGS 0
#endif

static const char *const ctl[3] = { "memory", "cpu", "cpuset" };
static char dir[3][1200];
static int pipefd[2];
static char **cmd;
#ifdef FLOOR_NESTED
#define LEVEL "/floor-nest"
#else
#define LEVEL ""
#endif

static int die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 125;
}

static int has_word(const char *list, const char *w) /* w in "a,b,c" */
{
	size_t n = strlen(w);
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, w, n) && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
			return 1;
	return 0;
}

/* dir[i] = <mount point of ctl[i]> + <own cgroup path - mount root> + /floor-<pid> */
static int find_dirs(void)
{
	char line[4096], own[3][512] = { "" }, mnt[512], root[512], fs[64], opts[512];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) { /* "4:memory:/a/b" */
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		if (!p)
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		for (int i = 0; i < 3; i++)
			if (has_word(c + 1, ctl[i]))
				snprintf(own[i], sizeof own[i], "%s", p);
	}
	fclose(f);
	if (!(f = fopen("/proc/self/mountinfo", "re")))
		return -1;
	while (fgets(line, sizeof line, f)) { /* id pid maj:min root mnt opts... - fs src sopts */
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %511s", fs, opts) != 2 || strcmp(fs, "cgroup"))
			continue;
		for (int i = 0; i < 3; i++) {
			size_t rl = strcmp(root, "/") ? strlen(root) : 0;
			if (!has_word(opts, ctl[i]) || !own[i][0] || strncmp(own[i], root, rl))
				continue;
			snprintf(dir[i], sizeof dir[i], "%s%s" LEVEL "/floor-%d", mnt, own[i] + rl,
				 getpid());
			found |= 1 << i;
		}
	}
	fclose(f);
	return found == 7 ? 0 : (errno = ENOENT, -1);
}

static int put(int i, const char *file, const char *val)
{
	char path[1300];
	int fd, r;

	snprintf(path, sizeof path, "%s/%s", dir[i], file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return r;
}

/* The container side, once the parent has closed the barrier's write end. */
static int container(int fd, char **argv)
{
	char c;

	if (read(fd, &c, 1) != 0) /* EOF: the parent has joined us to the cgroups */
		_exit(125);
	close(fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		_exit(die("mount"));
#ifdef FLOOR_LO
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr)))
		_exit(die("lo up"));
	close(s);
#endif
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

static int child(void *arg)
{
	close(pipefd[1]);
#ifdef FLOOR_REEXEC
	if (pipefd[0] == 3 ? fcntl(3, F_SETFD, 0) : dup2(pipefd[0], 3)) /* fd 3 survives exec */
		_exit(die("fd 3"));
	execv("/proc/self/exe", arg);
	_exit(die("re-exec"));
#endif
	return container(pipefd[0], arg);
}

#ifdef FLOOR_NESTED
/* The shared level: made if missing, cpuset filled from its parent when empty. */
static int make_level(void)
{
	char path[sizeof dir[0]], buf[64];
	int fd, n;

	for (int i = 0; i < 3; i++) {
		memcpy(path, dir[i], sizeof path);
		*strrchr(path, '/') = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		if (i != 2)
			continue;
		for (const char *f = "cpuset.cpus"; f;
		     f = strcmp(f, "cpuset.cpus") ? NULL : "cpuset.mems") {
			char p2[1400];
			snprintf(p2, sizeof p2, "%s/%s", path, f);
			if ((fd = open(p2, O_RDONLY | O_CLOEXEC)) < 0)
				return -1;
			n = read(fd, buf, sizeof buf);
			close(fd);
			if (n > 1)
				continue;
			snprintf(p2, sizeof p2, "%s/../%s", path, f);
			if ((fd = open(p2, O_RDONLY | O_CLOEXEC)) < 0)
				return -1;
			n = read(fd, buf, sizeof buf - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			snprintf(p2, sizeof p2, "%s/%s", path, f);
			if ((fd = open(p2, O_WRONLY | O_CLOEXEC)) < 0)
				return -1;
			n = write(fd, buf, strlen(buf));
			close(fd);
		}
	}
	return 0;
}
#endif

int main(int argc, char **argv)
{
	static char stack[64 * 1024];
	char mems[64] = "", path[1300], pid[32];
	int status = 0, r = 125, joined = 1, fd, n;
	pid_t p;

	if (argc < 2)
		return fprintf(stderr, "usage: floor COMMAND [ARG...]\n"), 125;
	cmd = argv + 1;
#ifdef FLOOR_REEXEC
	if (argc > 2 && !strcmp(argv[1], "--init"))
		return container(3, argv + 2);
	char **initargv = calloc(argc + 2, sizeof(char *));
	initargv[0] = argv[0], initargv[1] = "--init";
	memcpy(initargv + 2, argv + 1, argc * sizeof(char *));
#else
	char **initargv = cmd;
#endif
	if (find_dirs())
		return die("finding the memory, cpu and cpuset cgroup v1 mounts");
	for (int i = 0; i < 3; i++) {
#ifdef FLOOR_NESTED /* a concurrent start may remove the level between the two mkdirs */
		for (int t = 0; t < 10 && (make_level() || mkdir(dir[i], 0755)) && errno == ENOENT;
		     t++)
			;
		if (!access(dir[i], F_OK))
			continue;
#endif
		if (mkdir(dir[i], 0755)) {
			r = die(dir[i]);
			goto out;
		}
	}
	snprintf(path, sizeof path, "%s/../cpuset.mems", dir[2]);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, mems, sizeof mems - 1);
		mems[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (put(0, "memory.limit_in_bytes", "104857600") || put(1, "cpu.shares", "512") ||
	    put(2, "cpuset.cpus", "0-1") || put(2, "cpuset.mems", mems)) {
		r = die("writing a cgroup limit");
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		r = die("pipe");
		goto out;
	}
	p = clone(child, stack + sizeof stack,
		  CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
		      SIGCHLD | VFORK_FLAGS,
		  initargv);
	if (p < 0) {
		r = die("clone");
		goto out;
	}
	close(pipefd[0]);
	snprintf(pid, sizeof pid, "%d", p);
	for (int i = 0; i < 3; i++)
		if (joined && put(i, "cgroup.procs", pid)) { /* no EOF for the child: kill it */
			die("joining a cgroup");
			kill(p, SIGKILL);
			joined = 0;
		}
	close(pipefd[1]);
	while (waitpid(p, &status, 0) < 0 && errno == EINTR)
		;
	if (joined)
		r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	for (int i = 0; i < 3; i++) {
		for (int t = 0; rmdir(dir[i]) && errno == EBUSY && t < 100; t++)
			usleep(1000);
#ifdef FLOOR_NESTED /* fails while other starts use the level: the last one removes it */
		*strrchr(dir[i], '/') = '\0';
		rmdir(dir[i]);
#endif
	}
	return r;
}
