#!/usr/bin/env bats
# Every file in examples/ is checked and shown; the quick ones are run, the
# web server is started, reached through its namespace, and stopped.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "examples: every example passes check" {
	local f n=0
	for f in "$EXAMPLES"/*.container; do
		n=$((n + 1))
		run --separate-stderr mdl check "$f"
		echo "$f"
		print_run
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
	[ "$n" -ge 4 ]
}

@test "examples: show of every example prints its name, argv, hostname and plan" {
	local f name
	for f in "$EXAMPLES"/*.container; do
		name=$(basename "$f" .container)
		run --separate-stderr mdl show "$f"
		echo "$f"
		print_run
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" =~ ^name\ +$name$ ]]
		[[ "$output" == *'[0] "'* ]]
		[[ "$output" == *CLONE_NEWPID* ]]
	done
}

@test "examples: show web.container matches the file" {
	skip_if_unified "the expected plan names v1 files"
	run --separate-stderr mdl show "$EXAMPLES/web.container"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *'[0] "python3"'* ]]
	[[ "$output" == *'[1] "-m"'* ]]
	[[ "$output" == *'[2] "http.server"'* ]]
	[[ "$output" == *'[3] "8080"'* ]]
	[[ "$output" == *'"PORT" = "8080"'* ]]
	[[ "$output" == *'"GREETING" = "hello world"'* ]]
	[[ "$output" == *'hostname     "web"'* ]]
	[[ "$output" =~ tty\ +false ]]
	[[ "$output" =~ namespaces\ +uts\ pid\ mount\ net\ ipc ]]
	[[ "$output" =~ memory\ +268435456\ bytes ]]
	[[ "$output" =~ cpu-shares\ +512 ]]
	[[ "$output" =~ cpuset\ +0-1 ]]
	local flag
	for flag in CLONE_NEWUTS CLONE_NEWPID CLONE_NEWNS CLONE_NEWNET CLONE_NEWIPC; do
		[[ "$output" == *$flag* ]]
	done
	printf '%s\n' "$output" | grep 'memory\.limit_in_bytes' | grep -q 268435456
	printf '%s\n' "$output" | grep 'cpu\.shares' | grep -q 512
	printf '%s\n' "$output" | grep 'cpuset\.cpus' | grep -q '0-1'
	printf '%s\n' "$output" | grep -q 'mdlaunch/web-'
	# the chain runs in the documented order: cpuset, memory, cpu
	local order
	order=$(printf '%s\n' "$output" | grep -oE 'cpuset\.cpus|memory\.limit_in_bytes|cpu\.shares' |
		awk '!seen[$0]++' | tr '\n' ' ')
	[ "$order" = "cpuset.cpus memory.limit_in_bytes cpu.shares " ]
}

@test "examples: hello.container (the demo) shows hostname, PID 1, its processes, its limit" {
	require_tool ps
	run --separate-stderr mdl "$EXAMPLES/hello.container"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostname:     hello"* ]]
	[[ "$output" == *"my pid:       1"* ]]
	[[ "$output" == *"memory limit: 67108864 bytes"* ]]
	[[ "$output" == *"/mdlaunch/hello-"* ]]
	[[ "$output" =~ processes\ I\ can\ see:$'\n'\ +PID\ COMMAND$'\n'\ +1\ sh ]]
	# sh and ps, nothing of the host
	[ "$(printf '%s\n' "$output" | sed -n '/^ *PID COMMAND/,$p' | wc -l)" -le 3 ]
}

@test "examples: make demo runs hello.container" {
	skip_if_unified "make demo starts the launcher in the shell's own cgroup"
	command -v make >/dev/null || skip "make is not installed"
	# `make demo` first runs `make deps`, which only installs what is missing.
	# Run it as a user would: not with the variables of an enclosing `make check`
	# (SANITIZE=1 and BUILD reach us through the environment).
	run --separate-stderr env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD \
		make -s -C "$TOP" demo
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"my pid:       1"* ]]
}

@test "examples: batch.container sorts within its limits; an ARG after -- is appended" {
	run --separate-stderr mdl "$EXAMPLES/batch.container"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1000000\n999999\n999998')" ]

	run --separate-stderr mdl "$EXAMPLES/batch.container" -- 42
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '42\n41\n40')" ]
}

@test "examples: hostnet.container sees the host's interfaces" {
	local ifc
	run --separate-stderr mdl "$EXAMPLES/hostnet.container"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hostname: hostnet" ]
	for ifc in $(tail -n +3 /proc/net/dev | cut -d: -f1); do
		printf '%s\n' "$output" | grep -qx " *$ifc"
	done
}

@test "examples: shell.container runs commands from stdin (Tty=true)" {
	skip_if_unified "the launcher is started directly in the shell's own cgroup"
	run --separate-stderr bash -c 'printf "echo \$\$\nhostname\nexit 7\n" | "$1" "$2"' \
		bash "$MDLAUNCH" "$EXAMPLES/shell.container"
	print_run
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = sandbox ]
}

@test "examples: web.container serves on 127.0.0.1:8080 through its published port, stops cleanly on SIGTERM" {
	skip_if_unified "the launcher is signalled directly, in the shell's own cgroup"
	require_python3
	command -v curl >/dev/null || skip "curl is not installed"
	cd "$BATS_TEST_TMPDIR"
	cat >web.sh <<'EOF'
cd "$BATS_TEST_TMPDIR"
env --default-signal "$MDLAUNCH" "$EXAMPLES/web.container" >web.out 2>&1 3>&- &
pid=$!
reply=
for i in $(seq 100); do
	reply=$(curl -s --max-time 2 http://127.0.0.1:8080/index.html) && [ -n "$reply" ] && break
	sleep 0.1
done
[ "$reply" = "$(cat "$EXAMPLES/html/index.html")" ] && echo "reply: ok"
# the init (PID 1) and python3 below it
init=$(cat /proc/$pid/task/*/children | cut -d' ' -f1)
py=$(cat /proc/$init/task/*/children | cut -d' ' -f1)
# examples/html, a read-only volume on /srv, in a read-only root
nsenter -t "$init" -m touch /srv/x /usr/x 2>/dev/null || echo "read-only: ok"
nsenter -t "$init" -m touch /tmp/x && echo "tmp: ok"
tr '\0' '\n' </proc/"$py"/environ | grep -qx 'GREETING=hello world' && echo "env: ok"
echo "hostname: $(nsenter -t "$init" -u hostname)"
kill -TERM $pid
rc=0; wait $pid || rc=$?
echo "exit: $rc"
cat web.out
net_leftovers && echo "clean: ok"
EOF
	run in_test_netns web.sh
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: ok"* ]]
	[[ "$output" == *"read-only: ok"* ]]
	[[ "$output" == *"tmp: ok"* ]]
	[[ "$output" == *"env: ok"* ]]
	[[ "$output" == *"hostname: web"* ]]
	[[ "$output" == *"exit: 143"* ]]
	[[ "$output" == *"clean: ok"* ]]
}
