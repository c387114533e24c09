#!/usr/bin/env bats
# User namespaces (UserNS=, UIDMap=, GIDMap=), read from inside the container
# and from the host: uid 0 inside is an unprivileged host uid, root-owned host
# files are out of its reach, UserNS=auto ranges are never shared and never
# leaked (released at exit, reclaimed after a launcher's SIGKILL), idmapped
# volumes (Volume=...:idmap) show host root's files as the container root's,
# and each bad input is a 125 at file:line naming the key and the value.
#
# Every test uses a state file and subuid/subgid files of its own (the
# documented test knobs), never the machine's /etc/subuid or /run/mdlaunch.

load helpers

setup()
{
	mdl_setup
	[ -e /proc/self/ns/user ] || skip "this kernel has no user namespaces"
	[ "$(cat /proc/sys/user/max_user_namespaces)" != 0 ] || skip "user namespaces are disabled"
	export MDLAUNCH_USERNS_STATE=$BATS_TEST_TMPDIR/userns-state
	export MDLAUNCH_SUBUID=$BATS_TEST_TMPDIR/subuid MDLAUNCH_SUBGID=$BATS_TEST_TMPDIR/subgid
	# A place the container's root (an unprivileged host uid) may write to.
	SHARED=$(mktemp -d /tmp/mdl-userns.XXXXXX)
	chmod 1777 "$SHARED"
}

teardown()
{
	mdl_teardown
	rm -rf "$SHARED"
}

# The built-in range of UserNS=auto (subid.h): 2^31 + 2^24.
BUILTIN_START=2164260864

# state_lines: the allocations in the state file, "kind start count pid" per line.
state_lines()
{
	cat "$MDLAUNCH_USERNS_STATE" 2>/dev/null || true
}

# host_uid PID: the real uid of PID as the host sees it.
host_uid()
{
	awk '$1 == "Uid:" {print $2}' "/proc/$1/status"
}

# start_waiting NAME FILE-KEYS...: starts a UserNS=auto container in the background
# that writes its uid_map to $SHARED/NAME.map and waits for $SHARED/go; sets pid.
start_waiting()
{
	local name=$1 f
	shift
	f=$(write_container "$name" <<EOF
[Container]
Command = sh -c 'cat /proc/self/uid_map >$SHARED/$name.tmp && mv $SHARED/$name.tmp $SHARED/$name.map; while [ ! -e $SHARED/go ]; do sleep 0.05; done'
UserNS = auto
$*
EOF
)
	"$MDLAUNCH" "$f" >"$BATS_TEST_TMPDIR/$name.out" \
		2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
	pid=$!
	track_pid $pid
	wait_for_file "$SHARED/$name.map"
}

@test "userns: UserNS=auto: id -u is 0 inside, a non-zero host uid outside, the range released at exit" {
	local init host
	start_waiting auto
	init=$(child_of "$pid")
	[ -n "$init" ]
	host=$(host_uid "$init")
	echo "uid_map: $(cat "$SHARED/auto.map"); host uid of init: $host"
	[ "$host" -ne 0 ]
	[ "$host" -eq "$BUILTIN_START" ]
	read -r inside outside count <"$SHARED/auto.map"
	[ "$inside" = 0 ] && [ "$outside" = "$BUILTIN_START" ] && [ "$count" = 65536 ]
	state_lines
	[ "$(state_lines | grep -c " $pid\$")" = 2 ]
	touch "$SHARED/go"
	wait_for_exit "$pid"
	[ "$exit_status" = 0 ]
	# Released: no line of the launcher is left.
	[ -z "$(state_lines)" ]

	run --separate-stderr mdl run --userns auto -- sh -c 'id -u; id -g; grep ^Uid: /proc/self/status'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "${lines[2]}" =~ ^Uid:[[:space:]]+0[[:space:]] ]]
}

@test "userns: a root-owned 0644 host file cannot be written by root in the container (it can without UserNS=)" {
	local file=$SHARED/root-file
	echo original >"$file"
	chmod 0644 "$file"
	chown 0:0 "$file"
	run --separate-stderr mdl run --userns auto -- sh -c "echo changed >>$file"
	print_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Permission denied"* ]]
	[ "$(cat "$file")" = original ]
	# Nor can it create files in root's directories.
	run --separate-stderr mdl run --userns auto -- touch /etc/mdl-userns-$$
	[ "$status" -ne 0 ]
	[ ! -e /etc/mdl-userns-$$ ]

	# Without a user namespace root inside is root outside: the same write works.
	run --separate-stderr mdl run -- sh -c "echo changed >>$file"
	print_run
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$file")" = changed ]
}

@test "userns: capabilities apply inside the user namespace only: its hostname and mounts, not host files" {
	local f
	[ -d /mnt ] || skip "no /mnt to mount on"
	f=$(write_container caps <<EOF
[Container]
Command = sh -c 'grep ^CapEff: /proc/self/status; hostname inner && hostname; mount -t tmpfs none /mnt && touch /mnt/x && echo mounted; chown 1 /etc/hostname'
UserNS = auto
AddCapabilities = SYS_ADMIN
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = "CapEff:	00000000a82425fb" ]
	[ "${lines[1]}" = inner ]
	[ "${lines[2]}" = mounted ]
	# CAP_CHOWN of the namespace does not reach a file whose owner it does not map.
	[[ "$stderr" == *"chown"*"Operation not permitted"* ]]
	[ "$(stat -c %u /etc/hostname)" = 0 ]
	[ ! -e /mnt/x ]
}

@test "userns: two concurrent UserNS=auto containers get different host ranges" {
	local pid1 pid2 a b
	start_waiting one
	pid1=$pid
	start_waiting two
	pid2=$pid
	read -r _ a _ <"$SHARED/one.map"
	read -r _ b _ <"$SHARED/two.map"
	echo "one: $a two: $b"
	state_lines
	[ "$a" != "$b" ]
	# 65536 apart at least: the ranges do not overlap.
	[ $(( a > b ? a - b : b - a )) -ge 65536 ]
	[ "$(host_uid "$(child_of "$pid1")")" = "$a" ]
	[ "$(host_uid "$(child_of "$pid2")")" = "$b" ]
	touch "$SHARED/go"
	wait_for_exit "$pid1"
	[ "$exit_status" = 0 ]
	wait_for_exit "$pid2"
	[ "$exit_status" = 0 ]
	[ -z "$(state_lines)" ]
}

@test "userns: SIGKILL of the launcher leaves its allocation, which the next run reclaims" {
	local init i dead outside
	start_waiting victim
	init=$(child_of "$pid")
	[ "$(state_lines | grep -c " $pid\$")" = 2 ]
	kill -KILL "$pid"
	wait "$pid" || true
	# The container dies with it (the parent-death signal).
	for i in $(seq 40); do
		[ -e "/proc/$init" ] || break
		sleep 0.05
	done
	[ ! -e "/proc/$init" ]
	# Nobody released it.
	[ "$(state_lines | grep -c " $pid\$")" = 2 ]

	# The next run drops the dead launcher's lines and gets the lowest free range: the same one.
	dead=$pid
	start_waiting next
	state_lines
	read -r _ outside _ <"$SHARED/next.map"
	[ "$outside" = "$BUILTIN_START" ]
	[ "$(state_lines | grep -c " $dead\$")" = 0 ]
	[ "$(state_lines | grep -c " $pid\$")" = 2 ]
	touch "$SHARED/go"
	wait_for_exit "$pid"
	[ "$exit_status" = 0 ]
	[ -z "$(state_lines)" ]
}

@test "userns: UserNS=auto takes the mdlaunch entry of subuid/subgid, else containers; a size it cannot hold is 125 at file:line" {
	local f
	printf 'someone:100000:65536\ncontainers:300000:200000\n' >"$MDLAUNCH_SUBUID"
	printf 'containers:400000:200000\n' >"$MDLAUNCH_SUBGID"
	run --separate-stderr mdl run --userns auto:size=1000 -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	print_run
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 300000 1000" ]
	[ "$(echo ${lines[1]})" = "0 400000 1000" ]

	printf 'containers:300000:200000\nmdlaunch:500000:70000\n' >"$MDLAUNCH_SUBUID"
	printf 'mdlaunch:600000:70000\n' >"$MDLAUNCH_SUBGID"
	run --separate-stderr mdl run --userns auto -- cat /proc/self/uid_map
	print_run
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 500000 65536" ]

	f=$(write_container big <<EOF
[Container]
Command = id
UserNS = auto:size=100000
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:3: UserNS: 'auto:size=100000' is not in $MDLAUNCH_SUBUID: its largest 'mdlaunch' range has 70000 ids"* ]]

	# An entry that would map the container onto host root is refused.
	printf 'mdlaunch:0:65536\n' >"$MDLAUNCH_SUBUID"
	run --separate-stderr mdl run --userns auto -- id
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"contains host uid 0"* ]]
	[ -z "$(state_lines)" ]
}

@test "userns: UIDMap= as given (GIDMap= defaults to it), show prints the maps, User= inside the map" {
	local f
	f=$(write_container maps <<EOF
[Container]
Command = sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
UIDMap = 0:400000:1000 1000:500000:10
User = 1000:1000
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 400000 1000" ]
	[ "$(echo ${lines[1]})" = "1000 500000 10" ]
	[ "$(echo ${lines[2]})" = "0 400000 1000" ]
	[ "$(echo ${lines[3]})" = "1000 500000 10" ]
	[ "${lines[4]}" = 1000 ]
	[ "${lines[5]}" = 1000 ]
	# Explicit maps allocate nothing.
	[ -z "$(state_lines)" ]

	run --separate-stderr "$MDLAUNCH" show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"userns       maps"* ]]
	[[ "$output" == *"uid-map      0:400000:1000 1000:500000:10"* ]]
	[[ "$output" == *"gid-map      0:400000:1000 1000:500000:10"* ]]
	[[ "$output" == *"CLONE_NEWUSER"* ]]

	run --separate-stderr mdl run --uidmap 0:400000:100 --gidmap 0:410000:100 -- sh -c 'cat /proc/self/gid_map'
	print_run
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 410000 100" ]
}

@test "userns: UIDMap= lines add up (quadlet repeats the key); an empty one resets" {
	local f
	f=$(write_container maplines <<EOF
[Container]
Command = cat /proc/self/uid_map
UIDMap = 0:400000:1000
UIDMap = 1000:500000:10
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 400000 1000" ]
	[ "$(echo ${lines[1]})" = "1000 500000 10" ]

	mkdir "$f.d"
	printf '[Container]\nUIDMap =\nUIDMap = 0:420000:5\n' >"$f.d/10-reset.conf"
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo ${lines[0]})" = "0 420000 5" ]
}

@test "userns: with a memory cgroup and Init=true; the v1 leaf stays root's, a v2 leaf is delegated to the container's root" {
	local f
	f=$(write_container limited <<EOF
[Container]
Command = sh -c 'id -u; cat /proc/self/cgroup'
UserNS = auto
Memory = 64M
PidsLimit = 64
Init = true
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		f=$(write_container delegated <<EOF
[Container]
Command = sh -c 'd=/sys/fs/cgroup\$(sed -n "s/^0:://p" /proc/self/cgroup); stat -c "%u %g" \$d \$d/cgroup.procs; mkdir \$d/sub && echo made; echo 128M >\$d/memory.max || echo limit-kept; cat \$d/memory.max'
UserNS = auto
Memory = 64M
EOF
)
		run --separate-stderr mdl "$f"
		print_run
		[ "$status" -eq 0 ]
		# Owned by the container's root: uid 0 inside.
		[ "${lines[0]}" = "0 0" ]
		[ "${lines[1]}" = "0 0" ]
		[ "${lines[2]}" = made ]
		# The limits stay the host root's: not writable from inside.
		[ "${lines[3]}" = limit-kept ]
		[ "${lines[4]}" = 67108864 ]
	fi
	[ -z "$(state_lines)" ]
}

@test "userns: bad maps and values are 125 at file:line naming the key and the value" {
	local f
	f=$(write_container overlap <<EOF
[Container]
Command = id
UIDMap = 0:100000:1000 500:200000:10
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:3: UIDMap: maps '0:100000:1000' and '500:200000:10' overlap"* ]]

	f=$(write_container hostoverlap <<EOF
[Container]
Command = id
GIDMap = 0:100000:1000 5000:100500:10
EOF
)
	run --separate-stderr mdl "$f"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:3: GIDMap: maps '0:100000:1000' and '5000:100500:10' overlap"* ]]

	f=$(write_container noroot <<EOF
[Container]
Command = id
UIDMap = 1:100000:1000
EOF
)
	run --separate-stderr mdl "$f"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:3: UIDMap: no map for uid 0 in '1:100000:1000'"* ]]

	f=$(write_container syntax <<EOF
[Container]
Command = id
UserNS = automatic
UIDMap = 0:100000
GIDMap = 0:100000:0
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:3: UserNS: invalid value 'automatic'"* ]]
	[[ "$stderr" == *"$f:4: UIDMap: invalid map '0:100000'"* ]]
	[[ "$stderr" == *"$f:5: GIDMap: map '0:100000:0' out of range"* ]]

	f=$(write_container both <<EOF
[Container]
Command = id
UserNS = auto
UIDMap = 0:100000:1000
EOF
)
	run --separate-stderr mdl "$f"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:4: UIDMap: cannot be combined with UserNS=auto"* ]]

	f=$(write_container unmapped <<EOF
[Container]
Command = id
UIDMap = 0:100000:1000
User = 2000
EOF
)
	run --separate-stderr mdl "$f"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"$f:4: User: uid 2000 is not mapped in the user namespace"* ]]

	run --separate-stderr mdl run --userns sometimes -- id
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--userns: invalid value 'sometimes'"* ]]
	run --separate-stderr mdl run --uidmap 0:1 -- id
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--uidmap: invalid map '0:1'"* ]]
	[ -z "$(state_lines)" ]
}

@test "userns: check --host reports a kernel with user namespaces disabled (max_user_namespaces 0)" {
	local f
	f=$(write_container hostcheck <<EOF
[Container]
Command = id
UserNS = auto
EOF
)
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 0 ]
	# The limit is per user namespace: set it to 0 in one of our own and check from there.
	run --separate-stderr unshare -U -r sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec "$0" check --host "$1"' "$MDLAUNCH" "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: UserNS: user namespaces are disabled here"* ]]
}

@test "userns: a start failing part-way (a binary the mapped root cannot execute) is 125 and leaves no allocation" {
	local copy=$BATS_TEST_TMPDIR/mdlaunch-0700 limits=(--memory 64M)
	# Started directly, it may make cgroups only on v1 (v2 wants a delegated cgroup).
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || limits=()
	cp "$MDLAUNCH" "$copy"
	chmod 0700 "$copy"
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" "$copy" run --userns auto "${limits[@]}" -- true
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"must be able to execute the mdlaunch binary"* ]]
	[ -z "$(state_lines)" ]
	# The same copy without a user namespace: root executes it.
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" "$copy" run -- true
	[ "$status" -eq 0 ]
}

@test "userns: with Rootfs= the fresh /proc is mounted before the pivot; the tree's root-owned files are read-only to it, an :O overlay is writable" {
	local rootfs=${ROOTFS:-$TOP/build/rootfs}
	[ -x "$rootfs/bin/busybox" ] || skip "no busybox tree in $rootfs (make rootfs)"
	# The launcher's own mounts for Rootfs= stay in a mount namespace of the test's.
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --rootfs "$rootfs" --userns auto -- sh -c \
		'id -u; ls /proc/1/ns >/dev/null && echo proc; touch /etc/x 2>&1 || echo refused'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = proc ]
	[ "${lines[-1]}" = refused ]
	[ ! -e "$rootfs/etc/x" ]

	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --rootfs "$rootfs:O" --read-only --userns auto -- sh -c \
		'id -u; echo x >/tmp/y && cat /tmp/y'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = x ]

	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --rootfs "$rootfs:O" --userns auto -- sh -c 'echo x >/new && cat /new'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = x ]
	[ ! -e "$rootfs/new" ]
	[ -z "$(state_lines)" ]
}

@test "userns: with Rootfs= /sys is a read-only sysfs of the container's own network (mounted before the pivot), with its cgroups and masks" {
	local rootfs=${ROOTFS:-$TOP/build/rootfs}
	[ -x "$rootfs/bin/busybox" ] || skip "no busybox tree in $rootfs (make rootfs)"
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --rootfs "$rootfs" --userns auto -- sh -c \
		'ls /sys/class/net; ls /sys/fs/cgroup | wc -l; ls /sys/firmware | wc -l;
		 grep -c " /sys sysfs" /proc/mounts; touch /sys/x 2>/dev/null || echo refused'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "${lines[1]}" -gt 0 ]
	[ "${lines[2]}" -eq 0 ]
	[ "${lines[3]}" -eq 1 ]
	[ "${lines[4]}" = refused ]
	[ -z "$(state_lines)" ]
}

@test "userns: a private /dev too (the host's view: built in the scratch tmpfs, then moved; Rootfs=: before the pivot)" {
	local rootfs=${ROOTFS:-$TOP/build/rootfs} want out
	want="fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
	run --separate-stderr mdl run --userns auto -- sh -c \
		'echo $(ls /dev); echo $(ls /dev/pts); echo x >/dev/null && echo null-ok;
		 echo x >/dev/shm/mdl-userns-shm && echo shm-ok'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	[ "${lines[1]}" = ptmx ]
	[ "${lines[2]}" = null-ok ]
	[ "${lines[3]}" = shm-ok ]
	# Its /dev/shm is its own; nothing of the staging is left on the host.
	[ ! -e /dev/shm/mdl-userns-shm ]
	[ -z "$(ls -A /run/mdlaunch/rootfs 2>/dev/null)" ]
	[ -z "$(state_lines)" ]

	[ -x "$rootfs/bin/busybox" ] || skip "no busybox tree in $rootfs (make rootfs)"
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --rootfs "$rootfs" --userns auto -- sh -c 'echo $(ls /dev); echo $(ls /dev/pts)'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	[ "${lines[1]}" = ptmx ]
}

@test "userns: the ptys are group tty's when the namespace maps it (UserNS=auto), root's when it does not" {
	local tty pty='import os; m, s = os.openpty(); print(os.stat(os.ttyname(s)).st_gid)'
	tty=$(getent group tty | cut -d: -f3)
	[ -n "$tty" ] || skip "no group tty on this host"
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
	run --separate-stderr mdl run --userns auto -- /usr/bin/python3 -c "$pty"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$tty" ]
	run --separate-stderr "$MDLAUNCH" show --userns auto -- true
	print_run
	[[ "$output" == *"gid=$tty), without gid= if the user namespace does not map it"* ]]
	# a map without the tty gid: devpts refuses gid=, init mounts it without
	run --separate-stderr mdl run --uidmap 0:400000:1 -- /usr/bin/python3 -c "$pty"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ -z "$(state_lines)" ]
}

@test "userns: a working directory made in a fresh tmpfs is User='s inside the namespace" {
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" run --userns auto --read-only --user 65534:65534 -w /tmp/work -- \
		sh -c 'touch x && echo touched; stat -c "%u %g" .'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "touched 65534 65534" ]
	[ -z "$(state_lines)" ]
}

# idmapped volumes run in a mount namespace of the test's, as the Rootfs= tests do.
idmap_run()
{
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		"$MDLAUNCH" "$@"
}

# skip_without_idmap [DIR]: skips unless the kernel has idmapped mounts (Linux
# 5.12) for DIR's file system (tmpfs since 6.3: the v2 guest's /tmp on its 6.1).
skip_without_idmap()
{
	local v major minor
	v=$(uname -r)
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%[!0-9]*}
	v=$((major * 1000 + minor))
	[ "$v" -ge 5012 ] || skip "Linux $(uname -r) has no idmapped mounts (5.12)"
	if [ -n "${1-}" ] && [ "$(stat -f -c %T "$1")" = tmpfs ] && [ "$v" -lt 6003 ]; then
		skip "tmpfs has idmapped mounts since Linux 6.3, this is $(uname -r)"
	fi
}

@test "userns: Volume=...:idmap shows host root's files as root's and root writes them as host root; without idmap they are nobody's and read-only" {
	local data=$SHARED/data mnt=$SHARED/mnt
	skip_without_idmap "$SHARED"
	mkdir "$data" "$mnt"
	chown 0:0 "$data"
	chmod 0755 "$data"
	echo old >"$data/old"
	chown 123:456 "$data/old"

	idmap_run run --userns auto -v "$data:$mnt:idmap" -- sh -c \
		"id -u; stat -c %u:%g $mnt; stat -c %u:%g $mnt/old; echo new >$mnt/new && echo wrote;
		 echo \$(ls /proc/self/fd)"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0:0 ]
	[ "${lines[2]}" = 123:456 ]
	[ "${lines[3]}" = wrote ]
	# The socket that carried the mount (init's fd 6) does not reach the command.
	[ "${lines[4]}" = "0 1 2 3" ]
	# On the host the file is root's, not the container root's host uid.
	[ "$(stat -c %u:%g "$data/new")" = 0:0 ]
	[ "$(cat "$data/new")" = new ]

	# ro on top of idmap: still root's, not writable.
	idmap_run run --userns auto -v "$data:$mnt:idmap,ro" -- sh -c \
		"stat -c %u $mnt; echo x >$mnt/ro 2>/dev/null || echo refused"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = refused ]
	[ ! -e "$data/ro" ]

	# Without idmap the same directory is nobody's and root inside cannot write it.
	idmap_run run --userns auto -v "$data:$mnt" -- sh -c \
		"stat -c %u $mnt; echo x >$mnt/plain 2>/dev/null || echo refused"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = refused ]
	[ ! -e "$data/plain" ]

	# Nothing is left: no range, no mount on the host.
	[ -z "$(state_lines)" ]
	! grep -q " $mnt " /proc/self/mountinfo
}

@test "userns: Volume=...:idmap with Rootfs=:O goes in before the pivot; show prints the op" {
	local rootfs=${ROOTFS:-$TOP/build/rootfs} data=$SHARED/data
	[ -x "$rootfs/bin/busybox" ] || skip "no busybox tree in $rootfs (make rootfs)"
	skip_without_idmap "$SHARED"
	mkdir "$data"
	chmod 0755 "$data"
	idmap_run run --rootfs "$rootfs:O" --userns auto -v "$data:/data:idmap" -- sh -c \
		'stat -c %u /data; echo x >/data/f && echo wrote'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = wrote ]
	[ "$(stat -c %u "$data/f")" = 0 ]
	[ ! -e "$rootfs/data" ]
	[ -z "$(state_lines)" ]

	run --separate-stderr mdl show --rootfs "$rootfs:O" --userns auto -v "$data:/data:idmap" -- true
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"bind '$data' on '/run/mdlaunch/rootfs/merged/data' idmapped to the user namespace"* ]]
	[[ "$output" == *"\"$data\" on \"/data\" rw,idmap"* ]]
	run --separate-stderr mdl show --json --rootfs "$rootfs:O" --userns auto -v "$data:/data:idmap" -- true
	[ "$status" -eq 0 ]
	[[ "$output" == *"\"$data:/data:rw,idmap\""* ]]
}

@test "userns: Volume=...:idmap without a user namespace, or idmap=MAPPINGS, is 125 at file:line; a file system without idmapped mounts is 125 naming the volume, and a check --host error that tries the mount" {
	local f data=$SHARED/data mnt=$SHARED/mnt ram=$SHARED/ram
	mkdir "$data" "$mnt" "$ram"
	chmod 0755 "$data" "$ram"
	f=$(write_container nouserns <<EOF
[Container]
Command = true
Volume = $data:$mnt:idmap
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "$f:3: Volume: 'idmap' on '$mnt' needs a user namespace (UserNS= or UIDMap=), which this container does not have" ]

	f=$(write_container idmapargs <<EOF
[Container]
Command = true
UserNS = auto
Volume = $data:$mnt:idmap=uids=0-1-10
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == "$f:4: "*"'idmap=uids=0-1-10'"*"idmap with mappings of its own is not supported"* ]]

	# ramfs has no idmapped mounts: the launcher says so and init runs nothing.
	skip_without_idmap
	f=$(write_container ramfs <<EOF
[Container]
Command = touch $SHARED/ran
UserNS = auto
Volume = $ram:$mnt:idmap
EOF
)
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		sh -c 'mount -t ramfs ramfs "$1" && exec "$2" "$3"' sh "$ram" "$MDLAUNCH" "$f"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "$f:4: Volume=$ram:$mnt:idmap: the file system does not support idmapped mounts" ]
	[ ! -e "$SHARED/ran" ]
	[ -z "$(state_lines)" ]
	# check --host tries an idmapped clone of the tree (attached nowhere) and says so first.
	local before
	before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" unshare -m --propagation private -- \
		sh -c 'mount -t ramfs ramfs "$1" && exec "$2" check --host "$3"' sh "$ram" "$MDLAUNCH" "$f"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "$f:4: Volume=$ram:$mnt:idmap: the file system does not support idmapped mounts (a run would exit 125)" ]
	[ ! -e "$SHARED/ran" ]
	# A directory whose file system takes it: valid, and -v says the mount worked.
	skip_without_idmap "$data"
	sed -i "s|^Volume = .*|Volume = $data:$mnt:idmap|" "$f"
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr mdl check -v "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$f:4: Volume=$data:$mnt:idmap: an idmapped mount of '$data' works"* ]]
	# nothing was attached, no user namespace's process is left
	[ "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" = "$before" ]
	[ -z "$(state_lines)" ]
}
