/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The mount plan: everything init does to the container's mount namespace,
 * as plain data. The launcher builds it from the spec (mount_plan_build()),
 * `show` prints it, the command frame carries it, and init executes it in
 * order after the start barrier (mount_plan_execute()). Each concern (the
 * root, /proc, /sys, cgroupfs, /dev, masks, volumes) appends its ops through
 * a builder of its own; the executor knows only the op types below.
 */

struct container_spec;

enum mount_op_type {
	/*
	 * mount(source, target, fstype, mountflags, data): a file system
	 * (fstype set), a bind (MS_BIND), or a propagation change (source
	 * NULL, MS_PRIVATE/MS_SLAVE...). With MOUNT_OP_MKTARGET the target is
	 * created first: a directory, or an empty file when the source of a
	 * bind is not a directory.
	 */
	MOUNT_OP_MOUNT,
	/*
	 * Bind-remount the mount at target with mountflags added (MS_RDONLY,
	 * MS_NOSUID, ...), keeping the flags the mount already has (a locked
	 * flag dropped by the remount is EPERM). With MS_REC every submount
	 * below target is remounted too.
	 */
	MOUNT_OP_REMOUNT,
	/*
	 * mkdir target with mode (parents included); an existing directory is
	 * fine. With MOUNT_OP_CHOWN the directories the op creates (never an
	 * existing one) are then given to uid:gid, ids as init sees them (inside
	 * the container's user namespace when it has one).
	 */
	MOUNT_OP_MKDIR,
	/*
	 * mknod(target, mode, dev). Where mknod is not allowed (a user
	 * namespace) the host node at source is bound over an empty file instead.
	 */
	MOUNT_OP_MKNOD,
	/* symlink(source, target). */
	MOUNT_OP_SYMLINK,
	/*
	 * Hide target: /dev/null bound over a file, an empty read-only tmpfs
	 * over a directory. A target that does not exist is skipped.
	 */
	MOUNT_OP_MASK,
	/*
	 * Make target the root: pivot_root(".", ".") inside it and detach the
	 * old root (no directory of the old root is left in the new one).
	 */
	MOUNT_OP_PIVOT_ROOT,
	/* chdir(target): later relative targets resolve from there. */
	MOUNT_OP_CHDIR,
	/*
	 * Create (or replace) the regular file target with mode and data as
	 * its contents (the generated /etc files, in the scratch tmpfs).
	 */
	MOUNT_OP_WRITE,
	/*
	 * Bind the file source over target, an absolute path resolved inside
	 * the directory data as its root (openat2 RESOLVE_IN_ROOT: a symlink
	 * in the container's tree never leads out of it). With
	 * MOUNT_OP_MKTARGET a missing file is created; with MOUNT_OP_OPTIONAL
	 * a target that is missing and cannot be created (a read-only root, a
	 * dangling symlink) or that is not a regular file skips the op.
	 */
	MOUNT_OP_BIND_IN_ROOT,
	/*
	 * Attach the next idmapped mount the launcher passed to init
	 * (runtime-idmap.h) on target: move_mount(fd, "", AT_FDCWD, target,
	 * MOVE_MOUNT_F_EMPTY_PATH). source is the host path the launcher
	 * cloned (Volume=...:idmap); with MOUNT_OP_MKTARGET the target is
	 * created first, as for a bind.
	 */
	MOUNT_OP_MOVE_FD,
	_MOUNT_OP_MAX,
};

/* mount_op.flags */
#define MOUNT_OP_OPTIONAL (1U << 0) /* a missing source or target skips the op */
#define MOUNT_OP_MKTARGET (1U << 1) /* create the target first (MOUNT_OP_MOUNT) */
#define MOUNT_OP_CHOWN	  (1U << 2) /* MKDIR: chown what it creates to uid:gid */
/*
 * MOUNT_OP_MOUNT: when the mount fails with EINVAL and data has a gid=
 * option, retry once without it (a devpts gid= the user namespace does
 * not map; the user namespace of UserNS=auto is only known at run time).
 */
#define MOUNT_OP_GID_IF_MAPPED (1U << 3)

struct mount_op {
	uint32_t type;	     /* enum mount_op_type */
	uint32_t flags;	     /* MOUNT_OP_* */
	uint64_t mountflags; /* MS_* */
	uint32_t mode;	     /* MKDIR, MKNOD: file type and permission bits */
	uint64_t dev;	     /* MKNOD: makedev(major, minor) */
	uint32_t uid, gid;   /* MKDIR with MOUNT_OP_CHOWN: the owner */
	char *source;	     /* NULL when unused */
	char *target;	     /* always set */
	char *fstype;	     /* NULL when unused */
	char *data;	     /* mount options, NULL when none */
};

struct mount_plan {
	struct mount_op *ops;
	size_t n_ops;
};

/* The largest plan the command frame carries. */
#define MOUNT_PLAN_OPS_MAX 4096U

/*
 * Builds the mount plan of @spec into @ret (empty when the container has no
 * mount namespace). Reads nothing of the host that a run could not; the
 * launcher calls it before the clone. Returns 0, -ENOMEM, or -errno of a
 * builder (logged by the caller with the spec's name).
 */
int mount_plan_build(const struct container_spec *spec, struct mount_plan *ret);

/*
 * Appends a copy of @op (its strings duplicated) to @plan. Returns 0,
 * -E2BIG past MOUNT_PLAN_OPS_MAX, or -ENOMEM (the plan is unchanged then).
 */
int mount_plan_add(struct mount_plan *plan, const struct mount_op *op);

/*
 * Inserts a copy of @op just before the plan's pivot_root, its target
 * inside the new root (what a user namespace needs for a new procfs or
 * sysfs: mount_too_revealing() wants a fully visible one in the mount
 * namespace, and the pivot detaches the host's). Appends it as it is when
 * the plan has no pivot_root. Returns 1 (before the pivot), 0 (appended),
 * or -errno as mount_plan_add().
 */
int mount_plan_add_before_pivot(struct mount_plan *plan, const struct mount_op *op);

/* Frees the ops of @plan and empties it; accepts an empty plan. */
void mount_plan_done(struct mount_plan *plan);

/*
 * Runs the ops of @plan in order (in init, in the container's mount
 * namespace). Returns 0; or -errno of the first op that failed, with its
 * index in *ret_failed. Allocates nothing.
 */
int mount_plan_execute(const struct mount_plan *plan, size_t *ret_failed);

/* One line describing @op for messages and `show` ("mount tmpfs on /dev (mode=755)"). */
void mount_op_describe(const struct mount_op *op, char *buf, size_t size);

/* Prints the plan for `show`, one op per line, each prefixed by @indent. */
void mount_plan_print(const struct mount_plan *plan, const char *indent, FILE *f);
