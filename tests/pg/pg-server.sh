#!/bin/sh
# pg-server.sh start|restart|stop DIR: a throw-away PostgreSQL 15 for the
# tests (docs/deploy.md, "PostgreSQL"). start makes a cluster in DIR
# (initdb, trust authentication, listening only on a Unix socket in DIR,
# fsync on, as in production), starts it, creates the database "bandoc"
# and prints the libpq DSN on stdout. PostgreSQL refuses to run as root,
# so as root the cluster belongs to the "postgres" user that Debian's
# postgresql-15 package creates; DIR is made for it, and its parent must
# be searchable by that user (chmod 711 a mktemp -d folder). restart
# stops the server (fast: sessions are cut) and starts it again with the
# same options, waiting until it accepts connections.
set -eu
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg-server.sh start|restart|stop DIR}
dir=${2:?usage: pg-server.sh start|restart|stop DIR}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U bandoc --auth=trust \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	# No TCP: the socket in DIR only, so parallel test runs never meet.
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' \
-c max_connections=200 -c shared_buffers=32MB" start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	as_owner "$bin/createdb" -h "$dir" -U bandoc bandoc
	echo "host=$dir user=bandoc dbname=bandoc"
	;;
restart)
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w \
		restart >/dev/null
	;;
stop)
	[ -d "$dir/data" ] &&
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
*)
	echo "usage: pg-server.sh start|restart|stop DIR" >&2
	exit 2
	;;
esac
