#!/bin/bash
# Stage 2 of the test VM: PID 1 inside the guest, run with the host's bash from the overlay of
# the host root (see initramfs-init.sh, which mounted /proc, /sys, /sys/fs/cgroup, /dev, /tmp
# and /run; whatever is missing is mounted here). It
#   - enables the controllers the tests need (+cpu +cpuset +memory +pids, and +io when offered)
#     in the root cgroup's cgroup.subtree_control, creates a child cgroup for the run
#     (mdlvm.cgroup=, default /vm-test) and moves itself there, so the launcher does not run
#     in the root cgroup (as on a real host);
#   - runs the job script (mdlvm.job=PATH, written by run-vm.sh) with its output on ttyS0;
#   - writes the job's exit status to the status port (ttyS1) and powers the guest off.
# Builtins where possible: under TCG every exec of a dynamic binary costs tens of ms.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

read -r cmdline </proc/cmdline 2>/dev/null || cmdline=
arg() { # value of NAME= on the kernel command line
	local w
	for w in $cmdline; do
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

# --systemd-job: run by mdlvm-job.service when systemd is PID 1 (run-vm.sh --systemd);
# systemd owns the cgroup tree and the service has Delegate=yes.
if [ "${1:-}" = --systemd-job ]; then
	job=$(arg mdlvm.job) || job=
	if [ -r "$job" ]; then
		bash "$job" </dev/null
		status=$?
	else
		echo "vm stage2: job script '$job' not readable in the guest" >&2
		status=stage2-failed
	fi
	echo "$status" >/dev/ttyS1
	sync
	systemctl --no-block poweroff || /bin/busybox poweroff -f
	exit 0
fi

[ -e /proc/self/stat ] || mount -t proc -o nosuid,nodev,noexec proc /proc
read -r cmdline </proc/cmdline
[ -e /dev/ttyS0 ] || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
# ttyS0 carries the guest's output (the kernel's console may be elsewhere, see run-vm.sh).
exec </dev/ttyS0 >/dev/ttyS0 2>&1
[ -e /sys/kernel ] || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || fail "cannot mount /sys"
cg=/sys/fs/cgroup
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 $cg ||
	fail "cannot mount cgroup2 on $cg"
[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts; }
[ -w /tmp ] || mount -t tmpfs -o nosuid,nodev,mode=1777 tmp /tmp
rm -f /.dockerenv 2>/dev/null

verbose=0
arg mdlvm.verbose >/dev/null && verbose=1

# cgroup v2: controllers for the children of the root, then a child cgroup for the run.
read -r offered <$cg/cgroup.controllers || fail "cannot read $cg/cgroup.controllers"
for c in cpu cpuset memory pids io; do
	case " $offered " in
	*" $c "*) echo "+$c" >$cg/cgroup.subtree_control ||
		fail "cannot enable +$c in $cg/cgroup.subtree_control" ;;
	*) [ "$c" = io ] || fail "controller $c missing from $cg/cgroup.controllers ($offered)" ;;
	esac
done
testcg=$(arg mdlvm.cgroup) || testcg=/vm-test
[ -d "$cg$testcg" ] || mkdir -p "$cg$testcg" || fail "cannot create the cgroup $testcg"
echo $$ >"$cg$testcg/cgroup.procs" || fail "cannot move PID 1 into the cgroup $testcg"

if [ "$verbose" = 1 ]; then
	read -r up _ </proc/uptime
	read -r own </proc/self/cgroup
	read -r kver </proc/sys/kernel/osrelease
	echo "vm stage2: ${up}s: kernel $kver, controllers: $offered, own cgroup: $own"
fi

job=$(arg mdlvm.job) || fail "no mdlvm.job= on the kernel command line"
[ -r "$job" ] || fail "job script $job not readable in the guest"
bash "$job" </dev/null
status=$?
report_and_poweroff "$status"
