#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The balancer table of docs/BENCHMARKS.md, from the serial log of a three-VM run.

usage: bench/balancer_report.py SERIAL_LOG

Reads the telemetry the hypervisor prints every balancer tick (kernel/dynmem_ctl.c)

    dm t=MS vm=NAME assigned=..M visible=..M balloon=..M plugged=..M demand=..M|? pressure=.. target=..M
    dm t=MS host free=..M total=..M

the VMs' settings from the boot lines (`vm NAME: created: ...`, `vm NAME: dynamic memory:
min .. max .. buffer ..%`, `vm NAME: static memory`) and the monitor's `set` answers, and
the guests' phase reports (a test guest's `[NAME] phase K/N: ...`, a Linux guest's
`[NAME] bvwork: phase K/N hold SIZE ...` and `[NAME] bvwork: meminfo ... held=N kB`: the
first meminfo line of a phase that holds all of it). Prints two markdown tables:

1. Every pressure spike of a dynamic VM: the first tick whose reported demand is at least
   RISE above where its climb began (the last tick it did not rise: a Linux workload's ramp
   rises less than RISE a tick) and whose desired size (demand plus its buffer, at most
   its max: what the default policy asks for) exceeds what it holds. The spike lasts until
   demand falls RISE below its peak, or rises RISE above it after SETTLED ticks in which
   demand stayed flat and the VM held the spike's highest target (a new spike: within a
   spike, demand climbs with every grant, since it cannot exceed what the guest sees). Counted from that tick: the balancer's first grant
   (memory arriving after it set a target above what the VM held; pages the guest takes
   back from its balloon on its own, on OOM, are noted apart), the first tick the VM holds
   its peak demand, and the first it holds the highest target set during the spike.
2. The peak of the sum of assigned over ticks, and of host memory in use (total - free,
   which includes the hypervisor's own frames), against the sum of static sizes.

Exits 1 with a message when the log cannot be read or holds no telemetry.
"""
import re
import sys
from collections import namedtuple

PROG = "bench/balancer_report.py"
RISE = 8      # MiB: a smaller step in reported demand is noise, not a spike
GRANULE = 2   # MiB: the balancer's granule; a grant moves at least this much
SETTLED = 2   # ticks: a demand report can be a tick stale, so one flat tick is not a plateau
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
SIZE = r"(\d+)([KMG])"
MIB = {"K": 1.0 / 1024, "M": 1.0, "G": 1024.0}
VM_TELE = re.compile(r"dm t=(\d+) vm=(\S+) (.*)")
PAIR = re.compile(r"([a-z]+)=(\d+M|\?)(?=\s|$)")
VM_KEYS = ("assigned", "balloon", "demand", "target")  # the fields read, in any order
HOST_TELE = re.compile(r"dm t=(\d+) host free=(\d+)M total=(\d+)M")
CREATED = re.compile(r"^vm (\S+): created: (\d+) MiB RAM.*?cmdline \"(.*)\"")
DYNAMIC = re.compile(r"^vm (\S+): dynamic memory: min " + SIZE + " max " + SIZE +
                     r" buffer (\d+)%")
STATIC = re.compile(r"^vm (\S+): static memory")
SET = re.compile(r"^mon: set: (\S+): min=" + SIZE + " max=" + SIZE + r" buffer=(\d+) ")
PHASE_SHORT = re.compile(r"^\[(\S+)\] phase (\d+)/\d+: short by (\d+)K at its end")
PHASE_HOLD = re.compile(r"^\[(\S+)\] phase (\d+)/\d+: hold (\d+)([KM]) \(have (\d+)M")
# a Linux guest's bvwork (guest-linux/bvwork.c): a phase starts, and it holds so many kB
BVWORK_PHASE = re.compile(r"^\[(\S+)\] bvwork: phase (\d+)/\d+ hold (\d+)([KMG]) for ")
BVWORK_HELD = re.compile(r"^\[(\S+)\] bvwork: meminfo .* held=(\d+) kB$")


def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(1)


def mib(num, unit):
    return float(num) * MIB[unit]


# One VM's line of one tick; buffer and max are its settings in force then.
Point = namedtuple("Point", "tick t assigned balloon demand target buffer max")


class Vm:
    def __init__(self, name):
        self.name = name
        self.startup = None
        self.max = None
        self.dynamic = None
        self.buffer = 20      # BAL_DEFAULT_BUFFER until a line says otherwise
        self.work = None
        self.points = []      # Point, in log order
        self.phase_lines = []  # (position in ticks, kind, phase, MiB)
        self.bvwork = None     # a Linux guest's bvwork phase: [phase, MiB, all held, start]


def parse(text):
    """Returns (vms by name in order of appearance, ticks): ticks is a list of
    {"t", "free", "total"} in log order; a VM point refers to its tick by index."""
    vms, ticks, index = {}, [], {}

    def vm(name):
        return vms.setdefault(name, Vm(name))

    def tick(t):
        if t not in index:
            index[t] = len(ticks)
            ticks.append({"t": t, "free": None, "total": None})
        return index[t]

    # A CR alone also ends a line: a console may redraw a line with it.
    for line in re.split(r"[\r\n]+", ANSI.sub("", text)):
        m = VM_TELE.search(line)
        if m:
            f = dict(PAIR.findall(m.group(3)))
            if all(f.get(k, "?") != "?" for k in VM_KEYS if k != "demand") and "demand" in f:
                v, t = vm(m.group(2)), int(m.group(1))
                n = {k: None if f[k] == "?" else int(f[k][:-1]) for k in VM_KEYS}
                v.points.append(Point(tick(t), t, n["assigned"], n["balloon"], n["demand"],
                                      n["target"], v.buffer, v.max))
            continue
        m = HOST_TELE.search(line)
        if m:
            tk = ticks[tick(int(m.group(1)))]
            tk["free"], tk["total"] = int(m.group(2)), int(m.group(3))
            continue
        m = CREATED.search(line)
        if m:
            v = vm(m.group(1))
            v.startup = int(m.group(2))
            w = re.search(r"(?:^| )work=(\S+)", m.group(3))
            v.work = w.group(1) if w else None
            continue
        m = DYNAMIC.search(line)
        if m:
            v = vm(m.group(1))
            v.dynamic, v.max, v.buffer = True, mib(m.group(4), m.group(5)), int(m.group(6))
            continue
        m = STATIC.search(line)
        if m:
            v = vm(m.group(1))
            v.dynamic = False
            continue
        m = SET.search(line)
        if m:
            # `set` changes max and buffer from here on; a static size is the largest max
            v = vm(m.group(1))
            v.max = max(v.max or 0, mib(m.group(4), m.group(5)))
            v.buffer = int(m.group(6))
            continue
        m = PHASE_SHORT.search(line)
        if m:
            vm(m.group(1)).phase_lines.append((len(ticks), "short", int(m.group(2)),
                                               int(m.group(3)) / 1024))
            continue
        m = PHASE_HOLD.search(line)
        if m:
            hold = mib(m.group(3), m.group(4))
            if int(m.group(5)) >= int(hold):
                vm(m.group(1)).phase_lines.append((len(ticks), "held", int(m.group(2)), hold))
            continue
        m = BVWORK_PHASE.search(line)
        if m:
            vm(m.group(1)).bvwork = [int(m.group(2)), mib(m.group(3), m.group(4)), False,
                                     len(ticks)]
            continue
        m = BVWORK_HELD.search(line)
        if m:
            v = vm(m.group(1))
            held = int(m.group(2)) / 1024
            if v.bvwork and not v.bvwork[2] and held >= v.bvwork[1]:
                v.bvwork[2] = True
                v.phase_lines.append((len(ticks), "grown", v.bvwork[0], held, v.bvwork[3]))
    return vms, ticks


def desired(demand, buffer, vmax):
    """What the default policy asks for (mm/balancer.c desired()), before rounding."""
    want = demand * (100 + buffer) / 100
    return min(want, vmax) if vmax else want


def spikes(v):
    """[(first, last, the demand it rose from)], first and last as indices into v.points."""
    out, i, pts = [], 0, v.points
    # the last tick's demand, and where its climb began; before its first report the
    # guest's workload holds nothing
    prev = base = 0
    while i < len(pts):
        p = pts[i]
        if p.demand is None:
            i += 1
            continue
        if p.demand <= prev:
            base = p.demand
        if p.demand - base >= RISE and desired(p.demand, p.buffer, p.max) >= p.assigned + GRANULE:
            peak, target, settled, j = p.demand, p.target, 0, i
            while j + 1 < len(pts):
                nd = pts[j + 1].demand
                if nd is not None and nd <= peak - RISE:
                    break  # the phase is over
                if nd is not None and nd >= peak + RISE and settled >= SETTLED:
                    break  # a rise after the spike had settled is a new spike
                j += 1
                target = max(target, pts[j].target)
                flat = nd is None or nd < peak + RISE
                settled = settled + 1 if flat and pts[j].assigned >= target else 0
                peak = max(peak, nd if nd is not None else peak)
            out.append((i, j, base))
            prev = base = pts[j].demand if pts[j].demand is not None else peak
            i = j + 1
            continue
        prev = p.demand
        i += 1
    return out


def first(pts, lo, hi, ok):
    """The first index k in [lo, hi] with ok(k), or None."""
    return next((k for k in range(lo, hi + 1) if ok(k)), None)


def fmt_step(pts, s, k):
    if k is None:
        return "not before demand fell"
    return "+%d (%d ms)" % (pts[k].tick - pts[s].tick, pts[k].t - pts[s].t)


def guest_word(v, pts, s, e, ticks, peak):
    """What the guest said about its phase between the spike's first tick and the tick after
    its last (a line printed between ticks k - 1 and k is at position k)."""
    lo = pts[s].tick
    hi = (pts[e + 1].tick if e + 1 < len(pts) else len(ticks)) + 1
    said = [x for x in v.phase_lines if lo <= x[0] <= hi]
    short = [x for x in said if x[1] == "short"]
    held = [x for x in said if x[1] == "held" and x[3] >= peak - RISE]
    # a Linux guest's demand holds its kernel's memory too: its largest phase in the spike
    grown = sorted((x for x in said if x[1] == "grown"), key=lambda x: -x[3])
    if short:
        return "short by %.0fM at phase %d's end" % (short[0][3], short[0][2])
    if held:
        return "held %.0fM by tick +%d" % (held[0][3], held[0][0] - lo)
    if grown:
        # the phase's start and its end of growth, each to the tick before the line
        pos, _, phase, size, start = grown[0]
        secs = (ticks[pos - 1]["t"] - ticks[max(start - 1, 0)]["t"]) / 1000.0
        return "bvwork held all %.0fM of phase %d by tick +%d (grown in %.1f s, %.1f MiB/s)" % (
            size, phase, pos - lo, secs, size / secs if secs else 0)
    return "–"


def spike_rows(vms, ticks):
    """The rows of the spike table, and per spike "VM/spike: ticks in which the VM held less
    than the target set at the tick before, of the spike's ticks" (a grant late by a tick)."""
    rows, late = [], []
    for v in vms.values():
        if v.dynamic is False:
            continue
        pts = v.points
        for n, (s, e, d0) in enumerate(spikes(v), 1):
            a0 = pts[s].assigned  # what it holds when the balancer sees the demand
            peak = max(p.demand for p in pts[s:e + 1] if p.demand is not None)
            target = max(p.target for p in pts[s:e + 1])

            def asked(k):  # the balancer had set a target above what the VM held
                return k > 0 and pts[k - 1].target > pts[k - 1].assigned

            grant = first(pts, s, e, lambda k: pts[k].assigned >= a0 + GRANULE and
                          pts[k].assigned > pts[k - 1].assigned and asked(k))
            # before the balancer grants anything, a guest short of memory takes pages
            # back from its balloon itself (VIRTIO_BALLOON_F_DEFLATE_ON_OOM)
            oom = first(pts, s, e if grant is None else grant - 1,
                        lambda k: k > 0 and pts[k].assigned > pts[k - 1].assigned and
                        pts[k].balloon < pts[k - 1].balloon and not asked(k))
            step = fmt_step(pts, s, grant)
            if oom is not None:
                step += "; the guest deflated on OOM at +%d" % (pts[oom].tick - pts[s].tick)
            covered = first(pts, s, e, lambda k: pts[k].assigned >= peak)
            at_target = first(pts, s, e, lambda k: pts[k].assigned >= target)
            rows.append("| %s | %d | %d | %dM → %dM | %dM → %dM | %s | %s | %s | %s |" % (
                v.name, n, pts[s].t, d0, peak, a0, target, step,
                fmt_step(pts, s, covered), fmt_step(pts, s, at_target),
                guest_word(v, pts, s, e, ticks, peak)))
            late.append("%s/%d %d of %d" % (v.name, n, sum(
                pts[k].assigned < pts[k - 1].target for k in range(s + 1, e + 1)), e - s))
    return rows, late


def peak_rows(vms, ticks):
    """Rows of the memory table, and what the savings are measured against."""
    sums = {}
    for v in vms.values():
        for p in v.points:
            sums[p.tick] = sums.get(p.tick, 0) + p.assigned
    i_sum = max(sums, key=lambda i: (sums[i], -i))
    used = [(tk["total"] - tk["free"], i) for i, tk in enumerate(ticks) if tk["free"] is not None]
    host = max(used, key=lambda x: (x[0], -x[1])) if used else None
    ref = host[0] if host else sums[i_sum]

    def own_peak(v, field):
        vals = [getattr(p, field) for p in v.points if getattr(p, field) is not None]
        return max(vals) if vals else None

    def static_size(v):
        return v.startup if v.startup is not None else own_peak(v, "assigned")

    def vm_max(v):
        if v.dynamic is None:
            return None  # no boot lines: its max is not known
        return v.max if v.dynamic else static_size(v)

    def peak_demand(v):
        # a static VM's workload has to fit in its size; it reports no demand anyway
        if v.dynamic is False or own_peak(v, "demand") is None:
            return static_size(v)
        return own_peak(v, "demand")

    def static_row(what, sizes):
        missing = [n for n, size in sizes if size is None]
        if missing:
            return "| %s | unknown (no size for %s in the log) | – |" % (what, ", ".join(missing))
        total = sum(size for _, size in sizes)
        parts = " + ".join("%s %.0f" % (n, size) for n, size in sizes)
        return "| %s: %s | %.0f | %.0f (%.1f%%) |" % (what, parts, total, total - ref,
                                                     100.0 * (total - ref) / total)

    rows = ["| dynamic: peak of the sum of assigned over ticks (t=%d ms) | %d | – |"
            % (ticks[i_sum]["t"], sums[i_sum])]
    if host:
        rows.append("| dynamic: peak host memory in use, total − free (VMs + hypervisor; "
                    "t=%d ms, of %dM) | %d | – |" % (ticks[host[1]]["t"],
                                                    ticks[host[1]]["total"], host[0]))
    vl = list(vms.values())
    rows.append(static_row("static at max, sum of max", [(v.name, vm_max(v)) for v in vl]))
    rows.append(static_row("static at each VM's own peak assigned",
                           [(v.name, own_peak(v, "assigned")) for v in vl]))
    rows.append(static_row("static at each VM's peak demand, no headroom",
                           [(v.name, peak_demand(v)) for v in vl]))
    return rows, ("host in use" if host else "sum of assigned")


def main():
    if len(sys.argv) != 2:
        print("usage: %s SERIAL_LOG" % PROG, file=sys.stderr)
        sys.exit(2)
    path = sys.argv[1]
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    vms, ticks = parse(text)
    vms = {n: v for n, v in vms.items() if v.points}
    if not vms:
        die(f'{path} holds no telemetry (no well-formed "dm t=... vm=..." lines)')

    lines = ["| VM | spike | seen at (ms) | demand before → peak | assigned then → "
             "highest target | first grant by the balancer (ticks, ms) | holds its peak demand | "
             "holds the highest target | the guest at the phase's end |",
             "|---|---|---|---|---|---|---|---|---|"]
    rows, late = spike_rows(vms, ticks)
    lines += rows or ["| – | – | – | no pressure spike in this log | – | – | – | – | – |"]
    lines.append("")
    prows, ref = peak_rows(vms, ticks)
    lines += ["| memory | MiB | saved against the dynamic peak (%s) |" % ref,
              "|---|---|---|"] + prows
    lines.append("")
    ms = [tk["t"] for tk in ticks]
    gaps = sorted(b - a for a, b in zip(ms, ms[1:]))
    work = "; ".join("%s %s" % (v.name, v.work) for v in vms.values() if v.work)
    lines.append("Log: %d ticks over %d ms (median tick %s ms)%s." % (
        len(ticks), ms[-1] - ms[0], gaps[len(gaps) // 2] if gaps else "–",
        "; workloads (work=): " + work if work else ""))
    if late:
        lines.append("Ticks of a spike at which the VM held less than the target the balancer set "
                     "at the tick before: %s." % ", ".join(late))
    sys.stdout.reconfigure(encoding="utf-8")  # the tables hold → and – whatever the locale
    print("\n".join(lines))


if __name__ == "__main__":
    main()
