#!/usr/bin/env bats
# Supervision: Init=true (init stays PID 1, forwards signals, reaps zombies),
# stop requests with StopSignal= and StopTimeout=, the launcher's death,
# the OOM report and sd_notify.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# start_bg FILE READY: starts the launcher on FILE in the background (the
# container writes READY once it is up) and sets $pid.
start_bg()
{
	"$MDLAUNCH" "$1" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	track_pid $pid
	wait_for_file "$2"
}

@test "Init=true: an orphan zombie is reaped by init, none is left in the container's /proc" {
	require_python3
	local f
	# python3 as the command waits only for its own children (subprocess),
	# so the orphaned sleep can only be reaped by init.
	cat >"$BATS_TEST_TMPDIR/orphan.py" <<'PY'
import glob, subprocess, time
subprocess.run(["sh", "-c", "sleep 0.2 &"])
time.sleep(1)
z = []
for s in glob.glob("/proc/[0-9]*/status"):
    try:
        if "\nState:\tZ" in open(s).read():
            z.append(s)
    except OSError:
        pass
print("zombies", len(z))
PY
	f=$(write_container orphan <<EOF
[Container]
Command = python3 $BATS_TEST_TMPDIR/orphan.py
Init = true
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "zombies 0" ]
}

@test "Init=true: sleep 60 stops at once on SIGTERM to the launcher (143)" {
	local f pid ready=$BATS_TEST_TMPDIR/ready start
	f=$(write_container sleeper <<EOF
[Container]
Command = sh -c 'echo up >$ready; exec sleep 60'
Init = true
EOF
)
	start_bg "$f" "$ready"
	start=$SECONDS
	kill -TERM "$pid"
	wait_for_exit $pid 5
	cat "$BATS_TEST_TMPDIR/err"
	[ "$exit_status" -eq 143 ]
	[ $((SECONDS - start)) -le 2 ]
	! grep -q "ignores SIGTERM" "$BATS_TEST_TMPDIR/err"
}

@test "Init=true: a trapped SIGUSR1 reaches the command; the exec error path still gives 127" {
	local f pid ready=$BATS_TEST_TMPDIR/ready
	f=$(write_container usr1 <<EOF
[Container]
Command = sh -c 'trap "exit 42" USR1; echo up >$ready; while :; do sleep 0.1; done'
Init = true
EOF
)
	start_bg "$f" "$ready"
	kill -USR1 "$pid"
	wait_for_exit $pid 5
	[ "$exit_status" -eq 42 ]

	f=$(write_container missing <<'EOF'
[Container]
Command = no-such-command-mdl
Init = true
EOF
)
	run -127 --separate-stderr mdl "$f"
	print_run
	[[ "$stderr" == *"no-such-command-mdl"*"not found"* ]]
}

@test "stop: StopTimeout=1 SIGKILLs a command that ignores SIGTERM within 1-3 s (137)" {
	local f pid ready=$BATS_TEST_TMPDIR/ready start
	f=$(write_container stubborn <<EOF
[Container]
Command = sh -c 'trap "" TERM; echo up >$ready; while :; do sleep 0.1; done'
StopTimeout = 1
EOF
)
	start_bg "$f" "$ready"
	start=$(date +%s%N)
	kill -TERM "$pid"
	wait_for_exit $pid 5
	cat "$BATS_TEST_TMPDIR/err"
	echo "took $((($(date +%s%N) - start) / 1000000)) ms"
	[ "$exit_status" -eq 137 ]
	[ $((($(date +%s%N) - start) / 1000000)) -ge 900 ]
	[ $((($(date +%s%N) - start) / 1000000)) -le 3000 ]
	grep -q "stubborn: still running 1s after the stop request, killing it" "$BATS_TEST_TMPDIR/err"
	grep -q "stubborn: PID 1 ignores SIGTERM; the stop waits for StopTimeout=1s (set Init=true)" \
		"$BATS_TEST_TMPDIR/err"
}

@test "stop: StopSignal=SIGUSR1 is sent instead of SIGTERM; numbers and bad names" {
	local f pid ready=$BATS_TEST_TMPDIR/ready
	f=$(write_container usr1stop <<EOF
[Container]
Command = sh -c 'trap "exit 7" USR1; echo up >$ready; while :; do sleep 0.1; done'
StopSignal = SIGUSR1
EOF
)
	start_bg "$f" "$ready"
	kill -TERM "$pid"
	wait_for_exit $pid 5
	[ "$exit_status" -eq 7 ]
	! grep -q "PID 1 ignores" "$BATS_TEST_TMPDIR/err"

	f=$(write_container badstop <<'EOF'
[Container]
Command = true
StopSignal = NOPE
StopTimeout = -1
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"badstop.container:3: StopSignal: invalid signal 'NOPE'"* ]]
	[[ "$stderr" == *"badstop.container:4: StopTimeout: invalid timeout '-1'"* ]]

	f=$(write_container numstop <<'EOF'
[Container]
Command = true
StopSignal = 10
StopTimeout = 0
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 0 ]
}

# proc_state PID: "gone", "exiting" (PF_EXITING set), or the state letter of /proc/PID/stat.
proc_state()
{
	local stat rest state flags

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo gone; return; }
	rest=${stat##*) } # fields after "(comm) ": state is field 3, flags field 9
	read -r state _ _ _ _ _ flags _ <<<"$rest"
	if (( flags & 0x4 )); then echo exiting; else echo "$state"; fi
}

@test "launcher death: SIGKILL of the launcher kills the container within 1 s; the next run removes its cgroup" {
	skip_if_unified "starts the launcher directly"
	require_v1 memory
	local f pid init ready=$BATS_TEST_TMPDIR/ready leftover i state
	f=$(write_container orphaned <<EOF
[Container]
Command = sh -c 'echo up >$ready; exec sleep 60'
Memory = 64M
EOF
)
	start_bg "$f" "$ready"
	init=$(child_of "$pid")
	[ -n "$init" ]
	leftover=$(cgroup_v1_mount memory)$(own_cgroup memory)/mdlaunch/orphaned-$pid
	[ -d "$leftover" ]
	kill -KILL "$pid"
	# Killed within 1 s: gone, a zombie until whoever inherited it reaps it, or already in
	# the kernel's exit path (PF_EXITING, 0x4 in the flags field of stat; tearing down the
	# namespaces can take a while on a loaded machine, but no code of the container runs).
	for i in $(seq 20); do
		state=$(proc_state "$init")
		[ "$state" = R ] || [ "$state" = S ] || break
		sleep 0.05
	done
	state=$(proc_state "$init")
	echo "init $init: $state"
	[ "$state" = gone ] || [ "$state" = Z ] || [ "$state" = exiting ]
	wait "$pid" || true
	for i in $(seq 20); do
		[ -e "/proc/$init" ] || break
		sleep 0.05
	done
	# Nobody tore it down: the empty cgroup of the dead launcher is still there.
	[ -d "$leftover" ]
	[ -z "$(cat "$leftover/cgroup.procs")" ]

	f=$(write_container next <<'EOF'
[Container]
Command = true
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ ! -d "$leftover" ]
}

@test "launcher death: the empty cgroup of a live process is never swept, whatever its name" {
	skip_if_unified "writes v1 cgroup files directly"
	require_v1 memory
	local base f holder dir kept=0
	base=$(cgroup_v1_mount memory)$(own_cgroup memory)/mdlaunch
	mkdir -p "$base"
	# A live pid that is no mdlaunch (another build's launcher between its mkdir and its
	# first attach looks like this): its empty leaf is not ours to remove.
	sleep 30 &
	holder=$!
	track_pid $holder
	dir=$base/live-$holder
	mkdir "$dir"
	f=$(write_container other <<'EOF'
[Container]
Command = true
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ -d "$dir" ] && kept=1
	rmdir "$dir" 2>/dev/null || true
	kill -KILL "$holder"
	wait "$holder" || true
	rmdir "$base" 2>/dev/null || true
	[ "$status" -eq 0 ]
	[ "$kept" = 1 ]
}

@test "launcher death: a stale-looking cgroup that still has processes is never touched" {
	skip_if_unified "writes v1 cgroup files directly"
	require_v1 memory
	local base f holder dir
	base=$(cgroup_v1_mount memory)$(own_cgroup memory)/mdlaunch
	mkdir -p "$base"
	# pid 999999999 cannot exist, so this looks like a dead launcher's cgroup.
	dir=$base/held-999999999
	mkdir "$dir"
	sleep 30 &
	holder=$!
	track_pid $holder
	echo "$holder" >"$dir/cgroup.procs"
	f=$(write_container other <<'EOF'
[Container]
Command = true
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ -d "$dir" ]
	kill -KILL "$holder"
	wait "$holder" || true
	rmdir "$dir"
	rmdir "$base" 2>/dev/null || true
	[ "$status" -eq 0 ]
}

# notify_listener ADDRESS OUT: a datagram socket at ADDRESS (a path, or
# @name for an abstract one) that appends each message to OUT, one per
# line with newlines shown as '|', until STOPPING=1 or 20 s. Sets $listener.
notify_listener()
{
	python3 - "$1" "$2" <<'PY' &
import socket, sys
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".bound", "w").write("1\n")
s.settimeout(20)
try:
    while True:
        m = s.recv(4096).decode()
        with open(out, "a") as f:
            f.write(m.replace("\n", "|") + "\n")
        if "STOPPING=1" in m:
            break
except socket.timeout:
    pass
PY
	listener=$!
	track_pid $listener
	wait_for_file "$2.bound"
}

@test "notify: READY=1 and MAINPID once the command runs, STOPPING=1 on SIGTERM; NOTIFY_SOCKET hidden" {
	require_python3
	local f pid listener ready=$BATS_TEST_TMPDIR/ready msgs=$BATS_TEST_TMPDIR/msgs
	notify_listener "$BATS_TEST_TMPDIR/notify.sock" "$msgs"
	f=$(write_container notified <<EOF
[Container]
Command = sh -c 'echo "[\${NOTIFY_SOCKET-unset}]" >$ready; exec sleep 60'
Init = true
EOF
)
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify.sock start_bg "$f" "$ready"
	wait_for_file "$msgs"
	[ "$(cat "$ready")" = "[unset]" ]
	[ "$(head -n 1 "$msgs")" = "READY=1|MAINPID=$pid" ]
	kill -TERM "$pid"
	wait_for_exit $pid 5
	[ "$exit_status" -eq 143 ]
	wait "$listener"
	cat "$msgs"
	[ "$(sed -n 2p "$msgs")" = "STOPPING=1" ]
}

@test "notify: an abstract @socket works; Notify=passthrough leaves it to the container" {
	require_python3
	local f listener msgs=$BATS_TEST_TMPDIR/msgs addr="@mdl-notify-$$-$RANDOM"
	notify_listener "$addr" "$msgs"
	run --separate-stderr env NOTIFY_SOCKET="$addr" "$MDLAUNCH" run -- true
	print_run
	[ "$status" -eq 0 ]
	wait_for_file "$msgs"
	[[ "$(head -n 1 "$msgs")" =~ ^READY=1\|MAINPID=[0-9]+$ ]]

	f=$(write_container passthrough <<'EOF'
[Container]
Command = sh -c 'echo "[$NOTIFY_SOCKET]"'
Notify = passthrough
EOF
)
	run --separate-stderr env NOTIFY_SOCKET="$addr" "$MDLAUNCH" "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "[$addr]" ]
	# the launcher itself sent no second READY=1
	[ "$(grep -c READY=1 "$msgs")" -eq 1 ]
	kill "$listener"
	wait "$listener" || true
}

@test "stats: --stats (global or after run) and -v print peak memory and CPU time at exit" {
	local f line cpu_re='CPU time [0-9]+\.[0-9]{3}s'
	f=$(write_container acct <<'EOF2'
[Container]
Command = sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'
Memory = 64M
CPUShares = 512
EOF2
)
	# v2 keeps cpu.stat in every cgroup; v1 has it only where cpuacct shares the cpu
	# hierarchy ("cpu,cpuacct"), else the reaped processes' rusage stands in.
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		[ "$(cgroup_v1_mount cpu)" != "$(cgroup_v1_mount cpuacct)" ]; then
		cpu_re='CPU time [0-9]+\.[0-9]{3}s \(of the reaped processes: no cpuacct cgroup\)'
	fi
	run --separate-stderr mdl --stats "$f"
	print_run
	[ "$status" -eq 0 ]
	line=$(grep 'stats:' <<<"$stderr")
	[[ "$line" =~ ^mdlaunch:\ info:\ acct:\ stats:\ peak\ memory\ [0-9.]+[KMG]?,\ $cpu_re$ ]]
	if [[ "$line" =~ CPU\ time\ ([0-9]+)\.([0-9]{3})s ]]; then
		[ $((10#${BASH_REMATCH[1]} * 1000 + 10#${BASH_REMATCH[2]})) -ge 10 ]
	fi

	run --separate-stderr mdl run --stats --memory 32M -- true
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ true:\ stats:\ peak\ memory\ [0-9.]+[KMG]?, ]]

	run --separate-stderr mdl -v run -- true
	print_run
	[ "$status" -eq 0 ]
	# Without a limit the only cgroup is the device allowlist's (v1 devices; on
	# v2 the leaf, whose cpu.stat counts the CPU time).
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		[[ "$stderr" =~ true:\ stats:\ peak\ memory\ unavailable\ \(no\ memory\ cgroup\),\ CPU\ time\ [0-9]+\.[0-9]{3}s ]]
	else
		[[ "$stderr" =~ true:\ stats:\ peak\ memory\ unavailable\ \(no\ memory\ cgroup\),\ CPU\ time\ [0-9]+\.[0-9]{3}s\ \(of\ the\ reaped\ processes:\ no\ (cpuacct\ )?cgroup\) ]]
	fi

	run --separate-stderr mdl run -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" != *stats:* ]]
}

# journal_run STREAM ERRFILE ARGS...: runs the launcher with JOURNAL_STREAM=STREAM and
# stderr appended to ERRFILE; sets $status.
journal_run()
{
	local stream=$1 errf=$2
	shift 2
	status=0
	JOURNAL_STREAM=$stream "$MDLAUNCH" "$@" 2>>"$errf" || status=$?
}

@test "journal: JOURNAL_STREAM matching stderr gives <N> syslog prefixes; a stale one changes nothing" {
	local f err=$BATS_TEST_TMPDIR/journal.err
	f=$(write_container badmem <<'EOF2'
[Container]
Command = true
Memory = 12x
EOF2
)
	: >"$err"
	# stat's %d and %i are st_dev and st_ino in decimal, as systemd writes them.
	journal_run "$(stat -c '%d:%i' "$err")" "$err" "$f"
	[ "$status" -eq 125 ]
	journal_run "$(stat -c '%d:%i' "$err")" "$err" run --no-such-option
	[ "$status" -eq 125 ]
	cat "$err"
	grep -q "^<3>$f:3: Memory: " "$err"
	grep -q "^<3>run: unknown option '--no-such-option'" "$err"
	! grep -q "mdlaunch: error:" "$err"

	# another file's dev:inode (stderr was redirected since): the text levels stay.
	: >"$err.2"
	journal_run "$(stat -c '%d:%i' "$f")" "$err.2" run --no-such-option
	[ "$status" -eq 125 ]
	journal_run garbage "$err.2" run --no-such-option
	[ "$status" -eq 125 ]
	cat "$err.2"
	[ "$(grep -c "^mdlaunch: error: run: unknown option '--no-such-option'" "$err.2")" -eq 2 ]
	! grep -q "^<" "$err.2"
}

@test "stop during setup: SIGTERM before the command started runs nothing, exits 143, leaves nothing" {
	command -v strace >/dev/null || skip "strace is not installed"
	skip_if_unified "the launcher is started directly under strace"
	local rc=0
	# The launcher (alone: no -f) stalls 500 ms in its first mkdirat, the cgroup setup.
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -o /dev/null -e trace=mkdirat -e inject=mkdirat:delay_enter=500000:when=1 \
		"$MDLAUNCH" run --name setupstop -m 64m -- touch "$BATS_TEST_TMPDIR/ran" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	track_pid $pid
	sleep 0.2
	# strace's tracee, the launcher.
	kill -TERM "$(pgrep -P $pid)"
	wait $pid || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "mdlaunch: warning: setupstop: SIGTERM before the command started, not starting it" ]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "stop during setup: Init=true, SIGTERM between the command frame and init's signal handling is not lost" {
	command -v strace >/dev/null || skip "strace is not installed"
	skip_if_unified "the launcher is started directly under strace"
	local f rc=0
	f=$(write_container lateinit <<EOF
[Container]
Command = sleep 20
Init = true
Hostname = late
EOF
)
	# init stalls 500 ms in sethostname, after the frame came and before it
	# supervises; the launcher forwards the stop in that window.
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace=sethostname \
		-e inject=sethostname:delay_enter=500000:when=1 "$MDLAUNCH" -vv "$f" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	track_pid $pid
	for _ in $(seq 100); do
		grep -q 'command sent' "$BATS_TEST_TMPDIR/err" && break
		sleep 0.02
	done
	kill -TERM "$(pgrep -P $pid)"
	SECONDS=0
	wait $pid || rc=$?
	[ "$rc" -eq 143 ]
	# Lost, the stop would wait for sleep 20 (StopTimeout= is 10 s).
	[ "$SECONDS" -lt 5 ]
}
