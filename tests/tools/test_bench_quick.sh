#!/usr/bin/env bash
# `make bench` with BENCH_ARGS=--quick (bench/run.sh --quick) is a smoke run: it writes
# build/bench/BENCHMARKS.quick.md and leaves the committed docs/BENCHMARKS.md alone; only a
# full run rewrites it, keeping the Linux sections 6-8 measured on their own. bench/run.sh runs
# in a scratch copy of the tree whose measuring steps are stubs, so no Bochs run is needed.
# usage: tests/tools/test_bench_quick.sh     prints ok/not ok lines; exit 1 on a failure
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/tools/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bench" "$tmp/docs" "$tmp/build/bench"
cp "$root/bench/run.sh" "$root/bench/analysis.md" "$tmp/bench/"
stub() {	# stub PATH OUTPUT: an executable that prints OUTPUT
	printf '#!/bin/sh\necho "%s"\n' "$2" >"$tmp/$1"
	chmod +x "$tmp/$1"
}
stub bench/build.sh ''
stub build/bench/native 'NATIVE TABLE ### g. Worst case per exit WORST ROWS'
stub bench/emulated.sh 'EMULATED TABLE'
stub bench/balancer.sh 'BALANCER TABLE'
printf '# Benchmarks\n\nrecorded\n\n## 6. Linux boot\n\nsix\n\n## 7. Linux moves\n\nseven\n\n## 9. SVM\n\nnine\n' \
	>"$tmp/docs/BENCHMARKS.md"
cp "$tmp/docs/BENCHMARKS.md" "$tmp/recorded.md"

if "$tmp/bench/run.sh" --quick >"$tmp/quick.out" 2>&1; then ok "bench/run.sh --quick runs (stubbed)"; else
	not_ok "bench/run.sh --quick runs (stubbed): $(tail -n 5 "$tmp/quick.out")"
fi
check "--quick leaves docs/BENCHMARKS.md as it was" cmp -s "$tmp/docs/BENCHMARKS.md" "$tmp/recorded.md"
check "--quick writes build/bench/BENCHMARKS.quick.md" grep -q 'EMULATED TABLE' "$tmp/build/bench/BENCHMARKS.quick.md"
check "--quick says where it wrote" grep -q 'bench: wrote build/bench/BENCHMARKS.quick.md' "$tmp/quick.out"

# BENCH_ARGS may put --quick after other arguments
cp "$tmp/recorded.md" "$tmp/docs/BENCHMARKS.md"
"$tmp/bench/run.sh" --size 1G --quick >/dev/null 2>&1
check "--quick after another argument also leaves it alone" \
	cmp -s "$tmp/docs/BENCHMARKS.md" "$tmp/recorded.md"

if "$tmp/bench/run.sh" >"$tmp/full.out" 2>&1; then ok "bench/run.sh (a full run) runs (stubbed)"; else
	not_ok "bench/run.sh (a full run) runs (stubbed): $(tail -n 5 "$tmp/full.out")"
fi
check "a full run rewrites docs/BENCHMARKS.md" grep -q 'BALANCER TABLE' "$tmp/docs/BENCHMARKS.md"
check "a full run keeps the Linux sections 6 and 7" \
	grep -qx 'seven' "$tmp/docs/BENCHMARKS.md"
check "and section 9 (make bench-svm)" grep -qx 'nine' "$tmp/docs/BENCHMARKS.md"
exit $failed
