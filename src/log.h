/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

/*
 * Logging: one line per message on stderr (stdout belongs to the container).
 *
 *   mdlaunch: error: message
 *   web.container:7: Memory: invalid size '12x' (use e.g. 512M, 2G)
 *
 * The log functions return the negative errno they were given (or -EINVAL for
 * log_syntax at error level), so a caller can log and return in one statement:
 *
 *   return log_error_errno(r, "cannot create cgroup '%s': %m", path);
 *
 * "%m" prints strerror of the error passed in (errno is set to it first).
 *
 * When stderr is the journal (JOURNAL_STREAM names stderr's device:inode, as
 * systemd sets it for a service), every line carries a syslog priority
 * prefix instead of the text level: "<3>message" (3 error, 4 warning,
 * 6 info, 7 debug), "<3>web.container:7: Memory: ...".
 */

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	_LOG_LEVEL_MAX,
	_LOG_LEVEL_INVALID = -22, /* -EINVAL */
};

/* The only global of the project: messages above this level are dropped; -1 mutes everything. */
extern int log_max_level;

/* Parses "error", "warn"/"warning", "info", "debug"; returns the level or -EINVAL. */
int log_level_from_string(const char *s);

/* Logs at @level; @error is 0 or an errno value (sign ignored) used for "%m". Returns -|error|. */
int log_internal(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Like log_internal() without @error, but printed even when @level is above
 * log_max_level (not when logging is muted): output the user asked for, such
 * as --stats.
 */
void log_always(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A message about a place in a file: "file:line: message" (line 0 omits the line).
 * Warnings read "file:line: warning: message". Returns -EINVAL at error level, 0 otherwise.
 */
int log_syntax(const char *file, unsigned line, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(...)		log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warn(...)		log_internal(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...)		log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)		log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(r, ...) log_internal(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)	log_internal(LOG_LEVEL_WARN, (r), __VA_ARGS__)
#define log_debug_errno(r, ...) log_internal(LOG_LEVEL_DEBUG, (r), __VA_ARGS__)
