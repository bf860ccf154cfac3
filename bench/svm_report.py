#!/usr/bin/env python3
"""Section 9 of docs/BENCHMARKS.md from bench/svm.sh's logs: exit round trips and memory moves
on VT-x (Bochs Haswell) and SVM (Bochs ryzen), and the boot tests' seconds in Bochs (VT-x) and
in QEMU TCG (SVM) from the last `make test`.

usage: svm_report.py --mode full|quick --exits VMX_LOG SVM_LOG [--moves VMX_LOG SVM_LOG]
                     --tests LOG_DIR
"""
import argparse
import glob
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulated_report as er  # noqa: E402

EXITBENCH = re.compile(r"^\[eb\] exitbench: (\d+) round trips each: CPUID (\d+) cycles, "
                       r"hypercall (\d+) cycles$", re.M)
BACKENDS = ("VT-x (Bochs Haswell)", "SVM (Bochs ryzen)")


def exit_rows(logs):
    rows = []
    for name, path in zip(BACKENDS, logs):
        m = EXITBENCH.search(er.clean(path))
        if not m:
            sys.exit("svm_report: no exitbench line in %s" % path)
        rows.append([name, m.group(1), m.group(2), m.group(3)])
    return rows


def move_rows(logs):
    """Per move: exits and hypervisor Mcycles per GiB on each backend, and the top reasons."""
    costs = []
    for path in logs:
        snaps, _, blocks = er.parse(path)     # also picks the backend's exit names
        if len(snaps) < 5:
            sys.exit("svm_report: %s holds %d stats snapshots, want 5" % (path, len(snaps)))
        costs.append([er.move_cost(snaps, vm, counter, a, b, ia, ib,
                                   er.unit_of(counter, vm, blocks))
                      for vm, _, counter, a, b, ia, ib in er.MOVES])
    rows = []
    for i, (_, what, *_rest) in enumerate(er.MOVES):
        v, s = costs[0][i], costs[1][i]
        if v["mib"] != 1024 or s["mib"] != 1024:
            sys.exit("svm_report: %s moved %d and %d MiB, want 1024" % (what, v["mib"], s["mib"]))
        rows.append([what, "%.0f" % v["per_gib"], "%.0f" % s["per_gib"], "%.1f" % v["mcyc"],
                     "%.1f" % s["mcyc"], "%.2f×" % (s["mcyc"] / v["mcyc"]) if v["mcyc"] else "–",
                     v["reasons"] or "–", s["reasons"] or "–"])
    return rows


def test_rows(log_dir):
    """Each *_svm_qemu boot test beside the VT-x script it runs, in seconds."""
    rows, tot = [], [0, 0]
    for wrapper in sorted(glob.glob("tests/boot/*_svm_qemu.sh")):
        m = re.search(r'BV_BACKEND=svm exec bash "\$\(dirname "\$0"\)/(\w+)\.sh"',
                      open(wrapper).read())
        if not m:
            continue
        secs = []
        for name in (m.group(1), os.path.basename(wrapper)[:-3]):
            try:
                secs.append(int(open(os.path.join(log_dir, "boot-%s.done" % name))
                                .read().split()[1]))
            except (OSError, IndexError, ValueError):
                sys.exit("svm_report: no time for %s in %s (run make test first)" %
                         (name, log_dir))
        rows.append([m.group(1), "%d" % secs[0], "%d" % secs[1],
                     "%.1f×" % (secs[0] / secs[1]) if secs[1] else "–"])
        tot = [tot[0] + secs[0], tot[1] + secs[1]]
    if not rows:
        sys.exit("svm_report: no tests/boot/*_svm_qemu.sh twins found")
    rows.append(["**all of them**", "**%d**" % tot[0], "**%d**" % tot[1],
                 "**%.1f×**" % (tot[0] / tot[1])])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("full", "quick"), required=True)
    ap.add_argument("--exits", nargs=2, required=True)
    ap.add_argument("--moves", nargs=2)
    ap.add_argument("--tests", required=True)
    a = ap.parse_args()
    day = time.strftime("%Y-%m-%d", time.gmtime(os.path.getmtime(a.exits[1])))
    out = ["## 9. SVM beside VT-x", ""]
    if a.mode == "quick":
        out += ["(BENCH_ARGS=--quick: a smoke run, 2000 round trips and no moves.)", ""]
    out += ["Measured on %s by `make bench-svm` (`bench/svm.sh`, `bench/svm_report.py`). Both "
            "backends run in the same emulator, Bochs 2.7 with `clock: sync=none`, where the TSC "
            "advances by one per instruction: the cycles are emulated and repeat exactly; only "
            "the CPU model differs (Haswell: VT-x with EPT; ryzen: SVM with nested paging and "
            "NRIP save)." % day, "",
            "**Exit round trips**, timed by the guest (`exitbench=N`, `guest/exitbench.c`): N "
            "CPUIDs, then N null hypercalls (VMCALL on Intel, VMMCALL on AMD), each loop's TSC "
            "difference divided by N. Slice ends fall inside the loops too.", ""]
    out += er.table(["backend", "round trips", "CPUID (cycles each)", "hypercall (cycles each)"],
                    exit_rows(a.exits))
    if a.moves:
        out += ["", "**Memory moved**: section 2's scenario on both models (1 GiB given back "
                "and taken again through the balloon, and through virtio-mem; 2 GiB of host "
                "memory), exits and hypervisor cycles per GiB moved, computed as in section 2 "
                "(slice-timer exits left out: the preemption timer on VT-x, INTR on SVM). The "
                "same few exits move a GiB on both; the cycles are dynmem's own work (zeroing, "
                "the page-table walk), which is the same code on both.", ""]
        out += er.table(["move", "exits per GiB, VT-x", "exits per GiB, SVM",
                         "hypervisor Mcycles per GiB, VT-x", "the same, SVM", "SVM / VT-x",
                         "biggest reasons per GiB, VT-x", "the same, SVM"], move_rows(a.moves))
    out += ["", "**`make test`: the boot tests in Bochs and in QEMU TCG.** Each boot test written "
            "for VT-x runs in Bochs; its `_svm_qemu` twin runs the same script on SVM in QEMU "
            "TCG (`-cpu EPYC`). Seconds each took in the last `make test` (%s, two Bochs tests "
            "and one QEMU test side by side on this 2-core machine; "
            "`build/test/logs/boot-*.done`). QEMU runs the guests' clock in real time, so its "
            "Linux tests include the seconds they wait for their scenario's commands, which "
            "Bochs's virtual clock skips while every vCPU halts:" %
            time.strftime("%Y-%m-%d", time.gmtime(os.path.getmtime(a.tests))), ""]
    out += er.table(["boot test", "Bochs, VT-x (s)", "QEMU TCG, SVM (s)", "Bochs / QEMU"],
                    test_rows(a.tests))
    print("\n".join(out))


if __name__ == "__main__":
    main()
