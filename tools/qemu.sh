#!/usr/bin/env bash
# Boot an ISO in QEMU and stream its COM1 output to stdout while it runs.
# usage: tools/qemu.sh ISO SERIAL_LOG [TIMEOUT_SECONDS=120]
#   env QEMU_CPU (default max), QEMU_MEGS (default 512)
#   env QEMU_ACCEL=kvm: `-accel kvm -cpu host`, for a host with /dev/kvm and nested VT-x
#   (kvm_intel nested=1) or nested SVM (kvm_amd nested=1); TCG, the default, never exposes
#   VT-x, only SVM.
#   env QEMU_MONITOR=PATH: QEMU's human monitor on the Unix socket PATH (for example to
#   send `nmi`, as boot test 48 does)
#   QEMU_MEGS: up to what the host can reserve (QEMU says "cannot set up guest memory" beyond).
#   env BV_SOCKET (default SERIAL_LOG with .sock for .log): where tools/bvctl reaches the
#   monitor; BV_INPUT=stdin|none: whether lines typed here go to it (default stdin on a terminal)
# COM1 goes through tools/bvrelay, which writes SERIAL_LOG.
# Exit status: QEMU's. The hypervisor ends QEMU by writing v to port 0xf4 (isa-debug-exit),
# giving (v<<1)|1: 33 success, 35 failure, 37 unsupported CPU, 39 refused input (also for a
# file GRUB could not load); a triple fault exits 0 (because of -no-reboot), so callers must
# accept only their chosen success status. Without exit=emulator the same statuses come from
# the hypervisor's verdict line when it halts. 124 = timed out, 2 = bad usage or QEMU missing,
# 1 = QEMU refused to start (its message follows).
set -euo pipefail
# shellcheck source=tools/emu-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/emu-lib.sh"

if [[ $# -lt 2 || $# -gt 3 ]]; then
	echo "usage: $0 ISO SERIAL_LOG [TIMEOUT_SECONDS=120]" >&2
	exit 2
fi
iso=$1
serial=$2
limit=${3:-120}
case ${QEMU_ACCEL:-tcg} in
tcg) accel=(-accel tcg -cpu "${QEMU_CPU:-max}") ;;
kvm) accel=(-accel kvm -cpu host) ;;
*)
	echo "qemu: QEMU_ACCEL must be tcg or kvm" >&2
	exit 2
	;;
esac

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "qemu: qemu-system-x86_64 not installed (run tools/deps.sh: package qemu-system-x86)" >&2
	exit 2
fi
if [[ ${QEMU_ACCEL:-tcg} == kvm && ! -w /dev/kvm ]]; then
	echo "qemu: QEMU_ACCEL=kvm needs a writable /dev/kvm (kvm_intel or kvm_amd with nested=1 on the host)" >&2
	exit 2
fi
if [[ ! -f $iso ]]; then
	echo "qemu: $iso not found" >&2
	exit 2
fi

monitor=()
if [[ -n ${QEMU_MONITOR:-} ]]; then monitor=(-monitor "unix:$QEMU_MONITOR,server=on,wait=off"); fi

emu_setup
emu_relay_start qemu "$serial"
# client mode: QEMU connects to the relay at start, and reads from it only while the UART
# has room, so typed lines wait in the socket instead of being dropped.
emu_run qemu "$serial" "$limit" \
	qemu-system-x86_64 -machine pc "${accel[@]}" -m "${QEMU_MEGS:-512}" -display none \
	-chardev "socket,id=com1,host=127.0.0.1,port=$emu_port" -serial chardev:com1 \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	${monitor[@]+"${monitor[@]}"} -cdrom "$iso"
# QEMU's own complaints (bad option, missing /dev/kvm) would otherwise be lost.
if [[ -s $tmp/out ]]; then sed 's/^/qemu: /' "$tmp/out" >&2; fi
if ((halted)); then
	case $(emu_verdict "$serial") in
	success) status=33 ;;
	refused) status=39 ;;
	unsupported) status=37 ;;
	*) status=35 ;;
	esac
fi
if emu_refused_by_grub qemu "$serial" && ((status == 33)); then status=39; fi
exit "$status"
