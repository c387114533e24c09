/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Helpers shared by the cmocka unit tests (include after <cmocka.h>): small
 * files in fake cgroupfs trees, and capturing what the code under test logs
 * on stderr so tests can assert on the exact "file:line: ..." lines.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

/* Writes @value to @dir/@file (created or truncated). */
static __attribute__((unused)) void put(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *p = strdup_printf("%s/%s", dir, file);
	FILE *f = fopen(p, "we");

	assert_non_null(f);
	fputs(value, f);
	fclose(f);
}

/* Returns the contents of @dir/@file (at most 4 KiB; caller frees). */
static __attribute__((unused)) char *get(const char *dir, const char *file)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *s = NULL;

	assert_true(fd >= 0);
	assert_int_equal(read_file_at(fd, file, 4096, &s), 0);
	return s;
}

static int saved_fd = -1, capture_fd = -1;

/* Redirects @fd (1 or 2) into a memfd until capture_fd_end(). */
static __attribute__((unused)) void capture_fd_begin(int fd)
{
	fflush(stdout);
	fflush(stderr);
	capture_fd = memfd_create("capture", MFD_CLOEXEC);
	assert_true(capture_fd >= 0);
	saved_fd = dup(fd);
	assert_true(saved_fd >= 0);
	assert_true(dup2(capture_fd, fd) >= 0);
}

/* Restores @fd and returns what was written to it (caller frees). */
static __attribute__((unused)) char *capture_fd_end(int fd)
{
	char *buf = NULL;
	off_t size;

	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(saved_fd, fd) >= 0);
	close(saved_fd);
	size = lseek(capture_fd, 0, SEEK_END);
	buf = calloc(1, (size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(capture_fd, buf, (size_t)size, 0), size);
	close(capture_fd);
	return buf;
}

/* The same for stderr, where the code under test logs. */
static __attribute__((unused)) void capture_begin(void)
{
	capture_fd_begin(STDERR_FILENO);
}

static __attribute__((unused)) char *capture_end(void)
{
	return capture_fd_end(STDERR_FILENO);
}
