/* SPDX-License-Identifier: MIT */
/*
 * runtime-etc.c: /etc/resolv.conf, /etc/hosts and /etc/hostname of a
 * container (runtime-etc.h), a builder of the mount plan. The launcher
 * appends, for each file, a write op (the text, made by runtime-net.c) into
 * the run's scratch tmpfs and a bind of it over /etc/NAME resolved inside the
 * container's root; runtime-rootfs.c places them after the mount points and
 * before ReadOnly=, the volumes (a Volume= on the same path wins) and the
 * pivot_root. The CNI result is only known after the ADD, which runs after
 * the clone but before the command frame: runtime.c then calls
 * etc_files_update() to put the address and the name servers in.
 *
 * Whether a missing file can be created is decided here, on the launcher's
 * side, so that a skipped file is one debug line rather than a failed start;
 * init's op skips it too if the root says otherwise at run time.
 */
#include "runtime-etc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "runtime-mount.h"
#include "runtime-net.h"
#include "spec.h"
#include "util.h"

static const struct {
	const char *name;
	size_t offset; /* of its text in struct net_etc_files */
} etc_files[] = {
	{ "resolv.conf", offsetof(struct net_etc_files, resolv_conf) },
	{ "hosts", offsetof(struct net_etc_files, hosts) },
	{ "hostname", offsetof(struct net_etc_files, hostname) },
};

/* What a run does about one file. */
enum etc_action {
	ETC_BIND,	  /* it exists: bind over it */
	ETC_CREATE,	  /* missing but the root is writable: create it, then bind */
	ETC_SKIP_MISSING, /* missing and the root cannot take it */
	ETC_SKIP_SYMLINK, /* a symlink to nowhere in the root */
	ETC_SKIP_TYPE,	  /* not a regular file */
};

bool etc_files_wanted(const struct container_spec *spec)
{
	if (!(spec->namespaces & NS_MOUNT))
		return false;
	return spec->rootfs || spec_network_is_cni(spec) || spec->dns || spec->add_hosts;
}

static const char *etc_text(const struct net_etc_files *files, size_t i)
{
	return *(char *const *)((const char *)files + etc_files[i].offset);
}

/* openat2(@rootfd, @path, @flags) with RESOLVE_IN_ROOT. Returns an fd or -errno. */
static int open_in_root(int rootfd, const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * Looks at etc/@name in the tree the container's root is made of (@dir:
 * Rootfs= DIR, an overlay's lower layer, or "/"), as init will resolve it.
 * @creatable: a missing file may be created there (an overlay, or a
 * writable DIR; never the host's own root); @overlay: the upper layer takes it.
 */
static enum etc_action etc_action_for(const char *dir, const char *name, bool creatable,
				      bool overlay)
{
	_cleanup_close_ int rootfd = -EBADF, fd = -EBADF, link = -EBADF, parent = -EBADF;
	char path[64];
	struct stat st;
	struct statvfs sv;

	snprintf(path, sizeof(path), "etc/%s", name);
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ETC_SKIP_MISSING;
	fd = open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ETC_BIND : ETC_SKIP_TYPE;
	link = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	if (link >= 0)
		return ETC_SKIP_SYMLINK;
	if (!creatable)
		return ETC_SKIP_MISSING;
	/* An overlay writes into its upper layer, whatever the lower one is on. */
	parent = open_in_root(rootfd, "etc", O_PATH | O_DIRECTORY);
	if (parent < 0 || (!overlay && (fstatvfs(parent, &sv) < 0 || (sv.f_flag & ST_RDONLY))))
		return ETC_SKIP_MISSING;
	return ETC_CREATE;
}

/* True when a Volume= or Tmpfs= of @spec is mounted on @target. */
static bool volume_on(const struct container_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (streq(spec->mounts[i].target, target))
			return true;
	return false;
}

/* The write op and the bind of file @i. */
static int add_etc_file(const char *root, size_t i, const char *text, bool create,
			struct mount_plan *plan)
{
	_cleanup_free_ char *file = strdup_printf(ETC_FILES_DIR "/%s", etc_files[i].name);
	_cleanup_free_ char *target = strdup_printf("/etc/%s", etc_files[i].name);
	int r;

	if (!file || !target)
		return -ENOMEM;
	r = mount_plan_add(
	    plan, &(struct mount_op){
		      .type = MOUNT_OP_WRITE, .mode = 0644, .target = file, .data = (char *)text });
	if (r < 0)
		return r;
	return mount_plan_add(
	    plan, &(struct mount_op){ .type = MOUNT_OP_BIND_IN_ROOT,
				      .flags = MOUNT_OP_OPTIONAL | (create ? MOUNT_OP_MKTARGET : 0),
				      .mountflags = MS_BIND,
				      .source = file,
				      .target = target,
				      .data = (char *)root });
}

/* Inserts a copy of @op at @index of @plan. Returns 0, -ENOMEM or -E2BIG. */
static int plan_insert(struct mount_plan *plan, size_t index, const struct mount_op *op)
{
	struct mount_op added;
	int r = mount_plan_add(plan, op);

	if (r < 0)
		return r;
	added = plan->ops[plan->n_ops - 1];
	memmove(&plan->ops[index + 1], &plan->ops[index],
		(plan->n_ops - 1 - index) * sizeof(plan->ops[0]));
	plan->ops[index] = added;
	return 0;
}

/* The index of the op that mounts the overlay root on @root, or -1. */
static int find_overlay(const struct mount_plan *plan, const char *root)
{
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].type == MOUNT_OP_MOUNT && plan->ops[i].fstype &&
		    streq(plan->ops[i].fstype, "overlay") && streq(plan->ops[i].target, root))
			return (int)i;
	return -1;
}

/*
 * An overlay root with a user namespace: the container's root may not
 * create a file in the merged /etc, whose owner (the lower layer's) it does
 * not map. The empty mount point goes into the upper layer before the
 * overlay is mounted (upper/etc with the lower /etc's mode, which the
 * merged /etc then shows, owned by the container's root). Returns 0,
 * -ENOTDIR when the lower /etc is no directory, -ENOMEM or -E2BIG.
 */
static int add_upper_mount_point(const struct container_spec *spec, const char *root,
				 const char *name, bool *etc_made, struct mount_plan *plan)
{
	_cleanup_free_ char *lower_etc = strdup_printf("%s/etc", spec->rootfs);
	_cleanup_free_ char *file = strdup_printf(SPEC_SCRATCH_DIR "/upper/etc/%s", name);
	int at = find_overlay(plan, root), r;
	struct stat st;

	if (!lower_etc || !file)
		return -ENOMEM;
	if (at < 0 || lstat(lower_etc, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!*etc_made) {
		r = plan_insert(plan, (size_t)at,
				&(struct mount_op){ .type = MOUNT_OP_MKDIR,
						    .mode = st.st_mode & 07777,
						    .target = SPEC_SCRATCH_DIR "/upper/etc" });
		if (r < 0)
			return r;
		*etc_made = true;
		at++;
	}
	return plan_insert(
	    plan, (size_t)at,
	    &(struct mount_op){ .type = MOUNT_OP_WRITE, .mode = 0644, .target = file, .data = "" });
}

int mount_plan_add_etc_files(const struct container_spec *spec, const char *root,
			     struct mount_plan *plan)
{
	const char *name = spec->name ? spec->name : "container";
	const char *tree = spec->rootfs ? spec->rootfs : "/";
	/*
	 * Never in the host's own /etc; in DIR only as the mount points Volume=
	 * gets, and not by a user namespace's root, which usually may not.
	 */
	bool creatable =
	    spec->rootfs && (spec->rootfs_overlay || (!spec->read_only && !spec_has_userns(spec)));
	struct net_etc_files files = {};
	bool dir_made = false, upper_etc_made = false;
	int r;

	if (!etc_files_wanted(spec))
		return 0;
	r = net_etc_files(spec, NULL, &files);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(etc_files); i++) {
		char target[32];
		enum etc_action a;

		snprintf(target, sizeof(target), "/etc/%s", etc_files[i].name);
		if (volume_on(spec, target)) {
			log_debug("%s: %s is a volume: not generated", name, target);
			continue;
		}
		a = etc_action_for(tree, etc_files[i].name, creatable, spec->rootfs_overlay);
		if (a == ETC_SKIP_MISSING || a == ETC_SKIP_SYMLINK || a == ETC_SKIP_TYPE) {
			log_debug("%s: the root '%s' has %s %s%s: not generated", name, tree,
				  a == ETC_SKIP_MISSING	  ? "no"
				  : a == ETC_SKIP_SYMLINK ? "a dangling symlink"
							  : "a non-file",
				  target,
				  a == ETC_SKIP_MISSING && spec->rootfs
				      ? " and it cannot be created"
				      : "");
			continue;
		}
		/* A user namespace's root cannot create it in the merged /etc: in upper/. */
		if (a == ETC_CREATE && spec->rootfs_overlay && spec_has_userns(spec)) {
			r = add_upper_mount_point(spec, root, etc_files[i].name, &upper_etc_made,
						  plan);
			if (r == -ENOTDIR) {
				log_debug(
				    "%s: the root '%s' has no /etc directory: %s not generated",
				    name, tree, target);
				r = 0;
				continue;
			}
			if (r < 0)
				break;
			a = ETC_BIND;
		}
		if (!dir_made) {
			r = mount_plan_add(plan, &(struct mount_op){ .type = MOUNT_OP_MKDIR,
								     .mode = 0755,
								     .target = ETC_FILES_DIR });
			dir_made = true;
		}
		if (r >= 0)
			r = add_etc_file(root, i, etc_text(&files, i), a == ETC_CREATE, plan);
	}
	net_etc_files_done(&files);
	return r;
}

int etc_files_update(struct mount_plan *plan, const struct container_spec *spec,
		     const struct net_run *n)
{
	struct net_etc_files files = {};
	int r;

	r = net_etc_files(spec, n, &files);
	if (r < 0)
		return r;
	for (size_t k = 0; k < plan->n_ops; k++) {
		struct mount_op *op = &plan->ops[k];

		if (op->type != MOUNT_OP_WRITE ||
		    strncmp(op->target, ETC_FILES_DIR "/", strlen(ETC_FILES_DIR "/")) != 0)
			continue;
		for (size_t i = 0; i < ELEMENTSOF(etc_files); i++) {
			char *text;

			if (!streq(op->target + strlen(ETC_FILES_DIR "/"), etc_files[i].name))
				continue;
			text = strdup(etc_text(&files, i));
			if (!text) {
				net_etc_files_done(&files);
				return -ENOMEM;
			}
			free(op->data);
			op->data = text;
		}
	}
	net_etc_files_done(&files);
	return 0;
}
