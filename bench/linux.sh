#!/usr/bin/env bash
# `make bench-linux`: the cost of booting Linux under the hypervisor (issue 9). Boots Debian's
# cloud kernel (make linux-guest) with bv.run="true" in a VM alone, in Bochs, and the same
# kernel and initramfs directly in Bochs without the hypervisor (tools/linux-direct.sh), and
# prints: the guest's own uptime at its init's marker both ways and their ratio (the nested
# overhead), the emulated time from VM start to the marker, and the VM's exits by reason.
# Writes the section "6. Linux boot" of docs/BENCHMARKS.md (or, with --quick, which skips
# the direct run, build/bench/LINUX.quick.md: a smoke run never replaces the recorded one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0
[[ ${1:-} == --quick ]] && quick=1
mkdir -p build/bench
tools/linux-guest.sh >&2
make --no-print-directory all >&2

cfg=build/bench/linux.cfg
{
	printf '%s\n' 'set timeout=0' 'serial --unit=0 --speed=115200' 'terminal_input serial' \
		'terminal_output serial' 'menuentry "bench" {' \
		'	multiboot2 /boot/hv.elf exit=emulator tick=100' \
		'	module2 /boot/vmlinuz name=lin startup=256M dynamic=off boot=linux -- quiet bv.run=true' \
		'	module2 /boot/initrd.img initrd' '}'
} >"$cfg"
LINUX_DIR=build/linux tools/mkiso.sh build/bench/linux.iso "$cfg" >&2
echo "bench-linux: nested boot in Bochs..." >&2
start=$SECONDS
BOCHS_MEGS=1024 tools/bochs.sh build/bench/linux.iso build/bench/linux.serial.log 600 \
	>/dev/null 2>&1 || { echo "bench-linux: the nested run failed (build/bench/linux.serial.log)" >&2; exit 1; }
nested_wall=$((SECONDS - start))
log=$(sed -e 's/\r//g' build/bench/linux.serial.log)
nested_up=$(grep -a -m1 'bv-linux: up' <<<"$log" | sed 's/.*uptime=\([0-9.]*\).*/\1/')
# the first balancer line after the marker: host ms since the VMs started (tick=100: +-100 ms)
to_marker=$(awk '/bv-linux: up/ {m = 1} m && /^dm t=/ {print substr($2, 3); exit}' <<<"$log")
exits=$(grep -a '^summary: vm lin: exit ' <<<"$log" | sed 's/^summary: vm lin: exit //')
total=$(grep -a -m1 '^summary: vm lin: .* exits,' <<<"$log" | sed 's/.* \([0-9]*\) exits,.*/\1/')
if [[ -z $nested_up || -z $to_marker ]]; then
	echo "bench-linux: no marker in the nested run (build/bench/linux.serial.log)" >&2
	exit 1
fi

direct_up='' direct_line='(skipped: --quick)'
if ((quick == 0)); then
	echo "bench-linux: direct boot in Bochs..." >&2
	direct_line=$(tools/linux-direct.sh 600 2>/dev/null | grep -a '^linux-direct: marker') || {
		echo "bench-linux: the direct run failed" >&2
		exit 1
	}
	direct_up=$(sed 's/.*after \([0-9.]*\) s guest uptime.*/\1/' <<<"$direct_line")
fi
ratio=n/a
[[ -n $direct_up ]] && ratio=$(awk -v a="$nested_up" -v b="$direct_up" 'BEGIN {printf "%.2f", a / b}')

section=$(cat <<MD
## 6. Linux boot

Debian's cloud kernel ($(sed -n 's/^release=//p' build/linux/VERSION)), unmodified, 256 MiB,
\`quiet bv.run=true\`, Bochs (Haswell model, 100 M emulated instructions per second, TSC at
100 MHz). Command: \`make bench-linux\`$( ((quick)) && echo ' --quick (smoke run)').

| | under balloonvisor | directly in Bochs |
|---|---|---|
| guest uptime at the init's marker | $nested_up s | ${direct_up:-n/a} s |
| nested / direct | $ratio | |
| VM start to the marker (host, emulated) | $to_marker ms (±100) | |
| VM exits, all | $total | |
| wall time of the run here | $nested_wall s | $(sed -n 's/.*, \([0-9.]*\) s wall.*/\1/p' <<<"$direct_line") s |

Exits by reason:

\`\`\`
$exits
\`\`\`
MD
)
printf '%s\n' "$section"
if ((quick)); then
	printf '%s\n' "$section" >build/bench/LINUX.quick.md
	echo "bench-linux: wrote build/bench/LINUX.quick.md" >&2
	exit 0
fi
# replace section 6 of docs/BENCHMARKS.md in place (section 7 follows it), or add it
bench/put_section.sh 6 docs/BENCHMARKS.md <<<"$section"
echo "bench-linux: wrote section 6 of docs/BENCHMARKS.md" >&2
