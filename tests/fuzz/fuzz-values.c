/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: every pure parser of config-values.c on the same input (as a
 * NUL-terminated string), plus the online check between its two halves.
 * Nothing here may crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config-rootfs.h"
#include "config-values.h"
#include "subid.h"
#include "log.h"
#include "net-cni.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = NULL, *cpuset = NULL;
	char **l = NULL;
	uint64_t u;
	unsigned f, missing;
	bool b;
	char *half;

	log_max_level = -1;
	if (size > 64 * 1024)
		return 0;
	s = strndup((const char *)data, size);
	if (!s)
		return 0;
	(void)parse_size(s, &u);
	(void)parse_cpu_shares(s, &u);
	(void)parse_bool(s, &b);
	if (parse_cpuset(s, &cpuset) == 0)
		(void)cpuset_check_online(cpuset, "0-3", &missing);
	(void)name_is_valid(s);
	(void)hostname_is_valid(s);
	(void)env_assignment_is_valid(s);
	(void)parse_namespaces(s, &f);
	if (split_words(s, &l) == 0)
		l = strv_free(l);
	if (parse_environment(s, &l) == 0) {
		char **env = NULL;

		for (char **e = l; *e; e++)
			(void)env_vector_set(&env, *e);
		strv_free(env);
		l = strv_free(l);
	}
	{
		struct spec_idmaps maps;
		enum spec_userns mode;
		uint32_t size32;
		unsigned a, z;
		char bad[64];

		(void)parse_userns(s, &mode, &size32);
		if (parse_idmap_list(s, &maps, bad, sizeof(bad)) == 0)
			(void)idmaps_find_overlap(&maps, &a, &z);
	}
	{
		struct subid_range r;
		char name[32];

		(void)subid_parse_line(s, name, sizeof(name), &r);
	}
	(void)string_distance(s, "Environment");
	{
		struct spec_port port, *ports = NULL;
		struct json_t *list = NULL;
		char bad[64], msg[256];
		size_t n = 0;

		(void)parse_port_mapping(s, &port);
		if (parse_port_list(s, &ports, &n, bad, sizeof(bad)) == 0)
			free(ports);
		if (parse_dns_list(s, &l, bad, sizeof(bad)) == 0)
			l = strv_free(l);
		(void)network_name_is_valid(s);
		if (net_conflist_parse(s, "fuzz", &list, msg, sizeof(msg)) == 0)
			json_decref(list);
	}
	{
		struct spec_mount m = {};
		char why[256], *dir = NULL;
		bool overlay;

		if (parse_volume(s, "/base", &m, why, sizeof(why)) == 0)
			spec_mount_done(&m);
		if (parse_tmpfs(s, &m, why, sizeof(why)) == 0)
			spec_mount_done(&m);
		if (parse_rootfs(s, "/base", &dir, &overlay, why, sizeof(why)) == 0)
			free(dir);
	}
	half = strchr(s, '|');
	if (half) {
		*half = '\0';
		(void)cpuset_check_online(s, half + 1, &missing);
	}
	return 0;
}
