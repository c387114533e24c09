#!/usr/bin/env bats
# The systemd generator from the command line: `mdlaunch generate` and the
# mdlaunch-generator name (argv[0]) as systemd runs it, over a search path of
# our own (MDLAUNCH_GENERATOR_PATH) instead of /etc/mdlaunch.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

@test "generate --dry-run: the unit of a file, its sections copied, ExecStart= this binary" {
	local f self
	f=$(write_container gen <<'EOF'
[Unit]
After=network-online.target
[Container]
Command = true
StopTimeout = 3
[Service]
Restart=on-failure
[Install]
WantedBy=multi-user.target
EOF
)
	self=$(readlink -f "$MDLAUNCH")
	run --separate-stderr mdl generate --dry-run "$f"
	print_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = "---gen.service---" ]
	grep -qxF "ExecStart=$self run $f" <<<"$output"
	grep -qxF "Type=notify" <<<"$output"
	grep -qxF "TimeoutStopSec=13" <<<"$output"
	grep -qxF "SyslogIdentifier=gen" <<<"$output"
	grep -qxF "After=network-online.target" <<<"$output"
	grep -qxF "Restart=on-failure" <<<"$output"
	grep -qxF -- "---multi-user.target.wants/gen.service -> ../gen.service---" <<<"$output"
}

@test "generate: the ExecStart= line it writes runs the container" {
	local f cmd
	f=$(write_container genrun <<'EOF'
[Container]
Command = sh -c 'exit 7'
EOF
)
	run --separate-stderr mdl generate --dry-run "$f"
	[ "$status" -eq 0 ]
	cmd=$(sed -n 's/^ExecStart=//p' <<<"$output")
	# shellcheck disable=SC2086 # the words of ExecStart= (no quoting needed here)
	run mdl ${cmd#* }
	print_run
	[ "$status" -eq 7 ]
}

@test "mdlaunch-generator: units and links in the output directory; a broken file gives none" {
	local gen=$BATS_TEST_TMPDIR/mdlaunch-generator out=$BATS_TEST_TMPDIR/out
	mkdir -p "$BATS_TEST_TMPDIR/etc" "$BATS_TEST_TMPDIR/lib" "$out"
	ln -s "$MDLAUNCH" "$gen"
	printf '[Container]\nCommand = true\n[Install]\nWantedBy=multi-user.target\n' \
		>"$BATS_TEST_TMPDIR/etc/one.container"
	printf '[Container]\nCommand = false\n' >"$BATS_TEST_TMPDIR/lib/one.container"
	printf '[Container]\nCommand = true\nMemory = lots\n' >"$BATS_TEST_TMPDIR/lib/broken.container"
	MDLAUNCH_GENERATOR_PATH=$BATS_TEST_TMPDIR/etc:$BATS_TEST_TMPDIR/lib \
		run --separate-stderr "$gen" "$out" "$out.early" "$out.late"
	print_run
	[ "$status" -eq 1 ]
	[ "$stderr" = "$BATS_TEST_TMPDIR/lib/broken.container:3: Memory: invalid size 'lots' (use e.g. 512M, 2G)" ]
	[ -f "$out/one.service" ]
	grep -qF "run $BATS_TEST_TMPDIR/etc/one.container" "$out/one.service"
	[ "$(readlink "$out/multi-user.target.wants/one.service")" = ../one.service ]
	[ ! -e "$out/broken.service" ]
	[ "$(ls -A "$out" | wc -l)" -eq 2 ]
}

@test "generate: usage errors are one line, exit 125" {
	run --separate-stderr mdl generate x.container
	print_run
	[ "$status" -eq 125 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "check: a FIFO named x.container is refused at once, not read forever" {
	mkfifo "$BATS_TEST_TMPDIR/x.container"
	run --separate-stderr timeout 10 "$MDLAUNCH" check "$BATS_TEST_TMPDIR/x.container"
	print_run
	[ "$status" -eq 1 ]
	[[ $stderr == *"not a regular file"* ]]
}

@test "make install: the generator link, bash completion and vim files where Debian looks" {
	local root=$BATS_TEST_TMPDIR/root
	[ -x "$TOP/mdlaunch" ] || skip "no built ./mdlaunch to install"
	make -s -C "$TOP" -o mdlaunch install DESTDIR="$root" >/dev/null
	[ "$(readlink "$root/usr/local/lib/systemd/system-generators/mdlaunch-generator")" = /usr/local/bin/mdlaunch ]
	[ -f "$root/usr/local/share/bash-completion/completions/mdlaunch" ]
	[ -f "$root/usr/share/vim/vimfiles/ftdetect/mdlaunch.vim" ]
	[ -f "$root/usr/share/vim/vimfiles/syntax/mdlaunch.vim" ]
	make -s -C "$TOP" uninstall DESTDIR="$root" >/dev/null
	[ ! -e "$root/usr/local/lib/systemd/system-generators/mdlaunch-generator" ]
	[ ! -e "$root/usr/local/share/bash-completion/completions/mdlaunch" ]
}
