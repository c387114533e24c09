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

# The fresh kernel file systems of the new root. They are mounted here, with the static
# busybox, because under TCG every exec of a dynamic host binary costs tens of milliseconds;
# guest-init.sh mounts whatever is missing.
r=/newroot
mount --move /dev $r/dev || fail "cannot move /dev"
mount -t proc -o nosuid,nodev,noexec proc $r/proc || fail "cannot mount /proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs $r/sys || fail "cannot mount /sys"
# cgroup2 only (cgroup_no_v1=all), with the options systemd uses.
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 $r/sys/fs/cgroup ||
	mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 $r/sys/fs/cgroup ||
	fail "cannot mount cgroup2 on /sys/fs/cgroup"
mkdir -p $r/dev/pts $r/dev/shm $r/dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts $r/dev/pts
mount -t tmpfs -o nosuid,nodev shm $r/dev/shm
mount -t mqueue mqueue $r/dev/mqueue 2>/dev/null
[ -e $r/dev/ptmx ] || ln -sf pts/ptmx $r/dev/ptmx
[ -e $r/dev/fd ] || ln -sf /proc/self/fd $r/dev/fd
# A repository checked out below /tmp or /run (CI clones anywhere) would vanish under the
# fresh tmpfs: hold its overlay view aside and put it back on top.
repo=$(arg mdlvm.repo) || repo=
held=0
case $repo in
/tmp/* | /run/*)
	mkdir -p /held && mount --bind "$r$repo" /held && held=1 ||
		fail "cannot hold the repository $repo aside"
	;;
esac
mount -t tmpfs -o nosuid,nodev,mode=1777 tmp $r/tmp || fail "cannot mount /tmp"
mount -t tmpfs -o nosuid,nodev,mode=0755 run $r/run || fail "cannot mount /run"
if [ "$held" = 1 ]; then
	mkdir -p "$r$repo" && mount --move /held "$r$repo" ||
		fail "cannot put the repository back at $repo"
fi
# Host state that must not leak into the guest (a /.dockerenv makes systemd think it runs in
# a container).
rm -f $r/.dockerenv $r/run/.containerenv
# The guest kernel's modules (veth, bridge, ... loaded on demand), from the harness's cache.
kver=$(uname -r)
if moddir=$(arg mdlvm.modules) && [ -d "$r$moddir" ]; then
	mkdir -p "$r/lib/modules/$kver" && mount --bind "$r$moddir" "$r/lib/modules/$kver"
	if [ ! -x $r/sbin/modprobe ] && [ ! -x $r/usr/sbin/modprobe ] && [ -x $r/bin/busybox ]; then
		mkdir -p $r/run/mdlvm && ln -s /bin/busybox $r/run/mdlvm/modprobe &&
			echo /run/mdlvm/modprobe >/proc/sys/kernel/modprobe
	fi
fi
echo mdlaunch-vm >/proc/sys/kernel/hostname
ip link set lo up 2>/dev/null
stty -onlcr 2>/dev/null # no CR before LF in the streamed output
[ "$verbose" = 1 ] && echo "vm stage1: $(cut -d' ' -f1 /proc/uptime)s: root ready, switching to $init"

use_systemd=0
arg mdlvm.systemd >/dev/null && use_systemd=1
umount /sys
umount /proc
if [ "$use_systemd" = 0 ]; then
	exec switch_root /newroot /bin/bash "$init"
fi

# --systemd: the host's systemd as PID 1, booting to mdlvm.target (systemd.unit= on the
# command line): basic.target and the job, run by guest-init.sh --systemd-job in a service
# with Delegate=yes. The units live in the overlay only.
[ -x $r/lib/systemd/systemd ] || fail "no /lib/systemd/systemd in the shared root"
mkdir -p $r/etc/systemd/system
cat >$r/etc/systemd/system/mdlvm.target <<EOT
[Unit]
Description=mdlaunch test VM
Requires=basic.target mdlvm-job.service
After=basic.target mdlvm-job.service
AllowIsolate=yes
EOT
cat >$r/etc/systemd/system/mdlvm-job.service <<EOT
[Unit]
Description=mdlaunch test VM job
After=basic.target
[Service]
Type=oneshot
ExecStart=/bin/bash $init --systemd-job
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
Delegate=yes
TimeoutStartSec=infinity
EOT
exec switch_root /newroot /lib/systemd/systemd
