#!/usr/bin/env python3
"""Turn the serial log of bench/emulated.sh into the emulator table of docs/BENCHMARKS.md.

Each `stats` snapshot prints, per VM, `mon: NAME: tsc guest=G hv=H; exits by reason: R=N ...`
and the device counters (`balloon inflate I deflate D requests, pages in P out Q ...,
virtio-mem requests V ..., blocks plugged B unplugged U`, then `interrupts: I injected, P PIT
pulses; virtio: balloon notifies N interrupts M, ...`). A move's cost is the difference
between the snapshots around it, minus what the same VM spends in a window without a move
(scaled to the move's window; the bench's guests make no device access when idle, so this is
normally nothing), divided by the bytes the hypervisor's counters say were moved.

The parsing and the cost of a move are shared with bench/linux_moves_report.py (Linux's
drivers, section 7), which imports this file.
"""
import re
import sys

GIB = 1 << 30
PAGE = 4096
TIMER = 52  # VMX-preemption timer: time slicing, not the move
NAMES = {1: "external interrupt", 7: "interrupt window", 10: "CPUID", 12: "HLT",
         18: "VMCALL", 28: "CR access", 30: "I/O instruction", 31: "RDMSR", 32: "WRMSR",
         48: "EPT violation", 52: "preemption timer"}
# The same on SVM (APM Vol. 2 appendix C): exit codes, and INTR for the slice timer
SVM_TIMER = 0x60
SVM_NAMES = {0x10: "CR0 write", 0x14: "CR4 write", 0x46: "#UD", 0x60: "INTR", 0x61: "NMI",
             0x64: "VINTR", 0x72: "CPUID", 0x78: "HLT", 0x7b: "IOIO", 0x7c: "MSR",
             0x81: "VMMCALL", 0x400: "NPF"}


def use_backend_of(text):
    """Name exits as the backend the log's hypervisor ran on does (its "svm:" line)."""
    global TIMER, NAMES
    if re.search(r"^svm: SVM enabled", text, re.M):
        TIMER, NAMES = SVM_TIMER, SVM_NAMES
# (vm, what, counter, snapshot before, snapshot after, idle window before, idle window after)
MOVES = [("bal", "balloon inflate (give back)", "pages_in", 0, 1, 1, 2),
         ("hp", "virtio-mem plug (take)", "plugged", 1, 2, 0, 1),
         ("hp", "virtio-mem unplug (give back)", "unplugged", 2, 3, 0, 1),
         ("bal", "balloon deflate (take back)", "pages_out", 3, 4, 1, 2)]
REQUESTS = {"pages_in": "inflate", "pages_out": "deflate", "plugged": "vmem",
            "unplugged": "vmem", "reported": "reports"}
# assigned MiB each VM must hold at the snapshot that ends its move
EXPECT = [("bal", 1, 64), ("hp", 2, 1088), ("hp", 3, 64), ("bal", 4, 1088)]
COUNTERS = re.compile(r"balloon inflate (\d+) deflate (\d+) requests, pages in (\d+) out (\d+)"
                      r".*virtio-mem requests (\d+) .*blocks plugged (\d+) unplugged (\d+)")
COUNTER_KEYS = ("inflate", "deflate", "pages_in", "pages_out", "vmem", "plugged", "unplugged")
VIRTIO = re.compile(r"^mon: (\w+): interrupts: (\d+) injected, (\d+) PIT pulses; virtio: "
                    r"balloon notifies (\d+) interrupts (\d+), virtio-mem notifies (\d+) "
                    r"interrupts (\d+)")
VIRTIO_KEYS = ("injected", "pit", "bal_notifies", "bal_irqs", "vmem_notifies", "vmem_irqs")
# `stats` prints `mon: NAME: free page reporting: R reports, NM reported, ...` for a VM whose
# balloon offers it (R and N cumulative); a log without the line has no free page reporting.
FPR = re.compile(r"free page reporting: (\d+) reports?, (\d+)M reported")
TELE = re.compile(r"^dm t=(\d+) vm=(\w+) assigned=(\d+)M(.*)$", re.M)


def clean(path):
    """The log's text without ANSI escapes and CRs (GRUB and the console add both)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", open(path, errors="replace").read())


def parse(path):
    """The `stats` snapshots, the telemetry (t, vm, assigned MiB, reported MiB or None) and
    the virtio-mem block size each test guest prints (2 MiB where it says nothing)."""
    text = clean(path)
    use_backend_of(text)
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
        m = VIRTIO.match(line)
        if m and m.group(1) in cur:
            cur[m.group(1)].update(zip(VIRTIO_KEYS, (int(v) for v in m.groups()[1:])))
            continue
        m = re.match(r"mon: (\w+): ", line)
        if not m or m.group(1) not in cur:
            continue
        c = COUNTERS.search(line)
        if c:
            cur[m.group(1)].update(zip(COUNTER_KEYS, (int(v) for v in c.groups())))
        f = FPR.search(line)
        if f:
            cur[m.group(1)].update(reports=int(f.group(1)), reported=int(f.group(2)))
    tele = []
    for t, vm, a, rest in TELE.findall(text):
        r = re.search(r" reported=(\d+)M", rest)
        tele.append((int(t), vm, int(a), int(r.group(1)) if r else None))
    blocks = {vm: int(k) << 10 for vm, k in
              re.findall(r"^\[(\w+)\] virtio-mem: ready, .* block (\d+)K", text, re.M)}
    return snaps, tele, blocks


def delta(snaps, vm, a, b):
    """Exits by reason, hypervisor cycles and ms between snapshots a and b of vm."""
    sa, sb = snaps[a][vm], snaps[b][vm]
    exits = {r: sb["exits"].get(r, 0) - sa["exits"].get(r, 0)
             for r in set(sa["exits"]) | set(sb["exits"])}
    return exits, sb["hv"] - sa["hv"], snaps[b]["t"] - snaps[a]["t"]


def counted(snaps, vm, key, a, b):
    """How much counter key grew between snapshots a and b (None if it is not printed)."""
    sa, sb = snaps[a][vm], snaps[b][vm]
    return sb[key] - sa[key] if key in sa and key in sb else None


def assigned_at(tele, vm, t):
    last = [a for (tt, v, a, _) in tele if v == vm and tt <= t]
    return last[-1] if last else None


def move_cost(snaps, vm, counter, a, b, ia, ib, unit, extra=(), moved=None, scale_by=None):
    """The cost of the move between snapshots a and b, less the idle window ia..ib scaled to
    its length. unit: bytes per count of counter (moved: the bytes, if the caller knows them
    from elsewhere). extra: more counters (e.g. notifies) whose growth, less the idle
    window's, is returned per GiB. scale_by: a counter to scale the idle window by instead
    of its length (the timer's pulses, for a guest that loses ticks while a long exit or
    its own work holds it up). Returns a dict."""
    exits, hv, ms = delta(snaps, vm, a, b)
    iexits, ihv, ims = delta(snaps, vm, ia, ib)
    scale = ms / ims if not scale_by else \
        counted(snaps, vm, scale_by, a, b) / counted(snaps, vm, scale_by, ia, ib)
    net = {r: max(0.0, exits[r] - iexits.get(r, 0) * scale) for r in exits if r != TIMER}
    if moved is None:
        moved = (counted(snaps, vm, counter, a, b) or 0) * unit
    reqs = counted(snaps, vm, REQUESTS[counter], a, b)
    gib = moved / GIB if moved else float("nan")
    per_gib = {}
    for key in extra:
        n, idle = counted(snaps, vm, key, a, b), counted(snaps, vm, key, ia, ib)
        per_gib[key] = max(0.0, n - idle * scale) / gib if n is not None else None
    total = sum(net.values())
    return {"mib": moved >> 20, "reqs": reqs, "exits": total, "per_gib": total / gib,
            "reasons": reasons(net, gib),
            "mcyc": max(0.0, hv - ihv * scale) / gib / 1e6, "extra": per_gib,
            "idle_rate": sum(n for r, n in iexits.items() if r != TIMER) * 1000.0 / ims,
            "idle_exits": sum(n for r, n in iexits.items() if r != TIMER), "net": net}


def reasons(net, per=1.0):
    """The three biggest exit reasons of net (reason -> exits), each divided by per."""
    top = sorted(((n, r) for r, n in net.items() if n >= 0.5), reverse=True)[:3]
    return ", ".join("%s %.0f" % (NAMES.get(r, "reason %d" % r), n / per) for n, r in top)


def unit_of(counter, vm, blocks):
    return blocks.get(vm, 2 << 20) if counter in ("plugged", "unplugged") else \
        (1 << 20 if counter == "reported" else PAGE)


HEADER = ["move", "MiB moved", "requests", "VM exits", "VM exits per GiB",
          "biggest reasons per GiB", "hypervisor cycles per GiB (emulated, M)"]


def row_cells(what, c):
    """The cells of HEADER; per-GiB cells are "–" when nothing moved."""
    per = (lambda f, v: "–") if not c["mib"] else (lambda f, v: f % v)
    return [what, "%d" % c["mib"], "–" if c["reqs"] is None else "%d" % c["reqs"],
            "%.0f" % c["exits"], per("%.0f", c["per_gib"]), per("%s", c["reasons"] or "–"),
            per("%.1f", c["mcyc"])]


def table(header, rows):
    """A markdown table: header cells, then rows of cells."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
        ["| " + " | ".join(r) + " |" for r in rows]


def main():
    snaps, tele, blocks = parse(sys.argv[1])
    if len(snaps) < 5 or any("pages_in" not in s.get(vm, {}) for s in snaps for vm in
                             ("bal", "hp")):
        sys.exit("emulated_report: the log holds %d complete stats snapshots, want 6" %
                 len(snaps))
    rows, idle, mibs = [], {}, []
    for vm, what, counter, a, b, ia, ib in MOVES:
        c = move_cost(snaps, vm, counter, a, b, ia, ib, unit_of(counter, vm, blocks))
        idle[vm] = c["idle_rate"]
        rows.append(row_cells(what, c))
        mibs.append(c["mib"])
    done = [assigned_at(tele, vm, snaps[i]["t"]) for vm, i, _ in EXPECT]
    lines = table(HEADER, rows)
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
    ok = done == [e for _, _, e in EXPECT] and all(m == 1024 for m in mibs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
