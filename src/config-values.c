/* SPDX-License-Identifier: MIT */
/*
 * config-values.c: the pure value parsers of the config front end (sizes,
 * shares, booleans, CPU lists, names, command and environment splitting,
 * namespace lists, capability names, rlimits, users). Used alike by the
 * .container loader, the mdlaunch.conf loader and the `run` options, so a
 * value means the same everywhere. Nothing here logs or touches the system:
 * input strings in, values or -errno out (libcap's cap_from_name() only
 * looks names up).
 */
#include "config-values.h"

#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "spec.h"
#include "util.h"

#define CPUSET_BITS  (CONFIG_CPU_MAX + 1)
#define CPUSET_BYTES (CPUSET_BITS / 8)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Maps a size suffix (after the digits) to a shift: "" and "B" are bytes,
 * "K", "KB", "KiB" are 1024 and so on up to T. Returns the shift or -EINVAL.
 */
static int size_suffix_shift(const char *suffix)
{
	static const char units[] = "kmgt";
	const char *u;

	if (streq(suffix, "") || strcaseeq(suffix, "b"))
		return 0;
	u = strchr(units, suffix[0] | 0x20);
	if (!u || suffix[0] == '\0')
		return -EINVAL;
	if (suffix[1] == '\0' || strcaseeq(suffix + 1, "b") || strcaseeq(suffix + 1, "ib"))
		return (int)(u - units + 1) * 10;
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	bool overflow = false;
	const char *p;
	int shift;

	if (isempty(s))
		return -EINVAL;
	if (strcaseeq(s, "max") || strcaseeq(s, "infinity")) {
		*ret = SPEC_MEMORY_INFINITY;
		return 0;
	}
	for (p = s; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	/* Garbage wins over overflow: "99999999999999999999x" is not a size at all. */
	shift = size_suffix_shift(p);
	if (shift < 0)
		return shift;
	if (overflow || v == 0 || v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	/* The two top values are the spec's sentinels (unset, infinity). */
	if (v >= SPEC_MEMORY_INFINITY)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_cpu_shares(const char *s, uint64_t *ret)
{
	uint64_t v;
	int r;

	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v < SPEC_CPU_SHARES_MIN || v > SPEC_CPU_SHARES_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_swap_size(const char *s, uint64_t *ret)
{
	size_t zeros = s ? strspn(s, "0") : 0;

	/* "0" (any suffix) is a valid swap limit: no swap at all. */
	if (zeros > 0 && size_suffix_shift(s + zeros) >= 0) {
		*ret = 0;
		return 0;
	}
	return parse_size(s, ret);
}

int parse_cpu_weight(const char *s, uint64_t *ret)
{
	uint64_t v;
	int r;

	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v < SPEC_CPU_WEIGHT_MIN || v > SPEC_CPU_WEIGHT_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcaseeq(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (strcaseeq(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parses one CPU number at *p (digits only), advancing *p. Returns 0, -EINVAL or -ERANGE. */
static int cpu_number(const char **p, unsigned *ret)
{
	unsigned v = 0;
	const char *q = *p;

	if (!is_digit(*q))
		return -EINVAL;
	for (; is_digit(*q); q++) {
		v = v * 10 + (unsigned)(*q - '0');
		if (v > CONFIG_CPU_MAX)
			return -ERANGE;
	}
	*p = q;
	*ret = v;
	return 0;
}

/*
 * Parses a kernel CPU list into @bits (CPUSET_BYTES long, cleared first).
 * Blanks around items and around the whole list are allowed. Returns 0,
 * -EINVAL or -ERANGE. Garbage is reported before out-of-range numbers.
 */
static int cpuset_parse_bitmap(const char *s, uint8_t *bits)
{
	const char *p = s;
	int range_error = 0;

	memset(bits, 0, CPUSET_BYTES);
	if (!s)
		return -EINVAL;
	for (;;) {
		unsigned lo, hi;
		int r;

		while (is_blank(*p))
			p++;
		r = cpu_number(&p, &lo);
		if (r == -ERANGE) {
			range_error = r;
			while (is_digit(*p))
				p++;
			lo = 0;
		} else if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			p++;
			r = cpu_number(&p, &hi);
			if (r == -ERANGE) {
				range_error = r;
				while (is_digit(*p))
					p++;
				hi = lo;
			} else if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		if (!range_error)
			for (unsigned c = lo; c <= hi; c++)
				bits[c / 8] |= (uint8_t)(1U << (c % 8));
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	return range_error;
}

static bool bit_test(const uint8_t *bits, unsigned c)
{
	return bits[c / 8] & (1U << (c % 8));
}

int parse_cpuset(const char *s, char **ret)
{
	_cleanup_free_ uint8_t *bits = malloc(CPUSET_BYTES);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	if (!bits)
		return -ENOMEM;
	r = cpuset_parse_bitmap(s, bits);
	if (r < 0)
		return r;
	/* At most "NNNN," per CPU: the canonical form is never longer than this. */
	buf = malloc(CPUSET_BITS * 5 + 1);
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	for (unsigned c = 0; c < CPUSET_BITS; c++) {
		unsigned end = c;

		if (c % 8 == 0 && bits[c / 8] == 0) { /* a byte without CPUs at once */
			c += 7;
			continue;
		}
		if (!bit_test(bits, c))
			continue;
		while (end + 1 < CPUSET_BITS && bit_test(bits, end + 1))
			end++;
		if (end == c)
			len += (size_t)sprintf(buf + len, "%s%u", len ? "," : "", c);
		else
			len += (size_t)sprintf(buf + len, "%s%u-%u", len ? "," : "", c, end);
		c = end;
	}
	/* Only reachable for a list of blanks and commas, which has no CPU at all. */
	if (len == 0)
		return -EINVAL;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int cpuset_check_online(const char *cpuset, const char *online, unsigned *ret_missing)
{
	_cleanup_free_ uint8_t *want = malloc(CPUSET_BYTES);
	_cleanup_free_ uint8_t *have = malloc(CPUSET_BYTES);

	if (!want || !have)
		return -ENOMEM;
	if (cpuset_parse_bitmap(cpuset, want) < 0 || cpuset_parse_bitmap(online, have) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < CPUSET_BYTES; i++) {
		uint8_t missing = (uint8_t)(want[i] & ~have[i]);

		if (missing) {
			*ret_missing = i * 8 + (unsigned)__builtin_ctz(missing);
			return -ENODEV;
		}
	}
	return 0;
}

bool name_is_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n < 1 || n > SPEC_NAME_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

bool hostname_is_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	/* 64 is HOST_NAME_MAX on Linux; sethostname(2) refuses longer names. */
	return n >= 1 && n <= 64 && !strchr(s, '/');
}

bool env_key_is_valid(const char *s, size_t n)
{
	if (!s || n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!alpha && (i == 0 || !is_digit(c)))
			return false;
	}
	return true;
}

bool env_assignment_is_valid(const char *s)
{
	const char *eq;

	if (!s)
		return false;
	eq = strchr(s, '=');
	return eq && env_key_is_valid(s, (size_t)(eq - s));
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -EINVAL;
}

/*
 * Decodes the escape sequence at *p (which points at the backslash) into one
 * byte, advancing *p past it. Returns 0 or -EINVAL (unknown, incomplete, or
 * a NUL byte, which no argument or environment string can hold).
 */
static int unescape_one(const char **p, char *ret)
{
	static const char from[] = "abfnrtvs\\\"' ";
	static const char to[] = "\a\b\f\n\r\t\v \\\"' ";
	const char *q = *p + 1;
	const char *m;
	int v;

	if (*q == '\0')
		return -EINVAL;
	m = strchr(from, *q);
	if (m) {
		*ret = to[m - from];
		*p = q + 1;
		return 0;
	}
	if (*q == 'x') {
		int hi = hex_digit(q[1]), lo = hi < 0 ? -EINVAL : hex_digit(q[2]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		v = hi * 16 + lo;
		q += 3;
	} else if (*q >= '0' && *q <= '3') {
		if (q[1] < '0' || q[1] > '7' || q[2] < '0' || q[2] > '7')
			return -EINVAL;
		v = (q[0] - '0') * 64 + (q[1] - '0') * 8 + (q[2] - '0');
		q += 3;
	} else
		return -EINVAL;
	if (v == 0)
		return -EINVAL;
	*ret = (char)v;
	*p = q;
	return 0;
}

int split_words(const char *s, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_free_ char *word = NULL;
	bool in_word = false;
	char quote = 0;
	size_t len = 0;
	const char *p = s;

	if (!s)
		return -EINVAL;
	/* Every escape is at least two bytes for one: a word never outgrows the input. */
	word = malloc(strlen(s) + 1);
	if (!word)
		return -ENOMEM;
	for (;;) {
		char c = *p;
		int r;

		if (c == '\0' || (!quote && is_blank(c))) {
			if (c == '\0' && quote)
				return -EBADMSG;
			if (in_word) {
				r = strv_consume(&l, strndup(word, len));
				if (r < 0)
					return r;
			}
			if (c == '\0')
				break;
			in_word = false;
			len = 0;
			p++;
			continue;
		}
		in_word = true;
		if (c == '\\') {
			r = unescape_one(&p, &word[len]);
			if (r < 0)
				return r;
			len++;
			continue;
		}
		if (quote && c == quote)
			quote = 0;
		else if (!quote && (c == '"' || c == '\''))
			quote = c;
		else
			word[len++] = c;
		p++;
	}
	if (!l) {
		l = calloc(1, sizeof(char *));
		if (!l)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

int parse_namespaces(const char *s, unsigned *ret)
{
	static const char separators[] = " \t\r\n,";
	unsigned flags = 0;
	const char *p;

	if (!s)
		return -EINVAL;
	for (p = s + strspn(s, separators); *p; p += strspn(p, separators)) {
		size_t n = strcspn(p, separators);
		_cleanup_free_ char *word = strndup(p, n);
		int f;

		if (!word)
			return -ENOMEM;
		f = namespace_from_string(word);
		if (f < 0)
			return -EINVAL;
		flags |= (unsigned)f;
		p += n;
	}
	*ret = flags;
	return 0;
}

int env_vector_set(char ***env, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t klen = eq ? (size_t)(eq - assignment) + 1 : strlen(assignment);

	for (char **e = *env; e && *e; e++)
		if (strncmp(*e, assignment, klen) == 0) {
			char *c = strdup(assignment);

			if (!c)
				return -ENOMEM;
			free(*e);
			*e = c;
			return 0;
		}
	return strv_extend(env, assignment);
}

unsigned string_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[65];

	/* Hints are for short key names only; anything longer is simply "far". */
	if (la > 64 || lb > 64)
		return UINT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned cost =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
				? 0
				: 1;
			unsigned best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int parse_capability(const char *s, unsigned *ret)
{
	_cleanup_free_ char *name = NULL;
	cap_value_t v;

	/* cap_from_name() is lenient (blanks, numbers, lists): names only here. */
	if (isempty(s) || is_digit(s[0]) ||
	    s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")])
		return -EINVAL;
	/* cap_from_name() wants the prefix (any case) and would take a bare number. */
	name = strncasecmp(s, "cap_", 4) == 0 ? strdup(s) : strdup_printf("cap_%s", s);
	if (!name)
		return -ENOMEM;
	if (cap_from_name(name, &v) < 0 || v < 0 || v >= SPEC_CAP_BITS)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

uint64_t capability_mask_all(void)
{
	/* CAP_LAST_CAP is the last name this libcap knows; the kernel may know fewer. */
	return CAP_LAST_CAP >= SPEC_CAP_BITS - 1 ? UINT64_MAX : (1ULL << (CAP_LAST_CAP + 1)) - 1;
}

int capability_merge(uint64_t set, uint64_t add, uint64_t drop, uint64_t *ret,
		     unsigned *ret_conflict)
{
	uint64_t both = add & drop;

	if (both && drop != capability_mask_all()) {
		*ret_conflict = (unsigned)__builtin_ctzll(both);
		return -EEXIST;
	}
	*ret = (set & ~drop) | add;
	return 0;
}

/* Copies the @n bytes at @p to @bad (NUL-terminated, cut to @bad_size). */
static void copy_bad(const char *p, size_t n, char *bad, size_t bad_size)
{
	if (!bad || bad_size == 0)
		return;
	if (n >= bad_size)
		n = bad_size - 1;
	memcpy(bad, p, n);
	bad[n] = '\0';
}

#define LIST_SEPARATORS " \t\r\n,"

int parse_capability_list(const char *s, uint64_t *ret, char *bad, size_t bad_size)
{
	uint64_t mask = 0;
	unsigned words = 0;
	bool special = false;
	const char *p;

	if (!s)
		return -EINVAL;
	for (p = s + strspn(s, LIST_SEPARATORS); *p; p += strspn(p, LIST_SEPARATORS)) {
		size_t n = strcspn(p, LIST_SEPARATORS);
		_cleanup_free_ char *word = strndup(p, n);
		unsigned cap;
		int r;

		if (!word)
			return -ENOMEM;
		words++;
		if (strcaseeq(word, "all") || strcaseeq(word, "none")) {
			special = true;
			mask = strcaseeq(word, "all") ? capability_mask_all() : 0;
		} else {
			r = parse_capability(word, &cap);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				copy_bad(p, n, bad, bad_size);
				return -EINVAL;
			}
			mask |= 1ULL << cap;
		}
		/* "all" and "none" are whole lists: "all NET_ADMIN" is surely a mistake. */
		if (special && words > 1) {
			copy_bad(p, n, bad, bad_size);
			return -EINVAL;
		}
		p += n;
	}
	*ret = mask;
	return 0;
}

int parse_signal(const char *s, int *ret)
{
	uint64_t v;

	if (!s || !*s)
		return -EINVAL;
	if (safe_atou64(s, &v) == 0) {
		if (v == 0 || v >= (uint64_t)NSIG)
			return -EINVAL;
		*ret = (int)v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && strcaseeq(s, name)) {
			*ret = sig;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_stop_timeout(const char *s, unsigned *ret)
{
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v > SPEC_STOP_TIMEOUT_MAX)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int parse_notify(const char *s, bool *ret_passthrough)
{
	if (s && strcaseeq(s, "launcher")) {
		*ret_passthrough = false;
		return 0;
	}
	if (s && strcaseeq(s, "passthrough")) {
		*ret_passthrough = true;
		return 0;
	}
	return -EINVAL;
}

/* True when @p is absolute, with no empty, "." or ".." component and no trailing '/'. */
static bool device_path_is_valid(const char *p)
{
	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (const char *c = p; c && *c; c = strchr(c + 1, '/')) {
		size_t n = strcspn(c + 1, "/");

		if (n == 0 || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
	}
	return true;
}

/* True when @p is a node path the private /dev can hold: below /dev/, outside its mounts. */
static bool device_target_is_valid(const char *p)
{
	static const char *const mounts[] = { "/dev/pts", "/dev/shm", "/dev/mqueue" };

	if (!device_path_is_valid(p) || strncmp(p, "/dev/", 5) != 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
		size_t n = strlen(mounts[i]);

		if (strncmp(p, mounts[i], n) == 0 && (p[n] == '/' || p[n] == '\0'))
			return false;
	}
	return true;
}

static int parse_device_perms(const char *s, unsigned *ret)
{
	unsigned perms = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s == 'r')
			perms |= SPEC_DEV_READ;
		else if (*s == 'w')
			perms |= SPEC_DEV_WRITE;
		else if (*s == 'm')
			perms |= SPEC_DEV_MKNOD;
		else
			return -EINVAL;
	}
	*ret = perms;
	return 0;
}

int parse_device(const char *s, struct spec_device *ret)
{
	_cleanup_free_ char *copy = NULL;
	char *fields[3], *tok, *save = NULL;
	const char *host, *container = NULL, *perms = NULL;
	unsigned p = SPEC_DEV_ALL;
	bool optional = false;
	size_t n = 0;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		optional = true;
		s++;
	}
	if (strstr(s, "::") || *s == ':' || (*s && s[strlen(s) - 1] == ':'))
		return -EINVAL;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (n == ELEMENTSOF(fields))
			return -EINVAL;
		fields[n++] = tok;
	}
	if (n == 0)
		return -EINVAL;
	host = fields[0];
	if (n == 3) {
		container = fields[1];
		perms = fields[2];
	} else if (n == 2) {
		if (fields[1][0] == '/')
			container = fields[1];
		else
			perms = fields[1];
	}
	if (!device_path_is_valid(host) || !device_target_is_valid(container ? container : host))
		return -EINVAL;
	if (perms && parse_device_perms(perms, &p) < 0)
		return -EINVAL;
	ret->host = strdup(host);
	ret->container = strdup(container ? container : host);
	if (!ret->host || !ret->container) {
		free(ret->host);
		free(ret->container);
		ret->host = ret->container = NULL;
		return -ENOMEM;
	}
	ret->perms = p;
	ret->optional = optional;
	return 0;
}

int parse_pids_limit(const char *s, uint64_t *ret)
{
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	if (strcaseeq(s, "max") || strcaseeq(s, "infinity")) {
		*ret = SPEC_PIDS_INFINITY;
		return 0;
	}
	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v == 0 || v == SPEC_PIDS_INFINITY)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* One rlimit number: "infinity" or digits with an optional size suffix when @bytes. */
static int rlimit_value(const char *s, bool bytes, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p;
	int shift = 0;

	if (strcaseeq(s, "infinity")) {
		*ret = SPEC_RLIMIT_INFINITY;
		return 0;
	}
	for (p = s; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	if (*p) {
		if (!bytes)
			return -EINVAL;
		shift = size_suffix_shift(p);
		if (shift < 0)
			return shift;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (v == SPEC_RLIMIT_INFINITY)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_rlimit(const char *s, bool bytes, uint64_t *ret_soft, uint64_t *ret_hard)
{
	_cleanup_free_ char *soft_s = NULL;
	const char *colon;
	uint64_t soft, hard;
	int r;

	if (isempty(s))
		return -EINVAL;
	colon = strchr(s, ':');
	soft_s = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
	if (!soft_s)
		return -ENOMEM;
	r = rlimit_value(soft_s, bytes, &soft);
	if (r < 0)
		return r;
	if (colon) {
		r = rlimit_value(colon + 1, bytes, &hard);
		if (r < 0)
			return r;
	} else
		hard = soft;
	if (soft > hard)
		return -EDOM;
	*ret_soft = soft;
	*ret_hard = hard;
	return 0;
}

bool user_name_is_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n < 1 || n > 32 || s[0] == '-')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r;

	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v >= UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

/* A user or group: a name, or a number (a number is never taken for a name). */
static bool id_or_name_is_valid(const char *s)
{
	uint32_t id;

	if (!isempty(s) && is_digit(s[0]))
		return parse_id(s, &id) == 0;
	return user_name_is_valid(s);
}

int parse_user(const char *s, char **ret_user, char **ret_group)
{
	_cleanup_free_ char *user = NULL, *group = NULL;
	const char *colon;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	user = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
	if (!user)
		return -ENOMEM;
	if (colon) {
		group = strdup(colon + 1);
		if (!group)
			return -ENOMEM;
	}
	if (!id_or_name_is_valid(user) || (group && !id_or_name_is_valid(group)))
		return -EINVAL;
	*ret_user = TAKE_PTR(user);
	*ret_group = TAKE_PTR(group);
	return 0;
}

int parse_group_list(const char *s, char ***ret, char *bad, size_t bad_size)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *p;
	int r;

	if (!s)
		return -EINVAL;
	for (p = s + strspn(s, LIST_SEPARATORS); *p; p += strspn(p, LIST_SEPARATORS)) {
		size_t n = strcspn(p, LIST_SEPARATORS);
		char *word = strndup(p, n);

		if (!word)
			return -ENOMEM;
		if (!id_or_name_is_valid(word)) {
			free(word);
			copy_bad(p, n, bad, bad_size);
			return -EINVAL;
		}
		r = strv_consume(&l, word);
		if (r < 0)
			return r;
		p += n;
	}
	if (!l) {
		l = calloc(1, sizeof(char *));
		if (!l)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

bool working_directory_is_valid(const char *s)
{
	return s && s[0] == '/' && !strchr(s, '\n');
}

int env_file_line(char **p, char **next, unsigned *line, char **ret)
{
	char *s = *p + strspn(*p, " \t\r"), *eq, *v, *out, *o;
	size_t keep;

	*ret = NULL;
	if (*s == '\n' || *s == '\0' || *s == '#' || *s == ';') {
		char *nl = strchr(s, '\n');

		*next = nl ? nl + 1 : s + strlen(s);
		return 0;
	}
	eq = s + strcspn(s, "=\n");
	if (*eq != '=') {
		*next = *eq ? eq + 1 : eq;
		return -EINVAL;
	}
	out = malloc(strlen(s) + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	while (s < eq && (eq[-1] == ' ' || eq[-1] == '\t'))
		eq--;
	memcpy(o, s, (size_t)(eq - s));
	o += eq - s;
	*o++ = '=';
	v = strchr(eq, '=') + 1;
	v += strspn(v, " \t");
	keep = (size_t)(o - out);
	while (*v && *v != '\n') {
		if (*v == '"' || *v == '\'') {
			char q = *v++;

			for (; *v && *v != q; v++) {
				if (q == '"' && *v == '\\' && v[1] == '\n') {
					(*line)++;
					v++;
					continue;
				}
				if (q == '"' && *v == '\\' && v[1] && strchr("\"\\`$", v[1]))
					v++;
				if (*v == '\n')
					(*line)++;
				*o++ = *v;
			}
			if (!*v) {
				free(out);
				*next = v;
				return -EINVAL;
			}
			v++;
			keep = (size_t)(o - out);
		} else if (*v == '\\') {
			if (v[1] == '\n') {
				(*line)++;
				v += 2;
				continue;
			}
			if (v[1] == '\0') {
				v++;
				continue;
			}
			*o++ = v[1];
			v += 2;
			keep = (size_t)(o - out);
		} else {
			*o++ = *v;
			if (*v != ' ' && *v != '\t' && *v != '\r')
				keep = (size_t)(o - out);
			v++;
		}
	}
	out[keep] = '\0';
	*next = *v ? v + 1 : v;
	*ret = out;
	return 0;
}

/* Parses "N" or "A-B" (1..65535, A <= B) into *ret_first and *ret_count. */
static int parse_port_range(const char *s, size_t n, uint16_t *ret_first, uint16_t *ret_count)
{
	char buf[16];
	const char *dash;
	uint64_t a, b;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	dash = strchr(buf, '-');
	if (dash) {
		buf[dash - buf] = '\0';
		if (safe_atou64(buf, &a) < 0 || safe_atou64(dash + 1, &b) < 0)
			return -EINVAL;
	} else {
		if (safe_atou64(buf, &a) < 0)
			return -EINVAL;
		b = a;
	}
	if (a < 1 || b > 65535 || a > b)
		return -EINVAL;
	*ret_first = (uint16_t)a;
	*ret_count = (uint16_t)(b - a + 1);
	return 0;
}

int parse_port_mapping(const char *s, struct spec_port *ret)
{
	struct spec_port p = { .count = 1 };
	const char *slash, *end, *cport, *hport = NULL;
	size_t hlen = 0;
	uint16_t hcount = 0;

	if (!s || !*s || strpbrk(s, " \t\n"))
		return -EINVAL;
	slash = strrchr(s, '/');
	end = slash ? slash : s + strlen(s);
	if (slash) {
		if (!streq(slash + 1, "tcp") && !streq(slash + 1, "udp") &&
		    !streq(slash + 1, "sctp"))
			return -EINVAL;
		snprintf(p.protocol, sizeof(p.protocol), "%s", slash + 1);
	} else
		snprintf(p.protocol, sizeof(p.protocol), "tcp");
	if (*s == '[') {
		/* [IPv6]:HOSTPORT:CONTAINERPORT, HOSTPORT may be empty */
		const char *close = memchr(s, ']', (size_t)(end - s));
		struct in6_addr a6;
		size_t iplen;

		if (!close || close[1] != ':')
			return -EINVAL;
		iplen = (size_t)(close - s - 1);
		if (iplen == 0 || iplen >= sizeof(p.host_ip))
			return -EINVAL;
		memcpy(p.host_ip, s + 1, iplen);
		p.host_ip[iplen] = '\0';
		if (inet_pton(AF_INET6, p.host_ip, &a6) != 1)
			return -EINVAL;
		hport = close + 2;
		cport = memchr(hport, ':', (size_t)(end - hport));
		if (!cport)
			return -EINVAL;
		hlen = (size_t)(cport - hport);
		cport++;
	} else {
		const char *c1 = memchr(s, ':', (size_t)(end - s));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

		if (c2 && memchr(c2 + 1, ':', (size_t)(end - c2 - 1)))
			return -EINVAL; /* an IPv6 address needs brackets */
		if (c2) {
			struct in_addr a4;
			size_t iplen = (size_t)(c1 - s);

			if (iplen == 0 || iplen >= sizeof(p.host_ip))
				return -EINVAL;
			memcpy(p.host_ip, s, iplen);
			p.host_ip[iplen] = '\0';
			if (inet_pton(AF_INET, p.host_ip, &a4) != 1)
				return -EINVAL;
			hport = c1 + 1;
			hlen = (size_t)(c2 - hport);
			cport = c2 + 1;
		} else if (c1) {
			hport = s;
			hlen = (size_t)(c1 - s);
			if (hlen == 0)
				return -EINVAL;
			cport = c1 + 1;
		} else
			cport = s;
	}
	if (parse_port_range(cport, (size_t)(end - cport), &p.container_port, &p.count) < 0)
		return -EINVAL;
	if (hport && hlen > 0) {
		if (parse_port_range(hport, hlen, &p.host_port, &hcount) < 0)
			return -EINVAL;
		if (hcount != p.count)
			return -EINVAL;
	} else
		p.host_port = p.container_port;
	*ret = p;
	return 0;
}

int parse_port_list(const char *s, struct spec_port **ports, size_t *n_ports, char *bad,
		    size_t bad_size)
{
	_cleanup_free_ struct spec_port *v = NULL;
	size_t n = *n_ports;
	const char *p;

	if (!s)
		return -EINVAL;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (n > 0)
		memcpy(v, *ports, n * sizeof(*v));
	for (p = s + strspn(s, " \t"); *p; p += strspn(p, " \t")) {
		size_t k = strcspn(p, " \t");
		_cleanup_free_ char *word = strndup(p, k);
		struct spec_port *nv;

		if (!word)
			return -ENOMEM;
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (!nv)
			return -ENOMEM;
		v = nv;
		if (parse_port_mapping(word, &v[n]) < 0) {
			copy_bad(p, k, bad, bad_size);
			return -EINVAL;
		}
		n++;
		p += k;
	}
	free(*ports);
	*ports = TAKE_PTR(v);
	*n_ports = n;
	return 0;
}

/*
 * Appends to the list *@ret each word of @s (words separated by @seps) as
 * @one parses it. On -EINVAL the offending word goes to @bad and *@ret is
 * unchanged. 0 or -errno.
 */
static int parse_word_list(const char *s, const char *seps, int (*one)(const char *, char **),
			   char ***ret, char *bad, size_t bad_size)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *p;
	int r;

	if (!s)
		return -EINVAL;
	l = strv_copy(*ret);
	if (!l)
		return -ENOMEM;
	for (p = s + strspn(s, seps); *p; p += strspn(p, seps)) {
		size_t n = strcspn(p, seps);
		_cleanup_free_ char *word = strndup(p, n);
		char *entry = NULL;

		if (!word)
			return -ENOMEM;
		r = one(word, &entry);
		if (r == -EINVAL)
			copy_bad(p, n, bad, bad_size);
		if (r < 0)
			return r;
		r = strv_consume(&l, entry);
		if (r < 0)
			return r;
		p += n;
	}
	strv_free(*ret);
	*ret = TAKE_PTR(l);
	return 0;
}

/* One DNS= server: an IPv4 or IPv6 address, copied. */
static int parse_dns_server(const char *s, char **ret)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, addr) != 1 && inet_pton(AF_INET6, s, addr) != 1)
		return -EINVAL;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int parse_dns_list(const char *s, char ***ret, char *bad, size_t bad_size)
{
	return parse_word_list(s, LIST_SEPARATORS, parse_dns_server, ret, bad, bad_size);
}

/* True when the @n bytes at @s are a host name for /etc/hosts: [A-Za-z0-9_.-], not starting with
 * '-'. */
static bool hosts_name_is_valid(const char *s, size_t n)
{
	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    s[i]))
			return false;
	return true;
}

int parse_add_host(const char *s, char **ret)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	char ip[INET6_ADDRSTRLEN + 2];
	size_t len;

	if (!colon || !hosts_name_is_valid(s, (size_t)(colon - s)))
		return -EINVAL;
	len = strlen(colon + 1);
	if (len >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, colon + 1, len + 1);
	/* "[::1]" as well as "::1". */
	if (len > 2 && ip[0] == '[' && ip[len - 1] == ']') {
		memmove(ip, ip + 1, len - 2);
		ip[len - 2] = '\0';
	}
	if (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
		return -EINVAL;
	*ret = strdup_printf("%.*s:%s", (int)(colon - s), s, ip);
	return *ret ? 0 : -ENOMEM;
}

int parse_add_host_list(const char *s, char ***ret, char *bad, size_t bad_size)
{
	/* Blanks only: a comma could not be told from a name's. */
	return parse_word_list(s, " \t\r\n", parse_add_host, ret, bad, bad_size);
}

bool network_name_is_valid(const char *s)
{
	return s && name_is_valid(s) && !streq(s, ".") && !streq(s, "..");
}

int parse_userns(const char *s, enum spec_userns *ret_mode, uint32_t *ret_size)
{
	uint64_t size;
	int r;

	if (!s)
		return -EINVAL;
	if (streq(s, "host")) {
		*ret_mode = SPEC_USERNS_HOST;
		return 0;
	}
	if (streq(s, "auto")) {
		*ret_mode = SPEC_USERNS_AUTO;
		*ret_size = SPEC_USERNS_SIZE_DEFAULT;
		return 0;
	}
	if (strncmp(s, "auto:size=", 10) != 0)
		return -EINVAL;
	r = safe_atou64(s + 10, &size);
	if (r < 0)
		return r == -ERANGE ? -ERANGE : -EINVAL;
	if (size == 0 || size > CONFIG_USERNS_SIZE_MAX)
		return -ERANGE;
	*ret_mode = SPEC_USERNS_AUTO;
	*ret_size = (uint32_t)size;
	return 0;
}

/* Splits "A:B:C" into three ids; -EINVAL for anything else. */
static int parse_id_triple(const char *s, uint32_t v[3])
{
	char buf[3 * 11 + 3];
	char *p = buf;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (int i = 0; i < 3; i++) {
		char *end = strchr(p, ':');
		int r;

		if ((i < 2) != (end != NULL))
			return -EINVAL;
		if (end)
			*end = '\0';
		r = parse_id(p, &v[i]);
		if (r == -ERANGE)
			return -ERANGE;
		if (r < 0)
			return -EINVAL;
		p = end ? end + 1 : p;
	}
	return 0;
}

int parse_idmap(const char *s, struct spec_idmap *ret)
{
	uint32_t v[3];
	int r;

	if (!s)
		return -EINVAL;
	r = parse_id_triple(s, v);
	if (r < 0)
		return r;
	/* Both ranges stay below 4294967295, which is no id ((uid_t)-1). */
	if (v[2] == 0 || (uint64_t)v[0] + v[2] > UINT32_MAX || (uint64_t)v[1] + v[2] > UINT32_MAX)
		return -ERANGE;
	*ret = (struct spec_idmap){ .inside = v[0], .outside = v[1], .count = v[2] };
	return 0;
}

int parse_idmap_list(const char *s, struct spec_idmaps *ret, char *bad, size_t bad_size)
{
	_cleanup_free_ char *copy = NULL;
	struct spec_idmaps maps = {};
	char *save = NULL;

	if (!s)
		return -EINVAL;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		int r;

		if (maps.n == SPEC_IDMAP_MAX)
			return -E2BIG;
		r = parse_idmap(w, &maps.v[maps.n]);
		if (r < 0) {
			if (bad && bad_size)
				snprintf(bad, bad_size, "%s", w);
			return r;
		}
		maps.n++;
	}
	if (maps.n == 0) {
		if (bad && bad_size)
			snprintf(bad, bad_size, "%s", s);
		return -EINVAL;
	}
	*ret = maps;
	return 0;
}

/* True when [a, a+n) and [b, b+m) share an id. */
static bool ranges_overlap(uint32_t a, uint32_t n, uint32_t b, uint32_t m)
{
	return (uint64_t)a < (uint64_t)b + m && (uint64_t)b < (uint64_t)a + n;
}

bool idmaps_find_overlap(const struct spec_idmaps *maps, unsigned *ret_a, unsigned *ret_b)
{
	for (unsigned i = 0; i < maps->n && i < SPEC_IDMAP_MAX; i++)
		for (unsigned j = i + 1; j < maps->n && j < SPEC_IDMAP_MAX; j++) {
			const struct spec_idmap *a = &maps->v[i], *b = &maps->v[j];

			if (ranges_overlap(a->inside, a->count, b->inside, b->count) ||
			    ranges_overlap(a->outside, a->count, b->outside, b->count)) {
				*ret_a = i;
				*ret_b = j;
				return true;
			}
		}
	return false;
}

/* True when @p (of length @n) is absolute and has no "." or ".." component. */
static bool mask_path_is_valid(const char *p, size_t n)
{
	if (n == 0 || p[0] != '/' || memchr(p, '\n', n))
		return false;
	for (size_t i = 0; i < n;) {
		size_t len;

		while (i < n && p[i] == '/')
			i++;
		len = i;
		while (len < n && p[len] != '/')
			len++;
		len -= i;
		if ((len == 1 && p[i] == '.') || (len == 2 && p[i] == '.' && p[i + 1] == '.'))
			return false;
		i += len;
	}
	return true;
}

int parse_mask_paths(const char *s, bool unmask, char ***ret, char *bad, size_t bad_size)
{
	_cleanup_strv_free_ char **l = NULL;
	int r;

	if (!s)
		return -EINVAL;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, ":");
		char *item;

		if (n > 0) {
			bool all = unmask && n == 3 && strncasecmp(p, "ALL", 3) == 0;

			if (!all && !mask_path_is_valid(p, n)) {
				copy_bad(p, n, bad, bad_size);
				return -EINVAL;
			}
			item = strndup(p, n);
			if (!item)
				return -ENOMEM;
			r = strv_consume(&l, item);
			if (r < 0)
				return r;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	if (!l) {
		l = calloc(1, sizeof(char *));
		if (!l)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

int parse_seccomp_profile(const char *s, const char *base_dir, char **ret)
{
	char *p;

	if (isempty(s) || strchr(s, '\n'))
		return -EINVAL;
	if (streq(s, "default")) {
		*ret = NULL;
		return 0;
	}
	if (streq(s, SPEC_SECCOMP_UNCONFINED) || s[0] == '/' || isempty(base_dir))
		p = strdup(s);
	else
		p = strdup_printf("%s/%s", base_dir, s);
	if (!p)
		return -ENOMEM;
	*ret = p;
	return 0;
}
