#!/usr/bin/env bats
# EnvironmentFile= (and --env-file) and InheritEnvironment= as the container sees them.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "EnvironmentFile=: read relative to the file, before Environment=; '-' may be missing" {
	local f
	cat >"$BATS_TEST_TMPDIR/app.env" <<'EOF'
# secrets stay out of the .container
A=from-file
B="two words"
C=overridden
EOF
	f=$(write_container envfile <<'EOF'
[Container]
Command = sh -c 'echo "A=$A B=$B C=$C"'
EnvironmentFile = app.env
EnvironmentFile = -does-not-exist.env
Environment = C=env-wins
EOF
)
	cd /
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "A=from-file B=two words C=env-wins" ]
}

@test "EnvironmentFile=: a missing file or a bad line is a file:line error of check" {
	local f
	printf 'GOOD=1\nno equals sign\n' >"$BATS_TEST_TMPDIR/bad.env"
	f=$(write_container envbad <<'EOF'
[Container]
Command = true
EnvironmentFile = missing.env
EnvironmentFile = bad.env
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"envbad.container:3: EnvironmentFile: cannot read '$BATS_TEST_TMPDIR/missing.env'"* ]]
	[[ $stderr == *"envbad.container:4: EnvironmentFile: $BATS_TEST_TMPDIR/bad.env:2: invalid line"* ]]
}

@test "EnvironmentFile=: a FIFO is refused, not waited on" {
	local f
	mkfifo "$BATS_TEST_TMPDIR/fifo.env"
	f=$(write_container envfifo <<'EOF'
[Container]
Command = true
EnvironmentFile = fifo.env
EOF
)
	run --separate-stderr timeout 10 "$MDLAUNCH" check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"is not a regular file"* ]]
}

@test "--env-file: relative to the current directory, under -e" {
	printf 'X=file\nY=file\n' >"$BATS_TEST_TMPDIR/cli.env"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr mdl run --env-file cli.env -e Y=option -- sh -c 'echo "$X $Y"'
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "file option" ]
}

@test "InheritEnvironment=false: TERM, container=mdlaunch, the file's variables and PATH only" {
	local f
	f=$(write_container clean <<'EOF'
[Container]
Command = sh -c 'env | cut -d= -f1 | grep -vx PWD | sort | tr "\n" " "; echo "$container $TERM"'
InheritEnvironment = false
Environment = MINE=1
EOF
)
	FOO=leaked TERM=xterm-test run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "MINE PATH TERM container mdlaunch xterm-test" ]
	# The default inherits (today's behaviour).
	FOO=inherited run --separate-stderr mdl run -- sh -c 'echo "$FOO"'
	[ "$output" = inherited ]
}
