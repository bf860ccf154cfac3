# shellcheck shell=bash
# Helpers for the boot tests, tests/boot/*.sh (run by tests/run.sh from the repo root):
#   source "$(dirname "$0")/lib.sh"
#   boot_iso two_vms "$(grub_cfg exit=emulator 'module2 /boot/guest.elf name=a mem=32M')"
#   run_guests two_vms 120         # on $BV_BACKEND; $STATUS = the emulator script's exit status
#   assert_outcome success "the run ends in success"
#   assert_log '^a: started' "VM a starts"
# BV_BACKEND picks the CPU a test runs on; a test written for one backend runs on the others
# by naming what differs through outcome_status and exit_name (tests/boot/*_svm_*.sh do this):
#   vmx        Intel VT-x with EPT, Bochs corei7_haswell_4770 (the default)
#   svm        AMD SVM with nested paging, QEMU TCG -cpu EPYC (no NRIP save)
#   svm-bochs  AMD SVM with nested paging, Bochs ryzen (NRIP save)
# Each assertion prints "ok - DESC" or "not ok - DESC" and returns 0, so a script goes on
# (also under set -e); the script then exits 1 if anything failed (EXIT trap, replaced if the
# script sets its own). Assertions match the serial log with CRs and ANSI escapes removed.
# Files, per NAME: build/test/NAME.{cfg,iso,serial.log,serial.txt,emu.out}.

BV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BV_TEST_DIR=$BV_ROOT/build/test
BV_BACKEND=${BV_BACKEND:-vmx}
case $BV_BACKEND in
vmx) BV_EMU=bochs BV_EMU_NAME=Bochs ;;
svm)
	BV_EMU=qemu BV_EMU_NAME=QEMU
	export QEMU_CPU=EPYC
	BV_TEST_DIR=$BV_TEST_DIR/svm	# the same NAMEs as on VT-x, in their own folder
	;;
svm-bochs)
	BV_EMU=bochs BV_EMU_NAME="Bochs ryzen"
	export BOCHS_CPU=ryzen
	BV_TEST_DIR=$BV_TEST_DIR/svm-bochs
	;;
*)
	echo "not ok - BV_BACKEND=$BV_BACKEND: want vmx, svm or svm-bochs"
	exit 1
	;;
esac
STATUS=         # exit status of the last run_bochs/run_qemu
SERIAL_LOG=     # its serial log, as written by the emulator
SERIAL_TXT=     # the same, cleaned: what the assertions match
_bt_failed=0
_bt_tail_shown=0
mkdir -p "$BV_TEST_DIR"
# the tests' scenario files go on every ISO (tools/mkiso.sh), next to tools/scenarios/
export SCENARIO_DIR=$BV_ROOT/tests/boot/scenarios

# grub_cfg HV_ARGS [LINE...]: a grub.cfg booting hv.elf with HV_ARGS, then the LINEs (module2 ...).
grub_cfg() {
	local args=$1 line
	shift
	printf '%s\n' 'set timeout=0' 'serial --unit=0 --speed=115200' \
		'terminal_input serial' 'terminal_output serial' 'menuentry "test" {' \
		"	multiboot2 /boot/hv.elf $args"
	for line in "$@"; do printf '\t%s\n' "$line"; done
	printf '}\n'
}

# linux_kit: make sure build/linux holds Debian's kernel and the initramfs (tools/linux-guest.sh
# downloads them once); boot_iso then puts them on the ISO as /boot/vmlinuz and /boot/initrd.img.
# Without them (no network on a first run) the test fails with the script's one-line reason.
linux_kit() {
	local out
	if ! out=$("$BV_ROOT/tools/linux-guest.sh" 2>&1); then
		_bt_failed=$((_bt_failed + 1))
		echo "not ok - the Linux guest kit (tools/linux-guest.sh)"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /'
		return 1
	fi
	export LINUX_DIR=$BV_ROOT/build/linux
}

# boot_iso NAME CFG_TEXT: build build/test/NAME.iso from the hypervisor, the guests and CFG_TEXT.
boot_iso() {
	local name=$1
	printf '%s\n' "$2" >"$BV_TEST_DIR/$name.cfg"
	if ! "$BV_ROOT/tools/mkiso.sh" "$BV_TEST_DIR/$name.iso" "$BV_TEST_DIR/$name.cfg" \
		>"$BV_TEST_DIR/$name.mkiso.out" 2>&1; then
		_bt_failed=$((_bt_failed + 1))
		echo "not ok - $name: build the ISO"
		sed 's/^/    /' "$BV_TEST_DIR/$name.mkiso.out"
		return 1
	fi
}

# _bt_run EMULATOR NAME TIMEOUT: run tools/EMULATOR.sh quietly; its stdout goes to NAME.emu.out.
_bt_run() {
	local emu=$1 name=$2 limit=$3 start=$SECONDS
	SERIAL_LOG=$BV_TEST_DIR/$name.serial.log
	SERIAL_TXT=$BV_TEST_DIR/$name.serial.txt
	STATUS=0
	"$BV_ROOT/tools/$emu.sh" "$BV_TEST_DIR/$name.iso" "$SERIAL_LOG" "$limit" \
		>"$BV_TEST_DIR/$name.emu.out" 2>&1 </dev/null || STATUS=$?
	# GRUB writes ANSI escapes and the console may end lines with CR: strip both so that
	# ^ and $ work in the assertions' regular expressions.
	sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$SERIAL_LOG" >"$SERIAL_TXT" 2>/dev/null ||
		: >"$SERIAL_TXT"
	echo "# $name: $emu exit status $STATUS after $((SECONDS - start)) s"
}
run_bochs() { _bt_run bochs "$1" "${2:-300}"; }
run_qemu() { _bt_run qemu "$1" "${2:-120}"; }

# run_guests NAME TIMEOUT [MEGS]: run NAME's ISO on $BV_BACKEND's emulator with MEGS of RAM
# (default 512).
run_guests() {
	if [[ $BV_EMU == qemu ]]; then
		QEMU_MEGS=${3:-512} _bt_run qemu "$1" "$2"
	else
		BOCHS_MEGS=${3:-512} _bt_run bochs "$1" "$2"
	fi
}

# outcome_status OUTCOME: the status $BV_EMU's script gives for OUTCOME, one of success,
# failure, refused, unsupported (tools/bochs.sh and tools/qemu.sh; README "Outcomes").
outcome_status() {
	local i
	case $1 in
	success) i=0 ;; failure) i=1 ;; refused) i=2 ;; unsupported) i=3 ;;
	*) echo "outcome_status: unknown outcome $1" >&2 && return 1 ;;
	esac
	if [[ $BV_EMU == qemu ]]; then
		local q=(33 35 39 37)	# isa-debug-exit: (code << 1) | 1
		echo "${q[i]}"
	else
		local b=(0 1 3 4)
		echo "${b[i]}"
	fi
}

# assert_outcome OUTCOME DESC: the last run ended with OUTCOME (outcome_status).
assert_outcome() { assert_status "$(outcome_status "$1")" "$2"; }

# exit_name KIND: the summary's name (a regular expression) for an exit of KIND on
# $BV_BACKEND: VT-x names exits as SDM 3C appendix C, SVM as APM Vol. 2 appendix C.
exit_name() {
	local vmx svm
	case $1 in
	timer) vmx='preemption timer' svm='INTR' ;;	# the slice's end
	hypercall) vmx='VMCALL' svm='VMMCALL' ;;
	io) vmx='I/O instruction' svm='IOIO' ;;
	cr0_write) vmx='CR access' svm='CR0 write' ;;
	gpa) vmx='EPT violation' svm='NPF' ;;
	triple) vmx='triple fault' svm='SHUTDOWN' ;;
	vmxon) vmx='VMXON' svm='exception 6 \(#UD\)' ;;	# AMD has no VMXON: #UD
	rdtsc) vmx='RDTSC' svm='RDTSC' ;;
	*) echo "exit_name: unknown kind $1" >&2 && return 1 ;;
	esac
	if [[ $BV_BACKEND == vmx ]]; then echo "$vmx"; else echo "$svm"; fi
}

# exit_title KIND: how the hypervisor names a guest's fault of KIND in its report's title,
# the VM's stop line and the summary.
exit_title() {
	case $1:$BV_BACKEND in
	gpa:vmx) echo 'EPT violation' ;;
	gpa:*) echo 'nested page fault' ;;
	*) exit_name "$1" ;;
	esac
}

# exit_report_re KIND: how an exit report's second line begins for KIND (exit_name), up to
# the exit information's first value: VT-x gives reason and qualification, SVM the exit code
# and EXITINFO1.
exit_report_re() {
	local name n
	name=$(exit_name "$1") || return 1
	if [[ $BV_BACKEND == vmx ]]; then
		case $1 in gpa) n=48 ;; triple) n=2 ;; rdtsc) n=16 ;; *) n='[0-9]+' ;; esac
		echo "^  exit reason $n \\($name\\), qualification (0x[0-9a-f]+|0),"
	else
		case $1 in gpa) n=0x400 ;; triple) n=0x7f ;; rdtsc) n=0x6e ;; *) n='0x[0-9a-f]+' ;; esac
		echo "^  exit code $n \\($name\\), exitinfo1 (0x[0-9a-f]+|0),"
	fi
}

# _bt_result OK DESC [WHY]: print the TAP line; on the script's first failure, the log's tail.
_bt_result() {
	if [[ $1 == 1 ]]; then
		echo "ok - $2"
		return 0
	fi
	_bt_failed=$((_bt_failed + 1))
	echo "not ok - $2${3:+ ($3)}"
	if [[ $_bt_tail_shown == 0 && -n $SERIAL_TXT ]]; then
		_bt_tail_shown=1
		echo "#   last 30 lines of $SERIAL_LOG:"
		tail -n 30 "$SERIAL_TXT" | sed 's/^/    /'
	fi
	return 0
}

# _bt_grep REGEX ARGS...: grep -E the cleaned serial log of the last run (-a: it may hold binary).
_bt_grep() { grep -aE "$@" "$SERIAL_TXT" 2>/dev/null; }

# assert_status WANT DESC: the last run's exit status.
assert_status() {
	if [[ $STATUS == "$1" ]]; then _bt_result 1 "$2"; else
		_bt_result 0 "$2" "exit status $STATUS, want $1"
	fi
}

# assert_log REGEX DESC / assert_no_log REGEX DESC: some line / no line matches.
assert_log() {
	if _bt_grep -q -e "$1"; then _bt_result 1 "$2"; else
		_bt_result 0 "$2" "no line matches /$1/"
	fi
}
assert_no_log() {
	local hit
	if hit=$(_bt_grep -m 1 -e "$1"); then _bt_result 0 "$2" "unexpected: $hit"; else
		_bt_result 1 "$2"
	fi
}

# assert_count REGEX N DESC: exactly N lines match.
assert_count() {
	local n
	n=$(_bt_grep -c -e "$1") || true
	if [[ ${n:-0} == "$2" ]]; then _bt_result 1 "$3"; else
		_bt_result 0 "$3" "${n:-0} lines match /$1/, want $2"
	fi
}

# assert_num DESC VALUE OP BOUND: a number taken from the log ((( VALUE OP BOUND ))); an empty
# VALUE (nothing found) fails.
assert_num() {
	if [[ -n $2 ]] && (($2 $3 $4)); then _bt_result 1 "$1 ($2)"; else
		_bt_result 0 "$1" "got ${2:-nothing}, want $3 $4"
	fi
}

# assert_order REGEX1 REGEX2 DESC: the first line matching REGEX1 comes before (not on)
# the first line matching REGEX2.
assert_order() {
	local a b
	a=$(_bt_grep -n -m 1 -e "$1" | cut -d: -f1) || true
	b=$(_bt_grep -n -m 1 -e "$2" | cut -d: -f1) || true
	if [[ -z $a ]]; then
		_bt_result 0 "$3" "no line matches /$1/"
	elif [[ -z $b ]]; then
		_bt_result 0 "$3" "no line matches /$2/"
	elif ((a < b)); then
		_bt_result 1 "$3"
	else
		_bt_result 0 "$3" "/$1/ first on line $a, /$2/ first on line $b"
	fi
}

# readme_sample NAME: the lines of README.md's fenced block that follows the line
# "<!-- sample: NAME (...) -->" (the comment may go on after NAME).
readme_sample() {
	awk -v m="<!-- sample: $1 " '
		index($0, m) == 1 { want = 1; next }
		want == 1 && /^```/ { want = 2; next }
		want == 2 && /^```/ { exit }
		want == 2 { print }' "$BV_ROOT/README.md"
}

# assert_readme_sample NAME DESC [SED_SCRIPT]: every line of README.md's sample NAME appears,
# whole and verbatim, in the cleaned serial log of the last run: the sample stays true to a
# real run (Bochs is deterministic, clock sync=none). SED_SCRIPT, if given, is applied to the
# sample and to the log alike, for a value that legitimately differs between runs; each test
# that passes one says why. Reads only README.md and this run's own log.
assert_readme_sample() {
	local sample log missing='' n=0 line
	sample=$(readme_sample "$1")
	if [[ -z $sample ]]; then
		_bt_result 0 "$2" "README.md has no sample \"$1\""
		return 0
	fi
	log=$(sed -e "${3:-}" "$SERIAL_TXT" 2>/dev/null)
	while IFS= read -r line; do
		if ! grep -qFx -e "$line" <<<"$log"; then
			n=$((n + 1))
			[[ -n $missing ]] || missing=$line
		fi
	done < <(sed -e "${3:-}" <<<"$sample")
	if ((n == 0)); then _bt_result 1 "$2"; else
		_bt_result 0 "$2" "$n lines not in the log, the first: $missing"
	fi
}

# Exit 1 when an assertion failed, unless the script already fails by itself.
_bt_exit() {
	local rc=$?
	if ((rc == 0 && _bt_failed > 0)); then exit 1; fi
	exit "$rc"
}
trap _bt_exit EXIT
