/* SPDX-License-Identifier: MIT */
/*
 * log.c: the project's only output channel besides the container's own stdio.
 * Every module that knows the context of a failure logs through here; helpers
 * in util.c, config-values.c and cgroup-*.c return -errno and never log errors.
 */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int log_max_level = LOG_LEVEL_WARN;

static const char *const level_names[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* syslog(3) priorities of the levels, for the journal's "<N>" line prefix. */
static const int level_syslog[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = 3,
	[LOG_LEVEL_WARN] = 4,
	[LOG_LEVEL_INFO] = 6,
	[LOG_LEVEL_DEBUG] = 7,
};

/*
 * True when stderr is the journal: systemd sets JOURNAL_STREAM="dev:inode"
 * of the stream it connected, which is only ours while fstat(2) of stderr
 * still matches it (a redirect in between makes it stale). Decided on the
 * first message and kept.
 */
static bool stderr_is_journal(void)
{
	static int cached = -1;
	unsigned long long dev, ino;
	const char *e;
	struct stat st;
	int n = 0;

	if (cached >= 0)
		return cached;
	cached = 0;
	e = getenv("JOURNAL_STREAM");
	if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	cached = (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
	return cached;
}

int log_level_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	if (strcasecmp(s, "warn") == 0)
		return LOG_LEVEL_WARN;
	for (int i = 0; i < _LOG_LEVEL_MAX; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -EINVAL;
}

/*
 * Formats the whole line first and writes it with one fputs() so that lines
 * of concurrent launchers sharing a stderr do not interleave mid-line.
 */
static __attribute__((format(printf, 3, 0))) int log_internalv(int level, int error,
							       const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	if (error < 0)
		error = -error;
	if (level <= log_max_level) {
		errno = error;
		vsnprintf(msg, sizeof(msg), fmt, ap);
		if (stderr_is_journal())
			fprintf(stderr, "<%d>%s\n", level_syslog[level], msg);
		else
			fprintf(stderr, "mdlaunch: %s: %s\n", level_names[level], msg);
	}
	errno = saved;
	return -error;
}

int log_internal(int level, int error, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = log_internalv(level, error, fmt, ap);
	va_end(ap);
	return r;
}

void log_always(int level, const char *fmt, ...)
{
	int saved = log_max_level;
	va_list ap;

	if (log_max_level < 0 || level < 0 || level >= _LOG_LEVEL_MAX)
		return;
	if (log_max_level < level)
		log_max_level = level;
	va_start(ap, fmt);
	(void)log_internalv(level, 0, fmt, ap);
	va_end(ap);
	log_max_level = saved;
}

int log_syntax(const char *file, unsigned line, int level, const char *fmt, ...)
{
	char msg[2048], where[1100];
	va_list ap;

	if (level <= log_max_level) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		if (line > 0)
			snprintf(where, sizeof(where), "%s:%u", file ? file : "-", line);
		else
			snprintf(where, sizeof(where), "%s", file ? file : "-");
		if (stderr_is_journal())
			fprintf(stderr, "<%d>%s: %s\n", level_syslog[level], where, msg);
		else
			fprintf(stderr, "%s: %s%s\n", where,
				level == LOG_LEVEL_ERROR ? "" : "warning: ", msg);
	}
	return level == LOG_LEVEL_ERROR ? -EINVAL : 0;
}
