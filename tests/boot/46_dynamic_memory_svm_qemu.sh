#!/usr/bin/env bash
# The dynamic-memory demo of `make run` (tools/grub-demo.cfg) on AMD SVM with nested paging,
# as `make run EMU=qemu` boots it (QEMU TCG, no NRIP save): the balloon and virtio-mem move
# memory through the nested page tables to the VM under pressure and back, every data check
# passes, db stays static, the scenario runs, and every frame is accounted for.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boot_iso dynamic_svm "$(cat "$BV_ROOT/tools/grub-demo.cfg")"
QEMU_CPU=EPYC run_qemu dynamic_svm 300

# peak FIELD VM: the largest value (MiB) of FIELD in VM's telemetry
peak() {
	awk -v vm="$2" -v f="$1" '$1 == "dm" && $3 == "vm=" vm {
		for (i = 4; i <= NF; i++) if (index($i, f "=") == 1) {
			v = substr($i, length(f) + 2) + 0; if (v > m) m = v } }
		END { print m + 0 }' "$SERIAL_TXT"
}

assert_status 33 "QEMU ends through isa-debug-exit with success"
assert_log '^svm: SVM enabled \(nested paging, [0-9]+ ASIDs, NRIP save no\)' "the SVM backend runs it"
assert_no_log 'vmx:' "VT-x is never touched"
assert_log '^scenario: 7 commands loaded' "the scenario module is loaded"
assert_log '^mon: t=[0-9]+ scenario: mem batch 96M' "the scenario's commands run"
for vm in web batch db; do
	assert_log "^\[$vm\] PASS: $vm" "$vm passes its data checks"
done
assert_log '^\[web\] work: done, [0-9]+ checks ok' "web's workload checked every page after every change"
assert_no_log 'NOT ZERO|CORRUPT|FAIL' "no page came back dirty or corrupted"
for vm in web batch; do
	p=$(peak assigned "$vm")
	if ((p >= 300)); then _bt_result 1 "$vm grows to its peak through virtio-mem (${p}M)"; else
		_bt_result 0 "$vm grows to its peak through virtio-mem" "peak assigned ${p}M, want >= 300M"
	fi
	b=$(peak balloon "$vm")
	if ((b >= 32)); then _bt_result 1 "$vm gives memory back through its balloon (${b}M)"; else
		_bt_result 0 "$vm gives memory back through its balloon" "peak balloon ${b}M, want >= 32M"
	fi
done
assert_count '^dm t=[0-9]+ vm=db assigned=64M visible=64M balloon=0M plugged=0M' \
	"$(grep -c '^dm t=[0-9]* vm=db ' "$SERIAL_TXT")" "db stays at its static 64M"
assert_log '^summary: vm web: virtio-mem: [0-9]+ requests \([1-9][0-9]* ack' "virtio-mem requests are acked"
assert_log '^summary: vm [a-z]+: exit NPF +[1-9]' "guest accesses outside mapped memory (device MMIO, first touches) exit as nested page faults"
assert_log '^frames: conservation check ok' "every frame is accounted for"
assert_log '^balloonvisor: finished: success$' "the run ends in success"
