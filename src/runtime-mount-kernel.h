/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/*
 * The kernel's file systems in the container's mount plan: a read-only
 * /sys, the container's own cgroups at /sys/fs/cgroup (read-only), and the
 * masked and read-only paths of /proc and /sys (moby's defaults, changed by
 * Mask= and Unmask=). Builders of runtime-mount.c's plan; they only append
 * ops, and work on paths of the container's "/" (after any pivot_root).
 */

struct container_spec;
struct mount_plan;

/* The default masked paths (NULL-terminated): a file gets /dev/null, a directory an empty tmpfs. */
extern const char *const mount_default_masked[];
/* The default read-only paths (NULL-terminated): bound onto themselves read-only. */
extern const char *const mount_default_readonly[];

/*
 * /sys read-only: a new sysfs in a network namespace of its own, else the
 * host's /sys bound (with its submounts) and made read-only; then
 * /sys/fs/cgroup showing the container's cgroups read-only (cgroup v1: an
 * empty tmpfs holding each hierarchy the container uses, with the host's
 * names and symlinks; v2: one cgroup2 mount). In the container's cgroup
 * namespace a new mount shows its own cgroup as the root. 0 or -errno.
 */
int mount_plan_add_kernel_fs(const struct container_spec *spec, struct mount_plan *plan);

/*
 * The masked paths (defaults minus Unmask=, plus Mask=) and the read-only
 * paths (defaults minus Unmask=); missing ones are skipped at run time.
 * Run last: a mask binds the container's /dev/null. 0 or -errno.
 */
int mount_plan_add_masks(const struct container_spec *spec, struct mount_plan *plan);

/* True when Unmask= (@unmask, NULL-terminated, may be NULL) takes @path out of the defaults. */
bool mount_path_unmasked(char *const *unmask, const char *path);
