#!/bin/sh
# run-test.sh COMMAND [ARGS...]: runs a test against a throw-away
# PostgreSQL 15 (pg-server.sh) in a new temporary folder, and stops the
# server and removes the folder afterwards, also when the test fails or
# the script is interrupted. The test finds the libpq DSN in
# BANDOC_TEST_PG_DSN and the command that restarts the server (to test
# reconnecting) in BANDOC_TEST_PG_RESTART. Exits with the test's status,
# or 77 (skipped) when PostgreSQL 15 is not installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/initdb" ]; then
	echo "run-test.sh: $bin/initdb not found (apt-get install postgresql-15)" >&2
	exit 77
fi
tmp=$(mktemp -d /tmp/bandoc-pg-XXXXXX)
# As root the cluster runs as "postgres", which must reach tmp/pg.
chmod 711 "$tmp"
cleanup() {
	"$here/pg-server.sh" stop "$tmp/pg" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
dsn=$("$here/pg-server.sh" start "$tmp/pg")
rc=0
BANDOC_TEST_PG_DSN=$dsn BANDOC_TEST_PG_RESTART="$here/pg-server.sh restart $tmp/pg" \
	"$@" || rc=$?
exit $rc
