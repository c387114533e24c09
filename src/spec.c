/* SPDX-License-Identifier: MIT */
/*
 * spec.c: defaults, destruction and the printable form of struct
 * container_spec, the boundary between the config front end and the runtime.
 */
#include "spec.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const namespace_names[] = {
	"uts", "pid", "mount", "net", "ipc",
};

int namespace_from_string(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
		if (strcaseeq(s, namespace_names[i]))
			return 1 << i;
	return -EINVAL;
}

const char *namespace_to_string(unsigned flag)
{
	for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
		if (flag == 1U << i)
			return namespace_names[i];
	return NULL;
}

struct container_spec *spec_new(void)
{
	struct container_spec *spec = calloc(1, sizeof(*spec));

	if (!spec)
		return NULL;
	spec->namespaces = NS_ALL;
	spec->memory_max = SPEC_MEMORY_UNSET;
	spec->memory_swap_max = SPEC_MEMORY_UNSET;
	spec->path = strdup(SPEC_DEFAULT_PATH);
	if (!spec->path)
		return spec_free(spec);
	return spec;
}

struct container_spec *spec_free(struct container_spec *spec)
{
	if (!spec)
		return NULL;
	free(spec->name);
	free(spec->source);
	strv_free(spec->argv);
	strv_free(spec->env);
	free(spec->path);
	free(spec->hostname);
	free(spec->cpuset);
	free(spec->cgroup_parent);
	free(spec);
	return NULL;
}

const char *spec_hostname(const struct container_spec *spec)
{
	return spec->hostname ? spec->hostname : spec->name;
}

void fputs_quoted(const char *s, FILE *f)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* Bytes >= 0x80 pass through so UTF-8 stays readable. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void dump_size(const char *key, uint64_t v, FILE *f)
{
	if (v == SPEC_MEMORY_UNSET)
		fprintf(f, "%-12s (unset)\n", key);
	else if (v == SPEC_MEMORY_INFINITY)
		fprintf(f, "%-12s max\n", key);
	else
		fprintf(f, "%-12s %" PRIu64 " bytes\n", key, v);
}

void spec_dump(const struct container_spec *spec, FILE *f)
{
	fprintf(f, "%-12s %s\n", "name", spec->name ? spec->name : "(none)");
	fprintf(f, "%-12s %s\n", "source", spec->source ? spec->source : "(command line)");
	fprintf(f, "argv\n");
	for (size_t i = 0; spec->argv && spec->argv[i]; i++) {
		fprintf(f, "  [%zu] ", i);
		fputs_quoted(spec->argv[i], f);
		fputc('\n', f);
	}
	fprintf(f, "environment\n");
	fprintf(f, "  ");
	fputs_quoted("PATH", f);
	fprintf(f, " = ");
	fputs_quoted(spec->path, f);
	fputc('\n', f);
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		const char *eq = strchr(spec->env[i], '=');
		_cleanup_free_ char *key = strndup(spec->env[i], eq ? (size_t)(eq - spec->env[i]) : 0);

		fprintf(f, "  ");
		fputs_quoted(key ? key : "", f);
		fprintf(f, " = ");
		fputs_quoted(eq ? eq + 1 : "", f);
		fputc('\n', f);
	}
	fprintf(f, "%-12s %s\n", "tty", spec->tty ? "true (stdin shared)" : "false (stdin /dev/null)");
	fprintf(f, "%-12s ", "hostname");
	fputs_quoted(spec_hostname(spec), f);
	fprintf(f, "%s\n", spec->namespaces & NS_UTS ? "" : " (ignored: no uts namespace)");
	fprintf(f, "%-12s", "namespaces");
	for (unsigned b = 1; b & NS_ALL; b <<= 1)
		if (spec->namespaces & b)
			fprintf(f, " %s", namespace_to_string(b));
	if (!(spec->namespaces & NS_ALL))
		fprintf(f, " (none)");
	fputc('\n', f);
	dump_size("memory", spec->memory_max, f);
	dump_size("memory-swap", spec->memory_swap_max, f);
	if (spec->cpu_shares)
		fprintf(f, "%-12s %" PRIu64 "\n", "cpu-shares", spec->cpu_shares);
	else
		fprintf(f, "%-12s (unset)\n", "cpu-shares");
	if (spec->cpu_weight)
		fprintf(f, "%-12s %" PRIu64 "\n", "cpu-weight", spec->cpu_weight);
	else
		fprintf(f, "%-12s (unset)\n", "cpu-weight");
	fprintf(f, "%-12s %s\n", "cpuset", spec->cpuset ? spec->cpuset : "(unset)");
}
