#!/usr/bin/env bash
# A throw-away PostgreSQL 15 + PostGIS cluster for the tests, on 127.0.0.1 only, trust auth on loopback.
#
#   pg_cluster.sh start DIR [PORT]   initdb in DIR/data, start on PORT (default: a free one), create
#                                    database onemap_test; writes DIR/url (the superuser's URL)
#   pg_cluster.sh stop DIR           stop the server and remove DIR
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (made by the
# Debian package) through runuser, in a directory that user owns.
set -euo pipefail
cmd=${1:?usage: pg_cluster.sh start|stop DIR [PORT]}
dir=${2:?usage: pg_cluster.sh start|stop DIR [PORT]}
dir=$(realpath -m "$dir")
bin=${ONEMAP_PG_BIN:-/usr/lib/postgresql/15/bin}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

fail() {
  echo "pg_cluster: $*" >&2
  exit 1
}

case "$cmd" in
  start)
    [[ -x "$bin/initdb" && -x "$bin/pg_ctl" ]] || fail "no PostgreSQL 15 in $bin (install postgresql-15 postgresql-15-postgis-3; scripts/setup does)"
    [[ -f /usr/share/postgresql/15/extension/postgis.control ]] || fail "no PostGIS for PostgreSQL 15 (install postgresql-15-postgis-3)"
    if [[ $(id -u) -eq 0 ]]; then id postgres >/dev/null 2>&1 || fail "running as root but there is no 'postgres' user to run the server as"; fi
    if [[ -f "$dir/data/postmaster.pid" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    cd "$dir"  # the server's user may not be allowed into the caller's folder (e.g. a checkout under /root)
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; fail "initdb failed in $dir"; }
    # The given port, else a few random loopback ports until one is free (no fixed port: parallel runs).
    ports=${3:-}
    [[ -z "$ports" ]] && for _ in 1 2 3 4 5 6; do ports+=" $((20000 + RANDOM % 40000))"; done
    port=""
    for p in $ports; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi  # something listens there
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
           -o "-c listen_addresses=127.0.0.1 -p $p -k $dir -c fsync=off -c full_page_writes=off -c max_connections=60" start >/dev/null; then
        port=$p
        break
      fi
    done
    [[ -n "$port" ]] || { cat "$dir/server.log" >&2; fail "the server did not start on 127.0.0.1 (ports tried:$ports)"; }
    as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE onemap_test" >/dev/null \
      || fail "cannot create database onemap_test"
    echo "postgresql://postgres@127.0.0.1:$port/onemap_test" >"$dir/url.tmp"
    mv "$dir/url.tmp" "$dir/url"
    echo "pg_cluster: PostgreSQL 15 on 127.0.0.1:$port (data in $dir/data)"
    ;;
  stop)
    cd /
    if [[ -f "$dir/data/postmaster.pid" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$dir"
    echo "pg_cluster: stopped"
    ;;
  *) fail "unknown command $cmd (start|stop)" ;;
esac
