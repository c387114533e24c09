/* SPDX-License-Identifier: MIT */
/*
 * cgroup-pids.c: the pids subsystem of the chain in cgroup.c.
 *
 *   PidsLimit=  v1 pids.max | v2 pids.max (the same file and syntax: a count or "max")
 *
 * The limit counts tasks (threads too) in the container's cgroup; a fork or
 * clone beyond it fails with EAGAIN inside the container, which is what
 * contains a fork bomb. Used when PidsLimit= is set, and, without a PID
 * namespace, as the tracker of the container's processes (nothing written):
 * no PID 1 then takes the command's background processes with it when it
 * exits, so the teardown kills what is left in this cgroup instead.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cgroup-internal.h"
#include "spec.h"

bool cgroup_pids_tracks(const struct container_spec *spec)
{
	return spec->pids_max == 0 && !(spec->namespaces & NS_PID);
}

static bool pids_enabled(const struct container_spec *spec)
{
	return spec->pids_max != 0 || cgroup_pids_tracks(spec);
}

static int pids_apply(struct cgroup *cg, const struct container_spec *spec,
		      enum cgroup_version version, struct cgroup_error *err)
{
	char value[32];

	/* Both versions spell it the same way; nothing to choose at this leaf. */
	(void)version;
	if (spec->pids_max == 0) /* only the tracker */
		return 0;
	if (spec->pids_max == SPEC_PIDS_INFINITY)
		snprintf(value, sizeof(value), "max");
	else
		snprintf(value, sizeof(value), "%" PRIu64, spec->pids_max);
	return cgroup_write(cg, &cgroup_subsys_pids, "pids.max", value, NULL, err);
}

const struct cgroup_subsys_ops cgroup_subsys_pids = {
	.name = "pids",
	.controller = CGROUP_CTL_PIDS,
	.enabled = pids_enabled,
	.apply = pids_apply,
};
