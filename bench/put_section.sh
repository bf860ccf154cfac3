#!/usr/bin/env bash
# Replace section N of a markdown file (from its "## N. " heading to the next "## " heading)
# with the text on stdin; without one, put it before the first numbered section above N, or
# at the end. The sections measured on their own (6, 7) keep their place this way.
# usage: bench/put_section.sh N FILE <SECTION_TEXT
set -euo pipefail
n=$1 file=$2
new=$(mktemp)
trap 'rm -f "$new" "$new.out"' EXIT
cat >"$new"
awk -v n="$n" -v new="$new" '
	function put() { while ((getline l < new) > 0) print l; print ""; done = 1 }
	/^## / {
		skip = 0
		num = $2; sub(/\.$/, "", num)
		if (num ~ /^[0-9]+$/ && num + 0 == n + 0) { if (!done) put(); skip = 1; next }
		if (!done && num ~ /^[0-9]+$/ && num + 0 > n + 0) put()
	}
	!skip { print }
	END { if (!done) { print ""; put() } }
' "$file" >"$new.out"
# no blank lines left at the end
sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$new.out" >"$file"
