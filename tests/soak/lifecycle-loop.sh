#!/usr/bin/env bash
# Soak test of the container lifecycle (issue: supervision). Runs N rounds (default 500) of
# four ways a container ends, then reports what was left behind:
#   1. a normal exit (status 0 expected)
#   2. a stop request: SIGTERM to the launcher while the container runs (143 expected)
#   3. kill -9 of the launcher (the container must die with it; the next run sweeps the cgroup)
#   4. an OOM kill (Memory=16M, 137 expected)
# Leftovers counted after the loop (and after one more normal run, which removes stale cgroups
# of dead launchers): cgroup directories named soak-* below our own cgroups, processes whose
# environment carries this run's marker, and the mount count of this namespace.
# Usage: tests/soak/lifecycle-loop.sh [ROUNDS]   (root; MDLAUNCH defaults to ./mdlaunch)
set -u
cd "$(dirname "$0")/../.."
MDLAUNCH=${MDLAUNCH:-$PWD/mdlaunch}
rounds=${1:-500}
marker=MDL_SOAK_$$
export "$marker=1"

mounts_before=$(wc -l </proc/self/mountinfo)
fail=0
declare -A got

wait_child() { # PID NAME: waits for the container init below launcher PID to appear
	local i
	for i in $(seq 100); do
		[ -n "$(cat /proc/"$1"/task/*/children 2>/dev/null)" ] && return 0
		sleep 0.01
	done
	return 1
}

# wait_handler PID: waits until PID catches SIGTERM (SigCgt bit 15). A stop request that
# arrives before the command installed its handler is dropped by the kernel (PID 1 of a
# namespace gets no default actions) and ends only with StopTimeout, by design.
wait_handler() {
	local i cgt
	for i in $(seq 200); do
		cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
		[ -n "$cgt" ] && (( 0x$cgt & 0x4000 )) && return 0
		sleep 0.01
	done
	return 1
}

start=$(date +%s.%N)
for r in $(seq "$rounds"); do
	"$MDLAUNCH" run --name soak-exit -m 64M -- true
	got[exit:$?]=$((${got[exit:$?]:-0} + 1))

	"$MDLAUNCH" run --name soak-term -m 64M -- sh -c 'trap "exit 143" TERM; while :; do sleep 0.05; done' &
	pid=$!
	wait_child "$pid"
	wait_handler "$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{print $1}')"
	kill -TERM "$pid"
	wait "$pid"
	got[term:$?]=$((${got[term:$?]:-0} + 1))

	"$MDLAUNCH" run --name soak-kill -m 64M -- sleep 30 &
	pid=$!
	wait_child "$pid"
	init=$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{print $1}')
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	for i in $(seq 100); do [ -d "/proc/$init" ] || break; sleep 0.01; done
	# Still running user code: not gone, not a zombie, not in the kernel's exit path (PF_EXITING).
	stat=$(cat "/proc/$init/stat" 2>/dev/null) || stat=
	rest=${stat##*) }
	read -r st _ _ _ _ _ flags _ <<<"$rest"
	if [ -n "$init" ] && [ -n "$stat" ] && [ "$st" != Z ] && ! (( ${flags:-0} & 0x4 )); then
		echo "round $r: the container $init outlived its killed launcher by 1 s" \
			"($(grep '^State:' "/proc/$init/status" 2>/dev/null | tr -s '\t ' ' ')," \
			"wchan $(cat "/proc/$init/wchan" 2>/dev/null))"
		fail=1
	fi
	got[kill]=$((${got[kill]:-0} + 1))

	"$MDLAUNCH" run --name soak-oom -m 16M -- sh -c 'x=a; while :; do x=$x$x; done' 2>/dev/null
	got[oom:$?]=$((${got[oom:$?]:-0} + 1))
done
end=$(date +%s.%N)

# One more run of the killed name sweeps its stale cgroups.
"$MDLAUNCH" run --name soak-kill -m 64M -- true

leftover_cg=0
while IFS=: read -r _ ctls path; do
	dirs=()
	if [ -z "$ctls" ]; then # the unified hierarchy (v2, or hybrid's unified/)
		dirs=("/sys/fs/cgroup$path/mdlaunch" "/sys/fs/cgroup/unified$path/mdlaunch")
	else
		for c in ${ctls//,/ }; do dirs+=("/sys/fs/cgroup/$c$path/mdlaunch"); done
	fi
	for d in "${dirs[@]}"; do
		[ -d "$d" ] || continue
		n=$(find "$d" -mindepth 1 -maxdepth 1 -type d -name 'soak-*' | wc -l)
		leftover_cg=$((leftover_cg + n))
	done
done </proc/self/cgroup
leftover_proc=0
for e in /proc/[0-9]*/environ; do
	p=${e#/proc/}; p=${p%/environ}
	[ "$p" = $$ ] && continue
	grep -qz "^$marker=" "$e" 2>/dev/null && leftover_proc=$((leftover_proc + 1))
done
mounts_after=$(wc -l </proc/self/mountinfo)

echo "rounds: $rounds in $(echo "$end - $start" | bc) s"
for k in "${!got[@]}"; do echo "  $k: ${got[$k]}"; done | sort
echo "leftover cgroups: $leftover_cg, processes: $leftover_proc, mounts: $mounts_before -> $mounts_after"
[ "${got[exit:0]:-0}" = "$rounds" ] || fail=1
[ "${got[term:143]:-0}" = "$rounds" ] || fail=1
[ "${got[oom:137]:-0}" = "$rounds" ] || fail=1
[ "$leftover_cg" = 0 ] && [ "$leftover_proc" = 0 ] && [ "$mounts_before" = "$mounts_after" ] || fail=1
[ "$fail" = 0 ] && echo "soak: ok" || echo "soak: FAILED"
exit "$fail"
