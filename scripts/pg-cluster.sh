#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: in a temporary folder, on a free loopback port,
# password-protected (scram-sha-256), stopped and deleted afterwards.
#
#   scripts/pg-cluster.sh install          install PostgreSQL from Debian when initdb is missing (exit 1 if it cannot)
#   scripts/pg-cluster.sh start            start a cluster; prints the folder; its env file exports RETREAT_TEST_POSTGRES and PGPASSWORD
#   scripts/pg-cluster.sh stop [FOLDER]    stop the cluster (the one `start` recorded in .build/pg-cluster) and delete its folder
#   scripts/pg-cluster.sh run -- CMD...    install when missing, start, run CMD with the cluster's variables, stop; when PostgreSQL
#                                          cannot be had, prints why and runs CMD without them (the PostgreSQL tests then say they skip)
#
# initdb and pg_ctl refuse to run as root (CI runs as root): then they run as the `postgres` account that
# Debian's package creates. PG_FAST=1 turns fsync off (tests only; benchmarks keep the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=.build/pg-cluster

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

install() {
  if bindir >/dev/null && contrib_ok; then return 0; fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "PostgreSQL is not installed and installing it needs root (apt-get install postgresql postgresql-contrib)" >&2
      return 1
    fi
  fi
  echo "installing PostgreSQL from Debian (postgresql, postgresql-contrib)" >&2
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-contrib >&2 || {
    echo "apt-get could not install postgresql" >&2
    return 1
  }
  bindir >/dev/null
}

# btree_gist ships in Debian's postgresql-NN package (contrib modules); check its control file.
contrib_ok() {
  local d
  d=$(bindir) || return 1
  local ver
  ver=$(basename "$(dirname "$d")")
  [ -f "/usr/share/postgresql/$ver/extension/btree_gist.control" ]
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local record="${1:-1}" bin
  bin=$(bindir) || { echo "PostgreSQL's initdb was not found" >&2; return 1; }
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "running as root and there is no postgres account to run the cluster as" >&2
    return 1
  fi
  local dir
  dir=$(mktemp -d /tmp/retreat-pg.XXXXXX)
  chmod 0700 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  local password
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$password" >"$dir/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
  chmod 0600 "$dir/pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U retreat --auth=scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  }
  rm -f "$dir/pwfile"
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/sock"
  local extra="" tls=""
  [ "${PG_FAST:-0}" = 1 ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # With PG_TLS=1 (the default) the server insists on TLS over TCP (a self-signed certificate for 127.0.0.1), so
  # every test also shows that clients use TLS when the server asks for it.
  if [ "${PG_TLS:-1}" = 1 ] && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1
    chmod 0600 "$dir/server.key"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/server.key" "$dir/server.crt"
    cat >"$dir/data/pg_hba.conf" <<HBA
local all all scram-sha-256
hostssl all all 127.0.0.1/32 scram-sha-256
hostnossl all all 127.0.0.1/32 reject
HBA
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/data/pg_hba.conf"
    extra="$extra -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    tls="$dir/server.crt"
  fi
  local port tries=0
  while :; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/sock -c max_connections=200 $extra" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ $tries -ge 3 ]; then
      tail -20 "$dir/server.log" >&2 || true
      rm -rf "$dir"
      return 1
    fi
  done
  PGPASSWORD="$password" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U retreat -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE retreat_test" >/dev/null
  PGPASSWORD="$password" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U retreat -d retreat_test -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION IF NOT EXISTS btree_gist" >/dev/null
  {
    echo "export RETREAT_TEST_POSTGRES=postgres://retreat@127.0.0.1:$port/retreat_test"
    echo "export PGPASSWORD=$password"
    echo "export RETREAT_PG_BIN=$bin"
    echo "export RETREAT_PG_PORT=$port"
    echo "export RETREAT_TEST_POSTGRES_TLS=$tls"
  } >"$dir/env"
  chmod 0600 "$dir/env"
  if [ "$record" = 1 ]; then
    mkdir -p "$(dirname "$STATE")"
    echo "$dir" >"$STATE"
  fi
  echo "$dir"
}

stop() {
  local dir="${1:-}"
  if [ -z "$dir" ] && [ -f "$STATE" ]; then dir=$(cat "$STATE"); fi
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  local bin
  bin=$(bindir) || true
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  case "$dir" in /tmp/retreat-pg.*) rm -rf "$dir" ;; esac
  if [ -f "$STATE" ] && [ "$(cat "$STATE")" = "$dir" ]; then rm -f "$STATE"; fi
}

run() {
  [ "${1:-}" = "--" ] && shift
  if [ -n "${RETREAT_TEST_POSTGRES:-}" ]; then
    echo "PostgreSQL: using RETREAT_TEST_POSTGRES as given" >&2
    "$@"
    return $?
  fi
  local dir="" why=""
  if ! install; then
    why="PostgreSQL could not be installed"
  elif ! dir=$(start 0); then
    why="the throwaway PostgreSQL cluster did not start"
    dir=""
  fi
  if [ -z "$dir" ]; then
    echo "SKIP: PostgreSQL half of the store tests: $why; the SQLite half runs" >&2
    "$@"
    return $?
  fi
  CLUSTER_DIR=$dir
  trap 'stop "$CLUSTER_DIR"' EXIT
  echo "PostgreSQL: throwaway cluster in $dir" >&2
  local rc=0
  (
    # shellcheck disable=SC1091
    . "$dir/env"
    "$@"
  ) || rc=$?
  return $rc
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) shift; stop "${1:-}" ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 install | start | stop [FOLDER] | run -- CMD..." >&2; exit 64 ;;
esac
