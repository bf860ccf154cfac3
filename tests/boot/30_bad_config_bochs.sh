#!/usr/bin/env bash
# Malformed VM lines in grub.cfg: each gets a clear error naming the field and is
# skipped; the good VM still runs; the run ends as refused input (exit status 3), repeating
# each refusal at the end.
# (A module tag with mod_end below mod_start cannot come from a grub.cfg: GRUB sets the end
# from the file it loaded. tests/unit/test_multiboot2.c covers that one.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso bad_config "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=bad! mem=8M' \
	'module2 /boot/guest.elf name=q mem=12Q' \
	'module2 /boot/guest.elf name=nomem' \
	'module2 /boot/guest.elf name=ok mem=7M -- fine' \
	'module2 /boot/guest.elf name=ok mem=8M' \
	'module2 /boot/guest.elf name=huge mem=8G' \
	'module2 /boot/guest.elf name=typo mem=8M colour=red' \
	'module2 /boot/guest.elf name=minhi startup=8M min=16M' \
	'module2 /boot/guest.elf name=static startup=8M dynamic=off max=16M' \
	'module2 /boot/guest.elf name=greedy startup=8M min=8M max=4G')"
run_bochs bad_config 240

assert_status 3 "tools/bochs.sh exits with the refused-input status"
assert_log '^config: module 0 "name=bad! mem=8M": name: .*this VM is skipped$' "a bad name is refused, naming the field"
assert_log '^config: module 1 "name=q mem=12Q": mem: "12Q" is not a size' "a bad size is refused, naming the value"
assert_log '^config: module 2 "name=nomem": startup= is missing' "a missing size is refused, named as documented (startup=, not its alias mem=)"
assert_log '^config: vm ok: mem rounded up to 8 MiB' "a size that is not a multiple of 2 MiB is rounded, and said so"
assert_log '^config: module 4 "name=ok mem=8M": name: "ok" is already used' "a duplicate name is refused"
assert_log '^config: module 5 "name=huge mem=8G": mem: 8192 MiB does not fit' "a VM too large for the host is refused"
assert_log '^config: module 6 .*unknown key "colour"' "an unknown key is refused"
assert_log '^config: module 7 "name=minhi startup=8M min=16M": min: 16M is above startup= 8M' "a minimum above the startup size is refused"
assert_log '^config: module 8 .*: max= needs dynamic=on' "a maximum for a static VM is refused"
assert_log '^config: module 9 .*: max: the hot-plug region would end at [0-9]+M, above the guest.s 4G identity map' \
	"a hot-plug region beyond what the guest can address is refused"
assert_count '^vm [a-z]+: created' 1 "only the good VM is created"
assert_log '^\[ok\] PASS: ok' "the good VM runs and passes"
assert_log '^frames: conservation check ok' "refused VMs leave no frame behind"
assert_log '^balloonvisor: 9 inputs were refused, each with its reason above; the first ones:$' \
	"the end of the run counts the refusals"
assert_count '^balloonvisor: refused: config: module [0-9]' 8 "and repeats the first eight"
assert_log '^balloonvisor: refused: config: module 0 "name=bad! mem=8M": name: ' "the first one first"
assert_log '^balloonvisor: refused: \.\.\. and 1 more$' "with a count of the rest"
assert_log '^balloonvisor: finished: refused input \(9 inputs refused\)$' "the verdict is refused input, not success"
