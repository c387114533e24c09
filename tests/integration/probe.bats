#!/usr/bin/env bats
# check --host: a valid file against this host, before anything runs. Each
# problem is one line with the file:line of the key it concerns; exit 1.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

is_unified() { [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; }

@test "check --host: a good file passes, and -v says what it found" {
	local f
	f=$(write_container good <<'EOF2'
[Container]
Command = true
Memory = 64M
CPUSet = 0
PidsLimit = 32
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr mdl -v check "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cgroup mode: "* ]]
	[[ "$stderr" == *"$f:2: Command: 'true' is /"* ]]
	[[ "$stderr" == *"$f: valid on this host"* ]]
}

@test "check --host: a missing command is reported at Command= (exit 127 case), nothing runs" {
	local f
	f=$(write_container missing <<'EOF2'
[Container]
Memory = 64M
Command = no-such-command-mdl-probe --flag
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: Command: 'no-such-command-mdl-probe' not found in PATH"*"exit 127"* ]]
	[ "$(list_container_cgroups | wc -l)" -eq 0 ]
}

@test "check --host: a command found but not executable (exit 126 case); a direct path too" {
	local f d=$BATS_TEST_TMPDIR/bin
	mkdir -p "$d"
	printf '#!/bin/sh\n' >"$d/notexec"
	chmod 644 "$d/notexec"
	f=$(write_container noexec <<EOF2
[Container]
Command = notexec
Environment = PATH=$d
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:2: Command: 'notexec' found but not executable"*"exit 126"* ]]
	f=$(write_container direct <<EOF2
[Container]
Command = $d/nothere
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:2: Command: '$d/nothere' not found (a run would exit 127"* ]]
}

@test "check --host: an offline CPU is reported at CPUSet= before running" {
	local f cpu
	cpu=$(($(nproc --all) + 7))
	f=$(write_container offline <<EOF2
[Container]
Command = true
CPUSet = $cpu
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: CPUSet: CPU $cpu is not online"* ]]
}

@test "check --host: Memory= below 4M is a warning, not an error" {
	local f
	f=$(write_container tiny <<'EOF2'
[Container]
Command = true
Memory = 1M
EOF2
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$f:3: warning: Memory: 1048576 bytes is too small to exec most programs"* ]]
}

# The probe's test knob: a fake cgroup tree ("mode", "mountinfo", "cgroup").
fake_v1_tree()
{
	local t=$BATS_TEST_TMPDIR/fakecg
	mkdir -p "$t/cpuset"
	echo legacy >"$t/mode"
	echo "33 30 0:30 / $t/cpuset rw,relatime - cgroup cgroup rw,cpuset" >"$t/mountinfo"
	printf '5:cpuset:/\n0::/\n' >"$t/cgroup"
	echo 0 >"$t/cpuset/cpuset.mems"
	printf '%s\n' "$t"
}

@test "check --host: without pid in Namespaces=, a missing pids controller is reported there (fake tree)" {
	local f t
	t=$(fake_v1_tree)
	f=$(write_container nopid <<'EOF2'
[Container]
Command = true
Namespaces = uts mount
EOF2
)
	MDLAUNCH_PROBE_CGROUP_ROOT=$t run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: pids controller not available: no cgroup v1 hierarchy carries it (without a PID namespace the pids cgroup tracks the container's processes; mount the controller, or add pid to Namespaces=)"* ]]
}

@test "check --host: a controller no hierarchy carries is reported at its key (fake tree)" {
	local f t
	t=$(fake_v1_tree)
	f=$(write_container nomem <<'EOF2'
[Container]
Command = true
CPUSet = 0
Memory = 64M
EOF2
)
	MDLAUNCH_PROBE_CGROUP_ROOT=$t run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:4: memory controller not available: no cgroup v1 hierarchy carries it"* ]]
	[[ "$stderr" != *"cpuset controller not available"* ]]
	# An empty cpuset.mems would leave the container no memory node.
	: >"$t/cpuset/cpuset.mems"
	MDLAUNCH_PROBE_CGROUP_ROOT=$t run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: $t/cpuset/cpuset.mems is empty"* ]]
}

@test "v2: check --host reports a controller the launcher's parent does not offer" {
	is_unified || skip "the host is not cgroup v2 (unified)"
	local f own dir rc=0
	f=$(write_container v2parent <<'EOF2'
[Container]
Command = true
Memory = 64M
EOF2
)
	# Like mdl_delegated, but the launcher goes one level deeper, below a cgroup
	# that enables no controller for its children.
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	own=${own%/*}
	dir=/sys/fs/cgroup${own%/}/mdl-bats-probe-$$-$RANDOM
	mkdir "$dir" "$dir/inner"
	run --separate-stderr timeout -k 5 "$MDL_TIMEOUT" sh -c \
		'echo $$ >"$1/inner/cgroup.procs" && shift && exec "$@"' \
		sh "$dir" "$MDLAUNCH" check --host "$f"
	print_run
	rmdir "$dir/inner" "$dir" || rc=1
	[ "$rc" -eq 0 ]
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: memory controller not in $dir/inner/cgroup.controllers"* ]]
}
