/* SPDX-License-Identifier: MIT */
/*
 * config-ini.c: the INI reading of a .container file or drop-in, below the
 * loader (config-container.c), which gets each "Key = value" of [Container]
 * through a callback and never sees a line.
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
 */
#include "config-ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iniparser/iniparser.h>

#include "config-keys.h"
#include "log.h"
#include "util.h"

/*
 * iniparser reads each line with fgets() into a 1024-byte buffer that must
 * also hold the newline and the NUL, and a continued line is read into the
 * same buffer after its predecessor: so at most 1022 bytes of text per line,
 * continuation lines counted together. Longer lines make it fail the load.
 */
#define INI_LINE_MAX 1022

#define SECTION "Container"

/* Logs one error of the file at @line and counts it; returns -EINVAL. */
_printf_(3, 4) static int scan_error(struct ini_scan *s, unsigned line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->k->n_errors++;
	return log_syntax(s->k->path, line, LOG_LEVEL_ERROR, "%s", msg);
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
static void ini_errors_flush(struct ini_scan *s, struct ini_errors *e, unsigned first,
			     unsigned last, bool scan_reported)
{
	for (size_t i = 0; i < e->n; i++) {
		if (!e->v[i].msg || e->v[i].line < first || e->v[i].line > last)
			continue;
		if (!scan_reported) {
			scan_error(s, e->v[i].line, "%s", e->v[i].msg);
			s->routed++;
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
	char **keys;		/* the keys of [Container] as written, for the cross-check */
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

static int scan_section(struct ini_scan *s, struct scan_state *st, unsigned line, char *l)
{
	size_t n = strlen(l);
	char *name;

	st->in_section = true;
	st->in_container = false;
	if (n < 2 || l[n - 1] != ']')
		return scan_error(s, line, "invalid section header '%s' (use " SECTIONS_HINT ")",
				  l);
	l[n - 1] = '\0';
	name = strip_space(l + 1);
	if (*name == '\0' || strpbrk(name, "[]"))
		return scan_error(s, line, "invalid section header '[%s]' (use " SECTIONS_HINT ")",
				  name);
	for (size_t i = 0; i < ELEMENTSOF(unit_section_names); i++)
		if (strcaseeq(name, unit_section_names[i])) {
			st->unit_sections |= 1u << i;
			return 0;
		}
	if (!strcaseeq(name, SECTION))
		return scan_error(
		    s, line, "unknown section [%s] (the sections are " SECTIONS_HINT ")", name);
	st->in_container = true;
	st->n_sections++;
	return 0;
}

/*
 * Processes one logical line (continuations joined) spanning first..last.
 * Returns 0, -EINVAL (logged and counted) or -ENOMEM.
 */
static int scan_line(struct ini_scan *s, struct scan_state *st, unsigned first, char *l)
{
	char *eq, *key, *value;
	int r;

	l = strip_space(l);
	if (*l == '\0')
		return 0;
	if (*l == '[')
		return scan_section(s, st, first, l);
	eq = strchr(l, '=');
	if (!eq || eq == l)
		return scan_error(s, first,
				  "expected 'Key = value', '[Section]' or a comment, got '%s'", l);
	*eq = '\0';
	key = strip_space(l);
	value = strip_space(eq + 1);
	if (*key == '\0')
		return scan_error(s, first, "missing key before '='");
	if (!st->in_section)
		return scan_error(
		    s, first, "key '%s' outside of a section (add [" SECTION "] above it)", key);
	if (!st->in_container)
		return 0; /* [Unit], [Service], [Install], or an unknown section reported once */
	r = strv_extend(&st->keys, key);
	if (r < 0)
		return r;
	/* X- keys are the user's own (systemd's rule): read, never interpreted. */
	if (strncasecmp(key, "X-", 2) == 0)
		return 0;
	return s->assignment(s->userdata, first, key, value);
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
 * s->k->n_errors counts the errors.
 */
static int scan_text(struct ini_scan *s, struct scan_state *st, const char *text, size_t size,
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
			errors_before = s->k->n_errors;
			logical_len = 0;
			ini_base = 0;
		}
		if (lineno == 1 && raw >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
			/* Invisible in a message: name it rather than quote it. */
			scan_error(s, lineno,
				   "the file starts with a UTF-8 byte-order mark (remove it: "
				   "mdlaunch files are plain UTF-8 without one)");
			ini_base += 3;
			p += 3;
			raw -= 3;
		}
		if (ini_base + raw > INI_LINE_MAX)
			scan_error(s, lineno,
				   "line too long (%zu bytes; the limit is %d bytes, continued "
				   "lines counted together)",
				   ini_base + raw, INI_LINE_MAX);
		if (memchr(p, '\0', raw))
			scan_error(s, lineno, "line contains a NUL byte");
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
				scan_error(
				    s, lineno,
				    "the file ends with a '\\' continuation and no next line");
		} else if (comment) {
			if (continues)
				scan_error(s, lineno,
					   "comment line ends with '\\' (it would swallow the next "
					   "line)");
			ini_errors_flush(s, ie, lineno, lineno, s->k->n_errors > errors_before);
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
				scan_error(
				    s, lineno,
				    "the file ends with a '\\' continuation and no next line");
			}
		}
		cont = false;
		p = nl ? nl + 1 : end;
		logical[logical_len] = '\0';
		eq = memchr(logical, '=', logical_len);
		if (eq && (size_t)(eq - logical) > first_len && lineno > first) {
			/* iniparser joins without the space: the two would read different keys. */
			scan_error(s, first,
				   "the key is continued onto the next line (put 'Key =' on one "
				   "line)");
		} else if (strlen(logical) == logical_len) {
			r = scan_line(s, st, first, logical);
			if (r == -ENOMEM)
				return r;
		}
		if (bad_comment)
			scan_error(s, bad_comment,
				   "comment line inside a continued line (remove the '\\' on the "
				   "line above)");
		bad_comment = 0;
		ini_errors_flush(s, ie, first, lineno, s->k->n_errors > errors_before);
	}
	/* Whatever iniparser said about no line of ours (e.g. a read error). */
	ini_errors_flush(s, ie, 0, UINT32_MAX, s->k->n_errors > 0);
	if (ie->lost)
		scan_error(s, 0, "iniparser reported more errors than shown");
	return 0;
}

/*
 * Cross-checks iniparser's dictionary against the scan of an error-free
 * file: the same [Container] keys, nothing else. Returns 0, -ENOMEM, or
 * -EINVAL (an internal error: the two readings of the file disagree).
 */
static int ini_cross_check(struct ini_scan *s, const struct scan_state *st, dictionary *d)
{
	int n_keys = 0;

	if (iniparser_getnsec(d) !=
	    (st->n_sections > 0 ? 1 : 0) + __builtin_popcount(st->unit_sections))
		goto mismatch;
	for (char **k = st->keys; k && *k; k++) {
		_cleanup_free_ char *entry = NULL;
		bool dup = false;

		for (char **j = st->keys; j < k; j++)
			dup = dup || strcaseeq(*j, *k);
		if (dup)
			continue;
		entry = strdup_printf("container:%s", *k);
		if (!entry)
			return -ENOMEM;
		str_tolower(entry);
		if (!iniparser_find_entry(d, entry))
			goto mismatch;
		n_keys++;
	}
	if (st->n_sections > 0 && iniparser_getsecnkeys(d, "container") != n_keys)
		goto mismatch;
	return 0;
mismatch:
	s->disagree = true;
	return scan_error(s, 0,
			  "internal error: iniparser and mdlaunch read different keys from this "
			  "file, please report it");
}

int ini_scan_file(struct ini_scan *s, const char *path, const char *text, size_t size)
{
	struct scan_state st = { 0 };
	struct ini_errors ie = { 0 };
	unsigned errors_before = s->k->n_errors;
	dictionary *d;
	int r;

	d = ini_load(path, &ie);
	r = scan_text(s, &st, text, size, &ie);
	if (r >= 0 && s->k->n_errors == errors_before && !d) {
		scan_error(s, 0, "internal error: iniparser could not load the file");
		s->disagree = true;
	}
	if (r >= 0 && s->k->n_errors == errors_before && d)
		r = ini_cross_check(s, &st, d) == -ENOMEM ? -ENOMEM : 0;
	if (d)
		iniparser_freedict(d);
	ini_errors_free(&ie);
	strv_free(st.keys);
	return r;
}
