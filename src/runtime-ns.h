/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct spec_idmaps;

/*
 * Namespaces and the birth of the container: spec namespaces -> CLONE_*
 * flags, and the clone of `/proc/self/exe init` with its two pipe ends.
 */

/* The CLONE_NEW* flags for a set of NS_* flags (unknown bits are ignored). */
unsigned long ns_clone_flags(unsigned namespaces);

/* The clone flags of a container: its namespaces, plus CLONE_NEWUSER with UserNS=. */
struct container_spec;
unsigned long ns_spec_clone_flags(const struct container_spec *spec);

/*
 * Writes "CLONE_NEWUTS|CLONE_NEWPID|..." (or "none") for @flags into @buf.
 * Returns @buf; the text is cut to @size.
 */
char *ns_clone_flags_to_string(unsigned long flags, char *buf, size_t size);

/* What the launcher hands to ns_spawn_init(). */
struct ns_spawn {
	unsigned long flags; /* CLONE_NEW* */
	int command_fd;	     /* read end of the command pipe: becomes fd 3 in init */
	int status_fd;	     /* write end of the status pipe: becomes fd 4 in init */
	int tty_fd;	     /* Tty=true on a terminal: a socket, becomes fd 5 (else -EBADF) */
	int idmap_fd;	     /* idmapped volumes: a socket, becomes fd 6 (else -EBADF) */
	/*
	 * cgroup v2: a directory fd of the leaf cgroup the child is born in,
	 * through clone3(CLONE_INTO_CGROUP). -EBADF: plain clone.
	 */
	int cgroup_fd;
	/* The signals the child resets to SIG_DFL before its execve (signal_non_default()). */
	uint64_t reset_signals;
	/*
	 * CLONE_NEWUSER in flags: the maps written for the child before it
	 * becomes uid/gid 0 of its namespace and re-executes init. On a
	 * failure to write them *failed_map names the file ("uid_map").
	 */
	const struct spec_idmaps *uid_map, *gid_map;
	const char **failed_map;
	/* Internal: the child's end of the map barrier (-EBADF without CLONE_NEWUSER). */
	int sync_fd, sync_peer_fd;
};

/*
 * Starts init: clones with s->flags | SIGCHLD, vfork-like (CLONE_VM |
 * CLONE_VFORK, the child on a small stack of its own until its execve; with
 * s->cgroup_fd >= 0 first clone3() with CLONE_INTO_CGROUP, vfork-like on
 * x86-64 and fork-like elsewhere, then the plain clone if the kernel refuses
 * that), and in the child moves the pipe ends to fds 3 and 4 (s->tty_fd to 5, s->idmap_fd to
 * 6), closes every other fd above them, resets all signal dispositions and the signal mask, sets
 * PR_SET_PDEATHSIG(SIGKILL) and re-executes /proc/self/exe as "mdlaunch init".
 * A child that fails before that exec reports it on the status pipe and
 * exits 125. The caller keeps ownership of all fds (it closes its copies).
 * With CLONE_NEWUSER the clone is fork-like instead (the child waits for
 * its maps, which the vfork-like parent could not write before the exec:
 * an exec by an unmapped uid drops every capability): the child blocks on a
 * barrier pipe, the launcher writes s->gid_map and s->uid_map, then the
 * child switches to uid and gid 0 of its namespace and re-executes init,
 * which thus holds the namespace's full capabilities.
 * On success *ret_pid is the child's pid. Returns 1 when the child was born
 * in s->cgroup_fd's cgroup, 0 when it was not (the caller attaches it), or
 * -errno.
 */
int ns_spawn_init(const struct ns_spawn *s, pid_t *ret_pid);
