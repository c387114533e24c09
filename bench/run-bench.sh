#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/run-bench.sh — `make bench`: start latency, launcher peak RSS and
# parallel starts of mdlaunch side by side with the floor (bench/floor.c),
# unshare, bwrap and crun, all doing the same work. See bench/README.md.
#
# Runs as root. Installs what it needs from Debian when missing. Everything it
# writes goes to $BENCH_OUT (default build/bench); the tables are also saved
# as $BENCH_OUT/results.md. Tunables (environment):
#   BENCH_ROUNDS=200      interleaved rounds of the latency test (each tool once per round)
#   BENCH_WARMUP=10       unrecorded rounds first
#   BENCH_RSS_RUNS=5      runs per tool of the peak-RSS test (container: sleep 1)
#   BENCH_PAR_STARTS=100  starts per tool in the parallel test ...
#   BENCH_PAR_JOBS=16     ... this many at a time ...
#   BENCH_PAR_REPEATS=3   ... repeated (interleaved) this many times
#   BENCH_SEED            shuffling seed (default: time)
#   BENCH_NET_ROUNDS=40   rounds of the network test (Network=mdlaunch vs none)
#   BENCH_ONLY=lat,rootfs,gap,rss,par,check,loader,net   subset of the sections to run
#   MDLAUNCH=./mdlaunch   the binary under test
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
OUT=${BENCH_OUT:-$TOP/build/bench}
ROUNDS=${BENCH_ROUNDS:-200}
WARMUP=${BENCH_WARMUP:-10}
RSS_RUNS=${BENCH_RSS_RUNS:-5}
PAR_STARTS=${BENCH_PAR_STARTS:-100}
PAR_JOBS=${BENCH_PAR_JOBS:-16}
PAR_REPEATS=${BENCH_PAR_REPEATS:-3}
SEED=${BENCH_SEED:-$(date +%s)}
ONLY=${BENCH_ONLY:-lat,rootfs,gap,rss,par,check,loader,net}
# The busybox tree of `make rootfs`, for the rootfs section.
ROOTFS=${ROOTFS:-$TOP/build/rootfs}
MDLAUNCH=${MDLAUNCH:-$TOP/mdlaunch}
CRUN_ROOT=$OUT/crun-state
RESULTS=$OUT/results.md
HOLDER=

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }
die() { echo "run-bench: $*" >&2; exit 1; }
# med TABLE-FILE ROW: the median column of a row of a timer table.
med() { awk -F'|' -v r="$2" '{ gsub(/ /, "", $2) } $2 == r { gsub(/ /, "", $3); print $3 }' "$1"; }
# cmed TABLE-FILE ROW: the CPU-time median column of a row of a timer lat table.
cmed() { awk -F'|' -v r="$2" '{ gsub(/ /, "", $2) } $2 == r { gsub(/ /, "", $8); print $8 }' "$1"; }
cdiff_ms() { awk -v a="$(cmed "$1" "$2")" -v b="$(cmed "$1" "$3")" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%+.2f", a - b }'; }
# diff_ms TABLE-FILE ROW-A ROW-B: median(A) - median(B), in ms.
diff_ms() { awk -v a="$(med "$1" "$2")" -v b="$(med "$1" "$3")" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%+.2f", a - b }'; }


[ "$(id -u)" = 0 ] || die "needs root (namespaces, cgroups, mounts)"

# --- dependencies ------------------------------------------------------------
need_pkgs=()
for p in gcc:gcc crun:crun bwrap:bubblewrap unshare:util-linux nsenter:util-linux jq:jq ip:iproute2 readelf:binutils file:file; do
	command -v "${p%%:*}" >/dev/null 2>&1 || need_pkgs+=("${p#*:}")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	echo "run-bench: installing ${need_pkgs[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

rm -rf "$OUT"
mkdir -p "$OUT/logs" "$CRUN_ROOT"
: >"$RESULTS"

# --- build the floor, the timer and the loader probes ------------------------
CFLAGS_BENCH="-O2 -Wall -Wextra -Werror -std=gnu11"
gcc $CFLAGS_BENCH -o "$OUT/floor" bench/floor.c
# the floor plus one piece of a launcher's extra work at a time (see floor.c)
gcc $CFLAGS_BENCH -static -o "$OUT/floor-static" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_REEXEC -o "$OUT/floor+reexec" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_REEXEC -static -o "$OUT/floor+reexec-static" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_NESTED -o "$OUT/floor+nested" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_LO -o "$OUT/floor+lo" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_DEV -o "$OUT/floor+dev" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_DEVRULES -o "$OUT/floor+devrules" bench/floor.c
gcc $CFLAGS_BENCH -DFLOOR_REEXEC -DFLOOR_VFORK -static -o "$OUT/floor+reexec-vfork-static" bench/floor.c
# mdlaunch's shape: static, re-exec after a vfork-like clone, nested cgroups, lo up
gcc $CFLAGS_BENCH -DFLOOR_REEXEC -DFLOOR_VFORK -DFLOOR_NESTED -DFLOOR_LO -static -o "$OUT/floor+all" bench/floor.c
gcc $CFLAGS_BENCH -o "$OUT/timer" bench/timer.c

# --- cgroup bookkeeping --------------------------------------------------------
# own_cgroup_dirs: one line per v1 hierarchy: the directory of our own cgroup in it.
own_cgroup_dirs()
{
	awk 'NR == FNR { split($0, f, ":"); n = split(f[2], c, ",");
			 for (i = 1; i <= n; i++) own[c[i]] = substr($0, length(f[1]) + length(f[2]) + 3); next }
	     { for (i = 1; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) != "cgroup") next;
	       n = split($(i + 3), o, ",");
	       for (k = 1; k <= n; k++) if (o[k] in own) { p = own[o[k]]; if ($4 != "/") p = substr(p, length($4) + 1);
							   print $5 p; break } }' /proc/self/cgroup /proc/self/mountinfo
}
# cgroup_snapshot: every cgroup directory below our own cgroups (sorted).
cgroup_snapshot()
{
	own_cgroup_dirs | while read -r d; do find "$d" -mindepth 1 -type d 2>/dev/null; done | sort
}

# leftovers BEFORE AFTER: the cgroup directories of this benchmark's starts that
# appeared between two snapshots (mdlaunch: mdlaunch/ and NAME-ID below it; the
# floor: floor-PID; crun: crun-bench-*), counted per hierarchy. Only the memory
# hierarchy has a per-session own cgroup here; in the others our own cgroup may
# be the root, shared with other users of the machine.
# A directory counts when, a second later, it still exists with no process and
# no child cgroup: a running container of someone else sharing a root-level
# own cgroup (cpu, cpuset here) is not ours and not left behind.
leftovers()
{
	local cand d
	cand=$(comm -13 <(echo "$1") <(echo "$2") |
		grep -E '/(mdlaunch|mdlaunch/(bench|true|sleep|probe|sh)-[^/]*|floor-[0-9]+|floor-nest|crun-bench-[^/]*)$' || true)
	[ -n "$cand" ] || return 0
	sleep 1
	for d in $cand; do
		[ -d "$d" ] && [ ! -s "$d/cgroup.procs" ] && [ -z "$(find "$d" -mindepth 1 -type d -print -quit 2>/dev/null)" ] &&
			echo "$d"
	done
	return 0
}
report_leftovers() # BEFORE AFTER
{
	local left
	left=$(leftovers "$1" "$2")
	if [ -z "$left" ]; then
		say "Left behind: nothing (no new, empty mdlaunch, floor or crun cgroup directory below our own cgroups)."
	else
		echo "$left" >>"$OUT/leftovers.txt"
		say "Left behind: $(echo "$left" | wc -l) cgroup directories (list in leftovers.txt):"
		say ""
		echo "$left" | sed -E 's|^/sys/fs/cgroup/([^/]*)/.*/([^/]*)$|\1: \2|; s/-[0-9a-f-]+$/-ID/' |
			sort | uniq -c | sed 's/^ */    /' | tee -a "$RESULTS"
	fi
}

# --- crun's private mount namespace -------------------------------------------
# crun 1.8.1 refuses a hybrid host (a cgroup2 mount on /sys/fs/cgroup/unified).
# A holder process keeps a private mount namespace where /sys/fs/cgroup is a
# fresh tmpfs with the same v1 hierarchies mounted again, no cgroup2; each is
# bind-mounted from our own cgroup in it, so crun's cgroups land below our own
# cgroups like everyone else's. The host's mount table is never touched; crun
# starts are setns()ed into the namespace by the timer.
cat >"$OUT/crun-ns.sh" <<'EOF'
set -eu
own() { awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $3; exit } }' /proc/self/cgroup; }
mounts=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup") print $5, $(i + 3) }' /proc/self/mountinfo)
links=$(for l in /sys/fs/cgroup/*; do [ -L "$l" ] && echo "${l##*/} $(readlink "$l")"; done || true)
mount -t tmpfs -o mode=755,size=1m bench-cgroup /sys/fs/cgroup
mkdir /sys/fs/cgroup/.stage
echo "$mounts" | while read -r mp opts; do
	name=${mp##*/}
	ctrls=$(echo "$opts" | tr , '\n' | grep -vE '^(rw|ro|nosuid|nodev|noexec|relatime|clone_children|xattr|noprefix|cpuset_v2_mode|favordynmods|release_agent=.*)$' | paste -sd,)
	first=${ctrls%%,*}
	case $first in name=*) ctrls="none,$ctrls" ;; esac
	o=$(own "$first")
	mkdir "/sys/fs/cgroup/.stage/$name" "/sys/fs/cgroup/$name"
	mount -t cgroup -o "$ctrls" cgroup "/sys/fs/cgroup/.stage/$name"
	mount --bind "/sys/fs/cgroup/.stage/$name$o" "/sys/fs/cgroup/$name"
	umount "/sys/fs/cgroup/.stage/$name"
	rmdir "/sys/fs/cgroup/.stage/$name"
done
rmdir /sys/fs/cgroup/.stage
echo "$links" | while read -r name target; do if [ -n "$name" ]; then ln -s "$target" "/sys/fs/cgroup/$name"; fi; done
mount -o remount,ro,bind /sys/fs/cgroup
echo ready
exec sleep 1000000
EOF

cleanup()
{
	if [ -n "$HOLDER" ]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	HOLDER=
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Only the host's own mount table is read here: the namespace is made by unshare -m.
unshare -m --propagation private bash "$OUT/crun-ns.sh" >"$OUT/crun-ns.out" 2>&1 &
HOLDER=$!
for _ in $(seq 50); do grep -q ready "$OUT/crun-ns.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$OUT/crun-ns.out" || die "crun namespace setup failed: $(cat "$OUT/crun-ns.out")"
CRUN_NS=/proc/$HOLDER/ns/mnt

# --- crun bundle ------------------------------------------------------------------
# A tiny rootfs: /usr bound read-only (Debian's merged /usr), /proc, a /dev tmpfs;
# the five namespaces and the same limits; no masked/read-only paths, no terminal.
# No cgroupsPath: crun then uses /<container id> (made unique per start) below
# the root of each hierarchy in its namespace, i.e. below our own cgroup.
make_bundle() # DIR ARGS-JSON
{
	mkdir -p "$1/rootfs/usr" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/tmp" "$1/rootfs/sys"
	for l in bin lib lib64 sbin; do [ -e "$1/rootfs/$l" ] || ln -s "usr/$l" "$1/rootfs/$l"; done
	(cd "$1" && crun spec && jq --argjson args "$2" '
		.process.terminal = false | .process.args = $args |
		.root = {path: "rootfs", readonly: true} |
		.mounts = [{destination: "/proc", type: "proc", source: "proc"},
			   {destination: "/dev", type: "tmpfs", source: "tmpfs",
			    options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
			   {destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
			   {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
			   {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}] |
		.linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "cgroup"}] |
		.linux.resources = {memory: {limit: 104857600}, cpu: {shares: 512, cpus: "0-1"}}' \
		config.json >config.json.new && mv config.json.new config.json)
}
make_bundle "$OUT/bundle-true" '["/bin/true"]'
make_bundle "$OUT/bundle-sleep" '["/bin/sleep", "1"]'

# --- mdlaunch: usable? ------------------------------------------------------------
MDL_OK=0
MDL_NOTE=
# A private copy: ./mdlaunch may be rebuilt while the benchmark runs.
if [ -x "$MDLAUNCH" ]; then
	MDL_SRC=$MDLAUNCH
	cp "$MDLAUNCH" "$OUT/mdlaunch"
	MDLAUNCH=$OUT/mdlaunch
fi
if [ -x "$MDLAUNCH" ]; then
	if "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 /bin/true >"$OUT/logs/mdlaunch-probe.log" 2>&1; then
		MDL_OK=1
	else
		MDL_NOTE="mdlaunch run failed (exit $?): $(head -c 300 "$OUT/logs/mdlaunch-probe.log")"
	fi
else
	MDL_NOTE="no mdlaunch binary at $MDLAUNCH (run make)"
	MDL_SRC=$MDLAUNCH
fi
if [ $MDL_OK = 1 ] && ! "$MDLAUNCH" bench/bench.container >>"$OUT/logs/mdlaunch-probe.log" 2>&1; then
	MDL_NOTE="mdlaunch bench/bench.container failed: $(tail -c 300 "$OUT/logs/mdlaunch-probe.log")"
fi

# spec_line NAME MNTNS ARGV...: one line of the timer's spec (TAB separated).
spec_line() { local IFS=$'\t'; printf '%s\n' "$*"; }

# tools_spec CMD...: the spec of every tool running CMD (crun: its bundle's command).
tools_spec()
{
	local bundle=$1; shift
	if [ $MDL_OK = 1 ]; then
		[ -n "${MDL_FILE:-}" ] && spec_line mdlaunch-file - "$MDLAUNCH" "$MDL_FILE"
		spec_line mdlaunch-run - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 "$@"
	fi
	spec_line floor - "$OUT/floor" "$@"
	[ -n "${WITH_UNSHARE:-}" ] && spec_line unshare - unshare -fpmuni --mount-proc "$@"
	[ -n "${WITH_BWRAP:-}" ] && spec_line bwrap - bwrap --unshare-uts --unshare-pid --unshare-net \
		--unshare-ipc --ro-bind / / --proc /proc --dev /dev "$@"
	spec_line crun "$CRUN_NS" crun --root "$CRUN_ROOT" run --bundle "$OUT/$bundle" "crun-bench-%u"
	[ -n "${WITH_FLOOR_NS:-}" ] && spec_line floor-in-crun-ns "$CRUN_NS" "$OUT/floor" "$@"
	return 0
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

START_SNAPSHOT=$(cgroup_snapshot)
say "# mdlaunch bench — $(date -u '+%Y-%m-%d %H:%M UTC')"
say ""
say "Machine: $(nproc) CPUs, $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
	"mdlaunch $("$MDLAUNCH" --version 2>/dev/null | awk '{print $2}' || echo '?')" \
	"(tree at $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?'), binary sha256 $(sha256sum "$MDLAUNCH" 2>/dev/null | cut -c1-12 || echo '?'), copied from ${MDL_SRC#$TOP/})," \
	"crun $(crun --version | awk 'NR==1 {print $3}')," \
	"bwrap $(bwrap --version | awk '{print $2}'), util-linux $(unshare --version | awk '{print $NF}')."
say "Load average (1/5/15 min) at start: $(loadavg)."
[ -n "$MDL_NOTE" ] && say "" && say "**mdlaunch not measured**: $MDL_NOTE"
say ""

# --- 0. what each tool really does (checked, not assumed) --------------------------
# The probe prints its namespaces and cgroups, then sleeps while we read the
# limits from the host; afterwards its cgroups must be gone.
PROBE='echo pid=$$; for n in uts pid mnt net ipc; do echo ns $n $(readlink /proc/self/ns/$n); done; echo procs $(ls /proc | grep -c "^[0-9]"); echo netdevs $(tail -n +3 /proc/net/dev | wc -l); echo lo $(ip -o link show lo 2>/dev/null | grep -q "[<,]UP[,>]" && echo up || echo down); cat /proc/self/cgroup; echo END; sleep 2'
verify_one() # NAME MNTNS ARGV...
{
	local name=$1 ns=$2 out=$OUT/logs/verify-$1.out; shift 2
	if [ "$ns" = - ]; then "$@" >"$out" 2>&1 & else nsenter --mount="$ns" "$@" >"$out" 2>&1 & fi
	local pid=$! n ok_ns=0 mem=- shares=- cpus=- p
	for _ in $(seq 100); do grep -q '^END' "$out" && break; sleep 0.02; done
	# The cgroups as the host sees them (in a cgroup namespace the probe itself sees "/"):
	# those of the probe's deepest descendant, its sleep.
	local leaf=$pid c
	while c=$(cat /proc/"$leaf"/task/*/children 2>/dev/null) && [ -n "${c%% *}" ]; do leaf=${c%% *}; done
	cat /proc/"$leaf"/cgroup >"$out.cgroup" 2>/dev/null
	for n in uts pid mnt net ipc; do
		[ "$(awk -v n=$n '$1 == "ns" && $2 == n {print $3}' "$out")" != "$(readlink /proc/self/ns/$n)" ] && ok_ns=$((ok_ns + 1))
	done
	p=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' "$out.cgroup")
	[ -n "$p" ] && mem=$(cat "/sys/fs/cgroup/memory$p/memory.limit_in_bytes" 2>/dev/null || echo -)
	p=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' "$out.cgroup")
	[ -n "$p" ] && shares=$(cat "/sys/fs/cgroup/cpu$p/cpu.shares" 2>/dev/null || echo -)
	p=$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ {print $3}' "$out.cgroup")
	[ -n "$p" ] && cpus=$(cat "/sys/fs/cgroup/cpuset$p/cpuset.cpus" 2>/dev/null || echo -)
	wait $pid || true
	[ "$mem" = 9223372036854771712 ] && mem=none
	[ "$mem" = 104857600 ] && mem=100M
	say "| $name | $(grep -q '^pid=1$' "$out" && echo yes || echo NO) | $ok_ns/5 | $(awk '$1 == "procs" {print $2}' "$out") | $(awk '$1 == "netdevs" {print $2}' "$out") | $(awk '$1 == "lo" {print $2}' "$out") | $mem | $shares | $cpus |"
}
say "## What each tool does (one probe run each)"
say ""
say "| tool | PID 1 | new namespaces | pids in /proc | net devices | lo | memory limit | cpu.shares | cpuset.cpus |"
say "|---|---|---|---|---|---|---|---|---|"
if [ $MDL_OK = 1 ]; then
	sed "s|^Command = .*|Command = /bin/sh -c '$(printf '%s' "$PROBE" | sed 's/[&|]/\\&/g')'|" bench/bench.container >"$OUT/probe.container"
	verify_one mdlaunch-file - "$MDLAUNCH" "$OUT/probe.container"
	verify_one mdlaunch-run - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 /bin/sh -c "$PROBE"
fi
verify_one floor - "$OUT/floor" /bin/sh -c "$PROBE"
verify_one unshare - unshare -fpmuni --mount-proc /bin/sh -c "$PROBE"
verify_one bwrap - bwrap --unshare-uts --unshare-pid --unshare-net --unshare-ipc --ro-bind / / --proc /proc --dev /dev /bin/sh -c "$PROBE"
make_bundle "$OUT/bundle-probe" "$(jq -cn --arg p "$PROBE" '["/bin/sh", "-c", $p]')"
verify_one crun "$CRUN_NS" crun --root "$CRUN_ROOT" run --bundle "$OUT/bundle-probe" crun-bench-probe
say ""

MDL_FILE=$TOP/bench/bench.container

# --- 1. start latency ---------------------------------------------------------------
if want lat; then
	WITH_UNSHARE=1 WITH_BWRAP=1 WITH_FLOOR_NS=1 tools_spec bundle-true /bin/true >"$OUT/lat.spec"
	before=$(cgroup_snapshot)
	load0=$(loadavg)
	say "## Start to exit of /bin/true ($ROUNDS interleaved rounds, tools shuffled each round, $WARMUP warm-up rounds, seed $SEED)"
	say ""
	"$OUT/timer" lat -n "$ROUNDS" -w "$WARMUP" -s "$SEED" -o "$OUT/lat-raw.tsv" -L "$OUT/logs" \
		-f floor -r crun "$OUT/lat.spec" | tee -a "$RESULTS"
	say ""
	say "Load average before/after: $load0 / $(loadavg). Raw times: lat-raw.tsv."
	report_leftovers "$before" "$(cgroup_snapshot)"
	say ""
fi

# --- 1a. a root of its own ---------------------------------------------------------------
# The same /bin/true with the busybox tree of `make rootfs` as the root:
# mdlaunch with Rootfs=DIR:O (a private overlay), Rootfs=DIR (bind) and
# ReadOnly=true (the host's view read-only, tmpfs on /tmp /var/tmp /run),
# crun with a bundle whose root is that tree (read-only), bwrap --ro-bind.
if want rootfs && [ -x "$ROOTFS/bin/busybox" ]; then
	mkdir -p "$OUT/bundle-rootfs"
	(cd "$OUT/bundle-rootfs" && rm -f config.json && crun spec && jq --arg root "$ROOTFS" '
		.process.terminal = false | .process.args = ["/bin/true"] |
		.root = {path: $root, readonly: true} |
		.mounts = [{destination: "/proc", type: "proc", source: "proc"},
			   {destination: "/dev", type: "tmpfs", source: "tmpfs",
			    options: ["nosuid", "strictatime", "mode=755", "size=65536k"]}] |
		del(.linux.maskedPaths) | del(.linux.readonlyPaths) |
		.linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}] |
		.linux.resources = {memory: {limit: 104857600}, cpu: {shares: 512, cpus: "0-1"}}' \
		config.json >config.json.new && mv config.json.new config.json)
	{
		if [ $MDL_OK = 1 ]; then
			spec_line mdlaunch-rootfs:O - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 --rootfs "$ROOTFS:O" /bin/true
			spec_line mdlaunch-rootfs - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 --rootfs "$ROOTFS" /bin/true
			spec_line mdlaunch-read-only - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 --read-only /bin/true
			spec_line mdlaunch-run - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 /bin/true
		fi
		spec_line floor - "$OUT/floor" /bin/true
		spec_line bwrap-ro-bind - bwrap --unshare-uts --unshare-pid --unshare-net \
			--unshare-ipc --ro-bind "$ROOTFS" / --proc /proc --dev /dev /bin/true
		spec_line crun-rootfs "$CRUN_NS" crun --root "$CRUN_ROOT" run --bundle "$OUT/bundle-rootfs" "crun-bench-%u"
	} >"$OUT/rootfs.spec"
	before=$(cgroup_snapshot)
	load0=$(loadavg)
	say "## Start to exit of /bin/true in the busybox tree ($ROUNDS interleaved rounds, $WARMUP warm-up rounds, seed $SEED)"
	say ""
	say "mdlaunch-rootfs:O: \`--rootfs $ROOTFS:O\` (an overlay whose upper layer is a fresh tmpfs in the container's namespace);" \
		"mdlaunch-rootfs: \`--rootfs $ROOTFS\` (bind, pivot_root); mdlaunch-read-only: the host's view with \`--read-only\`;" \
		"crun-rootfs: a bundle whose read-only root is the same tree; bwrap-ro-bind: \`--ro-bind $ROOTFS /\`."
	say ""
	"$OUT/timer" lat -n "$ROUNDS" -w "$WARMUP" -s "$SEED" -o "$OUT/rootfs-raw.tsv" -L "$OUT/logs" \
		-f floor -r crun-rootfs "$OUT/rootfs.spec" | tee -a "$RESULTS"
	say ""
	say "Load average before/after: $load0 / $(loadavg). Raw times: rootfs-raw.tsv."
	report_leftovers "$before" "$(cgroup_snapshot)"
	left=$(ls /run/mdlaunch/rootfs 2>/dev/null | grep -c . || true)
	say "Per-run directories left in /run/mdlaunch/rootfs: ${left:-0}."
	say ""
elif want rootfs; then
	say "## Start in the busybox tree: skipped (no $ROOTFS/bin/busybox; make rootfs)"
	say ""
fi

# --- 1b. where a launcher's extra time goes ------------------------------------------
if want gap; then
	{
		if [ $MDL_OK = 1 ]; then
			spec_line mdlaunch-run - "$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 /bin/true
			# The containment of the kernel's file systems, one piece off at a time.
			printf 'namespaces = "uts pid mount net ipc";\n' >"$OUT/no-cgroupns.conf"
			spec_line mdlaunch-no-cgroupns - "$MDLAUNCH" --config "$OUT/no-cgroupns.conf" \
				run -m 100M --cpushare 512 --cpuset 0-1 /bin/true
			printf '[Container]\nCommand = /bin/true\nMemory = 100M\nCPUShares = 512\nCPUSet = 0-1\nUnmask = ALL\n' \
				>"$OUT/no-masks.container"
			spec_line mdlaunch-no-masks - "$MDLAUNCH" "$OUT/no-masks.container"
		fi
		# seccomp: the same run without a filter, and with the program compiled at every
		# start (a cache directory that cannot exist) instead of read from the cache.
		[ $MDL_OK = 1 ] && spec_line mdlaunch-unconfined - "$MDLAUNCH" run -m 100M --cpushare 512 \
			--cpuset 0-1 --security-opt seccomp=unconfined /bin/true
		[ $MDL_OK = 1 ] && spec_line mdlaunch-seccomp-uncached - env MDLAUNCH_SECCOMP_CACHE=/dev/null/none \
			"$MDLAUNCH" run -m 100M --cpushare 512 --cpuset 0-1 /bin/true
		for v in floor floor+reexec floor-static floor+reexec-static floor+reexec-vfork-static floor+nested floor+lo floor+dev floor+devrules floor+all; do
			spec_line "$v" - "$OUT/$v" /bin/true
		done
	} >"$OUT/gap.spec"
	load0=$(loadavg)
	say "## Where the time above the floor goes ($ROUNDS interleaved rounds)"
	say ""
	say "The floor built with one piece of a launcher's extra work at a time (bench/floor.c build options):"
	say "+reexec: the child re-executes /proc/self/exe and reads the barrier there (mdlaunch's \`init\`);"
	say "floor-static and +reexec-static: the floor and +reexec linked statically (no dynamic loader in either exec);"
	say "+reexec-vfork-static: +reexec-static cloned vfork-like (CLONE_VM | CLONE_VFORK: no page-table copy, no copy-on-write faults), as mdlaunch does;"
	say "+nested: the cgroups one shared level deeper, as mdlaunch/NAME-ID (level made, cpuset copied into it, removed when empty);"
	say "+lo: the loopback interface brought up; +all: mdlaunch's shape, +reexec-vfork-static, +nested and +lo together;"
	say "+dev: a private /dev as mdlaunch's mount plan makes it (tmpfs, 6 mknods, devpts, 5 links, /dev/shm, /dev/mqueue);"
	say "+devrules: the device allowlist, a devices cgroup with devices.deny a and 11 devices.allow lines (v1);"
	say "mdlaunch-no-cgroupns: mdlaunch-run without its cgroup namespace (the unshare alone: the cgroup mounts stay);"
	say "mdlaunch-no-masks: mdlaunch-run with Unmask=ALL (none of the 12 masks and 5 read-only paths)."
	say ""
	"$OUT/timer" lat -n "$ROUNDS" -w "$WARMUP" -s "$SEED" -o "$OUT/gap-raw.tsv" -L "$OUT/logs" \
		-f floor -r floor+all "$OUT/gap.spec" | tee "$OUT/gap.md" | tee -a "$RESULTS"
	say ""
	[ $MDL_OK = 1 ] && say "Containment pieces of mdlaunch-run (ms, medians): cgroup namespace" \
		"$(diff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-no-cgroupns), masks and read-only paths" \
		"$(diff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-no-masks); CPU time:" \
		"$(cdiff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-no-cgroupns)," \
		"$(cdiff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-no-masks)."
	say "Differences of medians vs the floor (ms): +reexec $(diff_ms "$OUT/gap.md" floor+reexec floor)," \
		"+reexec-static vs floor-static $(diff_ms "$OUT/gap.md" floor+reexec-static floor-static), +reexec-vfork-static vs floor-static $(diff_ms "$OUT/gap.md" floor+reexec-vfork-static floor-static), floor-static $(diff_ms "$OUT/gap.md" floor-static floor), +nested $(diff_ms "$OUT/gap.md" floor+nested floor)," \
		"+lo $(diff_ms "$OUT/gap.md" floor+lo floor), +dev $(diff_ms "$OUT/gap.md" floor+dev floor), +devrules $(diff_ms "$OUT/gap.md" floor+devrules floor), +all $(diff_ms "$OUT/gap.md" floor+all floor)$([ $MDL_OK = 1 ] &&
		echo ", mdlaunch-run $(diff_ms "$OUT/gap.md" mdlaunch-run floor) (of which beyond +all: $(diff_ms "$OUT/gap.md" mdlaunch-run floor+all))")."
	say "The same for CPU time (ms): +reexec $(cdiff_ms "$OUT/gap.md" floor+reexec floor)," \
		"+reexec-static vs floor-static $(cdiff_ms "$OUT/gap.md" floor+reexec-static floor-static), +reexec-vfork-static vs floor-static $(cdiff_ms "$OUT/gap.md" floor+reexec-vfork-static floor-static), floor-static $(cdiff_ms "$OUT/gap.md" floor-static floor), +nested $(cdiff_ms "$OUT/gap.md" floor+nested floor)," \
		"+lo $(cdiff_ms "$OUT/gap.md" floor+lo floor), +dev $(cdiff_ms "$OUT/gap.md" floor+dev floor), +devrules $(cdiff_ms "$OUT/gap.md" floor+devrules floor), +all $(cdiff_ms "$OUT/gap.md" floor+all floor)$([ $MDL_OK = 1 ] &&
		echo ", mdlaunch-run $(cdiff_ms "$OUT/gap.md" mdlaunch-run floor) (of which beyond +all: $(cdiff_ms "$OUT/gap.md" mdlaunch-run floor+all))")."
	[ $MDL_OK = 1 ] && say "seccomp (default profile, program read from the cache, loaded by init):" \
		"$(diff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-unconfined) ms over mdlaunch-unconfined" \
		"(CPU $(cdiff_ms "$OUT/gap.md" mdlaunch-run mdlaunch-unconfined) ms; target <= 0.2 ms);" \
		"compiled at every start instead (mdlaunch-seccomp-uncached, one env exec more):" \
		"$(diff_ms "$OUT/gap.md" mdlaunch-seccomp-uncached mdlaunch-run) ms."
	say "Load average before/after: $load0 / $(loadavg)."
	say ""
fi

# --- 2. launcher peak RSS --------------------------------------------------------
if want rss; then
	# bench.container runs /bin/true: the run form stands for mdlaunch here
	{ MDL_FILE= tools_spec bundle-sleep /bin/sleep 1; spec_line floor-static - "$OUT/floor-static" /bin/sleep 1; } >"$OUT/rss.spec"
	say "## Launcher peak RSS while the container runs sleep 1 ($RSS_RUNS runs each)"
	say ""
	say "VmHWM of the launcher process alone, read at its ptrace exit stop (the container is not traced);"
	say "RssAnon and RssFile at the same moment show how much of it is mapped files (libraries). floor-static: the floor linked statically."
	say ""
	"$OUT/timer" rss -n "$RSS_RUNS" -L "$OUT/logs" "$OUT/rss.spec" | tee -a "$RESULTS"
	say ""
fi

# --- 3. parallel starts -------------------------------------------------------------
if want par; then
	{ MDL_FILE= tools_spec bundle-true /bin/true; spec_line floor+all - "$OUT/floor+all" /bin/true; } >"$OUT/par.spec"
	before=$(cgroup_snapshot)
	load0=$(loadavg)
	say "## $PAR_STARTS starts of /bin/true, $PAR_JOBS at a time ($PAR_REPEATS interleaved repeats)"
	say ""
	"$OUT/timer" par -n "$PAR_STARTS" -j "$PAR_JOBS" -k "$PAR_REPEATS" -s "$SEED" -L "$OUT/logs" \
		-f floor "$OUT/par.spec" | tee -a "$RESULTS"
	after=$(cgroup_snapshot)
	say ""
	say "Load average before/after: $load0 / $(loadavg)."
	report_leftovers "$before" "$after"
	say ""
fi

# --- 4. check ------------------------------------------------------------------------
if want check; then
	say "## mdlaunch check"
	say ""
	if [ $MDL_OK != 1 ]; then
		say "Skipped: mdlaunch not usable."
	else
		d=$OUT/check
		mkdir -p "$d/big" "$d/dropin/big.container.d"
		# one 1,000-line file: the keys, Environment lines are not repeatable, so comments pad it
		{
			sed -n '/^\[Container\]/,$p' bench/bench.container
			for i in $(seq 1 $((1000 - 6))); do
				echo "# line $i: a comment of ordinary length, as a reviewed definition has"
			done
		} >"$d/big/big.container"
		# a drop-in set: the file and 99 drop-ins of 10 lines, 1,000 lines in all
		{ sed -n '/^\[Container\]/,$p' bench/bench.container; for i in $(seq 1 4); do echo "# padding $i"; done; } >"$d/dropin/big.container"
		for i in $(seq -w 1 99); do
			{
				echo "# drop-in $i"
				echo "[Container]"
				echo "Memory = $((100 + 10#$i))M"
				echo "CPUShares = $((500 + 10#$i))"
				echo "Hostname = dropin-$i"
				echo "Environment = BENCH_$i=value-$i \"QUOTED_$i=a b c\""
				for k in 1 2 3 4; do echo "# comment $k of drop-in $i"; done
			} >"$d/dropin/big.container.d/$i-bench.conf"
		done
		# Not `show | grep -q`: grep quits at the match, show then dies of SIGPIPE
		# while printing the plan, and pipefail made that read as "no drop-ins".
		show_out=$("$MDLAUNCH" show "$d/dropin/big.container" 2>/dev/null || true)
		if grep -q '^hostname  *"dropin-99"$' <<<"$show_out"; then
			dropins=yes
		else
			dropins=no
		fi
		{
			spec_line check-1000-line-file - "$MDLAUNCH" check "$d/big/big.container"
			[ $dropins = yes ] && spec_line check-dropin-set - "$MDLAUNCH" check "$d/dropin/big.container"
			spec_line version - "$MDLAUNCH" --version
		} >"$OUT/check.spec"
		"$OUT/timer" lat -n 100 -w 5 -s "$SEED" -L "$OUT/logs" -f version "$OUT/check.spec" | tee "$OUT/check.md" | tee -a "$RESULTS"
		say ""
		say "Lines: $(wc -l <"$d/big/big.container") in the single file; $(cat "$d/dropin/big.container" "$d"/dropin/big.container.d/*.conf | wc -l) in the drop-in set (file + 99 drop-ins)."
		say "\`version\` (mdlaunch --version) is the cost of starting the binary at all; check minus version (medians): 1,000-line file $(diff_ms "$OUT/check.md" check-1000-line-file version) ms$([ $dropins = yes ] && echo ", drop-in set $(diff_ms "$OUT/check.md" check-dropin-set version) ms")."
		if [ $dropins = yes ]; then
			say "Drop-ins are applied (show reports the last drop-in's Hostname)."
		else
			say "Drop-in set skipped: this mdlaunch does not apply drop-ins yet (show does not report the last drop-in's Hostname)."
		fi
	fi
	say ""
fi

# --- 5. the dynamic loader ------------------------------------------------------------
if want loader; then
	say "## What the dynamic loader costs an exec (why mdlaunch is linked statically)"
	say ""
	printf 'int main(void) { return 0; }\n' >"$OUT/noop.c"
	gcc -O2 -o "$OUT/noop-dynamic" "$OUT/noop.c"
	gcc -O2 -static -o "$OUT/noop-static" "$OUT/noop.c"
	# the libraries mdlaunch loads (its DT_NEEDED list); a static mdlaunch loads none, and
	# the row then shows what a dynamic build (STATIC=0) would pay: the Makefile's LIBS
	mdl_static=no
	libs=
	if [ -x "$MDLAUNCH" ]; then
		libs=$(readelf -d "$MDLAUNCH" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | { grep -v '^libc\.so' || true; } | sed 's/^/-l:/' | paste -sd' ')
		readelf -d "$MDLAUNCH" | grep -q '(NEEDED)' || mdl_static=yes
	fi
	[ -n "$libs" ] || libs="-liniparser -lconfig -lcap -lm"
	gcc -O2 -o "$OUT/noop-mdlaunch-libs" "$OUT/noop.c" -Wl,--no-as-needed $libs
	{
		spec_line noop-static - "$OUT/noop-static"
		spec_line noop-dynamic-libc - "$OUT/noop-dynamic"
		spec_line noop-with-mdlaunch-libs - "$OUT/noop-mdlaunch-libs"
		if [ -x "$MDLAUNCH" ]; then
			spec_line mdlaunch-version - "$MDLAUNCH" --version
			# `init` by hand (no launcher pipe on fd 3) refuses at once: exec + loader + refusal
			spec_line 'mdlaunch-init-refusal!*' - "$MDLAUNCH" init
		fi
	} >"$OUT/loader.spec"
	"$OUT/timer" lat -n 300 -w 10 -s "$SEED" -L "$OUT/logs" -f noop-static -r noop-dynamic-libc \
		"$OUT/loader.spec" | tee "$OUT/loader.md" | tee -a "$RESULTS"
	say ""
	say "Differences of medians (ms): dynamic libc vs static $(diff_ms "$OUT/loader.md" noop-dynamic-libc noop-static);" \
		"mdlaunch's libraries vs static $(diff_ms "$OUT/loader.md" noop-with-mdlaunch-libs noop-static)," \
		"vs libc only $(diff_ms "$OUT/loader.md" noop-with-mdlaunch-libs noop-dynamic-libc)$([ -x "$MDLAUNCH" ] &&
		echo "; mdlaunch init (refusal) vs static noop $(diff_ms "$OUT/loader.md" mdlaunch-init-refusal noop-static)")."
	say "The same for CPU time (ms): dynamic libc vs static $(cdiff_ms "$OUT/loader.md" noop-dynamic-libc noop-static);" \
		"mdlaunch's libraries vs static $(cdiff_ms "$OUT/loader.md" noop-with-mdlaunch-libs noop-static)," \
		"vs libc only $(cdiff_ms "$OUT/loader.md" noop-with-mdlaunch-libs noop-dynamic-libc)$([ -x "$MDLAUNCH" ] &&
		echo "; mdlaunch init (refusal) vs static noop $(cdiff_ms "$OUT/loader.md" mdlaunch-init-refusal noop-static)")."
	say ""
	say "Each row is fork + exec + exit + wait of a program that does nothing (noop: \`int main(void) { return 0; }\`)," \
		"built static, dynamic against libc only, and dynamic against the libraries a dynamic mdlaunch build loads ($libs)."
	say "The difference between the rows is what the dynamic loader adds to every exec, hence to the re-exec of /proc/self/exe init."
	say ""
	ldstats() # PROGRAM ARGS...: the loader's own account of its startup, median of 21 runs
	{
		local i
		for i in $(seq 21); do
			LD_DEBUG=statistics "$@" 2>&1 >/dev/null 3>&- | sed 's/^ *[0-9]*: *//' |
				awk -F': *' '/total startup time/ {c = $2 + 0} /number of relocations:/ {r = $2 + 0} END {print c, r}'
		done | sort -n | awk '{c[NR] = $1; r = $2} END {printf "%.0f cycles (~%.2f ms at the %s MHz clock), %d relocations", c[11], c[11] / (mhz * 1000), mhz, r}' mhz="$(awk -F': *' '/cpu MHz/ {printf "%.0f", $2; exit}' /proc/cpuinfo)"
	}
	say "LD_DEBUG=statistics, the loader's own startup time (TSC cycles, median of 21 runs):"
	say ""
	say "- noop-dynamic-libc: $(ldstats "$OUT/noop-dynamic")"
	say "- noop-with-mdlaunch-libs: $(ldstats "$OUT/noop-mdlaunch-libs")"
	if [ $mdl_static = yes ]; then
		say ""
		say "mdlaunch is linked statically ($(file -b "$MDLAUNCH" | grep -o 'static-pie linked\|statically linked')): no dynamic loader, no shared library," \
			"in the launcher or in the re-executed init; noop-with-mdlaunch-libs is what a dynamic build (\`make STATIC=0\`) would pay per exec, twice per start."
	elif [ -x "$MDLAUNCH" ]; then
		say "- mdlaunch init (refusal): $(ldstats "$MDLAUNCH" init)"
		say ""
		say "mdlaunch needs $(ldd "$MDLAUNCH" | grep -cv -e vdso -e ld-linux) shared libraries:" \
			"$(ldd "$MDLAUNCH" | awk '$1 !~ /vdso|ld-linux/ {print $1}' | paste -sd' ')."
	fi
	say ""
	say "For comparison crun links $(ldd "$(command -v crun)" | grep -cv -e vdso -e ld-linux) shared libraries and does not re-exec itself for the container side."
	say ""
fi

# --- 7. what the CNI chain costs -------------------------------------------------
# In a mount+network namespace of its own (a tmpfs on /run), which plays the
# host: the bridge, the veths, the rules and the leases never reach the
# machine's network.
if want net && [ $MDL_OK = 1 ] && [ -x /usr/lib/cni/bridge ] && command -v iptables >/dev/null; then
	NET_ROUNDS=${BENCH_NET_ROUNDS:-40}
	{
		spec_line none - "$MDLAUNCH" run --network none -- /bin/true
		spec_line mdlaunch - "$MDLAUNCH" run --network mdlaunch -- /bin/true
		spec_line mdlaunch-publish - "$MDLAUNCH" run --network mdlaunch -p 18090:80 -- /bin/true
	} >"$OUT/net.spec"
	say "## Start to exit of /bin/true: Network=none vs the built-in CNI network ($NET_ROUNDS interleaved rounds, 3 warm-up)"
	say ""
	unshare -m -n bash -c '
		set -e
		mount --make-rprivate /
		mount -t tmpfs -o mode=0755 tmpfs /run
		ip link set lo up
		"$1/timer" lat -n "$2" -w 3 -s "$3" -L "$4/logs" -f none "$4/net.spec" >"$4/net.md"
		# one plugin call at a time, from the -vv timeline of 10 starts
		for i in $(seq 10); do
			"$5" -vv run --network mdlaunch -p 18090:80 -- /bin/true 2>&1 |
				sed -n "s/.*plugin .\(.*\). \(ADD\|DEL\) took \([0-9]*\) us/\1 \2 \3/p"
		done | sort | awk "{ k = \$1 \" \" \$2; s[k] += \$3; n[k]++ } END { for (k in s) printf \"| %s | %.1f |\n\", k, s[k] / n[k] / 1000 }" |
			sort >"$4/net-plugins.md"
		ls /run/mdlaunch/net | wc -l >"$4/net-left"
	' bash "$OUT" "$NET_ROUNDS" "$SEED" "$OUT" "$MDLAUNCH"
	tee -a "$RESULTS" <"$OUT/net.md"
	say ""
	say "Mean time of each plugin call (10 starts of mdlaunch-publish, from the -vv timeline):"
	say ""
	say "| plugin and command | ms |"
	say "|---|---|"
	tee -a "$RESULTS" <"$OUT/net-plugins.md"
	say ""
	say "Cache entries left after the runs: $(cat "$OUT/net-left") (0 expected)."
	say ""
fi

say "## Whole run"
say ""
report_leftovers "$START_SNAPSHOT" "$(cgroup_snapshot)"
say "Load average at the end: $(loadavg)."
cleanup
rm -rf "$CRUN_ROOT"
echo "run-bench: results in $RESULTS" >&2
