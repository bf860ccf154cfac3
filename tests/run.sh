#!/usr/bin/env bash
# The single test entry point (make test, .ci/run): build, host unit tests, boot tests
# (tests/boot/*.sh) and tests of the host tools (tests/tools/*.sh).
# usage: tests/run.sh [unit | boot | boot/NAME]
# The last line of output is always "N passed, N failed"; the exit status is 0 iff none failed.
#   env BOOT_SCRIPT_TIMEOUT: seconds per boot test script (default 1200).
#   env BOOT_JOBS: Bochs boot tests run side by side (default: the number of CPUs).
#   env QEMU_JOBS: QEMU boot tests (*_qemu.sh) run beside them (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C # sorted test order and grep independent of the locale

filter=${1:-}
case $filter in
'' | unit | boot | boot/?*) ;;
*)
	echo "usage: $0 [unit | boot | boot/NAME]" >&2
	exit 2
	;;
esac
logs=build/test/logs
passed=0
failed=0
finish() {
	# An unexpected error in this script must not end in "0 failed".
	if [[ $1 != 0 && $failed == 0 ]]; then failed=1; fi
	echo "$passed passed, $failed failed"
	if ((failed > 0)); then exit 1; fi
	exit 0
}
trap 'finish $?' EXIT

section_start() {
	echo "== $1"
	sec_name=$1 sec_start=$SECONDS sec_passed=$passed sec_failed=$failed
}
section_end() {
	echo "== $sec_name: $((passed - sec_passed)) passed, $((failed - sec_failed)) failed" \
		"($((SECONDS - sec_start)) s)"
}
# indent_tail N FILE: the end of a log, set off from the TAP lines.
indent_tail() { tail -n "$1" "$2" | sed 's/^/    /'; }

jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$logs"

# The hypervisor and guests are needed by the boot tests only.
if [[ $filter != unit ]]; then
	section_start build
	if ! make -j"$jobs" --no-print-directory all >"$logs/build.log" 2>&1; then
		indent_tail 60 "$logs/build.log"
		echo "not ok - make all (log: $logs/build.log)"
		failed=$((failed + 1))
		section_end
		exit 1
	fi
	section_end
fi

if [[ -z $filter || $filter == unit ]]; then
	section_start unit
	# -k: one broken test file must not keep the others from being built and run.
	make -k -j"$jobs" --no-print-directory unit >"$logs/unit-build.log" 2>&1 || true
	for src in tests/unit/test_*.c; do
		[[ -e $src ]] || continue
		name=$(basename "$src" .c)
		bin=build/unit/$name
		# Up to date after the parallel build unless this one failed: then it fails again here,
		# with only its own errors in its log.
		if ! make --no-print-directory "$bin" >"$logs/$name.build.log" 2>&1; then
			grep -E -A2 'error:|undefined reference|\*\*\*' "$logs/$name.build.log" |
				head -n 40 | sed 's/^/    /' || true
			echo "not ok - $name: build failed (log: $logs/$name.build.log)"
			failed=$((failed + 1))
			continue
		fi
		out=$logs/$name.log
		st=0
		CMOCKA_MESSAGE_OUTPUT=stdout timeout -s KILL 300 "$bin" >"$out" 2>&1 </dev/null || st=$?
		# cmocka prints one summary per test group: "[  PASSED  ] N test(s)." and, when some
		# failed, "[  FAILED  ] N test(s), listed below:". Tests whose setup failed are left out
		# of it: count their "[  ERROR   ] NAME" lines ("[  ERROR   ] --- ..." are messages).
		p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test\(s\)\..*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
		f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test\(s\).*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
		f=$((f + $(grep -cE '^\[  ERROR   \] [^-]' "$out" || true)))
		why=
		if ! grep -qE '^\[  (PASSED|FAILED)  \] [0-9]+ test\(s\)' "$out"; then
			why="no cmocka summary, exit status $st"
			f=$((f + 1))
		elif [[ $st != 0 && $f == 0 ]]; then
			# A crash after the summary, or a sanitizer report (leaks) at exit.
			why="exit status $st"
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [[ $f == 0 ]]; then
			echo "ok - $name: $p passed"
		else
			indent_tail 40 "$out"
			echo "not ok - $name: $p passed, $f failed${why:+ ($why)} (log: $out)"
		fi
	done
	section_end
fi

if [[ $filter != unit ]]; then
	section_start boot
	scripts=()
	case $filter in
	boot/*)
		s=tests/${filter%.sh}.sh
		if [[ -f $s ]]; then scripts=("$s"); else
			echo "not ok - $s: no such boot test"
			failed=$((failed + 1))
		fi
		;;
	*)
		# boot tests, then tests of the host tools (tools/plot)
		for s in tests/boot/*.sh tests/tools/*.sh; do
			if [[ -f $s && $(basename "$s") != lib.sh ]]; then scripts+=("$s"); fi
		done
		;;
	esac
	# The Linux kit is built once, before tests that share it may run side by side.
	if grep -qs '^linux_kit' ${scripts[@]+"${scripts[@]}"}; then
		tools/linux-guest.sh >"$logs/linux-guest.log" 2>&1 || true
	fi
	# Boot tests run $BOOT_JOBS at a time (default: one per CPU). Each Bochs run is one
	# single-threaded process whose emulated clock does not depend on the host's load, and
	# every test writes only its own build/test/NAME.* files. QEMU's TCG keeps the guests'
	# clock in real time, so its tests spend much of theirs waiting for a scenario's next
	# command with the CPU idle: they take $QEMU_JOBS lanes of their own (default 1) beside
	# Bochs's. The longest start first: by the seconds each took last time (its .done file),
	# else the Linux ones, newest first; each test's lines are printed together when it ends.
	lanes=${BOOT_JOBS:-$jobs}
	qemu_lanes=${QEMU_JOBS:-1}
	if ((lanes > 1 && ${#scripts[@]} > 1)); then
		mapfile -t scripts < <(for s in "${scripts[@]}"; do
			secs=
			read -r _ secs 2>/dev/null <"$logs/boot-$(basename "$s" .sh).done" || true
			if [[ -z $secs && $s == tests/boot/*linux* ]]; then secs=1000; fi
			echo "${secs:-0} $s"
		done | sort -k1,1nr -k2,2r | cut -d' ' -f2-)
	else
		lanes=1 qemu_lanes=0
	fi
	# run_script SCRIPT: its output to its log, then "STATUS SECONDS" to its .done file.
	run_script() {
		local name start st=0
		name=$(basename "$1" .sh)
		start=$SECONDS
		if ((lanes == 1)); then
			set +e
			timeout -k 10 "${BOOT_SCRIPT_TIMEOUT:-1200}" bash "$1" </dev/null 2>&1 |
				tee "$logs/boot-$name.log"
			st=${PIPESTATUS[0]}
			set -e
		else
			timeout -k 10 "${BOOT_SCRIPT_TIMEOUT:-1200}" bash "$1" </dev/null \
				>"$logs/boot-$name.log" 2>&1 || st=$?
		fi
		echo "$st $((SECONDS - start))" >"$logs/boot-$name.done"
	}
	# report_script SCRIPT: its lines (when they were not shown live) and its count.
	report_script() {
		local name out st secs p f
		name=$(basename "$1" .sh)
		out=$logs/boot-$name.log
		read -r st secs <"$logs/boot-$name.done"
		((lanes == 1)) || cat "$out"
		p=$(grep -c '^ok - ' "$out" || true)
		f=$(grep -c '^not ok - ' "$out" || true)
		if [[ $st != 0 && $f == 0 ]]; then
			if [[ $st == 124 || $st == 137 ]]; then
				echo "not ok - $name: timed out after ${BOOT_SCRIPT_TIMEOUT:-1200} s"
			else
				echo "not ok - $name: exit status $st"
			fi
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		echo "--- $name: $p passed, $f failed ($secs s)"
	}
	# is_qemu SCRIPT: whether it runs in QEMU (its own lanes, above)
	is_qemu() { ((qemu_lanes > 0)) && [[ $1 == tests/boot/*_qemu.sh ]]; }
	# run_group SCRIPT...: runs them in $lanes lanes (and the QEMU ones in $qemu_lanes) and
	# reports each as it ends. The list's order is kept within each kind.
	run_group() {
		local group=("$@") running=() still s i n_bochs n_qemu started
		local -A done_=()
		while ((${#done_[@]} < ${#group[@]} || ${#running[@]} > 0)); do
			n_bochs=0 n_qemu=0
			for s in ${running[@]+"${running[@]}"}; do
				if is_qemu "$s"; then n_qemu=$((n_qemu + 1)); else n_bochs=$((n_bochs + 1)); fi
			done
			started=0
			for ((i = 0; i < ${#group[@]}; i++)); do
				s=${group[i]}
				[[ -z ${done_[$i]:-} ]] || continue
				if is_qemu "$s"; then ((n_qemu < qemu_lanes)) || continue; else
					((n_bochs < lanes)) || continue
				fi
				done_[$i]=started
				started=1
				rm -f "$logs/boot-$(basename "$s" .sh).done"
				if ((lanes == 1)); then
					echo "--- $(basename "$s" .sh)"
					run_script "$s"
					report_script "$s"
					break
				fi
				run_script "$s" &
				running+=("$s")
				if is_qemu "$s"; then n_qemu=$((n_qemu + 1)); else n_bochs=$((n_bochs + 1)); fi
			done
			((lanes == 1)) && continue
			((${#running[@]} > 0)) || { ((started)) && continue; break; }
			wait -n || true
			still=()
			for s in "${running[@]}"; do
				if [[ -f $logs/boot-$(basename "$s" .sh).done ]]; then
					echo "--- $(basename "$s" .sh)"
					report_script "$s"
				else
					still+=("$s")
				fi
			done
			running=(${still[@]+"${still[@]}"})
		done
	}
	# The tool tests come after every boot test: some read a boot test's log.
	boot_group=() tool_group=()
	for s in ${scripts[@]+"${scripts[@]}"}; do
		if [[ $s == tests/tools/* ]]; then tool_group+=("$s"); else boot_group+=("$s"); fi
	done
	run_group ${boot_group[@]+"${boot_group[@]}"}
	run_group ${tool_group[@]+"${tool_group[@]}"}
	section_end
fi
