#!/usr/bin/env bats
# Regression tests for what the fault sweep (make check-faults) found: one
# injected system call failure each, with strace's fault injection. Each run
# must end (no hang), say what failed in one line when it fails, and leave
# nothing behind (mdl_teardown checks cgroups and processes; on cgroup v2,
# inject checks the delegated cgroup the launcher ran in).

load helpers

setup_file()
{
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		cc -O2 -static -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/cgexec" \
			"$BATS_TEST_DIRNAME/../faults/cgexec.c"
	fi
}

setup()
{
	mdl_setup
	command -v strace >/dev/null || skip "strace is not installed"
}
teardown() { mdl_teardown; }

unified() { [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; }

# inject CALL ERRNO N ARGS...: runs the launcher with the Nth CALL of each
# process failing with ERRNO; sets $status, $output like bats' run.
#
# On cgroup v2 the launcher runs alone in a delegated cgroup of its own (as
# mdl_delegated runs it; strace stays in ours): strace starts
# tests/faults/cgexec.c, which starts the launcher as its child directly in
# that cgroup, so the launcher's count of each call starts at its exec as
# on v1. Afterwards the cgroup must be empty: no supervisor/ or container
# cgroup left in it.
inject()
{
	local call=$1 err=$2 n=$3 dir= wrapper=() left
	shift 3
	if unified; then
		dir=$(sed -n 's/^0:://p' /proc/self/cgroup)
		dir=/sys/fs/cgroup${dir%/*}
		dir=${dir%/}/mdl-faults-$$-$BATS_TEST_NUMBER-$RANDOM
		mkdir "$dir"
		wrapper=("$BATS_FILE_TMPDIR/cgexec" "$dir")
	fi
	# LeakSanitizer cannot run under ptrace (a SANITIZE=1 build).
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout -k 5 30 strace -f -qq -o /dev/null -e trace="$call" \
		-e inject="$call:error=$err:when=$n" "${wrapper[@]}" "$MDLAUNCH" "$@"
	[ -n "$dir" ] || return 0
	left=$(find "$dir" -mindepth 1 -type d -printf '%P ')
	find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
	if [ -n "$left" ]; then
		echo "left in the delegated cgroup $dir: $left" >&2
		return 1
	fi
}

# skip_unless_unified REASON: for a test of cgroup v2's delegation code.
skip_unless_unified()
{
	unified || skip "cgroup v1: $1"
}

@test "faults: wait4 failing with EINTR after the SIGCHLD was read does not hang the launcher" {
	inject wait4 EINTR 1 run -m 64m -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "faults: Init=true, init's waitpid failing once does not hang the container" {
	local f
	f=$(write_container initwait <<EOF
[Container]
Command = sh -c "exit 5"
Init = true
EOF
)
	inject wait4 EIO 1 "$f"
	[ "$status" -eq 5 ]
}

@test "faults: a transiently failing rmdir of the leaf is retried, no cgroup is left" {
	inject rmdir EIO 1 run -m 64m -- true
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "faults: init failing early says so in one line (no silent 125)" {
	local f
	# The sanitizer runtime makes getpid calls of its own before main().
	! ldd "$MDLAUNCH" 2>/dev/null | grep -q libasan || skip "a sanitizer build"
	f=$(write_container early <<EOF
[Container]
Command = true
Init = true
EOF
)
	inject getpid EIO 1 "$f"
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"init died before the command could start"* ]]
}

# inject_net CALL ERRNO N: the launcher on Network=mdlaunch in a mount and network
# namespace of its own (tests/faults/netns-run.sh: what the run left there goes to
# $BATS_TEST_TMPDIR/left), with its Nth CALL failing; the plugins are not traced.
inject_net()
{
	command -v iptables >/dev/null && [ -x /usr/lib/cni/bridge ] ||
		skip "iptables or the CNI plugins are missing"
	# The network's teardown is the same code on both; the host sweeps it.
	skip_if_unified "the network fault tests run on the host"
	: >"$BATS_TEST_TMPDIR/left"
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		FAULTS_NAME=netfault FAULTS_MDLAUNCH="$MDLAUNCH" \
		timeout -k 5 60 unshare -m -n --propagation private -- \
		"$TOP/tests/faults/netns-run.sh" "$BATS_TEST_TMPDIR/left" \
		strace -f -qq -b execve -o /dev/null -e trace="$1" -e inject="$1:error=$2:when=$3" \
		"$MDLAUNCH" run --name netfault --network mdlaunch -p 18080:8080 -- true
}

@test "faults: network teardown, a failing umount2 of the namespace pin is retried, nothing is left" {
	inject_net umount2 EIO 1
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/left" ]
}

@test "faults: network, a failing wait4 for a plugin is retried, nothing is left" {
	inject_net wait4 EIO 1
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/left" ]
}

@test "faults: network, a failing unlink of the cache entry is retried, nothing is left" {
	inject_net unlink ENOMEM 1
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/left" ]
}

@test "faults: network, no plugin can run: one line says the next run cleans up, and it does" {
	# posix_spawn's setpgid fails in every plugin's child: ADD and every DEL fail.
	inject_net setpgid EIO 1
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"cannot run plugin 'bridge'"*"the next run retries it"* ]]
	grep -q '^cleared-by-next-run: .*netns-pin' "$BATS_TEST_TMPDIR/left"
}

@test "faults: network, a sweep that takes the entry before its launcher locks it does not fail that launcher" {
	command -v iptables >/dev/null && [ -x /usr/lib/cni/bridge ] ||
		skip "iptables or the CNI plugins are missing"
	skip_if_unified "the network fault tests run on the host"
	# The first launcher's flock of its new (hidden) cache entry is held back 2 s;
	# meanwhile a second launcher's sweep finds the entry unlocked and removes it.
	: >"$BATS_TEST_TMPDIR/left"
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		FAULTS_NAME=netrace FAULTS_MDLAUNCH="$MDLAUNCH" M="$MDLAUNCH" \
		timeout -k 5 60 unshare -m -n --propagation private -- \
		"$TOP/tests/faults/netns-run.sh" "$BATS_TEST_TMPDIR/left" bash -c '
			strace -f -qq -o /dev/null -e trace=flock \
				-e inject=flock:delay_enter=2000000:when=1 \
				"$M" run --name netrace --network mdlaunch -- true & a=$!
			for _ in $(seq 100); do
				ls -A /run/mdlaunch/net 2>/dev/null | grep -q "^\.netrace-.*\.tmp$" && break
				sleep 0.02
			done
			"$M" run --name netrace --network mdlaunch -- true; b=$?
			wait $a; echo "first $? second $b"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"first 0 second 0"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/left" ]
}

@test "faults: v2, the move into supervisor failing leaves no supervisor cgroup" {
	skip_unless_unified "no supervisor cgroup"
	# The launcher's first write: its pid into <own cgroup>/supervisor/cgroup.procs.
	inject write EIO 1 run -m 64m -- true
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"supervisor/cgroup.procs"* ]]
}

@test "faults: v2, a transiently failing rmdir of supervisor is retried" {
	skip_unless_unified "no supervisor cgroup"
	# The launcher's only unlinkat: removing supervisor after moving back.
	inject unlinkat EIO 1 run -m 64m -- true
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "faults: v2, a transiently refused move back out of supervisor is retried" {
	skip_unless_unified "no supervisor cgroup"
	# The launcher's 8th and last write (after supervisor/cgroup.procs, +memory at
	# two levels, memory.max, the command frame, cgroup.kill, -memory): its pid
	# back into its own cgroup's cgroup.procs.
	inject write EAGAIN 8 run -m 64m -- true
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
