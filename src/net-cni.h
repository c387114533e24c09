/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The network plan of a container on a CNI network: which network list
 * (a NAME.conflist found in the configured directories, or the built-in
 * "mdlaunch" list), its plugins and where each binary is, and the port
 * mappings. Plain data that `show` prints before anything runs, `check --host`
 * judges, and runtime-net.c executes. Nothing here logs or changes the host:
 * failures are -errno with a one-line message in the caller's buffer.
 */

struct container_spec;
struct json_t;

/* The conflist of the built-in network (also shipped as conf/mdlaunch.conflist). */
extern const char net_builtin_conflist[];

struct net_plugin {
	char *type;	    /* the plugin's "type": the binary's name */
	char *path;	    /* where it is in cni_path, NULL when missing */
	char *ipam_type;    /* the "ipam" plugin it delegates to, or NULL */
	char *ipam_path;    /* where that is, NULL when missing */
	bool port_mappings; /* declares the portMappings capability */
	bool iptables;	    /* needs iptables (portmap, firewall, ipMasq) */
};

struct net_plan {
	char *network;	     /* the Network= name */
	char *name;	     /* the list's "name" (injected into every plugin's config) */
	char *cni_version;   /* the list's "cniVersion" */
	char *conflist;	     /* the file read, NULL for the built-in list */
	struct json_t *list; /* the parsed list (owned) */
	struct net_plugin *plugins;
	size_t n_plugins;
	char **cni_path;
	unsigned timeout; /* seconds per plugin call */
};

/*
 * Builds the plan of @spec (which must be on a CNI network): finds
 * NAME.conflist in spec->network_config_dirs (the built-in list when NAME is
 * "mdlaunch" and no file exists), parses it, looks each plugin up in
 * spec->cni_path, and checks that some plugin takes PublishPort=. Returns 0
 * with *ret set, -ENOENT (no such network), -EINVAL (a bad list, or ports and
 * no portMappings plugin) or -ENOMEM, with @msg filled (one line, no key).
 * Missing plugin binaries are not an error here: see net_plan_missing().
 */
int net_plan_build(const struct container_spec *spec, struct net_plan **ret, char *msg,
		   size_t size);

/* The first plugin (or IPAM plugin) binary the plan lacks, as "type", or NULL. */
const char *net_plan_missing(const struct net_plan *plan);

/* True when some plugin of the plan needs the iptables command. */
bool net_plan_needs_iptables(const struct net_plan *plan);

/*
 * Parses a network list @text (@what names it in messages) into *ret_list,
 * checking what the runtime relies on: cniVersion (0.3.0 to 1.0.0), name,
 * a non-empty plugins array of objects with a plain "type". Returns 0,
 * -EINVAL (message in @msg) or -ENOMEM.
 */
int net_conflist_parse(const char *text, const char *what, struct json_t **ret_list, char *msg,
		       size_t size);

/* Prints the plan's part of `show` (network, list, plugins, ports, DNS). */
void net_plan_print(const struct net_plan *plan, const struct container_spec *spec, FILE *f);

/* The plan as a JSON object text (for `show --json`); NULL on OOM. */
char *net_plan_to_json(const struct net_plan *plan, const struct container_spec *spec);

struct net_plan *net_plan_free(struct net_plan *plan);
static inline void net_plan_freep(struct net_plan **p)
{
	net_plan_free(*p);
}
