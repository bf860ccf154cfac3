#!/usr/bin/env bash
# Isolation: a guest that writes outside its RAM is stopped with an EPT-violation (on AMD a
# nested-page-fault) report; its neighbour keeps running and passes; the run still succeeds.
# On any backend (BV_BACKEND, lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso isolation "$(grub_cfg exit=emulator \
	'module2 /boot/guest-escape.elf name=escape mem=8M' \
	'module2 /boot/guest.elf name=good mem=16M')"
run_guests isolation 240

assert_outcome success "the run ends in success: the hypervisor contained the guest"
assert_log '^\[escape\] escape: touching gpa 0x801000' "the escape guest tries to write beyond its 8 MiB"
assert_log '^vm escape: write of guest-physical 0x801000 outside its RAM \[0, 0x800000\)' \
	"the hypervisor names the access, the address and the VM's RAM"
gpa=$(exit_title gpa)
assert_log "^==== vm escape: $gpa ====" "a report titled $gpa is printed"
assert_log "$(exit_report_re gpa)" "the report gives the exit's reason and information"
assert_log '^  rip 00000000001[0-9a-f]{5} ' "the report gives the guest RIP inside its image"
assert_log '^  rax [0-9a-f]{16}  rbx' "the report dumps the guest registers"
assert_log "^vm escape: stopped: $gpa" "the escape guest is stopped"
assert_no_log 'wrote outside RAM and survived' "the write never completes"
assert_log "^summary: vm escape: $gpa \\(guest fault\\)" "the summary records a contained guest fault"
assert_log '^vm escape: released 2053 frames' "the stopped guest's frames return to the pool"
assert_log '^\[good\] PASS: good' "the other guest still passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
