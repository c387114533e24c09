/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"

/*
 * Inside the cgroup code: the hierarchy ops (one table per cgroup version:
 * cgroup-v1.c, cgroup-v2.c) and the subsystem ops (one file each:
 * cgroup-cpuset.c, cgroup-memory.c, cgroup-cpu.c, cgroup-pids.c). cgroup.c
 * walks its static array of subsystems and calls through the hierarchy
 * table, so neither side tests the version at its call sites; a subsystem's
 * apply() picks v1 or v2 file names and values at the leaf. Each controller
 * lives on the hierarchy that really has it; on a hybrid host that can mean
 * two struct cgroup parts (a v1 one and a v2 one) chained through ->next.
 *
 * The files form layers, and each calls only the layers below it (make
 * check-layering checks it on the objects):
 *   cgroup-locate.c   where things are on this host (bottom)
 *   cgroup-levels.c   directories, writes and errors of one part
 *   cgroup-v1.c, cgroup-v2.c, cgroup-cpuset.c, cgroup-memory.c, cgroup-cpu.c,
 *   cgroup-pids.c     the hierarchy tables and the subsystems
 *   cgroup.c          the lifecycle and the chain (top of the runtime side)
 *   cgroup-probe.c    the read-only query of `check --host`
 */

/* Directory levels below the base: the intermediate ones, then the leaf. */
#define CGROUP_LEVELS_MAX 16

/* One directory between the base and the leaf (the leaf is the last level). */
struct cgroup_level {
	char *path;   /* full path */
	int fd;	      /* O_DIRECTORY, -EBADF when not (yet) existing */
	bool created; /* made by this run */
	bool remove;  /* teardown tries rmdir (the leaf, ours, or the shared "mdlaunch") */
};

/* The container's directory in one controller's hierarchy. */
struct cgroup_dir {
	bool used;	  /* the spec needs this controller */
	bool no_cpuacct;  /* v1: the hierarchy is known not to carry cpuacct (no cpuacct.usage) */
	int alias;	  /* index of an earlier controller on the same hierarchy, or -1 */
	char *mountpoint; /* where the hierarchy is mounted */
	char *base_path;  /* the launcher's own cgroup, or the hierarchy root */
	int base_fd;
	size_t n_levels;
	struct cgroup_level levels[CGROUP_LEVELS_MAX];
};

struct cgroup;
struct cgroup_subsys_ops;

struct cgroup_hierarchy_ops {
	enum cgroup_version version;
	/* Locates the hierarchies of the used controllers and makes the directories. */
	int (*create)(struct cgroup *cg, const char *name, struct cgroup_error *err);
	/* Moves @pid into every leaf. */
	int (*attach)(struct cgroup *cg, pid_t pid, struct cgroup_error *err);
	/* Opens @file of @ss's leaf with @flags (O_CLOEXEC added); fd or -errno. */
	int (*open_file)(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
			 int flags);
	/* Kills what is left in the leaves and removes the directories. */
	int (*destroy)(struct cgroup *cg, struct cgroup_error *err);
};

struct cgroup_subsys_ops {
	const char *name; /* the controller's name, "cpuset" */
	enum cgroup_controller controller;
	bool (*enabled)(const struct container_spec *spec);
	/* Writes the spec's limits into the leaf through cgroup_write(). */
	int (*apply)(struct cgroup *cg, const struct container_spec *spec,
		     enum cgroup_version version, struct cgroup_error *err);
};

struct cgroup {
	const struct cgroup_hierarchy_ops *ops;
	struct cgroup *next;	/* the part on the other cgroup version (hybrid), or NULL */
	char *parent;		/* levels between base and leaf: "mdlaunch" or CgroupParent */
	bool parent_absolute;	/* CgroupParent starts at the hierarchy root */
	bool parent_is_default; /* "mdlaunch": shared by every run, always try to remove */
	FILE *plan;		/* `show`: print writes instead of making them */
	struct cgroup_dir dirs[_CGROUP_CTL_MAX];
	/* cgroup v2 only (cgroup-v2.c): what create changed above the leaf, for destroy. */
	unsigned enabled[CGROUP_LEVELS_MAX + 1]; /* 1 << ctl "+ctl" written by us: [0] base,
						    [k + 1] levels[k] */
	bool moved_self;			 /* we moved ourselves into <base>/supervisor */
	bool supervisor_created;		 /* ... and made that directory */
};

extern const struct cgroup_hierarchy_ops cgroup_v1_ops;
extern const struct cgroup_hierarchy_ops cgroup_v2_ops;
extern const struct cgroup_subsys_ops cgroup_subsys_cpuset;
extern const struct cgroup_subsys_ops cgroup_subsys_memory;
extern const struct cgroup_subsys_ops cgroup_subsys_cpu;
extern const struct cgroup_subsys_ops cgroup_subsys_pids;
extern const struct cgroup_subsys_ops cgroup_subsys_devices;

/*
 * Controllers cgroup v2 has in every cgroup without cgroup.controllers or
 * cgroup.subtree_control: devices (a BPF program on the leaf).
 */
#define CGROUP_V2_IMPLICIT (1U << CGROUP_CTL_DEVICES)
/* The chain in the order a run applies it (cgroup.c); the host probe walks it too. */
#define CGROUP_N_SUBSYSTEMS 5
extern const struct cgroup_subsys_ops *const cgroup_subsystems[CGROUP_N_SUBSYSTEMS];

/*
 * True when the pids cgroup is there only to track the container's processes
 * (no PID namespace, no PidsLimit=); the hint for a host without the
 * controller says so.
 */
bool cgroup_pids_tracks(const struct container_spec *spec);
#define CGROUP_PIDS_TRACKER_HINT                                                                   \
	" (without a PID namespace the pids cgroup tracks the container's processes; mount "       \
	"the controller, or add pid to Namespaces=)"

/* An empty cgroup with every fd at -EBADF, using @ops; NULL on OOM. */
struct cgroup *cgroup_new(const struct cgroup_hierarchy_ops *ops);

/* The directory @ctl's files live in: its own, or the one of the controller it shares. */
struct cgroup_dir *cgroup_dir_of(struct cgroup *cg, enum cgroup_controller ctl);

/* The leaf of @dir (its last level), NULL before create. */
struct cgroup_level *cgroup_dir_leaf(struct cgroup_dir *dir);

/* Records "@action @path [@value]" in @err; returns @r (a -errno) for chaining. */
int cgroup_error_set(struct cgroup_error *err, int r, const char *action, const char *dir,
		     const char *file, const char *value);

/*
 * Records a complete message in @err (printf-style), which the caller prints
 * as it is, without the errno text. Returns @r.
 */
__attribute__((format(printf, 3, 4))) int cgroup_error_message(struct cgroup_error *err, int r,
							       const char *fmt, ...);

/*
 * The directory work both hierarchy tables share (cgroup-levels.c):
 *
 * cgroup_prepare_levels() splits "<parent>/<name>" into the level paths of
 * @d below its base (full paths, leaf last) and makes (or opens) them,
 * retrying when a concurrent run removes the shared parent under us; an
 * existing empty leaf (a dead launcher's, pid reused) is taken over. A run
 * below the default parent also removes the empty leaves of dead launchers
 * there ("<name>-<pid>" whose pid no longer exists). In plan mode it only
 * plans and opens what already exists.
 * cgroup_procs_empty() says whether cgroup.procs below @fd lists no process.
 * cgroup_open_leaf_file() is the open_file of both tables.
 * cgroup_attach_pid() writes @pid to the leaf's cgroup.procs, retrying EINVAL.
 * cgroup_kill_procs() SIGKILLs what cgroup.procs of @leaf lists until it is
 * empty (bounded; -EBUSY when it never empties). cgroup_remove_dir() is
 * rmdir; with @retry it retries briefly on EBUSY and the kernel's other
 * transient errors (EINTR, EAGAIN, ENOMEM, EIO), not on ENOENT, ENOTEMPTY,
 * EPERM, EACCES, EROFS.
 * cgroup_remove_leaf() removes our leaf: usually it is empty by now (init was
 * PID 1 of its namespace and is reaped), so one rmdir; otherwise @empty kills
 * what is left and the rmdir is retried. Closes leaf->fd. 0 or -errno with
 * @err filled (when not NULL).
 */
int cgroup_prepare_levels(struct cgroup *cg, struct cgroup_dir *d, const char *name,
			  struct cgroup_error *err);
int cgroup_procs_empty(int fd, bool *ret);
int cgroup_open_leaf_file(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
			  int flags);
int cgroup_attach_pid(struct cgroup_level *leaf, pid_t pid, struct cgroup_error *err);
int cgroup_kill_procs(struct cgroup_level *leaf);
int cgroup_remove_dir(const char *path, bool retry);
int cgroup_remove_leaf(struct cgroup_level *leaf, int (*empty)(struct cgroup_level *leaf),
		       struct cgroup_error *err);
void cgroup_sleep_ms(unsigned ms);

/*
 * CPUShares (v1, 2..262144, default 1024) <-> cpu.weight (v2, 1..10000,
 * default 100): see cgroup-cpu.c for the mapping and its anchors.
 */
uint64_t cgroup_cpu_shares_to_weight(uint64_t shares);
uint64_t cgroup_cpu_weight_to_shares(uint64_t weight);

/*
 * Writes @value to @file of @ss's leaf through the hierarchy's open_file,
 * with one write(2). In plan mode prints "    <path> = <value> [(@note)]"
 * instead. Returns 0 or -errno with @err naming the full path and the value.
 */
int cgroup_write(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		 const char *value, const char *note, struct cgroup_error *err);

/*
 * Writes each of the @n @values to @file of @ss's leaf, one write(2) each
 * on one open file (devices.allow takes one rule per write). Plan mode
 * prints each as cgroup_write() does. 0 or -errno with @err naming the
 * value that failed.
 */
int cgroup_write_each(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		      char *const *values, size_t n, struct cgroup_error *err);

/* The same relative to an explicit directory (@dirfd, whose path is @dir_path). */
int cgroup_write_at(struct cgroup *cg, int dirfd, const char *dir_path, const char *file,
		    const char *value, const char *note, struct cgroup_error *err);

/*
 * Reads @file below @dirfd, stripped of surrounding whitespace, into a new
 * string. Returns 0 or -errno with @err filled.
 */
int cgroup_read_at(int dirfd, const char *dir_path, const char *file, char **ret,
		   struct cgroup_error *err);
