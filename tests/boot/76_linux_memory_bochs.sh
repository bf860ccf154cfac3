#!/usr/bin/env bash
# Linux guests, part 2 (issue 10): Debian's unmodified virtio_balloon and virtio_mem modules
# bind to the hypervisor's devices and move memory when the monitor sets a target: below
# startup the balloon inflates and the guest's own MemTotal drops by exactly that much; back at
# startup it deflates; above startup virtio-mem plugs blocks in a region at 4 GiB and Linux
# onlines them (memhp_default_state=online_movable), MemTotal rising by the plugged size; back
# at startup Linux offlines and unplugs them. Every frame is accounted for.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso linux_memory "$(grub_cfg exit=emulator \
	'module2 /boot/vmlinuz name=lin startup=256M min=64M max=512M boot=linux -- quiet' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/linux-memory.scn scenario')"
run_guests linux_memory 400 1024

# memtotal STEP: the guest's MemTotal in kB at that step of the scenario (empty if absent)
memtotal() {
	sed -nE "s/^\[lin\] bv-mem step=$1 MemTotal: +([0-9]+) kB$/\1/p" "$SERIAL_TXT" | head -n 1
}
# assert_kb STEP EXPECTED_KB DESC: MemTotal at STEP within 1 MiB of EXPECTED_KB
assert_kb() {
	local got
	got=$(memtotal "$1")
	if [[ -n $got && -n $2 ]] && (((got > $2 ? got - $2 : $2 - got) <= 1024)); then
		echo "ok - $3 ($got kB)"
	else
		_bt_failed=$((_bt_failed + 1))
		echo "not ok - $3 (MemTotal ${got:-missing} kB, expected ${2:-?} kB within 1024)"
	fi
}

assert_outcome success "the run ends in success"
assert_log '^vm lin: dynamic memory: .*virtio-mem region 256M at 0x100000000, eager plug' \
	"a Linux VM's virtio-mem region starts at 4 GiB, in whole 128 MiB memory blocks"
assert_log 'memhp_default_state=online_movable$' \
	"the hypervisor asks Linux to online hot-plugged memory as movable"
assert_log '^\[lin\] bv-linux: up uptime=' "Linux reaches its init"
assert_no_log '^\[lin\] bv-linux: cannot load' "the virtio modules load from the initramfs"
assert_log '^\[lin\] bv-pci 0000:00:[0-9a-f]{2}\.0 0x1af4:0x1045 virtio-pci$' \
	"Linux enumerates the virtio-balloon PCI function (1af4:1045), bound to virtio-pci"
assert_log '^\[lin\] bv-pci 0000:00:[0-9a-f]{2}\.0 0x1af4:0x1058 virtio-pci$' \
	"Linux enumerates the virtio-mem PCI function (1af4:1058), bound to virtio-pci"
# status 0xf: ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK (VIRTIO 1.2 §2.1)
assert_log '^\[lin\] bv-virtio virtio[0-9] status=0x0000000f virtio_balloon$' \
	"virtio_balloon binds and its device reaches DRIVER_OK"
assert_log '^\[lin\] bv-virtio virtio[0-9] status=0x0000000f virtio_mem$' \
	"virtio_mem binds and its device reaches DRIVER_OK"
assert_log '^\[lin\] bv-mods .*virtio_mem .*virtio_balloon .*virtio_pci ' \
	"the modules are loaded, each after those it needs (/proc/modules lists the newest first)"
assert_log '^\[lin\] \[ *[0-9.]+\] virtio_mem virtio1: start address: 0x100000000' \
	"Linux's virtio_mem binds and reads the region's address"
start=$(memtotal start)
assert_log '^\[lin\] bv-mem step=start MemTotal' "MemTotal at startup (${start:-?} kB)"
assert_kb balloon "$((${start:-0} - 96 * 1024))" \
	"target 160M: Linux's balloon inflates 96 MiB and MemTotal drops by that much"
assert_log '^dm t=[0-9]+ vm=lin assigned=160M visible=256M balloon=96M plugged=0M' \
	"the host took the 96 MiB back"
assert_kb deflated "${start:-}" "back to 256M: the balloon deflates, MemTotal as at startup"
assert_kb plugged "$((${start:-0} + 256 * 1024))" \
	"target 512M: virtio-mem plugs 256 MiB, Linux onlines it, MemTotal rises by that much"
assert_log '^\[lin\] +100000000-10fffffff : System RAM \(virtio_mem\)' \
	"the plugged memory is System RAM above 4 GiB"
assert_log '^dm t=[0-9]+ vm=lin assigned=512M visible=512M balloon=0M plugged=256M' \
	"the host backs the 256 MiB plugged"
assert_kb unplugged "${start:-}" "back to 256M: Linux offlines and unplugs it, MemTotal as at startup"
assert_log '^summary: vm lin: balloon: [0-9]+ inflate and [0-9]+ deflate requests, 24576 pages out, 24576 back, 0 refaulted; PFNs refused: 0 invalid, 0 duplicate, 0 wrong state' \
	"the balloon moved 24576 pages each way, none refused"
assert_log '^summary: vm lin: virtio-mem: [0-9]+ requests \([0-9]+ ack, [0-9]+ nack, 0 error\), 128 blocks plugged, 128 unplugged' \
	"virtio-mem plugged and unplugged 128 blocks without an error"
assert_log '^vm lin: stopped: powered off' "poweroff in the guest stops the VM"
assert_no_log 'Out of memory|Kernel panic|HYPERVISOR ERROR|VM entry failed' \
	"no OOM kill, no panic, no hypervisor error"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_log '^balloonvisor: finished: success' "the run ends in success"
