/* SPDX-License-Identifier: MIT */
/*
 * runtime-idmap.c: idmapped volumes (runtime-idmap.h), both sides.
 *
 * The kernel lets only a caller with CAP_SYS_ADMIN in the user namespace of
 * a file system's superblock idmap its mounts: for the host's file systems
 * that is the launcher, never init (root of the container's namespace
 * only). So the launcher makes each idmapped tree once init's maps are
 * written, as a detached mount (open_tree OPEN_TREE_CLONE, then
 * mount_setattr MOUNT_ATTR_IDMAP with /proc/<init>/ns/user), and passes its
 * fd to init over a SOCK_SEQPACKET pair, one fd a message, before the
 * command frame releases init. Init attaches them in the plan's order with
 * move_mount() (MOUNT_OP_MOVE_FD), which its own mount namespace allows.
 *
 * Host uid 0 on the disk then shows as uid 0 of the container, host uid N
 * as N; what the container's root writes lands on the disk as uid 0.
 */
#include "runtime-idmap.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "runtime-mount.h"
#include "spec.h"
#include "util.h"

/* From <linux/mount.h>, which clashes with <sys/mount.h> in glibc 2.36. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct idmap_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* The number of MOUNT_OP_MOVE_FD ops in @plan. */
static size_t idmap_count(const struct mount_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].type == MOUNT_OP_MOVE_FD)
			n++;
	return n;
}

int idmap_channel_open(const struct mount_plan *plan, int *ret_launcher, int *ret_init)
{
	int fds[2];

	*ret_launcher = *ret_init = -EBADF;
	if (idmap_count(plan) == 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	*ret_launcher = fds[0];
	*ret_init = fds[1];
	return 0;
}

/* The Volume= entry of @spec that made @op (idmapped, same source, target at the end). */
static const struct spec_mount *volume_of(const struct container_spec *spec,
					  const struct mount_op *op)
{
	size_t tlen = strlen(op->target);

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		size_t mlen = strlen(m->target);

		if ((m->flags & SPEC_MOUNT_IDMAP) && m->source && streq(m->source, op->source) &&
		    mlen <= tlen && streq(op->target + tlen - mlen, m->target))
			return m;
	}
	return NULL;
}

/* Logs "[file:line: ]Volume=SRC:DST:idmap: @why" for @op. Returns @r. */
static int idmap_error(int r, const struct container_spec *spec, const struct mount_op *op,
		       const char *why)
{
	const struct spec_mount *m = volume_of(spec, op);
	const char *target = m ? m->target : op->target;

	if (m && m->file > 0 && m->file <= strv_length(spec->files))
		(void)log_syntax(spec->files[m->file - 1], m->line, LOG_LEVEL_ERROR,
				 "Volume=%s:%s:idmap: %s", op->source, target, why);
	else
		log_error("%s: Volume=%s:%s:idmap: %s", spec->name ? spec->name : "container",
			  op->source, target, why);
	return r;
}

/*
 * An idmapped, detached clone of the tree at @source (submounts included)
 * in the user namespace @userns_fd: the fd, or -errno with @why set (a
 * kernel or file system without idmapped mounts is named as such).
 */
static int idmapped_tree(const char *source, int userns_fd, char *why, size_t why_size)
{
	_cleanup_close_ int tree = -EBADF;
	struct idmap_mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP,
		.userns_fd = (uint64_t)userns_fd,
	};
	int r;

	tree = (int)syscall(SYS_open_tree, AT_FDCWD, source,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree >= 0 && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
				 sizeof(attr)) == 0)
		return TAKE_FD(tree);
	r = -errno;
	if (r == -ENOSYS)
		snprintf(why, why_size,
			 "the kernel does not support idmapped mounts (5.12 or later)");
	else if (tree < 0)
		snprintf(why, why_size, "cannot open '%s': %s", source, strerror(-r));
	else if (r == -EINVAL) /* a file system (or a submount's) without FS_ALLOW_IDMAP */
		snprintf(why, why_size, "the file system does not support idmapped mounts");
	else
		snprintf(why, why_size, "cannot idmap the mount of '%s': %s", source, strerror(-r));
	return r;
}

/* An idmapped clone of @op->source in @userns_fd, sent over @sock. 0 or -errno (logged). */
static int send_one(int sock, int userns_fd, const struct container_spec *spec,
		    const struct mount_op *op)
{
	_cleanup_close_ int tree = -EBADF;
	char why[PATH_MAX + 64];
	int r;

	tree = idmapped_tree(op->source, userns_fd, why, sizeof(why));
	if (tree < 0)
		return idmap_error(tree, spec, op, why);
	r = fd_send(sock, tree);
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot pass the idmapped mount to init: %s",
			 strerror(-r));
		return idmap_error(r, spec, op, why);
	}
	return 0;
}

/*
 * A user namespace of its own with one mapping (root to root), for the
 * probe: a child unshares it and waits on a pipe until @ret_fd is open.
 * Returns 0 or -errno.
 */
static int probe_userns(int *ret_fd)
{
	_cleanup_close_ int to_parent = -EBADF, from_parent = -EBADF;
	int up[2], down[2], r = 0;
	char path[64], c;
	pid_t pid;

	if (pipe2(up, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(down, O_CLOEXEC) < 0) {
		r = -errno;
		close(up[0]);
		close(up[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		return r;
	}
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		c = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
		if (write(up[1], &c, 1) == 1)
			(void)RETRY_EINTR(read(down[0], &c, 1)); /* until the parent closes it */
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	to_parent = up[0];
	from_parent = down[1];
	if (RETRY_EINTR(read(to_parent, &c, 1)) != 1 || c != 'u')
		r = -EPERM;
	if (r == 0) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		r = write_file_at(AT_FDCWD, path, "0 0 1\n");
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		r = write_file_at(AT_FDCWD, path, "0 0 1\n");
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		*ret_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (*ret_fd < 0)
			r = -errno;
	}
	from_parent = safe_close(from_parent);
	(void)RETRY_EINTR(waitpid(pid, NULL, 0));
	return r;
}

int idmap_probe(const char *source, char *why, size_t why_size)
{
	_cleanup_close_ int userns = -EBADF, tree = -EBADF;
	int r;

	r = probe_userns(&userns);
	if (r < 0) {
		snprintf(why, why_size, "cannot make a user namespace to try it: %s", strerror(-r));
		return r;
	}
	/* Never attached: closing it is the end of the clone. */
	tree = idmapped_tree(source, userns, why, why_size);
	return tree < 0 ? tree : 0;
}

int idmap_send_mounts(int sock, pid_t pid, const struct container_spec *spec,
		      const struct mount_plan *plan)
{
	_cleanup_close_ int userns = -EBADF;
	char path[64];
	int r;

	if (idmap_count(plan) == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return log_error_errno(-errno, "%s: cannot open '%s': %m",
				       spec->name ? spec->name : "container", path);
	for (size_t i = 0; i < plan->n_ops; i++) {
		if (plan->ops[i].type != MOUNT_OP_MOVE_FD)
			continue;
		r = send_one(sock, userns, spec, &plan->ops[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int idmap_move_received(const struct mount_op *op)
{
	_cleanup_close_ int tree = -EBADF;

	tree = fd_receive(INIT_IDMAP_FD);
	if (tree < 0)
		return tree;
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, op->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

bool idmap_init_present(void)
{
	struct stat st;

	return fstat(INIT_IDMAP_FD, &st) == 0 && S_ISSOCK(st.st_mode);
}
