# shellcheck shell=bash
# Shared by tools/bochs.sh and tools/qemu.sh; sourced, not run. Provides:
#   emu_setup: make the scratch directory $tmp and clean up on exit (and on
#     Ctrl-C, which exits 130): kill the emulator's process group, stop the
#     log streaming, remove $tmp
#   emu_run NAME SERIAL_LOG TIMEOUT COMMAND...: empty SERIAL_LOG, run COMMAND
#     (stdin /dev/null, stdout and stderr to $tmp/out) under `timeout -s KILL`
#     while streaming SERIAL_LOG to stdout, and set status to its exit status;
#     on timeout say "NAME: timed out after TIMEOUT s" and exit 124

emu_pid=
emu_tailpid=

# shellcheck disable=SC2317 # called from the EXIT trap
emu_cleanup() {
	# timeout(1) runs in its own process group, so Ctrl-C would not reach the emulator: kill the group.
	if [[ -n $emu_pid ]]; then
		kill -KILL -- "-$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	if [[ -n $emu_tailpid ]]; then kill "$emu_tailpid" 2>/dev/null || true; fi
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
	status=0
	# 2>/dev/null: bash's own "Killed" job report; the message below says it better.
	wait "$emu_pid" 2>/dev/null || status=$?
	emu_pid=
	wait "$emu_tailpid" || true
	emu_tailpid=

	case $status in
	124 | 137)
		echo "$name: timed out after $limit s" >&2
		exit 124
		;;
	esac
}
