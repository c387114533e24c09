#!/usr/bin/env bats
# The container on the caller's terminal: signals the terminal itself sends.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "tty: Ctrl-C reaches the container once, from the terminal, and is not forwarded again" {
	in_container_path python3 || skip "python3 is not installed"
	run python3 "$BATS_TEST_DIRNAME/tty-signal.py" "$MDLAUNCH"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"got-INT"* ]]
	[[ "$output" == *"SIGINT came from the terminal"* ]]
	[[ "$output" != *"forwarding SIGINT"* ]]
	[[ "$output" == *"exit=0"* ]]
}

@test "fds: a launcher started with stdin and stdout closed gives the container /dev/null, not a pipe" {
	# sh stays PID 1 (two commands), so /proc/1/fd shows the container's own stdin and stdout.
	run bash -c 'exec 0<&- 1>&-; exec timeout 60 "$0" run -t -- sh -c "in=\$(readlink /proc/1/fd/0); out=\$(readlink /proc/1/fd/1); echo \$in \$out >&2"' "$MDLAUNCH"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "/dev/null /dev/null" ]
}
