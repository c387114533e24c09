/* SPDX-License-Identifier: MIT */
/*
 * runtime-userns.c: the launcher's part of a user namespace (UserNS=,
 * UIDMap=, GIDMap=). runtime.c takes a lease before the clone (for
 * UserNS=auto a free host range), runtime-ns.c writes the maps of the
 * cloned child through userns_write_maps() before the child re-executes
 * init, and runtime.c releases the lease after the teardown.
 *
 * Allocation: the state file (USERNS_STATE_PATH) has one line per range in
 * use, "uid START COUNT PID" and "gid START COUNT PID". Every change happens
 * under flock(LOCK_EX) of that file: read it, drop the lines whose PID no
 * longer exists (a launcher killed by SIGKILL never released its range: the
 * same rule as the cgroup stale sweep), pick the lowest free range of each
 * pool, write it back. Two live launchers therefore never share a range.
 */
#include "runtime-userns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "subid.h"
#include "util.h"

/* The state file holds a few lines per running container; anything bigger is not ours. */
#define STATE_MAX (1024 * 1024)

struct alloc_entry {
	bool gid;
	uint32_t start, count;
	pid_t owner;
};

struct alloc_table {
	struct alloc_entry *v;
	size_t n;
};

static bool owner_alive(pid_t pid)
{
	return pid > 0 && !(kill(pid, 0) < 0 && errno == ESRCH);
}

/* Parses the state text @s into @t, keeping the lines of live owners. Returns 0 or -ENOMEM. */
static int table_parse(const char *s, struct alloc_table *t)
{
	const char *p = s;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128], kind[8];
		unsigned long long start, count;
		long owner;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (sscanf(line, "%7s %llu %llu %ld", kind, &start, &count, &owner) == 4 &&
			    (streq(kind, "uid") || streq(kind, "gid")) && count > 0 &&
			    start + count <= UINT32_MAX && owner > 0 && owner <= INT32_MAX &&
			    owner_alive((pid_t)owner)) {
				struct alloc_entry *v = reallocarray(t->v, t->n + 1, sizeof(*v));

				if (!v)
					return -ENOMEM;
				t->v = v;
				t->v[t->n++] = (struct alloc_entry){
					.gid = streq(kind, "gid"),
					.start = (uint32_t)start,
					.count = (uint32_t)count,
					.owner = (pid_t)owner,
				};
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* True when [start, start+size) meets a range of @t of the same kind. */
static bool table_overlaps(const struct alloc_table *t, bool gid, uint64_t start, uint64_t size)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].gid == gid && start < (uint64_t)t->v[i].start + t->v[i].count &&
		    (uint64_t)t->v[i].start < start + size)
			return true;
	return false;
}

/*
 * The lowest start in @pool where @size ids are free in @t: a candidate is
 * the start of a pool range or the end of an allocated range. Returns 0 or
 * -ENOSPC.
 */
static int table_find(const struct alloc_table *t, const struct subid_pool *pool, bool gid,
		      uint32_t size, uint32_t *ret)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < pool->n; i++) {
		uint64_t lo = pool->v[i].start, hi = lo + pool->v[i].count;

		for (size_t j = 0; j <= t->n; j++) {
			uint64_t c = j == t->n ? lo : (uint64_t)t->v[j].start + t->v[j].count;

			if (j < t->n && t->v[j].gid != gid)
				continue;
			if (c < lo || c + size > hi || c >= best || table_overlaps(t, gid, c, size))
				continue;
			best = c;
		}
	}
	if (best == UINT64_MAX)
		return -ENOSPC;
	*ret = (uint32_t)best;
	return 0;
}

/* Rewrites the state file @fd from @t. Returns 0 or -errno. */
static int table_write(int fd, const struct alloc_table *t)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 64 * (t->n + 1);

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s %" PRIu32 " %" PRIu32 " %d\n",
					t->v[i].gid ? "gid" : "uid", t->v[i].start, t->v[i].count,
					(int)t->v[i].owner);
	if (lseek(fd, 0, SEEK_SET) < 0 || ftruncate(fd, 0) < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, buf + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		off += (size_t)k;
	}
	return 0;
}

/* Reads the whole state file @fd (from offset 0) into a new string. Returns 0 or -errno. */
static int state_read(int fd, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;

	for (;;) {
		ssize_t n;

		if (size - len < 2) {
			char *nb;

			if (size >= STATE_MAX)
				return -EFBIG;
			size = size ? size * 2 : 4096;
			nb = realloc(buf, size);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = RETRY_EINTR(pread(fd, buf + len, size - len - 1, (off_t)len));
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

/*
 * Opens and locks the state file (creating it and its directory), and reads
 * its live entries into @t. Returns the locked fd or -errno.
 */
static int state_open(const char *path, struct alloc_table *t)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *dir = strdup(path), *text = NULL;
	char *slash;
	int r;

	if (!dir)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	slash = strrchr(dir, '/');
	/* The first allocation since boot makes the directory (/run is a tmpfs). */
	if (fd < 0 && errno == ENOENT && slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	}
	if (fd < 0)
		return -errno;
	if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0)
		return -errno;
	r = state_read(fd, &text);
	if (r < 0)
		return r;
	r = table_parse(text, t);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

int userns_alloc(const char *state_path, const struct subid_pool *upool,
		 const struct subid_pool *gpool, uint32_t size, pid_t owner, uint32_t *ret_uid,
		 uint32_t *ret_gid)
{
	struct alloc_table t = {};
	_cleanup_close_ int fd = -EBADF;
	uint32_t ustart, gstart;
	struct alloc_entry *v;
	int r;

	fd = state_open(state_path, &t);
	if (fd < 0) {
		free(t.v);
		return fd;
	}
	r = table_find(&t, upool, false, size, &ustart);
	if (r >= 0)
		r = table_find(&t, gpool, true, size, &gstart);
	if (r < 0)
		goto out;
	v = reallocarray(t.v, t.n + 2, sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	t.v = v;
	t.v[t.n++] = (struct alloc_entry){ false, ustart, size, owner };
	t.v[t.n++] = (struct alloc_entry){ true, gstart, size, owner };
	r = table_write(fd, &t);
	if (r >= 0) {
		*ret_uid = ustart;
		*ret_gid = gstart;
	}
out:
	free(t.v);
	return r;
}

int userns_free(const char *state_path, pid_t owner)
{
	struct alloc_table t = {};
	_cleanup_close_ int fd = -EBADF;
	size_t n = 0;
	int r;

	fd = state_open(state_path, &t);
	if (fd < 0) {
		free(t.v);
		return fd;
	}
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].owner != owner)
			t.v[n++] = t.v[i];
	t.n = n;
	r = table_write(fd, &t);
	free(t.v);
	return r;
}

static const char *state_path(void)
{
	const char *p = getenv(USERNS_STATE_ENV);

	return isempty(p) ? USERNS_STATE_PATH : p;
}

int userns_lease_take(const struct container_spec *spec, pid_t owner, struct userns_lease *lease,
		      struct spec_idmaps *ret_uid, struct spec_idmaps *ret_gid)
{
	struct subid_pool upool, gpool;
	uint32_t ustart, gstart;
	char *path;
	int r;

	*lease = (struct userns_lease){};
	if (spec->userns == SPEC_USERNS_MAPS) {
		*ret_uid = spec->uid_map;
		*ret_gid = spec->gid_map;
		return 0;
	}
	r = subid_pool_read(subid_path(false), &upool);
	if (r < 0)
		return r;
	r = subid_pool_read(subid_path(true), &gpool);
	if (r < 0)
		return r;
	path = strdup(state_path());
	if (!path)
		return -ENOMEM;
	r = userns_alloc(path, &upool, &gpool, spec->userns_size, owner, &ustart, &gstart);
	if (r < 0) {
		free(path);
		return r;
	}
	*lease = (struct userns_lease){ .state_path = path,
					.owner = owner,
					.uid_start = ustart,
					.gid_start = gstart,
					.size = spec->userns_size };
	*ret_uid = (struct spec_idmaps){ .n = 1, .v = { { 0, ustart, spec->userns_size } } };
	*ret_gid = (struct spec_idmaps){ .n = 1, .v = { { 0, gstart, spec->userns_size } } };
	return 0;
}

/* Attempts of a release: a failure leaves the range held until our pid is gone. */
#define RELEASE_ATTEMPTS 3

int userns_lease_release(struct userns_lease *lease)
{
	int r = 0;

	if (!lease->state_path)
		return 0;
	/*
	 * A range not released stays reserved until the next allocation finds
	 * its owner gone; retry transient failures (EINTR, ENOMEM, ...) first.
	 */
	for (int attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
		r = userns_free(lease->state_path, lease->owner);
		if (r >= 0 || r == -ENOENT || r == -EACCES || r == -EROFS)
			break;
	}
	free(lease->state_path);
	lease->state_path = NULL;
	return r;
}

/* Writes @maps to /proc/@pid/@file in one write(), as the kernel requires. */
static int write_map(pid_t pid, const char *file, const struct spec_idmaps *maps)
{
	char path[64], buf[SPEC_IDMAP_MAX * 36];
	_cleanup_close_ int fd = -EBADF;
	size_t len = 0;
	ssize_t k;

	for (unsigned i = 0; i < maps->n && i < SPEC_IDMAP_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", maps->v[i].inside,
					maps->v[i].outside, maps->v[i].count);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = write(fd, buf, len);
	if (k < 0)
		return -errno;
	return (size_t)k == len ? 0 : -EIO;
}

int userns_write_maps(pid_t pid, const struct spec_idmaps *uid, const struct spec_idmaps *gid,
		      const char **ret_file)
{
	int r;

	*ret_file = "gid_map";
	r = write_map(pid, "gid_map", gid);
	if (r < 0)
		return r;
	*ret_file = "uid_map";
	return write_map(pid, "uid_map", uid);
}

int userns_cgroup_delegate(int leaf_fd, uint32_t uid, uint32_t gid)
{
	static const char *const files[] = { "cgroup.procs", "cgroup.threads",
					     "cgroup.subtree_control" };

	if (fchown(leaf_fd, uid, gid) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (fchownat(leaf_fd, files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != ENOENT)
			return -errno;
	return 0;
}

/* Removes the sub-cgroups of @fd depth-first (@depth bounds a hostile tree). */
static int prune_children(int fd, unsigned depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd, ret = 0;

	if (depth > 32)
		return -ELOOP;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		(void)close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int child = -EBADF;
		int r = 0;

		if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		child = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (child >= 0)
			r = prune_children(child, depth + 1);
		/* Its last task may still be exiting: retry EBUSY briefly. */
		for (int attempt = 0; r >= 0 && attempt < 100; attempt++) {
			if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY || attempt == 99) {
				r = -errno;
				break;
			}
			(void)usleep(2000);
		}
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

int userns_cgroup_prune(int leaf_fd)
{
	/* ENOENT: a kernel before 5.14; the teardown still kills the leaf's own tasks. */
	(void)write_file_at(leaf_fd, "cgroup.kill", "1");
	return prune_children(leaf_fd, 0);
}
