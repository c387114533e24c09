/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The container's devices as plain data, shared by the two places that need
 * them: the private /dev of the mount plan (runtime-dev.c: which nodes to
 * make) and the device allowlist of the cgroup chain (cgroup-devices.c: which
 * nodes may be opened, as v1 devices.allow lines or a cgroup v2 BPF program).
 * Both come from one list, so a node in /dev and its rule cannot disagree.
 *
 * The set is the defaults (docker's: null zero full random urandom tty, the
 * console, ptmx and the pts of the container's devpts, and mknod of any node
 * but no open of it) plus AddDevice=, whose host nodes are read here with
 * stat(): a host fact, so only a run (and `check --host`) resolves it.
 */

struct container_spec;

/* A rule's major or minor number matching any ("*"). */
#define DEVICE_WILDCARD UINT32_MAX

/* One allow rule: @type 'c', 'b' or 'a' (any), @access SPEC_DEV_* bits. */
struct device_rule {
	char type;
	uint32_t major, minor;
	unsigned access;
};

/* One node of the private /dev. */
struct device_node {
	char *path;  /* in the container, absolute, below /dev */
	char *host;  /* the host's node of the same numbers (bound where mknod is refused) */
	mode_t mode; /* S_IFCHR or S_IFBLK with the permission bits */
	uint32_t major, minor;
};

struct device_set {
	struct device_node *nodes;
	size_t n_nodes;
	struct device_rule *rules;
	size_t n_rules;
};

/*
 * Builds the device set of @spec: the default nodes and rules, then each
 * AddDevice= entry whose host node exists (stat() follows symlinks, as
 * docker does). Returns 0; -ENOENT (a non-optional host node is missing) or
 * -ENODEV (the host path is not a character or block device) with the index
 * of the entry in *ret_failed; -ENOMEM. On error @ret is left empty.
 */
int devices_resolve(const struct container_spec *spec, struct device_set *ret, size_t *ret_failed);

/* Frees what @set holds and empties it; accepts an empty set. */
void device_set_done(struct device_set *set);

/* Formats @rule as a v1 devices.allow line: "c 1:3 rwm", "c 136:* rwm", "a *:* m". */
void device_rule_format(const struct device_rule *rule, char *buf, size_t size);

/*
 * The cgroup v2 device program of @rules: BPF_PROG_TYPE_CGROUP_DEVICE
 * instructions (struct bpf_insn, 8 bytes each) that return 1 (allow) when
 * the access matches a rule and 0 (deny) otherwise. Writes at most @max
 * instructions to @insns and their number to *ret_n. Returns 0, or -E2BIG
 * when @max is too small. DEVICE_BPF_INSNS(n) is enough for n rules.
 */
#define DEVICE_BPF_INSNS(n) (6 + 8 * (n) + 2)
struct bpf_insn;
int device_bpf_program(const struct device_rule *rules, size_t n_rules, struct bpf_insn *insns,
		       size_t max, size_t *ret_n);

/*
 * Loads the program of @rules into the kernel (bpf(2) BPF_PROG_LOAD).
 * Returns the program fd (O_CLOEXEC) or -errno.
 */
int device_bpf_load(const struct device_rule *rules, size_t n_rules);

/*
 * False when the kernel refuses a BPF_PROG_TYPE_CGROUP_DEVICE program as
 * unknown (EINVAL: no v2 allowlist possible); true otherwise (also when the
 * caller may not load programs: that says nothing about the kernel).
 */
bool device_bpf_supported(void);
