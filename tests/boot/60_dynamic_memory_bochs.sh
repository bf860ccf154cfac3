#!/usr/bin/env bash
# Dynamic memory, the demo of `make run` (tools/grub-demo.cfg): two dynamic VMs with
# opposite phase workloads and a static one, on a host too small for both peaks.
# Memory must move to the VM under pressure and back, within min/max; the static VM
# never changes; data checks pass; the scenario's `mem` command is obeyed; frames are
# conserved; the telemetry is well formed and tools/plot charts it. On any backend
# (BV_BACKEND, lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso dynamic "$(cat "$BV_ROOT/tools/grub-demo.cfg")"
run_guests dynamic 400

# dm VM FIELD FROM_MS TO_MS min|max: the smallest/largest FIELD (MiB) in that window
dm() {
	awk -v vm="$1" -v f="$2" -v t0="$3" -v t1="$4" -v agg="$5" '
		/^dm t=[0-9]+ vm=/ {
			t = substr($2, 3) + 0
			if ($3 != "vm=" vm || t < t0 || t > t1) next
			for (i = 4; i <= NF; i++) if (index($i, f "=") == 1) {
				v = substr($i, length(f) + 2) + 0
				if (n++ == 0 || (agg == "max" && v > r) || (agg == "min" && v < r)) r = v
			}
		}
		END { print (n ? r : "none") }' "$SERIAL_TXT"
}

# assert_dm DESC VM FIELD FROM TO AGG OP VALUE: e.g. the max of web's assigned >= 200
assert_dm() {
	local v
	v=$(dm "$2" "$3" "$4" "$5" "$6")
	if [[ $v != none ]] && (("$v" $7 $8)); then _bt_result 1 "$1"; else
		_bt_result 0 "$1" "$6 $3 of $2 in [$4, $5] ms is $v, want $7 $8"
	fi
}

assert_outcome success "the run ends in success (the demo's scenario refuses nothing)"
assert_log '^vm web: dynamic memory: min 64M max 320M buffer 60% weight 100; virtio-balloon, virtio-mem region 192M at 0x8000000' \
	"web gets a balloon and a 192M virtio-mem region above its startup memory"
assert_log '^vm db: static memory \(dynamic=off\)' "db is static"
assert_log '^scenario: 7 commands loaded' "the scenario module is loaded"
assert_log '^\[web\] virtio-balloon: ready, slot 1, irq 10, features 0x100000006' \
	"the guest's balloon driver negotiates VERSION_1, STATS_VQ and DEFLATE_ON_OOM"
assert_log '^\[batch\] virtio-mem: ready, slot 2, irq 11, region 0x8000000\+192M' \
	"the guest's virtio-mem driver finds the region"
assert_no_log 'FAIL' "no guest reports a failure (data checks, zeroed pages, device answers)"
for vm in web batch db; do
	assert_log "^\[$vm\] work: done, [1-9][0-9]* checks ok" "$vm's workload data stayed intact through every change"
	assert_log "^\[$vm\] PASS: $vm" "$vm passes"
done

# memory moves to the VM under pressure and back (batch peaks first, then web)
assert_dm "batch grows under pressure (0-4.5 s)" batch assigned 2500 4500 max '>=' 200
assert_dm "web gives memory back meanwhile" web assigned 2500 4500 max '<=' 100
assert_dm "web grows in its own peak (7-10 s)" web assigned 7000 10000 max '>=' 200
assert_dm "web gives it back afterwards (12-14 s)" web assigned 12000 14000 max '<=' 100
assert_dm "batch grows again in its last peak" batch assigned 12000 16000 max '>=' 200
assert_log '^\[web\] virtio-mem: [1-9][0-9]* plugs, [1-9][0-9]* unplugs' "web grew and shrank through virtio-mem"
assert_log '^summary: vm web: balloon: [0-9]+ inflate and [0-9]+ deflate requests, [1-9][0-9]* pages out' \
	"web shrank below its startup size through the balloon"
# limits
for vm in web batch; do
	assert_dm "$vm never goes below its 64M minimum" "$vm" assigned 0 99999999 min '>=' 64
	assert_dm "$vm never sees more than its 320M maximum" "$vm" visible 0 99999999 max '<=' 320
done
assert_count '^dm t=[0-9]+ vm=db ' "$(_bt_grep -c '^dm t=[0-9]+ vm=db assigned=64M visible=64M balloon=0M plugged=0M demand=\? pressure=0 target=64M$' || true)" \
	"the static VM never changes (every db line is the same)"
assert_dm "the static VM appears in the telemetry" db assigned 0 99999999 max '==' 64
# the scenario's manual target
assert_log '^mon: mem: batch: target 96M$' "the scenario's mem command is taken"
assert_dm "batch's target stays at 96M while the mem command is in force" batch target 6600 8900 min '==' 96
assert_dm "and its memory follows" batch assigned 7500 8900 max '==' 96
assert_log '^mon: mem: batch: back to the balancer$' "mem batch auto hands it back to the balancer"
assert_log '^mon: web +running +on +128M +64M +320M ' "the vms table lists each VM's settings"
assert_log '^mon: set: web: min=64M max=320M buffer=50 weight=300 dynamic=on$' "set changes a VM's settings at run time"
assert_log '^mon: web +running +on +128M +64M +320M +[0-9]+M +[0-9]+M +[0-9]+M +300 +50%' "the vms table shows the new settings"
# telemetry format and host accounting
assert_log '^dm t=[0-9]+ vm=web assigned=[0-9]+M visible=[0-9]+M balloon=[0-9]+M plugged=[0-9]+M demand=([0-9]+M|\?) pressure=[0-9]+ target=[0-9]+M$' \
	"per-VM telemetry lines have the documented format"
assert_log '^dm t=[0-9]+ host free=[0-9]+M total=510M$' "host telemetry lines have the documented format"
# the total is what the firmware's memory map leaves of 512 MiB: Bochs's BIOS and QEMU's differ
total=130800
[[ $BV_EMU == qemu ]] && total=130784
assert_log "^frames: total $total, free [0-9]+, hypervisor [0-9]+, in VMs 0, refused frees 0\$" \
	"no frame is left in a VM and no free was refused"
assert_log '^frames: conservation check ok' "every host frame is accounted for"

# tools/plot turns the log into a chart
if "$BV_ROOT/tools/plot" "$SERIAL_LOG" "$BV_TEST_DIR/dynamic.png" >/dev/null 2>&1 &&
	[[ $(head -c 8 "$BV_TEST_DIR/dynamic.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
	_bt_result 1 "tools/plot draws a PNG from the run's telemetry"
else
	_bt_result 0 "tools/plot draws a PNG from the run's telemetry"
fi

# The README's `make run` sample boots this very config on VT-x in Bochs: every line of it must
# be in this run, exactly (the log is deterministic, and the demo's guests print no TSC rate or
# uptime). Other backends slice time with a different timer, so their telemetry differs.
if [[ $BV_BACKEND == vmx ]]; then
	assert_readme_sample "make run" "every line of the README's \`make run\` sample is in the log, verbatim"
fi
