#!/usr/bin/env bash
# Linux guests, part 1 (issue 9): Debian's cloud kernel, unmodified, boots under VT-x/EPT
# beside a test-guest VM, reaches its initramfs and prints the init's marker; a scenario types
# commands into its shell on COM1 and the output appears under the VM's name; `reboot` with
# on_reboot=restart builds the VM again from its image and it boots a second time; `poweroff`
# in its second shell ends the VM as powered off with status 0; the test guest passes; every
# frame is accounted for. The platform it needs (PIT, RTC, 16550A, i8042, PCI conf1, 8259) is emulated.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso linux_boot "$(grub_cfg exit=emulator \
	'module2 /boot/vmlinuz name=lin startup=256M dynamic=off boot=linux on_reboot=restart -- quiet' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/guest.elf name=tg startup=16M' \
	'module2 /boot/linux-shell.scn scenario')"
run_guests linux_boot 400 1024

assert_outcome success "the run ends in success"
assert_log '^vm lin: linux: boot protocol 2\.1[2-9], kernel [0-9]+ KiB at 0x1000000' \
	"the bzImage is checked and loaded at its preferred address"
assert_log '^vm lin: linux: the hypervisor adds: console=ttyS0 acpi=off noapic nolapic pci=conf1 tsc=reliable tsc_early_khz=[0-9]+ reboot=k panic=-1$' \
	"the options only the hypervisor knows are added and printed"
assert_log '^\[lin\] bv-linux: up uptime=[0-9.]+ kernel=6\.1\.[0-9]+-[0-9]+-cloud-amd64 memtotal=[0-9]+ kB' \
	"Linux reaches its init and prints the marker"
assert_log '^\[lin\] bv-linux: shell' "the init starts a shell on the console"
assert_log '^mon: type: lin: [0-9]+ bytes queued' "the scenario's typed text is queued on COM1"
assert_log '^\[lin\] .*MemTotal: +2[0-9]{5} kB' "the typed command runs: /proc/meminfo's MemTotal"
assert_log '^\[lin\] 6\.1\.[0-9]+-[0-9]+-cloud-amd64' "the second typed command runs: uname -r"
assert_log '^vm lin: reboot by i8042 reset pulse: restarting \(on_reboot=restart\)' \
	"reboot in the guest resets it through the keyboard controller"
assert_log '^vm lin: restarted \(1\), entry 0x1000200' "the VM is built again from its image"
assert_count '^\[lin\] bv-linux: up uptime=' 2 "Linux boots twice"
assert_order '^vm lin: restarted' '^vm lin: stopped: powered off' "it powers off after its restart"
assert_log '^vm lin: stopped: powered off' "poweroff in the guest stops the VM as powered off"
assert_log '^summary: vm lin: powered off .*\(power-off\), exit status 0' "with status 0"
assert_log "^summary: vm lin: exit $(exit_name io)" "its device accesses are port exits"
assert_no_log 'Kernel panic|HYPERVISOR ERROR|VM entry failed' \
	"no panic, no hypervisor error, no failed entry"
assert_log '^\[tg\] PASS: tg' "the test guest beside it passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: success' "the run ends in success"
