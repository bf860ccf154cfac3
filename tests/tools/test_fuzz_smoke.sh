#!/usr/bin/env bash
# The libFuzzer harnesses as a smoke test (README "Fuzzing"): each builds, runs for
# FUZZ_SMOKE_SECONDS (default 2) from its seed corpus through tools/fuzz.sh, and finds nothing.
# A long run is `make fuzz`.
# usage: tests/tools/test_fuzz_smoke.sh     prints ok/not ok lines; exit 1 on a failure
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/tools/lib.sh"
cd "$root"

if make -s --no-print-directory fuzz-build >build/fuzz-build.log 2>&1; then
	ok "the harnesses build (clang, -fsanitize=fuzzer,address,undefined)"
else
	not_ok "the harnesses build: $(tail -n 5 build/fuzz-build.log)"
	exit 1
fi
out=$(tools/fuzz.sh "${FUZZ_SMOKE_SECONDS:-2}" 2>build/fuzz-smoke.err)
st=$?
check "tools/fuzz.sh finds no crash, leak or sanitizer report" test "$st" = 0
[[ $st == 0 ]] || sed 's/^/    /' build/fuzz-smoke.err
for src in tests/fuzz/fuzz_*.c; do
	n=$(basename "$src" .c)
	n=${n#fuzz_}
	row=$(grep -E "^\| $n \|" <<<"$out")
	execs=$(cut -d'|' -f3 <<<"$row" | tr -d ' ')
	crashes=$(cut -d'|' -f7 <<<"$row" | tr -d ' ')
	if [[ $execs =~ ^[0-9]+$ ]] && ((execs > 100)) && [[ $crashes == 0 ]]; then
		ok "$n: $execs executions, no crash"
	else
		not_ok "$n: row '$row'"
	fi
	check "$n has a seed corpus" test -n "$(ls -A "tests/fuzz/corpus/$n" 2>/dev/null)"
done
exit $failed
