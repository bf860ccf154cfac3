#!/usr/bin/env bash
# `make fuzz`: run the libFuzzer harnesses (build/fuzz/fuzz_NAME, from tests/fuzz/fuzz_NAME.c)
# one after the other and print one table: harness, executions, executions per second,
# coverage (libFuzzer's "cov", edges reached), corpus size, crashes.
# usage: tools/fuzz.sh SECONDS [NAME...]    (default: every harness built)
#   env FUZZ_RUNS: also stop a harness after this many executions (libFuzzer -runs)
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

rows=() bad=0
for n in "${names[@]}"; do
	bin=build/fuzz/fuzz_$n
	if [[ ! -x $bin ]]; then
		echo "fuzz: no harness $bin (tests/fuzz/fuzz_$n.c; make fuzz-build)" >&2
		exit 2
	fi
	work=build/fuzz/corpus/$n crashes=build/fuzz/crashes/$n log=build/fuzz/$n.log
	mkdir -p "$work" "$crashes"
	seeds=()
	[[ -d tests/fuzz/corpus/$n ]] && seeds=("tests/fuzz/corpus/$n")
	dict=()
	[[ -f tests/fuzz/$n.dict ]] && dict=("-dict=tests/fuzz/$n.dict")
	before=$(find "$crashes" -type f | wc -l)
	echo "fuzz: $n for ${secs}s..." >&2
	st=0
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
		bad=1
		echo "fuzz: $n FAILED (status $st): see $log and $crashes/" >&2
		grep -aE 'invariant broken|ERROR: |SUMMARY: ' "$log" | head -n 3 | sed 's/^/    /' >&2
	fi
	rows+=("| $n | ${execs:-?} | ${rate:-?} | ${cov:-?} | $corp | $((found > 0 ? found : (st != 0 ? 1 : 0))) |")
done
echo "| harness | executions | executions per second | coverage (edges) | corpus | crashes |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $bad
