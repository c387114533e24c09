/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c: the cgroup lifecycle, step 1 (setup), 4 (attach) and 8
 * (teardown) of the runtime flow in runtime.c, plus the plan of `show`.
 * It detects the host's mode once, picks for every used controller the
 * hierarchy that really has it (a v1 mount, or cgroup2), builds one part per
 * cgroup version with that version's ops table (cgroup-v1.c, cgroup-v2.c)
 * and walks the static subsystem chain: cpuset, memory, cpu, each applied
 * through the part its controller lives on. It also holds the helpers the
 * subsystems write through, so that `show` prints exactly the writes a run
 * would make.
 * Nothing here logs errors; struct cgroup_error tells the caller what failed.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

#define CGROUP_DEFAULT_PARENT "mdlaunch"

/* The chain, applied in this order (cpuset first: v1 seeds every level before any join). */
const struct cgroup_subsys_ops *const cgroup_subsystems[CGROUP_N_SUBSYSTEMS] = {
	&cgroup_subsys_cpuset,
	&cgroup_subsys_memory,
	&cgroup_subsys_cpu,
	&cgroup_subsys_pids,
};

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

bool cgroup_needed(const struct container_spec *spec)
{
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++)
		if (cgroup_subsystems[i]->enabled(spec))
			return true;
	return false;
}

struct cgroup *cgroup_new(const struct cgroup_hierarchy_ops *ops)
{
	struct cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->ops = ops;
	for (size_t i = 0; i < _CGROUP_CTL_MAX; i++) {
		cg->dirs[i].alias = -1;
		cg->dirs[i].base_fd = -EBADF;
		for (size_t k = 0; k < CGROUP_LEVELS_MAX; k++)
			cg->dirs[i].levels[k].fd = -EBADF;
	}
	return cg;
}

struct cgroup *cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return NULL;
	cgroup_free(cg->next);
	for (size_t i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];

		free(d->mountpoint);
		free(d->base_path);
		safe_close(d->base_fd);
		for (size_t k = 0; k < CGROUP_LEVELS_MAX; k++) {
			free(d->levels[k].path);
			safe_close(d->levels[k].fd);
		}
	}
	free(cg->parent);
	free(cg);
	return NULL;
}

struct cgroup_level *cgroup_dir_leaf(struct cgroup_dir *dir)
{
	return dir->n_levels ? &dir->levels[dir->n_levels - 1] : NULL;
}

int cgroup_error_set(struct cgroup_error *err, int r, const char *action, const char *dir,
		     const char *file, const char *value)
{
	if (!err)
		return r;
	err->action = action;
	err->message[0] = '\0';
	snprintf(err->path, sizeof(err->path), "%s%s%s", dir ? dir : "", file ? "/" : "",
		 file ? file : "");
	snprintf(err->value, sizeof(err->value), "%s", value ? value : "");
	return r;
}

int cgroup_error_message(struct cgroup_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return r;
	err->action = "set up";
	err->path[0] = '\0';
	err->value[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return r;
}

char *cgroup_error_format(const struct cgroup_error *err, char *buf, size_t size)
{
	const char *action = err->action ? err->action : "set up";

	if (err->message[0])
		snprintf(buf, size, "%s", err->message);
	else if (streq(action, "write"))
		snprintf(buf, size, "cannot write '%s' to %s", err->value, err->path);
	else if (streq(action, "reuse"))
		snprintf(buf, size, "cannot reuse %s, it exists and still holds processes",
			 err->path);
	else if (streq(action, "remove"))
		/* remove_stale_leaves() takes a leaf whose launcher is gone. */
		snprintf(buf, size, "cannot remove %s (the next run below it removes it)",
			 err->path);
	else
		snprintf(buf, size, "cannot %s %s", action, err->path);
	return buf;
}

/* Writes @value with one write(2) to an open cgroup file, as cgroupfs wants. */
static int write_value(int fd, const char *value)
{
	size_t len = strlen(value);
	ssize_t n = RETRY_EINTR(write(fd, value, len));

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void plan_print(struct cgroup *cg, const char *dir, const char *file, const char *value,
		       const char *note)
{
	fprintf(cg->plan, "     %s/%s = %s%s%s%s\n", dir, file, value, note ? " (" : "",
		note ? note : "", note ? ")" : "");
}

/* The directory @ctl's files live in: its own, or the one of the controller it shares. */
struct cgroup_dir *cgroup_dir_of(struct cgroup *cg, enum cgroup_controller ctl)
{
	struct cgroup_dir *d = &cg->dirs[ctl];

	return d->alias >= 0 ? &cg->dirs[d->alias] : d;
}

int cgroup_write(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		 const char *value, const char *note, struct cgroup_error *err)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, ss->controller));
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (!leaf)
		return cgroup_error_set(err, -ENOENT, "find the cgroup of", ss->name, NULL, NULL);
	if (cg->plan) {
		plan_print(cg, leaf->path, file, value, note);
		return 0;
	}
	fd = cg->ops->open_file(cg, ss, file, O_WRONLY);
	if (fd < 0)
		return cgroup_error_set(err, fd, "write", leaf->path, file, value);
	r = write_value(fd, value);
	if (r < 0)
		return cgroup_error_set(err, r, "write", leaf->path, file, value);
	return 0;
}

int cgroup_write_at(struct cgroup *cg, int dirfd, const char *dir_path, const char *file,
		    const char *value, const char *note, struct cgroup_error *err)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (cg->plan) {
		plan_print(cg, dir_path, file, value, note);
		return 0;
	}
	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cgroup_error_set(err, -errno, "write", dir_path, file, value);
	r = write_value(fd, value);
	if (r < 0)
		return cgroup_error_set(err, r, "write", dir_path, file, value);
	return 0;
}

int cgroup_read_at(int dirfd, const char *dir_path, const char *file, char **ret,
		   struct cgroup_error *err)
{
	_cleanup_free_ char *s = NULL;
	char *t;
	int r;

	r = read_file_at(dirfd, file, 65536, &s);
	if (r < 0)
		return cgroup_error_set(err, r, "read", dir_path, file, NULL);
	t = strdup(strstrip(s));
	if (!t)
		return -ENOMEM;
	*ret = t;
	return 0;
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

/*
 * Validates CgroupParent= (no "." or ".." components, not empty) and records
 * it without its leading slash. The spec was validated, but a path that can
 * climb out of the hierarchy is checked where it is used.
 */
static int set_parent(struct cgroup *cg, const char *parent, struct cgroup_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char *tok, *save = NULL;

	cg->parent_is_default = !parent;
	if (!parent)
		parent = CGROUP_DEFAULT_PARENT;
	cg->parent_absolute = parent[0] == '/';
	while (*parent == '/')
		parent++;
	cg->parent = strdup(parent);
	copy = strdup(parent);
	if (!cg->parent || !copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (streq(tok, ".") || streq(tok, ".."))
			return cgroup_error_set(err, -EINVAL, "use the cgroup parent", parent, NULL,
						NULL);
	return 0;
}

/* True when a cgroup v1 mount carries @ctl (per /proc/self/mountinfo). */
static bool v1_mount_has(const char *ctl)
{
	_cleanup_fclose_ FILE *mi = mountinfo_open();
	_cleanup_free_ char *mp = NULL, *root = NULL;

	return mi && cgroup_parse_mountinfo(mi, ctl, &mp, &root) == 0;
}

/* The controllers the cgroup2 mount's root offers, or NULL (no cgroup2, or unreadable). */
static char *v2_root_controllers(void)
{
	_cleanup_fclose_ FILE *mi = mountinfo_open();
	_cleanup_free_ char *mp = NULL, *root = NULL, *path = NULL;
	char *s = NULL;

	if (!mi || cgroup_parse_mountinfo(mi, NULL, &mp, &root) < 0)
		return NULL;
	path = strdup_printf("%s/cgroup.controllers", mp);
	if (!path || read_file_at(AT_FDCWD, path, 65536, &s) < 0)
		return NULL;
	return s;
}

/*
 * Fills @ret[ctl] with the hierarchy version of every controller @used marks.
 * -ENOENT with @err naming the controller when no hierarchy has it.
 */
static int pick_versions(const struct container_spec *spec, enum cgroup_mode mode,
			 const bool used[_CGROUP_CTL_MAX], enum cgroup_version ret[_CGROUP_CTL_MAX],
			 struct cgroup_error *err)
{
	_cleanup_free_ char *v2 = mode == CGROUP_MODE_HYBRID ? v2_root_controllers() : NULL;

	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		int r;

		if (!used[i])
			continue;
		r = cgroup_pick_version(
		    mode, mode != CGROUP_MODE_UNIFIED && v1_mount_has(controller_names[i]), v2,
		    controller_names[i], &ret[i]);
		if (r < 0)
			return cgroup_error_message(
			    err, r,
			    "%s controller not available: no cgroup v1 hierarchy carries it%s%s",
			    controller_names[i],
			    mode == CGROUP_MODE_HYBRID ? " and " CGROUP_ROOT
							 "/unified does not offer it"
						       : "",
			    i == CGROUP_CTL_PIDS && cgroup_pids_tracks(spec)
				? CGROUP_PIDS_TRACKER_HINT
				: "");
	}
	return 0;
}

/* A new part for @ops with @parent set and the controllers of @version marked used. */
static int new_part(const struct cgroup_hierarchy_ops *ops, const struct container_spec *spec,
		    FILE *plan, const bool used[_CGROUP_CTL_MAX],
		    const enum cgroup_version version[_CGROUP_CTL_MAX], struct cgroup **ret,
		    struct cgroup_error *err)
{
	_cleanup_(cgroup_freep) struct cgroup *cg = cgroup_new(ops);
	int r;

	if (!cg)
		return -ENOMEM;
	cg->plan = plan;
	r = set_parent(cg, spec->cgroup_parent, err);
	if (r < 0)
		return r;
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		cg->dirs[i].used = used[i] && version[i] == ops->version;
	*ret = TAKE_PTR(cg);
	return 0;
}

/*
 * The common first half of setup and plan: a cgroup for @spec, one part per
 * cgroup version in use, with the used controllers marked and the
 * directories made (in plan mode, only located). On failure in a real run
 * whatever was made is removed again.
 */
static int cgroup_build(const struct container_spec *spec, const char *leaf_name, FILE *plan,
			struct cgroup **ret, struct cgroup_error *err)
{
	static const struct cgroup_hierarchy_ops *const tables[] = { &cgroup_v1_ops,
								     &cgroup_v2_ops };
	_cleanup_(cgroup_freep) struct cgroup *head = NULL;
	enum cgroup_version version[_CGROUP_CTL_MAX] = {};
	bool used[_CGROUP_CTL_MAX] = {};
	struct cgroup **tail = &head;
	enum cgroup_mode mode;
	int r;

	r = cgroup_mode_get(&mode);
	if (r < 0)
		return cgroup_error_set(err, r, "inspect", CGROUP_ROOT, NULL, NULL);
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++)
		if (cgroup_subsystems[i]->enabled(spec))
			used[cgroup_subsystems[i]->controller] = true;
	r = pick_versions(spec, mode, used, version, err);
	if (r < 0)
		return r;

	for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
		bool any = false;

		for (int i = 0; i < _CGROUP_CTL_MAX; i++)
			any = any || (used[i] && version[i] == tables[t]->version);
		if (!any)
			continue;
		r = new_part(tables[t], spec, plan, used, version, tail, err);
		if (r < 0)
			return r;
		r = (*tail)->ops->create(*tail, leaf_name, err);
		if (r < 0) {
			if (!plan)
				for (struct cgroup *p = head; p; p = p->next)
					(void)p->ops->destroy(p, NULL);
			return r;
		}
		tail = &(*tail)->next;
	}
	*ret = TAKE_PTR(head);
	return 0;
}

/* The part of @cg that @ctl lives on, or NULL when the spec does not use it. */
static struct cgroup *part_of(struct cgroup *cg, enum cgroup_controller ctl)
{
	for (; cg; cg = cg->next)
		if (cg->dirs[ctl].used)
			return cg;
	return NULL;
}

/* The second half: the subsystem chain, in the order of the array. 0 or -errno. */
static int cgroup_apply_chain(struct cgroup *cg, const struct container_spec *spec,
			      struct cgroup_error *err)
{
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++) {
		const struct cgroup_subsys_ops *ss = cgroup_subsystems[i];
		struct cgroup *part = part_of(cg, ss->controller);
		int r;

		if (!ss->enabled(spec) || !part)
			continue;
		if (part->plan)
			fprintf(part->plan, "  %zu. %s (cgroup v%d)\n", i + 1, ss->name,
				(int)part->ops->version);
		r = ss->apply(part, spec, part->ops->version, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Destroys every part; the first error is kept in @err. */
static int destroy_all(struct cgroup *cg, struct cgroup_error *err)
{
	int ret = 0;

	for (; cg; cg = cg->next) {
		int r = cg->ops->destroy(cg, ret == 0 ? err : NULL);

		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

int cgroup_setup(const struct container_spec *spec, pid_t launcher_pid, struct cgroup **ret,
		 struct cgroup_error *err)
{
	_cleanup_free_ char *name = NULL;
	struct cgroup *cg = NULL;
	int r;

	if (!cgroup_needed(spec)) {
		*ret = NULL;
		return 0;
	}
	/* The pid makes the name unique among live launchers (a stale one is handled in create). */
	name = strdup_printf("%s-%d", spec->name ? spec->name : "container", (int)launcher_pid);
	if (!name)
		return -ENOMEM;
	r = cgroup_build(spec, name, NULL, &cg, err);
	if (r < 0)
		return r;
	r = cgroup_apply_chain(cg, spec, err);
	if (r < 0) {
		(void)destroy_all(cg, NULL);
		cgroup_free(cg);
		return r;
	}
	*ret = cg;
	return 0;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	for (; cg; cg = cg->next) {
		int r = cg->ops->attach(cg, pid, err);

		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_spawn_fd(const struct cgroup *cg)
{
	if (!cg || cg->next || cg->ops->version != CGROUP_V2 || cg->plan)
		return -EBADF;
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		if (cg->dirs[i].used && cg->dirs[i].alias < 0)
			return cg->dirs[i].levels[cg->dirs[i].n_levels - 1].fd;
	return -EBADF;
}

/* Reads the "@key N" line of the flat-keyed file @file of @leaf into *ret. */
static int read_keyed(struct cgroup_level *leaf, const char *file, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	size_t n = strlen(key);
	int r;

	if (!leaf || leaf->fd < 0)
		return -EBADF;
	r = read_file_at(leaf->fd, file, 1 << 16, &s);
	if (r < 0)
		return r;
	for (char *line = s; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, n) == 0 && line[n] == ' ') {
			line[n + 1 + strcspn(line + n + 1, "\n")] = '\0';
			return safe_atou64(line + n + 1, ret);
		}
	}
	return -ENOENT;
}

/* Reads a file of @leaf holding one number into *ret. */
static int read_number(struct cgroup_level *leaf, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r;

	if (!leaf || leaf->fd < 0)
		return -EBADF;
	r = read_file_at(leaf->fd, file, 64, &s);
	if (r < 0)
		return r;
	return safe_atou64(strstrip(s), ret);
}

/*
 * The CPU time of @part's leaves, in ns: v2 keeps cpu.stat in every cgroup;
 * on v1 only a directory on the cpuacct hierarchy (co-mounted with a used
 * controller, e.g. "cpu,cpuacct") has cpuacct.usage. 0 or -ENOENT.
 */
static int read_cpu_usage(struct cgroup *part, uint64_t *ret)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &part->dirs[i];
		struct cgroup_level *leaf = cgroup_dir_leaf(d);
		uint64_t v;

		if (!d->used || d->alias >= 0 || !leaf)
			continue;
		if (part->ops->version == CGROUP_V2) {
			if (read_keyed(leaf, "cpu.stat", "usage_usec", &v) == 0 &&
			    v <= UINT64_MAX / 1000) {
				*ret = v * 1000;
				return 0;
			}
		} else if (read_number(leaf, "cpuacct.usage", &v) == 0) {
			*ret = v;
			return 0;
		}
	}
	return -ENOENT;
}

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *ret)
{
	struct cgroup_stats st = { .memory_peak = UINT64_MAX, .cpu_usage = UINT64_MAX };
	struct cgroup *part;

	if (!cg || cg->plan)
		return -ENOENT;
	part = part_of(cg, CGROUP_CTL_MEMORY);
	if (part) {
		struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(part, CGROUP_CTL_MEMORY));
		bool v2 = part->ops->version == CGROUP_V2;

		st.has_memory = true;
		(void)read_keyed(leaf, v2 ? "memory.events" : "memory.oom_control", "oom_kill",
				 &st.oom_kills);
		if (read_number(leaf, v2 ? "memory.peak" : "memory.max_usage_in_bytes",
				&st.memory_peak) < 0)
			st.memory_peak = UINT64_MAX;
	}
	for (part = cg; part; part = part->next)
		if (read_cpu_usage(part, &st.cpu_usage) == 0) {
			st.has_cpuacct = true;
			break;
		}
	*ret = st;
	return 0;
}

int cgroup_teardown(struct cgroup *cg, struct cgroup_error *err)
{
	return destroy_all(cg, err);
}

int cgroup_show_plan(const struct container_spec *spec, FILE *f, struct cgroup_error *err)
{
	_cleanup_(cgroup_freep) struct cgroup *cg = NULL;
	_cleanup_free_ char *name = NULL;
	enum cgroup_mode mode;
	int r;

	r = cgroup_mode_get(&mode);
	if (r < 0)
		return cgroup_error_set(err, r, "inspect", CGROUP_ROOT, NULL, NULL);
	fprintf(f, "%-12s %s\n", "cgroup mode", cgroup_mode_to_string(mode));
	if (!cgroup_needed(spec)) {
		fprintf(f, "%-12s none (no limit is set: no cgroup is created or joined)\n",
			"cgroups");
		return 0;
	}
	name = strdup_printf("%s-<pid>", spec->name ? spec->name : "container");
	if (!name)
		return -ENOMEM;
	fprintf(f, "%-12s (<pid> stands for the launcher's pid at run time)\n", "cgroups");
	r = cgroup_build(spec, name, f, &cg, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup *part = part_of(cg, (enum cgroup_controller)i);

		if (part)
			fprintf(
			    f, "  %-10s v%d %s\n", controller_names[i], (int)part->ops->version,
			    cgroup_dir_leaf(cgroup_dir_of(part, (enum cgroup_controller)i))->path);
	}
	fprintf(f, "subsystem chain (in order, with each write a run makes)\n");
	return cgroup_apply_chain(cg, spec, err);
}

int cgroup_describe_host(FILE *f, struct cgroup_error *err)
{
	_cleanup_free_ char *v2 = NULL, *mp = NULL, *root = NULL;
	_cleanup_fclose_ FILE *mi = NULL;
	enum cgroup_mode mode;
	int r;

	r = cgroup_mode_get(&mode);
	if (r < 0)
		return cgroup_error_set(err, r, "inspect", CGROUP_ROOT, NULL, NULL);
	fprintf(f, "%-12s %s\n", "cgroup mode", cgroup_mode_to_string(mode));
	mi = mountinfo_open();
	if (mi && cgroup_parse_mountinfo(mi, NULL, &mp, &root) == 0)
		v2 = v2_root_controllers();
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		_cleanup_fclose_ FILE *m = mountinfo_open();
		_cleanup_free_ char *v1mp = NULL, *v1root = NULL;
		bool in_v1 = mode != CGROUP_MODE_UNIFIED && m &&
			     cgroup_parse_mountinfo(m, controller_names[i], &v1mp, &v1root) == 0;
		enum cgroup_version v;

		if (cgroup_pick_version(mode, in_v1, v2, controller_names[i], &v) < 0)
			fprintf(f, "  %-10s not available\n", controller_names[i]);
		else if (v == CGROUP_V1)
			fprintf(f, "  %-10s v1 %s\n", controller_names[i], v1mp);
		else
			fprintf(f, "  %-10s v2 %s%s\n", controller_names[i], mp ? mp : CGROUP_ROOT,
				cgroup_controller_listed(v2, controller_names[i])
				    ? ""
				    : " (not offered at its root)");
	}
	return 0;
}
