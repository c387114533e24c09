/* SPDX-License-Identifier: MIT */
/*
 * cgroup-v1.c: the hierarchy ops for cgroup v1 (legacy and hybrid hosts),
 * used by cgroup.c. Every controller has its own hierarchy: cgroup.c found
 * its mount and the launcher's own cgroup in it through the locator
 * (cgroup-locate.c) and recorded them in the cgroup_dir. The container's
 * directory goes below that own cgroup (or below CgroupParent=), as
 * <parent>/<name>-<pid>, so it nests under a systemd service and concurrent
 * runs never share a leaf. All file access is openat() relative to
 * directory fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util.h"

/* Opens @d's base directory (its path was found by cgroup.c through the locator). */
static int open_base(struct cgroup_dir *d, struct cgroup_error *err)
{
	if (d->base_fd >= 0)
		return 0;
	d->base_fd = open(d->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->base_fd < 0)
		return cgroup_error_set(err, -errno, "open", d->base_path, NULL, NULL);
	return 0;
}

static int v1_create(struct cgroup *cg, const char *name, struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r;

		if (!d->used)
			continue;
		/* Co-mounted controllers (e.g. cpu,cpuacct with cpuset) share one directory. */
		for (int j = 0; j < i; j++)
			if (cg->dirs[j].used && cg->dirs[j].alias < 0 &&
			    streq(cg->dirs[j].mountpoint, d->mountpoint))
				d->alias = j;
		if (d->alias >= 0)
			continue;
		r = open_base(d, err);
		if (r < 0)
			return r;
		r = cgroup_prepare_levels(cg, d, name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r;

		if (!d->used || d->alias >= 0)
			continue;
		r = cgroup_attach_pid(cgroup_dir_leaf(d), pid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_destroy(struct cgroup *cg, struct cgroup_error *err)
{
	int ret = 0;

	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		struct cgroup_level *leaf = cgroup_dir_leaf(d);
		int r;

		if (!d->used || d->alias >= 0 || !leaf)
			continue;
		if (leaf->created && leaf->fd >= 0) {
			/* The first error is the one reported (NULL: not recorded). */
			r = cgroup_remove_leaf(leaf, cgroup_kill_procs, ret == 0 ? err : NULL);
			if (r < 0 && ret == 0)
				ret = r;
		}
		/*
		 * The shared parent goes when it is empty; another run may still
		 * use it (ENOTEMPTY, EBUSY) or have removed it already (ENOENT).
		 */
		for (size_t k = d->n_levels - 1; k-- > 0;) {
			struct cgroup_level *l = &d->levels[k];

			l->fd = safe_close(l->fd);
			if (!l->remove)
				continue;
			r = cgroup_remove_dir(l->path, false);
			if (r < 0 && r != -ENOTEMPTY && r != -EBUSY && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", l->path, NULL, NULL);
		}
	}
	return ret;
}

const struct cgroup_hierarchy_ops cgroup_v1_ops = {
	.version = CGROUP_V1,
	.create = v1_create,
	.attach = v1_attach,
	.open_file = cgroup_open_leaf_file,
	.destroy = v1_destroy,
};
