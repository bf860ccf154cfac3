#!/usr/bin/env python3
"""Turn the serial log of bench/emulated.sh into the emulator table of docs/BENCHMARKS.md.

Each `stats` snapshot prints, per VM, `mon: NAME: tsc guest=G hv=H; exits by reason: R=N ...`
and the device counters (`balloon inflate I deflate D requests, pages in P out Q ...,
virtio-mem requests V ..., blocks plugged B unplugged U`). A move's cost is the difference
between the snapshots around it, minus what the same VM spends in a window without a move
(scaled to the move's window; the bench's guests make no device access when idle, so this
is normally nothing), divided by the bytes the hypervisor's counters say were moved.
"""
import re
import sys

GIB = 1 << 30
PAGE = 4096
TIMER = 52  # VMX-preemption timer: time slicing, not the move
NAMES = {1: "external interrupt", 7: "interrupt window", 10: "CPUID", 12: "HLT",
         18: "VMCALL", 28: "CR access", 30: "I/O instruction", 31: "RDMSR", 32: "WRMSR",
         48: "EPT violation", 52: "preemption timer"}
# (vm, what, counter, snapshot before, snapshot after, idle window before, idle window after)
MOVES = [("bal", "balloon inflate (give back)", "pages_in", 0, 1, 1, 2),
         ("hp", "virtio-mem plug (take)", "plugged", 1, 2, 0, 1),
         ("hp", "virtio-mem unplug (give back)", "unplugged", 2, 3, 0, 1),
         ("bal", "balloon deflate (take back)", "pages_out", 3, 4, 1, 2)]
REQUESTS = {"pages_in": "inflate", "pages_out": "deflate", "plugged": "vmem",
            "unplugged": "vmem"}
# assigned MiB each VM must hold at the snapshot that ends its move
EXPECT = [("bal", 1, 64), ("hp", 2, 1088), ("hp", 3, 64), ("bal", 4, 1088)]
COUNTERS = re.compile(r"balloon inflate (\d+) deflate (\d+) requests, pages in (\d+) out (\d+)"
                      r".*virtio-mem requests (\d+) .*blocks plugged (\d+) unplugged (\d+)")


def parse(path):
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", open(path, errors="replace").read())
    snaps, cur = [], None
    for line in text.splitlines():
        m = re.match(r"mon: t=(\d+) scenario: stats$", line)
        if m:
            cur = {"t": int(m.group(1))}
            snaps.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"mon: (\w+): tsc guest=(\d+) hv=(\d+); exits by reason:(.*)$", line)
        if m:
            exits = {int(r): int(n) for r, n in re.findall(r"(\d+)=(\d+)", m.group(4))}
            cur[m.group(1)] = {"hv": int(m.group(3)), "exits": exits}
            continue
        m = re.match(r"mon: (\w+): exits \d+, ", line)
        c = COUNTERS.search(line)
        if m and c and m.group(1) in cur:
            keys = ("inflate", "deflate", "pages_in", "pages_out", "vmem", "plugged", "unplugged")
            cur[m.group(1)].update(zip(keys, (int(v) for v in c.groups())))
    tele = [(int(t), vm, int(a)) for t, vm, a in
            re.findall(r"^dm t=(\d+) vm=(\w+) assigned=(\d+)M", text, re.M)]
    bs = re.search(r"^\[hp\] virtio-mem: ready, .* block (\d+)K", text, re.M)
    return snaps, tele, int(bs.group(1)) << 10 if bs else 2 << 20


def delta(snaps, vm, a, b):
    sa, sb = snaps[a][vm], snaps[b][vm]
    exits = {r: sb["exits"].get(r, 0) - sa["exits"].get(r, 0)
             for r in set(sa["exits"]) | set(sb["exits"])}
    return exits, sb["hv"] - sa["hv"], snaps[b]["t"] - snaps[a]["t"]


def assigned_at(tele, vm, t):
    last = [a for (tt, v, a) in tele if v == vm and tt <= t]
    return last[-1] if last else None


def main():
    snaps, tele, block = parse(sys.argv[1])
    if len(snaps) < 5 or any("pages_in" not in s.get(vm, {}) for s in snaps for vm in
                             ("bal", "hp")):
        sys.exit("emulated_report: the log holds %d complete stats snapshots, want 6" %
                 len(snaps))
    rows, idle = [], {}
    for vm, what, counter, a, b, ia, ib in MOVES:
        exits, hv, ms = delta(snaps, vm, a, b)
        iexits, ihv, ims = delta(snaps, vm, ia, ib)
        idle[vm] = sum(n for r, n in iexits.items() if r != TIMER) * 1000.0 / ims
        scale = ms / ims
        net = {r: max(0.0, exits[r] - iexits.get(r, 0) * scale) for r in exits if r != TIMER}
        total = sum(net.values())
        hv_net = max(0.0, hv - ihv * scale)
        unit = block if counter in ("plugged", "unplugged") else PAGE
        moved = (snaps[b][vm][counter] - snaps[a][vm][counter]) * unit
        reqs = snaps[b][vm][REQUESTS[counter]] - snaps[a][vm][REQUESTS[counter]]
        gib = moved / GIB if moved else float("nan")
        top = sorted(((n, r) for r, n in net.items() if n >= 0.5), reverse=True)[:3]
        detail = ", ".join("%s %.0f" % (NAMES.get(r, "reason %d" % r), n / gib)
                           for n, r in top)
        rows.append((what, moved >> 20, reqs, total, total / gib, detail, hv_net / gib / 1e6))
    done = [assigned_at(tele, vm, snaps[i]["t"]) for vm, i, _ in EXPECT]
    lines = ["| move | MiB moved | requests | VM exits | VM exits per GiB | "
             "biggest reasons per GiB | hypervisor cycles per GiB (emulated, M) |",
             "|---|---|---|---|---|---|---|"]
    for what, mib, reqs, total, per_gib, detail, mcyc in rows:
        lines.append("| %s | %d | %d | %.0f | %.0f | %s | %.1f |" %
                     (what, mib, reqs, total, per_gib, detail, mcyc))
    lines.append("")
    lines.append("Idle exits per second, subtracted (windows without a move): %s. "
                 "Moves completed within their window (assigned MiB at the end: bal 64, "
                 "hp 1088, hp 64, bal 1088): %s" %
                 (", ".join("%s %.1f" % kv for kv in sorted(idle.items())),
                  " / ".join(str(d) for d in done)))
    report = "\n".join(lines)
    print(report)
    if len(sys.argv) > 2:
        open(sys.argv[2], "w").write(report + "\n")
    ok = done == [e for _, _, e in EXPECT] and all(r[1] == 1024 for r in rows)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
