#!/usr/bin/env bash
# A throw-away PostgreSQL for development and tests, on 127.0.0.1 and a free port, from Debian's
# postgresql package (installed when missing and run as root). Nothing here is for production:
# docs/DEPLOYMENT.md describes a real database.
#
#   scripts/dev-postgres.sh start        starts it (or finds it running) and prints its URL
#   scripts/dev-postgres.sh url [--jdbc] prints the URL of the running one
#   scripts/dev-postgres.sh stop         stops it and removes every file it made
#   scripts/dev-postgres.sh createdb NAME adds an empty database NAME and prints its URL
#
# The URL is postgresql://ztchat:PASSWORD@127.0.0.1:PORT/ztchat, which `ztchat server --store`
# takes as it is; --jdbc prints the same as jdbc:postgresql://127.0.0.1:PORT/ztchat?user=...
# ZTCHAT_PG_STATE names the folder that remembers a running instance (default
# ${TMPDIR:-/tmp}/ztchat-dev-postgres), so several can run side by side. PostgreSQL refuses to
# run as root: as root, the cluster lives in a folder owned by the `postgres` user and its
# programs run as that user.
set -euo pipefail

STATE="${ZTCHAT_PG_STATE:-${TMPDIR:-/tmp}/ztchat-dev-postgres}"

die() {
  echo "dev-postgres: $*" >&2
  exit 1
}

pg_bin() {
  local d
  if [ -n "${ZTCHAT_PG_BIN:-}" ]; then
    [ -x "$ZTCHAT_PG_BIN/initdb" ] || die "ZTCHAT_PG_BIN=$ZTCHAT_PG_BIN holds no initdb"
    echo "$ZTCHAT_PG_BIN"
    return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
  fi
}

ensure_installed() {
  if [ -n "$(pg_bin)" ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    die "PostgreSQL is not installed; run as root, or: sudo apt-get install -y postgresql"
  fi
  echo "dev-postgres: installing PostgreSQL (Debian package postgresql)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || die "installing the Debian package postgresql failed; install it and try again"
  [ -n "$(pg_bin)" ] || die "the postgresql package gave no initdb under /usr/lib/postgresql"
}

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [ -f "$STATE/datadir" ] || return 1
  local bin
  bin="$(pg_bin)"
  [ -n "$bin" ] || return 1
  as_owner "$bin/pg_ctl" -D "$(cat "$STATE/datadir")/data" status >/dev/null 2>&1
}

url() {
  [ -f "$STATE/url" ] || die "no PostgreSQL started from $STATE; run: $0 start"
  if [ "${1:-}" = "--jdbc" ]; then
    cat "$STATE/jdbc"
  else
    cat "$STATE/url"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if running; then
    url
    return
  fi
  if [ -f "$STATE/datadir" ]; then
    stop >/dev/null # a stale one (killed, or the machine rebooted): start afresh
  fi
  ensure_installed
  local bin dir pass port tries
  bin="$(pg_bin)"
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || die "no postgres user (the Debian package makes it)"
  fi
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  # outside $STATE: as root it must be reachable by the postgres user, whatever $STATE is in
  dir="$(mktemp -d "${TMPDIR:-/tmp}/ztchat-pg-XXXXXX")"
  echo "$dir" >"$STATE/datadir"
  chmod 755 "$dir"
  pass="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  (umask 077 && echo "$pass" >"$dir/pwfile")
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$dir"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U ztchat --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
  rm -f "$dir/pwfile"
  tries=0
  while :; do
    tries=$((tries + 1))
    port=$((20000 + RANDOM % 40000))
    port_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir" \
      start >/dev/null 2>&1; then
      break
    fi
    [ "$tries" -lt 5 ] || { cat "$dir/server.log" >&2 || true; die "PostgreSQL did not start"; }
  done
  as_owner env PGPASSWORD="$pass" "$bin/createdb" -w -h 127.0.0.1 -p "$port" \
    -U ztchat ztchat || die "creating the database ztchat failed"
  (
    umask 077
    echo "postgresql://ztchat:$pass@127.0.0.1:$port/ztchat" >"$STATE/url"
    echo "jdbc:postgresql://127.0.0.1:$port/ztchat?user=ztchat&password=$pass" >"$STATE/jdbc"
  )
  url
}

stop() {
  local bin dir
  if [ ! -f "$STATE/datadir" ]; then
    return 0 # nothing started: nothing to do
  fi
  dir="$(cat "$STATE/datadir")"
  bin="$(pg_bin)"
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case "$dir" in
    "${TMPDIR:-/tmp}"/ztchat-pg-*) rm -rf "$dir" ;;
    *) echo "dev-postgres: not removing unexpected folder $dir" >&2 ;;
  esac
  rm -rf "$STATE"
}

createdb() {
  local name="$1" bin port pass
  [[ "$name" =~ ^[a-z][a-z0-9_]{0,62}$ ]] || die "createdb: NAME must be a-z, 0-9 and _, starting with a letter"
  running || die "no PostgreSQL running from $STATE; run: $0 start"
  bin="$(pg_bin)"
  port="$(sed -n 's|.*@127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$STATE/url")"
  pass="$(sed -n 's|^postgresql://ztchat:\([^@]*\)@.*|\1|p' "$STATE/url")"
  as_owner env PGPASSWORD="$pass" "$bin/createdb" -w -h 127.0.0.1 -p "$port" -U ztchat "$name" \
    </dev/null || die "creating the database $name failed"
  sed "s|/ztchat\$|/$name|" "$STATE/url"
}

case "${1:-}" in
  start) start ;;
  createdb) createdb "${2:-}" ;;
  stop) stop ;;
  url) url "${2:-}" ;;
  *)
    echo "usage: $0 start|stop|url [--jdbc]|createdb NAME" >&2
    exit 2
    ;;
esac
