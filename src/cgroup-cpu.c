/* SPDX-License-Identifier: MIT */
/*
 * cgroup-cpu.c: the cpu subsystem of the chain in cgroup.c. One knob in two
 * units: CPUShares= (v1, 2..262144, default 1024) or CPUWeight= (v2,
 * 1..10000, default 100); the spec has at most one of them. v1 writes
 * cpu.shares, v2 writes cpu.weight, converting the other unit when needed.
 *
 * The mapping shares -> weight is the log-scale one crun and runc use today
 * (opencontainers/cgroups PR #20 "ConvertCPUSharesToCgroupV2Value: improve",
 * which runc picked up in PR #4785; crun PR #1767 for crun issue #1721):
 *
 *   l = log2(shares)
 *   weight = ceil(10 ^ ((l * l + 125 * l) / 612 - 7 / 34))
 *
 * a quadratic in log space through the three anchors
 *   shares 2 -> weight 1,  1024 -> 100,  262144 -> 10000
 * (the old linear 1 + (shares - 2) * 9999 / 262142 gave the default 1024
 * only 39, less than half of v2's default 100). Values at or beyond the ends
 * are clamped to 1 and 10000. It is monotonic (tested over the whole range).
 *
 * CPUWeight= on a v1 host is converted back, not refused: the shares value
 * is the largest one whose weight is at most the requested weight (a binary
 * search over the forward mapping; the ceil() makes each weight the image
 * of a run of shares values, ending where the curve reaches the weight
 * exactly). So the anchors map back exactly (1 -> 2, 100 -> 1024,
 * 10000 -> 262144), and weight -> shares -> weight gives the same weight
 * whenever it is in the mapping's image (at the low end a few weights are
 * skipped: there the next lower weight's shares are used).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "cgroup-internal.h"
#include "spec.h"

uint64_t cgroup_cpu_shares_to_weight(uint64_t shares)
{
	double l, exponent;

	if (shares == 0)
		return 0;
	if (shares <= SPEC_CPU_SHARES_MIN)
		return SPEC_CPU_WEIGHT_MIN;
	if (shares >= SPEC_CPU_SHARES_MAX)
		return SPEC_CPU_WEIGHT_MAX;
	l = log2((double)shares);
	exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t)ceil(pow(10.0, exponent));
}

uint64_t cgroup_cpu_weight_to_shares(uint64_t weight)
{
	uint64_t lo = SPEC_CPU_SHARES_MIN, hi = SPEC_CPU_SHARES_MAX;

	if (weight == 0)
		return 0;
	/* The largest shares value with shares_to_weight(shares) <= weight. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (cgroup_cpu_shares_to_weight(mid) <= weight)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static bool cpu_enabled(const struct container_spec *spec)
{
	return spec->cpu_shares != 0 || spec->cpu_weight != 0;
}

static int cpu_apply(struct cgroup *cg, const struct container_spec *spec,
		     enum cgroup_version version, struct cgroup_error *err)
{
	char value[32], note[64] = "";
	uint64_t v;

	if (version == CGROUP_V2) {
		v = spec->cpu_weight;
		if (!v) {
			v = cgroup_cpu_shares_to_weight(spec->cpu_shares);
			snprintf(note, sizeof(note), "CPUShares=%" PRIu64 ", log-scale mapping",
				 spec->cpu_shares);
		}
	} else {
		v = spec->cpu_shares;
		if (!v) {
			v = cgroup_cpu_weight_to_shares(spec->cpu_weight);
			snprintf(note, sizeof(note),
				 "CPUWeight=%" PRIu64 ", inverse log-scale mapping",
				 spec->cpu_weight);
		}
	}
	snprintf(value, sizeof(value), "%" PRIu64, v);
	return cgroup_write(cg, &cgroup_subsys_cpu,
			    version == CGROUP_V2 ? "cpu.weight" : "cpu.shares", value,
			    note[0] ? note : NULL, err);
}

const struct cgroup_subsys_ops cgroup_subsys_cpu = {
	.name = "cpu",
	.controller = CGROUP_CTL_CPU,
	.enabled = cpu_enabled,
	.apply = cpu_apply,
};
