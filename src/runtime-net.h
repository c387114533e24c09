/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * The executor of a network plan (net-cni.h), launcher side: pins the
 * container's network namespace under NET_NETNS_DIR, runs the CNI chain (ADD
 * in list order with prevResult chaining, DEL in reverse), caches what DEL
 * needs under NET_CACHE_DIR, and sweeps the entries of launchers that were
 * killed before their DEL. Spec 1.0: CNI_CONTAINERID is the run's cgroup
 * leaf name, CNI_IFNAME eth0.
 */

struct container_spec;
struct net_plan;
struct net_run;

#define NET_RUN_DIR   "/run/mdlaunch"
#define NET_NETNS_DIR NET_RUN_DIR "/netns"
#define NET_CACHE_DIR NET_RUN_DIR "/net"
#define NET_IFNAME    "eth0"

/*
 * Attaches the network namespace of @pid to @plan's network: pins it at
 * NET_NETNS_DIR/@container_id, writes the cache entry (held locked while the
 * launcher lives), runs ADD through every plugin, with @spec's PublishPort=
 * as the portMappings runtimeConfig. On failure everything
 * done is undone (DEL in reverse, unpin, cache removed) and -errno is
 * returned with one line in @msg naming the network and the plugin. On
 * success *ret owns the attachment.
 */
int net_attach(const struct net_plan *plan, const struct container_spec *spec,
	       const char *container_id, pid_t pid, struct net_run **ret, char *msg, size_t size);

/*
 * Runs DEL through the plugins in reverse order (with the ADD result as
 * prevResult), unpins the namespace and removes the cache entry; frees @n.
 * A failed DEL keeps the entry (and the pin) for the stale sweep to retry.
 * Returns 0 or -errno with @msg filled. Accepts NULL.
 */
int net_detach(struct net_run *n, char *msg, size_t size);

/* The container's first address on the network ("10.89.0.2"), or NULL. */
const char *net_run_address(const struct net_run *n);

/*
 * The stale sweep: for every cache entry whose launcher is gone (its lock is
 * free), runs DEL as the entry says, unpins and removes it. Best effort;
 * each cleaned entry and each failure is logged. Returns the number cleaned.
 */
int net_sweep_stale(void);

/* The host's resolver configuration, and systemd-resolved's list behind its 127.0.0.53 stub. */
#define NET_HOST_RESOLV_CONF	 "/etc/resolv.conf"
#define NET_UPSTREAM_RESOLV_CONF "/run/systemd/resolve/resolv.conf"
/* The name servers of last resort in a network namespace (podman's). */
#define NET_FALLBACK_DNS1 "8.8.8.8"
#define NET_FALLBACK_DNS2 "8.8.4.4"

/* The generated /etc files of a container (owned strings). */
struct net_etc_files {
	char *resolv_conf;
	char *hosts;
	char *hostname;
};

/*
 * Generates the container's resolv.conf, hosts and hostname. resolv.conf:
 * name servers from DNS=, else the CNI result's (@n, with its search
 * domains), else the host's /etc/resolv.conf; in a network namespace of
 * its own without loopback servers (unreachable there), falling back to
 * systemd-resolved's upstream list, then to NET_FALLBACK_DNS1/2. hosts:
 * localhost, the AddHost= entries, the container's hostname and name at its
 * address (127.0.1.1 when @n is NULL or has none). hostname: the hostname
 * and a newline. On success *ret owns the strings (net_etc_files_done()).
 * Returns 0 or -ENOMEM.
 */
int net_etc_files(const struct container_spec *spec, const struct net_run *n,
		  struct net_etc_files *ret);

/* Frees the strings of @files and empties it. */
void net_etc_files_done(struct net_etc_files *files);

/*
 * The resolv.conf of net_etc_files() without a CNI result, with the host's
 * file at @host_resolv and systemd-resolved's at @upstream_resolv (NULL:
 * none), for tests. *ret is a new string. Returns 0 or -ENOMEM.
 */
int net_etc_resolv_conf_from(const struct container_spec *spec, const char *host_resolv,
			     const char *upstream_resolv, char **ret);

/*
 * Writes the three files of net_etc_files() into the directory @dirfd as
 * resolv.conf, hosts and hostname (mode 0644). Returns 0 or -errno.
 */
int net_write_etc_files(const struct container_spec *spec, const struct net_run *n, int dirfd);
