/* SPDX-License-Identifier: MIT */
#pragma once

#include <limits.h>

/*
 * A read-only query of the cgroup code for `check --host`: what a run of a
 * spec would meet on this host, found with the same parsers and the same
 * version choice as cgroup_setup(), so that the probe and the runtime cannot
 * disagree. It creates, writes and moves nothing, and never logs.
 */

struct container_spec;

enum cgroup_probe_kind {
	CGROUP_PROBE_MODE,	  /* info: the host's cgroup mode */
	CGROUP_PROBE_PLACED,	  /* info: where a used controller lives */
	CGROUP_PROBE_MISSING,	  /* error: no hierarchy carries a used controller */
	CGROUP_PROBE_NOT_OFFERED, /* error (v2): not in the base's cgroup.controllers */
	CGROUP_PROBE_BUSY,	  /* error (v2): the base holds processes other than us */
	CGROUP_PROBE_NO_MEMS,	  /* error: the base's cpuset.mems is empty */
	CGROUP_PROBE_UNREADABLE,  /* warning: a file the probe needs cannot be read */
};

struct cgroup_probe_fact {
	enum cgroup_probe_kind kind;
	/* The controller concerned ("memory"); for BUSY the first used one; NULL for MODE. */
	const char *controller;
	/* What was found and, for a problem, what to do. */
	char message[PATH_MAX + 512];
};

typedef void (*cgroup_probe_fn)(const struct cgroup_probe_fact *fact, void *userdata);

/*
 * Reports the host's mode, then for every controller @spec needs where it
 * lives and each problem a run would hit: not mounted, (v2) not offered in
 * the launcher's cgroup, (v2) the launcher's cgroup holding other processes
 * while a controller still has to be enabled below it, an empty cpuset.mems.
 *
 * @root is NULL for this host. Else it is a test knob, a directory holding
 * "mode" (legacy, hybrid or unified), "mountinfo" and "cgroup" (texts as in
 * /proc/self), whose mount points name directories of a fake cgroupfs tree.
 * Returns 0 or -errno (-ENOMEM, or the mode cannot be found).
 */
int cgroup_probe(const struct container_spec *spec, const char *root, cgroup_probe_fn cb,
		 void *userdata);
