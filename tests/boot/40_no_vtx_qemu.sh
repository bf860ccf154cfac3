#!/usr/bin/env bash
# A CPU with neither VT-x nor SVM (QEMU TCG's qemu64 with SVM taken away): the hypervisor
# must say so clearly and end QEMU cleanly (debug-exit status 37), not hang or triple-fault.
# (QEMU TCG's default CPUs have SVM with nested paging, which the SVM backend runs.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso no_vtx "$(grub_cfg exit=emulator 'module2 /boot/guest.elf name=alpha mem=16M')"
QEMU_CPU=qemu64,-svm run_qemu no_vtx 60

assert_status 37 "QEMU ends through isa-debug-exit with the 'unsupported CPU' code"
assert_log '^cpu: AuthenticAMD, VT-x no, AMD SVM no$' "CPUID detection reports the CPU"
assert_log '^balloonvisor: no VT-x and no AMD SVM with nested paging on this CPU' \
	"one clear line says there is neither VT-x nor SVM"
assert_log 'Bochs with a VT-x model' "it says what to use instead"
assert_no_log 'vmx:' "VT-x is never touched"
assert_no_log 'svm:' "SVM is never touched"
assert_log '^balloonvisor: finished: unsupported CPU$' "the run ends cleanly"
