/* SPDX-License-Identifier: MIT */
/*
 * cgroup-v2.c: the hierarchy ops for cgroup v2, used by cgroup.c for every
 * controller that lives on the unified hierarchy (all of them on a unified
 * host, the rare one only cgroup2 offers on a hybrid host). There is ONE
 * directory for all controllers: <own cgroup>/<parent>/<name>-<pid>, where
 * the own cgroup (the "0::" line of /proc/self/cgroup) and the cgroup2 mount
 * were found by cgroup.c through the locator (cgroup-locate.c).
 *
 * v2 makes two rules we must follow (cgroup-v2.rst): a controller is usable
 * in a cgroup only when its parent lists it in cgroup.subtree_control, so
 * create enables the needed ones at every level from the own cgroup down to
 * the leaf's parent; and a non-root cgroup with processes cannot enable any
 * ("no internal processes": EBUSY), so when the own cgroup holds us, we move
 * into a leaf child <own>/supervisor first, as crun, podman and nsjail do.
 * Other processes are never moved: if some remain, that is an error naming
 * the cgroup. destroy undoes exactly what create did: kill (cgroup.kill where
 * the kernel has it), rmdir the leaf and our levels, disable what we enabled,
 * move back and remove supervisor if we made it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

#define SUPERVISOR	 "supervisor"
#define KILL_WAIT_ROUNDS 100 /* after cgroup.kill: polls of cgroup.procs, 2 ms apart */
#define LEAVE_ATTEMPTS	 5   /* moving back out of supervisor, removing it: 2 ms apart */

/* The controller whose directory all used ones share (the first used), or -1. */
static int primary(const struct cgroup *cg)
{
	for (int i = 0; i < _CGROUP_CTL_MAX; i++)
		if (cg->dirs[i].used && cg->dirs[i].alias < 0)
			return i;
	return -1;
}

/* Level @lvl of @d counted from the base: 0 is the base, k + 1 is levels[k]. */
static void level_at(struct cgroup_dir *d, size_t lvl, int *ret_fd, const char **ret_path)
{
	*ret_fd = lvl == 0 ? d->base_fd : d->levels[lvl - 1].fd;
	*ret_path = lvl == 0 ? d->base_path : d->levels[lvl - 1].path;
}

/*
 * Moves this launcher (only it) into <base>/supervisor, making that
 * directory when missing. If the base still holds processes afterwards, the
 * controllers cannot be enabled there: an error naming the cgroup (destroy
 * moves us back). 0 or -errno.
 */
static int move_to_supervisor(struct cgroup *cg, struct cgroup_dir *d, struct cgroup_error *err)
{
	_cleanup_free_ char *path = strdup_printf("%s/" SUPERVISOR, d->base_path);
	_cleanup_close_ int fd = -EBADF;
	char pid[32];
	bool empty;
	int r;

	if (!path)
		return -ENOMEM;
	if (mkdirat(d->base_fd, SUPERVISOR, 0755) == 0)
		cg->supervisor_created = true;
	else if (errno != EEXIST)
		return cgroup_error_set(err, -errno, "create", path, NULL, NULL);
	fd = openat(d->base_fd, SUPERVISOR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cgroup_error_set(err, -errno, "open", path, NULL, NULL);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	r = write_file_at(fd, "cgroup.procs", pid);
	if (r < 0)
		return cgroup_error_set(err, r, "write", path, "cgroup.procs", pid);
	cg->moved_self = true;
	r = cgroup_procs_empty(d->base_fd, &empty);
	if (r < 0)
		return cgroup_error_set(err, r, "read", d->base_path, "cgroup.procs", NULL);
	if (!empty)
		return cgroup_error_message(
		    err, -EBUSY,
		    "cannot enable controllers in %s/cgroup.subtree_control: the cgroup holds "
		    "processes other than this launcher, and cgroup v2 allows no processes in a "
		    "cgroup that delegates controllers (start mdlaunch in a cgroup of its own, "
		    "e.g. a systemd unit with Delegate=yes, or set an absolute cgroup_parent "
		    "in mdlaunch.conf)",
		    d->base_path);
	return 0;
}

/*
 * Makes every controller of @mask available below level @lvl: each must be
 * listed in its cgroup.controllers (else a clear error naming the file), and
 * the ones not yet in its cgroup.subtree_control are enabled there, one
 * write each, recorded in cg->enabled[lvl] for destroy. A base (not the
 * hierarchy's root) that holds processes - us - cannot delegate: we move
 * into supervisor first. Checking cgroup.procs beforehand matters: the
 * kernel lets a populated cgroup enable the threaded controllers (cpuset,
 * cpu, pids) and then refuses memory with EOPNOTSUPP instead of EBUSY.
 * In plan mode the writes are printed; a level that does not exist yet is
 * assumed to offer what its parent enables.
 */
static int enable_level(struct cgroup *cg, struct cgroup_dir *d, size_t lvl, unsigned mask,
			struct cgroup_error *err)
{
	_cleanup_free_ char *offered = NULL, *enabled = NULL;
	bool is_root, empty = true;
	unsigned todo = 0;
	const char *path;
	int fd, r;

	level_at(d, lvl, &fd, &path);
	if (fd >= 0) {
		r = cgroup_read_at(fd, path, "cgroup.controllers", &offered, err);
		if (r < 0)
			return r;
		r = cgroup_read_at(fd, path, "cgroup.subtree_control", &enabled, err);
		if (r < 0)
			return r;
	}
	for (int c = 0; c < _CGROUP_CTL_MAX; c++) {
		const char *name = cgroup_controller_to_string((enum cgroup_controller)c);

		if (!(mask & (1U << c)))
			continue;
		if (fd >= 0 && !cgroup_controller_listed(offered, name))
			return cgroup_error_message(err, -EOPNOTSUPP,
						    "%s controller not available: not listed in "
						    "%s/cgroup.controllers",
						    name, path);
		if (fd < 0 || !cgroup_controller_listed(enabled, name))
			todo |= 1U << c;
	}
	is_root = d->mountpoint && streq(path, d->mountpoint);
	if (todo && lvl == 0 && fd >= 0 && !is_root && !cg->moved_self) {
		r = cgroup_procs_empty(fd, &empty);
		if (r < 0)
			return cgroup_error_set(err, r, "read", path, "cgroup.procs", NULL);
		if (!empty && cg->plan)
			fprintf(cg->plan,
				"     (%s holds processes: the launcher first moves itself into "
				"%s/" SUPERVISOR ")\n",
				path, path);
		else if (!empty) {
			r = move_to_supervisor(cg, d, err);
			if (r < 0)
				return r;
		}
	}
	for (int c = 0; c < _CGROUP_CTL_MAX; c++) {
		char plus[32];

		if (!(todo & (1U << c)))
			continue;
		snprintf(plus, sizeof(plus), "+%s",
			 cgroup_controller_to_string((enum cgroup_controller)c));
		r = cgroup_write_at(cg, fd, path, "cgroup.subtree_control", plus, NULL, err);
		/* Someone joined the base meanwhile: move (again) and retry once. */
		if (r == -EBUSY && lvl == 0 && !is_root && !cg->moved_self) {
			r = move_to_supervisor(cg, d, err);
			if (r == 0)
				r = cgroup_write_at(cg, fd, path, "cgroup.subtree_control", plus,
						    NULL, err);
		}
		if (r < 0)
			return r;
		if (!cg->plan)
			cg->enabled[lvl] |= 1U << c;
	}
	return 0;
}

/*
 * Runs sharing a base (several launchers in one unit's cgroup) serialize on
 * an flock of the base directory: making the levels and the leaf and
 * enabling controllers on one side, removing levels and disabling
 * controllers nobody uses (restore_level()) on the other. Without it a run
 * could find a controller enabled, make its leaf and write its limit just
 * after another run's teardown saw no child and just before it disabled
 * that controller, and the limit would silently vanish with its file. The
 * lock is held for a few system calls; it is released at exit whatever
 * happens. Not in plan mode, which changes nothing.
 */
static void base_lock(const struct cgroup *cg, int base_fd)
{
	if (base_fd >= 0 && !cg->plan)
		(void)RETRY_EINTR(flock(base_fd, LOCK_EX));
}

static void base_unlock(const struct cgroup *cg, int base_fd)
{
	if (base_fd >= 0 && !cg->plan)
		(void)flock(base_fd, LOCK_UN);
}

static int v2_create(struct cgroup *cg, const char *name, struct cgroup_error *err)
{
	struct cgroup_dir *d;
	unsigned mask = 0;
	int p = -1, r;

	for (int i = 0; i < _CGROUP_CTL_MAX; i++) {
		if (!cg->dirs[i].used)
			continue;
		/* Nothing to enable for those (the leaf is still made: they live there). */
		if (!(CGROUP_V2_IMPLICIT & (1U << i)))
			mask |= 1U << i;
		if (p < 0)
			p = i;
		else
			cg->dirs[i].alias = p;
	}
	if (p < 0)
		return 0;
	d = &cg->dirs[p];
	/* cgroup.c found the base through the locator; a fake tree's fd (unit tests) is kept. */
	if (d->base_fd < 0) {
		d->base_fd = open(d->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->base_fd < 0)
			return cgroup_error_set(err, -errno, "open", d->base_path, NULL, NULL);
	}
	base_lock(cg, d->base_fd);
	r = cgroup_prepare_levels(cg, d, name, err);
	/* From the base down to the leaf's parent (levels[n_levels - 2], or the base). */
	for (size_t lvl = 0; r >= 0 && lvl < d->n_levels; lvl++)
		r = enable_level(cg, d, lvl, mask, err);
	base_unlock(cg, d->base_fd);
	return r < 0 ? r : 0;
}

static int v2_attach(struct cgroup *cg, pid_t pid, struct cgroup_error *err)
{
	int p = primary(cg);

	if (p < 0)
		return 0;
	return cgroup_attach_pid(cgroup_dir_leaf(&cg->dirs[p]), pid, err);
}

/*
 * Empties the leaf: one write to cgroup.kill (Linux 5.14+) and a wait until
 * cgroup.procs is empty, or the SIGKILL loop over cgroup.procs on older
 * kernels. 0 or -errno (-EBUSY: still not empty).
 */
static int kill_leaf(struct cgroup_level *leaf)
{
	_cleanup_close_ int fd = openat(leaf->fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1", 1) != 1)
		return cgroup_kill_procs(leaf);
	for (int round = 0; round < KILL_WAIT_ROUNDS; round++) {
		bool empty;
		int r = cgroup_procs_empty(leaf->fd, &empty);

		if (r < 0)
			return r;
		if (empty)
			return 0;
		cgroup_sleep_ms(2);
	}
	return -EBUSY;
}

/* True when the directory @fd has a sub-directory other than @except (NULL: none). */
static bool has_children(int fd, const char *except)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int dfd;

	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return true;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return true;
	}
	while ((de = readdir(dir)))
		if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, "..") &&
		    !(except && streq(de->d_name, except)))
			return true;
	return false;
}

/*
 * Disables at level (@fd, @path) the controllers create enabled there
 * (@bits), unless some other cgroup below it may be using them now (a
 * concurrent run's directories). Best effort: a failure leaves them on.
 */
static void restore_level(int fd, unsigned bits, bool is_base)
{
	if (!bits || fd < 0 || has_children(fd, is_base ? SUPERVISOR : NULL))
		return;
	for (int c = 0; c < _CGROUP_CTL_MAX; c++) {
		char minus[32];

		if (!(bits & (1U << c)))
			continue;
		snprintf(minus, sizeof(minus), "-%s",
			 cgroup_controller_to_string((enum cgroup_controller)c));
		(void)write_file_at(fd, "cgroup.subtree_control", minus);
	}
}

/*
 * A refusal of the move back or of the rmdir that waiting cannot change:
 * the base still delegates controllers, or another run's launcher is in
 * supervisor (EBUSY), or the directory is gone or not ours.
 */
static bool leave_is_final(int r)
{
	return r == -EBUSY || r == -ENOENT || r == -ENOTEMPTY || r == -EPERM || r == -EACCES ||
	       r == -EROFS;
}

/*
 * Moves us back into the base, then removes supervisor if we made it - also
 * when the move into it failed. Best effort, a few attempts each (the
 * kernel's transient refusals): a move refused for good leaves us in
 * supervisor, which then stays; so does a supervisor another run uses.
 */
static void leave_supervisor(struct cgroup *cg, struct cgroup_dir *d)
{
	char pid[32];
	int r = 0;

	if (cg->moved_self) {
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		for (int attempt = 0; attempt < LEAVE_ATTEMPTS; attempt++) {
			if (attempt > 0)
				cgroup_sleep_ms(2);
			r = write_file_at(d->base_fd, "cgroup.procs", pid);
			if (r == 0 || leave_is_final(r))
				break;
		}
		if (r < 0)
			return;
		cg->moved_self = false;
	}
	if (!cg->supervisor_created)
		return;
	for (int attempt = 0; attempt < LEAVE_ATTEMPTS; attempt++) {
		if (attempt > 0)
			cgroup_sleep_ms(2);
		r = unlinkat(d->base_fd, SUPERVISOR, AT_REMOVEDIR) < 0 ? -errno : 0;
		if (r == 0 || leave_is_final(r))
			break;
	}
	if (r == 0 || r == -ENOENT)
		cg->supervisor_created = false;
}

static int v2_destroy(struct cgroup *cg, struct cgroup_error *err)
{
	int p = primary(cg), ret = 0, r;
	struct cgroup_dir *d;
	struct cgroup_level *leaf;

	if (p < 0)
		return 0;
	d = &cg->dirs[p];
	leaf = cgroup_dir_leaf(d);
	if (leaf && leaf->created && leaf->fd >= 0)
		ret = cgroup_remove_leaf(leaf, kill_leaf, err);
	/*
	 * Bottom-up: remove our levels; where one stays (shared with another
	 * run, or not ours), disable what we enabled in it if nobody uses it.
	 */
	base_lock(cg, d->base_fd);
	for (size_t k = d->n_levels > 0 ? d->n_levels - 1 : 0; k-- > 0;) {
		struct cgroup_level *l = &d->levels[k];

		if (l->remove) {
			r = cgroup_remove_dir(l->path, false);
			if (r < 0 && r != -ENOTEMPTY && r != -EBUSY && r != -ENOENT && ret == 0)
				ret = cgroup_error_set(err, r, "remove", l->path, NULL, NULL);
			if (r == 0 || r == -ENOENT) {
				l->fd = safe_close(l->fd);
				continue;
			}
		}
		restore_level(l->fd, cg->enabled[k + 1], false);
		l->fd = safe_close(l->fd);
	}
	if (d->base_fd >= 0) {
		restore_level(d->base_fd, cg->enabled[0], true);
		leave_supervisor(cg, d);
	}
	base_unlock(cg, d->base_fd);
	memset(cg->enabled, 0, sizeof(cg->enabled));
	return ret;
}

const struct cgroup_hierarchy_ops cgroup_v2_ops = {
	.version = CGROUP_V2,
	.create = v2_create,
	.attach = v2_attach,
	.open_file = cgroup_open_leaf_file,
	.destroy = v2_destroy,
};
