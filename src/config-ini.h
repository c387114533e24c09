/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The INI scan of one .container file or drop-in (config-ini.c): sections,
 * comments, continuation lines, "Key = value" split, and iniparser's reading
 * of the same file routed into the log and cross-checked. Errors of the file
 * are logged at k->path:line and counted in k->n_errors.
 */

struct key_ctx;

struct ini_scan {
	struct key_ctx *k; /* k->path names the file in messages; k->n_errors counts */
	/*
	 * Called for each "Key = value" of [Container] (not for X- keys), @value
	 * the raw text after '=' (blanks trimmed, "" for none). Returns 0,
	 * -EINVAL (reported and counted by the callee) or -ENOMEM.
	 */
	int (*assignment)(void *userdata, unsigned line, const char *key, const char *value);
	void *userdata;
	unsigned routed; /* errors only iniparser found */
	bool disagree;	 /* iniparser and the scan read the file differently (a bug of ours) */
};

/*
 * Scans @text (@size bytes, the content of @path, may contain NULs) and
 * loads @path with iniparser, reporting every error of the file. The
 * cross-check runs when the file had no error. Returns 0 or -ENOMEM.
 */
int ini_scan_file(struct ini_scan *s, const char *path, const char *text, size_t size);
