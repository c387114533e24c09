#!/usr/bin/env bash
# Runs the test suites as TAP and prints one closing line: "N passed, N failed, N skipped".
#   tests/run-tests.sh [unit] [integration] [fuzz]     (default: all three, in that order)
# BUILD names the build tree (build/release or build/asan). Exit 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit integration fuzz)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run_tap() { # name, command...
	local name=$1; shift
	echo "# --- $name"
	"$@" 2>&1 | tee -a "$log"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
		status=1
	fi
}

for suite in "${suites[@]}"; do
	case $suite in
	unit)
		for t in "$BUILD"/tests/test-*; do
			[ -x "$t" ] || continue
			run_tap "unit $(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
		done
		;;
	integration)
		if [ "$(id -u)" != 0 ]; then
			echo "ok - integration tests # SKIP not root" | tee -a "$log"
			continue
		fi
		run_tap "integration" env MDLAUNCH="$PWD/$BUILD/mdlaunch" \
			bats --tap tests/integration
		;;
	fuzz)
		for t in "$BUILD"/fuzz/replay-*; do
			[ -x "$t" ] || continue
			target=${t##*/replay-}
			run_tap "fuzz corpus $target" "$t" "tests/fuzz/corpus/$target"
		done
		;;
	*)
		echo "unknown suite '$suite'" >&2
		exit 2
		;;
	esac
done

passed=$(grep -cE '^ok ' "$log" | head -1)
skipped=$(grep -ciE '^ok .*# skip' "$log" | head -1)
failed=$(grep -cE '^not ok ' "$log" | head -1)
passed=$((passed - skipped))
[ "$failed" -eq 0 ] || status=1
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
