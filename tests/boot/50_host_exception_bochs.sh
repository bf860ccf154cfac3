#!/usr/bin/env bash
# A fault in the hypervisor itself is reported with vector, error code, RIP, CR2 and
# registers, and ends the run as a failure (selftest=ud raises #UD on purpose).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso host_exception "$(grub_cfg 'exit=emulator selftest=ud' \
	'module2 /boot/guest.elf name=alpha mem=16M')"
run_bochs host_exception 120

assert_status 1 "Bochs ends with the failure status"
assert_log '^HOST EXCEPTION: vector 6 \(invalid opcode\), error code 0x0$' "vector, name and error code are printed"
assert_log '^  rip [0-9a-f]{16}  cs 0008  rflags [0-9a-f]{16}  cr2 ' "RIP, CS, RFLAGS and CR2 are printed"
assert_log '^  r12 [0-9a-f]{16}' "the general registers are printed"
assert_log '^balloonvisor: finished: failure \(host exception: vector 6 \(invalid opcode\)\)$' \
	"the run ends as a failure, naming the exception"
