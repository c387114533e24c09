/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The host ids UserNS=auto may hand out: a host fact, read by the front end
 * (to check a size against it, with the key's file:line) and by the runtime
 * (runtime-userns.c, to allocate). The ranges are the lines of /etc/subuid
 * (/etc/subgid) for the user "mdlaunch", else for "containers" (podman's
 * name for the same purpose), else SUBID_BUILTIN_START..+SUBID_BUILTIN_COUNT,
 * far above any real user. Nothing here logs.
 */

#define SUBID_UID_PATH "/etc/subuid"
#define SUBID_GID_PATH "/etc/subgid"
/*
 * Test knobs: other files instead of /etc/subuid and /etc/subgid, so that
 * tests never edit the machine's (documented in mdlaunch(1) as test knobs).
 */
#define SUBID_UID_ENV "MDLAUNCH_SUBUID"
#define SUBID_GID_ENV "MDLAUNCH_SUBGID"

/* The built-in range: 2^31 + 2^24, 2^30 ids (16384 ranges of 65536). */
#define SUBID_BUILTIN_START 2164260864U
#define SUBID_BUILTIN_COUNT 1073741824U

/* Ranges kept from one file; further lines of the entry are ignored. */
#define SUBID_RANGES_MAX 32

struct subid_range {
	uint32_t start, count;
};

struct subid_pool {
	char path[256]; /* the file read ("" for the built-in range) */
	char name[16];	/* "mdlaunch", "containers", or "" for the built-in range */
	size_t n;
	struct subid_range v[SUBID_RANGES_MAX];
};

/* The file of uids (@gid false) or gids: the test knob's value or /etc/sub[ug]id. */
const char *subid_path(bool gid);

/*
 * Reads the pool from @path: the lines "mdlaunch:START:COUNT", else those of
 * "containers"; the built-in range when the file is missing or has neither.
 * Malformed lines are skipped, as shadow's tools do. Returns 0, or -EDOM
 * when a range of the entry contains host id 0 (it would map the
 * container's ids onto host root; *ret is still filled), or -errno.
 */
int subid_pool_read(const char *path, struct subid_pool *ret);

/* The parse of one line "NAME:START:COUNT" (no newline). Returns 0 or -EINVAL. */
int subid_parse_line(const char *line, char *name, size_t name_size, struct subid_range *ret);

/* The largest range of @pool, in ids. */
uint32_t subid_pool_largest(const struct subid_pool *pool);
