#!/usr/bin/env bash
# Test of tools/plot on tests/tools/plot_sample.log (20 ticks, 3 VMs: web and
# batch dynamic, db static; one demand=?, one reported=; noise, ANSI escapes,
# CRLF and one "dm t=" line that is not telemetry).
# usage: tests/tools/test_plot.sh     prints ok/not ok lines; exit 1 on a failure
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
plot=$root/tools/plot
sample=$root/tests/tools/plot_sample.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/tools/lib.sh"

is_png() {	# the 8-byte PNG signature
	[[ -f $1 && $(od -An -tx1 -N8 "$1" | tr -d ' \n') == 89504e470d0a1a0a ]]
}

png_size() {	# width and height from the IHDR chunk
	od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 "x" \
		$5*16777216 + $6*65536 + $7*256 + $8 }'
}

if "$plot" "$sample" "$tmp/out.png" --csv "$tmp/out.csv" >"$tmp/log" 2>&1; then
	ok "tools/plot runs on the sample"
else
	not_ok "tools/plot runs on the sample: $(cat "$tmp/log")"
fi
check "it reports 3 VMs and 20 ticks" grep -q "(3 VMs, 20 ticks, 1 malformed" "$tmp/log"
check "the PNG is a PNG" is_png "$tmp/out.png"
size=$( (is_png "$tmp/out.png" && png_size "$tmp/out.png") || echo none)
check "the PNG is 1200x600 (is $size)" test "$size" = 1200x600

# 20 ticks x (3 VMs + the host) and the header
rows=$(wc -l <"$tmp/out.csv" 2>/dev/null || echo 0)
check "the CSV has 81 lines (has $rows)" test "$rows" -eq 81
check "the CSV header" test "$(head -n1 "$tmp/out.csv" 2>/dev/null)" = \
	"kind,t_ms,name,assigned,visible,balloon,plugged,reported,demand,target,pressure,free,total"
n=$(grep -c '^vm,[0-9]*,db,128,128,0,0,' "$tmp/out.csv" 2>/dev/null)
check "20 points of the static VM (has $n)" test "$n" -eq 20
n=$(grep -c '^host,' "$tmp/out.csv" 2>/dev/null)
check "20 host points (has $n)" test "$n" -eq 20
check "demand=? is left empty" grep -qx 'vm,500,batch,250,256,6,0,,,250,80,,' "$tmp/out.csv"
check "reported= is read where a line has it" grep -qx 'vm,1000,web,270,270,0,14,12,240,288,88,,' "$tmp/out.csv"
check "an ANSI-coloured line is read" grep -q '^vm,2000,web,' "$tmp/out.csv"
check "a line with text before it is read" grep -q '^vm,3500,db,' "$tmp/out.csv"

# OUT.png defaults to the log's name with .png
cp "$sample" "$tmp/run.log"
"$plot" "$tmp/run.log" >/dev/null 2>&1
check "OUT.png defaults to SERIAL_LOG.png" is_png "$tmp/run.png"

# a log without telemetry is an error that says so
printf 'booting\r\nno dm here\r\ndm t=x\r\n' >"$tmp/empty.log"
"$plot" "$tmp/empty.log" "$tmp/empty.png" >"$tmp/log" 2>&1
rc=$?
check "no telemetry: exit 1" test "$rc" -eq 1
check "no telemetry: a message" grep -q "holds no telemetry" "$tmp/log"
check "no telemetry: no PNG" test ! -e "$tmp/empty.png"

# What is drawn (tools/plot's chart_lines and mark_labels, run on a small log): a legend entry
# only for a line with points, no demand before the guest's first report, one label for
# commands given at the same moment.
cat >"$tmp/legend.log" <<'LOG'
dm t=500 vm=dyn assigned=128M visible=128M balloon=0M plugged=0M demand=? pressure=0 target=128M
dm t=500 vm=st assigned=64M visible=64M balloon=0M plugged=0M demand=? pressure=0 target=64M
dm t=500 host free=300M total=510M
dm t=1000 vm=dyn assigned=128M visible=128M balloon=0M plugged=0M demand=40M pressure=31 target=64M
dm t=1000 vm=st assigned=64M visible=64M balloon=0M plugged=0M demand=? pressure=0 target=64M
dm t=1000 host free=300M total=510M
mon: t=1200 scenario: vms
mon: t=1212 scenario: stats
mon: t=90000 scenario: mem dyn 96M
dm t=100000 vm=dyn assigned=64M visible=128M balloon=64M plugged=0M demand=40M pressure=62 target=64M
dm t=100000 vm=st assigned=64M visible=64M balloon=0M plugged=0M demand=? pressure=0 target=64M
dm t=100000 host free=364M total=510M
LOG
drawn=$(PLOT="$plot" LOG="$tmp/legend.log" python3 - 2>&1 <<'PY'
import importlib.machinery, importlib.util, os
loader = importlib.machinery.SourceFileLoader("bvplot", os.environ["PLOT"])
spec = importlib.util.spec_from_loader("bvplot", loader)
plot = importlib.util.module_from_spec(spec)
loader.exec_module(plot)
vms, host, marks, _ = plot.parse_log(open(os.environ["LOG"]).read())
for name, label, xs, ys, style in plot.chart_lines(vms, host):
    print("line", label, " ".join(f"{x:g}:{y:g}" for x, y in zip(xs, ys)))
for t, text in plot.mark_labels(marks, 100.0):
    print("mark", f"{t:g}", text)
PY
)
check "legend: the lines drawn, and only those" test "$(grep '^line' <<<"$drawn" | cut -d' ' -f2-3)" = \
	"$(printf '%s\n' 'dyn assigned' 'dyn demand' 'dyn target' 'st assigned' 'host free')"
check "a static VM has no demand or target line" test -z "$(grep -E '^line st (demand|target)' <<<"$drawn")"
check "demand starts at the guest's first report (no invented 0)" \
	grep -qx 'line dyn demand 1:40 100:40' <<<"$drawn"
check "commands 12 ms apart share one label" grep -qx 'mark 1.2 vms + stats' <<<"$drawn"
check "a command on its own keeps its label" grep -qx 'mark 90 mem dyn 96M' <<<"$drawn"
check "two marks in all" test "$(grep -c '^mark' <<<"$drawn")" -eq 2
"$plot" "$tmp/legend.log" "$tmp/legend.png" >/dev/null 2>&1
check "it charts that log" is_png "$tmp/legend.png"

"$plot" "$tmp/missing.log" >"$tmp/log" 2>&1
rc=$?
check "a missing log: exit 1 with a message" \
	test "$rc" -eq 1 -a -n "$(grep 'cannot read' "$tmp/log")"

exit $failed
