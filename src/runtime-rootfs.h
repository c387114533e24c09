/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The container's own file system (Rootfs=, Volume=, Tmpfs=, ReadOnly=,
 * ReadOnlyTmpfs=): the mount-plan builder, and the per-run directory on the
 * host that holds what a run owns there (the upper and work directories of
 * a Rootfs=DIR:O overlay, the anonymous volumes), removed at exit.
 */

struct container_spec;
struct mount_plan;

/* Where the per-run directories live: RUNTIME_ROOTFS_DIR/<name>-<launcher pid>. */
#define RUNTIME_ROOTFS_DIR "/run/mdlaunch/rootfs"

/*
 * Appends the ops that prepare the new root (bind of Rootfs= on itself, or
 * the overlay), the mount points, ReadOnly=, the volumes and tmpfs, and the
 * pivot_root; with no Rootfs=, the volumes, tmpfs and ReadOnly= of the
 * host view. The mount namespace must already be private. The per-run
 * directory is named after the launcher's pid (getpid()). Returns 0,
 * -ENOMEM, -E2BIG or -ENAMETOOLONG.
 */
int mount_plan_add_rootfs(const struct container_spec *spec, struct mount_plan *plan);

/* True when a run of @spec needs a per-run directory (an overlay or an anonymous volume). */
bool rootfs_needs_run_dir(const struct container_spec *spec);

/*
 * Before the clone: removes the per-run directories of launchers that died
 * without cleaning up, then creates this run's (upper/, work/, merged/,
 * volumes/N) when it needs one. Returns 0 or -errno (logged, with what
 * was made removed again).
 */
int rootfs_prepare(const struct container_spec *spec);

/* At exit, on every path: removes this run's directory and all it holds. Logs failures. */
void rootfs_cleanup(const struct container_spec *spec);
