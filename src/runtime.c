/* SPDX-License-Identifier: MIT */
/*
 * runtime.c: the launcher side of a run, after the config front end has made
 * a validated spec. The order is the design:
 *
 *   signals blocked -> cgroups + chain -> pipes -> clone init -> attach
 *   (skipped when v2's clone3 made the child in its cgroup) -> CNI ADD
 *   (then the generated /etc files get the address and name servers)
 *   -> command frame (the start barrier) -> wait, forwarding signals
 *   -> teardown (kill leftovers, rmdir) -> exit status
 *
 * Each step lives in its own module (cgroup.c, runtime-ns.c, runtime-pipe.c,
 * runtime-signal.c); this file sequences them, owns the error paths and is
 * the one that logs, since it knows the container's name.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "net-cni.h"
#include "runtime-caps.h"
#include "runtime-dev.h"
#include "runtime-etc.h"
#include "runtime-idmap.h"
#include "runtime-mount.h"
#include "runtime-net.h"
#include "runtime-notify.h"
#include "runtime-ns.h"
#include "runtime-pipe.h"
#include "runtime-rootfs.h"
#include "runtime-seccomp.h"
#include "runtime-signal.h"
#include "runtime-tty.h"
#include "runtime-userns.h"
#include "spec.h"
#include "util.h"

/* How long to wait for init's status after it was reaped (it cannot be open any more). */
#define STATUS_DRAIN_MS 1000

/*
 * Debug knob: MDLAUNCH_NO_CLONE_INTO_CGROUP=1 makes a v2 run clone plainly
 * and join the cgroup through cgroup.procs, as on v1 or an old kernel, to
 * test that path and to measure what CLONE_INTO_CGROUP saves.
 */
#define ENV_NO_CLONE_INTO_CGROUP "MDLAUNCH_NO_CLONE_INTO_CGROUP"

/* Everything a run owns, released by run_release() in reverse order. */
struct run {
	const struct container_spec *spec;
	const char *name;
	struct timespec start;
	struct signal_saved saved;
	int sfd;
	struct cgroup *cg;
	int command_w;
	int status_r;
	pid_t pid;
	bool born_in_cgroup;		     /* clone3(CLONE_INTO_CGROUP): no attach needed */
	unsigned stop_requests;		     /* SIGTERM/SIGINT received */
	struct timespec stop_deadline;	     /* when StopTimeout= runs out after the first one */
	bool stop_killed;		     /* StopTimeout= ran out: init was SIGKILLed */
	char *notify_socket;		     /* $NOTIFY_SOCKET of the launcher (owned), or NULL */
	struct userns_lease lease;	     /* UserNS=auto: the host range held */
	struct spec_idmaps uid_map, gid_map; /* with a user namespace: the maps written */
	uint32_t root_uid, root_gid;	     /* the host ids of the container's root */
	bool delegated;			     /* v2: the leaf is chowned to the container's root */
	struct tty_relay tty;		     /* Tty=true on a terminal: the container's pty */
	bool pty;			     /* tty is in use */
	struct net_plan *net_plan;	     /* Network=NAME: the CNI chain to run, else NULL */
	struct net_run *net;		     /* attached to it (ADD done): DEL at the release */
	int idmap_w, idmap_peer;	     /* idmapped volumes: the socket to init, its end */
};

/* Sends one sd_notify message when systemd asked for them; failures are only logged. */
static void run_notify(const struct run *run, const char *message)
{
	int r;

	if (!run->notify_socket)
		return;
	r = notify_send(run->notify_socket, message);
	if (r < 0)
		log_warn_errno(r, "%s: cannot notify '%s': %m, ignoring", run->name,
			       run->notify_socket);
}

/* Microseconds since the run started, for the -vv timeline of one start. */
static long elapsed_us(const struct run *run)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - run->start.tv_sec) * 1000000L +
	       (now.tv_nsec - run->start.tv_nsec) / 1000L;
}

/* Logs a cgroup failure with the file and value it names; returns @r. */
static int log_cgroup_error(int r, const struct cgroup_error *err)
{
	char msg[PATH_MAX + 256];

	if (!err->action)
		return log_error_errno(r, "cannot set up the cgroups: %m");
	if (err->message[0]) {
		log_error("%s", err->message);
		return r;
	}
	return log_error_errno(r, "%s: %m", cgroup_error_format(err, msg, sizeof(msg)));
}

/*
 * Creates both pipes and clones init with the command pipe's read end and
 * the status pipe's write end; the launcher keeps the other two ends. On
 * success run->pid, run->command_w and run->status_r are set.
 */
static int run_spawn(struct run *run)
{
	_cleanup_close_ int cmd_r = -EBADF, cmd_w = -EBADF, st_r = -EBADF, st_w = -EBADF;
	_cleanup_close_ int tty_peer = -EBADF;
	int fds[2];
	struct ns_spawn s;
	const char *failed_map = NULL;
	pid_t pid;
	int r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return log_error_errno(errno, "cannot create the command pipe: %m");
	cmd_r = fds[0];
	cmd_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return log_error_errno(errno, "cannot create the status pipe: %m");
	st_r = fds[0];
	st_w = fds[1];

	if (run->pty) {
		r = tty_relay_prepare(&run->tty, &tty_peer);
		if (r < 0)
			return log_error_errno(r, "%s: cannot prepare the pty: %m", run->name);
	}

	s = (struct ns_spawn){
		.flags = ns_spec_clone_flags(run->spec),
		.command_fd = cmd_r,
		.status_fd = st_w,
		.tty_fd = tty_peer,
		.idmap_fd = run->idmap_peer,
		.cgroup_fd = cgroup_spawn_fd(run->cg),
		.uid_map = &run->uid_map,
		.gid_map = &run->gid_map,
		.failed_map = &failed_map,
	};
	s.reset_signals = signal_non_default();
	if (s.cgroup_fd >= 0 && getenv(ENV_NO_CLONE_INTO_CGROUP) &&
	    streq(getenv(ENV_NO_CLONE_INTO_CGROUP), "1")) {
		log_debug("%s: %s=1: joining the cgroup through cgroup.procs", run->name,
			  ENV_NO_CLONE_INTO_CGROUP);
		s.cgroup_fd = -EBADF;
	}
	r = ns_spawn_init(&s, &pid);
	if (r < 0 && failed_map)
		return log_error_errno(r, "%s: cannot write the child's %s: %m", run->name,
				       failed_map);
	if (r < 0)
		return log_error_errno(r, "%s: cannot clone the container's init: %m", run->name);
	run->pid = pid;
	run->born_in_cgroup = r > 0;
	if (s.cgroup_fd >= 0 && !run->born_in_cgroup)
		log_debug("%s: clone3(CLONE_INTO_CGROUP) refused, cloned plainly", run->name);
	run->command_w = TAKE_FD(cmd_w);
	run->status_r = TAKE_FD(st_r);
	run->idmap_peer = safe_close(run->idmap_peer);
	log_debug("%s: init cloned as pid %d (+%ld us)", run->name, (int)pid, elapsed_us(run));
	return 0;
}

/*
 * A setup step failed after the clone: close the command pipe without a
 * frame (init then exits without running anything), kill and reap it.
 */
static void run_abort_child(struct run *run)
{
	int wstatus;

	run->command_w = safe_close(run->command_w);
	(void)kill(run->pid, SIGKILL);
	(void)signal_wait_pid(run->pid, &wstatus);
	run->pid = 0;
}

/*
 * Handles the end of the status pipe: EOF without a frame means the exec
 * happened; a frame is init's failure, logged as one line. Returns the exit
 * code from the frame, or -1 when there was none.
 */
static int handle_status(struct run *run, const uint8_t *buf, size_t len)
{
	struct status st;

	if (len == 0) {
		char msg[64];

		log_debug("%s: command executed (+%ld us)", run->name, elapsed_us(run));
		/* With Notify=passthrough the container says when it is ready. */
		snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d", (int)getpid());
		if (!run->spec->notify_passthrough)
			run_notify(run, msg);
		return -1;
	}
	if (status_parse(buf, len, &st) < 0) {
		log_error("%s: init sent a malformed status (%zu bytes)", run->name, len);
		return EXIT_LAUNCHER_ERROR;
	}
	/* A command is looked up inside the container's own root: say which. */
	if (run->spec->rootfs &&
	    (st.exit_code == EXIT_NOT_FOUND || st.exit_code == EXIT_CANNOT_EXECUTE))
		log_error("%s: %s (in the root '%s')", run->name, st.message, run->spec->rootfs);
	else
		log_error("%s: %s", run->name, st.message);
	return st.exit_code;
}

/*
 * The poll() timeout in ms for a stop request: -1 without one (or with
 * StopTimeout=0, which waits forever), else the time left of StopTimeout=.
 */
static int stop_poll_timeout(const struct run *run)
{
	struct timespec now;
	long ms;

	if (run->stop_requests == 0 || run->spec->stop_timeout == 0 || run->stop_killed)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (run->stop_deadline.tv_sec - now.tv_sec) * 1000L +
	     (run->stop_deadline.tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms + 1;
}

/*
 * With Init=false: true when the command, PID 1 of its namespace, has no
 * handler for the stop signal, which the kernel then drops
 * (pid_namespaces(7)), or ignores it outright. Read before the signal is
 * forwarded (a dying process shows no handlers).
 */
static bool stop_signal_ignored(const struct run *run)
{
	int sig = run->spec->stop_signal;
	uint64_t bit, ignored, caught;

	if (run->spec->init || run->pid <= 0 || sig == SIGKILL || sig < 1 || sig > 64 ||
	    signal_proc_masks(run->pid, &ignored, &caught) < 0)
		return false;
	bit = 1ULL << (sig - 1);
	if (ignored & bit)
		return true;
	return (run->spec->namespaces & NS_PID) && !(caught & bit);
}

/*
 * True when SIGTERM or SIGINT (a stop request) waits in the signalfd: only
 * then is init's /proc status worth reading (not at every SIGCHLD).
 */
static bool stop_request_pending(void)
{
	sigset_t set;

	if (sigpending(&set) < 0)
		return true;
	return sigismember(&set, SIGTERM) == 1 || sigismember(&set, SIGINT) == 1;
}

/*
 * StopTimeout= ran out: SIGKILL init. Its PID namespace takes every other
 * process with it; without one, the teardown kills what is left in the
 * cgroup.
 */
static void stop_kill(struct run *run)
{
	log_warn("%s: still running %us after the stop request, killing it", run->name,
		 run->spec->stop_timeout);
	(void)kill(run->pid, SIGKILL);
	run->stop_killed = true;
}

/*
 * The pty's share of a poll round (@p: the socket, stdin, the master and
 * the SIGWINCH signalfd). Returns 0, or -errno after logging.
 */
static int run_supervise_tty(struct run *run, const struct pollfd *p)
{
	struct tty_relay *t = &run->tty;
	int r = 0;

	if (p[0].revents) {
		r = tty_relay_receive(t);
		if (r < 0)
			return log_error_errno(r, "%s: cannot set up the pty: %m", run->name);
	}
	if (p[3].revents)
		tty_relay_winch(t);
	if (p[1].revents && t->master >= 0) {
		r = tty_relay_input(t);
		if (r < 0 && r != -EIO)
			log_warn_errno(r, "%s: cannot copy the terminal to the pty: %m", run->name);
	}
	if (p[2].revents && t->master >= 0) {
		r = tty_relay_output(t);
		if (r < 0)
			log_warn_errno(r, "%s: cannot copy the pty to the terminal: %m", run->name);
	}
	return 0;
}

/*
 * Step 6 and 7: polls the signalfd and the status pipe until init's fate is
 * known and the child is reaped. Returns the launcher's exit status.
 */
static int run_supervise(struct run *run)
{
	uint8_t buf[PIPE_STATUS_MAX + 1];
	size_t len = 0;
	int frame_code = -1, wstatus = 0;
	bool reaped = false;

	while (!reaped || run->status_r >= 0) {
		struct tty_relay *t = &run->tty;
		struct pollfd p[6] = {
			/* Once reaped, only the status pipe matters (signals would spin). */
			{ .fd = reaped ? -EBADF : run->sfd, .events = POLLIN },
			{ .fd = run->status_r, .events = POLLIN },
			/* The pty: its master from init, both directions, window changes. */
			{ .fd = reaped ? -EBADF : t->sock, .events = POLLIN },
			{ .fd = reaped || t->master < 0 ? -EBADF : t->in, .events = POLLIN },
			{ .fd = reaped ? -EBADF : t->master, .events = POLLIN },
			{ .fd = reaped ? -EBADF : t->winch, .events = POLLIN },
		};
		int n =
		    poll(p, run->pty ? 6 : 2, reaped ? STATUS_DRAIN_MS : stop_poll_timeout(run));

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && !reaped) {
			stop_kill(run);
			continue;
		}
		if (n < 0) {
			log_error_errno(errno, "%s: cannot wait for the container: %m", run->name);
			run_abort_child(run);
			return EXIT_LAUNCHER_ERROR;
		}
		if (n == 0)
			break;
		/* First: the master comes before init's status frame, if any. */
		if (run->pty && run_supervise_tty(run, p + 2) < 0) {
			run_abort_child(run);
			return EXIT_LAUNCHER_ERROR;
		}
		if (p[1].revents) {
			ssize_t k = read(run->status_r, buf + len, sizeof(buf) - len);

			if (k < 0 && errno == EINTR)
				continue;
			if (k > 0)
				len += (size_t)k;
			/* EOF, an error, or more than any frame: the status is complete. */
			if (k <= 0 || len == sizeof(buf)) {
				/* A failure frame: its message on a terminal in its own modes. */
				if (len > 0 && run->pty)
					tty_relay_cooked(&run->tty);
				frame_code = handle_status(run, buf, len);
				run->status_r = safe_close(run->status_r);
			}
		}
		if (p[0].revents) {
			unsigned before = run->stop_requests;
			bool ignores =
			    before == 0 && stop_request_pending() && stop_signal_ignored(run);
			int r = signal_dispatch(run->sfd, run->pid, run->spec->stop_signal,
						&run->stop_requests, &wstatus);

			if (before == 0 && run->stop_requests > 0) {
				clock_gettime(CLOCK_MONOTONIC, &run->stop_deadline);
				run->stop_deadline.tv_sec += run->spec->stop_timeout;
				run_notify(run, "STOPPING=1");
				if (ignores)
					log_warn("%s: PID 1 ignores SIG%s; the stop waits for "
						 "StopTimeout=%us (set Init=true)",
						 run->name, sigabbrev_np(run->spec->stop_signal),
						 run->spec->stop_timeout);
			}

			if (r < 0) {
				log_error_errno(r, "%s: cannot read signals: %m", run->name);
				run_abort_child(run);
				return EXIT_LAUNCHER_ERROR;
			}
			if (r > 0) {
				reaped = true;
				run->pid = 0;
			}
		}
	}
	if (run->pty)
		tty_relay_drain(&run->tty);
	log_debug("%s: container exited (+%ld us)", run->name, elapsed_us(run));
	if (frame_code >= 0)
		return frame_code;
	if (run->stop_killed)
		return 128 + SIGKILL;
	return signal_exit_status(wstatus);
}

/*
 * Formats @bytes like a size key: an exact K/M/G/T multiple as "256M", else
 * with one decimal ("255.9M"), or plain bytes below 1K. Returns @buf.
 */
static const char *format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int i = -1;

	while (i + 1 < 4 && bytes >= 1024ULL << (10 * (i + 1)))
		i++;
	if (i < 0)
		snprintf(buf, size, "%" PRIu64, bytes);
	else if (bytes % (1024ULL << (10 * i)) == 0)
		snprintf(buf, size, "%" PRIu64 "%c", bytes >> (10 * (i + 1)), units[i]);
	else
		snprintf(buf, size, "%.1f%c", (double)bytes / (double)(1024ULL << (10 * i)),
			 units[i]);
	return buf;
}

/*
 * Says so at exit when the OOM killer killed the container (@status 137)
 * or a process in it, with Memory= and the peak the cgroup saw (@st, NULL
 * without a cgroup).
 */
static void run_report_oom(const struct run *run, int status, const struct cgroup_stats *st)
{
	char limit[32], peak[32];

	if (!st || st->oom_kills == 0)
		return;
	if (run->spec->memory_max >= SPEC_MEMORY_INFINITY)
		snprintf(limit, sizeof(limit), "max");
	else
		format_bytes(run->spec->memory_max, limit, sizeof(limit));
	if (st->memory_peak == UINT64_MAX)
		snprintf(peak, sizeof(peak), "unknown");
	else
		format_bytes(st->memory_peak, peak, sizeof(peak));
	if (status == 128 + SIGKILL)
		log_error("%s: killed by the OOM killer (Memory=%s, peak %s)", run->name, limit,
			  peak);
	else
		log_warn("%s: the OOM killer killed %" PRIu64 " process%s in it (Memory=%s, "
			 "peak %s)",
			 run->name, st->oom_kills, st->oom_kills == 1 ? "" : "es", limit, peak);
}

/*
 * --stats (and -v): one line of the resource use the cgroups recorded (@st,
 * NULL without a cgroup), or what is unavailable and why.
 */
static void run_report_stats(const struct run *run, const struct cgroup_stats *st)
{
	char mem[96], cpu[96];
	struct rusage ru;
	uint64_t reaped_ns = 0;

	if (!run->spec->stats)
		return;
	/*
	 * The launcher's only child is init, reaped by now; its rusage holds
	 * every process of the container that was reaped (by init, by the
	 * command, or by the kernel when PID 1 of the namespace exited). The
	 * fallback for CPU time where no cgroup counts it.
	 */
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		reaped_ns =
		    ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ULL +
		    ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ULL;
	if (!st)
		snprintf(mem, sizeof(mem), "unavailable (no cgroup: no limit is set)");
	else if (!st->has_memory)
		snprintf(mem, sizeof(mem), "unavailable (no memory cgroup)");
	else if (st->memory_peak == UINT64_MAX)
		snprintf(mem, sizeof(mem), "unavailable (the kernel does not record it)");
	else
		format_bytes(st->memory_peak, mem, sizeof(mem));
	if (st && st->has_cpuacct)
		snprintf(cpu, sizeof(cpu), "%" PRIu64 ".%03" PRIu64 "s", st->cpu_usage / 1000000000,
			 st->cpu_usage / 1000000 % 1000);
	else
		snprintf(cpu, sizeof(cpu),
			 "%" PRIu64 ".%03" PRIu64 "s (of the reaped processes: %s)",
			 reaped_ns / 1000000000, reaped_ns / 1000000 % 1000,
			 st ? "no cpuacct cgroup" : "no cgroup");
	log_always(LOG_LEVEL_INFO, "%s: stats: peak memory %s, CPU time %s", run->name, mem, cpu);
}

/* Step 8, on every path: the network (the container is gone), cgroups, then fds and signals. */
static void run_release(struct run *run)
{
	struct cgroup_error err = {};
	char msg[1024] = "";
	int r;

	if (run->net) {
		r = net_detach(TAKE_PTR(run->net), msg, sizeof(msg));
		if (r < 0)
			log_error("%s: %s (the next run on a CNI network retries the DEL)",
				  run->name, msg);
		else
			log_debug("%s: network detached (+%ld us)", run->name, elapsed_us(run));
	}
	run->net_plan = net_plan_free(run->net_plan);
	if (run->delegated) {
		r = userns_cgroup_prune(cgroup_spawn_fd(run->cg));
		if (r < 0)
			log_warn_errno(r, "%s: cannot remove the container's own sub-cgroups: %m",
				       run->name);
	}
	r = cgroup_teardown(run->cg, &err);
	if (r < 0)
		log_cgroup_error(r, &err);
	run->cg = cgroup_free(run->cg);
	r = userns_lease_release(&run->lease);
	if (r < 0)
		log_warn_errno(r, "%s: cannot release the user namespace range: %m, ignoring",
			       run->name);
	/* The caller's terminal modes back, on every path (a signal ends here too). */
	tty_relay_release(&run->tty);
	free(run->notify_socket);
	run->notify_socket = NULL;
	run->command_w = safe_close(run->command_w);
	run->status_r = safe_close(run->status_r);
	if (run->sfd >= 0) {
		run->sfd = safe_close(run->sfd);
		signal_restore(&run->saved);
	}
	log_debug("%s: cleaned up (+%ld us)", run->name, elapsed_us(run));
}

/*
 * Logs a network problem of @spec at the file:line of @key when a file set
 * it, else as a plain line naming the container. Returns -EINVAL.
 */
static int log_network_error(const struct container_spec *spec, enum spec_key key, const char *msg)
{
	const char *file = spec_origin_file(spec, key);
	const char *name = key == SPEC_KEY_PUBLISH_PORT ? "PublishPort" : "Network";

	if (file && spec->origin[key].line > 0)
		return log_syntax(file, spec->origin[key].line, LOG_LEVEL_ERROR, "%s: %s", name,
				  msg);
	log_error("%s: %s: %s", spec->name ? spec->name : "container", name, msg);
	return -EINVAL;
}

/*
 * The network plan of a CNI network, before anything is created: the list
 * is found and parses, and every plugin is in cni_path. *ret is NULL for
 * Network=none|host. Returns 0 or -errno (logged).
 */
static int network_plan(const struct container_spec *spec, struct net_plan **ret)
{
	char msg[1024] = "";
	const char *missing;
	int r;

	*ret = NULL;
	if (!spec_network_is_cni(spec))
		return 0;
	r = net_plan_build(spec, ret, msg, sizeof(msg));
	if (r == -ENOMEM)
		return log_error_errno(r, "out of memory");
	if (r < 0)
		return log_network_error(spec,
					 spec->n_ports > 0 && r == -EINVAL &&
						 strstr(msg, "portMappings")
					     ? SPEC_KEY_PUBLISH_PORT
					     : SPEC_KEY_NETWORK,
					 msg);
	missing = net_plan_missing(*ret);
	if (missing) {
		snprintf(msg, sizeof(msg), "network '%s': plugin '%s' not found in cni_path",
			 spec->network, missing);
		*ret = net_plan_free(*ret);
		return log_network_error(spec, SPEC_KEY_NETWORK, msg);
	}
	return 0;
}

/*
 * ADD, between the clone (the network namespace exists) and the start
 * barrier (the command starts with its network up). CNI_CONTAINERID is the
 * cgroup leaf name, "<name>-<launcher pid>". Returns 0 or -errno (logged).
 */
static int run_attach_network(struct run *run)
{
	_cleanup_free_ char *id = NULL;
	char msg[1024] = "";
	int r, swept;

	if (!run->net_plan)
		return 0;
	swept = net_sweep_stale();
	if (swept > 0)
		log_debug("%s: cleaned %d stale network entr%s", run->name, swept,
			  swept == 1 ? "y" : "ies");
	id = strdup_printf("%s-%d", run->name, (int)getpid());
	if (!id)
		return log_error_errno(-ENOMEM, "out of memory");
	r = net_attach(run->net_plan, run->spec, id, run->pid, &run->net, msg, sizeof(msg));
	if (r < 0) {
		log_error("%s: %s", run->name, msg);
		return r;
	}
	log_debug("%s: network '%s' attached, address %s (+%ld us)", run->name, run->spec->network,
		  net_run_address(run->net) ?: "none", elapsed_us(run));
	return 0;
}

/* The Limit*= keys that are set, as the setrlimit() calls init makes. */
static void command_add_rlimits(struct command *cmd, const struct container_spec *spec)
{
	for (int i = 0; i < _SPEC_RLIMIT_MAX; i++) {
		const struct spec_rlimit_value *v = &spec->rlimits[i];

		if (!v->set)
			continue;
		cmd->rlimits[cmd->n_rlimits++] = (struct command_rlimit){
			.resource = (uint32_t)spec_rlimit_resource((enum spec_rlimit)i),
			.soft = v->soft,
			.hard = v->hard,
		};
	}
}

/*
 * Logs a SeccompProfile= failure at the key's file:line (or the option that
 * set it). Returns @r.
 */
static int log_seccomp_error(const struct container_spec *spec, int r, const char *msg)
{
	const char *file = spec_origin_file(spec, SPEC_KEY_SECCOMP_PROFILE);
	const struct spec_origin *o = &spec->origin[SPEC_KEY_SECCOMP_PROFILE];

	if (file && o->line > 0)
		(void)log_syntax(file, o->line, LOG_LEVEL_ERROR, "SeccompProfile: %s", msg);
	else if (o->option)
		log_error("%s seccomp=: %s", o->option, msg);
	else
		log_error("SeccompProfile: %s", msg);
	return r;
}

/*
 * The seccomp program for the frame (none when unconfined), from the cache
 * when it is there. Returns 0 or -errno (logged at the key).
 */
static int run_prepare_seccomp(const struct container_spec *spec, struct command *cmd,
			       struct seccomp_program *prog)
{
	char err[1024] = "";
	int r;

	r = seccomp_prepare(spec, NULL, prog, err, sizeof(err));
	if (r < 0)
		return log_seccomp_error(spec, r, err[0] ? err : strerror(-r));
	cmd->seccomp_filter = (uint8_t *)prog->insns;
	cmd->seccomp_filter_len = prog->len * sizeof(*prog->insns);
	if (prog->insns)
		log_debug("seccomp: %zu instructions %s '%s'", prog->len,
			  prog->cached ? "read from" : "compiled, cached in",
			  prog->path[0] ? prog->path : "(not cached)");
	return 0;
}

int runtime_run(const struct container_spec *spec)
{
	struct run run = {
		.spec = spec,
		.name = spec->name ? spec->name : "container",
		.sfd = -EBADF,
		.command_w = -EBADF,
		.status_r = -EBADF,
		.idmap_w = -EBADF,
		.idmap_peer = -EBADF,
		.tty = TTY_RELAY_INIT,
		.pty = tty_wanted(spec->tty),
	};
	struct cgroup_error err = {};
	struct command cmd = {
		.argv = spec->argv,
		.env = spec->env,
		.clear_env = !spec->inherit_environment,
		.path = spec->path,
		.hostname = (char *)spec_hostname(spec),
		.namespaces = spec->namespaces,
		.tty = spec->tty,
		.no_new_privs = spec->no_new_privs,
		.init = spec->init,
		.cwd = spec->working_directory,
		.uid = spec->uid,
		.gid = spec->gid,
		.groups = spec->groups,
		.n_groups = spec->n_groups,
		.cap_bounding = spec->capabilities,
		.cap_ambient = spec->ambient_caps,
	};
	_cleanup_free_ struct sock_filter *seccomp_insns = NULL;
	struct seccomp_program seccomp = {};
	struct cgroup_stats stats;
	bool has_stats;
	int r, status = EXIT_LAUNCHER_ERROR;

	command_add_rlimits(&cmd, spec);
	clock_gettime(CLOCK_MONOTONIC, &run.start);
	/* In a user namespace of its own init holds every capability. */
	if (!spec_has_userns(spec)) {
		char names[512];

		if (caps_not_held(spec->capabilities, names, sizeof(names)))
			log_warn("%s: left out of the container's capabilities, as mdlaunch itself "
				 "does not hold them: %s",
				 run.name, names);
	}
	/* Plain data, before anything exists that would need undoing. */
	r = run_prepare_seccomp(spec, &cmd, &seccomp);
	seccomp_insns = seccomp.insns;
	if (r < 0)
		return EXIT_LAUNCHER_ERROR;
	log_debug("%s: seccomp ready (+%ld us)", run.name, elapsed_us(&run));
	if (runtime_dev_check(spec) < 0)
		return EXIT_LAUNCHER_ERROR;
	r = mount_plan_build(spec, &cmd.mounts);
	if (r < 0) {
		log_error_errno(r, "%s: cannot plan the container's mounts: %m", run.name);
		return EXIT_LAUNCHER_ERROR;
	}
	/* First, so that a signal during setup is forwarded or ends in a teardown. */
	run.sfd = signal_setup(&run.saved);
	if (run.sfd < 0) {
		log_error_errno(run.sfd, "cannot set up signal handling: %m");
		mount_plan_done(&cmd.mounts);
		return EXIT_LAUNCHER_ERROR;
	}
	/*
	 * The launcher is the service systemd watches; the container inherits
	 * our environment, so it sees NOTIFY_SOCKET only with Notify=passthrough.
	 */
	if (!isempty(getenv("NOTIFY_SOCKET"))) {
		run.notify_socket = strdup(getenv("NOTIFY_SOCKET"));
		if (!run.notify_socket) {
			log_error_errno(-ENOMEM, "%s: %m", run.name);
			goto out;
		}
		if (!spec->notify_passthrough)
			(void)unsetenv("NOTIFY_SOCKET");
	}

	r = network_plan(spec, &run.net_plan);
	if (r < 0)
		goto out;

	if (spec_has_userns(spec)) {
		r = userns_lease_take(spec, getpid(), &run.lease, &run.uid_map, &run.gid_map);
		if (r == -ENOSPC) {
			log_error("%s: UserNS=auto: no free range of %u ids is left", run.name,
				  spec->userns_size);
			goto out;
		}
		if (r < 0) {
			log_error_errno(r, "%s: cannot allocate a user namespace range: %m",
					run.name);
			goto out;
		}
		/* Validated: both maps hold id 0. */
		(void)spec_idmap_to_host(&run.uid_map, 0, &run.root_uid);
		(void)spec_idmap_to_host(&run.gid_map, 0, &run.root_gid);
		log_debug("%s: user namespace: uid 0 is host uid %u, gid 0 host gid %u (+%ld us)",
			  run.name, run.root_uid, run.root_gid, elapsed_us(&run));
	}

	r = rootfs_prepare(spec);
	if (r < 0)
		goto out;
	r = idmap_channel_open(&cmd.mounts, &run.idmap_w, &run.idmap_peer);
	if (r < 0) {
		log_error_errno(r, "%s: cannot create the idmapped-mount socket: %m", run.name);
		goto out;
	}
	r = cgroup_setup(spec, getpid(), &run.cg, &err);
	if (r < 0) {
		log_cgroup_error(r, &err);
		goto out;
	}
	log_debug("%s: cgroups ready (+%ld us)", run.name, elapsed_us(&run));

	r = run_spawn(&run);
	if (r < 0)
		goto out;
	r = run.born_in_cgroup ? 0 : cgroup_attach(run.cg, run.pid, &err);
	if (r < 0) {
		log_cgroup_error(r, &err);
		run_abort_child(&run);
		goto out;
	}
	r = run_attach_network(&run);
	if (r < 0) {
		run_abort_child(&run);
		goto out;
	}
	/* The address and name servers of the ADD, into the frame init has not read yet. */
	if (run.net && etc_files_update(&cmd.mounts, spec, run.net) < 0) {
		log_error_errno(-ENOMEM, "%s: out of memory", run.name);
		run_abort_child(&run);
		goto out;
	}

	/*
	 * cgroup v2 only (cgroup_spawn_fd() is the v2 leaf): v1 hierarchies are
	 * not delegated, each controller being a tree of its own.
	 */
	if (spec_has_userns(spec) && cgroup_spawn_fd(run.cg) >= 0) {
		r = userns_cgroup_delegate(cgroup_spawn_fd(run.cg), run.root_uid, run.root_gid);
		if (r < 0) {
			log_error_errno(
			    r, "%s: cannot delegate the cgroup to the container's root: %m",
			    run.name);
			run_abort_child(&run);
			goto out;
		}
		run.delegated = true;
	}

	/* After the maps: the launcher idmaps the volumes with init's user namespace. */
	r = idmap_send_mounts(run.idmap_w, run.pid, spec, &cmd.mounts);
	run.idmap_w = safe_close(run.idmap_w);
	if (r < 0) {
		run_abort_child(&run);
		goto out;
	}

	/*
	 * A stop (SIGTERM, SIGINT) during the setup, e.g. while the CNI plugins
	 * ran: the command is not started at all. Closing the pipe without a
	 * frame makes init exit; the teardown is the usual one.
	 */
	r = signal_take_stop_request();
	if (r > 0) {
		log_warn("%s: SIG%s before the command started, not starting it", run.name,
			 sigabbrev_np(r));
		run_abort_child(&run);
		status = 128 + r;
		goto out;
	}

	/* Writing the frame releases init: it reads to EOF before doing anything. */
	r = command_write(run.command_w, &cmd);
	if (r == -E2BIG) {
		log_error_errno(r,
				"%s: the command is too large for init (at most %u strings "
				"of %u bytes, %u bytes in all): %m",
				run.name, PIPE_STRINGS_MAX, PIPE_STRING_MAX, PIPE_COMMAND_MAX);
		run_abort_child(&run);
		goto out;
	}
	/* EPIPE: init died before reading; its status frame or exit status says why. */
	if (r < 0 && r != -EPIPE) {
		log_error_errno(r, "%s: cannot send the command to init: %m", run.name);
		run_abort_child(&run);
		goto out;
	}
	run.command_w = safe_close(run.command_w);
	log_debug("%s: command sent (+%ld us)", run.name, elapsed_us(&run));

	status = run_supervise(&run);
	/* The counters, once, before the teardown removes the cgroups. */
	has_stats = cgroup_stats(run.cg, run.spec->stats, &stats) >= 0;
	run_report_oom(&run, status, has_stats ? &stats : NULL);
	run_report_stats(&run, has_stats ? &stats : NULL);
out:
	run_release(&run);
	run.idmap_w = safe_close(run.idmap_w);
	run.idmap_peer = safe_close(run.idmap_peer);
	mount_plan_done(&cmd.mounts);
	return status;
}

/* The seccomp part of `show`: the profile, its default action, what it allows and refuses. */
static int show_seccomp(const struct container_spec *spec, FILE *f)
{
	struct seccomp_summary s;
	char err[1024] = "";
	int r;

	r = seccomp_summarize(spec, &s, err, sizeof(err));
	if (r < 0)
		return log_seccomp_error(spec, r, err[0] ? err : strerror(-r));
	if (s.unconfined) {
		fprintf(f, "%-12s unconfined (no filter)\n", "seccomp");
		return 0;
	}
	fprintf(f, "%-12s profile %s, default action %s, %u architecture%s\n", "seccomp", s.profile,
		s.default_action, s.arches, s.arches == 1 ? "" : "s");
	fprintf(f, "  %u system calls allowed (%u of them only with some arguments), %u refused",
		s.allowed, s.conditional, s.refused);
	if (s.skipped)
		fprintf(f, ", %u names unknown to libseccomp skipped", s.skipped);
	fprintf(f, "; loaded last before the exec\n");
	return 0;
}

int runtime_show_plan(const struct container_spec *spec, FILE *f)
{
	unsigned long flags = ns_spec_clone_flags(spec);
	struct cgroup_error err = {};
	struct mount_plan mounts = {};
	char names[256];
	int r;

	fprintf(f, "%-12s %s (0x%lx), re-executing /proc/self/exe init\n", "clone flags",
		ns_clone_flags_to_string(flags, names, sizeof(names)), flags);
	if (spec_network_is_cni(spec)) {
		_cleanup_(net_plan_freep) struct net_plan *plan = NULL;
		char msg[1024] = "";

		/* A missing plugin is shown (MISSING), not an error: check --host judges it. */
		r = net_plan_build(spec, &plan, msg, sizeof(msg));
		if (r == -ENOMEM)
			return log_error_errno(r, "out of memory");
		if (r < 0)
			return log_network_error(spec, SPEC_KEY_NETWORK, msg);
		net_plan_print(plan, spec, f);
	} else if (spec->network && streq(spec->network, SPEC_NETWORK_HOST))
		fprintf(f, "%-12s host (no network namespace: the host's interfaces)\n", "network");
	else
		fprintf(f, "%-12s none (a network namespace with only lo)\n", "network");
	if (spec->namespaces & NS_CGROUP)
		fprintf(f, "%-12s CLONE_NEWCGROUP, unshared by init once it is in its cgroups\n",
			"cgroupns");
	r = runtime_dev_check(spec);
	if (r < 0)
		return r;
	r = cgroup_show_plan(spec, f, &err);
	if (r < 0)
		return log_cgroup_error(r, &err);
	r = mount_plan_build(spec, &mounts);
	if (r < 0)
		return log_error_errno(r, "cannot plan the container's mounts: %m");
	fprintf(f, "%-12s %zu operation%s, in order:\n", "mounts", mounts.n_ops,
		mounts.n_ops == 1 ? "" : "s");
	mount_plan_print(&mounts, "  ", f);
	mount_plan_done(&mounts);
	return show_seccomp(spec, f);
}

char *runtime_network_json(const struct container_spec *spec)
{
	_cleanup_(net_plan_freep) struct net_plan *plan = NULL;

	char msg[1024] = "";
	int r;

	if (!spec_network_is_cni(spec))
		return strdup_printf("{\"network\":\"%s\"}",
				     spec->network ? spec->network : SPEC_NETWORK_NONE);
	r = net_plan_build(spec, &plan, msg, sizeof(msg));
	if (r == -ENOMEM)
		log_error_errno(r, "out of memory");
	else if (r < 0)
		log_network_error(spec, SPEC_KEY_NETWORK, msg);
	return r < 0 ? NULL : net_plan_to_json(plan, spec);
}

int runtime_describe_host(FILE *f)
{
	struct cgroup_error err = {};
	int r;

	r = cgroup_describe_host(f, &err);
	if (r < 0)
		return log_cgroup_error(r, &err);
	return 0;
}
