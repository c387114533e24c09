/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the network front end and plan: PublishPort= and DNS=
 * parsing, Network=/PublishPort= in .container files (repeatable keys,
 * drop-ins), the conflist checks, the plan (lookup, missing plugins, the
 * portMappings capability), the shipped conflist against the built-in one,
 * and the generated resolv.conf/hosts. No root, no plugin is run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "config-values.h"
#include "config.h"
#include "log.h"
#include "net-cni.h"
#include "runtime-net.h"
#include "spec.h"

static char topdir[PATH_MAX];
static char tmpdir[] = "/tmp/mdl-net-test-XXXXXX";

static void port_ok(const char *s, const char *ip, unsigned host, unsigned ctr, unsigned count,
		    const char *proto)
{
	struct spec_port p;

	print_message("# port '%s'\n", s);
	assert_int_equal(parse_port_mapping(s, &p), 0);
	assert_string_equal(p.host_ip, ip);
	assert_int_equal(p.host_port, host);
	assert_int_equal(p.container_port, ctr);
	assert_int_equal(p.count, count);
	assert_string_equal(p.protocol, proto);
}

static void test_port_mapping(void **state)
{
	static const char *const bad[] = {
		"",	      "0",	     "65536",	   "80/icmp",	  "a:80",
		"1.2.3:80:80", "::1:80:80",  "[::1]80:80", "[::1]:80",	  "8080-8081:80",
		"81-80",      ":80",	     "80:",	   "1.2.3.4:80",  "[zz]:80:80",
		"80 81",      "-80",	     "80-",	   "8080:80/",	  "1:2:3:4",
	};
	struct spec_port p;

	(void)state;
	port_ok("80", "", 80, 80, 1, "tcp");
	port_ok("8080:80", "", 8080, 80, 1, "tcp");
	port_ok("8080:80/udp", "", 8080, 80, 1, "udp");
	port_ok("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, "tcp");
	port_ok("127.0.0.1::80/sctp", "127.0.0.1", 80, 80, 1, "sctp");
	port_ok("[::1]:8080:80", "::1", 8080, 80, 1, "tcp");
	port_ok("[fe80::1]::53/udp", "fe80::1", 53, 53, 1, "udp");
	port_ok("8080-8089:80-89", "", 8080, 80, 10, "tcp");
	port_ok("80-89", "", 80, 80, 10, "tcp");
	port_ok("65535:1", "", 65535, 1, 1, "tcp");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		print_message("# bad port '%s'\n", bad[i]);
		assert_int_equal(parse_port_mapping(bad[i], &p), -EINVAL);
	}
}

static void test_port_list_and_dns(void **state)
{
	struct spec_port *ports = NULL;
	size_t n = 0;
	char **dns = NULL;
	char bad[64];

	(void)state;
	assert_int_equal(parse_port_list(" 80  8080:81/udp ", &ports, &n, bad, sizeof(bad)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ports[1].host_port, 8080);
	assert_int_equal(parse_port_list("90 nope", &ports, &n, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "nope");
	assert_int_equal(n, 2); /* unchanged on failure */
	free(ports);

	assert_int_equal(parse_dns_list("1.1.1.1, 2606:4700::1111", &dns, bad, sizeof(bad)), 0);
	assert_int_equal(strv_length(dns), 2);
	assert_int_equal(parse_dns_list("9.9.9.9 dns.example", &dns, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "dns.example");
	assert_int_equal(strv_length(dns), 2);
	dns = strv_free(dns);

	/* AddHost=: NAME:ADDRESS, the name ends at the first ':', brackets dropped */
	assert_int_equal(parse_add_host_list(" db:10.0.0.5  v6:[fd00::5] ", &dns, bad, sizeof(bad)),
			 0);
	assert_int_equal(parse_add_host_list("ll:fe80::1", &dns, bad, sizeof(bad)), 0);
	assert_int_equal(strv_length(dns), 3);
	assert_string_equal(dns[0], "db:10.0.0.5");
	assert_string_equal(dns[1], "v6:fd00::5");
	assert_string_equal(dns[2], "ll:fe80::1");
	{
		static const char *const bad_entries[] = {
			"db",	   "db:",	 ":10.0.0.1", "db:host-gateway", "-x:10.0.0.1",
			"a/b:1.2.3.4", "db:10.0.0", "db:[10.0.0.1", "d b:1.1.1.1",
		};

		for (size_t i = 0; i < sizeof(bad_entries) / sizeof(*bad_entries); i++) {
			char *e = NULL;

			print_message("# add-host '%s'\n", bad_entries[i]);
			assert_int_equal(parse_add_host(bad_entries[i], &e), -EINVAL);
			assert_null(e);
		}
	}
	assert_int_equal(parse_add_host_list("ok:1.1.1.1 no", &dns, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "no");
	assert_int_equal(strv_length(dns), 3); /* unchanged on failure */
	strv_free(dns);

	assert_true(network_name_is_valid("mdlaunch"));
	assert_true(network_name_is_valid("my-net.1"));
	assert_false(network_name_is_valid(".."));
	assert_false(network_name_is_valid("a/b"));
	assert_false(network_name_is_valid(""));
}

/* Loads @text as FILE.container (with the drop-in @dropin when not NULL), validated. */
static struct container_spec *load(const char *text, const char *dropin, int want_r,
				   const char *want_err)
{
	_cleanup_free_ char *path = strdup_printf("%s/n.container", tmpdir);
	_cleanup_free_ char *dir = strdup_printf("%s/n.container.d", tmpdir);
	_cleanup_free_ char *err = NULL;
	struct container_spec *spec = spec_new();
	int r;

	assert_non_null(spec);
	spec->strict_permissions = false;
	put(tmpdir, "n.container", text);
	if (dropin) {
		(void)mkdir(dir, 0755);
		put(dir, "10.conf", dropin);
	}
	capture_begin();
	r = config_load_container(path, spec);
	if (r >= 0)
		r = config_validate(spec, true);
	err = capture_end();
	if (dropin) {
		_cleanup_free_ char *f = strdup_printf("%s/10.conf", dir);
		(void)unlink(f);
		(void)rmdir(dir);
	}
	/* messages carry the temporary directory: compare without it */
	for (char *p; (p = strstr(err, tmpdir));)
		memmove(p, p + strlen(tmpdir) + 1, strlen(p + strlen(tmpdir) + 1) + 1);
	assert_string_equal(err, want_err ? want_err : "");
	assert_int_equal(r, want_r);
	return spec;
}

static void test_container_keys(void **state)
{
	struct container_spec *spec;

	(void)state;
	spec = load("[Container]\nCommand=true\nNetwork=mdlaunch\nPublishPort=8080:80\n"
		    "PublishPort=9000-9001:90-91/udp 53/udp\n",
		    NULL, 0, NULL);
	assert_string_equal(spec->network, "mdlaunch");
	assert_int_equal(spec->n_ports, 3);
	assert_int_equal(spec->ports[0].host_port, 8080);
	assert_int_equal(spec->ports[1].count, 2);
	assert_string_equal(spec->ports[2].protocol, "udp");
	assert_true(spec->namespaces & NS_NET);
	assert_int_equal(spec->origin[SPEC_KEY_PUBLISH_PORT].line, 5);
	spec_free(spec);

	/* a drop-in adds to a repeatable key; an empty assignment resets it */
	spec = load("[Container]\nCommand=true\nNetwork=mdlaunch\nPublishPort=8080:80\n",
		    "[Container]\nPublishPort=8081:81\n", 0, NULL);
	assert_int_equal(spec->n_ports, 2);
	spec_free(spec);
	spec = load("[Container]\nCommand=true\nNetwork=mdlaunch\nPublishPort=8080:80\n",
		    "[Container]\nPublishPort=\nPublishPort=8082:82\n", 0, NULL);
	assert_int_equal(spec->n_ports, 1);
	assert_int_equal(spec->ports[0].host_port, 8082);
	spec_free(spec);

	/* unset Network= follows Namespaces= */
	spec = load("[Container]\nCommand=true\nNamespaces=pid mount\n", NULL, 0, NULL);
	assert_string_equal(spec->network, "host");
	spec_free(spec);
	spec = load("[Container]\nCommand=true\n", NULL, 0, NULL);
	assert_string_equal(spec->network, "none");
	spec_free(spec);
	spec = load("[Container]\nCommand=true\nNetwork=host\n", NULL, 0, NULL);
	assert_false(spec->namespaces & NS_NET);
	spec_free(spec);

	spec_free(load("[Container]\nCommand=true\nNetwork=a/b\nPublishPort=80 x:1\nDNS=1.2.3\n",
		       NULL, -EINVAL,
		       "n.container:3: Network: invalid network 'a/b' (none, host, or a network "
		       "name of A-Z a-z 0-9 _ . -)\n"
		       "n.container:4: PublishPort: invalid port mapping 'x:1' " CONFIG_PORT_HINT
		       "\n"
		       "n.container:5: DNS: invalid address '1.2.3' (an IPv4 or IPv6 address)\n"));
	spec_free(load("[Container]\nCommand=true\nAddHost=db:10.0.0.5\nAddHost=db\n", NULL,
		       -EINVAL,
		       "n.container:4: AddHost: invalid entry 'db' (NAME:ADDRESS, e.g. "
		       "db.example:10.0.0.5 or db:[fd00::5])\n"));
	/* repeatable: lines and drop-ins add, an empty one resets */
	spec = load("[Container]\nCommand=true\nAddHost=a:1.1.1.1 b:2.2.2.2\nAddHost=c:::1\n",
		    "[Container]\nAddHost=d:4.4.4.4\n", 0, NULL);
	assert_int_equal(strv_length(spec->add_hosts), 4);
	assert_string_equal(spec->add_hosts[2], "c:::1");
	spec_free(spec);
	spec = load("[Container]\nCommand=true\nAddHost=a:1.1.1.1\n",
		    "[Container]\nAddHost=\nAddHost=e:5.5.5.5\n", 0, NULL);
	assert_int_equal(strv_length(spec->add_hosts), 1);
	assert_string_equal(spec->add_hosts[0], "e:5.5.5.5");
	spec_free(spec);
	/* DNS= and AddHost= in the host's view are no longer ignored: no warning */
	spec_free(load("[Container]\nCommand=true\nDNS=1.1.1.1\nAddHost=a:1.1.1.1\n", NULL, 0,
		       NULL));
	spec_free(load("[Container]\nCommand=true\nNamespaces=uts\nDNS=1.1.1.1\n", NULL, 0,
		       "n.container:4: warning: DNS: ignored without a mount namespace (the container "
		       "sees the host's /etc files)\n"));
	spec_free(load("[Container]\nCommand=true\nPublishPort=80\n", NULL, -EINVAL,
		       "n.container:3: PublishPort: needs a CNI network (Network=none has "
		       "nothing to publish on; use e.g. Network=mdlaunch)\n"));
	spec_free(load("[Container]\nCommand=true\nNetwork=host\nNamespaces=net\n", NULL, -EINVAL,
		       "n.container:3: Network: 'host' shares the host's network, but "
		       "Namespaces= lists 'net' (remove one of them)\n"));
	spec_free(load("[Container]\nCommand=true\nNetwork=mdlaunch\nNamespaces=pid mount\n", NULL,
		       -EINVAL,
		       "n.container:3: Network: 'mdlaunch' needs a network namespace, but "
		       "Namespaces= does not list 'net'\n"));
}

static void test_conflist_parse(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "{", "x:1: invalid JSON: " },
		{ "[]", "x: not a JSON object" },
		{ "{\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]}", "x: cniVersion missing" },
		{ "{\"cniVersion\":\"2.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"b\"}]}",
		  "x: cniVersion '2.0.0' not supported" },
		{ "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"b\"}]}", "x: no \"name\"" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}", "x: no \"plugins\"" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../sh\"}]}",
		  "x: plugin 1 has no valid \"type\"" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"b\",\"ipam\":{}}]}",
		  "x: plugin 'b' has an \"ipam\" without a valid \"type\"" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"name\":\"m\",\"plugins\":[]}",
		  "x:1: invalid JSON: duplicate object key" },
	};
	char msg[512];
	json_t *list = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		msg[0] = '\0';
		print_message("# conflist %s\n", bad[i].text);
		assert_int_equal(net_conflist_parse(bad[i].text, "x", &list, msg, sizeof(msg)),
				 -EINVAL);
		assert_non_null(strstr(msg, bad[i].err));
	}
	assert_int_equal(net_conflist_parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\","
					    "\"plugins\":[{\"type\":\"bridge\"}]}",
					    "x", &list, msg, sizeof(msg)),
			 0);
	json_decref(list);
}

static void test_shipped_conflist_is_builtin(void **state)
{
	_cleanup_free_ char *path = strdup_printf("%s/conf/mdlaunch.conflist", topdir);
	json_t *shipped, *builtin;

	(void)state;
	shipped = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	builtin = json_loads(net_builtin_conflist, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(shipped);
	assert_non_null(builtin);
	assert_true(json_equal(shipped, builtin));
	json_decref(shipped);
	json_decref(builtin);
}

static void test_plan(void **state)
{
	_cleanup_free_ char *netd = strdup_printf("%s/net.d", tmpdir);
	_cleanup_free_ char *bin = strdup_printf("%s/bin", tmpdir);
	struct container_spec *spec = spec_new();
	struct net_plan *plan = NULL;
	char msg[512] = "";

	(void)state;
	assert_non_null(spec);
	assert_int_equal(mkdir(netd, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	put(bin, "bridge", "#!/bin/sh\n");
	put(bin, "host-local", "#!/bin/sh\n");
	{
		_cleanup_free_ char *b = strdup_printf("%s/bridge", bin);

		assert_int_equal(chmod(b, 0755), 0);
	}
	put(netd, "plain.conflist",
	    "{\"cniVersion\":\"1.0.0\",\"name\":\"plain\",\"plugins\":[{\"type\":\"bridge\","
	    "\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\"}},{\"type\":\"tuning\"}]}");
	strv_free(spec->network_config_dirs);
	strv_free(spec->cni_path);
	spec->network_config_dirs = strv_copy((char *[]){ "/nonexistent", netd, NULL });
	spec->cni_path = strv_copy((char *[]){ bin, NULL });
	spec->network = strdup("plain");

	assert_int_equal(net_plan_build(spec, &plan, msg, sizeof(msg)), 0);
	assert_non_null(strstr(plan->conflist, "net.d/plain.conflist"));
	assert_int_equal(plan->n_plugins, 2);
	assert_non_null(plan->plugins[0].path);
	assert_null(plan->plugins[0].ipam_path); /* host-local is not executable */
	assert_true(plan->plugins[0].iptables);	 /* ipMasq */
	assert_string_equal(net_plan_missing(plan), "host-local");
	plan = net_plan_free(plan);

	/* ports need a plugin with the portMappings capability */
	spec->n_ports = 1;
	spec->ports = calloc(1, sizeof(*spec->ports));
	assert_int_equal(net_plan_build(spec, &plan, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "no plugin with the portMappings capability"));

	free(spec->network);
	spec->network = strdup("nowhere");
	assert_int_equal(net_plan_build(spec, &plan, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "unknown network 'nowhere' (no nowhere.conflist in "
				    "/nonexistent, "));

	/* the built-in list when no mdlaunch.conflist exists */
	free(spec->network);
	spec->network = strdup("mdlaunch");
	assert_int_equal(net_plan_build(spec, &plan, msg, sizeof(msg)), 0);
	assert_null(plan->conflist);
	assert_int_equal(plan->n_plugins, 3);
	assert_true(plan->plugins[1].port_mappings);
	assert_string_equal(net_plan_missing(plan), "host-local");
	plan = net_plan_free(plan);
	spec_free(spec);
}

static void test_etc_files(void **state)
{
	static const char want_resolv[] = "# generated by mdlaunch\nnameserver 1.1.1.1\n"
					  "nameserver 2606:4700::1111\n";
	_cleanup_free_ char *resolv = NULL, *hosts = NULL, *hostname = NULL;
	_cleanup_close_ int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct container_spec *spec = spec_new();

	(void)state;
	assert_non_null(spec);
	spec->name = strdup("web");
	spec->hostname = strdup("www");
	assert_int_equal(strv_extend(&spec->dns, "1.1.1.1"), 0);
	assert_int_equal(strv_extend(&spec->dns, "2606:4700::1111"), 0);
	assert_int_equal(strv_extend(&spec->add_hosts, "db:10.0.0.5"), 0);
	assert_int_equal(strv_extend(&spec->add_hosts, "v6:fd00::5"), 0);
	assert_int_equal(net_write_etc_files(spec, NULL, fd), 0);
	resolv = get(tmpdir, "resolv.conf");
	hosts = get(tmpdir, "hosts");
	hostname = get(tmpdir, "hostname");
	/* Then only this machine's search and options lines, if any (test_etc_resolv_dns_*). */
	assert_int_equal(strncmp(resolv, want_resolv, strlen(want_resolv)), 0);
	assert_null(strstr(resolv + strlen(want_resolv), "nameserver"));
	assert_string_equal(hosts, "# generated by mdlaunch\n127.0.0.1\tlocalhost\n::1\tlocalhost "
				   "ip6-localhost ip6-loopback\n10.0.0.5\tdb\nfd00::5\tv6\n"
				   "127.0.1.1\twww web\n");
	assert_string_equal(hostname, "www\n");
	spec_free(spec);
}

/* The host's resolv.conf: as it is in the host's network, else without loopback, else fallbacks. */
static void test_etc_resolv_fallbacks(void **state)
{
	_cleanup_free_ char *host = strdup_printf("%s/host-resolv", tmpdir);
	_cleanup_free_ char *stub = strdup_printf("%s/stub-resolv", tmpdir);
	_cleanup_free_ char *upstream = strdup_printf("%s/upstream-resolv", tmpdir);
	struct container_spec *spec = spec_new();
	char *text = NULL;

	(void)state;
	assert_non_null(spec);
	put(tmpdir, "host-resolv", "search example.org\nnameserver 127.0.0.1\nnameserver 10.0.0.2\n");
	put(tmpdir, "stub-resolv", "nameserver 127.0.0.53\noptions edns0 trust-ad\n");
	put(tmpdir, "upstream-resolv", "nameserver 192.0.2.53\n");

	/* a network namespace of its own (the default): loopback servers dropped */
	assert_true(spec->namespaces & NS_NET);
	assert_int_equal(net_etc_resolv_conf_from(spec, host, upstream, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\nsearch example.org\nnameserver 10.0.0.2\n");
	free(text);
	/* only a stub resolver: systemd-resolved's upstream servers */
	assert_int_equal(net_etc_resolv_conf_from(spec, stub, upstream, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\noptions edns0 trust-ad\n"
				  "nameserver 192.0.2.53\n");
	free(text);
	/* nothing usable at all: podman's public servers */
	assert_int_equal(net_etc_resolv_conf_from(spec, stub, NULL, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\noptions edns0 trust-ad\n"
				  "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	free(text);
	/* Network=host: the host's servers are reachable, the file is copied as it is */
	spec->namespaces &= ~(unsigned)NS_NET;
	assert_int_equal(net_etc_resolv_conf_from(spec, stub, upstream, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\nnameserver 127.0.0.53\n"
				  "options edns0 trust-ad\n");
	free(text);
	spec_free(spec);
}

/* DNS=: its servers replace the host's, whose search, domain and options lines stay. */
static void test_etc_resolv_dns_keeps_host_options(void **state)
{
	_cleanup_free_ char *host = strdup_printf("%s/host-resolv", tmpdir);
	_cleanup_free_ char *missing = strdup_printf("%s/no-such-resolv", tmpdir);
	struct container_spec *spec = spec_new();
	char *text = NULL;

	(void)state;
	assert_non_null(spec);
	assert_int_equal(strv_extend(&spec->dns, "1.1.1.1"), 0);
	put(tmpdir, "host-resolv",
	    "# the host's\nsearch example.org corp.example\nnameserver 10.0.0.2\n"
	    "options edns0 ndots:2\ndomain example.org\nsortlist 10.0.0.0\n");
	assert_int_equal(net_etc_resolv_conf_from(spec, host, NULL, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\nnameserver 1.1.1.1\n"
				  "search example.org corp.example\noptions edns0 ndots:2\n"
				  "domain example.org\n");
	free(text);
	/* The same in the host's network namespace. */
	spec->namespaces &= ~(unsigned)NS_NET;
	assert_int_equal(net_etc_resolv_conf_from(spec, host, NULL, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\nnameserver 1.1.1.1\n"
				  "search example.org corp.example\noptions edns0 ndots:2\n"
				  "domain example.org\n");
	free(text);
	/* No host file: the servers alone. */
	assert_int_equal(net_etc_resolv_conf_from(spec, missing, NULL, &text), 0);
	assert_string_equal(text, "# generated by mdlaunch\nnameserver 1.1.1.1\n");
	free(text);
	spec_free(spec);
}

static int setup(void **state)
{
	(void)state;
	log_max_level = LOG_LEVEL_WARN;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_port_mapping, setup),
		cmocka_unit_test_setup(test_port_list_and_dns, setup),
		cmocka_unit_test_setup(test_container_keys, setup),
		cmocka_unit_test_setup(test_conflist_parse, setup),
		cmocka_unit_test_setup(test_shipped_conflist_is_builtin, setup),
		cmocka_unit_test_setup(test_plan, setup),
		cmocka_unit_test_setup(test_etc_files, setup),
		cmocka_unit_test_setup(test_etc_resolv_fallbacks, setup),
		cmocka_unit_test_setup(test_etc_resolv_dns_keeps_host_options, setup),
	};
	int r;

	if (!getcwd(topdir, sizeof(topdir)) || !mkdtemp(tmpdir))
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	{
		_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", tmpdir);

		if (cmd && system(cmd) != 0)
			r = r ? r : 1;
	}
	return r;
}
