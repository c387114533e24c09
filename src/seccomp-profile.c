/* SPDX-License-Identifier: MIT */
/*
 * seccomp-profile.c: docker's/OCI's JSON seccomp profile -> struct
 * seccomp_profile (plain data), with jansson. The runtime reads the file
 * named by SeccompProfile= (a host fact, so neither the config front end nor
 * a plain `check` reads it) and hands the bytes here; runtime-seccomp.c
 * compiles the result. Errors name the JSON location ("syscalls[2].action")
 * or jansson's line, never crash, and leave nothing allocated.
 *
 * Accepted: defaultAction, defaultErrnoRet, architectures or archMap
 * (architecture + subArchitectures: only the native architecture's entry
 * is used), syscalls[] with names (or the old single "name"), action,
 * errnoRet, args[] (index, value, valueTwo, op), includes/excludes (caps,
 * arches, minKernel), comment. Other keys ("flags", "listenerPath", ...)
 * are ignored, as docker ignores what it does not use.
 */
#include "seccomp-profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/utsname.h>

#include <jansson.h>
#include <seccomp.h>

#include "util.h"

/* A profile bigger than this is a mistake (docker's is 14 KiB). */
#define PROFILE_RULES_MAX 4096
#define PROFILE_NAMES_MAX 4096 /* per rule */
#define PROFILE_NAME_MAX  64   /* bytes of a system call or architecture name */

static const char *const act_names[_SECCOMP_ACT_MAX] = {
	[SECCOMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[SECCOMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[SECCOMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[SECCOMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SECCOMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[SECCOMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[SECCOMP_ACT_LOG] = "SCMP_ACT_LOG",
};

static const char *const op_names[_SECCOMP_OP_MAX] = {
	[SECCOMP_OP_NE] = "SCMP_CMP_NE",
	[SECCOMP_OP_LT] = "SCMP_CMP_LT",
	[SECCOMP_OP_LE] = "SCMP_CMP_LE",
	[SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
	[SECCOMP_OP_GE] = "SCMP_CMP_GE",
	[SECCOMP_OP_GT] = "SCMP_CMP_GT",
	[SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

_Static_assert((int)SECCOMP_OP_MASKED_EQ == (int)SCMP_CMP_MASKED_EQ, "same values as libseccomp");
_Static_assert((int)SECCOMP_OP_NE == (int)SCMP_CMP_NE, "same values as libseccomp");

const char *seccomp_act_to_string(enum seccomp_act a)
{
	return a >= 0 && a < _SECCOMP_ACT_MAX ? act_names[a] : NULL;
}

static enum seccomp_act act_from_string(const char *s)
{
	if (streq(s, "SCMP_ACT_KILL"))
		return SECCOMP_ACT_KILL_THREAD;
	for (int a = 0; a < _SECCOMP_ACT_MAX; a++)
		if (streq(s, act_names[a]))
			return (enum seccomp_act)a;
	return _SECCOMP_ACT_INVALID;
}

static enum seccomp_op op_from_string(const char *s)
{
	for (int o = SECCOMP_OP_NE; o < _SECCOMP_OP_MAX; o++)
		if (streq(s, op_names[o]))
			return (enum seccomp_op)o;
	return _SECCOMP_OP_INVALID;
}

const char *seccomp_native_arch(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_X32:
		return "x32";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_ARM:
		return "arm";
	case SCMP_ARCH_PPC64LE:
		return "ppc64le";
	case SCMP_ARCH_S390X:
		return "s390x";
	case SCMP_ARCH_RISCV64:
		return "riscv64";
	default:
		return "unknown";
	}
}

unsigned seccomp_native_subarches(uint32_t *ret, unsigned max)
{
	static const uint32_t x86_64[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	static const uint32_t aarch64[] = { SCMP_ARCH_ARM };
	static const uint32_t s390x[] = { SCMP_ARCH_S390 };
	const uint32_t *subs = NULL;
	unsigned n = 0;

	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		subs = x86_64, n = ELEMENTSOF(x86_64);
		break;
	case SCMP_ARCH_AARCH64:
		subs = aarch64, n = ELEMENTSOF(aarch64);
		break;
	case SCMP_ARCH_S390X:
		subs = s390x, n = ELEMENTSOF(s390x);
		break;
	}
	n = n < max ? n : max;
	if (n)
		memcpy(ret, subs, n * sizeof(*ret));
	return n;
}

int seccomp_parse_kernel(const char *s, unsigned ret[2])
{
	unsigned long v[2] = { 0, 0 };
	char *end;

	for (int i = 0; i < 2; i++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno || v[i] > 100000)
			return -EINVAL;
		s = end;
		if (i == 0 && *s++ != '.')
			return -EINVAL;
	}
	/* "6.1.0-13-amd64": what follows major.minor does not matter. */
	ret[0] = (unsigned)v[0];
	ret[1] = (unsigned)v[1];
	return 0;
}

bool seccomp_rule_applies(const struct seccomp_rule *r, uint64_t caps, const char *arch,
			  const unsigned kernel[2])
{
	if (r->caps_include_unknown || (caps & r->caps_include) != r->caps_include)
		return false;
	if (caps & r->caps_exclude)
		return false;
	if (r->arches_include && r->arches_include[0]) {
		bool found = false;

		for (char **a = r->arches_include; *a; a++)
			found = found || streq(*a, arch);
		if (!found)
			return false;
	}
	for (char **a = r->arches_exclude; a && *a; a++)
		if (streq(*a, arch))
			return false;
	if (kernel[0] < r->min_kernel[0] ||
	    (kernel[0] == r->min_kernel[0] && kernel[1] < r->min_kernel[1]))
		return false;
	return true;
}

struct seccomp_profile *seccomp_profile_free(struct seccomp_profile *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_rules; i++) {
		strv_free(p->rules[i].names);
		strv_free(p->rules[i].arches_include);
		strv_free(p->rules[i].arches_exclude);
	}
	free(p->rules);
	free(p);
	return NULL;
}

/* The parser's state: where an error is, and its message. */
struct parse {
	char *err;
	size_t errlen;
	struct seccomp_profile *p;
};

_printf_(2, 3) static int perr(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A JSON string of at most PROFILE_NAME_MAX bytes without NUL, or NULL. */
static const char *short_string(json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > PROFILE_NAME_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* A non-negative JSON integer (no fraction; up to 2^64-1 written as a number). */
static int get_u64(json_t *v, uint64_t *ret)
{
	if (!json_is_integer(v))
		return -EINVAL;
	/* jansson keeps integers as long long: 0xffffffffffffffff does not fit and fails to load.
	 */
	if (json_integer_value(v) < 0)
		return -EINVAL;
	*ret = (uint64_t)json_integer_value(v);
	return 0;
}

/* SCMP_ARCH_X86_64 -> libseccomp's token; 0 when unknown. */
static uint32_t arch_token(const char *name)
{
	char lower[PROFILE_NAME_MAX + 1];
	size_t n = 0;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return 0;
	for (const char *s = name + 10; *s && n < sizeof(lower) - 1; s++)
		lower[n++] = (char)tolower((unsigned char)*s);
	lower[n] = '\0';
	return n ? seccomp_arch_resolve_name(lower) : 0;
}

static int add_arch(struct parse *ps, const char *where, json_t *v)
{
	const char *name = short_string(v);
	uint32_t token;

	if (!name)
		return perr(ps, "%s: not an architecture name", where);
	token = arch_token(name);
	if (token == 0)
		return perr(ps, "%s: unknown architecture '%s'", where, name);
	if (token == seccomp_arch_native())
		return 0;
	for (unsigned i = 0; i < ps->p->n_arches; i++)
		if (ps->p->arches[i] == token)
			return 0;
	if (ps->p->n_arches >= SECCOMP_ARCHES_MAX)
		return perr(ps, "%s: too many architectures", where);
	ps->p->arches[ps->p->n_arches++] = token;
	return 0;
}

/* "architectures": every one; "archMap": the entry of the native architecture only. */
static int parse_arches(struct parse *ps, json_t *root)
{
	json_t *list = json_object_get(root, "architectures");
	json_t *map = json_object_get(root, "archMap");
	size_t i;
	json_t *v;
	int r;

	if (list && !json_is_array(list) && !json_is_null(list))
		return perr(ps, "architectures: not an array");
	json_array_foreach(list, i, v)
	{
		char where[96];

		snprintf(where, sizeof(where), "architectures[%zu]", i);
		r = add_arch(ps, where, v);
		if (r < 0)
			return r;
	}
	if (map && !json_is_array(map) && !json_is_null(map))
		return perr(ps, "archMap: not an array");
	json_array_foreach(map, i, v)
	{
		json_t *subs = json_object_get(v, "subArchitectures"), *s;
		const char *name = short_string(json_object_get(v, "architecture"));
		char where[96];
		size_t j;

		if (!json_is_object(v) || !name)
			return perr(ps, "archMap[%zu]: needs an \"architecture\"", i);
		if (!arch_token(name))
			return perr(ps, "archMap[%zu].architecture: unknown architecture '%s'", i,
				    name);
		if (arch_token(name) != seccomp_arch_native())
			continue;
		if (subs && !json_is_array(subs) && !json_is_null(subs))
			return perr(ps, "archMap[%zu].subArchitectures: not an array", i);
		json_array_foreach(subs, j, s)
		{
			snprintf(where, sizeof(where), "archMap[%zu].subArchitectures[%zu]", i, j);
			r = add_arch(ps, where, s);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* An action and its return value ("errnoRet", or EPERM for an ERRNO without it). */
static int parse_action(struct parse *ps, const char *where, json_t *action, json_t *ret,
			enum seccomp_act *ret_act, uint32_t *ret_value)
{
	const char *name = short_string(action);
	uint64_t v = EPERM;

	if (!json_is_string(action))
		return perr(ps, "%s: missing or not a string", where);
	*ret_act = name ? act_from_string(name) : _SECCOMP_ACT_INVALID;
	if (*ret_act == _SECCOMP_ACT_INVALID)
		return perr(ps,
			    "%s: unknown action '%.64s' (use SCMP_ACT_ALLOW, ERRNO, KILL, "
			    "KILL_PROCESS, KILL_THREAD, TRAP, TRACE or LOG)",
			    where, json_string_value(action));
	if (*ret_act == SECCOMP_ACT_TRACE)
		v = 0;
	if (ret && !json_is_null(ret) && (get_u64(ret, &v) < 0 || v > 0xffff))
		return perr(ps, "%s: errnoRet must be an integer from 0 to 65535", where);
	*ret_value = (uint32_t)v;
	return 0;
}

static int parse_string_list(struct parse *ps, const char *where, json_t *list, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t i;
	json_t *v;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return perr(ps, "%s: not an array", where);
	if (json_array_size(list) > PROFILE_NAMES_MAX)
		return perr(ps, "%s: more than %d entries", where, PROFILE_NAMES_MAX);
	json_array_foreach(list, i, v)
	{
		const char *s = short_string(v);

		if (!s)
			return perr(ps, "%s[%zu]: not a name (1 to %d bytes)", where, i,
				    PROFILE_NAME_MAX);
		if (strv_extend(&l, s) < 0)
			return -ENOMEM;
	}
	strv_free(*ret);
	*ret = TAKE_PTR(l);
	return 0;
}

/* Capability names -> mask; names libcap does not know set *unknown. */
static int parse_caps(struct parse *ps, const char *where, json_t *list, uint64_t *mask,
		      bool *unknown)
{
	size_t i;
	json_t *v;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return perr(ps, "%s: not an array", where);
	json_array_foreach(list, i, v)
	{
		const char *s = short_string(v);
		cap_value_t cap;

		if (!s)
			return perr(ps, "%s[%zu]: not a capability name", where, i);
		if (cap_from_name(s, &cap) < 0 || cap < 0 || cap >= 64)
			*unknown = true;
		else
			*mask |= 1ULL << cap;
	}
	return 0;
}

/* "includes" or "excludes" of syscalls[@i]. */
static int parse_filter(struct parse *ps, size_t i, const char *what, json_t *o,
			struct seccomp_rule *rule, bool include)
{
	char where[96];
	bool unknown = false;
	json_t *k;
	int r;

	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return perr(ps, "syscalls[%zu].%s: not an object", i, what);
	snprintf(where, sizeof(where), "syscalls[%zu].%s.caps", i, what);
	r = parse_caps(ps, where, json_object_get(o, "caps"),
		       include ? &rule->caps_include : &rule->caps_exclude, &unknown);
	if (r < 0)
		return r;
	/* An unknown excluded capability is never held: it excludes nothing. */
	if (include)
		rule->caps_include_unknown = unknown;
	snprintf(where, sizeof(where), "syscalls[%zu].%s.arches", i, what);
	r = parse_string_list(ps, where, json_object_get(o, "arches"),
			      include ? &rule->arches_include : &rule->arches_exclude);
	if (r < 0)
		return r;
	k = json_object_get(o, "minKernel");
	if (k && !json_is_null(k)) {
		if (!include)
			return perr(ps, "syscalls[%zu].excludes.minKernel: not supported", i);
		if (!json_is_string(k) ||
		    seccomp_parse_kernel(json_string_value(k), rule->min_kernel) < 0)
			return perr(
			    ps, "syscalls[%zu].includes.minKernel: not a version like '4.8'", i);
	}
	return 0;
}

static int parse_args(struct parse *ps, size_t i, json_t *args, struct seccomp_rule *rule)
{
	size_t j;
	json_t *a;

	if (!args || json_is_null(args))
		return 0;
	if (!json_is_array(args))
		return perr(ps, "syscalls[%zu].args: not an array", i);
	if (json_array_size(args) > SECCOMP_CONDS_MAX)
		return perr(ps, "syscalls[%zu].args: more than %d conditions", i,
			    SECCOMP_CONDS_MAX);
	json_array_foreach(args, j, a)
	{
		struct seccomp_cond *c = &rule->conds[rule->n_conds];
		json_t *op = json_object_get(a, "op"), *two = json_object_get(a, "valueTwo");
		uint64_t index;

		if (!json_is_object(a))
			return perr(ps, "syscalls[%zu].args[%zu]: not an object", i, j);
		if (get_u64(json_object_get(a, "index"), &index) < 0 || index >= SECCOMP_ARGS_MAX)
			return perr(ps, "syscalls[%zu].args[%zu].index: must be 0 to 5", i, j);
		c->index = (unsigned)index;
		if (get_u64(json_object_get(a, "value"), &c->value) < 0)
			return perr(ps, "syscalls[%zu].args[%zu].value: not a non-negative integer",
				    i, j);
		if (two && !json_is_null(two) && get_u64(two, &c->value_two) < 0)
			return perr(ps,
				    "syscalls[%zu].args[%zu].valueTwo: not a non-negative integer",
				    i, j);
		if (!json_is_string(op))
			return perr(ps, "syscalls[%zu].args[%zu].op: missing or not a string", i,
				    j);
		c->op = op_from_string(json_string_value(op));
		if (c->op == _SECCOMP_OP_INVALID)
			return perr(ps,
				    "syscalls[%zu].args[%zu].op: unknown operator '%.64s' (use "
				    "SCMP_CMP_NE, LT, LE, EQ, GE, GT or MASKED_EQ)",
				    i, j, json_string_value(op));
		rule->n_conds++;
	}
	return 0;
}

static int parse_rule(struct parse *ps, size_t i, json_t *o, struct seccomp_rule *rule)
{
	json_t *names = json_object_get(o, "names"), *name = json_object_get(o, "name");
	char where[96];
	int r;

	if (!json_is_object(o))
		return perr(ps, "syscalls[%zu]: not an object", i);
	snprintf(where, sizeof(where), "syscalls[%zu].names", i);
	r = parse_string_list(ps, where, names, &rule->names);
	if (r < 0)
		return r;
	if (name && !json_is_null(name)) {
		const char *s = short_string(name);

		if (!s)
			return perr(ps, "syscalls[%zu].name: not a name", i);
		if (strv_extend(&rule->names, s) < 0)
			return -ENOMEM;
	}
	if (strv_length(rule->names) == 0)
		return perr(ps, "syscalls[%zu]: no \"names\"", i);
	snprintf(where, sizeof(where), "syscalls[%zu].action", i);
	r = parse_action(ps, where, json_object_get(o, "action"), json_object_get(o, "errnoRet"),
			 &rule->action, &rule->ret);
	if (r < 0)
		return r;
	r = parse_args(ps, i, json_object_get(o, "args"), rule);
	if (r < 0)
		return r;
	r = parse_filter(ps, i, "includes", json_object_get(o, "includes"), rule, true);
	if (r < 0)
		return r;
	return parse_filter(ps, i, "excludes", json_object_get(o, "excludes"), rule, false);
}

static int parse_root(struct parse *ps, json_t *root)
{
	json_t *syscalls = json_object_get(root, "syscalls"), *v;
	size_t i;
	int r;

	if (!json_is_object(root))
		return perr(ps, "the profile is not a JSON object");
	r = parse_action(ps, "defaultAction", json_object_get(root, "defaultAction"),
			 json_object_get(root, "defaultErrnoRet"), &ps->p->default_action,
			 &ps->p->default_ret);
	if (r < 0)
		return r;
	r = parse_arches(ps, root);
	if (r < 0)
		return r;
	if (syscalls && !json_is_array(syscalls) && !json_is_null(syscalls))
		return perr(ps, "syscalls: not an array");
	if (json_array_size(syscalls) > PROFILE_RULES_MAX)
		return perr(ps, "syscalls: more than %d entries", PROFILE_RULES_MAX);
	if (json_array_size(syscalls) > 0) {
		ps->p->rules = calloc(json_array_size(syscalls), sizeof(*ps->p->rules));
		if (!ps->p->rules)
			return -ENOMEM;
	}
	json_array_foreach(syscalls, i, v)
	{
		/* Counted first, so that seccomp_profile_free() frees a half-parsed rule. */
		ps->p->n_rules++;
		r = parse_rule(ps, i, v, &ps->p->rules[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int seccomp_profile_parse(const char *buf, size_t len, struct seccomp_profile **ret, char *err,
			  size_t errlen)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	struct parse ps = { .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	int r;

	/* REJECT_DUPLICATES: two "defaultAction"s are a mistake, not a choice of the last. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line > 0)
			return perr(&ps, "line %d: %s", jerr.line, jerr.text);
		return perr(&ps, "%s", jerr.text);
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_decref(root);
		return -ENOMEM;
	}
	ps.p = p;
	r = parse_root(&ps, root);
	json_decref(root);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}
