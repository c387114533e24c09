/* SPDX-License-Identifier: MIT */
/*
 * runtime-rootfs.c: the container's own file system, launcher side.
 *
 * The builder turns Rootfs=, Volume=, Tmpfs=, ReadOnly= and ReadOnlyTmpfs=
 * into mount-plan ops (runtime-mount.h), which init runs in the container's
 * mount namespace right after "/" became private, in this order:
 *
 *   new root: bind DIR on itself (runc's sequence), or an overlay with DIR
 *             as its read-only lower layer, mounted on the run's merged/
 *   -> mount points that are missing (the root is still writable here)
 *   -> the generated /etc/resolv.conf, hosts, hostname (runtime-etc.c)
 *   -> ReadOnly=: the root and every submount read-only (mount_setattr
 *      with AT_RECURSIVE, the executor's recursive REMOUNT)
 *   -> volumes and tmpfs, parents before children (an idmapped volume is
 *      the launcher's detached mount, moved in: runtime-idmap.c), then the
 *      read-only remounts of ro volumes; ReadOnlyTmpfs= tmpfs on /tmp
 *      /var/tmp /run
 *   -> the working directory, when it lies in one of those fresh tmpfs
 *   -> pivot_root into the new root, the old one detached
 *
 * after which the other builders mount /proc, /sys and /dev inside it.
 * Without Rootfs= the same volumes, tmpfs and ReadOnly= apply to the host
 * view, in the container's mount namespace only.
 *
 * What a run owns lives in a scratch tmpfs that init mounts on
 * RUNTIME_ROOTFS_DIR inside the container's mount namespace, first of all:
 * the overlay's upper/ and work/ and merged/, the anonymous volumes and the
 * generated /etc files (etc/).
 * The host never sees it (its directory there stays empty), and it goes
 * away with the namespace, on every exit path, a SIGKILLed launcher
 * included: there is nothing to remove and nothing a sweep could find. Its
 * pages are charged to the container's memory cgroup (Memory= bounds it),
 * as a /run tmpfs would be on a usual host; the directories cost no disk
 * I/O at start or exit (on this kind of machine, where /run is on disk,
 * the mkdir/rmdir of per-run host directories was most of an :O start).
 */
#include "runtime-rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "runtime-etc.h"
#include "runtime-mount.h"
#include "spec.h"
#include "util.h"

/* The ReadOnlyTmpfs= mounts, podman's --read-only-tmpfs set. */
static const struct {
	const char *target;
	const char *data;
} ro_tmpfs[] = {
	{ "/tmp", "size=" SPEC_TMPFS_SIZE_DEFAULT ",mode=1777" },
	{ "/var/tmp", "size=" SPEC_TMPFS_SIZE_DEFAULT ",mode=1777" },
	{ "/run", "size=" SPEC_TMPFS_SIZE_DEFAULT ",mode=0755" },
};

/*
 * True when a run of @spec needs the scratch tmpfs (an overlay, an anonymous
 * volume, the generated /etc files).
 */
static bool rootfs_needs_scratch(const struct container_spec *spec)
{
	if (!(spec->namespaces & NS_MOUNT))
		return false;
	if ((spec->rootfs && spec->rootfs_overlay) || etc_files_wanted(spec))
		return true;
	/* The host's view in a user namespace: its /dev is built here (runtime-dev.c). */
	if (!spec->rootfs && spec_has_userns(spec))
		return true;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].kind == SPEC_MOUNT_ANONYMOUS)
			return true;
	return false;
}

/* @root + @path ("/" + "/a" is "/a"), or NULL on OOM. */
static char *join(const char *root, const char *path)
{
	return strdup_printf("%s%s", streq(root, "/") ? "" : root, path);
}

static unsigned long ms_flags(unsigned flags)
{
	unsigned long ms = 0;

	if (flags & SPEC_MOUNT_RDONLY)
		ms |= MS_RDONLY;
	if (flags & SPEC_MOUNT_NOSUID)
		ms |= MS_NOSUID;
	if (flags & SPEC_MOUNT_NODEV)
		ms |= MS_NODEV;
	if (flags & SPEC_MOUNT_NOEXEC)
		ms |= MS_NOEXEC;
	return ms;
}

/* Appends @op with @target made of @root and @path. */
static int add_at(struct mount_plan *plan, struct mount_op op, const char *root, const char *path)
{
	_cleanup_free_ char *t = join(root, path);

	if (!t)
		return -ENOMEM;
	op.target = t;
	return mount_plan_add(plan, &op);
}

/* True when @path is @dir or below it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* True when @target is strictly below the target of another mount of @spec. */
static bool below_other_mount(const struct container_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (!streq(spec->mounts[i].target, target) &&
		    path_under(target, spec->mounts[i].target))
			return true;
	return false;
}

/* True when a Volume= or Tmpfs= of @spec is mounted on @target. */
static bool has_mount_on(const struct container_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (streq(spec->mounts[i].target, target))
			return true;
	return false;
}

/* The indices of spec->mounts sorted by target, so that a parent is mounted before its child. */
static int sorted_mounts(const struct container_spec *spec, size_t **ret)
{
	size_t *idx = calloc(spec->n_mounts ? spec->n_mounts : 1, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		size_t j = i;

		/* Insertion sort: a handful of entries; stable for equal targets. */
		while (j > 0 &&
		       strcmp(spec->mounts[idx[j - 1]].target, spec->mounts[i].target) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	*ret = idx;
	return 0;
}

/*
 * The scratch tmpfs and its directories: upper/ (the merged root shows its
 * mode, DIR's), work/, merged/, volumes/N of the anonymous volumes.
 */
static int add_scratch(const struct container_spec *spec, const char *rd, struct mount_plan *plan)
{
	struct stat st;
	mode_t root_mode = 0755;
	char path[64];
	int r;

	if (!rootfs_needs_scratch(spec))
		return 0;
	r = mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						     .source = "tmpfs",
						     .target = (char *)rd,
						     .fstype = "tmpfs",
						     .mountflags = MS_NOSUID | MS_NODEV,
						     .data = "mode=0700" });
	if (r >= 0 && spec->rootfs && spec->rootfs_overlay) {
		if (stat(spec->rootfs, &st) == 0)
			root_mode = st.st_mode & 07777;
		r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = root_mode }, rd,
			   "/upper");
		if (r >= 0)
			r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0700 },
				   rd, "/work");
		if (r >= 0)
			r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0755 },
				   rd, "/merged");
	}
	for (size_t i = 0; r >= 0 && i < spec->n_mounts; i++) {
		if (spec->mounts[i].kind != SPEC_MOUNT_ANONYMOUS)
			continue;
		snprintf(path, sizeof(path), "/volumes/%zu", i);
		r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0755 }, rd,
			   path);
	}
	return r;
}

/* The new root: bind DIR on itself, or the overlay on the scratch's merged/. */
static int add_new_root(const struct container_spec *spec, const char *rd, const char *root,
			struct mount_plan *plan)
{
	_cleanup_free_ char *data = NULL;

	if (!spec->rootfs_overlay)
		return mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
								.source = spec->rootfs,
								.target = spec->rootfs,
								.mountflags = MS_BIND | MS_REC });
	data = strdup_printf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work", spec->rootfs, rd, rd);
	if (!data)
		return -ENOMEM;
	return mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
							.source = "overlay",
							.target = (char *)root,
							.fstype = "overlay",
							.data = data });
}

/*
 * The mount points a run creates, while the root is still writable: in the
 * overlay's upper layer, or in a writable Rootfs= DIR (config-rootfs.c
 * refused the missing ones elsewhere). An overlay root also gets the
 * directories of the kernel file systems mounted after the pivot_root.
 */
static int add_mount_points(const struct container_spec *spec, const char *root,
			    struct mount_plan *plan)
{
	static const char *const kernel_dirs[] = { "/proc", "/sys", "/dev" };
	int r = 0;

	if (!spec->rootfs || (!spec->rootfs_overlay && spec->read_only))
		return 0;
	for (size_t i = 0; r >= 0 && spec->rootfs_overlay && i < ELEMENTSOF(kernel_dirs); i++)
		r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0755 }, root,
			   kernel_dirs[i]);
	for (size_t i = 0; r >= 0 && i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		struct stat st;

		if (below_other_mount(spec, m->target) ||
		    (m->source && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode)))
			continue;
		r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0755 }, root,
			   m->target);
	}
	for (size_t i = 0; r >= 0 && spec->rootfs_overlay && spec->read_only &&
			   spec->read_only_tmpfs && i < ELEMENTSOF(ro_tmpfs);
	     i++)
		r = add_at(plan, (struct mount_op){ .type = MOUNT_OP_MKDIR, .mode = 0755 }, root,
			   ro_tmpfs[i].target);
	return r;
}

/* One Volume= or Tmpfs= (index @i of spec->mounts). */
static int add_mount(const struct container_spec *spec, size_t i, const char *rd, const char *root,
		     struct mount_plan *plan)
{
	const struct spec_mount *m = &spec->mounts[i];
	_cleanup_free_ char *anon = NULL;
	struct mount_op op = { .type = MOUNT_OP_MOUNT };

	/* A mount point inside another volume or tmpfs is made there, now. */
	if (below_other_mount(spec, m->target))
		op.flags |= MOUNT_OP_MKTARGET;
	switch (m->kind) {
	case SPEC_MOUNT_TMPFS:
		op.source = "tmpfs";
		op.fstype = "tmpfs";
		op.mountflags = ms_flags(m->flags);
		op.data = m->data;
		break;
	case SPEC_MOUNT_ANONYMOUS:
		anon = strdup_printf("%s/volumes/%zu", rd, i);
		if (!anon)
			return -ENOMEM;
		op.source = anon;
		op.mountflags = MS_BIND;
		break;
	default:
		op.source = m->source;
		op.mountflags = MS_BIND | MS_REC;
		/* Cloned and idmapped by the launcher, attached by init (runtime-idmap.c). */
		if (m->flags & SPEC_MOUNT_IDMAP)
			op.type = MOUNT_OP_MOVE_FD;
		break;
	}
	return add_at(plan, op, root, m->target);
}

/* ro, nosuid, nodev, noexec of a volume: a bind takes them only through a remount. */
static int add_volume_flags(const struct spec_mount *m, const char *root, struct mount_plan *plan)
{
	unsigned long flags = ms_flags(m->flags);

	if (m->kind == SPEC_MOUNT_TMPFS || !flags)
		return 0;
	return add_at(plan,
		      (struct mount_op){ .type = MOUNT_OP_REMOUNT, .mountflags = flags | MS_REC },
		      root, m->target);
}

/* ReadOnlyTmpfs=: writable tmpfs on /tmp, /var/tmp and /run of a read-only root. */
static int add_ro_tmpfs(const struct container_spec *spec, const char *root,
			struct mount_plan *plan)
{
	int r = 0;

	if (!spec->read_only || !spec->read_only_tmpfs)
		return 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(ro_tmpfs); i++) {
		if (has_mount_on(spec, ro_tmpfs[i].target))
			continue;
		/* A root without the directory (and that cannot get it) simply has none. */
		r = add_at(plan,
			   (struct mount_op){ .type = MOUNT_OP_MOUNT,
					      .flags = spec->rootfs_overlay ? 0 : MOUNT_OP_OPTIONAL,
					      .source = "tmpfs",
					      .fstype = "tmpfs",
					      .mountflags = MS_NOSUID | MS_NODEV,
					      .data = (char *)ro_tmpfs[i].data },
			   root, ro_tmpfs[i].target);
	}
	return r;
}

bool rootfs_makes_workdir(const struct container_spec *spec)
{
	const char *wd = spec->working_directory, *best = NULL;
	bool fresh = false;

	if (!wd || !(spec->namespaces & NS_MOUNT))
		return false;
	for (size_t i = 0; spec->read_only && spec->read_only_tmpfs && i < ELEMENTSOF(ro_tmpfs);
	     i++)
		if (!has_mount_on(spec, ro_tmpfs[i].target) && path_under(wd, ro_tmpfs[i].target) &&
		    (!best || strlen(ro_tmpfs[i].target) > strlen(best))) {
			best = ro_tmpfs[i].target;
			fresh = true;
		}
	/* Only the innermost mount holding it counts: below a bind it is the host's directory. */
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		if (path_under(wd, m->target) && (!best || strlen(m->target) > strlen(best))) {
			best = m->target;
			fresh = m->kind != SPEC_MOUNT_BIND;
		}
	}
	return fresh && !streq(wd, best);
}

/*
 * The working directory, made in its fresh tmpfs when rootfs_makes_workdir().
 * As podman does, a User= other than root gets it (the ids are the
 * container's: init makes it inside the user namespace, if any).
 */
static int add_workdir(const struct container_spec *spec, const char *root, struct mount_plan *plan)
{
	struct mount_op op = { .type = MOUNT_OP_MKDIR, .mode = 0755 };

	if (!rootfs_makes_workdir(spec))
		return 0;
	if (spec->uid != 0) {
		op.flags |= MOUNT_OP_CHOWN;
		op.uid = spec->uid;
		op.gid = spec->gid;
	}
	return add_at(plan, op, root, spec->working_directory);
}

int mount_plan_add_rootfs(const struct container_spec *spec, struct mount_plan *plan)
{
	const char *rd = RUNTIME_ROOTFS_DIR, *root = "/";
	_cleanup_free_ size_t *order = NULL;
	int r;

	if (!spec->rootfs && spec->n_mounts == 0 && !spec->read_only && !etc_files_wanted(spec) &&
	    !rootfs_needs_scratch(spec))
		return 0;
	r = add_scratch(spec, rd, plan);
	if (r >= 0 && spec->rootfs) {
		root = spec->rootfs_overlay ? RUNTIME_ROOTFS_DIR "/merged" : spec->rootfs;
		r = add_new_root(spec, rd, root, plan);
	}
	if (r >= 0)
		r = add_mount_points(spec, root, plan);
	/* Before ReadOnly= (a missing file is still created) and the volumes (which win). */
	if (r >= 0)
		r = mount_plan_add_etc_files(spec, root, plan);
	if (r >= 0 && spec->read_only)
		r = mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_REMOUNT,
							     .target = (char *)root,
							     .mountflags = MS_RDONLY | MS_REC });
	if (r >= 0)
		r = sorted_mounts(spec, &order);
	for (size_t i = 0; r >= 0 && i < spec->n_mounts; i++)
		r = add_mount(spec, order[i], rd, root, plan);
	for (size_t i = 0; r >= 0 && i < spec->n_mounts; i++)
		r = add_volume_flags(&spec->mounts[order[i]], root, plan);
	if (r >= 0)
		r = add_ro_tmpfs(spec, root, plan);
	if (r >= 0)
		r = add_workdir(spec, root, plan);
	if (r >= 0 && spec->rootfs)
		r = mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_PIVOT_ROOT,
							     .target = (char *)root });
	return r;
}

/* ------------------------------------------------------------------------- */
/* The host side */

int rootfs_prepare(const struct container_spec *spec)
{
	const char *name = spec->name ? spec->name : "container";

	if (!rootfs_needs_scratch(spec))
		return 0;
	/* The scratch tmpfs's mount point; it stays empty on the host. */
	if ((mkdir("/run/mdlaunch", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(RUNTIME_ROOTFS_DIR, 0700) < 0 && errno != EEXIST))
		return log_error_errno(-errno, "%s: cannot create '%s': %m", name,
				       RUNTIME_ROOTFS_DIR);
	return 0;
}
