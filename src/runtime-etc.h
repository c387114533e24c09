/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "spec.h"

/*
 * The container's own /etc/resolv.conf, /etc/hosts and /etc/hostname, as
 * podman gives each container: generated per run (runtime-net.c writes the
 * text), written by init into the run's scratch tmpfs and bound over the
 * files of the container's root. They live in the container's mount
 * namespace only and go away with it on every exit path.
 */

struct container_spec;
struct mount_plan;
struct net_run;

/*
 * True when a run of @spec gets the generated files: a mount namespace and
 * a root file system of its own (Rootfs=), a CNI network, or DNS= or
 * AddHost= set. Otherwise (Network=none or host in the host's root) the
 * container sees the host's files.
 */
bool etc_files_wanted(const struct container_spec *spec);

/* Where init writes the files: the run's scratch tmpfs (runtime-rootfs.h). */
#define ETC_FILES_DIR SPEC_SCRATCH_DIR "/etc"

/*
 * Appends the ops that write the three files into ETC_FILES_DIR (the
 * scratch tmpfs is mounted by an earlier op) and bind each over /etc/NAME
 * inside @root, while that root is still writable: a missing file is
 * created in an overlay's upper layer or in a writable Rootfs= DIR (not
 * with a user namespace); in a read-only one, in the host's root, behind a
 * dangling symlink or under a Volume= on that path it is skipped (one
 * debug line). The contents are
 * those without a CNI result; etc_files_update() puts in the network's.
 * Returns 0, -ENOMEM or -E2BIG.
 */
int mount_plan_add_etc_files(const struct container_spec *spec, const char *root,
			     struct mount_plan *plan);

/*
 * After the CNI ADD: regenerates the files with @n's address and name
 * servers into the write ops of @plan (from mount_plan_add_etc_files()).
 * Returns 0 or -ENOMEM (the plan keeps its earlier contents then).
 */
int etc_files_update(struct mount_plan *plan, const struct container_spec *spec,
		     const struct net_run *n);
