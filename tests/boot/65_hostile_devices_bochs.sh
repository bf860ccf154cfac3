#!/usr/bin/env bash
# Hostile guests against the devices (guest/hostile_virtio.c): PFNs outside RAM or of
# the guest's own image, duplicate PFNs, a looping descriptor chain, and virtio-mem
# requests outside the region. Every one is refused and counted; the host and a
# well-behaved neighbour go on; no frame is lost.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dyn='startup=32M min=16M max=96M'
boot_iso hostile_dev "$(grub_cfg exit=emulator \
	"module2 /boot/guest.elf name=badpfn $dyn -- fault=badpfn work=8M:1s" \
	"module2 /boot/guest.elf name=duppfn $dyn -- fault=duppfn work=8M:1s" \
	"module2 /boot/guest.elf name=loop $dyn -- fault=loop work=8M:1s" \
	"module2 /boot/guest.elf name=memrange $dyn -- fault=memrange work=8M:1s" \
	"module2 /boot/guest.elf name=good $dyn -- work=24M:1s,64M:1500ms")"
run_guests hostile_dev 300

assert_outcome success "the run ends in success"
for kind in badpfn duppfn loop memrange; do
	assert_log "^\[$kind\] hostile: $kind refused ok" "the device refuses the $kind guest's requests"
	assert_log "^\[$kind\] PASS: $kind" "and the $kind guest's devices still work afterwards"
done
assert_log '^summary: vm badpfn: balloon: .*PFNs refused: [1-9][0-9]* invalid' \
	"PFNs outside RAM, 0xffffffff and image pages are counted as invalid"
assert_log '^summary: vm duppfn: balloon: .*PFNs refused: [0-9]+ invalid, 99 duplicate' \
	"99 repeats of one PFN in a request are dropped as duplicates"
assert_log '^summary: vm loop: virtio-mem: .*bad chains [1-9]' "the looping descriptor chain is refused and counted"
assert_log '^summary: vm memrange: virtio-mem: [0-9]+ requests \([0-9]+ ack, [0-9]+ nack, [1-9][0-9]* error\)' \
	"virtio-mem requests outside the region are answered ERROR"
assert_log '^\[good\] work: done, [1-9][0-9]* checks ok' "the neighbour's data stays intact"
assert_log '^\[good\] PASS: good' "the neighbour passes"
assert_no_log 'FAIL|HYPERVISOR ERROR|LEAK' "no failure, no hypervisor error, no leaked frame"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
