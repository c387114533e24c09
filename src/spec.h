/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * struct container_spec: the one plain-data description of a container that
 * the config front end produces and the runtime consumes. No config-library,
 * namespace or cgroup types appear here (libc headers only). Every field has
 * already been validated when the runtime sees it; the runtime takes it const.
 */

enum namespace_flag {
	NS_UTS = 1 << 0,
	NS_PID = 1 << 1,
	NS_MOUNT = 1 << 2,
	NS_NET = 1 << 3,
	NS_IPC = 1 << 4,
	/*
	 * Not a clone flag: init unshares the cgroup namespace once it is in
	 * its cgroups (runtime-init.c), so that their leaves are its root.
	 */
	NS_CGROUP = 1 << 5,
	NS_ALL = (1 << 6) - 1,
};

/* Memory= unset: the memory controller is not used at all. */
#define SPEC_MEMORY_UNSET UINT64_MAX
/* Memory=max / infinity: the container gets a memory cgroup with no limit. */
#define SPEC_MEMORY_INFINITY (UINT64_MAX - 1)

#define SPEC_CPU_SHARES_MIN 2ULL
#define SPEC_CPU_SHARES_MAX 262144ULL
/* CPUWeight= (the cgroup v2 unit): 1..10000, 100 is the kernel's default. */
#define SPEC_CPU_WEIGHT_MIN 1ULL
#define SPEC_CPU_WEIGHT_MAX 10000ULL

#define SPEC_NAME_MAX 64

/* StopTimeout= default, in seconds (systemd's TimeoutStopSec= is 90 s by default). */
#define SPEC_STOP_TIMEOUT_DEFAULT 10U
/* StopTimeout= maximum: one day. */
#define SPEC_STOP_TIMEOUT_MAX 86400U

/* SeccompProfile=unconfined: no seccomp filter. */
#define SPEC_SECCOMP_UNCONFINED "unconfined"

/* The container's PATH when neither mdlaunch.conf nor Environment= sets one (systemd's). */
#define SPEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Capabilities are a plain mask: bit n is capability number n (CAP_CHOWN = 0,
 * ..., as in <linux/capability.h>), so this header needs no libcap type.
 * SPEC_CAPS_DEFAULT is the set docker and podman give a container: CHOWN,
 * DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
 * NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP
 * (bits 0 1 3 4 5 6 7 8 10 13 18 27 29 31: CapBnd 00000000a80425fb).
 */
#define SPEC_CAPS_DEFAULT 0xa80425fbULL
/* The highest capability number a mask may hold. */
#define SPEC_CAP_BITS 64

/* The rlimits of the Limit*= keys, in key order. */
enum spec_rlimit {
	SPEC_RLIMIT_NOFILE,
	SPEC_RLIMIT_NPROC,
	SPEC_RLIMIT_CORE,
	SPEC_RLIMIT_FSIZE,
	SPEC_RLIMIT_STACK,
	SPEC_RLIMIT_AS,
	_SPEC_RLIMIT_MAX,
};

/* An rlimit value: a number, or SPEC_RLIMIT_INFINITY. */
#define SPEC_RLIMIT_INFINITY UINT64_MAX

struct spec_rlimit_value {
	bool set; /* false: inherited from the launcher */
	uint64_t soft, hard;
};

/* PidsLimit=: 0 = unset (no pids cgroup), SPEC_PIDS_INFINITY = "max". */
#define SPEC_PIDS_INFINITY UINT64_MAX

/* Network=: no network of its own, the host's, or a CNI network list. */
#define SPEC_NETWORK_NONE "none"
#define SPEC_NETWORK_HOST "host"
/* The CNI network built into mdlaunch (used when no mdlaunch.conflist is found). */
#define SPEC_NETWORK_BUILTIN "mdlaunch"
/* mdlaunch.conf cni_timeout default: seconds a CNI plugin may run before it is killed. */
#define SPEC_CNI_TIMEOUT_DEFAULT 30U
#define SPEC_CNI_TIMEOUT_MAX	 3600U

/*
 * One PublishPort= mapping: host_port..host_port+count-1 to
 * container_port..container_port+count-1 (a range is count > 1).
 */
struct spec_port {
	char host_ip[46];   /* "" = every address of the host */
	uint16_t host_port; /* first host port */
	uint16_t container_port;
	uint16_t count;	  /* ports in the range, >= 1 */
	char protocol[8]; /* "tcp", "udp" or "sctp" */
};

/*
 * User namespaces (UserNS=, UIDMap=, GIDMap=). HOST: none, the container's
 * ids are the host's. AUTO: the launcher allocates a free range of
 * spec->userns_size ids at run time (runtime-userns.c). MAPS: the explicit
 * uid_map / gid_map (config_validate() sets it when UIDMap=/GIDMap= are given).
 */
enum spec_userns {
	SPEC_USERNS_HOST,
	SPEC_USERNS_AUTO,
	SPEC_USERNS_MAPS,
	_SPEC_USERNS_MAX,
};

/* UserNS=auto without size=: podman's default, 65536 ids (uid 0 to 65535 inside). */
#define SPEC_USERNS_SIZE_DEFAULT 65536U
/* Lines of one uid_map or gid_map (the kernel takes 340 since 4.15). */
#define SPEC_IDMAP_MAX 16

/* One line of a uid_map/gid_map: ids inside..inside+count-1 are outside..outside+count-1. */
struct spec_idmap {
	uint32_t inside, outside, count;
};

struct spec_idmaps {
	unsigned n;
	struct spec_idmap v[SPEC_IDMAP_MAX];
};

/* ShmSize= default: the size of the container's /dev/shm (docker's and podman's). */
#define SPEC_SHM_SIZE_DEFAULT (64ULL << 20)

/* AddDevice= permissions (the PERMS letters r, w, m). */
#define SPEC_DEV_READ  (1U << 0)
#define SPEC_DEV_WRITE (1U << 1)
#define SPEC_DEV_MKNOD (1U << 2)
#define SPEC_DEV_ALL   (SPEC_DEV_READ | SPEC_DEV_WRITE | SPEC_DEV_MKNOD)

/*
 * One AddDevice= entry, "[-]HOST[:CONTAINER][:PERMS]" as written: the host
 * node is only looked at by the runtime (a host fact), never by the loader.
 */
struct spec_device {
	char *host;	 /* absolute path of the host's device node */
	char *container; /* absolute path inside the container (default: host) */
	unsigned perms;	 /* SPEC_DEV_* (default: all three) */
	bool optional;	 /* "-": a missing host node is skipped */
	unsigned file;	 /* where it was written (1-based index into files; 0: a run option) */
	unsigned line;
};

/* The keys of a .container file, indexing spec->origin (where each was set). */
enum spec_key {
	SPEC_KEY_COMMAND,
	SPEC_KEY_TTY,
	SPEC_KEY_MEMORY,
	SPEC_KEY_CPU_SHARES,
	SPEC_KEY_CPUSET,
	SPEC_KEY_HOSTNAME,
	SPEC_KEY_ENVIRONMENT,
	SPEC_KEY_NAMESPACES,
	SPEC_KEY_NAME,
	SPEC_KEY_MEMORY_SWAP,
	SPEC_KEY_CPU_WEIGHT,
	SPEC_KEY_CAPABILITIES,
	SPEC_KEY_ADD_CAPABILITIES,
	SPEC_KEY_DROP_CAPABILITIES,
	SPEC_KEY_AMBIENT_CAPABILITIES,
	SPEC_KEY_NO_NEW_PRIVILEGES,
	SPEC_KEY_USER,
	SPEC_KEY_SUPPLEMENTARY_GROUPS,
	SPEC_KEY_WORKING_DIRECTORY,
	SPEC_KEY_PIDS_LIMIT,
	SPEC_KEY_LIMIT_NOFILE,
	SPEC_KEY_LIMIT_NPROC,
	SPEC_KEY_LIMIT_CORE,
	SPEC_KEY_LIMIT_FSIZE,
	SPEC_KEY_LIMIT_STACK,
	SPEC_KEY_LIMIT_AS,
	SPEC_KEY_INIT,
	SPEC_KEY_STOP_SIGNAL,
	SPEC_KEY_STOP_TIMEOUT,
	SPEC_KEY_NOTIFY,
	SPEC_KEY_NETWORK,
	SPEC_KEY_PUBLISH_PORT,
	SPEC_KEY_DNS,
	SPEC_KEY_ADD_HOST,
	SPEC_KEY_USERNS,
	SPEC_KEY_UIDMAP,
	SPEC_KEY_GIDMAP,
	SPEC_KEY_ROOTFS,
	SPEC_KEY_VOLUME,
	SPEC_KEY_TMPFS,
	SPEC_KEY_READ_ONLY,
	SPEC_KEY_READ_ONLY_TMPFS,
	SPEC_KEY_MASK,
	SPEC_KEY_UNMASK,
	SPEC_KEY_SECCOMP_PROFILE,
	SPEC_KEY_SHM_SIZE,
	SPEC_KEY_ADD_DEVICE,
	SPEC_KEY_ENVIRONMENT_FILE,
	SPEC_KEY_INHERIT_ENVIRONMENT,
	_SPEC_KEY_MAX,
};

/*
 * Where the final value of a key came from, for messages and `show --effective`:
 * a line of one of spec->files (file > 0), a `run` option (option), or the
 * default (file == 0 and option == NULL).
 */
struct spec_origin {
	unsigned file;	    /* 1-based index into spec->files; 0: not from a file */
	unsigned line;	    /* line in that file (0: the file as a whole) */
	const char *option; /* the `run` option that set it ("--memory"), static; or NULL */
	char *value;	    /* the value as written, NULL when unknown (owned) */
	/*
	 * A key whose values add up (Volume= lines, --env, --cap-add): the
	 * earlier assignments still in effect, oldest first, each with its own
	 * value; the fields above are the last one. NULL / 0 otherwise (owned).
	 */
	struct spec_origin *earlier;
	size_t n_earlier;
};

/*
 * Volume= and Tmpfs=: one mount inside the container's root, in the order
 * given. @file/@line say where it was set (file 0: a run option), for
 * messages about this entry alone (the key's origin names the last one).
 */
enum spec_mount_kind {
	SPEC_MOUNT_BIND,      /* Volume=HOST-DIR:CONTAINER-DIR */
	SPEC_MOUNT_ANONYMOUS, /* Volume=CONTAINER-DIR: an empty directory private to the run */
	SPEC_MOUNT_TMPFS,     /* Tmpfs=CONTAINER-DIR */
};

/* spec_mount.flags */
#define SPEC_MOUNT_RDONLY (1U << 0)
#define SPEC_MOUNT_NOSUID (1U << 1)
#define SPEC_MOUNT_NODEV  (1U << 2)
#define SPEC_MOUNT_NOEXEC (1U << 3)
#define SPEC_MOUNT_IDMAP  (1U << 4) /* Volume=...:idmap (needs a user namespace) */

/*
 * Where init mounts the scratch tmpfs of a run (the :O overlay's layers, the
 * anonymous volumes), inside the container's mount namespace only. A
 * Rootfs= or HOST-DIR below it would be hidden by that tmpfs.
 */
#define SPEC_SCRATCH_DIR "/run/mdlaunch/rootfs"

/* Tmpfs= without size=, and the ReadOnlyTmpfs= mounts: 64 MiB (docker's /dev/shm). */
#define SPEC_TMPFS_SIZE_DEFAULT "64m"

struct spec_mount {
	unsigned kind;	/* enum spec_mount_kind */
	unsigned flags; /* SPEC_MOUNT_* */
	char *source;	/* SPEC_MOUNT_BIND: the absolute host path; else NULL */
	char *target;	/* absolute, normalized ("/a/b"), never "/" */
	char *data;	/* SPEC_MOUNT_TMPFS: the tmpfs options (size=, mode=, ...); else NULL */
	unsigned file;	/* 1-based index into spec->files; 0: a run option */
	unsigned line;
};

struct container_spec {
	char *name;   /* [A-Za-z0-9_.-]{1,64}; names the cgroup and the default hostname */
	char *source; /* the .container file it came from, NULL for `run COMMAND`; messages only */
	char **argv;  /* NULL-terminated, non-empty; argv[0] is resolved through path */
	char **env;   /* NULL-terminated "KEY=VALUE" set over the launcher's environment */
	char *path;   /* the container's PATH, also used to resolve argv[0] */
	char *hostname;	     /* NULL means: the name */
	bool tty;	     /* true: share the caller's stdin; false: stdin is /dev/null */
	unsigned namespaces; /* NS_* flags */
	uint64_t memory_max; /* bytes, or SPEC_MEMORY_UNSET / SPEC_MEMORY_INFINITY */
	uint64_t cpu_shares; /* 0 = unset, else SPEC_CPU_SHARES_MIN..SPEC_CPU_SHARES_MAX */
	uint64_t cpu_weight; /* 0 = unset, else SPEC_CPU_WEIGHT_MIN..SPEC_CPU_WEIGHT_MAX; never
				together with cpu_shares (one knob, v1 or v2 units) */
	char *cpuset;	     /* canonical kernel list ("0-2,4"), NULL = unset */
	char *cgroup_parent; /* NULL: below the launcher's own cgroup; relative: below it too;
				absolute: from each hierarchy's root */
	/*
	 * MemorySwap=: the swap limit alone (systemd's MemorySwapMax=), in bytes
	 * (0 = no swap at all), or SPEC_MEMORY_UNSET / SPEC_MEMORY_INFINITY.
	 */
	uint64_t memory_swap_max;
	uint64_t pids_max; /* PidsLimit=: 0 = unset, else a count or SPEC_PIDS_INFINITY */

	/* Least privilege (runtime-caps.c applies it in init, in this order of fields). */
	uint64_t capabilities; /* bounding set; also permitted/effective for uid 0 */
	uint64_t ambient_caps; /* AmbientCapabilities=: subset of capabilities (validated) */
	bool no_new_privs;     /* NoNewPrivileges=, default true */
	char *user;	       /* User= as written ("name[:group]", "uid[:gid]"), NULL = unset */
	char **supplementary_groups; /* SupplementaryGroups= as written, NULL = none */
	/* Resolved on the host by config_validate() from user / supplementary_groups: */
	uint32_t uid, gid;
	uint32_t *groups; /* supplementary gids, n_groups of them (0: cleared) */
	size_t n_groups;
	char *working_directory; /* absolute; config_validate() fills the launcher's cwd */
	struct spec_rlimit_value rlimits[_SPEC_RLIMIT_MAX];
	/*
	 * SeccompProfile=: NULL = mdlaunch's default profile, SPEC_SECCOMP_UNCONFINED,
	 * or the absolute path of a docker/OCI JSON profile (read by the runtime).
	 */
	char *seccomp_profile;

	/* User namespace (runtime-userns.c; runtime-ns.c clones with CLONE_NEWUSER). */
	enum spec_userns userns;	     /* UserNS=, or MAPS when UIDMap=/GIDMap= are given */
	uint32_t userns_size;		     /* UserNS=auto:size=N, ids to allocate */
	struct spec_idmaps uid_map, gid_map; /* MAPS: both set (one copied from the other) */

	/* Supervision (runtime.c, runtime-init.c). */
	bool init;		 /* Init=: mdlaunch's init stays PID 1 and forks the command */
	int stop_signal;	 /* StopSignal=: sent on a stop request, default SIGTERM */
	unsigned stop_timeout;	 /* StopTimeout=: seconds before SIGKILL, 0 = wait forever */
	bool notify_passthrough; /* Notify=passthrough: the container gets NOTIFY_SOCKET */
	bool stats;		 /* --stats (or -v): one line of resource use at exit */

	/* Network (net-cni.c plans it, runtime-net.c runs it). */
	char *network;		 /* Network=: SPEC_NETWORK_NONE, _HOST or a CNI list name;
				    config_validate() sets it from Namespaces= when unset */
	struct spec_port *ports; /* PublishPort=, n_ports of them */
	size_t n_ports;
	char **dns;	  /* DNS=: name server addresses, NULL = none */
	char **add_hosts; /* AddHost=: "NAME:ADDRESS" entries of /etc/hosts, NULL = none */
	char **network_config_dirs; /* mdlaunch.conf: where NAME.conflist is searched */
	char **cni_path;	    /* mdlaunch.conf: where the plugins are */
	unsigned cni_timeout;	    /* mdlaunch.conf: seconds per plugin call */
	/* The container's file system (runtime-rootfs.c builds its mounts). */
	char *rootfs;		   /* Rootfs=: absolute directory, NULL = the host's root */
	bool rootfs_overlay;	   /* Rootfs=DIR:O: DIR is the lower layer of a private overlay */
	struct spec_mount *mounts; /* Volume= and Tmpfs=, in order */
	size_t n_mounts;
	bool read_only;	      /* ReadOnly=: the whole root read-only */
	bool read_only_tmpfs; /* ReadOnlyTmpfs= (default true): tmpfs on /tmp /var/tmp /run */
	/* The private /dev (runtime-dev.c) and the device allowlist (cgroup-devices.c). */
	uint64_t shm_size; /* ShmSize=: bytes of /dev/shm, default SPEC_SHM_SIZE_DEFAULT */
	struct spec_device *devices; /* AddDevice=, in order */
	size_t n_devices;

	/* /proc and /sys (runtime-mount-kernel.c). */
	char **mask_paths;   /* Mask=: absolute paths hidden besides the defaults, NULL = none */
	char **unmask_paths; /* Unmask=: patterns (fnmatch) or "ALL" taken out of the default
				masked and read-only paths, NULL = none */

	/* EnvironmentFile=: the files as given ("-" kept); their variables are in env. */
	char **environment_files;
	/* InheritEnvironment= (default true); false: PATH, TERM, container=mdlaunch, env only. */
	bool inherit_environment;

	/* Where each key was set; messages and `show --effective` only. */
	struct spec_origin origin[_SPEC_KEY_MAX];
	/* The files read, in order (mdlaunch.conf, the .container, its drop-ins). */
	char **files;
	/* mdlaunch.conf strict_permissions (default true): the trust check of the loaders. */
	bool strict_permissions;
};

/* Allocates a spec with every default set (all namespaces, default PATH). NULL on OOM. */
struct container_spec *spec_new(void);

/* Frees @spec and everything it owns; accepts NULL, returns NULL. */
struct container_spec *spec_free(struct container_spec *spec);
static inline void spec_freep(struct container_spec **spec)
{
	spec_free(*spec);
}

/* Appends a copy of @m (strings duplicated) to spec->mounts. Returns 0 or -ENOMEM. */
int spec_add_mount(struct container_spec *spec, const struct spec_mount *m);

/* The file that set @key (a path in spec->files), or NULL when it came from no file. */
const char *spec_origin_file(const struct container_spec *spec, enum spec_key key);
/* Records that @key was set by a file of spec->files (0: by no file), clearing the value. */
void spec_set_origin(struct container_spec *spec, enum spec_key key, unsigned file, unsigned line);
/* Records that @key was set by the command-line @option (a static string). */
void spec_set_origin_option(struct container_spec *spec, enum spec_key key, const char *option);
/*
 * Records one more assignment of a key whose values add up: the current
 * origin (when some file or option set it) moves to origin.earlier and
 * @file/@line or @option with a copy of @value becomes the last. Returns 0
 * or -ENOMEM (the origin unchanged).
 */
int spec_add_origin(struct container_spec *spec, enum spec_key key, unsigned file, unsigned line,
		    const char *option, const char *value);
/* Adds @path to spec->files; returns its 1-based index, or -ENOMEM. */
int spec_add_file(struct container_spec *spec, const char *path);

/* "NOFILE", ... for SPEC_RLIMIT_*, NULL when out of range. */
const char *spec_rlimit_to_string(enum spec_rlimit r);
/* The RLIMIT_* resource number of SPEC_RLIMIT_*, -EINVAL when out of range. */
int spec_rlimit_resource(enum spec_rlimit r);
/* True when the rlimit counts bytes (sizes may use K/M/G/T suffixes). */
bool spec_rlimit_is_bytes(enum spec_rlimit r);

/* Formats @p as PublishPort= does ("127.0.0.1:8080-8081:80-81/udp") into @buf. Returns @buf. */
const char *spec_port_to_string(const struct spec_port *p, char *buf, size_t size);

/* True when the container joins a CNI network (Network= is neither none nor host). */
bool spec_network_is_cni(const struct container_spec *spec);

/* True when the container gets a user namespace of its own (UserNS= not host). */
static inline bool spec_has_userns(const struct container_spec *spec)
{
	return spec->userns != SPEC_USERNS_HOST;
}
/* "host", "auto", "maps"; NULL when out of range. */
const char *spec_userns_to_string(enum spec_userns mode);
/* The id @id of the container as seen on the host through @maps; false when unmapped. */
bool spec_idmap_to_host(const struct spec_idmaps *maps, uint32_t id, uint32_t *ret);
/* Appends a copy of @dev to spec->devices. Returns 0 or -ENOMEM. */
int spec_add_device(struct container_spec *spec, const struct spec_device *dev);
/* Empties spec->devices (an empty AddDevice= resets the list). */
void spec_clear_devices(struct container_spec *spec);

/* The hostname the container gets: spec->hostname, or the name. */
const char *spec_hostname(const struct container_spec *spec);

/* Namespace names as written in files ("uts", "pid", "mount", "net", "ipc", "cgroup"). */
int namespace_from_string(const char *s); /* NS_* flag, or -EINVAL */
const char *namespace_to_string(unsigned flag);

/*
 * Prints the data part of `mdlaunch show`: argv one word per line, quoted so
 * that spaces and control characters are visible, the environment additions,
 * tty, hostname, namespaces and limits. The runtime prints its plan after it.
 */
void spec_dump(const struct container_spec *spec, FILE *f);
