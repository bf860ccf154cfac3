#!/usr/bin/env bash
# Test of bench/linux_balancer.sh --log, section 8 of docs/BENCHMARKS.md, and so of
# bench/balancer_report.py on Linux guests:
# - tests/tools/linux_balancer_sample.log, the run recorded in section 8, trimmed (each Linux
#   VM's telemetry around its spike, its boot lines, bvwork's lines): the section, its spike
#   rows exactly (a slow ramp of demand is one spike; bvwork's phase reaching its size);
# - the same log without b's `bvwork: done`: exit 1, a message, docs/BENCHMARKS.md unchanged.
# usage: tests/tools/test_linux_balancer.sh     prints ok/not ok lines; exit 1 on a failure
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/bench/linux_balancer.sh
sample=$root/tests/tools/linux_balancer_sample.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/tools/lib.sh"
# shellcheck disable=SC2317 # called through check
has() { grep -qxF -- "$1" "$tmp/out"; }	# has LINE: the last report holds exactly LINE

if "$bench" --log "$sample" >"$tmp/out" 2>"$tmp/err"; then
	ok "the log mode runs on the sample; both workloads completed"
else
	not_ok "the log mode runs on the sample: $(head -n 5 "$tmp/err")"
fi
check "the section's heading" has "## 8. Linux VMs under the balancer"
check "the command" grep -q 'Command: `make bench-linux-balancer`\.$' "$tmp/out"
check "a's spike: granted a tick after its demand shows, held while bvwork grows" \
	has "| a | 1 | 73015 | 77M → 322M | 128M → 486M | +1 (516 ms) | +22 (11013 ms) | +40 (19997 ms) | bvwork held all 256M of phase 2 by tick +38 (grown in 20.0 s, 12.8 MiB/s) |"
check "b's spike: a ramp of less than 8 MiB a tick is one spike, seen once it has climbed 8" \
	has "| b | 1 | 113513 | 77M → 322M | 130M → 484M | +1 (543 ms) | +34 (17016 ms) | +59 (29497 ms) | bvwork held all 256M of phase 3 by tick +57 (grown in 30.0 s, 8.5 MiB/s) |"
check "no grant came a tick late" \
	has "Ticks of a spike at which the VM held less than the target the balancer set at the tick before: a/1 0 of 78, b/1 0 of 77."
n=$(grep -cE '^\| [a-z]+ \| [0-9]+ \| [0-9]+ \|' "$tmp/out")
check "two spikes and no more (found $n)" test "$n" = 2

# a workload that did not complete: exit 1, and the docs are not written
tr -d '\r' <"$sample" | grep -v '^\[b\] bvwork: done ' >"$tmp/cut.log"
sum=$(cksum <"$root/docs/BENCHMARKS.md")
"$bench" --log "$tmp/cut.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "b's workload not done: exit 1 (got $rc)" test "$rc" -eq 1
check "... with a message naming it" grep -q "b's workload did not complete" "$tmp/err"
check "... and docs/BENCHMARKS.md unchanged" test "$(cksum <"$root/docs/BENCHMARKS.md")" = "$sum"

"$bench" --log "$tmp/missing.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a missing log: exit 1 with a message (got $rc)" \
	test "$rc" -eq 1 -a -n "$(grep 'cannot read' "$tmp/err")"
exit $failed
