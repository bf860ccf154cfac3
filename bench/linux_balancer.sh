#!/usr/bin/env bash
# `make bench-linux-balancer`: how long a Linux VM waits for memory under the balancer (section
# 8 of docs/BENCHMARKS.md). Boots the demo of `make run-linux` as it is (tools/grub-linux.cfg:
# two Linux VMs with opposite bvwork phases and a static test guest, on 768 MiB) in Bochs, about
# 4 minutes, and reads the ticks and emulated ms from each spike of demand to the first grant,
# to holding the peak demand and to holding the highest target, and the peak memory, from its
# telemetry (bench/balancer_report.py).
# usage: bench/linux_balancer.sh            boot, print, and write section 8 of docs/BENCHMARKS.md
#        bench/linux_balancer.sh --quick    the same run, its own log; writes only
#                                           build/bench/LINUX-BALANCER.quick.md
#        bench/linux_balancer.sh --log LOG  print the section of an earlier run's serial log
# Only a full run whose workloads both completed (`[a] bvwork: done ... errors=0`, and b's)
# writes docs/BENCHMARKS.md; otherwise the exit status is 1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=full log=build/bench/linux-balancer.serial.log
case ${1:-} in
--quick) mode=quick log=build/bench/linux-balancer.quick.serial.log ;;
--log) mode=log log=${2:?usage: bench/linux_balancer.sh --log SERIAL_LOG} ;;
'') ;;
*) echo "usage: bench/linux_balancer.sh [--quick | --log SERIAL_LOG]" >&2; exit 2 ;;
esac
mkdir -p build/bench

if [[ $mode != log ]]; then
	tools/linux-guest.sh >&2
	make --no-print-directory all >&2
	# the demo's own config, so that this measures what `make run-linux` shows
	LINUX_DIR=build/linux tools/mkiso.sh build/bench/linux-balancer.iso tools/grub-linux.cfg >&2
	echo "bench-linux-balancer: the Linux demo in Bochs (about 4 minutes)..." >&2
	status=0
	BOCHS_MEGS=768 tools/bochs.sh build/bench/linux-balancer.iso "$log" 900 >/dev/null 2>&1 ||
		status=$?
	if [[ $status != 0 ]]; then
		echo "bench-linux-balancer: the Bochs run failed (status $status); see $log" >&2
		exit 1
	fi
fi

tables=$(python3 bench/balancer_report.py "$log") || exit 1
status=0
for vm in a b; do
	if ! tr -d '\r' <"$log" | grep -aqE "^\\[$vm\\] bvwork: done .* errors=0$"; then
		echo "bench-linux-balancer: $vm's workload did not complete (no \"[$vm] bvwork: done ..." \
			"errors=0\" in $log)" >&2
		status=1
	fi
done
release=$(sed -n 's/^release=//p' build/linux/VERSION 2>/dev/null)
smoke=''
if [[ $mode == quick ]]; then smoke=' (BENCH_ARGS=--quick: a smoke run)'; fi
section=$(cat <<MD
## 8. Linux VMs under the balancer

The demo of \`make run-linux\` as it is (\`tools/grub-linux.cfg\` with
\`tools/scenarios/linux-demo.scn\`), run on $(date -u -r "$log" +%Y-%m-%d) by
\`bench/linux_balancer.sh\` in Bochs (Haswell model, one CPU, \`ips=100000000\`,
\`clock: sync=none\`, 768 MiB) and read from the telemetry of every balancer tick (500 ms) by
\`bench/balancer_report.py\`, as in section 4. Debian's cloud kernel (${release:-unknown}) runs
in two VMs, a and b (startup 256M, min 128M, max 640M, buffer 50%), with the project's
initramfs and its bvwork workload in opposite phases: 16 MiB for 20 s, 256 MiB for 40 s and
16 MiB for 40 s in a; 16 MiB, 16 MiB and then the 256 MiB in b. Each phase grows at most
32 MiB/s (\`rate=32M\`). db, the static test guest (64M), runs beside them; the host cannot
hold both peaks and db at once. A Linux VM's demand is what it held when it sent its balloon
statistics minus what Linux reports available, so it counts the kernel's own memory too (about
77 MiB while bvwork holds 16 MiB). A spike starts at the first tick whose demand is 8 MiB above
where its climb began and whose desired size (demand plus 50%) is above what the VM holds; the
columns are those of section 4. The last column is the first of bvwork's \`meminfo\` lines to
show the phase's whole size mapped, and how long that took from the phase's start (both to the
tick before the line).

**What bounds each column.** The first grant comes at the next tick: the balancer sets a target
from the statistics the guest sent after the previous tick, and the balloon deflates (up to the
VM's 256M startup) or virtio-mem plugs (above it) within that tick. A VM's demand cannot exceed
what it holds, so a target is at most what the VM holds plus its 50% buffer, and it answers a
demand a tick old; the last line below counts the ticks at which a VM held less than the target
set at the tick before (a grant late by a tick, as when Linux must add and online the next
128 MiB memory block before it uses its 2 MiB sub-blocks). What bounds holding the peak demand
and the highest target is the workload itself: 256 MiB at 32 MiB/s cannot arrive in less than
8 s (16 ticks), and in Bochs bvwork grows slower still (the last column), CPU-bound on the one
emulated CPU that three VMs share while its VM already holds more than its demand. The VM holds
its peak demand long before bvwork is done growing (the buffer runs ahead of demand), and the
highest target one to two ticks after bvwork holds its whole phase (its demand reaches the
balancer a tick late). Command: \`make bench-linux-balancer\`$smoke.

$tables
MD
)
bench/write_section.sh "$mode" "$status" 8 build/bench/LINUX-BALANCER.quick.md bench-linux-balancer \
	"a workload did not complete" <<<"$section"
exit "$status"
