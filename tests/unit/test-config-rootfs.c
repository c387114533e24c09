/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the file-system keys: the pure parsers of config-rootfs.c
 * (Rootfs=, Volume=, Tmpfs=), the repeatable Volume=/Tmpfs= lines of the
 * loader (each at its own line, an empty one resetting the list, a drop-in
 * adding to it), and the host rules of config_validate_filesystem() on
 * temporary directories, with the exact "file:line: ..." messages.
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
#include <unistd.h>

#include "config-rootfs.h"
#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

static char tmpdir[] = "/tmp/test-config-rootfs.XXXXXX";

static void test_rootfs_values(void **state)
{
	char why[512] = "", *dir = NULL;
	bool overlay = true;

	(void)state;
	assert_int_equal(parse_rootfs("/srv/root", NULL, &dir, &overlay, why, sizeof(why)), 0);
	assert_string_equal(dir, "/srv/root");
	assert_false(overlay);
	free(dir);
	assert_int_equal(parse_rootfs("/srv/root:O", NULL, &dir, &overlay, why, sizeof(why)), 0);
	assert_string_equal(dir, "/srv/root");
	assert_true(overlay);
	free(dir);
	assert_int_equal(parse_rootfs("./tree:O", "/etc/mdlaunch", &dir, &overlay, why, sizeof(why)),
			 0);
	assert_string_equal(dir, "/etc/mdlaunch/./tree");
	free(dir);
	assert_int_equal(parse_rootfs("tree", "/base", &dir, &overlay, why, sizeof(why)), 0);
	assert_string_equal(dir, "/base/tree");
	free(dir);
	assert_int_equal(parse_rootfs("/srv/root:rw", NULL, &dir, &overlay, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "unknown option 'rw' in '/srv/root:rw' (only ':O', an overlay)");
	assert_int_equal(parse_rootfs(":O", NULL, &dir, &overlay, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "missing directory in ':O'");
	assert_int_equal(parse_rootfs("/a,b:O", NULL, &dir, &overlay, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'/a,b' contains ',', ':' or '\\', which an overlay cannot take");
}

/* Parses @value as Volume= (base "/base"); checks the result or the reason. */
static void volume(const char *value, int want, unsigned kind, const char *source,
		   const char *target, unsigned flags, const char *want_why)
{
	struct spec_mount m = {};
	char why[512] = "";

	assert_int_equal(parse_volume(value, "/base", &m, why, sizeof(why)), want);
	if (want < 0) {
		assert_string_equal(why, want_why);
		return;
	}
	assert_int_equal(m.kind, kind);
	if (source)
		assert_string_equal(m.source, source);
	else
		assert_null(m.source);
	assert_string_equal(m.target, target);
	assert_int_equal(m.flags, flags);
	spec_mount_done(&m);
}

static void test_volume_values(void **state)
{
	(void)state;
	volume("/srv:/data", 0, SPEC_MOUNT_BIND, "/srv", "/data", 0, NULL);
	volume("/srv:/data:ro", 0, SPEC_MOUNT_BIND, "/srv", "/data", SPEC_MOUNT_RDONLY, NULL);
	volume("/srv:/data:ro,rw", 0, SPEC_MOUNT_BIND, "/srv", "/data", 0, NULL);
	volume("/srv://data/./x/:nosuid,nodev,noexec", 0, SPEC_MOUNT_BIND, "/srv", "/data/x",
	       SPEC_MOUNT_NOSUID | SPEC_MOUNT_NODEV | SPEC_MOUNT_NOEXEC, NULL);
	volume("./html:/srv", 0, SPEC_MOUNT_BIND, "/base/./html", "/srv", 0, NULL);
	volume("/cache", 0, SPEC_MOUNT_ANONYMOUS, NULL, "/cache", 0, NULL);
	volume("/cache:ro", 0, SPEC_MOUNT_ANONYMOUS, NULL, "/cache", SPEC_MOUNT_RDONLY, NULL);
	volume("/srv:/data:idmap", 0, SPEC_MOUNT_BIND, "/srv", "/data", SPEC_MOUNT_IDMAP, NULL);
	volume("/srv:/data:ro,idmap,nosuid", 0, SPEC_MOUNT_BIND, "/srv", "/data",
	       SPEC_MOUNT_RDONLY | SPEC_MOUNT_IDMAP | SPEC_MOUNT_NOSUID, NULL);
	volume("/srv:/data:idmap=uids=0-1-10", -EINVAL, 0, NULL, NULL, 0,
	       "'idmap=uids=0-1-10' in '/srv:/data:idmap=uids=0-1-10': idmap with mappings of its "
	       "own is not supported (plain 'idmap' maps the container's user namespace)");
	volume("/srv:/data:idmap=", -EINVAL, 0, NULL, NULL, 0,
	       "'idmap=' in '/srv:/data:idmap=': idmap with mappings of its own is not supported "
	       "(plain 'idmap' maps the container's user namespace)");
	volume("/srv:/data:idmapx", -EINVAL, 0, NULL, NULL, 0,
	       "unknown option 'idmapx' in '/srv:/data:idmapx' (use ro, rw, nosuid, nodev, noexec, "
	       "idmap)");
	volume("data", -EINVAL, 0, NULL, NULL, 0, "the container path 'data' in 'data' is not absolute");
	volume("/srv:data:ro", -EINVAL, 0, NULL, NULL, 0,
	       "the container path 'data' in '/srv:data:ro' is not absolute");
	volume("/srv:/a/../etc", -EINVAL, 0, NULL, NULL, 0,
	       "the container path '/a/../etc' in '/srv:/a/../etc' contains '..'");
	volume("/srv:/", -EINVAL, 0, NULL, NULL, 0,
	       "cannot mount over the container's root '/' in '/srv:/' (see Rootfs=)");
	volume("/srv:/data:rx", -EINVAL, 0, NULL, NULL, 0,
	       "unknown option 'rx' in '/srv:/data:rx' (use ro, rw, nosuid, nodev, noexec, idmap)");
	volume("named:/data", -EINVAL, 0, NULL, NULL, 0,
	       "'named' is neither an absolute path nor relative ('./...'); named volumes do not "
	       "exist in mdlaunch");
	volume(":/data", -EINVAL, 0, NULL, NULL, 0, "empty HOST-DIR in ':/data'");
	volume("/a:/b:ro:x", -EINVAL, 0, NULL, NULL, 0,
	       "too many ':' in '/a:/b:ro:x' (use [HOST-DIR:]CONTAINER-DIR[:OPTIONS])");
	volume("/cache:idmap", -EINVAL, 0, NULL, NULL, 0, "'idmap' needs a HOST-DIR in '/cache:idmap'");
}

static void tmpfs(const char *value, int want, const char *target, unsigned flags,
		  const char *data_or_why)
{
	struct spec_mount m = {};
	char why[512] = "";

	assert_int_equal(parse_tmpfs(value, &m, why, sizeof(why)), want);
	if (want < 0) {
		assert_string_equal(why, data_or_why);
		return;
	}
	assert_int_equal(m.kind, SPEC_MOUNT_TMPFS);
	assert_string_equal(m.target, target);
	assert_int_equal(m.flags, flags);
	assert_string_equal(m.data, data_or_why);
	spec_mount_done(&m);
}

static void test_tmpfs_values(void **state)
{
	const unsigned def = SPEC_MOUNT_NOSUID | SPEC_MOUNT_NODEV | SPEC_MOUNT_NOEXEC;

	(void)state;
	tmpfs("/scratch", 0, "/scratch", def, "size=64m");
	tmpfs("/scratch:size=1g,mode=0700", 0, "/scratch", def, "size=1g,mode=0700");
	tmpfs("/s:exec,suid,dev,ro", 0, "/s", SPEC_MOUNT_RDONLY, "size=64m");
	tmpfs("/s:size=50%,nr_inodes=10k,uid=1000,gid=1000", 0, "/s", def,
	      "size=50%,nr_inodes=10k,uid=1000,gid=1000");
	tmpfs("/s:mode=0700", 0, "/s", def, "size=64m,mode=0700");
	tmpfs("s", -EINVAL, NULL, 0, "the container path 's' in 's' is not absolute");
	tmpfs("/s:size=lots", -EINVAL, NULL, 0, "invalid value in 'size=lots' of '/s:size=lots'");
	tmpfs("/s:mode=999", -EINVAL, NULL, 0, "invalid value in 'mode=999' of '/s:mode=999'");
	tmpfs("/s:nr_inodes=1%", -EINVAL, NULL, 0,
	      "invalid value in 'nr_inodes=1%' of '/s:nr_inodes=1%'");
	tmpfs("/s:huge=always", -EINVAL, NULL, 0,
	      "unknown option 'huge=always' in '/s:huge=always' (use rw, ro, [no]suid, [no]dev, "
	      "[no]exec, size=, mode=, nr_inodes=, uid=, gid=)");
}

/* Writes @text to @name in the temp dir; loads and validates it. */
static int load(const char *name, const char *text, struct container_spec **ret, char **ret_err)
{
	struct container_spec *spec = spec_new();
	FILE *f = fopen(name, "we");
	int r;

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_non_null(spec);
	spec->strict_permissions = false;
	capture_begin();
	r = config_load_container(name, spec);
	if (r == 0)
		r = config_validate(spec, true);
	*ret_err = capture_end();
	*ret = spec;
	return r;
}

static void test_repeatable_lines(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL, *d = NULL;

	(void)state;
	assert_int_equal(mkdir("root", 0755), 0);
	assert_int_equal(mkdir("root/data", 0755), 0);
	assert_int_equal(mkdir("src", 0755), 0);
	assert_int_equal(load("a.container",
			      "[Container]\nCommand = true\nRootfs = ./root:O\n"
			      "Volume = ./src:/data:ro\nTmpfs = /t\nVolume = /cache\n",
			      &spec, &err),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(spec->n_mounts, 3);
	assert_int_equal(spec->mounts[0].kind, SPEC_MOUNT_BIND);
	assert_int_equal(spec->mounts[0].line, 4);
	assert_int_equal(spec->mounts[0].file, 1);
	d = strdup_printf("%s/src", tmpdir);
	assert_string_equal(spec->mounts[0].source, d);
	assert_int_equal(spec->mounts[1].kind, SPEC_MOUNT_ANONYMOUS);
	assert_int_equal(spec->mounts[1].line, 6);
	assert_int_equal(spec->mounts[2].kind, SPEC_MOUNT_TMPFS);
	assert_int_equal(spec->mounts[2].line, 5);
	assert_true(spec->rootfs_overlay);
	assert_string_equal(spec->working_directory, "/");
	spec = spec_free(spec);
	free(err);

	/* A drop-in adds a volume; an empty Volume= in a later one drops all before it. */
	assert_int_equal(mkdir("a.container.d", 0755), 0);
	{
		FILE *f = fopen("a.container.d/10-more.conf", "we");

		fputs("[Container]\nVolume = /more\n", f);
		fclose(f);
	}
	assert_int_equal(load("a.container",
			      "[Container]\nCommand = true\nRootfs = ./root:O\nVolume = /cache\n",
			      &spec, &err),
			 0);
	assert_int_equal(spec->n_mounts, 2);
	assert_string_equal(spec->mounts[1].target, "/more");
	spec = spec_free(spec);
	free(err);
	{
		FILE *f = fopen("a.container.d/20-reset.conf", "we");

		fputs("[Container]\nVolume =\nVolume = /only\n", f);
		fclose(f);
	}
	assert_int_equal(load("a.container",
			      "[Container]\nCommand = true\nRootfs = ./root:O\nVolume = /cache\n",
			      &spec, &err),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(spec->n_mounts, 1);
	assert_string_equal(spec->mounts[0].target, "/only");
	assert_int_equal(spec->mounts[0].line, 3);
	assert_int_equal(spec->mounts[0].file, 3);
	err = (free(err), NULL);
	unlink("a.container.d/10-more.conf");
	unlink("a.container.d/20-reset.conf");
	rmdir("a.container.d");
	/* Single-valued keys stay single: a second Rootfs= is a duplicate. */
	spec = spec_free(spec);
	assert_int_equal(load("b.container",
			      "[Container]\nCommand = true\nRootfs = /\nRootfs = /tmp\n", &spec,
			      &err),
			 -EINVAL);
	assert_string_equal(err, "b.container:4: Rootfs: duplicate key, first set at line 3\n");
}

static void test_host_rules(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL, *want = NULL;

	(void)state;
	assert_int_equal(mkdir("r", 0755), 0);
	assert_int_equal(mkdir("r/etc", 0755), 0);
	assert_int_equal(symlink("/etc", "r/link"), 0);
	assert_int_equal(mkdir("s", 0755), 0);
	assert_int_equal(load("c.container",
			      "[Container]\nCommand = true\nRootfs = ./r\nReadOnly = true\n"
			      "Volume = ./s:/etc\nVolume = ./s:/missing\nTmpfs = /etc\n"
			      "Volume = ./s:/link/x\nVolume = ./nothere:/etc/y\nTmpfs = /dev/shm\n",
			      &spec, &err),
			 -EINVAL);
	want = strdup_printf(
	    "c.container:6: Volume: the mount point '/missing' does not exist in the read-only "
	    "root '%s/r'\n"
	    "c.container:8: Volume: '/link/x' goes through the symlink '/link' in the root "
	    "'%s/r' (mount points are not followed through symlinks)\n"
	    "c.container:9: Volume: cannot use the host path '%s/././nothere': No such file or "
	    "directory\n"
	    "c.container:7: Tmpfs: '/etc' is already a mount point (Volume= at c.container:5)\n"
	    "c.container:10: Tmpfs: cannot mount over '/dev/shm' (/proc and /dev belong to the "
	    "container's own kernel file systems)\n",
	    tmpdir, tmpdir, tmpdir);
	assert_string_equal(err, want);
	spec = spec_free(spec);
	err = (free(err), NULL);
	assert_int_equal(load("d.container",
			      "[Container]\nCommand = true\nNamespaces = uts\nRootfs = ./r\n", &spec,
			      &err),
			 -EINVAL);
	assert_string_equal(err,
			    "d.container:4: Rootfs: needs the mount namespace (Namespaces=)\n");
}

/* Volume=...:idmap needs a user namespace: a 125 at its file:line without one. */
static void test_idmap_rules(void **state)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_free_ char *err = NULL;

	(void)state;
	assert_int_equal(mkdir("ir", 0755), 0);
	assert_int_equal(mkdir("ir/data", 0755), 0);
	assert_int_equal(mkdir("is", 0755), 0);
	assert_int_equal(load("i.container",
			      "[Container]\nCommand = true\nRootfs = ./ir\n"
			      "Volume = ./is:/data:idmap\n",
			      &spec, &err),
			 -EINVAL);
	assert_string_equal(err, "i.container:4: Volume: 'idmap' on '/data' needs a user namespace "
				 "(UserNS= or UIDMap=), which this container does not have\n");
	spec = spec_free(spec);
	err = (free(err), NULL);
	assert_int_equal(load("j.container",
			      "[Container]\nCommand = true\nRootfs = ./ir\nUserNS = auto\n"
			      "Volume = ./is:/data:idmap\n",
			      &spec, &err),
			 0);
	assert_string_equal(err, "");
	assert_true(spec->mounts[0].flags & SPEC_MOUNT_IDMAP);
	spec = spec_free(spec);
	err = (free(err), NULL);
	assert_int_equal(load("k.container",
			      "[Container]\nCommand = true\nRootfs = ./ir\nUIDMap = 0:100000:1000\n"
			      "Volume = ./is:/data:idmap\n",
			      &spec, &err),
			 0);
	assert_string_equal(err, "");
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(chdir(tmpdir), 0);
	return 0;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(system(cmd), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rootfs_values),
		cmocka_unit_test(test_volume_values),
		cmocka_unit_test(test_tmpfs_values),
		cmocka_unit_test(test_repeatable_lines),
		cmocka_unit_test(test_host_rules),
		cmocka_unit_test(test_idmap_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
