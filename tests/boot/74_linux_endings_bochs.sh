#!/usr/bin/env bash
# How a Linux guest's run ends (issue 9): `reboot` in the guest (through the keyboard
# controller, reboot=k) stops its VM cleanly with on_reboot=stop; a kernel panic (the
# hypervisor adds panic=-1, so the kernel resets at once) is reported as that guest's failure
# with the kernel's panic line; neither fails the run, and every frame comes back.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso linux_endings "$(grub_cfg exit=emulator \
	'module2 /boot/vmlinuz name=reb startup=128M dynamic=off boot=linux -- quiet bv.run=true bv.on_exit=reboot' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/vmlinuz name=pan startup=128M dynamic=off boot=linux -- quiet bv.run="echo c >/proc/sysrq-trigger"' \
	'module2 /boot/initrd.img initrd')"
BOCHS_MEGS=1024 run_bochs linux_endings 500

assert_status 0 "Bochs exits with success"
assert_log '^\[reb\] bv-linux: reboot' "the first guest's init reboots"
assert_log '^vm reb: stopped: rebooted by .* \(on_reboot=stop\)' "its reboot stops the VM"
assert_log '^summary: vm reb: .*\(power-off\), exit status 0' "as a clean ending with status 0"
assert_log '^vm pan: stopped: .*Kernel panic - not syncing' "the panic is the second VM's stop reason"
assert_log '^summary: vm pan: .*\(guest fault\)' "reported as the guest's failure"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: success' "a contained guest failure does not fail the run"
