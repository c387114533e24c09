/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The front end of the container's file system: the pure parsers of
 * Rootfs=, Volume= and Tmpfs= (shared by the .container loader and the run
 * options) and the rules that judge them against the host. The runtime side
 * is runtime-rootfs.c.
 */

struct container_spec;
struct spec_mount;

/*
 * Rootfs=DIR[:O]. A relative DIR is relative to @base (the directory of
 * the .container file, NULL: the current directory). On
 * success *ret_dir is the absolute path (owned by the caller). Returns 0,
 * -EINVAL with a reason in @why, or -ENOMEM.
 */
int parse_rootfs(const char *value, const char *base, char **ret_dir, bool *ret_overlay, char *why,
		 size_t why_size);

/*
 * Volume=[HOST-DIR:]CONTAINER-DIR[:OPTIONS], OPTIONS a comma-separated list
 * of ro, rw, nosuid, nodev, noexec, idmap. A HOST-DIR starting with '.' is
 * relative to @base as for parse_rootfs(). Fills *ret (strings owned by the
 * caller, free with spec_mount_done()). Returns 0, -EINVAL with a reason in
 * @why, or -ENOMEM.
 */
int parse_volume(const char *value, const char *base, struct spec_mount *ret, char *why,
		 size_t why_size);

/*
 * Tmpfs=CONTAINER-DIR[:OPTIONS]: rw/ro, [no]suid, [no]dev, [no]exec,
 * size=, mode=, nr_inodes=, uid=, gid=; the default is
 * rw,nosuid,nodev,noexec,size=SPEC_TMPFS_SIZE_DEFAULT. As parse_volume().
 */
int parse_tmpfs(const char *value, struct spec_mount *ret, char *why, size_t why_size);

/* Frees the strings of @m (not @m itself). */
void spec_mount_done(struct spec_mount *m);

/*
 * The rules of the file-system keys, each error at the file:line of the
 * value: a mount namespace for all of it, no two mounts on one
 * CONTAINER-DIR, none on /proc or /dev, no idmap without a user namespace;
 * and with @host (run, show, check --host) the host rules: Rootfs= exists
 * and is a directory, every HOST-DIR exists, mount points that the run
 * cannot create exist, no symlink on the way to a mount point. With Rootfs=
 * and no WorkingDirectory=, the working directory becomes "/". Returns 0 or
 * -EINVAL (logged).
 */
int config_validate_filesystem(struct container_spec *spec, bool host);
