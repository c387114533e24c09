/* SPDX-License-Identifier: MIT */
/*
 * config-rootfs.c: the front end of the container's file system. The
 * parsers turn the text of Rootfs=, Volume= and Tmpfs= (a .container line
 * or a run option) into spec fields without looking at the host; the rules
 * of config_validate_filesystem() then judge the spec against the host
 * (what exists, what a run could create) so that every problem is a 125 at
 * the file:line of its value before anything runs. runtime-rootfs.c turns
 * the validated spec into mount-plan operations.
 */
#include "config-rootfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "spec.h"
#include "util.h"

_printf_(3, 4) static int why_set(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size > 0) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Normalizes the absolute container path @in ("//a/./b/" -> "/a/b") into
 * *ret. "." components and repeated slashes go; ".." is refused (it would
 * let a mount point leave the root). Returns 0, -EINVAL or -ENOMEM.
 */
static int normalize_container_path(const char *in, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	const char *p = in;

	if (in[0] != '/' || strchr(in, '\n'))
		return -EINVAL;
	out = malloc(strlen(in) + 2);
	if (!out)
		return -ENOMEM;
	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (!(n == 1 && p[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

/*
 * A host path as written: absolute, or starting with '.' and then relative
 * to @base (quadlet's rule; NULL: the current directory). Anything else
 * would be a named volume, which mdlaunch does not have; unless
 * @any_relative (Rootfs=), where every relative path is from @base.
 */
static int host_path(const char *value, const char *base, bool any_relative, char **ret, char *why,
		     size_t why_size)
{
	_cleanup_free_ char *cwd = NULL;
	char *s;

	if (value[0] == '/') {
		s = strdup(value);
	} else if (value[0] == '.' || any_relative) {
		/* Absolute even when the file was named relatively ("web.container"). */
		if (!base || base[0] != '/') {
			cwd = getcwd(NULL, 0);
			if (!cwd)
				return why_set(why, why_size, "cannot resolve '%s': %s", value,
					       strerror(errno));
		}
		if (!base)
			s = strdup_printf("%s/%s", cwd, value);
		else if (base[0] != '/')
			s = strdup_printf("%s/%s/%s", cwd, base, value);
		else
			s = strdup_printf("%s/%s", base, value);
	} else {
		return why_set(why, why_size,
			       "'%s' is neither an absolute path nor relative ('./...'); "
			       "named volumes do not exist in mdlaunch",
			       value);
	}
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int parse_rootfs(const char *value, const char *base, char **ret_dir, bool *ret_overlay, char *why,
		 size_t why_size)
{
	_cleanup_free_ char *dir = NULL, *copy = strdup(value);
	char *colon;
	bool overlay = false;
	int r;

	if (!copy)
		return -ENOMEM;
	colon = strrchr(copy, ':');
	if (colon) {
		if (!streq(colon + 1, "O"))
			return why_set(why, why_size,
				       "unknown option '%s' in '%s' (only ':O', an overlay)",
				       colon + 1, value);
		*colon = '\0';
		overlay = true;
	}
	if (*copy == '\0')
		return why_set(why, why_size, "missing directory in '%s'", value);
	r = host_path(copy, base, true, &dir, why, why_size);
	if (r < 0)
		return r;
	/* The overlay's mount options are a comma- and colon-separated list. */
	if (overlay && strpbrk(dir, ",:\\"))
		return why_set(why, why_size,
			       "'%s' contains ',', ':' or '\\', which an overlay cannot take", dir);
	if (strchr(dir, '\n'))
		return why_set(why, why_size, "newline in '%s'", value);
	*ret_dir = TAKE_PTR(dir);
	*ret_overlay = overlay;
	return 0;
}

void spec_mount_done(struct spec_mount *m)
{
	free(m->source);
	free(m->target);
	free(m->data);
	m->source = m->target = m->data = NULL;
}

/* The container side of a mount: an absolute, normalized path other than "/". */
static int container_path(const char *value, const char *whole, char **ret, char *why,
			  size_t why_size)
{
	int r;

	if (value[0] != '/')
		return why_set(why, why_size, "the container path '%s' in '%s' is not absolute",
			       value, whole);
	r = normalize_container_path(value, ret);
	if (r == -EINVAL)
		return why_set(why, why_size, "the container path '%s' in '%s' contains '..'",
			       value, whole);
	if (r < 0)
		return r;
	if (streq(*ret, "/")) {
		free(*ret);
		*ret = NULL;
		return why_set(why, why_size,
			       "cannot mount over the container's root '/' in '%s' (see Rootfs=)",
			       whole);
	}
	return 0;
}

/* Splits @s at ':' into at most 3 parts (more is an error: -E2BIG). */
static int split_colons(char *s, char *parts[3], size_t *ret_n)
{
	size_t n = 0;

	parts[n++] = s;
	for (char *p = s; *p; p++) {
		if (*p != ':')
			continue;
		if (n == 3)
			return -E2BIG;
		*p = '\0';
		parts[n++] = p + 1;
	}
	*ret_n = n;
	return 0;
}

static int volume_options(const char *opts, const char *whole, unsigned *flags, char *why,
			  size_t why_size)
{
	_cleanup_free_ char *copy = strdup(opts);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (streq(o, "ro"))
			*flags |= SPEC_MOUNT_RDONLY;
		else if (streq(o, "rw"))
			*flags &= ~SPEC_MOUNT_RDONLY;
		else if (streq(o, "nosuid"))
			*flags |= SPEC_MOUNT_NOSUID;
		else if (streq(o, "nodev"))
			*flags |= SPEC_MOUNT_NODEV;
		else if (streq(o, "noexec"))
			*flags |= SPEC_MOUNT_NOEXEC;
		else if (streq(o, "idmap"))
			*flags |= SPEC_MOUNT_IDMAP;
		else if (strncmp(o, "idmap=", 6) == 0)
			return why_set(
			    why, why_size,
			    "'%s' in '%s': idmap with mappings of its own is not "
			    "supported (plain 'idmap' maps the container's user namespace)",
			    o, whole);
		else
			return why_set(why, why_size,
				       "unknown option '%s' in '%s' (use ro, rw, nosuid, nodev, "
				       "noexec, idmap)",
				       o, whole);
	}
	return 0;
}

int parse_volume(const char *value, const char *base, struct spec_mount *ret, char *why,
		 size_t why_size)
{
	_cleanup_free_ char *copy = strdup(value);
	struct spec_mount m = { .kind = SPEC_MOUNT_BIND };
	const char *host = NULL, *cdir, *opts = NULL;
	char *parts[3];
	size_t n;
	int r;

	if (!copy)
		return -ENOMEM;
	if (split_colons(copy, parts, &n) < 0)
		return why_set(why, why_size,
			       "too many ':' in '%s' (use [HOST-DIR:]CONTAINER-DIR[:OPTIONS])",
			       value);
	/* Two parts: HOST-DIR:CONTAINER-DIR, or CONTAINER-DIR:OPTIONS (podman's reading). */
	if (n == 1 || (n == 2 && parts[1][0] != '/')) {
		cdir = parts[0];
		opts = n == 2 ? parts[1] : NULL;
		m.kind = SPEC_MOUNT_ANONYMOUS;
	} else {
		host = parts[0];
		cdir = parts[1];
		opts = n == 3 ? parts[2] : NULL;
	}
	if (host && *host == '\0')
		return why_set(why, why_size, "empty HOST-DIR in '%s'", value);
	r = container_path(cdir, value, &m.target, why, why_size);
	if (r >= 0 && opts)
		r = volume_options(opts, value, &m.flags, why, why_size);
	if (r >= 0 && host)
		r = host_path(host, base, false, &m.source, why, why_size);
	if (r >= 0 && m.source && strchr(m.source, '\n'))
		r = why_set(why, why_size, "newline in '%s'", value);
	if (r >= 0 && m.kind == SPEC_MOUNT_ANONYMOUS && (m.flags & SPEC_MOUNT_IDMAP))
		r = why_set(why, why_size, "'idmap' needs a HOST-DIR in '%s'", value);
	if (r < 0) {
		spec_mount_done(&m);
		return r;
	}
	*ret = m;
	return 0;
}

/* "size=64m", "nr_inodes=1k": digits, then at most one of k m g (or % for size). */
static bool tmpfs_amount_is_valid(const char *s, bool percent)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 19)
		return false;
	if (s[n] == '\0')
		return true;
	if (s[n + 1] != '\0')
		return false;
	return strchr("kKmMgG", s[n]) || (percent && s[n] == '%');
}

static bool all_digits(const char *s, const char *set, size_t max)
{
	size_t n = strspn(s, set);

	return n > 0 && n <= max && s[n] == '\0';
}

/* Appends ",@o" (or "@o") to *data. Returns 0 or -ENOMEM. */
static int data_append(char **data, const char *o)
{
	char *s = *data ? strdup_printf("%s,%s", *data, o) : strdup(o);

	if (!s)
		return -ENOMEM;
	free(*data);
	*data = s;
	return 0;
}

static int tmpfs_option(const char *o, const char *whole, struct spec_mount *m, bool *sized,
			char *why, size_t why_size)
{
	static const struct {
		const char *name;
		unsigned set, clear;
	} flags[] = {
		{ "ro", SPEC_MOUNT_RDONLY, 0 },	    { "rw", 0, SPEC_MOUNT_RDONLY },
		{ "nosuid", SPEC_MOUNT_NOSUID, 0 }, { "suid", 0, SPEC_MOUNT_NOSUID },
		{ "nodev", SPEC_MOUNT_NODEV, 0 },   { "dev", 0, SPEC_MOUNT_NODEV },
		{ "noexec", SPEC_MOUNT_NOEXEC, 0 }, { "exec", 0, SPEC_MOUNT_NOEXEC },
	};
	const char *eq = strchr(o, '=');
	bool ok;

	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		if (streq(o, flags[i].name)) {
			m->flags = (m->flags | flags[i].set) & ~flags[i].clear;
			return 0;
		}
	if (!eq)
		goto unknown;
	if (strncmp(o, "size=", 5) == 0) {
		ok = tmpfs_amount_is_valid(eq + 1, true);
		*sized = true;
	} else if (strncmp(o, "nr_inodes=", 10) == 0) {
		ok = tmpfs_amount_is_valid(eq + 1, false);
	} else if (strncmp(o, "mode=", 5) == 0) {
		ok = all_digits(eq + 1, "01234567", 4);
	} else if (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0) {
		ok = all_digits(eq + 1, "0123456789", 10);
	} else {
		goto unknown;
	}
	if (!ok)
		return why_set(why, why_size, "invalid value in '%s' of '%s'", o, whole);
	return data_append(&m->data, o);
unknown:
	return why_set(why, why_size,
		       "unknown option '%s' in '%s' (use rw, ro, [no]suid, [no]dev, [no]exec, "
		       "size=, mode=, nr_inodes=, uid=, gid=)",
		       o, whole);
}

int parse_tmpfs(const char *value, struct spec_mount *ret, char *why, size_t why_size)
{
	_cleanup_free_ char *copy = strdup(value);
	struct spec_mount m = {
		.kind = SPEC_MOUNT_TMPFS,
		.flags = SPEC_MOUNT_NOSUID | SPEC_MOUNT_NODEV | SPEC_MOUNT_NOEXEC,
	};
	char *opts, *save = NULL;
	bool sized = false;
	int r;

	if (!copy)
		return -ENOMEM;
	opts = strchr(copy, ':');
	if (opts)
		*opts++ = '\0';
	r = container_path(copy, value, &m.target, why, why_size);
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; r >= 0 && o;
	     o = strtok_r(NULL, ",", &save))
		r = tmpfs_option(o, value, &m, &sized, why, why_size);
	if (r >= 0 && !sized) {
		/* size= first, so that it reads like podman's defaults. */
		char *s = strdup_printf("size=" SPEC_TMPFS_SIZE_DEFAULT "%s%s", m.data ? "," : "",
					m.data ? m.data : "");

		r = s ? 0 : -ENOMEM;
		free(m.data);
		m.data = s;
	}
	if (r < 0) {
		spec_mount_done(&m);
		return r;
	}
	*ret = m;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* Host rules */

static const char *mount_key(const struct spec_mount *m)
{
	return m->kind == SPEC_MOUNT_TMPFS ? "Tmpfs" : "Volume";
}

/* Logs "file:line: msg" for a mount entry (or a plain line for a run option); -EINVAL. */
_printf_(3, 4) static int mount_error(const struct container_spec *spec, const struct spec_mount *m,
				      const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->file > 0 && m->file <= strv_length(spec->files))
		return log_syntax(spec->files[m->file - 1], m->line, LOG_LEVEL_ERROR, "%s: %s",
				  mount_key(m), msg);
	log_error("%s: %s", mount_key(m), msg);
	return -EINVAL;
}

/* As mount_error() for a single-valued key, at its origin. */
_printf_(3, 4) static int key_error_at(const struct container_spec *spec, enum spec_key key,
				       const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (spec_origin_file(spec, key) && spec->origin[key].line > 0)
		return log_syntax(spec_origin_file(spec, key), spec->origin[key].line,
				  LOG_LEVEL_ERROR, "%s", msg);
	log_error("%s", msg);
	return -EINVAL;
}

/* True when @path is @dir or below it ("/dev", "/dev/shm"; not "/devices"). */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * Replaces the host path *@path by its canonical absolute form (no
 * symlink, no "..": what the mounts and the overlay's options will name).
 * Returns 0 or -errno.
 */
static int canonicalize(char **path)
{
	char *s = realpath(*path, NULL);

	if (!s)
		return -errno;
	free(*path);
	*path = s;
	return 0;
}

static int validate_rootfs(struct container_spec *spec)
{
	struct stat st, root;

	if (!spec->rootfs)
		return 0;
	if (stat(spec->rootfs, &st) < 0 || canonicalize(&spec->rootfs) < 0)
		return key_error_at(spec, SPEC_KEY_ROOTFS, "Rootfs: cannot use '%s': %s",
				    spec->rootfs, strerror(errno));
	if (spec->rootfs_overlay && strpbrk(spec->rootfs, ",:\\"))
		return key_error_at(spec, SPEC_KEY_ROOTFS,
				    "Rootfs: '%s' contains ',', ':' or '\\', which an overlay "
				    "cannot take",
				    spec->rootfs);
	if (!S_ISDIR(st.st_mode))
		return key_error_at(spec, SPEC_KEY_ROOTFS, "Rootfs: '%s' is not a directory",
				    spec->rootfs);
	if (path_under(spec->rootfs, SPEC_SCRATCH_DIR))
		return key_error_at(spec, SPEC_KEY_ROOTFS,
				    "Rootfs: '%s' is below " SPEC_SCRATCH_DIR
				    ", where mdlaunch keeps "
				    "the layers of a run",
				    spec->rootfs);
	if (stat("/", &root) == 0 && root.st_dev == st.st_dev && root.st_ino == st.st_ino)
		return key_error_at(spec, SPEC_KEY_ROOTFS,
				    "Rootfs: '/' is the host's root (leave Rootfs= unset)");
	return 0;
}

/*
 * Walks @target inside @root ("/" for the host view) component by
 * component without following symlinks: a symlink on the way would move a
 * mount point, or a created directory, out of the root onto the host. Returns
 * 0 when it all exists (with the final stat in @st), -ENOENT when a
 * component is missing (the rest can be created), -ELOOP at a symlink
 * (@where: the path inside the root), or -errno.
 */
static int walk_mount_point(const char *root, const char *target, struct stat *st, char *where,
			    size_t where_size)
{
	char path[PATH_MAX];
	size_t rootlen = streq(root, "/") ? 0 : strlen(root);
	const char *p = target;

	if (rootlen + strlen(target) >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, root, rootlen);
	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		p += n;
		memcpy(path + rootlen, target, (size_t)(p - target));
		path[rootlen + (size_t)(p - target)] = '\0';
		if (lstat(path, st) < 0)
			return -errno;
		if (S_ISLNK(st->st_mode)) {
			snprintf(where, where_size, "%.*s", (int)(p - target), target);
			return -ELOOP;
		}
		if (*p && !S_ISDIR(st->st_mode))
			return -ENOTDIR;
	}
	return 0;
}

/* True when another mount of the spec (before @m) has a target that contains @m's. */
static bool below_other_mount(const struct container_spec *spec, const struct spec_mount *m)
{
	for (const struct spec_mount *o = spec->mounts; o < spec->mounts + spec->n_mounts; o++)
		if (o != m && !streq(o->target, m->target) && path_under(m->target, o->target))
			return true;
	return false;
}

/*
 * True when the container gets a user namespace: UserNS= other than host, or
 * maps alone (which config_validate() turns into UserNS=maps only after the
 * file-system rules; UserNS=host with maps is an error of its own there).
 */
static bool will_have_userns(const struct container_spec *spec)
{
	return spec_has_userns(spec) || spec->uid_map.n > 0 || spec->gid_map.n > 0;
}

/*
 * One Volume= or Tmpfs= entry: where it may go and against the other mounts
 * (any host), then, with @host, against the host and the root it goes into.
 */
static int validate_mount(struct container_spec *spec, struct spec_mount *m, bool host)
{
	const char *root = spec->rootfs ? spec->rootfs : "/";
	bool src_dir = true;
	char where[PATH_MAX];
	struct stat st;
	int r;

	if (path_under(m->target, "/proc") || path_under(m->target, "/dev"))
		return mount_error(spec, m,
				   "cannot mount over '%s' (/proc and /dev belong to the "
				   "container's own kernel file systems)",
				   m->target);
	for (const struct spec_mount *o = spec->mounts; o < m; o++)
		if (streq(o->target, m->target))
			return mount_error(spec, m, "'%s' is already a mount point (%s= at %s:%u)",
					   m->target, mount_key(o),
					   o->file ? spec->files[o->file - 1] : "the command line",
					   o->line);
	if ((m->flags & SPEC_MOUNT_IDMAP) && !will_have_userns(spec))
		return mount_error(spec, m,
				   "'idmap' on '%s' needs a user namespace (UserNS= or UIDMap=), "
				   "which this container does not have",
				   m->target);
	if (!host)
		return 0;
	if (m->source) {
		if (stat(m->source, &st) < 0 || canonicalize(&m->source) < 0)
			return mount_error(spec, m, "cannot use the host path '%s': %s", m->source,
					   strerror(errno));
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			return mount_error(spec, m,
					   "the host path '%s' is neither a directory nor a file",
					   m->source);
		src_dir = S_ISDIR(st.st_mode);
		if (path_under(m->source, SPEC_SCRATCH_DIR))
			return mount_error(spec, m,
					   "the host path '%s' is below " SPEC_SCRATCH_DIR
					   ", where mdlaunch keeps the layers of a run",
					   m->source);
	}
	/* A mount point below another mount is made inside that one, at run time. */
	if (below_other_mount(spec, m))
		return 0;
	r = walk_mount_point(root, m->target, &st, where, sizeof(where));
	if (r == -ELOOP)
		return mount_error(spec, m,
				   "'%s' goes through the symlink '%s' in the root '%s' "
				   "(mount points are not followed through symlinks)",
				   m->target, where, root);
	if (r == 0 && src_dir != !!S_ISDIR(st.st_mode))
		return mount_error(spec, m, "cannot mount a %s on '%s', which is a %s in '%s'",
				   src_dir ? "directory" : "file", m->target,
				   S_ISDIR(st.st_mode) ? "directory" : "file", root);
	if (r == 0)
		return 0;
	if (r != -ENOENT)
		return mount_error(spec, m, "cannot use the mount point '%s' in '%s': %s",
				   m->target, root, strerror(-r));
	/* Missing: made in the upper layer of :O, or in a writable Rootfs= DIR. */
	if (!spec->rootfs)
		return mount_error(
		    spec, m,
		    "the mount point '%s' does not exist (without Rootfs= the "
		    "container sees the host's root, where mdlaunch creates nothing)",
		    m->target);
	if (!spec->rootfs_overlay && spec->read_only)
		return mount_error(spec, m,
				   "the mount point '%s' does not exist in the read-only root '%s'",
				   m->target, root);
	if (!src_dir)
		return mount_error(spec, m,
				   "the mount point '%s' of a file must exist in '%s' (only "
				   "directories are created)",
				   m->target, root);
	return 0;
}

int config_validate_filesystem(struct container_spec *spec, bool host)
{
	int ret = 0, r;

	if (!(spec->namespaces & NS_MOUNT)) {
		if (spec->rootfs)
			ret = key_error_at(spec, SPEC_KEY_ROOTFS,
					   "Rootfs: needs the mount namespace (Namespaces=)");
		if (spec->n_mounts > 0)
			ret = mount_error(spec, &spec->mounts[0],
					  "needs the mount namespace (Namespaces=)");
		if (spec->read_only)
			ret = key_error_at(spec, SPEC_KEY_READ_ONLY,
					   "ReadOnly: needs the mount namespace (Namespaces=)");
		return ret;
	}
	ret = host ? validate_rootfs(spec) : 0;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		r = validate_mount(spec, &spec->mounts[i], host);
		if (ret >= 0)
			ret = r;
	}
	if (spec->rootfs && !spec->working_directory) {
		spec->working_directory = strdup("/");
		if (!spec->working_directory)
			return log_error_errno(-ENOMEM, "out of memory");
	}
	return ret;
}
