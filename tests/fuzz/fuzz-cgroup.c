/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the cgroup locator's parsers. The input is a mountinfo text,
 * then an empty line, then a /proc/self/cgroup text. In every mode it is
 * indexed (cgroup_host_parse()), every controller of the chain is located
 * and its base resolved, as a run would; the string parsers run on the same
 * texts. Nothing here may crash, leak or hang, or read the file system (the
 * cgroup2 root's controllers are given).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-locate.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_strings(const char *mountinfo, const char *proc_cgroup)
{
	static const char *const names[] = { NULL, "cpuset", "memory", "cpu", "pids" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *mp = NULL, *root = NULL, *own = NULL, *base = NULL;
		_cleanup_fclose_ FILE *mi = fmemopen((void *)mountinfo, strlen(mountinfo) + 1, "r");
		_cleanup_fclose_ FILE *pc =
		    fmemopen((void *)proc_cgroup, strlen(proc_cgroup) + 1, "r");

		if (!mi || !pc || cgroup_parse_mountinfo(mi, names[i], &mp, &root) < 0)
			continue;
		if (cgroup_parse_proc_cgroup(pc, names[i] ? names[i] : "", &own) == 0)
			(void)cgroup_resolve_base(mp, root, own, &base);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char *proc_cgroup;

	if (size > 64 * 1024)
		return 0;
	text = strndup((const char *)data, size);
	if (!text)
		return 0;
	proc_cgroup = strstr(text, "\n\n");
	if (proc_cgroup) {
		*proc_cgroup = '\0';
		proc_cgroup += 2;
	} else {
		proc_cgroup = text + strlen(text);
	}
	parse_strings(text, proc_cgroup);
	for (int mode = 0; mode < _CGROUP_MODE_MAX; mode++) {
		_cleanup_(cgroup_host_freep) struct cgroup_host *h = NULL;

		if (cgroup_host_parse((enum cgroup_mode)mode, text, proc_cgroup, &h) < 0)
			continue;
		h->v2_controllers = strdup("cpuset cpu memory pids hugetlb");
		h->v2_controllers_read = true;
		for (int c = 0; c < _CGROUP_CTL_MAX; c++) {
			_cleanup_(cgroup_location_done) struct cgroup_location loc = {};
			_cleanup_free_ char *base = NULL, *root_base = NULL;
			const char *name = cgroup_controller_to_string((enum cgroup_controller)c);

			if (cgroup_host_locate(h, (enum cgroup_controller)c, &loc) < 0)
				continue;
			(void)cgroup_host_base(h, &loc, loc.version == CGROUP_V1 ? name : "", false,
					       &base);
			(void)cgroup_host_base(h, &loc, name, true, &root_base);
			(void)cgroup_host_shares_mount(h, loc.mountpoint, "cpuacct");
		}
	}
	return 0;
}
