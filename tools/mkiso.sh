#!/usr/bin/env bash
# Build a BIOS-bootable GRUB ISO holding the hypervisor, every test guest and a grub.cfg.
# usage: tools/mkiso.sh OUT.iso GRUB.cfg
#   env HV_ELF (default build/hv.elf) and GUEST_DIR (default build/guest) pick other inputs;
#   tools/scenarios/*.scn (and SCENARIO_DIR/*.scn if set) are copied to /boot too;
#   LINUX_DIR (e.g. build/linux, from make linux-guest) adds its vmlinuz and initrd.img.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 OUT.iso GRUB.cfg" >&2
	exit 2
fi
out=$1
cfg=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hv=${HV_ELF:-$root/build/hv.elf}
guests=${GUEST_DIR:-$root/build/guest}
# Only the BIOS platform: a host with grub-efi installed would otherwise add a large EFI image.
grubdir=/usr/lib/grub/i386-pc

for tool in grub-mkrescue grub-file xorriso; do
	if ! command -v "$tool" >/dev/null; then
		echo "mkiso: $tool not found (run tools/deps.sh)" >&2
		exit 1
	fi
done
if [[ ! -d $grubdir ]]; then
	echo "mkiso: $grubdir missing (package grub-pc-bin)" >&2
	exit 1
fi
if [[ ! -f $cfg ]]; then
	echo "mkiso: grub config $cfg not found" >&2
	exit 1
fi
if [[ ! -f $hv ]]; then
	echo "mkiso: $hv not found (run make all)" >&2
	exit 1
fi
# GRUB would only say "no multiboot header found" at boot time, inside the emulator.
if ! grub-file --is-x86-multiboot2 "$hv"; then
	echo "mkiso: $hv has no valid multiboot2 header (must be 8-byte aligned in the first 32 KiB)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/iso/boot/grub"
cp "$hv" "$tmp/iso/boot/hv.elf"
shopt -s nullglob
for g in "$guests"/*.elf; do
	cp "$g" "$tmp/iso/boot/"
done
# scenario files (timed monitor commands): `module2 /boot/NAME.scn scenario`
for s in "$root"/tools/scenarios/*.scn ${SCENARIO_DIR:+"$SCENARIO_DIR"/*.scn}; do
	cp "$s" "$tmp/iso/boot/"
done
if [[ -n ${LINUX_DIR:-} ]]; then
	for f in vmlinuz initrd.img; do
		if [[ ! -f $LINUX_DIR/$f ]]; then
			echo "mkiso: $LINUX_DIR/$f not found (run make linux-guest)" >&2
			exit 1
		fi
		cp "$LINUX_DIR/$f" "$tmp/iso/boot/$f"
	done
fi
cp "$cfg" "$tmp/iso/boot/grub/grub.cfg"

# Only the modules the configs use (dependencies are added by grub-mkrescue): < 1 MB and
# a faster boot in Bochs than the default of every module. PLATFORM.md has the numbers.
mods="normal multiboot2 iso9660 biosdisk serial terminal configfile echo test"
mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -d "$grubdir" --install-modules="$mods" --fonts= --locales= --themes= \
	-o "$out" "$tmp/iso" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
echo "iso: $out ($(( ($(stat -c %s "$out") + 1023) / 1024 )) KiB)"
