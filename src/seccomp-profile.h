/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A seccomp profile as plain data: docker's/OCI's JSON profile format
 * (seccomp-profile.c parses it with jansson) and mdlaunch's built-in default
 * profile (seccomp-default.c) both become a struct seccomp_profile, which
 * runtime-seccomp.c compiles with libseccomp for one capability set. No
 * libseccomp or jansson type appears here.
 */

enum seccomp_act {
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_KILL_THREAD, /* SCMP_ACT_KILL is the same */
	SECCOMP_ACT_KILL_PROCESS,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_LOG,
	_SECCOMP_ACT_MAX,
	_SECCOMP_ACT_INVALID = -1,
};

/* libseccomp's comparison operators (enum scmp_compare has the same values). */
enum seccomp_op {
	SECCOMP_OP_NE = 1,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ, /* (arg & value) == value_two */
	_SECCOMP_OP_MAX,
	_SECCOMP_OP_INVALID = -1,
};

#define SECCOMP_ARGS_MAX   6  /* system call arguments 0..5 */
#define SECCOMP_CONDS_MAX  16 /* conditions of one rule (split per argument when compiled) */
#define SECCOMP_ARCHES_MAX 16

/* ENOSYS: what mdlaunch's default profile returns for system calls it does not know. */
#define SECCOMP_DEFAULT_ERRNO 38

struct seccomp_cond {
	unsigned index; /* 0..5 */
	enum seccomp_op op;
	uint64_t value, value_two;
};

/*
 * One entry of "syscalls": the action for its names, when its conditions
 * hold and its includes/excludes match the container (docker's semantics:
 * every included capability held, no excluded one held; the native
 * architecture among "arches" / not among excluded ones; the kernel at
 * least minKernel).
 */
struct seccomp_rule {
	char **names; /* NULL-terminated, non-empty */
	enum seccomp_act action;
	uint32_t ret; /* errno for ERRNO (default EPERM), message for TRACE */
	struct seccomp_cond conds[SECCOMP_CONDS_MAX];
	unsigned n_conds;
	uint64_t caps_include, caps_exclude;	 /* capability masks, bit n = capability n */
	bool caps_include_unknown;		 /* includes a capability libcap does not know */
	char **arches_include, **arches_exclude; /* docker's names: amd64, x86, x32, arm64... */
	unsigned min_kernel[2];			 /* major, minor; 0.0: any */
};

struct seccomp_profile {
	enum seccomp_act default_action;
	uint32_t default_ret; /* errno of an ERRNO default action (defaultErrnoRet, or EPERM) */
	/* libseccomp architecture tokens (AUDIT_ARCH_*) to add besides the native one. */
	uint32_t arches[SECCOMP_ARCHES_MAX];
	unsigned n_arches;
	struct seccomp_rule *rules;
	size_t n_rules;
};

/*
 * Parses a docker/OCI JSON seccomp profile of @len bytes. On success *ret
 * owns a profile (seccomp_profile_free()). On failure writes one message to
 * @err (e.g. "line 3: end of file expected", "syscalls[2].action: unknown
 * action 'SCMP_ACT_FOO'") and returns -EINVAL; -ENOMEM on OOM. The native
 * architecture's entry of "archMap" (or every "architectures" entry) becomes
 * ->arches; unknown names there are an error.
 */
int seccomp_profile_parse(const char *buf, size_t len, struct seccomp_profile **ret, char *err,
			  size_t errlen);

/*
 * mdlaunch's default profile: docker's allow list and capability rules,
 * ENOSYS for unknown system calls, EPERM for the known dangerous ones and for
 * the capability-gated ones whose capability the container lacks. 0 or -ENOMEM.
 */
int seccomp_profile_default(struct seccomp_profile **ret);

/*
 * A fingerprint of the built-in default profile's table (its names, actions,
 * conditions...), ~1 us: part of the cache key, so that a binary with
 * another default never reads the program of an older one.
 */
uint64_t seccomp_profile_default_fingerprint(void);

/* Frees @p; accepts NULL, returns NULL. */
struct seccomp_profile *seccomp_profile_free(struct seccomp_profile *p);
static inline void seccomp_profile_freep(struct seccomp_profile **p)
{
	seccomp_profile_free(*p);
}

/*
 * True when @r applies to a container with capability mask @caps on
 * architecture @arch (docker's name: "amd64") under kernel @kernel
 * (major, minor).
 */
bool seccomp_rule_applies(const struct seccomp_rule *r, uint64_t caps, const char *arch,
			  const unsigned kernel[2]);

/* "SCMP_ACT_ALLOW", ... for an action; NULL when out of range. */
const char *seccomp_act_to_string(enum seccomp_act a);

/* The native architecture in docker's names ("amd64", "arm64", ...). */
const char *seccomp_native_arch(void);

/*
 * The native architecture's sub-architectures as docker's archMap lists them
 * (x86-64: x86 and x32), as libseccomp tokens; at most @max. Returns how many.
 */
unsigned seccomp_native_subarches(uint32_t *ret, unsigned max);

/* Parses "6.1.0-13-amd64" (or "4.8") into major, minor. 0 or -EINVAL. */
int seccomp_parse_kernel(const char *s, unsigned ret[2]);
