#!/usr/bin/env bats
# Namespaces, as seen from inside the container: its own UTS, PID, mount, net
# and IPC namespaces, its hostname, PID 1, its own /proc, loopback up, and the
# host's /proc left intact even when mounts would propagate.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "namespaces: uts pid mnt net ipc inodes differ from the host's" {
	local ns host inside
	run --separate-stderr mdl run -- sh -c \
		'for n in uts pid mnt net ipc; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	print_run
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	for ns in uts pid mnt net ipc; do
		host=$(readlink /proc/self/ns/$ns)
		inside=$(printf '%s\n' "$output" | awk -v n=$ns '$1 == n {print $2}')
		echo "$ns: host $host, inside $inside"
		[ -n "$inside" ]
		[[ "$inside" == "$ns:["*"]" ]]
		[ "$inside" != "$host" ]
	done
}

@test "namespaces: Namespaces= leaves out net, so the host's net namespace is shared" {
	local f
	f=$(write_container nonet <<'EOF'
[Container]
Command = readlink /proc/self/ns/net /proc/self/ns/uts
Namespaces = uts pid mount ipc
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/uts)" ]
}

@test "namespaces: without pid, the command's background processes end with the run" {
	local f bg
	f=$(write_container nopid <<'EOF'
[Container]
Command = sh -c 'sleep 60 >/dev/null 2>&1 & echo $!'
Namespaces = uts mount
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	bg=${lines[0]}
	[[ "$bg" =~ ^[0-9]+$ ]]
	track_pid "$bg"
	# No PID 1 takes it along: the run's pids cgroup does, at teardown.
	! kill -0 "$bg" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$bg/stat" 2>/dev/null)" = Z ]
}

@test "hostname: Hostname= is set inside, the host's is unchanged" {
	local f
	f=$(write_container hn <<'EOF'
[Container]
Command = hostname
Hostname = inner-host.example
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = inner-host.example ]
	[ "$(hostname)" = "$MDL_HOST_HOSTNAME" ]
}

@test "hostname: defaults to the file's basename" {
	local f
	f=$(write_container basename-probe <<'EOF'
[Container]
Command = cat /proc/sys/kernel/hostname
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = basename-probe ]
}

@test "pid: the command is PID 1 (run form and file form)" {
	local f
	run --separate-stderr mdl run -- sh -c 'echo $$'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]

	f=$(write_container pid1 <<'EOF'
[Container]
Command = sh -c 'echo $$; cat /proc/1/comm'
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = sh ]
}

@test "pid: ps -e and /proc show only the container's processes" {
	require_tool ps
	local n pid
	run --separate-stderr mdl run -- sh -c 'ps -e -o pid= -o comm=; echo "--"; ls -d /proc/[0-9]*'
	print_run
	[ "$status" -eq 0 ]
	# ps: PID 1 is sh, and at most the lister itself besides it.
	n=0
	while read -r pid comm; do
		[ "$pid" = -- ] && break
		n=$((n + 1))
		[ "$pid" -le 3 ]
		[ "$pid" != 1 ] || [ "$comm" = sh ]
	done <<<"$output"
	[ "$n" -ge 1 ]
	[ "$n" -le 2 ]
	# /proc: the container's own pid namespace (the host has many more).
	n=$(printf '%s\n' "$output" | sed -n '/^--$/,$p' | grep -c '^/proc/[0-9]')
	[ "$n" -ge 1 ]
	[ "$n" -le 2 ]
	printf '%s\n' "$output" | grep -qx /proc/1
}

@test "mount: /proc inside is a fresh proc mounted nosuid,nodev,noexec" {
	run --separate-stderr mdl run -- sh -c 'grep " /proc " /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *" - proc "* ]]
	[[ "$output" == *nosuid* ]]
	[[ "$output" == *nodev* ]]
	[[ "$output" == *noexec* ]]
}

@test "net: loopback is up in the new net namespace, no host interface is there" {
	require_tool ip
	local links
	run --separate-stderr mdl run -- sh -c 'ip -o link show; echo "--"; ip -o -4 addr show dev lo'
	print_run
	[ "$status" -eq 0 ]
	links=$(printf '%s\n' "$output" | sed '/^--$/,$d')
	# lo is flagged UP (the kernel reports its state as UNKNOWN, which is normal)
	printf '%s\n' "$links" | grep -qE '^[0-9]+: lo: <([A-Z_]+,)*UP[,>]'
	# nothing else is up, and the host's own interfaces are absent
	! printf '%s\n' "$links" | grep -vE '^[0-9]+: lo:' | grep -qE '<([A-Z_]+,)*UP[,>]' || false
	local ifc
	for ifc in $(ip -o link show | awk -F': ' '$2 != "lo" {sub(/@.*/, "", $2); print $2}'); do
		! printf '%s\n' "$links" | grep -qE "^[0-9]+: $ifc[:@]" || false
	done
	[[ "$output" == *"inet 127.0.0.1/8"* ]]
}

@test "net: a server on loopback inside is reachable from inside" {
	require_tool python3
	run --separate-stderr mdl run -- python3 -c '
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
port = s.getsockname()[1]
def serve():
    c, _ = s.accept(); c.sendall(b"pong"); c.close()
threading.Thread(target=serve).start()
c = socket.create_connection(("127.0.0.1", port), timeout=5)
print(c.recv(4).decode())'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = pong ]
}

@test "ipc: a System V message queue of the host is not visible inside" {
	command -v ipcmk >/dev/null || skip "ipcmk (util-linux) is not installed"
	local id key
	id=$(ipcmk -Q | awk '{print $NF}')
	[ -n "$id" ]
	key=$(awk -v id="$id" '$2 == id {print $1}' /proc/sysvipc/msg)
	run --separate-stderr mdl run -- cat /proc/sysvipc/msg
	ipcrm -q "$id"
	print_run
	[ -n "$key" ]
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *key*msqid* ]]
	! awk -v k="$key" '$1 == k {found = 1} END {exit !found}' <<<"$output" || false
}

# PITFALLS: mounting proc without first making / private breaks the host's
# /proc when mounts propagate. The host's mounts here are private, so run the
# launcher inside a mount namespace whose mounts are all shared.
@test "mount propagation: a shared outer namespace keeps its /proc after a run" {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	run --separate-stderr unshare -m --propagation shared -- bash -c '
		before=$(grep -c " - proc " /proc/self/mountinfo)
		timeout -k 5 60 "$1" run -- sh -c "echo \$\$"
		rc=$?
		after=$(grep -c " - proc " /proc/self/mountinfo)
		echo "rc=$rc before=$before after=$after"
		# The outer /proc still shows the outer pid namespace.
		[ -r /proc/$$/status ] && echo "outer-proc-ok"
	' bash "$MDLAUNCH"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	local counts=${lines[1]}
	[[ "$counts" == "rc=0 before="* ]]
	local before=${counts#*before=}
	before=${before%% *}
	[ "$counts" = "rc=0 before=$before after=$before" ]
	[ "${lines[2]}" = outer-proc-ok ]
}
