/* SPDX-License-Identifier: MIT */
/*
 * floor.c: the least work one container start needs, as a yardstick for
 * `make bench`. Usage: floor COMMAND [ARG...]
 * Three cgroup v1 dirs (memory, cpu, cpuset) below the caller's own cgroup,
 * memory 100M / cpu.shares 512 / cpuset 0-1, clone into new UTS, PID, mount,
 * net and IPC namespaces, a pipe barrier while the parent joins the child to
 * the cgroups, / made rprivate, /proc mounted, exec; then wait and rmdir.
 * No option parsing, no config, no signal forwarding: that is the point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const ctl[3] = { "memory", "cpu", "cpuset" };
static char dir[3][1200];
static int pipefd[2];
static char **cmd;

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
			snprintf(dir[i], sizeof dir[i], "%s%s/floor-%d", mnt, own[i] + rl, getpid());
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

static int child(void *arg)
{
	char c;

	(void)arg;
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 0) /* EOF: the parent has joined us to the cgroups */
		_exit(125);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		_exit(die("mount"));
	execvp(cmd[0], cmd);
	_exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024];
	char mems[64] = "", path[1300], pid[32];
	int status = 0, r = 125, joined = 1, fd, n;
	pid_t p;

	if (argc < 2)
		return fprintf(stderr, "usage: floor COMMAND [ARG...]\n"), 125;
	cmd = argv + 1;
	if (find_dirs())
		return die("finding the memory, cpu and cpuset cgroup v1 mounts");
	for (int i = 0; i < 3; i++)
		if (mkdir(dir[i], 0755)) {
			r = die(dir[i]);
			goto out;
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
		  CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | SIGCHLD,
		  NULL);
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
	for (int i = 0; i < 3; i++)
		for (int t = 0; rmdir(dir[i]) && errno == EBUSY && t < 100; t++)
			usleep(1000);
	return r;
}
