#!/usr/bin/env bash
# The balancer part of `make bench`: boot the three-VM demo of `make run`
# (tools/grub-demo.cfg with tools/scenarios/demo.scn: web and batch dynamic with opposite
# phase workloads, db static, on a 512 MiB machine too small for both peaks) in Bochs, and
# report from its telemetry how many balancer ticks each pressure spike waits for its
# memory, and the peak host memory against the sum of the VMs' static sizes
# (bench/balancer_report.py). About 30 s; Bochs with clock: sync=none repeats itself.
# usage: bench/balancer.sh            prints the tables; the log is build/bench/balancer.serial.log
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log=build/bench/balancer.serial.log
mkdir -p build/bench

if ! make --no-print-directory all >/dev/null; then
	echo "bench/balancer.sh: make all failed" >&2
	exit 1
fi
# the demo's own config, so that this measures what `make run` shows
tools/mkiso.sh build/bench/balancer.iso tools/grub-demo.cfg >/dev/null
status=0
tools/bochs.sh build/bench/balancer.iso "$log" 400 >/dev/null 2>&1 || status=$?
if [[ $status != 0 ]]; then
	echo "bench/balancer.sh: the Bochs run failed (status $status); see $log" >&2
	exit 1
fi
python3 bench/balancer_report.py "$log"
