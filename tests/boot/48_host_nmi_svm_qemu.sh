#!/usr/bin/env bash
# NMIs that reach the host while guests run, sent with QEMU's monitor command `nmi`: on SVM an
# NMI during a guest exits as NMI and stays pending until STGI, when the host takes it through
# its IDT; the host counts it and goes on (arch/x86/cpu/irq_entry.S), where it used to stop with
# a host exception report. Both guests still pass and every frame comes back.
set -euo pipefail
: "${BV_BACKEND:=svm}"
source "$(dirname "$0")/lib.sh"

boot_iso host_nmi "$(grub_cfg exit=emulator \
	'module2 /boot/guest.elf name=alpha mem=256M' \
	'module2 /boot/guest.elf name=beta mem=64M')"
monitor=$BV_TEST_DIR/host_nmi.monitor
rm -f "$monitor" "$BV_TEST_DIR/host_nmi.serial.log"	# the sender must not read an old run
# send_nmis: once alpha is about to start its memory test (of 255 MiB, about two seconds in
# QEMU), three NMIs 50 ms apart
send_nmis() {
	python3 - "$BV_TEST_DIR/host_nmi.serial.log" "$monitor" <<'PY'
import socket, sys, time
log, path = sys.argv[1], sys.argv[2]
deadline = time.time() + 60
while time.time() < deadline:
    try:
        if b"[alpha] hypercall: bad arguments refused" in open(log, "rb").read():
            break
    except OSError:
        pass
    time.sleep(0.05)
s = socket.socket(socket.AF_UNIX)
s.connect(path)
for _ in range(3):
    s.sendall(b"nmi\n")
    time.sleep(0.05)
s.close()
PY
}
send_nmis >"$BV_TEST_DIR/host_nmi.sender.out" 2>&1 &
sender=$!
QEMU_MONITOR=$monitor run_guests host_nmi 120
wait "$sender" && sent=ok || sent=failed

assert_num "the monitor took the three nmi commands" "$([[ $sent == ok ]] && echo 1)" == 1
assert_outcome success "$BV_EMU_NAME ends with success"
assert_log '^summary: host: 3 NMIs taken and dismissed$' "the host takes each NMI and goes on"
nmi_exits=$(_bt_grep '^summary: vm [a-z]+: exit NMI ' | awk '{s += $NF} END {print s + 0}')
assert_num "NMIs that came while a guest ran exited it" "$nmi_exits" ">=" 1
assert_no_log 'HOST EXCEPTION' "no NMI is taken for a host exception"
assert_log '^\[alpha\] PASS: alpha' "alpha passes"
assert_log '^\[beta\] PASS: beta' "beta passes"
assert_log '^frames: conservation check ok' "every host frame is accounted for"
