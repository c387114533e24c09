/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec.h"

/*
 * The container's own file system (Rootfs=, Volume=, Tmpfs=, ReadOnly=,
 * ReadOnlyTmpfs=): the mount-plan builder. What a run owns (the upper and
 * work directories of a Rootfs=DIR:O overlay, the anonymous volumes) lives
 * in a scratch tmpfs mounted inside the container's mount namespace, so it
 * is gone with the container on every exit path.
 */

struct container_spec;
struct mount_plan;

/* The scratch tmpfs's mount point (inside the container's namespace; empty on the host). */
#define RUNTIME_ROOTFS_DIR SPEC_SCRATCH_DIR

/*
 * Appends the ops that prepare the new root (bind of Rootfs= on itself, or
 * the overlay), the mount points, ReadOnly=, the volumes and tmpfs, and the
 * pivot_root; with no Rootfs=, the volumes, tmpfs and ReadOnly= of the
 * host view. The mount namespace must already be private. Returns 0,
 * -ENOMEM or -E2BIG.
 */
int mount_plan_add_rootfs(const struct container_spec *spec, struct mount_plan *plan);

/*
 * True when the working directory lies in a fresh, empty file system of the
 * run (a ReadOnlyTmpfs= tmpfs on /tmp, /var/tmp or /run, a Tmpfs=, an
 * anonymous Volume=), below its mount point: the mount plan then makes it
 * (mode 0755, owned by root), as podman makes a missing workdir, so that
 * ReadOnly= with a working directory below /tmp (the caller's own, by
 * default) runs. It is empty then, whatever the host has at that path.
 */
bool rootfs_makes_workdir(const struct container_spec *spec);

/*
 * Before the clone: makes sure the scratch tmpfs's mount point exists on the
 * host (an empty directory, shared by every run). Returns 0 or -errno (logged).
 */
int rootfs_prepare(const struct container_spec *spec);
