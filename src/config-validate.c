/* SPDX-License-Identifier: MIT */
/*
 * config-validate.c: the last step of every front end and the only place of
 * rules that look at more than one value or at the host. The file rules
 * hold anywhere (a command is required, AmbientCapabilities= within the set,
 * one CPU unit, the pid namespace wants the mount namespace): plain `check`
 * runs only these, so a definition can be linted on any machine. The host
 * rules judge the values against this machine (the CPUs of CPUSet= online,
 * User= and SupplementaryGroups= known, limits the kernel and the launcher
 * allow, MemorySwap= on the cgroup version memory lives on): `run`, `show`
 * and `check --host` run them too. After config_validate() with the host
 * rules succeeds, the spec is what the runtime may trust without checking
 * again. Messages name the file and line a value came from when the loader
 * recorded one (spec->origin[]).
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cgroup-locate.h"
#include "config-rootfs.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "subid.h"
#include "util.h"

#define CPU_ONLINE_PATH "/sys/devices/system/cpu/online"

/*
 * Logs a message about the value of @key: "file:line: Key: ..." when the
 * value came from a line of the .container file, else a plain log line.
 * Returns -EINVAL for errors, 0 for warnings.
 */
_printf_(4, 5) static int key_message(const struct container_spec *spec, enum spec_key key,
				      int level, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (spec_origin_file(spec, key) && spec->origin[key].line > 0)
		return log_syntax(spec_origin_file(spec, key), spec->origin[key].line, level, "%s",
				  msg);
	log_internal(level, 0, "%s", msg);
	return level == LOG_LEVEL_ERROR ? -EINVAL : 0;
}

static int validate_command(const struct container_spec *spec)
{
	if (strv_length(spec->argv) == 0)
		return key_message(spec, SPEC_KEY_COMMAND, LOG_LEVEL_ERROR,
				   "Command: a command is required");
	if (spec->argv[0][0] == '\0')
		return key_message(spec, SPEC_KEY_COMMAND, LOG_LEVEL_ERROR,
				   "Command: empty program name");
	return 0;
}

/*
 * The values themselves were checked by the key table's parsers (a file, a
 * run option) or are the front end's own (the default name): what is left
 * are the rules across keys.
 */
static int validate_names(const struct container_spec *spec)
{
	int r = 0;

	if (!spec->name)
		r = key_message(spec, SPEC_KEY_NAME, LOG_LEVEL_ERROR, "Name: no container name");
	if (spec->hostname && !(spec->namespaces & NS_UTS))
		key_message(spec, SPEC_KEY_HOSTNAME, LOG_LEVEL_WARN,
			    "Hostname: ignored, the container has no uts namespace");
	return r;
}

/*
 * Every CPU of CPUSet= must be online, or the kernel refuses the cpuset
 * write (or, worse, the container runs nowhere). Returns 0 or -EINVAL.
 */
static int validate_cpuset(const struct container_spec *spec)
{
	_cleanup_free_ char *online = NULL;
	unsigned missing = 0;
	int r;

	if (!spec->cpuset)
		return 0;
	r = read_file_at(AT_FDCWD, CPU_ONLINE_PATH, 64 * 1024, &online);
	if (r < 0) {
		log_warn_errno(r, "cannot read " CPU_ONLINE_PATH ", not checking CPUSet: %m");
		return 0;
	}
	r = cpuset_check_online(spec->cpuset, online, &missing);
	if (r == -ENODEV)
		return key_message(spec, SPEC_KEY_CPUSET, LOG_LEVEL_ERROR,
				   "CPUSet: CPU %u is not online (online: %s)", missing,
				   strstrip(online));
	if (r == -EINVAL)
		return key_message(spec, SPEC_KEY_CPUSET, LOG_LEVEL_ERROR,
				   "CPUSet: invalid CPU list '%s' " CONFIG_CPUSET_HINT,
				   spec->cpuset);
	if (r < 0)
		return log_error_errno(r, "out of memory");
	return 0;
}

/*
 * MemorySwap= alone is fine on cgroup v2 (memory.swap.max), but v1 only has
 * memory.memsw.limit_in_bytes, which is Memory + MemorySwap: without Memory=
 * there is nothing to add to. Where memory lives is the cgroup locator's
 * answer, the one the runtime uses (a hybrid host may have it on either).
 */
static int validate_swap(const struct container_spec *spec)
{
	enum cgroup_version v;

	if (spec->memory_swap_max == SPEC_MEMORY_UNSET || spec->memory_max != SPEC_MEMORY_UNSET)
		return 0;
	if (cgroup_controller_version(CGROUP_CTL_MEMORY, &v) == 0 && v == CGROUP_V2)
		return 0;
	return key_message(spec, SPEC_KEY_MEMORY_SWAP, LOG_LEVEL_ERROR,
			   "MemorySwap: needs Memory= on a cgroup v1 host (the swap limit is "
			   "written as Memory + MemorySwap to memory.memsw.limit_in_bytes)");
}

static int validate_limits(const struct container_spec *spec)
{
	if (spec->cpu_weight != 0 && spec->cpu_shares != 0)
		return key_message(
		    spec, SPEC_KEY_CPU_WEIGHT, LOG_LEVEL_ERROR,
		    "CPUWeight: cannot be combined with CPUShares= (set one of them)");
	return 0;
}

#define NR_OPEN_PATH "/proc/sys/fs/nr_open"
#define PASSWD_PATH  "/etc/passwd"
#define GROUP_PATH   "/etc/group"

/*
 * The host's users and groups are read from /etc/passwd and /etc/group
 * directly (fgetpwent/fgetgrent), not through NSS: mdlaunch is linked
 * statically (see the Makefile), and a static glibc would dlopen() the NSS
 * modules of whatever glibc is installed at run time. Names that only NSS
 * knows (LDAP, systemd's dynamic users) are unknown here; numeric ids always
 * work. Returns the entry (libc's static storage) or NULL.
 */
static struct passwd *passwd_find(const char *name, uid_t uid)
{
	_cleanup_fclose_ FILE *f = fopen(PASSWD_PATH, "re");
	struct passwd *pw;

	if (!f)
		return NULL;
	while ((pw = fgetpwent(f)))
		if (name ? streq(pw->pw_name, name) : pw->pw_uid == uid)
			return pw;
	return NULL;
}

static struct group *group_find(const char *name)
{
	_cleanup_fclose_ FILE *f = fopen(GROUP_PATH, "re");
	struct group *gr;

	if (!f)
		return NULL;
	while ((gr = fgetgrent(f)))
		if (streq(gr->gr_name, name))
			return gr;
	return NULL;
}

/* A group name or number to a gid, on the host. 0, -ENOENT (no such group) or -EINVAL. */
static int resolve_group(const char *s, uint32_t *ret)
{
	struct group *gr;

	if (parse_id(s, ret) == 0)
		return 0;
	if (!user_name_is_valid(s))
		return -EINVAL;
	gr = group_find(s);
	if (!gr)
		return -ENOENT;
	*ret = (uint32_t)gr->gr_gid;
	return 0;
}

/*
 * User= to uid and gid, looked up in the host's /etc/passwd (the
 * container shares the host's filesystem, so these are its names too). A
 * numeric uid without a group takes its passwd entry's group if it has one,
 * else the gid of the same number. Unset: the launcher's own ids.
 */
static int validate_user(struct container_spec *spec)
{
	_cleanup_free_ char *user = NULL, *group = NULL;
	struct passwd *pw;
	int r;

	if (!spec->user) {
		spec->uid = (uint32_t)geteuid();
		spec->gid = (uint32_t)getegid();
		return 0;
	}
	r = parse_user(spec->user, &user, &group);
	if (r == -ENOMEM)
		return log_error_errno(r, "out of memory");
	if (r < 0)
		return key_message(spec, SPEC_KEY_USER, LOG_LEVEL_ERROR,
				   "User: invalid user '%s' " CONFIG_USER_HINT, spec->user);
	if (parse_id(user, &spec->uid) == 0) {
		pw = passwd_find(NULL, (uid_t)spec->uid);
		spec->gid = pw ? (uint32_t)pw->pw_gid : spec->uid;
	} else {
		pw = passwd_find(user, 0);
		if (!pw)
			return key_message(spec, SPEC_KEY_USER, LOG_LEVEL_ERROR,
					   "User: unknown user '%s' (not in /etc/passwd; a "
					   "numeric uid needs no entry)",
					   user);
		spec->uid = (uint32_t)pw->pw_uid;
		spec->gid = (uint32_t)pw->pw_gid;
	}
	if (group && resolve_group(group, &spec->gid) < 0)
		return key_message(spec, SPEC_KEY_USER, LOG_LEVEL_ERROR,
				   "User: unknown group '%s' (not in /etc/group)", group);
	return 0;
}

/* SupplementaryGroups= to gids; without it the container has none (cleared in init). */
static int validate_groups(struct container_spec *spec)
{
	size_t n = strv_length(spec->supplementary_groups);
	uint32_t *gids;

	free(spec->groups);
	spec->groups = NULL;
	spec->n_groups = 0;
	if (n == 0)
		return 0;
	gids = calloc(n, sizeof(*gids));
	if (!gids)
		return log_error_errno(-ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (resolve_group(spec->supplementary_groups[i], &gids[i]) < 0) {
			free(gids);
			return key_message(spec, SPEC_KEY_SUPPLEMENTARY_GROUPS, LOG_LEVEL_ERROR,
					   "SupplementaryGroups: unknown group '%s' (not in "
					   "/etc/group)",
					   spec->supplementary_groups[i]);
		}
	spec->groups = gids;
	spec->n_groups = n;
	return 0;
}

/* The default working directory is the launcher's, recorded now (as the original tool did). */
static int validate_working_directory(struct container_spec *spec)
{
	char *cwd;

	if (spec->working_directory)
		return 0;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return log_error_errno(errno,
				       "cannot get the current directory (the container's "
				       "default working directory): %m; set WorkingDirectory=");
	spec->working_directory = cwd;
	return 0;
}

/*
 * AmbientCapabilities= must be a subset of the bounding set (the kernel
 * refuses to raise an ambient capability that is not permitted).
 */
static int validate_capabilities(const struct container_spec *spec)
{
	uint64_t extra = spec->ambient_caps & ~spec->capabilities;
	char *name;
	int r;

	if (!extra)
		return 0;
	name = cap_to_name((cap_value_t)__builtin_ctzll(extra));
	r = key_message(spec, SPEC_KEY_AMBIENT_CAPABILITIES, LOG_LEVEL_ERROR,
			"AmbientCapabilities: '%s' is not in the container's capability set "
			"(see Capabilities=, AddCapabilities=, DropCapabilities=)",
			name ? name : "?");
	cap_free(name);
	return r;
}

/*
 * What can be known before a run: RLIMIT_NOFILE can never exceed fs.nr_open
 * (LimitNOFILE=infinity means that value, as in systemd), and an
 * unprivileged launcher cannot raise a hard limit above its own.
 */
static int validate_rlimits(struct container_spec *spec)
{
	_cleanup_free_ char *text = NULL;
	uint64_t nr_open = 0;
	int ret = 0;

	if (spec->rlimits[SPEC_RLIMIT_NOFILE].set &&
	    read_file_at(AT_FDCWD, NR_OPEN_PATH, 64, &text) == 0 &&
	    safe_atou64(strstrip(text), &nr_open) == 0) {
		struct spec_rlimit_value *v = &spec->rlimits[SPEC_RLIMIT_NOFILE];

		if (v->soft == SPEC_RLIMIT_INFINITY)
			v->soft = nr_open;
		if (v->hard == SPEC_RLIMIT_INFINITY)
			v->hard = nr_open;
		if (v->hard > nr_open)
			ret = key_message(spec, SPEC_KEY_LIMIT_NOFILE, LOG_LEVEL_ERROR,
					  "LimitNOFILE: %llu is above the kernel's maximum "
					  "(fs.nr_open = %llu)",
					  (unsigned long long)v->hard, (unsigned long long)nr_open);
	}
	if (geteuid() == 0)
		return ret;
	for (int i = 0; i < _SPEC_RLIMIT_MAX; i++) {
		const struct spec_rlimit_value *v = &spec->rlimits[i];
		struct rlimit cur;

		if (!v->set || getrlimit(spec_rlimit_resource((enum spec_rlimit)i), &cur) < 0)
			continue;
		if (cur.rlim_max != RLIM_INFINITY &&
		    (v->hard == SPEC_RLIMIT_INFINITY || v->hard > cur.rlim_max))
			ret = key_message(spec, SPEC_KEY_LIMIT_NOFILE + i, LOG_LEVEL_ERROR,
					  "Limit%s: the hard limit is above the launcher's own "
					  "(%llu), which only a privileged launcher may raise",
					  spec_rlimit_to_string((enum spec_rlimit)i),
					  (unsigned long long)cur.rlim_max);
	}
	return ret;
}

/* Keeps the first failure of a chain of rules that all run (so every error is reported). */
static int first_error(int ret, int r)
{
	return ret < 0 ? ret : r;
}

/* One map as written: "C:H:N". */
static const char *idmap_string(const struct spec_idmap *m, char *buf, size_t size)
{
	snprintf(buf, size, "%u:%u:%u", m->inside, m->outside, m->count);
	return buf;
}

/*
 * The maps of UIDMap= (@key SPEC_KEY_UIDMAP) or GIDMap=: disjoint, and a map
 * for id 0 (the container's root, which init becomes before anything else).
 */
static int validate_idmaps(const struct container_spec *spec, enum spec_key key,
			   const struct spec_idmaps *maps)
{
	const char *name = key == SPEC_KEY_UIDMAP ? "UIDMap" : "GIDMap";
	char a[40], b[40];
	unsigned i, j;
	uint32_t host;

	if (idmaps_find_overlap(maps, &i, &j))
		return key_message(spec, key, LOG_LEVEL_ERROR,
				   "%s: maps '%s' and '%s' overlap (each container id and each "
				   "host id may be mapped once)",
				   name, idmap_string(&maps->v[i], a, sizeof(a)),
				   idmap_string(&maps->v[j], b, sizeof(b)));
	if (!spec_idmap_to_host(maps, 0, &host))
		return key_message(spec, key, LOG_LEVEL_ERROR,
				   "%s: no map for %s 0 in '%s' (the container's root needs one, "
				   "e.g. 0:100000:65536)",
				   name, key == SPEC_KEY_UIDMAP ? "uid" : "gid",
				   idmap_string(&maps->v[0], a, sizeof(a)));
	return 0;
}

/* UserNS=auto: the size against the ranges /etc/subuid or /etc/subgid offer. */
static int validate_userns_pool(const struct container_spec *spec, bool gid)
{
	struct subid_pool pool;
	const char *path = subid_path(gid);
	int r;

	r = subid_pool_read(path, &pool);
	if (r == -EDOM)
		return key_message(spec, SPEC_KEY_USERNS, LOG_LEVEL_ERROR,
				   "UserNS: the '%s' entry of %s contains host %s 0 (a container "
				   "would map its ids onto host root)",
				   pool.name, path, gid ? "gid" : "uid");
	if (r < 0)
		return key_message(spec, SPEC_KEY_USERNS, LOG_LEVEL_ERROR,
				   "UserNS: cannot read %s: %s", path, strerror(-r));
	if (subid_pool_largest(&pool) >= spec->userns_size)
		return 0;
	if (isempty(pool.name))
		return key_message(spec, SPEC_KEY_USERNS, LOG_LEVEL_ERROR,
				   "UserNS: 'auto:size=%u' is larger than the built-in range "
				   "(%u ids)",
				   spec->userns_size, subid_pool_largest(&pool));
	return key_message(spec, SPEC_KEY_USERNS, LOG_LEVEL_ERROR,
			   "UserNS: 'auto:size=%u' is not in %s: its largest '%s' range has %u ids",
			   spec->userns_size, path, pool.name, subid_pool_largest(&pool));
}

/* True when @id is one of the container's ids (always true without a user namespace). */
static bool userns_maps_id(const struct container_spec *spec, bool gid, uint32_t id)
{
	uint32_t host;

	if (spec->userns == SPEC_USERNS_AUTO)
		return id < spec->userns_size;
	if (spec->userns == SPEC_USERNS_MAPS)
		return spec_idmap_to_host(gid ? &spec->gid_map : &spec->uid_map, id, &host);
	return true;
}

/*
 * UserNS=, UIDMap=, GIDMap=: maps given without UserNS= make a user
 * namespace of those maps (podman's rule), UIDMap= alone serves for gids
 * too and GIDMap= alone for uids; with UserNS=host or auto they are an
 * error. Then the ids of User= and SupplementaryGroups= must be mapped.
 */
static int validate_userns(struct container_spec *spec)
{
	bool maps = spec->uid_map.n || spec->gid_map.n;
	enum spec_key key = spec->uid_map.n ? SPEC_KEY_UIDMAP : SPEC_KEY_GIDMAP;
	bool userns_set =
	    spec->origin[SPEC_KEY_USERNS].file || spec->origin[SPEC_KEY_USERNS].option;
	int ret = 0;

	if (maps && spec->userns != SPEC_USERNS_MAPS) {
		if (spec->userns == SPEC_USERNS_AUTO || userns_set)
			return key_message(spec, key, LOG_LEVEL_ERROR,
					   "%s: cannot be combined with UserNS=%s (the maps make "
					   "the user namespace: leave UserNS= out)",
					   key == SPEC_KEY_UIDMAP ? "UIDMap" : "GIDMap",
					   spec_userns_to_string(spec->userns));
		spec->userns = SPEC_USERNS_MAPS;
	}
	if (spec->userns == SPEC_USERNS_MAPS) {
		if (spec->uid_map.n)
			ret = first_error(ret,
					  validate_idmaps(spec, SPEC_KEY_UIDMAP, &spec->uid_map));
		if (spec->gid_map.n)
			ret = first_error(ret,
					  validate_idmaps(spec, SPEC_KEY_GIDMAP, &spec->gid_map));
		if (!spec->uid_map.n)
			spec->uid_map = spec->gid_map;
		if (!spec->gid_map.n)
			spec->gid_map = spec->uid_map;
	}
	if (spec->userns == SPEC_USERNS_AUTO) {
		ret = first_error(ret, validate_userns_pool(spec, false));
		ret = first_error(ret, validate_userns_pool(spec, true));
	}
	if (ret < 0 || !spec_has_userns(spec))
		return ret;
	if (!userns_maps_id(spec, false, spec->uid))
		return key_message(spec, SPEC_KEY_USER, LOG_LEVEL_ERROR,
				   "User: uid %u is not mapped in the user namespace (UserNS=%s)",
				   spec->uid, spec_userns_to_string(spec->userns));
	if (!userns_maps_id(spec, true, spec->gid))
		return key_message(spec, SPEC_KEY_USER, LOG_LEVEL_ERROR,
				   "User: gid %u is not mapped in the user namespace (UserNS=%s)",
				   spec->gid, spec_userns_to_string(spec->userns));
	for (size_t i = 0; i < spec->n_groups; i++)
		if (!userns_maps_id(spec, true, spec->groups[i]))
			return key_message(spec, SPEC_KEY_SUPPLEMENTARY_GROUPS, LOG_LEVEL_ERROR,
					   "SupplementaryGroups: gid %u is not mapped in the user "
					   "namespace (UserNS=%s)",
					   spec->groups[i], spec_userns_to_string(spec->userns));
	return 0;
}

/*
 * The file rules about values (one CPU unit, the ambient set within the
 * set) and, with @host, the host rules, in key order so that messages come
 * in the order of the keys.
 */
int config_validate_values(struct container_spec *spec, bool host)
{
	int ret = 0;

	if (host)
		ret = first_error(ret, validate_cpuset(spec));
	ret = first_error(ret, validate_limits(spec));
	if (host) {
		ret = first_error(ret, validate_swap(spec));
		ret = first_error(ret, validate_user(spec));
		ret = first_error(ret, validate_groups(spec));
	}
	ret = first_error(ret, validate_capabilities(spec));
	if (host)
		ret = first_error(ret, validate_rlimits(spec));
	/* The maps and the ids they must hold: User= and the pool of /etc/subuid are the host's. */
	if (host && ret >= 0)
		ret = validate_userns(spec);
	return ret;
}

/*
 * True when Namespaces= was set by the .container file, a drop-in or a `run`
 * option: mdlaunch.conf's namespaces are a default that Network= overrides.
 */
static bool namespaces_set_by_container(const struct container_spec *spec)
{
	const struct spec_origin *o = &spec->origin[SPEC_KEY_NAMESPACES];
	unsigned container = 0;

	if (o->option)
		return true;
	for (size_t i = 0; spec->source && spec->files && spec->files[i]; i++)
		if (streq(spec->files[i], spec->source)) {
			container = (unsigned)i + 1;
			break;
		}
	return container > 0 && o->file >= container;
}

/*
 * Network= against Namespaces=: "host" means no network namespace, "none"
 * and a CNI network need one. When Network= is unset it follows Namespaces=.
 * PublishPort= needs a CNI network. Fills spec->network. Returns 0, -EINVAL
 * (logged) or -ENOMEM.
 */
static int validate_network(struct container_spec *spec)
{
	bool explicit_ns = namespaces_set_by_container(spec);
	int r = 0;

	if (!spec->network) {
		spec->network =
		    strdup(spec->namespaces & NS_NET ? SPEC_NETWORK_NONE : SPEC_NETWORK_HOST);
		if (!spec->network)
			return log_error_errno(-ENOMEM, "out of memory");
	} else if (streq(spec->network, SPEC_NETWORK_HOST)) {
		if ((spec->namespaces & NS_NET) && explicit_ns)
			return key_message(spec, SPEC_KEY_NETWORK, LOG_LEVEL_ERROR,
					   "Network: 'host' shares the host's network, but "
					   "Namespaces= lists 'net' (remove one of them)");
		spec->namespaces &= ~(unsigned)NS_NET;
	} else {
		if (!(spec->namespaces & NS_NET) && explicit_ns)
			return key_message(spec, SPEC_KEY_NETWORK, LOG_LEVEL_ERROR,
					   "Network: '%s' needs a network namespace, but "
					   "Namespaces= does not list 'net'",
					   spec->network);
		spec->namespaces |= NS_NET;
	}
	if (spec->n_ports > 0 && !spec_network_is_cni(spec))
		r = key_message(
		    spec, SPEC_KEY_PUBLISH_PORT, LOG_LEVEL_ERROR,
		    "PublishPort: needs a CNI network (Network=%s has nothing to publish "
		    "on; use e.g. Network=" SPEC_NETWORK_BUILTIN ")",
		    spec->network);
	/* Generated /etc files are bound in the container's own mount namespace (runtime-etc.c). */
	if ((spec->dns || spec->add_hosts) && !(spec->namespaces & NS_MOUNT))
		key_message(spec, spec->dns ? SPEC_KEY_DNS : SPEC_KEY_ADD_HOST, LOG_LEVEL_WARN,
			    "%s: ignored without a mount namespace (the container sees the host's "
			    "/etc files)",
			    spec->dns ? "DNS" : "AddHost");
	return r;
}

int config_validate(struct container_spec *spec, bool host)
{
	int ret = 0;

	ret = first_error(ret, validate_command(spec));
	ret = first_error(ret, validate_names(spec));
	/* Before the working directory's default, which is "/" with Rootfs=. */
	ret = first_error(ret, config_validate_filesystem(spec, host));
	ret = first_error(ret, validate_working_directory(spec));
	ret = first_error(ret, config_validate_values(spec, host));
	ret = first_error(ret, validate_network(spec));
	if ((spec->namespaces & NS_PID) && !(spec->namespaces & NS_MOUNT))
		key_message(spec, SPEC_KEY_NAMESPACES, LOG_LEVEL_WARN,
			    "Namespaces: 'pid' without 'mount': the container will see the "
			    "host's /proc");
	return ret;
}
