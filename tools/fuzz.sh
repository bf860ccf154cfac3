#!/usr/bin/env bash
# `make fuzz`: run the libFuzzer harnesses (build/fuzz/fuzz_NAME, from tests/fuzz/fuzz_NAME.c)
# FUZZ_JOBS at a time (default 1) and print one table: harness, executions, executions per second,
# coverage (libFuzzer's "cov", edges reached), corpus size, crashes.
# usage: tools/fuzz.sh SECONDS [NAME...]    (default: every harness built)
#   env FUZZ_RUNS: also stop a harness after this many executions (libFuzzer -runs)
#   env FUZZ_JOBS: harnesses run at once (default 1)
# Each harness starts from its seed corpus, tests/fuzz/corpus/NAME (small, in the repository),
# and grows a working corpus in build/fuzz/corpus/NAME that later runs start from too; a
# dictionary tests/fuzz/NAME.dict is used when there is one. A crash, leak, timeout or sanitizer
# report leaves its input in build/fuzz/crashes/NAME/ and fails the run (exit 1); reproduce it
# with `build/fuzz/fuzz_NAME FILE`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
	echo "usage: tools/fuzz.sh SECONDS [NAME...]" >&2
	exit 2
fi
secs=$1
shift
names=("$@")
if ((${#names[@]} == 0)); then
	for b in build/fuzz/fuzz_*; do [[ -x $b ]] && names+=("${b#build/fuzz/fuzz_}"); done
fi
if ((${#names[@]} == 0)); then
	echo "fuzz: no harness built (make fuzz-build)" >&2
	exit 2
fi

# one harness: its log in build/fuzz/NAME.log, its table row in build/fuzz/NAME.row, and
# build/fuzz/NAME.bad when it found something
run_one() {
	local n=$1 bin=build/fuzz/fuzz_$1 work=build/fuzz/corpus/$1 crashes=build/fuzz/crashes/$1
	local log=build/fuzz/$1.log seeds=() dict=() before found execs rate cov corp st=0

	mkdir -p "$work" "$crashes"
	rm -f "build/fuzz/$n.bad"
	[[ -d tests/fuzz/corpus/$n ]] && seeds=("tests/fuzz/corpus/$n")
	[[ -f tests/fuzz/$n.dict ]] && dict=("-dict=tests/fuzz/$n.dict")
	before=$(find "$crashes" -type f | wc -l)
	echo "fuzz: $n for ${secs}s..." >&2
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: leave room for the other lane
	"$bin" -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/" \
		${dict[@]+"${dict[@]}"} "$work" ${seeds[@]+"${seeds[@]}"} >"$log" 2>&1 || st=$?
	found=$(($(find "$crashes" -type f | wc -l) - before))
	# a harness that crashed at once has printed no "cov:" line: not a reason to stop here
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -aoE '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1 | sed 's/.*cov: //' || true)
	corp=$(find "$work" -type f | wc -l)
	if ((st != 0 || found > 0)); then
		touch "build/fuzz/$n.bad"
		echo "fuzz: $n FAILED (status $st): see $log and $crashes/" >&2
		grep -aE 'invariant broken|ERROR: |SUMMARY: ' "$log" | head -n 3 | sed 's/^/    /' >&2
	fi
	echo "| $n | ${execs:-?} | ${rate:-?} | ${cov:-?} | $corp | $((found > 0 ? found : (st != 0 ? 1 : 0))) |" \
		>"build/fuzz/$n.row"
}

for n in "${names[@]}"; do
	if [[ ! -x build/fuzz/fuzz_$n ]]; then
		echo "fuzz: no harness build/fuzz/fuzz_$n (tests/fuzz/fuzz_$n.c; make fuzz-build)" >&2
		exit 2
	fi
	rm -f "build/fuzz/$n.row"
done
started="$(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -z $(git status --porcelain -- tests/fuzz tests/unit '*.c' '*.h' 2>/dev/null) ]] || started+=" (with changes)"
# FUZZ_JOBS harnesses at a time (default 1: the other core stays free)
jobs=${FUZZ_JOBS:-1}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive number" >&2; exit 2; }
for n in "${names[@]}"; do
	while (($(jobs -rp | wc -l) >= jobs)); do
		wait -n || true
	done
	run_one "$n" &
done
wait
bad=0
table() {
	echo "| harness | executions | executions per second | coverage (edges) | corpus | crashes |"
	echo "|---|---|---|---|---|---|"
	for n in "${names[@]}"; do
		if [[ -f build/fuzz/$n.row ]]; then
			cat "build/fuzz/$n.row"
		else
			echo "| $n | ? | ? | ? | ? | the run did not finish |"
		fi
	done
}
for n in "${names[@]}"; do
	[[ -f build/fuzz/$n.row && ! -f build/fuzz/$n.bad ]] || bad=1
done
table
# the same table with how it was made, for docs/FUZZING.md (only a long run is copied there)
{
	echo "started $started, $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(clang --version | head -n 1)"
	echo
	echo "    FUZZ_RUNS=${FUZZ_RUNS:-} FUZZ_JOBS=$jobs tools/fuzz.sh $secs ${*:-}"
	echo
	table
	((bad == 0)) || echo "(the run found something: see build/fuzz/)"
} >build/fuzz/report.md
exit $bad
