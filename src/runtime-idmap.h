/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Idmapped volumes (Volume=...:idmap with a user namespace). Only the
 * launcher, holding CAP_SYS_ADMIN over the host's file systems, may idmap a
 * mount: after init's maps are written it clones each volume's tree
 * (open_tree), idmaps it with init's user namespace (mount_setattr
 * MOUNT_ATTR_IDMAP) and sends the detached mount's fd over a socket that
 * init holds as INIT_IDMAP_FD, in the order of the plan's MOUNT_OP_MOVE_FD
 * ops. Init attaches each one where its op says (move_mount), as crun does
 * with the mounts it prepares in the parent.
 */

struct container_spec;
struct mount_op;
struct mount_plan;

/* init's end of the idmapped-mount socket (after the pipes on 3, 4 and the pty's 5). */
#define INIT_IDMAP_FD 6

/*
 * Launcher, before the clone: a SOCK_SEQPACKET pair when @plan has
 * idmapped volumes (*ret_launcher and *ret_init set, both close-on-exec),
 * else both -EBADF. Returns 0 or -errno.
 */
int idmap_channel_open(const struct mount_plan *plan, int *ret_launcher, int *ret_init);

/*
 * Launcher, once the maps of init (@pid) are written: for each
 * MOUNT_OP_MOVE_FD op of @plan, in order, an idmapped clone of its source
 * sent over @sock. Every fd is closed on return. Returns 0 or -errno,
 * logged with the Volume= it concerns (a kernel or file system without
 * idmapped mounts is named as such).
 */
int idmap_send_mounts(int sock, pid_t pid, const struct container_spec *spec,
		      const struct mount_plan *plan);
/*
 * `check --host`: tries an idmapped clone of the tree at @source with a
 * throwaway user namespace, attached nowhere. 0 when it works, else -errno
 * with @why set as a run would say it ("the file system does not support
 * idmapped mounts").
 */
int idmap_probe(const char *source, char *why, size_t why_size);

/*
 * Init: receives the next idmapped mount from INIT_IDMAP_FD and attaches it
 * on op->target (move_mount). Returns 0, -EPIPE when the launcher sent none,
 * or -errno.
 */
int idmap_move_received(const struct mount_op *op);

/* Init: true when fd INIT_IDMAP_FD is the idmapped-mount socket. */
bool idmap_init_present(void);
