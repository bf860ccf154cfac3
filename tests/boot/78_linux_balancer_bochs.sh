#!/usr/bin/env bash
# Linux guests, part 2 (issue 10): the balancer moves memory between two Linux VMs from their
# own balloon stats. Their bvwork workloads have opposite phases (a peaks while b is idle, then
# the other way round), each growing 256 MiB at 32 MiB/s; the host (768 MiB) cannot hold both
# peaks and the static VM at once, so memory must leave one Linux VM for the other. Every
# workload check passes (no page lost or corrupted, every page mapped reads zero), no guest
# OOM-kills anything, each guest's own MemTotal follows, the static VM never changes, and every
# frame is accounted for. About 230 s in Bochs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
# `make run-linux`'s own config (tools/grub-linux.cfg, with its scenario), so that the demo
# is what is tested.
boot_iso linux_balancer "$(cat "$BV_ROOT/tools/grub-linux.cfg")"
run_guests linux_balancer 900 768

# dm_max VM FIELD: the largest value (MiB) of FIELD in VM's telemetry lines
dm_max() {
	_bt_grep "^dm t=[0-9]+ vm=$1 " | sed -nE "s/.* $2=([0-9]+)M.*/\\1/p" | sort -n | tail -n 1
}
# meminfo VM HELD_KB: the MemTotal (kB) of VM's bvwork meminfo lines while it held HELD_KB,
# smallest and largest, as "MIN MAX"
meminfo() {
	_bt_grep "^\\[$1\\] bvwork: meminfo .* held=$2 kB$" |
		sed -nE 's/.* MemTotal=([0-9]+) kB .*/\1/p' | sort -n | sed -n '1p;$p' | xargs
}
assert_outcome success "the run ends in success"
for vm in a b; do
	assert_log "^\\[$vm\\] bvwork: done phases=3 checks=[0-9]+ errors=0$" \
		"$vm: every bvwork check passes, every page it mapped read zero"
	assert_log "^\\[$vm\\] bv-linux: run exit=0$" "$vm: bvwork exits 0"
	assert_log "^dm t=[0-9]+ vm=$vm assigned=[0-9]+M .* demand=[0-9]+M " \
		"$vm: the balancer reads its demand from Linux's own balloon stats"
done
assert_no_log 'Out of memory|oom-kill|Kernel panic|HYPERVISOR ERROR|VM entry failed' \
	"no guest OOM-kills anything, no panic, no hypervisor error"

# Memory moves: each Linux VM holds more than 400 MiB at its peak, and the two peaks with the
# static VM do not fit in the host at once.
peak_a=$(dm_max a assigned) peak_b=$(dm_max b assigned)
assert_num "a grows past 400 MiB in its peak" "$peak_a" '>=' 400
assert_num "b grows past 400 MiB in its peak" "$peak_b" '>=' 400
total=$(_bt_grep '^dm t=[0-9]+ host free=' | sed -nE 's/.* total=([0-9]+)M$/\1/p' | head -n 1)
assert_num "the two peaks and the static VM's 64 MiB are more than the host's ${total:-?} MiB" \
	"$((${peak_a:-0} + ${peak_b:-0} + 64))" '>' "${total:-99999}"
assert_order "^dm t=[0-9]+ vm=a assigned=(4[0-9][0-9]|[5-9][0-9][0-9])M" \
	"^dm t=[0-9]+ vm=b assigned=(4[0-9][0-9]|[5-9][0-9][0-9])M" "a peaks first, then b"

# The guests' own numbers: MemTotal well above startup at the peak, well below it when idle.
read -r a_lo_min a_lo_max <<<"$(meminfo a 16384)" || true
read -r a_hi_min a_hi_max <<<"$(meminfo a 262144)" || true
read -r b_hi_min b_hi_max <<<"$(meminfo b 262144)" || true
assert_num "a's own MemTotal at its peak (kB)" "${a_hi_max:-}" '>=' 400000
assert_num "b's own MemTotal at its peak (kB)" "${b_hi_max:-}" '>=' 400000
assert_num "a's own MemTotal while idle, ballooned below startup (kB)" "${a_lo_min:-}" '<=' 150000

assert_log '^summary: vm a: virtio-mem: [0-9]+ requests \([0-9]+ ack, [0-9]+ nack, 0 error\), [1-9][0-9]* blocks plugged, [1-9][0-9]* unplugged' \
	"a: virtio-mem plugged and unplugged (Linux onlined and offlined it)"
assert_log '^summary: vm b: virtio-mem: [0-9]+ requests \([0-9]+ ack, [0-9]+ nack, 0 error\), [1-9][0-9]* blocks plugged' \
	"b: virtio-mem plugged"
for vm in a b; do
	assert_log "^summary: vm $vm: balloon: [0-9]+ inflate and [1-9][0-9]* deflate requests, .*PFNs refused: 0 invalid, 0 duplicate, 0 wrong state" \
		"$vm: the balloon inflated and deflated, no PFN refused"
done
assert_count '^dm t=[0-9]+ vm=db ' "$(_bt_grep -c '^dm t=[0-9]+ vm=db assigned=64M visible=64M balloon=0M plugged=0M demand=\? pressure=0 target=64M$' || true)" \
	"the static VM never changes (every db line is the same)"
assert_log '^vm db: stopped: powered off, status 0' "the static VM's own checks pass"
assert_log '^mon: t=[0-9]+ scenario: stats$' "the demo's scenario runs"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: success' "the run ends in success"

# The README's `make run-linux` sample boots this very config: every line of it must be in
# this run, exactly. Bochs is deterministic (clock sync=none, a fixed time0): the TSC rate
# (tsc_early_khz=) and the guests' uptimes change with the code, not from run to run of one
# build, so no line gets a pattern; after a change, copy the lines from this test's log.
# Two runs of the same build differ by a few units in tick times, MemAvailable and reported
# amounts (seen: t=95017/95018, MemAvailable 52212/52208 kB, b's peak 486M/484M): Linux's
# random seed differs between runs (Bochs's RDRAND draws on the host). So the
# sample's lines must be in the log with every number blanked; the numbers that matter are
# asserted above.
assert_readme_sample "make run-linux" \
	"every line of the README's \`make run-linux\` sample is in the log, numbers blanked" \
	's/[0-9][0-9]*/#/g'
