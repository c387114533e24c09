#!/usr/bin/env bash
# mdlaunch under a real systemd: run inside the guest of `tests/vm/run-vm.sh --systemd`
# (systemd as PID 1 on pure cgroup v2, a throw-away overlay root), from the repository's top:
#
#   tests/vm/run-vm.sh --systemd --shell-cmd tests/vm/systemd-test.sh      (make check-systemd)
#
# Installs mdlaunch with `make install` into the guest's overlay, then checks the unit
# template mdlaunch@.service: `systemctl start` returns once READY=1 arrived and the unit is
# active with the launcher as MainPID; the container's processes are inside the unit's cgroup
# (below it, in mdlaunch's own delegated subtree); `systemctl stop` returns well before
# TimeoutStopSec with Result=success, both for a command that exits 0 on SIGTERM and for one
# that dies of it (143, SuccessExitStatus=); Restart=on-failure (a drop-in) restarts a
# container that exits 1; mdlaunch's errors reach the journal with their priority; and
# nothing (cgroup, process) is left afterwards. Prints TAP; exits 0 when everything passed.
set -uo pipefail

MDLAUNCH=${MDLAUNCH:-$PWD/mdlaunch}
TOKEN=mdl-systemd-test-$$
STATE=/run/$TOKEN
SLICE=/sys/fs/cgroup/system.slice/system-mdlaunch.slice
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION CMD...: one TAP line for CMD's success.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
prop() { systemctl show -p "$2" --value "$1"; }
# result INSTANCE: "SERVICE_RESULT/EXIT_CODE/EXIT_STATUS" of its last run, as ExecStopPost=
# saw them (a stopped unit is unloaded at once, so `systemctl show` no longer has them).
result() {
	local r
	r=$(tail -n 1 "$STATE/$1.result" 2>/dev/null)
	echo "# mdlaunch@$1: SERVICE_RESULT/EXIT_CODE/EXIT_STATUS $r" >&2
	echo "$r"
}

# token_pids: the pids of every process whose command line has $TOKEN (a pattern match in
# this shell: a grep would find itself).
token_pids() {
	local p c
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case $c in *"$TOKEN"*) echo "${p#/proc/}" ;; esac
	done
	return 0
}

# all_in_cgroup CGROUP PID...: every pid's v2 cgroup is CGROUP or below it.
all_in_cgroup() {
	local cg=$1 p own
	shift
	[ $# -gt 0 ] || return 1
	for p in "$@"; do
		own=$(sed -n 's/^0:://p' "/proc/$p/cgroup" 2>/dev/null) || return 1
		echo "# pid $p ($(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-60)): $own"
		case $own in "$cg" | "$cg"/*) ;; *) return 1 ;; esac
	done
}

# wait_until SECS CMD...: polls CMD every 0.1 s for up to SECS seconds.
wait_until() {
	local end
	end=$(awk -v s="$1" 'BEGIN { print s * 10 }')
	shift
	while ! "$@"; do
		end=$((end - 1))
		[ "$end" -gt 0 ] || return 1
		sleep 0.1
	done
}

is_active() { [ "$(systemctl is-active "$1")" = active ]; }
restarted() { [ "$(prop "$1" NRestarts)" -ge 1 ] && is_active "$1"; }
nothing_left() {
	[ -z "$(token_pids)" ] && [ -z "$(find /sys/fs/cgroup -name "mdlaunch@*" 2>/dev/null)" ] &&
		[ -z "$(find /sys/fs/cgroup -type d -path "*/mdlaunch/*" 2>/dev/null)" ]
}

t_all=$(now)
echo "1..24"
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || echo "# warning: not a pure cgroup v2 host"
[ "$(cat /proc/1/comm)" = systemd ] || { echo "Bail out! PID 1 is not systemd"; exit 1; }
echo "# systemd $(systemctl --version | head -n 1), $(uname -r)"

# Install: the Makefile's own install target (the binary is already built on the host).
make -s -o mdlaunch install PREFIX=/usr/local >/dev/null || { echo "Bail out! make install"; exit 1; }
[ "$MDLAUNCH" -ef mdlaunch ] || install -m755 "$MDLAUNCH" /usr/local/bin/mdlaunch
unit=/usr/local/lib/systemd/system/mdlaunch@.service
check "make install put the unit template at $unit, ExecStart on the installed binary" \
	grep -qx 'ExecStart=/usr/local/bin/mdlaunch /etc/mdlaunch/%i.container' "$unit"
mkdir -p "$STATE" /etc/mdlaunch
cat >/etc/mdlaunch/web.container <<EOF
[Container]
Command = sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done' $TOKEN
Memory = 64M
EOF
cat >/etc/mdlaunch/sleeper.container <<EOF
[Container]
Command = sh -c 'sleep 1000; :' $TOKEN
Init = true
Memory = 64M
EOF
# Exits 1 on its first run, then runs until stopped.
cat >/etc/mdlaunch/flaky.container <<EOF
[Container]
Command = sh -c 'if mkdir $STATE/flaky 2>/dev/null; then sleep 0.5; exit 1; fi; exec sleep 1000' $TOKEN
Init = true
EOF
cat >/etc/mdlaunch/bad.container <<EOF
[Container]
Command = true
Memory = 12x
EOF
# The test's own drop-in for every instance: how each run ended.
mkdir -p /etc/systemd/system/mdlaunch@.service.d /etc/systemd/system/mdlaunch@flaky.service.d
printf '[Service]\nExecStopPost=/bin/sh -c %s\n' \
	"'echo \$\$SERVICE_RESULT/\$\$EXIT_CODE/\$\$EXIT_STATUS >>$STATE/%i.result'" \
	>/etc/systemd/system/mdlaunch@.service.d/test-result.conf
printf '[Service]\nRestart=on-failure\nRestartSec=0.5\n' \
	>/etc/systemd/system/mdlaunch@flaky.service.d/restart.conf
systemctl daemon-reload

# web: start, READY, cgroup, stop.
t0=$(now)
systemctl start mdlaunch@web
rc=$?
t1=$(now)
echo "# systemctl start mdlaunch@web: $(elapsed "$t0" "$t1") s"
check "systemctl start mdlaunch@web succeeds (READY=1 received)" [ "$rc" -eq 0 ]
check "mdlaunch@web is active" is_active mdlaunch@web
main=$(prop mdlaunch@web MainPID)
check "MainPID ($main) is the launcher" [ "$(readlink "/proc/$main/exe")" = /usr/local/bin/mdlaunch ]
ucg=$(prop mdlaunch@web ControlGroup)
echo "# unit cgroup $ucg:"
find "/sys/fs/cgroup$ucg" -name cgroup.procs | while read -r f; do
	echo "#   ${f#/sys/fs/cgroup} $(tr '\n' ' ' <"$f")"
done
# shellcheck disable=SC2046 # one pid per word
check "the container's processes are inside the unit's cgroup ($ucg/...)" \
	all_in_cgroup "$ucg" $(token_pids)
# shellcheck disable=SC2046
check "the container is in mdlaunch's own cgroup below the unit ($ucg/mdlaunch/web-$main)" \
	all_in_cgroup "$ucg/mdlaunch/web-$main" $(token_pids)
t0=$(now)
systemctl stop mdlaunch@web
t1=$(now)
stop_s=$(elapsed "$t0" "$t1")
echo "# systemctl stop mdlaunch@web: $stop_s s (TimeoutStopSec $(prop mdlaunch@web TimeoutStopUSec))"
check "systemctl stop returns well before TimeoutStopSec (< 5 s: $stop_s s)" \
	awk -v s="$stop_s" 'BEGIN { exit !(s < 5) }'
check "web: Result=success, exit status 0" \
	[ "$(result web)" = success/exited/0 ]

# sleeper: Init=true, the container dies of SIGTERM: 143 is a success.
systemctl start mdlaunch@sleeper
t0=$(now)
systemctl stop mdlaunch@sleeper
t1=$(now)
echo "# systemctl stop mdlaunch@sleeper: $(elapsed "$t0" "$t1") s"
check "sleeper (Init=true): stopped with 143, Result=success (SuccessExitStatus=143)" \
	[ "$(result sleeper)" = success/exited/143 ]

# flaky: exits 1 once, Restart=on-failure brings it back.
t0=$(now)
systemctl start mdlaunch@flaky
check "flaky: restarted after exiting 1 (Restart=on-failure), active again" \
	wait_until 30 restarted mdlaunch@flaky
check "flaky: its first run ended with exit-code/exited/1" \
	[ "$(head -n 1 "$STATE/flaky.result")" = exit-code/exited/1 ]
t1=$(now)
echo "# flaky: first start to active after the restart: $(elapsed "$t0" "$t1") s," \
	"NRestarts=$(prop mdlaunch@flaky NRestarts)"
systemctl stop mdlaunch@flaky
check "flaky: stops with Result=success" [ "$(result flaky)" = success/exited/143 ]

# bad: a configuration error fails the start and reaches the journal as priority 3.
start_fails() { ! systemctl start "$1"; }
check "bad: systemctl start fails on a config error" start_fails mdlaunch@bad
journalctl --sync 2>/dev/null
journal=$(journalctl -q -o cat -p err -u mdlaunch@bad 2>/dev/null)
echo "$journal" | sed 's/^/# journal: /'
check "bad: the error is in the journal at priority err, without a text level" \
	grep -q "bad.container:3: Memory: " <<<"$journal"
systemctl reset-failed 'mdlaunch@*' 2>/dev/null

# The generator: .container files with [Unit]/[Service]/[Install] become units at a reload.
gen=/usr/local/lib/systemd/system-generators/mdlaunch-generator
check "make install linked the generator $gen to the installed binary" \
	[ "$(readlink "$gen")" = /usr/local/bin/mdlaunch ]
cat >/etc/mdlaunch/mdl-gen.container <<EOF
[Unit]
Description=generated test container
[Container]
Command = sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done' $TOKEN
StopTimeout = 5
[Service]
ExecStopPost=/bin/sh -c 'echo \$\$SERVICE_RESULT/\$\$EXIT_CODE/\$\$EXIT_STATUS >>$STATE/mdl-gen.result'
[Install]
WantedBy=multi-user.target
EOF
cat >/etc/mdlaunch/mdl-gen-flaky.container <<EOF
[Container]
Command = sh -c 'if mkdir $STATE/gen-flaky 2>/dev/null; then sleep 0.5; exit 1; fi; exec sleep 1000' $TOKEN
Init = true
[Service]
Restart=on-failure
RestartSec=0.5
EOF
cat >/etc/mdlaunch/mdl-gen-broken.container <<EOF
[Container]
Command = true
Memory = 12x
[Install]
WantedBy=multi-user.target
EOF
chmod 644 /etc/mdlaunch/mdl-gen*.container
systemctl daemon-reload
gdir=/run/systemd/generator
ls -l "$gdir" "$gdir/multi-user.target.wants" 2>&1 | sed 's/^/# /'
systemctl cat mdl-gen.service 2>&1 | sed 's/^/# cat: /'
check "daemon-reload: the generator made mdl-gen.service, shown by systemctl cat" \
	grep -q '^# Generated by mdlaunch-generator from /etc/mdlaunch/mdl-gen.container' \
	<<<"$(systemctl cat mdl-gen.service 2>/dev/null)"
check "the unit runs the installed mdlaunch on the file, Type=notify, Delegate=yes" \
	grep -qx 'ExecStart=/usr/local/bin/mdlaunch run /etc/mdlaunch/mdl-gen.container' \
	"$gdir/mdl-gen.service"
check "[Install] WantedBy=multi-user.target: multi-user.target wants mdl-gen.service" \
	grep -qw mdl-gen.service <<<"$(prop multi-user.target Wants)"
check "a broken file gives no unit and no link" \
	[ ! -e "$gdir/mdl-gen-broken.service" ] && [ ! -e "$gdir/multi-user.target.wants/mdl-gen-broken.service" ]
# What systemd does with a generator's stderr (journal, kmsg) is its own
# business: run the installed generator as systemd does and read its stderr.
gout=$(mktemp -d) && mkdir -p "$gout/n" "$gout/e" "$gout/l"
check "the broken file's error is one line on the generator's stderr, naming file:line" \
	grep -q 'mdl-gen-broken.container:3: Memory: ' <<<"$("$gen" "$gout/n" "$gout/e" "$gout/l" 2>&1 >/dev/null)"
rm -rf "$gout"
# What a boot does: multi-user.target starts what it wants.
systemctl start --no-block multi-user.target
check "starting multi-user.target (as at boot) makes mdl-gen active" \
	wait_until 20 is_active mdl-gen.service
systemctl stop mdl-gen.service
check "systemctl stop mdl-gen: Result=success, exit status 0" \
	[ "$(tail -n 1 "$STATE/mdl-gen.result" 2>/dev/null)" = success/exited/0 ]
systemctl start mdl-gen-flaky.service
check "Restart=on-failure in the file's [Service] restarts mdl-gen-flaky" \
	wait_until 30 restarted mdl-gen-flaky.service
systemctl stop mdl-gen-flaky.service
rm -f /etc/mdlaunch/mdl-gen*.container

check "nothing is left: no container process, no unit or mdlaunch cgroup" \
	wait_until 5 nothing_left
[ -d "$SLICE" ] && echo "# $SLICE: $(find "$SLICE" -mindepth 1 -type d | wc -l) directories left"
rm -rf "$STATE"
echo "# systemd-test: $n checks, $failed failed, $(elapsed "$t_all" "$(now)") s"
[ "$failed" -eq 0 ]
