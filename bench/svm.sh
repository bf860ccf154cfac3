#!/usr/bin/env bash
# `make bench-svm`: the SVM backend beside VT-x (section 9 of docs/BENCHMARKS.md), same
# emulator, same guests. Bochs advances the TSC by one per instruction (clock: sync=none), so
# its cycle counts are emulated and repeat exactly; only the model differs: Haswell (VT-x with
# EPT) and ryzen (SVM with nested paging and NRIP save).
#  1. Exit round trips: one test guest times N CPUIDs and N null hypercalls
#     (guest/exitbench.c, exitbench=N).
#  2. Memory moved: bench/emulated.sh's scenario (section 2: 1 GiB out and back through the
#     balloon, and through virtio-mem), exits and hypervisor cycles per GiB.
#  3. make test: each boot test's seconds in Bochs on VT-x beside its SVM twin's in QEMU TCG
#     (tests/boot/*_svm_qemu.sh run the same script), from the last `make test`
#     (build/test/logs/boot-*.done), and that run's boot section.
# usage: bench/svm.sh           all three, print, and write section 9 of docs/BENCHMARKS.md
#        bench/svm.sh --quick   2000 round trips and part 3 only; writes only
#                               build/bench/SVM.quick.md (a smoke run keeps the recorded one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=full n=20000
case ${1:-} in
--quick) mode=quick n=2000 ;;
'') ;;
*) echo "usage: bench/svm.sh [--quick]" >&2; exit 2 ;;
esac
mkdir -p build/bench
make --no-print-directory all >&2

cat >build/bench/exitbench.cfg <<CFG
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "exitbench" {
	multiboot2 /boot/hv.elf exit=emulator
	module2 /boot/guest.elf name=eb mem=8M -- exitbench=$n
}
CFG
tools/mkiso.sh build/bench/exitbench.iso build/bench/exitbench.cfg >/dev/null
logs=()
for cpu in corei7_haswell_4770 ryzen; do
	log=build/bench/exitbench-$cpu.$mode.serial.log
	echo "bench-svm: exit round trips in Bochs $cpu..." >&2
	if ! BOCHS_CPU=$cpu tools/bochs.sh build/bench/exitbench.iso "$log" 300 >/dev/null 2>&1; then
		echo "bench-svm: the Bochs $cpu run failed; see $log" >&2
		exit 1
	fi
	logs+=("$log")
done
moves=()
if [[ $mode == full ]]; then
	for cpu in corei7_haswell_4770 ryzen; do
		echo "bench-svm: 1 GiB moves in Bochs $cpu (about 2 minutes)..." >&2
		BOCHS_CPU=$cpu bench/emulated.sh >/dev/null ||
			{ echo "bench-svm: the moves in Bochs $cpu failed" >&2; exit 1; }
		moves+=("build/bench/emulated-$cpu.serial.log")
	done
fi
out=docs/BENCHMARKS.md
[[ $mode == quick ]] && out=build/bench/SVM.quick.md
section=$(python3 bench/svm_report.py --mode "$mode" --exits "${logs[@]}" \
	${moves[@]+--moves "${moves[@]}"} --tests build/test/logs) || exit 1
printf '%s\n' "$section"
if [[ $mode == quick ]]; then
	printf '%s\n' "$section" >"$out"
else
	printf '%s\n' "$section" | bench/put_section.sh 9 "$out"
fi
echo "bench-svm: wrote $out" >&2
