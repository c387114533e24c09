/* SPDX-License-Identifier: MIT */
/*
 * subid.c: the host id ranges of UserNS=auto (see subid.h). Read by
 * config-validate.c (is the size available?) and runtime-userns.c (where
 * to allocate). The format is shadow's subuid(5): NAME:START:COUNT lines.
 */
#include "subid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The entry names, in order of preference. */
static const char *const subid_names[] = { "mdlaunch", "containers" };

const char *subid_path(bool gid)
{
	const char *p = getenv(gid ? SUBID_GID_ENV : SUBID_UID_ENV);

	if (!isempty(p))
		return p;
	return gid ? SUBID_GID_PATH : SUBID_UID_PATH;
}

int subid_parse_line(const char *line, char *name, size_t name_size, struct subid_range *ret)
{
	const char *c1 = strchr(line, ':'), *c2;
	char num[24];
	uint64_t start, count;
	size_t n;

	if (!c1 || c1 == line || (size_t)(c1 - line) >= name_size)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (!c2 || strchr(c2 + 1, ':'))
		return -EINVAL;
	n = (size_t)(c2 - c1 - 1);
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, c1 + 1, n);
	num[n] = '\0';
	if (safe_atou64(num, &start) < 0 || safe_atou64(c2 + 1, &count) < 0)
		return -EINVAL;
	/* Both ends stay below 4294967295, which is no id. */
	if (count == 0 || start + count > UINT32_MAX)
		return -EINVAL;
	memcpy(name, line, (size_t)(c1 - line));
	name[c1 - line] = '\0';
	*ret = (struct subid_range){ .start = (uint32_t)start, .count = (uint32_t)count };
	return 0;
}

/* Appends the ranges of entry @want found in @f to @pool. */
static void pool_collect(FILE *f, const char *want, struct subid_pool *pool)
{
	char line[256];

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		struct subid_range r;
		char name[64];

		line[strcspn(line, "\r\n")] = '\0';
		if (subid_parse_line(strstrip(line), name, sizeof(name), &r) < 0 ||
		    !streq(name, want) || pool->n == SUBID_RANGES_MAX)
			continue;
		pool->v[pool->n++] = r;
	}
}

int subid_pool_read(const char *path, struct subid_pool *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct subid_pool pool = {};

	f = fopen(path, "re");
	if (!f && errno != ENOENT)
		return -errno;
	for (size_t i = 0; f && i < ELEMENTSOF(subid_names) && pool.n == 0; i++) {
		pool_collect(f, subid_names[i], &pool);
		if (pool.n > 0) {
			snprintf(pool.path, sizeof(pool.path), "%s", path);
			snprintf(pool.name, sizeof(pool.name), "%s", subid_names[i]);
		}
	}
	if (pool.n == 0) {
		pool.v[0] = (struct subid_range){ SUBID_BUILTIN_START, SUBID_BUILTIN_COUNT };
		pool.n = 1;
	}
	*ret = pool;
	for (size_t i = 0; i < pool.n; i++)
		if (pool.v[i].start == 0)
			return -EDOM;
	return 0;
}

uint32_t subid_pool_largest(const struct subid_pool *pool)
{
	uint32_t max = 0;

	for (size_t i = 0; i < pool->n; i++)
		if (pool->v[i].count > max)
			max = pool->v[i].count;
	return max;
}
