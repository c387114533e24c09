/* SPDX-License-Identifier: MIT */
/*
 * runtime-seccomp.c: SeccompProfile= on the launcher's side. The profile
 * (seccomp-default.c, or a JSON file parsed by seccomp-profile.c) and the
 * container's capabilities become a classic BPF program through libseccomp;
 * the program is cached by the SHA-256 of its inputs, so a start normally
 * reads one small file:
 *
 *   key   = SHA-256("mdlaunch-seccomp" format version, mdlaunch version,
 *           libseccomp version, native architecture, kernel major.minor,
 *           whether the kernel runs x32 calls,
 *           capability mask, "default" and a fingerprint of its table, or
 *           the profile file's bytes)
 *   file  = <cache>/<hex key>.bpf: a header (magic, instruction count, the
 *           key, a checksum of the instructions) and the instructions
 *
 * A cache file is used only when its size, header, key and checksum all
 * match, it is a regular file owned by the launcher's user and nobody else
 * may write it; anything else is rebuilt and replaced (written to a
 * temporary file and renamed, so a reader never sees half a file). Init
 * loads the instructions it receives with seccomp_load_program().
 * libseccomp's program is shortened by seccomp_optimize() before it is
 * cached: the kernel's load costs per instruction, at every start.
 */
#include "runtime-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"
#include "seccomp-optimize.h"
#include "seccomp-profile.h"
#include "sha256.h"
#include "spec.h"
#include "util.h"

#define CACHE_MAGIC	  "MDLBPF1\n"
#define CACHE_FORMAT	  4 /* 3: shortened by seccomp_optimize(); 4: with shared returns */
#define PROFILE_FILE_MAX  (4U * 1024 * 1024)
#define PROGRAM_INSNS_MAX 4096U /* the kernel's BPF_MAXINSNS */

struct cache_header {
	char magic[8];
	uint32_t n_insns;
	uint32_t format;
	uint8_t key[SHA256_DIGEST_SIZE];
	uint64_t sum; /* checksum64() of the instructions */
};

/*
 * A 64-bit checksum of the cached instructions: it catches a damaged file,
 * at ~1 us for a whole program where a SHA-256 of it costs ~70 us of a
 * start. (The file name already is the SHA-256 of the inputs; only the
 * launcher's user can write the directory.)
 */
static uint64_t checksum64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0x6a09e667f3bcc908ULL ^ len;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	for (; len > 0; p++, len--)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

_printf_(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* libseccomp's action value for @a with @ret (errno or trace message). */
static uint32_t scmp_action(enum seccomp_act a, uint32_t ret)
{
	switch (a) {
	case SECCOMP_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case SECCOMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(ret);
	case SECCOMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SECCOMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SECCOMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SECCOMP_ACT_TRACE:
		return SCMP_ACT_TRACE(ret);
	case SECCOMP_ACT_LOG:
		return SCMP_ACT_LOG;
	default:
		return SCMP_ACT_KILL_PROCESS;
	}
}

/*
 * Whether this kernel runs x32 system calls. Debian's kernels build the x32
 * ABI but leave it off (syscall.x32=y turns it on): then the kernel answers
 * every x32 call ENOSYS by itself, and filtering that ABI only costs load
 * time (x32 is a third of docker's amd64 program: the kernel's load, its JIT
 * mostly, costs ~0.4 us per instruction here). Filtered calls answer
 * anything but ENOSYS, so under an outer filter this says "enabled".
 */
static bool kernel_runs_x32(void)
{
	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return false;
	return !(syscall(0x40000000L /* __X32_SYSCALL_BIT */ | SYS_getpid) < 0 && errno == ENOSYS);
}

/* The running kernel's major.minor (0.0 when uname cannot tell). */
static void kernel_version(unsigned ret[2])
{
	struct utsname u;

	ret[0] = ret[1] = 0;
	if (uname(&u) == 0)
		(void)seccomp_parse_kernel(u.release, ret);
}

/* True when two conditions of @r test the same argument. */
static bool conds_share_an_argument(const struct seccomp_rule *r)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < r->n_conds; i++) {
		if (seen & (1U << r->conds[i].index))
			return true;
		seen |= 1U << r->conds[i].index;
	}
	return false;
}

/* Adds rule @r for system call @nr; -errno from libseccomp. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct seccomp_rule *r)
{
	struct scmp_arg_cmp cmp[SECCOMP_CONDS_MAX];
	int k;

	for (unsigned i = 0; i < r->n_conds; i++)
		cmp[i] = (struct scmp_arg_cmp){ .arg = r->conds[i].index,
						.op = (enum scmp_compare)r->conds[i].op,
						.datum_a = r->conds[i].value,
						.datum_b = r->conds[i].value_two };
	if (!conds_share_an_argument(r))
		return seccomp_rule_add_array(ctx, action, nr, r->n_conds, cmp);
	/*
	 * libseccomp refuses two conditions on one argument in one rule (and
	 * would AND them): one rule per condition, ORed, as runc does for
	 * profiles that list several values of one argument in one entry.
	 */
	for (unsigned i = 0; i < r->n_conds; i++) {
		k = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
		if (k < 0)
			return k;
	}
	return 0;
}

/* Reads everything from @fd (at offset 0) into a new buffer. */
static int read_all(int fd, size_t max, uint8_t **ret, size_t *ret_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0, size = 0;

	for (;;) {
		ssize_t n;

		if (len == size) {
			uint8_t *b;

			if (size >= max)
				return -EFBIG;
			size = size ? size * 2 : 4096;
			size = size > max ? max : size;
			b = realloc(buf, size + 1);
			if (!b)
				return -ENOMEM;
			buf = b;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int seccomp_compile(const struct seccomp_profile *p, uint64_t caps, struct sock_filter **ret_insns,
		    size_t *ret_len, unsigned *ret_skipped, char *err, size_t errlen)
{
	uint32_t def = scmp_action(p->default_action, p->default_ret);
	const char *arch = seccomp_native_arch();
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ struct sock_filter *shorter = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t n_shorter = 0;
	unsigned kernel[2], skipped = 0;
	bool x32 = kernel_runs_x32();
	scmp_filter_ctx ctx;
	size_t len = 0;
	int r = 0;

	kernel_version(kernel);
	ctx = seccomp_init(def);
	if (!ctx)
		return fail(err, errlen, "libseccomp cannot create a filter"), -ENOMEM;
	/* Init sets no_new_privs itself (NoNewPrivileges=); a binary tree of calls is faster. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (unsigned i = 0; i < p->n_arches && r >= 0; i++) {
		if (p->arches[i] == SCMP_ARCH_X32 && !x32) {
			log_debug("seccomp: the kernel runs no x32 system calls: x32 not filtered");
			continue;
		}
		r = seccomp_arch_add(ctx, p->arches[i]);
		if (r == -EEXIST)
			r = 0;
		if (r < 0)
			fail(err, errlen, "cannot add architecture %#x: %s", p->arches[i],
			     strerror(-r));
	}
	for (size_t i = 0; i < p->n_rules && r >= 0; i++) {
		const struct seccomp_rule *rule = &p->rules[i];
		uint32_t action = scmp_action(rule->action, rule->ret);

		if (!seccomp_rule_applies(rule, caps, arch, kernel))
			continue;
		/* The default already does it (libseccomp refuses such a rule). */
		if (action == def && rule->n_conds == 0)
			continue;
		for (char **n = rule->names; *n && r >= 0; n++) {
			int nr = seccomp_syscall_resolve_name(*n);

			if (nr == __NR_SCMP_ERROR) {
				log_debug(
				    "seccomp: system call '%s' unknown to libseccomp %u.%u.%u, "
				    "skipped",
				    *n, seccomp_version()->major, seccomp_version()->minor,
				    seccomp_version()->micro);
				skipped++;
				continue;
			}
			r = add_rule(ctx, action, nr, rule);
			if (r == -EACCES) /* same action as the default */
				r = 0;
			if (r < 0)
				fail(err, errlen,
				     "syscalls[%zu] '%s': libseccomp refused the rule: %s", i, *n,
				     strerror(-r));
		}
	}
	if (r >= 0) {
		fd = memfd_create("mdlaunch-seccomp", MFD_CLOEXEC);
		if (fd < 0)
			r = -errno;
		else
			r = seccomp_export_bpf(ctx, fd);
		if (r < 0)
			fail(err, errlen, "cannot export the filter: %s", strerror(-r));
	}
	seccomp_release(ctx);
	if (r < 0)
		return r;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	r = read_all(fd, PROGRAM_INSNS_MAX * sizeof(struct sock_filter), &buf, &len);
	if (r < 0 || len == 0 || len % sizeof(struct sock_filter))
		return fail(err, errlen, "the compiled filter is empty or too large (%zu bytes)",
			    len),
		       r < 0 ? r : -E2BIG;
	r = seccomp_optimize((const struct sock_filter *)buf, len / sizeof(struct sock_filter),
			     &shorter, &n_shorter);
	if (r >= 0) {
		log_debug("seccomp: program shortened from %zu to %zu instructions",
			  len / sizeof(struct sock_filter), n_shorter);
		*ret_insns = TAKE_PTR(shorter);
		*ret_len = n_shorter;
	} else {
		log_debug_errno(r, "seccomp: libseccomp's program (%zu instructions) kept: %m",
				len / sizeof(struct sock_filter));
		*ret_insns = (struct sock_filter *)TAKE_PTR(buf);
		*ret_len = len / sizeof(struct sock_filter);
	}
	if (ret_skipped)
		*ret_skipped = skipped;
	return 0;
}

/* Reads the profile file @path (the bytes are hashed and parsed). */
static int read_profile(const char *path, uint8_t **ret, size_t *ret_len, char *err, size_t errlen)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		return fail(err, errlen, "cannot read the profile '%s': %s", path, strerror(-r)), r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fail(err, errlen, "the profile '%s' is not a regular file", path);
	r = read_all(fd, PROFILE_FILE_MAX, ret, ret_len);
	if (r == -EFBIG)
		return fail(err, errlen, "the profile '%s' is larger than %u bytes", path,
			    PROFILE_FILE_MAX);
	if (r < 0)
		return fail(err, errlen, "cannot read the profile '%s': %s", path, strerror(-r)), r;
	return 0;
}

/* The profile of @spec: the default one, or @content (the file's bytes) parsed. */
static int load_profile(const struct container_spec *spec, const uint8_t *content, size_t len,
			struct seccomp_profile **ret, char *err, size_t errlen)
{
	char msg[512];
	int r;

	if (!spec->seccomp_profile)
		return seccomp_profile_default(ret);
	r = seccomp_profile_parse((const char *)content, len, ret, msg, sizeof(msg));
	if (r == -EINVAL)
		return fail(err, errlen, "'%s': %s", spec->seccomp_profile, msg);
	return r;
}

static void cache_key(const struct container_spec *spec, const uint8_t *content, size_t len,
		      uint8_t key[SHA256_DIGEST_SIZE])
{
	const struct scmp_version *v = seccomp_version();
	char head[256];
	unsigned kernel[2];
	struct sha256_ctx c;
	int n;

	kernel_version(kernel);
	n = snprintf(
	    head, sizeof(head),
	    "mdlaunch-seccomp %u\n%s\nlibseccomp %u.%u.%u\narch %#x\nkernel %u.%u\n"
	    "caps %#llx\nx32 %d\n%s %#llx\n",
	    CACHE_FORMAT, MDLAUNCH_VERSION, v->major, v->minor, v->micro, seccomp_arch_native(),
	    kernel[0], kernel[1], (unsigned long long)spec->capabilities, kernel_runs_x32(),
	    spec->seccomp_profile ? "file" : "default",
	    spec->seccomp_profile ? 0ULL
				  : (unsigned long long)seccomp_profile_default_fingerprint());
	sha256_init(&c);
	sha256_update(&c, head, (size_t)n);
	if (spec->seccomp_profile)
		sha256_update(&c, content, len);
	sha256_final(&c, key);
}

static const char *cache_dir_of(const char *cache_dir)
{
	if (cache_dir)
		return cache_dir;
	if (!isempty(getenv(SECCOMP_CACHE_ENV)))
		return getenv(SECCOMP_CACHE_ENV);
	return SECCOMP_CACHE_DIR;
}

/* Reads a valid cache entry into *ret; -ENOENT when missing, -EBADMSG when not valid. */
static int cache_read(const char *path, const uint8_t key[SHA256_DIGEST_SIZE],
		      struct seccomp_program *ret)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct cache_header h;
	struct stat st;
	size_t len = 0, n;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_size < (off_t)sizeof(h) ||
	    st.st_size > (off_t)(sizeof(h) + PROGRAM_INSNS_MAX * sizeof(struct sock_filter)))
		return -EBADMSG;
	/* One byte more than expected: a file that grew is not the one we checked. */
	r = read_all(fd, (size_t)st.st_size + 1, &buf, &len);
	if (r < 0 && r != -EFBIG)
		return r;
	if (r < 0 || len != (size_t)st.st_size)
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	n = h.n_insns;
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.format != CACHE_FORMAT ||
	    n == 0 || n > PROGRAM_INSNS_MAX || len != sizeof(h) + n * sizeof(struct sock_filter) ||
	    memcmp(h.key, key, SHA256_DIGEST_SIZE) != 0)
		return -EBADMSG;
	if (checksum64(buf + sizeof(h), len - sizeof(h)) != h.sum)
		return -EBADMSG;
	ret->insns = malloc(len - sizeof(h));
	if (!ret->insns)
		return -ENOMEM;
	memcpy(ret->insns, buf + sizeof(h), len - sizeof(h));
	ret->len = n;
	return 0;
}

/* mkdir -p of @dir (and its parent), mode 0700 for what it creates. */
static int mkdir_parents(const char *dir)
{
	_cleanup_free_ char *parent = strdup(dir);
	char *slash;

	if (!parent)
		return -ENOMEM;
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -ENOENT;
	*slash = '\0';
	/* /run/mdlaunch may be shared with other parts of mdlaunch: readable, not writable. */
	if (mkdir_parents(parent) < 0)
		return -errno;
	(void)chmod(parent, 0755);
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* Writes the cache entry atomically (temporary file, then rename). 0 or -errno. */
static int cache_write(const char *dir, const char *path, const uint8_t key[SHA256_DIGEST_SIZE],
		       const struct sock_filter *insns, size_t n)
{
	struct cache_header h = { .n_insns = (uint32_t)n, .format = CACHE_FORMAT };
	_cleanup_close_ int fd = -EBADF;
	char tmp[300];
	size_t size = n * sizeof(*insns);
	int r;

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, SHA256_DIGEST_SIZE);
	h.sum = checksum64(insns, size);

	r = mkdir_parents(dir);
	if (r < 0)
		return r;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    write(fd, insns, size) != (ssize_t)size || fchmod(fd, 0600) < 0) {
		r = errno ? -errno : -EIO;
		(void)unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		(void)unlink(tmp);
		return r;
	}
	return 0;
}

int seccomp_prepare(const struct container_spec *spec, const char *cache_dir,
		    struct seccomp_program *ret, char *err, size_t errlen)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	_cleanup_free_ uint8_t *content = NULL;
	uint8_t key[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	struct seccomp_program prog = {};
	const char *dir = cache_dir_of(cache_dir);
	size_t len = 0;
	int r;

	*ret = (struct seccomp_program){};
	if (spec->seccomp_profile && streq(spec->seccomp_profile, SPEC_SECCOMP_UNCONFINED))
		return 0;
	if (spec->seccomp_profile) {
		r = read_profile(spec->seccomp_profile, &content, &len, err, errlen);
		if (r < 0)
			return r;
	}
	cache_key(spec, content, len, key);
	sha256_hex(key, hex);
	if ((size_t)snprintf(prog.path, sizeof(prog.path), "%s/%s.bpf", dir, hex) >=
	    sizeof(prog.path))
		prog.path[0] = '\0';

	if (prog.path[0]) {
		r = cache_read(prog.path, key, &prog);
		if (r >= 0) {
			prog.cached = true;
			*ret = prog;
			return 0;
		}
		if (r != -ENOENT)
			log_debug_errno(r, "seccomp: cache '%s' not usable (%m), rebuilding",
					prog.path);
	}
	r = load_profile(spec, content, len, &p, err, errlen);
	if (r < 0)
		return r;
	r = seccomp_compile(p, spec->capabilities, &prog.insns, &prog.len, NULL, err, errlen);
	if (r < 0)
		return r;
	if (prog.path[0]) {
		r = cache_write(dir, prog.path, key, prog.insns, prog.len);
		if (r < 0) {
			log_debug_errno(r, "seccomp: cannot write the cache '%s': %m, ignoring",
					prog.path);
			prog.path[0] = '\0';
		}
	}
	*ret = prog;
	return 0;
}

/* One name of an applicable rule and what the rule does with it, for counting. */
struct name_kind {
	const char *name;
	unsigned kind; /* 1: allowed, 2: allowed under conditions, 4: refused */
};

static int name_kind_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_kind *)a)->name, ((const struct name_kind *)b)->name);
}

int seccomp_summarize(const struct container_spec *spec, struct seccomp_summary *ret, char *err,
		      size_t errlen)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	_cleanup_free_ uint8_t *content = NULL;
	_cleanup_free_ struct name_kind *v = NULL;
	const char *arch = seccomp_native_arch();
	unsigned kernel[2];
	size_t len = 0, n = 0, total = 0;
	int r;

	*ret = (struct seccomp_summary){ .profile = spec->seccomp_profile ? spec->seccomp_profile
									  : "default" };
	if (spec->seccomp_profile && streq(spec->seccomp_profile, SPEC_SECCOMP_UNCONFINED)) {
		ret->unconfined = true;
		return 0;
	}
	if (spec->seccomp_profile) {
		r = read_profile(spec->seccomp_profile, &content, &len, err, errlen);
		if (r < 0)
			return r;
	}
	r = load_profile(spec, content, len, &p, err, errlen);
	if (r < 0)
		return r;
	kernel_version(kernel);
	for (size_t i = 0; i < p->n_rules; i++)
		total += strv_length(p->rules[i].names);
	v = calloc(total + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_rule *rule = &p->rules[i];
		unsigned k = rule->action != SECCOMP_ACT_ALLOW ? 4 : rule->n_conds ? 2 : 1;

		if (!seccomp_rule_applies(rule, spec->capabilities, arch, kernel))
			continue;
		for (char **s = rule->names; *s; s++) {
			if (seccomp_syscall_resolve_name(*s) == __NR_SCMP_ERROR) {
				ret->skipped++;
				continue;
			}
			v[n++] = (struct name_kind){ *s, k };
		}
	}
	qsort(v, n, sizeof(*v), name_kind_cmp);
	for (size_t i = 0; i < n;) {
		unsigned k = 0;
		size_t j = i;

		for (; j < n && streq(v[j].name, v[i].name); j++)
			k |= v[j].kind;
		if (k & 3)
			ret->allowed++;
		if ((k & 3) == 2)
			ret->conditional++;
		if (k == 4)
			ret->refused++;
		i = j;
	}
	ret->arches = 1;
	for (unsigned i = 0; i < p->n_arches; i++)
		ret->arches += p->arches[i] != SCMP_ARCH_X32 || kernel_runs_x32();
	if (p->default_action == SECCOMP_ACT_ERRNO &&
	    (p->default_ret == ENOSYS || p->default_ret == EPERM))
		snprintf(ret->default_action, sizeof(ret->default_action), "SCMP_ACT_ERRNO(%s)",
			 p->default_ret == ENOSYS ? "ENOSYS" : "EPERM");
	else if (p->default_action == SECCOMP_ACT_ERRNO)
		snprintf(ret->default_action, sizeof(ret->default_action), "SCMP_ACT_ERRNO(%u)",
			 p->default_ret);
	else
		snprintf(ret->default_action, sizeof(ret->default_action), "%s",
			 seccomp_act_to_string(p->default_action));
	return 0;
}

int seccomp_load_program(const struct sock_filter *insns, size_t len)
{
	struct sock_fprog prog = { .len = (unsigned short)len,
				   .filter = (struct sock_filter *)insns };

	if (len == 0 || len > PROGRAM_INSNS_MAX)
		return -EINVAL;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
}

int seccomp_kernel_supports_filters(void)
{
	/* systemd's test: with filters, a NULL program is EFAULT; without, EINVAL. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return 0;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0 && errno == EFAULT)
		return 1;
	return 0;
}
