#!/usr/bin/env bats
# seccomp, read from inside the container: a filter by default (Seccomp: 2),
# namespace creation and the keyrings refused, glibc's clone3 fallback,
# ps and date still working, Init=true under the filter too, unconfined,
# docker's own default.json loaded and applied, the errors of a bad profile
# at file:line, and the compile-once cache.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# docker's default profile, from Debian's golang-github-docker-docker-dev,
# extracted (never installed) once per file run; empty when apt cannot get it.
DOCKER_PROFILE_IN_DEB=usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json

setup_file()
{
	local d=$BATS_FILE_TMPDIR/docker-deb
	mkdir -p "$d"
	export DOCKER_PROFILE=
	if (cd "$d" && apt-get download golang-github-docker-docker-dev >/dev/null 2>&1) &&
		dpkg-deb -x "$d"/golang-github-docker-docker-dev_*.deb "$d/x" 2>/dev/null &&
		[ -s "$d/x/$DOCKER_PROFILE_IN_DEB" ]; then
		DOCKER_PROFILE=$d/x/$DOCKER_PROFILE_IN_DEB
	fi
}

require_docker_profile()
{
	[ -n "$DOCKER_PROFILE" ] ||
		skip "apt-get download golang-github-docker-docker-dev failed (no network or apt lists?)"
}

# status_field NAME: the value of the first "NAME:" line of $output.
status_field()
{
	printf '%s\n' "$output" | awk -v k="$1:" '$1 == k {print $2; exit}'
}

# What every profile below must refuse or allow (one line: it also goes into a Command=).
probes='grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status;'
probes+=' unshare -U true 2>&1 && echo "unshare: allowed";'
probes+=' keyctl add user mdl-test secret @s 2>&1 && echo "keyctl: allowed";'
probes+=' date +%Y >/dev/null && echo "date: ok"; ps -e >/dev/null && echo "ps: ok"'

threads='import threading
out = []
t = threading.Thread(target=out.append, args=("python threads: ok",))
t.start(); t.join(); print(out[0])'

@test "seccomp: a default container runs under a filter that refuses namespaces and keyrings" {
	require_tool keyctl
	require_tool unshare
	run --separate-stderr mdl run -- sh -c "$probes"
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 2 ]
	[[ "$output" == *"unshare failed: Operation not permitted"* ]]
	[[ "$output" != *"unshare: allowed"* ]]
	[[ "$output" == *"add_key: Operation not permitted"* ]]
	[[ "$output" != *"keyctl: allowed"* ]]
	[[ "$output" == *"date: ok"* ]]
	[[ "$output" == *"ps: ok"* ]]
}

@test "seccomp: python threads work (clone3 answers ENOSYS, glibc falls back to clone)" {
	require_python3
	run --separate-stderr mdl run -- python3 -c "$threads
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
print('clone3', libc.syscall(435, None, 0), errno.errorcode[ctypes.get_errno()])"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"python threads: ok"* ]]
	[[ "$output" == *"clone3 -1 ENOSYS"* ]]
}

@test "seccomp: with Init=true, init (PID 1) runs under the filter too" {
	local f
	f=$(write_container init <<'EOF'
[Container]
Command = sh -c 'grep Seccomp: /proc/1/status /proc/self/status; echo done'
Init = true
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"/proc/1/status:Seccomp:	2"* ]]
	[[ "$output" == *"/proc/self/status:Seccomp:	2"* ]]
	[[ "$output" == *done* ]]
}

@test "seccomp: NoNewPrivileges=false still loads the filter (before the privilege drop)" {
	local f
	f=$(write_container nnp <<'EOF'
[Container]
Command = sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; id -u'
NoNewPrivileges = false
User = 65534
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 2 ]
	[ "$(status_field NoNewPrivs)" = 0 ]
	[[ "$output" == *65534* ]]
}

@test "seccomp: SeccompProfile=unconfined and --security-opt seccomp=unconfined: no filter" {
	local f
	f=$(write_container unconfined <<'EOF'
[Container]
Command = grep Seccomp: /proc/self/status
SeccompProfile = unconfined
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 0 ]
	run --separate-stderr mdl run --security-opt seccomp=unconfined -- grep Seccomp: /proc/self/status
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 0 ]
	# The command line overrides the file, back to the default.
	run --separate-stderr mdl run --security-opt seccomp=default "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 2 ]
}

@test "seccomp: docker's own default.json loads and applies (a path relative to the file)" {
	require_docker_profile
	require_tool keyctl
	require_tool unshare
	cp "$DOCKER_PROFILE" "$BATS_TEST_TMPDIR/docker-default.json"
	local f
	f=$(write_container docker <<EOF
[Container]
Command = sh -c '$probes'
SeccompProfile = docker-default.json
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(status_field Seccomp)" = 2 ]
	[[ "$output" == *"unshare failed: Operation not permitted"* ]]
	[[ "$output" == *"add_key: Operation not permitted"* ]]
	[[ "$output" != *"keyctl: allowed"* ]]
	[[ "$output" == *"date: ok"* ]]
	[[ "$output" == *"ps: ok"* ]]
	run --separate-stderr "$MDLAUNCH" show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp      profile $BATS_TEST_TMPDIR/docker-default.json, default action SCMP_ACT_ERRNO(EPERM)"* ]]
	if in_container_path python3; then
		run --separate-stderr mdl run --security-opt "seccomp=$DOCKER_PROFILE" -- python3 -c "$threads"
		print_run
		[ "$status" -eq 0 ]
		[[ "$output" == *"python threads: ok"* ]]
	fi
}

@test "seccomp: a missing profile, an unknown action, bad JSON: 125 at file:line naming it" {
	local f
	f=$(write_container missing <<'EOF'
[Container]
Command = true
SeccompProfile = no-such-profile.json
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "$f:3: SeccompProfile: cannot read the profile '$BATS_TEST_TMPDIR/no-such-profile.json': No such file or directory" ]

	cat >"$BATS_TEST_TMPDIR/bogus.json" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["read"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["write"], "action": "SCMP_ACT_SOMETIMES" }
  ]
}
EOF
	f=$(write_container bogus <<EOF
[Container]
Command = true

SeccompProfile = $BATS_TEST_TMPDIR/bogus.json
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == "$f:4: SeccompProfile: '$BATS_TEST_TMPDIR/bogus.json': syscalls[1].action: unknown action 'SCMP_ACT_SOMETIMES'"* ]]

	printf '{ "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ }\n' >"$BATS_TEST_TMPDIR/broken.json"
	run --separate-stderr mdl run --security-opt "seccomp=$BATS_TEST_TMPDIR/broken.json" -- true
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--security-opt seccomp=: '$BATS_TEST_TMPDIR/broken.json': line 2: "* ]]
}

@test "seccomp: check reads no profile, check --host reports a missing one at its line" {
	local f
	f=$(write_container checkhost <<'EOF'
[Container]
Command = true
SeccompProfile = /nonexistent/profile.json
EOF
)
	run --separate-stderr "$MDLAUNCH" check "$f"
	print_run
	[ "$status" -eq 0 ]
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$f:3: SeccompProfile: cannot read the profile '/nonexistent/profile.json': No such file or directory"* ]]
}

@test "seccomp: the program is compiled once, then read from the cache; a damaged cache is rebuilt" {
	local cache=$BATS_TEST_TMPDIR/cache files
	export MDLAUNCH_SECCOMP_CACHE=$cache
	run --separate-stderr mdl -vv run -- true
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"instructions compiled, cached in '$cache/"* ]]
	files=("$cache"/*.bpf)
	[ "${#files[@]}" -eq 1 ]
	[ "$(stat -c %a "${files[0]}")" = 600 ]

	run --separate-stderr mdl -vv run -- grep Seccomp: /proc/self/status
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"instructions read from '${files[0]}'"* ]]
	[ "$(status_field Seccomp)" = 2 ]

	# A flipped byte: not trusted, rebuilt, and the run still filters.
	local b
	b=$(od -An -tu1 -j200 -N1 "${files[0]}")
	printf "\\$(printf %o $((255 - b)))" | dd of="${files[0]}" bs=1 seek=200 conv=notrunc status=none
	run --separate-stderr mdl -vv run -- grep Seccomp: /proc/self/status
	print_run
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"not usable"*"rebuilding"* ]]
	[ "$(status_field Seccomp)" = 2 ]

	# Another capability set is another program.
	printf '[Container]\nCommand = true\nAddCapabilities = SYS_ADMIN\n' >"$BATS_TEST_TMPDIR/admin.container"
	run --separate-stderr mdl "$BATS_TEST_TMPDIR/admin.container"
	print_run
	[ "$status" -eq 0 ]
	files=("$cache"/*.bpf)
	[ "${#files[@]}" -eq 2 ]
}
