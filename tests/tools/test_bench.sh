#!/usr/bin/env bash
# The benchmark still builds and runs (on a small size; its speed is not checked here).
set -uo pipefail
cd "$(dirname "$0")/../.."
fail=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; fail=1; }

if out=$(bench/build.sh 2>&1); then ok "bench/build.sh builds the native benchmark"; else
	bad "bench/build.sh builds the native benchmark"
	echo "$out" | tail -n 20 | sed 's/^/    /'
	exit 1
fi
if table=$(build/bench/native --quick 2>&1); then ok "the native benchmark runs (--quick) and checks itself"; else
	bad "the native benchmark runs (--quick) and checks itself"
	echo "$table" | tail -n 20 | sed 's/^/    /'
fi
for row in '2 MiB shrink: virtio-mem UNPLUG' '2 MiB grow: virtio-mem PLUG' '4 KiB shrink: balloon inflate' \
	'madvise \+ refault' 'metadata, RAM fully mapped'; do
	if grep -qE "^\| [a-f]\. $row" <<<"$table"; then ok "its table has the row \"$row\""; else
		bad "its table has the row \"$row\""
	fi
done
for row in 'balloon notify' 'virtio-mem notify' 'print hypercall'; do
	if grep -qE "^\| \*\*$row\*\* .*\| \*\*[0-9.]+ (µs|ms)\*\* \|$" <<<"$table"; then
		ok "its worst case per exit has the row \"$row\" with a time"
	else
		bad "its worst case per exit has the row \"$row\" with a time"
	fi
done
exit $fail
