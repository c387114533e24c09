/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The cgroup locator, the bottom layer of the cgroup code: what this host's
 * cgroup layout is (the mode, the mounts in /proc/self/mountinfo, the
 * launcher's own cgroups in /proc/self/cgroup) and where a controller lives.
 * Everything is read once per process and cached. The lifecycle (cgroup.c),
 * the hierarchy tables, the probe and the front end ask here; nothing here
 * creates, writes or logs.
 */

#define CGROUP_ROOT "/sys/fs/cgroup" /* where the hierarchies are mounted */

enum cgroup_mode {
	CGROUP_MODE_LEGACY,  /* v1 hierarchies only */
	CGROUP_MODE_HYBRID,  /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified */
	CGROUP_MODE_UNIFIED, /* pure cgroup2 */
	_CGROUP_MODE_MAX,
	_CGROUP_MODE_INVALID = -22, /* -EINVAL */
};

enum cgroup_version {
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

/* The controllers of the subsystem chain (cpuset, memory, cpu, pids). */
enum cgroup_controller {
	CGROUP_CTL_CPUSET,
	CGROUP_CTL_MEMORY,
	CGROUP_CTL_CPU,
	CGROUP_CTL_PIDS,
	_CGROUP_CTL_MAX,
	_CGROUP_CTL_INVALID = -22,
};

/* The controller's name ("cpuset", "memory", "cpu", "pids"), NULL when out of range. */
const char *cgroup_controller_to_string(enum cgroup_controller ctl);

/*
 * The host's mode from statfs("/sys/fs/cgroup") (and its "unified"
 * subdirectory), detected once and cached. 0 or -errno.
 */
int cgroup_mode_get(enum cgroup_mode *ret);
const char *cgroup_mode_to_string(enum cgroup_mode mode);

/*
 * Which cgroup version @ctl lives on, on this host, as a run would use it:
 * legacy is v1, unified is v2, hybrid is v1 when a v1 mount carries it, else
 * v2 when the cgroup2 root offers it. The front end asks this instead of
 * inspecting /sys/fs/cgroup itself. 0, -ENOENT when no hierarchy has it, or
 * -errno when the host cannot be read.
 */
int cgroup_controller_version(enum cgroup_controller ctl, enum cgroup_version *ret);

/*
 * The host's layout as read at one moment: from /proc/self and statfs for
 * this host (cgroup_host_get(), cached for the process's life), or from a
 * directory holding "mode", "mountinfo" and "cgroup" (cgroup_host_load(),
 * the probe's test knob).
 */
/* One cgroup or cgroup2 mount of mountinfo; the strings point into the host's text. */
struct cgroup_mount {
	bool v2;	  /* cgroup2 */
	char *mountpoint; /* where it is mounted */
	char *root;	  /* the mount's root inside the hierarchy */
	char *superopts;  /* "rw,cpu,cpuacct": the v1 controllers it carries */
};

struct cgroup_host {
	enum cgroup_mode mode;
	char *mountinfo;	     /* the /proc/self/mountinfo text (split by the parse) */
	struct cgroup_mount *mounts; /* its cgroup mounts, in order */
	size_t n_mounts;
	char *proc_cgroup;    /* the /proc/self/cgroup text */
	char *v2_mountpoint;  /* the first cgroup2 mount, NULL when none */
	char *v2_mount_root;  /* ... and its root inside the hierarchy */
	char *v2_controllers; /* its root's cgroup.controllers, read on first use */
	bool v2_controllers_read;
};

/* Where one controller lives. The strings belong to the caller (cgroup_location_done()). */
struct cgroup_location {
	enum cgroup_version version;
	char *mountpoint; /* the hierarchy's mount point */
	char *mount_root; /* the mount's root inside the hierarchy ("/" for the whole tree) */
};

/* This host's layout, read on the first call; the result is shared. 0 or -errno. */
int cgroup_host_get(struct cgroup_host **ret);

/* The layout given by @mode and the two texts (copied). 0 or -ENOMEM. */
int cgroup_host_parse(enum cgroup_mode mode, const char *mountinfo, const char *proc_cgroup,
		      struct cgroup_host **ret);

/* The layout described by the files of @dir (mode, mountinfo, cgroup). 0 or -errno. */
int cgroup_host_load(const char *dir, struct cgroup_host **ret);
struct cgroup_host *cgroup_host_free(struct cgroup_host *h);
static inline void cgroup_host_freep(struct cgroup_host **h)
{
	cgroup_host_free(*h);
}

/* The cgroup2 root's cgroup.controllers text, or NULL (no cgroup2, or unreadable). */
const char *cgroup_host_v2_controllers(struct cgroup_host *h);

/*
 * Where @ctl lives on @h (the choice of cgroup_controller_version()). Returns
 * 0, or -ENOENT when no hierarchy carries it (then nothing is allocated).
 */
int cgroup_host_locate(struct cgroup_host *h, enum cgroup_controller ctl,
		       struct cgroup_location *ret);

/* The mount of the v1 hierarchy carrying @ctl (version CGROUP_V1). 0 or -ENOENT. */
int cgroup_host_locate_v1(const struct cgroup_host *h, const char *ctl,
			  struct cgroup_location *ret);

/*
 * True when the v1 hierarchy mounted at @mountpoint also carries
 * @controller (e.g. "cpuacct" co-mounted with "cpu").
 */
bool cgroup_host_shares_mount(const struct cgroup_host *h, const char *mountpoint,
			      const char *controller);

/* The cgroup2 mount (version CGROUP_V2). 0 or -ENOENT. */
int cgroup_host_locate_v2(const struct cgroup_host *h, struct cgroup_location *ret);

/*
 * The full path of the directory the container's levels go below: the
 * launcher's own cgroup of @ctl in @loc's hierarchy ("" for the v2 line of
 * /proc/self/cgroup), or the hierarchy's root when @absolute. Returns 0,
 * -ENOENT when /proc/self/cgroup has no such line, -EXDEV when the own cgroup
 * is outside the mount's root, or -ENOMEM.
 */
int cgroup_host_base(const struct cgroup_host *h, const struct cgroup_location *loc,
		     const char *ctl, bool absolute, char **ret_path);

void cgroup_location_done(struct cgroup_location *loc);

/*
 * Mode detection on a given tree, so that it is testable on a fake one:
 * @fstype reports a path's statfs f_type (CGROUP2_SUPER_MAGIC,
 * CGROUP_SUPER_MAGIC, TMPFS_MAGIC, ...) or -errno. @root with cgroup2 is
 * unified; else @root/unified with cgroup2 is hybrid; else some v1 hierarchy
 * directly below @root makes it legacy. Returns 0, or -ENOMEDIUM when no
 * cgroup is mounted there, or @fstype's error for @root.
 */
typedef int (*cgroup_fstype_fn)(const char *path, uint64_t *ret);
int cgroup_mode_detect(const char *root, cgroup_fstype_fn fstype, enum cgroup_mode *ret);

/*
 * Where @ctl lives, given the mode, whether a v1 mount carries it and the
 * cgroup2 root's cgroup.controllers text (NULL when there is no cgroup2):
 * legacy is v1, unified is v2, hybrid is v1 when a v1 mount carries it, else
 * v2 when cgroup2 offers it. 0, or -ENOENT when no hierarchy has it.
 */
int cgroup_pick_version(enum cgroup_mode mode, bool in_v1, const char *v2_controllers,
			const char *ctl, enum cgroup_version *ret);

/* True when the space-separated @list (a cgroup.controllers text) names @ctl. */
bool cgroup_controller_listed(const char *list, const char *ctl);

/*
 * Parsers on string input (so they are testable without a host):
 *
 * cgroup_parse_mountinfo() finds the cgroup (v1) mount carrying
 * @controller in a /proc/self/mountinfo text (with @controller NULL: the
 * first cgroup2 mount): *ret_mountpoint and *ret_root (the mount's root
 * inside the hierarchy) are new strings. Returns 0 or -ENOENT.
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
