#!/usr/bin/env bats
# cgroup v2 (unified hosts only; on this project's CI that is the VM of tests/vm):
# limits read back from inside the container, OOM kill with memory.events,
# cpu.weight for several CPUShares= values, Cpus_allowed_list, the cgroup tree
# unchanged afterwards, delegation (the launcher moves itself into supervisor)
# and the errors for a shared cgroup and for a controller the parent lacks.
#
# Each test gives the launcher a cgroup of its own, D, as a systemd unit with
# Delegate=yes would: a sibling of this test's own cgroup (whose parent
# delegates the controllers), because a cgroup holding the test's shell
# itself could never delegate ("no internal processes").

load helpers

CG=/sys/fs/cgroup

setup()
{
	[ "$(stat -f -c %T $CG)" = cgroup2fs ] || skip "the host is not cgroup v2 (unified)"
	mdl_setup
	local own
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	PARENT=$CG${own%/*}
	PARENT=${PARENT%/}
	D=$PARENT/mdl-v2-$$-$BATS_TEST_NUMBER
	mkdir "$D"
	TREE_BEFORE=$(tree_state)
}

teardown()
{
	[ -n "${D:-}" ] || return 0
	local after
	after=$(tree_state)
	# Nothing below D, D's controllers as they were; then D goes.
	[ -z "$(find "$D" -mindepth 1 -type d)" ] || { find "$D" -mindepth 1 -type d; false; }
	[ "$after" = "$TREE_BEFORE" ] || { diff <(echo "$TREE_BEFORE") <(echo "$after"); false; }
	[ -z "${HELD:-}" ] || { kill "$HELD" 2>/dev/null; wait "$HELD" 2>/dev/null || true; }
	rmdir "$D"
	mdl_teardown
}

# The directories below D and the subtree_control of each, plus D's processes.
tree_state()
{
	local d
	find "$D" -type d | sort | while read -r d; do
		printf '%s %s\n' "$d" "$(tr '\n' ' ' <"$d/cgroup.subtree_control")"
	done
}

# mdl_in D ARGS...: runs the launcher as the only process of D.
mdl_in()
{
	local dir=$1
	shift
	timeout -k 5 "$MDL_TIMEOUT" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
		sh "$dir" "$MDLAUNCH" "$@"
}

# Inside the container: its own cgroup directory.
INNER_CG='/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)'

@test "v2: Memory= and MemorySwap= are memory.max and memory.swap.max inside" {
	# no cgroup namespace: /proc/self/cgroup shows the host's path
	printf 'namespaces = "%s";\n' "$HOST_CGROUP_VIEW" >"$BATS_TEST_TMPDIR/hostview.conf"
	run --separate-stderr mdl_in "$D" --config "$BATS_TEST_TMPDIR/hostview.conf" run -m 64M --memory-swap 0 -- \
		sh -c "d=$INNER_CG; cat \$d/memory.max; cat \$d/memory.swap.max 2>/dev/null || echo noswap; cat /proc/self/cgroup"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[[ "${lines[1]}" = 0 || "${lines[1]}" = noswap ]]
	[[ "${lines[2]}" == "0::${D#$CG}/mdlaunch/sh-"* ]]
}

@test "v2: an allocation over Memory= is OOM-killed, memory.events shows oom_kill" {
	require_tool python3
	run --separate-stderr mdl_in "$D" run -m 32M --memory-swap 0 -- \
		sh -c "d=$INNER_CG; python3 -c 'b = bytearray(128 << 20); print(len(b))'; echo rc=\$?; grep oom_kill \$d/memory.events"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"rc=137"* ]]
	[[ "$output" =~ oom_kill\ [1-9] ]]
}

@test "v2: cpu.weight for several CPUShares= values, and CPUWeight=" {
	local shares want got
	for shares in 2:1 512:59 1024:100 2048:174 262144:10000; do
		want=${shares#*:}
		run --separate-stderr mdl_in "$D" run --cpu-shares "${shares%:*}" -- \
			sh -c "cat $INNER_CG/cpu.weight"
		print_run
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done
	run --separate-stderr mdl_in "$D" run --cpu-weight 321 -- sh -c "cat $INNER_CG/cpu.weight"
	[ "$status" -eq 0 ]
	[ "$output" = 321 ]
}

@test "v2: CPUSet= confines Cpus_allowed_list, cpuset.mems stays the parent's" {
	run --separate-stderr mdl_in "$D" run --cpuset 0 -- \
		sh -c "grep Cpus_allowed_list /proc/self/status; cat $INNER_CG/cpuset.mems"
	print_run
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^Cpus_allowed_list:[[:space:]]+0$ ]]
	[ -z "${lines[1]:-}" ]
}

@test "v2: delegation: the launcher moves itself into supervisor, then back; tree unchanged" {
	# no cgroup namespace: the levels above the container's own cgroup are visible
	printf 'namespaces = "%s";\n' "$HOST_CGROUP_VIEW" >"$BATS_TEST_TMPDIR/hostview.conf"
	run --separate-stderr mdl_in "$D" --config "$BATS_TEST_TMPDIR/hostview.conf" run -m 64M -- \
		sh -c "cat /proc/\$PPID/cgroup 2>/dev/null; cat $INNER_CG/../../cgroup.subtree_control"
	print_run
	[ "$status" -eq 0 ]
	# The controllers were enabled in D while the run lasted.
	[[ "$output" == *memory* ]]
	[ -z "$(cat "$D/cgroup.subtree_control")" ]
	[ ! -e "$D/supervisor" ]
	[ ! -e "$D/mdlaunch" ]
}

@test "v2: exit status and clone3 fallback (MDLAUNCH_NO_CLONE_INTO_CGROUP=1) both join the leaf" {
	# no cgroup namespace: /proc/self/cgroup shows the host's path
	printf 'namespaces = "%s";\n' "$HOST_CGROUP_VIEW" >"$BATS_TEST_TMPDIR/hostview.conf"
	run --separate-stderr mdl_in "$D" --config "$BATS_TEST_TMPDIR/hostview.conf" run -m 64M -- sh -c "cat /proc/self/cgroup; exit 77"
	[ "$status" -eq 77 ]
	[[ "$output" == "0::${D#$CG}/mdlaunch/sh-"* ]]
	MDLAUNCH_NO_CLONE_INTO_CGROUP=1 run --separate-stderr mdl_in "$D" --config "$BATS_TEST_TMPDIR/hostview.conf" run -m 64M -- \
		sh -c "cat /proc/self/cgroup; exit 77"
	[ "$status" -eq 77 ]
	[[ "$output" == "0::${D#$CG}/mdlaunch/sh-"* ]]
}

@test "v2: a cgroup shared with another process is an error naming it, exit 125, nothing left" {
	export -n MDL_TEST_TOKEN
	sleep 300 &
	HELD=$!
	export MDL_TEST_TOKEN
	echo "$HELD" >"$D/cgroup.procs"
	TREE_BEFORE=$(tree_state)
	run --separate-stderr mdl_in "$D" run -m 64M -- true
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cannot enable controllers in $D/cgroup.subtree_control: the cgroup holds processes other than this launcher"* ]]
	[ "$(cat "$D/cgroup.procs")" = "$HELD" ]
	kill "$HELD"
	wait "$HELD" || true
	HELD=
}

@test "v2: a controller the parent does not offer is a clear error, exit 125, nothing left" {
	# P delegates cpu only; the launcher runs in P/L and wants memory.
	local p=$D/p
	mkdir "$p"
	echo +cpu >"$D/cgroup.subtree_control"
	mkdir "$p/l"
	TREE_BEFORE=$(tree_state)
	run --separate-stderr mdl_in "$p/l" run -m 64M -- true
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: memory controller not available: not listed in $p/l/cgroup.controllers" ]
	[ "$(tree_state)" = "$TREE_BEFORE" ]
	rmdir "$p/l" "$p"
	echo -cpu >"$D/cgroup.subtree_control"
	TREE_BEFORE=$(tree_state)
}

@test "v2: show prints the mode and the v2 files; check -v where each controller lives" {
	local f
	f=$(write_container v2show <<'EOF2'
[Container]
Command = true
Memory = 64M
MemorySwap = 0
CPUShares = 1024
CPUSet = 0
EOF2
)
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"cgroup mode  unified (cgroup v2)"* ]]
	[[ "$output" == *"/memory.max = 67108864"* ]]
	[[ "$output" == *"/memory.swap.max = 0"* ]]
	[[ "$output" == *"/cpu.weight = 100 (CPUShares=1024, log-scale mapping)"* ]]
	[[ "$output" == *"/cpuset.cpus = 0"* ]]
	run --separate-stderr mdl -v check "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"memory     v2 /sys/fs/cgroup"* ]]
}
