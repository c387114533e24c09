#!/usr/bin/env bats
# The trust check of the directories above a .container (sshd's StrictModes):
# root refuses a file another user could replace through its directory.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "trust: a directory writable by others is refused, unless sticky; one owned by another user too" {
	local d=$BATS_TEST_TMPDIR/shared
	[ "$(id -u)" -eq 0 ] || skip "the trust check applies to root"
	mkdir "$d"
	printf '[Container]\nCommand = true\n' >"$d/a.container"
	chmod 0777 "$d"
	run --separate-stderr mdl check "$d/a.container"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"refusing a file in '$d', a directory writable by others (mode 0777) and not sticky"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]

	chmod 1777 "$d"
	run --separate-stderr mdl check "$d/a.container"
	print_run
	[ "$status" -eq 0 ]

	chmod 0755 "$d"
	chown 65534 "$d"
	run --separate-stderr mdl check "$d/a.container"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"a directory owned by uid 65534, not root"* ]]
	chown 0 "$d"
}

@test "trust: strict_permissions = false in mdlaunch.conf turns the check off" {
	local d=$BATS_TEST_TMPDIR/open
	[ "$(id -u)" -eq 0 ] || skip "the trust check applies to root"
	mkdir "$d"
	chmod 0777 "$d"
	printf '[Container]\nCommand = true\n' >"$d/a.container"
	printf 'strict_permissions = false;\n' >"$BATS_TEST_TMPDIR/lax.conf"
	run --separate-stderr mdl --config "$BATS_TEST_TMPDIR/lax.conf" check "$d/a.container"
	print_run
	[ "$status" -eq 0 ]
}

@test "trust: mdlaunch.conf itself is checked, whatever it says (it could turn the check off)" {
	local d=$BATS_TEST_TMPDIR/conf
	[ "$(id -u)" -eq 0 ] || skip "the trust check applies to root"
	mkdir "$d"
	printf 'strict_permissions = false;\n' >"$d/lax.conf"
	chmod 0666 "$d/lax.conf"
	printf '[Container]\nCommand = true\n' >"$d/a.container"
	run --separate-stderr mdl --config "$d/lax.conf" check "$d/a.container"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "$d/lax.conf: refusing a file writable by others (mode 0666); chmod o-w it" ]
}
