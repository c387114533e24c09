/* SPDX-License-Identifier: MIT */
/*
 * runtime-dev.c: the builder of the private /dev in the mount plan
 * (runtime-mount.c calls it last: after /proc, since the stdio links point
 * into it). Without it the container saw the host's devtmpfs: every block
 * device, /dev/kvm, /dev/kmsg, and the host's /dev/shm. The nodes are made
 * with mknod, or bound from the host where mknod is refused (the executor's
 * fallback, e.g. in a user namespace or for an AddDevice= without "m"); the
 * device allowlist of the cgroup chain (cgroup-devices.c) comes from the same
 * device set, so what is here is exactly what can be opened.
 *
 * In a user namespace mknod is refused, and the fallback binds need the
 * host's nodes in sight: the whole /dev is built inside the new root before
 * the pivot (Rootfs=), or, in the host's view, in the run's scratch tmpfs
 * and then moved onto /dev.
 */
#include "runtime-dev.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "log.h"
#include "runtime-mount.h"
#include "runtime-rootfs.h"
#include "spec.h"
#include "util.h"

#define GROUP_FILE "/etc/group"

/* The gid of group "tty" in /etc/group (the owner group of the ptys), or -ENOENT. */
static int64_t tty_gid(void)
{
	_cleanup_fclose_ FILE *f = fopen(GROUP_FILE, "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	if (!f)
		return -ENOENT;
	while (getline(&line, &size, f) >= 0) {
		char *gid, *end;
		unsigned long v;

		if (strncmp(line, "tty:", 4) != 0)
			continue;
		gid = strchr(line + 4, ':');
		if (!gid)
			return -ENOENT;
		errno = 0;
		v = strtoul(gid + 1, &end, 10);
		if (errno || end == gid + 1 || *end != ':' || v > UINT32_MAX)
			return -ENOENT;
		return (int64_t)v;
	}
	return -ENOENT;
}

/* Where the /dev ops go (see the top of the file). */
enum dev_place {
	DEV_IN_PLACE,	  /* after the other mounts, at /dev */
	DEV_BEFORE_PIVOT, /* into the new root, before the pivot */
	DEV_STAGED,	  /* in the scratch tmpfs, moved onto /dev at the end */
};

#define DEV_STAGING RUNTIME_ROOTFS_DIR "/dev"

struct dev_builder {
	struct mount_plan *plan;
	enum dev_place place;
};

static int add(struct dev_builder *b, const struct mount_op *op)
{
	_cleanup_free_ char *target = NULL;
	struct mount_op staged;

	switch (b->place) {
	case DEV_BEFORE_PIVOT:
		return mount_plan_add_before_pivot(b->plan, op);
	case DEV_STAGED:
		/* Every target is below /dev. */
		target = strdup_printf("%s%s", RUNTIME_ROOTFS_DIR, op->target);
		if (!target)
			return -ENOMEM;
		staged = *op;
		staged.target = target;
		return mount_plan_add(b->plan, &staged);
	case DEV_IN_PLACE:
		break;
	}
	return mount_plan_add(b->plan, op);
}

/* mkdir of each missing directory between /dev and @path (AddDevice=/dev/net/tun). */
static int add_parents(struct dev_builder *b, const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash - dir <= (ptrdiff_t)strlen("/dev"))
		return 0;
	*slash = '\0';
	return add(b, &(struct mount_op){ .type = MOUNT_OP_MKDIR, .target = dir, .mode = 0755 });
}

static int add_nodes(struct dev_builder *b, const struct device_set *devices)
{
	for (size_t i = 0; i < devices->n_nodes; i++) {
		const struct device_node *n = &devices->nodes[i];
		int r = add_parents(b, n->path);

		if (r >= 0)
			r = add(b, &(struct mount_op){
				       .type = MOUNT_OP_MKNOD,
				       .source = n->host,
				       .target = n->path,
				       .mode = n->mode,
				       .dev = makedev(n->major, n->minor),
				   });
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_links(struct dev_builder *b)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "/dev/ptmx" },	      { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },  { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};

	for (size_t i = 0; i < ELEMENTSOF(links); i++) {
		int r = add(b, &(struct mount_op){ .type = MOUNT_OP_SYMLINK,
						   .source = (char *)links[i][0],
						   .target = (char *)links[i][1] });
		if (r < 0)
			return r;
	}
	return 0;
}

int runtime_dev_check(const struct container_spec *spec)
{
	struct device_set set = {};
	const struct spec_device *d;
	const char *file;
	size_t failed = 0;
	int r;

	r = devices_resolve(spec, &set, &failed);
	device_set_done(&set);
	if (r == -ENOMEM)
		return log_error_errno(r, "out of memory");
	if (r >= 0)
		return 0;
	d = &spec->devices[failed];
	file = d->file > 0 && spec->files ? spec->files[d->file - 1] : NULL;
	if (!file)
		return log_error_errno(r, "--device: '%s': %s%s", d->host,
				       r == -ENODEV ? "not a device node" : strerror(-r),
				       r == -ENOENT ? " (a leading '-' skips a missing device)"
						    : "");
	log_syntax(file, d->line, LOG_LEVEL_ERROR, "AddDevice: '%s': %s%s", d->host,
		   r == -ENODEV ? "not a device node" : strerror(-r),
		   r == -ENOENT ? " (a leading '-' skips a missing device)" : "");
	return r;
}

int mount_plan_add_dev(const struct container_spec *spec, struct mount_plan *plan)
{
	const unsigned long nodev = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct dev_builder b = {
		.plan = plan,
		.place = !spec_has_userns(spec) ? DEV_IN_PLACE
			 : spec->rootfs		? DEV_BEFORE_PIVOT
						: DEV_STAGED,
	};
	struct device_set set = {};
	char pts[96], shm[64];
	int64_t gid = tty_gid();
	uint32_t pts_flags = 0;
	size_t failed;
	int r;

	r = devices_resolve(spec, &set, &failed);
	if (r < 0)
		return r;

	/* docker's size for /dev: nodes and links only; exec is refused for good measure. */
	/* MKTARGET: a Rootfs= tree may have no /dev. */
	r = add(&b, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
					.flags = MOUNT_OP_MKTARGET,
					.source = "tmpfs",
					.target = "/dev",
					.fstype = "tmpfs",
					.mountflags = MS_NOSUID | MS_NOEXEC,
					.data = "mode=755,size=65536k" });
	if (r >= 0)
		r = add_nodes(&b, &set);
	device_set_done(&set);
	if (r >= 0)
		r = add(&b, &(struct mount_op){
				.type = MOUNT_OP_MKDIR, .target = "/dev/pts", .mode = 0755 });
	/*
	 * gid= must be mapped in the user namespace, which UserNS=auto only
	 * picks at run time: init drops it when the kernel refuses it (the ptys
	 * are then the group of the namespace's root).
	 */
	if (gid >= 0 && spec_has_userns(spec))
		pts_flags = MOUNT_OP_GID_IF_MAPPED;
	if (gid >= 0)
		snprintf(pts, sizeof(pts), "newinstance,ptmxmode=0666,mode=0620,gid=%" PRId64, gid);
	else
		snprintf(pts, sizeof(pts), "newinstance,ptmxmode=0666,mode=0620");
	if (r >= 0)
		r = add(&b, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						.source = "devpts",
						.target = "/dev/pts",
						.fstype = "devpts",
						.mountflags = MS_NOSUID | MS_NOEXEC,
						.flags = pts_flags,
						.data = pts });
	if (r >= 0)
		r = add_links(&b);
	snprintf(shm, sizeof(shm), "mode=1777,size=%" PRIu64, spec->shm_size);
	if (r >= 0)
		r = add(&b, &(struct mount_op){
				.type = MOUNT_OP_MKDIR, .target = "/dev/shm", .mode = 01777 });
	if (r >= 0)
		r = add(&b, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						.source = "shm",
						.target = "/dev/shm",
						.fstype = "tmpfs",
						.mountflags = nodev,
						.data = shm });
	/* An mqueue mount shows the queues of the mounter's IPC namespace: only a private one. */
	if (r >= 0 && (spec->namespaces & NS_IPC))
		r = add(&b, &(struct mount_op){
				.type = MOUNT_OP_MKDIR, .target = "/dev/mqueue", .mode = 0755 });
	if (r >= 0 && (spec->namespaces & NS_IPC))
		r = add(&b, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
						.source = "mqueue",
						.target = "/dev/mqueue",
						.fstype = "mqueue",
						.mountflags = nodev });
	if (r >= 0 && b.place == DEV_STAGED)
		r = mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MOUNT,
							     .source = DEV_STAGING,
							     .target = "/dev",
							     .mountflags = MS_MOVE });
	return r < 0 ? r : 0;
}
