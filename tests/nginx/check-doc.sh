#!/usr/bin/env bash
# tests/nginx/check-doc.sh [REPO]: docs/deploy.md shows the files of
# docs/deploy/ verbatim. Each one stands in the doc as
#
#   <!-- include: deploy/FILE -->
#   ```LANG
#   ...the file, byte for byte...
#   ```
#
# and this fails when a block and its file differ, or a file of
# docs/deploy/ is not shown; also when an installed caddy refuses the
# Caddyfile.
set -euo pipefail

repo=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
doc=$repo/docs/deploy.md
fails=0

for f in "$repo"/docs/deploy/*; do
	rel=deploy/${f##*/}
	block=$(awk -v want="<!-- include: $rel -->" '
		$0 == want { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```$/ { exit }
		found == 2 { print }
		found == 1 { exit 1 }' "$doc") || block=
	if ! grep -qxF "<!-- include: $rel -->" "$doc"; then
		echo "check-doc: docs/deploy.md does not include $rel" >&2
		fails=$((fails + 1))
	elif ! diff -u "$f" <(printf '%s\n' "$block") >&2; then
		echo "check-doc: docs/deploy.md's copy of $rel differs (above)" >&2
		fails=$((fails + 1))
	fi
done
# The Caddyfile's syntax, where Caddy is installed (the nginx test loads
# nginx.conf itself).
if command -v caddy >/dev/null &&
	! caddy adapt --adapter caddyfile --config "$repo/docs/deploy/Caddyfile" \
		>/dev/null 2>"${TMPDIR:-/tmp}/check-doc-caddy.$$"; then
	cat "${TMPDIR:-/tmp}/check-doc-caddy.$$" >&2
	echo "check-doc: caddy does not take docs/deploy/Caddyfile" >&2
	fails=$((fails + 1))
fi
rm -f "${TMPDIR:-/tmp}/check-doc-caddy.$$"
[ "$fails" -eq 0 ] && echo "check-doc: docs/deploy.md shows docs/deploy/ verbatim"
[ "$fails" -eq 0 ]
