/* SPDX-License-Identifier: MIT */
/*
 * config-validate.c: the last step of every front end and the only place of
 * rules that look at more than one value or at the host: a command is
 * required, names are valid, the CPUs of CPUSet= are online, the pid
 * namespace wants the mount namespace. After it succeeds the spec is what
 * the runtime may trust without checking again. Messages name the file and
 * line a value came from when the loader recorded one (spec->line).
 */
#include <stdio.h> /* config.h uses FILE but does not include it */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <string.h>
#include <sys/statfs.h>

#include "config-values.h"
#include "log.h"
#include "spec.h"
#include "util.h"

#define CPU_ONLINE_PATH "/sys/devices/system/cpu/online"
#define CGROUP_ROOT	"/sys/fs/cgroup"

/*
 * Logs a message about the value of @key: "file:line: Key: ..." when the
 * value came from a line of the .container file, else a plain log line.
 * Returns -EINVAL for errors, 0 for warnings.
 */
_printf_(4, 5) static int key_message(const struct container_spec *spec, enum spec_key key,
				      int level, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (spec->source && spec->line[key] > 0)
		return log_syntax(spec->source, spec->line[key], level, "%s", msg);
	log_internal(level, 0, "%s", msg);
	return level == LOG_LEVEL_ERROR ? -EINVAL : 0;
}

static int validate_command(const struct container_spec *spec)
{
	if (strv_length(spec->argv) == 0)
		return key_message(spec, SPEC_KEY_COMMAND, LOG_LEVEL_ERROR,
				   "Command: a command is required");
	if (spec->argv[0][0] == '\0')
		return key_message(spec, SPEC_KEY_COMMAND, LOG_LEVEL_ERROR,
				   "Command: empty program name");
	return 0;
}

static int validate_names(const struct container_spec *spec)
{
	int r = 0;

	if (!spec->name)
		r = key_message(spec, SPEC_KEY_NAME, LOG_LEVEL_ERROR, "Name: no container name");
	else if (!name_is_valid(spec->name))
		r = key_message(spec, SPEC_KEY_NAME, LOG_LEVEL_ERROR,
				"Name: invalid name '%s' " CONFIG_NAME_HINT, spec->name);
	if (spec->hostname && !hostname_is_valid(spec->hostname))
		r = key_message(spec, SPEC_KEY_HOSTNAME, LOG_LEVEL_ERROR,
				"Hostname: invalid hostname '%s' (1 to 64 bytes, no '/')",
				spec->hostname);
	if (spec->hostname && !(spec->namespaces & NS_UTS))
		key_message(spec, SPEC_KEY_HOSTNAME, LOG_LEVEL_WARN,
			    "Hostname: ignored, the container has no uts namespace");
	return r;
}

static int validate_environment(const struct container_spec *spec)
{
	int r = 0;

	for (char **e = spec->env; e && *e; e++)
		if (!env_assignment_is_valid(*e))
			r = key_message(spec, SPEC_KEY_ENVIRONMENT, LOG_LEVEL_ERROR,
					"Environment: invalid assignment '%s' (use KEY=VALUE)", *e);
	if (isempty(spec->path))
		r = key_message(spec, SPEC_KEY_ENVIRONMENT, LOG_LEVEL_ERROR,
				"Environment: PATH must not be empty");
	return r;
}

/*
 * Every CPU of CPUSet= must be online, or the kernel refuses the cpuset
 * write (or, worse, the container runs nowhere). Returns 0 or -EINVAL.
 */
static int validate_cpuset(const struct container_spec *spec)
{
	_cleanup_free_ char *online = NULL;
	unsigned missing = 0;
	int r;

	if (!spec->cpuset)
		return 0;
	r = read_file_at(AT_FDCWD, CPU_ONLINE_PATH, 64 * 1024, &online);
	if (r < 0) {
		log_warn_errno(r, "cannot read " CPU_ONLINE_PATH ", not checking CPUSet: %m");
		return 0;
	}
	r = cpuset_check_online(spec->cpuset, online, &missing);
	if (r == -ENODEV)
		return key_message(spec, SPEC_KEY_CPUSET, LOG_LEVEL_ERROR,
				   "CPUSet: CPU %u is not online (online: %s)", missing,
				   strstrip(online));
	if (r == -EINVAL)
		return key_message(spec, SPEC_KEY_CPUSET, LOG_LEVEL_ERROR,
				   "CPUSet: invalid CPU list '%s' " CONFIG_CPUSET_HINT,
				   spec->cpuset);
	if (r < 0)
		return log_error_errno(r, "out of memory");
	return 0;
}

/*
 * MemorySwap= alone is fine on cgroup v2 (memory.swap.max), but v1 only has
 * memory.memsw.limit_in_bytes, which is Memory + MemorySwap: without Memory=
 * there is nothing to add to. Only a unified host is recognised as v2 here
 * (statfs, as the runtime detects it); a hybrid host keeps memory on v1.
 */
static int validate_swap(const struct container_spec *spec)
{
	struct statfs fs;

	if (spec->memory_swap_max == SPEC_MEMORY_UNSET || spec->memory_max != SPEC_MEMORY_UNSET)
		return 0;
	if (statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return 0;
	return key_message(spec, SPEC_KEY_MEMORY_SWAP, LOG_LEVEL_ERROR,
			   "MemorySwap: needs Memory= on a cgroup v1 host (the swap limit is "
			   "written as Memory + MemorySwap to memory.memsw.limit_in_bytes)");
}

static int validate_limits(const struct container_spec *spec)
{
	if (spec->cpu_shares != 0 &&
	    (spec->cpu_shares < SPEC_CPU_SHARES_MIN || spec->cpu_shares > SPEC_CPU_SHARES_MAX))
		return key_message(spec, SPEC_KEY_CPU_SHARES, LOG_LEVEL_ERROR,
				   "CPUShares: invalid value %llu " CONFIG_SHARES_HINT,
				   (unsigned long long)spec->cpu_shares);
	if (spec->cpu_weight != 0 &&
	    (spec->cpu_weight < SPEC_CPU_WEIGHT_MIN || spec->cpu_weight > SPEC_CPU_WEIGHT_MAX))
		return key_message(spec, SPEC_KEY_CPU_WEIGHT, LOG_LEVEL_ERROR,
				   "CPUWeight: invalid value %llu " CONFIG_WEIGHT_HINT,
				   (unsigned long long)spec->cpu_weight);
	if (spec->cpu_weight != 0 && spec->cpu_shares != 0)
		return key_message(
		    spec, SPEC_KEY_CPU_WEIGHT, LOG_LEVEL_ERROR,
		    "CPUWeight: cannot be combined with CPUShares= (set one of them)");
	if (spec->memory_max == 0)
		return key_message(spec, SPEC_KEY_MEMORY, LOG_LEVEL_ERROR,
				   "Memory: a limit of 0 bytes is not allowed");
	return validate_swap(spec);
}

int config_validate(struct container_spec *spec)
{
	int r, ret = 0;

	r = validate_command(spec);
	if (r < 0)
		ret = r;
	r = validate_names(spec);
	if (r < 0)
		ret = r;
	r = validate_environment(spec);
	if (r < 0)
		ret = r;
	r = validate_cpuset(spec);
	if (r < 0)
		ret = r;
	r = validate_limits(spec);
	if (r < 0)
		ret = r;
	if ((spec->namespaces & NS_PID) && !(spec->namespaces & NS_MOUNT))
		key_message(spec, SPEC_KEY_NAMESPACES, LOG_LEVEL_WARN,
			    "Namespaces: 'pid' without 'mount': the container will see the "
			    "host's /proc");
	return ret;
}
