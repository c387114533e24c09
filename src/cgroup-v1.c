/* SPDX-License-Identifier: MIT */
/*
 * cgroup-v1.c: the hierarchy ops for cgroup v1 (legacy and hybrid hosts),
 * used by cgroup.c. Every controller has its own hierarchy: its mount is
 * found in /proc/self/mountinfo and the launcher's own cgroup in it from
 * /proc/self/cgroup. The container's directory goes below that own cgroup
 * (or below CgroupParent=), as <parent>/<name>-<pid>, so it nests under a
 * systemd service and concurrent runs never share a leaf. All file access is
 * openat() relative to directory fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util.h"

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

int cgroup_parse_mountinfo(FILE *f, const char *controller, char **ret_mountpoint, char **ret_root)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	/* "id parent maj:min root mountpoint opts [optional...] - fstype source superopts" */
	while (getline(&line, &size, f) >= 0) {
		char *field[6] = {}, *save = NULL, *tok, *fstype, *superopts;
		size_t n = 0;
		char *mp, *root;

		line[strcspn(line, "\n")] = '\0';
		while (n < 6 && (tok = strtok_r(n ? NULL : line, " ", &save)))
			field[n++] = tok;
		if (n < 6)
			continue;
		/* Skip the optional fields up to the separator. */
		do
			tok = strtok_r(NULL, " ", &save);
		while (tok && !streq(tok, "-"));
		if (!tok)
			continue;
		fstype = strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save); /* source */
		superopts = strtok_r(NULL, " ", &save);
		if (!fstype || !superopts)
			continue;
		if (controller ? !streq(fstype, "cgroup") || !list_contains(superopts, controller)
			       : !streq(fstype, "cgroup2"))
			continue;
		unescape_octal(field[3]);
		unescape_octal(field[4]);
		mp = strdup(field[4]);
		root = strdup(field[3]);
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

/* Reads a /proc file into the given parser (they take FILE * to be testable). */
static FILE *open_proc(const char *path)
{
	return fopen(path, "re");
}

/*
 * Fills @d's mount point and base directory for @controller: the launcher's
 * own cgroup, or the hierarchy root when CgroupParent= is absolute.
 */
static int locate(struct cgroup *cg, struct cgroup_dir *d, const char *controller,
		  struct cgroup_error *err)
{
	_cleanup_fclose_ FILE *mi = NULL, *pc = NULL;
	_cleanup_free_ char *root = NULL, *own = NULL;
	int r;

	mi = mountinfo_open();
	if (!mi)
		return cgroup_error_set(err, -errno, "read", "/proc/self/mountinfo", NULL, NULL);
	r = cgroup_parse_mountinfo(mi, controller, &d->mountpoint, &root);
	if (r < 0)
		return cgroup_error_set(err, r, "find the cgroup v1 hierarchy of controller",
					controller, NULL, NULL);
	if (cg->parent_absolute) {
		/* The hierarchy root is only reachable when the whole tree is mounted. */
		own = strdup("/");
	} else {
		pc = open_proc("/proc/self/cgroup");
		if (!pc)
			return cgroup_error_set(err, -errno, "read", "/proc/self/cgroup", NULL,
						NULL);
		r = cgroup_parse_proc_cgroup(pc, controller, &own);
		if (r < 0)
			return cgroup_error_set(err, r, "find our own cgroup of controller",
						controller, NULL, NULL);
	}
	r = cgroup_resolve_base(d->mountpoint, root, own, &d->base_path);
	if (r < 0)
		return cgroup_error_set(err, r, "reach our own cgroup below the mount of",
					d->mountpoint, NULL, NULL);
	d->base_fd = open(d->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->base_fd < 0)
		return cgroup_error_set(err, -errno, "open", d->base_path, NULL, NULL);
	return 0;
}

static int v1_create(struct cgroup *cg, const char *name, struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r;

		if (!d->used)
			continue;
		r = locate(cg, d, cgroup_controller_to_string((enum cgroup_controller)i), err);
		if (r < 0)
			return r;
		/* Co-mounted controllers (e.g. cpu,cpuacct with cpuset) share one directory. */
		for (int j = 0; j < i; j++)
			if (cg->dirs[j].used && cg->dirs[j].alias < 0 &&
			    streq(cg->dirs[j].mountpoint, d->mountpoint))
				d->alias = j;
		if (d->alias >= 0)
			continue;
		r = cgroup_prepare_levels(cg, d, name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r;

		if (!d->used || d->alias >= 0)
			continue;
		r = cgroup_attach_pid(cgroup_dir_leaf(d), pid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_destroy(struct cgroup *cg, struct cgroup_error *err)
{
	int ret = 0;

	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		struct cgroup_level *leaf = cgroup_dir_leaf(d);
		int r;

		if (!d->used || d->alias >= 0 || !leaf)
			continue;
		if (leaf->created && leaf->fd >= 0) {
			r = cgroup_kill_procs(leaf);
			if (r < 0 && ret == 0)
				ret = cgroup_error_set(err, r, "empty", leaf->path, NULL, NULL);
			leaf->fd = safe_close(leaf->fd);
			r = cgroup_remove_dir(leaf->path, true);
			if (r < 0 && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", leaf->path, NULL, NULL);
			leaf->created = false;
		}
		/*
		 * The shared parent goes when it is empty; another run may still
		 * use it (ENOTEMPTY, EBUSY) or have removed it already (ENOENT).
		 */
		for (size_t k = d->n_levels - 1; k-- > 0;) {
			struct cgroup_level *l = &d->levels[k];

			l->fd = safe_close(l->fd);
			if (!l->remove)
				continue;
			r = cgroup_remove_dir(l->path, false);
			if (r < 0 && r != -ENOTEMPTY && r != -EBUSY && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", l->path, NULL, NULL);
		}
	}
	return ret;
}

const struct cgroup_hierarchy_ops cgroup_v1_ops = {
	.version = CGROUP_V1,
	.create = v1_create,
	.attach = v1_attach,
	.open_file = cgroup_open_leaf_file,
	.destroy = v1_destroy,
};
