#!/usr/bin/env bash
# The two guests of test 10 on AMD SVM with nested paging: QEMU TCG's EPYC model, which has
# no NRIP save (PLATFORM.md), so skipped instructions are measured from their bytes; with
# BV_BACKEND=svm-bochs (47_two_vms_svm_bochs.sh) Bochs's ryzen, which has it. alpha calls the
# hypervisor with AMD's VMMCALL, beta with Intel's VMCALL (hypercall=vmcall), which an AMD CPU
# answers with #UD: the hypervisor takes both.
set -euo pipefail
: "${BV_BACKEND:=svm}"
source "$(dirname "$0")/lib.sh"

boot_iso two_vms_svm "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=alpha mem=32M -- seed=7' \
	'module2 /boot/guest.elf name=beta mem=16M -- hypercall=vmcall')"
run_guests two_vms_svm 240
nrip=no
[[ $BV_BACKEND == svm-bochs ]] && nrip=yes

assert_outcome success "$BV_EMU_NAME ends with success"
assert_log '^cpu: AuthenticAMD, VT-x no, AMD SVM yes with nested paging$' "SVM with NPT is detected"
assert_log "^svm: SVM enabled \\(nested paging, [0-9]+ ASIDs, NRIP save $nrip\\)" \
	"SVM is enabled (NRIP save $nrip)"
assert_no_log 'vmx:' "VT-x is never touched"
assert_log '^\[alpha\] hello from alpha \(vm 0\), ram 32 MiB, cmdline "seed=7"' \
	"alpha boots on SVM through the boot protocol"
assert_log '^\[alpha\] hypercalls by VMMCALL \(AuthenticAMD\)' "alpha picks VMMCALL from the CPU vendor"
assert_log '^\[beta\] hypercalls by VMCALL \(AuthenticAMD\)' "beta is told to use VMCALL"
assert_log '^\[beta\] hypercall print works' "beta's VMCALL (#UD on AMD) reaches the hypercall handler"
assert_log '^\[alpha\] cpuid: hypervisor signature "BalloonVisor" ok' "CPUID exits are emulated"
assert_log '^\[alpha\] memtest: 31 MiB ok' "alpha's RAM works through the nested page tables"
assert_log '^\[beta\] memtest: 15 MiB ok' "beta's RAM works through the nested page tables"
assert_log '^\[alpha\] PASS: alpha' "alpha passes"
assert_log '^\[beta\] PASS: beta' "beta passes"
assert_no_log 'FAIL' "no guest reports a failure"
assert_log '^summary: vm alpha: exit CPUID +3$' "alpha's three CPUID exits (vendor, features, signature) are counted exactly"
assert_log '^summary: vm alpha: exit CR0 write +2$' "clearing and restoring CR0.NE exit exactly twice"
assert_log '^summary: vm alpha: exit VMMCALL +6$' "alpha's six hypercalls (VMMCALL) are counted exactly"
assert_log '^summary: vm beta: exit exception 6 \(#UD\) +6$' \
	"beta's six hypercalls (VMCALL, #UD on AMD) are counted exactly"
assert_no_log '^summary: vm alpha: exit exception 6' "alpha raises no #UD"
assert_log '^lapic: timer at [0-9]+ kHz' "the local APIC timer is calibrated as the slice timer"
assert_log '^summary: vm alpha: exit INTR +[1-9]' "alpha was preempted by the slice timer"
assert_order '^\[beta\] hello' '^\[alpha\] PASS' "beta runs before alpha finishes (time slicing)"
assert_log '^vm alpha: released 8197 frames' "alpha's RAM, NPT and VMCB frames all return to the pool"
assert_log '^frames: conservation check ok' "every host frame is accounted for at the end"
assert_log '^balloonvisor: finished: success$' "the run ends in success"
