/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c: the cgroup lifecycle, step 1 (setup), 4 (attach) and 8
 * (teardown) of the runtime flow in runtime.c, plus the plan of `show`.
 * It detects the host's mode once, picks the hierarchy ops for it
 * (cgroup-v1.c; cgroup-v2.c is one more table) and walks the static subsystem
 * chain: cpuset, memory, cpu. It also holds the helpers the subsystems write
 * through, so that `show` prints exactly the writes a run would make.
 * Nothing here logs errors; struct cgroup_error tells the caller what failed.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

#define CGROUP_ROOT	      "/sys/fs/cgroup"
#define CGROUP_DEFAULT_PARENT "mdlaunch"

/* The chain, applied in this order (cpuset first: v1 seeds every level before any join). */
static const struct cgroup_subsys_ops *const subsystems[] = {
	&cgroup_subsys_cpuset,
	&cgroup_subsys_memory,
	&cgroup_subsys_cpu,
};

static const char *const controller_names[_CGROUP_CTL_MAX] = {
	[CGROUP_CTL_CPUSET] = "cpuset",
	[CGROUP_CTL_MEMORY] = "memory",
	[CGROUP_CTL_CPU] = "cpu",
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

/*
 * The mode never changes while we run, so statfs is asked once. A tmpfs at
 * /sys/fs/cgroup holds v1 hierarchies; a cgroup2 below it makes it hybrid.
 */
int cgroup_mode_get(enum cgroup_mode *ret)
{
	static enum cgroup_mode cached = _CGROUP_MODE_INVALID;
	struct statfs fs;

	if (cached == _CGROUP_MODE_INVALID) {
		if (statfs(CGROUP_ROOT, &fs) < 0)
			return -errno;
		if (fs.f_type == CGROUP2_SUPER_MAGIC)
			cached = CGROUP_MODE_UNIFIED;
		else if (statfs(CGROUP_ROOT "/unified", &fs) == 0 &&
			 fs.f_type == CGROUP2_SUPER_MAGIC)
			cached = CGROUP_MODE_HYBRID;
		else
			cached = CGROUP_MODE_LEGACY;
	}
	*ret = cached;
	return 0;
}

bool cgroup_needed(const struct container_spec *spec)
{
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++)
		if (subsystems[i]->enabled(spec))
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
	snprintf(err->path, sizeof(err->path), "%s%s%s", dir ? dir : "", file ? "/" : "",
		 file ? file : "");
	snprintf(err->value, sizeof(err->value), "%s", value ? value : "");
	return r;
}

char *cgroup_error_format(const struct cgroup_error *err, char *buf, size_t size)
{
	const char *action = err->action ? err->action : "set up";

	if (streq(action, "write"))
		snprintf(buf, size, "cannot write '%s' to %s", err->value, err->path);
	else if (streq(action, "reuse"))
		snprintf(buf, size, "cannot reuse %s, it exists and still holds processes",
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

/*
 * The common first half of setup and plan: a cgroup for @spec with the used
 * controllers marked and the directories made (in plan mode, only located).
 * On failure in a real run whatever was made is removed again.
 */
static int cgroup_build(const struct container_spec *spec, const char *leaf_name, FILE *plan,
			struct cgroup **ret, struct cgroup_error *err)
{
	_cleanup_(cgroup_freep) struct cgroup *cg = NULL;
	enum cgroup_mode mode;
	int r;

	r = cgroup_mode_get(&mode);
	if (r < 0)
		return cgroup_error_set(err, r, "inspect", CGROUP_ROOT, NULL, NULL);
	/* The v2 hierarchy ops are the next step (cgroup-v2.c); refuse clearly until then. */
	if (mode == CGROUP_MODE_UNIFIED)
		return cgroup_error_set(err, -EOPNOTSUPP, "use cgroup v2 (not supported yet) at",
					CGROUP_ROOT, NULL, NULL);
	cg = cgroup_new(&cgroup_v1_ops);
	if (!cg)
		return -ENOMEM;
	cg->plan = plan;
	r = set_parent(cg, spec->cgroup_parent, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++)
		if (subsystems[i]->enabled(spec))
			cg->dirs[subsystems[i]->controller].used = true;

	r = cg->ops->create(cg, leaf_name, err);
	if (r < 0) {
		if (!plan)
			(void)cg->ops->destroy(cg, NULL);
		return r;
	}
	*ret = TAKE_PTR(cg);
	return 0;
}

/* The second half: the subsystem chain, in the order of the array. 0 or -errno. */
static int cgroup_apply_chain(struct cgroup *cg, const struct container_spec *spec,
			      struct cgroup_error *err)
{
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++) {
		const struct cgroup_subsys_ops *ss = subsystems[i];
		int r;

		if (!ss->enabled(spec))
			continue;
		if (cg->plan)
			fprintf(cg->plan, "  %zu. %s\n", i + 1, ss->name);
		r = ss->apply(cg, spec, cg->ops->version, err);
		if (r < 0)
			return r;
	}
	return 0;
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
		(void)cg->ops->destroy(cg, NULL);
		cgroup_free(cg);
		return r;
	}
	*ret = cg;
	return 0;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	if (!cg)
		return 0;
	return cg->ops->attach(cg, pid, err);
}

int cgroup_teardown(struct cgroup *cg, struct cgroup_error *err)
{
	if (!cg)
		return 0;
	return cg->ops->destroy(cg, err);
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
	r = cgroup_build(spec, name, f, &cg, err);
	if (r < 0)
		return r;
	fprintf(f, "%-12s (<pid> stands for the launcher's pid at run time)\n", "cgroups");
	for (size_t i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];

		if (d->used)
			fprintf(
			    f, "  %-10s %s\n", controller_names[i],
			    cgroup_dir_leaf(cgroup_dir_of(cg, (enum cgroup_controller)i))->path);
	}
	fprintf(f, "subsystem chain (in order, with each write a run makes)\n");
	return cgroup_apply_chain(cg, spec, err);
}
