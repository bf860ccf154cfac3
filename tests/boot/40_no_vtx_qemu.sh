#!/usr/bin/env bash
# QEMU TCG has no VT-x (PLATFORM.md): the hypervisor must say so clearly and end
# QEMU cleanly (debug-exit status 37), not hang or triple-fault.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso no_vtx "$(grub_cfg exit=emulator 'module2 /boot/guest.elf name=alpha mem=16M')"
run_qemu no_vtx 60

assert_status 37 "QEMU ends through isa-debug-exit with the 'unsupported CPU' code"
assert_log '^cpu: AuthenticAMD, VT-x no, AMD SVM yes' "CPUID detection reports the CPU"
assert_log '^balloonvisor: no VT-x on this CPU' "one clear line says there is no VT-x"
assert_log 'Bochs with a VT-x model' "it says what to use instead"
assert_no_log 'vmx:' "VT-x is never touched"
assert_log '^balloonvisor: finished: unsupported CPU$' "the run ends cleanly"
