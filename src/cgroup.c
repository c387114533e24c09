/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c: the cgroup lifecycle, step 1 (setup), 4 (attach) and 8
 * (teardown) of the runtime flow in runtime.c, plus the plan of `show`.
 * It asks the locator (cgroup-locate.c) where every used controller lives
 * (a v1 mount, or cgroup2) and where the launcher's own cgroup is there,
 * builds one part per cgroup version with that version's ops table
 * (cgroup-v1.c, cgroup-v2.c) and walks the static subsystem chain: cpuset,
 * memory, cpu, pids, each applied through the part its controller lives on.
 * It is the top of the cgroup code: it calls down into the tables, the
 * subsystems, cgroup-levels.c and the locator, and none of them calls it.
 * Nothing here logs errors; struct cgroup_error tells the caller what failed.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

#define CGROUP_DEFAULT_PARENT "mdlaunch"

/* The chain, applied in this order (cpuset first: v1 seeds every level before any join). */
const struct cgroup_subsys_ops *const cgroup_subsystems[CGROUP_N_SUBSYSTEMS] = {
	&cgroup_subsys_cpuset, &cgroup_subsys_memory,  &cgroup_subsys_cpu,
	&cgroup_subsys_pids,   &cgroup_subsys_devices,
};

/* True when some subsystem of the chain is enabled by @spec. */
static bool cgroup_needed(const struct container_spec *spec)
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

/* This host's layout (cgroup-locate.c), with @err naming what could not be read. */
static int get_host(struct cgroup_host **ret, struct cgroup_error *err)
{
	enum cgroup_mode mode;
	int r;

	r = cgroup_mode_get(&mode);
	if (r < 0)
		return cgroup_error_set(err, r, "inspect", CGROUP_ROOT, NULL, NULL);
	r = cgroup_host_get(ret);
	if (r < 0)
		return cgroup_error_set(err, r, "read", "/proc/self/mountinfo", NULL, NULL);
	return 0;
}

/*
 * Fills @ret[ctl] with the location of every controller @used marks.
 * -ENOENT with @err naming the controller when no hierarchy has it.
 */
static int locate_controllers(const struct container_spec *spec, struct cgroup_host *h,
			      const bool used[_CGROUP_CTL_MAX],
			      struct cgroup_location ret[_CGROUP_CTL_MAX], struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		const char *name = cgroup_controller_to_string((enum cgroup_controller)i);
		int r;

		if (!used[i])
			continue;
		r = cgroup_host_locate(h, (enum cgroup_controller)i, &ret[i]);
		if (r == -ENOENT && h->mode == CGROUP_MODE_UNIFIED)
			return cgroup_error_message(err, r,
						    "no cgroup2 file system is mounted (none in "
						    "/proc/self/mountinfo)");
		if (r == -ENOENT)
			return cgroup_error_message(
			    err, r,
			    "%s controller not available: no cgroup v1 hierarchy carries it%s%s",
			    name,
			    h->mode == CGROUP_MODE_HYBRID ? " and " CGROUP_ROOT
							    "/unified does not offer it"
							  : "",
			    i == CGROUP_CTL_PIDS && cgroup_pids_tracks(spec)
				? CGROUP_PIDS_TRACKER_HINT
				: "");
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Records in @d where its controller @ctl lives (@loc) and the path of its
 * base: the launcher's own cgroup there, or the hierarchy's root for an
 * absolute CgroupParent=. The hierarchy table opens it in create.
 */
static int set_base(struct cgroup *cg, struct cgroup_dir *d, const struct cgroup_host *h,
		    const struct cgroup_location *loc, enum cgroup_controller ctl,
		    struct cgroup_error *err)
{
	const char *name = cgroup_controller_to_string(ctl);
	bool v1 = loc->version == CGROUP_V1;
	int r;

	d->mountpoint = strdup(loc->mountpoint);
	if (!d->mountpoint)
		return -ENOMEM;
	/* The exit report then does not look for a cpuacct.usage that cannot be there. */
	d->no_cpuacct = v1 && !cgroup_host_shares_mount(h, loc->mountpoint, "cpuacct");
	r = cgroup_host_base(h, loc, v1 ? name : "", cg->parent_absolute, &d->base_path);
	if (r == -ENOENT || r == -EINVAL)
		return v1 ? cgroup_error_set(err, r, "find our own cgroup of controller", name,
					     NULL, NULL)
			  : cgroup_error_set(err, r, "find our own cgroup v2 (the 0:: line) in",
					     "/proc/self/cgroup", NULL, NULL);
	if (r < 0 && r != -ENOMEM)
		return cgroup_error_set(err, r, "reach our own cgroup below the mount of",
					d->mountpoint, NULL, NULL);
	return r;
}

/* A new part for @ops with @parent set and the controllers of its version marked used. */
static int new_part(const struct cgroup_hierarchy_ops *ops, const struct container_spec *spec,
		    FILE *plan, const struct cgroup_host *h, const bool used[_CGROUP_CTL_MAX],
		    const struct cgroup_location loc[_CGROUP_CTL_MAX], struct cgroup **ret,
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
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		cg->dirs[i].used = used[i] && loc[i].version == ops->version;
		if (!cg->dirs[i].used)
			continue;
		r = set_base(cg, &cg->dirs[i], h, &loc[i], (enum cgroup_controller)i, err);
		if (r < 0)
			return r;
	}
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
	struct cgroup_location loc[_CGROUP_CTL_MAX] = {};
	bool used[_CGROUP_CTL_MAX] = {};
	struct cgroup **tail = &head;
	struct cgroup_host *h;
	int r;

	r = get_host(&h, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++)
		if (cgroup_subsystems[i]->enabled(spec))
			used[cgroup_subsystems[i]->controller] = true;
	r = locate_controllers(spec, h, used, loc, err);

	for (size_t t = 0; r >= 0 && t < ELEMENTSOF(tables); t++) {
		bool any = false;

		for (int i = 0; i < _CGROUP_CTL_MAX; i++)
			any = any || (used[i] && loc[i].version == tables[t]->version);
		if (!any)
			continue;
		r = new_part(tables[t], spec, plan, h, used, loc, tail, err);
		if (r < 0)
			break;
		r = (*tail)->ops->create(*tail, leaf_name, err);
		if (r < 0) {
			if (!plan)
				for (struct cgroup *p = head; p; p = p->next)
					(void)p->ops->destroy(p, NULL);
			break;
		}
		tail = &(*tail)->next;
	}
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		cgroup_location_done(&loc[i]);
	if (r < 0)
		return r;
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
		} else if (!d->no_cpuacct && read_number(leaf, "cpuacct.usage", &v) == 0) {
			*ret = v;
			return 0;
		}
	}
	return -ENOENT;
}

int cgroup_stats(struct cgroup *cg, bool usage, struct cgroup_stats *ret)
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
		if ((usage || st.oom_kills > 0) &&
		    read_number(leaf, v2 ? "memory.peak" : "memory.max_usage_in_bytes",
				&st.memory_peak) < 0)
			st.memory_peak = UINT64_MAX;
	}
	for (part = cg; usage && part; part = part->next)
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
			    f, "  %-10s v%d %s\n",
			    cgroup_controller_to_string((enum cgroup_controller)i),
			    (int)part->ops->version,
			    cgroup_dir_leaf(cgroup_dir_of(part, (enum cgroup_controller)i))->path);
	}
	fprintf(f, "subsystem chain (in order, with each write a run makes)\n");
	return cgroup_apply_chain(cg, spec, err);
}

int cgroup_describe_host(FILE *f, struct cgroup_error *err)
{
	struct cgroup_host *h;
	const char *v2;
	int r;

	r = get_host(&h, err);
	if (r < 0)
		return r;
	fprintf(f, "%-12s %s\n", "cgroup mode", cgroup_mode_to_string(h->mode));
	v2 = cgroup_host_v2_controllers(h);
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		const char *name = cgroup_controller_to_string((enum cgroup_controller)i);
		_cleanup_(cgroup_location_done) struct cgroup_location v1 = {};
		bool in_v1 =
		    h->mode != CGROUP_MODE_UNIFIED && cgroup_host_locate_v1(h, name, &v1) == 0;
		enum cgroup_version v;

		if (cgroup_pick_version(h->mode, in_v1, v2, name, &v) < 0)
			fprintf(f, "  %-10s not available\n", name);
		else if (v == CGROUP_V1)
			fprintf(f, "  %-10s v1 %s\n", name, v1.mountpoint);
		else
			fprintf(f, "  %-10s v2 %s%s\n", name,
				h->v2_mountpoint ? h->v2_mountpoint : CGROUP_ROOT,
				cgroup_controller_listed(v2, name) ? ""
								   : " (not offered at its root)");
	}
	return 0;
}
