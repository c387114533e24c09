/* SPDX-License-Identifier: MIT */
/*
 * runtime-notify.c: service readiness for systemd's Type=notify. runtime.c
 * sends READY=1 once the command has been executed and STOPPING=1 on a stop
 * request; this file only knows how to deliver one message.
 */
#include "runtime-notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "util.h"

int notify_send(const char *socket_path, const char *message)
{
	_cleanup_close_ int fd = -EBADF;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = socket_path ? strlen(socket_path) : 0;
	socklen_t len;

	if (n < 2 || n > sizeof(sa.sun_path) || (socket_path[0] != '/' && socket_path[0] != '@'))
		return -EINVAL;
	if (socket_path[0] == '/' && n == sizeof(sa.sun_path))
		return -EINVAL; /* no room for the terminating NUL */
	memcpy(sa.sun_path, socket_path, n);
	/* An abstract address starts with a NUL byte and is exactly n bytes long. */
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			  (socket_path[0] == '/' ? 1 : 0));

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (RETRY_EINTR(sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&sa,
			       len)) < 0)
		return -errno;
	return 0;
}
