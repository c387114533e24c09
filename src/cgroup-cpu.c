/* SPDX-License-Identifier: MIT */
/*
 * cgroup-cpu.c: the cpu subsystem of the chain in cgroup.c. CPUShares=
 * becomes cpu.shares on v1. On v2 it will be cpu.weight, through the
 * shares-to-weight mapping the v2 issue chooses and tests (see PITFALLS: the
 * old linear formula maps 1024 to 39); until then v2 is refused here rather
 * than written with a guessed value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "cgroup-internal.h"
#include "spec.h"

static bool cpu_enabled(const struct container_spec *spec)
{
	return spec->cpu_shares != 0;
}

static int cpu_apply(struct cgroup *cg, const struct container_spec *spec,
		     enum cgroup_version version, struct cgroup_error *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%" PRIu64, spec->cpu_shares);
	if (version == CGROUP_V2)
		return cgroup_error_set(err, -EOPNOTSUPP, "write", "cpu.weight (v2)", NULL, value);
	return cgroup_write(cg, &cgroup_subsys_cpu, "cpu.shares", value, NULL, err);
}

const struct cgroup_subsys_ops cgroup_subsys_cpu = {
	.name = "cpu",
	.controller = CGROUP_CTL_CPU,
	.enabled = cpu_enabled,
	.apply = cpu_apply,
};
