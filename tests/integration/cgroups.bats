#!/usr/bin/env bats
# cgroup v1 limits, read from inside the running container: where its cgroups
# are, the values written, the OOM killer enforcing Memory=, CPUSet= confining
# the CPUs, the run options, and concurrent runs of one file.

load helpers

setup() {
	mdl_setup
	require_v1 memory cpu cpuset
}
teardown() { mdl_teardown; }

@test "cgroup: Memory= CPUShares= CPUSet= are written and read back from inside" {
	local probe f
	probe=$(write_cgroup_probe)
	f=$(write_container cglimits <<EOF
[Container]
Command = sh $probe $(probe_args)
Memory = 96M
CPUShares = 512
CPUSet = 0
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field memory.limit_in_bytes)" = 100663296 ]
	[ "$(field cpu.shares)" = 512 ]
	[ "$(field cpuset.cpus)" = 0 ]
	# cpuset.mems was seeded from the parent, or no task could have joined
	[ -n "$(field cpuset.mems)" ]
	[ "$(field cpuset.mems)" != "(unreadable)" ]
	[ "$(field Cpus_allowed_list)" = 0 ]
	# the container itself (PID 1 inside) is a member
	[[ " $(field memory.procs) " == *" 1 "* ]]
}

@test "cgroup: each cgroup is mdlaunch/<name>-<id> below the launcher's own cgroup" {
	local probe f ctl own path
	probe=$(write_cgroup_probe)
	f=$(write_container placement <<EOF
[Container]
Namespaces = $HOST_CGROUP_VIEW
Command = sh $probe $(probe_args)
Memory = 64M
CPUShares = 256
CPUSet = 0
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	for ctl in memory cpu cpuset; do
		own=$(own_cgroup $ctl)
		own=${own%/}
		path=$(field path.$ctl)
		echo "$ctl: own '$own', container '$path'"
		[[ "$path" =~ ^${own}/mdlaunch/placement-[^/]+$ ]]
	done
}

@test "cgroup: a controller without a key is not joined (no Memory= -> own memory cgroup)" {
	local probe f
	probe=$(write_cgroup_probe)
	f=$(write_container nomem <<EOF
[Container]
Namespaces = $HOST_CGROUP_VIEW
Command = sh $probe $(probe_args)
CPUShares = 256
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field path.memory)" = "$(own_cgroup memory)" ]
	[ "$(field cpu.shares)" = 256 ]
}

@test "cgroup: Memory=max creates a memory cgroup with no limit" {
	local probe f limit
	probe=$(write_cgroup_probe)
	f=$(write_container memmax <<EOF
[Container]
Namespaces = $HOST_CGROUP_VIEW
Command = sh $probe $(probe_args)
Memory = max
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$(field path.memory)" == */mdlaunch/memmax-* ]]
	limit=$(field memory.limit_in_bytes)
	# the kernel reports "no limit" as PAGE_COUNTER_MAX pages: about 2^63
	[ "${#limit}" -ge 19 ]
}

@test "oom: allocating past Memory= is OOM-killed (137), under it is not (python3)" {
	require_python3
	local f
	f=$(write_container oom <<'EOF'
[Container]
Command = python3 -c "b = bytearray(200 * 1024 * 1024); print('survived')"
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
	[[ "$stderr" =~ "oom: killed by the OOM killer (Memory=64M, peak "[0-9.]+[KM]")" ]]

	f=$(write_container nooom <<'EOF'
[Container]
Command = python3 -c "b = bytearray(16 * 1024 * 1024); print('survived')"
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = survived ]
	[[ "$stderr" != *"OOM killer"* ]]
}

@test "oom: the same with coreutils only (tail buffering 200M without a newline)" {
	local f
	f=$(write_container oomtail <<'EOF'
[Container]
Command = sh -c 'head -c 200M /dev/zero | tail -n 1 >/dev/null'
Memory = 64M
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 137 ]
	[[ "$stderr" == *"oomtail: killed by the OOM killer (Memory=64M, peak "* ]]

	run --separate-stderr mdl run -m 256M -- sh -c 'head -c 100M /dev/zero | tail -n 1 | wc -c'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = 104857600 ]
}

@test "cpuset: CPUSet=0 confines Cpus_allowed_list; CPUSet=1 too when CPU 1 is online" {
	local cpu f
	for cpu in 0 1; do
		if ! cpu_online $cpu; then
			echo "# CPU $cpu is offline, not tested" >&3
			continue
		fi
		f=$(write_container cpuset$cpu <<EOF
[Container]
Command = grep Cpus_allowed_list /proc/self/status
CPUSet = $cpu
EOF
)
		run --separate-stderr mdl "$f"
		print_run
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^Cpus_allowed_list:[[:space:]]+${cpu}$ ]]
	done
}

@test "run options: -m, --cpushare, --cpu-shares, --cpuset set the limits" {
	local probe
	probe=$(write_cgroup_probe)
	run --separate-stderr mdl run -m 80M --cpushare 300 --cpuset 0 -- sh $probe $(probe_args)
	print_run
	[ "$status" -eq 0 ]
	[ "$(field memory.limit_in_bytes)" = 83886080 ]
	[ "$(field cpu.shares)" = 300 ]
	[ "$(field cpuset.cpus)" = 0 ]
	[ "$(field Cpus_allowed_list)" = 0 ]

	run --separate-stderr mdl run --memory 1G --cpu-shares 400 -- sh $probe $(probe_args)
	print_run
	[ "$status" -eq 0 ]
	[ "$(field memory.limit_in_bytes)" = 1073741824 ]
	[ "$(field cpu.shares)" = 400 ]
}

@test "run options override the file: -m, --cpushare, --cpuset over Memory= CPUShares= CPUSet=" {
	local probe f
	cpu_online 1 || skip "needs CPU 1"
	probe=$(write_cgroup_probe)
	f=$(write_container override <<EOF
[Container]
Command = sh $probe $(probe_args)
Memory = 64M
CPUShares = 512
CPUSet = 0
EOF
)
	run --separate-stderr mdl run -m 128M --cpushare 1024 --cpuset 1 "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field memory.limit_in_bytes)" = 134217728 ]
	[ "$(field cpu.shares)" = 1024 ]
	[ "$(field cpuset.cpus)" = 1 ]
}

@test "concurrency: two runs of the same file at once both succeed in different cgroups" {
	local probe f sync=$BATS_TEST_TMPDIR/sync pa pb ra rb
	probe=$(write_cgroup_probe)
	mkdir "$sync"
	# Each run announces itself, then waits for the other: they overlap for sure.
	f=$(write_container twice <<EOF
[Container]
Namespaces = $HOST_CGROUP_VIEW
Command = sh -c 'sh $probe $(probe_args); touch $sync/\$1; i=0; while [ ! -e $sync/\$2 ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done; [ -e $sync/\$2 ]' sh
Memory = 64M
CPUShares = 256
EOF
)
	mdl "$f" -- a b >"$BATS_TEST_TMPDIR/a.out" 2>&1 3>&- &
	pa=$!
	track_pid $pa
	mdl "$f" -- b a >"$BATS_TEST_TMPDIR/b.out" 2>&1 3>&- &
	pb=$!
	track_pid $pb
	ra=0 rb=0
	wait $pa || ra=$?
	wait $pb || rb=$?
	cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
	[ "$ra" -eq 0 ]
	[ "$rb" -eq 0 ]
	output=$(cat "$BATS_TEST_TMPDIR/a.out")
	local mem_a cpu_a
	mem_a=$(field path.memory)
	cpu_a=$(field path.cpu)
	output=$(cat "$BATS_TEST_TMPDIR/b.out")
	[[ "$mem_a" == */mdlaunch/twice-* ]]
	[[ "$(field path.memory)" == */mdlaunch/twice-* ]]
	[ "$mem_a" != "$(field path.memory)" ]
	[ "$cpu_a" != "$(field path.cpu)" ]
	[ "$(field memory.limit_in_bytes)" = 67108864 ]
}

@test "cgroup: a failing write names the file and the value, exits 125, runs nothing" {
	cpu_online 1 || skip "needs CPU 1"
	# A parent of our own (below our own cpuset cgroup) restricted to CPU 0:
	# the kernel refuses cpuset.cpus=1 in a child of it.
	local own parent name=mdltest-$MDL_TEST_TOKEN conf=$BATS_TEST_TMPDIR/parent.conf
	own=$(cgroup_v1_mount cpuset)$(own_cgroup cpuset)
	parent=${own%/}/$name
	mkdir "$parent"
	echo 0 >"$parent/cpuset.cpus"
	cat "${own%/}/cpuset.mems" >"$parent/cpuset.mems"
	printf 'cgroup_parent = "%s";\n' "$name" >"$conf"
	run --separate-stderr mdl --config "$conf" run --name wf --cpuset 1 -- touch "$BATS_TEST_TMPDIR/ran"
	local leftovers
	leftovers=$(find "$parent" -mindepth 1 -type d)
	rmdir "$parent"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"'1'"*"/$name/wf-"*"/cpuset.cpus"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ -z "$leftovers" ]
}

@test "cgroup: cgroup_parent in mdlaunch.conf places the container there" {
	local probe conf=$BATS_TEST_TMPDIR/parent.conf sub="mdltest-$MDL_TEST_TOKEN/sub"
	probe=$(write_cgroup_probe)
	printf 'cgroup_parent = "%s";\nnamespaces = "%s";\n' "$sub" "$HOST_CGROUP_VIEW" >"$conf"
	run --separate-stderr mdl --config "$conf" run --name placed -m 64M -- sh $probe $(probe_args)
	print_run
	local own
	own=$(own_cgroup memory)
	[ "$status" -eq 0 ]
	[[ "$(field path.memory)" =~ ^${own%/}/$sub/placed-[0-9]+$ ]]
	# the levels it created are gone again
	[ ! -e "$(cgroup_v1_mount memory)${own%/}/mdltest-$MDL_TEST_TOKEN" ]
}
