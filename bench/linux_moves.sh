#!/usr/bin/env bash
# `make bench-linux-moves`: what Linux's own drivers cost the host per GiB moved (section 7 of
# docs/BENCHMARKS.md): VM exits by reason and emulated hypervisor cycles, for balloon inflate and
# deflate, virtio-mem plug and unplug, and free page reporting, beside the test guest's figures
# (section 2, read from docs/BENCHMARKS.md; `make bench` refreshes them). One Bochs run (3 GiB,
# about 15 minutes here) of three Linux VMs and bench/scenarios/linux-moves.scn; the report is
# bench/linux_moves_report.py.
# usage: bench/linux_moves.sh            boot, print, and write section 7 of docs/BENCHMARKS.md
#        bench/linux_moves.sh --quick    boot and print; writes build/bench/LINUX-MOVES.quick.md
#        bench/linux_moves.sh --log LOG  print the report of an earlier run's serial log
# Only a full run whose moves all completed writes docs/BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=full log=build/bench/linux-moves.serial.log
case ${1:-} in
--quick) mode=quick ;;
--log) mode=log log=${2:?usage: bench/linux_moves.sh --log SERIAL_LOG} ;;
'') ;;
*) echo "usage: bench/linux_moves.sh [--quick | --log SERIAL_LOG]" >&2; exit 2 ;;
esac
mkdir -p build/bench

if [[ $mode != log ]]; then
	tools/linux-guest.sh >&2
	make --no-print-directory all >&2
	# slice=200000 (2 ms, under HZ=250's 4 ms): a spinning guest exits for every timer tick,
	# so it takes them at one rate whether a move's exits come between or not.
	# bal has no virtio-mem region (max = startup); reporting=off keeps free page reporting
	# out of the balloon and virtio-mem rows (fpr, the only VM that reports, has its own row).
	cat >build/bench/linux-moves.cfg <<-'CFG'
	set timeout=0
	serial --unit=0 --speed=115200
	terminal_input serial
	terminal_output serial
	menuentry "bench" {
		multiboot2 /boot/hv.elf exit=emulator slice=200000
		module2 /boot/vmlinuz name=bal startup=1280M min=256M reporting=off boot=linux -- quiet
		module2 /boot/initrd.img initrd
		module2 /boot/vmlinuz name=hp startup=256M max=1280M reporting=off boot=linux -- quiet
		module2 /boot/initrd.img initrd
		module2 /boot/vmlinuz name=fpr startup=1344M reporting=on boot=linux -- quiet
		module2 /boot/initrd.img initrd
		module2 /boot/linux-moves.scn scenario
	}
	CFG
	SCENARIO_DIR=bench/scenarios LINUX_DIR=build/linux \
		tools/mkiso.sh build/bench/linux-moves.iso build/bench/linux-moves.cfg >&2
	echo "bench-linux-moves: three Linux VMs in Bochs (about 15 minutes)..." >&2
	status=0
	# 3 GiB: bal 1280M and hp 256M (or 256M and 1280M), fpr 1344M, and the hypervisor's own
	BOCHS_MEGS=3072 tools/bochs.sh build/bench/linux-moves.iso "$log" 1800 >/dev/null 2>&1 ||
		status=$?
	if [[ $status != 0 ]]; then
		echo "bench-linux-moves: the Bochs run failed (status $status); see $log" >&2
		exit 1
	fi
fi

status=0
table=$(python3 bench/linux_moves_report.py "$log" docs/BENCHMARKS.md) || status=$?
[[ -n $table ]] || exit 1
release=$(sed -n 's/^release=//p' build/linux/VERSION 2>/dev/null)
smoke=''
if [[ $mode == quick ]]; then smoke=' (BENCH_ARGS=--quick: a smoke run)'; fi
section=$(cat <<MD
## 7. Linux's drivers in the emulator

Debian's cloud kernel ($release), unmodified, with its own virtio_balloon and virtio_mem
modules, in one Bochs run (\`bench/linux_moves.sh\`, Haswell model, 3 GiB, \`slice=200000\`) of
three Linux VMs (\`quiet\`, the init's shell) and \`bench/scenarios/linux-moves.scn\`: bal
(1280M) gives 1 GiB to its balloon and later takes it back, hp (256M, max 1280M) plugs 1 GiB of
virtio-mem at 4 GiB and unplugs it, fpr (1344M) kills a process that held 1152 MiB, which
Linux reports as free from about 2 s later. The free page reporting row's reports and MiB are
the \`stats\` counters of the balloon's reporting queue (reports, MiB reported), its notifies
and interrupts the device's. bal has no virtio-mem region (the balloon would wait until
nothing is plugged), and only fpr offers free page reporting (\`reporting=off\` elsewhere), so
no row pays for another driver. Counted as in section 2: \`stats\` snapshots around each move,
minus a window of the same VM without a move, per GiB the hypervisor's counters say
moved. Linux is never idle like the test guest, so the run keeps it as quiet as it can be. Every
VM is static to the balancer (\`set VM dynamic=off\`) except for the tick that sets a move's
target (\`mem\`), so no balloon statistics are asked for (one round per move is counted in its
row). The VM being measured spins at nice 19 through its idle window and its move, with 2 ms
time slices: a busy Linux takes its timer interrupts (PIT, HZ=250) the same way whether it moves
memory or not, while an idle one halts and reprograms the PIT at every wake-up, which a move
takes away (subtracting an idle window then takes away more than the move added). The idle
window is scaled by the PIT pulses in each window, not by time: a long exit, such as zeroing a
plugged 128 MiB, swallows ticks. Notifies and interrupts are the devices' own counts, less the
idle window's. The last column is the test guest's row of section 2, read from this file.
Command: \`make bench-linux-moves\`$smoke.

$table

$(cat bench/linux_moves_analysis.md 2>/dev/null)
MD
)
bench/write_section.sh "$mode" "$status" 7 build/bench/LINUX-MOVES.quick.md bench-linux-moves \
	"a move did not complete" <<<"$section"
exit "$status"
