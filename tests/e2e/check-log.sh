#!/usr/bin/env bash
# After a full e2e run: the daemon's log (log_format = json) is one JSON
# object a line, and holds no secret, token, password, proof of work or
# e-mail address, though the run used all of them.
#
#   tests/e2e/check-log.sh LOG CONFIG SECRETS DB
set -euo pipefail
log=$1 conf=$2 secrets=$3 db=$4
fail=0
bad() {
	echo "check-log: $*" >&2
	fail=1
}

[ -s "$log" ] || {
	echo "check-log: $log is empty" >&2
	exit 1
}
lines=$(wc -l <"$log")
# Every line an object with ts and level; access lines with a request id.
if ! jq -e -s 2>/dev/null 'all(.[]; type == "object" and (.ts | type) == "string"
	and (.level | type) == "string"
	and (if .type == "access" then (.request_id | type) == "string"
	     else (.msg | type) == "string" end))' "$log" >/dev/null; then
	bad "a line that is not a JSON log object:"
	jq -c -R 'fromjson? // "NOT JSON: \(.)"' "$log" | grep -m3 '^"NOT JSON' >&2 || true
fi
access=$(jq -R -r 'fromjson? | select(.type == "access") | .request_id' "$log" | wc -l)
[ "$access" -gt 100 ] || bad "only $access access lines in $lines"

# Literal secrets (#1 the master key, then the config's, the passwords,
# the e-mail addresses): the master key, every site secret of the config, the
# passwords the admin tests use.
needles=()
needles+=("$(sed -n 's/^master = //p' "$secrets")")
while read -r v; do needles+=("$v"); done < <(sed -n 's/^\(webhook_\)\{0,1\}secret = //p' "$conf")
needles+=("Mật khẩu" "dung-mat-khau")
# Every e-mail address readers gave (the comments in the database).
while read -r v; do [ -n "$v" ] && needles+=("$v"); done < <(
	sqlite3 -cmd '.timeout 5000' "$db" "SELECT DISTINCT email FROM comment WHERE email != ''")
i=0
for n in "${needles[@]}"; do
	i=$((i + 1))
	[ -n "$n" ] || continue
	# Not printed: the value is the secret.
	if grep -qF -- "$n" "$log"; then
		bad "the log holds secret value #$i (${#n} characters)"
	fi
done
[ "${#needles[@]}" -gt 5 ] || bad "too few secrets to look for (${#needles[@]})"
# Shapes: CAPTCHA tokens, ALTCHA payloads (base64 of {"algorithm"),
# e-mail addresses of any kind, session cookies.
for re in 'b1\.[A-Za-z0-9_-]{40,}' 'eyJhbGdvcml0aG0i' \
	'[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+' 'bandoc_session='; do
	if grep -qE -- "$re" "$log"; then
		bad "the log matches /$re/: $(grep -oE -m1 -- "$re" "$log" | head -c 24)…"
	fi
done
((fail == 0)) || exit 1
echo "check-log: $lines JSON lines ($access requests), none with a secret (${#needles[@]} values and 4 shapes looked for)"
