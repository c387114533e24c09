#!/usr/bin/env bash
# Checks on the symbols of the compiled objects (nm), run by `make check-exports`
# and `make check-layering`:
#
#   check-symbols.sh exports OBJDIR TESTDIR...
#       every global function or object an object of OBJDIR (src/*.o) defines is
#       used by another object of OBJDIR or by a unit test source (TESTDIR/*.c):
#       anything else should be static (or go).
#   check-symbols.sh cgroup-layers OBJDIR
#       the cgroup files call only downwards: each object of the list below uses
#       symbols of objects of lower layers only (no circle among cgroup*.c).
#
# Prints each offence and exits 1 when there is one.
set -euo pipefail

mode=${1:?mode}
objdir=${2:?object directory}
shift 2

# defined OBJ: the global symbols OBJ defines (functions, data, read-only data)
defined() { nm --defined-only -g "$1" | awk '$2 ~ /^[TDRBVW]$/ { print $3 }' | sort -u; }
# undefined OBJ: the symbols OBJ uses from elsewhere
undefined() { nm -u "$1" | awk '{ print $NF }' | sort -u; }

fail=0
case "$mode" in
exports)
	# "OBJ SYM" lines: what each object defines, and what each uses.
	defs=$(for o in "$objdir"/*.o; do defined "$o" | sed "s|^|$(basename "$o" .o) |"; done)
	uses=$(for o in "$objdir"/*.o; do undefined "$o" | sed "s|^|$(basename "$o" .o) |"; done)
	# The words of the unit tests and fuzz harnesses (they link libmdlaunch.a).
	words=$(if [ $# -gt 0 ]; then cat $(for d in "$@"; do ls "$d"/*.c; done) |
		grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u; fi)
	while read -r obj sym; do
		[ "$sym" = main ] && continue
		if awk -v o="$obj" -v s="$sym" '$1 != o && $2 == s { f = 1 } END { exit !f }' \
			<<<"$uses"; then
			continue
		fi
		grep -qx -- "$sym" <<<"$words" && continue
		echo "$obj.c: '$sym' is exported but used nowhere else (make it static or remove it)"
		fail=1
	done <<<"$defs"
	[ $fail = 0 ] && echo "check-exports: ok"
	;;
cgroup-layers)
	# One line per layer, bottom first.
	layers=(
		"cgroup-locate"
		"cgroup-levels"
		"cgroup-v1 cgroup-v2 cgroup-cpuset cgroup-memory cgroup-cpu cgroup-pids"
		"cgroup"
		"cgroup-probe"
	)
	declare -A rank
	for i in "${!layers[@]}"; do
		for f in ${layers[$i]}; do rank[$f]=$i; done
	done
	# Every cgroup*.o must have a layer.
	for o in "$objdir"/cgroup*.o; do
		f=$(basename "$o" .o)
		if [ -z "${rank[$f]+x}" ]; then
			echo "$f.c has no layer in tests/check-symbols.sh"
			fail=1
		fi
	done
	declare -A owner
	for f in "${!rank[@]}"; do
		for sym in $(defined "$objdir/$f.o"); do owner[$sym]=$f; done
	done
	for f in "${!rank[@]}"; do
		for sym in $(undefined "$objdir/$f.o"); do
			o=${owner[$sym]:-}
			[ -n "$o" ] || continue
			if [ "${rank[$o]}" -ge "${rank[$f]}" ]; then
				echo "$f.c calls $o.c ('$sym'), which is not below it"
				fail=1
			fi
		done
	done
	[ $fail = 0 ] && echo "check-layering: cgroup layers ok"
	;;
*)
	echo "usage: $0 exports|cgroup-layers OBJDIR [TESTDIR...]" >&2
	exit 2
	;;
esac
exit $fail
