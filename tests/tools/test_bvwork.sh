#!/usr/bin/env bash
# Test of guest-linux/bvwork.c, the Linux guest's memory workload, run natively on the host
# (it is an ordinary static Linux program): its lines, that it really holds and releases the
# memory, its usage errors, and that its checker catches a flipped bit. About 12 s.
# usage: tests/tools/test_bvwork.sh     prints ok/not ok lines; exit 1 on a failure
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$root/tests/tools/lib.sh"
bw=$tmp/bvwork

# As tools/linux-guest.sh builds it, plus -Werror.
if gcc -static -O2 -Wall -Wextra -Werror -o "$bw" "$root/guest-linux/bvwork.c" >"$tmp/cc" 2>&1; then
	ok "bvwork builds statically without warnings"
else
	not_ok "bvwork builds statically without warnings: $(head -n 5 "$tmp/cc")"
	exit 1
fi

# VmRSS of $pid in KiB (0 once it is gone).
rss() { awk '/^VmRSS:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$pid/status" 2>/dev/null || echo 0; }
# held LOG LINE OP KIB: LINE is in LOG, it still runs, and its VmRSS (left in $kb) is OP KIB.
held() {
	grep -q "$2" "$1" && kb=$(rss) && test "$kb" -gt 0 && test "$kb" "$3" "$4"
}
# wait_for TENTHS COMMAND...: until COMMAND succeeds, polling every 0.1 s.
wait_for() {
	local i n=$1
	shift
	for ((i = 0; i < n; i++)); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	return 1
}

# A short run: each phase starts and ends with a line, and the run ends with its summary.
"$bw" 4M:1,1M:1,0:0 >"$tmp/short" 2>&1
rc=$?
check "4M:1,1M:1,0:0 exits 0 (exit $rc)" test "$rc" -eq 0
check "the start line" grep -qE '^bvwork: start phases=3 repeat=1 seed=0x[0-9a-f]{16}$' "$tmp/short"
check "the phase lines, in order" test "$(grep -E '^bvwork: phase' "$tmp/short" | sed -E 's/checked [0-9]+/checked K/')" = \
	"$(printf '%s\n' 'bvwork: phase 1/3 hold 4M for 1s' \
		'bvwork: phase 1/3 done: checked K times, 1024 pages, 0 errors' \
		'bvwork: phase 2/3 hold 1M for 1s' \
		'bvwork: phase 2/3 done: checked K times, 256 pages, 0 errors' \
		'bvwork: phase 3/3 hold 0 for 0s' \
		'bvwork: phase 3/3 done: checked K times, 0 pages, 0 errors')"
check "the last line: done phases=3 ... errors=0" \
	grep -qE '^bvwork: done phases=3 checks=[0-9]+ errors=0$' <(tail -n 1 "$tmp/short")

# The memory is really held, and a smaller phase gives it back; a 3 s phase checks 3 times.
"$bw" 32M:3,1M:2 >"$tmp/rss" 2>&1 &
pid=$!
kb=0
wait_for 25 held "$tmp/rss" "phase 1/2 hold 32M" -ge 32768
check "32M:3 holds at least 32 MiB (VmRSS $kb kB)" test "$kb" -ge 32768
wait_for 40 held "$tmp/rss" "phase 2/2 hold 1M" -lt 8192
check "then 1M:2 releases it (VmRSS $kb kB, below 8 MiB)" test "$kb" -gt 0 -a "$kb" -lt 8192
wait "$pid"
rc=$?
pid=
check "32M:3,1M:2 exits 0 (exit $rc)" test "$rc" -eq 0
check "the 3 s phase checked 32 MiB 3 times" \
	grep -qx 'bvwork: phase 1/2 done: checked 3 times, 8192 pages, 0 errors' "$tmp/rss"

# repeat=N runs the list N times, with a line per round.
"$bw" 1M:0,0:0 repeat=2 >"$tmp/rep" 2>&1
rc=$?
check "repeat=2: exit 0, two rounds, 4 phases" test "$rc" -eq 0 -a \
	"$(grep -c '^bvwork: round [12]/2$' "$tmp/rep")" -eq 2 -a \
	-n "$(grep -E '^bvwork: done phases=4 checks=4 errors=0$' "$tmp/rep")"

# The checker catches a flipped bit: one CORRUPT line with the values, errors=1, exit 1.
BVWORK_SELFTEST_CORRUPT=1 "$bw" 4M:2 >"$tmp/corrupt" 2>&1
rc=$?
check "a flipped bit: exit 1 (exit $rc)" test "$rc" -eq 1
line=$(grep -E '^bvwork: CORRUPT phase 1/1 addr=0x[0-9a-f]+ expected=0x[0-9a-f]{16} found=0x[0-9a-f]{16}$' "$tmp/corrupt")
check "a flipped bit: one CORRUPT line" test "$(grep -c CORRUPT "$tmp/corrupt")" -eq 1 -a -n "$line"
exp=${line##*expected=} exp=${exp%% *} found=${line##*found=}
check "a flipped bit: expected and found differ in bit 17" test "$((exp ^ found))" -eq $((1 << 17))
check "a flipped bit: counted once" grep -qE '^bvwork: done phases=1 checks=2 errors=1$' "$tmp/corrupt"

# A page that is not zero when first mapped: one NOT ZERO line, counted in its phase.
BVWORK_SELFTEST_CORRUPT=2 "$bw" 4M:1 >"$tmp/fresh" 2>&1
rc=$?
check "a fresh page not zero: exit 1 (exit $rc)" test "$rc" -eq 1
check "a fresh page not zero: one NOT ZERO line with the word" test "$(grep -cE \
	'^bvwork: NOT ZERO phase 1/1 addr=0x[0-9a-f]+ found=0x000000000000dead$' "$tmp/fresh")" -eq 1
check "a fresh page not zero: counted in its phase and the run" test \
	-n "$(grep -x 'bvwork: phase 1/1 done: checked 1 times, 1024 pages, 1 errors' "$tmp/fresh")" -a \
	-n "$(grep -x 'bvwork: done phases=1 checks=1 errors=1' "$tmp/fresh")"

# A signal stops it with a line, a summary and exit 3.
"$bw" 4M:30 >"$tmp/sig" 2>&1 &
pid=$!
wait_for 20 grep -q "phase 1/1 hold" "$tmp/sig"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit 3 (exit $rc)" test "$rc" -eq 3
check "SIGTERM: a FAIL line and a stopped summary" test \
	-n "$(grep -x 'bvwork: FAIL phase 1/1 stopped by signal 15 (Terminated)' "$tmp/sig")" -a \
	-n "$(grep -E '^bvwork: stopped phases=0 checks=[0-9]+ errors=0$' "$tmp/sig")"

# Memory it cannot map (a 64 MiB address-space limit): a FAIL line and exit 3.
(ulimit -v 65536 && exec "$bw" 4M:0,128M:1) >"$tmp/nomem" 2>&1
rc=$?
check "no memory: exit 3 (exit $rc)" test "$rc" -eq 3
check "no memory: a FAIL line" \
	grep -qE '^bvwork: FAIL phase 2/2 cannot map more memory \(holding [0-9]+ of 131072 KiB\): ' "$tmp/nomem"

# rate=32M: 64 MiB takes about 2 s to build up, not one burst; meminfo=1 prints the
# guest's own numbers after the resize and once a second.
t0=$(date +%s%N)
"$bw" 64M:3,0:0 rate=32M meminfo=1 >"$tmp/rate" 2>&1
rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
check "rate=32M meminfo=1: exit 0 (exit $rc)" test "$rc" -eq 0
grew=$(grep -m 1 '^bvwork: meminfo' "$tmp/rate" | sed -nE 's/.* t=([0-9]+)s .*/\1/p')
check "rate=32M: the first meminfo line, after the growth, is at t=1s (t=${grew:-?}s)" \
	test "${grew:-0}" -eq 1
check "rate=32M: the phases still end on time (${ms} ms)" test "$ms" -ge 2900 -a "$ms" -lt 5000
check "meminfo lines: t, MemTotal, MemAvailable, held" test "$(grep -cE \
	'^bvwork: meminfo t=[0-9]+s MemTotal=[0-9]+ kB MemAvailable=[0-9]+ kB held=(65536|0) kB$' \
	"$tmp/rate")" -ge 3
check "meminfo: held=65536 kB in the phase, 0 after it" test \
	-n "$(grep 'held=65536 kB' "$tmp/rate")" -a "$(tail -n 3 "$tmp/rate" | grep -c 'held=0 kB')" -eq 1

# Usage errors: exit 2, the reason on stderr, nothing on stdout.
usage_case() {	# usage_case MESSAGE ARGS...
	local msg=$1 rc
	shift
	"$bw" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "usage: bvwork $* -> exit 2, \"$msg\"" test "$rc" -eq 2 -a ! -s "$tmp/out" -a \
		-n "$(grep -F -- "$msg" "$tmp/err")" -a -n "$(grep '^usage: bvwork SIZE:SECONDS' "$tmp/err")"
}
usage_case "bvwork: no phases given"
usage_case "bvwork: no phases given" repeat=3
usage_case 'bvwork: not a size (a multiple of 4K): "12Q"' 12Q:1
usage_case 'bvwork: not a size (a multiple of 4K): "4097"' 4097:1
usage_case 'bvwork: size above 64G: "65G"' 65G:1
usage_case 'bvwork: size above 64G: "99999999999999999999G"' 99999999999999999999G:1
usage_case 'bvwork: a phase is SIZE:SECONDS, not "4M"' 4M
usage_case 'bvwork: not a number of seconds up to 1000000: "x"' 4M:x
usage_case 'bvwork: not a number of seconds up to 1000000: "-1"' 4M:-1
usage_case 'bvwork: repeat is 1 to 1000000 or forever, not "repeat=0"' 4M:1 repeat=0
usage_case 'bvwork: rate is a size from 4K a second, not "rate=1"' 4M:1 rate=1
usage_case 'bvwork: rate is a size from 4K a second, not "rate=fast"' 4M:1 rate=fast
usage_case 'bvwork: meminfo is 1 to 3600 seconds, not "meminfo=0"' 4M:1 meminfo=0
usage_case 'bvwork: meminfo is 1 to 3600 seconds, not "meminfo=3601"' 4M:1 meminfo=3601

exit $failed
