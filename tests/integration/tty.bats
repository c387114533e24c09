#!/usr/bin/env bats
# The container on the caller's terminal: signals the terminal itself sends.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# The caller's terminal is in raw mode while the container has a pty of its own:
# Ctrl-C is a byte the container's line discipline turns into its SIGINT, and
# the launcher never sees a SIGINT at all (no second one to forward).
@test "tty: Ctrl-C reaches the container once, through its pty, and the launcher gets no SIGINT" {
	in_container_path python3 || skip "python3 is not installed"
	run python3 "$BATS_TEST_DIRNAME/tty-signal.py" "$MDLAUNCH"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c got-INT <<<"$output")" -eq 1 ]
	[[ "$output" != *"SIGINT came from the terminal"* ]]
	[[ "$output" != *"forwarding SIGINT"* ]]
	[[ "$output" == *"exit=0"* ]]
}

# tty-pty.py runs `mdlaunch run -t ARGS` on a 24x80 pty and prints modes=same|changed, exit=N.
tty_pty()
{
	in_container_path python3 || skip "python3 is not installed"
	run timeout -k 5 60 python3 "$BATS_TEST_DIRNAME/tty-pty.py" "$@"
	echo "$output"
}

@test "tty: a shell's exit status is mdlaunch's, and the terminal's modes are restored" {
	tty_pty "$MDLAUNCH" -- sh -c 'exit 3'
	[ "$status" -eq 0 ]
	[[ "$output" == *"modes=same"* ]]
	[[ "$output" == *"exit=3"* ]]
}

@test "tty: the command has a pty of the container's own as its controlling terminal" {
	tty_pty "$MDLAUNCH" -- sh -c 'tty; [ -e "$(tty)" ] && echo exists; stat -c dev=%d /dev/pts; [ "$(cut -d" " -f6 /proc/$$/stat)" -eq $$ ] && echo leader'
	[ "$status" -eq 0 ]
	[[ "$output" =~ /dev/pts/([0-9]+) ]]
	n=${BASH_REMATCH[1]}
	[[ "$output" == *"exists"* ]]
	[[ "$output" == *"leader"* ]]
	[[ "$output" == *"exit=0"* ]]
	# Its own devpts instance (a private /dev): the first pty there, not one of the host's.
	if [[ "$output" != *"dev=$(stat -c %d /dev/pts)"* ]]; then
		[ "$n" -eq 0 ]
	fi
}

@test "tty: stty size follows a resize of the caller's terminal" {
	tty_pty --resize "$MDLAUNCH" -- sh -c 'stty size; echo ready; read x; stty size'
	[ "$status" -eq 0 ]
	[[ "$output" == *"24 80"* ]]
	[[ "$output" == *"50 132"* ]]
	[[ "$output" == *"modes=same"* ]]
	[[ "$output" == *"exit=0"* ]]
}

@test "tty: job control works in an interactive shell on the pty" {
	tty_pty --input 'sleep 5 & jobs; kill %1; wait; exit 6\n' "$MDLAUNCH" -- sh -c 'echo ready; exec sh -i'
	[ "$status" -eq 0 ]
	[[ "$output" != *"Cannot set tty process group"* ]]
	[[ "$output" == *"[1] + Running"* ]]
	[[ "$output" == *"modes=same"* ]]
	[[ "$output" == *"exit=6"* ]]
}

@test "tty: the terminal's modes are restored after a stop signal and after a failed start" {
	tty_pty --term "$MDLAUNCH" -- sh -c 'trap "exit 143" TERM; echo ready; sleep 20 & wait'
	[ "$status" -eq 0 ]
	[[ "$output" == *"modes=same"* ]]
	[[ "$output" == *"exit=143"* ]]
	tty_pty "$MDLAUNCH" -- no-such-command-here
	[ "$status" -eq 0 ]
	[[ "$output" == *"not found"* ]]
	[[ "$output" == *"modes=same"* ]]
	[[ "$output" == *"exit=127"* ]]
}

@test "tty: with Init=true the command, not init, leads the pty's session" {
	printf '[Container]\nCommand=sh\nInit=true\n' >"$BATS_TEST_TMPDIR/init.container"
	tty_pty "$MDLAUNCH" "$BATS_TEST_TMPDIR/init.container" -- -c '[ "$(cut -d" " -f6 /proc/$$/stat)" -eq $$ ] && echo leader; [ $$ -ne 1 ] && echo not-pid1; exit 5'
	[ "$status" -eq 0 ]
	[[ "$output" == *"leader"* ]]
	[[ "$output" == *"not-pid1"* ]]
	[[ "$output" == *"exit=5"* ]]
}

@test "tty: stdin not a terminal keeps today's behaviour (stdin shared, no pty)" {
	run bash -c 'echo "tty || echo no-pty; echo \$((6*7))" | timeout 60 "$0" run -t -- sh' "$MDLAUNCH"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"no-pty"* ]]
	[[ "$output" == *"42"* ]]
}

@test "fds: a launcher started with stdin and stdout closed gives the container /dev/null, not a pipe" {
	# sh stays PID 1 (two commands), so /proc/1/fd shows the container's own stdin and stdout.
	run bash -c 'exec 0<&- 1>&-; exec timeout 60 "$0" run -t -- sh -c "in=\$(readlink /proc/1/fd/0); out=\$(readlink /proc/1/fd/1); echo \$in \$out >&2"' "$MDLAUNCH"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "/dev/null /dev/null" ]
}
