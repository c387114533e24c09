#!/usr/bin/env bats
# The container's own file system: Rootfs= (bind and :O overlay), Volume=,
# Tmpfs=, ReadOnly=, ReadOnlyTmpfs=, the non-dumpable init, the run options,
# every bad input, and nothing left behind (no mount in the launcher's
# namespace or the host's, no per-run directory) after every exit path.
#
# The launcher runs inside `unshare -m` (mdl_ns), as a test must for mounts;
# the launcher itself mounts nothing in its own namespace, which each test
# checks from inside that namespace too (ns_mounts_clean).

load helpers

ROOTFS=${ROOTFS:-$TOP/build/rootfs}

setup()
{
	mdl_setup
	[ -x "$ROOTFS/bin/busybox" ] || skip "no busybox tree in $ROOTFS (make rootfs)"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	# The launcher in a mount namespace of the test's own.
	NS_WRAP=$BATS_TEST_TMPDIR/in-ns
	cat >"$NS_WRAP" <<-EOF
		#!/bin/sh
		# Runs mdlaunch in a private mount namespace (its pid in launcher.pid), then
		# prints that namespace's new mounts below /run/mdlaunch or of type overlay
		# (there must be none; the v2 guest's own root is an overlay already).
		grep -e ' /run/mdlaunch/' -e ' - overlay ' /proc/self/mountinfo >"$BATS_TEST_TMPDIR/ns-before"
		"$MDLAUNCH" "\$@" <&0 &
		echo \$! >"$BATS_TEST_TMPDIR/launcher.pid"
		wait \$!
		rc=\$?
		grep -e ' /run/mdlaunch/' -e ' - overlay ' /proc/self/mountinfo |
			grep -vxF -f "$BATS_TEST_TMPDIR/ns-before" >"$BATS_TEST_TMPDIR/ns-mounts"
		exit \$rc
	EOF
	chmod +x "$NS_WRAP"
}

teardown()
{
	# a tree a test made outside its own directory
	[ -z "${OUTSIDE_ROOT:-}" ] || rm -rf --one-file-system "$OUTSIDE_ROOT"
	mdl_teardown
}

# mdl_ns ARGS...: mdl, with the launcher in a private mount namespace.
mdl_ns()
{
	local wrap=$BATS_TEST_TMPDIR/unshare-wrap

	printf '#!/bin/sh\nexec unshare -m --propagation private -- %q "$@"\n' "$NS_WRAP" >"$wrap"
	chmod +x "$wrap"
	MDLAUNCH=$wrap mdl "$@"
}

# in_dir DIR COMMAND...: COMMAND run from DIR (inside `run`, a subshell: the test stays put).
in_dir()
{
	cd "$1" && shift && "$@"
}

# The launcher's own namespace got no overlay and no mount below /run/mdlaunch.
ns_mounts_clean()
{
	[ -e "$BATS_TEST_TMPDIR/ns-mounts" ] || return 0
	cat "$BATS_TEST_TMPDIR/ns-mounts"
	[ ! -s "$BATS_TEST_TMPDIR/ns-mounts" ]
}

# A private copy of the busybox tree (for tests that write into Rootfs=).
copy_rootfs()
{
	cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/root"
	printf '%s\n' "$BATS_TEST_TMPDIR/root"
}

# Names, types, sizes, modes, owners and link targets of a tree, sorted.
tree_listing()
{
	(cd "$1" && find . -printf '%p %y %s %m %u %g %l\n' | LC_ALL=C sort)
}

@test "rootfs: the container sees the tree's marker and not the host's files; /proc/1/root is the new root" {
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS" -- sh -c \
		'cat /etc/mdlaunch-rootfs; test -e /etc/debian_version && echo host-visible;
		 readlink /proc/1/root; cat /proc/1/root/etc/mdlaunch-rootfs; pwd'
	print_run
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "busybox root file system"* ]]
	[[ "$output" != *host-visible* ]]
	[ "${lines[1]}" = / ]
	[[ "${lines[2]}" == "busybox root file system"* ]]
	# WorkingDirectory= defaults to / with Rootfs=
	[ "${lines[3]}" = / ]
	ns_mounts_clean
}

@test "rootfs: no directory of the host's root is left inside (pivot_root, old root detached)" {
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS" -- sh -c \
		'grep -c . /proc/self/mountinfo; cut -d" " -f5 /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	# every mount point is inside the new root; nothing like /.oldroot or /work
	# (the kernel's file systems: /proc, /sys, their masks, /sys/fs/cgroup, /dev;
	# the generated /etc files)
	! printf '%s\n' "${lines[@]:1}" |
		grep -vE '^/(proc(/[a-z_-]+)?|sys(/[a-z_/,-]+)?|dev|dev/[a-z]+|etc/(resolv\.conf|hosts|hostname))?$' || false
	[ ! -e "$ROOTFS/.oldroot" ]
}

@test "rootfs: :O leaves DIR byte-for-byte unchanged and removes its upper layer" {
	local before after
	before=$(tree_listing "$ROOTFS")
	run --separate-stderr mdl_ns run --name ovl --rootfs "$ROOTFS:O" -- sh -c \
		'echo new >/etc/new && rm /bin/ls && chmod 700 /etc && echo x >>/etc/passwd &&
		 mkdir /newdir && cat /etc/new && { ls /run/mdlaunch 2>&1; true; }'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = new ]
	after=$(tree_listing "$ROOTFS")
	[ "$before" = "$after" ]
	! grep -q '^x$' "$ROOTFS/etc/passwd" || false
	# the container never saw /run/mdlaunch; its layers were never on the host
	[[ "${lines[1]}" == *"No such file"* ]]
	[ -z "$(run_dirs_left)" ]
	ns_mounts_clean
}

@test "rootfs: two concurrent :O containers share DIR but not their writes" {
	mdl_ns run --name one --rootfs "$ROOTFS:O" -- sh -c 'echo one >/mine; sleep 1; cat /mine' \
		>"$BATS_TEST_TMPDIR/one.out" 2>&1 &
	track_pid $!
	run --separate-stderr mdl_ns run --name two --rootfs "$ROOTFS:O" -- sh -c \
		'sleep 0.3; cat /mine 2>&1; echo two >/mine; cat /mine'
	print_run
	wait
	cat "$BATS_TEST_TMPDIR/one.out"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"No such file"* ]]
	[ "${lines[1]}" = two ]
	[ "$(cat "$BATS_TEST_TMPDIR/one.out")" = one ]
}

@test "rootfs: a writable Rootfs= takes writes and gets missing mount points created" {
	local root
	root=$(copy_rootfs)
	run --separate-stderr mdl_ns run --rootfs "$root" -v "$BATS_TEST_TMPDIR:/new/dir" -- sh -c \
		'echo written >/etc/written; ls -d /new/dir'
	print_run
	[ "$status" -eq 0 ]
	[ "$(cat "$root/etc/written")" = written ]
	[ -d "$root/new/dir" ]
	ns_mounts_clean
}

@test "etc: Rootfs= gets generated resolv.conf, hosts, hostname with DNS= and AddHost=; nothing on the host" {
	local before after
	before=$(tree_listing "$ROOTFS")
	run --separate-stderr mdl_ns run --name etcfiles --hostname box --rootfs "$ROOTFS:O" \
		--dns 192.0.2.53 --dns 2001:db8::53 --add-host db:10.1.2.3 --add-host 'v6:[fd00::5]' -- sh -c \
		'cat /etc/resolv.conf; echo --; cat /etc/hosts; echo --; cat /etc/hostname; echo --; grep -c " /etc/" /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	# DNS= keeps the host's search, domain and options lines (none on some hosts)
	output=$(printf '%s\n' "$output" | grep -vE '^(search|domain|options)( |$)')
	[ "$output" = "# generated by mdlaunch
nameserver 192.0.2.53
nameserver 2001:db8::53
--
# generated by mdlaunch
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
10.1.2.3	db
fd00::5	v6
127.0.1.1	box etcfiles
--
box
--
3" ]
	# the overlay took the mount points: DIR is unchanged, nothing was written on the host
	after=$(tree_listing "$ROOTFS")
	[ "$before" = "$after" ]
	[ -z "$(run_dirs_left)" ]
	ns_mounts_clean
}

@test "etc: a writable Rootfs= gets the files as mount points; a .container's DNS=/AddHost= are used" {
	local root f
	root=$(copy_rootfs)
	rm -f "$root/etc/resolv.conf" "$root/etc/hosts" "$root/etc/hostname"
	f=$(write_container etcw <<-EOF
		[Container]
		Command = sh -c 'grep nameserver /etc/resolv.conf; grep db /etc/hosts; cat /etc/hostname'
		Rootfs = $root
		DNS = 192.0.2.1
		AddHost = db:10.9.9.9
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nameserver 192.0.2.1" ]
	[ "${lines[1]}" = "10.9.9.9	db" ]
	[ "${lines[2]}" = etcw ]
	# empty mount points in DIR, as for Volume= targets; the contents stayed in the namespace
	[ -f "$root/etc/resolv.conf" ] && [ ! -s "$root/etc/resolv.conf" ]
	[ -f "$root/etc/hosts" ] && [ ! -s "$root/etc/hosts" ]
	[ -z "$(run_dirs_left)" ]
	ns_mounts_clean
}

@test "etc: a read-only Rootfs= without /etc/resolv.conf still starts (one debug line per skipped file)" {
	local root wrap
	root=$(copy_rootfs)
	rm -f "$root/etc/resolv.conf" "$root/etc/hosts" "$root/etc/hostname"
	# ReadOnly=true: DIR is not written to
	run --separate-stderr mdl_ns -vv run --read-only --rootfs "$root" -- sh -c \
		'ls /etc/resolv.conf 2>&1; echo started'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = started ]
	[[ "${lines[0]}" == *"No such file"* ]]
	[ "$(printf '%s\n' "$stderr" | grep -c "debug: .*has no /etc/.*cannot be created: not generated")" -eq 3 ]
	[ ! -e "$root/etc/resolv.conf" ]
	# a root on a read-only mount
	wrap=$BATS_TEST_TMPDIR/ro-wrap
	printf '#!/bin/sh\nexec unshare -m --propagation private -- sh -c %q sh %q %q "$@"\n' \
		'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		"$root" "$NS_WRAP" >"$wrap"
	chmod +x "$wrap"
	MDLAUNCH=$wrap run --separate-stderr mdl -vv run --rootfs "$root" -- sh -c \
		'cat /etc/hosts 2>&1; echo started'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = started ]
	[[ "${lines[0]}" == *"No such file"* ]]
	[[ "$stderr" == *"has no /etc/hosts and it cannot be created: not generated"* ]]
	# a dangling symlink or a directory is skipped too; an existing file is bound over
	ln -s /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
	mkdir "$root/etc/hostname"
	echo "old" >"$root/etc/hosts"
	run --separate-stderr mdl_ns -vv run --rootfs "$root" -- sh -c 'cat /etc/hosts; echo started'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# generated by mdlaunch" ]
	[ "${lines[-1]}" = started ]
	[[ "$stderr" == *"has a dangling symlink /etc/resolv.conf: not generated"* ]]
	[[ "$stderr" == *"has a non-file /etc/hostname: not generated"* ]]
	[ "$(cat "$root/etc/hosts")" = old ]
	[ -z "$(run_dirs_left)" ]
	ns_mounts_clean
}

@test "etc: with UserNS=auto an :O root gets the files through its upper layer; a DIR root skips them" {
	local root before
	# where the user namespace's root can reach the lower layer (not below the 0700 test dir)
	root=$(mktemp -d /tmp/mdl-etc-userns-XXXXXX)
	OUTSIDE_ROOT=$root
	chmod 0755 "$root"
	cp -a "$ROOTFS/." "$root/"
	rm -f "$root/etc/resolv.conf" "$root/etc/hosts" "$root/etc/hostname"
	before=$(tree_listing "$root")
	run --separate-stderr mdl_ns run --name nsetc --userns auto --rootfs "$root:O" --add-host db:10.1.1.1 -- \
		sh -c 'id -u; cat /etc/hostname; grep db /etc/hosts; grep -c nameserver /etc/resolv.conf'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = nsetc ]
	[ "${lines[2]}" = "10.1.1.1	db" ]
	[ "${lines[3]}" -ge 1 ]
	[ "$before" = "$(tree_listing "$root")" ]
	run --separate-stderr mdl_ns -vv run --userns auto --rootfs "$root" -- sh -c 'cat /etc/hostname 2>&1; echo started'
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = started ]
	[[ "$stderr" == *"has no /etc/hostname and it cannot be created: not generated"* ]]
	[ "$before" = "$(tree_listing "$root")" ]
	[ -z "$(run_dirs_left)" ]
	ns_mounts_clean
}

@test "volume: rw and ro volumes, a '.'-relative HOST-DIR, an anonymous volume" {
	local f
	mkdir -p "$BATS_TEST_TMPDIR/rw" "$BATS_TEST_TMPDIR/ro" "$BATS_TEST_TMPDIR/rel"
	echo ro-content >"$BATS_TEST_TMPDIR/ro/file"
	echo rel-content >"$BATS_TEST_TMPDIR/rel/file"
	f=$(write_container vol <<-EOF
		[Container]
		Command = sh -c 'echo from-container >/rw/out; cat /ro/file; echo x >/ro/new 2>&1 || echo ro-refused; cat /rel/file; ls -A /anon | wc -l; touch /anon/x && echo anon-ok'
		Rootfs = $ROOTFS:O
		Volume = $BATS_TEST_TMPDIR/rw:/rw
		Volume = $BATS_TEST_TMPDIR/ro:/ro:ro
		Volume = ./rel:/rel:ro
		Volume = /anon
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/rw/out")" = from-container ]
	[ "${lines[0]}" = ro-content ]
	[ "${lines[1]}" = ro-refused ]
	[ ! -e "$BATS_TEST_TMPDIR/ro/new" ]
	[ "${lines[2]}" = rel-content ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = anon-ok ]
	ns_mounts_clean
}

@test "volume: in the host's view, volumes and ReadOnly= apply inside the container only" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo host-side >"$BATS_TEST_TMPDIR/src/f"
	run --separate-stderr mdl_ns run -w / --read-only -v "$BATS_TEST_TMPDIR/src:/mnt:ro" -- sh -c \
		"cat /mnt/f; touch /etc/mdl-ro-test 2>&1; touch /tmp/$MDL_TEST_TOKEN && echo tmp-ok; touch /mnt/x 2>&1"
	print_run
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = host-side ]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[ "${lines[2]}" = tmp-ok ]
	[[ "${lines[3]}" == *"Read-only file system"* ]]
	[ ! -e /etc/mdl-ro-test ]
	# the host's /mnt and /tmp are untouched
	[ ! -e /mnt/f ]
	[ ! -e "/tmp/$MDL_TEST_TOKEN" ]
}

@test "tmpfs: a fresh tmpfs with podman's defaults and given options, gone after the run" {
	local root
	root=$(copy_rootfs)
	run --separate-stderr mdl_ns run --rootfs "$root" --tmpfs /scratch --tmpfs /big:size=2m,mode=0700,exec \
		-- sh -c 'echo data >/scratch/f; grep -E " /(scratch|big) " /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *" /scratch rw,nosuid,nodev,noexec"*"size=65536k"* ]]
	[[ "$output" == *" /big rw,nosuid,nodev,relatime"*"size=2048k,mode=700"* ]]
	# the mount points were made in the writable root; nothing was written there
	[ -d "$root/scratch" ]
	[ -z "$(ls -A "$root/scratch")" ]
	ns_mounts_clean
}

@test "read-only: ReadOnly=true refuses writes except rw volumes and tmpfs; ReadOnlyTmpfs=false" {
	local f
	mkdir -p "$BATS_TEST_TMPDIR/rw"
	f=$(write_container ro <<-EOF
		[Container]
		Command = sh -c 'for p in /etc/x /bin/x /root/x /tmp/x /var/tmp/x /run/x /rw/x /scratch/x; do touch \$p 2>/dev/null && echo "ok \$p" || echo "refused \$p"; done'
		Rootfs = $ROOTFS:O
		ReadOnly = true
		Volume = $BATS_TEST_TMPDIR/rw:/rw
		Tmpfs = /scratch
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "refused /etc/x refused /bin/x refused /root/x ok /tmp/x ok /var/tmp/x ok /run/x ok /rw/x ok /scratch/x" ]
	echo "ReadOnlyTmpfs = false" >>"$f"
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "refused /etc/x refused /bin/x refused /root/x refused /tmp/x refused /var/tmp/x refused /run/x ok /rw/x ok /scratch/x" ]
	ns_mounts_clean
}

@test "read-only: every submount is read-only too (recursive)" {
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS" --read-only -- sh -c \
		'awk "\$5 !~ \"^/(proc|tmp|var/tmp|run|dev)\" { print \$5, \$6 }" /proc/self/mountinfo'
	print_run
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	! printf '%s\n' "${lines[@]}" | grep -v ' ro,' || false
}

@test "read-only: a working directory below /tmp, /var/tmp or /run is made in its fresh tmpfs" {
	local f wd=/var/tmp/$MDL_TEST_TOKEN/a/b
	# the default working directory, the caller's, below /tmp (as a checkout in /tmp is)
	mkdir -p "/tmp/$MDL_TEST_TOKEN/checkout"
	echo host >"/tmp/$MDL_TEST_TOKEN/checkout/file"
	run --separate-stderr in_dir "/tmp/$MDL_TEST_TOKEN/checkout" \
		mdl_ns run --read-only -- sh -c 'pwd; ls -A | wc -l; touch new && echo writable'
	print_run
	[ "$status" -eq 0 ]
	# podman's workdir: made (empty: the fresh /tmp hides the host's), not a failed chdir
	[ "${lines[*]}" = "/tmp/$MDL_TEST_TOKEN/checkout 0 writable" ]
	[ "$(ls -A "/tmp/$MDL_TEST_TOKEN/checkout")" = file ]
	rm -r "/tmp/${MDL_TEST_TOKEN:?}"
	# WorkingDirectory= in a file, below /var/tmp; and -w below /run
	f=$(write_container rowd <<-EOF
		[Container]
		Command = pwd
		ReadOnly = true
		WorkingDirectory = $wd
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "$wd" ]
	[ ! -e "/var/tmp/$MDL_TEST_TOKEN" ]
	run --separate-stderr mdl_ns run --read-only -w "/run/$MDL_TEST_TOKEN" -- pwd
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = "/run/$MDL_TEST_TOKEN" ]
	[ ! -e "/run/$MDL_TEST_TOKEN" ]
	# check --host agrees with the run: nothing to create on the host
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 0 ]
	# in a Rootfs= too, and the plan shows the mkdir
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS" --read-only -w /tmp/w -- pwd
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = /tmp/w ]
	run --separate-stderr "$MDLAUNCH" show --read-only -w /tmp/w -- true
	print_run
	[[ "$output" == *"mkdir '/tmp/w' (mode 0755)"* ]]
	# without the tmpfs the host's /tmp is read-only: the directory must exist there
	echo "ReadOnlyTmpfs = false" >>"$f"
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cannot change to the working directory '$wd'"* ]]
	run --separate-stderr "$MDLAUNCH" check --host "$f"
	print_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"rowd.container:4: WorkingDirectory: '$wd': No such file or directory"* ]]
	ns_mounts_clean
}

@test "read-only: a working directory made in a fresh tmpfs is User='s, an existing one is left alone" {
	local f
	f=$(write_container rouser <<-EOF
		[Container]
		Command = sh -c 'touch x && echo touched; stat -c %U .; stat -c %U /tmp/work; stat -c %U /tmp'
		ReadOnly = true
		User = nobody
		WorkingDirectory = /tmp/work/sub
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	# the parent the op made too; /tmp itself is the tmpfs's (root's), not made by the plan
	[ "${lines[*]}" = "touched nobody nobody root" ]
	run --separate-stderr "$MDLAUNCH" show "$f"
	print_run
	[[ "$output" == *"mkdir '/tmp/work/sub' (mode 0755, owner $(id -u nobody):$(id -g nobody))"* ]]
	# root's stays root's, and the plan says no owner
	run --separate-stderr mdl_ns run --read-only -w /tmp/work -- stat -c %U .
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = root ]
	run --separate-stderr "$MDLAUNCH" show --read-only -w /tmp/work -- true
	[[ "$output" == *"mkdir '/tmp/work' (mode 0755)"* ]]
	ns_mounts_clean
}

@test "init: with Init=true, /proc/1/exe, /proc/1/root and /proc/1/fd are out of reach" {
	local f
	f=$(write_container initexe <<-EOF
		[Container]
		Command = sh -c 'cat /proc/1/exe >/dev/null 2>&1 && echo exe-open; ls /proc/1/root/ >/dev/null 2>&1 && echo root-open; readlink /proc/1/fd/0 >/dev/null 2>&1 && echo fd-open; echo done'
		Rootfs = $ROOTFS:O
		Init = true
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	# and in the host's view too
	sed -i "s|^Rootfs = .*||" "$f"
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = done ]
}

@test "rootfs: the command is looked up inside the new root; 127 names the command and the root" {
	run -127 --separate-stderr mdl_ns run --rootfs "$ROOTFS:O" -- python3 -c 'print(1)'
	print_run
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"'python3' not found"*"in the root '$ROOTFS'"* ]]
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS" -- ls /etc/mdlaunch-rootfs
	[ "$status" -eq 0 ]
}

@test "rootfs: WorkingDirectory= is inside the new root" {
	local f
	f=$(write_container wd <<-EOF
		[Container]
		Command = pwd
		Rootfs = $ROOTFS
		WorkingDirectory = /etc
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
}

@test "bad input: each is a 125 at file:line naming the key and the value" {
	local f
	mkdir -p "$BATS_TEST_TMPDIR/plain"
	: >"$BATS_TEST_TMPDIR/afile"
	check_bad()
	{
		f=$(write_container bad <<<"[Container]
Command = true
$1")
		run --separate-stderr mdl_ns "$f"
		print_run
		[ "$status" -eq 125 ]
		[[ "$stderr" == *"bad.container:3: $2"* ]]
		[ -z "$output" ]
	}
	check_bad "Rootfs = /nonexistent-root" "Rootfs: cannot use '/nonexistent-root': No such file"
	check_bad "Rootfs = $BATS_TEST_TMPDIR/afile" "Rootfs: '$BATS_TEST_TMPDIR/afile' is not a directory"
	check_bad "Rootfs = $ROOTFS:X" "Rootfs: unknown option 'X' in '$ROOTFS:X'"
	check_bad "Volume = /nonexistent-src:/data" "Volume: cannot use the host path '/nonexistent-src'"
	check_bad "Volume = $BATS_TEST_TMPDIR/plain:data:ro" "Volume: the container path 'data' in '$BATS_TEST_TMPDIR/plain:data:ro' is not absolute"
	check_bad "Volume = data" "Volume: the container path 'data' in 'data' is not absolute"
	check_bad "Volume = $BATS_TEST_TMPDIR/plain:/mnt:rx" "Volume: unknown option 'rx' in '$BATS_TEST_TMPDIR/plain:/mnt:rx'"
	check_bad "Volume = $BATS_TEST_TMPDIR/plain:/proc/x" "Volume: cannot mount over '/proc/x'"
	check_bad "Volume = $BATS_TEST_TMPDIR/plain:/dev" "Volume: cannot mount over '/dev'"
	check_bad "Volume = plain:/mnt" "Volume: 'plain' is neither an absolute path nor relative"
	check_bad "Tmpfs = /mnt:size=lots" "Tmpfs: invalid value in 'size=lots' of '/mnt:size=lots'"
	check_bad "Tmpfs = /mnt:bogus" "Tmpfs: unknown option 'bogus' in '/mnt:bogus'"
	check_bad "ReadOnly = maybe" "ReadOnly: invalid boolean 'maybe'"
	check_bad "Volume = $BATS_TEST_TMPDIR/plain:/no/such/dir" "Volume: the mount point '/no/such/dir' does not exist (without Rootfs="
	# two mounts on one directory: the second line is named, with the first
	f=$(write_container bad <<-EOF
		[Container]
		Command = true
		Rootfs = $ROOTFS:O
		Volume = $BATS_TEST_TMPDIR/plain:/data
		Tmpfs = /data/
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"bad.container:5: Tmpfs: '/data' is already a mount point (Volume= at $f:4)"* ]]
	# a missing mount point in a read-only Rootfs= (not :O)
	f=$(write_container bad <<-EOF
		[Container]
		Command = true
		Rootfs = $ROOTFS
		ReadOnly = true
		Volume = $BATS_TEST_TMPDIR/plain:/nothere
	EOF
	)
	run --separate-stderr mdl_ns "$f"
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"bad.container:5: Volume: the mount point '/nothere' does not exist in the read-only root '$ROOTFS'"* ]]
	[ ! -e "$ROOTFS/nothere" ]
	# run options are judged the same way
	run --separate-stderr mdl_ns run --rootfs /nonexistent-root -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"Rootfs: cannot use '/nonexistent-root'"* ]]
	run --separate-stderr mdl_ns run -v relative:/x -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--volume: 'relative' is neither"* ]]
}

# wait_ready: until the container of the background launcher wrote $BATS_TEST_TMPDIR/m/ready;
# sets lpid to the launcher's pid.
wait_ready()
{
	local i
	for i in $(seq 200); do
		[ -e "$BATS_TEST_TMPDIR/m/ready" ] && [ -s "$BATS_TEST_TMPDIR/launcher.pid" ] && break
		sleep 0.05
	done
	[ -e "$BATS_TEST_TMPDIR/m/ready" ]
	lpid=$(cat "$BATS_TEST_TMPDIR/launcher.pid")
	# the run's layers are in the container's namespace only, never on the host
	[ -z "$(run_dirs_left)" ]
}

@test "cleanup: exit 3, SIGTERM, SIGKILL of the container or of the launcher, a failing mount: nothing left" {
	local pid child lpid
	mkdir -p "$BATS_TEST_TMPDIR/m"
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS:O" -v /anon -- sh -c 'echo x >/f; exit 3'
	[ "$status" -eq 3 ]
	ns_mounts_clean
	[ -z "$(run_dirs_left)" ]

	# SIGTERM to the launcher, forwarded to a container with a handler
	mdl_ns run --rootfs "$ROOTFS:O" -v "$BATS_TEST_TMPDIR/m:/m" -- sh -c \
		'trap "exit 143" TERM; echo x >/f; touch /m/ready; while :; do sleep 0.1; done' &
	pid=$!
	track_pid $pid
	wait_ready
	kill -TERM "$lpid"
	wait_for_exit $pid 10
	[ "$exit_status" -eq 143 ]
	ns_mounts_clean
	rm -f "$BATS_TEST_TMPDIR/m/ready" "$BATS_TEST_TMPDIR/launcher.pid"

	# SIGKILL of the container's init
	mdl_ns run --rootfs "$ROOTFS:O" -v "$BATS_TEST_TMPDIR/m:/m" -- sh -c 'echo x >/f; touch /m/ready; sleep 30' &
	pid=$!
	track_pid $pid
	wait_ready
	child=$(child_of "$lpid")
	[ -n "$child" ]
	kill -KILL "$child"
	wait_for_exit $pid 10
	[ "$exit_status" -eq 137 ]
	ns_mounts_clean
	rm -f "$BATS_TEST_TMPDIR/m/ready" "$BATS_TEST_TMPDIR/launcher.pid"

	# SIGKILL of the launcher: init dies with it (parent-death signal), the layers with
	# the namespace; nothing is left for anyone to sweep
	mdl_ns run --rootfs "$ROOTFS:O" -v "$BATS_TEST_TMPDIR/m:/m" -v /anon -- sh -c 'echo x >/f; touch /m/ready; sleep 30' &
	pid=$!
	track_pid $pid
	wait_ready
	child=$(child_of "$lpid")
	kill -KILL "$lpid"
	wait_for_exit $pid 10
	for i in $(seq 50); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$child" 2>/dev/null || false
	ns_mounts_clean
	[ -z "$(run_dirs_left)" ]

	# a mount that fails part-way (the kernel refuses this uid) after the overlay is up
	run --separate-stderr mdl_ns run --rootfs "$ROOTFS:O" -v /anon --tmpfs /t:uid=9999999999 -- true
	print_run
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cannot mount tmpfs on"*"/t'"* ]]
	ns_mounts_clean
	[ -z "$(run_dirs_left)" ]
}

@test "show: prints the mount plan in order: new root, read-only, volumes, pivot_root, /proc" {
	local f
	f=$(write_container plan <<-EOF
		[Container]
		Command = sh
		Rootfs = $ROOTFS:O
		ReadOnly = true
		Volume = /srv:/data:ro
	EOF
	)
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	local order
	order=$(printf '%s\n' "$output" | grep -E "^  (mount overlay|remount '[^']*merged' |bind '/srv'|pivot_root|mount proc)" |
		awk '{ print $1 }' | tr '\n' ' ')
	[ "$order" = "mount remount bind pivot_root mount " ]
}
