#!/usr/bin/env bash
# `make bench`: the native benchmark of the reclaim path (the hypervisor's own mm and
# device code on the host), the emulator benchmark (Bochs) and the balancer in the three-VM
# demo (Bochs), one report.
# Prints it and writes docs/BENCHMARKS.md. usage: bench/run.sh [NATIVE ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=docs/BENCHMARKS.md
mkdir -p build/bench
# a smoke run (--quick) must not replace the recorded full run
for a in "$@"; do
	if [[ $a == --quick ]]; then out=build/bench/BENCHMARKS.quick.md; fi
done

# sections 6 (make bench-linux), 7 (make bench-linux-moves), 8 (make bench-linux-balancer) and
# 9 (make bench-svm), the last ones, are measured on their own: keep them
linux_section=$(sed -n '/^## [6789]\. /,$p' docs/BENCHMARKS.md 2>/dev/null || true)
bench/build.sh
echo "bench: native reclaim path ($*)..." >&2
native=$(build/bench/native "$@")
# the native table, and its worst case per exit (g.) as a section of its own, below its heading
worst=${native#*'### g. Worst case per exit'}
worst=${worst#$'\n'}
worst=${worst#$'\n'}
native=${native%%'### g.'*}
echo "bench: in the emulator (Bochs, about a minute)..." >&2
emulated=$(bench/emulated.sh)
echo "bench: the balancer in the three-VM demo (Bochs, about 30 s)..." >&2
balancer=$(bench/balancer.sh)

cat >"$out" <<MD
# Benchmarks

Produced by \`make bench\` (\`bench/run.sh\`${*:+ with \`$*\`}) on $(date -u +%Y-%m-%d). Rerun it
to refresh this file; the numbers below are from that run.

## 1. The native reclaim path

The hypervisor's real frame allocator, page-table walker with the EPT encoder, dynmem
(balloon and virtio-mem paths) and virtio-mem request handling, built for the host
(\`bench/build.sh\`) over an mmap'ed arena that stands in for host physical memory; INVEPT is
a counted no-op and a driver plays the guest's part through real split virtqueues. These are
**the hypervisor's side only**: no VM exits, no guest work. The anchors (HyperAlloc, EuroSys
2025, a 20 GiB Linux VM on a Xeon Gold 6252 with QEMU 8.2) are **end to end**.

${native}

## 2. In the emulator

One Bochs run (\`bench/emulated.sh\`, Haswell model, 2 GiB): an idle guest gives 1 GiB to its
balloon, another plugs and unplugs 1 GiB through virtio-mem, then the first takes its GiB back,
one move at a time (\`bench/scenarios/bench-move.scn\`). VM exits and hypervisor cycles are the
differences between \`stats\` snapshots around each move, minus what the same VM spends in a
window without a move (nothing: the guests run with \`poll=off stats=off\`, so they touch a
device only to move memory), divided by the bytes the hypervisor's counters say moved. Bochs
advances the TSC by one per instruction, so the cycle counts are repeatable. The preemption
timer (time slicing) is left out.

${emulated}

## 3. Memory overhead

The f. rows of section 1: the hypervisor's metadata (EPT tables, bitmaps, frame metadata) per
GiB of guest memory.

## 4. The balancer

The three-VM demo of \`make run\` (\`tools/grub-demo.cfg\` with \`tools/scenarios/demo.scn\`),
booted in Bochs with 512 MiB by \`bench/balancer.sh\` and read from the telemetry the
hypervisor prints every balancer tick (500 ms) by \`bench/balancer_report.py
build/bench/balancer.serial.log\`. web and batch (startup 128M, min 64M, max 320M,
buffer 60%) run opposite phases of 48M and 224M; db is static (64M).

A **spike** starts at the first tick whose reported demand (the guest's total minus available
memory, from its balloon statistics) is at least 8 MiB above where its climb began (the last
tick it did not rise) while its desired size (demand plus buffer, at most max: what the policy
asks for) is above what it holds. The
guest's phase began one to two ticks earlier: demand comes from the statistics the guest sent
after the previous tick. The spike lasts until demand falls 8 MiB below its peak, or rises 8 MiB
above it after two ticks in which demand stayed flat and the VM held the spike's highest target
(a new spike). Counted in ticks (and emulated ms) from that tick: the **first grant** (memory arriving after the
balancer had set a target above what the VM held; pages a guest takes back from its balloon on
its own, DEFLATE_ON_OOM, are noted apart), when it **holds its peak demand** (assigned ≥ the
highest demand of the spike), and when it **holds the highest target** the balancer set in the
spike (the full grant). Reported demand can never exceed the memory a guest sees, so it climbs
with the grants. The last column is the guest's own report at the phase's end.

Static sizes: at **max** (what each VM would have to be given without dynamic memory), at
**each VM's own peak** assigned in this run, and at each VM's **peak demand** with no headroom
(db, static, at its size). The savings are taken against the peak host memory in use (host
total − free over all ticks, which counts the hypervisor's own frames too). Telemetry sizes
are whole MiB, rounded down.

${balancer}

## 5. Worst case per exit

What one VM exit can cost the host at most, per path a guest can reach, from section 1's
build (\`bench/native_worst.c\`, VM and region of the run's size): each path's largest
request the caps allow (a balloon request names at most one PFN per VM page, a chain
describes at most 4 bytes per VM page on the balloon queues and 64 KiB elsewhere, a stats
buffer is read for 16 entries, a virtio-mem request covers at most the region), filled the
most expensive way known, multiplied by what one exit may do: a notify runs chains until
its budget (\`VIRTIO_EXIT_BUDGET\`, 131072 units: a PFN or a plugged page is one, a chain
4096) is spent; the rest, a balloon request half done included, waits for the VM's next
turn. A virtio-mem request is done whole, bounded by the region and \`requested_size\`.
Console output is held to 4096 bytes per VM per tick, so one print hypercall (or one
tick's worth of UART writes) costs at most 4096 bytes on a real 115200-baud UART.

${worst}

$(cat bench/analysis.md)
MD
if [[ $out == docs/BENCHMARKS.md && -n $linux_section ]]; then
	printf '\n%s\n' "$linux_section" >>"$out"
fi
cat "$out"
echo "bench: wrote $out" >&2
