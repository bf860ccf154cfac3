#!/usr/bin/env bash
# Boot an ISO in Bochs, headless, and stream its COM1 output to stdout while it runs.
# usage: tools/bochs.sh ISO SERIAL_LOG [TIMEOUT_SECONDS=300]
#   env BOCHS_CPU (default corei7_haswell_4770; e.g. ryzen for SVM), BOCHS_MEGS (default 512;
#   Bochs 2.7 takes 1..1048576, and allocates at most 2048 of them up front)
#   env BV_SOCKET (default SERIAL_LOG with .sock for .log): where tools/bvctl reaches the
#   monitor; BV_INPUT=stdin|none: whether lines typed here go to it (default stdin on a terminal)
# COM1 goes through tools/bvrelay, which writes SERIAL_LOG.
# Exit status, the run's outcome (README "Outcomes and exit statuses"): 0 = success,
# 1 = failure (the hypervisor's "Shutdown" to port 0x8900, any other Bochs panic, or a stop
# without the hypervisor's verdict line), 3 = refused input (the hypervisor's verdict, or a
# file GRUB could not load), 4 = unsupported CPU, 124 = timed out, 2 = bad usage or Bochs
# missing. Bochs's own log: SERIAL_LOG.bochs.log.
set -euo pipefail
# shellcheck source=tools/emu-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/emu-lib.sh"

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

# Bochs 2.7 allocates at most 2048 MiB of host memory for the guest's; a bigger guest keeps the
# rest in its overflow file (slower, and only for what the guest touches).
memory="megs: $megs"
if ((megs > 2048)); then memory="memory: guest=$megs, host=2048"; fi

emu_setup
emu_relay_start bochs "$serial"
# Values are written literally: Bochs would expand $NAME itself and panics on ${NAME}.
cat >"$tmp/bochsrc" <<EOF
$memory
cpu: model=$cpu, count=1, ips=100000000, reset_on_triple_fault=0
clock: sync=none, time0=946684800
romimage: file=$bios
vgaromimage: file=$vgabios
display_library: sdl2
boot: cdrom
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$iso, status=inserted
com1: enabled=1, mode=socket-client, dev=127.0.0.1:$emu_port
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
SDL_VIDEODRIVER=dummy emu_run bochs "$serial" "$limit" \
	bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc"
# Bochs 2.7 sometimes crashes (SIGSEGV, about 1 run in 30 here) while tearing itself
# down after an orderly quit. The quit code it logged is the run's real outcome; a
# crash with no quit logged stays a failure.
if ((!halted && status > 128)); then
	quit=$(grep -aoE 'quit_sim called with exit code [0-9]+' "$serial.bochs.log" | tail -n 1 |
		grep -oE '[0-9]+$') || true
	if [[ -n $quit ]]; then
		echo "bochs: crashed with status $status after quitting with code $quit; using $quit" >&2
		status=$quit
	fi
fi
# Bochs has two exits (magic breakpoint 0, panic 1): the verdict line tells the rest.
verdict=$(emu_verdict "$serial")
if ((halted)) || ((status == 0)); then
	case $verdict in
	success) status=0 ;;
	refused) status=3 ;;
	unsupported) status=4 ;;
	failure) status=1 ;;
	*)
		echo "bochs: stopped at a magic breakpoint without the hypervisor's verdict line" \
			"(a guest's xchg bx,bx?): a failure" >&2
		status=1
		;;
	esac
fi
if emu_refused_by_grub bochs "$serial" && ((status == 0)); then status=3; fi
if [[ $status -ne 0 ]]; then
	echo "bochs: exit status $status" >&2
	# a setting Bochs refuses ends it before its log exists: its message is on its stdout
	sed -n '/Bochs is exiting with the following message/{n;s/^/bochs: /;p}' "$tmp/out" >&2
	grep -aE 'PANIC|FATAL' "$serial.bochs.log" 2>/dev/null | tail -n 5 >&2 || true
fi
exit "$status"
