/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

/*
 * A shorter program with the same verdicts as libseccomp's. The kernel's
 * load of a filter (its checks, the conversion to eBPF and the JIT) costs in
 * proportion to the instructions, and libseccomp 2.5 tests every system
 * call with its own jeq, per architecture, even where whole runs of
 * numbers get the same verdict.
 */

/*
 * Rewrites @in (@n instructions) into *ret (*ret_n; the caller frees).
 * The part of @in that looks only at the architecture and the call number
 * becomes a binary search over the ranges of (architecture, number) with
 * one verdict each; a range whose verdict depends on the arguments jumps to
 * a copy of the original code for it (the instructions reachable from
 * there, in their order). The result gives the same answer as @in for every
 * input. Returns 0; -EOPNOTSUPP when @in has a shape this does not handle
 * (anything but loads of the number and the architecture, constant
 * comparisons and returns before the first argument load), or when the
 * result would not be shorter; -EPROTO when the result fails the check
 * made at every call (the old and the new verdict at each boundary of the
 * ranges, run through an interpreter); -EINVAL for a malformed program;
 * -ENOMEM. The caller keeps @in on any error.
 */
int seccomp_optimize(const struct sock_filter *in, size_t n, struct sock_filter **ret,
		     size_t *ret_n);
