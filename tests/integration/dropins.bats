#!/usr/bin/env bats
# Drop-ins (FILE.container.d/*.conf), where each value came from (show
# --effective, show --json), the quadlet hint and the trust check as root.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# dropin NAME: writes stdin to web.container.d/NAME next to the test's web.container.
dropin()
{
	mkdir -p "$BATS_TEST_TMPDIR/web.container.d"
	cat >"$BATS_TEST_TMPDIR/web.container.d/$1"
}

@test "drop-ins: applied in lexical order after the file, the last value wins" {
	local f
	f=$(write_container web <<'EOF'
[Container]
Command = true
Memory = 256M
CPUShares = 512
EOF
)
	dropin 20-late.conf <<'EOF'
[Container]
Memory = 2G
EOF
	dropin 10-host.conf <<'EOF'
[Container]
Memory = 1G
CPUShares = 100
EOF
	dropin 30-ignored.txt <<'EOF'
[Container]
Memory = 3G
EOF
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" =~ memory\ +2147483648\ bytes ]]
	[[ "$output" =~ cpu-shares\ +100 ]]
}

@test "drop-ins: an empty value resets the key; a command-line option overrides all" {
	local f
	f=$(write_container web <<'EOF'
[Container]
Command = sh -c 'cat /proc/sys/kernel/hostname'
Hostname = from-file
Memory = 256M
EOF
)
	dropin 10-reset.conf <<'EOF'
[Container]
Hostname =
Memory = 1G
EOF
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" =~ hostname\ +\"web\" ]]
	run --separate-stderr mdl run --memory 64M "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = web ]
}

@test "drop-ins: errors name the drop-in file and line; a duplicate within one file is an error" {
	local f
	f=$(write_container web <<'EOF'
[Container]
Command = true
Memory = 1G
EOF
)
	dropin 10-bad.conf <<'EOF'
[Container]
Memory = 1G
Memory = 2G
CPUShares = lots
EOF
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"web.container.d/10-bad.conf:3: Memory: duplicate key, first set at line 2"* ]]
	[[ "$stderr" == *"web.container.d/10-bad.conf:4: CPUShares: invalid value 'lots'"* ]]
}

@test "strictness: X- keys are ignored; Image= gets the quadlet hint" {
	local f q
	f=$(write_container web <<'EOF'
[Container]
Command = true
X-Deploy-Team = web
EOF
)
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 0 ]
	q=$(write_container quadlet <<'EOF'
[Container]
Image = docker.io/library/nginx
Exec = nginx
EOF
)
	run --separate-stderr mdl check "$q"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"quadlet.container:2: unknown key 'Image' in [Container] (this looks like a Podman quadlet file, not an mdlaunch file"* ]]
}

@test "trust check: as root, files and drop-in directories others can write are refused" {
	local f conf
	f=$(write_container web <<'EOF'
[Container]
Command = true
EOF
)
	chmod 0666 "$f"
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "$f: refusing a file writable by others (mode 0666); chmod o-w it or set strict_permissions = false in mdlaunch.conf" ]
	chmod 0644 "$f"
	dropin 10-host.conf <<'EOF'
[Container]
Memory = 1G
EOF
	chmod 0775 "$BATS_TEST_TMPDIR/web.container.d"
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"web.container.d: refusing a directory writable by its group (mode 0775)"* ]]
	chmod 0755 "$BATS_TEST_TMPDIR/web.container.d"
	chown 1234 "$BATS_TEST_TMPDIR/web.container.d/10-host.conf"
	run --separate-stderr mdl check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"10-host.conf: refusing a file owned by uid 1234, not root"* ]]
	# strict_permissions = false in mdlaunch.conf turns the check off.
	conf=$BATS_TEST_TMPDIR/mdlaunch.conf
	printf 'strict_permissions = false;\n' >"$conf"
	run --separate-stderr mdl --config "$conf" check "$f"
	print_run
	[ "$status" -eq 0 ]
}

@test "trust check: mdlaunch.conf is checked like the files it configures" {
	local f conf=$BATS_TEST_TMPDIR/mdlaunch.conf
	f=$(write_container web <<'EOF'
[Container]
Command = true
EOF
)
	printf 'log_level = "warn";\n' >"$conf"
	chmod 0664 "$conf"
	run --separate-stderr mdl --config "$conf" check "$f"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "$conf: refusing a file writable by its group (mode 0664); chmod g-w it" ]
	run --separate-stderr mdl --config "$conf" run -- true
	print_run
	[ "$status" -eq 125 ]
	chmod 0644 "$conf"
	run --separate-stderr mdl --config "$conf" check "$f"
	print_run
	[ "$status" -eq 0 ]
	# A FIFO is refused without waiting for a writer.
	rm -f "$conf"
	mkfifo "$conf"
	run --separate-stderr timeout 10 "$MDLAUNCH" --config "$conf" check "$f"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "mdlaunch: error: cannot load '$conf': not a regular file" ]
}

@test "show --effective: every key's value and where it came from, then the plan" {
	local f conf
	f=$(write_container web <<'EOF'
[Container]
Command = true
Memory = 256M
Hostname = from-file
EOF
)
	dropin 10-host.conf <<'EOF'
[Container]
Memory = 1G
EOF
	conf=$BATS_TEST_TMPDIR/mdlaunch.conf
	printf 'log_level = "warn";\nnamespaces = [ "uts", "pid" ];\n' >"$conf"
	run --separate-stderr mdl --config "$conf" show --effective "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" =~ Command\ +=\ true\ +$f:2 ]]
	[[ "$output" =~ Memory\ +=\ 1G\ +$BATS_TEST_TMPDIR/web.container.d/10-host.conf:2 ]]
	[[ "$output" =~ Hostname\ +=\ from-file\ +$f:4 ]]
	[[ "$output" =~ Namespaces\ +=\ uts\ pid\ +$conf:2 ]]
	[[ "$output" =~ Tty\ +=\ no\ +default ]]
	[[ "$output" == *CLONE_NEWUTS* ]]
}

@test "show --json: valid JSON, typed values, the same keys and origins, the plan's writes" {
	local f
	command -v python3 >/dev/null || skip "python3 is not installed"
	f=$(write_container web <<'EOF'
[Container]
Command = sh -c 'echo "a\tb"; printf "\x01"'
Memory = 256M
Environment = "Q=quote\"d"
EOF
)
	dropin 10-host.conf <<'EOF'
[Container]
Memory = 1G
EOF
	run --separate-stderr mdl show --json "$f"
	print_run
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -m json.tool >/dev/null
	run python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
k = {e["key"]: e for e in d["keys"]}
assert k["Memory"]["value"] == 1 << 30, k["Memory"]
assert k["Memory"]["text"] == "1G", k["Memory"]
assert k["Memory"]["origin"].endswith("web.container.d/10-host.conf:2")
assert k["Memory"]["line"] == 2
assert k["Command"]["line"] == 2
assert k["Command"]["value"] == ["sh", "-c", "echo \"a\tb\"; printf \"\x01\""], k["Command"]
assert k["Environment"]["value"] == ["Q=quote\"d"], k["Environment"]
assert k["Tty"]["origin"] == "default"
assert k["Tty"]["value"] is False
assert k["NoNewPrivileges"]["value"] is True
assert k["CPUShares"]["value"] is None
assert k["StopTimeout"]["value"] == 10
assert k["Namespaces"]["value"] == ["uts", "pid", "mount", "net", "ipc", "cgroup"], k["Namespaces"]
assert "CLONE_NEWUTS" in d["plan_text"]
w = {p["file"].rsplit("/", 1)[1]: p["value"] for p in d["plan"]}
assert w.get("memory.limit_in_bytes", w.get("memory.max")) == str(1 << 30), d["plan"]
print("ok")' <<<"$output"
	print_run
	[ "$output" = ok ]
}

@test "show --effective and --json: every line of a repeatable key, each with its origin" {
	local f d=$BATS_TEST_TMPDIR
	command -v python3 >/dev/null || skip "python3 is not installed"
	mkdir -p "$d/a" "$d/b" "$d/c" "$d/gone"
	f=$(write_container web <<EOF
[Container]
Command = true
Volume = $d/gone:/srv
Volume = $d/a:/srv:ro
Volume = $d/b:/opt
Mask = /etc/shadow
Mask = /etc/gshadow
Environment = A=1 B=2
AddDevice = /dev/null:/dev/null0
EOF
)
	# a drop-in resets Volume= and adds one; Mask= adds one line to the file's two
	dropin 10-more.conf <<EOF
[Container]
Volume =
Volume = $d/a:/srv:ro
Volume = $d/b:/opt
Mask = /etc/hostname
EOF
	run --separate-stderr mdl show --effective -e C=3 --volume "$d/c:/media" --device /dev/zero \
		--cap-add KILL --cap-add NET_ADMIN "$f"
	print_run
	[ "$status" -eq 0 ]
	local dropin=$d/web.container.d/10-more.conf
	# each value of the effective list on its own line, oldest first, with where it came from
	[ "$(grep -cE '^Volume +=' <<<"$output")" -eq 3 ]
	grep -qE "^Volume += $d/a:/srv:ro +$dropin:3\$" <<<"$output"
	grep -qE "^Volume += $d/b:/opt +$dropin:4\$" <<<"$output"
	grep -qE "^Volume += $d/c:/media +--volume\$" <<<"$output"
	! grep -q "$d/gone" <<<"$output"
	[ "$(grep -E '^Mask +=' <<<"$output" | awk '{print $3 " " $4}')" = "/etc/shadow $f:6
/etc/gshadow $f:7
/etc/hostname $dropin:5" ]
	grep -qE "^Environment += A=1 B=2 +$f:8\$" <<<"$output"
	grep -qE '^Environment += C=3 +--env$' <<<"$output"
	grep -qE "^AddDevice += /dev/null:/dev/null0 +$f:9\$" <<<"$output"
	grep -qE '^AddDevice += /dev/zero +--device$' <<<"$output"
	grep -qE '^AddCapabilities += KILL +--cap-add$' <<<"$output"
	grep -qE '^AddCapabilities += NET_ADMIN +--cap-add$' <<<"$output"
	# a key set once keeps its one line
	[ "$(grep -cE '^Command +=' <<<"$output")" -eq 1 ]

	run --separate-stderr mdl show --json -e C=3 --volume "$d/c:/media" "$f"
	print_run
	[ "$status" -eq 0 ]
	run python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
k = {e["key"]: e for e in d["keys"]}
v = k["Volume"]
assert len(v["value"]) == 3, v
assert [a["text"] for a in v["assignments"]] == [
	sys.argv[1] + "/a:/srv:ro", sys.argv[1] + "/b:/opt", sys.argv[1] + "/c:/media"], v
assert [a.get("line") for a in v["assignments"]] == [3, 4, None], v
assert v["assignments"][0]["file"].endswith("web.container.d/10-more.conf"), v
assert v["assignments"][2]["origin"] == "--volume", v
assert v["origin"] == "--volume" and v["text"] == sys.argv[1] + "/c:/media", v
m = k["Mask"]
assert [(a["text"], a["line"]) for a in m["assignments"]] == [
	("/etc/shadow", 6), ("/etc/gshadow", 7), ("/etc/hostname", 5)], m
e = k["Environment"]
assert [a["origin"].rsplit("/", 1)[-1] for a in e["assignments"]] == ["web.container:8", "--env"], e
assert e["value"] == ["A=1", "B=2", "C=3"], e
assert k["DNS"]["assignments"] == [] and k["DNS"]["origin"] == "default", k["DNS"]
assert "assignments" not in k["Memory"], k["Memory"]
print("ok")' "$d" <<<"$output"
	print_run
	[ "$output" = ok ]
}

@test "show --effective: init and stop_timeout in mdlaunch.conf are the defaults of Init= and StopTimeout=" {
	local f conf=$BATS_TEST_TMPDIR/g.conf
	printf 'init = true;\nstop_timeout = 3;\n' >"$conf"
	f=$(write_container globaldefaults <<'EOF2'
[Container]
Command = true
StopTimeout = 5
EOF2
)
	run --separate-stderr mdl --config "$conf" show --effective "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Init                 = yes"*"$conf:1"* ]]
	[[ "$output" == *"StopTimeout          = 5"*"globaldefaults.container:3"* ]]
}
