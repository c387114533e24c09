/* SPDX-License-Identifier: MIT */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup-locate.h"

/*
 * The container's cgroups: create them and run the subsystem chain (cpuset,
 * memory, cpu, pids), attach a pid, tear everything down, or print the plan. Only
 * the controllers the spec needs are touched; with no limit set there is no
 * cgroup work at all. Nothing here logs errors: a failure fills a struct
 * cgroup_error and the caller (runtime.c) words the message.
 */

struct container_spec;
struct cgroup;

/* Which file or directory failed and with which value, for the caller's message. */
struct cgroup_error {
	const char *action; /* "write", "create", "remove", "read", "open", "find" */
	char path[PATH_MAX];
	char value[128]; /* the value written, or "" */
	/* When set: the whole message, printed as it is, without the errno text. */
	char message[PATH_MAX + 256];
};

/*
 * Creates the container's cgroup in every hierarchy the spec needs, named
 * "<spec name>-<launcher_pid>", and runs the subsystem chain. On success
 * *ret owns it (NULL when no cgroup is needed). On failure everything created
 * is removed again, @err says where, and -errno is returned.
 */
int cgroup_setup(const struct container_spec *spec, pid_t launcher_pid, struct cgroup **ret,
		 struct cgroup_error *err);

/* Moves @pid into every leaf (cgroup.procs, retrying EINVAL briefly). 0 or -errno. */
int cgroup_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err);

/*
 * The directory fd a child can be born in with clone3(CLONE_INTO_CGROUP):
 * the v2 leaf when v2 is the only hierarchy used, else -EBADF (then the
 * child joins through cgroup_attach()). @cg keeps owning the fd.
 */
int cgroup_spawn_fd(const struct cgroup *cg);

/*
 * Prints the host's cgroup mode and, for every controller of the chain, the
 * hierarchy it lives on (`check -v`). Changes nothing. 0 or -errno.
 */
int cgroup_describe_host(FILE *f, struct cgroup_error *err);

/*
 * SIGKILLs any process still in the leaves (bounded), removes the leaves
 * (retrying EBUSY briefly) and tries the shared intermediate directories.
 * Accepts NULL. Returns 0, or the first -errno with @err filled; it still
 * tries everything after a failure.
 */
int cgroup_teardown(struct cgroup *cg, struct cgroup_error *err);

/* What the run's cgroups recorded, read before the teardown. */
struct cgroup_stats {
	bool has_memory;      /* the run has a memory cgroup */
	bool has_cpuacct;     /* the run has a cgroup that accounts CPU time */
	uint64_t oom_kills;   /* processes the OOM killer killed in the container */
	uint64_t memory_peak; /* the most memory used, in bytes; UINT64_MAX when unknown */
	uint64_t cpu_usage;   /* CPU time used, in ns; UINT64_MAX when unknown */
};

/*
 * Reads the run's counters into *ret: v1 memory.oom_control "oom_kill",
 * memory.max_usage_in_bytes and cpuacct.usage (when cpuacct shares a
 * hierarchy with a controller the run uses); v2 memory.events "oom_kill",
 * memory.peak (where the kernel has it) and cpu.stat "usage_usec" (any v2
 * leaf). Without @usage only oom_kills is read, and the memory peak when
 * it is not 0 (what an OOM report needs; the rest stays unknown). Returns
 * 0, -ENOENT when the run has no cgroup at all, or -errno; a counter the
 * run or kernel lacks reads as unknown (0 for oom_kills).
 */
int cgroup_stats(struct cgroup *cg, bool usage, struct cgroup_stats *ret);

/* Closes and frees (no rmdir: call cgroup_teardown() first). Accepts NULL, returns NULL. */
struct cgroup *cgroup_free(struct cgroup *cg);
static inline void cgroup_freep(struct cgroup **cg)
{
	cgroup_free(*cg);
}

/*
 * Prints the cgroup part of `show`: the mode, each hierarchy's leaf path
 * (with "<pid>" for the launcher's pid) and the chain's writes in order.
 * Reads the host's layout, changes nothing. 0 or -errno with @err filled.
 */
int cgroup_show_plan(const struct container_spec *spec, FILE *f, struct cgroup_error *err);

/*
 * Words @err as "cannot write '0-7' to /sys/fs/cgroup/cpuset/.../cpuset.cpus"
 * into @buf (the caller appends the errno text unless err->message is set:
 * then that is the whole message). Returns @buf.
 */
char *cgroup_error_format(const struct cgroup_error *err, char *buf, size_t size);

/* The cgroup hierarchies a container's own /sys/fs/cgroup shows (cgroup-mounts.c). */
struct cgroup_spec_mount {
	char *path;    /* the host's mount point, e.g. /sys/fs/cgroup/memory */
	bool v2;       /* cgroup2 (the hybrid host's unified hierarchy) */
	char *options; /* v1: the options a new mount needs ("cpu,cpuacct"); NULL for v2 */
};

struct cgroup_mounts {
	enum cgroup_mode mode;
	struct cgroup_spec_mount *v; /* legacy and hybrid: one per hierarchy the chain uses */
	size_t n;
	char **links; /* pairs: a symlink's name in CGROUP_ROOT, then its target */
};

/*
 * For @spec, the hierarchies its cgroups live in, as cgroup_setup() picks
 * them (none when the spec needs no cgroup, and none on a unified host,
 * where one cgroup2 mount shows them all), and the host's symlinks naming
 * them. Changes nothing. 0 or -errno; on success the caller owns *ret and
 * frees it with cgroup_mounts_done().
 */
int cgroup_spec_mounts(const struct container_spec *spec, struct cgroup_mounts *ret);
void cgroup_mounts_done(struct cgroup_mounts *m);

/*
 * In a /proc/self/mountinfo text, the v1 mount carrying @controller: its
 * mount point and the options a new mount of the same hierarchy needs (the
 * super options less rw/ro and release_agent=). 0, -ENOENT or -ENOMEM.
 */
int cgroup_parse_mount_options(FILE *f, const char *controller, char **ret_mountpoint,
			       char **ret_options);
