/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

/*
 * User namespaces, the launcher's side: the host ranges of UserNS=auto
 * (allocated under an flock'ed state file, released at exit, reclaimed from
 * dead launchers) and the uid_map/gid_map writes for the cloned child.
 */

/* The allocation state file (one line per allocation: "uid|gid START COUNT PID"). */
#define USERNS_STATE_PATH "/run/mdlaunch/userns"
/* Test knob: another state file instead of USERNS_STATE_PATH. */
#define USERNS_STATE_ENV "MDLAUNCH_USERNS_STATE"

/* A range held by this launcher, in the state file until userns_lease_release(). */
struct userns_lease {
	char *state_path; /* owned; NULL: nothing held */
	pid_t owner;
	uint32_t uid_start, gid_start, size;
};

/*
 * Sets up @ret_uid/@ret_gid (the maps to write) for @spec: the spec's maps
 * for UserNS= maps, or for auto one range of spec->userns_size host uids and
 * gids from subid.h's pools, not shared with any live launcher's, recorded
 * in the state file with @owner as its owner. Allocations whose owner no
 * longer exists are dropped on the way. *@lease then holds the range (for
 * userns_lease_release()); for maps it holds nothing. Returns 0, -ENOSPC
 * when no free range is left, or -errno.
 */
int userns_lease_take(const struct container_spec *spec, pid_t owner, struct userns_lease *lease,
		      struct spec_idmaps *ret_uid, struct spec_idmaps *ret_gid);

/* Gives the range of @lease back (and frees it); accepts an empty lease. Returns 0 or -errno. */
int userns_lease_release(struct userns_lease *lease);

/*
 * The allocation itself, on @state_path (created with its directory), for
 * tests: one free range of @size in @upool and one in @gpool (struct
 * subid_pool), owned by @owner. Returns 0, -ENOSPC or -errno.
 */
struct subid_pool;
int userns_alloc(const char *state_path, const struct subid_pool *upool,
		 const struct subid_pool *gpool, uint32_t size, pid_t owner, uint32_t *ret_uid,
		 uint32_t *ret_gid);

/* Removes the allocations of @owner from @state_path. Returns 0 or -errno. */
int userns_free(const char *state_path, pid_t owner);

/*
 * Writes /proc/@pid/gid_map and uid_map (as root, any ranges may be
 * mapped). setgroups stays "allow": init sets the container's groups
 * itself. Returns 0 or -errno; *ret_file names the file that failed.
 */
int userns_write_maps(pid_t pid, const struct spec_idmaps *uid, const struct spec_idmaps *gid,
		      const char **ret_file);

/*
 * cgroup v2 delegation to the container's root (systemd's Delegate=): the
 * leaf directory @leaf_fd and its cgroup.procs, cgroup.threads and
 * cgroup.subtree_control become owned by host @uid/@gid, so that the
 * container may make sub-cgroups of its own below its limits. Returns 0
 * or -errno.
 */
int userns_cgroup_delegate(int leaf_fd, uint32_t uid, uint32_t gid);

/*
 * Undoes what a delegated container may have left below its leaf: kills
 * every process of the subtree (cgroup.kill, 5.14+) and removes the
 * sub-cgroups depth-first, so that the teardown's rmdir of the leaf can
 * work. Returns 0 or the first -errno (the teardown then reports the leaf).
 */
int userns_cgroup_prune(int leaf_fd);
