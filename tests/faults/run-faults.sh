#!/usr/bin/env bash
# Fault sweep of the start and stop paths (make check-faults; root).
#
#   tests/faults/run-faults.sh [CONFIG...]      (default: every configuration below)
#
# For each configuration, one traced run records the system calls the launcher
# makes (all of them) and the clone child and init make before the command's
# exec. Then, for every call, occurrence 1..FAULTS_OCCURRENCES (as far as the
# record has them) and errno in FAULTS_ERRNOS, one run fails exactly that call
# with strace's fault injection (-e inject=CALL:error=ERRNO:when=N; strace
# counts the occurrences per process). Each run is judged:
#   - it ends within FAULTS_TIMEOUT seconds (no hang) and mdlaunch does not die
#     of a signal;
#   - it exits 0 (the call was optional and the run carried on) or 125/126/127
#     with one to three stderr lines;
#   - nothing is left: no container cgroup below our own cgroup, no process of
#     the run, the mount table unchanged (network: no veth, rule, lease, pin or
#     cache entry, unless the run said the next run retries the teardown and a
#     plain next run removed it all).
# glibc's own start-up calls before main() are skipped (no program can handle
# those). A case whose fault hit the container's command (init's count goes
# on there after the exec) is skipped, not judged. Prints a table of the
# failures and skips (call, n, errno, exit, first line, leftovers) and closes
# with "N passed, N failed, N skipped".
#
# On a pure cgroup v2 host each launcher runs alone in a delegated cgroup of
# its own, started there by tests/faults/cgexec.c (see DELEGATED below).
#
# Environment: MDLAUNCH (default ./mdlaunch), FAULTS_ERRNOS (default "EIO ENOMEM
# EAGAIN EINTR ENOSPC"), FAULTS_OCCURRENCES (default 3), FAULTS_TIMEOUT (default
# 20), FAULTS_TABLE=1 prints every case, not only the failures, FAULTS_CGEXEC
# (v2: the built tests/faults/cgexec.c; default: built into the work directory).
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
MDLAUNCH=${MDLAUNCH:-$TOP/mdlaunch}
ERRNOS=${FAULTS_ERRNOS:-EIO ENOMEM EAGAIN EINTR ENOSPC}
OCCURRENCES=${FAULTS_OCCURRENCES:-3}
TIMEOUT=${FAULTS_TIMEOUT:-20}
SKIP_CALLS=" brk arch_prctl mprotect rseq set_tid_address set_robust_list exit_group execve "

if [ "$(id -u)" != 0 ]; then
	echo "ok - fault sweep # SKIP not root"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
command -v strace >/dev/null || {
	echo "not ok - strace is not installed (make deps installs it)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

WORK=$(mktemp -d)
trap 'remove_delegated; rm -rf "$WORK"' EXIT
passed=0 failed=0 skipped=0

# fs_mount TYPE [CONTROLLER]: where the first file system of TYPE (cgroup:
# the one with CONTROLLER among its options) is mounted. The type is the
# field after " - " (the optional fields before it vary in number).
fs_mount()
{
	awk -v t="$1" -v c="${2:-}" '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != t) next
		if (c != "" && ("," $(i + 3) ",") !~ ("," c ",")) next
		print $5; exit
	}' /proc/self/mountinfo
}

# Our own cgroup directory in every hierarchy (v1 controllers and cgroup2).
own_cgroup_dirs()
{
	local line id ctls path mnt
	while IFS=: read -r id ctls path; do
		if [ "$id" = 0 ]; then
			mnt=$(fs_mount cgroup2)
		else
			mnt=$(fs_mount cgroup "${ctls%%,*}")
		fi
		[ -n "$mnt" ] && [ -d "$mnt$path" ] && printf '%s\n' "${mnt%/}${path%/}"
	done </proc/self/cgroup
}

# A pure cgroup v2 host: each traced launcher runs alone in a cgroup of its
# own, DELEGATED (a sibling of ours, whose parent delegates the controllers,
# as tests/integration/helpers.bash's mdl_delegated and a systemd unit with
# Delegate=yes do): one shared with this shell and strace could never
# delegate them. strace stays here; the command it starts is a small
# wrapper (tests/faults/cgexec.c) that starts the launcher as its child
# directly in DELEGATED (clone3 with CLONE_INTO_CGROUP) and exits with its
# status: the launcher's own count of each call starts at its exec, as
# without the wrapper, and the record leaves the wrapper's calls out.
UNIFIED=0
[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && UNIFIED=1
DELEGATED=
WRAPPER=()
if [ "$UNIFIED" = 1 ]; then
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	own=${own%/*}
	DELEGATED_PREFIX="$(fs_mount cgroup2)${own%/}/mdl-faults-$$"
	CGEXEC=${FAULTS_CGEXEC:-$WORK/cgexec}
	if ! [ -x "$CGEXEC" ] && ! cc -O2 -static -Wall -Wextra -Werror -o "$CGEXEC" "$TOP/tests/faults/cgexec.c"; then
		echo "not ok - cannot build tests/faults/cgexec.c (make deps installs a compiler)"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	WRAPPER=("$CGEXEC")
fi

# new_delegated: makes a fresh DELEGATED for the next run (v2 only).
new_delegated()
{
	[ "$UNIFIED" = 1 ] || return 0
	DELEGATED=$DELEGATED_PREFIX-$((++delegated_count))
	mkdir "$DELEGATED"
}

# delegated_left: what the run left below DELEGATED (v2): processes (the
# launcher moved itself into supervisor/ and back) or directories.
delegated_left()
{
	[ -n "$DELEGATED" ] && [ -d "$DELEGATED" ] || return 0
	[ -n "$(cat "$DELEGATED/cgroup.procs" 2>/dev/null)" ] && echo "delegated-procs"
	find "$DELEGATED" -mindepth 1 -type d -printf '%P\n' 2>/dev/null | sort | head -n 3 |
		sed 's/^/delegated:/'
	return 0
}

# remove_delegated: kills what is left in DELEGATED and removes it, bottom-up.
remove_delegated()
{
	local d i
	[ -n "$DELEGATED" ] && [ -d "$DELEGATED" ] || return 0
	[ -e "$DELEGATED/cgroup.kill" ] && echo 1 >"$DELEGATED/cgroup.kill" 2>/dev/null
	for d in $(find "$DELEGATED" -depth -type d); do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			sleep 0.1
		done
	done
	[ -d "$DELEGATED" ] && echo "# cannot remove $DELEGATED" >&2
	DELEGATED=
	return 0
}
delegated_count=0

# The containers of this sweep are all named $NAME, so their cgroups are
# mdlaunch/$NAME-<launcher pid> below our own cgroup: only those are judged
# and removed (other runs on this machine may share our cgroup).
NAME=fault$$
container_cgroups()
{
	local d c
	for d in $(own_cgroup_dirs) $DELEGATED; do
		for c in "$d"/mdlaunch/"$NAME"-*/; do
			[ -d "$c" ] && printf '%s\n' "${c%/}"
		done
	done
	return 0
}

token_pids()
{
	grep -lsz -- "^MDL_FAULT_TOKEN=$1\$" /proc/[0-9]*/environ | sed 's|/proc/\([0-9]*\)/environ|\1|'
}

# has_comm TOKEN COMM: a process of the run named COMM is alive.
has_comm()
{
	local p
	for p in $(token_pids "$1"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

mount_ids()
{
	awk '{ print $1, $5 }' /proc/self/mountinfo | sort
}

# Removes what a failed case left, so the next case starts clean.
clean_leftovers()
{
	local token=$1 pid cg i
	for pid in $(token_pids "$token"); do kill -KILL "$pid" 2>/dev/null; done
	: >"$MDLAUNCH_USERNS_STATE"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(token_pids "$token")" ] && break
		sleep 0.1
	done
	for cg in $(container_cgroups); do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$cg" 2>/dev/null && break
			sleep 0.1
		done
	done
	remove_delegated
}

# --- configurations: each sets CMD (an array) and, optionally, STOP=1 ------------

config_run_limits()
{
	CMD=("$MDLAUNCH" run --name "$NAME" -m 64m --cpushare 512 --cpuset 0 --hostname faults -e A=b -- true)
}

config_file_init_user()
{
	cat >"$WORK/init-user.container" <<EOF
[Container]
Name = $NAME
Command = /bin/sh -c "exit 0"
Init = true
User = nobody
PidsLimit = 64
Memory = 64M
LimitNOFILE = 1024
EOF
	chmod 644 "$WORK/init-user.container"
	CMD=("$MDLAUNCH" "$WORK/init-user.container")
}

# A container stopped by SIGTERM once it runs (Init=true: sleep has no handler).
config_stop_sigterm()
{
	cat >"$WORK/stop.container" <<EOF
[Container]
Name = $NAME
Command = sleep 30
Init = true
Memory = 64M
StopTimeout = 5
EOF
	chmod 644 "$WORK/stop.container"
	CMD=("$MDLAUNCH" "$WORK/stop.container")
	STOP=1
}

# A user namespace: the fork-like clone, the map writes, the range allocation
# (in a state file of the sweep's own; any line left there is a leak).
export MDLAUNCH_USERNS_STATE=$WORK/userns-state
config_userns_auto()
{
	CMD=("$MDLAUNCH" run --name "$NAME" --userns auto -m 64m -- true)
}

# Rootfs=DIR:O with a volume and ReadOnly=true, in a mount namespace of its own
# (nothing may stay mounted there or in /run/mdlaunch/rootfs on the host).
config_rootfs_overlay()
{
	[ -e "$TOP/build/rootfs/etc/mdlaunch-rootfs" ] || make -s -C "$TOP" rootfs >/dev/null || return 1
	mkdir -p "$WORK/vol"
	cat >"$WORK/rootfs.container" <<EOF
[Container]
Name = $NAME
# The command itself is traced too (strace -f): keep it one that cannot fail.
Command = /bin/true
Rootfs = $TOP/build/rootfs:O
Volume = $WORK/vol:/data
ReadOnly = true
Memory = 64M
EOF
	chmod 644 "$WORK/rootfs.container"
	CMD=("$MDLAUNCH" "$WORK/rootfs.container")
	WRAP=(unshare -m --propagation private --)
}

# Network=mdlaunch with a published port, in a mount+network namespace that
# plays the host (tests/faults/netns-run.sh judges veths, rules and leases
# there). The CNI plugins make it slow: one occurrence, two errnos. strace lets
# go of a process at its execve (-b execve): the faults hit the launcher (ADD,
# DEL, the pin, the cache entry) and the clone child, not the plugins (Go
# programs that do not survive a failing futex), nor init, which the other
# configurations sweep.
config_network()
{
	command -v iptables >/dev/null && [ -x /usr/lib/cni/bridge ] || return 1
	CMD=("$MDLAUNCH" run --name "$NAME" --network mdlaunch -p 18080:8080 -- true)
	WRAP=(unshare -m -n --propagation private -- env FAULTS_NAME="$NAME" FAULTS_MDLAUNCH="$MDLAUNCH" \
		"$TOP/tests/faults/netns-run.sh" "$WORK/netleft")
	CFG_ERRNOS="EIO ENOMEM"
	CFG_OCCURRENCES=1
	CFG_STRACE=(-b execve)
}

# hit_command TRACE: the injected fault (strace -e trace=CALL,execve) hit a
# process after it exec'd the container's command (not the launcher, not
# /proc/self/exe, not WRAPPER).
hit_command()
{
	awk -v launcher="${CMD[0]}" '
		{
			pid = $1; line = $0
			sub(/^[0-9]+ +/, "", line)
			if (line ~ /^execve\(/) {
				path = line; sub(/^execve\("/, "", path); sub(/".*/, "", path)
				other[pid] = path != launcher && path != "/proc/self/exe" && path !~ /\/cgexec$/
				if (line ~ /unfinished/) { pending[pid] = 1; next }
				if (other[pid] && line !~ /= -1 /) cmd[pid] = 1
				next
			}
			if (line ~ /^<\.\.\. execve resumed>/ && pending[pid]) {
				pending[pid] = 0
				if (other[pid] && line !~ /= -1 /) cmd[pid] = 1
				next
			}
			if (line ~ /\(INJECTED\)$/ && cmd[pid]) found = 1
		}
		END { exit !found }' "$1"
}

CONFIGS=(run_limits file_init_user stop_sigterm userns_auto rootfs_overlay network)

# run_case TOKEN OUT ERR [STRACE-ARGS...]: runs CMD under strace; prints the exit status.
run_case()
{
	local token=$1 out=$2 err=$3 pid rc i
	shift 3
	: >"$WORK/netleft"
	MDL_FAULT_TOKEN=$token timeout -k 5 "$TIMEOUT" "${WRAP[@]}" strace -f -qq "${CFG_STRACE[@]}" "$@" -- \
		"${WRAPPER[@]}" ${DELEGATED:+"$DELEGATED"} "${CMD[@]}" >"$out" 2>"$err" </dev/null &
	pid=$!
	if [ "${STOP:-0}" = 1 ]; then
		# Stop it once the command runs (or give up after 3 s: the fault may have ended it).
		for i in $(seq 30); do
			has_comm "$token" sleep && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		for p in $(token_pids "$token"); do
			# The launcher: the mdlaunch whose parent is strace (or WRAPPER).
			case $(cat /proc/"$(awk '{print $4}' /proc/$p/stat 2>/dev/null)"/comm 2>/dev/null) in
			strace | cgexec)
				[ "$(cat /proc/$p/comm 2>/dev/null)" = mdlaunch ] && kill -TERM "$p" 2>/dev/null
				;;
			esac
		done
	fi
	wait $pid
	rc=$?
	echo "$rc"
}

for config in "${@:-${CONFIGS[@]}}"; do
	STOP=0
	CMD=()
	WRAP=()
	CFG_ERRNOS=$ERRNOS
	CFG_OCCURRENCES=$OCCURRENCES
	CFG_STRACE=()
	recorded_n=0
	declare -A exits=()
	if ! "config_$config"; then
		echo "ok - $config # SKIP what it needs is missing (iptables, the CNI plugins, busybox-static)"
		skipped=$((skipped + 1))
		continue
	fi
	echo "# --- $config: ${CMD[*]}"

	# 1. The record: which calls, how many times.
	new_delegated || { echo "not ok - $config: cannot create $DELEGATED"; failed=$((failed + 1)); continue; }
	rc=$(run_case "rec-$config-$$" "$WORK/out" "$WORK/err" -o "$WORK/trace")
	expected=0
	[ "$STOP" = 1 ] && expected=143
	if [ "$rc" != "$expected" ]; then
		echo "not ok - $config: the traced run without faults exited $rc (expected $expected)"
		sed 's/^/#   /' "$WORK/err"
		failed=$((failed + 1))
		clean_leftovers "rec-$config-$$"
		continue
	fi
	# pid -> its calls; the container's calls count only before its command's exec,
	# and nothing of a process cloned by one that had exec'd something else (the
	# threads and children of the command or of a CNI plugin) counts. The first
	# process is WRAPPER's when there is one (v2): not ours to judge.
	awk -v skip="$SKIP_CALLS" -v wrapped=${#WRAPPER[@]} '
		function parse(    l) {
			pid = $1; line = $0
			sub(/^[0-9]+ +/, "", line)
			call = line; sub(/\(.*/, "", call)
		}
		# foreign(P, L): at trace line L, process P runs a program not ours.
		function foreign(p, l) {
			if (p in execat && l >= execat[p]) return 1
			if (p in parent) return foreign(parent[p], cloneat[p])
			return 0
		}
		NR == FNR {
			parse()
			if (FNR == 1) first = pid
			if (wrapped && pid == first) next
			if (call == "execve" && !(pid in execat) && line !~ /proc\/self\/exe/ &&
			    (pid in seen || line !~ /mdlaunch/))
				execat[pid] = FNR
			seen[pid] = 1
			if ((line ~ /^(clone3?|v?fork)\(/ || line ~ /^<\.\.\. (clone3?|v?fork) resumed>/) &&
			    match(line, /= [0-9]+( <[^>]*>)?$/)) {
				child = substr(line, RSTART + 2); sub(/ .*/, "", child)
				parent[child] = pid; cloneat[child] = FNR
			}
			next
		}
		{
			parse()
			if (wrapped && pid == first) next
			if (line ~ /^<\.\.\. / || line ~ /^\+\+\+/ || line ~ /^---/) next
			if (call !~ /^[a-z_0-9]+$/) next
			if (foreign(pid, FNR)) next
			if (index(skip, " " call " ")) next
			n[call]++
		}
		END { for (c in n) print c, n[c] }' "$WORK/trace" "$WORK/trace" | sort >"$WORK/calls"
	clean_leftovers "rec-$config-$$"

	while read -r call count; do
		max=$count
		[ "$max" -gt "$CFG_OCCURRENCES" ] && max=$CFG_OCCURRENCES
		for n in $(seq 1 "$max"); do
			for e in $CFG_ERRNOS; do
				token="f-$$-$config-$call-$n-$e"
				before_mounts=$(mount_ids)
				t0=$SECONDS
				if ! new_delegated; then
					echo "not ok - $config $call#$n $e: cannot create $DELEGATED"
					failed=$((failed + 1))
					continue
				fi
				rc=$(run_case "$token" "$WORK/out" "$WORK/err" -o "$WORK/inj" \
					-e trace="$call,execve" -e inject="$call":error="$e":when="$n")
				hung=0
				[ $((SECONDS - t0)) -ge "$TIMEOUT" ] && hung=1
				lines=$(grep -vc '^$' "$WORK/err")
				first=$(head -n 1 "$WORK/err" | cut -c1-120)
				sleep 0.05
				left=()
				[ -n "$(token_pids "$token")" ] && left+=("processes")
				[ -n "$(container_cgroups)" ] && left+=("cgroups")
				left+=($(delegated_left))
				[ "$(mount_ids)" != "$before_mounts" ] && left+=("mounts")
				[ -n "$(ls -A /run/mdlaunch/rootfs 2>/dev/null)" ] && left+=("rootfs-dir")
				# A teardown the launcher could not finish is fine when it said so
				# ("the next run retries it") and the next run did remove it.
				recorded=
				if [ -s "$WORK/netleft" ]; then
					if grep -q '^cleared-by-next-run:' "$WORK/netleft" && grep -q 'next run' "$WORK/err"; then
						recorded=" (recorded: $(sed 's/^cleared-by-next-run: //' "$WORK/netleft"), removed by the next run)"
						recorded_n=$((recorded_n + 1))
					else
						left+=("$(cat "$WORK/netleft")")
					fi
				fi
				[ -s "$MDLAUNCH_USERNS_STATE" ] && left+=("userns range")
				verdict=ok
				why=
				case $rc in
				0 | "$expected") ;;
				137)
					# A stop whose signal could not be delivered ends by StopTimeout=.
					if [ "$STOP" != 1 ] || ! grep -q "killing it" "$WORK/err"; then
						verdict="not ok"; why="died of signal 9"
					fi
					;;
				125 | 126 | 127)
					if [ "$lines" -lt 1 ] || [ "$lines" -gt 3 ]; then
						verdict="not ok"
						why="$lines stderr lines"
					fi
					;;
				*)
					if [ "$rc" -gt 128 ] && [ "$rc" != "$expected" ]; then
						verdict="not ok"; why="died of signal $((rc - 128))"
					else
						verdict="not ok"; why="exit $rc"
					fi
					;;
				esac
				if [ "$hung" = 1 ]; then
					verdict="not ok"; why="hang (killed after ${TIMEOUT}s)"
				fi
				if [ ${#left[@]} -gt 0 ]; then
					verdict="not ok"
					why="${why:+$why; }left: ${left[*]}"
				fi
				exits["$rc"]=$((${exits["$rc"]:-0} + 1))
				# strace counts per process: the container's init starts at 1 and
				# goes on counting in the command after its exec. A run whose
				# fault hit the command's own calls (e.g. on v2, the launcher's
				# first mmap fails, it clones without CLONE_INTO_CGROUP, and the
				# command's loader gets init's first mmap) judges the command.
				skip=0
				if [ "$verdict" != ok ] && hit_command "$WORK/inj"; then
					verdict="ok"
					why="$why] # SKIP [the fault hit the command's own $call"
					skip=1
					skipped=$((skipped + 1))
				elif [ "$verdict" = ok ]; then
					passed=$((passed + 1))
				else
					failed=$((failed + 1))
				fi
				if [ "$verdict" != ok ] || [ "$skip" = 1 ] || [ "${FAULTS_TABLE:-0}" = 1 ]; then
					printf '%s - %s %s#%s %s: exit %s, %s line(s)%s%s | %s\n' "$verdict" \
						"$config" "$call" "$n" "$e" "$rc" "$lines" "${why:+ [$why]}" "$recorded" "$first"
				fi
				clean_leftovers "$token"
			done
		done
	done <"$WORK/calls"
	summary=
	for k in $(printf '%s\n' "${!exits[@]}" | sort -n); do
		summary+="${summary:+, }${exits[$k]} exited $k"
	done
	echo "# $config: $(wc -l <"$WORK/calls") calls swept: ${summary:-no case}; $recorded_n teardown(s) recorded for the next run"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
