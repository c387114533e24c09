#!/bin/bash
# Stage 2 of the test VM: PID 1 inside the guest, run with the host's bash from the overlay of
# the host root (see initramfs-init.sh). It
#   - mounts fresh /proc, /sys, /sys/fs/cgroup (cgroup2 only), /dev, /tmp, /run;
#   - enables the controllers the tests need (+cpu +cpuset +memory +pids, and +io when offered)
#     in the root cgroup's cgroup.subtree_control, creates a child cgroup for the run
#     (mdlvm.cgroup=, default /vm-test) and moves itself there, so the launcher does not run
#     in the root cgroup (as on a real host);
#   - runs the job script (mdlvm.job=PATH, written by run-vm.sh), its output on the console;
#   - writes the job's exit status to the status port (ttyS1) and powers the guest off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

arg() { # value of NAME= on the kernel command line
	local w
	for w in $(</proc/cmdline); do
		case $w in "$1="*)
			echo "${w#*=}"
			return 0
			;;
		esac
	done
	return 1
}

report_and_poweroff() { # status
	echo "$1" >/dev/ttyS1
	sync
	[ ! -x /bin/busybox ] || /bin/busybox poweroff -f
	echo o >/proc/sysrq-trigger
	# The power-off runs asynchronously: PID 1 must not exit meanwhile (that would panic).
	while :; do sleep 10; done
}

fail() {
	echo "vm stage2: $*" >&2
	report_and_poweroff stage2-failed
}

mountpoint -q /proc || mount -t proc -o nosuid,nodev,noexec proc /proc
mountpoint -q /dev || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
# ttyS0 carries the guest's output (the kernel's console may be elsewhere, see run-vm.sh).
exec </dev/ttyS0 >/dev/ttyS0 2>&1
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || fail "cannot mount /sys"
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
	mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup ||
	fail "cannot mount cgroup2 on /sys/fs/cgroup"
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev shm /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
[ -e /dev/ptmx ] || ln -sf pts/ptmx /dev/ptmx
[ -e /dev/fd ] || ln -sf /proc/self/fd /dev/fd
mount -t tmpfs -o nosuid,nodev,mode=1777 tmp /tmp
mount -t tmpfs -o nosuid,nodev,mode=0755 run /run
# Host state that must not leak into the guest.
rm -f /.dockerenv /run/.containerenv 2>/dev/null
hostname mdlaunch-vm 2>/dev/null || echo mdlaunch-vm >/proc/sys/kernel/hostname
command -v ip >/dev/null && ip link set lo up 2>/dev/null

# The guest kernel's modules (veth, bridge, ... loaded on demand) from the harness's cache.
moddir=$(arg mdlvm.modules) && [ -d "$moddir" ] && {
	mkdir -p "/lib/modules/$(uname -r)" && mount --bind "$moddir" "/lib/modules/$(uname -r)"
	if ! command -v modprobe >/dev/null && [ -x /bin/busybox ]; then
		mkdir -p /run/mdlvm && ln -sf /bin/busybox /run/mdlvm/modprobe &&
			echo /run/mdlvm/modprobe >/proc/sys/kernel/modprobe
	fi
}

verbose=0
arg mdlvm.verbose >/dev/null && verbose=1
stty -F /dev/ttyS0 -onlcr 2>/dev/null

# cgroup v2: controllers for the children of the root, then a child cgroup for the run.
cg=/sys/fs/cgroup
want="cpu cpuset memory pids io"
for c in $want; do
	if grep -qw "$c" $cg/cgroup.controllers; then
		echo "+$c" >$cg/cgroup.subtree_control || fail "cannot enable +$c in $cg/cgroup.subtree_control"
	elif [ "$c" != io ]; then
		fail "controller $c missing from $cg/cgroup.controllers"
	fi
done
testcg=$(arg mdlvm.cgroup) || testcg=/vm-test
mkdir -p "$cg$testcg" || fail "cannot create the cgroup $testcg"
echo $$ >"$cg$testcg/cgroup.procs" || fail "cannot move PID 1 into the cgroup $testcg"

if [ "$verbose" = 1 ]; then
	echo "vm stage2: kernel $(uname -r), cgroup $(stat -f -c %T /sys/fs/cgroup)," \
		"controllers: $(cat $cg/cgroup.controllers), own cgroup: $(cat /proc/self/cgroup)"
fi

job=$(arg mdlvm.job) || fail "no mdlvm.job= on the kernel command line"
[ -r "$job" ] || fail "job script $job not readable in the guest"
bash "$job" </dev/null
status=$?
report_and_poweroff "$status"
