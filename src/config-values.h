/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec_port;

#include "spec.h"

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
#define CONFIG_NAMESPACES_HINT "(use any of: uts pid mount net ipc cgroup)"
#define CONFIG_CAPS_HINT       "(capability names such as NET_ADMIN or CAP_NET_ADMIN, or all, none)"
#define CONFIG_PIDS_HINT       "(a positive integer, or max)"
#define CONFIG_RLIMIT_HINT     "(use SOFT[:HARD], each a number or infinity)"
#define CONFIG_USER_HINT       "(use USER[:GROUP], names or numeric ids)"
#define CONFIG_USERNS_HINT     "(use host, auto or auto:size=N)"
#define CONFIG_IDMAP_HINT      "(use CONTAINER:HOST:SIZE, e.g. 0:100000:65536)"

/* UserNS=auto:size=N: at most this many ids (2^30). */
#define CONFIG_USERNS_SIZE_MAX (1U << 30)
#define CONFIG_DEVICE_HINT                                                                         \
	"(use [-]HOST[:CONTAINER][:PERMS]: absolute paths, CONTAINER below /dev, PERMS from rwm)"

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

/*
 * One entry of an environment file (systemd's EnvironmentFile= syntax): at
 * *@p, "KEY=VALUE" with VALUE unquoted (trailing blanks dropped, a '\'
 * escapes the next character or continues the line), "double-quoted" (\\,
 * \", \$, \` escaped) or 'single-quoted' (literal), possibly mixed; blank
 * lines and lines starting with '#' or ';' give nothing. Sets *@next after
 * the entry, adds the continuation lines consumed to *@line, and *@ret to
 * "KEY=VALUE" (caller frees) or NULL. Returns 0, -EINVAL (no '=', an
 * unterminated quote) or -ENOMEM. The KEY is not checked here.
 */
int env_file_line(char **p, char **next, unsigned *line, char **ret);

/* Levenshtein distance between @a and @b ignoring ASCII case (for did-you-mean hints). */
unsigned string_distance(const char *a, const char *b);

/*
 * Parses one capability name: with or without the "CAP_" prefix, any case
 * ("net_admin", "CAP_NET_ADMIN"), as libcap's cap_from_name() knows it;
 * numbers are refused. *ret is the capability number. Returns 0 or -EINVAL.
 */
int parse_capability(const char *s, unsigned *ret);

/* The mask of every capability libcap knows by name (what "all" means). */
uint64_t capability_mask_all(void);

/*
 * Parses a capability list: names as parse_capability() separated by blanks
 * and/or commas, or one of the words "all" and "none" alone. Repeats are
 * fine; an empty list is none. *ret is the mask (bit n = capability n). On
 * -EINVAL the offending word (cut to @bad_size - 1 bytes) is copied to @bad
 * when @bad is not NULL. Returns 0, -EINVAL or -ENOMEM.
 */
int parse_capability_list(const char *s, uint64_t *ret, char *bad, size_t bad_size);

/*
 * The capability set after one layer of configuration (the .container with
 * its drop-ins, or the run options): @set minus @drop plus @add, so that
 * dropping all and adding NET_BIND_SERVICE keeps just that one. A capability
 * both added and dropped by name is a mistake: returns -EEXIST and sets
 * *ret_conflict to its number (*ret unchanged); else 0 with *ret set.
 */
int capability_merge(uint64_t set, uint64_t add, uint64_t drop, uint64_t *ret,
		     unsigned *ret_conflict);

/*
 * Parses StopSignal=: a name with or without "SIG" ("TERM", "SIGTERM", any
 * case) or a number, 1 to the highest signal. Returns 0 or -EINVAL.
 */
int parse_signal(const char *s, int *ret);

/* Parses StopTimeout=: whole seconds, 0 (wait forever) to SPEC_STOP_TIMEOUT_MAX. */
int parse_stop_timeout(const char *s, unsigned *ret);

/*
 * Parses Notify=: "launcher" (mdlaunch sends READY=1 itself, the default)
 * or "passthrough" (the container gets NOTIFY_SOCKET). Returns 0 or -EINVAL.
 */
int parse_notify(const char *s, bool *ret_passthrough);

struct spec_device;

/*
 * Parses one AddDevice= entry, "[-]HOST[:CONTAINER][:PERMS]" (quadlet's and
 * docker's --device syntax): HOST an absolute path; CONTAINER an absolute
 * path below /dev/ (not in /dev/pts, /dev/shm or /dev/mqueue; default: HOST,
 * which must then be below /dev/ too); PERMS a non-empty set of r, w, m
 * (default rwm); a leading '-' makes a missing host node skipped. No path
 * may hold "." or ".." components. Fills @ret's host, container (new
 * strings), perms and optional; file and line are left alone. Returns 0,
 * -EINVAL or -ENOMEM.
 */
int parse_device(const char *s, struct spec_device *ret);

/* Parses PidsLimit=: a positive integer, or "max"/"infinity" (SPEC_PIDS_INFINITY). */
int parse_pids_limit(const char *s, uint64_t *ret);

/*
 * Parses a Limit*= value like systemd: "SOFT[:HARD]", each a decimal number
 * or "infinity" (SPEC_RLIMIT_INFINITY); a single value sets both. With
 * @bytes, numbers may carry a K, M, G or T suffix (powers of 1024, as
 * parse_size()). Returns 0, -EINVAL for garbage, -ERANGE for a number too
 * large, -EDOM when SOFT is above HARD.
 */
int parse_rlimit(const char *s, bool bytes, uint64_t *ret_soft, uint64_t *ret_hard);

/* True when @s is a user or group name we accept: [A-Za-z0-9_.-], 1..32, not starting with '-'. */
bool user_name_is_valid(const char *s);

/*
 * Parses a numeric uid or gid: decimal, 0..4294967294 (-1 means "unchanged"
 * to the kernel). Returns 0, -EINVAL (not a number) or -ERANGE.
 */
int parse_id(const char *s, uint32_t *ret);

/*
 * Splits User= "USER[:GROUP]" into new strings (*ret_group NULL when there is
 * no ':'); each part is a name (user_name_is_valid()) or a number. Returns 0,
 * -EINVAL or -ENOMEM.
 */
int parse_user(const char *s, char **ret_user, char **ret_group);

/*
 * Parses SupplementaryGroups=: names or numbers separated by blanks and/or
 * commas, into a new vector (empty for an empty list). Returns 0, -EINVAL
 * (with the bad word copied to @bad as parse_capability_list()) or -ENOMEM.
 */
int parse_group_list(const char *s, char ***ret, char *bad, size_t bad_size);

/* True when @s is an absolute path ('/' first) without a newline (WorkingDirectory=). */
bool working_directory_is_valid(const char *s);

#define CONFIG_PORT_HINT                                                                           \
	"(use [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTO], e.g. 8080:80, 127.0.0.1:8080:80/tcp, "      \
	"8080-8089:80-89)"
#define CONFIG_NETWORK_HINT "(none, host, or a network name of A-Z a-z 0-9 _ . -)"

/*
 * Parses one PublishPort= mapping, quadlet's "[[IP:][HOSTPORT]:]CONTAINERPORT[/PROTO]":
 * IP is IPv4 or a bracketed IPv6 address, each port a number 1..65535 or a
 * range "A-B" (host and container ranges of the same length), PROTO tcp (the
 * default), udp or sctp. An omitted HOSTPORT is the container port. Returns 0
 * or -EINVAL.
 */
int parse_port_mapping(const char *s, struct spec_port *ret);

/*
 * Parses a PublishPort= value: mappings as parse_port_mapping() separated by
 * blanks, appended to *ports (*n_ports of them). On -EINVAL the offending
 * word is copied to @bad as parse_capability_list() does. Returns 0, -EINVAL
 * or -ENOMEM (*ports unchanged on failure).
 */
int parse_port_list(const char *s, struct spec_port **ports, size_t *n_ports, char *bad,
		    size_t bad_size);

/*
 * Parses a DNS= value: IPv4 or IPv6 addresses separated by blanks and/or
 * commas, appended to *ret. Returns 0, -EINVAL (bad word in @bad) or -ENOMEM.
 */
int parse_dns_list(const char *s, char ***ret, char *bad, size_t bad_size);

/*
 * Parses one AddHost= entry, NAME:ADDRESS (podman's --add-host): NAME made
 * of [A-Za-z0-9_.-] (not starting with '-' or '.'), ADDRESS an IPv4 or IPv6
 * address, brackets allowed ("[::1]"); the name ends at the first ':'. *ret
 * is the entry without brackets. Returns 0, -EINVAL or -ENOMEM.
 */
int parse_add_host(const char *s, char **ret);

/*
 * Parses an AddHost= value: entries as parse_add_host() separated by blanks,
 * appended to *ret. Returns 0, -EINVAL (bad word in @bad) or -ENOMEM.
 */
int parse_add_host_list(const char *s, char ***ret, char *bad, size_t bad_size);

/* True when @s is a Network= value: "none", "host" or a name [A-Za-z0-9_.-]{1,64}, not "." or "..".
 */
bool network_name_is_valid(const char *s);

/*
 * Parses UserNS=: "host", "auto" or "auto:size=N" (N from 1 to
 * CONFIG_USERNS_SIZE_MAX; SPEC_USERNS_SIZE_DEFAULT without it). *ret_size is
 * written for auto only. Returns 0, -EINVAL (garbage, an unknown option) or
 * -ERANGE (N out of range).
 */
int parse_userns(const char *s, enum spec_userns *ret_mode, uint32_t *ret_size);

/*
 * Parses one UIDMap=/GIDMap= map, "CONTAINER:HOST:SIZE" (podman's form):
 * three decimal ids, SIZE >= 1, neither range reaching 4294967295 (-1 is no
 * id). Returns 0, -EINVAL (garbage) or -ERANGE (SIZE 0, a range too large).
 */
int parse_idmap(const char *s, struct spec_idmap *ret);

/*
 * Parses a blank-separated list of maps into @ret (replacing it). Returns 0,
 * -EINVAL or -ERANGE (with the bad word copied to @bad as
 * parse_capability_list()), or -E2BIG beyond SPEC_IDMAP_MAX maps.
 */
int parse_idmap_list(const char *s, struct spec_idmaps *ret, char *bad, size_t bad_size);

/*
 * Finds two maps of @maps whose container ranges or whose host ranges
 * overlap (the kernel refuses such a uid_map). Returns true and their
 * indexes (*ret_a < *ret_b) when there are, false when the maps are disjoint.
 */
bool idmaps_find_overlap(const struct spec_idmaps *maps, unsigned *ret_a, unsigned *ret_b);

#define CONFIG_MASK_HINT   "(colon-separated absolute paths, e.g. /proc/foo:/sys/bar)"
#define CONFIG_UNMASK_HINT "(ALL, or colon-separated absolute paths or patterns such as /proc/*)"

/*
 * Parses Mask= (@unmask false) or Unmask= (@unmask true): colon-separated
 * absolute paths without "." or ".." components (Unmask= takes fnmatch
 * patterns, or "ALL"). Empty items are skipped. On success *ret is a
 * new NULL-terminated list. -EINVAL names the bad item in @bad; or -ENOMEM.
 */
int parse_mask_paths(const char *s, bool unmask, char ***ret, char *bad, size_t bad_size);

/*
 * SeccompProfile= / --security-opt seccomp=: "default" (*ret = NULL),
 * "unconfined" (SPEC_SECCOMP_UNCONFINED), or a path to a JSON profile; a
 * relative path is taken relative to @base_dir (the directory of the file
 * that sets it, or the working directory for the command line). The file is
 * not read here: that is a host fact. Returns 0, -EINVAL (empty, a newline)
 * or -ENOMEM; *ret is a new string or NULL.
 */
int parse_seccomp_profile(const char *s, const char *base_dir, char **ret);
