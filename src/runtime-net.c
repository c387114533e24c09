/* SPDX-License-Identifier: MIT */
/*
 * runtime-net.c: runs a network plan (net-cni.c) for one container, on the
 * launcher's side, between the clone and the start barrier (ADD) and after
 * the container exited (DEL). CNI spec 1.0:
 *
 *   pin /proc/PID/ns/net at /run/mdlaunch/netns/ID (a bind mount: the bridge
 *   plugin's DEL reads the address from the namespace after the command is
 *   gone) -> cache entry /run/mdlaunch/net/ID.json (locked while the launcher
 *   lives) -> ADD plugin 1..n, each with the list's cniVersion and name,
 *   runtimeConfig for its capabilities, the previous result -> cache the
 *   result -> ... the container runs and exits ... -> DEL n..1 with the
 *   result -> unpin -> remove the entry.
 *
 * A launcher killed in between leaves an unlocked entry; the stale sweep of
 * the next run on a CNI network runs its DEL from what the entry says.
 */
#include "runtime-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "net-cni.h"
#include "spec.h"
#include "util.h"

/* What a plugin may print; more is cut (and then not valid JSON). */
#define PLUGIN_OUTPUT_MAX (1024 * 1024)
#define CACHE_FILE_MAX	  (4 * 1024 * 1024)
#define CACHE_KIND	  "mdlaunch-cni-cache-v1"
/* Tries of a teardown step (waitpid, umount2, unlink) and of the DEL chain. */
#define TEARDOWN_ATTEMPTS 3
#define DEL_ATTEMPTS	  2

struct net_run {
	json_t *list;		/* the network list as ADD used it */
	json_t *runtime_config; /* capability -> value (portMappings) */
	json_t *result;		/* the final ADD result, NULL before (or without) one */
	char *network;		/* Network= name, for messages */
	char **cni_path;
	unsigned timeout;
	char *container_id;
	char *netns_path;
	char *cache_path;
	int lock_fd; /* the cache entry, flock()ed while this launcher lives */
	bool pinned;
	char address[INET6_ADDRSTRLEN];
};

_printf_(4, 5) static int net_error(int r, char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (msg && msg[0])
		return r; /* the first error is the one to tell */
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return r;
}

static struct net_run *net_run_free(struct net_run *n)
{
	if (!n)
		return NULL;
	json_decref(n->list);
	json_decref(n->runtime_config);
	json_decref(n->result);
	free(n->network);
	strv_free(n->cni_path);
	free(n->container_id);
	free(n->netns_path);
	free(n->cache_path);
	safe_close(n->lock_fd);
	free(n);
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* One plugin call */

/* Reads what is there of @fd into @buf (growing it up to PLUGIN_OUTPUT_MAX); false at EOF. */
static bool drain(int fd, char **buf, size_t *len)
{
	char chunk[8192];
	ssize_t k = read(fd, chunk, sizeof(chunk));

	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (k <= 0)
		return false;
	if (*len + (size_t)k <= PLUGIN_OUTPUT_MAX) {
		char *nb = realloc(*buf, *len + (size_t)k + 1);

		if (!nb)
			return true; /* keep draining, the output is lost */
		memcpy(nb + *len, chunk, (size_t)k);
		*len += (size_t)k;
		nb[*len] = '\0';
		*buf = nb;
	}
	return true;
}

static long ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000L +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000L;
}

struct plugin_call {
	const char *command; /* ADD or DEL */
	const char *type;
	json_t *config; /* stdin */
	char *out;	/* stdout, NUL-terminated (owned) */
	char *err;	/* stderr */
	int wstatus;
	bool timed_out;
};

/*
 * Waits for the plugin @pid. A failure other than ECHILD is retried a few
 * times (a plugin left unreaped would leave its DEL or ADD unjudged); then
 * the plugin is killed and reaped once more. Returns 0 or -errno.
 */
static int reap(pid_t pid, int *wstatus)
{
	int r = 0;

	for (int attempt = 0; attempt < TEARDOWN_ATTEMPTS + 1; attempt++) {
		if (RETRY_EINTR(waitpid(pid, wstatus, 0)) == pid)
			return 0;
		r = -errno;
		if (r == -ECHILD)
			return r;
		if (attempt == TEARDOWN_ATTEMPTS - 1) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
		}
	}
	return r;
}

/*
 * Runs the plugin binary @path for @n with @call's command and config on
 * stdin, collecting stdout and stderr, killing its process group when
 * n->timeout runs out. The launcher's blocked signals are unblocked and
 * every disposition reset for the plugin. Returns 0 (the call ran; see
 * wstatus) or -errno (it could not be started).
 */
static int plugin_run(struct net_run *n, const char *path, struct plugin_call *call)
{
	_cleanup_close_ int in = -EBADF, out_r = -EBADF, out_w = -EBADF, err_r = -EBADF,
			    err_w = -EBADF;
	_cleanup_free_ char *text = NULL, *e_cmd = NULL, *e_id = NULL, *e_ns = NULL, *e_path = NULL,
			    *e_cnipath = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec deadline;
	size_t out_len = 0, err_len = 0, cp_len = 1;
	sigset_t none, all;
	char *argv[2] = { (char *)call->type, NULL };
	int fds[2], r;
	pid_t pid;

	text = json_dumps(call->config, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	in = memfd_create("cni-config", MFD_CLOEXEC);
	if (in < 0)
		return -errno;
	if (write(in, text, strlen(text)) != (ssize_t)strlen(text) || lseek(in, 0, SEEK_SET) < 0)
		return -EIO;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	out_r = fds[0];
	out_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	err_r = fds[0];
	err_w = fds[1];

	for (char **d = n->cni_path; d && *d; d++)
		cp_len += strlen(*d) + 1;
	e_cnipath = calloc(1, cp_len + strlen("CNI_PATH="));
	if (!e_cnipath)
		return -ENOMEM;
	strcpy(e_cnipath, "CNI_PATH=");
	for (char **d = n->cni_path; d && *d; d++) {
		if (d != n->cni_path)
			strcat(e_cnipath, ":");
		strcat(e_cnipath, *d);
	}
	e_cmd = strdup_printf("CNI_COMMAND=%s", call->command);
	e_id = strdup_printf("CNI_CONTAINERID=%s", n->container_id);
	e_ns = strdup_printf("CNI_NETNS=%s", n->netns_path);
	/* The plugins run iptables and friends through PATH. */
	e_path =
	    strdup_printf("PATH=%s", !isempty(getenv("PATH")) ? getenv("PATH") : SPEC_DEFAULT_PATH);
	if (!e_cmd || !e_id || !e_ns || !e_path)
		return -ENOMEM;
	char *envp[] = { e_cmd,	      e_id,	 e_ns,	 "CNI_IFNAME=" NET_IFNAME,
			 "CNI_ARGS=", e_cnipath, e_path, NULL };

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	r = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return -r;
	out_w = safe_close(out_w);
	err_w = safe_close(err_w);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += n->timeout;
	while (out_r >= 0 || err_r >= 0) {
		struct pollfd p[2] = { { .fd = out_r, .events = POLLIN },
				       { .fd = err_r, .events = POLLIN } };
		long ms = ms_until(&deadline);
		int k;

		if (ms <= 0) {
			call->timed_out = true;
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			break;
		}
		k = poll(p, 2, (int)ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		if (p[0].revents && !drain(out_r, &call->out, &out_len))
			out_r = safe_close(out_r);
		if (p[1].revents && !drain(err_r, &call->err, &err_len))
			err_r = safe_close(err_r);
	}
	r = reap(pid, &call->wstatus);
	if (r < 0)
		return r;
	/* A plugin's helpers (iptables) left in its group when it timed out. */
	if (call->timed_out)
		(void)kill(-pid, SIGKILL);
	return 0;
}

/* The first line of @s (at most 200 bytes) into @buf, for messages. */
static const char *first_line(const char *s, char *buf, size_t size)
{
	size_t n;

	if (!s)
		s = "";
	s += strspn(s, " \t\r\n");
	n = strcspn(s, "\r\n");
	if (n > 200)
		n = 200;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Words a failed call as one line naming network and plugin, from the
 * spec's error object ({code, msg, details}) on stdout when there is one.
 */
static int call_error(const struct net_run *n, const struct plugin_call *call, char *msg,
		      size_t size)
{
	json_t *e = call->out ? json_loads(call->out, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(e, "msg"));
	const char *details = json_string_value(json_object_get(e, "details"));
	json_int_t code = json_integer_value(json_object_get(e, "code"));
	char line[256];

	if (call->timed_out)
		net_error(-ETIMEDOUT, msg, size,
			  "network '%s': plugin '%s' %s timed out after %us (killed; "
			  "cni_timeout in mdlaunch.conf)",
			  n->network, call->type, call->command, n->timeout);
	else if (m)
		net_error(-EIO, msg, size,
			  "network '%s': plugin '%s' %s failed: %s%s%s%s (code %lld)", n->network,
			  call->type, call->command, m, details && *details ? " (" : "",
			  details && *details ? details : "", details && *details ? ")" : "",
			  (long long)code);
	else if (WIFSIGNALED(call->wstatus))
		net_error(-EIO, msg, size, "network '%s': plugin '%s' %s killed by signal %d%s%s",
			  n->network, call->type, call->command, WTERMSIG(call->wstatus),
			  call->err && *call->err ? ": " : "",
			  first_line(call->err, line, sizeof(line)));
	else
		net_error(-EIO, msg, size, "network '%s': plugin '%s' %s failed (exit %d)%s%s",
			  n->network, call->type, call->command, WEXITSTATUS(call->wstatus),
			  call->err && *call->err ? ": " : "",
			  first_line(call->err ? call->err : call->out, line, sizeof(line)));
	json_decref(e);
	return call->timed_out ? -ETIMEDOUT : -EIO;
}

/*
 * The execution configuration of plugin @i (spec 1.0, "Deriving execution
 * configuration"): the plugin's object with cniVersion and name of the
 * list, runtimeConfig for each capability it declares and we have, no
 * "capabilities", and @prev as prevResult when not NULL. NULL on OOM.
 */
static json_t *derive_config(const struct net_run *n, size_t i, json_t *prev)
{
	json_t *plugin = json_array_get(json_object_get(n->list, "plugins"), i);
	json_t *caps = json_object_get(plugin, "capabilities");
	json_t *c = json_deep_copy(plugin), *rc = json_object(), *v;
	const char *cap;

	if (!c || !rc) {
		json_decref(c);
		json_decref(rc);
		return NULL;
	}
	json_object_del(c, "capabilities");
	json_object_set(c, "cniVersion", json_object_get(n->list, "cniVersion"));
	json_object_set(c, "name", json_object_get(n->list, "name"));
	json_object_foreach(caps, cap, v)
	{
		json_t *value = json_object_get(n->runtime_config, cap);

		if (json_is_true(v) && value)
			json_object_set(rc, cap, value);
	}
	if (json_object_size(rc) > 0)
		json_object_set(c, "runtimeConfig", rc);
	else
		json_object_del(c, "runtimeConfig");
	json_decref(rc);
	if (prev)
		json_object_set(c, "prevResult", prev);
	return c;
}

/*
 * Runs @command through plugin @i with @prev as prevResult. On success
 * *ret_result is the parsed stdout (NULL when empty, as DEL prints nothing).
 * Returns 0 or -errno with @msg filled.
 */
static int plugin_call(struct net_run *n, size_t i, const char *command, json_t *prev,
		       json_t **ret_result, char *msg, size_t size)
{
	json_t *plugin = json_array_get(json_object_get(n->list, "plugins"), i);
	struct plugin_call call = {
		.command = command,
		.type = json_string_value(json_object_get(plugin, "type")),
	};
	_cleanup_free_ char *path = NULL;
	json_t *result = NULL;
	struct timespec t0;
	int r;

	for (char **d = n->cni_path; d && *d && !path; d++) {
		path = strdup_printf("%s/%s", *d, call.type);
		if (path && access(path, X_OK) < 0) {
			free(path);
			path = NULL;
		}
	}
	if (!path)
		return net_error(-ENOENT, msg, size,
				 "network '%s': plugin '%s' not found in cni_path", n->network,
				 call.type);
	call.config = derive_config(n, i, prev);
	if (!call.config)
		return net_error(-ENOMEM, msg, size, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = plugin_run(n, path, &call);
	log_debug("network '%s': plugin '%s' %s took %ld us", n->network, call.type, command,
		  -ms_until(&t0) * 1000L);
	if (r < 0)
		r = net_error(r, msg, size, "network '%s': cannot run plugin '%s': %s", n->network,
			      call.type, strerror(-r));
	else if (call.timed_out || !WIFEXITED(call.wstatus) || WEXITSTATUS(call.wstatus) != 0)
		r = call_error(n, &call, msg, size);
	else if (call.out && call.out[strspn(call.out, " \t\r\n")]) {
		json_error_t jerr;

		result = json_loads(call.out, 0, &jerr);
		if (!json_is_object(result))
			r = net_error(-EIO, msg, size,
				      "network '%s': plugin '%s' %s printed no JSON result: %s",
				      n->network, call.type, command, jerr.text);
	} else if (streq(command, "ADD"))
		r = net_error(-EIO, msg, size, "network '%s': plugin '%s' ADD printed no result",
			      n->network, call.type);
	if (call.err && *call.err)
		log_debug("network '%s': plugin '%s' %s said: %s", n->network, call.type, command,
			  call.err);
	json_decref(call.config);
	free(call.out);
	free(call.err);
	if (r < 0) {
		json_decref(result);
		return r;
	}
	*ret_result = result;
	return 0;
}

/* DEL through every plugin in reverse; continues after a failure, keeps the first message. */
static int chain_del_once(struct net_run *n, char *msg, size_t size)
{
	size_t count = json_array_size(json_object_get(n->list, "plugins"));
	int ret = 0;

	for (size_t i = count; i-- > 0;) {
		json_t *out = NULL;
		int r = plugin_call(n, i, "DEL", n->result, &out, msg, size);

		json_decref(out);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/*
 * DEL through the chain, the whole chain again after a failure (the spec
 * makes DEL idempotent: a plugin that already cleaned up succeeds), up to
 * DEL_ATTEMPTS times. @msg gets the last attempt's first error.
 */
static int chain_del(struct net_run *n, char *msg, size_t size)
{
	int r = 0;

	for (int attempt = 0; attempt < DEL_ATTEMPTS; attempt++) {
		if (msg && size > 0)
			msg[0] = '\0';
		r = chain_del_once(n, msg, size);
		if (r >= 0)
			break;
		log_debug("network '%s': DEL attempt %d failed: %s", n->network, attempt + 1,
			  msg && msg[0] ? msg : strerror(-r));
	}
	return r;
}

/* ------------------------------------------------------------------------- */
/* The namespace pin and the cache entry */

static int mkdir_p(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

static int ensure_dirs(void)
{
	int r = mkdir_p(NET_RUN_DIR, 0711);

	if (r >= 0)
		r = mkdir_p(NET_NETNS_DIR, 0711);
	if (r >= 0)
		r = mkdir_p(NET_CACHE_DIR, 0700);
	return r;
}

/*
 * Removes the pin: the bind mount, then the file; each step retried. Returns
 * 0, or -errno when the pin is still there (the entry must stay for a sweep).
 */
static int netns_unpin(struct net_run *n)
{
	int r = 0;

	for (int attempt = 0; attempt < TEARDOWN_ATTEMPTS; attempt++) {
		/* EINVAL: not (or no longer) a mount point; ENOENT: no file. */
		if (umount2(n->netns_path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
		    errno != ENOENT) {
			r = -errno;
			continue;
		}
		if (unlink(n->netns_path) < 0 && errno != ENOENT) {
			r = -errno;
			continue;
		}
		n->pinned = false;
		return 0;
	}
	return r;
}

/* Keeps the network namespace of @pid alive at n->netns_path (a bind mount over a file). */
static int netns_pin(struct net_run *n, pid_t pid)
{
	char source[64];
	int fd;

	snprintf(source, sizeof(source), "/proc/%d/ns/net", (int)pid);
	fd = open(n->netns_path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return -errno;
	(void)close(fd);
	if (mount(source, n->netns_path, NULL, MS_BIND, NULL) < 0) {
		int r = -errno;

		(void)netns_unpin(n);
		return r;
	}
	n->pinned = true;
	return 0;
}

/* Everything DEL needs, for this launcher and for a sweep after its death. */
static json_t *cache_to_json(const struct net_run *n)
{
	json_t *paths = json_array();

	for (char **d = n->cni_path; paths && d && *d; d++)
		json_array_append_new(paths, json_string(*d));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:i, s:O, s:O?}", "kind", CACHE_KIND,
			 "containerId", n->container_id, "ifName", NET_IFNAME, "netns",
			 n->netns_path, "network", n->network, "list", n->list, "cniPath", paths,
			 "timeout", (int)n->timeout, "runtimeConfig", n->runtime_config, "result",
			 n->result);
}

/* Rewrites the entry in place (the lock stays on its inode). */
static int cache_write(struct net_run *n)
{
	_cleanup_free_ char *text = NULL;
	json_t *o = cache_to_json(n);
	size_t len;

	if (!o)
		return -ENOMEM;
	text = json_dumps(o, JSON_INDENT(1));
	json_decref(o);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (pwrite(n->lock_fd, text, len, 0) != (ssize_t)len)
		return -EIO;
	if (ftruncate(n->lock_fd, (off_t)len) < 0)
		return -errno;
	return 0;
}

/*
 * Creates the entry under a hidden name, locks it, writes it and renames it
 * into place: a sweep never sees an entry that is not locked yet. A sweep can
 * take the hidden file in the moment between its creation and our lock (it
 * looks like one left by a killed launcher); we then hold the lock of an
 * unlinked file, see st_nlink == 0, and create it again.
 */
static int cache_create(struct net_run *n)
{
	_cleanup_free_ char *tmp = strdup_printf(NET_CACHE_DIR "/.%s.tmp", n->container_id);
	bool placed = false;
	struct stat st;
	int r;

	if (!tmp)
		return -ENOMEM;
	for (int attempt = 0; attempt < TEARDOWN_ATTEMPTS && !placed; attempt++) {
		n->lock_fd = safe_close(n->lock_fd);
		n->lock_fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (n->lock_fd < 0)
			return -errno;
		if (flock(n->lock_fd, LOCK_EX) < 0 || fstat(n->lock_fd, &st) < 0) {
			r = -errno;
			(void)unlink(tmp);
			return r;
		}
		placed = st.st_nlink > 0;
	}
	if (!placed)
		return -EBUSY;
	r = cache_write(n);
	if (r >= 0 && rename(tmp, n->cache_path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

/* Removes the entry (retried) and drops its lock. Returns 0 or -errno (the entry is left). */
static int cache_remove(struct net_run *n)
{
	int r = 0;

	for (int attempt = 0; attempt < TEARDOWN_ATTEMPTS; attempt++) {
		if (unlink(n->cache_path) == 0 || errno == ENOENT) {
			r = 0;
			break;
		}
		r = -errno;
	}
	n->lock_fd = safe_close(n->lock_fd);
	return r;
}

/*
 * The whole teardown of an attached network: DEL, the pin, the entry. A step
 * that still fails after its retries leaves the entry (unlocked once this
 * launcher is gone), so that the next run's sweep finishes the job. Returns 0
 * or -errno with @msg set.
 */
static int net_teardown(struct net_run *n, char *msg, size_t size)
{
	int r = chain_del(n, msg, size);

	if (r < 0)
		return r;
	r = netns_unpin(n);
	if (r < 0)
		return net_error(r, msg, size, "network '%s': cannot remove the pin '%s': %s",
				 n->network, n->netns_path, strerror(-r));
	r = cache_remove(n);
	if (r < 0)
		return net_error(r, msg, size, "network '%s': cannot remove '%s': %s", n->network,
				 n->cache_path, strerror(-r));
	return 0;
}

/* The first address of the result ("10.89.0.2"), into n->address. */
static void note_address(struct net_run *n)
{
	json_t *ips = json_object_get(n->result, "ips");
	const char *a = json_string_value(json_object_get(json_array_get(ips, 0), "address"));
	size_t k;

	n->address[0] = '\0';
	if (!a)
		return;
	k = strcspn(a, "/");
	if (k < sizeof(n->address)) {
		memcpy(n->address, a, k);
		n->address[k] = '\0';
	}
}

/* The portMappings of PublishPort=, one entry per port of a range. */
static json_t *port_mappings(const struct container_spec *spec)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < spec->n_ports; i++) {
		const struct spec_port *p = &spec->ports[i];

		for (unsigned k = 0; k < p->count; k++) {
			json_t *m = json_pack("{s:i, s:i, s:s}", "hostPort", p->host_port + k,
					      "containerPort", p->container_port + k, "protocol",
					      p->protocol);

			if (m && p->host_ip[0])
				json_object_set_new(m, "hostIP", json_string(p->host_ip));
			json_array_append_new(a, m);
		}
	}
	return a;
}

int net_attach(const struct net_plan *plan, const struct container_spec *spec,
	       const char *container_id, pid_t pid, struct net_run **ret, char *msg, size_t size)
{
	struct net_run *n;
	size_t count;
	int r;

	n = calloc(1, sizeof(*n));
	if (!n)
		return net_error(-ENOMEM, msg, size, "out of memory");
	n->lock_fd = -EBADF;
	n->list = json_incref(plan->list);
	n->runtime_config = json_object();
	n->network = strdup(plan->network);
	n->cni_path = strv_copy(plan->cni_path);
	n->timeout = plan->timeout;
	n->container_id = strdup(container_id);
	n->netns_path = strdup_printf(NET_NETNS_DIR "/%s", container_id);
	n->cache_path = strdup_printf(NET_CACHE_DIR "/%s.json", container_id);
	if (!n->runtime_config || !n->network || !n->cni_path || !n->container_id ||
	    !n->netns_path || !n->cache_path) {
		net_run_free(n);
		return net_error(-ENOMEM, msg, size, "out of memory");
	}
	if (spec->n_ports > 0)
		json_object_set_new(n->runtime_config, "portMappings", port_mappings(spec));

	r = ensure_dirs();
	if (r < 0) {
		net_run_free(n);
		return net_error(r, msg, size, "cannot create " NET_CACHE_DIR ": %s", strerror(-r));
	}
	r = cache_create(n);
	if (r < 0) {
		net_error(r, msg, size, "cannot write '%s': %s", n->cache_path, strerror(-r));
		net_run_free(n);
		return r;
	}
	r = netns_pin(n, pid);
	if (r < 0) {
		(void)cache_remove(n);
		net_run_free(n);
		return net_error(r, msg, size, "cannot pin the network namespace at '%s': %s",
				 n->netns_path, strerror(-r));
	}

	count = json_array_size(json_object_get(n->list, "plugins"));
	for (size_t i = 0; i < count; i++) {
		json_t *result = NULL;

		r = plugin_call(n, i, "ADD", n->result, &result, msg, size);
		if (r < 0)
			break;
		json_decref(n->result);
		n->result = result;
	}
	if (r >= 0)
		r = cache_write(n) < 0
			? net_error(-EIO, msg, size, "cannot write '%s'", n->cache_path)
			: 0;
	if (r < 0) {
		char del_msg[512] = "";

		/* Spec: DEL after a failed ADD, through the whole list, without a result. */
		json_decref(n->result);
		n->result = NULL;
		/* One line: the ADD's error, then what is left for the next run. */
		if (net_teardown(n, del_msg, sizeof(del_msg)) < 0 && msg && size > 0) {
			size_t len = strlen(msg);

			snprintf(msg + len, size - len,
				 "; cleaning up failed too (%s), the next run retries it", del_msg);
		}
		net_run_free(n); /* when kept, the entry is unlocked now: the sweep's */
		return r;
	}
	note_address(n);
	*ret = n;
	return 0;
}

int net_detach(struct net_run *n, char *msg, size_t size)
{
	int r;

	if (!n)
		return 0;
	r = net_teardown(n, msg, size);
	net_run_free(n);
	return r;
}

const char *net_run_address(const struct net_run *n)
{
	return n && n->address[0] ? n->address : NULL;
}

/* ------------------------------------------------------------------------- */
/* The stale sweep */

/* Loads an entry (@fd, at @path) into a net_run that DEL can use; NULL when unusable. */
static struct net_run *cache_load(int fd, const char *path)
{
	_cleanup_free_ char *text = NULL;
	struct net_run *n;
	json_t *o, *paths, *v;
	const char *id, *netns, *network;
	size_t i;

	struct stat st;
	ssize_t k;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > CACHE_FILE_MAX)
		return NULL;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return NULL;
	k = pread(fd, text, (size_t)st.st_size, 0);
	if (k != st.st_size)
		return NULL;
	text[k] = '\0';
	o = json_loads(text, 0, NULL);
	id = json_string_value(json_object_get(o, "containerId"));
	netns = json_string_value(json_object_get(o, "netns"));
	network = json_string_value(json_object_get(o, "network"));
	paths = json_object_get(o, "cniPath");
	if (!json_is_object(o) ||
	    !streq(json_string_value(json_object_get(o, "kind")) ?: "", CACHE_KIND) || !id ||
	    !netns || !network || !json_is_array(paths) ||
	    !json_is_object(json_object_get(o, "list"))) {
		json_decref(o);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		json_decref(o);
		return NULL;
	}
	n->lock_fd = -EBADF;
	n->list = json_incref(json_object_get(o, "list"));
	n->runtime_config = json_incref(json_object_get(o, "runtimeConfig"));
	if (!n->runtime_config)
		n->runtime_config = json_object();
	v = json_object_get(o, "result");
	n->result = json_is_object(v) ? json_incref(v) : NULL;
	n->timeout = (unsigned)json_integer_value(json_object_get(o, "timeout"));
	if (n->timeout == 0 || n->timeout > SPEC_CNI_TIMEOUT_MAX)
		n->timeout = SPEC_CNI_TIMEOUT_DEFAULT;
	n->network = strdup(network);
	n->container_id = strdup(id);
	n->netns_path = strdup(netns);
	n->cache_path = strdup(path);
	json_array_foreach(paths, i, v) if (json_is_string(v))(void)
	    strv_extend(&n->cni_path, json_string_value(v));
	json_decref(o);
	if (!n->network || !n->container_id || !n->netns_path || !n->cache_path || !n->cni_path)
		return net_run_free(n);
	return n;
}

int net_sweep_stale(void)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int cleaned = 0;

	dir = opendir(NET_CACHE_DIR);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -EBADF;
		size_t len = strlen(de->d_name);
		struct net_run *n;
		struct stat st;
		char msg[1024] = "";

		if (de->d_name[0] == '.' && len > 4 && streq(de->d_name + len - 4, ".tmp")) {
			/* A launcher killed before its entry was in place: nothing else was done.
			 */
			fd = openat(dirfd(dir), de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
				(void)unlinkat(dirfd(dir), de->d_name, 0);
			continue;
		}
		if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".json"))
			continue;
		path = strdup_printf(NET_CACHE_DIR "/%s", de->d_name);
		if (!path)
			break;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		/* Locked: its launcher lives. Unlinked meanwhile: another sweep had it. */
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 ||
		    st.st_nlink == 0)
			continue;
		n = cache_load(fd, path);
		if (!n) {
			log_warn("removing the unreadable network cache entry '%s'", path);
			(void)unlink(path);
			continue;
		}
		n->lock_fd = TAKE_FD(fd);
		log_info("network '%s': cleaning up after the killed launcher of '%s'", n->network,
			 n->container_id);
		if (net_teardown(n, msg, sizeof(msg)) < 0) {
			log_warn("stale network entry '%s': %s (kept, retried by the next run)",
				 path, msg);
			net_run_free(n);
			continue;
		}
		net_run_free(n);
		cleaned++;
	}
	return cleaned;
}

/* ------------------------------------------------------------------------- */
/* /etc files of a container: resolv.conf, hosts, hostname */

/* Creates or replaces @name in @dirfd (mode 0644) with @len bytes of @text. */
static int write_new_file(int dirfd, const char *name, const char *text, size_t len)
{
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return -EIO;
	return 0;
}

static bool is_loopback_server(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || streq(a, "::1");
}

/*
 * Copies the resolv.conf at @path to @f, without its loopback name servers
 * when @drop_loopback. Returns the number of name servers copied, or -errno
 * when the file cannot be read (nothing is written then).
 */
static int copy_resolv_conf(FILE *f, const char *path, bool drop_loopback)
{
	_cleanup_free_ char *text = NULL;
	int r, servers = 0;

	r = read_file_at(AT_FDCWD, path, 64 * 1024, &text);
	if (r < 0)
		return r;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char server[128];
		bool is_server = sscanf(line, " nameserver %127s", server) == 1;

		if (is_server && drop_loopback && is_loopback_server(server))
			continue;
		fprintf(f, "%s\n", line);
		servers += is_server;
	}
	return servers;
}

/*
 * Copies the search, domain and options lines of the resolv.conf at @path to
 * @f, in their order, without search and domain when @skip_search (the name
 * servers around them are replaced, as podman does with DNS=). A file that
 * cannot be read adds nothing.
 */
static void copy_resolv_options(FILE *f, const char *path, bool skip_search)
{
	_cleanup_free_ char *text = NULL;

	if (read_file_at(AT_FDCWD, path, 64 * 1024, &text) < 0)
		return;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char word[16];
		bool search;

		if (sscanf(line, " %15s", word) != 1)
			continue;
		search = streq(word, "search") || streq(word, "domain");
		if ((search && !skip_search) || streq(word, "options"))
			fprintf(f, "%s\n", line);
	}
}

/*
 * The resolv.conf of the container into @f. Name servers from DNS= (with the
 * host's search, domain and options lines, the CNI result's search domains
 * replacing the host's), else the CNI result's (with its search domains),
 * else the host's: as they are
 * when the container shares the host's network; in a network namespace of
 * its own without the loopback servers (a 127.0.0.53 stub resolver is not
 * there), then systemd-resolved's upstream list, then public servers, as
 * podman does.
 */
static void etc_resolv_conf(FILE *f, const struct container_spec *spec, const struct net_run *n,
			    const char *host_resolv, const char *upstream_resolv)
{
	json_t *dns = n ? json_object_get(n->result, "dns") : NULL;
	bool own_netns = spec->namespaces & NS_NET;
	bool any = false;
	json_t *v;
	size_t i;

	fputs("# generated by mdlaunch\n", f);
	for (char **d = spec->dns; d && *d; d++) {
		fprintf(f, "nameserver %s\n", *d);
		any = true;
	}
	if (!any)
		json_array_foreach(json_object_get(dns, "nameservers"), i, v)
		{
			if (json_is_string(v)) {
				fprintf(f, "nameserver %s\n", json_string_value(v));
				any = true;
			}
		}
	if (any) {
		json_t *search = json_object_get(dns, "search");
		bool cni_search = json_array_size(search) > 0;

		if (cni_search) {
			fputs("search", f);
			json_array_foreach(search, i, v) if (json_is_string(v))
			    fprintf(f, " %s", json_string_value(v));
			fputc('\n', f);
		}
		if (spec->dns && spec->dns[0])
			copy_resolv_options(f, host_resolv, cni_search);
		return;
	}
	if (copy_resolv_conf(f, host_resolv, own_netns) > 0 || !own_netns)
		return;
	if (upstream_resolv && copy_resolv_conf(f, upstream_resolv, true) > 0)
		return;
	fputs("nameserver " NET_FALLBACK_DNS1 "\nnameserver " NET_FALLBACK_DNS2 "\n", f);
}

/* The hosts file of the container into @f: localhost, AddHost= entries, its own name. */
static void etc_hosts(FILE *f, const struct container_spec *spec, const struct net_run *n)
{
	const char *name = spec->name ? spec->name : "";
	const char *address = net_run_address(n) ?: "127.0.1.1";

	fprintf(f, "# generated by mdlaunch\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
		   "ip6-loopback\n");
	/* Validated as NAME:ADDRESS, the address possibly IPv6: the name ends at the first ':'. */
	for (char **h = spec->add_hosts; h && *h; h++) {
		const char *colon = strchr(*h, ':');

		if (colon)
			fprintf(f, "%s\t%.*s\n", colon + 1, (int)(colon - *h), *h);
	}
	if (streq(spec_hostname(spec), name))
		fprintf(f, "%s\t%s\n", address, name);
	else
		fprintf(f, "%s\t%s %s\n", address, spec_hostname(spec), name);
}

/* Runs @gen into a new string at *ret. Returns 0 or -ENOMEM. */
static int etc_generate(char **ret,
			void (*gen)(FILE *, const struct container_spec *, const struct net_run *),
			const struct container_spec *spec, const struct net_run *n)
{
	size_t len = 0;
	FILE *f = open_memstream(ret, &len);

	if (!f)
		return -ENOMEM;
	gen(f, spec, n);
	if (fclose(f) != 0) {
		free(*ret);
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void etc_resolv_conf_default(FILE *f, const struct container_spec *spec,
				    const struct net_run *n)
{
	etc_resolv_conf(f, spec, n, NET_HOST_RESOLV_CONF, NET_UPSTREAM_RESOLV_CONF);
}

static void etc_hostname(FILE *f, const struct container_spec *spec, const struct net_run *n)
{
	(void)n;
	fprintf(f, "%s\n", spec_hostname(spec));
}

int net_etc_files(const struct container_spec *spec, const struct net_run *n,
		  struct net_etc_files *ret)
{
	struct net_etc_files files = {};
	int r;

	r = etc_generate(&files.resolv_conf, etc_resolv_conf_default, spec, n);
	if (r >= 0)
		r = etc_generate(&files.hosts, etc_hosts, spec, n);
	if (r >= 0)
		r = etc_generate(&files.hostname, etc_hostname, spec, n);
	if (r < 0) {
		net_etc_files_done(&files);
		return r;
	}
	*ret = files;
	return 0;
}

int net_etc_resolv_conf_from(const struct container_spec *spec, const char *host_resolv,
			     const char *upstream_resolv, char **ret)
{
	size_t len = 0;
	FILE *f = open_memstream(ret, &len);

	if (!f)
		return -ENOMEM;
	etc_resolv_conf(f, spec, NULL, host_resolv, upstream_resolv);
	if (fclose(f) != 0) {
		free(*ret);
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

void net_etc_files_done(struct net_etc_files *files)
{
	free(files->resolv_conf);
	free(files->hosts);
	free(files->hostname);
	*files = (struct net_etc_files){};
}

int net_write_etc_files(const struct container_spec *spec, const struct net_run *n, int dirfd)
{
	struct net_etc_files files = {};
	int r;

	r = net_etc_files(spec, n, &files);
	if (r < 0)
		return r;
	r = write_new_file(dirfd, "resolv.conf", files.resolv_conf, strlen(files.resolv_conf));
	if (r >= 0)
		r = write_new_file(dirfd, "hosts", files.hosts, strlen(files.hosts));
	if (r >= 0)
		r = write_new_file(dirfd, "hostname", files.hostname, strlen(files.hostname));
	net_etc_files_done(&files);
	return r;
}
