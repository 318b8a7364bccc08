#!/bin/sh
# A throwaway PostgreSQL server for the tests: initdb into DIR, trust
# authentication, listening on a free port of 127.0.0.1 and on a unix
# socket in DIR only.  Run as root, the server runs as the postgres user
# (it refuses root).  `start` prints the URL for LDN_TEST_PG; `stop` stops
# the server and removes DIR.
#   scripts/pg.sh start|stop [DIR]     (default DIR: /tmp/ldn-pg-$(id -u))
set -eu
cmd=${1:-}
dir=${2:-/tmp/ldn-pg-$(id -u)}
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac

bin=${PGBIN:-}
if [ -z "$bin" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && bin=$d
	done
fi
if [ -z "$bin" ]; then
	bin=$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")
fi
if [ ! -x "$bin/initdb" ]; then
	echo "pg.sh: no PostgreSQL server (initdb) found; install postgresql" >&2
	exit 1
fi

# Run a server program as its owner: postgres when we are root.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
start)
	if [ -f "$dir/url" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status \
		>/dev/null 2>&1; then
		cat "$dir/url"
		exit 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir/sock"
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres "$dir"
	fi
	chmod 700 "$dir"
	if ! as_owner test -w "$dir/sock"; then
		echo "pg.sh: the server's user cannot reach $dir; use a DIR" \
			"under /tmp" >&2
		rm -rf "$dir"
		exit 1
	fi
	port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
		--locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k '$dir/sock'" \
		start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "postgresql://postgres@127.0.0.1:$port/postgres" |
		as_owner tee "$dir/url"
	;;
stop)
	if [ -d "$dir/data" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop \
			>/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: scripts/pg.sh start|stop [DIR]" >&2
	exit 64
	;;
esac
