#!/usr/bin/env bats
# Least privilege, read from inside the container: the capability sets in
# /proc/self/status, operations that need a dropped capability failing while
# init's own privileged setup still happened, no_new_privs, User=, the pids
# controller containing a fork bomb, and Limit*= rlimits.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# The docker/podman default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
# SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
DEFAULT_CAPS=00000000a80425fb

# A command printing the capability sets and NoNewPrivs of the container's process.
status_probe='grep -E "^(Cap(Bnd|Eff|Prm|Inh|Amb)|NoNewPrivs):" /proc/self/status'

# cap SET: the value of "SET:" in $output.
cap()
{
	printf '%s\n' "$output" | awk -v k="$1:" '$1 == k {print $2}'
}

@test "security: the default capability set is docker's, in every set" {
	local f
	f=$(write_container defcaps <<EOF
[Container]
Command = sh -c '$status_probe'
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapBnd)" = $DEFAULT_CAPS ]
	[ "$(cap CapEff)" = $DEFAULT_CAPS ]
	[ "$(cap CapPrm)" = $DEFAULT_CAPS ]
	[ "$(cap CapInh)" = 0000000000000000 ]
	[ "$(cap CapAmb)" = 0000000000000000 ]
	[ "$(cap NoNewPrivs)" = 1 ]
}

@test "security: Capabilities=none leaves nothing; AddCapabilities=SYS_ADMIN adds one bit" {
	local f set
	f=$(write_container nocaps <<EOF
[Container]
Command = sh -c '$status_probe'
Capabilities = none
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	for set in CapBnd CapEff CapPrm CapInh CapAmb; do
		[ "$(cap $set)" = 0000000000000000 ]
	done

	f=$(write_container addcaps <<EOF
[Container]
Command = sh -c '$status_probe'
AddCapabilities = SYS_ADMIN
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	# CAP_SYS_ADMIN is bit 21
	[ "$(cap CapBnd)" = 00000000a82425fb ]
	[ "$(cap CapEff)" = 00000000a82425fb ]
	[ "$(cap CapPrm)" = 00000000a82425fb ]
}

@test "security: without SYS_ADMIN mount and hostname fail, init's /proc and hostname happened" {
	local f
	f=$(write_container nosysadmin <<'EOF'
[Container]
Command = sh -c 'mount -t tmpfs none /mnt 2>/dev/null; echo "mount $?"; hostname x 2>/dev/null; echo "sethostname $?"; echo "hostname $(hostname)"; echo "pid1 $(cat /proc/1/comm)"; echo "self $$"'
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field mount)" != 0 ]
	[ "$(field sethostname)" != 0 ]
	# the UTS namespace got the container's name from init before the drop
	[ "$(field hostname)" = nosysadmin ]
	# /proc is the container's own (init mounted it): the shell is PID 1 there
	[ "$(field self)" = 1 ]
	[ "$(field pid1)" = sh ]
	# and the same commands with SYS_ADMIN added succeed (the test can fail)
	f=$(write_container withsysadmin <<'EOF'
[Container]
Command = sh -c 'mount -t tmpfs none /mnt; echo "mount $?"; hostname x; echo "sethostname $?"'
AddCapabilities = CAP_SYS_ADMIN
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field mount)" = 0 ]
	[ "$(field sethostname)" = 0 ]
}

@test "security: NoNewPrivileges= defaults to on and can be turned off" {
	local f
	f=$(write_container nnp <<EOF
[Container]
Command = sh -c '$status_probe'
NoNewPrivileges = false
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap NoNewPrivs)" = 0 ]
}

@test "security: User=nobody and User=uid:gid, groups cleared, no capabilities left" {
	local f nobody_uid nobody_gid
	nobody_uid=$(id -u nobody) || skip "no user 'nobody' on this host"
	nobody_gid=$(id -g nobody)
	f=$(write_container nobody <<EOF
[Container]
Command = sh -c 'echo "uid \$(id -u)"; echo "gid \$(id -g)"; echo "groups \$(id -G)"; $status_probe'
User = nobody
WorkingDirectory = /
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field uid)" = "$nobody_uid" ]
	[ "$(field gid)" = "$nobody_gid" ]
	[ "$(field groups)" = "$nobody_gid" ]
	[ "$(cap CapEff)" = 0000000000000000 ]
	[ "$(cap CapPrm)" = 0000000000000000 ]
	[ "$(cap CapBnd)" = $DEFAULT_CAPS ]

	f=$(write_container numeric <<'EOF'
[Container]
Command = sh -c 'echo "uid $(id -u)"; echo "gid $(id -g)"; echo "groups $(id -G)"; echo "cwd $(pwd)"'
User = 4242:4343
SupplementaryGroups = 4444
WorkingDirectory = /
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field uid)" = 4242 ]
	[ "$(field gid)" = 4343 ]
	[ "$(field groups)" = "4343 4444" ]
	[ "$(field cwd)" = / ]
}

@test "security: AmbientCapabilities= gives a non-root user just those" {
	local f set
	f=$(write_container ambient <<EOF
[Container]
Command = sh -c '$status_probe'
User = 4242
AmbientCapabilities = NET_BIND_SERVICE
WorkingDirectory = /
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	# CAP_NET_BIND_SERVICE is bit 10
	for set in CapEff CapPrm CapAmb CapInh; do
		[ "$(cap $set)" = 0000000000000400 ]
	done
}

@test "security: unknown user, unknown capability, bad ambient set: errors with file:line" {
	local f
	f=$(write_container bad <<'EOF'
[Container]
Command = true
User = no-such-user-xyz
DropCapabilities = CAP_BOGUS
AmbientCapabilities = SYS_ADMIN
LimitNOFILE = 10:5
EOF
)
	run --separate-stderr "$MDLAUNCH" check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bad.container:4: DropCapabilities: unknown capability 'CAP_BOGUS'"* ]]
	[[ "$stderr" == *"bad.container:6: LimitNOFILE: soft limit above the hard limit"* ]]
	# the host checks (user database, ambient within the set) on a file without parse errors
	f=$(write_container bad2 <<'EOF'
[Container]
Command = true
User = no-such-user-xyz
AmbientCapabilities = SYS_ADMIN
EOF
)
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bad2.container:3: User: unknown user 'no-such-user-xyz'"* ]]
	[[ "$stderr" == *"bad2.container:4: AmbientCapabilities: 'cap_sys_admin' is not in"* ]]
	# plain check judges the file only: the user database is this host's
	run --separate-stderr "$MDLAUNCH" check "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" != *"User:"* ]]
	[[ "$stderr" == *"bad2.container:4: AmbientCapabilities: 'cap_sys_admin' is not in"* ]]
	# and run refuses before creating anything
	run --separate-stderr mdl "$f"
	[ "$status" -eq 125 ]
}

@test "security: a missing WorkingDirectory= is exit 125 with a clear message, nothing left" {
	local f
	f=$(write_container nodir <<'EOF'
[Container]
Command = true
WorkingDirectory = /no/such/dir
PidsLimit = 10
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cannot change to the working directory '/no/such/dir'"* ]]
}

@test "security: the working directory defaults to the launcher's" {
	local f
	f=$(write_container cwd <<'EOF'
[Container]
Command = pwd
EOF
)
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$BATS_TEST_TMPDIR" ]
}

@test "security: a fork bomb under PidsLimit=64 is contained and cleaned up" {
	local f pids_mnt
	require_v1 pids
	in_container_path perl || skip "perl is not installed"
	pids_mnt=$(cgroup_v1_mount pids)
	# Bounded twice: at most 500 forks, each child sleeps at most 30 s; when
	# PID 1 (perl) exits, the kernel kills every process of the PID namespace.
	f=$(write_container forkbomb <<EOF
[Container]
Command = perl -e 'my \$n = 0; my \$err = ""; for (1 .. 500) { my \$p = fork; if (!defined \$p) { \$err = "\$!"; last } if (\$p == 0) { sleep 30; exit 0 } \$n++ } open(my \$fh, "<", "/proc/self/cgroup"); my (\$cg) = grep { /:pids:/ } <\$fh>; chomp \$cg; \$cg =~ s/^[^:]*:[^:]*://; open(my \$m, "<", "$pids_mnt\$cg/pids.max"); my \$max = <\$m>; chomp \$max; print "forked \$n\nerror \$err\nmax \$max\n"'
PidsLimit = 64
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field max)" = 64 ]
	[ "$(field forked)" -lt 64 ]
	[ "$(field forked)" -gt 0 ]
	[ "$(field error)" = "Resource temporarily unavailable" ]
}

@test "security: LimitNOFILE= and LimitCORE= are what ulimit reports inside" {
	local f
	f=$(write_container nofile <<'EOF'
[Container]
Command = sh -c 'echo "soft $(ulimit -Sn)"; echo "hard $(ulimit -Hn)"; echo "core $(ulimit -c)"'
LimitNOFILE = 512:1024
LimitCORE = 0
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field soft)" = 512 ]
	[ "$(field hard)" = 1024 ]
	[ "$(field core)" = 0 ]
}

@test "security: show lists the final capability set by name" {
	local f
	f=$(write_container showcaps <<'EOF'
[Container]
Command = true
DropCapabilities = all
AddCapabilities = net_bind_service KILL
PidsLimit = max
EOF
)
	run --separate-stderr "$MDLAUNCH" show "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(field capabilities)" = "CAP_KILL CAP_NET_BIND_SERVICE" ]
	[ "$(field pids-limit | tr -d " ")" = max ]
	[[ "$output" == *"pids.max = max"* ]]
	# --effective and --json: the final set, its origin naming each change in order.
	run --separate-stderr "$MDLAUNCH" show --effective --cap-drop KILL "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"Capabilities         = cap_net_bind_service              default, then $f:3, $f:4, --cap-drop"$'\n'* ]]
	run --separate-stderr "$MDLAUNCH" show --json --cap-drop KILL "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *'{ "key": "Capabilities", "value": ["cap_net_bind_service"], "origin": "default, then '"$f:3, $f:4"', --cap-drop" }'* ]]
}

@test "security: run --cap-drop ALL --cap-add NET_BIND_SERVICE leaves exactly that one" {
	run --separate-stderr mdl run --cap-drop ALL --cap-add NET_BIND_SERVICE -- \
		sh -c 'grep Cap /proc/self/status'
	print_run
	[ "$status" -eq 0 ]
	# CAP_NET_BIND_SERVICE is bit 10
	[ "$(cap CapBnd)" = 0000000000000400 ]
	[ "$(cap CapEff)" = 0000000000000400 ]
	[ "$(cap CapPrm)" = 0000000000000400 ]
	[ "$(cap CapInh)" = 0000000000000000 ]
	[ "$(cap CapAmb)" = 0000000000000000 ]
	# any case, with or without CAP_, in either order
	run --separate-stderr mdl run --cap-add cap_net_bind_service --cap-drop all -- \
		sh -c 'grep Cap /proc/self/status'
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapBnd)" = 0000000000000400 ]
}

@test "security: run --cap-drop CHOWN takes chown out of the default set; repeated options add up" {
	run --separate-stderr mdl run --cap-drop CHOWN -- sh -c "$status_probe"
	print_run
	[ "$status" -eq 0 ]
	# the default set without bit 0
	[ "$(cap CapBnd)" = 00000000a80425fa ]
	[ "$(cap CapEff)" = 00000000a80425fa ]
	run --separate-stderr mdl run --cap-drop CHOWN --cap-drop kill -- \
		sh -c 'chown nobody /tmp 2>&1 || echo refused; grep CapBnd /proc/self/status'
	print_run
	[ "$status" -eq 0 ]
	# bits 0 and 5 gone
	[ "$(cap CapBnd)" = 00000000a80425da ]
	[[ "$output" == *refused* ]]
}

@test "security: --cap-add/--cap-drop override the file's AddCapabilities=/DropCapabilities=" {
	local f
	f=$(write_container capfile <<EOF
[Container]
Command = sh -c '$status_probe'
AddCapabilities = SYS_ADMIN
DropCapabilities = NET_RAW
EOF
)
	# the file alone: + SYS_ADMIN (bit 21), - NET_RAW (bit 13)
	run --separate-stderr mdl run "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapBnd)" = 00000000a82405fb ]
	# the options win for the capabilities they name, the file's other changes stay
	run --separate-stderr mdl run --cap-drop sys_admin --cap-add NET_RAW "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapBnd)" = $DEFAULT_CAPS ]
	run --separate-stderr mdl run --cap-drop ALL "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapBnd)" = 0000000000000000 ]
}

@test "security: a bad --cap-add/--cap-drop is one line and exit 125, nothing run" {
	local marker=$BATS_TEST_TMPDIR/ran
	run --separate-stderr mdl run --cap-drop BOGUS -- touch "$marker"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: --cap-drop: unknown capability 'BOGUS' (capability names such as NET_ADMIN or CAP_NET_ADMIN, or all, none)" ]
	[ ! -e "$marker" ]
	run --separate-stderr mdl run --cap-add ALL,KILL -- touch "$marker"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: --cap-add: 'all' and 'none' must stand alone in 'ALL,KILL'" ]
	run --separate-stderr mdl run --cap-add KILL --cap-drop cap_kill -- touch "$marker"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "mdlaunch: error: --cap-drop: 'cap_kill' is also given to --cap-add" ]
	run --separate-stderr mdl run --cap-add -- true
	print_run
	[ "$status" -eq 125 ]
	[ ! -e "$marker" ]
}

@test "security: --cap-add ALL gives what the launcher holds; what it lacks is named in one warning" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	local own want
	skip_if_unified "setpriv runs the launcher directly"
	# The launcher without CAP_SYS_TIME (bit 25) in its bounding set.
	own=$(setpriv --bounding-set -sys_time -- awk '/^CapBnd/ { print $2 }' /proc/self/status)
	run --separate-stderr setpriv --bounding-set -sys_time -- \
		"$MDLAUNCH" run --cap-add ALL -- sh -c 'grep Cap /proc/self/status'
	print_run
	[ "$status" -eq 0 ]
	[ "$(cap CapEff)" = "$own" ]
	[ "$(cap CapBnd)" = "$own" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "mdlaunch: warning: sh: left out of the container's capabilities, as mdlaunch itself does not hold them: "*CAP_SYS_TIME* ]]
	# The default set needs nothing the launcher lacks here: no warning.
	run --separate-stderr setpriv --bounding-set -sys_time -- "$MDLAUNCH" run -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}
