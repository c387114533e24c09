/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * runtime-caps.c: the last privileged steps of init before exec: the
 * credentials (groups, gid, uid), the capability sets (libcap) and
 * no_new_privs. Masks are plain uint64_t, bit n = capability n, as in the
 * spec. Nothing here logs: init reports failures on its status pipe.
 */

/*
 * Switches to @uid/@gid with exactly @groups as supplementary groups (none
 * when @n_groups is 0). PR_SET_KEEPCAPS keeps the permitted set across a
 * switch away from uid 0, so that caps_apply() can still drop the bounding
 * set afterwards; the effective set is empty until then. Returns 0 or
 * -errno; *@failed names the step that failed ("setgroups", ...).
 */
int caps_set_ids(uint32_t uid, uint32_t gid, const uint32_t *groups, size_t n_groups,
		 const char **failed);

/*
 * Reduces the process to @bounding: raises the effective set to the
 * permitted one (CAP_SETPCAP must be effective for cap_drop_bound()), drops
 * every other capability the kernel knows from the bounding set, sets
 * permitted = effective = the bounding set for uid 0, else @ambient; inheritable = @ambient,
 * clears the ambient set and raises @ambient in it. Returns 0 or -errno;
 * *@failed names the step that failed.
 */
int caps_apply(uint32_t uid, uint64_t bounding, uint64_t ambient, const char **failed);

/*
 * The capabilities of @wanted that this process's bounding set lacks (a
 * launcher that was itself started with fewer): init cannot give them, so
 * caps_apply() leaves them out. Their names, comma-separated, go to @buf.
 */
uint64_t caps_not_held(uint64_t wanted, char *buf, size_t size);

/* Sets PR_SET_NO_NEW_PRIVS (irreversible; inherited across fork and exec). 0 or -errno. */
int caps_no_new_privs(void);
