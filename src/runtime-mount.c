/* SPDX-License-Identifier: MIT */
/*
 * runtime-mount.c: the mount plan (runtime-mount.h). The launcher builds it
 * from the validated spec before the clone, `show` prints it, the command
 * frame (runtime-pipe.c) carries it to init, and init runs it right after
 * the start barrier, before the hostname, the network and the privilege
 * drop. The order of the builders below is the order of a container's
 * mounts: propagation first (nothing may reach the host), then the root,
 * then the kernel file systems inside it.
 */
#include "runtime-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime-mount-kernel.h"
#include "runtime-rootfs.h"
#include "runtime-dev.h"
#include "runtime-idmap.h"
#include "spec.h"
#include "util.h"

/* From <linux/mount.h>, which clashes with <sys/mount.h> in glibc 2.36. */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV  0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct mount_attr_compat {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static const char *const op_names[_MOUNT_OP_MAX] = {
	[MOUNT_OP_MOUNT] = "mount",	      [MOUNT_OP_REMOUNT] = "remount",
	[MOUNT_OP_MKDIR] = "mkdir",	      [MOUNT_OP_MKNOD] = "mknod",
	[MOUNT_OP_SYMLINK] = "symlink",	      [MOUNT_OP_MASK] = "mask",
	[MOUNT_OP_PIVOT_ROOT] = "pivot_root", [MOUNT_OP_CHDIR] = "chdir",
	[MOUNT_OP_WRITE] = "write",	      [MOUNT_OP_BIND_IN_ROOT] = "bind",
	[MOUNT_OP_MOVE_FD] = "move",
};

/* The name of an op type ("mount", "remount", ...), NULL when out of range. */
static const char *mount_op_type_to_string(uint32_t type)
{
	return type < _MOUNT_OP_MAX ? op_names[type] : NULL;
}

int mount_plan_add(struct mount_plan *plan, const struct mount_op *op)
{
	struct mount_op copy = *op, *ops;

	if (plan->n_ops >= MOUNT_PLAN_OPS_MAX)
		return -E2BIG;
	copy.source = copy.target = copy.fstype = copy.data = NULL;
	if ((op->source && !(copy.source = strdup(op->source))) ||
	    !(copy.target = strdup(op->target ? op->target : "")) ||
	    (op->fstype && !(copy.fstype = strdup(op->fstype))) ||
	    (op->data && !(copy.data = strdup(op->data))))
		goto out_nomem;
	ops = reallocarray(plan->ops, plan->n_ops + 1, sizeof(*ops));
	if (!ops)
		goto out_nomem;
	ops[plan->n_ops++] = copy;
	plan->ops = ops;
	return 0;

out_nomem:
	free(copy.source);
	free(copy.target);
	free(copy.fstype);
	free(copy.data);
	return -ENOMEM;
}

void mount_plan_done(struct mount_plan *plan)
{
	for (size_t i = 0; i < plan->n_ops; i++) {
		free(plan->ops[i].source);
		free(plan->ops[i].target);
		free(plan->ops[i].fstype);
		free(plan->ops[i].data);
	}
	free(plan->ops);
	plan->ops = NULL;
	plan->n_ops = 0;
}

/*
 * Propagation: every mount of the new namespace becomes private, so that
 * nothing mounted below reaches the host (mydocker's broken /proc) and
 * pivot_root accepts the new root.
 */
static int build_propagation(struct mount_plan *plan)
{
	return mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
							.target = "/",
							.mountflags = MS_REC | MS_PRIVATE });
}

int mount_plan_add_before_pivot(struct mount_plan *plan, const struct mount_op *op)
{
	_cleanup_free_ char *target = NULL;
	size_t pivot = plan->n_ops;
	struct mount_op moved;
	int r;

	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].type == MOUNT_OP_PIVOT_ROOT)
			pivot = i;
	if (pivot == plan->n_ops)
		return mount_plan_add(plan, op);
	target = strdup_printf("%s%s", plan->ops[pivot].target, op->target);
	if (!target)
		return -ENOMEM;
	r = mount_plan_add(plan, op);
	if (r < 0)
		return r;
	moved = plan->ops[plan->n_ops - 1];
	free(moved.target);
	moved.target = TAKE_PTR(target);
	memmove(&plan->ops[pivot + 1], &plan->ops[pivot],
		(plan->n_ops - 1 - pivot) * sizeof(plan->ops[0]));
	plan->ops[pivot] = moved;
	return 1;
}

/*
 * A /proc of the container's PID namespace. In a user namespace with a new
 * root it is mounted inside the new root before the pivot, as runc and crun
 * do (see mount_plan_add_before_pivot()).
 */
static int build_proc(const struct container_spec *spec, struct mount_plan *plan)
{
	struct mount_op op = {
		.type = MOUNT_OP_MOUNT,
		.source = "proc",
		.target = "/proc",
		.fstype = "proc",
		.mountflags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
	};

	if (spec_has_userns(spec))
		return mount_plan_add_before_pivot(plan, &op);
	return mount_plan_add(plan, &op);
}

int mount_plan_build(const struct container_spec *spec, struct mount_plan *ret)
{
	struct mount_plan plan = {};
	int r;

	if (!(spec->namespaces & NS_MOUNT)) {
		*ret = plan;
		return 0;
	}
	r = build_propagation(&plan);
	if (r >= 0)
		r = mount_plan_add_rootfs(spec, &plan);
	if (r >= 0)
		r = build_proc(spec, &plan);
	if (r >= 0)
		r = mount_plan_add_kernel_fs(spec, &plan);
	if (r >= 0)
		r = mount_plan_add_dev(spec, &plan);
	/* Last: the masks bind the container's own /dev/null. */
	if (r >= 0)
		r = mount_plan_add_masks(spec, &plan);
	if (r < 0) {
		mount_plan_done(&plan);
		return r;
	}
	*ret = plan;
	return 0;
}

/* The MS_* flags of the mount at @path that a bind remount must keep. */
static int mount_flags_of(const char *path, unsigned long *ret)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },
		{ ST_NODEV, MS_NODEV },	      { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME },   { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	*ret = flags;
	return 0;
}

static int op_remount(const struct mount_op *op)
{
	unsigned long flags = 0;
	int r;

	if (op->mountflags & MS_REC) {
		struct mount_attr_compat attr = {};

		if (op->mountflags & MS_RDONLY)
			attr.attr_set |= MOUNT_ATTR_RDONLY;
		if (op->mountflags & MS_NOSUID)
			attr.attr_set |= MOUNT_ATTR_NOSUID;
		if (op->mountflags & MS_NODEV)
			attr.attr_set |= MOUNT_ATTR_NODEV;
		if (op->mountflags & MS_NOEXEC)
			attr.attr_set |= MOUNT_ATTR_NOEXEC;
		if (syscall(SYS_mount_setattr, AT_FDCWD, op->target, AT_RECURSIVE, &attr,
			    sizeof(attr)) == 0)
			return 0;
		/* Older kernels: the mount itself only. */
		if (errno != ENOSYS)
			return -errno;
	}
	r = mount_flags_of(op->target, &flags);
	if (r < 0)
		return r;
	flags |= op->mountflags & ~(unsigned long)MS_REC;
	if (mount(NULL, op->target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * mkdir(@path, @mode), then, when @uid is not -1, a chown of the directory
 * it made (an existing one is left as it is). Returns 0 (made), 1 (it
 * existed), or -errno.
 */
static int mkdir_owned(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) < 0)
		return errno == EEXIST ? 1 : -errno;
	if (uid != (uid_t)-1 && lchown(path, uid, gid) < 0)
		return -errno;
	return 0;
}

/*
 * mkdir -p @path with @mode for every missing component, each one it makes
 * given to @uid:@gid unless @uid is -1. The parents usually exist
 * (/sys/fs/cgroup/cpu, /dev/pts): the path itself is tried first, the
 * components only when that says ENOENT.
 */
static int mkdir_p(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	int r;

	r = mkdir_owned(path, mode, uid, gid);
	if (r != -ENOENT)
		return r < 0 ? r : 0;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		r = mkdir_owned(buf, mode, uid, gid);
		if (r < 0)
			return r;
		*p = '/';
	}
	r = mkdir_owned(buf, mode, uid, gid);
	return r < 0 ? r : 0;
}

static int op_mkdir(const struct mount_op *op)
{
	bool owned = op->flags & MOUNT_OP_CHOWN;

	return mkdir_p(op->target, op->mode ? op->mode : 0755, owned ? op->uid : (uid_t)-1,
		       owned ? op->gid : (gid_t)-1);
}

/* Creates the target of a mount: a directory, or an empty file for a bind of a non-directory. */
static int make_target(const struct mount_op *op)
{
	struct stat st;
	char parent[PATH_MAX];
	char *slash;
	int fd, r;

	if (!(op->mountflags & MS_BIND) || !op->source || stat(op->source, &st) < 0 ||
	    S_ISDIR(st.st_mode))
		return mkdir_p(op->target, 0755, (uid_t)-1, (gid_t)-1);
	if (strlen(op->target) >= sizeof(parent))
		return -ENAMETOOLONG;
	strcpy(parent, op->target);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		r = mkdir_p(parent, 0755, (uid_t)-1, (gid_t)-1);
		if (r < 0)
			return r;
	}
	fd = open(op->target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The mount of @op again, its data without the gid= option: the ptys then
 * stay the group of the namespace's root. Allocates nothing (init).
 */
static int mount_without_gid(const struct mount_op *op)
{
	char data[256];
	size_t len = 0;

	for (const char *p = op->data, *end; *p; p = *end ? end + 1 : end) {
		size_t n;

		end = strchrnul(p, ',');
		n = (size_t)(end - p);
		if (n >= 4 && strncmp(p, "gid=", 4) == 0)
			continue;
		if (len + n + 2 > sizeof(data))
			return -EINVAL;
		if (len)
			data[len++] = ',';
		memcpy(data + len, p, n);
		len += n;
	}
	data[len] = '\0';
	if (mount(op->source, op->target, op->fstype, op->mountflags, data) < 0)
		return -errno;
	return 0;
}

static int op_mount(const struct mount_op *op)
{
	int r;

	if (op->flags & MOUNT_OP_MKTARGET) {
		r = make_target(op);
		if (r < 0)
			return r;
	}
	if (mount(op->source, op->target, op->fstype, op->mountflags, op->data) == 0)
		return 0;
	if (errno != EINVAL || !(op->flags & MOUNT_OP_GID_IF_MAPPED) || !op->data)
		return -errno;
	return mount_without_gid(op);
}

static int op_mknod(const struct mount_op *op)
{
	int fd;

	if (mknod(op->target, op->mode, op->dev) == 0) {
		/* mknod() applies the umask; a node's mode is the plan's (0666 for /dev/null). */
		if (chmod(op->target, op->mode & 07777) < 0)
			return -errno;
		return 0;
	}
	if (errno != EPERM || !op->source)
		return -errno;
	/* No mknod here (a user namespace): bind the host's node instead. */
	fd = open(op->target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	if (mount(op->source, op->target, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

static int op_mask(const struct mount_op *op)
{
	struct stat st;

	if (stat(op->target, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", op->target, "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0755") < 0)
			return -errno;
		return 0;
	}
	if (mount("/dev/null", op->target, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

static int op_pivot_root(const struct mount_op *op)
{
	_cleanup_close_ int fd = -EBADF;

	fd = open(op->target, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchdir(fd) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	/* The old root is stacked on the new one at "."; detach it. */
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

static int op_write(const struct mount_op *op)
{
	_cleanup_close_ int fd = -EBADF;
	size_t len = op->data ? strlen(op->data) : 0;

	fd = open(op->target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  op->mode & 07777);
	if (fd < 0)
		return -errno;
	if (len > 0 && write(fd, op->data, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	/* The umask applied to open(); the file's mode is the plan's. */
	if (fchmod(fd, op->mode & 07777) < 0)
		return -errno;
	return 0;
}

/* openat2() of @path inside @rootfd with @flags, never leaving that root. Returns an fd or -errno.
 */
static int open_in_root(int rootfd, const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.mode = flags & O_CREAT ? 0644 : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int op_bind_in_root(const struct mount_op *op)
{
	_cleanup_close_ int rootfd = -EBADF, fd = -EBADF;
	char path[64];
	struct stat st;
	bool optional = op->flags & MOUNT_OP_OPTIONAL;

	rootfd = open(op->data ? op->data : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = open_in_root(rootfd, op->target, O_PATH);
	if (fd == -ENOENT && (op->flags & MOUNT_OP_MKTARGET)) {
		fd = open_in_root(rootfd, op->target, O_WRONLY | O_CREAT | O_NOCTTY);
		/* A read-only root, a missing parent, a dangling symlink: nothing to bind on. */
		if (optional && (fd == -EROFS || fd == -EACCES || fd == -EPERM || fd == -ENOTDIR))
			fd = -ENOENT;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return optional ? -ENOENT : -EINVAL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mount(op->source, path, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

/* An idmapped volume: the launcher's detached mount, attached on the target. */
static int op_move_fd(const struct mount_op *op)
{
	int r;

	if (op->flags & MOUNT_OP_MKTARGET) {
		r = make_target(op);
		if (r < 0)
			return r;
	}
	return idmap_move_received(op);
}

static int op_execute(const struct mount_op *op)
{
	switch (op->type) {
	case MOUNT_OP_MOUNT:
		return op_mount(op);
	case MOUNT_OP_REMOUNT:
		return op_remount(op);
	case MOUNT_OP_MKDIR:
		return op_mkdir(op);
	case MOUNT_OP_MKNOD:
		return op_mknod(op);
	case MOUNT_OP_SYMLINK:
		if (symlink(op->source, op->target) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	case MOUNT_OP_MASK:
		return op_mask(op);
	case MOUNT_OP_PIVOT_ROOT:
		return op_pivot_root(op);
	case MOUNT_OP_CHDIR:
		return chdir(op->target) < 0 ? -errno : 0;
	case MOUNT_OP_WRITE:
		return op_write(op);
	case MOUNT_OP_BIND_IN_ROOT:
		return op_bind_in_root(op);
	case MOUNT_OP_MOVE_FD:
		return op_move_fd(op);
	}
	return -EINVAL;
}

int mount_plan_execute(const struct mount_plan *plan, size_t *ret_failed)
{
	for (size_t i = 0; i < plan->n_ops; i++) {
		int r = op_execute(&plan->ops[i]);

		if (r == -ENOENT && (plan->ops[i].flags & MOUNT_OP_OPTIONAL))
			continue;
		if (r < 0) {
			*ret_failed = i;
			return r;
		}
	}
	return 0;
}

/* Appends the names of the MS_* flags of @flags to @buf, comma-separated. */
static void describe_flags(unsigned long flags, char *buf, size_t size)
{
	static const struct {
		unsigned long ms;
		const char *name;
	} names[] = {
		{ MS_RDONLY, "ro" },	   { MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" },
		{ MS_NOEXEC, "noexec" },   { MS_BIND, "bind" },	    { MS_REC, "rec" },
		{ MS_PRIVATE, "private" }, { MS_SLAVE, "slave" },   { MS_SHARED, "shared" },
		{ MS_REMOUNT, "remount" },
	};
	size_t len = strlen(buf);

	for (size_t i = 0; i < ELEMENTSOF(names) && len < size; i++) {
		if (!(flags & names[i].ms))
			continue;
		len +=
		    (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", names[i].name);
	}
}

void mount_op_describe(const struct mount_op *op, char *buf, size_t size)
{
	char flags[128] = "";
	const char *name = mount_op_type_to_string(op->type);

	if (size == 0)
		return;
	describe_flags(op->mountflags, flags, sizeof(flags));
	switch (op->type) {
	case MOUNT_OP_MOUNT:
		if (!op->source && !op->fstype)
			snprintf(buf, size, "make '%s' %s", op->target, flags);
		else if (op->fstype)
			snprintf(buf, size, "mount %s on '%s' (%s%s%s)", op->fstype, op->target,
				 flags, *flags && op->data ? "," : "", op->data ? op->data : "");
		else
			snprintf(buf, size, "bind '%s' on '%s' (%s)", op->source, op->target,
				 flags);
		break;
	case MOUNT_OP_REMOUNT:
		snprintf(buf, size, "remount '%s' (%s)", op->target, flags);
		break;
	case MOUNT_OP_MKDIR:
		if (op->flags & MOUNT_OP_CHOWN)
			snprintf(buf, size, "mkdir '%s' (mode %04o, owner %u:%u)", op->target,
				 op->mode & 07777, (unsigned)op->uid, (unsigned)op->gid);
		else
			snprintf(buf, size, "mkdir '%s' (mode %04o)", op->target, op->mode & 07777);
		break;
	case MOUNT_OP_MKNOD:
		snprintf(buf, size, "mknod '%s' (%c %u:%u, mode %04o)", op->target,
			 S_ISBLK(op->mode) ? 'b' : 'c', major(op->dev), minor(op->dev),
			 op->mode & 07777);
		break;
	case MOUNT_OP_SYMLINK:
		snprintf(buf, size, "symlink '%s' -> '%s'", op->target, op->source);
		break;
	case MOUNT_OP_WRITE:
		snprintf(buf, size, "write '%s' (%zu bytes, mode %04o)", op->target,
			 op->data ? strlen(op->data) : 0, op->mode & 07777);
		break;
	case MOUNT_OP_BIND_IN_ROOT:
		snprintf(buf, size, "bind '%s' on '%s' in the root '%s'%s", op->source, op->target,
			 op->data ? op->data : "/",
			 !(op->flags & MOUNT_OP_OPTIONAL) ? ""
			 : op->flags & MOUNT_OP_MKTARGET  ? " (created if missing, else skipped)"
							  : " if present");
		return;
	case MOUNT_OP_MOVE_FD:
		snprintf(buf, size,
			 "bind '%s' on '%s' idmapped to the user namespace (%s; made by the "
			 "launcher, moved by init)",
			 op->source, op->target, flags);
		break;
	default:
		snprintf(buf, size, "%s '%s'", name ? name : "?", op->target);
		break;
	}
	if (op->flags & MOUNT_OP_OPTIONAL) {
		size_t len = strlen(buf);

		if (len + 1 < size)
			snprintf(buf + len, size - len, " if present");
	}
	if (op->flags & MOUNT_OP_GID_IF_MAPPED) {
		size_t len = strlen(buf);

		if (len + 1 < size)
			snprintf(buf + len, size - len,
				 ", without gid= if the user namespace does not map it");
	}
}

void mount_plan_print(const struct mount_plan *plan, const char *indent, FILE *f)
{
	char line[PATH_MAX * 2 + 256];

	for (size_t i = 0; i < plan->n_ops; i++) {
		mount_op_describe(&plan->ops[i], line, sizeof(line));
		fprintf(f, "%s%s\n", indent, line);
	}
}
