#!/usr/bin/env bash
# Test of bench/balancer_report.py, the balancer section of `make bench`:
# - on tests/tools/balancer_demo.log (the telemetry of one demo run, fixed): the exact tables;
# - on the serial log tests/boot/60_dynamic_memory_bochs.sh has just left (the same demo,
#   booted with today's code; tests/run.sh runs the boot tests first): the report still
#   runs, and web's peak and both of batch's get all of their target; no second boot;
# - a log without telemetry, and a missing one: exit 1 with a message.
# usage: tests/tools/test_balancer_report.sh     prints ok/not ok lines; exit 1 on a failure
#   env LIVE: another serial log of the demo to check instead of the boot test's
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
report=$root/bench/balancer_report.py
fixture=$root/tests/tools/balancer_demo.log
live=${LIVE:-$root/build/test/dynamic.serial.log}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/tools/lib.sh"
# shellcheck disable=SC2317 # called through check
has() { grep -qxF -- "$1" "$tmp/out"; }	# has LINE: the last report holds exactly LINE

if python3 "$report" "$fixture" >"$tmp/out" 2>&1; then
	ok "the report runs on the fixed demo log"
else
	not_ok "the report runs on the fixed demo log: $(head -n 5 "$tmp/out")"
fi
check "batch's first peak: granted 1 tick after the demand shows, all of it 3 ticks after" \
	has "| batch | 1 | 1052 | 0M → 224M | 128M → 320M | +1 (501 ms) | +3 (1494 ms) | +3 (1494 ms) | short by 60M at phase 1's end |"
check "web's peak: its own deflate on OOM comes first, the balancer's grant a tick later" \
	has "| web | 1 | 5034 | 48M → 224M | 84M → 320M | +1 (512 ms); the guest deflated on OOM at +0 | +4 (2006 ms) | +5 (2514 ms) | short by 32M at phase 2's end |"
check "batch's second peak" \
	has "| batch | 2 | 10041 | 48M → 224M | 96M → 320M | +1 (476 ms) | +4 (1998 ms) | +4 (1998 ms) | short by 56M at phase 3's end |"
check "the ticks of each spike whose grant came a tick late" \
	has "Ticks of a spike at which the VM held less than the target the balancer set at the tick before: web/1 3 of 9, batch/1 0 of 7, batch/2 2 of 13."
n=$(grep -cE '^\| [a-z]+ \| [0-9]+ \| [0-9]+ \|' "$tmp/out")
check "three spikes and no more (found $n); web's first phase shrinks it, db is static" test "$n" = 3
check "the peak of the sum of assigned" \
	has "| dynamic: peak of the sum of assigned over ticks (t=7548 ms) | 480 | – |"
check "the peak host memory in use" \
	has "| dynamic: peak host memory in use, total − free (VMs + hypervisor; t=7548 ms, of 510M) | 481 | – |"
check "against the sum of max" \
	has "| static at max, sum of max: web 320 + batch 320 + db 64 | 704 | 223 (31.7%) |"
check "against the sum of per-VM peaks" \
	has "| static at each VM's own peak assigned: web 320 + batch 320 + db 64 | 704 | 223 (31.7%) |"
check "against the sum of peak demands" \
	has "| static at each VM's peak demand, no headroom: web 224 + batch 224 + db 64 | 512 | 31 (6.1%) |"

# spikes: one rise after a plateau that was granted in full starts a new spike; a ramp in which
# demand climbs with each grant (one stale report between) stays one
{
	echo 'vm a: created: 128 MiB RAM, 32774 frames, entry 0x100000, cmdline "work=48M:2s,160M:3s"'
	echo 'vm a: dynamic memory: min 64M max 320M buffer 60% weight 100; virtio-balloon'
	t=500
	for a_b_d_g in 128:0:0M:64 64:64:48M:78 78:50:48M:78 78:50:48M:78 78:50:100M:160 \
		160:0:100M:160 160:0:156M:250 250:0:156M:250 250:0:160M:256 256:0:160M:256 256:0:40M:64; do
		IFS=: read -r a b d g <<<"$a_b_d_g"
		echo "dm t=$t vm=a assigned=${a}M visible=$((a + b))M balloon=${b}M plugged=0M demand=$d pressure=0 target=${g}M"
		echo "dm t=$t host free=$((510 - a))M total=510M"
		t=$((t + 500))
	done
} >"$tmp/steps.log"
python3 "$report" "$tmp/steps.log" >"$tmp/out" 2>&1
check "a small rise from the minimum is a spike of its own" \
	has "| a | 1 | 1000 | 0M → 48M | 64M → 78M | +1 (500 ms) | +0 (0 ms) | +1 (500 ms) | – |"
check "a rise after a settled plateau starts the next; a ramp with a stale report stays one spike" \
	has "| a | 2 | 2500 | 48M → 160M | 78M → 256M | +1 (500 ms) | +1 (500 ms) | +5 (2500 ms) | – |"
check "no third spike" test "$(grep -c '^| a | ' "$tmp/out")" = 2
check "one VM: the sum of max is its max" \
	has "| static at max, sum of max: a 320 | 320 | 64 (20.0%) |"

# today's demo, from the boot test's log: a copy, as another test run may be writing it now
cp "$live" "$tmp/live.log" 2>/dev/null || : >"$tmp/live.log"
if [[ ! -s $tmp/live.log ]]; then
	not_ok "the report on today's demo: no $live (run tests/run.sh, or tests/boot/60_dynamic_memory_bochs.sh first)"
elif ! grep -aq '^balloonvisor: finished' "$tmp/live.log"; then
	not_ok "the report on today's demo: $live is cut short (its boot test failed, or another run is writing it)"
elif python3 "$report" "$tmp/live.log" >"$tmp/out" 2>&1; then
	ok "the report runs on today's demo run ($live)"
	# VM -> how many of its spikes to 200M or more got all of the balancer's target
	full=$(awk -F' [|] ' '/^[|] [a-z]+ [|] [0-9]+ [|]/ {
			split($4, d, "→ "); sub(/^[|] /, "", $1)
			if (d[2] + 0 >= 200 && $6 ~ /^[+][0-9]+ / && $8 ~ /^[+][0-9]+ /) n[$1]++
		} END { printf "web=%d batch=%d", n["web"], n["batch"] }' "$tmp/out")
	check "today's demo: web's peak and both of batch's are granted in full ($full)" \
		test "$full" = "web=1 batch=2"
	peak=$(sed -nE 's/^\| dynamic: peak host memory in use.* \| ([0-9]+) \| – \|$/\1/p' "$tmp/out")
	check "today's demo: the host peak (${peak:-none}M) is below the sum of max (704M)" \
		test "${peak:-999999}" -lt 704
else
	not_ok "the report runs on today's demo run ($live): $(head -n 5 "$tmp/out")"
fi

# a log without telemetry is an error that says so
printf 'booting\r\nno dm here\r\ndm t=x\r\ndm t=5 host free=1M total=2M\r\n' >"$tmp/empty.log"
python3 "$report" "$tmp/empty.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no telemetry: exit 1 (got $rc)" test "$rc" -eq 1
check "no telemetry: a message on stderr" grep -q "holds no telemetry" "$tmp/err"
check "no telemetry: no table" test ! -s "$tmp/out"
python3 "$report" "$tmp/missing.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a missing log: exit 1 with a message" test "$rc" -eq 1 -a -n "$(grep 'cannot read' "$tmp/err")"
check "bench/balancer.sh parses" bash -n "$root/bench/balancer.sh"

exit $failed
