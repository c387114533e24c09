/* SPDX-License-Identifier: MIT */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Small helpers shared by every module. Nothing here logs; failures return -errno. */

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f)	      __attribute__((cleanup(f)))
#define _unused_	      __attribute__((unused))
#define _noreturn_	      __attribute__((noreturn))
#define _no_sanitize_address_ __attribute__((no_sanitize_address))
#define _printf_(a, b)	      __attribute__((format(printf, a, b)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

#define _cleanup_free_	    _cleanup_(freep)
#define _cleanup_close_	    _cleanup_(closep)
#define _cleanup_fclose_    _cleanup_(fclosep)
#define _cleanup_closedir_  _cleanup_(closedirp)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Hands ownership of a pointer (or fd) to the caller and resets the variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _ptr_ = (p);                                                         \
		(p) = NULL;                                                                        \
		_ptr_;                                                                             \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -EBADF;                                                                     \
		_fd_;                                                                              \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static inline bool isempty(const char *s)
{
	return !s || !*s;
}

/* Closes @fd if it is valid; returns -EBADF so it can be assigned back. */
int safe_close(int fd);

/*
 * NULL-terminated string vectors ("strv"). Every function accepts NULL as the
 * empty vector. strv_free() frees the strings and the array and returns NULL.
 */
char **strv_free(char **l);
static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
size_t strv_length(char *const *l);
/* Appends @s (taking ownership, even on failure); returns 0 or -ENOMEM. */
int strv_consume(char ***l, char *s);
/* Appends a copy of @s; returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *s);
/* Deep copy; NULL on OOM (a NULL input gives an empty vector). */
char **strv_copy(char *const *l);

/*
 * Parses a decimal unsigned 64-bit integer: digits only (no sign, no spaces,
 * no base prefixes). Returns 0, -EINVAL for garbage or -ERANGE on overflow.
 */
int safe_atou64(const char *s, uint64_t *ret);

/* Trims leading and trailing whitespace in place; returns @s. */
char *strstrip(char *s);

/*
 * Writes @value (no newline added) to @file relative to @dirfd with one
 * write(2), as cgroupfs wants. Returns 0 or -errno (a short write is -EIO).
 */
int write_file_at(int dirfd, const char *file, const char *value);

/*
 * Reads a whole small file relative to @dirfd (at most @max bytes, else
 * -EFBIG) into a NUL-terminated string the caller frees. Returns 0 or -errno.
 */
int read_file_at(int dirfd, const char *file, size_t max, char **ret);

/*
 * Resolves the command @cmd through @path like execvp() (an empty entry is
 * the current directory), but tells "not found" from "found but not
 * executable": on success @buf holds the file to exec. A '/' in @cmd means
 * @cmd itself, unchecked (execve() decides). A relative candidate is taken
 * below @cwd when @cwd is set (the probe resolves for a container that will
 * chdir there; init has already done so and passes NULL). Returns 0, -ENOENT
 * or -EACCES.
 */
int command_resolve(const char *cmd, const char *path, const char *cwd, char *buf, size_t size);

/* Like asprintf() but returns NULL on failure. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);

/* Retries @expr while it fails with EINTR. */
#define RETRY_EINTR(expr)                                                                          \
	({                                                                                         \
		__typeof__(expr) _r_;                                                              \
		do                                                                                 \
			_r_ = (expr);                                                              \
		while (_r_ < 0 && errno == EINTR);                                                 \
		_r_;                                                                               \
	})

/* Sends @fd over the unix socket @sock (SCM_RIGHTS, one byte of payload). 0 or -errno. */
int fd_send(int sock, int fd);
/*
 * Receives one fd sent by fd_send() (close-on-exec). The fd, -EPIPE at end of
 * file, -EBADMSG for a message without exactly one fd, or -errno.
 */
int fd_receive(int sock);
