/* SPDX-License-Identifier: MIT */
/*
 * cgroup-v1.c: the hierarchy ops for cgroup v1 (legacy and hybrid hosts),
 * used by cgroup.c. Every controller has its own hierarchy: its mount is
 * found in /proc/self/mountinfo and the launcher's own cgroup in it from
 * /proc/self/cgroup. The container's directory goes below that own cgroup
 * (or below CgroupParent=), as <parent>/<name>-<pid>, so it nests under a
 * systemd service and concurrent runs never share a leaf. All file access is
 * openat() relative to directory fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

#define CREATE_ATTEMPTS 5  /* a concurrent run may remove our parent under us */
#define ATTACH_ATTEMPTS 10 /* EINVAL right after clone: the task is not set up yet */
#define KILL_ROUNDS	50 /* SIGKILL rounds over cgroup.procs, 2 ms apart */
#define RMDIR_ATTEMPTS	50 /* EBUSY right after the last task exited, 2 ms apart */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Decodes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* True when the comma-separated @list contains @item. */
static bool list_contains(const char *list, const char *item)
{
	size_t len = strlen(item);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

int cgroup_parse_mountinfo(FILE *f, const char *controller, char **ret_mountpoint, char **ret_root)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	/* "id parent maj:min root mountpoint opts [optional...] - fstype source superopts" */
	while (getline(&line, &size, f) >= 0) {
		char *field[6] = {}, *save = NULL, *tok, *fstype, *superopts;
		size_t n = 0;
		char *mp, *root;

		line[strcspn(line, "\n")] = '\0';
		while (n < 6 && (tok = strtok_r(n ? NULL : line, " ", &save)))
			field[n++] = tok;
		if (n < 6)
			continue;
		/* Skip the optional fields up to the separator. */
		do
			tok = strtok_r(NULL, " ", &save);
		while (tok && !streq(tok, "-"));
		if (!tok)
			continue;
		fstype = strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save); /* source */
		superopts = strtok_r(NULL, " ", &save);
		if (!fstype || !superopts || !streq(fstype, "cgroup") ||
		    !list_contains(superopts, controller))
			continue;
		unescape_octal(field[3]);
		unescape_octal(field[4]);
		mp = strdup(field[4]);
		root = strdup(field[3]);
		if (!mp || !root) {
			free(mp);
			free(root);
			return -ENOMEM;
		}
		*ret_mountpoint = mp;
		*ret_root = root;
		return 0;
	}
	return -ENOENT;
}

/* Reads a /proc file into the given parser (they take FILE * to be testable). */
static FILE *open_proc(const char *path)
{
	return fopen(path, "re");
}

/*
 * Fills @d's mount point and base directory for @controller: the launcher's
 * own cgroup, or the hierarchy root when CgroupParent= is absolute.
 */
static int locate(struct cgroup *cg, struct cgroup_dir *d, const char *controller,
		  struct cgroup_error *err)
{
	_cleanup_fclose_ FILE *mi = NULL, *pc = NULL;
	_cleanup_free_ char *root = NULL, *own = NULL;
	int r;

	mi = open_proc("/proc/self/mountinfo");
	if (!mi)
		return cgroup_error_set(err, -errno, "read", "/proc/self/mountinfo", NULL, NULL);
	r = cgroup_parse_mountinfo(mi, controller, &d->mountpoint, &root);
	if (r < 0)
		return cgroup_error_set(err, r, "find the cgroup v1 hierarchy of controller",
					controller, NULL, NULL);
	if (cg->parent_absolute) {
		/* The hierarchy root is only reachable when the whole tree is mounted. */
		own = strdup("/");
	} else {
		pc = open_proc("/proc/self/cgroup");
		if (!pc)
			return cgroup_error_set(err, -errno, "read", "/proc/self/cgroup", NULL,
						NULL);
		r = cgroup_parse_proc_cgroup(pc, controller, &own);
		if (r < 0)
			return cgroup_error_set(err, r, "find our own cgroup of controller",
						controller, NULL, NULL);
	}
	r = cgroup_resolve_base(d->mountpoint, root, own, &d->base_path);
	if (r < 0)
		return cgroup_error_set(err, r, "reach our own cgroup below the mount of",
					d->mountpoint, NULL, NULL);
	d->base_fd = open(d->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->base_fd < 0)
		return cgroup_error_set(err, -errno, "open", d->base_path, NULL, NULL);
	return 0;
}

/* Splits "<parent>/<name>" into the level paths of @d (full paths, leaf last). */
static int plan_levels(struct cgroup *cg, struct cgroup_dir *d, const char *name,
		       struct cgroup_error *err)
{
	_cleanup_free_ char *copy = strdup(cg->parent);
	const char *prev;
	char *tok, *save = NULL;

	if (!copy)
		return -ENOMEM;
	prev = d->base_path;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (d->n_levels + 1 >= CGROUP_LEVELS_MAX)
			return cgroup_error_set(err, -ENAMETOOLONG, "use the cgroup parent",
						cg->parent, NULL, NULL);
		d->levels[d->n_levels].path = strdup_printf("%s/%s", prev, tok);
		if (!d->levels[d->n_levels].path)
			return -ENOMEM;
		/* Ours to remove: the shared "mdlaunch", or what this run creates. */
		d->levels[d->n_levels].remove = cg->parent_is_default;
		prev = d->levels[d->n_levels++].path;
	}
	d->levels[d->n_levels].path = strdup_printf("%s/%s", prev, name);
	if (!d->levels[d->n_levels].path)
		return -ENOMEM;
	d->levels[d->n_levels++].remove = true;
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* True when cgroup.procs below @fd lists no process (or cannot be read: then it is not ours). */
static int procs_empty(int fd, bool *ret)
{
	_cleanup_free_ char *s = NULL;
	int r;

	r = read_file_at(fd, "cgroup.procs", 1 << 20, &s);
	if (r < 0)
		return r;
	*ret = isempty(strstrip(s));
	return 0;
}

/*
 * Makes the leaf below @parent_fd. An existing leaf is a dead launcher's
 * whose pid was reused: taken over when empty, an error otherwise.
 * Returns 0, -ENOENT when the parent vanished (the caller retries), or -errno.
 */
static int make_leaf(struct cgroup_level *leaf, int parent_fd, struct cgroup_error *err)
{
	const char *name = basename_of(leaf->path);
	_cleanup_close_ int fd = -EBADF;
	bool empty;
	int r;

	if (mkdirat(parent_fd, name, 0755) < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno != EEXIST)
			return cgroup_error_set(err, -errno, "create", leaf->path, NULL, NULL);
		fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return cgroup_error_set(err, -errno, "open", leaf->path, NULL, NULL);
		r = procs_empty(fd, &empty);
		if (r < 0)
			return cgroup_error_set(err, r, "read", leaf->path, "cgroup.procs", NULL);
		if (!empty)
			return cgroup_error_set(err, -EBUSY, "reuse", leaf->path, NULL, NULL);
		fd = safe_close(fd);
		if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 ||
		    mkdirat(parent_fd, name, 0755) < 0)
			return cgroup_error_set(err, -errno, "re-create", leaf->path, NULL, NULL);
	}
	leaf->created = true;
	leaf->fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (leaf->fd < 0)
		return cgroup_error_set(err, -errno, "open", leaf->path, NULL, NULL);
	return 0;
}

/*
 * Makes (or opens) every level of @d. A concurrent run may remove the shared
 * intermediate directory between our mkdir of it and of the leaf: then the
 * leaf's mkdir fails with ENOENT and the whole walk is retried.
 */
static int make_levels(struct cgroup_dir *d, struct cgroup_error *err)
{
	for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
		int parent_fd = d->base_fd, r = 0;
		size_t k;

		for (k = 0; k + 1 < d->n_levels; k++) {
			struct cgroup_level *l = &d->levels[k];
			const char *name = basename_of(l->path);

			l->fd = safe_close(l->fd);
			if (mkdirat(parent_fd, name, 0755) == 0) {
				l->created = true;
				l->remove = true;
			} else if (errno != EEXIST) {
				if (errno == ENOENT)
					break;
				return cgroup_error_set(err, -errno, "create", l->path, NULL, NULL);
			}
			l->fd = openat(parent_fd, name,
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (l->fd < 0) {
				if (errno == ENOENT)
					break;
				return cgroup_error_set(err, -errno, "open", l->path, NULL, NULL);
			}
			parent_fd = l->fd;
		}
		if (k + 1 < d->n_levels)
			continue;
		r = make_leaf(&d->levels[k], parent_fd, err);
		if (r != -ENOENT)
			return r;
	}
	return cgroup_error_set(err, -ENOENT, "create", cgroup_dir_leaf(d)->path, NULL, NULL);
}

/* In plan mode: opens the levels that already exist (read-only), so the plan can read them. */
static void open_existing_levels(struct cgroup_dir *d)
{
	for (size_t k = 0; k < d->n_levels; k++)
		d->levels[k].fd = open(d->levels[k].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int v1_create(struct cgroup *cg, const char *name, struct cgroup_error *err)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r;

		if (!d->used)
			continue;
		r = locate(cg, d, cgroup_controller_to_string((enum cgroup_controller)i), err);
		if (r < 0)
			return r;
		/* Co-mounted controllers (e.g. cpu,cpuacct with cpuset) share one directory. */
		for (int j = 0; j < i; j++)
			if (cg->dirs[j].used && cg->dirs[j].alias < 0 &&
			    streq(cg->dirs[j].mountpoint, d->mountpoint))
				d->alias = j;
		if (d->alias >= 0)
			continue;
		r = plan_levels(cg, d, name, err);
		if (r < 0)
			return r;
		if (cg->plan)
			open_existing_levels(d);
		else {
			r = make_levels(d, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int v1_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		struct cgroup_level *leaf = cgroup_dir_leaf(d);
		int r = 0;

		if (!d->used || d->alias >= 0)
			continue;
		for (int attempt = 0; attempt < ATTACH_ATTEMPTS; attempt++) {
			r = write_file_at(leaf->fd, "cgroup.procs", value);
			if (r != -EINVAL)
				break;
			sleep_ms(1 + (unsigned)attempt);
		}
		if (r < 0)
			return cgroup_error_set(err, r, "write", leaf->path, "cgroup.procs", value);
	}
	return 0;
}

static int v1_open_file(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
			int flags)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, ss->controller));
	int fd;

	if (!leaf || leaf->fd < 0)
		return -EBADF;
	fd = openat(leaf->fd, file, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

/*
 * SIGKILLs every process listed in the leaf until it is empty (bounded).
 * Without a PID namespace the container's children outlive its main process;
 * they are in our leaf, so they are ours to kill.
 */
static int kill_leaf(struct cgroup_level *leaf)
{
	for (int round = 0; round < KILL_ROUNDS; round++) {
		_cleanup_free_ char *s = NULL;
		char *tok, *save = NULL;
		bool any = false;
		int r;

		r = read_file_at(leaf->fd, "cgroup.procs", 1 << 20, &s);
		if (r < 0)
			return r;
		for (tok = strtok_r(s, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			uint64_t pid;

			if (safe_atou64(tok, &pid) < 0 || pid == 0 || pid > INT32_MAX ||
			    (pid_t)pid == getpid())
				continue;
			(void)kill((pid_t)pid, SIGKILL);
			any = true;
		}
		if (!any)
			return 0;
		sleep_ms(2);
	}
	return -EBUSY;
}

/* rmdir with a short retry on EBUSY (the last task may still be exiting). */
static int remove_dir(const char *path, bool retry)
{
	for (int attempt = 0; attempt < RMDIR_ATTEMPTS; attempt++) {
		if (rmdir(path) == 0)
			return 0;
		if (errno != EBUSY || !retry)
			return -errno;
		sleep_ms(2);
	}
	return -EBUSY;
}

static int v1_destroy(struct cgroup *cg, struct cgroup_error *err)
{
	int ret = 0;

	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		struct cgroup_level *leaf = cgroup_dir_leaf(d);
		int r;

		if (!d->used || d->alias >= 0 || !leaf)
			continue;
		if (leaf->created && leaf->fd >= 0) {
			r = kill_leaf(leaf);
			if (r < 0 && ret == 0)
				ret = cgroup_error_set(err, r, "empty", leaf->path, NULL, NULL);
			leaf->fd = safe_close(leaf->fd);
			r = remove_dir(leaf->path, true);
			if (r < 0 && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", leaf->path, NULL, NULL);
			leaf->created = false;
		}
		/*
		 * The shared parent goes when it is empty; another run may still
		 * use it (ENOTEMPTY, EBUSY) or have removed it already (ENOENT).
		 */
		for (size_t k = d->n_levels - 1; k-- > 0;) {
			struct cgroup_level *l = &d->levels[k];

			l->fd = safe_close(l->fd);
			if (!l->remove)
				continue;
			r = remove_dir(l->path, false);
			if (r < 0 && r != -ENOTEMPTY && r != -EBUSY && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", l->path, NULL, NULL);
		}
	}
	return ret;
}

const struct cgroup_hierarchy_ops cgroup_v1_ops = {
	.version = CGROUP_V1,
	.create = v1_create,
	.attach = v1_attach,
	.open_file = v1_open_file,
	.destroy = v1_destroy,
};
