/* SPDX-License-Identifier: MIT */
/*
 * config-global.c: the mdlaunch.conf loader (libconfig), the first layer of
 * the front end. It sets the defaults every container starts from before its
 * .container file and the command line apply: the namespaces, the PATH, the
 * cgroup parent, the default capability set, and the log level. Every
 * setting is checked by name and by type (libconfig's typed lookups fail
 * silently on a wrong type), and every error of the file is reported in one
 * pass as "file:line: message".
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <libconfig.h>

#include "config-file.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

/* The global file is a handful of settings; refuse anything absurd (or endless). */
#define GLOBAL_FILE_MAX (256 * 1024)

struct global_ctx {
	const char *path;
	struct container_spec *spec;
	unsigned file; /* the index of path in spec->files */
	int log_level;
	unsigned n_errors;
};

/* Logs one error at @line of the file and counts it; returns -EINVAL. */
_printf_(3, 4) static int global_error(struct global_ctx *c, unsigned line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->n_errors++;
	return log_syntax(c->path, line, LOG_LEVEL_ERROR, "%s", msg);
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "an unknown type";
	}
}

/* Reports a setting of the wrong type; returns -EINVAL. */
static int wrong_type(struct global_ctx *c, const config_setting_t *s, const char *expected)
{
	return global_error(c, config_setting_source_line(s), "%s: expected %s, got %s",
			    config_setting_name(s), expected, type_name(config_setting_type(s)));
}

static int global_log_level(struct global_ctx *c, const config_setting_t *s)
{
	const char *v;
	int level;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(c, s, "a string");
	v = config_setting_get_string(s);
	level = log_level_from_string(v);
	if (level < 0)
		return global_error(
		    c, config_setting_source_line(s),
		    "log_level: unknown level '%s' (use error, warn, info or debug)", v);
	c->log_level = level;
	return 0;
}

/* namespaces = ["uts", "pid"] or namespaces = "uts pid" (the .container syntax). */
static int global_namespaces(struct global_ctx *c, const config_setting_t *s)
{
	unsigned flags = 0;
	int type = config_setting_type(s);

	if (type == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (parse_namespaces(v, &flags) < 0)
			return global_error(
			    c, config_setting_source_line(s),
			    "namespaces: invalid namespace list '%s' " CONFIG_NAMESPACES_HINT, v);
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		int n = config_setting_length(s), bad = 0;

		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			int f;

			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				bad = global_error(
				    c, config_setting_source_line(e),
				    "namespaces: element %d: expected a string, got %s", i + 1,
				    type_name(config_setting_type(e)));
				continue;
			}
			f = namespace_from_string(config_setting_get_string(e));
			if (f < 0) {
				bad = global_error(
				    c, config_setting_source_line(e),
				    "namespaces: unknown namespace '%s' " CONFIG_NAMESPACES_HINT,
				    config_setting_get_string(e));
				continue;
			}
			flags |= (unsigned)f;
		}
		if (bad < 0)
			return bad;
	} else
		return wrong_type(c, s, "an array of strings or a string");
	c->spec->namespaces = flags;
	spec_set_origin(c->spec, SPEC_KEY_NAMESPACES, c->file, config_setting_source_line(s));
	return 0;
}

static int global_path(struct global_ctx *c, const config_setting_t *s)
{
	const char *v;
	char *copy;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(c, s, "a string");
	v = config_setting_get_string(s);
	if (isempty(v))
		return global_error(c, config_setting_source_line(s), "path: must not be empty");
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(c->spec->path);
	c->spec->path = copy;
	return 0;
}

/* True when some '/'-separated component of @p is "..". */
static bool path_has_dotdot(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

static int global_cgroup_parent(struct global_ctx *c, const config_setting_t *s)
{
	const char *v;
	char *copy = NULL;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(c, s, "a string");
	v = config_setting_get_string(s);
	if (path_has_dotdot(v) || strchr(v, '\n'))
		return global_error(c, config_setting_source_line(s),
				    "cgroup_parent: invalid path '%s' (no '..' components)", v);
	/* "" means the launcher's own cgroup, which the spec says with NULL. */
	if (*v) {
		copy = strdup(v);
		if (!copy)
			return -ENOMEM;
	}
	free(c->spec->cgroup_parent);
	c->spec->cgroup_parent = copy;
	return 0;
}

/*
 * capabilities = ["CHOWN", "NET_RAW"] or capabilities = "CHOWN NET_RAW" (or
 * "all", "none"): the default set every container starts from.
 */
static int global_capabilities(struct global_ctx *c, const config_setting_t *s)
{
	int type = config_setting_type(s), bad = 0;
	uint64_t mask = 0;
	char word[64] = "";

	if (type == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		int r = parse_capability_list(v, &mask, word, sizeof(word));

		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return global_error(c, config_setting_source_line(s),
					    "capabilities: invalid '%s' in '%s' " CONFIG_CAPS_HINT,
					    word, v);
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		int n = config_setting_length(s);

		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			const char *v;
			uint64_t one;

			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				bad = global_error(
				    c, config_setting_source_line(e),
				    "capabilities: element %d: expected a string, got %s", i + 1,
				    type_name(config_setting_type(e)));
				continue;
			}
			v = config_setting_get_string(e);
			/* One name per element; "all"/"none" only as the only element. */
			if (strpbrk(v, " \t,") ||
			    parse_capability_list(v, &one, word, sizeof(word)) < 0 ||
			    ((strcaseeq(v, "all") || strcaseeq(v, "none")) && n > 1)) {
				bad = global_error(
				    c, config_setting_source_line(e),
				    "capabilities: invalid capability '%s' " CONFIG_CAPS_HINT, v);
				continue;
			}
			mask |= one;
		}
		if (bad < 0)
			return bad;
	} else
		return wrong_type(c, s, "an array of strings or a string");
	c->spec->capabilities = mask;
	spec_set_origin(c->spec, SPEC_KEY_CAPABILITIES, c->file, config_setting_source_line(s));
	return 0;
}

/* strict_permissions = false: no trust check of .container files and drop-ins. */
static int global_strict_permissions(struct global_ctx *c, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(c, s, "true or false");
	c->spec->strict_permissions = config_setting_get_bool(s);
	return 0;
}

/* init = true: every container keeps mdlaunch's init as PID 1 unless its file says Init=. */
static int global_init(struct global_ctx *c, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(c, s, "true or false");
	c->spec->init = config_setting_get_bool(s);
	spec_set_origin(c->spec, SPEC_KEY_INIT, c->file, config_setting_source_line(s));
	return 0;
}

/* stop_timeout = 30: the default StopTimeout= in seconds (0 = wait forever). */
static int global_stop_timeout(struct global_ctx *c, const config_setting_t *s)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return wrong_type(c, s, "an integer");
	v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	if (v < 0 || v > SPEC_STOP_TIMEOUT_MAX)
		return global_error(c, config_setting_source_line(s),
				    "stop_timeout: %lld out of range (0 to %u seconds; 0 waits "
				    "forever)",
				    v, SPEC_STOP_TIMEOUT_MAX);
	c->spec->stop_timeout = (unsigned)v;
	spec_set_origin(c->spec, SPEC_KEY_STOP_TIMEOUT, c->file, config_setting_source_line(s));
	return 0;
}

/*
 * network_config_dirs / cni_path: an array of absolute directories (or one
 * string), replacing the default list.
 */
static int global_dir_list(struct global_ctx *c, const config_setting_t *s, char ***target)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *name = config_setting_name(s);
	int type = config_setting_type(s), n, bad = 0;

	if (type == CONFIG_TYPE_STRING)
		n = 1;
	else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST)
		n = config_setting_length(s);
	else
		return wrong_type(c, s, "an array of strings or a string");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    type == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, (unsigned)i);
		const char *v;
		int r;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			bad = global_error(c, config_setting_source_line(e),
					   "%s: element %d: expected a string, got %s", name, i + 1,
					   type_name(config_setting_type(e)));
			continue;
		}
		v = config_setting_get_string(e);
		if (v[0] != '/' || strchr(v, '\n') || strchr(v, ':')) {
			bad =
			    global_error(c, config_setting_source_line(e),
					 "%s: '%s' is not an absolute directory (no ':')", name, v);
			continue;
		}
		r = strv_extend(&l, v);
		if (r < 0)
			return r;
	}
	if (bad < 0)
		return bad;
	if (!l) {
		l = calloc(1, sizeof(char *));
		if (!l)
			return -ENOMEM;
	}
	strv_free(*target);
	*target = TAKE_PTR(l);
	return 0;
}

static int global_network_config_dirs(struct global_ctx *c, const config_setting_t *s)
{
	return global_dir_list(c, s, &c->spec->network_config_dirs);
}

static int global_cni_path(struct global_ctx *c, const config_setting_t *s)
{
	return global_dir_list(c, s, &c->spec->cni_path);
}

/* cni_timeout = 30: seconds a CNI plugin may run before it is killed. */
static int global_cni_timeout(struct global_ctx *c, const config_setting_t *s)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return wrong_type(c, s, "an integer");
	v = config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s)
						      : config_setting_get_int64(s);
	if (v < 1 || v > SPEC_CNI_TIMEOUT_MAX)
		return global_error(c, config_setting_source_line(s),
				    "cni_timeout: %lld out of range (1 to %u seconds)", v,
				    SPEC_CNI_TIMEOUT_MAX);
	c->spec->cni_timeout = (unsigned)v;
	return 0;
}

static const struct global_setting {
	const char *name;
	int (*apply)(struct global_ctx *c, const config_setting_t *s);
} global_settings[] = {
	{ "log_level", global_log_level },
	{ "namespaces", global_namespaces },
	{ "path", global_path },
	{ "cgroup_parent", global_cgroup_parent },
	{ "capabilities", global_capabilities },
	{ "strict_permissions", global_strict_permissions },
	{ "init", global_init },
	{ "stop_timeout", global_stop_timeout },
	{ "network_config_dirs", global_network_config_dirs },
	{ "cni_path", global_cni_path },
	{ "cni_timeout", global_cni_timeout },
};

/*
 * Applies every top-level setting of @cfg, reporting each unknown or invalid
 * one. Returns 0 or -ENOMEM; c->n_errors counts the errors.
 */
static int global_apply(struct global_ctx *c, config_t *cfg)
{
	config_setting_t *root = config_root_setting(cfg);
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct global_setting *g = NULL;
		int r;

		for (size_t j = 0; name && j < ELEMENTSOF(global_settings); j++)
			if (streq(name, global_settings[j].name))
				g = &global_settings[j];
		if (!g) {
			global_error(c, config_setting_source_line(s),
				     "unknown setting '%s' (known: log_level, namespaces, path, "
				     "cgroup_parent, capabilities, strict_permissions, init, "
				     "stop_timeout, network_config_dirs, cni_path, cni_timeout)",
				     name ? name : "");
			continue;
		}
		r = g->apply(c, s);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

/* The first line of @text that starts (after blanks) with libconfig's @include, or 0. */
static unsigned find_include(const char *text)
{
	unsigned line = 1;

	for (const char *p = text; *p; line++) {
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0)
			return line;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return 0;
}

/*
 * Parses @text (the content of @path, for messages) into @spec. @include is
 * refused: the global file must be self-contained, and an include could read
 * any file (or /dev/zero). Returns 0, -EINVAL (logged) or -ENOMEM.
 */
static int global_parse(const char *path, const char *text, struct container_spec *spec,
			int *ret_log_level)
{
	struct global_ctx c = { .path = path, .spec = spec, .log_level = -1 };
	unsigned include;
	config_t cfg;
	int r;

	include = find_include(text);
	if (include > 0)
		return log_syntax(path, include, LOG_LEVEL_ERROR,
				  "@include is not supported in this file");
	r = spec_add_file(spec, path);
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	c.file = (unsigned)r;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		r = log_syntax(path, (unsigned)config_error_line(&cfg), LOG_LEVEL_ERROR, "%s",
			       config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return r;
	}
	r = global_apply(&c, &cfg);
	config_destroy(&cfg);
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	if (c.n_errors > 0)
		return -EINVAL;
	*ret_log_level = c.log_level;
	return 0;
}

int config_load_global(const char *path, struct container_spec *spec, int *ret_log_level)
{
	_cleanup_free_ char *text = NULL;
	const char *p = path ? path : CONFIG_GLOBAL_DEFAULT_PATH;
	size_t size = 0;
	int r;

	/* The default file is optional: no file, no defaults to change. */
	/* Always trust-checked: the file could otherwise turn its own check off. */
	r = config_file_read_full(p, GLOBAL_FILE_MAX, true, true, !path, &text, &size);
	if (r == -ENOENT && !path) {
		*ret_log_level = -1;
		return 0;
	}
	if (r < 0)
		return r;
	/* libconfig would silently stop at a NUL: the rest of the file would be ignored. */
	if (strlen(text) < size)
		return log_error_errno(-EINVAL, "cannot load '%s': contains a NUL byte", p);
	return global_parse(p, text, spec, ret_log_level);
}
