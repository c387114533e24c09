#!/usr/bin/env bats
# The command line: check, show, init by hand, --help/--version, the naming
# options of run, global options and mdlaunch.conf.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "check: a valid file exits 0 and prints nothing on stdout" {
	local f
	f=$(write_container valid <<'EOF'
# a comment
[Container]
Command = sh -c 'echo "a; b # c"'
Tty = off
Memory = 512M
CPUShares = 2
CPUSet = 0
Hostname = h.example
Environment = A=1 "B=two words"
Name = valid_Name-1.x
Namespaces = uts pid mount net ipc
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "check: keys and the section are case-insensitive" {
	local f
	f=$(write_container casing <<'EOF'
[container]
COMMAND = true
memory = 1g
cpushares = 1024
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 0 ]
}

@test "check: an invalid file exits 1, every error named file:line and key, in one pass" {
	local f line
	f=$(write_container invalid <<'EOF'
[Container]
Command = true
Memory = 12x
CPUShares = 1
CPUSet = 0-9000
Bogus = 1
Tty = maybe
Name = bad/name
Namespaces = uts time
Hostname = ok
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"invalid.container:3: Memory: "*"'12x'"* ]]
	[[ "$stderr" == *"invalid.container:4: CPUShares: "* ]]
	[[ "$stderr" == *"invalid.container:5: CPUSet: "* ]]
	[[ "$stderr" == *"invalid.container:6: "*Bogus* ]]
	[[ "$stderr" == *"invalid.container:7: Tty: "* ]]
	[[ "$stderr" == *"invalid.container:8: Name: "* ]]
	[[ "$stderr" == *"invalid.container:9: Namespaces: "*time* ]]
	# every line of the report points into the file
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		echo "line: $line"
		[[ "$line" =~ invalid\.container:[0-9]+:\  ]]
	done <<<"$stderr"
	[ "$(grep -c . <<<"$stderr")" -ge 7 ]
}

@test "check --host: CPUSet= names an offline or missing CPU" {
	local f
	f=$(write_container cpus <<'EOF'
[Container]
Command = true
CPUSet = 0,999
EOF
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"cpus.container:3: CPUSet: "*999* ]]
}

@test "check: host-independent; check --host and run judge CPUs and users at file:line" {
	local f
	[ "$(nproc --all)" -lt 8 ] || skip "this host has 8 CPUs or more"
	f=$(write_container portable <<'EOF'
[Container]
Command = true
CPUSet = 0-7
User = no-such-user-mdl
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"portable.container:3: CPUSet: CPU "*" is not online"* ]]
	[[ "$stderr" == *"portable.container:4: User: unknown user 'no-such-user-mdl'"* ]]
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"portable.container:3: CPUSet: CPU "*" is not online"* ]]
	[[ "$stderr" == *"portable.container:4: User: unknown user 'no-such-user-mdl'"* ]]
	# a value that is wrong anywhere still fails plain check
	printf 'CPUSet = 7-0\n' >>"$f"
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
}

@test "check: a missing Command=, an unknown section, a duplicate key" {
	local f
	f=$(write_container nocmd <<'EOF'
[Container]
Memory = 64M
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *nocmd.container*Command* ]]

	f=$(write_container section <<'EOF'
[Container]
Command = true
[Socket]
ListenStream = 80
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"section.container:3:"* ]]

	f=$(write_container dup <<'EOF'
[Container]
Command = true
Memory = 64M
memory = 128M
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"dup.container:4:"*emory* ]]
}

@test "check: bad sizes and shares are rejected (0, negative, overflow, out of range)" {
	local v f
	for v in "Memory = 0" "Memory = -5M" "Memory = 99999999999T" "Memory = M" \
		"CPUShares = 262145" "CPUShares = 0" "CPUShares = 5x" "Name = $(printf 'n%.0s' {1..65})"; do
		f=$(write_container vals <<EOF
[Container]
Command = true
$v
EOF
)
		run --separate-stderr mdl check "$f"
		echo "value: $v"
		print_run
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"vals.container:3: "* ]]
	done
}

@test "check: several files; 0 only when all are valid; a missing file is an error" {
	local good bad
	good=$(write_container good <<'EOF'
[Container]
Command = true
EOF
)
	bad=$(write_container bad <<'EOF'
[Container]
Command = true
Memory = lots
EOF
)
	run --separate-stderr mdl check "$good" "$good"
	[ "$status" -eq 0 ]
	run --separate-stderr mdl check "$good" "$bad" "$good"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bad.container:3:"* ]]
	run --separate-stderr mdl check "$BATS_TEST_TMPDIR/absent.container"
	print_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *absent.container* ]]
	run --separate-stderr mdl check
	print_run
	[ "$status" -eq 125 ]
}

@test "show: prints the resolved spec and the plan; runs nothing" {
	local f
	f=$(write_container showme <<EOF
[Container]
Command = touch "$BATS_TEST_TMPDIR/ran" "two words"
Memory = 256M
CPUShares = 512
CPUSet = 0
Hostname = web
Environment = PORT=8080 "GREETING=hello world"
Namespaces = uts pid mount ipc
EOF
)
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[[ "$output" == *'[0] "touch"'* ]]
	[[ "$output" == *'[2] "two words"'* ]]
	[[ "$output" == *'"GREETING" = "hello world"'* ]]
	[[ "$output" == *'hostname     "web"'* ]]
	[[ "$output" =~ namespaces\ +uts\ pid\ mount\ ipc ]]
	[[ "$output" == *CLONE_NEWUTS* ]]
	[[ "$output" == *CLONE_NEWPID* ]]
	[[ "$output" == *CLONE_NEWNS* ]]
	[[ "$output" == *CLONE_NEWIPC* ]]
	[[ "$output" != *CLONE_NEWNET* ]]
	# the subsystem chain: file and value on one line
	# (v1: memory.limit_in_bytes, cpu.shares; v2: memory.max, cpu.weight 59 = 512 shares)
	printf '%s\n' "$output" | grep -E 'memory\.(limit_in_bytes|max) ' | grep -q 268435456
	printf '%s\n' "$output" | grep -qE 'cpu\.shares = 512|cpu\.weight = 59 '
	printf '%s\n' "$output" | grep -E 'cpuset\.cpus' | grep -qw 0
	printf '%s\n' "$output" | grep -q 'mdlaunch/showme-'
}

@test "show: usage errors and invalid files exit 125" {
	local bad
	bad=$(write_container bad <<'EOF'
[Container]
Memory = 1M
EOF
)
	run --separate-stderr mdl show
	[ "$status" -eq 125 ]
	run --separate-stderr mdl show "$bad"
	print_run
	[ "$status" -eq 125 ]
	[ -z "$output" ]
}

@test "init: run by hand it refuses at once with a clear message and 125" {
	# fd 3 closed, fd 3 a regular file, fd 3 a pipe with junk in it
	run --separate-stderr timeout 10 "$MDLAUNCH" init 3>&-
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *init* ]]
	[ -z "$output" ]

	run --separate-stderr timeout 10 "$MDLAUNCH" init 3</etc/hostname
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *init* ]]

	run --separate-stderr timeout 10 bash -c 'echo junk | "$1" init 3<&0' bash "$MDLAUNCH"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *init* ]]

	run --separate-stderr timeout 10 "$MDLAUNCH" init extra-arg
	print_run
	[ "$status" -eq 125 ]
}

@test "help and version: --help lists the commands (init hidden), --version" {
	run --separate-stderr mdl --help
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: mdlaunch"* ]]
	[[ "$output" == *check* ]]
	[[ "$output" == *show* ]]
	[[ "$output" == *--cpushare* ]]
	[[ "$output" == *--hostname* ]]
	! printf '%s\n' "$output" | grep -qE '^ +init\b' || false

	run --separate-stderr mdl --version
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^mdlaunch\ [0-9]+\.[0-9]+ ]]

	run --separate-stderr mdl run --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--memory* ]]

	run --separate-stderr mdl
	[ "$status" -eq 125 ]
	run --separate-stderr mdl --bogus-global
	[ "$status" -eq 125 ]
}

@test "run options: --name names the container (hostname and cgroup), --hostname overrides" {
	require_v1 memory
	local conf=$BATS_TEST_TMPDIR/hostview.conf
	printf 'namespaces = "%s";\n' "$HOST_CGROUP_VIEW" >"$conf"
	run --separate-stderr mdl --config "$conf" run --name probe-name -m 64M -- sh -c \
		'hostname; grep -E "^[0-9]+:([^:]*,)?memory(,[^:]*)?:" /proc/self/cgroup'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = probe-name ]
	[[ "${lines[1]}" == */mdlaunch/probe-name-* ]]

	run --separate-stderr mdl run --name probe-name --hostname other.example -- hostname
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = other.example ]

	run --separate-stderr mdl run --name 'bad/name' -- true
	print_run
	[ "$status" -eq 125 ]
}

@test "run options: --hostname and -e override the file" {
	local f
	f=$(write_container ov <<'EOF'
[Container]
Command = sh -c 'echo "$(hostname) $V"'
Hostname = fromfile
Environment = V=fromfile
EOF
)
	run --separate-stderr mdl run --hostname fromcli -e V=fromcli "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "fromcli fromcli" ]
}

@test "global options: --log-level, -v, -vv are accepted before the command" {
	run --separate-stderr mdl --log-level error run -- true
	[ "$status" -eq 0 ]
	run --separate-stderr mdl -v run -- true
	[ "$status" -eq 0 ]
	run --separate-stderr mdl -vv run -- sh -c 'echo out'
	print_run
	[ "$status" -eq 0 ]
	# debug logging goes to stderr only; stdout belongs to the container
	[ "$output" = out ]
	run --separate-stderr mdl --log-level chatty run -- true
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *chatty* ]]
}

@test "mdlaunch.conf: the shipped conf/mdlaunch.conf loads; an error names file:line" {
	[ -f "$TOP/conf/mdlaunch.conf" ] || skip "conf/mdlaunch.conf not shipped yet"
	local good
	good=$(write_container good <<'EOF'
[Container]
Command = true
EOF
)
	run --separate-stderr mdl --config "$TOP/conf/mdlaunch.conf" check "$good"
	print_run
	[ "$status" -eq 0 ]
	run --separate-stderr mdl --config "$TOP/conf/mdlaunch.conf" run -- sh -c 'echo $$'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]

	printf '# broken\nlog_level = "warn";\nnamespaces = [ "uts", \n' >"$BATS_TEST_TMPDIR/broken.conf"
	run --separate-stderr mdl --config "$BATS_TEST_TMPDIR/broken.conf" check "$good"
	print_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"broken.conf:"[0-9]* ]]

	run --separate-stderr mdl --config "$BATS_TEST_TMPDIR/absent.conf" check "$good"
	print_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *absent.conf* ]]
}

@test "cli: an unknown subcommand is an error, never run as a container command" {
	run --separate-stderr mdl ls /
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[[ "$stderr" == *"unknown command 'ls'"* ]]
}

@test "global options: one correct line for an unknown option or a missing argument" {
	run --separate-stderr "$MDLAUNCH" -x run -- true
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: unknown option '-x' (see mdlaunch --help)" ]
	run --separate-stderr "$MDLAUNCH" --config
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: option '--config' requires an argument (see mdlaunch --help)" ]
}

@test "global options after the subcommand: check -v FILE, check --config PATH FILE" {
	local f
	f=$(write_container after <<'EOF'
[Container]
Command = true
EOF
)
	run --separate-stderr mdl check -v "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ $stderr == *"after.container: valid on this host"* ]]
	run --separate-stderr mdl check --config /nonexistent/mdlaunch.conf "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"/nonexistent/mdlaunch.conf"* ]]
}

@test "show: run options show their effect (show -m 1G FILE)" {
	local f
	f=$(write_container showopt <<'EOF'
[Container]
Command = true
Memory = 64M
EOF
)
	run --separate-stderr mdl show -m 1G "$f"
	print_run
	[ "$status" -eq 0 ]
	grep -qE '^memory +1073741824 bytes' <<<"$output"
	run --separate-stderr mdl show --effective --memory 1G "$f"
	print_run
	[ "$status" -eq 0 ]
	grep -qE '^Memory += 1073741824 +--memory$' <<<"$output"
}

@test "check --host: a WorkingDirectory= that does not exist is an error at its line" {
	local f
	f=$(write_container nowd <<'EOF'
[Container]
Command = true
WorkingDirectory = /nonexistent/dir
EOF
)
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"nowd.container:3: WorkingDirectory: '/nonexistent/dir': No such file or directory"* ]]
}
