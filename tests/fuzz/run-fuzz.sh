#!/usr/bin/env bash
# Builds libFuzzer targets with clang (ASan + UBSan) and runs each for a while.
#   tests/fuzz/run-fuzz.sh SECONDS TARGET...      (targets: container global values)
# Binaries go to build/fuzz-clang/; each run starts from and grows
# tests/fuzz/corpus/<target>/, and a crash is written there too (artifact
# prefix), to be committed so that `make check` replays it from then on.
set -eu
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
seconds=$1; shift
CC=${FUZZ_CC:-clang}
out=build/fuzz-clang
mkdir -p "$out"
# The same preprocessor flags as the Makefile.
cppflags=(-D_GNU_SOURCE -DMDLAUNCH_VERSION='"0.1.0"' -Isrc)
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all)
srcs=()
for f in src/*.c; do [ "$f" = src/main.c ] || srcs+=("$f"); done
status=0
for target in "$@"; do
	harness=tests/fuzz/fuzz-$target.c
	[ -f "$harness" ] || { echo "no such target: $target" >&2; exit 2; }
	corpus=tests/fuzz/corpus/$target
	mkdir -p "$corpus"
	echo "== building $target"
	"$CC" "${cppflags[@]}" "${cflags[@]}" -o "$out/fuzz-$target" "$harness" "${srcs[@]}" \
		-liniparser -lconfig -lcap -lseccomp -ljansson -lm
	echo "== fuzzing $target for ${seconds}s"
	# New inputs go to a scratch dir: the committed corpus stays small and
	# reviewed (merge by hand with -merge=1 when they are worth keeping).
	scratch=$out/corpus-$target
	mkdir -p "$scratch"
	if ! ASAN_OPTIONS=detect_leaks=1 "$out/fuzz-$target" -max_total_time="$seconds" \
		-timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$corpus/" "$scratch" "$corpus"; then
		echo "== $target: FAILED (the input is in $corpus/)"
		status=1
	fi
done
exit $status
