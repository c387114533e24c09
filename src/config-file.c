/* SPDX-License-Identifier: MIT */
/*
 * config-file.c: how the front end reads a configuration file, the same for
 * mdlaunch.conf, a .container file and its drop-ins: a regular file (a FIFO
 * or a device is refused without waiting on it), bounded in size, read whole,
 * and, when mdlaunch runs as root, trusted (sshd's StrictModes: no file or
 * directory another user can write). The drop-in directory FILE.d/ is listed
 * here too. Errors are logged with the path; the parsers above never open a
 * file themselves (iniparser excepted, which re-reads the one read here).
 */
#include "config-file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/*
 * Reads the whole of @path (a regular file, at most @max bytes)
 * into *ret (NUL-terminated; the file itself may contain NULs), its size into
 * *ret_size and its fstat() into *ret_st. Returns 0 or -errno, not logged.
 */
static int read_regular_file(const char *path, size_t max, char **ret, size_t *ret_size,
			     struct stat *ret_st)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap;
	struct stat st;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	/* Sized from fstat(), but a file may grow meanwhile: read until EOF, bounded. */
	cap = ((size_t)st.st_size < max ? (size_t)st.st_size : max) + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap > max)
				return -EFBIG;
			cap = cap * 2 < max + 1 ? cap * 2 : max + 1;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = RETRY_EINTR(read(fd, buf + len, cap - len));
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		/* A short read of a regular file is its end: no read(2) just to see 0. */
		if (len < cap)
			break;
	}
	if (len > max)
		return -EFBIG;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_size = len;
	*ret_st = st;
	return 0;
}

/* How the refusal says to lift the check: mdlaunch.conf itself cannot excuse itself. */
static const char *trust_hint(bool global)
{
	return global ? "" : " or set strict_permissions = false in mdlaunch.conf";
}

/*
 * The directories above @path, up to '/' (of its real path), as sshd's
 * StrictModes checks them: one that another user can write, or owned by
 * another user, lets that user replace what root reads, unless it is sticky
 * (/tmp: nobody else can rename or remove what root owns there). Returns 0,
 * or -EPERM (logged).
 */
static int check_trust_parents(const char *path, uid_t euid, bool global)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	char *slash;

	if (!real)
		return 0; /* it was just opened: a race; the file's own check stands */
	while ((slash = strrchr(real, '/'))) {
		const char *dir = slash == real ? "/" : real;
		struct stat st;

		slash[slash == real ? 1 : 0] = '\0';
		if (stat(dir, &st) < 0) {
			(void)log_syntax(path, 0, LOG_LEVEL_ERROR,
					 "cannot check directory '%s': %s", dir, strerror(errno));
			return -EPERM;
		}
		if ((st.st_mode & (S_IWOTH | S_IWGRP)) && !(st.st_mode & S_ISVTX)) {
			(void)log_syntax(
			    path, 0, LOG_LEVEL_ERROR,
			    "refusing a file in '%s', a directory writable by %s (mode "
			    "%04o) and not sticky; chmod %s it%s",
			    dir, st.st_mode & S_IWOTH ? "others" : "its group",
			    (unsigned)st.st_mode & 07777, st.st_mode & S_IWOTH ? "o-w" : "g-w",
			    trust_hint(global));
			return -EPERM;
		}
		if (st.st_uid != 0 && st.st_uid != euid) {
			(void)log_syntax(
			    path, 0, LOG_LEVEL_ERROR,
			    "refusing a file in '%s', a directory owned by uid %u, not "
			    "root; chown root it%s",
			    dir, (unsigned)st.st_uid, trust_hint(global));
			return -EPERM;
		}
		if (streq(dir, "/"))
			break;
	}
	return 0;
}

/*
 * The trust check, as sshd's StrictModes: when mdlaunch runs as root, a file
 * or directory that another user can write would let that user choose what
 * root runs, and so would one of the directories above it. @st is the
 * fstat() of @path; @strict false (mdlaunch.conf's strict_permissions =
 * false) turns the check off; @global (mdlaunch.conf itself) drops the hint
 * to turn it off. Returns 0, or -EPERM (logged).
 */
static int check_trust(bool strict, bool global, const char *path, const struct stat *st)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";
	unsigned mode = (unsigned)st->st_mode & 07777;
	char why[128];

	static uid_t euid = (uid_t)-1; /* one geteuid() per process, not two per file */

	if (euid == (uid_t)-1)
		euid = geteuid();
	if (!strict || euid != 0)
		return 0;
	if (st->st_mode & S_IWOTH)
		snprintf(why, sizeof(why), "writable by others (mode %04o); chmod o-w it", mode);
	else if (st->st_mode & S_IWGRP)
		snprintf(why, sizeof(why), "writable by its group (mode %04o); chmod g-w it", mode);
	else if (st->st_uid != 0 && st->st_uid != euid)
		snprintf(why, sizeof(why), "owned by uid %u, not root; chown root it",
			 (unsigned)st->st_uid);
	else
		return check_trust_parents(path, euid, global);
	(void)log_syntax(path, 0, LOG_LEVEL_ERROR, "refusing a %s %s%s", what, why,
			 trust_hint(global));
	return -EPERM;
}

int config_file_read_quiet(const char *path, size_t max, bool strict, char **ret)
{
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t size = 0;
	int r;

	r = read_regular_file(path, max, &text, &size, &st);
	if (r == -EBADFD)
		return -EINVAL;
	if (r < 0)
		return r;
	if (memchr(text, '\0', size))
		return -EBADMSG;
	r = check_trust(strict, false, path, &st);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(text);
	return 0;
}

int config_file_read(const char *path, size_t max, bool strict, bool optional, char **ret,
		     size_t *ret_size)
{
	return config_file_read_full(path, max, strict, false, optional, ret, ret_size);
}

int config_file_read_full(const char *path, size_t max, bool strict, bool global, bool optional,
			  char **ret, size_t *ret_size)
{
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t size = 0;
	int r;

	r = read_regular_file(path, max, &text, &size, &st);
	if (r == -ENOENT && optional)
		return r;
	if (r == -EBADFD)
		return log_error_errno(-EINVAL, "cannot load '%s': not a regular file", path);
	if (r == -EFBIG)
		return log_error_errno(r, "cannot load '%s': larger than %zu bytes", path, max);
	if (r < 0)
		return log_error_errno(r, "cannot open '%s': %m", path);
	r = check_trust(strict, global, path, &st);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(text);
	*ret_size = size;
	return 0;
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The drop-ins of @path: the regular files "*.conf" (not hidden) in
 * "@path.d", sorted by name (systemd's order), as paths in *ret (NULL when
 * there is no such directory). Returns 0 or -errno (logged).
 */
int config_file_dropins(const char *path, bool strict, char ***ret)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int r = 0;

	dir = strdup_printf("%s.d", path);
	if (!dir)
		return log_error_errno(-ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (fd < 0)
		return log_error_errno(-errno, "cannot open drop-in directory '%s': %m", dir);
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "cannot stat '%s': %m", dir);
	r = check_trust(strict, false, dir, &st);
	if (r < 0)
		return r;
	dp = fdopendir(fd);
	if (!dp)
		return log_error_errno(-errno, "cannot read '%s': %m", dir);
	fd = -EBADF; /* owned by dp now */
	while ((errno = 0, de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.' || n <= 5 || !streq(de->d_name + n - 5, ".conf"))
			continue;
		/* d_type answers for most filesystems; a symlink or DT_UNKNOWN needs the stat. */
		if (de->d_type != DT_REG &&
		    ((de->d_type != DT_LNK && de->d_type != DT_UNKNOWN) ||
		     fstatat(dirfd(dp), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode)))
			continue;
		p = strdup_printf("%s/%s", dir, de->d_name);
		if (!p || strv_consume(&l, p) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(dp);
	if (r < 0)
		return log_error_errno(r, "cannot read '%s': %m", dir);
	if (l)
		qsort(l, strv_length(l), sizeof(*l), cmp_strings);
	*ret = TAKE_PTR(l);
	return 0;
}
