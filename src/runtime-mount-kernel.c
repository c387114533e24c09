/* SPDX-License-Identifier: MIT */
/*
 * runtime-mount-kernel.c: what the container sees of the kernel's own file
 * systems, as ops of the mount plan (runtime-mount.c calls these builders
 * in the launcher before the clone; init runs the ops after the start
 * barrier). The defaults are docker's (moby's oci/defaults.go and crun's):
 *
 *   /sys            read-only (a new sysfs with its own network namespace:
 *                   it then shows that namespace's devices; else the host's
 *                   /sys bound with its submounts and made read-only)
 *   /sys/fs/cgroup  the container's own cgroups, read-only: in its cgroup
 *                   namespace a new cgroup mount has the container's leaf
 *                   as its root, so the container reads its limits and
 *                   usage where programs look for them and can change none
 *   masked paths    kernel data a container has no business reading
 *   read-only paths kernel knobs that are host-wide
 *
 * Nothing here touches the host: the plan runs in the container's private
 * mount namespace.
 */
#include "runtime-mount-kernel.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "runtime-mount.h"
#include "spec.h"
#include "util.h"

#define SYS_CGROUP	"/sys/fs/cgroup"
#define KERNEL_FS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

const char *const mount_default_masked[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
	NULL,
};

const char *const mount_default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

bool mount_path_unmasked(char *const *unmask, const char *path)
{
	for (char *const *u = unmask; u && *u; u++)
		if (strcaseeq(*u, "ALL") || fnmatch(*u, path, 0) == 0)
			return true;
	return false;
}

static int add(struct mount_plan *plan, const struct mount_op op)
{
	return mount_plan_add(plan, &op);
}

/* How the container gets its /sys. */
enum sys_source {
	SYS_FRESH, /* a new sysfs */
	SYS_BIND,  /* the host's /sys, bound recursively */
};

/*
 * A new sysfs shows the devices of the mounting process's network namespace,
 * which must belong to the mounting user namespace. Without a network
 * namespace of its own, the host's view keeps the host's /sys (bound, as
 * crun does: a new sysfs of the host's network would be the very mount
 * already there, which the kernel refuses to stack); a new root gets a new
 * sysfs, unless a user namespace does not own the network namespace.
 */
static enum sys_source sys_source(const struct container_spec *spec)
{
	if (spec->namespaces & NS_NET)
		return SYS_FRESH;
	return spec->rootfs && !spec_has_userns(spec) ? SYS_FRESH : SYS_BIND;
}

/*
 * /sys read-only. In a user namespace with a new root, the mount (new or
 * bound) goes into the new root before the pivot: mount_too_revealing()
 * wants the host's sysfs in the mount namespace for a new one, and the
 * host's /sys is out of reach for a bind after the pivot.
 */
static int build_sys(const struct container_spec *spec, struct mount_plan *plan)
{
	int (*place)(struct mount_plan *, const struct mount_op *) =
	    spec_has_userns(spec) ? mount_plan_add_before_pivot : mount_plan_add;
	int r;

	if (sys_source(spec) == SYS_FRESH)
		r = place(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						    .flags = MOUNT_OP_MKTARGET,
						    .source = "sysfs",
						    .target = "/sys",
						    .fstype = "sysfs",
						    .mountflags = MS_RDONLY | KERNEL_FS_FLAGS });
	else
		r = place(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						    .flags = MOUNT_OP_OPTIONAL,
						    .source = "/sys",
						    .target = "/sys",
						    .mountflags = MS_BIND | MS_REC });
	if (r < 0 || sys_source(spec) == SYS_FRESH)
		return r < 0 ? r : 0;
	return add(plan, (struct mount_op){ .type = MOUNT_OP_REMOUNT,
					    .flags = MOUNT_OP_OPTIONAL,
					    .target = "/sys",
					    .mountflags = MS_REC | MS_RDONLY | KERNEL_FS_FLAGS });
}

/* cgroup v1 and hybrid: an empty tmpfs with each hierarchy the container uses, read-only. */
static int build_cgroup_v1(const struct cgroup_mounts *m, struct mount_plan *plan)
{
	int r;

	r = add(plan, (struct mount_op){ .type = MOUNT_OP_MOUNT,
					 .source = "tmpfs",
					 .target = SYS_CGROUP,
					 .fstype = "tmpfs",
					 .mountflags = KERNEL_FS_FLAGS,
					 .data = "mode=755,size=64k" });
	for (size_t i = 0; r >= 0 && i < m->n; i++) {
		const char *p = m->v[i].path;

		/* A hierarchy mounted elsewhere than below /sys/fs/cgroup is not shown. */
		if (strncmp(p, SYS_CGROUP "/", strlen(SYS_CGROUP "/")) != 0 ||
		    strchr(p + strlen(SYS_CGROUP "/"), '/'))
			continue;
		r = add(plan, (struct mount_op){ .type = MOUNT_OP_MOUNT,
						 .flags = MOUNT_OP_MKTARGET,
						 .source = "cgroup",
						 .target = (char *)p,
						 .fstype = m->v[i].v2 ? "cgroup2" : "cgroup",
						 .mountflags = MS_RDONLY | KERNEL_FS_FLAGS,
						 .data = m->v[i].options });
	}
	for (char **l = m->links; r >= 0 && l && l[0] && l[1]; l += 2) {
		_cleanup_free_ char *link = strdup_printf(SYS_CGROUP "/%s", l[0]);

		if (!link)
			return -ENOMEM;
		r = add(plan, (struct mount_op){
				  .type = MOUNT_OP_SYMLINK, .source = l[1], .target = link });
	}
	if (r < 0)
		return r;
	return add(plan, (struct mount_op){ .type = MOUNT_OP_REMOUNT,
					    .target = SYS_CGROUP,
					    .mountflags = MS_RDONLY });
}

/* The container's cgroups at /sys/fs/cgroup, read-only. */
static int build_cgroup(const struct container_spec *spec, struct mount_plan *plan)
{
	struct cgroup_mounts m = {};
	int r;

	r = cgroup_spec_mounts(spec, &m);
	if (r < 0)
		return r;
	/*
	 * Without a network namespace /sys is the host's, bound with its
	 * cgroup2 mount: the same file system cannot be mounted again right on
	 * top of itself (EBUSY), so an empty tmpfs goes between them.
	 */
	if (m.mode == CGROUP_MODE_UNIFIED && sys_source(spec) == SYS_BIND)
		r = add(plan, (struct mount_op){ .type = MOUNT_OP_MOUNT,
						 .source = "tmpfs",
						 .target = SYS_CGROUP,
						 .fstype = "tmpfs",
						 .mountflags = MS_RDONLY | KERNEL_FS_FLAGS,
						 .data = "mode=755,size=0" });
	if (r < 0)
		goto out;
	/*
	 * With a user namespace the v2 leaf is delegated to the container's root
	 * (runtime-userns.c chowns it): the mount must be writable for that to
	 * mean anything, and ownership keeps the limits out of its reach (they
	 * stay the host root's, "nobody" inside), as systemd-nspawn does.
	 */
	if (m.mode == CGROUP_MODE_UNIFIED)
		r = add(plan,
			(struct mount_op){ .type = MOUNT_OP_MOUNT,
					   .source = "cgroup2",
					   .target = SYS_CGROUP,
					   .fstype = "cgroup2",
					   .mountflags = (spec_has_userns(spec) ? 0 : MS_RDONLY) |
							 KERNEL_FS_FLAGS });
	else
		r = build_cgroup_v1(&m, plan);
out:
	cgroup_mounts_done(&m);
	return r;
}

int mount_plan_add_kernel_fs(const struct container_spec *spec, struct mount_plan *plan)
{
	int r;

	r = build_sys(spec, plan);
	if (r >= 0)
		r = build_cgroup(spec, plan);
	return r;
}

int mount_plan_add_masks(const struct container_spec *spec, struct mount_plan *plan)
{
	int r = 0;

	for (const char *const *p = mount_default_masked; r >= 0 && *p; p++)
		if (!mount_path_unmasked(spec->unmask_paths, *p))
			r = add(plan,
				(struct mount_op){ .type = MOUNT_OP_MASK, .target = (char *)*p });
	for (char **p = spec->mask_paths; r >= 0 && p && *p; p++)
		r = add(plan, (struct mount_op){ .type = MOUNT_OP_MASK, .target = *p });
	for (const char *const *p = mount_default_readonly; r >= 0 && *p; p++) {
		if (mount_path_unmasked(spec->unmask_paths, *p))
			continue;
		/* A bind of the path onto itself, so that it can be made read-only alone. */
		r = add(plan, (struct mount_op){ .type = MOUNT_OP_MOUNT,
						 .flags = MOUNT_OP_OPTIONAL,
						 .source = (char *)*p,
						 .target = (char *)*p,
						 .mountflags = MS_BIND | MS_REC });
		if (r >= 0)
			r = add(plan, (struct mount_op){ .type = MOUNT_OP_REMOUNT,
							 .flags = MOUNT_OP_OPTIONAL,
							 .target = (char *)*p,
							 .mountflags = MS_REC | MS_RDONLY });
	}
	return r;
}
