#!/usr/bin/env bash
# Operating it live (issue 11): a running hypervisor is driven from the host while it runs,
# through the relay the emulator scripts put on its serial console. A line typed at the
# terminal (the relay's stdin, here a FIFO) runs as a monitor command; tools/bvctl lists the
# VMs (a table and --json that this test parses), sets a target with `mem` and the guest's
# balloon reaches it, changes a setting with `set`, reads counters with `stats --json`, is
# refused with exit status 1 for a VM that does not exist, attaches to a Linux guest's
# console, types a command whose output only the guest can compute and reads it back, detaches
# with Ctrl-], and ends the run with `quit`: status 0, every frame accounted for.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

linux_kit || exit 1
boot_iso live "$(grub_cfg exit=emulator \
	'module2 /boot/vmlinuz name=lin startup=256M dynamic=off boot=linux -- quiet' \
	'module2 /boot/initrd.img initrd' \
	'module2 /boot/guest.elf name=tg startup=64M min=32M max=128M -- work=16M:600s')"

name=live
SERIAL_LOG=$BV_TEST_DIR/$name.serial.log
SERIAL_TXT=$BV_TEST_DIR/$name.serial.txt
sock=$BV_TEST_DIR/$name.sock
fifo=$BV_TEST_DIR/$name.stdin
out=$BV_TEST_DIR/$name.bvctl
rm -f "$fifo" "$SERIAL_LOG"
mkfifo "$fifo"
start=$SECONDS
BV_SOCKET=$sock BV_INPUT=stdin BOCHS_MEGS=1024 "$BV_ROOT/tools/bochs.sh" \
	"$BV_TEST_DIR/$name.iso" "$SERIAL_LOG" 500 >"$BV_TEST_DIR/$name.emu.out" 2>&1 <"$fifo" &
emu=$!
# the terminal: held open for the whole run, as a person's would be
exec 7>"$fifo"
trap 'kill $emu 2>/dev/null || true; exec 7>&-; rm -f "$fifo"; [[ $_bt_failed == 0 ]] || exit 1' EXIT

bvctl() { "$BV_ROOT/tools/bvctl" -s "$sock" --timeout 180 "$@"; }
# clean_log: refresh SERIAL_TXT, which the assertions read, from the log so far
clean_log() {
	sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$SERIAL_LOG" >"$SERIAL_TXT" 2>/dev/null || true
}
# wait_log REGEX SECONDS: until a line of the log matches (1 if it never did)
wait_log() {
	local until=$((SECONDS + $2))
	while ((SECONDS < until)); do
		clean_log
		if grep -aqE -e "$1" "$SERIAL_TXT"; then return 0; fi
		sleep 1
	done
	return 1
}
# json_get FILE EXPR: a Python expression over the parsed document d
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
check() {	# check DESC COMMAND...: ok when COMMAND succeeds
	local desc=$1
	shift
	if "$@"; then _bt_result 1 "$desc"; else _bt_result 0 "$desc"; fi
}

# the script starts the relay, then Bochs; bvctl then waits for the monitor's ready line
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done

# --- the VMs, as a table and as JSON --------------------------------------------------------
st=0
bvctl vms >"$out.vms" 2>"$out.err" || st=$?
clean_log
check "bvctl vms waits for the monitor and succeeds" test "$st" = 0
check "bvctl vms lists lin and tg as running, without the reply's tag" \
	grep -qE '^lin +running +off +256M' "$out.vms"
check "... and tg with its dynamic settings" grep -qE '^tg +running +on +64M +32M +128M' "$out.vms"
assert_log '^mon: ready' "the monitor says when it takes commands"
assert_log '^mon@[A-Za-z0-9_-]+> vms$' "the tagged request is logged"
assert_log '^mon@[A-Za-z0-9_-]+: ok$' "and its reply ends with ok"

# a line typed at the terminal (the relay's stdin) is an ordinary monitor command
echo "stats tg" >&7
check "a line typed at the terminal runs as a monitor command" wait_log '^mon> stats tg$' 60
check "... with its answer on the console" wait_log '^mon: tg: exits [0-9]+, balloon' 30

st=0
bvctl vms --json >"$out.vms.json" 2>"$out.err" || st=$?
check "bvctl vms --json succeeds" test "$st" = 0
check "vms --json: one JSON document with both VMs in order" \
	test "$(json_get "$out.vms.json" "','.join(v['name'] for v in d['vms'])")" = lin,tg
check "vms --json: tg starts with 64 MiB, dynamic, weight 100" \
	test "$(json_get "$out.vms.json" "[(v['startup'], v['dynamic'], v['weight']) for v in d['vms'] if v['name'] == 'tg'][0]")" = "(67108864, True, 100)"
check "vms --json: the host's memory in bytes" \
	test "$(json_get "$out.vms.json" "d['host']['total'] > 1000 << 20 and d['host']['free'] > 0")" = True

# --- mem and set, then the balloon at work --------------------------------------------------
st=0
bvctl mem tg 48M >"$out.mem" 2>"$out.err" || st=$?
check "bvctl mem tg 48M succeeds" test "$st" = 0
check "... and says the target" grep -qx 'mem: tg: target 48M' "$out.mem"
reached=0
for _ in $(seq 60); do
	bvctl vms --json >"$out.poll.json" 2>/dev/null || break
	if [[ $(json_get "$out.poll.json" "[(v['assigned'], v['manual']) for v in d['vms'] if v['name'] == 'tg'][0]") == "(50331648, True)" ]]; then
		reached=1
		break
	fi
	sleep 1
done
check "a script polling vms --json sees tg reach 48 MiB, its target set by hand" test "$reached" = 1
st=0
bvctl set tg weight=300 buffer=30 >"$out.set" 2>"$out.err" || st=$?
check "bvctl set tg weight=300 buffer=30 succeeds" test "$st" = 0
bvctl vms --json >"$out.vms2.json" 2>/dev/null || true
check "... and vms --json shows it" \
	test "$(json_get "$out.vms2.json" "[(v['weight'], v['buffer']) for v in d['vms'] if v['name'] == 'tg'][0]")" = "(300, 30)"

st=0
bvctl stats --json tg >"$out.stats.json" 2>"$out.err" || st=$?
check "bvctl stats --json tg succeeds" test "$st" = 0
check "stats --json tg: only tg, with its exits and the balloon's inflate requests" \
	test "$(json_get "$out.stats.json" "[v['name'] for v in d['vms']] == ['tg'] and d['vms'][0]['exits'] > 0 and d['vms'][0]['balloon']['inflate_requests'] >= 1")" = True

st=0
bvctl mem nosuch 16M >"$out.bad" 2>"$out.err" || st=$?
check "a refused command: bvctl exits 1" test "$st" = 1
check "... and says why" grep -q 'no VM named "nosuch"' "$out.err"
st=0
bvctl cmd frobnicate now >"$out.bad" 2>"$out.err" || st=$?
check "a line the monitor cannot parse: exit 1 and its message" \
	grep -q 'unknown command "frobnicate" (try help)' "$out.err"
check "... (status 1)" test "$st" = 1
clean_log
assert_log '^mon@[A-Za-z0-9_-]+: error: unknown command "frobnicate"' "the refusal ends that request's reply"

# --- a guest's console ----------------------------------------------------------------------
check "Linux reaches its shell" wait_log '^\[lin\] bv-linux: shell' 240
sleep 2
st=0
{
	sleep 2
	printf 'echo live-$((6*7))\r'
	sleep 12
	printf '\035'
} | bvctl console lin >"$out.con" 2>"$out.con.err" || st=$?
clean_log
check "bvctl console lin attaches and detaches with Ctrl-] (status 0)" test "$st" = 0
check "the typed command reached the guest's shell: its own answer comes back" \
	grep -aq 'live-42' "$out.con"
check "bvctl says it detached" grep -q "detached from lin's console" "$out.con.err"
assert_log '^con lin: .*live-42' "while attached, the guest's bytes are logged as con chunks"
assert_order '^mon@[A-Za-z0-9_-]+: console: lin: attached \(1 attached\)' \
	'^mon@[A-Za-z0-9_-]+: console: lin: detached \(0 attached\)' "attach, then detach"
st=0
bvctl type lin 'echo back-$((1+1))' >/dev/null 2>"$out.err" || st=$?
check "bvctl type succeeds" test "$st" = 0
check "detached, the guest's output is back to [lin] lines" wait_log '^\[lin\] back-2$' 60

# --- quit -------------------------------------------------------------------------------------
st=0
bvctl quit >"$out.quit" 2>"$out.err" || st=$?
check "bvctl quit succeeds" test "$st" = 0
STATUS=0
wait "$emu" || STATUS=$?
clean_log
echo "# $name: bochs exit status $STATUS after $((SECONDS - start)) s"
assert_status 0 "the run ends with status 0"
assert_log '^vm tg: stopped: stopped by quit \(from the monitor\)' "quit stops the VMs"
assert_log '^balloonvisor: finished: success \(quit\)$' "the verdict is success (quit)"
assert_log '^frames: conservation check ok' "every frame is accounted for"
st=0
bvctl vms >/dev/null 2>"$out.err" || st=$?
check "after the run, bvctl vms exits 3 (no running hypervisor)" test "$st" = 3
