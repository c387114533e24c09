/* SPDX-License-Identifier: MIT */
/*
 * cgroup-probe.c: the read-only host query behind `check --host`. It walks
 * the same steps as cgroup_build() and v2_create() up to the first change
 * they would make: the mode, the version each used controller lives on
 * (cgroup_pick_version() on the mountinfo parsers), the launcher's own
 * cgroup (cgroup_resolve_base()), then reads what the run would read there:
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
#include "devices.h"
#include "spec.h"
#include "util.h"

struct probe {
	const char *root; /* the test knob's directory, or NULL */
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

/* Opens /proc/self/@name, or @name of the test knob's directory. */
static FILE *open_source(const struct probe *p, const char *name)
{
	_cleanup_free_ char *path = NULL;

	if (p->root)
		path = strdup_printf("%s/%s", p->root, name);
	else
		path = strdup_printf("/proc/self/%s", name);
	return path ? fopen(path, "re") : NULL;
}

static int probe_mode(const struct probe *p, enum cgroup_mode *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *t;
	int r;

	if (!p->root)
		return cgroup_mode_get(ret);
	path = strdup_printf("%s/mode", p->root);
	if (!path)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, 64, &text);
	if (r < 0)
		return r;
	t = strstrip(text);
	if (streq(t, "legacy"))
		*ret = CGROUP_MODE_LEGACY;
	else if (streq(t, "hybrid"))
		*ret = CGROUP_MODE_HYBRID;
	else if (streq(t, "unified"))
		*ret = CGROUP_MODE_UNIFIED;
	else
		return -EINVAL;
	return 0;
}

/* The mount point and root of @ctl's v1 hierarchy (@ctl NULL: of cgroup2). 0 or -ENOENT. */
static int find_mount(const struct probe *p, const char *ctl, char **ret_mp, char **ret_root)
{
	_cleanup_fclose_ FILE *mi = open_source(p, "mountinfo");

	if (!mi)
		return -errno;
	return cgroup_parse_mountinfo(mi, ctl, ret_mp, ret_root);
}

/* The full path of the base: the launcher's own cgroup, or the root for an absolute parent. */
static int find_base(const struct probe *p, const struct container_spec *spec, const char *mp,
		     const char *mount_root, const char *ctl, char **ret)
{
	_cleanup_fclose_ FILE *pc = NULL;
	_cleanup_free_ char *own = NULL;
	int r;

	if (spec->cgroup_parent && spec->cgroup_parent[0] == '/')
		return cgroup_resolve_base(mp, mount_root, "/", ret);
	pc = open_source(p, "cgroup");
	if (!pc)
		return -errno;
	r = cgroup_parse_proc_cgroup(pc, ctl, &own);
	if (r < 0)
		return r;
	return cgroup_resolve_base(mp, mount_root, own, ret);
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
static void check_v2(struct probe *p, const struct container_spec *spec, unsigned mask,
		     const char *first)
{
	_cleanup_free_ char *mp = NULL, *mount_root = NULL, *base = NULL, *offered = NULL,
			    *enabled = NULL, *procs = NULL;
	unsigned todo = 0;
	int r;

	r = find_mount(p, NULL, &mp, &mount_root);
	if (r < 0)
		return;
	r = find_base(p, spec, mp, mount_root, "", &base);
	if (r < 0) {
		report(p, CGROUP_PROBE_UNREADABLE, first,
		       "cannot find the launcher's own cgroup v2 below %s: %s", mp, strerror(-r));
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
		if (CGROUP_V2_IMPLICIT & (1U << c))
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
	if (!todo || streq(base, mp))
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

int cgroup_probe(const struct container_spec *spec, const char *root, cgroup_probe_fn cb,
		 void *userdata)
{
	struct probe p = { .root = root, .cb = cb, .userdata = userdata };
	_cleanup_free_ char *v2mp = NULL, *v2root = NULL, *v2 = NULL;
	enum cgroup_mode mode;
	unsigned v2mask = 0;
	int r;

	r = probe_mode(&p, &mode);
	if (r < 0)
		return r;
	report(&p, CGROUP_PROBE_MODE, NULL, "cgroup mode: %s", cgroup_mode_to_string(mode));
	if (find_mount(&p, NULL, &v2mp, &v2root) == 0)
		v2 = read_in(v2mp, "cgroup.controllers");

	for (size_t i = 0; i < ELEMENTSOF(cgroup_subsystems); i++) {
		const struct cgroup_subsys_ops *ss = cgroup_subsystems[i];
		_cleanup_free_ char *mp = NULL, *mount_root = NULL, *base = NULL;
		enum cgroup_version v;
		bool in_v1;

		if (!ss->enabled(spec))
			continue;
		in_v1 =
		    mode != CGROUP_MODE_UNIFIED && find_mount(&p, ss->name, &mp, &mount_root) == 0;
		/* The hybrid choice reads the cgroup2 root; the unified one needs no list. */
		r = cgroup_pick_version(mode, in_v1, mode == CGROUP_MODE_HYBRID ? v2 : NULL,
					ss->name, &v);
		if (r < 0) {
			report(&p, CGROUP_PROBE_MISSING, ss->name,
			       "%s controller not available: no cgroup v1 hierarchy carries it%s%s",
			       ss->name,
			       mode == CGROUP_MODE_HYBRID
				   ? " and the cgroup2 root does not offer it"
				   : "",
			       ss->controller == CGROUP_CTL_PIDS && cgroup_pids_tracks(spec)
				   ? CGROUP_PIDS_TRACKER_HINT
				   : " (mount it, or remove the key)");
			continue;
		}
		if (v == CGROUP_V2 && ss->controller == CGROUP_CTL_DEVICES &&
		    !device_bpf_supported()) {
			report(&p, CGROUP_PROBE_MISSING, ss->name,
			       "devices: this kernel loads no BPF_PROG_TYPE_CGROUP_DEVICE program, "
			       "which the device allowlist needs on cgroup v2 (a kernel built "
			       "with CONFIG_CGROUP_BPF)");
			continue;
		}
		if (v == CGROUP_V2) {
			report(&p, CGROUP_PROBE_PLACED, ss->name, "%s controller: cgroup v2 at %s",
			       ss->name, v2mp ? v2mp : CGROUP_ROOT);
			v2mask |= 1U << ss->controller;
			continue;
		}
		report(&p, CGROUP_PROBE_PLACED, ss->name, "%s controller: cgroup v1 at %s",
		       ss->name, mp);
		if (ss->controller != CGROUP_CTL_CPUSET)
			continue;
		r = find_base(&p, spec, mp, mount_root, ss->name, &base);
		if (r < 0)
			report(&p, CGROUP_PROBE_UNREADABLE, ss->name,
			       "cannot find the launcher's own cgroup below %s: %s", mp,
			       strerror(-r));
		else
			check_mems(&p, base, "cpuset.mems");
	}
	if (v2mask) {
		const char *v2first = NULL;

		for (int c = 0; c < _CGROUP_CTL_MAX && !v2first; c++)
			if (v2mask & (1U << c))
				v2first = cgroup_controller_to_string((enum cgroup_controller)c);
		check_v2(&p, spec, v2mask, v2first);
		if (v2mask & (1U << CGROUP_CTL_CPUSET)) {
			_cleanup_free_ char *base = NULL;

			if (v2mp && find_base(&p, spec, v2mp, v2root, "", &base) == 0)
				check_mems(&p, base, "cpuset.mems.effective");
		}
	}
	return 0;
}
