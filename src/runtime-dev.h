/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The private /dev of a container, as ops of the mount plan (runtime-mount.h):
 * a small tmpfs with the nodes of the device set (devices.h), /dev/pts (a new
 * devpts instance), the /dev/ptmx, /dev/fd and stdio symlinks, /dev/shm (a
 * private tmpfs of ShmSize=) and, with an IPC namespace, /dev/mqueue.
 */

struct container_spec;
struct mount_plan;

/*
 * Appends the /dev ops for @spec to @plan (mount_plan_build() calls it last,
 * with a mount namespace). Resolves the device set (devices_resolve(): stats
 * the AddDevice= host nodes) and reads /etc/group for the gid of "tty" (the
 * owner group of the ptys). Returns 0, -E2BIG, -ENOMEM, or the error of
 * devices_resolve() (which runtime_dev_check() reports with its file:line).
 */
int mount_plan_add_dev(const struct container_spec *spec, struct mount_plan *plan);

/*
 * Checks the AddDevice= host nodes of @spec before a run: logs
 * "file:line: AddDevice: ..." (or "--device: ...") for one that is missing
 * (without "-") or not a device node. Returns 0, or the negative errno
 * (logged).
 */
int runtime_dev_check(const struct container_spec *spec);
