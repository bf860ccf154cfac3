#!/usr/bin/env bash
# Linux guests, part 2 (issue 10): free page reporting and DEFLATE_ON_OOM with Debian's
# unmodified virtio_balloon. An idle Linux VM reports its free memory: the host pool grows by
# exactly what it reported, with nobody asking. A workload then touches it: it comes back on
# touch, zeroed (the kernel runs with init_on_free=1, so it does not zero pages itself, and
# bvwork checks that every page it maps reads zero), and is reported again once freed. Then,
# with deflate_on_oom=on and the balloon holding half the VM, a workload larger than what is
# left makes Linux take pages back from its balloon instead of killing anything. (Linux keeps
# free page reporting under init_on_free=1 only when the device offers PAGE_POISON: a report
# here shows it negotiated, with poison value 0.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso linux_report "$(grub_cfg exit=emulator \
	'module2 /boot/vmlinuz name=lin startup=256M min=64M max=256M deflate_on_oom=on boot=linux -- quiet init_on_free=1' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/linux-report.scn scenario')"
run_guests linux_report 400 1024

# before MARK REGEX: the lines matching REGEX that come before the first line matching MARK
before() { awk -v m="$1" -v r="$2" '$0 ~ m { exit } $0 ~ r' "$SERIAL_TXT"; }
# between MARK1 MARK2 REGEX: the lines matching REGEX after MARK1's first line, before MARK2's
between() { awk -v a="$1" -v b="$2" -v r="$3" 'f && $0 ~ b { exit } f && $0 ~ r; $0 ~ a { f = 1 }' "$SERIAL_TXT"; }
# field NAME: the MiB value of NAME= in the lines on stdin, one per line
field() { sed -nE "s/.* $1=([0-9]+)M.*/\\1/p"; }
idle='bv-fpr step=idle$' touched='bv-fpr step=touched$'
vm_dm='^dm t=[0-9]+ vm=lin ' host_dm='^dm t=[0-9]+ host free='

assert_outcome success "the run ends in success"
assert_log '^vm lin: dynamic memory: .*, free page reporting, deflate on OOM$' \
	"the VM offers free page reporting and DEFLATE_ON_OOM"
assert_log 'init_on_free=1' "the guest zeroes pages when it frees them, not when it allocates them"

# Idle: reported memory returns to the host pool, while the VM keeps its 256M.
rep_idle=$(before "$idle" "$vm_dm" | field reported | sort -n | tail -n 1)
assert_num "idle, Linux reports free memory: MiB reported before the workload" "${rep_idle:-}" '>=' 100
# host free with nothing reported (the first host line once the VM is up) and at the end of idle
free0=$(before "$idle" "$host_dm" | field free | head -n 1)
free1=$(before "$idle" "$host_dm" | field free | tail -n 1)
rep1=$(before "$idle" "$vm_dm" | field reported | tail -n 1)
assert_num "the host pool grew by what was reported (${free0:-?}M -> ${free1:-?}M, ${rep1:-?}M reported): MiB off" \
	"$(( ${free1:-0} - ${free0:-0} - ${rep1:-999} ))" '==' 0
odd=$(before 'scenario: mem lin 128M' "$vm_dm" | grep -vcE "assigned=256M visible=256M balloon=0M .* target=256M" || true)
assert_num "until the target changes, every line has the VM at 256M: reporting moved no assignment (lines not)" \
	"${odd:-}" '==' 0

# Touch: bvwork maps 160M; the frames come back (the pool shrinks), zeroed, and its data holds.
assert_log '^\[lin\] bvwork: phase 1/1 done: checked [0-9]+ times, 40960 pages, 0 errors$' \
	"bvwork over reported memory: every page read zero when mapped, every check passed"
low=$(between "bv-fpr step=idle" "$touched" "$host_dm" | field free | sort -n | head -n 1)
assert_num "touched, the reported memory came back: the pool fell by MiB" \
	"$(( ${free1:-0} - ${low:-${free1:-0}} ))" '>=' 100
rep_again=$(between "bvwork: done" "$touched" "$vm_dm" | field reported | sort -n | tail -n 1)
assert_num "freed again, Linux reports it again: MiB reported" "${rep_again:-}" '>=' 100
refills=$(_bt_grep '^summary: vm lin: free page reporting: ' | sed -nE 's/.* ([0-9]+) refills;.*/\1/p')
assert_num "refills on touch (summary)" "${refills:-}" '>' 0

# DEFLATE_ON_OOM: the balloon holds 128M; bvwork wants 128M of the ~68M left.
assert_log "${vm_dm}assigned=128M visible=256M balloon=128M .* target=128M" "target 128M: the balloon holds 128M"
assert_log '^\[lin\] bvwork: done phases=1 checks=[0-9]+ errors=0$' "bvwork gets its 128M, every check passes"
defl=$(between 'bvwork 128M:4s' 'bv-oom step=done' "$vm_dm" | field balloon | sort -n | head -n 1)
assert_num "Linux took pages back from its balloon under the target: MiB left in it" "${defl:-}" '<' 128
assert_log '^\[lin\] bv-oom step=done kills=0$' "no OOM kill"
assert_no_log 'Killed process|Kernel panic|HYPERVISOR ERROR' "no process killed, no panic, no hypervisor error"
assert_log '^summary: vm lin: balloon: .*PFNs refused: 0 invalid, 0 duplicate, 0 wrong state' \
	"no balloon PFN refused"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: success' "the run ends in success"
