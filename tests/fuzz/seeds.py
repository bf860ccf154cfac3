#!/usr/bin/env python3
"""Write the harnesses' seed corpora, tests/fuzz/corpus/NAME/, from the project's own files:
the test guest's ELF header, Debian's kernel's setup header, a boot information block laid out as GRUB builds it for the
demo, the module lines of tools/*.cfg and tests/boot/*.sh, a guest's PC port sequences (Linux's PIC,
PIT, RTC, 8250, i8042 and PCI conf1 probes), and the scenario files with a
monitor line in front. Small on purpose: libFuzzer grows the rest in build/fuzz/corpus/.
usage: tests/fuzz/seeds.py [GUEST_ELF]   (default build/guest/guest.elf; Debian's kernel from
build/linux/vmlinuz, tools/linux-guest.sh; run from the repo root)
"""
import glob
import os
import re
import struct
import sys

OUT = "tests/fuzz/corpus"


def put(name, tag, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, tag), "wb") as f:
        f.write(data)


def mini_elf():
    """An ELF64 x86-64 executable as the loader wants it: code and data segments above the
    boot area, the entry in the executable one."""
    code, data = b"\xf4" * 16, b"\x00" * 8
    eh, ph = 64, 56
    off_code = eh + 2 * ph
    off_data = off_code + len(code)
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    hdr += struct.pack("<HHIQQQIHHHHHH", 2, 0x3e, 1, 0x100000, eh, 0, 0, eh, ph, 2, 64, 0, 0)
    p1 = struct.pack("<IIQQQQQQ", 1, 5, off_code, 0x100000, 0x100000, len(code), len(code), 0x1000)
    p2 = struct.pack("<IIQQQQQQ", 1, 6, off_data, 0x101000, 0x101000, len(data), 0x2000, 0x1000)
    return hdr + p1 + p2 + code + data


def tag(t, payload):
    body = struct.pack("<II", t, 8 + len(payload)) + payload
    return body + bytes(-len(body) % 8)


def mbi():
    """Boot information as GRUB gives it for tools/grub-demo.cfg on Bochs's memory map."""
    tags = tag(1, b"exit=emulator\0")
    mods = [(0x200000, 0x240000, b"name=web startup=128M min=64M max=320M buffer=60 -- work=48M:4s\0"),
            (0x240000, 0x280000, b"name=db startup=64M dynamic=off\0"),
            (0x280000, 0x280100, b"scenario\0")]
    for start, end, line in mods:
        tags += tag(3, struct.pack("<II", start, end) + line)
    e820 = [(0, 0x9f000, 1), (0x9f000, 0x1000, 2), (0xe8000, 0x18000, 2),
            (0x100000, 0x1fef0000, 1), (0x1fff0000, 0x10000, 3), (0xfffc0000, 0x40000, 2)]
    tags += tag(6, struct.pack("<II", 24, 0) +
                b"".join(struct.pack("<QQII", b, n, t, 0) for b, n, t in e820))
    tags += tag(0, b"")
    return struct.pack("<II", 8 + len(tags), 0) + tags


def module_lines():
    lines = set()
    for path in glob.glob("tools/*.cfg") + glob.glob("tests/boot/*.sh"):
        for m in re.finditer(r"module2 /boot/\S+ ([^'\n]*)", open(path).read()):
            if m.group(1).strip() and "$" not in m.group(1):
                lines.add(m.group(1).strip())
    return sorted(lines)


def bzimage_seeds(vmlinuz):
    """Debian's kernel's real setup header, with syssize cut to 16 bytes of kernel so that the
    seed stays small, behind the harness's 8 control bytes (RAM 256M, an initrd, a command
    line, a virtio-mem region)."""
    raw = open(vmlinuz, "rb").read(64 * 1024)
    setup_sects = raw[0x1f1] or 4
    head = bytearray(raw[:(setup_sects + 1) * 512])
    struct.pack_into("<I", head, 0x1f4, 1)          # syssize, in 16-byte units
    image = bytes(head) + bytes(range(16))
    put("bzimage", "debian-header", bytes([2, 0, 0x10, 0, 0, 1, 8, 1]) + image)
    put("bzimage", "debian-header-noinitrd", bytes([1, 0, 0, 0, 0, 0, 2, 0]) + image)


def balancer_seed(pool, vms):
    """The harness's input: VM count, pool, then per VM startup, min, max, assigned, reported,
    demand, manual target (bytes), buffer, weight, flags (1 dynamic, 2 demand known, 4 manual)."""
    out = bytes([len(vms) - 1]) + struct.pack("<Q", pool)
    for v in vms:
        out += struct.pack("<7QHHB", *v)
    return out


def vq_seed(size, flags, chains):
    """The virtqueue harness's input: size index, flags, two seed bytes, then the descriptor
    table (page 0x1000), avail ring (0x2000) and used ring (0x3000) as a driver writes them.
    chains: lists of (gpa, len, flags) descriptors, chained in order."""
    sizes = [1, 2, 4, 8, 16, 64, 128, 256]
    desc, heads, i = bytearray(4096), [], 0
    for chain in chains:
        heads.append(i)
        for j, (gpa, ln, fl) in enumerate(chain):
            nxt = i + 1 if j + 1 < len(chain) else 0
            struct.pack_into("<QIHH", desc, 16 * i, gpa, ln, fl | (1 if nxt else 0), nxt)
            i += 1
    avail = bytearray(4096)
    struct.pack_into("<HH", avail, 0, 0, len(heads))
    for k, h in enumerate(heads):
        struct.pack_into("<H", avail, 4 + 2 * k, h)
    return bytes([sizes.index(size), flags, 0x5a, 0xa5]) + bytes(desc) + bytes(avail) + bytes(64)


def dynmem_op(op, arg, count):
    """One operation of the dynmem harnesses: kind (0 inflate, 1 deflate, 2 report, 3 refault,
    4 plug, 5 unplug, 6 unplug all, 7 the hypervisor touches, 8 a virtio-mem request, 9 the
    host pool dry but for a few frames, or full again), a 16-bit argument, a count."""
    return bytes([op, arg & 0xff, arg >> 8, count])


def vp_op(op, p1=0, p2=0, p3=0, v32=0):
    """One guest action of the virtio_pci harness (tests/unit/virtio_pci_fixture.h, vp_op):
    the operation, three argument bytes, a 32-bit value."""
    return struct.pack("<BBBBI", op, p1, p2, p3, v32)


def vp_width(size, sub=0):
    """The argument byte for an access of size bytes at sub bytes into a dword."""
    return next(b for b in range(256) if 1 << (b % 3) == size and b & 3 == sub)


def virtio_pci_seeds():
    # Linux's probe: vendor and device ids, BAR0, the capability pointer and the first cap
    probe = b"".join(vp_op(1, vp_width(sz), reg) for sz, reg in
                     [(2, 0x00), (2, 0x02), (4, 0x10), (1, 0x34), (4, 0x40), (4, 0x44)])
    # virtio_pci_modern's bring-up of three 128-entry queues at pages 0, 2, 4 with DRIVER_OK
    # (features 0-2 and VERSION_1), a one-page readable chain on queue 1, notify, the ISR read
    up = bytes([9, 0x87, 7, 7, 7, 0, 2, 4])
    chain = vp_op(8, 1, 0, 0, 0x80000000 | 4095) + vp_op(5, 0, 0, 1) + vp_op(6)
    # the same head published twice, a config change, then a reset from the driver
    again = vp_op(8, 1, 0, 0, 0x80000000 | 64) + vp_op(8, 1, 0, 0, 0x80000000 | 64) + \
        vp_op(5, 0, 0, 1) + vp_op(11, 0, 9) + vp_op(2, vp_width(1), 0x14, 0, 0)
    # BAR0 moved to 0xd000, I/O decoding off and on, then the PCI_CFG window (cap at 0x84) reads num_queues
    bar = vp_op(0, vp_width(4), 0x10, 0, 0xd001) + vp_op(0, vp_width(2), 0x04, 0, 0) + \
        vp_op(0, vp_width(2), 0x04, 0, 1) + vp_op(0, vp_width(4), 0x8c, 0, 0x12) + \
        vp_op(0, vp_width(4), 0x90, 0, 2) + vp_op(1, vp_width(4), 0x94)
    put("virtio_pci", "linux-probe", probe)
    put("virtio_pci", "bringup-chain", up + chain)
    put("virtio_pci", "inflight-reset", up + again)
    put("virtio_pci", "bar-window", bar + up)


# pc_ports[] of tests/unit/pc_ports_fixture.h, in its order: op 0 and 1 name a port by index
PC_PORTS = [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
            0x60, 0x64] + list(range(0x3f8, 0x400)) + [0x80, 0x92, 0xcf8, 0xcf9, 0xcfa, 0xcfb,
                                                       0xcfc, 0xcfd, 0xcfe, 0xcff]


def pc_out(port, v):
    """fuzz_pc_ports's 4-byte operations: a byte OUT to any port (op 2)"""
    return bytes([2, port & 0xff, port >> 8, v])


def pc_in(port):
    return bytes([3, port & 0xff, port >> 8, 0])


def pc_outl(port, v):
    """a dword OUT to a claimed port (op 0, size 4): bits 16-28 of v are not encodable"""
    assert v & 0x1fff0000 == 0
    return bytes([0 | 2 << 3 | (v >> 24) & 0xe0, PC_PORTS.index(port), v & 0xff, (v >> 8) & 0xff])


def pc_inl(port):
    return bytes([1 | 2 << 3, PC_PORTS.index(port), 0, 0])


def pc_wait_us(us):
    ns = us * 1000
    return bytes([4, ns & 0xff, (ns >> 8) & 0xff, ns >> 16])


PC_ACK = bytes([5, 0, 0, 0])
PC_EOI = pc_out(0x20, 0x20)


def pc_ports_seeds():
    # arch/x86/kernel/i8259.c init_8259A: mask, ICW1-4 on both chips (vectors 0x30, 0x38), unmask
    pic = b"".join(pc_out(p, v) for p, v in [(0x21, 0xff), (0xa1, 0xff), (0x20, 0x11), (0x21, 0x30),
                                              (0x21, 4), (0x21, 1), (0xa0, 0x11), (0xa1, 0x38),
                                              (0xa1, 2), (0xa1, 1), (0x21, 0xe8), (0xa1, 0xfe)])
    # the PIT's periodic tick at HZ=250 (mode 2, LATCH 4773), two ticks taken and EOIed
    pit = pc_out(0x43, 0x34) + pc_out(0x40, 4773 & 0xff) + pc_out(0x40, 4773 >> 8)
    put("pc_ports", "pic-pit-tick", pic + pit + pc_wait_us(4500) + PC_ACK + PC_EOI +
        pc_wait_us(4000) + PC_ACK + PC_EOI)
    # mc146818_get_time: A for UIP, the time and date, century, B; then the periodic IRQ 8
    regs = [0x0a, 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32, 0x0b]
    rtc = b"".join(pc_out(0x70, r) + pc_in(0x71) for r in regs)
    rtc += pc_out(0x70, 0x0b) + pc_out(0x71, 0x42) + pc_wait_us(1000) + PC_ACK
    rtc += pc_out(0x70, 0x0c) + pc_in(0x71) + pc_out(0xa0, 0x20) + PC_EOI
    put("pc_ports", "rtc-time", pic + rtc)
    # the 8250 probe and startup: IER, loopback MSR, FIFO, divisor, OUT2, output, input
    u = 0x3f8
    uart = b"".join(pc_out(u + r, v) if v is not None else pc_in(u + r) for r, v in [
        (1, 0), (1, None), (4, 0x10), (6, None), (4, 0x1f), (6, None), (4, 0), (2, 0xc7),
        (2, None), (3, 0x80), (0, 1), (1, 0), (3, 0x03), (4, 0x0b), (1, 0x0f), (2, None),
        (0, ord("h")), (0, ord("i")), (0, 10), (5, None)])
    uart += bytes([6, 20, 0, 0]) + pc_wait_us(2000) + PC_ACK + pc_in(u) + pc_in(u) + pc_in(u + 5)
    uart += bytes([7 | 8, 0, 0, 0])
    put("pc_ports", "uart-probe", pic + uart)
    # the i8042 probe: self test, command byte, a byte for the absent keyboard, the reset pulse
    kbc = b"".join(pc_out(p, v) if v is not None else pc_in(p) for p, v in [
        (0x64, 0xaa), (0x64, None), (0x60, None), (0x64, 0x20), (0x60, None), (0x64, 0x60),
        (0x60, 0x47), (0x60, 0xf2), (0x64, None)])
    put("pc_ports", "i8042-selftest", pic + kbc + PC_ACK + pc_in(0x60) + PC_EOI + pc_out(0x64, 0xfe))
    # Linux's conf1 probe of the host bridge, its command register, then reboot=pci on 0xcf9
    pci = pc_outl(0xcf8, 0x80000000) + pc_inl(0xcf8) + pc_inl(0xcfc) + pc_outl(0xcf8, 0x80000004)
    pci += pc_out(0xcfc, 0x01) + pc_out(0xcfd, 0x04) + pc_inl(0xcfc) + pc_out(0xcf9, 2) + pc_out(0xcf9, 6)
    put("pc_ports", "pci-conf1", pci)


def main():
    M = 1 << 20
    # a guest's day: inflate 32 pages, report 64K, touch a reported page, plug two blocks, unplug
    # one, deflate half, the hypervisor touches the region, unplug all
    day = b"".join(dynmem_op(*o) for o in [(0, 0, 31), (2, 16, 4), (3, 5, 0), (4, 0, 1), (5, 1, 0),
                                           (1, 0, 15), (7, 3, 1), (6, 0, 0)])
    touch = b"".join(dynmem_op(*o) for o in [(4, 0, 1), (7, 0, 1), (7, 300, 1), (5, 0, 1)])
    # virtio-mem requests as Linux's driver sends them: STATE of both blocks, PLUG block 0 with
    # 4 MiB requested, PLUG block 1, UNPLUG_ALL (argument: type in bits 0-2, quarter-block
    # offset above; count: blocks in bits 0-2, requested size in 2 MiB units above)
    vmem = b"".join(dynmem_op(*o) for o in [(8, 3, 2 | 2 << 3), (8, 0, 1 | 2 << 3),
                                            (8, 4 << 3, 1 | 2 << 3), (8, 2, 0)])
    # the same with the pool dry but for 3 frames: plugs NACK, deflates fail, then it refills
    dry = dynmem_op(0, 0, 31) + dynmem_op(9, 0, 3 << 2) + vmem + dynmem_op(1, 0, 31) + dynmem_op(9, 0, 1)
    # balloon requests: kind (0 inflate, 1 deflate, 2 stats, 3 report), PFNs per exit, buffer
    # count, then per buffer page, offset/16, length/16, kind (0x40 writable, 0x80 beyond RAM,
    # low bits: 4 KiB units more), then what the guest wrote into the buffers
    pfns = b"".join(struct.pack("<I", 100 + i) for i in range(64))
    put("balloon", "inflate-64", bytes([0, 15, 0, 5, 0, 16, 0]) + pfns)
    put("balloon", "deflate-64", bytes([1, 255, 0, 5, 0, 16, 0]) + pfns)
    stats = b"".join(struct.pack("<HQ", t, v) for t, v in [(0, 0), (1, 4096), (4, 80 * M), (5, 200 * M),
                                                          (7, 150 * M), (8, 12345), (9, 7), (42, 1)])
    put("balloon", "stats", bytes([2, 0, 0, 9, 0, 10, 0]) + stats)
    put("balloon", "report", bytes([3, 0, 1, 128, 0, 0, 0x41, 200, 0, 0, 0xc1]))
    for name in ("dynmem", "dynmem_lazy"):
        put(name, "virtio-mem", vmem)
        put(name, "pool-dry", dry)
    for name in ("dynmem", "dynmem_lazy"):
        put(name, "guest-day", day)
        put(name, "plug-touch", touch)
    # as Linux's virtio_balloon fills its inflate queue: one readable page of 256 PFNs per chain
    put("virtqueue", "balloon-inflate", vq_seed(64, 0, [[(0x10000, 1024, 0)], [(0x11000, 1024, 0)]]))
    # a stats request (readable) and a virtio-mem request with its writable response
    put("virtqueue", "stats-and-vmem", vq_seed(128, 2, [[(0x12000, 160, 0)],
                                                        [(0x13000, 24, 0), (0x13100, 10, 2)]]))
    # free page reporting: address-only buffers of 4 MiB each, beyond the arena
    put("virtqueue", "report", vq_seed(16, 1, [[(0x40000000, 4 * M, 2), (0x40400000, 4 * M, 2)]]))
    # another vCPU scribbling on the rings while the device reads them, with a hole in the data
    put("virtqueue", "scribble", vq_seed(8, 16 | 4, [[(0x10000, 4096, 0)], [(0x14000, 64, 2)]]))
    # the make-run demo at t=1022 (README's sample): web ballooned to 64M, batch under pressure, db static
    put("balancer", "demo", balancer_seed(253 * M, [
        (128 * M, 64 * M, 320 * M, 64 * M, 0, 48 * M, 0, 60, 100, 3),
        (128 * M, 64 * M, 320 * M, 128 * M, 0, 128 * M, 0, 60, 200, 3),
        (64 * M, 64 * M, 64 * M, 64 * M, 0, 0, 0, 20, 100, 0)]))
    # two Linux VMs of make run-linux at their peaks, one with memory reported free, on 766M
    put("balancer", "linux-peak", balancer_seed(40 * M, [
        (256 * M, 128 * M, 640 * M, 486 * M, 0, 420 * M, 0, 50, 100, 3),
        (256 * M, 128 * M, 640 * M, 200 * M, 90 * M, 80 * M, 0, 50, 100, 3),
        (64 * M, 64 * M, 64 * M, 64 * M, 0, 0, 0, 20, 100, 0)]))
    virtio_pci_seeds()
    guest = sys.argv[1] if len(sys.argv) > 1 else "build/guest/guest.elf"
    if os.path.exists("build/linux/vmlinuz"):
        bzimage_seeds("build/linux/vmlinuz")
    put("elf", "mini", mini_elf())
    if os.path.exists(guest):
        put("elf", "guest-header", open(guest, "rb").read()[:1024])
    put("multiboot2", "demo", mbi())
    pc_ports_seeds()
    for i, line in enumerate(module_lines()):
        put("vm_config", "line%02d" % i, line.encode())
    commands = ["vms", "vms --json", "mem web 200M", "set web min=64M max=512M buffer=30 weight=300",
                "@t1 stats --json", "type lin uname -r", "console lin on", "quit", "help"]
    scns = sorted(glob.glob("tools/scenarios/*.scn") + glob.glob("tests/boot/scenarios/*.scn"))
    for i, path in enumerate(scns):
        cmd = commands[i % len(commands)].encode()
        put("monitor", os.path.basename(path)[:-4], cmd + b"\0" + open(path, "rb").read())
    for i, cmd in enumerate(commands):
        put("monitor", "cmd%02d" % i, cmd.encode())


if __name__ == "__main__":
    main()
