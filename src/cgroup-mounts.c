/* SPDX-License-Identifier: MIT */
/*
 * cgroup-mounts.c: which cgroup hierarchies a container's own
 * /sys/fs/cgroup shows (cgroup.h, cgroup_spec_mounts()). The mount plan
 * (runtime-mount-kernel.c) asks here before the clone: for every controller
 * the subsystem chain uses, the hierarchy that carries it, as a run's
 * cgroup_setup() picks it (a v1 mount when one carries it, else cgroup2),
 * with the mount options a fresh mount of that hierarchy needs (a v1
 * hierarchy can only be mounted again with exactly its set of controllers),
 * and the host's symlinks to those hierarchies (cpu -> cpu,cpuacct). Reads
 * /proc/self/mountinfo and the directory /sys/fs/cgroup; changes nothing.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

/* True when the comma-separated @list contains @item. */
static bool options_contain(const char *list, const char *item)
{
	size_t len = strlen(item);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/*
 * The super options of a v1 mount, less what a new mount must not repeat:
 * rw/ro (the mount's own flags decide) and release_agent= (only the initial
 * namespace may set it). New string, or NULL on OOM.
 */
static char *mount_options(const char *superopts)
{
	char *out = calloc(1, strlen(superopts) + 1);
	_cleanup_free_ char *copy = strdup(superopts);
	char *tok, *save = NULL;

	if (!out || !copy) {
		free(out);
		return NULL;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (streq(tok, "rw") || streq(tok, "ro") || strncmp(tok, "release_agent=", 14) == 0)
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	return out;
}

int cgroup_parse_mount_options(FILE *f, const char *controller, char **ret_mountpoint,
			       char **ret_options)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	/* "id parent maj:min root mountpoint opts [optional...] - fstype source superopts" */
	while (getline(&line, &size, f) >= 0) {
		char *field[5] = {}, *save = NULL, *tok, *fstype, *superopts, *mp, *opts;
		size_t n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 5 && (tok = strtok_r(n ? NULL : line, " ", &save)))
			field[n++] = tok;
		if (n < 5)
			continue;
		do
			tok = strtok_r(NULL, " ", &save);
		while (tok && !streq(tok, "-"));
		if (!tok)
			continue;
		fstype = strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save); /* source */
		superopts = strtok_r(NULL, " ", &save);
		if (!fstype || !superopts || !streq(fstype, "cgroup") ||
		    !options_contain(superopts, controller))
			continue;
		mp = strdup(field[4]);
		opts = mount_options(superopts);
		if (!mp || !opts) {
			free(mp);
			free(opts);
			return -ENOMEM;
		}
		*ret_mountpoint = mp;
		*ret_options = opts;
		return 0;
	}
	return -ENOENT;
}

void cgroup_mounts_done(struct cgroup_mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].options);
	}
	free(m->v);
	strv_free(m->links);
	*m = (struct cgroup_mounts){};
}

/* Adds a hierarchy mounted at @path unless it is there already; takes @path and @options. */
static int add_mount(struct cgroup_mounts *m, char *path, bool v2, char *options)
{
	struct cgroup_spec_mount *v;

	for (size_t i = 0; i < m->n; i++)
		if (streq(m->v[i].path, path)) {
			free(path);
			free(options);
			return 0;
		}
	v = reallocarray(m->v, m->n + 1, sizeof(*v));
	if (!v) {
		free(path);
		free(options);
		return -ENOMEM;
	}
	m->v = v;
	m->v[m->n++] = (struct cgroup_spec_mount){ .path = path, .v2 = v2, .options = options };
	return 0;
}

/*
 * The hierarchy of @ctl on a legacy or hybrid host: its v1 mount, else
 * cgroup2. From the locator's snapshot of mountinfo (one read per run: the
 * kernel formats the whole table at every read).
 */
static int add_controller(struct cgroup_mounts *m, const struct cgroup_host *h, const char *ctl)
{
	char *mp, *opts;

	for (size_t i = 0; i < h->n_mounts; i++) {
		const struct cgroup_mount *c = &h->mounts[i];

		if (c->v2 || !options_contain(c->superopts, ctl))
			continue;
		mp = strdup(c->mountpoint);
		opts = mount_options(c->superopts);
		if (!mp || !opts) {
			free(mp);
			free(opts);
			return -ENOMEM;
		}
		return add_mount(m, mp, false, opts);
	}
	if (m->mode != CGROUP_MODE_HYBRID || !h->v2_mountpoint)
		return -ENOENT;
	mp = strdup(h->v2_mountpoint);
	if (!mp)
		return -ENOMEM;
	return add_mount(m, mp, true, NULL);
}

/* The host's symlinks in CGROUP_ROOT that point at a hierarchy of @m ("cpu" -> "cpu,cpuacct"). */
static int add_links(struct cgroup_mounts *m)
{
	_cleanup_closedir_ DIR *d = opendir(CGROUP_ROOT);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char target[NAME_MAX + 1];
		ssize_t n;

		if (de->d_type != DT_LNK)
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0 || strchr((target[n] = '\0', target), '/'))
			continue;
		for (size_t i = 0; i < m->n; i++) {
			const char *base = strrchr(m->v[i].path, '/');
			int r;

			if (!base || !streq(base + 1, target))
				continue;
			r = strv_extend(&m->links, de->d_name);
			if (r >= 0)
				r = strv_extend(&m->links, target);
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

int cgroup_spec_mounts(const struct container_spec *spec, struct cgroup_mounts *ret)
{
	struct cgroup_mounts m = {};
	bool used[_CGROUP_CTL_MAX] = {};
	struct cgroup_host *h;
	int r;

	r = cgroup_mode_get(&m.mode);
	if (r < 0)
		return r;
	if (m.mode == CGROUP_MODE_UNIFIED) {
		*ret = m;
		return 0;
	}
	r = cgroup_host_get(&h);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++)
		if (cgroup_subsystems[i]->enabled(spec))
			used[cgroup_subsystems[i]->controller] = true;
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		if (!used[i])
			continue;
		r = add_controller(&m, h, cgroup_controller_to_string((enum cgroup_controller)i));
		/* No hierarchy has it: cgroup_setup() says so before anything runs. */
		if (r < 0 && r != -ENOENT)
			goto fail;
	}
	r = add_links(&m);
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	cgroup_mounts_done(&m);
	return r;
}
