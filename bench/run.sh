#!/usr/bin/env bash
# `make bench`: the native benchmark of the reclaim path (the hypervisor's own mm and
# device code on the host) and the emulator benchmark (Bochs), one report.
# Prints it and writes docs/BENCHMARKS.md. usage: bench/run.sh [NATIVE ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=docs/BENCHMARKS.md
mkdir -p build/bench

bench/build.sh
echo "bench: native reclaim path ($*)..." >&2
native=$(build/bench/native "$@")
echo "bench: in the emulator (Bochs, about a minute)..." >&2
emulated=$(bench/emulated.sh)

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

One Bochs run (\`bench/emulated.sh\`, Haswell model, 1 GiB): an idle guest gives 256 MiB to its
balloon and takes it back, then another plugs and unplugs 256 MiB through virtio-mem, one move
at a time (\`bench/scenarios/bench-move.scn\`). VM exits and hypervisor cycles are the
differences between \`stats\` snapshots around each move, minus what the same VM spends idle,
scaled to one GiB. Bochs advances the TSC by one per instruction, so the cycle counts are
repeatable. The preemption timer (time slicing) is left out.

${emulated}

$(cat bench/analysis.md)
MD
cat "$out"
echo "bench: wrote $out" >&2
