/* SPDX-License-Identifier: MIT */
/*
 * runtime-pipe.c: the wire format between the launcher (runtime.c) and the
 * container side (runtime-init.c). The launcher sends one command frame down
 * the command pipe and closes it, which is also the start barrier; init
 * answers on the status pipe only when it fails. The format is described in
 * runtime-pipe.h. Nothing here logs: callers have the context.
 */
#include "runtime-pipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define COMMAND_HEADER_LEN (10 * sizeof(uint32_t) + 2 * sizeof(uint64_t))
#define RLIMIT_LEN	   (sizeof(uint32_t) + 2 * sizeof(uint64_t))

/* Appends bytes to a buffer sized in advance by command_build(). */
struct writer {
	uint8_t *p;
};

static void put_u32(struct writer *w, uint32_t v)
{
	memcpy(w->p, &v, sizeof(v));
	w->p += sizeof(v);
}

static void put_u64(struct writer *w, uint64_t v)
{
	memcpy(w->p, &v, sizeof(v));
	w->p += sizeof(v);
}

static void put_string(struct writer *w, const char *s, size_t len)
{
	put_u32(w, (uint32_t)len);
	memcpy(w->p, s, len);
	w->p += len;
}

/* Adds the encoded size of @s to *total; -E2BIG when a limit is exceeded. */
static int account_string(const char *s, size_t *total)
{
	size_t len = strlen(s);

	if (len > PIPE_STRING_MAX)
		return -E2BIG;
	*total += sizeof(uint32_t) + len;
	return *total > PIPE_COMMAND_MAX ? -E2BIG : 0;
}

/* Like account_string() for a string that may be NULL. */
static int account_opt_string(const char *s, size_t *total)
{
	if (!s) {
		*total += sizeof(uint32_t);
		return *total > PIPE_COMMAND_MAX ? -E2BIG : 0;
	}
	return account_string(s, total);
}

static void put_opt_string(struct writer *w, const char *s)
{
	if (!s)
		put_u32(w, UINT32_MAX);
	else
		put_string(w, s, strlen(s));
}

#define MOUNT_OP_HEADER_LEN (5 * sizeof(uint32_t) + 2 * sizeof(uint64_t))

/* Adds the encoded size of the mount plan and the seccomp filter to *total. */
static int account_tail(const struct command *c, size_t *total)
{
	int r;

	if (c->mounts.n_ops > MOUNT_PLAN_OPS_MAX || c->seccomp_filter_len > PIPE_SECCOMP_MAX)
		return -E2BIG;
	if (c->seccomp_filter_len % 8 != 0 || (c->seccomp_filter_len && !c->seccomp_filter))
		return -EINVAL;
	*total += 2 * sizeof(uint32_t) + c->seccomp_filter_len;
	for (size_t i = 0; i < c->mounts.n_ops; i++) {
		const struct mount_op *op = &c->mounts.ops[i];

		*total += MOUNT_OP_HEADER_LEN;
		if ((r = account_opt_string(op->source, total)) < 0 ||
		    (r = account_string(op->target ? op->target : "", total)) < 0 ||
		    (r = account_opt_string(op->fstype, total)) < 0 ||
		    (r = account_opt_string(op->data, total)) < 0)
			return r;
	}
	return 0;
}

static void put_tail(struct writer *w, const struct command *c)
{
	put_u32(w, (uint32_t)c->mounts.n_ops);
	for (size_t i = 0; i < c->mounts.n_ops; i++) {
		const struct mount_op *op = &c->mounts.ops[i];

		put_u32(w, op->type);
		put_u32(w, op->flags);
		put_u64(w, op->mountflags);
		put_u32(w, op->mode);
		put_u64(w, op->dev);
		put_u32(w, op->uid);
		put_u32(w, op->gid);
		put_opt_string(w, op->source);
		put_opt_string(w, op->target ? op->target : "");
		put_opt_string(w, op->fstype);
		put_opt_string(w, op->data);
	}
	put_u32(w, (uint32_t)c->seccomp_filter_len);
	if (c->seccomp_filter_len) {
		memcpy(w->p, c->seccomp_filter, c->seccomp_filter_len);
		w->p += c->seccomp_filter_len;
	}
}

int command_build(const struct command *c, uint8_t **ret_buf, size_t *ret_len)
{
	size_t argc = strv_length(c->argv), envc = strv_length(c->env);
	size_t total = COMMAND_HEADER_LEN;
	const char *hostname = c->hostname ? c->hostname : "";
	const char *path = c->path ? c->path : "";
	const char *cwd = c->cwd ? c->cwd : "";
	struct writer w;
	uint8_t *buf;
	int r;

	if (argc == 0)
		return -EINVAL;
	if (argc + envc > PIPE_STRINGS_MAX || c->n_groups > PIPE_GROUPS_MAX ||
	    c->n_rlimits > PIPE_RLIMITS_MAX)
		return -E2BIG;
	total += c->n_groups * sizeof(uint32_t) + c->n_rlimits * RLIMIT_LEN;
	r = account_string(hostname, &total);
	if (r < 0)
		return r;
	r = account_string(path, &total);
	if (r < 0)
		return r;
	r = account_string(cwd, &total);
	if (r < 0)
		return r;
	for (size_t i = 0; i < argc; i++) {
		r = account_string(c->argv[i], &total);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < envc; i++) {
		r = account_string(c->env[i], &total);
		if (r < 0)
			return r;
	}
	r = account_tail(c, &total);
	if (r < 0)
		return r;

	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	w.p = buf;
	put_u32(&w, PIPE_COMMAND_MAGIC);
	put_u32(&w, PIPE_COMMAND_VERSION);
	put_u32(&w, c->namespaces);
	put_u32(&w, (c->tty ? PIPE_COMMAND_TTY : 0) |
			(c->no_new_privs ? PIPE_COMMAND_NO_NEW_PRIVS : 0) |
			(c->init ? PIPE_COMMAND_INIT : 0) |
			(c->clear_env ? PIPE_COMMAND_CLEAR_ENV : 0));
	put_u32(&w, (uint32_t)argc);
	put_u32(&w, (uint32_t)envc);
	put_u32(&w, c->uid);
	put_u32(&w, c->gid);
	put_u32(&w, (uint32_t)c->n_groups);
	put_u32(&w, (uint32_t)c->n_rlimits);
	put_u64(&w, c->cap_bounding);
	put_u64(&w, c->cap_ambient);
	put_string(&w, hostname, strlen(hostname));
	put_string(&w, path, strlen(path));
	put_string(&w, cwd, strlen(cwd));
	for (size_t i = 0; i < argc; i++)
		put_string(&w, c->argv[i], strlen(c->argv[i]));
	for (size_t i = 0; i < envc; i++)
		put_string(&w, c->env[i], strlen(c->env[i]));
	for (size_t i = 0; i < c->n_groups; i++)
		put_u32(&w, c->groups[i]);
	for (size_t i = 0; i < c->n_rlimits; i++) {
		put_u32(&w, c->rlimits[i].resource);
		put_u64(&w, c->rlimits[i].soft);
		put_u64(&w, c->rlimits[i].hard);
	}
	put_tail(&w, c);
	*ret_buf = buf;
	*ret_len = total;
	return 0;
}

/* Writes all of @buf, retrying short writes and EINTR. Returns 0 or -errno. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int command_write(int fd, const struct command *c)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r;

	r = command_build(c, &buf, &len);
	if (r < 0)
		return r;
	return write_all(fd, buf, len);
}

/* Bounds-checked consumer of a received frame. */
struct reader {
	const uint8_t *p, *end;
};

static int get_u32(struct reader *rd, uint32_t *ret)
{
	if ((size_t)(rd->end - rd->p) < sizeof(uint32_t))
		return -EBADMSG;
	memcpy(ret, rd->p, sizeof(*ret));
	rd->p += sizeof(*ret);
	return 0;
}

static int get_u64(struct reader *rd, uint64_t *ret)
{
	if ((size_t)(rd->end - rd->p) < sizeof(uint64_t))
		return -EBADMSG;
	memcpy(ret, rd->p, sizeof(*ret));
	rd->p += sizeof(*ret);
	return 0;
}

/* Reads one string into a new NUL-terminated copy; a NUL inside is garbage. */
static int get_string(struct reader *rd, char **ret)
{
	uint32_t len;
	char *s;
	int r;

	r = get_u32(rd, &len);
	if (r < 0)
		return r;
	if (len > PIPE_STRING_MAX || len > (size_t)(rd->end - rd->p))
		return -EBADMSG;
	if (memchr(rd->p, '\0', len))
		return -EBADMSG;
	s = strndup((const char *)rd->p, len);
	if (!s)
		return -ENOMEM;
	rd->p += len;
	*ret = s;
	return 0;
}

/* Like get_string(), where the length UINT32_MAX stands for NULL. */
static int get_opt_string(struct reader *rd, char **ret)
{
	uint32_t len;

	if ((size_t)(rd->end - rd->p) < sizeof(uint32_t))
		return -EBADMSG;
	memcpy(&len, rd->p, sizeof(len));
	if (len == UINT32_MAX) {
		rd->p += sizeof(len);
		*ret = NULL;
		return 0;
	}
	return get_string(rd, ret);
}

/* Reads the mount plan and the seccomp filter that end the frame. */
static int get_tail(struct reader *rd, struct command *c)
{
	uint32_t n, len;
	int r;

	if (get_u32(rd, &n) < 0)
		return -EBADMSG;
	if (n > MOUNT_PLAN_OPS_MAX ||
	    (uint64_t)n * (MOUNT_OP_HEADER_LEN + 4 * sizeof(uint32_t)) > (size_t)(rd->end - rd->p))
		return -EBADMSG;
	if (n > 0) {
		c->mounts.ops = calloc(n, sizeof(struct mount_op));
		if (!c->mounts.ops)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct mount_op *op = &c->mounts.ops[i];

		/* Counted first, so that command_free() frees what was read so far. */
		c->mounts.n_ops = i + 1;
		if (get_u32(rd, &op->type) < 0 || get_u32(rd, &op->flags) < 0 ||
		    get_u64(rd, &op->mountflags) < 0 || get_u32(rd, &op->mode) < 0 ||
		    get_u64(rd, &op->dev) < 0 || get_u32(rd, &op->uid) < 0 ||
		    get_u32(rd, &op->gid) < 0)
			return -EBADMSG;
		if (op->type >= _MOUNT_OP_MAX)
			return -EBADMSG;
		if ((r = get_opt_string(rd, &op->source)) < 0 ||
		    (r = get_string(rd, &op->target)) < 0 ||
		    (r = get_opt_string(rd, &op->fstype)) < 0 ||
		    (r = get_opt_string(rd, &op->data)) < 0)
			return r;
	}
	if (get_u32(rd, &len) < 0)
		return -EBADMSG;
	if (len > PIPE_SECCOMP_MAX || len % 8 != 0 || len > (size_t)(rd->end - rd->p))
		return -EBADMSG;
	if (len > 0) {
		c->seccomp_filter = malloc(len);
		if (!c->seccomp_filter)
			return -ENOMEM;
		memcpy(c->seccomp_filter, rd->p, len);
		rd->p += len;
		c->seccomp_filter_len = len;
	}
	return 0;
}

/* Reads @n strings into a new NULL-terminated vector. */
static int get_strv(struct reader *rd, uint32_t n, char ***ret)
{
	_cleanup_strv_free_ char **l = calloc((size_t)n + 1, sizeof(char *));
	int r;

	if (!l)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		r = get_string(rd, &l[i]);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

/* Reads @n gids into c->groups (NULL when there are none). */
static int get_groups(struct reader *rd, uint32_t n, struct command *c)
{
	if (n == 0)
		return 0;
	if ((uint64_t)n * sizeof(uint32_t) > (size_t)(rd->end - rd->p))
		return -EBADMSG;
	c->groups = calloc(n, sizeof(uint32_t));
	if (!c->groups)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		(void)get_u32(rd, &c->groups[i]);
	c->n_groups = n;
	return 0;
}

struct command *command_free(struct command *c)
{
	if (!c)
		return NULL;
	strv_free(c->argv);
	strv_free(c->env);
	free(c->path);
	free(c->hostname);
	free(c->cwd);
	free(c->groups);
	mount_plan_done(&c->mounts);
	free(c->seccomp_filter);
	free(c);
	return NULL;
}

int command_parse(const uint8_t *buf, size_t len, struct command **ret)
{
	_cleanup_(command_freep) struct command *c = NULL;
	struct reader rd = { .p = buf, .end = buf + len };
	uint32_t magic, version, ns, flags, argc, envc, uid, gid, ngroups, nrlimits;
	uint64_t caps, ambient;
	int r;

	if (len == 0)
		return -ENODATA;
	if (get_u32(&rd, &magic) < 0 || magic != PIPE_COMMAND_MAGIC)
		return -EPROTO;
	if (len > PIPE_COMMAND_MAX)
		return -EBADMSG;
	if (get_u32(&rd, &version) < 0 || get_u32(&rd, &ns) < 0 || get_u32(&rd, &flags) < 0 ||
	    get_u32(&rd, &argc) < 0 || get_u32(&rd, &envc) < 0 || get_u32(&rd, &uid) < 0 ||
	    get_u32(&rd, &gid) < 0 || get_u32(&rd, &ngroups) < 0 || get_u32(&rd, &nrlimits) < 0 ||
	    get_u64(&rd, &caps) < 0 || get_u64(&rd, &ambient) < 0)
		return -EBADMSG;
	/* Checking the counts against the bytes left keeps garbage from allocating much. */
	if (version != PIPE_COMMAND_VERSION || argc == 0 ||
	    (uint64_t)argc + envc > PIPE_STRINGS_MAX || ngroups > PIPE_GROUPS_MAX ||
	    nrlimits > PIPE_RLIMITS_MAX ||
	    ((uint64_t)argc + envc + 3 + ngroups) * sizeof(uint32_t) + nrlimits * RLIMIT_LEN >
		(size_t)(rd.end - rd.p))
		return -EBADMSG;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->namespaces = ns;
	c->tty = flags & PIPE_COMMAND_TTY;
	c->no_new_privs = flags & PIPE_COMMAND_NO_NEW_PRIVS;
	c->init = flags & PIPE_COMMAND_INIT;
	c->clear_env = flags & PIPE_COMMAND_CLEAR_ENV;
	c->uid = uid;
	c->gid = gid;
	c->cap_bounding = caps;
	c->cap_ambient = ambient;
	r = get_string(&rd, &c->hostname);
	if (r < 0)
		return r;
	r = get_string(&rd, &c->path);
	if (r < 0)
		return r;
	r = get_string(&rd, &c->cwd);
	if (r < 0)
		return r;
	r = get_strv(&rd, argc, &c->argv);
	if (r < 0)
		return r;
	r = get_strv(&rd, envc, &c->env);
	if (r < 0)
		return r;
	r = get_groups(&rd, ngroups, c);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < nrlimits; i++) {
		struct command_rlimit *l = &c->rlimits[i];

		if (get_u32(&rd, &l->resource) < 0 || get_u64(&rd, &l->soft) < 0 ||
		    get_u64(&rd, &l->hard) < 0)
			return -EBADMSG;
	}
	c->n_rlimits = nrlimits;
	r = get_tail(&rd, c);
	if (r < 0)
		return r;
	if (rd.p != rd.end)
		return -EBADMSG;
	*ret = TAKE_PTR(c);
	return 0;
}

int command_read(int fd, struct command **ret)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0, size = 0;

	for (;;) {
		ssize_t n;

		if (len == size) {
			uint8_t *nb;

			if (size >= PIPE_COMMAND_MAX)
				return -EFBIG;
			size = size ? size * 2 : 65536;
			if (size > PIPE_COMMAND_MAX)
				size = PIPE_COMMAND_MAX;
			nb = realloc(buf, size);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* Refuse a stranger's pipe at once instead of waiting for its EOF. */
		if (len >= sizeof(uint32_t)) {
			uint32_t magic;

			memcpy(&magic, buf, sizeof(magic));
			if (magic != PIPE_COMMAND_MAGIC)
				return -EPROTO;
		}
	}
	return command_parse(buf, len, ret);
}

int status_write(int fd, int error, int exit_code, const char *message)
{
	uint8_t buf[PIPE_STATUS_MAX];
	size_t len = message ? strlen(message) : 0;
	struct writer w = { .p = buf };
	ssize_t n;

	if (len > PIPE_STATUS_MESSAGE_MAX)
		len = PIPE_STATUS_MESSAGE_MAX;
	put_u32(&w, PIPE_STATUS_MAGIC);
	put_u32(&w, (uint32_t)error);
	put_u32(&w, (uint32_t)exit_code);
	put_string(&w, message ? message : "", len);
	do
		n = write(fd, buf, (size_t)(w.p - buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == w.p - buf ? 0 : -EIO;
}

int status_parse(const uint8_t *buf, size_t len, struct status *ret)
{
	struct reader rd = { .p = buf, .end = buf + len };
	uint32_t magic, error, code, mlen;

	if (get_u32(&rd, &magic) < 0 || magic != PIPE_STATUS_MAGIC)
		return -EPROTO;
	if (get_u32(&rd, &error) < 0 || get_u32(&rd, &code) < 0 || get_u32(&rd, &mlen) < 0)
		return -EBADMSG;
	if (mlen > PIPE_STATUS_MESSAGE_MAX || mlen != (size_t)(rd.end - rd.p) ||
	    memchr(rd.p, '\0', mlen))
		return -EBADMSG;
	if ((int32_t)code < 0 || (int32_t)code > 255)
		return -EBADMSG;
	ret->error = (int32_t)error;
	ret->exit_code = (int32_t)code;
	memcpy(ret->message, rd.p, mlen);
	ret->message[mlen] = '\0';
	return 0;
}
