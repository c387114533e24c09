/* SPDX-License-Identifier: MIT */
/*
 * cgroup-probe.c: the read-only host query behind `check --host`. It walks
 * the same steps as cgroup_build() and v2_create() up to the first change
 * they would make, on the same snapshot of the host (cgroup-locate.c): the
 * mode, the version each used controller lives on, the launcher's own
 * cgroup, then reads what the run would read there:
 * cgroup.controllers, cgroup.subtree_control, cgroup.procs, cpuset.mems.
 */
#include "cgroup-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "util.h"

struct probe {
	cgroup_probe_fn cb;
	void *userdata;
};

_printf_(4, 5) static void report(struct probe *p, enum cgroup_probe_kind kind,
				  const char *controller, const char *fmt, ...)
{
	struct cgroup_probe_fact fact = { .kind = kind, .controller = controller };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fact.message, sizeof(fact.message), fmt, ap);
	va_end(ap);
	p->cb(&fact, p->userdata);
}

/* The full path of the base: the launcher's own cgroup, or the root for an absolute parent. */
static int find_base(const struct cgroup_host *h, const struct container_spec *spec,
		     const struct cgroup_location *loc, const char *ctl, char **ret)
{
	return cgroup_host_base(h, loc, ctl, spec->cgroup_parent && spec->cgroup_parent[0] == '/',
				ret);
}

/* Reads @file of directory @dir, stripped; NULL when unreadable (errno set). */
static char *read_in(const char *dir, const char *file)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, file);
	char *s = NULL, *t;
	int r;

	if (!path)
		return NULL;
	r = read_file_at(AT_FDCWD, path, 1024 * 1024, &s);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	t = strstrip(s);
	memmove(s, t, strlen(t) + 1);
	return s;
}

/* True when the cgroup.procs text @procs lists a pid other than ours. */
static bool others_in(const char *procs)
{
	pid_t self = getpid();

	for (const char *s = procs; *s;) {
		char *end;
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		if (pid > 0 && pid != (long)self)
			return true;
		s = end;
	}
	return false;
}

static void check_mems(struct probe *p, const char *base, const char *file)
{
	_cleanup_free_ char *mems = read_in(base, file);

	if (!mems) {
		if (errno != ENOENT)
			report(p, CGROUP_PROBE_UNREADABLE, "cpuset", "cannot read %s/%s: %s", base,
			       file, strerror(errno));
		return;
	}
	if (isempty(mems))
		report(p, CGROUP_PROBE_NO_MEMS, "cpuset",
		       "%s/%s is empty: no memory node to run on (give the launcher's cgroup "
		       "memory nodes, or remove CPUSet=)",
		       base, file);
}

/* The v2 part: the base must offer every v2 controller and, when one still has to be
 * enabled below a non-root base, hold no process but ours. */
static void check_v2(struct probe *p, const struct cgroup_host *h,
		     const struct container_spec *spec, unsigned mask, const char *first)
{
	_cleanup_(cgroup_location_done) struct cgroup_location loc = {};
	_cleanup_free_ char *base = NULL, *offered = NULL, *enabled = NULL, *procs = NULL;
	unsigned todo = 0;
	int r;

	r = cgroup_host_locate_v2(h, &loc);
	if (r < 0)
		return;
	r = find_base(h, spec, &loc, "", &base);
	if (r < 0) {
		report(p, CGROUP_PROBE_UNREADABLE, first,
		       "cannot find the launcher's own cgroup v2 below %s: %s", loc.mountpoint,
		       strerror(-r));
		return;
	}
	offered = read_in(base, "cgroup.controllers");
	enabled = read_in(base, "cgroup.subtree_control");
	if (!offered || !enabled) {
		report(p, CGROUP_PROBE_UNREADABLE, first, "cannot read %s/cgroup.%s: %s", base,
		       offered ? "subtree_control" : "controllers", strerror(errno));
		return;
	}
	for (int c = 0; c < _CGROUP_CTL_MAX; c++) {
		const char *name = cgroup_controller_to_string((enum cgroup_controller)c);

		if (!(mask & (1U << c)))
			continue;
		if (!cgroup_controller_listed(offered, name)) {
			report(
			    p, CGROUP_PROBE_NOT_OFFERED, name,
			    "%s controller not in %s/cgroup.controllers: enable it in the parent "
			    "cgroup's cgroup.subtree_control (echo +%s > "
			    ".../cgroup.subtree_control), "
			    "or start mdlaunch in a cgroup that has it (systemd: Delegate=yes)",
			    name, base, name);
			continue;
		}
		if (!cgroup_controller_listed(enabled, name))
			todo |= 1U << c;
	}
	if (!todo || streq(base, loc.mountpoint))
		return;
	procs = read_in(base, "cgroup.procs");
	if (!procs)
		report(p, CGROUP_PROBE_UNREADABLE, first, "cannot read %s/cgroup.procs: %s", base,
		       strerror(errno));
	else if (others_in(procs))
		report(p, CGROUP_PROBE_BUSY, first,
		       "the launcher's cgroup %s holds other processes, and cgroup v2 allows no "
		       "child cgroups with controllers there (start mdlaunch in a cgroup of its "
		       "own, e.g. a systemd unit with Delegate=yes, or set an absolute "
		       "cgroup_parent in mdlaunch.conf)",
		       base);
}

/* cgroup v2 leaves cpuset.mems empty: the base's effective mems must not be. */
static void check_v2_mems(struct probe *p, const struct cgroup_host *h,
			  const struct container_spec *spec)
{
	_cleanup_(cgroup_location_done) struct cgroup_location loc = {};
	_cleanup_free_ char *base = NULL;

	if (cgroup_host_locate_v2(h, &loc) == 0 && find_base(h, spec, &loc, "", &base) == 0)
		check_mems(p, base, "cpuset.mems.effective");
}

/* One used controller of the chain: where it lives, and on v1 an empty cpuset.mems. */
static void probe_controller(struct probe *p, struct cgroup_host *h,
			     const struct container_spec *spec, const struct cgroup_subsys_ops *ss,
			     unsigned *v2mask)
{
	_cleanup_(cgroup_location_done) struct cgroup_location v1 = {};
	_cleanup_free_ char *base = NULL;
	enum cgroup_version v;
	bool in_v1;
	int r;

	in_v1 = h->mode != CGROUP_MODE_UNIFIED && cgroup_host_locate_v1(h, ss->name, &v1) == 0;
	/* The hybrid choice reads the cgroup2 root; the unified one needs no list. */
	r = cgroup_pick_version(
	    h->mode, in_v1, h->mode == CGROUP_MODE_HYBRID ? cgroup_host_v2_controllers(h) : NULL,
	    ss->name, &v);
	if (r < 0) {
		report(
		    p, CGROUP_PROBE_MISSING, ss->name,
		    "%s controller not available: no cgroup v1 hierarchy carries it%s%s", ss->name,
		    h->mode == CGROUP_MODE_HYBRID ? " and the cgroup2 root does not offer it" : "",
		    ss->controller == CGROUP_CTL_PIDS && cgroup_pids_tracks(spec)
			? CGROUP_PIDS_TRACKER_HINT
			: " (mount it, or remove the key)");
		return;
	}
	if (v == CGROUP_V2) {
		report(p, CGROUP_PROBE_PLACED, ss->name, "%s controller: cgroup v2 at %s", ss->name,
		       h->v2_mountpoint ? h->v2_mountpoint : CGROUP_ROOT);
		*v2mask |= 1U << ss->controller;
		return;
	}
	report(p, CGROUP_PROBE_PLACED, ss->name, "%s controller: cgroup v1 at %s", ss->name,
	       v1.mountpoint);
	if (ss->controller != CGROUP_CTL_CPUSET)
		return;
	r = find_base(h, spec, &v1, ss->name, &base);
	if (r < 0)
		report(p, CGROUP_PROBE_UNREADABLE, ss->name,
		       "cannot find the launcher's own cgroup below %s: %s", v1.mountpoint,
		       strerror(-r));
	else
		check_mems(p, base, "cpuset.mems");
}

int cgroup_probe(const struct container_spec *spec, const char *root, cgroup_probe_fn cb,
		 void *userdata)
{
	_cleanup_(cgroup_host_freep) struct cgroup_host *fake = NULL;
	struct probe p = { .cb = cb, .userdata = userdata };
	struct cgroup_host *h;
	unsigned v2mask = 0;
	int r;

	r = root ? cgroup_host_load(root, &fake) : cgroup_host_get(&h);
	if (r < 0)
		return r;
	if (root)
		h = fake;
	report(&p, CGROUP_PROBE_MODE, NULL, "cgroup mode: %s", cgroup_mode_to_string(h->mode));
	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++)
		if (cgroup_subsystems[i]->enabled(spec))
			probe_controller(&p, h, spec, cgroup_subsystems[i], &v2mask);
	if (v2mask) {
		const char *v2first = NULL;

		for (int c = 0; c < _CGROUP_CTL_MAX && !v2first; c++)
			if (v2mask & (1U << c))
				v2first = cgroup_controller_to_string((enum cgroup_controller)c);
		check_v2(&p, h, spec, v2mask, v2first);
		if (v2mask & (1U << CGROUP_CTL_CPUSET))
			check_v2_mems(&p, h, spec);
	}
	return 0;
}
