#!/usr/bin/env bash
# tools/bvrelay and tools/bvctl against a fake hypervisor (tests/tools/fake_hv.py), which
# connects to the relay as an emulator's COM1 would and answers the monitor's protocol.
# usage: tests/tools/test_bvctl.sh     prints ok/not ok lines; exit 1 on a failure
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/tools/lib.sh"
tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	exec 3>&- 4>&- 5>&-
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
# Debian's python3 first: a version manager's shim (pyenv) on PATH costs 0.4 s per start.
if [[ -x /usr/bin/python3 ]]; then export PATH=/usr/bin:$PATH; fi
bvctl=$root/tools/bvctl
fake=$root/tests/tools/fake_hv.py

# The socket deep enough that its path is longer than sun_path's 107 bytes.
sdir=$tmp/sockets/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..40})
export BV_SOCKET=$sdir/bv.sock
mkfifo "$tmp/stdin" "$tmp/hold" "$tmp/hold2"

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; false at the deadline.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}
# got LINE: the fake has read exactly LINE (after "mon: ready").
# shellcheck disable=SC2317 # called through wait_for
got() { grep -qxF -e "$1" "$tmp/received.txt" 2>/dev/null; }
# expect_status DESC WANT COMMAND...: COMMAND's exit status is WANT (its stderr in $tmp/err).
expect_status() {
	local what=$1 want=$2 st=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	if [[ $st == "$want" ]]; then ok "$what"; else
		not_ok "$what (exit status $st, want $want: $(head -c 300 "$tmp/err"))"
	fi
}

"$root/tools/bvrelay" --log "$tmp/serial.log" --socket "$BV_SOCKET" --port-file "$tmp/port" \
	--stdin <"$tmp/stdin" 2>"$tmp/relay.err" &
relay=$!
pids+=("$relay")
exec 3>"$tmp/stdin" # the terminal a person would type into
check "the relay writes its port file" wait_for 5 test -s "$tmp/port"
check "a long socket path works" test -S "$BV_SOCKET"
expect_status "a second relay on the same socket refuses, status 2" 2 \
	"$root/tools/bvrelay" --log "$tmp/serial2.log" --socket "$BV_SOCKET" --port-file "$tmp/port2"
check "... and says why" grep -q 'another relay is running' "$tmp/err"

python3 "$fake" --port-file "$tmp/port" --dir "$tmp" --ready-file "$tmp/go" --linger 1.5 \
	2>"$tmp/fake.err" &
pids+=($!)

# Before "mon: ready": a raw client's line and a typed line wait in the relay.
python3 - "$BV_SOCKET" >"$tmp/early.out" 2>&1 <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
os.chdir(os.path.dirname(sys.argv[1]))
s.connect(os.path.basename(sys.argv[1]))
s.settimeout(10)
s.sendall(b"@early1 mem a 16M\n")
buf = b""
while b"mon@early1: ok\n" not in buf:
    data = s.recv(4096)
    if not data:
        break
    buf += data
sys.stdout.buffer.write(buf)
EOF
early=$!
echo 'stats a' >&3
wait_for 5 grep -q 'balloonvisor 0.9: booting' "$tmp/serial.log"
expect_status "bvctl before ready times out, status 3" 3 "$bvctl" --timeout 0.5 vms
check "... saying it waited for mon: ready" grep -q 'timed out after 0.5 s waiting for.*mon: ready' "$tmp/err"
sleep 0.3
check "nothing reaches the hypervisor before mon: ready" test ! -s "$tmp/received.txt"
: >"$tmp/go"
wait "$early"
check "a line sent before ready is answered after it" grep -qx 'mon@early1: ok' "$tmp/early.out"
check "... the client was greeted with relay: booting, then relay: ready" \
	diff <(grep '^relay: ' "$tmp/early.out") <(printf 'relay: booting\nrelay: ready\n')
check "... and got the hypervisor's lines without CRs" \
	grep -qx 'mon@early1: mem a: target 16M (was auto)' "$tmp/early.out"
check "a typed (--stdin) line queued before ready reaches the fake untagged" wait_for 5 got 'stats a'

"$bvctl" vms >"$tmp/vms.out" 2>&1
check "bvctl vms prints the table" diff "$tmp/vms.out" - <<'EOF'
NAME  STATE    MEM     TARGET  BALLOON
a     running  32 MiB  auto    0 MiB
web   running  64 MiB  auto    0 MiB
EOF
"$bvctl" vms --json >"$tmp/vms.json"
check "bvctl vms --json is one JSON document: vms without type, and host" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [v["name"] for v in d["vms"]] == ["a", "web"] and "type" not in d["vms"][0]
assert d["vms"][1]["balloon"]["on"] is True and d["vms"][0]["target"] is None
assert d["host"]["free"] == 400 << 20 and "type" not in d["host"]' "$tmp/vms.json"
"$bvctl" stats --json web >"$tmp/stats.json"
check "bvctl stats --json web" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [v["name"] for v in d["vms"]] == ["web"] and d["vms"][0]["io"]["out"] == 600
assert d["host"]["t_ms"] > 0' "$tmp/stats.json"
expect_status "bvctl stats --json with bad JSON from the hypervisor: status 1" 1 \
	"$bvctl" stats --json broken
check "... says so" grep -q '^bvctl: the hypervisor sent invalid JSON' "$tmp/err"
expect_status "bvctl mem web 48M" 0 "$bvctl" mem web 48M
check "... prints the reply" grep -qx 'mem web: target 48M (was auto)' "$tmp/out"
expect_status "bvctl set web balloon=on" 0 "$bvctl" set web balloon=on
expect_status "a refusal exits 1" 1 "$bvctl" mem nosuch 48M
check "... with the hypervisor's message" grep -qx 'bvctl: no VM named nosuch' "$tmp/err"
expect_status "bvctl cmd help" 0 "$bvctl" cmd help
check "... prints the monitor's help" grep -q '^commands: ' "$tmp/out"
# shellcheck disable=SC1003 # a backslash at the end, not an escaped quote
expect_status "bvctl type web ' hello' world" 0 "$bvctl" type web ' hello' 'world\'
check "... reaches the VM exactly, with Enter" cmp -s "$tmp/typed-web.bin" <(printf ' hello world\\\r')

# Two clients at once: each takes its own reply from the broadcast.
"$bvctl" stats a >"$tmp/two.a" 2>&1 &
two=$!
"$bvctl" stats web >"$tmp/two.web" 2>&1
wait "$two"
check "two clients at once each get their own reply" \
	diff <(cat "$tmp/two.a" "$tmp/two.web") <(printf 'a: exits=1000 cpuid=12 io=605\nweb: exits=1000 cpuid=12 io=605\n')

# The console through a pipe: a leading space, Ctrl-C, a backslash, Enter; Ctrl-] detaches,
# and what follows it is not sent.
{
	printf ' ls\003x\\y\r'
	sleep 0.3
	printf 'uname\r\035 not this'
} | "$bvctl" console a >"$tmp/con.out" 2>"$tmp/con.err"
st=$?
check "bvctl console a (a pipe) ends 0 on Ctrl-]" test "$st" = 0
check "... typed bytes reach the VM exactly, up to Ctrl-]" \
	cmp "$tmp/typed-a.bin" <(printf ' ls\003x\\y\runame\r')
check "... the VM's output comes out byte for byte" cmp "$tmp/con.out" "$tmp/con-a.bin"
check "... which was the shell's echo and answers" grep -q 'Linux' "$tmp/con.out"
check "... it detached with console a off" grep -qE '^@[0-9a-f]+-[0-9]+ console a off$' "$tmp/received.txt"
check "... and said so" diff "$tmp/con.err" - <<'EOF'
bvctl: attached to a's console; Ctrl-] detaches
bvctl: detached from a's console
EOF

# A client killed while attached: the relay detaches for it.
"$bvctl" console a <"$tmp/hold" >/dev/null 2>&1 &
victim=$!
pids+=("$victim")
exec 4>"$tmp/hold"
# shellcheck disable=SC2317
attached_twice() { test "$(grep -cE '^@[0-9a-f]+-1 console a on$' "$tmp/received.txt")" = 2; }
wait_for 10 attached_twice
{ kill -KILL "$victim" && wait "$victim"; } 2>/dev/null # no "Killed" job report
check "a client killed while attached: the relay sends console a off for it" \
	wait_for 5 got 'console a off'
exec 4>&-

# A VM that stops ends its console.
{
	st=0
	"$bvctl" console web <"$tmp/hold2" >/dev/null 2>"$tmp/stop.err" || st=$?
	echo "$st" >"$tmp/stop.st"
} &
exec 5>"$tmp/hold2"
wait_for 10 grep -qE '^@[0-9a-f]+-1 console web on$' "$tmp/received.txt"
"$bvctl" cmd stop web >/dev/null 2>&1
wait_for 5 test -s "$tmp/stop.st"
st=$(cat "$tmp/stop.st" 2>/dev/null)
check "a console ends 0 when its VM stops" test "$st" = 0
check "... saying why" grep -qx 'bvctl: web stopped: stopped by the test' "$tmp/stop.err"
exec 5>&-

# On a terminal: raw mode while attached (Ctrl-C is a byte for the guest), restored after.
python3 - "$bvctl" >"$tmp/pty.out" 2>&1 <<'EOF'
import os, subprocess, sys, termios, time
m, s = os.openpty()
before = termios.tcgetattr(s)
p = subprocess.Popen([sys.argv[1], "console", "web"], stdin=s, stdout=s, stderr=s)
deadline = time.monotonic() + 10
while termios.tcgetattr(s) == before and time.monotonic() < deadline:
    time.sleep(0.05)
raw = not termios.tcgetattr(s)[3] & termios.ISIG
os.write(m, b"\x03\x1d")
p.wait(timeout=10)
print("raw", raw, "status", p.returncode, "restored", termios.tcgetattr(s) == before)
EOF
check "bvctl console on a terminal: raw mode, detach, the terminal restored" \
	grep -qx 'raw True status 0 restored True' "$tmp/pty.out"
check "... Ctrl-C went to the guest as a byte" cmp -s "$tmp/typed-web.bin" <(printf ' hello world\\\r\003')

echo 'vms' >&3
check "a line typed at the relay's terminal (--stdin) reaches the fake untagged" wait_for 5 got 'vms'
check "... and its reply is in the log" wait_for 5 grep -q $'^mon> vms\r$' "$tmp/serial.log"
long=$(printf 'x%.0s' {1..300})
expect_status "a line over 255 bytes: status 3" 3 "$bvctl" cmd "$long"
check "... the relay says it is too long" grep -q 'line too long' "$tmp/err"

expect_status "no relay at the socket: status 3" 3 "$bvctl" -s "$tmp/none.sock" vms
check "... with the message" grep -qx "bvctl: no hypervisor running at $tmp/none.sock (start one with make run)" "$tmp/err"
expect_status "an unknown command: status 2" 2 "$bvctl" frobnicate
expect_status "mem without its arguments: status 2" 2 "$bvctl" mem web
expect_status "a bad --timeout: status 2" 2 "$bvctl" --timeout soon vms

expect_status "bvctl quit" 0 "$bvctl" quit
expect_status "after the run finished (emulator still there): status 3" 3 "$bvctl" vms
check "... saying the run has ended" grep -q 'the run has ended (relay: finished)' "$tmp/err"
st=0
wait "$relay" || st=$?
check "the relay exits 0 when the emulator closes" test "$st" = 0
check "... and removes its socket" test ! -e "$BV_SOCKET"
expect_status "after the relay is gone: status 3" 3 "$bvctl" vms
check "the serial log is byte for byte what the hypervisor sent" cmp "$tmp/serial.log" "$tmp/sent.bin"
check "the relay said nothing on stderr" test ! -s "$tmp/relay.err"
exit $failed
