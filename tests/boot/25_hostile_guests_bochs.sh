#!/usr/bin/env bash
# Guests that misbehave (fault=KIND, guest/hostile.c) are each stopped with a report
# while a well-behaved neighbour passes and every frame comes back: triple fault,
# an MSR nobody emulates, VMX or SVM inside the guest, XSAVE that CPUID hides, and a
# halt nothing can wake. Also eight VMs at once, the most the hypervisor supports.
# On any backend (BV_BACKEND, lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso hostile "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=triple mem=4M -- fault=triple' \
	'module2 /boot/guest.elf name=msr mem=4M -- fault=msr' \
	'module2 /boot/guest.elf name=vmx mem=4M -- fault=vmx' \
	'module2 /boot/guest.elf name=xsetbv mem=4M -- fault=xsetbv' \
	'module2 /boot/guest.elf name=hlt mem=4M -- fault=hlt' \
	'module2 /boot/guest.elf name=good mem=8M' \
	'module2 /boot/guest.elf name=svm mem=4M -- fault=svm' \
	'module2 /boot/guest.elf name=good3 mem=4M' \
	'module2 /boot/guest.elf name=ninth mem=4M')"
run_guests hostile 240

# Every fault was contained; only the ninth VM's line was refused, so the run ends as refused
# input (status 3, README "Outcomes and exit statuses"), not as a failure.
assert_outcome refused "the run ends as refused input: every fault was contained, the ninth VM was refused"
assert_log '^balloonvisor: refused: config: module 8 "name=ninth mem=4M": too many VMs' \
	"the refusal is repeated at the end"
assert_log '^balloonvisor: finished: refused input \(1 input refused\)$' "and named in the verdict"
assert_log '^config: module 8 "name=ninth mem=4M": too many VMs \(at most 8\)' "a ninth VM is refused clearly"
assert_count '^vm [a-z0-9]+: created' 8 "eight VMs run side by side"
assert_count '^\[[a-z0-9]+\] hypercall: bad arguments refused' 8 \
	"every guest's hostile hypercall arguments (gpa beyond RAM, over-long print, unknown number) are refused"
assert_log '^==== vm triple: triple fault ====' "a triple fault is reported"
assert_log "$(exit_report_re triple)" "with its exit reason"
assert_log '^vm msr: read of MSR 0x12345 is not emulated: #GP' "an unknown MSR read is named and answered with #GP"
assert_log '^==== vm msr: triple fault ====' "the #GP without an IDT then ends that guest"
assert_log '^==== vm vmx: triple fault ====' "VMXON inside a guest gets #UD and ends that guest"
assert_log "^summary: vm vmx: exit $(exit_name vmxon) +1\$" "the VMXON exit is counted"
assert_log '^==== vm svm: triple fault ====' "VMRUN inside a guest gets #UD and ends that guest"
if [[ $BV_BACKEND == vmx ]]; then	# an Intel CPU raises #UD for VMRUN itself: no exit
	assert_no_log '^summary: vm svm: exit (VMRUN|exception)' "VMRUN is the CPU's #UD on Intel"
else	# AMD intercepts it (APM 15.5.1: the VMRUN intercept must be set) and the hypervisor injects #UD
	assert_log '^summary: vm svm: exit VMRUN +1$' "the VMRUN exit is counted"
fi
assert_log '^vm xsetbv: MOV to CR4 of 0x[0-9a-f]+: the CPU refuses this value: #GP' \
	"CR4.OSXSAVE, which CPUID hides, is refused with #GP as the CPU would"
assert_log '^==== vm xsetbv: triple fault ====' "the #GP without an IDT then ends that guest"
assert_no_log 'unhandled VM exit' "every exit a guest can cause has a handler"
assert_log '^==== vm hlt: halted with interrupts disabled ====' "a halt nothing can wake stops the VM"
assert_no_log 'survived the fault' "no guest survives its fault"
assert_log '^\[good\] PASS: good' "the well-behaved guest passes"
assert_log '^\[good3\] PASS: good3' "so does the eighth"
assert_count '^vm [a-z0-9]+: released [0-9]+ frames' 8 "every VM's frames are released"
assert_no_log 'LEAK|HYPERVISOR ERROR' "no frame leaks, no hypervisor error"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
