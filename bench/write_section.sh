#!/usr/bin/env bash
# The end of a benchmark measured on its own (bench/linux_moves.sh, bench/linux_balancer.sh):
# print its section, and keep it by the run's mode: a full run that passed writes section N of
# docs/BENCHMARKS.md (bench/put_section.sh), a smoke run (quick) only QUICK_MD, a reprint of
# an earlier log (log) nothing.
# usage: bench/write_section.sh MODE STATUS N QUICK_MD NAME WHAT_FAILED <SECTION_TEXT
set -euo pipefail
mode=$1 status=$2 n=$3 quick=$4 name=$5 failed=$6
section=$(cat)
printf '%s\n' "$section"
if [[ $mode == quick ]]; then
	printf '%s\n' "$section" >"$quick"
	echo "$name: wrote $quick" >&2
elif [[ $mode == full && $status == 0 ]]; then
	"$(dirname "$0")/put_section.sh" "$n" docs/BENCHMARKS.md <<<"$section"
	echo "$name: wrote section $n of docs/BENCHMARKS.md" >&2
elif [[ $mode == full ]]; then
	echo "$name: $failed (above); docs/BENCHMARKS.md unchanged" >&2
fi
