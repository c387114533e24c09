/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"

/*
 * Inside the cgroup code: the hierarchy ops (one table per cgroup version:
 * cgroup-v1.c, later cgroup-v2.c) and the subsystem ops (one file each:
 * cgroup-cpuset.c, cgroup-memory.c, cgroup-cpu.c). cgroup.c walks its static
 * array of subsystems and calls through the hierarchy table, so neither side
 * tests the version at its call sites; a subsystem's apply() picks v1 or v2
 * file names and values at the leaf.
 */

enum cgroup_version {
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

enum cgroup_controller {
	CGROUP_CTL_CPUSET,
	CGROUP_CTL_MEMORY,
	CGROUP_CTL_CPU,
	_CGROUP_CTL_MAX,
	_CGROUP_CTL_INVALID = -22,
};

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
	char *parent;		/* levels between base and leaf: "mdlaunch" or CgroupParent */
	bool parent_absolute;	/* CgroupParent starts at the hierarchy root */
	bool parent_is_default; /* "mdlaunch": shared by every run, always try to remove */
	FILE *plan;		/* `show`: print writes instead of making them */
	struct cgroup_dir dirs[_CGROUP_CTL_MAX];
};

extern const struct cgroup_hierarchy_ops cgroup_v1_ops;
extern const struct cgroup_subsys_ops cgroup_subsys_cpuset;
extern const struct cgroup_subsys_ops cgroup_subsys_memory;
extern const struct cgroup_subsys_ops cgroup_subsys_cpu;

/* The controller's name ("cpuset", "memory", "cpu"). */
const char *cgroup_controller_to_string(enum cgroup_controller ctl);

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
 * Writes @value to @file of @ss's leaf through the hierarchy's open_file,
 * with one write(2). In plan mode prints "    <path> = <value> [(@note)]"
 * instead. Returns 0 or -errno with @err naming the full path and the value.
 */
int cgroup_write(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		 const char *value, const char *note, struct cgroup_error *err);

/* The same relative to an explicit directory (@dirfd, whose path is @dir_path). */
int cgroup_write_at(struct cgroup *cg, int dirfd, const char *dir_path, const char *file,
		    const char *value, const char *note, struct cgroup_error *err);

/*
 * Reads @file below @dirfd, stripped of surrounding whitespace, into a new
 * string. Returns 0 or -errno with @err filled.
 */
int cgroup_read_at(int dirfd, const char *dir_path, const char *file, char **ret,
		   struct cgroup_error *err);

/*
 * Parsers on string input (so they are testable without a host):
 *
 * cgroup_parse_mountinfo() finds the cgroup (v1) mount carrying
 * @controller in a /proc/self/mountinfo text: *ret_mountpoint and
 * *ret_root (the mount's root inside the hierarchy) are new strings.
 * Returns 0 or -ENOENT.
 *
 * cgroup_parse_proc_cgroup() finds the path of @controller in a
 * /proc/self/cgroup text ("" = the v2 line "0::"); 0 or -ENOENT.
 *
 * cgroup_resolve_base() turns a mount point, its root and the launcher's own
 * cgroup path into the full path of the launcher's cgroup directory; it is
 * -EXDEV when the own cgroup is outside the mount's root.
 */
int cgroup_parse_mountinfo(FILE *f, const char *controller, char **ret_mountpoint, char **ret_root);
int cgroup_parse_proc_cgroup(FILE *f, const char *controller, char **ret_path);
int cgroup_resolve_base(const char *mountpoint, const char *root, const char *own, char **ret_path);
