#!/usr/bin/env bash
# `make bench-svm` (bench/svm.sh, bench/svm_report.py) without an emulator: in a scratch copy
# of the tree, tools/bochs.sh is a stub that writes the exitbench line a guest would print, and
# the boot tests' times are .done files. The report must show each backend's cycles, pair every
# *_svm_qemu twin with the VT-x script it runs, refuse a log without the guest's line, and a
# --quick run must leave docs/BENCHMARKS.md alone while a full run replaces only section 9.
# usage: tests/tools/test_bench_svm.sh     prints ok/not ok lines; exit 1 on a failure
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/tools/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bench" "$tmp/tools" "$tmp/docs" "$tmp/build/test/logs" "$tmp/tests/boot" "$tmp/bin"
cp "$root"/bench/{svm.sh,svm_report.py,emulated_report.py,put_section.sh} "$tmp/bench/"
for t in 20_isolation 70_linux_boot; do
	cp "$root/tests/boot/${t}_svm_qemu.sh" "$tmp/tests/boot/"
done
echo '0 100' >"$tmp/build/test/logs/boot-20_isolation_bochs.done"
echo '0 8' >"$tmp/build/test/logs/boot-20_isolation_svm_qemu.done"
echo '0 150' >"$tmp/build/test/logs/boot-70_linux_boot_bochs.done"
echo '0 75' >"$tmp/build/test/logs/boot-70_linux_boot_svm_qemu.done"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/make"
printf '#!/bin/sh\nexit 0\n' >"$tmp/tools/mkiso.sh"
# the stub "guest": 444 cycles on Haswell, 692 on ryzen, as the real run printed once
cat >"$tmp/tools/bochs.sh" <<'SH'
#!/bin/sh
case $BOCHS_CPU in ryzen) c=692 h=676 ;; *) c=444 h=428 ;; esac
printf '[eb] exitbench: 2000 round trips each: CPUID %s cycles, hypercall %s cycles\r\n' $c $h >"$2"
SH
chmod +x "$tmp/bin/make" "$tmp/tools/"*.sh "$tmp/bench/"*.sh
printf '# Benchmarks\n\n## 8. Linux\n\neight\n\n## 9. SVM beside VT-x\n\nold nine\n' >"$tmp/docs/BENCHMARKS.md"
cp "$tmp/docs/BENCHMARKS.md" "$tmp/recorded.md"

if PATH=$tmp/bin:$PATH "$tmp/bench/svm.sh" --quick >"$tmp/quick.out" 2>&1; then
	ok "bench/svm.sh --quick runs (stubbed)"
else
	not_ok "bench/svm.sh --quick runs (stubbed): $(tail -n 5 "$tmp/quick.out")"
fi
check "--quick leaves docs/BENCHMARKS.md as it was" cmp -s "$tmp/docs/BENCHMARKS.md" "$tmp/recorded.md"
q=$tmp/build/bench/SVM.quick.md
check "--quick writes build/bench/SVM.quick.md, marked as a smoke run" grep -q 'a smoke run' "$q"
check "the VT-x round trips" grep -qF '| VT-x (Bochs Haswell) | 2000 | 444 | 428 |' "$q"
check "the SVM round trips" grep -qF '| SVM (Bochs ryzen) | 2000 | 692 | 676 |' "$q"
check "a twin beside the VT-x test it runs" grep -qF '| 20_isolation_bochs | 100 | 8 | 12.5× |' "$q"
check "the Linux twin too" grep -qF '| 70_linux_boot_bochs | 150 | 75 | 2.0× |' "$q"
check "and the sums" grep -qF '| **all of them** | **250** | **83** | **3.0×** |' "$q"

# a log without the guest's line is refused, not reported as zero
printf 'no guest here\n' >"$tmp/empty.log"
if python3 "$tmp/bench/svm_report.py" --mode quick --exits "$tmp/empty.log" "$tmp/empty.log" \
	--tests "$tmp/build/test/logs" >"$tmp/bad.out" 2>&1; then
	not_ok "a log without the exitbench line is refused"
else
	check "a log without the exitbench line is refused, naming the log" grep -q 'no exitbench line in' "$tmp/bad.out"
fi
# a twin without a time is refused
rm "$tmp/build/test/logs/boot-70_linux_boot_svm_qemu.done"
if PATH=$tmp/bin:$PATH "$tmp/bench/svm.sh" --quick >"$tmp/quick2.out" 2>&1; then
	not_ok "a twin without a recorded time fails the run"
else
	check "a twin without a recorded time fails the run, saying to run make test" \
		grep -q 'run make test first' "$tmp/quick2.out"
fi
exit $failed
