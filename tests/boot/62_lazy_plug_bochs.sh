#!/usr/bin/env bash
# Lazy plug (plug=lazy): a virtio-mem plug only promises frames and each block gets
# zeroed frames at the guest's first touch (an EPT violation). Side by side with an
# eager VM, both grow by 128M and shrink back; the guest reads every plugged page as
# zeros and its data checks pass; every promise is kept or released; frames are conserved.
# On any backend (BV_BACKEND, lib.sh): on AMD the first touch is a nested page fault.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso lazy_plug "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=lz startup=64M max=192M plug=lazy -- work=24M:7s' \
	'module2 /boot/guest.elf name=eg startup=64M max=192M -- work=24M:7s' \
	'module2 /boot/lazy.scn scenario')"
run_guests lazy_plug 300

# summary_num VM REGEX: the number the regex's last group catches in VM's summary lines
summary_num() { _bt_grep "^summary: vm $1: " | sed -nE "s/.*$2.*/\\1/p" | head -n 1; }

assert_outcome success "the run ends in success"
assert_log '^vm lz: dynamic memory: .*virtio-mem region 128M at 0x8000000, lazy plug(,|$)' "lz has lazy plug"
assert_log '^vm eg: dynamic memory: .*virtio-mem region 128M at 0x8000000, eager plug(,|$)' "eg has eager plug (the default)"
assert_log '^dm t=[0-9]+ vm=lz assigned=192M .* owed=[0-9]+M$' "telemetry shows lz at 192M, with its owed memory"
assert_log '^mon: lz +running +on +64M +16M +192M +192M ' "the vms table shows lz grown to 192M"
for vm in lz eg; do
	assert_log "^\\[$vm\\] PASS: $vm" "$vm passes its data and zero checks"
done
plugged=$(summary_num lz 'virtio-mem: .* ([0-9]+) blocks plugged')
backed=$(summary_num lz 'lazy plug: ([0-9]+) blocks backed at first touch')
if [[ -n $plugged && -n $backed ]] && ((plugged >= 64 && backed >= 1 && backed <= plugged)); then
	_bt_result 1 "lz's blocks were backed at first touch ($backed of $plugged plugged)"
else
	_bt_result 0 "lz's blocks were backed at first touch" "plugged '$plugged', backed '$backed'"
fi
gpa=$(exit_name gpa)
ept=$(summary_num lz "exit $gpa +([0-9]+)")
if [[ -n $ept && -n $backed ]] && ((ept >= backed)); then
	_bt_result 1 "each first touch was an $gpa exit ($ept for $backed blocks)"
else
	_bt_result 0 "each first touch was an $gpa exit" "$gpa exits '$ept', backed '$backed'"
fi
assert_no_log '^summary: vm eg: lazy plug' "eg has no lazy-plug line"
assert_no_log 'FAIL|promised, but' "no guest check fails and no promise is lost"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
