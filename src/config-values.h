/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Pure value parsers shared by the three config front ends (.container file,
 * mdlaunch.conf, `run` options). They never log: each returns 0 or a negative
 * errno, and writes its ret_ parameter only on success. The caller, who knows
 * the file, line and key, words the message (the hints below keep that wording
 * identical everywhere).
 */

#define CONFIG_SIZE_HINT       "(use e.g. 512M, 2G)"
#define CONFIG_SHARES_HINT     "(an integer from 2 to 262144)"
#define CONFIG_WEIGHT_HINT     "(an integer from 1 to 10000)"
#define CONFIG_BOOL_HINT       "(use true/false, yes/no, on/off or 1/0)"
#define CONFIG_CPUSET_HINT     "(use a CPU list such as 0-2,4)"
#define CONFIG_NAME_HINT       "(1 to 64 characters from A-Z a-z 0-9 _ . -)"
#define CONFIG_NAMESPACES_HINT "(use any of: uts pid mount net ipc)"

/* The highest CPU number a cpuset may name (the kernel's NR_CPUS limit is 8192). */
#define CONFIG_CPU_MAX 8191U

/*
 * Parses a memory size: decimal bytes with an optional suffix K, M, G or T
 * (powers of 1024, case-insensitive, optionally followed by B or iB; a bare
 * B means bytes), or "max"/"infinity" for SPEC_MEMORY_INFINITY. Returns 0,
 * -EINVAL for garbage (including signs, spaces, fractions) or -ERANGE for zero
 * or a value that does not fit below the spec's sentinels.
 */
int parse_size(const char *s, uint64_t *ret);

/* Parses CPU shares: a decimal integer 2..262144. -EINVAL garbage, -ERANGE out of bounds. */
int parse_cpu_shares(const char *s, uint64_t *ret);

/* Parses MemorySwap=: as parse_size(), but 0 (no swap at all) is valid too. */
int parse_swap_size(const char *s, uint64_t *ret);

/* Parses CPUWeight=: a decimal integer 1..10000. -EINVAL garbage, -ERANGE out of bounds. */
int parse_cpu_weight(const char *s, uint64_t *ret);

/* Parses true/false/yes/no/on/off/1/0 (case-insensitive). Returns 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/*
 * Parses a kernel CPU list ("0-2,4", blanks allowed around items) into its
 * canonical form (sorted, merged ranges: "0-2,4"), which the caller frees.
 * Returns 0, -EINVAL for garbage, empty items or a reversed range, -ERANGE
 * for a CPU above CONFIG_CPU_MAX, or -ENOMEM.
 */
int parse_cpuset(const char *s, char **ret);

/*
 * Checks that every CPU of @cpuset is in @online (both kernel lists, e.g. the
 * content of /sys/devices/system/cpu/online; a trailing newline is fine).
 * Returns 0 when all are online, -ENODEV with *ret_missing set to the lowest
 * missing CPU, or -EINVAL when either list does not parse.
 */
int cpuset_check_online(const char *cpuset, const char *online, unsigned *ret_missing);

/* True when @s is a valid container name: [A-Za-z0-9_.-], 1..SPEC_NAME_MAX characters. */
bool name_is_valid(const char *s);

/* True when @s is acceptable to sethostname(2): 1..64 bytes, no '/'. */
bool hostname_is_valid(const char *s);

/* True when the first @n bytes of @s are an environment key: [A-Za-z_][A-Za-z0-9_]*. */
bool env_key_is_valid(const char *s, size_t n);

/* True when @s is "KEY=VALUE" with a valid KEY (VALUE may be empty). */
bool env_assignment_is_valid(const char *s);

/*
 * Splits a command line like systemd's ExecStart=: words separated by blanks;
 * double and single quotes group (and may start mid-word: a"b c" is one word);
 * backslash escapes work inside and outside quotes: \a \b \f \n \r \t \v \s
 * (space) \\ \" \' \<space> \xNN and \NNN (octal). No expansion of any kind;
 * ';' and '#' are ordinary characters. An empty quoted word ("") is kept.
 * On success *ret is a NULL-terminated vector (possibly empty) the caller
 * frees. Returns 0, -EBADMSG for an unterminated quote, -EINVAL for an
 * unknown or incomplete escape or an escaped NUL, or -ENOMEM.
 */
int split_words(const char *s, char ***ret);

/*
 * Environment= values: split_words() and then every word must be a valid
 * KEY=VALUE assignment (else -EINVAL). Same return values as split_words().
 */
int parse_environment(const char *s, char ***ret);

/*
 * Parses a namespace list: names from namespace_from_string() separated by
 * blanks and/or commas, any subset, repeats allowed; an empty list is no
 * namespaces. *ret receives the NS_* flags. Returns 0 or -EINVAL.
 */
int parse_namespaces(const char *s, unsigned *ret);

/*
 * Sets @assignment ("KEY=VALUE") in the environment vector *@env: replaces an
 * entry with the same KEY or appends a copy. Returns 0 or -ENOMEM (*env is
 * unchanged then).
 */
int env_vector_set(char ***env, const char *assignment);

/* Levenshtein distance between @a and @b ignoring ASCII case (for did-you-mean hints). */
unsigned string_distance(const char *a, const char *b);
