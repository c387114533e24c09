#!/bin/sh
# Stage 1 of the test VM: /init of the busybox initramfs that run-vm.sh builds.
#
# Loads the modules listed in /modules.order (virtio, 9p, overlay), mounts the host's root,
# shared read-only over 9p with the tag "hostroot", puts a tmpfs overlay on top of it so the
# guest can write, and switches root into it, executing the stage 2 script named on the
# kernel command line (mdlvm.init=PATH, a path in the host tree) with the host's bash.
#
# On any failure it writes "stage1-failed" to the status port (ttyS1) and powers off.

PATH=/bin:/sbin
export PATH

/bin/busybox mkdir -p /dev /proc /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
# ttyS0 carries the guest's output (the kernel's console may be elsewhere, see run-vm.sh).
exec </dev/ttyS0 >/dev/ttyS0 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

fail() {
	echo "vm stage1: $*"
	echo "stage1-failed" >/dev/ttyS1
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 30
	exit 1
}

arg() { # value of NAME= on the kernel command line
	for w in $(cat /proc/cmdline); do
		case $w in "$1="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

verbose=0
arg mdlvm.verbose >/dev/null && verbose=1

if [ -f /modules.order ]; then
	while read -r ko; do
		[ -n "$ko" ] || continue
		insmod "/modules/$ko" 2>/tmp/insmod.err ||
			grep -q 'File exists' /tmp/insmod.err ||
			fail "insmod $ko: $(cat /tmp/insmod.err)"
	done </modules.order
fi

cache=$(arg mdlvm.9pcache) || cache=loose
msize=$(arg mdlvm.msize) || msize=262144
mkdir -p /host /rw /newroot
mount -t 9p -o "trans=virtio,version=9p2000.L,ro,cache=$cache,msize=$msize" hostroot /host ||
	fail "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 rw /rw || fail "cannot mount the tmpfs for the overlay"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay over the host root"

init=$(arg mdlvm.init) || fail "no mdlvm.init= on the kernel command line"
[ -f "/newroot$init" ] || fail "stage 2 script $init not found in the shared root"
[ -x /newroot/bin/bash ] || fail "no /bin/bash in the shared root"
[ "$verbose" = 1 ] && echo "vm stage1: root ready, switching to $init"

mount --move /dev /newroot/dev || fail "cannot move /dev"
umount /sys
umount /proc
exec switch_root /newroot /bin/bash "$init"
