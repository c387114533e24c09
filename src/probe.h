/* SPDX-License-Identifier: MIT */
#pragma once

#include <limits.h>

#include "spec.h"

/*
 * `check --host`: a validated spec against this machine, before anything
 * runs. Nothing here logs or changes anything; each finding goes to a
 * callback with the key it concerns, for the caller to print with that
 * key's file:line.
 */

enum probe_severity {
	PROBE_INFO,    /* what was found (check -v) */
	PROBE_WARNING, /* a run may still work */
	PROBE_ERROR,   /* a run would fail */
};

struct probe_finding {
	enum probe_severity severity;
	enum spec_key key; /* the key it concerns */
	unsigned file;	   /* a list entry's file (1-based, spec->files); 0: the key's own */
	unsigned line;	   /* the line of a list entry (AddDevice=); 0: the key's own line */
	char message[PATH_MAX + 512];
};

typedef void (*probe_fn)(const struct probe_finding *f, void *userdata);

/* Below this Memory= is too small to exec most programs: a warning. */
#define PROBE_MEMORY_FLOOR (4ULL << 20)

/*
 * Probes the host for @spec: the cgroup mode and every needed controller
 * (cgroup_probe()), the command through the container's PATH with init's
 * rules (a '/' in argv[0] execs it directly; not found is exit 127, found but
 * not executable 126), Memory= against PROBE_MEMORY_FLOOR, each namespace
 * of Namespaces= in /proc/self/ns, each AddDevice= host node, and each
 * Volume=...:idmap by an idmapped clone of its tree (idmap_probe()).
 * @cgroup_root is cgroup_probe()'s test knob (NULL: this host). Returns 0 or
 * -errno (the probe itself failed).
 */
int probe_host(const struct container_spec *spec, const char *cgroup_root, probe_fn cb,
	       void *userdata);
