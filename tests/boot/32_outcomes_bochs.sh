#!/usr/bin/env bash
# Outcomes a script can trust (issue 11):
#  - `quit` from a scenario stops every VM, releases its frames, passes the conservation
#    check and ends in success, "(quit)", exit status 0;
#  - a run with refused input (a VM line, a malformed scenario, a scenario command, a
#    command-line option, a file GRUB could not load) repeats it at the end and exits 3;
#  - without exit=emulator the emulator script stops at the hypervisor's "halted" line with
#    the real outcome, instead of waiting for the timeout.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso quit "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=a mem=8M -- work=4M:60s' \
	'module2 /boot/guest.elf name=b mem=8M -- work=4M:60s' \
	'module2 /boot/quit.scn scenario')"
run_bochs quit 120

assert_status 0 "quit ends the run with exit status 0"
assert_log '^mon: t=[0-9]+ scenario: quit$' "the scenario's quit runs"
assert_count '^vm [ab]: stopped: stopped by quit \(from the scenario\)$' 2 "every VM stops by quit"
assert_count '^vm [ab]: released [0-9]+ frames' 2 "every VM's frames are released"
assert_count '^summary: vm [ab]: stopped by quit \(from the scenario\) \(quit\)' 2 "the summary says each VM stopped by quit"
assert_log '^frames: conservation check ok' "the conservation check passes"
assert_log '^frames: .*, in VMs 0,' "no frame is left in a VM"
assert_log '^balloonvisor: finished: success \(quit\)$' "the verdict is success, by quit"

boot_iso refused "$(grub_cfg 'exit=emulator tick=fast' \
	'module2 /boot/guest.elf name=ok mem=8M -- work=4M:3s' \
	'module2 /boot/guest.elf name=bad mem=12Q' \
	'module2 /boot/no-such-guest.elf name=lost mem=8M' \
	'module2 /boot/refused-bad.scn scenario' \
	'module2 /boot/refused.scn scenario')"
run_bochs refused 120

assert_status 3 "refused input ends with exit status 3, not 0 (success) or 1 (failure)"
assert_log '^\[ok\] work: done' "the VM that was accepted runs its work"
assert_log '^frames: conservation check ok' "the conservation check passes"
assert_log '^balloonvisor: 5 inputs were refused, each with its reason above:$' "the end counts what was refused"
assert_log '^balloonvisor: refused: cmdline: tick=fast is not a number' "a bad option is repeated"
assert_log '^balloonvisor: refused: config: module 1 "name=bad mem=12Q": mem: "12Q" is not a size.*this VM is skipped$' \
	"a refused VM line is repeated"
assert_log '^balloonvisor: refused: scenario line 3: .*; the scenario is ignored$' \
	"a malformed scenario, thrown away, is repeated"
assert_log '^balloonvisor: refused: scenario: t=[0-9]+ "mem nosuch 16M": no VM named "nosuch"$' \
	"a scenario command naming no VM is repeated"
assert_log '^balloonvisor: refused: scenario: t=[0-9]+ "set ok max=4G": set: ok: max can be at most 8M \(the hot-plug region is fixed at start\)$' \
	"a scenario command the VM cannot take (a max beyond the hot-plug region) is repeated"
assert_order '^balloonvisor: refused: ' '^balloonvisor: finished: ' "the refusals come just before the verdict"
assert_log '^balloonvisor: finished: refused input \(5 inputs refused\)$' "the verdict is refused input, with the count"
if grep -q "refused by GRUB before the hypervisor started: error: file .*/boot/no-such-guest.elf' not found" \
	"$BV_TEST_DIR/refused.emu.out"; then
	_bt_result 1 "tools/bochs.sh repeats the module file GRUB could not load"
else
	_bt_result 0 "tools/bochs.sh repeats the module file GRUB could not load"
fi

# Only GRUB's refusal: the hypervisor itself succeeds, the script still says 3.
boot_iso grub_refused "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=ok mem=8M' \
	'module2 /boot/no-such-guest.elf name=lost mem=8M')"
run_bochs grub_refused 120
assert_status 3 "a module file GRUB could not load alone makes it refused input"
assert_log '^balloonvisor: finished: success$' "while the hypervisor ran all it was given"

# A forgotten exit=emulator: the hypervisor halts and the script stops Bochs at once.
boot_iso no_exit "$(grub_cfg '' 'module2 /boot/guest.elf name=ok mem=8M')"
start=$SECONDS
run_bochs no_exit 240
took=$((SECONDS - start))
assert_status 0 "without exit=emulator the run still ends with its outcome, 0"
assert_log '^balloonvisor: finished: success$' "the verdict line is there"
assert_log '^balloonvisor: halted; it is safe to power off$' "and the final halted line"
if ((took < 90)); then _bt_result 1 "it ends promptly ($took s), not at the 240 s timeout"; else
	_bt_result 0 "it ends promptly" "$took s"
fi
