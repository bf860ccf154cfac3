#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A test double for the hypervisor's serial console, for tests/tools/test_bvctl.sh.

usage: fake_hv.py --port-file FILE --dir DIR [--ready-file FILE] [--linger SECONDS]

Connects to tools/bvrelay's TCP port like an emulator's COM1 and speaks the monitor's protocol
with canned but realistic content: GRUB noise with ANSI escapes, "mon: ready" (once the
ready file exists), then untagged and "@TAG" commands. Writes to DIR, for the test to check:
  sent.bin      every byte it sent (the relay's log must be identical)
  received.txt  every input line it read, one per line ("EARLY " before "mon: ready")
  typed-VM.bin  the bytes "type" delivered to VM, decoded
  con-VM.bin    the bytes VM wrote while a console was attached (bvctl must print these)
Test hooks beyond the real monitor: "stop VM" prints VM's stopped line, and
"stats --json broken" sends a line that is not JSON.
"""

import argparse
import json
import os
import re
import socket
import time

VMS = {"a": 32 << 20, "web": 64 << 20}
TAG_RE = re.compile(r"^@([A-Za-z0-9_-]{1,16}) +(.*)$")


class Refused(Exception):
    pass


class FakeHv:
    def __init__(self, sock, outdir):
        self.sock = sock
        self.dir = outdir
        self.sent = open(os.path.join(outdir, "sent.bin"), "wb")
        self.received = open(os.path.join(outdir, "received.txt"), "ab")
        self.ready = False
        self.consoles = {vm: 0 for vm in VMS}
        self.shell_line = {vm: b"" for vm in VMS}
        self.t = 1000
        self.buf = b""

    def write(self, data):
        self.sock.sendall(data)
        self.sent.write(data)
        self.sent.flush()

    def line(self, text):
        self.write(text.encode() + b"\r\n")

    def append(self, name, data):
        with open(os.path.join(self.dir, name), "ab") as f:
            f.write(data)

    # ---- input ----

    def read_lines(self, timeout):
        """Lines (str) read within timeout; empty on timeout; None when the relay is gone."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return []
        if not data:
            return None
        self.buf += data
        parts = re.split(rb"[\r\n]", self.buf)
        self.buf = parts.pop()
        out = []
        for p in parts:
            if not p:
                continue
            self.received.write((b"" if self.ready else b"EARLY ") + p + b"\n")
            self.received.flush()
            out.append(p.decode("latin-1"))
        return out

    # ---- the console of a VM ----

    def vm_output(self, vm, data):
        """What VM wrote in one time slice: con lines while attached, else [VM] lines."""
        if not self.consoles[vm]:
            for ln in data.replace(b"\r", b"").split(b"\n"):
                if ln.strip():
                    self.line("[%s] %s" % (vm, ln.decode("latin-1")))
            return
        self.append("con-%s.bin" % vm, data)
        chunk = b""
        for b in data:
            chunk += bytes([b])
            if b == 0x0A or len(chunk) == 64:
                self.line("con %s: %s" % (vm, con_escape(chunk)))
                chunk = b""
        if chunk:
            self.line("con %s: %s" % (vm, con_escape(chunk)))

    def shell(self, vm, typed):
        """A shell with echo on: echoes what is typed, answers a command after Enter."""
        out = b""
        for b in typed:
            if b == 0x0D:
                cmd = self.shell_line[vm].strip()
                self.shell_line[vm] = b""
                out += b"\r\n"
                if cmd == b"uname":
                    out += b"Linux\r\n"
                elif cmd:
                    out += b"sh: " + cmd + b": not found\r\n"
                out += b"# "
            else:
                self.shell_line[vm] += bytes([b])
                out += bytes([b])
        self.vm_output(vm, out)

    # ---- commands ----

    def command(self, tag, cmd):
        if tag:
            self.line("mon@%s> %s" % (tag, cmd))
        else:
            self.line("mon> %s" % cmd)
        # what a real run prints between a command's lines: the tests must ignore it
        self.t += 250
        self.line("dm t=%d a=32M web=64M free=400M" % self.t)
        self.line("[web] GET / 200")
        say = (lambda s: self.line("mon@%s: %s" % (tag, s))) if tag else \
            (lambda s: self.line("mon: %s" % s))
        try:
            self.run(cmd, say)
        except Refused as e:
            say("error: %s" % e)
            return
        if tag:
            say("ok")
        if cmd == "quit":
            for vm in VMS:
                self.line("vm %s: stopped: quit" % vm)
            self.line("balloonvisor: finished: success (quit)")
            self.line("balloonvisor: halted; it is safe to power off")
            raise EOFError

    def vm(self, name):
        if name not in VMS:
            raise Refused("no VM named %s" % name)
        return name

    def run(self, cmd, say):
        words = cmd.split()
        if not words:
            return
        op, args = words[0], words[1:]
        js = "--json" in args
        args = [a for a in args if a != "--json"]
        if op == "help":
            say("commands: vms, stats, mem, set, type, console, help, quit")
        elif op == "vms" and not args:
            if js:
                for vm, mem in VMS.items():
                    say(json.dumps({"type": "vm", "name": vm, "state": "running", "mem": mem,
                                    "target": None, "balloon": {"held": 0, "on": vm == "web"}},
                                   separators=(",", ":")))
                say(json.dumps({"type": "host", "t_ms": self.t, "free": 400 << 20,
                                "total": 512 << 20}, separators=(",", ":")))
            else:
                say("NAME  STATE    MEM     TARGET  BALLOON")
                for vm, mem in VMS.items():
                    say("%-5s running  %2d MiB  auto    0 MiB" % (vm, mem >> 20))
        elif op == "stats" and len(args) <= 1:
            if js and args == ["broken"]:
                say('{"type":"vm","name":')
                return
            vms = [self.vm(args[0])] if args else list(VMS)
            for i, vm in enumerate(vms):
                if js:
                    say(json.dumps({"type": "vm", "name": vm, "exits": 1000 + i, "cpuid": 12,
                                    "io": {"in": 5, "out": 600}}, separators=(",", ":")))
                else:
                    say("%s: exits=%d cpuid=12 io=605" % (vm, 1000 + i))
            if js:
                say(json.dumps({"type": "host", "t_ms": self.t, "free": 400 << 20},
                               separators=(",", ":")))
        elif op == "mem" and len(args) == 2:
            vm = self.vm(args[0])
            if not re.fullmatch(r"auto|[0-9]+[KMG]?", args[1]):
                raise Refused("mem: bad size %s" % args[1])
            say("mem %s: target %s (was auto)" % (vm, args[1]))
        elif op == "set" and len(args) >= 2:
            vm = self.vm(args[0])
            say("set %s: %s" % (vm, " ".join(args[1:])))
        elif op == "type" and args:
            m = re.match(r"^type +(-n +)?(\S+) *(.*)$", cmd)
            vm = self.vm(m.group(2))
            data = type_unescape(m.group(3).strip(" \t"))
            if not m.group(1):
                data += b"\r"
            if len(data) > 256:
                raise Refused("type: more than 256 bytes")
            self.append("typed-%s.bin" % vm, data)
            self.shell(vm, data)
        elif op == "console" and len(args) == 2 and args[1] in ("on", "off"):
            vm = self.vm(args[0])
            if args[1] == "on":
                self.consoles[vm] += 1
            elif self.consoles[vm] == 0:
                raise Refused("console %s: not attached" % vm)
            else:
                self.consoles[vm] -= 1
            say("console %s: %d attached" % (vm, self.consoles[vm]))
        elif op == "stop" and len(args) == 1:
            self.line("vm %s: stopped: stopped by the test" % self.vm(args[0]))
        elif op == "quit" and not args:
            say("stopping every VM")
        else:
            raise Refused("unknown command %s (help lists them)" % cmd)


def con_escape(chunk):
    out = []
    for i, b in enumerate(chunk):
        if b == 0x20 and i == len(chunk) - 1:
            out.append("\\x20")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b <= 0x7E:
            out.append(chr(b))
        else:
            out.append({0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}.get(b, "\\x%02x" % b))
    return "".join(out)


def type_unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(ord(c))
            i += 1
            continue
        e = text[i + 1:i + 2]
        if e in ("n", "r", "t", "\\"):
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\"}[e]
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise Refused("type: bad escape \\%s" % e)
    return bytes(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--ready-file")
    p.add_argument("--linger", type=float, default=0)
    a = p.parse_args()
    while not os.path.exists(a.port_file):
        time.sleep(0.05)
    port = int(open(a.port_file).read())
    sock = socket.create_connection(("127.0.0.1", port))
    hv = FakeHv(sock, a.dir)
    # GRUB: escapes and a partial line, as the real serial log starts
    hv.write(b"\x1b[2J\x1b[01;01H\x1b[0m\x1b[37m\x1b[40mGNU GRUB  version 2.06\r\n")
    hv.write(b"\x1b[m\x1b[?25h  Booting `balloonvisor'\r\n\r\n")
    hv.line("balloonvisor 0.9: booting")
    hv.line("vm a: started")
    # Until the test says go: anything read now would be a relay bug (GRUB would eat it).
    while a.ready_file and not os.path.exists(a.ready_file):
        if hv.read_lines(0.05) is None:
            return
    hv.ready = True
    hv.write(b"mon: ready: type a command and Enter (help lists them)\r\n")
    try:
        while True:
            lines = hv.read_lines(1.0)
            if lines is None:
                return
            for ln in lines:
                m = TAG_RE.match(ln)
                if m:
                    hv.command(m.group(1), m.group(2))
                elif ln.startswith("@"):
                    hv.line("mon: error: bad tag in %s" % ln)
                else:
                    hv.command(None, ln.strip())
    except EOFError:
        pass
    # the real run halts after its last lines until the script stops the emulator
    time.sleep(a.linger)
    sock.close()


if __name__ == "__main__":
    main()
