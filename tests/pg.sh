#!/bin/sh
# tests/pg.sh: a throw-away PostgreSQL server for the tests (Debian's
# postgresql package): initdb in a new directory, a unix socket only
# (listen_addresses ''), trust for local connections, a role and a
# database both named samotop.
#
#   sh tests/pg.sh start      prints the server's directory on line 1,
#                             the store's URI on line 2 and psql on
#                             line 3 (not Debian's slow wrapper); exit 77
#                             when PostgreSQL's programs are not here
#   sh tests/pg.sh stop DIR   stops that server by its pid, removes DIR
#   sh tests/pg.sh halt DIR   stops it, keeps DIR (the database is down)
#   sh tests/pg.sh resume DIR starts it again
#   sh tests/pg.sh sql DIR SQL...   runs SQL through psql
#
# PostgreSQL refuses to run as root: run as root (as CI does), the
# server runs as nobody, in a directory of its own under /tmp that
# nobody can reach.  PG_BIN names another installation's bin directory.
# fsync is off (a test's database need not survive a power cut) unless
# PG_DURABLE=1.
set -eu

bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V |
    tail -n 1)}

as_server() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

# run_server DIR: start the server of DIR; return once it takes connections.
run_server() {
	# (pg_ctl runs -o through sh -c: one line, or the rest is lost)
	opts="-c listen_addresses='' -k $1/sock -c synchronous_commit=off"
	opts="$opts -c max_connections=300"
	# PG_DURABLE=1 (bench/store.py): fsync as in production
	[ "${PG_DURABLE:-}" = 1 ] ||
		opts="$opts -c fsync=off -c full_page_writes=off"
	as_server "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w \
	    -o "$opts" start >/dev/null ||
	    { cat "$1/server.log" >&2; exit 1; }
}

# halt DIR: stop the server of DIR by its pid, waiting for its end.
halt() {
	pid=$(pid_of "$1")
	if [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	return 0
}

pid_of() {
	sed -n 1p "$1/data/postmaster.pid" 2>/dev/null || :
}

case "${1:-}" in
start)
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] ||
	    [ ! -x "$bin/pg_ctl" ] || [ ! -x "$bin/psql" ]; then
		echo "pg.sh: no PostgreSQL server programs" \
		    "(apt-get install postgresql)" >&2
		exit 77
	fi
	dir=$(mktemp -d /tmp/samotop-pg.XXXXXX)
	chmod 0755 "$dir"
	mkdir "$dir/sock"
	[ "$(id -u)" -ne 0 ] || chown nobody:nogroup "$dir" "$dir/sock"
	as_server "$bin/initdb" -D "$dir/data" -U samotop --auth=trust \
	    -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	run_server "$dir"
	"$bin/psql" -qAt -h "$dir/sock" -U samotop -d postgres \
	    -c 'CREATE DATABASE samotop' >/dev/null
	echo "$dir"
	echo "postgresql:///samotop?host=$dir/sock&user=samotop"
	echo "$bin/psql"
	;;
stop)
	dir=$2
	case $dir in
	/tmp/samotop-pg.*) ;;
	*) echo "pg.sh: $dir?" >&2; exit 2 ;;
	esac
	halt "$dir"
	rm -rf "$dir"
	;;
halt)
	halt "$2"
	;;
resume)
	run_server "$2"
	;;
sql)
	dir=$2
	shift 2
	"$bin/psql" -qAt -v ON_ERROR_STOP=1 -h "$dir/sock" -U samotop \
	    -d samotop -c "$*"
	;;
*)
	echo "usage: pg.sh start | stop DIR | halt DIR | resume DIR |" \
	    "sql DIR SQL" >&2
	exit 2
	;;
esac
