/* SPDX-License-Identifier: MIT */
/*
 * cgroup-memory.c: the memory subsystem of the chain in cgroup.c. Memory=
 * becomes memory.limit_in_bytes on v1 ("-1" for max) or memory.max on v2
 * ("max"). Swap is left alone (the v2 issue adds MemorySwap=).
 */
#include <inttypes.h>
#include <stdio.h>

#include "cgroup-internal.h"
#include "spec.h"

static bool memory_enabled(const struct container_spec *spec)
{
	return spec->memory_max != SPEC_MEMORY_UNSET;
}

static int memory_apply(struct cgroup *cg, const struct container_spec *spec,
			enum cgroup_version version, struct cgroup_error *err)
{
	bool v2 = version == CGROUP_V2;
	char value[32];

	if (spec->memory_max == SPEC_MEMORY_INFINITY)
		snprintf(value, sizeof(value), "%s", v2 ? "max" : "-1");
	else
		snprintf(value, sizeof(value), "%" PRIu64, spec->memory_max);
	return cgroup_write(cg, &cgroup_subsys_memory, v2 ? "memory.max" : "memory.limit_in_bytes",
			    value, NULL, err);
}

const struct cgroup_subsys_ops cgroup_subsys_memory = {
	.name = "memory",
	.controller = CGROUP_CTL_MEMORY,
	.enabled = memory_enabled,
	.apply = memory_apply,
};
