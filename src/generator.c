/* SPDX-License-Identifier: MIT */
/*
 * generator.c: the systemd generator, podman quadlet's shape for mdlaunch.
 * A .container file (and its drop-ins) is loaded and validated exactly as
 * `check` does; when it is valid, NAME.service is written into the output
 * directory systemd passes (or printed by `generate --dry-run`): [Unit] and
 * [Service] start with generated defaults, the file's own [Unit], [Service]
 * and [Install] lines follow verbatim, and a default is left out when the
 * file sets that key itself (so the user's line wins, also for list keys
 * such as ExecStart=). [Install] is handled as quadlet does: generated units
 * cannot be enabled, so the generator writes the WantedBy=/RequiredBy=/
 * UpheldBy= symlinks and the Alias= links itself.
 *
 * An invalid file gives no unit (its errors are logged as file:line, which
 * under systemd is the journal); a unit is written to a temporary file and
 * renamed, so systemd never reads half of one.
 */
#include "generator.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

#define SOURCE_MAX (1024 * 1024)

/* As runtime.h: usage or system error (the generator runs nothing). */
#define EXIT_LAUNCHER_ERROR 125

/* The sections copied into the unit, in output order. */
enum unit_section { SECTION_UNIT, SECTION_SERVICE, SECTION_INSTALL, _SECTION_MAX };

static const char *const section_names[_SECTION_MAX] = { "Unit", "Service", "Install" };

/* The [Install] keys that become links: the key, the directory suffix (NULL: an alias). */
static const struct {
	const char *key;
	const char *suffix;
} install_links[] = {
	{ "WantedBy", ".wants" },
	{ "RequiredBy", ".requires" },
	{ "UpheldBy", ".upholds" },
	{ "Alias", NULL },
};

struct collect {
	FILE *out[_SECTION_MAX];		 /* the copied lines of each section */
	char *buf[_SECTION_MAX];		 /* open_memstream() buffers of out[] */
	size_t size[_SECTION_MAX];		 /* their sizes */
	char **keys[_SECTION_MAX];		 /* the keys the file sets in each section */
	char **words[ELEMENTSOF(install_links)]; /* the units of each install key */
	unsigned errors;
};

void generated_unit_done(struct generated_unit *u)
{
	free(u->name);
	free(u->text);
	strv_free(u->links);
	strv_free(u->link_targets);
	*u = (struct generated_unit){ 0 };
}

static void collect_done(struct collect *c)
{
	for (int i = 0; i < _SECTION_MAX; i++) {
		if (c->out[i])
			(void)fclose(c->out[i]);
		free(c->buf[i]);
		strv_free(c->keys[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(install_links); i++)
		strv_free(c->words[i]);
}

static bool unit_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr(":-_.\\@", ch);
}

/* A unit name as systemd takes it: "prefix.type", at most 255 bytes, no '/'. */
static bool unit_name_is_valid(const char *s)
{
	const char *dot = strrchr(s, '.');

	if (!dot || dot == s || dot[1] == '\0' || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (!unit_char_ok(*s))
			return false;
	return true;
}

/* Records the units of one install key's value (an empty value resets the list). */
static int collect_install(struct collect *c, const char *path, unsigned line, const char *key,
			   char *value)
{
	for (size_t i = 0; i < ELEMENTSOF(install_links); i++) {
		char *w, *save = NULL;

		if (!streq(key, install_links[i].key))
			continue;
		if (*value == '\0') {
			c->words[i] = strv_free(c->words[i]);
			return 0;
		}
		for (w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (!unit_name_is_valid(w)) {
				c->errors++;
				(void)log_syntax(path, line, LOG_LEVEL_ERROR,
						 "%s: invalid unit name '%s'", key, w);
				continue;
			}
			if (strv_extend(&c->words[i], w) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* One logical line (continuations joined with a space) of section @s, at @line. */
static int collect_logical(struct collect *c, const char *path, unsigned line, int s, char *l)
{
	char *eq = strchr(l, '='), *key, *value;

	if (!eq)
		return 0; /* the loader has judged the syntax already */
	*eq = '\0';
	key = strstrip(l);
	value = strstrip(eq + 1);
	if (strv_extend(&c->keys[s], key) < 0)
		return -ENOMEM;
	if (s == SECTION_INSTALL)
		return collect_install(c, path, line, key, value);
	return 0;
}

static int section_of(const char *l)
{
	size_t n = strlen(l);

	for (int i = 0; i < _SECTION_MAX; i++)
		if (n == strlen(section_names[i]) + 2 &&
		    strncasecmp(l + 1, section_names[i], n - 2) == 0 && l[n - 1] == ']')
			return i;
	return -1; /* [Container] */
}

/*
 * Copies the [Unit], [Service] and [Install] lines of @path (already
 * validated by the loader) into @c, verbatim; comments are left out.
 * Returns 0, -EINVAL (an invalid install unit name, logged) or -errno.
 */
static int collect_file(struct collect *c, const char *path)
{
	_cleanup_free_ char *text = NULL, *logical = NULL;
	size_t logical_len = 0;
	unsigned lineno = 0, first = 0;
	bool cont = false;
	int s = -1, r;
	char *p, *nl;

	r = read_file_at(AT_FDCWD, path, SOURCE_MAX, &text);
	if (r < 0)
		return log_error_errno(r, "cannot read '%s': %m", path);
	logical = malloc(strlen(text) + 1);
	if (!logical)
		return -ENOMEM;
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;
		char *l;
		bool continues;

		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		n = strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		continues = n > 0 && p[n - 1] == '\\';
		l = p + strspn(p, " \t");
		if (!cont && (*l == '#' || *l == ';' || *l == '\0'))
			continue;
		if (!cont && *l == '[') {
			s = section_of(strstrip(l));
			continue;
		}
		if (s < 0)
			continue;
		if (!cont) {
			first = lineno;
			logical_len = 0;
		}
		fprintf(c->out[s], "%s\n", p);
		memcpy(logical + logical_len, l,
		       continues ? n - 1 - (size_t)(l - p) : n - (size_t)(l - p));
		logical_len += continues ? n - 1 - (size_t)(l - p) : n - (size_t)(l - p);
		if (continues) {
			logical[logical_len++] = ' ';
			cont = true;
			continue;
		}
		cont = false;
		logical[logical_len] = '\0';
		r = collect_logical(c, path, first, s, logical);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * @s quoted for an ExecStart= word: specifiers ('%') and variables ('$')
 * doubled, and double quotes around anything with spaces, quotes or
 * backslashes. NULL on OOM.
 */
static char *exec_word(const char *s)
{
	bool quote = strpbrk(s, " \t\"'\\") != NULL;
	char *buf = malloc(strlen(s) * 2 + 3), *q = buf;

	if (!buf)
		return NULL;
	if (quote)
		*q++ = '"';
	for (; *s; s++) {
		if (*s == '%' || *s == '$')
			*q++ = *s;
		else if (quote && (*s == '"' || *s == '\\'))
			*q++ = '\\';
		*q++ = *s;
	}
	if (quote)
		*q++ = '"';
	*q = '\0';
	return buf;
}

/* A unit-file value with '%' doubled (no specifier expansion). NULL on OOM. */
static char *unit_value(const char *s)
{
	char *buf = malloc(strlen(s) * 2 + 1), *q = buf;

	if (!buf)
		return NULL;
	for (; *s; s++) {
		if (*s == '%')
			*q++ = '%';
		*q++ = *s;
	}
	*q = '\0';
	return buf;
}

/* Prints "Key=value" unless the file's own lines of the section set Key. */
static void put_default(FILE *f, char *const *user_keys, const char *key, const char *value)
{
	for (char *const *k = user_keys; k && *k; k++)
		if (streq(*k, key))
			return;
	fprintf(f, "%s=%s\n", key, value);
}

/* The unit's text from the collected sections. NULL on OOM. */
static char *unit_text(struct collect *c, const struct container_spec *spec, const char *source,
		       const char *unit_prefix, const char *exec_path)
{
	_cleanup_free_ char *exe = exec_word(exec_path), *file = exec_word(source);
	_cleanup_free_ char *src = unit_value(source), *desc = NULL, *exec = NULL;
	char timeout[32], *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (!exe || !file || !src)
		return NULL;
	desc = strdup_printf("mdlaunch container %s", unit_prefix);
	exec = strdup_printf("%s run %s", exe, file);
	if (!desc || !exec)
		return NULL;
	/*
	 * mdlaunch SIGKILLs the container itself StopTimeout= seconds after the
	 * stop; the margin covers reaping and the cgroup removal, so that
	 * systemd's own SIGKILL stays a last resort. 0 is "wait forever".
	 */
	if (spec->stop_timeout == 0)
		snprintf(timeout, sizeof(timeout), "infinity");
	else
		snprintf(timeout, sizeof(timeout), "%u", spec->stop_timeout + 10);

	f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	fprintf(f, "# Generated by mdlaunch-generator from %s: edit that file, not this one.\n",
		src);
	fprintf(f, "[Unit]\n");
	put_default(f, c->keys[SECTION_UNIT], "Description", desc);
	put_default(f, c->keys[SECTION_UNIT], "Documentation",
		    "man:mdlaunch(1) man:mdlaunch.container(5)");
	put_default(f, c->keys[SECTION_UNIT], "SourcePath", src);
	fwrite(c->buf[SECTION_UNIT], 1, c->size[SECTION_UNIT], f);
	fprintf(f, "\n[Service]\n");
	put_default(f, c->keys[SECTION_SERVICE], "ExecStart", exec);
	put_default(f, c->keys[SECTION_SERVICE], "Type", "notify");
	put_default(f, c->keys[SECTION_SERVICE], "Delegate", "yes");
	put_default(f, c->keys[SECTION_SERVICE], "KillMode", "mixed");
	put_default(f, c->keys[SECTION_SERVICE], "SuccessExitStatus", "143");
	put_default(f, c->keys[SECTION_SERVICE], "TimeoutStopSec", timeout);
	put_default(f, c->keys[SECTION_SERVICE], "SyslogIdentifier", unit_prefix);
	fwrite(c->buf[SECTION_SERVICE], 1, c->size[SECTION_SERVICE], f);
	if (c->size[SECTION_INSTALL] > 0) {
		fprintf(f, "\n[Install]\n");
		fwrite(c->buf[SECTION_INSTALL], 1, c->size[SECTION_INSTALL], f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Fills u->links and u->link_targets from the install keys. Returns 0 or -ENOMEM. */
static int unit_links(struct collect *c, struct generated_unit *u)
{
	for (size_t i = 0; i < ELEMENTSOF(install_links); i++)
		for (char **w = c->words[i]; w && *w; w++) {
			char *link, *target;

			if (install_links[i].suffix) {
				link =
				    strdup_printf("%s%s/%s", *w, install_links[i].suffix, u->name);
				target = strdup_printf("../%s", u->name);
			} else {
				link = strdup(*w);
				target = strdup(u->name);
			}
			if (strv_consume(&u->links, link) < 0) {
				free(target);
				return -ENOMEM;
			}
			if (strv_consume(&u->link_targets, target) < 0)
				return -ENOMEM;
		}
	return 0;
}

/* The unit name's prefix: the basename of @path without ".container". NULL on OOM or error. */
static char *unit_prefix_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;
	char *prefix, *unit;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= strlen(".container") || !streq(base + n - strlen(".container"), ".container")) {
		(void)log_syntax(path, 0, LOG_LEVEL_ERROR,
				 "the file name must end in .container (it names the unit)");
		return NULL;
	}
	prefix = strndup(base, n - strlen(".container"));
	if (!prefix)
		return NULL;
	unit = strdup_printf("%s.service", prefix);
	if (!unit || !unit_name_is_valid(unit) || strchr(prefix, '@')) {
		(void)log_syntax(path, 0, LOG_LEVEL_ERROR,
				 "cannot name a unit '%s.service' (use A-Z a-z 0-9 : - _ . \\ in "
				 "the file name)",
				 prefix);
		free(prefix);
		prefix = NULL;
	}
	free(unit);
	return prefix;
}

int generator_build(const char *path, const struct global_options *g, const char *exec_path,
		    struct generated_unit *ret)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *prefix = NULL, *source = NULL;
	struct generated_unit u = { 0 };
	struct collect c = { 0 };
	bool from_source = false;
	int r;

	prefix = unit_prefix_of(path);
	if (!prefix)
		return -EINVAL;
	/* No host rules: the unit is written at boot; `run` applies them when it starts. */
	r = config_from_file(path, g, false, &spec);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	/* ExecStart= must name the file whatever the unit's working directory. */
	if (path[0] == '/') {
		source = strdup(path);
	} else {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);

		source = cwd ? strdup_printf("%s/%s", cwd, path) : NULL;
	}
	if (!source)
		return log_error_errno(-ENOMEM, "out of memory");
	for (int i = 0; i < _SECTION_MAX; i++) {
		c.out[i] = open_memstream(&c.buf[i], &c.size[i]);
		if (!c.out[i]) {
			r = -ENOMEM;
			goto out;
		}
	}
	/* The .container, then its drop-ins (spec->files may start with mdlaunch.conf). */
	for (char **f = spec->files; f && *f; f++) {
		from_source = from_source || streq(*f, spec->source);
		if (!from_source)
			continue;
		r = collect_file(&c, *f);
		if (r < 0)
			goto out;
	}
	for (int i = 0; i < _SECTION_MAX; i++)
		if (fflush(c.out[i]) != 0) {
			r = -ENOMEM;
			goto out;
		}
	if (c.errors > 0) {
		r = -EINVAL;
		goto out;
	}
	u.name = strdup_printf("%s.service", prefix);
	u.text = unit_text(&c, spec, source, prefix, exec_path);
	if (!u.name || !u.text || unit_links(&c, &u) < 0) {
		r = -ENOMEM;
		goto out;
	}
	*ret = u;
	u = (struct generated_unit){ 0 };
	r = 0;
out:
	generated_unit_done(&u);
	collect_done(&c);
	if (r == -ENOMEM)
		log_error_errno(r, "%s: out of memory", path);
	return r;
}

/* Creates the link @link (relative to @dfd) to @target, replacing an older one. */
static int write_link(int dfd, const char *link, const char *target)
{
	const char *slash = strrchr(link, '/');

	if (slash) {
		_cleanup_free_ char *dir = strndup(link, (size_t)(slash - link));

		if (!dir)
			return -ENOMEM;
		if (mkdirat(dfd, dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (symlinkat(target, dfd, link) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (unlinkat(dfd, link, 0) < 0 || symlinkat(target, dfd, link) < 0)
		return -errno;
	return 0;
}

/*
 * Writes @u into @dir: the unit through a temporary file and a rename (never
 * a half-written unit), then its symlinks. Returns 0 or -errno (logged).
 */
static int generator_write(const struct generated_unit *u, const char *dir)
{
	_cleanup_free_ char *tmp = NULL, *final = NULL;
	_cleanup_close_ int dfd = -EBADF, fd = -EBADF;
	size_t len = strlen(u->text), done = 0;
	int r = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return log_error_errno(-errno, "cannot open the output directory '%s': %m", dir);
	tmp = strdup_printf("%s/.%s.XXXXXX", dir, u->name);
	final = strdup_printf("%s/%s", dir, u->name);
	if (!tmp || !final)
		return log_error_errno(-ENOMEM, "out of memory");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "cannot create a file in '%s': %m", dir);
	while (done < len && r == 0) {
		ssize_t n = RETRY_EINTR(write(fd, u->text + done, len - done));

		if (n < 0)
			r = -errno;
		else
			done += (size_t)n;
	}
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && close(fd) < 0)
		r = -errno;
	fd = -EBADF;
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return log_error_errno(r, "cannot write '%s': %m", final);
	}
	for (size_t i = 0; u->links && u->links[i]; i++) {
		r = write_link(dfd, u->links[i], u->link_targets[i]);
		if (r < 0)
			return log_error_errno(r, "cannot create the link '%s/%s': %m", dir,
					       u->links[i]);
	}
	return 0;
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');

	return strcmp(x ? x + 1 : *(char *const *)a, y ? y + 1 : *(char *const *)b);
}

/* Whether a file of basename @base is already in @l. */
static bool has_base(char *const *l, const char *base)
{
	for (; l && *l; l++) {
		const char *b = strrchr(*l, '/');

		if (streq(b ? b + 1 : *l, base))
			return true;
	}
	return false;
}

/*
 * The *.container files of the directories of @search_path, a name found in
 * an earlier directory hiding the same name in a later one, sorted by name.
 * Returns 0 or -errno (logged).
 */
static int list_sources(const char *search_path, char ***ret)
{
	_cleanup_free_ char *copy = strdup(search_path);
	_cleanup_strv_free_ char **l = NULL;
	char *dir, *save = NULL;

	if (!copy)
		return log_error_errno(-ENOMEM, "out of memory");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_(closedirp) DIR *dp = opendir(dir);
		struct dirent *de;

		if (!dp && errno == ENOENT)
			continue;
		if (!dp)
			return log_error_errno(-errno, "cannot read '%s': %m", dir);
		while ((de = readdir(dp))) {
			size_t n = strlen(de->d_name);
			struct stat st;
			char *p;

			if (de->d_name[0] == '.' || n <= strlen(".container") ||
			    !streq(de->d_name + n - strlen(".container"), ".container") ||
			    has_base(l, de->d_name))
				continue;
			if (fstatat(dirfd(dp), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
				continue;
			p = strdup_printf("%s/%s", dir, de->d_name);
			if (strv_consume(&l, p) < 0)
				return log_error_errno(-ENOMEM, "out of memory");
		}
	}
	if (l)
		qsort(l, strv_length(l), sizeof(*l), cmp_base);
	*ret = TAKE_PTR(l);
	return 0;
}

static void print_unit(const struct generated_unit *u)
{
	printf("---%s---\n%s", u->name, u->text);
	for (size_t i = 0; u->links && u->links[i]; i++)
		printf("---%s -> %s---\n", u->links[i], u->link_targets[i]);
}

int generator_main(int argc, char **argv, const struct global_options *g, const char *exec_path,
		   const char *search_path, bool systemd)
{
	_cleanup_strv_free_ char **sources = NULL;
	const char *output = NULL;
	bool dry_run = false;
	int i = 1, status = 0;

	if (systemd) {
		/* systemd passes normal-dir [early-dir late-dir]. */
		if (argc != 2 && argc != 4) {
			log_error("usage: mdlaunch-generator NORMAL-DIR [EARLY-DIR LATE-DIR]");
			return EXIT_LAUNCHER_ERROR;
		}
		output = argv[1];
		i = argc;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (streq(argv[i], "--dry-run")) {
			dry_run = true;
		} else if ((streq(argv[i], "-o") || streq(argv[i], "--output")) && i + 1 < argc) {
			output = argv[++i];
		} else if (streq(argv[i], "--")) {
			i++;
			break;
		} else {
			log_error("generate: unknown option '%s' (usage: mdlaunch generate "
				  "[--dry-run | -o DIR] [FILE.container...])",
				  argv[i]);
			return EXIT_LAUNCHER_ERROR;
		}
	}
	if (!dry_run && !output) {
		log_error("generate: give --dry-run or -o DIR (usage: mdlaunch generate "
			  "[--dry-run | -o DIR] [FILE.container...])");
		return EXIT_LAUNCHER_ERROR;
	}
	if (i < argc) {
		for (; i < argc; i++)
			if (strv_extend(&sources, argv[i]) < 0)
				return log_error_errno(-ENOMEM, "out of memory"),
				       EXIT_LAUNCHER_ERROR;
	} else if (list_sources(search_path ? search_path : GENERATOR_SEARCH_PATH, &sources) < 0) {
		return EXIT_LAUNCHER_ERROR;
	}
	for (char **s = sources; s && *s; s++) {
		struct generated_unit u = { 0 };
		int r = generator_build(*s, g, exec_path, &u);

		if (r == -ENOMEM)
			return EXIT_LAUNCHER_ERROR;
		if (r < 0) {
			status = 1;
			continue;
		}
		if (dry_run)
			print_unit(&u);
		else
			r = generator_write(&u, output);
		generated_unit_done(&u);
		if (r < 0)
			return EXIT_LAUNCHER_ERROR;
	}
	if (fflush(stdout) != 0)
		return EXIT_LAUNCHER_ERROR;
	return status;
}
