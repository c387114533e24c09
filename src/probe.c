/* SPDX-License-Identifier: MIT */
/*
 * probe.c: `check --host`. The cgroup part is the cgroup code's own
 * read-only query (cgroup-probe.c); the command is resolved with
 * command_resolve(), the function init execs through.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-probe.h"
#include "net-cni.h"
#include "runtime-idmap.h"
#include "runtime-rootfs.h"
#include "runtime-seccomp.h"
#include "util.h"

struct ctx {
	const struct container_spec *spec;
	probe_fn cb;
	void *userdata;
};

_printf_(4, 5) static void finding(struct ctx *c, enum probe_severity severity, enum spec_key key,
				   const char *fmt, ...)
{
	struct probe_finding f = { .severity = severity, .key = key };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	c->cb(&f, c->userdata);
}

/* The key that makes the spec need @controller. */
static enum spec_key controller_key(const struct container_spec *spec, const char *controller)
{
	if (!controller)
		return SPEC_KEY_NAME;
	if (streq(controller, "cpuset"))
		return SPEC_KEY_CPUSET;
	if (streq(controller, "memory"))
		return spec->memory_max != SPEC_MEMORY_UNSET ? SPEC_KEY_MEMORY
							     : SPEC_KEY_MEMORY_SWAP;
	if (streq(controller, "cpu"))
		return spec->cpu_weight ? SPEC_KEY_CPU_WEIGHT : SPEC_KEY_CPU_SHARES;
	if (streq(controller, "pids")) /* without PidsLimit=, the tracker of Namespaces= */
		return spec->pids_max ? SPEC_KEY_PIDS_LIMIT : SPEC_KEY_NAMESPACES;
	if (streq(controller, "devices")) /* the default allowlist belongs to the file */
		return spec->n_devices ? SPEC_KEY_ADD_DEVICE : SPEC_KEY_NAME;
	return SPEC_KEY_NAME;
}

static void on_cgroup(const struct cgroup_probe_fact *fact, void *userdata)
{
	struct ctx *c = userdata;
	enum probe_severity s;

	switch (fact->kind) {
	case CGROUP_PROBE_MODE:
	case CGROUP_PROBE_PLACED:
		s = PROBE_INFO;
		break;
	case CGROUP_PROBE_UNREADABLE:
		s = PROBE_WARNING;
		break;
	default:
		s = PROBE_ERROR;
		break;
	}
	finding(c, s, controller_key(c->spec, fact->controller), "%s", fact->message);
}

static void probe_command(struct ctx *c)
{
	const struct container_spec *spec = c->spec;
	const char *cmd = spec->argv[0];
	char file[PATH_MAX];
	int r;

	/* Resolved inside the new root, whose absolute symlinks the host cannot follow. */
	if (spec->rootfs) {
		finding(c, PROBE_INFO, SPEC_KEY_COMMAND,
			"Command: '%s' is looked up inside Rootfs= '%s' at run time (not checked "
			"here)",
			cmd, spec->rootfs);
		return;
	}
	/* init resolves after its chdir: a relative candidate is below WorkingDirectory=. */
	r = command_resolve(cmd, spec->path, spec->working_directory, file, sizeof(file));
	/* A direct path goes to execve() unchecked: its ENOENT is 127, EACCES 126. */
	if (r == 0 && strchr(cmd, '/')) {
		struct stat st;

		if (stat(file, &st) < 0)
			r = errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
		else if (!S_ISREG(st.st_mode) || access(file, X_OK) < 0)
			r = -EACCES;
	}
	if (r == -ENOENT)
		finding(c, PROBE_ERROR, SPEC_KEY_COMMAND,
			"Command: '%s' not found%s%s%s (a run would exit 127; install it, fix "
			"the name, or give a full path)",
			cmd, strchr(cmd, '/') ? "" : " in PATH '",
			strchr(cmd, '/') ? "" : spec->path, strchr(cmd, '/') ? "" : "'");
	else if (r == -EACCES)
		finding(c, PROBE_ERROR, SPEC_KEY_COMMAND,
			"Command: '%s' found but not executable (a run would exit 126; "
			"chmod +x it, or name the right file)",
			cmd);
	else if (r < 0)
		finding(c, PROBE_WARNING, SPEC_KEY_COMMAND, "Command: cannot resolve '%s': %s", cmd,
			strerror(-r));
	else
		finding(c, PROBE_INFO, SPEC_KEY_COMMAND, "Command: '%s' is %s", cmd, file);
}

/* WorkingDirectory= must be a directory on this host (init chdirs there before exec). */
static void probe_working_directory(struct ctx *c)
{
	const char *dir = c->spec->working_directory;
	struct stat st;

	if (!dir || c->spec->rootfs)
		return; /* inside Rootfs=, made by the mount plan or not: judged at run time */
	if (rootfs_makes_workdir(c->spec)) {
		finding(c, PROBE_INFO, SPEC_KEY_WORKING_DIRECTORY,
			"WorkingDirectory: '%s' is made empty in the container's fresh tmpfs", dir);
		return;
	}
	if (stat(dir, &st) < 0)
		finding(c, PROBE_ERROR, SPEC_KEY_WORKING_DIRECTORY,
			"WorkingDirectory: '%s': %s (a run would fail; create it or fix the path)",
			dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		finding(c, PROBE_ERROR, SPEC_KEY_WORKING_DIRECTORY,
			"WorkingDirectory: '%s' is not a directory (a run would fail)", dir);
}

static void probe_memory(struct ctx *c)
{
	uint64_t m = c->spec->memory_max;

	if (m == SPEC_MEMORY_UNSET || m == SPEC_MEMORY_INFINITY || m >= PROBE_MEMORY_FLOOR)
		return;
	finding(c, PROBE_WARNING, SPEC_KEY_MEMORY,
		"Memory: %" PRIu64 " bytes is too small to exec most programs (give it at "
		"least 4M)",
		m);
}

static void probe_namespaces(struct ctx *c)
{
	/* NS_* bit order: uts, pid, mount, net, ipc, cgroup; the names in /proc/self/ns. */
	static const char *const ns_files[] = { "uts", "pid", "mnt", "net", "ipc", "cgroup" };

	for (unsigned i = 0; i < ELEMENTSOF(ns_files); i++) {
		char path[64];

		if (!(c->spec->namespaces & (1U << i)))
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_files[i]);
		if (access(path, F_OK) < 0)
			finding(c, PROBE_ERROR, SPEC_KEY_NAMESPACES,
				"Namespaces: this kernel has no %s namespace (%s: %s); remove "
				"it from Namespaces=, or use a kernel built with it",
				namespace_to_string(1U << i), path, strerror(errno));
	}
}

/*
 * Network=NAME: the list is found and parses, every plugin (and IPAM
 * plugin) is in cni_path, and iptables is in PATH when a plugin runs it.
 */
static void probe_network(struct ctx *c)
{
	_cleanup_(net_plan_freep) struct net_plan *plan = NULL;
	const struct container_spec *spec = c->spec;
	char msg[1024] = "", file[PATH_MAX];
	const char *path = getenv("PATH");
	int r;

	if (!spec_network_is_cni(spec))
		return;
	r = net_plan_build(spec, &plan, msg, sizeof(msg));
	if (r < 0) {
		bool ports = r == -EINVAL && spec->n_ports > 0 && strstr(msg, "portMappings");

		finding(c, PROBE_ERROR, ports ? SPEC_KEY_PUBLISH_PORT : SPEC_KEY_NETWORK, "%s: %s",
			ports ? "PublishPort" : "Network", r == -ENOMEM ? "out of memory" : msg);
		return;
	}
	for (size_t i = 0; i < plan->n_plugins; i++) {
		const struct net_plugin *p = &plan->plugins[i];

		if (!p->path)
			finding(c, PROBE_ERROR, SPEC_KEY_NETWORK,
				"Network: network '%s': plugin '%s' not found in cni_path (install "
				"containernetworking-plugins, or set cni_path in mdlaunch.conf)",
				spec->network, p->type);
		if (p->ipam_type && !p->ipam_path)
			finding(c, PROBE_ERROR, SPEC_KEY_NETWORK,
				"Network: network '%s': IPAM plugin '%s' (of '%s') not found in "
				"cni_path",
				spec->network, p->ipam_type, p->type);
	}
	if (net_plan_needs_iptables(plan) &&
	    command_resolve("iptables", isempty(path) ? SPEC_DEFAULT_PATH : path, NULL, file,
			    sizeof(file)) < 0)
		finding(c, PROBE_ERROR, SPEC_KEY_NETWORK,
			"Network: network '%s' needs the iptables command (portmap, firewall or "
			"ipMasq), which is not in PATH (install iptables)",
			spec->network);
	finding(c, PROBE_INFO, SPEC_KEY_NETWORK, "Network: '%s' is %s with %zu plugin%s",
		spec->network, plan->conflist ? plan->conflist : "the built-in list",
		plan->n_plugins, plan->n_plugins == 1 ? "" : "s");
}

/* UserNS=/UIDMap=: the kernel must have user namespaces, and allow one more. */
static void probe_userns(struct ctx *c)
{
	enum spec_key key = c->spec->origin[SPEC_KEY_USERNS].file ||
				    c->spec->origin[SPEC_KEY_USERNS].option ||
				    c->spec->userns == SPEC_USERNS_AUTO
				? SPEC_KEY_USERNS
				: SPEC_KEY_UIDMAP;
	const char *name = key == SPEC_KEY_USERNS ? "UserNS" : "UIDMap";
	_cleanup_free_ char *max = NULL;
	int r;

	if (!spec_has_userns(c->spec))
		return;
	if (access("/proc/self/ns/user", F_OK) < 0) {
		finding(c, PROBE_ERROR, key,
			"%s: this kernel has no user namespaces (/proc/self/ns/user: %s)", name,
			strerror(errno));
		return;
	}
	r = read_file_at(AT_FDCWD, "/proc/sys/user/max_user_namespaces", 64, &max);
	if (r >= 0 && streq(strstrip(max), "0"))
		finding(c, PROBE_ERROR, key,
			"%s: user namespaces are disabled here (/proc/sys/user/max_user_namespaces "
			"is 0; raise it with sysctl user.max_user_namespaces=N)",
			name);
	else if (r >= 0)
		finding(c, PROBE_INFO, key, "%s: user namespaces allowed (at most %s)", name, max);
}

/*
 * SeccompProfile=: the kernel must filter system calls (unless unconfined),
 * and a profile file must exist and parse. Reading it is a host fact.
 */
static void probe_seccomp(struct ctx *c)
{
	struct seccomp_summary s;
	char err[1024] = "";
	int r;

	if (c->spec->seccomp_profile && streq(c->spec->seccomp_profile, SPEC_SECCOMP_UNCONFINED)) {
		finding(c, PROBE_INFO, SPEC_KEY_SECCOMP_PROFILE, "SeccompProfile: unconfined");
		return;
	}
	if (!seccomp_kernel_supports_filters())
		finding(c, PROBE_ERROR, SPEC_KEY_SECCOMP_PROFILE,
			"SeccompProfile: this kernel cannot filter system calls "
			"(CONFIG_SECCOMP_FILTER); a run would fail (or use "
			"SeccompProfile=unconfined)");
	r = seccomp_summarize(c->spec, &s, err, sizeof(err));
	if (r < 0) {
		finding(c, PROBE_ERROR, SPEC_KEY_SECCOMP_PROFILE, "SeccompProfile: %s",
			err[0] ? err : strerror(-r));
		return;
	}
	finding(c, PROBE_INFO, SPEC_KEY_SECCOMP_PROFILE,
		"SeccompProfile: %s: %u system calls allowed, %u refused, default %s", s.profile,
		s.allowed, s.refused, s.default_action);
}

/* Each AddDevice= host node, as a run resolves it (devices_resolve()). */
static void probe_devices(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n_devices; i++) {
		const struct spec_device *d = &c->spec->devices[i];
		struct probe_finding f = { .key = SPEC_KEY_ADD_DEVICE, .line = d->line };
		struct stat st;

		if (stat(d->host, &st) < 0) {
			f.severity = errno == ENOENT && d->optional ? PROBE_INFO : PROBE_ERROR;
			snprintf(f.message, sizeof(f.message), "AddDevice: '%s': %s%s", d->host,
				 strerror(errno),
				 d->optional ? " (skipped: '-')"
					     : " (a run would exit 125; a leading '-' skips it)");
		} else if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
			f.severity = PROBE_ERROR;
			snprintf(f.message, sizeof(f.message),
				 "AddDevice: '%s' is not a device node (a run would exit 125)",
				 d->host);
		} else {
			f.severity = PROBE_INFO;
			snprintf(f.message, sizeof(f.message), "AddDevice: '%s' is %c %u:%u",
				 d->host, S_ISBLK(st.st_mode) ? 'b' : 'c', major(st.st_rdev),
				 minor(st.st_rdev));
		}
		c->cb(&f, c->userdata);
	}
}

/*
 * Each Volume=...:idmap: an idmapped clone of its tree, attached nowhere,
 * as the launcher makes it for a run. What a run would fail on is an error.
 */
static void probe_idmap(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n_mounts; i++) {
		const struct spec_mount *m = &c->spec->mounts[i];
		struct probe_finding f = { .key = SPEC_KEY_VOLUME,
					   .file = m->file,
					   .line = m->line };
		char why[PATH_MAX + 64];

		if (!(m->flags & SPEC_MOUNT_IDMAP) || !m->source)
			continue;
		if (idmap_probe(m->source, why, sizeof(why)) < 0) {
			f.severity = PROBE_ERROR;
			snprintf(f.message, sizeof(f.message),
				 "Volume=%s:%s:idmap: %s (a run would exit 125)", m->source,
				 m->target, why);
		} else {
			f.severity = PROBE_INFO;
			snprintf(f.message, sizeof(f.message),
				 "Volume=%s:%s:idmap: an idmapped mount of '%s' works", m->source,
				 m->target, m->source);
		}
		c->cb(&f, c->userdata);
	}
}

int probe_host(const struct container_spec *spec, const char *cgroup_root, probe_fn cb,
	       void *userdata)
{
	struct ctx c = { .spec = spec, .cb = cb, .userdata = userdata };
	int r;

	r = cgroup_probe(spec, cgroup_root, on_cgroup, &c);
	if (r < 0)
		return r;
	if (spec->argv && spec->argv[0])
		probe_command(&c);
	probe_working_directory(&c);
	probe_memory(&c);
	probe_namespaces(&c);
	probe_network(&c);
	probe_seccomp(&c);
	probe_userns(&c);
	probe_devices(&c);
	probe_idmap(&c);
	return 0;
}
