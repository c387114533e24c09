#!/usr/bin/env bats
# The private /dev and the device allowlist, read from inside the container:
# the nodes /dev holds, /dev/shm and ShmSize=, a node re-made with mknod that
# cannot be opened, AddDevice= (and run --device) making one usable, '-' for a
# missing host node, and nothing left mounted on the host.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# A host character device the allowlist refuses by default, as "path major minor":
# /dev/kvm when present, else /dev/fuse, /dev/loop-control, /dev/kmsg. The tests
# open it write-only, which none of these refuses to root by itself.
refused_device()
{
	local d
	for d in /dev/kvm /dev/fuse /dev/loop-control /dev/kmsg; do
		if [ -c "$d" ]; then
			printf '%s %d %d\n' "$d" "0x$(stat -c %t "$d")" "0x$(stat -c %T "$d")"
			return 0
		fi
	done
	return 1
}

@test "devices: /dev holds only the expected nodes (no block device, no kvm/fuse/kmsg)" {
	run --separate-stderr mdl run -- sh -c 'ls -A /dev | tr "\n" " "; echo;
		find /dev -xdev -type b | wc -l;
		stat -c "%n %F %t:%T %a" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty;
		readlink /dev/ptmx /dev/fd /dev/stdin /dev/stdout /dev/stderr;
		grep -E " /dev(/pts|/shm|/mqueue)? " /proc/self/mountinfo | sed "s/.* - //"'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = "/dev/null character special file 1:3 666" ]
	[ "${lines[3]}" = "/dev/zero character special file 1:5 666" ]
	[ "${lines[7]}" = "/dev/tty character special file 5:0 666" ]
	[ "${lines[8]}" = "pts/ptmx" ]
	[ "${lines[9]}" = "/proc/self/fd" ]
	[ "${lines[12]}" = "/proc/self/fd/2" ]
	[[ "$output" == *"tmpfs tmpfs rw,"*"size=65536k,mode=755"* ]]
	[[ "$output" == *"devpts devpts rw,"*"mode=620,ptmxmode=666"* ]]
	[[ "$output" == *"tmpfs shm rw,"*"size=65536k"* ]]
	[[ "$output" == *"mqueue mqueue rw"* ]]
	# The ptys work: a new one appears in the container's own devpts.
	require_tool python3
	run --separate-stderr mdl run -- python3 -c 'import os, pty; m, s = pty.openpty(); print(os.ttyname(s))'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = /dev/pts/0 ]
}

@test "devices: /dev/shm is private; ShmSize= limits it; no mqueue without an IPC namespace" {
	local f name=shm-probe-$$-$RANDOM
	run --separate-stderr mdl run -- sh -c "echo x > /dev/shm/$name && ls /dev/shm"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$name" ]
	[ ! -e "/dev/shm/$name" ]

	f=$(write_container shm <<EOF
[Container]
Command = sh -c 'grep " /dev/shm " /proc/self/mountinfo; dd if=/dev/zero of=/dev/shm/big bs=1024 count=2048 2>&1; echo dd=\$?; test -e /dev/mqueue && echo mqueue-present; exit 0'
ShmSize = 1M
Namespaces = uts pid mount net
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"size=1024k"* ]]
	[[ "$output" == *"No space left on device"* ]]
	[[ "$output" == *"dd=1"* ]]
	[[ "$output" != *mqueue-present* ]]
	run --separate-stderr mdl run --shm-size 2M -- sh -c 'grep " /dev/shm " /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"size=2048k"* ]]
	run --separate-stderr mdl run --shm-size max -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--shm-size: size 'max' out of range"* ]]
}

@test "devices: a host device re-made with mknod cannot be opened; AddDevice= makes it usable" {
	local dev maj min node f
	read -r dev maj min < <(refused_device) || skip "no /dev/kvm, /dev/fuse or /dev/loop-control here"
	# The node lives on the host's file system (a /dev/shm is nodev): made inside, removed
	# here. Where that is nodev too (the v2 guest's /tmp), in the container's own /dev.
	node=$BATS_TEST_TMPDIR/node
	if findmnt -no OPTIONS -T "$BATS_TEST_TMPDIR" | grep -qw nodev; then
		node=/dev/mdl-test-node
	fi
	run --separate-stderr mdl run -- sh -c "mknod $node c $maj $min && echo made;
		true >$node && echo opened; test -e $dev && echo visible; exit 0"
	print_run
	rm -f "$node"
	[ "$status" -eq 0 ]
	[[ "$output" == *made* ]]
	[[ "$output" != *opened* ]]
	[[ "$output" != *visible* ]]
	[[ "$stderr" == *"Operation not permitted"* ]]

	f=$(write_container adddev <<EOF
[Container]
Command = sh -c 'stat -c "%n %t:%T" /dev/mine; test -e $dev && echo opened-host-path; true >/dev/mine && echo opened; mknod $node c $maj $min && true >$node && echo opened-mknod'
AddDevice = $dev:/dev/mine:rwm
AddDevice = -/dev/does-not-exist-$$
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	rm -f "$node"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/mine $(printf '%x:%x' "$maj" "$min")" ]
	[[ "$output" == *$'\nopened\n'* ]]
	[[ "$output" == *opened-mknod* ]]
	[[ "$output" != *opened-host-path* ]]

	# run --device, docker's name, write-only: a read open is refused.
	run --separate-stderr mdl run --device "$dev:w" -- sh -c "true <$dev && echo read; true >$dev && echo write; exit 0"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == write ]]
}

@test "devices: a missing AddDevice= host node is 125 at file:line, before anything runs; '-' skips it" {
	local f marker=$BATS_TEST_TMPDIR/ran
	f=$(write_container missing <<EOF
[Container]
Command = touch $marker
AddDevice = /dev/null:/dev/n2
AddDevice = /dev/does-not-exist-$$
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:4: AddDevice: '/dev/does-not-exist-$$': No such file or directory"* ]]
	[ ! -e "$marker" ]
	# check knows only the syntax; check --host looks at the host.
	run --separate-stderr "$MDLAUNCH" check "$f"
	[ "$status" -eq 0 ]
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:4: AddDevice: '/dev/does-not-exist-$$': No such file"* ]]

	sed -i 's|^AddDevice = /dev/does|AddDevice = -/dev/does|' "$f"
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -e "$marker" ]

	# Syntax: not a device path, bad permissions.
	f=$(write_container badsyntax <<EOF
[Container]
Command = true
AddDevice = /dev/null:/tmp/x /dev/null:rx
EOF
)
	run --separate-stderr "$MDLAUNCH" check "$f"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: AddDevice: invalid device '/dev/null:/tmp/x'"* ]]
	[[ "$stderr" == *"$f:3: AddDevice: invalid device '/dev/null:rx'"* ]]
	run --separate-stderr mdl run --device /etc/passwd:/dev/pw -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--device: '/etc/passwd': not a device node"* ]]
}

@test "devices: without a mount namespace the host's /dev shows, but the allowlist still holds" {
	local dev maj min f
	read -r dev maj min < <(refused_device) || skip "no /dev/kvm, /dev/fuse or /dev/loop-control here"
	f=$(write_container nomnt <<EOF
[Container]
Command = sh -c 'test -e $dev && echo visible; true >$dev && echo opened; true </dev/null && echo null'
Namespaces = uts pid net ipc
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *visible* ]]
	[[ "$output" != *opened* ]]
	[[ "$output" == *null* ]]
}

@test "devices: show prints the /dev nodes and the device rules; nothing is mounted on a shared host" {
	local f before after
	f=$(write_container showdev <<EOF
[Container]
Command = true
AddDevice = /dev/null:/dev/net/n2:rw
ShmSize = 8M
EOF
)
	run --separate-stderr "$MDLAUNCH" show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"mknod '/dev/null' (c 1:3, mode 0666)"* ]]
	[[ "$output" == *"mkdir '/dev/net'"* ]]
	[[ "$output" == *"mknod '/dev/net/n2' (c 1:3"* ]]
	[[ "$output" == *"mount tmpfs on '/dev/shm' (nosuid,nodev,noexec,mode=1777,size=8388608)"* ]]
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		[[ "$output" == *"BPF device program"* ]]
		[[ "$output" == *"c 1:3 rw"* ]]
	else
		[[ "$output" == *"devices.deny = a"* ]]
		[[ "$output" == *"devices.allow = c 136:* rwm"* ]]
		[[ "$output" == *"devices.allow = c 1:3 rw"* ]]
	fi

	# In an outer mount namespace whose mounts are shared, as a host's may be:
	# none of the container's /dev mounts may propagate out.
	skip_if_unified "starts the launcher inside unshare, not through mdl"
	run unshare -m --propagation shared sh -c '
		before=$(wc -l </proc/self/mountinfo)
		"$1" run -- sh -c "test -c /dev/null" || exit 9
		after=$(wc -l </proc/self/mountinfo)
		echo "$before $after"' sh "$MDLAUNCH"
	print_run
	[ "$status" -eq 0 ]
	read -r before after <<<"$output"
	[ "$before" = "$after" ]
}

@test "devices: AddDevice= lines add up over the file and its drop-ins; an empty one empties the list" {
	local f
	f=$(write_container lists <<EOF
[Container]
Command = sh -c 'ls /dev/n1 /dev/n2 /dev/n3 2>&1; exit 0'
AddDevice = /dev/null:/dev/n1
AddDevice = /dev/null:/dev/n2
EOF
)
	mkdir "$f.d"
	printf '[Container]\nAddDevice = /dev/null:/dev/n3:r\n' >"$f.d/10-more.conf"
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = $'/dev/n1\n/dev/n2\n/dev/n3' ]
	printf '[Container]\nAddDevice =\nAddDevice = /dev/null:/dev/n3\n' >"$f.d/10-more.conf"
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/n1"*"No such file"* ]]
	[[ "$output" == *$'\n/dev/n3'* ]]
}
