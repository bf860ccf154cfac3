#!/usr/bin/env bash
# Two guests time-sliced under VT-x in Bochs: both pass their memory test, their
# output interleaves, exits are counted per reason, frames are conserved, Bochs succeeds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso two_vms "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=alpha mem=32M -- seed=7' \
	'module2 /boot/guest.elf name=beta mem=16M')"
run_bochs two_vms 240

assert_status 0 "Bochs exits with success (magic breakpoint)"
assert_log '^vmx: VMXON ok' "VMXON succeeds"
assert_log '^vm alpha: created: 32 MiB RAM' "alpha is created with 32 MiB"
assert_log '^vm beta: created: 16 MiB RAM' "beta is created with 16 MiB"
assert_log '^\[alpha\] hello from alpha \(vm 0\), ram 32 MiB, cmdline "seed=7"' \
	"alpha gets its name, RAM size and command line through the boot protocol"
assert_log '^\[beta\] hypercalls by VMCALL \(GenuineIntel\)' "the guest picks VMCALL from the CPU vendor"
assert_log '^\[beta\] hypercall print works' "the print hypercall reaches the host log"
assert_log '^\[alpha\] cpuid: hypervisor signature "BalloonVisor" ok' \
	"CPUID hides VMX and shows the BalloonVisor leaf"
assert_log '^\[alpha\] memtest: 31 MiB ok' "alpha writes and verifies all of its free RAM"
assert_log '^\[beta\] memtest: 15 MiB ok' "beta writes and verifies all of its free RAM"
assert_log '^\[alpha\] PASS: alpha' "alpha passes"
assert_log '^\[beta\] PASS: beta' "beta passes"
assert_no_log 'FAIL' "no guest reports a failure"
assert_order '^\[beta\] hello' '^\[alpha\] PASS' "beta runs before alpha finishes (time slicing)"
assert_log '^summary: vm alpha: exit preemption timer +[1-9]' "alpha was preempted by the timer"
assert_log '^summary: vm beta: exit I/O instruction +[1-9]' "beta's COM1 exits are counted"
assert_log '^\[alpha\] control registers: shadows ok' "CR0/CR4 read shadows hide the bits VMX owns"
assert_log '^summary: vm alpha: exit CR access +2$' "clearing and restoring CR0.NE exit exactly twice"
assert_log '^summary: vm alpha: exit CPUID +3$' "alpha's three CPUID exits (vendor, features, signature) are counted exactly"
assert_log '^summary: vm alpha: exit VMCALL +6$' "alpha's six hypercalls are counted exactly"
assert_log '^vm alpha: released 8197 frames' "alpha's RAM and EPT frames all return to the pool"
assert_log '^frames: conservation check ok' "every host frame is accounted for at the end"
assert_log '^balloonvisor: finished: success$' "the run ends in success"
