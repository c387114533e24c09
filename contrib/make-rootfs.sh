#!/bin/sh
# make-rootfs.sh DIR: builds a minimal root file system for Rootfs= from
# Debian's busybox-static (no download): /bin/busybox, one symlink per
# applet, the directories the kernel file systems and ReadOnlyTmpfs= mount
# on, and /etc/passwd and /etc/group for root and nobody. The tree is
# built next to DIR and renamed into place, so DIR is either the old tree
# or the complete new one. `make rootfs` runs it for build/rootfs.
set -eu

dir=${1:?usage: make-rootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}

if ! [ -x "$busybox" ]; then
	echo "make-rootfs.sh: $busybox is missing (apt-get install busybox-static)" >&2
	exit 1
fi

tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
mkdir -p bin sbin usr/bin usr/sbin proc sys dev tmp var/tmp run etc root home
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
for applet in $("$busybox" --list-full); do
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done
cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo "busybox root file system made by mdlaunch's contrib/make-rootfs.sh" >etc/mdlaunch-rootfs
cd - >/dev/null
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "make-rootfs.sh: $dir ready ($("$busybox" --list | wc -l) applets)"
