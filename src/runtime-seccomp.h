/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The container's seccomp filter (SeccompProfile=): the launcher turns the
 * profile (mdlaunch's default, or a docker/OCI JSON file) and the
 * container's capability set into a classic BPF program, once: the program
 * is cached under SECCOMP_CACHE_DIR by a hash of everything it depends on,
 * so a start reads a few KiB instead of paying libseccomp's compile. Init
 * receives the raw instructions in the command frame and loads them with
 * seccomp_load_program(), the last step before the exec.
 */

struct container_spec;
struct seccomp_profile;

#define SECCOMP_CACHE_DIR "/run/mdlaunch/seccomp"
/* The environment variable that moves the cache (tests, benchmarks). */
#define SECCOMP_CACHE_ENV "MDLAUNCH_SECCOMP_CACHE"

/* A BPF program, owned (free insns). */
struct seccomp_program {
	struct sock_filter *insns; /* NULL: unconfined, no filter */
	size_t len;
	bool cached;	/* read from the cache (false: compiled now) */
	char path[256]; /* the cache file, "" when none */
};

/* What `show` and `check -v` print about the profile of a spec. */
struct seccomp_summary {
	bool unconfined;
	const char *profile;	 /* "default" or the path (borrowed from the spec) */
	char default_action[48]; /* "SCMP_ACT_ERRNO(ENOSYS)" */
	unsigned allowed;	 /* system calls with an allow rule ... */
	unsigned conditional;	 /* ... of which only under conditions on arguments */
	unsigned refused; /* system calls with an errno, kill, trap, trace or log rule only */
	unsigned skipped; /* names this libseccomp does not know (skipped) */
	unsigned arches;  /* architectures the filter covers */
};

/*
 * The program for @spec: NULL insns when SeccompProfile=unconfined; else
 * from the cache in @cache_dir (NULL: $MDLAUNCH_SECCOMP_CACHE or
 * SECCOMP_CACHE_DIR) when a valid entry for the same inputs is there, or
 * compiled and then cached (atomically: a temporary file renamed; a cache
 * that cannot be written is only logged at debug level). A cache file
 * that is truncated, corrupt, for other inputs, not a regular file owned by
 * us or writable by others is rebuilt, never used. On failure writes one
 * message to @err (without the key: "cannot read '/x.json': No such file or
 * directory", "'/x.json': syscalls[2].action: unknown action 'SCMP_ACT_X'")
 * and returns -errno (-EINVAL for a bad profile). *ret owns insns.
 */
int seccomp_prepare(const struct container_spec *spec, const char *cache_dir,
		    struct seccomp_program *ret, char *err, size_t errlen);

/*
 * Compiles @p for a container with capability mask @caps into a BPF program
 * (*ret_insns, *ret_len: the caller frees). Rules that do not apply (caps,
 * architecture, minKernel) are left out; names this libseccomp cannot
 * resolve are skipped (logged at debug level, counted in *ret_skipped when
 * not NULL); conditions on the same argument become one rule each. Returns
 * 0 or -errno with a message in @err.
 */
int seccomp_compile(const struct seccomp_profile *p, uint64_t caps, struct sock_filter **ret_insns,
		    size_t *ret_len, unsigned *ret_skipped, char *err, size_t errlen);

/*
 * Loads the profile of @spec (reading a file profile, without the cache or
 * libseccomp's compile) and counts what it allows and refuses for the
 * spec's capabilities into *ret. Returns 0 or -errno with a message in @err.
 */
int seccomp_summarize(const struct container_spec *spec, struct seccomp_summary *ret, char *err,
		      size_t errlen);

/*
 * Init's side: installs @len instructions of @insns as this process's
 * seccomp filter. Needs no_new_privs or CAP_SYS_ADMIN. Returns 0 or -errno.
 */
int seccomp_load_program(const struct sock_filter *insns, size_t len);

/*
 * Whether this kernel can filter system calls (CONFIG_SECCOMP_FILTER): 1
 * yes, 0 no. What `check --host` reports at SeccompProfile=.
 */
int seccomp_kernel_supports_filters(void);
