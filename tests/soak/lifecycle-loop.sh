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
# SOAK_CASES=kill (a comma-separated subset of exit,term,kill,oom) runs only those cases.
# SOAK_LOAD=N keeps N busy loops running meanwhile (started and killed by pid), to see
# the bounds hold on a loaded machine.
set -u
cd "$(dirname "$0")/../.."
MDLAUNCH=${MDLAUNCH:-$PWD/mdlaunch}
rounds=${1:-500}
cases=,${SOAK_CASES:-exit,term,kill,oom},
want() { [[ $cases == *",$1,"* ]]; }
load_pids=()
for _ in $(seq "${SOAK_LOAD:-0}"); do
	sh -c 'while :; do :; done' &
	load_pids+=($!)
done
stop_load() { [ ${#load_pids[@]} = 0 ] || kill "${load_pids[@]}" 2>/dev/null; wait "${load_pids[@]}" 2>/dev/null; load_pids=(); }
trap stop_load EXIT
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

# init_dead PID: gone, a zombie, or PF_EXITING (0x4 in the flags field of stat).
init_dead() {
	local stat rest st flags
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	rest=${stat##*) }
	read -r st _ _ _ _ _ flags _ <<<"$rest"
	[ "$st" = Z ] || (( ${flags:-0} & 0x4 ))
}
kill_ms=()

start=$(date +%s.%N)
for r in $(seq "$rounds"); do
	if want exit; then
		"$MDLAUNCH" run --name soak-exit -m 64M -- true
		got[exit:$?]=$((${got[exit:$?]:-0} + 1))
	fi

	if want term; then
		"$MDLAUNCH" run --name soak-term -m 64M -- sh -c 'trap "exit 143" TERM; while :; do sleep 0.05; done' &
		pid=$!
		wait_child "$pid"
		wait_handler "$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{print $1}')"
		kill -TERM "$pid"
		wait "$pid"
		got[term:$?]=$((${got[term:$?]:-0} + 1))
	fi

	if want kill; then
		"$MDLAUNCH" run --name soak-kill -m 64M -- sleep 30 &
		pid=$!
		wait_child "$pid"
		init=$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{print $1}')
		t0=${EPOCHREALTIME/./}
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		# Dead: gone, a zombie, or in the kernel's exit path (PF_EXITING): no code of the
		# container runs any more. The bound is 1 s from the launcher's SIGKILL.
		while :; do
			dt=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
			if [ -z "$init" ] || init_dead "$init"; then
				kill_ms+=("$dt")
				break
			fi
			if [ "$dt" -gt 1000 ]; then
				echo "round $r: the container $init outlived its killed launcher by 1 s" \
					"($(grep '^State:' "/proc/$init/status" 2>/dev/null | tr -s '\t ' ' ')," \
					"wchan $(cat "/proc/$init/wchan" 2>/dev/null))"
				kill_ms+=("$dt")
				fail=1
				break
			fi
			sleep 0.005
		done
		got[kill]=$((${got[kill]:-0} + 1))
	fi

	if want oom; then
		"$MDLAUNCH" run --name soak-oom -m 16M -- sh -c 'x=a; while :; do x=$x$x; done' 2>/dev/null
		got[oom:$?]=$((${got[oom:$?]:-0} + 1))
	fi
done
end=$(date +%s.%N)
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
stop_load

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

echo "rounds: $rounds in $(echo "$end - $start" | bc) s (cases ${SOAK_CASES:-exit,term,kill,oom}; ${SOAK_LOAD:-0} busy loops; load average at the end $load_avg)"
for k in "${!got[@]}"; do echo "  $k: ${got[$k]}"; done | sort
if [ ${#kill_ms[@]} -gt 0 ]; then
	sorted=($(printf '%s\n' "${kill_ms[@]}" | sort -n))
	n=${#sorted[@]}
	echo "container dead after the launcher's SIGKILL (ms): median ${sorted[$((n / 2))]}," \
		"p99 ${sorted[$(( (n * 99 + 99) / 100 - 1 ))]}, max ${sorted[$((n - 1))]} ($n rounds)"
fi
echo "leftover cgroups: $leftover_cg, processes: $leftover_proc, mounts: $mounts_before -> $mounts_after"
! want exit || [ "${got[exit:0]:-0}" = "$rounds" ] || fail=1
! want term || [ "${got[term:143]:-0}" = "$rounds" ] || fail=1
! want oom || [ "${got[oom:137]:-0}" = "$rounds" ] || fail=1
[ "$leftover_cg" = 0 ] && [ "$leftover_proc" = 0 ] && [ "$mounts_before" = "$mounts_after" ] || fail=1
[ "$fail" = 0 ] && echo "soak: ok" || echo "soak: FAILED"
exit "$fail"
