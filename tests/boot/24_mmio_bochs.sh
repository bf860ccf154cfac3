#!/usr/bin/env bash
# MMIO emulation (kernel/mmio.c, kernel/insn_decode.c): with selftest=mmio every VM gets the
# MMIO scratch device (include/mmio_scratch.h) above its RAM. One guest loads and stores through
# it with every MOV form the decoder takes (high-byte and REX registers, SIB, moffs, immediates,
# MOVZX/MOVSX/MOVSXD, an FS override, RSP, an instruction straddling a page, a store
# single-stepped in a MOV SS shadow) and checks each register and byte. A read just past the
# device, where nothing is registered, still stops its VM with the EPT-violation report; an ADD
# to a device register is named, not emulated, and stops its VM. Neighbours are not affected.
# On any backend (BV_BACKEND, lib.sh): on AMD the exits are nested page faults.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso mmio "$(grub_cfg 'exit=emulator selftest=mmio' \
	'module2 /boot/guest.elf name=check mem=8M -- mmio=check' \
	'module2 /boot/guest.elf name=stray mem=8M -- mmio=stray' \
	'module2 /boot/guest.elf name=badinsn mem=8M -- mmio=badinsn')"
run_guests mmio 240

assert_outcome success "the run ends in success: both faults were contained"
assert_count '^selftest=mmio: vm [a-z]+: MMIO scratch device at 0xfeb00000' 3 \
	"selftest=mmio gives each VM its own scratch device"
assert_log '^\[check\] mmio: PASS 88 movb %ah, 0x09\(%rdi\) \(high byte\)' "a store from AH"
assert_log '^\[check\] mmio: PASS 8a movb 0x09\(%rdi\), %bh \(high byte\)' \
	"a load into BH keeps the rest of RBX"
assert_log '^\[check\] mmio: PASS 44 8b movl 0x10\(%rdi\), %r10d \(zero-extends\)' \
	"a 32-bit load into a REX register zero-extends"
assert_log '^\[check\] mmio: PASS 48 c7 movq \$-2, 0x28\(%rdi\) \(sign-extended\)' \
	"a 64-bit store of a sign-extended immediate"
assert_log '^\[check\] mmio: PASS 4c 63 movslq 0x10\(%rdi\), %r14' "MOVSXD sign-extends"
assert_log '^\[check\] mmio: PASS 64 8b movl %fs:0x08, %eax \(FS base\)' \
	"an FS-relative load: the exit's address holds the base"
assert_log '^\[check\] mmio: PASS 48 8b movq 0x38\(%rdi\), %rsp' "a load into RSP"
assert_log '^\[check\] mmio: PASS 8b movl 0x10\(%rdi\), %eax across a page boundary' \
	"an instruction whose bytes straddle a page is fetched from both"
assert_log '^\[check\] mmio: PASS store single-stepped in a MOV SS shadow raises #DB' \
	"an emulated store ends the MOV SS shadow and raises the single-step trap"
assert_log '^\[check\] mmio: PASS each instruction is one device access' \
	"every instruction reaches the device exactly once"
assert_log '^\[check\] mmio: ([0-9]+) of \1 cases pass' "every MMIO case passes"
assert_no_log 'mmio: FAIL' "no MMIO case fails"
assert_log "^summary: vm check: exit $(exit_name gpa) +[0-9]{3,}\$" "each access exits as an $(exit_name gpa)"
assert_log '^\[check\] PASS: check' "the guest goes on and passes"
assert_log '^vm stray: read of guest-physical 0xfeb01000 outside its RAM \[0, 0x800000\)' \
	"a read just past the device is not the device's"
gpa=$(exit_title gpa)
assert_log "^==== vm stray: $gpa ====" "it gets the $gpa report"
assert_log "^vm stray: stopped: $gpa" "and stops that VM"
assert_no_log 'read past the device and survived' "the stray read never completes"
refused='^vm badinsn: MMIO access to 0xfeb00008 \(mmio scratch\) by the instruction at rip 0x[0-9a-f]+: '
assert_log "${refused}not an MMIO instruction we emulate: bytes 83 47 08 01" \
	"an ADD to a device register is named with its bytes"
assert_log '^==== vm badinsn: MMIO access not emulated ====' "and reported"
assert_log '^summary: vm badinsn: MMIO access not emulated \(guest fault\)' \
	"the summary records a contained guest fault"
assert_no_log 'read-modify-write of MMIO was emulated' "the ADD never completes"
assert_no_log 'HYPERVISOR ERROR|VM entry failed' "no hypervisor error, no failed entry"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
