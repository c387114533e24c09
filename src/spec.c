/* SPDX-License-Identifier: MIT */
/*
 * spec.c: defaults, destruction and the printable form of struct
 * container_spec, the boundary between the config front end and the runtime.
 */
#include "spec.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "util.h"

static const struct {
	const char *name;
	int resource;
	bool bytes;
} rlimit_table[_SPEC_RLIMIT_MAX] = {
	[SPEC_RLIMIT_NOFILE] = { "NOFILE", RLIMIT_NOFILE, false },
	[SPEC_RLIMIT_NPROC] = { "NPROC", RLIMIT_NPROC, false },
	[SPEC_RLIMIT_CORE] = { "CORE", RLIMIT_CORE, true },
	[SPEC_RLIMIT_FSIZE] = { "FSIZE", RLIMIT_FSIZE, true },
	[SPEC_RLIMIT_STACK] = { "STACK", RLIMIT_STACK, true },
	[SPEC_RLIMIT_AS] = { "AS", RLIMIT_AS, true },
};

const char *spec_rlimit_to_string(enum spec_rlimit r)
{
	return r >= 0 && r < _SPEC_RLIMIT_MAX ? rlimit_table[r].name : NULL;
}

int spec_rlimit_resource(enum spec_rlimit r)
{
	return r >= 0 && r < _SPEC_RLIMIT_MAX ? rlimit_table[r].resource : -EINVAL;
}

bool spec_rlimit_is_bytes(enum spec_rlimit r)
{
	return r >= 0 && r < _SPEC_RLIMIT_MAX && rlimit_table[r].bytes;
}

static const char *const namespace_names[] = {
	"uts", "pid", "mount", "net", "ipc", "cgroup",
};

int namespace_from_string(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
		if (strcaseeq(s, namespace_names[i]))
			return 1 << i;
	return -EINVAL;
}

const char *namespace_to_string(unsigned flag)
{
	for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
		if (flag == 1U << i)
			return namespace_names[i];
	return NULL;
}

struct container_spec *spec_new(void)
{
	struct container_spec *spec = calloc(1, sizeof(*spec));

	if (!spec)
		return NULL;
	spec->namespaces = NS_ALL;
	spec->memory_max = SPEC_MEMORY_UNSET;
	spec->memory_swap_max = SPEC_MEMORY_UNSET;
	spec->capabilities = SPEC_CAPS_DEFAULT;
	spec->no_new_privs = true;
	spec->stop_signal = SIGTERM;
	spec->stop_timeout = SPEC_STOP_TIMEOUT_DEFAULT;
	spec->strict_permissions = true;
	spec->cni_timeout = SPEC_CNI_TIMEOUT_DEFAULT;
	spec->userns_size = SPEC_USERNS_SIZE_DEFAULT;
	spec->read_only_tmpfs = true;
	spec->shm_size = SPEC_SHM_SIZE_DEFAULT;
	spec->inherit_environment = true;
	spec->path = strdup(SPEC_DEFAULT_PATH);
	if (!spec->path || strv_extend(&spec->network_config_dirs, "/etc/mdlaunch/net.d") < 0 ||
	    strv_extend(&spec->network_config_dirs, "/etc/cni/net.d") < 0 ||
	    strv_extend(&spec->cni_path, "/usr/lib/cni") < 0 ||
	    strv_extend(&spec->cni_path, "/opt/cni/bin") < 0)
		return spec_free(spec);
	return spec;
}

const char *spec_port_to_string(const struct spec_port *p, char *buf, size_t size)
{
	char host[16], ctr[16];

	if (p->count > 1) {
		snprintf(host, sizeof(host), "%u-%u", p->host_port, p->host_port + p->count - 1);
		snprintf(ctr, sizeof(ctr), "%u-%u", p->container_port,
			 p->container_port + p->count - 1);
	} else {
		snprintf(host, sizeof(host), "%u", p->host_port);
		snprintf(ctr, sizeof(ctr), "%u", p->container_port);
	}
	if (!p->host_ip[0])
		snprintf(buf, size, "%s:%s/%s", host, ctr, p->protocol);
	else if (strchr(p->host_ip, ':'))
		snprintf(buf, size, "[%s]:%s:%s/%s", p->host_ip, host, ctr, p->protocol);
	else
		snprintf(buf, size, "%s:%s:%s/%s", p->host_ip, host, ctr, p->protocol);
	return buf;
}

bool spec_network_is_cni(const struct container_spec *spec)
{
	return spec->network && !streq(spec->network, SPEC_NETWORK_NONE) &&
	       !streq(spec->network, SPEC_NETWORK_HOST);
}

const char *spec_origin_file(const struct container_spec *spec, enum spec_key key)
{
	unsigned f = spec->origin[key].file;

	if (f == 0 || f > strv_length(spec->files))
		return NULL;
	return spec->files[f - 1];
}

/* Frees what @o owns (its value and its earlier assignments) and clears it. */
static void spec_origin_clear(struct spec_origin *o)
{
	for (size_t i = 0; i < o->n_earlier; i++)
		free(o->earlier[i].value);
	free(o->earlier);
	free(o->value);
	*o = (struct spec_origin){ 0 };
}

void spec_set_origin(struct container_spec *spec, enum spec_key key, unsigned file, unsigned line)
{
	spec_origin_clear(&spec->origin[key]);
	spec->origin[key] = (struct spec_origin){ .file = file, .line = line };
}

int spec_add_origin(struct container_spec *spec, enum spec_key key, unsigned file, unsigned line,
		    const char *option, const char *value)
{
	struct spec_origin *o = &spec->origin[key], *earlier;
	char *copy = strdup(value ? value : "");

	if (!copy)
		return -ENOMEM;
	if (o->file > 0 || o->option) {
		earlier = reallocarray(o->earlier, o->n_earlier + 1, sizeof(*earlier));
		if (!earlier) {
			free(copy);
			return -ENOMEM;
		}
		o->earlier = earlier;
		earlier[o->n_earlier++] = (struct spec_origin){
			.file = o->file, .line = o->line, .option = o->option, .value = o->value
		};
	} else {
		free(o->value);
	}
	o->file = file;
	o->line = line;
	o->option = option;
	o->value = copy;
	return 0;
}

void spec_set_origin_option(struct container_spec *spec, enum spec_key key, const char *option)
{
	spec_set_origin(spec, key, 0, 0);
	spec->origin[key].option = option;
}

int spec_add_file(struct container_spec *spec, const char *path)
{
	char *s = strdup(path);
	int r;

	if (!s)
		return -ENOMEM;
	r = strv_consume(&spec->files, s);
	if (r < 0)
		return r;
	return (int)strv_length(spec->files);
}

int spec_add_mount(struct container_spec *spec, const struct spec_mount *m)
{
	struct spec_mount copy = *m, *v;

	copy.source = copy.data = NULL;
	copy.target = strdup(m->target);
	if (!copy.target || (m->source && !(copy.source = strdup(m->source))) ||
	    (m->data && !(copy.data = strdup(m->data))))
		goto out_nomem;
	v = reallocarray(spec->mounts, spec->n_mounts + 1, sizeof(*v));
	if (!v)
		goto out_nomem;
	v[spec->n_mounts++] = copy;
	spec->mounts = v;
	return 0;

out_nomem:
	free(copy.source);
	free(copy.target);
	free(copy.data);
	return -ENOMEM;
}

/* Frees spec->mounts and empties it. */
static void spec_clear_mounts(struct container_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].source);
		free(spec->mounts[i].target);
		free(spec->mounts[i].data);
	}
	free(spec->mounts);
	spec->mounts = NULL;
	spec->n_mounts = 0;
}

struct container_spec *spec_free(struct container_spec *spec)
{
	if (!spec)
		return NULL;
	free(spec->name);
	free(spec->source);
	strv_free(spec->argv);
	strv_free(spec->env);
	strv_free(spec->environment_files);
	free(spec->path);
	free(spec->hostname);
	free(spec->cpuset);
	free(spec->cgroup_parent);
	free(spec->user);
	strv_free(spec->supplementary_groups);
	free(spec->groups);
	free(spec->working_directory);
	free(spec->rootfs);
	spec_clear_mounts(spec);
	strv_free(spec->mask_paths);
	strv_free(spec->unmask_paths);
	free(spec->seccomp_profile);
	spec_clear_devices(spec);
	for (size_t i = 0; i < ELEMENTSOF(spec->origin); i++)
		spec_origin_clear(&spec->origin[i]);
	strv_free(spec->files);
	free(spec->network);
	free(spec->ports);
	strv_free(spec->dns);
	strv_free(spec->add_hosts);
	strv_free(spec->network_config_dirs);
	strv_free(spec->cni_path);
	free(spec);
	return NULL;
}

const char *spec_userns_to_string(enum spec_userns mode)
{
	static const char *const names[_SPEC_USERNS_MAX] = {
		[SPEC_USERNS_HOST] = "host",
		[SPEC_USERNS_AUTO] = "auto",
		[SPEC_USERNS_MAPS] = "maps",
	};

	return mode >= 0 && mode < _SPEC_USERNS_MAX ? names[mode] : NULL;
}

bool spec_idmap_to_host(const struct spec_idmaps *maps, uint32_t id, uint32_t *ret)
{
	for (unsigned i = 0; i < maps->n && i < SPEC_IDMAP_MAX; i++) {
		const struct spec_idmap *m = &maps->v[i];

		if (id >= m->inside && id - m->inside < m->count) {
			*ret = m->outside + (id - m->inside);
			return true;
		}
	}
	return false;
}

int spec_add_device(struct container_spec *spec, const struct spec_device *dev)
{
	struct spec_device copy = *dev, *devs;

	copy.host = strdup(dev->host);
	copy.container = strdup(dev->container ? dev->container : dev->host);
	if (!copy.host || !copy.container)
		goto out_nomem;
	devs = reallocarray(spec->devices, spec->n_devices + 1, sizeof(*devs));
	if (!devs)
		goto out_nomem;
	devs[spec->n_devices++] = copy;
	spec->devices = devs;
	return 0;

out_nomem:
	free(copy.host);
	free(copy.container);
	return -ENOMEM;
}

void spec_clear_devices(struct container_spec *spec)
{
	for (size_t i = 0; i < spec->n_devices; i++) {
		free(spec->devices[i].host);
		free(spec->devices[i].container);
	}
	free(spec->devices);
	spec->devices = NULL;
	spec->n_devices = 0;
}

const char *spec_hostname(const struct container_spec *spec)
{
	return spec->hostname ? spec->hostname : spec->name;
}

/* Writes @s to @f in double quotes with C-style escapes for '"', '\\' and non-printables. */
static void fputs_quoted(const char *s, FILE *f)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* Bytes >= 0x80 pass through so UTF-8 stays readable. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void dump_size(const char *key, uint64_t v, FILE *f)
{
	if (v == SPEC_MEMORY_UNSET)
		fprintf(f, "%-12s (unset)\n", key);
	else if (v == SPEC_MEMORY_INFINITY)
		fprintf(f, "%-12s max\n", key);
	else
		fprintf(f, "%-12s %" PRIu64 " bytes\n", key, v);
}

/* Prints @mask as capability names ("CAP_CHOWN CAP_KILL"), or "(none)". */
static void dump_caps(const char *key, uint64_t mask, FILE *f)
{
	fprintf(f, "%-12s", key);
	if (!mask)
		fprintf(f, " (none)");
	for (unsigned b = 0; b < SPEC_CAP_BITS; b++) {
		char *name;

		if (!(mask & (1ULL << b)))
			continue;
		name = cap_to_name((cap_value_t)b);
		fputc(' ', f);
		for (const char *p = name ? name : "?"; *p; p++)
			fputc(toupper((unsigned char)*p), f);
		cap_free(name);
	}
	fputc('\n', f);
}

static void dump_rlimit_value(uint64_t v, FILE *f)
{
	if (v == SPEC_RLIMIT_INFINITY)
		fputs("infinity", f);
	else
		fprintf(f, "%" PRIu64, v);
}

/* The least-privilege part of `show`: the final sets, the user, cwd and rlimits. */
static void dump_security(const struct container_spec *spec, FILE *f)
{
	dump_caps("capabilities", spec->capabilities, f);
	dump_caps("ambient-caps", spec->ambient_caps, f);
	fprintf(f, "%-12s %s\n", "no-new-privs", spec->no_new_privs ? "true" : "false");
	fprintf(f, "%-12s uid %" PRIu32 " gid %" PRIu32, "user", spec->uid, spec->gid);
	if (spec->user) {
		fprintf(f, " (User= ");
		fputs_quoted(spec->user, f);
		fputc(')', f);
	}
	fputc('\n', f);
	fprintf(f, "%-12s", "groups");
	for (size_t i = 0; i < spec->n_groups; i++)
		fprintf(f, " %" PRIu32, spec->groups[i]);
	fprintf(f, "%s\n", spec->n_groups ? "" : " (none: cleared)");
	fprintf(f, "%-12s ", "workdir");
	fputs_quoted(spec->working_directory ? spec->working_directory : "", f);
	fputc('\n', f);
	for (int i = 0; i < _SPEC_RLIMIT_MAX; i++) {
		const struct spec_rlimit_value *v = &spec->rlimits[i];

		fprintf(f, "limit-%-6s ", spec_rlimit_to_string((enum spec_rlimit)i));
		if (!v->set) {
			fputs("(inherited)\n", f);
			continue;
		}
		dump_rlimit_value(v->soft, f);
		fputc(':', f);
		dump_rlimit_value(v->hard, f);
		fputc('\n', f);
	}
}

static void dump_idmaps(const char *key, const struct spec_idmaps *maps, FILE *f)
{
	fprintf(f, "%-12s", key);
	for (unsigned i = 0; i < maps->n && i < SPEC_IDMAP_MAX; i++)
		fprintf(f, " %" PRIu32 ":%" PRIu32 ":%" PRIu32, maps->v[i].inside,
			maps->v[i].outside, maps->v[i].count);
	fputc('\n', f);
}

/* The user namespace part of `show`: the mode and the maps (inside:host:count). */
static void dump_userns(const struct container_spec *spec, FILE *f)
{
	fprintf(f, "%-12s %s", "userns", spec_userns_to_string(spec->userns));
	if (spec->userns == SPEC_USERNS_AUTO)
		fprintf(f,
			":size=%" PRIu32 " (uid and gid 0-%" PRIu32
			" inside; the host range is allocated at run time)",
			spec->userns_size, spec->userns_size - 1);
	else if (spec->userns == SPEC_USERNS_HOST)
		fprintf(f, " (no user namespace)");
	fputc('\n', f);
	if (spec->userns != SPEC_USERNS_MAPS)
		return;
	dump_idmaps("uid-map", &spec->uid_map, f);
	dump_idmaps("gid-map", &spec->gid_map, f);
}

/* The file-system part of `show`: the root, the volumes and tmpfs, read-only. */
static void dump_filesystem(const struct container_spec *spec, FILE *f)
{
	static const char *const kinds[] = { "volume", "anon-volume", "tmpfs" };

	fprintf(f, "%-12s ", "rootfs");
	if (spec->rootfs) {
		fputs_quoted(spec->rootfs, f);
		fputs(spec->rootfs_overlay ? " (overlay, private upper layer)\n" : "\n", f);
	} else {
		fputs("(the host's root)\n", f);
	}
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		fprintf(f, "%-12s ", kinds[m->kind < ELEMENTSOF(kinds) ? m->kind : 0]);
		if (m->source) {
			fputs_quoted(m->source, f);
			fputs(" on ", f);
		}
		fputs_quoted(m->target, f);
		fprintf(f, "%s%s%s%s%s%s%s\n", m->flags & SPEC_MOUNT_RDONLY ? " ro" : " rw",
			m->flags & SPEC_MOUNT_NOSUID ? ",nosuid" : "",
			m->flags & SPEC_MOUNT_NODEV ? ",nodev" : "",
			m->flags & SPEC_MOUNT_NOEXEC ? ",noexec" : "",
			m->flags & SPEC_MOUNT_IDMAP ? ",idmap" : "", m->data ? "," : "",
			m->data ? m->data : "");
	}
	fprintf(f, "%-12s %s\n", "read-only", spec->read_only ? "true" : "false");
	fprintf(f, "%-12s %s\n", "ro-tmpfs",
		!spec->read_only	? "(no: ReadOnly=false)"
		: spec->read_only_tmpfs ? "true (/tmp /var/tmp /run)"
					: "false");
}

void spec_dump(const struct container_spec *spec, FILE *f)
{
	fprintf(f, "%-12s %s\n", "name", spec->name ? spec->name : "(none)");
	fprintf(f, "%-12s %s\n", "source", spec->source ? spec->source : "(command line)");
	fprintf(f, "argv\n");
	for (size_t i = 0; spec->argv && spec->argv[i]; i++) {
		fprintf(f, "  [%zu] ", i);
		fputs_quoted(spec->argv[i], f);
		fputc('\n', f);
	}
	fprintf(f, "environment\n");
	fprintf(f, "  ");
	fputs_quoted("PATH", f);
	fprintf(f, " = ");
	fputs_quoted(spec->path, f);
	fputc('\n', f);
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		const char *eq = strchr(spec->env[i], '=');
		_cleanup_free_ char *key =
		    strndup(spec->env[i], eq ? (size_t)(eq - spec->env[i]) : 0);

		fprintf(f, "  ");
		fputs_quoted(key ? key : "", f);
		fprintf(f, " = ");
		fputs_quoted(eq ? eq + 1 : "", f);
		fputc('\n', f);
	}
	fprintf(f, "%-12s %s\n", "tty",
		spec->tty ? "true (a pty of its own when stdin is a terminal, else stdin shared)"
			  : "false (stdin /dev/null)");
	fprintf(f, "%-12s ", "hostname");
	fputs_quoted(spec_hostname(spec), f);
	fprintf(f, "%s\n", spec->namespaces & NS_UTS ? "" : " (ignored: no uts namespace)");
	fprintf(f, "%-12s", "namespaces");
	for (unsigned b = 1; b & NS_ALL; b <<= 1)
		if (spec->namespaces & b)
			fprintf(f, " %s", namespace_to_string(b));
	if (!(spec->namespaces & NS_ALL))
		fprintf(f, " (none)");
	fputc('\n', f);
	dump_size("memory", spec->memory_max, f);
	dump_size("memory-swap", spec->memory_swap_max, f);
	if (spec->cpu_shares)
		fprintf(f, "%-12s %" PRIu64 "\n", "cpu-shares", spec->cpu_shares);
	else
		fprintf(f, "%-12s (unset)\n", "cpu-shares");
	if (spec->cpu_weight)
		fprintf(f, "%-12s %" PRIu64 "\n", "cpu-weight", spec->cpu_weight);
	else
		fprintf(f, "%-12s (unset)\n", "cpu-weight");
	fprintf(f, "%-12s %s\n", "cpuset", spec->cpuset ? spec->cpuset : "(unset)");
	if (spec->pids_max == SPEC_PIDS_INFINITY)
		fprintf(f, "%-12s max\n", "pids-limit");
	else if (spec->pids_max)
		fprintf(f, "%-12s %" PRIu64 "\n", "pids-limit", spec->pids_max);
	else
		fprintf(f, "%-12s (unset)\n", "pids-limit");
	fprintf(f, "%-12s %" PRIu64 " bytes\n", "shm-size", spec->shm_size);
	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct spec_device *d = &spec->devices[i];

		fprintf(f, "%-12s %s%s:%s:%s%s%s\n", "add-device", d->optional ? "-" : "", d->host,
			d->container, d->perms & SPEC_DEV_READ ? "r" : "",
			d->perms & SPEC_DEV_WRITE ? "w" : "", d->perms & SPEC_DEV_MKNOD ? "m" : "");
	}
	dump_security(spec, f);
	dump_userns(spec, f);
	dump_filesystem(spec, f);
}
