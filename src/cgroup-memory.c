/* SPDX-License-Identifier: MIT */
/*
 * cgroup-memory.c: the memory subsystem of the chain in cgroup.c.
 *
 *   Memory=      v1 memory.limit_in_bytes ("-1" for max) | v2 memory.max ("max")
 *   MemorySwap=  v1 memory.memsw.limit_in_bytes = Memory + MemorySwap (memory+swap
 *                together, so Memory= is required; validation says so)
 *                | v2 memory.swap.max (swap alone)
 *
 * Swap is left alone unless MemorySwap= is set. Without swap accounting in
 * the kernel the swap files do not exist: a clear error, never a silent "no
 * limit".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "cgroup-internal.h"
#include "spec.h"

static bool memory_enabled(const struct container_spec *spec)
{
	return spec->memory_max != SPEC_MEMORY_UNSET || spec->memory_swap_max != SPEC_MEMORY_UNSET;
}

/* Writes @v (bytes or SPEC_MEMORY_INFINITY, spelled @inf) to @file. */
static int write_bytes(struct cgroup *cg, const char *file, uint64_t v, const char *inf,
		       const char *note, struct cgroup_error *err)
{
	char value[32];

	if (v == SPEC_MEMORY_INFINITY)
		snprintf(value, sizeof(value), "%s", inf);
	else
		snprintf(value, sizeof(value), "%" PRIu64, v);
	return cgroup_write(cg, &cgroup_subsys_memory, file, value, note, err);
}

/* A swap file is missing: the kernel accounts no swap (CONFIG_MEMCG_SWAP, swapaccount=). */
static int swap_missing(int r, const char *file, struct cgroup_error *err)
{
	if (r != -ENOENT)
		return r;
	return cgroup_error_message(
	    err, r,
	    "MemorySwap= cannot be applied: %s does not exist in the "
	    "container's memory cgroup (the kernel does no swap accounting; "
	    "see swapaccount=1 and CONFIG_MEMCG_SWAP)",
	    file);
}

static int memory_apply_v2(struct cgroup *cg, const struct container_spec *spec,
			   struct cgroup_error *err)
{
	int r;

	if (spec->memory_max != SPEC_MEMORY_UNSET) {
		r = write_bytes(cg, "memory.max", spec->memory_max, "max", NULL, err);
		if (r < 0)
			return r;
	}
	if (spec->memory_swap_max == SPEC_MEMORY_UNSET)
		return 0;
	r = write_bytes(cg, "memory.swap.max", spec->memory_swap_max, "max", "MemorySwap=", err);
	return swap_missing(r, "memory.swap.max", err);
}

static int memory_apply_v1(struct cgroup *cg, const struct container_spec *spec,
			   struct cgroup_error *err)
{
	uint64_t mem = spec->memory_max, swap = spec->memory_swap_max, memsw;
	int r;

	if (mem == SPEC_MEMORY_UNSET)
		return cgroup_error_message(err, -EINVAL,
					    "MemorySwap= needs Memory= on cgroup v1 "
					    "(memory.memsw.limit_in_bytes is Memory + MemorySwap)");
	/* limit_in_bytes first: memsw may never be below it, and a new cgroup has both at max. */
	r = write_bytes(cg, "memory.limit_in_bytes", mem, "-1", NULL, err);
	if (r < 0 || swap == SPEC_MEMORY_UNSET)
		return r;
	if (mem == SPEC_MEMORY_INFINITY || swap == SPEC_MEMORY_INFINITY ||
	    swap >= SPEC_MEMORY_INFINITY - mem)
		memsw = SPEC_MEMORY_INFINITY;
	else
		memsw = mem + swap;
	r = write_bytes(cg, "memory.memsw.limit_in_bytes", memsw, "-1",
			"Memory= + MemorySwap=", err);
	return swap_missing(r, "memory.memsw.limit_in_bytes", err);
}

static int memory_apply(struct cgroup *cg, const struct container_spec *spec,
			enum cgroup_version version, struct cgroup_error *err)
{
	if (version == CGROUP_V2)
		return memory_apply_v2(cg, spec, err);
	return memory_apply_v1(cg, spec, err);
}

const struct cgroup_subsys_ops cgroup_subsys_memory = {
	.name = "memory",
	.controller = CGROUP_CTL_MEMORY,
	.enabled = memory_enabled,
	.apply = memory_apply,
};
