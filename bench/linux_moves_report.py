#!/usr/bin/env python3
"""Turn the serial log of bench/linux_moves.sh into the table of section 7 of docs/BENCHMARKS.md:
VM exits by reason and emulated hypervisor cycles per GiB that Linux's own drivers move.

The snapshots and their windows follow bench/scenarios/linux-moves.scn (MOVES below names
them by index). Parsing and the cost of a move come from bench/emulated_report.py: the
snapshots around the move, minus an idle window of the same VM and length, scaled by the PIT
pulses in each (the guest spins at nice 19 in both, so each tick costs it the same exits
whether it moves memory or not, but a long exit swallows ticks).
usage: bench/linux_moves_report.py SERIAL_LOG [BENCHMARKS.md]
  BENCHMARKS.md: where section 2's test guest figures are read (default docs/BENCHMARKS.md).
Exit status 1 if a snapshot is missing, a move did not complete in its window, or (where
`stats` prints its counters) free page reporting reported less than 1 GiB in its window.
"""
import math
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulated_report as er  # noqa: E402

# (vm, what, counter, snapshot before, after, idle window before, after)
MOVES = [("bal", "balloon inflate (give back)", "pages_in", 1, 2, 0, 1),
         ("hp", "virtio-mem plug (take)", "plugged", 5, 6, 3, 4),
         ("hp", "virtio-mem unplug (give back)", "unplugged", 6, 7, 3, 5),
         ("bal", "balloon deflate (take back)", "pages_out", 9, 10, 8, 9),
         # reports and MiB: the stats' free page reporting counters (a GiB and more, so that
         # the reports stand above the noise of the idle window)
         ("fpr", "free page reporting (1152 MiB freed)", "reported", 13, 14, 11, 12)]
SNAPSHOTS = 15
FREE = ("fpr", 12, 13)  # the window in which fpr's process is killed and frees its memory
# assigned MiB each VM must hold at the snapshot that ends its move
EXPECT = [("bal", 2, 256), ("hp", 6, 1280), ("hp", 7, 256), ("bal", 10, 1280)]
DEVICE = {"pages_in": "bal", "pages_out": "bal", "plugged": "vmem", "unplugged": "vmem",
          "reported": "bal"}
HEADER = er.HEADER + ["notifies per GiB", "interrupts per GiB",
                      "test guest (section 2): VM exits / M cycles per GiB"]


def section2(path):
    """The test guest's rows of section 2: move -> (VM exits per GiB, M cycles per GiB)."""
    try:
        text = open(path).read()
    except OSError:
        return {}
    part = text.split("## 2. ", 1)[-1].split("\n## ", 1)[0] if "## 2. " in text else ""
    rows = {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.match(r"^[\d.]+$", cells[4]):
            rows[cells[0]] = (cells[4], cells[6])
    return rows


def fmt(v):
    return "–" if v is None or math.isnan(v) else "%.0f" % v


def move_row(snaps, blocks, guest, move):
    """The table's cells for one move, and its cost (emulated_report.move_cost). Free page
    reporting's MiB and reports are the stats' cumulative counters (none: nothing moved)."""
    vm, what, counter, a, b, ia, ib = move
    dev = DEVICE[counter]
    c = er.move_cost(snaps, vm, counter, a, b, ia, ib, er.unit_of(counter, vm, blocks),
                     extra=(dev + "_notifies", dev + "_irqs"), scale_by="pit")
    notifies = c["extra"][dev + "_notifies"]
    t2 = guest.get(what)
    return er.row_cells(what, c) + [fmt(notifies), fmt(c["extra"][dev + "_irqs"]),
                                    "%s / %s" % t2 if t2 else "–"], c


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: linux_moves_report.py SERIAL_LOG [BENCHMARKS.md]")
    snaps, tele, blocks = er.parse(sys.argv[1])
    vms = {m[0] for m in MOVES}
    full = [s for s in snaps if all("pages_in" in s.get(vm, {}) for vm in vms)]
    if len(full) < SNAPSHOTS or len(full) != len(snaps):
        sys.exit("linux_moves_report: the log holds %d complete stats snapshots of %s, want %d" %
                 (len(full), " ".join(sorted(vms)), SNAPSHOTS))
    guest = section2(sys.argv[2] if len(sys.argv) > 2 else "docs/BENCHMARKS.md")
    rows, idle, cost = [], {}, {}
    for m in MOVES:
        cells, c = move_row(snaps, blocks, guest, m)
        rows.append(cells)
        cost[m[2]] = c
        idle[m[0]] = (c["idle_rate"], c["idle_exits"] / er.counted(snaps, m[0], "pit", *m[5:]))
    inf = cost["pages_in"]
    free = er.move_cost(snaps, FREE[0], "reported", FREE[1], FREE[2], *MOVES[-1][5:], 1 << 20,
                        moved=0, scale_by="pit")
    done = [er.assigned_at(tele, vm, snaps[i]["t"]) for vm, i, _ in EXPECT]
    fpr = er.counted(snaps, FREE[0], "reported", 0, SNAPSHOTS - 1) is not None
    lines = er.table(HEADER, rows) + ["", (
        "Linux's virtio_balloon sends at most 256 PFNs per request (VIRTIO_BALLOON_ARRAY_PFNS_MAX) "
        "and waits for each to come back, so 1024 requests per GiB of 4 KiB pages is that "
        "driver's floor: measured %s requests for %d MiB, %s notifies per GiB." %
        (inf["reqs"], inf["mib"], fmt(inf["extra"]["bal_notifies"]))), "", (
        "Exits per second (per PIT pulse) in the idle windows, the guest spinning at nice 19, "
        "subtracted per pulse: %s. Moves completed within their window (assigned MiB at the "
        "end: bal 256, hp 1280, hp 256, bal 1280): %s. The window before the reporting one, in "
        "which fpr's process is killed and frees its memory, cost %.0f exits (%s)%s." %
        (", ".join("%s %.0f (%.2f)" % (vm, r, p) for vm, (r, p) in sorted(idle.items())),
         " / ".join(str(d) for d in done), free["exits"], er.reasons(free["net"]) or "none",
         "; %d MiB were reported in it" % er.counted(snaps, FREE[0], "reported", *FREE[1:])
         if fpr else "; `stats` prints no free page reporting line for fpr (a build without "
         "it), so the row's window has nothing to report"))]
    print("\n".join(lines))
    ok = done == [e for _, _, e in EXPECT] and all(cost[m[2]]["mib"] == 1024 for m in MOVES[:4]) \
        and (not fpr or cost["reported"]["mib"] >= 1024)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
