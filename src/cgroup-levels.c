/* SPDX-License-Identifier: MIT */
/*
 * cgroup-levels.c: the directory work both hierarchy tables share
 * (cgroup-v1.c, cgroup-v2.c): splitting "<parent>/<name>" into levels below
 * the base directory, making them without racing concurrent runs, opening a
 * leaf's files, joining a leaf, and on teardown emptying a leaf and removing
 * directories; and the writes and reads the subsystems make through a part
 * (cgroup_write(), which prints instead in plan mode, so that `show` lists
 * exactly the writes a run makes) and the error records. It sits below the
 * tables, the subsystems and cgroup.c, and calls only util.c.
 * Everything is relative to directory fds; nothing logs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
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

void cgroup_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct cgroup_level *cgroup_dir_leaf(struct cgroup_dir *dir)
{
	return dir->n_levels ? &dir->levels[dir->n_levels - 1] : NULL;
}

int cgroup_error_set(struct cgroup_error *err, int r, const char *action, const char *dir,
		     const char *file, const char *value)
{
	if (!err)
		return r;
	err->action = action;
	err->message[0] = '\0';
	snprintf(err->path, sizeof(err->path), "%s%s%s", dir ? dir : "", file ? "/" : "",
		 file ? file : "");
	snprintf(err->value, sizeof(err->value), "%s", value ? value : "");
	return r;
}

int cgroup_error_message(struct cgroup_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return r;
	err->action = "set up";
	err->path[0] = '\0';
	err->value[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return r;
}

/* Writes @value with one write(2) to an open cgroup file, as cgroupfs wants. */
static int write_value(int fd, const char *value)
{
	size_t len = strlen(value);
	ssize_t n = RETRY_EINTR(write(fd, value, len));

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void plan_print(struct cgroup *cg, const char *dir, const char *file, const char *value,
		       const char *note)
{
	fprintf(cg->plan, "     %s/%s = %s%s%s%s\n", dir, file, value, note ? " (" : "",
		note ? note : "", note ? ")" : "");
}

/* The directory @ctl's files live in: its own, or the one of the controller it shares. */
struct cgroup_dir *cgroup_dir_of(struct cgroup *cg, enum cgroup_controller ctl)
{
	struct cgroup_dir *d = &cg->dirs[ctl];

	return d->alias >= 0 ? &cg->dirs[d->alias] : d;
}

int cgroup_write(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		 const char *value, const char *note, struct cgroup_error *err)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, ss->controller));
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (!leaf)
		return cgroup_error_set(err, -ENOENT, "find the cgroup of", ss->name, NULL, NULL);
	if (cg->plan) {
		plan_print(cg, leaf->path, file, value, note);
		return 0;
	}
	fd = cg->ops->open_file(cg, ss, file, O_WRONLY);
	if (fd < 0)
		return cgroup_error_set(err, fd, "write", leaf->path, file, value);
	r = write_value(fd, value);
	if (r < 0)
		return cgroup_error_set(err, r, "write", leaf->path, file, value);
	return 0;
}

int cgroup_write_each(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
		      char *const *values, size_t n, struct cgroup_error *err)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, ss->controller));
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (!leaf)
		return cgroup_error_set(err, -ENOENT, "find the cgroup of", ss->name, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		if (cg->plan) {
			plan_print(cg, leaf->path, file, values[i], NULL);
			continue;
		}
		if (fd < 0)
			fd = cg->ops->open_file(cg, ss, file, O_WRONLY);
		if (fd < 0)
			return cgroup_error_set(err, fd, "write", leaf->path, file, values[i]);
		r = write_value(fd, values[i]);
		if (r < 0)
			return cgroup_error_set(err, r, "write", leaf->path, file, values[i]);
	}
	return 0;
}

int cgroup_write_at(struct cgroup *cg, int dirfd, const char *dir_path, const char *file,
		    const char *value, const char *note, struct cgroup_error *err)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (cg->plan) {
		plan_print(cg, dir_path, file, value, note);
		return 0;
	}
	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cgroup_error_set(err, -errno, "write", dir_path, file, value);
	r = write_value(fd, value);
	if (r < 0)
		return cgroup_error_set(err, r, "write", dir_path, file, value);
	return 0;
}

int cgroup_read_at(int dirfd, const char *dir_path, const char *file, char **ret,
		   struct cgroup_error *err)
{
	_cleanup_free_ char *s = NULL;
	char *t;
	int r;

	r = read_file_at(dirfd, file, 65536, &s);
	if (r < 0)
		return cgroup_error_set(err, r, "read", dir_path, file, NULL);
	t = strdup(strstrip(s));
	if (!t)
		return -ENOMEM;
	*ret = t;
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

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

int cgroup_procs_empty(int fd, bool *ret)
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
		r = cgroup_procs_empty(fd, &empty);
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

/*
 * True when the launcher whose pid ends the leaf name @name ("<name>-<pid>")
 * is gone. Only a pid that no longer exists counts: a live process is never
 * judged by its name (another build or copy of mdlaunch under another name
 * is still a live launcher whose leaf may be empty for a moment, between its
 * mkdir and its first attach). A leaf whose pid was reused stays until that
 * process exits too; an empty directory costs nothing meanwhile. Names
 * without a pid suffix are never judged stale.
 */
static bool leaf_is_stale(const char *name)
{
	const char *dash = strrchr(name, '-');
	uint64_t pid;

	if (!dash || dash == name || safe_atou64(dash + 1, &pid) < 0 || pid == 0 ||
	    pid > INT32_MAX || (pid_t)pid == getpid())
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * Removes the leaves of dead launchers (killed before their teardown) from
 * the shared parent @parent_fd: only "<name>-<pid>" directories whose
 * launcher is gone and that hold no process. A cgroup with processes is
 * never touched. Best effort: errors are ignored.
 */
static void remove_stale_leaves(int parent_fd)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int fd;

	fd = openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		(void)close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		_cleanup_close_ int leaf = -EBADF;
		bool empty;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || !leaf_is_stale(de->d_name))
			continue;
		leaf =
		    openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (leaf < 0 || cgroup_procs_empty(leaf, &empty) < 0 || !empty)
			continue;
		(void)unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR);
	}
}

int cgroup_prepare_levels(struct cgroup *cg, struct cgroup_dir *d, const char *name,
			  struct cgroup_error *err)
{
	int r;

	r = plan_levels(cg, d, name, err);
	if (r < 0)
		return r;
	if (!cg->plan) {
		r = make_levels(d, err);
		/*
		 * The shared "mdlaunch" parent collects the leaves of killed
		 * launchers; one this run has just made holds only our leaf.
		 */
		if (r >= 0 && cg->parent_is_default && d->n_levels >= 2 &&
		    !d->levels[d->n_levels - 2].created)
			remove_stale_leaves(d->levels[d->n_levels - 2].fd);
		return r;
	}
	/* Plan mode changes nothing: open only what already exists (to read parents' values). */
	for (size_t k = 0; k < d->n_levels; k++)
		d->levels[k].fd = open(d->levels[k].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

int cgroup_open_leaf_file(struct cgroup *cg, const struct cgroup_subsys_ops *ss, const char *file,
			  int flags)
{
	struct cgroup_level *leaf = cgroup_dir_leaf(cgroup_dir_of(cg, ss->controller));
	int fd;

	if (!leaf || leaf->fd < 0)
		return -EBADF;
	fd = openat(leaf->fd, file, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int cgroup_attach_pid(struct cgroup_level *leaf, pid_t pid, struct cgroup_error *err)
{
	char value[32];
	int r = 0;

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int attempt = 0; attempt < ATTACH_ATTEMPTS; attempt++) {
		r = write_file_at(leaf->fd, "cgroup.procs", value);
		if (r != -EINVAL)
			break;
		cgroup_sleep_ms(1 + (unsigned)attempt);
	}
	if (r < 0)
		return cgroup_error_set(err, r, "write", leaf->path, "cgroup.procs", value);
	return 0;
}

/*
 * Without a PID namespace the container's children outlive its main process;
 * they are in our leaf, so they are ours to kill.
 */
int cgroup_kill_procs(struct cgroup_level *leaf)
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
		cgroup_sleep_ms(2);
	}
	return -EBUSY;
}

int cgroup_remove_dir(const char *path, bool retry)
{
	int r = 0;

	for (int attempt = 0; attempt < RMDIR_ATTEMPTS; attempt++) {
		if (rmdir(path) == 0)
			return 0;
		r = -errno;
		/*
		 * EBUSY right after the last task exited; EINTR, EAGAIN, ENOMEM and
		 * the like are the kernel's transient refusals. What cannot change
		 * by waiting (gone, not empty, not ours) is returned at once.
		 */
		if (!retry || r == -ENOENT || r == -ENOTEMPTY || r == -EPERM || r == -EACCES ||
		    r == -EROFS || r == -ENOTDIR)
			return r;
		cgroup_sleep_ms(2);
	}
	return r;
}

int cgroup_remove_leaf(struct cgroup_level *leaf, int (*empty)(struct cgroup_level *leaf),
		       struct cgroup_error *err)
{
	int r, ret = 0;

	r = cgroup_remove_dir(leaf->path, false);
	if (r < 0 && r != -ENOENT) {
		r = empty(leaf);
		if (r < 0)
			ret = cgroup_error_set(err, r, "empty", leaf->path, NULL, NULL);
		leaf->fd = safe_close(leaf->fd);
		r = cgroup_remove_dir(leaf->path, true);
		if (r < 0 && r != -ENOENT && ret == 0)
			ret = cgroup_error_set(err, r, "remove", leaf->path, NULL, NULL);
	}
	leaf->fd = safe_close(leaf->fd);
	leaf->created = false;
	return ret;
}
