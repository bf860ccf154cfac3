#!/usr/bin/env python3
"""Turn the serial log of bench/emulated.sh into the emulator table of docs/BENCHMARKS.md.

Each `stats` snapshot prints, per VM, `mon: NAME: tsc guest=G hv=H; exits by reason: R=N ...`.
A move's cost is the difference between the snapshots around it, minus what the same VM
spends when idle (its drivers poll the device a few times a second), scaled to one GiB.
"""
import re
import sys

MOVED_GIB = 256 / 1024
TIMER = 52  # VMX-preemption timer: time slicing, not the move
NAMES = {1: "external interrupt", 7: "interrupt window", 10: "CPUID", 12: "HLT",
         18: "VMCALL", 28: "CR access", 30: "I/O instruction", 31: "RDMSR", 32: "WRMSR",
         48: "EPT violation", 52: "preemption timer"}
# (vm, what, snapshot before, snapshot after, idle window before, idle window after)
MOVES = [("bal", "balloon inflate (give back)", 0, 1, 2, 3),
         ("bal", "balloon deflate (take back)", 1, 2, 2, 3),
         ("hp", "virtio-mem plug (take)", 2, 3, 0, 1),
         ("hp", "virtio-mem unplug (give back)", 3, 4, 0, 1)]


def parse(path):
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", open(path, errors="replace").read())
    snaps, cur = [], None
    for line in text.splitlines():
        m = re.match(r"mon: t=(\d+) scenario: stats$", line)
        if m:
            cur = {"t": int(m.group(1))}
            snaps.append(cur)
            continue
        m = re.match(r"mon: (\w+): tsc guest=(\d+) hv=(\d+); exits by reason:(.*)$", line)
        if m and cur is not None:
            exits = {int(r): int(n) for r, n in re.findall(r"(\d+)=(\d+)", m.group(4))}
            cur[m.group(1)] = {"hv": int(m.group(3)), "exits": exits}
    tele = [(int(t), vm, int(a)) for t, vm, a in
            re.findall(r"^dm t=(\d+) vm=(\w+) assigned=(\d+)M", text, re.M)]
    return snaps, tele


def delta(snaps, vm, a, b):
    sa, sb = snaps[a][vm], snaps[b][vm]
    exits = {r: sb["exits"].get(r, 0) - sa["exits"].get(r, 0)
             for r in set(sa["exits"]) | set(sb["exits"])}
    return exits, sb["hv"] - sa["hv"], snaps[b]["t"] - snaps[a]["t"]


def assigned_at(tele, vm, t):
    last = [a for (tt, v, a) in tele if v == vm and tt <= t]
    return last[-1] if last else None


def main():
    snaps, tele = parse(sys.argv[1])
    if len(snaps) < 5:
        sys.exit("emulated_report: the log holds %d stats snapshots, want 6" % len(snaps))
    rows = []
    for vm, what, a, b, ia, ib in MOVES:
        exits, hv, ms = delta(snaps, vm, a, b)
        iexits, ihv, ims = delta(snaps, vm, ia, ib)
        scale = ms / ims
        net = {r: max(0.0, exits[r] - iexits.get(r, 0) * scale) for r in exits if r != TIMER}
        total = sum(net.values())
        hv_net = max(0.0, hv - ihv * scale)
        top = sorted(((n, r) for r, n in net.items() if n >= 0.5), reverse=True)[:3]
        detail = ", ".join("%s %.0f" % (NAMES.get(r, "reason %d" % r), n / MOVED_GIB)
                           for n, r in top)
        rows.append((what, total / MOVED_GIB, detail, hv_net / MOVED_GIB / 1e6))
    done = [assigned_at(tele, "bal", snaps[1]["t"]), assigned_at(tele, "bal", snaps[2]["t"]),
            assigned_at(tele, "hp", snaps[3]["t"]), assigned_at(tele, "hp", snaps[4]["t"])]
    lines = ["| move of 256 MiB (per GiB) | VM exits per GiB | biggest reasons per GiB | "
             "hypervisor cycles per GiB (emulated, M) |",
             "|---|---|---|---|"]
    for what, total, detail, mcyc in rows:
        lines.append("| %s | %.0f | %s | %.1f |" % (what, total, detail, mcyc))
    lines.append("")
    lines.append("Moves completed within their window (assigned MiB at the end: bal 64 / 320, "
                 "hp 320 / 64): %s" % " / ".join(str(d) for d in done))
    report = "\n".join(lines)
    print(report)
    if len(sys.argv) > 2:
        open(sys.argv[2], "w").write(report + "\n")
    ok = done == [64, 320, 320, 64]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
