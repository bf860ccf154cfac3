# shellcheck shell=bash
# Helpers for the tool tests, tests/tools/test_*.sh:  source "$(dirname "$0")/lib.sh"
# ok/not_ok print one TAP-style line each; not_ok sets failed=1, which the script exits with.
failed=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
