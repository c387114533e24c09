#!/usr/bin/env bats
# What a default container can reach of the kernel's file systems, probed
# from inside: its own cgroups (in its cgroup namespace, read-only), /sys
# read-only, the masked and read-only paths of /proc and /sys, Mask= and
# Unmask=; and that none of the mounts made for it reach the host.

load helpers

setup()
{
	mdl_setup
	MOUNTS_BEFORE=$(host_mounts)
}

teardown()
{
	local after
	after=$(host_mounts)
	if [ "$after" != "$MOUNTS_BEFORE" ]; then
		echo "teardown: the host's mount table changed:" >&2
		diff <(printf '%s\n' "$MOUNTS_BEFORE") <(printf '%s\n' "$after") >&2
		mdl_teardown
		return 1
	fi
	mdl_teardown
}

# host_mounts: the mount points and file systems of the host's mount namespace.
host_mounts()
{
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1) }' /proc/self/mountinfo | sort
}

# mount_opts MOUNTPOINT: the per-mount options of MOUNTPOINT in $output (a mountinfo text).
mount_opts()
{
	printf '%s\n' "$output" | awk -v m="$1" '$5 == m { o = $6 } END { print o }'
}

# The probe of the issue: the memory limit and cgroup.procs from inside, v1 or v2.
CGROUP_PROBE='
if [ -e /sys/fs/cgroup/memory.max ]; then lim=/sys/fs/cgroup/memory.max; procs=/sys/fs/cgroup/cgroup.procs
else lim=/sys/fs/cgroup/memory/memory.limit_in_bytes; procs=/sys/fs/cgroup/cpu/cgroup.procs; fi
before=$(cat /proc/self/cgroup | tr "\n" " ")
echo "limit $(cat $lim)"
if echo 134217728 >$lim; then echo "limit-write ok"; else echo "limit-write refused"; fi
echo "limit-after $(cat $lim)"
if echo $$ >$procs; then echo "procs-write ok"; else echo "procs-write refused"; fi
for p in /sys/fs/cgroup/*/cgroup.procs /sys/fs/cgroup/cgroup.procs; do
	[ -e "$p" ] || continue
	if echo $$ >"$p"; then echo "procs-write ok $p"; fi
done
after=$(cat /proc/self/cgroup | tr "\n" " ")
[ "$before" = "$after" ] && echo "cgroup unchanged"
echo "self $after"
'

@test "containment: the container's own limit is read-only and reads 64M from inside" {
	run --separate-stderr mdl run -m 64m --cpushare 512 -- sh -c "$CGROUP_PROBE"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field limit)" = 67108864 ]
	[ "$(field limit-write)" = refused ]
	[ "$(field limit-after)" = 67108864 ]
	[[ "$stderr" == *"Read-only file system"* ]]
}

@test "containment: no cgroup.procs is writable and /proc/self/cgroup shows / in its namespace" {
	run --separate-stderr mdl run -m 64m --cpushare 512 -- sh -c "$CGROUP_PROBE"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field procs-write)" = refused ]
	[[ "$output" != *"procs-write ok"* ]]
	[[ "$output" == *"cgroup unchanged"* ]]
	# every hierarchy it was put in is its root; on v2 the one line "0::/"
	local self
	self=$(field self)
	[ -n "$self" ]
	for entry in $self; do
		[[ "$entry" == *:/ ]]
	done
}

@test "containment: /sys/fs/cgroup holds the container's hierarchies, read-only, with the host's names" {
	run --separate-stderr mdl run -m 64m --cpushare 512 -- sh -c \
		'cat /proc/self/mountinfo; echo "ls $(ls /sys/fs/cgroup | tr "\n" " ")"'
	print_run
	[ "$status" -eq 0 ]
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		[[ "$(mount_opts /sys/fs/cgroup)" == ro,* ]]
		return
	fi
	[[ "$(mount_opts /sys/fs/cgroup)" == ro,* ]]
	local mp
	for ctl in memory cpu; do
		mp=$(cgroup_v1_mount $ctl)
		[[ "$(mount_opts "$mp")" == ro,* ]]
		[[ " $(field ls) " == *" ${mp##*/} "* ]]
	done
	# the device allowlist's hierarchy is used by every container; ones it does not use are not shown
	[[ " $(field ls) " == *" devices "* ]]
	[[ " $(field ls) " != *" freezer "* ]]
	[[ " $(field ls) " != *" blkio "* ]]
}

@test "containment: writing /proc/sys/kernel/hostname fails" {
	run --separate-stderr mdl run -- sh -c 'echo evil >/proc/sys/kernel/hostname; echo "rc=$?"; hostname'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = rc=2 ] || [ "${lines[0]}" = rc=1 ]
	[ "${lines[1]}" != evil ]
	[[ "$stderr" == *"Read-only file system"* ]]
}

@test "containment: /sys is a read-only mount, with and without a network namespace" {
	local probe='cat /proc/self/mountinfo; for p in /sys/module/*/parameters/*; do [ -f "$p" ] && [ -w "$p" ] && break; done; if echo 1 >"$p"; then echo "sys-write ok $p"; fi; if mkdir /sys/fs/cgroup/x; then echo "cgroup-mkdir ok"; fi'
	run --separate-stderr mdl run -- sh -c "$probe"
	print_run
	[ "$status" -eq 0 ]
	[[ "$(mount_opts /sys)" == ro,* ]]
	[[ "$output" != *"sys-write ok"* ]]
	[[ "$output" != *"cgroup-mkdir ok"* ]]

	f=$(write_container hostnet <<EOF
[Container]
Command = sh -c '$probe'
Namespaces = uts pid mount ipc cgroup
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$(mount_opts /sys)" == ro,* ]]
	[[ "$output" != *"sys-write ok"* ]]
	[[ "$output" != *"cgroup-mkdir ok"* ]]
}

@test "containment: /proc/kcore, /proc/keys and /proc/timer_list read empty" {
	[ -n "$(head -c 64 /proc/timer_list 2>/dev/null)" ] || skip "this kernel has no /proc/timer_list"
	run --separate-stderr mdl run -- sh -c \
		'for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] || { echo "$f absent"; continue; }; echo "$f $(head -c 64 $f | wc -c)"; done'
	print_run
	[ "$status" -eq 0 ]
	[ "$(field /proc/timer_list)" = 0 ]
	[ "$(field /proc/keys)" = 0 ] || [ "$(field /proc/keys)" = absent ]
	[ "$(field /proc/kcore)" = 0 ] || [ "$(field /proc/kcore)" = absent ]
}

@test "containment: Mask= hides more paths, Unmask= gives back defaults, ALL all of them" {
	[ -n "$(head -c 64 /proc/timer_list 2>/dev/null)" ] || skip "this kernel has no /proc/timer_list"
	local probe='for f in /proc/version /proc/timer_list /proc/driver; do echo "$f $(cat $f 2>/dev/null | wc -c) $(ls $f 2>/dev/null | wc -l)"; done; if echo x >/proc/sys/kernel/hostname; then echo "sys writable"; fi'
	f=$(write_container masks <<EOF
[Container]
Command = sh -c '$probe'
Mask = /proc/version
Mask = /proc/driver:/does/not/exist
Unmask = /proc/timer_*
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	# a masked file reads empty, a masked directory lists nothing
	[ "$(field /proc/version)" = "0 1" ]
	[[ "$(field /proc/driver)" == *" 0" ]]
	[[ "$(field /proc/timer_list)" != "0 "* ]]
	[[ "$output" != *"sys writable"* ]]

	f=$(write_container unmaskall <<EOF
[Container]
Command = sh -c '$probe'
Unmask = ALL
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$(field /proc/version)" != "0 "* ]]
	[[ "$(field /proc/timer_list)" != "0 "* ]]
	[[ "$output" == *"sys writable"* ]]
}

@test "containment: a bad Mask= or Unmask= is a 125 at file:line" {
	f=$(write_container badmask <<EOF
[Container]
Command = true
Mask = proc/version
Unmask = /proc/../etc
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"badmask.container:3: Mask: invalid path 'proc/version'"* ]]
	[[ "$stderr" == *"badmask.container:4: Unmask: invalid path '/proc/../etc'"* ]]
}

@test "containment: show prints the cgroup namespace, /sys, cgroupfs, masks and read-only paths" {
	run --separate-stderr mdl show "$EXAMPLES/hello.container"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"namespaces"*"cgroup"* ]]
	[[ "$output" == *"mount sysfs on '/sys' (ro,nosuid,nodev,noexec)"* ]]
	[[ "$output" == *"on '/sys/fs/cgroup"* ]]
	[[ "$output" == *"mask '/proc/kcore'"* ]]
	[[ "$output" == *"remount '/proc/sys' (ro,rec)"* ]]
}

@test "containment: Namespaces= without cgroup keeps the host's view of the cgroups, read-only" {
	require_v1 memory
	f=$(write_container nocgns <<EOF
[Container]
Command = sh -c 'grep -E "^[0-9]+:([^:]*,)?memory(,[^:]*)?:" /proc/self/cgroup; if echo 1 >/sys/fs/cgroup/memory/cgroup.procs; then echo "procs-write ok"; fi'
Namespaces = $HOST_CGROUP_VIEW
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == */mdlaunch/nocgns-* ]]
	[[ "$output" != *"procs-write ok"* ]]
}
