/* SPDX-License-Identifier: MIT */
/*
 * net-cni.c: the network plan, between the validated spec and the runtime.
 * For Network=NAME it finds the CNI network list NAME.conflist (or the
 * built-in "mdlaunch" list), parses it with jansson, and looks every plugin
 * up in cni_path, so that `show` can print and `check --host` can judge what
 * a run would execute, and runtime-net.c executes exactly that. Reads files,
 * changes nothing, logs nothing.
 */
#include "net-cni.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "spec.h"
#include "util.h"

/* A network list is a few hundred bytes; refuse anything absurd. */
#define CONFLIST_MAX (1024 * 1024)

/*
 * The built-in network: a bridge mdl0 with host-local addresses from
 * 10.89.0.0/24 (leases under /run, so they go with the network namespaces at
 * a reboot), published ports through portmap (snat: 127.0.0.1 works too),
 * and the firewall plugin so that a FORWARD policy of DROP does not cut the
 * bridge off. conf/mdlaunch.conflist is the same list.
 */
const char net_builtin_conflist[] =
    "{\n"
    "  \"cniVersion\": \"1.0.0\",\n"
    "  \"name\": \"mdlaunch\",\n"
    "  \"plugins\": [\n"
    "    {\n"
    "      \"type\": \"bridge\",\n"
    "      \"bridge\": \"mdl0\",\n"
    "      \"isGateway\": true,\n"
    "      \"ipMasq\": true,\n"
    "      \"hairpinMode\": true,\n"
    "      \"ipam\": {\n"
    "        \"type\": \"host-local\",\n"
    "        \"dataDir\": \"/run/mdlaunch/ipam\",\n"
    "        \"ranges\": [ [ { \"subnet\": \"10.89.0.0/24\", \"gateway\": \"10.89.0.1\" } ] ],\n"
    "        \"routes\": [ { \"dst\": \"0.0.0.0/0\" } ]\n"
    "      }\n"
    "    },\n"
    "    { \"type\": \"portmap\", \"snat\": true, \"capabilities\": { \"portMappings\": true } },\n"
    "    { \"type\": \"firewall\" }\n"
    "  ]\n"
    "}\n";

_printf_(4, 5) static int plan_error(int r, char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return r;
}

/* True when @type can name a plugin binary: no '/', not "." or "..". */
static bool plugin_type_is_valid(const char *type)
{
	return type && *type && !strchr(type, '/') && !streq(type, ".") && !streq(type, "..") &&
	       strlen(type) < 128;
}

int net_conflist_parse(const char *text, const char *what, struct json_t **ret_list, char *msg,
		       size_t size)
{
	static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0" };
	json_error_t jerr;
	json_t *list, *plugins, *v;
	const char *ver;
	bool known = false;
	size_t i;
	int r;

	list = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!list)
		return plan_error(-EINVAL, msg, size, "%s:%d: invalid JSON: %s", what, jerr.line,
				  jerr.text);
	if (!json_is_object(list)) {
		r = plan_error(-EINVAL, msg, size, "%s: not a JSON object", what);
		json_decref(list);
		return r;
	}
	v = json_object_get(list, "cniVersion");
	ver = json_string_value(v);
	for (i = 0; ver && i < ELEMENTSOF(versions); i++)
		known = known || streq(ver, versions[i]);
	if (!known) {
		r = plan_error(-EINVAL, msg, size,
			       "%s: cniVersion %s%s%s not supported (use 1.0.0; 0.3.0 to 0.4.0 "
			       "work too)",
			       what, ver ? "'" : "", ver ? ver : "missing", ver ? "'" : "");
		json_decref(list);
		return r;
	}
	if (!json_is_string(json_object_get(list, "name")) ||
	    !*json_string_value(json_object_get(list, "name"))) {
		r = plan_error(-EINVAL, msg, size, "%s: no \"name\" string", what);
		json_decref(list);
		return r;
	}
	plugins = json_object_get(list, "plugins");
	if (!json_is_array(plugins) || json_array_size(plugins) == 0) {
		r = plan_error(-EINVAL, msg, size,
			       "%s: no \"plugins\" array (a list needs at least one plugin)", what);
		json_decref(list);
		return r;
	}
	json_array_foreach(plugins, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		json_t *ipam = json_object_get(v, "ipam");

		if (!json_is_object(v) || !plugin_type_is_valid(type)) {
			r = plan_error(-EINVAL, msg, size,
				       "%s: plugin %zu has no valid \"type\" (a binary's name)",
				       what, i + 1);
			json_decref(list);
			return r;
		}
		if (ipam && (!json_is_object(ipam) || !plugin_type_is_valid(json_string_value(
							  json_object_get(ipam, "type"))))) {
			r = plan_error(-EINVAL, msg, size,
				       "%s: plugin '%s' has an \"ipam\" without a valid \"type\"",
				       what, type);
			json_decref(list);
			return r;
		}
	}
	*ret_list = list;
	return 0;
}

/* Finds the executable @type in @dirs; returns a new path, or NULL (missing or OOM). */
static char *find_plugin(char *const *dirs, const char *type)
{
	for (char *const *d = dirs; d && *d; d++) {
		char *p = strdup_printf("%s/%s", *d, type);
		struct stat st;

		if (!p)
			return NULL;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/*
 * Finds NAME.conflist in @dirs: *ret_path and *ret_text (both NULL when no
 * directory has it). Returns 0 or -errno with @msg filled.
 */
static int find_conflist(char *const *dirs, const char *name, char **ret_path, char **ret_text,
			 char *msg, size_t size)
{
	for (char *const *d = dirs; d && *d; d++) {
		_cleanup_free_ char *p = strdup_printf("%s/%s.conflist", *d, name);
		char *text = NULL;
		int r;

		if (!p)
			return -ENOMEM;
		r = read_file_at(AT_FDCWD, p, CONFLIST_MAX, &text);
		if (r == -ENOENT || r == -ENOTDIR)
			continue;
		if (r < 0)
			return plan_error(r, msg, size, "cannot read '%s': %s", p, strerror(-r));
		*ret_path = TAKE_PTR(p);
		*ret_text = text;
		return 0;
	}
	*ret_path = NULL;
	*ret_text = NULL;
	return 0;
}

/* True when plugin @v declares capability @cap. */
static bool has_capability(json_t *v, const char *cap)
{
	return json_is_true(json_object_get(json_object_get(v, "capabilities"), cap));
}

/* True when plugin @v of type @type runs iptables (portmap 1.1, firewall, ipMasq). */
static bool plugin_needs_iptables(json_t *v, const char *type)
{
	const char *backend = json_string_value(json_object_get(v, "backend"));

	if (streq(type, "portmap"))
		return true;
	if (streq(type, "firewall"))
		return !backend || streq(backend, "iptables");
	return json_is_true(json_object_get(v, "ipMasq"));
}

int net_plan_build(const struct container_spec *spec, struct net_plan **ret, char *msg, size_t size)
{
	_cleanup_(net_plan_freep) struct net_plan *plan = NULL;
	_cleanup_free_ char *text = NULL;
	json_t *plugins, *v;
	bool ports_ok = false;
	size_t i;
	int r;

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	plan->timeout = spec->cni_timeout;
	plan->network = strdup(spec->network);
	plan->cni_path = strv_copy(spec->cni_path);
	if (!plan->network || !plan->cni_path)
		return -ENOMEM;
	r = find_conflist(spec->network_config_dirs, spec->network, &plan->conflist, &text, msg,
			  size);
	if (r < 0)
		return r;
	if (!text) {
		_cleanup_free_ char *dirs = NULL;

		if (!streq(spec->network, SPEC_NETWORK_BUILTIN)) {
			size_t n = 1;

			for (char **d = spec->network_config_dirs; d && *d; d++)
				n += strlen(*d) + 2;
			dirs = calloc(1, n);
			if (!dirs)
				return -ENOMEM;
			for (char **d = spec->network_config_dirs; d && *d; d++) {
				if (*dirs)
					strcat(dirs, ", ");
				strcat(dirs, *d);
			}
			return plan_error(
			    -ENOENT, msg, size, "unknown network '%s' (no %s.conflist in %s)",
			    spec->network, spec->network, *dirs ? dirs : "(no directory)");
		}
		text = strdup(net_builtin_conflist);
		if (!text)
			return -ENOMEM;
	}
	r = net_conflist_parse(text, plan->conflist ? plan->conflist : "built-in network",
			       &plan->list, msg, size);
	if (r < 0)
		return r;
	plan->name = strdup(json_string_value(json_object_get(plan->list, "name")));
	plan->cni_version = strdup(json_string_value(json_object_get(plan->list, "cniVersion")));
	plugins = json_object_get(plan->list, "plugins");
	plan->plugins = calloc(json_array_size(plugins), sizeof(*plan->plugins));
	if (!plan->name || !plan->cni_version || !plan->plugins)
		return -ENOMEM;
	json_array_foreach(plugins, i, v)
	{
		struct net_plugin *p = &plan->plugins[i];
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *ipam =
		    json_string_value(json_object_get(json_object_get(v, "ipam"), "type"));

		plan->n_plugins++;
		p->type = strdup(type);
		if (!p->type)
			return -ENOMEM;
		p->path = find_plugin(plan->cni_path, type);
		if (ipam) {
			p->ipam_type = strdup(ipam);
			if (!p->ipam_type)
				return -ENOMEM;
			p->ipam_path = find_plugin(plan->cni_path, ipam);
		}
		p->port_mappings = has_capability(v, "portMappings");
		p->iptables = plugin_needs_iptables(v, type);
		ports_ok = ports_ok || p->port_mappings;
	}
	if (spec->n_ports > 0 && !ports_ok)
		return plan_error(-EINVAL, msg, size,
				  "network '%s' (%s) has no plugin with the portMappings "
				  "capability (add e.g. { \"type\": \"portmap\", \"capabilities\": "
				  "{ \"portMappings\": true } })",
				  spec->network, plan->conflist ? plan->conflist : "built in");
	*ret = TAKE_PTR(plan);
	return 0;
}

const char *net_plan_missing(const struct net_plan *plan)
{
	for (size_t i = 0; i < plan->n_plugins; i++) {
		if (!plan->plugins[i].path)
			return plan->plugins[i].type;
		if (plan->plugins[i].ipam_type && !plan->plugins[i].ipam_path)
			return plan->plugins[i].ipam_type;
	}
	return NULL;
}

bool net_plan_needs_iptables(const struct net_plan *plan)
{
	for (size_t i = 0; i < plan->n_plugins; i++)
		if (plan->plugins[i].iptables)
			return true;
	return false;
}

void net_plan_print(const struct net_plan *plan, const struct container_spec *spec, FILE *f)
{
	char buf[160];

	fprintf(f, "%-12s %s (CNI list '%s', cniVersion %s, %s)\n", "network", plan->network,
		plan->name, plan->cni_version, plan->conflist ? plan->conflist : "built in");
	for (size_t i = 0; i < plan->n_plugins; i++) {
		const struct net_plugin *p = &plan->plugins[i];

		fprintf(f, "  plugin %zu   %s: %s", i + 1, p->type, p->path ? p->path : "MISSING");
		if (p->ipam_type)
			fprintf(f, ", ipam %s: %s", p->ipam_type,
				p->ipam_path ? p->ipam_path : "MISSING");
		fprintf(f, "%s%s\n", p->port_mappings ? ", portMappings" : "",
			p->iptables ? ", iptables" : "");
	}
	for (size_t i = 0; i < spec->n_ports; i++)
		fprintf(f, "  publish    %s\n",
			spec_port_to_string(&spec->ports[i], buf, sizeof(buf)));
	for (char **d = spec->dns; d && *d; d++)
		fprintf(f, "  dns        %s\n", *d);
	fprintf(f,
		"  %-10s ADD before the command starts, DEL in reverse after it exits; "
		"timeout %us per plugin\n",
		"lifecycle", plan->timeout);
}

char *net_plan_to_json(const struct net_plan *plan, const struct container_spec *spec)
{
	json_t *o, *plugins, *ports;
	char *s = NULL;
	char buf[160];

	o = json_object();
	plugins = json_array();
	ports = json_array();
	if (!o || !plugins || !ports)
		goto out;
	for (size_t i = 0; i < plan->n_plugins; i++) {
		const struct net_plugin *p = &plan->plugins[i];

		json_array_append_new(
		    plugins, json_pack("{s:s, s:s?, s:s?, s:s?, s:b, s:b}", "type", p->type, "path",
				       p->path, "ipam", p->ipam_type, "ipamPath", p->ipam_path,
				       "portMappings", p->port_mappings, "iptables", p->iptables));
	}
	for (size_t i = 0; i < spec->n_ports; i++)
		json_array_append_new(
		    ports, json_string(spec_port_to_string(&spec->ports[i], buf, sizeof(buf))));
	json_object_set_new(o, "network", json_string(plan->network));
	json_object_set_new(o, "name", json_string(plan->name));
	json_object_set_new(o, "cniVersion", json_string(plan->cni_version));
	json_object_set_new(o, "conflist",
			    plan->conflist ? json_string(plan->conflist) : json_null());
	json_object_set(o, "plugins", plugins);
	json_object_set(o, "portMappings", ports);
	json_object_set_new(o, "timeout", json_integer(plan->timeout));
	s = json_dumps(o, JSON_COMPACT);
out:
	json_decref(plugins);
	json_decref(ports);
	json_decref(o);
	return s;
}

struct net_plan *net_plan_free(struct net_plan *plan)
{
	if (!plan)
		return NULL;
	for (size_t i = 0; i < plan->n_plugins; i++) {
		free(plan->plugins[i].type);
		free(plan->plugins[i].path);
		free(plan->plugins[i].ipam_type);
		free(plan->plugins[i].ipam_path);
	}
	free(plan->plugins);
	free(plan->network);
	free(plan->name);
	free(plan->cni_version);
	free(plan->conflist);
	json_decref(plan->list);
	strv_free(plan->cni_path);
	free(plan);
	return NULL;
}
