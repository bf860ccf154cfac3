#!/usr/bin/env bash
# A failed VM entry (here forced with selftest=badentry: VM 0 gets invalid guest
# state) is reported with reason, qualification and guest state; that VM stops,
# the other still passes, and the run ends as a failure (it is a hypervisor error).
# Likewise an exit nothing handles (selftest=unhandled turns on RDTSC exiting for VM 0,
# a hypervisor bug a guest cannot cause: every exit a guest can reach has a handler).
# On any backend (BV_BACKEND, lib.sh); on SVM the forced failure is a guest EFER without SVME.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso entry_failure "$(grub_cfg 'exit=emulator selftest=badentry' \
	'module2 /boot/guest.elf name=broken mem=4M' \
	'module2 /boot/guest.elf name=fine mem=4M')"
run_guests entry_failure 120

assert_outcome failure "the run ends with the failure status: a hypervisor error happened"
if [[ $BV_BACKEND == vmx ]]; then
	assert_log '^==== vm broken: VM entry failed \(guest state checks\) ====' "the failed entry is reported"
	assert_log '^  exit reason 33 \(invalid guest state\) \[VM-entry failure\]' "with the basic reason and the entry-failure bit"
	assert_log '^  rip 0000000000100000  rsp 0000000000010000  rflags 0000000000000000' "with the guest state that was refused"
else	# SVM: VMRUN refuses a guest EFER without SVME (APM 15.5.1) and exits as VMEXIT_INVALID
	assert_log '^==== vm broken: VM entry failed ====' "the failed VMRUN is reported"
	assert_log '^  exit code 0xffffffff \(VMEXIT_INVALID\), exitinfo1 ' "with the exit code"
	assert_log '^  cr0 [0-9a-f]{16}  cr3 [0-9a-f]{16}  cr4 [0-9a-f]{16}  efer 500$' \
		"with the guest state that was refused: EFER without SVME"
fi
assert_log '^summary: vm broken: .*\(HYPERVISOR ERROR\)' "the summary marks it a hypervisor error"
assert_log '^vm broken: released [0-9]+ frames' "its frames are still returned"
assert_log '^\[fine\] PASS: fine' "the other VM still passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: failure \(vm broken: hypervisor error: VM entry failed' \
	"the run ends as a failure, naming the VM and its error"

boot_iso unhandled_exit "$(grub_cfg 'exit=emulator selftest=unhandled' \
	'module2 /boot/guest.elf name=broken mem=4M' \
	'module2 /boot/guest.elf name=fine mem=4M')"
run_guests unhandled_exit 120

assert_outcome failure "an unhandled exit ends the run as a failure"
assert_log '^==== vm broken: unhandled VM exit ====' "the unhandled exit is reported"
assert_log "$(exit_report_re rdtsc)" "with its reason number and name"
assert_log '^summary: vm broken: .*\(HYPERVISOR ERROR\)' "the summary marks it a hypervisor error"
assert_log '^\[fine\] PASS: fine' "the other VM still passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: failure \(vm broken: hypervisor error: unhandled VM exit' \
	"the verdict names the unhandled exit"
