/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The sd_notify(3) protocol without libsystemd: one datagram to the
 * AF_UNIX socket named by $NOTIFY_SOCKET, a path or an abstract address
 * written with a leading '@'.
 */

/*
 * Sends @message (for example "READY=1\nMAINPID=42") to @socket_path. Returns
 * 0, -EINVAL for an address that is neither absolute nor abstract or too
 * long, or the -errno of socket()/sendto().
 */
int notify_send(const char *socket_path, const char *message);
