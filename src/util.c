/* SPDX-License-Identifier: MIT */
/*
 * util.c: string vectors, number parsing and dirfd-relative file I/O used by
 * both the config front end and the runtime. Nothing here logs.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		(void)close(fd);
		errno = saved;
	}
	return -EBADF;
}

char **strv_free(char **l)
{
	if (!l)
		return NULL;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
	return NULL;
}

size_t strv_length(char *const *l)
{
	size_t n = 0;

	if (l)
		while (l[n])
			n++;
	return n;
}

int strv_consume(char ***l, char *s)
{
	size_t n = strv_length(*l);
	char **nl;

	if (!s)
		return -ENOMEM;
	nl = reallocarray(*l, n + 2, sizeof(char *));
	if (!nl) {
		free(s);
		return -ENOMEM;
	}
	nl[n] = s;
	nl[n + 1] = NULL;
	*l = nl;
	return 0;
}

int strv_extend(char ***l, const char *s)
{
	return strv_consume(l, strdup(s));
}

char **strv_copy(char *const *l)
{
	size_t n = strv_length(l);
	char **c = calloc(n + 1, sizeof(char *));

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(l[i]);
		if (!c[i])
			return strv_free(c);
	}
	return c;
}

int safe_atou64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (isempty(s))
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

char *strstrip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

int write_file_at(int dirfd, const char *file, const char *value)
{
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(value);
	ssize_t n;

	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = RETRY_EINTR(write(fd, value, len));
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int read_file_at(int dirfd, const char *file, size_t max, char **ret)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (size - len < 2) {
			char *nb;

			size = size ? size * 2 : 4096;
			nb = realloc(buf, size);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = RETRY_EINTR(read(fd, buf + len, size - len - 1));
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf) {
		buf = strdup("");
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

int command_resolve(const char *cmd, const char *path, const char *cwd, char *buf, size_t size)
{
	const char *pre = cwd && *cwd ? cwd : "", *sep = cwd && *cwd ? "/" : "";
	bool found = false;
	int n;

	if (strchr(cmd, '/')) {
		n = snprintf(buf, size, "%s%s", cmd[0] == '/' ? "" : pre, cmd[0] == '/' ? "" : sep);
		if (n < 0 || (size_t)n >= size || (size_t)n + strlen(cmd) >= size)
			return -ENOENT;
		strcat(buf, cmd);
		return 0;
	}
	if (!*cmd)
		return -ENOENT;
	for (const char *p = path; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
		size_t dlen = strcspn(p, ":");
		bool rel = dlen == 0 || p[0] != '/';
		struct stat st;

		n = snprintf(buf, size, "%s%s%.*s%s%s", rel ? pre : "", rel ? sep : "", (int)dlen,
			     dlen ? p : ".", "/", cmd);
		if (n < 0 || (size_t)n >= size)
			continue;
		if (stat(buf, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		found = true;
	}
	return found ? -EACCES : -ENOENT;
}

int fd_send(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = {};
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (RETRY_EINTR(sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0)
		return -errno;
	return 0;
}

int fd_receive(int sock)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = {};
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	n = RETRY_EINTR(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (msg.msg_flags & MSG_CTRUNC) {
		safe_close(fd); /* more than one was sent */
		return -EBADMSG;
	}
	return fd;
}
