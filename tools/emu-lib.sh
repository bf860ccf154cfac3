# shellcheck shell=bash
# Shared by tools/bochs.sh and tools/qemu.sh; sourced, not run. Provides:
#   emu_setup: make the scratch directory $tmp and clean up on exit (and on
#     Ctrl-C, which exits 130): kill the emulator's process group, stop the
#     log streaming, remove $tmp
#   emu_relay_start NAME SERIAL_LOG: start tools/bvrelay, which empties and writes
#     SERIAL_LOG from the emulator's COM1 and serves tools/bvctl on $emu_socket (env
#     BV_SOCKET, else SERIAL_LOG with .log replaced by .sock); sets emu_port, the TCP port
#     on 127.0.0.1 that COM1 must connect to. Env BV_INPUT=stdin|none: whether the lines
#     typed at this script's stdin go to the hypervisor's monitor (default: stdin when it
#     is a terminal). Exits 2 when the relay cannot start.
#   emu_run NAME SERIAL_LOG TIMEOUT COMMAND...: run COMMAND (stdin /dev/null,
#     stdout and stderr to $tmp/out) under `timeout -s KILL` while streaming
#     SERIAL_LOG to stdout, and set status to its exit status (after the relay has
#     written the emulator's last bytes);
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
emu_relaypid=
emu_socket=
emu_port=
EMU_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
	emu_relay_stop now
	rm -rf "$tmp"
}

emu_setup() {
	tmp=$(mktemp -d)
	trap emu_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

emu_relay_start() {
	local name=$1 serial=$2 input=${BV_INPUT:-} end shown use
	local args=(--log "$serial" --port-file "$tmp/port")

	emu_socket=${BV_SOCKET:-${serial%.log}.sock}
	args+=(--socket "$emu_socket")
	if [[ -z $input ]]; then
		if [[ -t 0 ]]; then input=stdin; else input=none; fi
	fi
	case $input in
	stdin) args+=(--stdin) ;;
	none) ;;
	*)
		echo "$name: BV_INPUT must be stdin or none" >&2
		exit 2
		;;
	esac
	if ! command -v python3 >/dev/null; then
		echo "$name: python3 not found: the serial relay tools/bvrelay needs it (run tools/deps.sh)" >&2
		exit 2
	fi
	mkdir -p "$(dirname "$serial")"
	# <&0: bash would give a background job /dev/null instead of the terminal.
	if [[ $input == stdin ]]; then
		"$EMU_TOOLS/bvrelay" "${args[@]}" <&0 &
	else
		"$EMU_TOOLS/bvrelay" "${args[@]}" </dev/null &
	fi
	emu_relaypid=$!
	# The emulator connects once, at start: the relay must be listening before it runs.
	end=$((SECONDS + 10))
	until [[ -s $tmp/port ]]; do
		if ! kill -0 "$emu_relaypid" 2>/dev/null || ((SECONDS >= end)); then
			emu_relay_stop failed
			echo "$name: the serial relay tools/bvrelay did not start (its message is above)" >&2
			exit 2
		fi
		sleep 0.05
	done
	# shellcheck disable=SC2034 # emu_port is read by the scripts that source this
	emu_port=$(<"$tmp/port")
	shown=${emu_socket#"$PWD"/}
	use="tools/bvctl -s $shown"
	if [[ $(realpath -m "$emu_socket") == $(realpath -m "$EMU_TOOLS/../build/bv.sock") ]]; then
		use="tools/bvctl (socket $shown)"
	fi
	if [[ $input == stdin ]]; then
		echo "$name: type monitor commands here (help lists them), or use $use" >&2
	else
		echo "$name: operate this run with $use" >&2
	fi
}

# emu_relay_stop wait|now|failed: stop the relay. wait: give it (at most 5 s) to write the
# emulator's last bytes and exit, as it does once the emulator's connection closes. failed:
# it never started, so the socket is not ours to remove (another run's relay may own it).
emu_relay_stop() {
	local end=$((SECONDS + 5))
	[[ -n $emu_relaypid ]] || return 0
	if [[ $1 == wait ]]; then
		while kill -0 "$emu_relaypid" 2>/dev/null && ((SECONDS < end)); do sleep 0.05; done
	fi
	kill "$emu_relaypid" 2>/dev/null || true
	wait "$emu_relaypid" 2>/dev/null || true
	emu_relaypid=
	if [[ $1 != failed ]]; then rm -f "$emu_socket"; fi
}

emu_run() {
	local name=$1 serial=$2 limit=$3

	shift 3
	timeout -s KILL "$limit" "$@" </dev/null >"$tmp/out" 2>&1 &
	emu_pid=$!
	# The relay writes the log: follow it until the relay is done, not just the emulator.
	tail -n +1 -s 0.2 -f --pid="$emu_relaypid" "$serial" &
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
	emu_relay_stop wait
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
