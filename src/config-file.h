/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Reading configuration files (config-file.c), for every loader of the front
 * end: mdlaunch.conf, .container files and their drop-ins.
 */

/*
 * Reads @path whole into *ret (NUL-terminated; the text itself may contain
 * NULs, *ret_size is its length): a regular file of at most @max bytes (a
 * FIFO or a device is refused, and opening it does not block), trusted when
 * @strict and mdlaunch runs as root (not writable by group or others, owned
 * by root). With @optional, a missing file is -ENOENT, not logged. Returns 0
 * or -errno (logged): -EINVAL not a regular file, -EISDIR, -EFBIG, -EPERM
 * (the trust check), ...
 */
int config_file_read(const char *path, size_t max, bool strict, bool optional, char **ret,
		     size_t *ret_size);

/*
 * config_file_read() for mdlaunch.conf itself (@global true): its trust check
 * is always on, since the file could otherwise turn it off
 * (strict_permissions = false), and its refusal does not suggest that.
 */
int config_file_read_full(const char *path, size_t max, bool strict, bool global, bool optional,
			  char **ret, size_t *ret_size);

/*
 * Reads a file a .container names (EnvironmentFile=) as the loader reads the
 * .container itself: a regular file (a FIFO is refused, not waited on), at
 * most @max bytes, passing the trust check (@strict). *ret gets the
 * NUL-terminated text. Returns 0, -EPERM (the trust check refused it:
 * logged), or -errno not logged: -EINVAL not a regular file, -EBADMSG a NUL
 * byte, -ENOENT, ...
 */
int config_file_read_quiet(const char *path, size_t max, bool strict, char **ret);

/*
 * The drop-ins of @path: the regular files "*.conf" (not hidden) in
 * "@path.d", sorted by name (systemd's order), as paths in *ret (NULL when
 * there is no such directory); the directory is trust-checked like a file.
 * Returns 0 or -errno (logged).
 */
int config_file_dropins(const char *path, bool strict, char ***ret);
