#!/usr/bin/env bash
# A failed VM entry (here forced with selftest=badentry: VM 0 gets invalid guest
# state) is reported with reason, qualification and guest state; that VM stops,
# the other still passes, and the run ends as a failure (it is a hypervisor error).
# Likewise an exit nothing handles (selftest=unhandled turns on RDTSC exiting for VM 0,
# a hypervisor bug a guest cannot cause: every exit a guest can reach has a handler).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso entry_failure "$(grub_cfg 'exit=emulator selftest=badentry' \
	'module2 /boot/guest.elf name=broken mem=4M' \
	'module2 /boot/guest.elf name=fine mem=4M')"
run_bochs entry_failure 120

assert_status 1 "Bochs ends with the failure status: a hypervisor error happened"
assert_log '^==== vm broken: VM entry failed \(guest state checks\) ====' "the failed entry is reported"
assert_log '^  exit reason 33 \(invalid guest state\) \[VM-entry failure\]' "with the basic reason and the entry-failure bit"
assert_log '^  rip 0000000000100000  rsp 0000000000010000  rflags 0000000000000000' "with the guest state that was refused"
assert_log '^summary: vm broken: .*\(HYPERVISOR ERROR\)' "the summary marks it a hypervisor error"
assert_log '^vm broken: released [0-9]+ frames' "its frames are still returned"
assert_log '^\[fine\] PASS: fine' "the other VM still passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: failure \(vm broken: hypervisor error: VM entry failed' \
	"the run ends as a failure, naming the VM and its error"

boot_iso unhandled_exit "$(grub_cfg 'exit=emulator selftest=unhandled' \
	'module2 /boot/guest.elf name=broken mem=4M' \
	'module2 /boot/guest.elf name=fine mem=4M')"
run_bochs unhandled_exit 120

assert_status 1 "an unhandled exit ends the run as a failure"
assert_log '^==== vm broken: unhandled VM exit ====' "the unhandled exit is reported"
assert_log '^  exit reason 16 \(RDTSC\), qualification' "with its reason number and name"
assert_log '^summary: vm broken: .*\(HYPERVISOR ERROR\)' "the summary marks it a hypervisor error"
assert_log '^\[fine\] PASS: fine' "the other VM still passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: failure \(vm broken: hypervisor error: unhandled VM exit' \
	"the verdict names the unhandled exit"
