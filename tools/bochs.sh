#!/usr/bin/env bash
# Boot an ISO in Bochs, headless, and stream its COM1 output to stdout while it runs.
# usage: tools/bochs.sh ISO SERIAL_LOG [TIMEOUT_SECONDS=300]
#   env BOCHS_CPU (default corei7_haswell_4770; e.g. ryzen for SVM), BOCHS_MEGS (default 512)
# Exit status: 0 = the hypervisor hit the magic breakpoint `xchg bx,bx` (success),
# 1 = a Bochs panic (port 0x8900 "Shutdown", triple fault, ...), 124 = timed out,
# 2 = bad usage or Bochs missing. Bochs's own log: SERIAL_LOG.bochs.log.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
	echo "usage: $0 ISO SERIAL_LOG [TIMEOUT_SECONDS=300]" >&2
	exit 2
fi
iso=$(realpath -m "$1")
serial=$(realpath -m "$2")
limit=${3:-300}
cpu=${BOCHS_CPU:-corei7_haswell_4770}
megs=${BOCHS_MEGS:-512}
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin

if ! command -v bochs >/dev/null; then
	echo "bochs: not installed (run tools/deps.sh: packages bochs bochs-sdl bochsbios vgabios)" >&2
	exit 2
fi
for f in "$iso" "$bios" "$vgabios"; do
	if [[ ! -f $f ]]; then
		echo "bochs: $f not found" >&2
		exit 2
	fi
done

tmp=$(mktemp -d)
pid=
tailpid=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	# timeout(1) runs in its own process group, so Ctrl-C would not reach Bochs: kill the group.
	if [[ -n $pid ]]; then
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [[ -n $tailpid ]]; then kill "$tailpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$(dirname "$serial")"
: >"$serial"
# Values are written literally: Bochs would expand $NAME itself and panics on ${NAME}.
cat >"$tmp/bochsrc" <<EOF
megs: $megs
cpu: model=$cpu, count=1, ips=100000000, reset_on_triple_fault=0
clock: sync=none, time0=946684800
romimage: file=$bios
vgaromimage: file=$vgabios
display_library: sdl2
boot: cdrom
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$iso, status=inserted
com1: enabled=1, mode=file, dev=$serial
magic_break: enabled=1
mouse: enabled=0
log: $serial.bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
# Debian's Bochs starts in its debugger: continue, and quit once `xchg bx,bx` breaks into it.
printf 'c\nquit\n' >"$tmp/rc"

# KILL directly on Bochs: it ignores SIGTERM.
SDL_VIDEODRIVER=dummy timeout -s KILL "$limit" \
	bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc" </dev/null >"$tmp/out" 2>&1 &
pid=$!
tail -n +1 -s 0.2 -f --pid="$pid" "$serial" &
tailpid=$!
status=0
# 2>/dev/null: bash's own "Killed" job report; the message below says it better.
wait "$pid" 2>/dev/null || status=$?
pid=
wait "$tailpid" || true
tailpid=

case $status in
0) ;;
124 | 137)
	echo "bochs: timed out after $limit s" >&2
	exit 124
	;;
*)
	echo "bochs: exit status $status" >&2
	grep -aE 'PANIC|FATAL' "$serial.bochs.log" | tail -n 5 >&2 || true
	;;
esac
exit "$status"
