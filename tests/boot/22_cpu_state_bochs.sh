#!/usr/bin/env bash
# CPU state no exit guards is switched per vCPU (docs/CPU-STATE.md): two VMs plant their own
# KERNEL_GS_BASE (by SWAPGS), SYSCALL MSRs, TSC_AUX, DR0-3, DR6, CR8 and FPU control words,
# yield to each other 40 times, and each sees only its own values, never the other's or the
# host's. A third VM writes values the CPU refuses (non-canonical bases, reserved PAT types and
# EFER bits, hidden CR4 features, MONITOR/MWAIT, RDPMC) and gets #GP or #UD as on hardware:
# contained in the guest, never a failed VM entry. On any backend (BV_BACKEND, lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso cpu_state "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=one mem=8M -- cpustate=1' \
	'module2 /boot/guest.elf name=two mem=8M -- cpustate=2' \
	'module2 /boot/guest.elf name=bad mem=8M -- badvalues=1')"
run_guests cpu_state 240

assert_outcome success "the run ends in success"
assert_log '^\[one\] cpustate: own values kept over 40 switches' "VM one keeps its own CPU state"
assert_log '^\[two\] cpustate: own values kept over 40 switches' "VM two keeps its own CPU state"
assert_log "^summary: vm one: exit $(exit_name hypercall) +4[0-9]\$" "VM one yielded at least 40 times"
assert_log '^\[bad\] badvalues: 24 of 24 refused as the CPU would' \
	"every refused value faults in the guest as on hardware"
assert_log '^vm bad: WRMSR 0xc0000100 of 0x800000000000: the CPU refuses this value: #GP' \
	"a refused value is named on the host console"
assert_log '^summary: vm bad: .*, 20 values refused,' "the 20 refused CR and MSR values are counted"
assert_log '^summary: vm bad: exit MWAIT +1$' "MWAIT exits (it must not reach the physical CPU)"
assert_log '^\[bad\] PASS: bad' "the guest that wrote them goes on and passes"
assert_log '^\[one\] PASS: one' "VM one passes"
assert_log '^\[two\] PASS: two' "VM two passes"
assert_no_log 'FAIL|HYPERVISOR ERROR|VM entry failed' "no failure, no hypervisor error, no failed entry"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
