# shellcheck shell=bash
# Shared by tools/bochs.sh and tools/qemu.sh; sourced, not run. Provides:
#   emu_setup: make the scratch directory $tmp and clean up on exit (and on
#     Ctrl-C, which exits 130): kill the emulator's process group, stop the
#     log streaming, remove $tmp
#   emu_run NAME SERIAL_LOG TIMEOUT COMMAND...: empty SERIAL_LOG, run COMMAND
#     (stdin /dev/null, stdout and stderr to $tmp/out) under `timeout -s KILL`
#     while streaming SERIAL_LOG to stdout, and set status to its exit status;
#     on timeout say "NAME: timed out after TIMEOUT s" and exit 124. When the
#     hypervisor halts without exit=emulator (its "balloonvisor: halted" line),
#     the emulator is stopped there and halted=1 (status is then meaningless:
#     the caller takes the outcome from the verdict line)
#   emu_verdict SERIAL_LOG: the run's verdict from its "balloonvisor: finished:"
#     line: success, failure, refused, unsupported, or none (no such line)
#   emu_grub_errors SERIAL_LOG: GRUB's "error:" lines before the hypervisor
#     started (a module2 file it could not load, ...): input the hypervisor
#     never saw, so the scripts count it as refused input

emu_pid=
emu_tailpid=
emu_watchpid=
# what the hypervisor prints last when no emulator exit ends the run (drivers/machine.c)
EMU_HALTED_LINE='balloonvisor: halted; it is safe to power off'

# shellcheck disable=SC2317 # called from the EXIT trap
emu_cleanup() {
	# timeout(1) runs in its own process group, so Ctrl-C would not reach the emulator: kill the group.
	if [[ -n $emu_pid ]]; then
		kill -KILL -- "-$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	if [[ -n $emu_tailpid ]]; then kill "$emu_tailpid" 2>/dev/null || true; fi
	if [[ -n $emu_watchpid ]]; then kill "$emu_watchpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}

emu_setup() {
	tmp=$(mktemp -d)
	trap emu_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

emu_run() {
	local name=$1 serial=$2 limit=$3

	shift 3
	mkdir -p "$(dirname "$serial")"
	: >"$serial"
	timeout -s KILL "$limit" "$@" </dev/null >"$tmp/out" 2>&1 &
	emu_pid=$!
	tail -n +1 -s 0.2 -f --pid="$emu_pid" "$serial" &
	emu_tailpid=$!
	# A run without exit=emulator halts the CPU after its final lines: end it there,
	# not at the timeout (the process group is timeout's, the emulator in it).
	rm -f "$tmp/halted"
	(
		while sleep 0.5; do
			if grep -aqF "$EMU_HALTED_LINE" "$serial"; then
				: >"$tmp/halted"
				kill -KILL -- "-$emu_pid" 2>/dev/null
				exit 0
			fi
		done
	) &
	emu_watchpid=$!
	status=0
	# 2>/dev/null: bash's own "Killed" job report; the message below says it better.
	wait "$emu_pid" 2>/dev/null || status=$?
	emu_pid=
	kill "$emu_watchpid" 2>/dev/null || true
	wait "$emu_watchpid" 2>/dev/null || true
	emu_watchpid=
	wait "$emu_tailpid" || true
	emu_tailpid=

	# shellcheck disable=SC2034 # halted is read by the scripts that source this
	halted=0
	# shellcheck disable=SC2034
	if [[ -e $tmp/halted ]]; then
		halted=1
		echo "$name: the hypervisor halted (no exit=emulator); stopped $name there" >&2
		return 0
	fi
	case $status in
	124 | 137)
		echo "$name: timed out after $limit s" >&2
		exit 124
		;;
	esac
}

emu_verdict() {
	local line
	line=$(tr -d '\r' <"$1" | grep -a '^balloonvisor: finished: ' | tail -n 1) || true
	case $line in
	'balloonvisor: finished: success'*) echo success ;;
	'balloonvisor: finished: refused input'*) echo refused ;;
	'balloonvisor: finished: unsupported CPU'*) echo unsupported ;;
	'balloonvisor: finished: failure'*) echo failure ;;
	*) echo none ;;
	esac
}

emu_grub_errors() {
	# GRUB colours its output: strip CRs and ANSI escapes; stop at the hypervisor's banner
	sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$1" |
		awk '/^balloonvisor [^ ]*: booting/ { exit } /^error: / { print }'
}

# emu_refused_by_grub NAME SERIAL_LOG: say what GRUB refused (after the hypervisor's own
# final lines); true if it refused anything.
emu_refused_by_grub() {
	local errs
	errs=$(emu_grub_errors "$2")
	[[ -n $errs ]] || return 1
	printf '%s\n' "$errs" | sed "s/^/$1: refused by GRUB before the hypervisor started: /" >&2
	return 0
}
