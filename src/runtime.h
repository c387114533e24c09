/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/*
 * The runtime: consumes a validated struct container_spec and never sees a
 * config library. runtime.c drives the flow (cgroups -> clone -> attach ->
 * command frame -> wait -> teardown); runtime-init.c is the container side.
 */

struct container_spec;

/* Exit statuses of the launcher besides the container's own (documented in mdlaunch(1)). */
#define EXIT_LAUNCHER_ERROR 125 /* mdlaunch itself or the configuration failed */
#define EXIT_CANNOT_EXECUTE 126 /* the command exists but cannot be executed */
#define EXIT_NOT_FOUND	    127 /* the command was not found */

/*
 * Runs the container described by @spec in the foreground until it exits,
 * forwarding signals, then removes its cgroups. Returns the launcher's exit
 * status: the container's exit code, 128+N if it died of signal N, or one of
 * the EXIT_* values above. Nothing (cgroup, process) is left behind on any path.
 */
int runtime_run(const struct container_spec *spec);

/*
 * `mdlaunch init`, the container side, run by the launcher as /proc/self/exe
 * with the command pipe on fd 3 and the status pipe on fd 4. Execs the
 * command and so only returns on failure, with the exit status to use.
 * Refuses at once when fd 3 is not a launcher's pipe (run by hand).
 */
int runtime_init_main(void);

/*
 * Prints the runtime plan of `mdlaunch show`: the clone flags, the cgroup
 * path, and the subsystem chain in order with each file and value it would
 * write. Reads the host's cgroup layout but changes nothing. Returns 0 or -errno.
 */
int runtime_show_plan(const struct container_spec *spec, FILE *f);

/*
 * The network part of the plan as one JSON object text (`show --json`):
 * {"network": "none"|"host"} or the CNI plan (net-cni.h). NULL on error
 * (logged). The caller frees it.
 */
char *runtime_network_json(const struct container_spec *spec);

/*
 * Prints the host's cgroup mode and where each controller lives (`check -v`).
 * Returns 0 or -errno (logged).
 */
int runtime_describe_host(FILE *f);
