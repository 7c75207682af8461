#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a loopback port from the installed initdb/pg_ctl.
# Usage: eval "$(scripts/pg_throwaway.sh start [PORT])"   -> exports DATABASE_URL, FUZHI_PGDATA
#        scripts/pg_throwaway.sh stop DIR
set -euo pipefail
cmd=${1:-start}
run_as_pg() {
  # initdb refuses to run as root; use the postgres system user when we are root.
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}
case "$cmd" in
  start)
    port=${2:-55432}
    dir=$(mktemp -d /tmp/fuzhi-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    run_as_pg "initdb -D '$dir/data' -U fuzhi --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    # synchronous_commit stays on: a commit the app acknowledged must survive the
    # postmaster being killed, or the crash tests would prove nothing (issue 19). fsync
    # and full-page writes are off: they guard against the machine losing power, which
    # no test does, and the page cache survives a killed process.
    run_as_pg "pg_ctl -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=100\" start >/dev/null"
    run_as_pg "createdb -h 127.0.0.1 -p $port -U fuzhi fuzhi"
    echo "export FUZHI_PGDATA='$dir'"
    echo "export DATABASE_URL='postgres://fuzhi@127.0.0.1:$port/fuzhi'"
    ;;
  stop)
    dir=$2
    run_as_pg "pg_ctl -D '$dir/data' -m fast stop >/dev/null" || true
    rm -rf "$dir"
    ;;
esac
