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
