/* SPDX-License-Identifier: MIT */
/*
 * config-container.c: the .container loader (INI), the declarative front end.
 * It turns a file into fields of struct container_spec through a key table
 * (key, parser, offsetof) in the manner of systemd-nspawn's settings table,
 * reporting every error of the file in one pass as "file:line: Key: message".
 *
 * iniparser (4.1) alone cannot do this: it keeps no line numbers, silently
 * keeps the last of duplicate keys, and its value unquoting is lossy (an
 * unquoted ';' or '#' cuts the value: `sh -c "a; b"` becomes `sh -c "a`, and
 * `"/bin/my prog" arg` becomes `/bin/my prog`). So the file is scanned here
 * line by line, and the raw text after '=' is what the key parsers see.
 * iniparser still loads the same file: its syntax errors are routed into the
 * log with their line numbers, a line it cannot hold is an explicit error
 * (never a silent truncation), and its set of keys is cross-checked against
 * the scan, so the two readings of the file can never silently disagree.
 *
 * The drop-ins of FILE.container (FILE.container.d/ *.conf) are read the same
 * way after it. Every assignment is parsed where it stands, into a scratch
 * spec, so that each bad value is reported; then only the last assignment of
 * each key is applied to the real spec, which is what lets a later file
 * override an earlier one and an empty value reset a key to its default.
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser/iniparser.h>

#include "config-keys.h"
#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

/* A .container file is a few lines; anything this big is a mistake (or /dev/zero). */
#define CONTAINER_FILE_MAX (1024 * 1024)

/*
 * iniparser reads each line with fgets() into a 1024-byte buffer that must
 * also hold the newline and the NUL, and a continued line is read into the
 * same buffer after its predecessor: so at most 1022 bytes of text per line,
 * continuation lines counted together. Longer lines make it fail the load.
 */
#define INI_LINE_MAX 1022

#define SECTION "Container"

/* The last assignment of a key over the .container and its drop-ins. */
struct key_assignment {
	char *value;	  /* the raw text after '=' ("": reset to the default), NULL: never set */
	const char *path; /* the file that set it (owned by target->files) */
	unsigned file;	  /* its index in target->files */
	unsigned line;
	struct key_assignment *prev; /* a repeatable key: the assignments before this one */
};

struct load_ctx {
	struct key_ctx k; /* the file being read (k.path), where parsers write (k.spec) */
	unsigned file;	  /* the index of k.path in target->files */
	struct container_spec *target; /* the spec being loaded */
	struct key_assignment *final;  /* one per config_keys entry */
	unsigned routed;	       /* errors only iniparser found */
	bool disagree; /* iniparser and the scan read the file differently (a bug of ours) */
};

/* Logs one error of the file and counts it; returns -EINVAL. */
_printf_(3, 4) static int load_error(struct load_ctx *c, unsigned line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (c->k.quiet)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->k.n_errors++;
	return log_syntax(c->k.path, line, LOG_LEVEL_ERROR, "%s", msg);
}

/* ------------------------------------------------------------------------- */
/* iniparser's view of the file */

struct ini_error {
	unsigned line; /* 0 when iniparser gave none */
	char *msg;
};

struct ini_errors {
	struct ini_error *v;
	size_t n;
	bool lost; /* more errors than we keep, or out of memory */
};

#define INI_ERRORS_MAX 1024

/*
 * iniparser reports errors through one process-wide callback without a user
 * pointer, so the collector of the load in progress has to be file-static.
 * It is set only for the duration of iniparser_load() (single-threaded).
 */
static struct ini_errors *ini_collector;

static void ini_errors_add(struct ini_errors *e, unsigned line, const char *msg)
{
	struct ini_error *v;

	if (e->n >= INI_ERRORS_MAX) {
		e->lost = true;
		return;
	}
	v = reallocarray(e->v, e->n + 1, sizeof(*v));
	if (!v) {
		e->lost = true;
		return;
	}
	e->v = v;
	e->v[e->n].line = line;
	e->v[e->n].msg = strdup(msg);
	if (!e->v[e->n].msg) {
		e->lost = true;
		return;
	}
	e->n++;
}

static void ini_errors_free(struct ini_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].msg);
	free(e->v);
}

/*
 * The error callback. The format strings of iniparser 4.1 are matched
 * exactly so that the line number is taken from the arguments, not guessed
 * from text; any other message is kept whole (newlines flattened), line 0.
 */
__attribute__((format(printf, 1, 2))) static int ini_error_cb(const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (!ini_collector)
		return 0;
	va_start(ap, fmt);
	if (streq(fmt, "iniparser: syntax error in %s (%d):\n-> %s\n")) {
		const char *file = va_arg(ap, const char *);
		int line = va_arg(ap, int);
		const char *text = va_arg(ap, const char *);

		(void)file;
		snprintf(msg, sizeof(msg), "syntax error (iniparser): '%s'", text);
		ini_errors_add(ini_collector, line > 0 ? (unsigned)line : 0, msg);
	} else if (streq(fmt, "iniparser: input line too long in %s (%d)\n")) {
		const char *file = va_arg(ap, const char *);
		int line = va_arg(ap, int);

		(void)file;
		snprintf(msg, sizeof(msg), "line too long for iniparser (the limit is %d bytes)",
			 INI_LINE_MAX);
		ini_errors_add(ini_collector, line > 0 ? (unsigned)line : 0, msg);
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		ini_errors_add(ini_collector, 0, strstrip(msg));
	}
	va_end(ap);
	return 0;
}

/* Loads @path with iniparser, collecting its errors in @e. Returns the dictionary or NULL. */
static dictionary *ini_load(const char *path, struct ini_errors *e)
{
	dictionary *d;

	ini_collector = e;
	iniparser_set_error_callback(ini_error_cb);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	ini_collector = NULL;
	return d;
}

/*
 * Logs the iniparser errors on lines first..last, unless the scan already
 * reported that line (one message per problem is enough); marks them done.
 */
static void ini_errors_flush(struct load_ctx *c, struct ini_errors *e, unsigned first,
			     unsigned last, bool scan_reported)
{
	for (size_t i = 0; i < e->n; i++) {
		if (!e->v[i].msg || e->v[i].line < first || e->v[i].line > last)
			continue;
		if (!scan_reported) {
			load_error(c, e->v[i].line, "%s", e->v[i].msg);
			c->routed++;
		}
		free(e->v[i].msg);
		e->v[i].msg = NULL;
	}
}

/* ------------------------------------------------------------------------- */
/* The scan */

struct scan_state {
	bool in_section;	/* a section header has been seen */
	bool in_container;	/* the current section is [Container] */
	unsigned n_sections;	/* [Container] headers seen */
	unsigned unit_sections; /* bit i: unit_section_names[i] seen (copied by the generator) */
	unsigned seen[_SPEC_KEY_MAX]; /* line of each key (by SPEC_KEY_*) in this file, 0 = unset */
	char **extra_keys;	      /* X- keys seen (lower case), for the cross-check */
};

/*
 * Trims isspace() characters (also \v and \f) at both ends in place, as
 * iniparser does, so that both read the same keys. Returns @s moved.
 */
static char *strip_space(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

static void str_tolower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * The systemd sections a .container may hold for the generator (quadlet's
 * shape): their lines go verbatim into the unit, so the loader reads only
 * their syntax, never their keys.
 */
static const char *const unit_section_names[] = { "Unit", "Service", "Install" };

#define SECTIONS_HINT "[" SECTION "], [Unit], [Service] or [Install]"

static int scan_section(struct load_ctx *c, struct scan_state *st, unsigned line, char *l)
{
	size_t n = strlen(l);
	char *name;

	st->in_section = true;
	st->in_container = false;
	if (n < 2 || l[n - 1] != ']')
		return load_error(c, line, "invalid section header '%s' (use " SECTIONS_HINT ")",
				  l);
	l[n - 1] = '\0';
	name = strip_space(l + 1);
	if (*name == '\0' || strpbrk(name, "[]"))
		return load_error(c, line, "invalid section header '[%s]' (use " SECTIONS_HINT ")",
				  name);
	for (size_t i = 0; i < ELEMENTSOF(unit_section_names); i++)
		if (strcaseeq(name, unit_section_names[i])) {
			st->unit_sections |= 1u << i;
			return 0;
		}
	if (!strcaseeq(name, SECTION))
		return load_error(
		    c, line, "unknown section [%s] (the sections are " SECTIONS_HINT ")", name);
	st->in_container = true;
	st->n_sections++;
	return 0;
}

/* Handles "Key = value" of [Container]: X- keys, lookup, duplicates, empty values, parsing. */
/* Frees a chain of earlier assignments (key_assignment.prev); accepts NULL. */
static void key_assignments_free(struct key_assignment *a)
{
	while (a) {
		struct key_assignment *prev = a->prev;

		free(a->value);
		free(a);
		a = prev;
	}
}

static int scan_assignment(struct load_ctx *c, struct scan_state *st, unsigned line,
			   const char *key, const char *value)
{
	const struct config_key *k;
	size_t i;

	if (strncasecmp(key, "X-", 2) == 0) {
		char *lower = strdup(key);

		if (!lower)
			return -ENOMEM;
		str_tolower(lower);
		return strv_consume(&st->extra_keys, lower);
	}
	k = config_key_lookup(key);
	if (!k) {
		const char *hint = config_key_suggest(key);

		if (strcaseeq(key, "Image"))
			return load_error(
			    c, line,
			    "unknown key '%s' in [" SECTION "] (this looks like a Podman "
			    "quadlet file, not an mdlaunch file: mdlaunch runs a Command= "
			    "on the host's root file system, without images)",
			    key);
		if (hint)
			return load_error(c, line,
					  "unknown key '%s' in [" SECTION "] (did you mean '%s'?)",
					  key, hint);
		return load_error(c, line, "unknown key '%s' in [" SECTION "]", key);
	}
	i = k->id;
	if (st->seen[i] && !k->repeatable)
		return load_error(c, line, "%s: duplicate key, first set at line %u", k->name,
				  st->seen[i]);
	st->seen[i] = line;
	if (k->repeatable && !isempty(value) && !isempty(c->final[i].value)) {
		/* Keep the earlier assignments of a list key; an empty one drops them all. */
		struct key_assignment *prev = malloc(sizeof(*prev));

		if (!prev)
			return -ENOMEM;
		*prev = c->final[i];
		c->final[i].value = NULL;
		c->final[i].prev = prev;
	} else {
		key_assignments_free(c->final[i].prev);
		c->final[i].prev = NULL;
	}
	/*
	 * A later file overrides an earlier one: only the last assignment is
	 * applied (apply_assignments()), so that an empty value can reset the
	 * key to its default. Every value is still parsed here, into a scratch
	 * spec, so that each bad one is reported at its own line.
	 */
	free(c->final[i].value);
	c->final[i] = (struct key_assignment){ .value = strdup(value),
					       .path = c->k.path,
					       .file = c->file,
					       .line = line,
					       .prev = c->final[i].prev };
	if (!c->final[i].value)
		return -ENOMEM;
	if (*value == '\0')
		return 0;
	c->k.line = line;
	c->k.label = k->name;
	return config_key_parse(&c->k, k, value);
}

/*
 * Processes one logical line (continuations joined) spanning first..last.
 * Returns 0, -EINVAL (logged and counted) or -ENOMEM.
 */
static int scan_line(struct load_ctx *c, struct scan_state *st, unsigned first, char *l)
{
	char *eq, *key, *value;

	l = strip_space(l);
	if (*l == '\0')
		return 0;
	if (*l == '[')
		return scan_section(c, st, first, l);
	eq = strchr(l, '=');
	if (!eq || eq == l)
		return load_error(c, first,
				  "expected 'Key = value', '[Section]' or a comment, got '%s'", l);
	*eq = '\0';
	key = strip_space(l);
	value = strip_space(eq + 1);
	if (*key == '\0')
		return load_error(c, first, "missing key before '='");
	if (!st->in_section)
		return load_error(
		    c, first, "key '%s' outside of a section (add [" SECTION "] above it)", key);
	if (!st->in_container)
		return 0; /* [Unit], [Service], [Install], or an unknown section reported once */
	return scan_assignment(c, st, first, key, value);
}

static bool is_comment(const char *s)
{
	s += strspn(s, " \t\r\f\v");
	return *s == '#' || *s == ';';
}

/* Strips trailing whitespace (as iniparser does, isspace) from @s of length @n; returns the new
 * length. */
static size_t rstrip_len(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return n;
}

/*
 * Scans the file text (@size bytes, may contain NULs) line by line, logging
 * every error. Continuation lines (a trailing backslash) are joined with a
 * space, as systemd does; comments are whole lines starting with '#' or ';'.
 * The iniparser errors @ie are merged in line order. Returns 0 or -ENOMEM;
 * c->k.n_errors counts the errors.
 */
static int scan_text(struct load_ctx *c, struct scan_state *st, const char *text, size_t size,
		     struct ini_errors *ie)
{
	_cleanup_free_ char *logical = NULL;
	size_t logical_len = 0, ini_base = 0, first_len = 0;
	bool cont = false;
	unsigned first = 0, lineno = 0, errors_before = 0, bad_comment = 0;
	const char *p = text, *end = text + size;

	logical = malloc(size + 2);
	if (!logical)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t raw = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t n;
		bool continues, comment;
		char *eq;
		int r;

		lineno++;
		if (!cont) {
			first = lineno;
			errors_before = c->k.n_errors;
			logical_len = 0;
			ini_base = 0;
		}
		if (lineno == 1 && raw >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
			/* Invisible in a message: name it rather than quote it. */
			load_error(c, lineno,
				   "the file starts with a UTF-8 byte-order mark (remove it: "
				   "mdlaunch files are plain UTF-8 without one)");
			ini_base += 3;
			p += 3;
			raw -= 3;
		}
		if (ini_base + raw > INI_LINE_MAX)
			load_error(c, lineno,
				   "line too long (%zu bytes; the limit is %d bytes, continued "
				   "lines counted together)",
				   ini_base + raw, INI_LINE_MAX);
		if (memchr(p, '\0', raw))
			load_error(c, lineno, "line contains a NUL byte");
		n = rstrip_len(p, raw);
		continues = n > 0 && p[n - 1] == '\\';
		comment = is_comment(p) && !memchr(p, '\0', raw);
		if (comment && cont) {
			/*
			 * systemd skips it, iniparser joins it: neither is what was
			 * meant. Reported after the line it interrupts (line order),
			 * and iniparser's view of where the line ends is kept.
			 */
			if (!bad_comment)
				bad_comment = lineno;
			p = nl ? nl + 1 : end;
			if (continues && p < end)
				continue;
			if (continues)
				load_error(
				    c, lineno,
				    "the file ends with a '\\' continuation and no next line");
		} else if (comment) {
			if (continues)
				load_error(c, lineno,
					   "comment line ends with '\\' (it would swallow the next "
					   "line)");
			ini_errors_flush(c, ie, lineno, lineno, c->k.n_errors > errors_before);
			p = nl ? nl + 1 : end;
			continue;
		} else {
			/* Where iniparser puts the next line: over this line's backslash. */
			ini_base = ini_base + n - (continues ? 1 : 0);
			memcpy(logical + logical_len, p, continues ? n - 1 : n);
			logical_len += continues ? n - 1 : n;
			if (lineno == first)
				first_len = logical_len;
			if (continues) {
				logical[logical_len++] = ' ';
				cont = true;
				p = nl ? nl + 1 : end;
				if (p < end)
					continue;
				load_error(
				    c, lineno,
				    "the file ends with a '\\' continuation and no next line");
			}
		}
		cont = false;
		p = nl ? nl + 1 : end;
		logical[logical_len] = '\0';
		eq = memchr(logical, '=', logical_len);
		if (eq && (size_t)(eq - logical) > first_len && lineno > first) {
			/* iniparser joins without the space: the two would read different keys. */
			load_error(c, first,
				   "the key is continued onto the next line (put 'Key =' on one "
				   "line)");
		} else if (strlen(logical) == logical_len) {
			r = scan_line(c, st, first, logical);
			if (r == -ENOMEM)
				return r;
		}
		if (bad_comment)
			load_error(c, bad_comment,
				   "comment line inside a continued line (remove the '\\' on the "
				   "line above)");
		bad_comment = 0;
		ini_errors_flush(c, ie, first, lineno, c->k.n_errors > errors_before);
	}
	/* Whatever iniparser said about no line of ours (e.g. a read error). */
	ini_errors_flush(c, ie, 0, UINT32_MAX, c->k.n_errors > 0);
	if (ie->lost)
		load_error(c, 0, "iniparser reported more errors than shown");
	return 0;
}

/*
 * Cross-checks iniparser's dictionary against the scan of an error-free
 * file: the same [Container] keys, nothing else. Returns 0, -ENOMEM, or
 * -EINVAL (an internal error: the two readings of the file disagree).
 */
static int ini_cross_check(struct load_ctx *c, const struct scan_state *st, dictionary *d)
{
	char entry[256];
	int n_keys = 0;

	if (iniparser_getnsec(d) !=
	    (st->n_sections > 0 ? 1 : 0) + __builtin_popcount(st->unit_sections))
		goto mismatch;
	for (size_t i = 0; i < config_keys_n; i++) {
		if (!st->seen[config_keys[i].id])
			continue;
		snprintf(entry, sizeof(entry), "container:%s", config_keys[i].name);
		str_tolower(entry);
		if (!iniparser_find_entry(d, entry))
			goto mismatch;
		n_keys++;
	}
	for (char **k = st->extra_keys; k && *k; k++) {
		char *entry_long;
		bool dup = false;
		int found;

		for (char **j = st->extra_keys; j < k; j++)
			dup = dup || streq(*j, *k);
		if (dup)
			continue;
		entry_long = strdup_printf("container:%s", *k);
		if (!entry_long)
			return -ENOMEM;
		found = iniparser_find_entry(d, entry_long);
		free(entry_long);
		if (!found)
			goto mismatch;
		n_keys++;
	}
	if (st->n_sections > 0 && iniparser_getsecnkeys(d, "container") != n_keys)
		goto mismatch;
	return 0;
mismatch:
	c->disagree = true;
	return load_error(c, 0,
			  "internal error: iniparser and mdlaunch read different keys from this "
			  "file, please report it");
}

/*
 * Reads the whole of @path (a regular file, at most CONTAINER_FILE_MAX bytes)
 * into *ret (NUL-terminated; the file itself may contain NULs), its size into
 * *ret_size and its fstat() into *ret_st. Returns 0 or -errno, not logged.
 */
static int read_container_file(const char *path, char **ret, size_t *ret_size, struct stat *ret_st)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap;
	struct stat st;

	/* O_NONBLOCK: a FIFO named x.container must not hang the open; refused just below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	/* Sized from fstat(), but a file may grow meanwhile: read until EOF, bounded. */
	cap = (size_t)(st.st_size < CONTAINER_FILE_MAX ? st.st_size : CONTAINER_FILE_MAX) + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap > CONTAINER_FILE_MAX)
				return -EFBIG;
			cap = cap * 2 < CONTAINER_FILE_MAX + 1 ? cap * 2 : CONTAINER_FILE_MAX + 1;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = RETRY_EINTR(read(fd, buf + len, cap - len));
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		/* A short read of a regular file is its end: no read(2) just to see 0. */
		if (len < cap)
			break;
	}
	if (len > CONTAINER_FILE_MAX)
		return -EFBIG;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_size = len;
	*ret_st = st;
	return 0;
}

/*
 * The default name: the file's basename without ".container". Returns 0,
 * -EINVAL (logged: the basename is not a valid name) or -ENOMEM.
 */
static int default_name(struct load_ctx *c)
{
	const char *base = strrchr(c->target->source, '/');
	size_t n;
	char *name;

	base = base ? base + 1 : c->target->source;
	n = strlen(base);
	if (n > strlen(".container") && streq(base + n - strlen(".container"), ".container"))
		n -= strlen(".container");
	name = strndup(base, n);
	if (!name)
		return -ENOMEM;
	if (!name_is_valid(name)) {
		free(name);
		return load_error(
		    c, 0,
		    "cannot use the file name '%s' as the container name " CONFIG_NAME_HINT
		    "; set Name=",
		    base);
	}
	free(c->target->name);
	c->target->name = name;
	return 0;
}

/*
 * After all files: the default name when Name= is absent or reset, and the
 * required Command= (unless its line was already reported as invalid).
 * Returns 0, -EINVAL (logged) or -ENOMEM.
 */
static int finish_defaults(struct load_ctx *c)
{
	const struct key_assignment *name = &c->final[SPEC_KEY_NAME];
	const struct key_assignment *cmd = &c->final[SPEC_KEY_COMMAND];
	int r = 0;

	c->k.path = c->target->source;
	if (!name->value || *name->value == '\0')
		r = default_name(c);
	if (r == -ENOMEM)
		return r;
	if (strv_length(c->target->argv) > 0)
		return r;
	if (!cmd->value)
		return load_error(c, 0, "missing Command= in [" SECTION "] (it is required)");
	if (*cmd->value == '\0') {
		c->k.path = cmd->path;
		return load_error(c, cmd->line, "Command: empty, a command is required");
	}
	return r;
}

/*
 * The final capability set: the base (mdlaunch.conf's default or
 * Capabilities=) minus DropCapabilities= plus AddCapabilities=, so that
 * "DropCapabilities=all" with "AddCapabilities=NET_BIND_SERVICE" keeps just
 * that one. A capability both added and dropped by name is an error.
 */
static void finish_capabilities(struct load_ctx *c)
{
	uint64_t both = c->k.cap_add & c->k.cap_drop;

	if (both && c->k.cap_drop != capability_mask_all()) {
		char *name = cap_to_name((cap_value_t)__builtin_ctzll(both));
		const char *add = spec_origin_file(c->k.spec, SPEC_KEY_ADD_CAPABILITIES);

		c->k.path = spec_origin_file(c->k.spec, SPEC_KEY_DROP_CAPABILITIES);
		if (add && c->k.path && streq(add, c->k.path))
			load_error(c, c->k.spec->origin[SPEC_KEY_DROP_CAPABILITIES].line,
				   "DropCapabilities: '%s' is also in AddCapabilities= (line %u)",
				   name ? name : "?",
				   c->k.spec->origin[SPEC_KEY_ADD_CAPABILITIES].line);
		else
			load_error(c, c->k.spec->origin[SPEC_KEY_DROP_CAPABILITIES].line,
				   "DropCapabilities: '%s' is also in AddCapabilities= (%s:%u)",
				   name ? name : "?", add ? add : "?",
				   c->k.spec->origin[SPEC_KEY_ADD_CAPABILITIES].line);
		cap_free(name);
		return;
	}
	c->k.spec->capabilities = (c->k.spec->capabilities & ~c->k.cap_drop) | c->k.cap_add;
}

/* mdlaunch.conf itself is being checked: its strict_permissions cannot excuse it. */
static bool checking_global;

static const char *trust_hint(void)
{
	return checking_global ? "" : " or set strict_permissions = false in mdlaunch.conf";
}

/*
 * The directories above @path, up to '/' (of its real path), as sshd's
 * StrictModes checks them: one that another user can write, or owned by
 * another user, lets that user replace what root reads, unless it is sticky
 * (/tmp: nobody else can rename or remove what root owns there). Returns 0,
 * or -EPERM (logged).
 */
static int check_trust_parents(const char *path, uid_t euid)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	char *slash;

	if (!real)
		return 0; /* it was just opened: a race; the file's own check stands */
	while ((slash = strrchr(real, '/'))) {
		const char *dir = slash == real ? "/" : real;
		struct stat st;

		slash[slash == real ? 1 : 0] = '\0';
		if (stat(dir, &st) < 0)
			return log_syntax(path, 0, LOG_LEVEL_ERROR,
					  "cannot check directory '%s': %s", dir, strerror(errno)),
			       -EPERM;
		if ((st.st_mode & (S_IWOTH | S_IWGRP)) && !(st.st_mode & S_ISVTX)) {
			(void)log_syntax(
			    path, 0, LOG_LEVEL_ERROR,
			    "refusing a file in '%s', a directory writable by %s (mode "
			    "%04o) and not sticky; chmod %s it%s",
			    dir, st.st_mode & S_IWOTH ? "others" : "its group",
			    (unsigned)st.st_mode & 07777, st.st_mode & S_IWOTH ? "o-w" : "g-w",
			    trust_hint());
			return -EPERM;
		}
		if (st.st_uid != 0 && st.st_uid != euid) {
			(void)log_syntax(
			    path, 0, LOG_LEVEL_ERROR,
			    "refusing a file in '%s', a directory owned by uid %u, not "
			    "root; chown root it%s",
			    dir, (unsigned)st.st_uid, trust_hint());
			return -EPERM;
		}
		if (streq(dir, "/"))
			break;
	}
	return 0;
}

/*
 * The trust check, as sshd's StrictModes: when mdlaunch runs as root, a file
 * or directory that another user can write would let that user choose what
 * root runs, and so would one of the directories above it. @st is the
 * fstat() of @path. Returns 0, or -EPERM (logged).
 */
static int check_trust(const struct container_spec *spec, const char *path, const struct stat *st)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";
	unsigned mode = (unsigned)st->st_mode & 07777;
	char why[128];

	static uid_t euid = (uid_t)-1; /* one geteuid() per process, not two per file */

	if (euid == (uid_t)-1)
		euid = geteuid();
	if (!spec->strict_permissions || euid != 0)
		return 0;
	if (st->st_mode & S_IWOTH)
		snprintf(why, sizeof(why), "writable by others (mode %04o); chmod o-w it", mode);
	else if (st->st_mode & S_IWGRP)
		snprintf(why, sizeof(why), "writable by its group (mode %04o); chmod g-w it", mode);
	else if (st->st_uid != 0 && st->st_uid != euid)
		snprintf(why, sizeof(why), "owned by uid %u, not root; chown root it",
			 (unsigned)st->st_uid);
	else
		return check_trust_parents(path, euid);
	(void)log_syntax(path, 0, LOG_LEVEL_ERROR, "refusing a %s %s%s", what, why, trust_hint());
	return -EPERM;
}

int config_check_trust_global(const char *path, const struct stat *st)
{
	struct container_spec strict = { .strict_permissions = true };
	int r;

	checking_global = true;
	r = check_trust(&strict, path, st);
	checking_global = false;
	return r;
}

int config_read_trusted(const struct container_spec *spec, const char *path, char **ret)
{
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t size;
	int r;

	r = read_container_file(path, &text, &size, &st);
	if (r == -EBADFD)
		return -EINVAL;
	if (r < 0)
		return r;
	if (memchr(text, '\0', size))
		return -EBADMSG;
	r = check_trust(spec, path, &st);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(text);
	return 0;
}

/*
 * Reads one file (the .container or a drop-in) into the load: its errors
 * are logged and counted in @c, its assignments recorded in c->final.
 * Returns 0 (even when the file had errors), or -errno (logged) when it
 * cannot be read at all or is refused.
 */
static int load_one_file(struct load_ctx *c, const char *path)
{
	struct scan_state st = { 0 };
	struct ini_errors ie = { 0 };
	_cleanup_free_ char *text = NULL;
	unsigned errors_before = c->k.n_errors;
	dictionary *d = NULL;
	struct stat sb;
	size_t size = 0;
	int r;

	r = read_container_file(path, &text, &size, &sb);
	if (r == -EBADFD)
		return log_error_errno(-EINVAL, "cannot load '%s': not a regular file", path);
	if (r == -EFBIG)
		return log_error_errno(r, "cannot load '%s': larger than %d bytes", path,
				       CONTAINER_FILE_MAX);
	if (r < 0)
		return log_error_errno(r, "cannot open '%s': %m", path);
	r = check_trust(c->target, path, &sb);
	if (r < 0)
		return r;
	r = spec_add_file(c->target, path);
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	c->file = (unsigned)r;
	c->k.path = c->target->files[c->file - 1];

	d = ini_load(path, &ie);
	r = scan_text(c, &st, text, size, &ie);
	if (r >= 0 && c->k.n_errors == errors_before && !d) {
		load_error(c, 0, "internal error: iniparser could not load the file");
		c->disagree = true;
	}
	if (r >= 0 && c->k.n_errors == errors_before && d)
		r = ini_cross_check(c, &st, d) == -ENOMEM ? -ENOMEM : 0;
	if (d)
		iniparser_freedict(d);
	ini_errors_free(&ie);
	strv_free(st.extra_keys);
	if (r < 0)
		return log_error_errno(r, "%s: out of memory", path);
	return 0;
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The drop-ins of @path: the regular files "*.conf" (not hidden) in
 * "@path.d", sorted by name (systemd's order), as paths in *ret (NULL when
 * there is no such directory). Returns 0 or -errno (logged).
 */
static int list_dropins(const struct container_spec *spec, const char *path, char ***ret)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int r = 0;

	dir = strdup_printf("%s.d", path);
	if (!dir)
		return log_error_errno(-ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (fd < 0)
		return log_error_errno(-errno, "cannot open drop-in directory '%s': %m", dir);
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "cannot stat '%s': %m", dir);
	r = check_trust(spec, dir, &st);
	if (r < 0)
		return r;
	dp = fdopendir(fd);
	if (!dp)
		return log_error_errno(-errno, "cannot read '%s': %m", dir);
	fd = -EBADF; /* owned by dp now */
	while ((errno = 0, de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.' || n <= 5 || !streq(de->d_name + n - 5, ".conf"))
			continue;
		/* d_type answers for most filesystems; a symlink or DT_UNKNOWN needs the stat. */
		if (de->d_type != DT_REG &&
		    ((de->d_type != DT_LNK && de->d_type != DT_UNKNOWN) ||
		     fstatat(dirfd(dp), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode)))
			continue;
		p = strdup_printf("%s/%s", dir, de->d_name);
		if (!p || strv_consume(&l, p) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(dp);
	if (r < 0)
		return log_error_errno(r, "cannot read '%s': %m", dir);
	if (l)
		qsort(l, strv_length(l), sizeof(*l), cmp_strings);
	*ret = TAKE_PTR(l);
	return 0;
}

/* Applies @a: for a list key, its earlier assignments first, each at its own line. */
static int apply_one(struct load_ctx *c, const struct config_key *k, const struct key_assignment *a)
{
	int r;

	if (a->prev) {
		r = apply_one(c, k, a->prev);
		if (r == -ENOMEM)
			return r;
	}
	c->k.path = a->path;
	c->k.line = a->line;
	c->k.label = k->name;
	return config_key_parse(&c->k, k, a->value);
}

/*
 * Applies the last assignment of every key to c->target, in key table order
 * (no key's parser depends on another's), recording where each came from.
 * An empty assignment leaves the default (spec_new() and mdlaunch.conf).
 * After errors, the values are applied quietly so that config_validate_values()
 * can still judge the good ones. Returns 0 or -ENOMEM.
 */
static int apply_assignments(struct load_ctx *c)
{
	c->k.spec = c->target;
	c->k.quiet = c->k.n_errors > 0;
	c->k.cap_add = c->k.cap_drop = 0;
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key *k = &config_keys[i];
		struct key_assignment *a = &c->final[k->id];
		int r;

		if (!a->value || *a->value == '\0')
			continue;
		spec_set_origin(c->target, k->id, a->file, a->line);
		c->target->origin[k->id].value = strdup(a->value);
		if (!c->target->origin[k->id].value)
			return -ENOMEM;
		r = apply_one(c, k, a);
		if (r == -ENOMEM)
			return r;
	}
	c->k.quiet = false;
	return 0;
}

int config_load_container(const char *path, struct container_spec *spec)
{
	_cleanup_(spec_freep) struct container_spec *scratch = NULL;
	_cleanup_strv_free_ char **dropins = NULL;
	struct key_assignment final[_SPEC_KEY_MAX] = { 0 };
	struct load_ctx c = { .target = spec, .final = final };
	int r;

	free(spec->source);
	spec->source = strdup(path);
	scratch = spec_new();
	if (!spec->source || !scratch)
		return log_error_errno(-ENOMEM, "out of memory");
	/* EnvironmentFile= is trust-checked while parsing: as mdlaunch.conf says. */
	scratch->strict_permissions = spec->strict_permissions;
	c.k.spec = scratch;

	r = load_one_file(&c, path);
	if (r >= 0)
		r = list_dropins(spec, path, &dropins);
	for (char **p = dropins; r >= 0 && p && *p; p++)
		r = load_one_file(&c, *p);
	if (r < 0)
		goto out; /* logged */
	r = apply_assignments(&c);
	if (r >= 0)
		r = finish_defaults(&c);
	if (r == -ENOMEM) {
		log_error_errno(r, "%s: out of memory", path);
		goto out;
	}
	finish_capabilities(&c);
	/*
	 * -EPROTO: refused because the two readings differ: the key sets, or
	 * iniparser refused a file the scan found clean. (After an error of the
	 * scan, iniparser may legitimately see other lines.) Fuzzers look for it.
	 */
	if (c.disagree || (c.routed > 0 && c.routed == c.k.n_errors))
		r = -EPROTO;
	else
		r = c.k.n_errors > 0 ? -EINVAL : 0;
out:
	for (size_t i = 0; i < ELEMENTSOF(final); i++) {
		free(final[i].value);
		key_assignments_free(final[i].prev);
	}
	return r;
}

int config_from_file(const char *path, const struct global_options *g, struct container_spec **ret)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	int r, level = -1;

	spec = spec_new();
	if (!spec)
		return log_error_errno(-ENOMEM, "out of memory");
	r = config_load_global(g ? g->config_path : NULL, spec, &level);
	if (r < 0)
		return r;
	if ((!g || g->log_level < 0) && level >= 0)
		log_max_level = level;
	r = config_load_container(path, spec);
	if (r == -EINVAL) {
		/* Keys that did load may still be wrong for this host: say so in the same pass. */
		(void)config_validate_values(spec);
		return r;
	}
	if (r < 0)
		return r;
	r = config_validate(spec);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(spec);
	return 0;
}
