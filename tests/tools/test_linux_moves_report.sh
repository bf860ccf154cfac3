#!/usr/bin/env bash
# Test of bench/linux_moves_report.py, section 7 of docs/BENCHMARKS.md (and so of the parsing
# and move costs it shares with bench/emulated_report.py):
# - a synthetic log written below, whose every move costs a known number of exits, cycles,
#   notifies and interrupts on top of a guest that takes 250 PIT pulses a second at 8 exits
#   each, and loses pulses while the hypervisor zeroes (the plug) or the guest works (the
#   inflate): the table holds exactly those costs per GiB, the idle windows subtracted;
# - the same log with the stats' free page reporting line: the row fills in from its reports
#   and MiB reported, and less than 1 GiB reported is a failure;
# - tests/tools/linux_moves_sample.log, the snapshots and telemetry of the real run of
#   bench/linux_moves.sh recorded in docs/BENCHMARKS.md, trimmed (the last telemetry line of
#   each VM before each snapshot): its rows;
# - a move that does not complete, and a log without snapshots: exit 1.
# usage: tests/tools/test_linux_moves_report.sh     prints ok/not ok lines; exit 1 on a failure
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
report=$root/bench/linux_moves_report.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/tools/lib.sh"
# shellcheck disable=SC2317 # called through check
has() { grep -qxF -- "$1" "$tmp/out"; }	# has LINE: the last report holds exactly LINE

# section 2 of a BENCHMARKS.md: the test guest's figures for the last column
cat >"$tmp/bench.md" <<'MD'
## 2. In the emulator

| move | MiB moved | requests | VM exits | VM exits per GiB | biggest reasons per GiB | hypervisor cycles per GiB (emulated, M) |
|---|---|---|---|---|---|---|
| balloon inflate (give back) | 1024 | 4 | 9 | 9 | I/O instruction 8, VMCALL 1 | 60.1 |
| virtio-mem plug (take) | 1024 | 4 | 15 | 15 | I/O instruction 14, VMCALL 1 | 134.9 |

## 3. Memory overhead
MD

# gen.py [fpr] [short] [stuck]: the synthetic log (fpr: with the free page reporting line, 1200
# MiB in 4 reports in its window, short: 256 MiB; stuck: the inflate stops short)
cat >"$tmp/gen.py" <<'PY'
import sys
T = [66, 86, 106, 110, 118, 128, 136, 154, 158, 168, 178, 182, 192, 193.5, 203.5]  # S0..S14
KEYS = "io iw hv pit bn bi vn vi inf defl pin pout vm plug unplug t52".split()
c = {vm: dict.fromkeys(KEYS, 0) for vm in ("bal", "hp", "fpr")}
mem = {"bal": 1280, "hp": 256, "fpr": 384}
# the moves, in the window that ends at snapshot i: counters added, pulses lost
MOVES = {("bal", 2): (dict(inf=1024, pin=262144, bn=1024, bi=1024, io=8192, iw=1024,
                           hv=61440000), 100),
         ("hp", 6): (dict(vm=8, plug=512, vn=8, vi=9, io=60, iw=4, hv=140000000), 200),
         ("hp", 7): (dict(vm=8, unplug=512, vn=8, vi=9, io=120, hv=2000000), 0),
         ("bal", 10): (dict(defl=1024, pout=262144, bn=1024, bi=1024, io=10240,
                            hv=230000000), 0),
         ("fpr", 13): (dict(iw=80, io=10), 0),	# the kill, and the free
         ("fpr", 14): (dict(bn=4, bi=4, io=40), 0)}	# 4 reports
ENDS = {2: ("bal", 256), 6: ("hp", 1280), 7: ("hp", 256), 10: ("bal", 1280)}
out = []
for i, t in enumerate(T):
    for vm, x in c.items():
        if not i:
            continue
        dt = t - T[i - 1]
        add, lost = MOVES.get((vm, i), ({}, 0))
        pulses = int(250 * dt) - lost
        # per second: the statistics queue (2 notifies, 2 interrupts, 10 exits), 500 slices
        x.update(bn=x["bn"] + int(2 * dt), bi=x["bi"] + int(2 * dt), pit=x["pit"] + pulses,
                 io=x["io"] + int(10 * dt) + 8 * pulses, hv=x["hv"] + 8000 * pulses,
                 t52=x["t52"] + int(500 * dt))
        for k, v in add.items():
            x[k] += v
    if i in ENDS and not (i == 2 and "stuck" in sys.argv):
        mem[ENDS[i][0]] = ENDS[i][1]
    # before the window: 3 reports of 300 MiB (the boot's free memory); in it, 4 more
    reports, mib = (7, 300 + (256 if "short" in sys.argv else 1200)) if i == 14 else (3, 300)
    for vm in c:
        rep = " reported=%dM" % (mib - 300) if "fpr" in sys.argv and vm == "fpr" else ""
        out.append("dm t=%d vm=%s assigned=%dM visible=%dM balloon=0M plugged=0M demand=20M "
                   "pressure=5 target=%dM%s" % (t * 1000 - 21, vm, mem[vm], mem[vm], mem[vm], rep))
    out.append("mon: t=%d scenario: stats" % (t * 1000))
    for vm, x in c.items():
        out += ["mon: %s: tsc guest=%d hv=%d; exits by reason: 7=%d 10=1500 30=%d 52=%d" %
                (vm, 10**9 + t * 10**8, 10**7 + x["hv"], x["iw"], 20000 + x["io"], x["t52"]),
                "mon: %s: exits 1, balloon inflate %d deflate %d requests, pages in %d out %d "
                "refault 0, PFNs refused 0 (invalid 0, duplicate 0, state 0), virtio-mem "
                "requests %d (nack 0, error 0), blocks plugged %d unplugged %d, flushes 0, bad "
                "chains 0" % (vm, x["inf"], x["defl"], x["pin"], x["pout"], x["vm"], x["plug"],
                              x["unplug"])]
        if "fpr" in sys.argv and vm == "fpr":
            out.append("mon: fpr: free page reporting: %d reports, %dM reported, %dM reported "
                       "now, 0 refills; waited for memory 0 times" % (reports, mib, mib - 300))
        out += ["mon: %s: interrupts: %d injected, %d PIT pulses; virtio: balloon notifies %d "
                "interrupts %d, virtio-mem notifies %d interrupts %d" %
                (vm, x["pit"], x["pit"], x["bn"], x["bi"], x["vn"], x["vi"])]
print("\r\n".join(out), end="\r\n")
PY

python3 "$tmp/gen.py" >"$tmp/syn.log"
if python3 "$report" "$tmp/syn.log" "$tmp/bench.md" >"$tmp/out" 2>&1; then
	ok "the report runs on the synthetic log; every move completed"
else
	not_ok "the report runs on the synthetic log: $(head -n 5 "$tmp/out")"
fi
# inflate: 8192 + 1024 exits, 61.44 M cycles; its window lost 100 of 5000 pulses, so 2% of
# its 200 statistics exits, which come with time and not with pulses, stay in: 4
check "inflate: the idle window subtracted per pulse, the test guest's figures beside" \
	has "| balloon inflate (give back) | 1024 | 1024 | 9220 | 9220 | I/O instruction 8196, interrupt window 1024 | 61.4 | 1025 | 1025 | 9 / 60.1 |"
# plug: 64 exits, 140 M cycles; 200 of 2000 pulses lost: 8 of 80 statistics exits stay in
check "plug: a window that lost 10% of its pulses" \
	has "| virtio-mem plug (take) | 1024 | 8 | 72 | 72 | I/O instruction 68, interrupt window 4 | 140.0 | 8 | 9 | 15 / 134.9 |"
check "unplug: subtracted exactly, no section 2 row" \
	has "| virtio-mem unplug (give back) | 1024 | 8 | 120 | 120 | I/O instruction 120 | 2.0 | 8 | 9 | – |"
check "deflate" \
	has "| balloon deflate (take back) | 1024 | 1024 | 10240 | 10240 | I/O instruction 10240 | 230.0 | 1024 | 1024 | – |"
check "no free page reporting line in stats: the reporting row moved nothing" \
	has "| free page reporting (1152 MiB freed) | 0 | – | 40 | – | – | – | – | – | – |"
check "the balloon's floor of 1024 requests per GiB, with what was measured" \
	grep -q "so 1024 requests per GiB of 4 KiB pages is that driver's floor: measured 1024 requests for 1024 MiB, 1025 notifies per GiB" "$tmp/out"
check "the idle rates: 250 pulses a second at 8 exits, and the statistics' 10" \
	grep -q "subtracted per pulse: bal 2010 (8.04), fpr 2010 (8.04), hp 2010 (8.04)" "$tmp/out"
check "the free page reporting row says the build has none" grep -q "a build without it" "$tmp/out"
check "the window of the free: 80 interrupt windows and the kill's 10 exits" \
	grep -q "cost 90 exits (interrupt window 80, I/O instruction 10); \`stats\` prints no" "$tmp/out"

python3 "$tmp/gen.py" fpr >"$tmp/fpr.log"
python3 "$report" "$tmp/fpr.log" "$tmp/bench.md" >"$tmp/out" 2>&1
rc=$?
check "free page reporting counters: 1200 MiB in 4 reports, 40 exits, 34 per GiB (exit $rc)" \
	has "| free page reporting (1152 MiB freed) | 1200 | 4 | 40 | 34 | I/O instruction 34 | 0.0 | 3 | 3 | – |"
check "... at least 1 GiB reported: exit 0" \
	test "$rc" -eq 0
check "... none in the window of the free" grep -q "; 0 MiB were reported in it\.$" "$tmp/out"
python3 "$tmp/gen.py" fpr short >"$tmp/short.log"
python3 "$report" "$tmp/short.log" "$tmp/bench.md" >"$tmp/out" 2>&1
rc=$?
check "256 MiB reported, under the GiB the row needs to stand above the noise: exit 1 (got $rc)" \
	test "$rc" -eq 1

# the real run recorded in section 7 (a move's exits vary a little between runs; the log does not)
sample=$root/tests/tools/linux_moves_sample.log
if python3 "$report" "$sample" "$tmp/bench.md" >"$tmp/out" 2>&1; then
	ok "the report runs on the sample of a real run; every move completed"
else
	not_ok "the report runs on the sample of a real run: $(head -n 5 "$tmp/out")"
fi
check "the sample: Linux's balloon inflate, 1024 requests of 256 PFNs" \
	has "| balloon inflate (give back) | 1024 | 1024 | 9532 | 9532 | I/O instruction 9223, interrupt window 309 | 72.7 | 1025 | 1026 | 9 / 60.1 |"
check "the sample: virtio-mem unplug, 8 requests of 128 MiB" \
	has "| virtio-mem unplug (give back) | 1024 | 8 | 144 | 144 | I/O instruction 81, interrupt window 63 | 0.5 | 8 | 9 | – |"
check "the sample: a spinning Linux's tick costs it 8 exits, in every idle window" \
	grep -q "subtracted per pulse: bal 1841 (8.00), fpr 1849 (8.00), hp 1838 (8.00)" "$tmp/out"
check "the sample: the kill and the free fall in the window before the reporting one" \
	grep -q "frees its memory, cost 198 exits (I/O instruction 175, interrupt window 23); 0 MiB were reported in it" "$tmp/out"
check "the sample: Linux reports 1150 MiB in 10 reports (the stats' counters) within 24 s" \
	has "| free page reporting (1152 MiB freed) | 1150 | 10 | 54 | 48 | I/O instruction 45, interrupt window 3 | 1.2 | 9 | 9 | – |"

python3 "$tmp/gen.py" stuck >"$tmp/stuck.log"
python3 "$report" "$tmp/stuck.log" "$tmp/bench.md" >"$tmp/out" 2>&1
rc=$?
check "an inflate that stops short: exit 1 (got $rc)" test "$rc" -eq 1
check "... and the footnote shows where it stood" grep -q "): 1280 / 1280 / 256 / 1280\." "$tmp/out"

grep -v "^mon: t=203500" "$tmp/syn.log" >"$tmp/short.log"
python3 "$report" "$tmp/short.log" "$tmp/bench.md" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a snapshot missing: exit 1 with a message, no table (got $rc)" \
	test "$rc" -eq 1 -a ! -s "$tmp/out" -a -n "$(grep '14 complete stats snapshots' "$tmp/err")"

for f in bench/linux_moves.sh bench/put_section.sh; do
	check "$f parses" bash -n "$root/$f"
done
exit $failed
