#!/usr/bin/env bash
# The emulator part of `make bench`: boot a scenario in Bochs in which one guest gives
# 1 GiB back and takes it again through the balloon, and another through virtio-mem,
# and report VM exits per GiB moved (by exit reason) and emulated cycles per GiB spent
# in the hypervisor. Bochs advances the TSC by one per instruction (clock: sync=none),
# so the cycle counts are exact and repeatable.
# The guests run with poll=off stats=off: no lost-interrupt fallback polls and no balloon
# statistics, so every device access they make is part of a move. Periodic polls would
# be idle cost to subtract, and a guest busy with a long move skips some, which made the
# subtraction take away exits that never happened.
# usage: bench/emulated.sh [OUT.md]   (prints the table; also writes OUT.md if given)
#   env BOCHS_CPU: the CPU model (default Haswell, VT-x; ryzen runs it on SVM, bench/svm.sh);
#   the log is build/bench/emulated[-MODEL].serial.log
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_md=${1:-}
log=build/bench/emulated${BOCHS_CPU:+-$BOCHS_CPU}.serial.log
mkdir -p build/bench

make --no-print-directory all >/dev/null
cat >build/bench/emulated.cfg <<'CFG'
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "bench" {
	multiboot2 /boot/hv.elf exit=emulator
	module2 /boot/guest.elf name=bal startup=1088M min=32M max=1088M -- work=0:27s poll=off stats=off
	module2 /boot/guest.elf name=hp startup=64M min=32M max=1088M -- work=0:27s poll=off stats=off
	module2 /boot/bench-move.scn scenario
}
CFG
SCENARIO_DIR=bench/scenarios tools/mkiso.sh build/bench/emulated.iso build/bench/emulated.cfg >/dev/null
status=0
# 2 GiB (Bochs's most): room for one VM at full size (1088M) beside the other at 64M; the
# scenario moves memory so that only one is ever large, and no move waits for another
BOCHS_MEGS=2048 tools/bochs.sh build/bench/emulated.iso "$log" 600 >/dev/null 2>&1 || status=$?
if [[ $status != 0 ]]; then
	echo "bench/emulated.sh: the Bochs run failed (status $status); see $log" >&2
	exit 1
fi
python3 bench/emulated_report.py "$log" ${out_md:+"$out_md"}
