/* SPDX-License-Identifier: MIT */
/*
 * cgroup-locate.c: the bottom layer of the cgroup code. It reads the host's
 * layout once per process (statfs of /sys/fs/cgroup for the mode,
 * /proc/self/mountinfo for the mounts, /proc/self/cgroup for the launcher's
 * own cgroups, the cgroup2 root's cgroup.controllers when asked) and answers
 * "where does controller X live" and "where is our own cgroup in that
 * hierarchy" from that snapshot. The lifecycle (cgroup.c), the hierarchy
 * tables (cgroup-v1.c, cgroup-v2.c), the probe (cgroup-probe.c) and the front
 * end's validation all ask here, so they cannot disagree. It calls nothing
 * else of the cgroup code, creates and writes nothing, and never logs.
 */
#include "cgroup-locate.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "util.h"

static const char *const controller_names[_CGROUP_CTL_MAX] = {
	[CGROUP_CTL_CPUSET] = "cpuset",
	[CGROUP_CTL_MEMORY] = "memory",
	[CGROUP_CTL_CPU] = "cpu",
	[CGROUP_CTL_PIDS] = "pids",
};

static const char *const mode_names[_CGROUP_MODE_MAX] = {
	[CGROUP_MODE_LEGACY] = "legacy (cgroup v1)",
	[CGROUP_MODE_HYBRID] = "hybrid (cgroup v1 controllers, cgroup2 at " CGROUP_ROOT "/unified)",
	[CGROUP_MODE_UNIFIED] = "unified (cgroup v2)",
};

const char *cgroup_controller_to_string(enum cgroup_controller ctl)
{
	if (ctl < 0 || ctl >= _CGROUP_CTL_MAX)
		return NULL;
	return controller_names[ctl];
}

const char *cgroup_mode_to_string(enum cgroup_mode mode)
{
	if (mode < 0 || mode >= _CGROUP_MODE_MAX)
		return NULL;
	return mode_names[mode];
}

static int statfs_fstype(const char *path, uint64_t *ret)
{
	struct statfs fs;

	if (statfs(path, &fs) < 0)
		return -errno;
	*ret = (uint64_t)fs.f_type;
	return 0;
}

/* True when some directory right below @root is a cgroup v1 hierarchy. */
static bool has_v1_hierarchy(const char *root, cgroup_fstype_fn fstype)
{
	_cleanup_closedir_ DIR *dir = opendir(root);
	struct dirent *de;

	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *p = NULL;
		uint64_t type;

		if (de->d_name[0] == '.')
			continue;
		p = strdup_printf("%s/%s", root, de->d_name);
		if (p && fstype(p, &type) == 0 && type == CGROUP_SUPER_MAGIC)
			return true;
	}
	return false;
}

int cgroup_mode_detect(const char *root, cgroup_fstype_fn fstype, enum cgroup_mode *ret)
{
	_cleanup_free_ char *unified = NULL;
	uint64_t type;
	int r;

	r = fstype(root, &type);
	if (r < 0)
		return r;
	if (type == CGROUP2_SUPER_MAGIC) {
		*ret = CGROUP_MODE_UNIFIED;
		return 0;
	}
	unified = strdup_printf("%s/unified", root);
	if (!unified)
		return -ENOMEM;
	if (fstype(unified, &type) == 0 && type == CGROUP2_SUPER_MAGIC) {
		*ret = CGROUP_MODE_HYBRID;
		return 0;
	}
	if (!has_v1_hierarchy(root, fstype))
		return -ENOMEDIUM;
	*ret = CGROUP_MODE_LEGACY;
	return 0;
}

/* The mode never changes while we run, so the tree is inspected once. */
int cgroup_mode_get(enum cgroup_mode *ret)
{
	static enum cgroup_mode cached = _CGROUP_MODE_INVALID;
	enum cgroup_mode mode;
	int r;

	if (cached == _CGROUP_MODE_INVALID) {
		r = cgroup_mode_detect(CGROUP_ROOT, statfs_fstype, &mode);
		if (r < 0)
			return r;
		cached = mode;
	}
	*ret = cached;
	return 0;
}

bool cgroup_controller_listed(const char *list, const char *ctl)
{
	size_t len = strlen(ctl);

	for (const char *p = list; p && *p;) {
		p += strspn(p, " \t\n");
		if (strncmp(p, ctl, len) == 0 && (p[len] == '\0' || strchr(" \t\n", p[len])))
			return true;
		p += strcspn(p, " \t\n");
	}
	return false;
}

int cgroup_pick_version(enum cgroup_mode mode, bool in_v1, const char *v2_controllers,
			const char *ctl, enum cgroup_version *ret)
{
	switch (mode) {
	case CGROUP_MODE_LEGACY:
		if (!in_v1)
			return -ENOENT;
		*ret = CGROUP_V1;
		return 0;
	case CGROUP_MODE_UNIFIED:
		*ret = CGROUP_V2;
		return 0;
	case CGROUP_MODE_HYBRID:
		if (in_v1)
			*ret = CGROUP_V1;
		else if (cgroup_controller_listed(v2_controllers, ctl))
			*ret = CGROUP_V2;
		else
			return -ENOENT;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Decodes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* True when the comma-separated @list contains @item. */
static bool list_contains(const char *list, const char *item)
{
	size_t len = strlen(item);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/*
 * Splits one mountinfo line (modified in place) when it is a cgroup or
 * cgroup2 mount: "id parent maj:min root mountpoint opts [optional...] -
 * fstype source superopts". Lines of other file systems are rejected after
 * a look at the fstype, without tokenizing the rest. True for a cgroup mount.
 */
static bool split_cgroup_mount(char *line, struct cgroup_mount *ret)
{
	char *field[6] = {}, *save = NULL, *tok, *sep, *fstype, *superopts;
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	/* The separator is the first " - " (the optional fields never contain one). */
	sep = strstr(line, " - ");
	if (!sep || strncmp(sep + 3, "cgroup", 6) != 0)
		return false;
	*sep = '\0';
	fstype = strtok_r(sep + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	superopts = strtok_r(NULL, " ", &save);
	if (!fstype || !superopts || (!streq(fstype, "cgroup") && !streq(fstype, "cgroup2")))
		return false;
	save = NULL;
	while (n < 6 && (tok = strtok_r(n ? NULL : line, " ", &save)))
		field[n++] = tok;
	if (n < 6)
		return false;
	unescape_octal(field[3]);
	unescape_octal(field[4]);
	*ret = (struct cgroup_mount){
		.v2 = streq(fstype, "cgroup2"),
		.root = field[3],
		.mountpoint = field[4],
		.superopts = superopts,
	};
	return true;
}

/* True when @m is the mount @controller asks for (NULL: cgroup2). */
static bool mount_matches(const struct cgroup_mount *m, const char *controller)
{
	return controller ? !m->v2 && list_contains(m->superopts, controller) : m->v2;
}

int cgroup_parse_mountinfo(FILE *f, const char *controller, char **ret_mountpoint, char **ret_root)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	while (getline(&line, &size, f) >= 0) {
		struct cgroup_mount m;
		char *mp, *root;

		if (!split_cgroup_mount(line, &m) || !mount_matches(&m, controller))
			continue;
		mp = strdup(m.mountpoint);
		root = strdup(m.root);
		if (!mp || !root) {
			free(mp);
			free(root);
			return -ENOMEM;
		}
		*ret_mountpoint = mp;
		*ret_root = root;
		return 0;
	}
	return -ENOENT;
}

int cgroup_parse_proc_cgroup(FILE *f, const char *controller, char **ret_path)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	/* Lines are "id:controller,list:/path"; the v2 line is "0::/path". */
	while (getline(&line, &size, f) >= 0) {
		char *ctls, *path, *tok, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		ctls = strchr(line, ':');
		if (!ctls)
			continue;
		path = strchr(++ctls, ':');
		if (!path)
			continue;
		*path++ = '\0';
		if (isempty(controller)) {
			if (!streq(line, "0:"))
				continue;
		} else {
			bool found = false;

			for (tok = strtok_r(ctls, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (streq(tok, controller))
					found = true;
			if (!found)
				continue;
		}
		if (*path != '/')
			return -EINVAL;
		*ret_path = strdup(path);
		return *ret_path ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int cgroup_resolve_base(const char *mountpoint, const char *root, const char *own, char **ret_path)
{
	size_t rlen = strlen(root);
	const char *rest;
	char *p;

	/* A mount of a sub-tree (root "/a/b") only shows cgroups below it. */
	if (streq(root, "/"))
		rest = own;
	else if (strncmp(own, root, rlen) == 0 && (own[rlen] == '\0' || own[rlen] == '/'))
		rest = own + rlen;
	else
		return -EXDEV;
	while (*rest == '/')
		rest++;
	p = *rest ? strdup_printf("%s/%s", mountpoint, rest) : strdup(mountpoint);
	if (!p)
		return -ENOMEM;
	*ret_path = p;
	return 0;
}

/* A read-only stream over @text (fmemopen() refuses an empty buffer). */
static FILE *text_open(const char *text)
{
	if (isempty(text))
		return fopen("/dev/null", "re");
	return fmemopen((void *)text, strlen(text), "r");
}

struct cgroup_host *cgroup_host_free(struct cgroup_host *h)
{
	if (!h)
		return NULL;
	free(h->mounts);
	free(h->mountinfo);
	free(h->proc_cgroup);
	free(h->v2_mountpoint);
	free(h->v2_mount_root);
	free(h->v2_controllers);
	free(h);
	return NULL;
}

/*
 * Indexes the cgroup mounts of @h's mountinfo text, once: the text is split
 * in place and the table points into it. 0 or -ENOMEM.
 */
static int host_finish(struct cgroup_host *h)
{
	char *line = h->mountinfo, *next;

	for (; line && *line; line = next) {
		struct cgroup_mount m, *grown;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!split_cgroup_mount(line, &m))
			continue;
		grown = reallocarray(h->mounts, h->n_mounts + 1, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		h->mounts = grown;
		h->mounts[h->n_mounts++] = m;
		if (m.v2 && !h->v2_mountpoint) {
			h->v2_mountpoint = strdup(m.mountpoint);
			h->v2_mount_root = strdup(m.root);
			if (!h->v2_mountpoint || !h->v2_mount_root)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The first cgroup mount of @h that @controller asks for (NULL: cgroup2), or NULL. */
static const struct cgroup_mount *host_find_mount(const struct cgroup_host *h,
						  const char *controller)
{
	for (size_t i = 0; i < h->n_mounts; i++)
		if (mount_matches(&h->mounts[i], controller))
			return &h->mounts[i];
	return NULL;
}

bool cgroup_host_shares_mount(const struct cgroup_host *h, const char *mountpoint,
			      const char *controller)
{
	const struct cgroup_mount *m = host_find_mount(h, controller);

	return m && streq(m->mountpoint, mountpoint);
}

/* Reads @file of @dir (AT_FDCWD with a full path when @dir is NULL). */
static int read_text(const char *dir, const char *file, size_t max, char **ret)
{
	_cleanup_free_ char *path = dir ? strdup_printf("%s/%s", dir, file) : NULL;

	if (dir && !path)
		return -ENOMEM;
	return read_file_at(AT_FDCWD, path ? path : file, max, ret);
}

int cgroup_host_parse(enum cgroup_mode mode, const char *mountinfo, const char *proc_cgroup,
		      struct cgroup_host **ret)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	h->mode = mode;
	h->mountinfo = strdup(mountinfo);
	h->proc_cgroup = strdup(proc_cgroup);
	if (!h->mountinfo || !h->proc_cgroup)
		return -ENOMEM;
	r = host_finish(h);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(h);
	return 0;
}

int cgroup_host_load(const char *dir, struct cgroup_host **ret)
{
	_cleanup_free_ char *mode = NULL, *mountinfo = NULL, *proc_cgroup = NULL;
	enum cgroup_mode m;
	const char *t;
	int r;

	r = read_text(dir, "mode", 64, &mode);
	if (r < 0)
		return r;
	t = strstrip(mode);
	if (streq(t, "legacy"))
		m = CGROUP_MODE_LEGACY;
	else if (streq(t, "hybrid"))
		m = CGROUP_MODE_HYBRID;
	else if (streq(t, "unified"))
		m = CGROUP_MODE_UNIFIED;
	else
		return -EINVAL;
	r = read_text(dir, "mountinfo", 16 << 20, &mountinfo);
	if (r < 0)
		return r;
	r = read_text(dir, "cgroup", 1 << 20, &proc_cgroup);
	if (r < 0)
		return r;
	return cgroup_host_parse(m, mountinfo, proc_cgroup, ret);
}

/*
 * The process's own snapshot: mdlaunch mounts nothing and never moves
 * itself between v1 cgroups before the container runs, and the kernel
 * formats the whole mount table on every read of mountinfo, so one read of
 * each file serves the whole run.
 */
int cgroup_host_get(struct cgroup_host **ret)
{
	static struct cgroup_host *cached;
	_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;
	int r;

	if (cached) {
		*ret = cached;
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	r = cgroup_mode_get(&h->mode);
	if (r < 0)
		return r;
	r = read_text(NULL, "/proc/self/mountinfo", 16 << 20, &h->mountinfo);
	if (r < 0)
		return r;
	r = read_text(NULL, "/proc/self/cgroup", 1 << 20, &h->proc_cgroup);
	if (r < 0)
		return r;
	r = host_finish(h);
	if (r < 0)
		return r;
	*ret = cached = TAKE_PTR(h);
	return 0;
}

const char *cgroup_host_v2_controllers(struct cgroup_host *h)
{
	if (!h->v2_controllers_read && h->v2_mountpoint) {
		if (read_text(h->v2_mountpoint, "cgroup.controllers", 65536, &h->v2_controllers) <
		    0)
			h->v2_controllers = NULL;
	}
	h->v2_controllers_read = true;
	return h->v2_controllers;
}

void cgroup_location_done(struct cgroup_location *loc)
{
	free(loc->mountpoint);
	free(loc->mount_root);
	loc->mountpoint = loc->mount_root = NULL;
}

int cgroup_host_locate_v1(const struct cgroup_host *h, const char *ctl, struct cgroup_location *ret)
{
	const struct cgroup_mount *m = host_find_mount(h, ctl);
	struct cgroup_location loc = { .version = CGROUP_V1 };

	if (!m)
		return -ENOENT;
	loc.mountpoint = strdup(m->mountpoint);
	loc.mount_root = strdup(m->root);
	if (!loc.mountpoint || !loc.mount_root) {
		cgroup_location_done(&loc);
		return -ENOMEM;
	}
	*ret = loc;
	return 0;
}

int cgroup_host_locate_v2(const struct cgroup_host *h, struct cgroup_location *ret)
{
	struct cgroup_location loc = { .version = CGROUP_V2 };

	if (!h->v2_mountpoint)
		return -ENOENT;
	loc.mountpoint = strdup(h->v2_mountpoint);
	loc.mount_root = strdup(h->v2_mount_root);
	if (!loc.mountpoint || !loc.mount_root) {
		cgroup_location_done(&loc);
		return -ENOMEM;
	}
	*ret = loc;
	return 0;
}

int cgroup_host_locate(struct cgroup_host *h, enum cgroup_controller ctl,
		       struct cgroup_location *ret)
{
	const char *name = cgroup_controller_to_string(ctl);
	struct cgroup_location v1 = {};
	enum cgroup_version v;
	bool in_v1 = false;
	int r;

	if (!name)
		return -EINVAL;
	if (h->mode != CGROUP_MODE_UNIFIED) {
		r = cgroup_host_locate_v1(h, name, &v1);
		if (r < 0 && r != -ENOENT)
			return r;
		in_v1 = r == 0;
	}
	/* Only a hybrid choice reads the cgroup2 root's list. */
	r = cgroup_pick_version(
	    h->mode, in_v1,
	    h->mode == CGROUP_MODE_HYBRID && !in_v1 ? cgroup_host_v2_controllers(h) : NULL, name,
	    &v);
	if (r < 0 || v == CGROUP_V2) {
		cgroup_location_done(&v1);
		return r < 0 ? r : cgroup_host_locate_v2(h, ret);
	}
	*ret = v1;
	return 0;
}

int cgroup_host_base(const struct cgroup_host *h, const struct cgroup_location *loc,
		     const char *ctl, bool absolute, char **ret_path)
{
	_cleanup_fclose_ FILE *pc = NULL;
	_cleanup_free_ char *own = NULL;
	int r;

	/* The hierarchy root is only reachable when the whole tree is mounted. */
	if (absolute)
		return cgroup_resolve_base(loc->mountpoint, loc->mount_root, "/", ret_path);
	pc = text_open(h->proc_cgroup);
	if (!pc)
		return -errno;
	r = cgroup_parse_proc_cgroup(pc, ctl, &own);
	if (r < 0)
		return r;
	return cgroup_resolve_base(loc->mountpoint, loc->mount_root, own, ret_path);
}

int cgroup_controller_version(enum cgroup_controller ctl, enum cgroup_version *ret)
{
	_cleanup_(cgroup_location_done) struct cgroup_location loc = {};
	struct cgroup_host *h;
	int r;

	r = cgroup_host_get(&h);
	if (r < 0)
		return r;
	r = cgroup_host_locate(h, ctl, &loc);
	if (r < 0)
		return r;
	*ret = loc.version;
	return 0;
}
