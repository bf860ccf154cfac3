#!/usr/bin/env bash
# boot=linux treats the image and its module lines as hostile input (issue 9): an image that
# is not a bzImage, a kernel whose initramfs is missing, an initrd with no kernel before it
# and a VM too small for the kernel are each refused with a message naming the module and the
# field, while a neighbour runs on and passes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso linux_refused "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=notbz startup=64M boot=linux' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/vmlinuz name=noinit startup=128M boot=linux -- quiet' \
	'module2 /boot/vmlinuz name=small startup=32M boot=linux dynamic=off' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/guest.elf name=ok startup=16M')"
run_bochs linux_refused 240

assert_status 3 "tools/bochs.sh exits with the refused-input status (the neighbour passed)"
assert_log '^config: module 0 "name=notbz startup=64M boot=linux": boot=linux: .*boot_flag' \
	"an ELF given as a bzImage is refused, the field named"
assert_log '^config: module 2 "name=noinit startup=128M boot=linux -- quiet": boot=linux needs an initramfs' \
	"a kernel with no initrd module after it is refused"
assert_log '^config: module 3 "name=small .*": .*init_size 0x[0-9a-f]+ .*does not fit in' \
	"a VM too small for the kernel's init_size is refused with both sizes"
assert_log '^config: module 5 is an initrd with no boot=linux VM on the line before it' \
	"a stray initrd module is refused"
assert_log '^\[ok\] PASS: ok' "the neighbour runs and passes"
assert_no_log '^vm (notbz|noinit|small): created' "no refused VM was created"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
assert_count '^balloonvisor: refused: config: module [0-9]' 4 "the end of the run repeats the four refusals"
assert_log '^balloonvisor: finished: refused input \(4 inputs refused\)$' "the verdict is refused input"
