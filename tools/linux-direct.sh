#!/usr/bin/env bash
# Boot the Linux guest kit directly in Bochs, without the hypervisor, and time it to the init's
# marker line: the reference for the nested boot. Builds the kit first (tools/linux-guest.sh).
# usage: tools/linux-direct.sh [TIMEOUT_SECONDS=300]
#   env LINUX_KERNEL, LINUX_INITRD (default build/linux/vmlinuz, initrd.img) boot other files;
#   LINUX_APPEND adds kernel parameters; BOCHS_CPU, BOCHS_MEGS as for tools/bochs.sh.
#   Writes build/linux/direct.iso and the serial log build/linux/direct-serial.log.
# Exit status: 0 = "bv-linux: up" appeared, 1 = it did not (timeout, Bochs error, no kit),
# 2 = bad usage.
set -euo pipefail

if [[ $# -gt 1 || ! ${1:-300} =~ ^[0-9]+$ ]]; then
	echo "usage: $0 [TIMEOUT_SECONDS=300]" >&2
	exit 2
fi
limit=${1:-300}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/linux
iso=$out/direct.iso
serial=$out/direct-serial.log
grubdir=/usr/lib/grub/i386-pc
# Bochs runs at ips=100000000 with `clock: sync=none` (tools/bochs.sh): its timers count
# emulated ticks, one per instruction, and so does the TSC, which is thus 100 MHz in guest
# time. Saying so skips the kernel's TSC calibration against the PIT.
tsc_khz=100000
append="console=ttyS0 acpi=off noapic nolapic pci=conf1 tsc=reliable tsc_early_khz=$tsc_khz"
append+=" reboot=t quiet bv.run=\"true\" ${LINUX_APPEND:-}"

if [[ -z ${LINUX_KERNEL:-} || -z ${LINUX_INITRD:-} ]]; then
	"$root/tools/linux-guest.sh" || exit 1
fi
kernel=${LINUX_KERNEL:-$out/vmlinuz}
initrd=${LINUX_INITRD:-$out/initrd.img}
for f in "$kernel" "$initrd"; do
	if [[ ! -f $f ]]; then
		echo "linux-direct: $f not found" >&2
		exit 1
	fi
done

bochs_pid=
tmp=$(mktemp -d)
cleanup() {
	# tools/bochs.sh kills its emulator's process group when it ends.
	if [[ -n $bochs_pid ]]; then
		kill -TERM "$bochs_pid" 2>/dev/null || true
		wait "$bochs_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$tmp/iso/boot/grub" "$out"
cp "$kernel" "$tmp/iso/boot/vmlinuz"
cp "$initrd" "$tmp/iso/boot/initrd.img"
cat >"$tmp/iso/boot/grub/grub.cfg" <<EOF
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "Linux guest kit, no hypervisor" {
	linux /boot/vmlinuz $append
	initrd /boot/initrd.img
}
EOF
if ! grub-mkrescue -d "$grubdir" --install-modules="normal linux iso9660 biosdisk serial terminal" \
	--fonts= --locales= --themes= -o "$iso" "$tmp/iso" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	echo "linux-direct: grub-mkrescue failed (run tools/deps.sh)" >&2
	exit 1
fi

# Bochs never ends by itself here (no magic breakpoint): watch the serial log for the marker
# and Bochs's log for the halt that the guest's power-off becomes, then stop it.
rm -f "$serial" "$serial.bochs.log"
start=$(date +%s%N)
"$root/tools/bochs.sh" "$iso" "$serial" "$limit" &
bochs_pid=$!
halt='HLT instruction with IF=0'
up='' wall=0 grace=0
while kill -0 "$bochs_pid" 2>/dev/null; do
	if [[ -z $up ]] && grep -aq '^bv-linux: up' "$serial" 2>/dev/null; then
		up=$(grep -a -m1 '^bv-linux: up' "$serial" | sed 's/.*uptime=\([0-9.]*\).*/\1/')
		wall=$((($(date +%s%N) - start) / 1000000))
		grace=$((SECONDS + 20))
	fi
	# bv.run="true" powers off at once; a LINUX_APPEND'ed command gets 20 s.
	if [[ -n $up ]] && { grep -aq "$halt" "$serial.bochs.log" 2>/dev/null || ((SECONDS > grace)); }; then
		break
	fi
	sleep 0.2
done
sleep 0.5 # for tools/bochs.sh to stream the last lines
cleanup
bochs_pid=
trap - EXIT

if [[ -z $up ]]; then
	echo "linux-direct: no marker line (serial log $serial)" >&2
	exit 1
fi
# Bochs stamps each line of its log with the emulated tick count: one tick per instruction,
# but a halted CPU skips ticks to its next timer event. The halt's stamp ends the run.
ticks=$({ grep -a "$halt" "$serial.bochs.log" || tail -n 1 "$serial.bochs.log"; } |
	grep -aoE '^[0-9]{11,}' | tail -n 1 | sed 's/^0*//') || true
printf 'linux-direct: marker after %s s guest uptime, %d.%d s wall, %s\n' "$up" \
	$((wall / 1000)) $((wall % 1000 / 100)) "${ticks:+halt at $ticks Bochs ticks (instructions plus idle time) from power-on}"
