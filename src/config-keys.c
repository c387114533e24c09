/* SPDX-License-Identifier: MIT */
/*
 * config-keys.c: the key table of the config front end, one descriptor per
 * .container key (systemd-nspawn's settings table, quadlet's key lists): its
 * name, its spec_key, the parser that checks the text and writes the spec,
 * the formatter that prints the spec's value (show --effective, typed for
 * show --json), the `run` option that sets it, and the section of
 * mdlaunch.container(5) that documents it. The .container loader, the
 * drop-ins, the run options, show, --help (and so the bash completion) and
 * the "every key is documented" unit test all walk config_keys[].
 *
 * Adding a key:
 *   1. spec.h: the field (with an "unset" value) and a SPEC_KEY_* id.
 *   2. Here: one row in config_keys[]; a parser and a formatter if none of
 *      the existing ones fits (a parser reports through key_error(), which
 *      prefixes the key or option name and the file:line; the value parsers
 *      themselves go in config-values.c, pure); .option when `run` sets it.
 *   3. Its runtime use (runtime-*.c, cgroup-*.c, or the mount plan).
 *   4. Docs: a ".TP / .BI Key= ..." entry in the row's .doc section of
 *      man/mdlaunch.container.5 (a unit test checks it), the README key table.
 *   5. Tests: a unit test of the parser's values and messages, a bats test of
 *      the runtime effect, a corpus line for the fuzzers when the syntax is new.
 * Nothing else changes: the loader, run, show, --json and --help follow.
 *
 * Parsers never look at the host (users, CPUs online, controllers): that is
 * config-validate.c's host rules, run by `run` and `check --host`.
 */
#include "config-keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "config-file.h"
#include "config-rootfs.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

/* Logs "label: message" at c->path:c->line (or plainly) and counts it; returns -EINVAL. */
_printf_(2, 3) static int key_error(struct key_ctx *c, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (c->quiet)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->n_errors++;
	if (c->path)
		return log_syntax(c->path, c->line, LOG_LEVEL_ERROR, "%s: %s", c->label, msg);
	log_error("%s: %s", c->label, msg);
	return -EINVAL;
}

/* ------------------------------------------------------------------------- */
/* Parsers: text to spec field */

/* Words the errors of split_words(); returns -EINVAL (logged) or -ENOMEM. */
static int split_error(struct key_ctx *c, const char *value, int r)
{
	if (r == -EBADMSG)
		return key_error(c, "unterminated quote in '%s'", value);
	if (r == -EINVAL)
		return key_error(c,
				 "invalid escape in '%s' (use \\\\, \\\", \\', \\n, \\t, \\xNN, "
				 "...; no \\0)",
				 value);
	return r;
}

/* Replaces the string at @field with a copy of @value. Returns 0 or -ENOMEM. */
static int set_string(void *field, const char *value)
{
	char **p = field;
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*p);
	*p = s;
	return 0;
}

static int parse_command_key(struct key_ctx *c, const struct config_key *k, const char *value,
			     void *field)
{
	char ***argv = field;
	char **l = NULL;
	int r;

	(void)k;
	r = split_words(value, &l);
	if (r < 0)
		return split_error(c, value, r);
	if (!l[0] || l[0][0] == '\0') {
		strv_free(l);
		return key_error(c, "empty program name in '%s'", value);
	}
	strv_free(*argv);
	*argv = l;
	return 0;
}

static int parse_bool_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	(void)k;
	if (parse_bool(value, field) < 0)
		return key_error(c, "invalid boolean '%s' " CONFIG_BOOL_HINT, value);
	return 0;
}

static int parse_size_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	int r = parse_size(value, field);

	(void)k;
	if (r == -ERANGE)
		return key_error(c, "size '%s' out of range (1 byte to 16777215T, or max)", value);
	if (r < 0)
		return key_error(c, "invalid size '%s' " CONFIG_SIZE_HINT, value);
	return 0;
}

static int parse_swap_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	int r = parse_swap_size(value, field);

	(void)k;
	if (r == -ERANGE)
		return key_error(c, "size '%s' out of range (0 to 16777215T, or max)", value);
	if (r < 0)
		return key_error(c, "invalid size '%s' " CONFIG_SIZE_HINT, value);
	return 0;
}

/*
 * A run option sets the CPU weight in one unit and drops the file's setting
 * in the other (CPUShares= and CPUWeight= together are an error, but
 * --cpu-weight must override a file's CPUShares=). Both options together
 * stay an error for config_validate().
 */
static void option_replaces(struct key_ctx *c, const struct config_key *k, enum spec_key other)
{
	if (!c->option || c->spec->origin[other].option == config_key_from_id(other)->option.name)
		return;
	if (other == SPEC_KEY_CPU_WEIGHT)
		c->spec->cpu_weight = 0;
	else
		c->spec->cpu_shares = 0;
	spec_set_origin_option(c->spec, other, k->option.name);
}

static int parse_shares_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	if (parse_cpu_shares(value, field) < 0)
		return key_error(c, "invalid value '%s' " CONFIG_SHARES_HINT, value);
	option_replaces(c, k, SPEC_KEY_CPU_WEIGHT);
	return 0;
}

static int parse_weight_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	if (parse_cpu_weight(value, field) < 0)
		return key_error(c, "invalid value '%s' " CONFIG_WEIGHT_HINT, value);
	option_replaces(c, k, SPEC_KEY_CPU_SHARES);
	return 0;
}

static int parse_cpuset_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	char **cpuset = field;
	char *s = NULL;
	int r;

	(void)k;
	r = parse_cpuset(value, &s);
	if (r == -ERANGE)
		return key_error(c, "CPU number out of range in '%s' (at most %u)", value,
				 CONFIG_CPU_MAX);
	if (r == -EINVAL)
		return key_error(c, "invalid CPU list '%s' " CONFIG_CPUSET_HINT, value);
	if (r < 0)
		return r;
	free(*cpuset);
	*cpuset = s;
	return 0;
}

static int parse_hostname_key(struct key_ctx *c, const struct config_key *k, const char *value,
			      void *field)
{
	(void)k;
	if (!hostname_is_valid(value))
		return key_error(c, "invalid hostname '%s' (1 to 64 bytes, no '/')", value);
	return set_string(field, value);
}

static int parse_name_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	(void)k;
	if (!name_is_valid(value))
		return key_error(c, "invalid name '%s' " CONFIG_NAME_HINT, value);
	return set_string(field, value);
}

static int parse_namespaces_key(struct key_ctx *c, const struct config_key *k, const char *value,
				void *field)
{
	int r = parse_namespaces(value, field);

	(void)k;
	if (r == -EINVAL)
		return key_error(c, "invalid namespace list '%s' " CONFIG_NAMESPACES_HINT, value);
	return r;
}

/*
 * One KEY=VALUE of Environment= or --env: PATH goes to spec->path (the
 * runtime makes it the container's PATH and resolves argv[0] through it),
 * everything else into spec->env (a later KEY replaces an earlier one).
 * Returns 0, -EINVAL (reported) or -ENOMEM.
 */
static int environment_set(struct key_ctx *c, char ***env, const char *assignment)
{
	if (!env_assignment_is_valid(assignment))
		return key_error(c,
				 "invalid assignment '%s' (use KEY=VALUE, KEY made of A-Z a-z 0-9 "
				 "_ and not starting with a digit)",
				 assignment);
	if (strncmp(assignment, "PATH=", 5) == 0) {
		if (assignment[5] == '\0')
			return key_error(c, "PATH must not be empty");
		return set_string(&c->spec->path, assignment + 5);
	}
	return env_vector_set(env, assignment);
}

/*
 * Environment=: words, each KEY=VALUE (every bad one is reported); --env: one
 * assignment, taken whole (a shell already split the words).
 */
static int parse_environment_key(struct key_ctx *c, const struct config_key *k, const char *value,
				 void *field)
{
	_cleanup_strv_free_ char **l = NULL;
	int r, bad = 0;

	(void)k;
	if (c->option)
		return environment_set(c, field, value);
	r = split_words(value, &l);
	if (r < 0)
		return split_error(c, value, r);
	for (char **e = l; *e; e++) {
		r = environment_set(c, field, *e);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			bad = r;
	}
	return bad;
}

/* The largest EnvironmentFile= (as a .container). */
#define ENV_FILE_MAX (1024 * 1024)

/*
 * EnvironmentFile=[-]PATH (and --env-file): reads the file now, like a
 * drop-in (a file fact, not a host fact: `check` reports its errors at their
 * lines), into spec->env through environment_set(). A relative PATH is taken
 * from the directory of the .container that names it (of the current
 * directory for --env-file). A leading '-' ignores a missing file, as
 * systemd does. The trust check is the .container's. Returns 0, -EINVAL
 * (reported) or -ENOMEM.
 */
static int parse_environment_file_key(struct key_ctx *c, const struct config_key *k,
				      const char *value, void *field)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *copy = NULL;
	bool optional = value[0] == '-';
	const char *name = optional ? value + 1 : value;
	const char *slash = c->path ? strrchr(c->path, '/') : NULL;
	unsigned line = 0;
	int r, bad = 0;

	(void)k;
	if (*name == '\0')
		return key_error(c, "empty path");
	if (name[0] == '/' || !slash)
		path = strdup(name);
	else
		path = strdup_printf("%.*s/%s", (int)(slash - c->path), c->path, name);
	copy = strdup(value);
	if (!path || !copy)
		return -ENOMEM;
	r = config_file_read_quiet(path, ENV_FILE_MAX, c->spec->strict_permissions, &text);
	if (r == -ENOENT && optional)
		return strv_consume(field, TAKE_PTR(copy));
	if (r == -EPERM)
		return key_error(c, "'%s': refused by the trust check (above)", path);
	if (r == -EINVAL)
		return key_error(c, "'%s' is not a regular file", path);
	if (r == -EBADMSG)
		return key_error(c, "'%s' contains a NUL byte", path);
	if (r < 0)
		return key_error(c, "cannot read '%s': %s", path, strerror(-r));
	r = strv_consume(field, TAKE_PTR(copy));
	if (r < 0)
		return r;
	for (char *p = text, *next; p && *p; p = next) {
		_cleanup_free_ char *assignment = NULL;
		unsigned start = ++line;

		r = env_file_line(&p, &next, &line, &assignment);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			bad = key_error(c,
					"%s:%u: invalid line (use KEY=VALUE, the value optionally "
					"quoted; a quote must end)",
					path, start);
			continue;
		}
		if (!assignment)
			continue;
		r = environment_set(c, &c->spec->env, assignment);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			bad = r;
	}
	return bad;
}

/* Logs a bad capability list (@bad: the offending word); returns -EINVAL or -ENOMEM. */
static int caps_error(struct key_ctx *c, const char *value, int r, const char *bad)
{
	unsigned cap;

	if (r != -EINVAL)
		return r;
	if (strcaseeq(bad, "all") || strcaseeq(bad, "none") || parse_capability(bad, &cap) == 0)
		return key_error(c, "'all' and 'none' must stand alone in '%s'", value);
	return key_error(c, "unknown capability '%s' " CONFIG_CAPS_HINT, bad);
}

/* Capabilities= and AmbientCapabilities=: the list replaces the mask at @field. */
static int parse_caps_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	char bad[64] = "";
	int r = parse_capability_list(value, field, bad, sizeof(bad));

	(void)k;
	return r < 0 ? caps_error(c, value, r, bad) : 0;
}

enum { CAPS_ADD = 1, CAPS_DROP };

/*
 * AddCapabilities= and DropCapabilities= (k->arg), --cap-add and --cap-drop:
 * kept in the context and applied at the end of the layer (the files, or the
 * run options), so that their order relative to Capabilities= does not
 * matter (@field is unused).
 */
static int parse_caps_change_key(struct key_ctx *c, const struct config_key *k, const char *value,
				 void *field)
{
	char bad[64] = "";
	uint64_t mask = 0;
	int r;

	(void)field;
	r = parse_capability_list(value, &mask, bad, sizeof(bad));
	if (r < 0)
		return caps_error(c, value, r, bad);
	/* A file's line replaces the earlier one; repeated run options add up (podman's). */
	if (k->arg == CAPS_ADD)
		c->cap_add = c->option ? c->cap_add | mask : mask;
	else
		c->cap_drop = c->option ? c->cap_drop | mask : mask;
	return 0;
}

static int parse_pids_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	(void)k;
	if (parse_pids_limit(value, field) < 0)
		return key_error(c, "invalid value '%s' " CONFIG_PIDS_HINT, value);
	return 0;
}

/* ShmSize=: a size as Memory= has, but a number (a tmpfs without a limit is not offered). */
static int parse_shm_key(struct key_ctx *c, const struct config_key *k, const char *value,
			 void *field)
{
	uint64_t v;
	int r = parse_size(value, &v);

	(void)k;
	if (r == -ERANGE || (r == 0 && v == SPEC_MEMORY_INFINITY))
		return key_error(c, "size '%s' out of range (1 byte to 16777215T)", value);
	if (r < 0)
		return key_error(c, "invalid size '%s' " CONFIG_SIZE_HINT, value);
	*(uint64_t *)field = v;
	return 0;
}

/* The 1-based index of @path in spec->files (where a list entry was written), 0: none. */
static unsigned file_index(const struct container_spec *spec, const char *path)
{
	for (size_t i = 0; path && spec->files && spec->files[i]; i++)
		if (streq(spec->files[i], path))
			return (unsigned)i + 1;
	return 0;
}

/*
 * AddDevice=: one or more entries per line, each appended with the file and
 * line it came from (a run reports a missing host node there); "" empties
 * the list. --device: one entry. Only the syntax is checked: the host node
 * is a host fact, looked at by a run and by check --host.
 */
static int parse_device_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	_cleanup_strv_free_ char **l = NULL;
	int r, bad = 0;

	(void)k;
	(void)field;
	if (*value == '\0') {
		spec_clear_devices(c->spec);
		return 0;
	}
	if (c->option)
		r = strv_extend(&l, value);
	else
		r = split_words(value, &l);
	if (r < 0)
		return split_error(c, value, r);
	for (char **e = l; *e; e++) {
		struct spec_device d = { .file = file_index(c->spec, c->path), .line = c->line };

		r = parse_device(*e, &d);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			bad = key_error(c, "invalid device '%s' " CONFIG_DEVICE_HINT, *e);
			continue;
		}
		r = spec_add_device(c->spec, &d);
		free(d.host);
		free(d.container);
		if (r < 0)
			return r;
	}
	return bad;
}

static int parse_signal_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	(void)k;
	if (parse_signal(value, field) < 0)
		return key_error(
		    c, "invalid signal '%s' (a name like TERM or SIGTERM, or a number)", value);
	return 0;
}

static int parse_stop_timeout_key(struct key_ctx *c, const struct config_key *k, const char *value,
				  void *field)
{
	(void)k;
	if (parse_stop_timeout(value, field) < 0)
		return key_error(c,
				 "invalid timeout '%s' (whole seconds, 0 to %u; 0 waits forever)",
				 value, SPEC_STOP_TIMEOUT_MAX);
	return 0;
}

static int parse_notify_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	(void)k;
	if (parse_notify(value, field) < 0)
		return key_error(c, "invalid value '%s' (launcher or passthrough)", value);
	return 0;
}

/* Limit*=: k->arg is the SPEC_RLIMIT_* of the key. */
static int parse_rlimit_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	struct spec_rlimit_value *v = field;
	bool bytes = spec_rlimit_is_bytes((enum spec_rlimit)k->arg);
	uint64_t soft, hard;
	int r;

	r = parse_rlimit(value, bytes, &soft, &hard);
	if (r == -EDOM)
		return key_error(c, "soft limit above the hard limit in '%s'", value);
	if (r == -ERANGE)
		return key_error(c, "value out of range in '%s'", value);
	if (r < 0)
		return key_error(c, "invalid value '%s' " CONFIG_RLIMIT_HINT "%s", value,
				 bytes ? " (sizes may use K, M, G, T)" : "");
	v->set = true;
	v->soft = soft;
	v->hard = hard;
	return 0;
}

/* User=: checked here for its form; the host rules of config-validate.c resolve it. */
static int parse_user_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	_cleanup_free_ char *u = NULL, *g = NULL;
	int r;

	(void)k;
	r = parse_user(value, &u, &g);
	if (r == -EINVAL)
		return key_error(c, "invalid user '%s' " CONFIG_USER_HINT, value);
	if (r < 0)
		return r;
	return set_string(field, value);
}

static int parse_groups_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	char ***groups = field;
	char **l = NULL;
	char bad[64] = "";
	int r;

	(void)k;
	r = parse_group_list(value, &l, bad, sizeof(bad));
	if (r == -EINVAL)
		return key_error(c, "invalid group '%s' (a name or a numeric id)", bad);
	if (r < 0)
		return r;
	strv_free(*groups);
	*groups = l;
	return 0;
}

static int parse_workdir_key(struct key_ctx *c, const struct config_key *k, const char *value,
			     void *field)
{
	(void)k;
	if (!working_directory_is_valid(value))
		return key_error(c, "'%s' is not an absolute path", value);
	return set_string(field, value);
}

static int parse_network_key(struct key_ctx *c, const struct config_key *k, const char *value,
			     void *field)
{
	(void)k;
	if (!network_name_is_valid(value))
		return key_error(c, "invalid network '%s' " CONFIG_NETWORK_HINT, value);
	return set_string(field, value);
}

/*
 * PublishPort=: each line (and each --publish) adds its mappings; the loader
 * resets the list on an empty line. @field is unused: the ports and their
 * count are two fields.
 */
static int parse_publish_key(struct key_ctx *c, const struct config_key *k, const char *value,
			     void *field)
{
	char bad[128] = "";
	int r;

	(void)k;
	(void)field;
	r = parse_port_list(value, &c->spec->ports, &c->spec->n_ports, bad, sizeof(bad));
	if (r == -EINVAL)
		return key_error(c, "invalid port mapping '%s' " CONFIG_PORT_HINT, bad);
	return r;
}

/* DNS=: each line (and each --dns) adds its addresses. */
static int parse_dns_key(struct key_ctx *c, const struct config_key *k, const char *value,
			 void *field)
{
	char ***dns = field;
	char bad[128] = "";
	int r;

	(void)k;
	r = parse_dns_list(value, dns, bad, sizeof(bad));
	if (r == -EINVAL)
		return key_error(c, "invalid address '%s' (an IPv4 or IPv6 address)", bad);
	return r;
}

/* AddHost=: each line (and each --add-host) adds its NAME:ADDRESS entries. */
static int parse_add_host_key(struct key_ctx *c, const struct config_key *k, const char *value,
			      void *field)
{
	char bad[128] = "";
	int r;

	(void)k;
	r = parse_add_host_list(value, field, bad, sizeof(bad));
	if (r == -EINVAL)
		return key_error(c,
				 "invalid entry '%s' (NAME:ADDRESS, e.g. db.example:10.0.0.5 or "
				 "db:[fd00::5])",
				 bad);
	return r;
}

/* UserNS=: host, auto or auto:size=N; config_validate() then combines it with the maps. */
static int parse_userns_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	int r = parse_userns(value, field, &c->spec->userns_size);

	(void)k;
	if (r == -ERANGE)
		return key_error(c, "size out of range in '%s' (1 to %u ids)", value,
				 CONFIG_USERNS_SIZE_MAX);
	if (r < 0)
		return key_error(c, "invalid value '%s' " CONFIG_USERNS_HINT, value);
	return 0;
}

/*
 * UIDMap=, GIDMap=: CONTAINER:HOST:SIZE maps, blank-separated; each line adds
 * its maps (repeatable, as in quadlet; an empty one resets). --uidmap,
 * --gidmap: one map each, the first replacing the file's maps, the next
 * ones added to it.
 */
static int parse_idmap_key(struct key_ctx *c, const struct config_key *k, const char *value,
			   void *field)
{
	struct spec_idmaps *maps = field;
	char bad[64] = "";
	int r;

	if (c->option) {
		if (c->spec->origin[k->id].option != k->option.name)
			maps->n = 0;
		if (maps->n == SPEC_IDMAP_MAX)
			return key_error(c, "more than %u maps", SPEC_IDMAP_MAX);
		snprintf(bad, sizeof(bad), "%s", value);
		r = parse_idmap(value, &maps->v[maps->n]);
		if (r >= 0)
			maps->n++;
	} else {
		struct spec_idmaps add = {};

		r = parse_idmap_list(value, &add, bad, sizeof(bad));
		if (r >= 0 && maps->n + add.n > SPEC_IDMAP_MAX)
			r = -E2BIG;
		if (r >= 0) {
			memcpy(&maps->v[maps->n], add.v, add.n * sizeof(add.v[0]));
			maps->n += add.n;
		}
	}
	if (r == -E2BIG)
		return key_error(c, "more than %u maps in '%s'", SPEC_IDMAP_MAX, value);
	if (r == -ERANGE)
		return key_error(c,
				 "map '%s' out of range (SIZE at least 1, both ranges below "
				 "4294967295)",
				 bad);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return key_error(c, "invalid map '%s' " CONFIG_IDMAP_HINT, bad);
	return 0;
}

/* The directory of the file being read, for '.'-relative paths; NULL for a run option. */
static char *key_base_dir(const struct key_ctx *c, int *ret)
{
	const char *slash;
	char *s;

	*ret = 0;
	if (!c->path)
		return NULL;
	slash = strrchr(c->path, '/');
	if (!slash)
		s = strdup(".");
	else
		s = slash == c->path ? strdup("/") : strndup(c->path, (size_t)(slash - c->path));
	if (!s)
		*ret = -ENOMEM;
	return s;
}

/* Rootfs=DIR[:O]. */
static int parse_rootfs_key(struct key_ctx *c, const struct config_key *k, const char *value,
			    void *field)
{
	char why[512], *dir = NULL;
	_cleanup_free_ char *base = NULL;
	bool overlay = false;
	int r;

	(void)k;
	base = key_base_dir(c, &r);
	if (r < 0)
		return r;
	r = parse_rootfs(value, base, &dir, &overlay, why, sizeof(why));
	if (r == -EINVAL)
		return key_error(c, "%s", why);
	if (r < 0)
		return r;
	free(*(char **)field);
	*(char **)field = dir;
	c->spec->rootfs_overlay = overlay;
	return 0;
}

/* Volume= and Tmpfs= (k->arg: SPEC_MOUNT_TMPFS): each value adds one mount, with its file:line. */
static int parse_mount_key(struct key_ctx *c, const struct config_key *k, const char *value,
			   void *field)
{
	_cleanup_free_ char *base = NULL;
	struct spec_mount m = {};
	char why[512];
	int r;

	(void)field;
	base = key_base_dir(c, &r);
	if (r < 0)
		return r;
	if (k->arg == SPEC_MOUNT_TMPFS)
		r = parse_tmpfs(value, &m, why, sizeof(why));
	else
		r = parse_volume(value, base, &m, why, sizeof(why));
	if (r == -EINVAL)
		return key_error(c, "%s", why);
	if (r < 0)
		return r;
	/* The file's index in spec->files (0 in the scratch spec of the scan, and for options). */
	for (size_t i = 0; c->path && c->spec->files && c->spec->files[i]; i++)
		if (streq(c->spec->files[i], c->path))
			m.file = (unsigned)i + 1;
	m.line = m.file ? c->line : 0;
	r = spec_add_mount(c->spec, &m);
	spec_mount_done(&m);
	return r;
}

/* Mask= and Unmask=: each line adds its paths to the list at @field. */
static int parse_mask_key(struct key_ctx *c, const struct config_key *k, const char *value,
			  void *field)
{
	bool unmask = k->id == SPEC_KEY_UNMASK;
	_cleanup_strv_free_ char **l = NULL;
	char ***paths = field;
	char bad[256] = "";
	int r;

	r = parse_mask_paths(value, unmask, &l, bad, sizeof(bad));
	if (r == -EINVAL)
		return key_error(c, "invalid path '%s' %s", bad,
				 unmask ? CONFIG_UNMASK_HINT : CONFIG_MASK_HINT);
	if (r < 0)
		return r;
	for (char **p = l; *p; p++) {
		r = strv_extend(paths, *p);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * SeccompProfile=default|unconfined|PATH, or --security-opt seccomp=...: a
 * relative PATH is relative to the directory of the file that sets it (the
 * working directory for the option). The profile itself is read by the
 * runtime (and check --host): what a file holds is a host fact.
 */
static int parse_seccomp_key(struct key_ctx *c, const struct config_key *k, const char *value,
			     void *field)
{
	_cleanup_free_ char *cwd = NULL, *dir = NULL;
	const char *slash = c->path ? strrchr(c->path, '/') : NULL;
	char **profile = field, *s = NULL;
	int r;

	(void)k;
	if (c->option) {
		if (strncmp(value, "seccomp=", 8) != 0)
			return key_error(c,
					 "unknown option '%s' (use seccomp=default, "
					 "seccomp=unconfined or seccomp=PATH)",
					 value);
		value += 8;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	if (slash == c->path && slash)
		dir = strdup("/");
	else if (slash && c->path[0] == '/')
		dir = strndup(c->path, (size_t)(slash - c->path));
	else if (slash)
		dir = strdup_printf("%s/%.*s", cwd, (int)(slash - c->path), c->path);
	else
		dir = strdup(cwd);
	if (!dir)
		return -ENOMEM;
	r = parse_seccomp_profile(value, dir, &s);
	if (r == -EINVAL)
		return key_error(c,
				 "invalid value '%s' (use default, unconfined or the path of a "
				 "JSON profile)",
				 value);
	if (r < 0)
		return r;
	free(*profile);
	*profile = s;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* Formatters: spec field to text or typed JSON */

#define FIELD(spec, k, type) ((type const *)(const void *)((const char *)(spec) + (k)->offset))

static void format_strv(const struct container_spec *spec, const struct config_key *k,
			struct value_out *o)
{
	char *const *l = *FIELD(spec, k, char **);

	value_out_list_begin(o);
	for (; l && *l; l++)
		value_out_string(o, *l);
	value_out_list_end(o);
}

static void format_string(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	const char *s = *FIELD(spec, k, char *);

	if (s)
		value_out_string(o, s);
	else
		value_out_null(o);
}

/* SeccompProfile=: NULL is the default profile. */
static void format_seccomp(const struct container_spec *spec, const struct config_key *k,
			   struct value_out *o)
{
	const char *s = *FIELD(spec, k, char *);

	value_out_string(o, s ? s : "default");
}

static void format_bool(const struct container_spec *spec, const struct config_key *k,
			struct value_out *o)
{
	value_out_bool(o, *FIELD(spec, k, bool));
}

/* Memory=, MemorySwap=: bytes, "max", or null when unset. */
static void format_size(const struct container_spec *spec, const struct config_key *k,
			struct value_out *o)
{
	uint64_t v = *FIELD(spec, k, uint64_t);

	if (v == SPEC_MEMORY_UNSET)
		value_out_null(o);
	else if (v == SPEC_MEMORY_INFINITY)
		value_out_string(o, "max");
	else
		value_out_number(o, v);
}

/*
 * CPUShares=, CPUWeight=, PidsLimit=: 0 is unset, UINT64_MAX "max"
 * (SPEC_PIDS_INFINITY; no CPU value comes near it).
 */
static void format_count(const struct container_spec *spec, const struct config_key *k,
			 struct value_out *o)
{
	uint64_t v = *FIELD(spec, k, uint64_t);

	if (v == 0)
		value_out_null(o);
	else if (v == UINT64_MAX)
		value_out_string(o, "max");
	else
		value_out_number(o, v);
}

static void format_u64(const struct container_spec *spec, const struct config_key *k,
		       struct value_out *o)
{
	value_out_number(o, *FIELD(spec, k, uint64_t));
}

/* AddDevice=: the entries as "[-]HOST:CONTAINER:PERMS". */
static void format_devices(const struct container_spec *spec, const struct config_key *k,
			   struct value_out *o)
{
	(void)k;
	value_out_list_begin(o);
	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct spec_device *d = &spec->devices[i];
		_cleanup_free_ char *s = strdup_printf(
		    "%s%s:%s:%s%s%s", d->optional ? "-" : "", d->host, d->container,
		    d->perms & SPEC_DEV_READ ? "r" : "", d->perms & SPEC_DEV_WRITE ? "w" : "",
		    d->perms & SPEC_DEV_MKNOD ? "m" : "");

		value_out_string(o, s ? s : "");
	}
	value_out_list_end(o);
}

static void format_unsigned(const struct container_spec *spec, const struct config_key *k,
			    struct value_out *o)
{
	value_out_number(o, *FIELD(spec, k, unsigned));
}

static void format_namespaces(const struct container_spec *spec, const struct config_key *k,
			      struct value_out *o)
{
	unsigned ns = *FIELD(spec, k, unsigned);

	value_out_list_begin(o);
	for (unsigned flag = 1; flag & NS_ALL; flag <<= 1)
		if (ns & flag)
			value_out_string(o, namespace_to_string(flag));
	value_out_list_end(o);
}

/* A capability mask as libcap's names; the text form says "none" for the empty set. */
static void format_caps(const struct container_spec *spec, const struct config_key *k,
			struct value_out *o)
{
	uint64_t mask = *FIELD(spec, k, uint64_t);

	if (mask == 0 && !o->json) {
		value_out_string(o, "none");
		return;
	}
	value_out_list_begin(o);
	for (unsigned i = 0; i < SPEC_CAP_BITS; i++) {
		char *name;

		if (!(mask & (1ULL << i)))
			continue;
		name = cap_to_name((cap_value_t)i);
		value_out_string(o, name ? name : "?");
		cap_free(name);
	}
	value_out_list_end(o);
}

/*
 * AddCapabilities=, DropCapabilities=: merged into Capabilities= when the
 * files are read, so the spec has no value of their own (a file's text is
 * shown as written).
 */
/* Rootfs=: the directory, with ":O" for the overlay. */
static void format_rootfs(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	char text[PATH_MAX + 4];

	(void)k;
	if (!spec->rootfs) {
		value_out_null(o);
		return;
	}
	snprintf(text, sizeof(text), "%s%s", spec->rootfs, spec->rootfs_overlay ? ":O" : "");
	value_out_string(o, text);
}

/* Volume=, Tmpfs=: one "[HOST:]TARGET[:OPTIONS]" string per mount of that kind. */
static void format_mounts(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	value_out_list_begin(o);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		char text[2 * PATH_MAX + 128];

		if ((m->kind == SPEC_MOUNT_TMPFS) != (k->arg == SPEC_MOUNT_TMPFS))
			continue;
		snprintf(text, sizeof(text), "%s%s%s:%s%s%s%s%s%s%s", m->source ? m->source : "",
			 m->source ? ":" : "", m->target,
			 m->flags & SPEC_MOUNT_RDONLY ? "ro" : "rw",
			 m->flags & SPEC_MOUNT_NOSUID ? ",nosuid" : "",
			 m->flags & SPEC_MOUNT_NODEV ? ",nodev" : "",
			 m->flags & SPEC_MOUNT_NOEXEC ? ",noexec" : "",
			 m->flags & SPEC_MOUNT_IDMAP ? ",idmap" : "", m->data ? "," : "",
			 m->data ? m->data : "");
		value_out_string(o, text);
	}
	value_out_list_end(o);
}

static void format_none(const struct container_spec *spec, const struct config_key *k,
			struct value_out *o)
{
	(void)spec;
	(void)k;
	value_out_null(o);
}

static void format_signal(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	const char *abbrev = sigabbrev_np(*FIELD(spec, k, int));
	char name[32];

	snprintf(name, sizeof(name), "SIG%s", abbrev ? abbrev : "?");
	value_out_string(o, name);
}

static void format_notify(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	value_out_string(o, *FIELD(spec, k, bool) ? "passthrough" : "launcher");
}

/* UserNS=: "host", "auto:size=N", or "maps" when UIDMap=/GIDMap= made it. */
static void format_userns(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	enum spec_userns mode = *FIELD(spec, k, enum spec_userns);
	char text[48];

	if (mode != SPEC_USERNS_AUTO) {
		value_out_string(o, spec_userns_to_string(mode));
		return;
	}
	snprintf(text, sizeof(text), "auto:size=%" PRIu32, spec->userns_size);
	value_out_string(o, text);
}

/* UIDMap=, GIDMap=: the maps as "C:H:N" strings. */
static void format_idmaps(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	const struct spec_idmaps *maps = FIELD(spec, k, struct spec_idmaps);

	value_out_list_begin(o);
	for (unsigned i = 0; i < maps->n && i < SPEC_IDMAP_MAX; i++) {
		char text[40];

		snprintf(text, sizeof(text), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, maps->v[i].inside,
			 maps->v[i].outside, maps->v[i].count);
		value_out_string(o, text);
	}
	value_out_list_end(o);
}

/* "soft:hard" in text; [soft, hard] in JSON; infinity as "infinity"; unset null. */
static void format_rlimit(const struct container_spec *spec, const struct config_key *k,
			  struct value_out *o)
{
	const struct spec_rlimit_value *v = FIELD(spec, k, struct spec_rlimit_value);
	char text[64];

	if (!v->set) {
		value_out_null(o);
		return;
	}
	if (!o->json) {
		char soft[24] = "infinity", hard[24] = "infinity";

		if (v->soft != SPEC_RLIMIT_INFINITY)
			snprintf(soft, sizeof(soft), "%" PRIu64, v->soft);
		if (v->hard != SPEC_RLIMIT_INFINITY)
			snprintf(hard, sizeof(hard), "%" PRIu64, v->hard);
		snprintf(text, sizeof(text), "%s:%s", soft, hard);
		value_out_string(o, text);
		return;
	}
	value_out_list_begin(o);
	for (int i = 0; i < 2; i++) {
		uint64_t x = i == 0 ? v->soft : v->hard;

		if (x == SPEC_RLIMIT_INFINITY)
			value_out_string(o, "infinity");
		else
			value_out_number(o, x);
	}
	value_out_list_end(o);
}

/* PublishPort=: "[IP:]HOST:CONTAINER/PROTO" each, ranges as "A-B". */
static void format_ports(const struct container_spec *spec, const struct config_key *k,
			 struct value_out *o)
{
	(void)k;
	value_out_list_begin(o);
	for (size_t i = 0; i < spec->n_ports; i++) {
		char buf[160];

		value_out_string(o, spec_port_to_string(&spec->ports[i], buf, sizeof(buf)));
	}
	value_out_list_end(o);
}

/* ------------------------------------------------------------------------- */
/* The table */

#define FIELD_OF(f) offsetof(struct container_spec, f)

#define RLIMIT_KEY(key_, id_, r)                                                                   \
	{                                                                                          \
		.name = key_, .id = id_, .parse = parse_rlimit_key,                                \
		.offset = FIELD_OF(rlimits) + (r) * sizeof(struct spec_rlimit_value), .arg = (r),  \
		.format = format_rlimit, .doc = "LEAST PRIVILEGE",                                 \
	}

const struct config_key config_keys[] = {
	{ .name = "Command",
	  .id = SPEC_KEY_COMMAND,
	  .parse = parse_command_key,
	  .offset = FIELD_OF(argv),
	  .format = format_strv,
	  .doc = "KEYS" },
	{ .name = "Tty",
	  .id = SPEC_KEY_TTY,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(tty),
	  .format = format_bool,
	  .doc = "KEYS",
	  .option = { "--tty", "--interactive", 't', 'i', NULL,
		      "a pty on a terminal, else share stdin (-ti works)" } },
	{ .name = "Memory",
	  .id = SPEC_KEY_MEMORY,
	  .parse = parse_size_key,
	  .offset = FIELD_OF(memory_max),
	  .format = format_size,
	  .doc = "KEYS",
	  .option = { "--memory", NULL, 'm', 0, "SIZE", "memory limit, e.g. 512M, 2G or max" } },
	{ .name = "CPUShares",
	  .id = SPEC_KEY_CPU_SHARES,
	  .parse = parse_shares_key,
	  .offset = FIELD_OF(cpu_shares),
	  .format = format_count,
	  .doc = "KEYS",
	  .option = { "--cpu-shares", "--cpushare", 0, 0, "N", "CPU shares, 2 to 262144" } },
	{ .name = "MemorySwap",
	  .id = SPEC_KEY_MEMORY_SWAP,
	  .parse = parse_swap_key,
	  .offset = FIELD_OF(memory_swap_max),
	  .format = format_size,
	  .doc = "KEYS",
	  .option = { "--memory-swap", NULL, 0, 0, "SIZE",
		      "swap limit alone, e.g. 0, 1G or max" } },
	{ .name = "CPUWeight",
	  .id = SPEC_KEY_CPU_WEIGHT,
	  .parse = parse_weight_key,
	  .offset = FIELD_OF(cpu_weight),
	  .format = format_count,
	  .doc = "KEYS",
	  .option = { "--cpu-weight", NULL, 0, 0, "N",
		      "CPU weight, 1 to 10000; replaces CPUShares=" } },
	{ .name = "CPUSet",
	  .id = SPEC_KEY_CPUSET,
	  .parse = parse_cpuset_key,
	  .offset = FIELD_OF(cpuset),
	  .format = format_string,
	  .doc = "KEYS",
	  .option = { "--cpuset", NULL, 0, 0, "CPUS", "CPUs to run on, e.g. 0-2,4" } },
	{ .name = "Hostname",
	  .id = SPEC_KEY_HOSTNAME,
	  .parse = parse_hostname_key,
	  .offset = FIELD_OF(hostname),
	  .format = format_string,
	  .doc = "KEYS",
	  .option = { "--hostname", NULL, 0, 0, "NAME", "hostname in the container" } },
	/* Before Environment=: the file's variables first, Environment= overrides them. */
	{ .name = "EnvironmentFile",
	  .id = SPEC_KEY_ENVIRONMENT_FILE,
	  .parse = parse_environment_file_key,
	  .offset = FIELD_OF(environment_files),
	  .format = format_strv,
	  .doc = "KEYS",
	  .repeatable = true,
	  .option = { "--env-file", NULL, 0, 0, "[-]PATH",
		      "read KEY=VALUE lines from PATH; repeatable" } },
	{ .name = "InheritEnvironment",
	  .id = SPEC_KEY_INHERIT_ENVIRONMENT,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(inherit_environment),
	  .format = format_bool,
	  .doc = "KEYS" },
	{ .name = "Environment",
	  .id = SPEC_KEY_ENVIRONMENT,
	  .parse = parse_environment_key,
	  .offset = FIELD_OF(env),
	  .format = format_strv,
	  .doc = "KEYS",
	  .option = { "--env", NULL, 'e', 0, "KEY=VALUE", "set an environment variable; repeatable",
		      true } },
	{ .name = "Namespaces",
	  .id = SPEC_KEY_NAMESPACES,
	  .parse = parse_namespaces_key,
	  .offset = FIELD_OF(namespaces),
	  .format = format_namespaces,
	  .doc = "KEYS" },
	{ .name = "Name",
	  .id = SPEC_KEY_NAME,
	  .parse = parse_name_key,
	  .offset = FIELD_OF(name),
	  .format = format_string,
	  .doc = "KEYS",
	  .option = { "--name", NULL, 0, 0, "NAME", "container name" } },
	{ .name = "Capabilities",
	  .id = SPEC_KEY_CAPABILITIES,
	  .parse = parse_caps_key,
	  .offset = FIELD_OF(capabilities),
	  .format = format_caps,
	  .doc = "LEAST PRIVILEGE" },
	{ .name = "AddCapabilities",
	  .id = SPEC_KEY_ADD_CAPABILITIES,
	  .parse = parse_caps_change_key,
	  .arg = CAPS_ADD,
	  .format = format_none,
	  .doc = "LEAST PRIVILEGE",
	  .option = { "--cap-add", NULL, 0, 0, "CAP",
		      "add a capability (NET_ADMIN, CAP_NET_ADMIN or ALL); repeatable", true } },
	{ .name = "DropCapabilities",
	  .id = SPEC_KEY_DROP_CAPABILITIES,
	  .parse = parse_caps_change_key,
	  .arg = CAPS_DROP,
	  .format = format_none,
	  .doc = "LEAST PRIVILEGE",
	  .option = { "--cap-drop", NULL, 0, 0, "CAP",
		      "drop a capability (ALL: all but the added ones); repeatable", true } },
	{ .name = "AmbientCapabilities",
	  .id = SPEC_KEY_AMBIENT_CAPABILITIES,
	  .parse = parse_caps_key,
	  .offset = FIELD_OF(ambient_caps),
	  .format = format_caps,
	  .doc = "LEAST PRIVILEGE" },
	{ .name = "NoNewPrivileges",
	  .id = SPEC_KEY_NO_NEW_PRIVILEGES,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(no_new_privs),
	  .format = format_bool,
	  .doc = "LEAST PRIVILEGE" },
	{ .name = "User",
	  .id = SPEC_KEY_USER,
	  .parse = parse_user_key,
	  .offset = FIELD_OF(user),
	  .format = format_string,
	  .doc = "LEAST PRIVILEGE",
	  .option = { "--user", NULL, 'u', 0, "USER[:GROUP]",
		      "run as this user: ids, or names from /etc/passwd" } },
	{ .name = "SupplementaryGroups",
	  .id = SPEC_KEY_SUPPLEMENTARY_GROUPS,
	  .parse = parse_groups_key,
	  .offset = FIELD_OF(supplementary_groups),
	  .format = format_strv,
	  .doc = "LEAST PRIVILEGE" },
	{ .name = "WorkingDirectory",
	  .id = SPEC_KEY_WORKING_DIRECTORY,
	  .parse = parse_workdir_key,
	  .offset = FIELD_OF(working_directory),
	  .format = format_string,
	  .doc = "LEAST PRIVILEGE",
	  .option = { "--workdir", NULL, 'w', 0, "DIR", "working directory of the command" } },
	{ .name = "PidsLimit",
	  .id = SPEC_KEY_PIDS_LIMIT,
	  .parse = parse_pids_key,
	  .offset = FIELD_OF(pids_max),
	  .format = format_count,
	  .doc = "LEAST PRIVILEGE",
	  .option = { "--pids-limit", NULL, 0, 0, "N", "most processes at once, or max" } },
	RLIMIT_KEY("LimitNOFILE", SPEC_KEY_LIMIT_NOFILE, SPEC_RLIMIT_NOFILE),
	RLIMIT_KEY("LimitNPROC", SPEC_KEY_LIMIT_NPROC, SPEC_RLIMIT_NPROC),
	RLIMIT_KEY("LimitCORE", SPEC_KEY_LIMIT_CORE, SPEC_RLIMIT_CORE),
	RLIMIT_KEY("LimitFSIZE", SPEC_KEY_LIMIT_FSIZE, SPEC_RLIMIT_FSIZE),
	RLIMIT_KEY("LimitSTACK", SPEC_KEY_LIMIT_STACK, SPEC_RLIMIT_STACK),
	RLIMIT_KEY("LimitAS", SPEC_KEY_LIMIT_AS, SPEC_RLIMIT_AS),
	{ .name = "Init",
	  .id = SPEC_KEY_INIT,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(init),
	  .format = format_bool,
	  .doc = "SUPERVISION",
	  .option = { "--init", NULL, 0, 0, NULL,
		      "an init as PID 1 that forwards signals and reaps" } },
	{ .name = "StopSignal",
	  .id = SPEC_KEY_STOP_SIGNAL,
	  .parse = parse_signal_key,
	  .offset = FIELD_OF(stop_signal),
	  .format = format_signal,
	  .doc = "SUPERVISION" },
	{ .name = "StopTimeout",
	  .id = SPEC_KEY_STOP_TIMEOUT,
	  .parse = parse_stop_timeout_key,
	  .offset = FIELD_OF(stop_timeout),
	  .format = format_unsigned,
	  .doc = "SUPERVISION",
	  .option = { "--stop-timeout", NULL, 0, 0, "SECONDS",
		      "SIGKILL this long after a stop signal" } },
	{ .name = "Notify",
	  .id = SPEC_KEY_NOTIFY,
	  .parse = parse_notify_key,
	  .offset = FIELD_OF(notify_passthrough),
	  .format = format_notify,
	  .doc = "SUPERVISION" },
	{ .name = "Network",
	  .id = SPEC_KEY_NETWORK,
	  .parse = parse_network_key,
	  .offset = FIELD_OF(network),
	  .format = format_string,
	  .doc = "NETWORK",
	  .option = { "--network", NULL, 0, 0, "NET",
		      "none, host, or a CNI network such as mdlaunch" } },
	{ .name = "PublishPort",
	  .id = SPEC_KEY_PUBLISH_PORT,
	  .parse = parse_publish_key,
	  .format = format_ports,
	  .doc = "NETWORK",
	  .repeatable = true,
	  .option = { "--publish", NULL, 'p', 0, "[[IP:][HOSTPORT]:]PORT[/PROTO]",
		      "publish a port, e.g. 8080:80 or 8080-8089:80-89; repeatable" } },
	{ .name = "DNS",
	  .id = SPEC_KEY_DNS,
	  .parse = parse_dns_key,
	  .offset = FIELD_OF(dns),
	  .format = format_strv,
	  .doc = "NETWORK",
	  .repeatable = true,
	  .option = { "--dns", NULL, 0, 0, "ADDRESS",
		      "a name server for the container; repeatable" } },
	{ .name = "AddHost",
	  .id = SPEC_KEY_ADD_HOST,
	  .parse = parse_add_host_key,
	  .offset = FIELD_OF(add_hosts),
	  .format = format_strv,
	  .doc = "NETWORK",
	  .repeatable = true,
	  .option = { "--add-host", NULL, 0, 0, "NAME:ADDRESS",
		      "an /etc/hosts entry for the container; repeatable" } },
	{ .name = "UserNS",
	  .id = SPEC_KEY_USERNS,
	  .parse = parse_userns_key,
	  .offset = FIELD_OF(userns),
	  .format = format_userns,
	  .doc = "USER NAMESPACE",
	  .option = { "--userns", NULL, 0, 0, "host|auto[:size=N]",
		      "a user namespace; auto allocates a free range of host ids" } },
	{ .name = "UIDMap",
	  .id = SPEC_KEY_UIDMAP,
	  .parse = parse_idmap_key,
	  .offset = FIELD_OF(uid_map),
	  .format = format_idmaps,
	  .repeatable = true,
	  .doc = "USER NAMESPACE",
	  .option = { "--uidmap", NULL, 0, 0, "C:H:N",
		      "map container uids C.. to host uids H..; repeatable" } },
	{ .name = "GIDMap",
	  .id = SPEC_KEY_GIDMAP,
	  .parse = parse_idmap_key,
	  .offset = FIELD_OF(gid_map),
	  .format = format_idmaps,
	  .repeatable = true,
	  .doc = "USER NAMESPACE",
	  .option = { "--gidmap", NULL, 0, 0, "C:H:N",
		      "the same for gids (default: the uid maps); repeatable" } },
	{ .name = "Rootfs",
	  .id = SPEC_KEY_ROOTFS,
	  .parse = parse_rootfs_key,
	  .offset = FIELD_OF(rootfs),
	  .format = format_rootfs,
	  .doc = "FILE SYSTEM",
	  .option = { "--rootfs", NULL, 0, 0, "DIR[:O]",
		      "the container's root; :O a private overlay on DIR" } },
	{ .name = "Volume",
	  .id = SPEC_KEY_VOLUME,
	  .parse = parse_mount_key,
	  .arg = SPEC_MOUNT_BIND,
	  .format = format_mounts,
	  .doc = "FILE SYSTEM",
	  .repeatable = true,
	  .option = { "--volume", NULL, 'v', 0, "[HOST-DIR:]DIR[:OPTS]",
		      "a bind mount or an anonymous directory, OPTS ro, idmap, ...; "
		      "repeatable" } },
	{ .name = "Tmpfs",
	  .id = SPEC_KEY_TMPFS,
	  .parse = parse_mount_key,
	  .arg = SPEC_MOUNT_TMPFS,
	  .format = format_mounts,
	  .doc = "FILE SYSTEM",
	  .repeatable = true,
	  .option = { "--tmpfs", NULL, 0, 0, "DIR[:OPTIONS]", "a fresh tmpfs; repeatable" } },
	{ .name = "ReadOnly",
	  .id = SPEC_KEY_READ_ONLY,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(read_only),
	  .format = format_bool,
	  .doc = "FILE SYSTEM",
	  .option = { "--read-only", NULL, 0, 0, NULL,
		      "the root read-only; tmpfs on /tmp /var/tmp /run" } },
	{ .name = "ReadOnlyTmpfs",
	  .id = SPEC_KEY_READ_ONLY_TMPFS,
	  .parse = parse_bool_key,
	  .offset = FIELD_OF(read_only_tmpfs),
	  .format = format_bool,
	  .doc = "FILE SYSTEM" },
	{ .name = "Mask",
	  .id = SPEC_KEY_MASK,
	  .parse = parse_mask_key,
	  .offset = FIELD_OF(mask_paths),
	  .format = format_strv,
	  .doc = "CONTAINMENT",
	  .repeatable = true },
	{ .name = "Unmask",
	  .id = SPEC_KEY_UNMASK,
	  .parse = parse_mask_key,
	  .offset = FIELD_OF(unmask_paths),
	  .format = format_strv,
	  .doc = "CONTAINMENT",
	  .repeatable = true },
	{ .name = "SeccompProfile",
	  .id = SPEC_KEY_SECCOMP_PROFILE,
	  .parse = parse_seccomp_key,
	  .offset = FIELD_OF(seccomp_profile),
	  .format = format_seccomp,
	  .doc = "SECCOMP",
	  .option = { "--security-opt", NULL, 0, 0, "seccomp=PROFILE",
		      "the seccomp profile: default, unconfined or a docker JSON file" } },
	{ .name = "ShmSize",
	  .id = SPEC_KEY_SHM_SIZE,
	  .parse = parse_shm_key,
	  .offset = FIELD_OF(shm_size),
	  .format = format_u64,
	  .doc = "DEVICES",
	  .option = { "--shm-size", NULL, 0, 0, "SIZE", "size of /dev/shm, default 64M" } },
	{ .name = "AddDevice",
	  .id = SPEC_KEY_ADD_DEVICE,
	  .parse = parse_device_key,
	  .format = format_devices,
	  .doc = "DEVICES",
	  .repeatable = true,
	  .option = { "--device", NULL, 0, 0, "[-]HOST[:CONTAINER][:PERMS]",
		      "add a host device node (PERMS from rwm); repeatable" } },
};

const size_t config_keys_n = ELEMENTSOF(config_keys);

_Static_assert(ELEMENTSOF(config_keys) == _SPEC_KEY_MAX, "one row per SPEC_KEY_*");

bool config_key_adds(const struct config_key *k)
{
	return k->repeatable || k->option.adds;
}

const struct config_key *config_key_lookup(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
		if (strcaseeq(name, config_keys[i].name))
			return &config_keys[i];
	return NULL;
}

const struct config_key *config_key_from_id(enum spec_key id)
{
	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
		if (config_keys[i].id == id)
			return &config_keys[i];
	return NULL;
}

const char *config_key_suggest(const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++) {
		unsigned d = string_distance(name, config_keys[i].name);

		if (d < best_d) {
			best_d = d;
			best = config_keys[i].name;
		}
	}
	return best;
}

int config_key_parse(struct key_ctx *c, const struct config_key *k, const char *value)
{
	return k->parse(c, k, value, (char *)c->spec + k->offset);
}
