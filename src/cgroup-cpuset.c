/* SPDX-License-Identifier: MIT */
/*
 * cgroup-cpuset.c: the cpuset subsystem of the chain in cgroup.c, first in
 * the chain. CPUSet= becomes cpuset.cpus of the leaf. On v1 a new cpuset
 * directory starts with empty cpuset.cpus and cpuset.mems, and the kernel
 * refuses tasks in it with ENOSPC; so every empty level between the base and
 * the leaf (the shared "mdlaunch" directory too) gets its parent's values
 * first, and the leaf its parent's mems. On v2 an empty file means "inherit",
 * so only the leaf's cpus are written.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

static bool cpuset_enabled(const struct container_spec *spec)
{
	return spec->cpuset != NULL;
}

/*
 * Gives @l the parent's value of @file when its own is empty (or when the
 * level does not exist yet, in plan mode). *inherited is the parent's value
 * on entry and this level's effective value on return. A level this run has
 * just made is not read: it is empty, or (cgroup.clone_children) holds the
 * parent's value already, so writing the parent's value is right either way.
 */
static int seed_file(struct cgroup *cg, struct cgroup_level *l, const char *file, char **inherited,
		     struct cgroup_error *err)
{
	_cleanup_free_ char *cur = NULL, *note = NULL;
	int r;

	if (l->fd >= 0 && !l->created) {
		r = cgroup_read_at(l->fd, l->path, file, &cur, err);
		if (r < 0)
			return r;
		if (!isempty(cur)) {
			free(*inherited);
			*inherited = TAKE_PTR(cur);
			return 0;
		}
	}
	note = strdup_printf("empty level: copied from parent: %s", *inherited);
	if (!note)
		return -ENOMEM;
	return cgroup_write_at(cg, l->fd, l->path, file, *inherited, note, err);
}

/* Seeds cpus and mems of every level but the leaf, and mems of the leaf. */
static int seed_levels(struct cgroup *cg, struct cgroup_error *err)
{
	struct cgroup_dir *d = cgroup_dir_of(cg, CGROUP_CTL_CPUSET);
	_cleanup_free_ char *cpus = NULL, *mems = NULL;
	int r;

	r = cgroup_read_at(d->base_fd, d->base_path, "cpuset.cpus", &cpus, err);
	if (r < 0)
		return r;
	r = cgroup_read_at(d->base_fd, d->base_path, "cpuset.mems", &mems, err);
	if (r < 0)
		return r;
	for (size_t k = 0; k < d->n_levels; k++) {
		struct cgroup_level *l = &d->levels[k];

		if (k + 1 < d->n_levels) {
			r = seed_file(cg, l, "cpuset.cpus", &cpus, err);
			if (r < 0)
				return r;
		}
		r = seed_file(cg, l, "cpuset.mems", &mems, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int cpuset_apply(struct cgroup *cg, const struct container_spec *spec,
			enum cgroup_version version, struct cgroup_error *err)
{
	int r;

	if (version == CGROUP_V1) {
		r = seed_levels(cg, err);
		if (r < 0)
			return r;
	}
	/* v2: cpuset.mems stays empty, i.e. the parent's effective mems. */
	return cgroup_write(
	    cg, &cgroup_subsys_cpuset, "cpuset.cpus", spec->cpuset,
	    version == CGROUP_V2 ? "cpuset.mems left empty: the parent's effective mems" : NULL,
	    err);
}

const struct cgroup_subsys_ops cgroup_subsys_cpuset = {
	.name = "cpuset",
	.controller = CGROUP_CTL_CPUSET,
	.enabled = cpuset_enabled,
	.apply = cpuset_apply,
};
