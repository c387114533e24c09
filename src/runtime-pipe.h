/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime-mount.h"

/*
 * The two pipes between the launcher and init, as length-prefixed frames.
 *
 * Command frame (launcher -> init, fd 3), integers in host byte order (both
 * ends are the same binary):
 *
 *   u32 magic "MDLC"   u32 version (5)   u32 namespaces (NS_*)
 *   u32 flags (bit 0: tty, bit 1: no_new_privs, bit 2: init stays PID 1, bit 3: clear env)
 *   u32 argc (>= 1)    u32 envc   u32 uid   u32 gid   u32 ngroups   u32 nrlimits
 *   u64 capabilities (bounding set)   u64 ambient capabilities
 *   string hostname, string path, string cwd, argc x string argv, envc x string env
 *   ngroups x u32 gid, nrlimits x (u32 resource, u64 soft, u64 hard)
 *   u32 nmounts, nmounts x mount op:
 *       u32 type  u32 flags  u64 mountflags  u32 mode  u64 dev  u32 uid  u32 gid
 *       optional string source, string target, optional string fstype, optional string data
 *   u32 seccomp filter length in bytes (a multiple of sizeof(struct sock_filter), 0: none),
 *       that many bytes
 *
 * where string = u32 length + that many bytes, no NUL inside and none after,
 * and an optional string is a string whose length UINT32_MAX means NULL.
 * The frame ends exactly after the last string; the writer then closes the
 * pipe, so init reads to EOF and the frame can be far larger than the pipe
 * buffer. Any byte but NUL survives (spaces, newlines, quotes, UTF-8).
 *
 * Status frame (init -> launcher, fd 4; at most one, then _exit):
 *
 *   u32 magic "MDLS"   i32 errno   i32 exit code   u32 length   message bytes
 *
 * One write(2) of at most PIPE_BUF bytes, so it is atomic. EOF without a
 * frame means the final execve happened (fd 4 is close-on-exec there).
 */

#define PIPE_COMMAND_MAGIC   0x434c444dU /* "MDLC" in a little-endian dump */
#define PIPE_STATUS_MAGIC    0x534c444dU /* "MDLS" */
#define PIPE_COMMAND_VERSION 5U

#define PIPE_STRING_MAX		(128U * 1024)			/* the kernel's MAX_ARG_STRLEN */
#define PIPE_STRINGS_MAX	65536U				/* argc + envc */
#define PIPE_COMMAND_MAX	(64U * 1024 * 1024)		/* the whole frame */
#define PIPE_STATUS_MESSAGE_MAX 1024U				/* bytes, longer messages are cut */
#define PIPE_STATUS_MAX		(16U + PIPE_STATUS_MESSAGE_MAX) /* <= PIPE_BUF */

#define PIPE_GROUPS_MAX	 65536U	     /* the kernel's NGROUPS_MAX */
#define PIPE_RLIMITS_MAX 16U	     /* RLIM_NLIMITS */
#define PIPE_SECCOMP_MAX (4096U * 8) /* BPF_MAXINSNS instructions of 8 bytes */

#define PIPE_COMMAND_TTY	  (1U << 0)
#define PIPE_COMMAND_NO_NEW_PRIVS (1U << 1)
#define PIPE_COMMAND_INIT	  (1U << 2)
#define PIPE_COMMAND_CLEAR_ENV	  (1U << 3)

/* One setrlimit() init makes (values in RLIM_INFINITY terms). */
struct command_rlimit {
	uint32_t resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

/* The command init runs; the launcher fills one with borrowed pointers into the spec. */
struct command {
	char **argv;	/* NULL-terminated, non-empty */
	char **env;	/* NULL-terminated "KEY=VALUE" additions, may be NULL */
	char *path;	/* the container's PATH */
	char *hostname; /* used when namespaces has NS_UTS */
	unsigned namespaces;
	bool tty;
	bool no_new_privs;
	bool init;	/* Init=true: init forks the command and supervises it */
	bool clear_env; /* InheritEnvironment=false: start from PATH, TERM, container= */
	char *cwd;	/* absolute; init chdirs there before exec */
	uint32_t uid, gid;
	uint32_t *groups; /* supplementary gids (n_groups, 0 = cleared) */
	size_t n_groups;
	uint64_t cap_bounding; /* capability masks, bit n = capability n */
	uint64_t cap_ambient;
	struct command_rlimit rlimits[PIPE_RLIMITS_MAX];
	size_t n_rlimits;
	struct mount_plan mounts; /* run in order right after the barrier */
	/* A seccomp BPF program (struct sock_filter[]) init loads last before exec; NULL: none. */
	uint8_t *seccomp_filter;
	size_t seccomp_filter_len; /* bytes */
};

/* What init reported on the status pipe. */
struct status {
	int error;     /* errno of the failure, 0 if none applies */
	int exit_code; /* the exit status init uses (125, 126, 127) */
	char message[PIPE_STATUS_MESSAGE_MAX + 1];
};

/*
 * Serialises @c into a newly allocated buffer (*ret_buf, *ret_len, the
 * caller frees). Returns 0, -EINVAL for an empty argv or a seccomp filter
 * that is not whole instructions, -E2BIG when a limit above is exceeded
 * (strings, groups, rlimits, mount ops, filter size), or -ENOMEM.
 */
int command_build(const struct command *c, uint8_t **ret_buf, size_t *ret_len);

/*
 * Writes the frame of @c to @fd, blocking while the reader drains the pipe.
 * Does not close @fd. Returns 0 or -errno (-EPIPE: the reader is gone).
 */
int command_write(int fd, const struct command *c);

/*
 * Parses a whole frame. On success *ret owns a command (free with
 * command_free()). Returns 0, -ENODATA for empty input, -EPROTO when it does
 * not start with the magic, -EBADMSG when truncated, oversized or garbled,
 * -ENOMEM.
 */
int command_parse(const uint8_t *buf, size_t len, struct command **ret);

/*
 * Reads @fd to EOF (at most PIPE_COMMAND_MAX bytes, else -EFBIG) and parses
 * it like command_parse(). Returns as soon as the first bytes show a wrong
 * magic (-EPROTO), without waiting for EOF.
 */
int command_read(int fd, struct command **ret);

/* Frees a command made by command_parse(); accepts NULL, returns NULL. */
struct command *command_free(struct command *c);
static inline void command_freep(struct command **c)
{
	command_free(*c);
}

/*
 * Writes one status frame; @message is cut at PIPE_STATUS_MESSAGE_MAX bytes.
 * Async-signal-safe (no allocation, one write), so a forked child may use it.
 * Returns 0 or -errno.
 */
int status_write(int fd, int error, int exit_code, const char *message);

/* Parses one status frame of exactly @len bytes. Returns 0, -EPROTO or -EBADMSG. */
int status_parse(const uint8_t *buf, size_t len, struct status *ret);
