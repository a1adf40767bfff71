#!/usr/bin/env bash
# Why: API and activity tests run against a real PostgreSQL (the design rules out fakes),
# and they must not depend on whatever database a developer or CI box happens to run.
# This keeps a private, throw-away cluster under .cache/postgres-test, tuned for speed
# (no fsync), bound to loopback only, and prints its URL as the last line of stdout.
#
# Idempotent: when the cluster is already up on the right port it only checks that the
# database exists (well under a second).
#
# Env: PACER_TEST_PG_PORT (default 54329)
#      PACER_TEST_PG_DATA  (default .cache/postgres-test/data)
set -euo pipefail

PORT="${PACER_TEST_PG_PORT:-54329}"
DB=pacer_test
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.cache/postgres-test"
PGDATA="${PACER_TEST_PG_DATA:-$BASE/data}"

say() { echo "[ensure-test-postgres] $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

[[ "$PORT" =~ ^[0-9]+$ ]] || die "PACER_TEST_PG_PORT must be a number, got '$PORT'"

IS_ROOT=false
[[ "$(id -u)" == 0 ]] && IS_ROOT=true
give_to_pg() { if $IS_ROOT; then chown postgres: "$@"; fi; }

find_bindir() {
  local initdb
  initdb="$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] && dirname "$initdb"
}

BINDIR="$(find_bindir || true)"
if [[ -z "$BINDIR" ]]; then
  $IS_ROOT || die "no PostgreSQL server binaries under /usr/lib/postgresql and not root to apt-get install postgresql"
  say "PostgreSQL server binaries not found; installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BINDIR="$(find_bindir || true)"
  [[ -n "$BINDIR" ]] || die "apt-get install postgresql did not provide initdb under /usr/lib/postgresql/*/bin"
fi

# PostgreSQL refuses to run as root: as root we act as the `postgres` system user.
if $IS_ROOT; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to own the cluster"
  if command -v runuser >/dev/null; then
    as_pg() { runuser -u postgres -- "$@"; }
  else
    as_pg() { su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; }
  fi
else
  as_pg() { "$@"; }
fi

mkdir -p "$BASE"
# Serialise concurrent callers (two test runs starting together) on one cluster.
if command -v flock >/dev/null; then
  exec 9>"$BASE/.lock"
  flock 9
fi

# The server runs as `postgres`, which must be able to reach the data directory. A
# checkout under /root (mode 700) is out of its reach: fall back to a per-checkout
# directory under /var/tmp rather than failing on a fresh CI box.
if $IS_ROOT && [[ -z "${PACER_TEST_PG_DATA:-}" ]] && ! as_pg test -x "$BASE"; then
  PGDATA="/var/tmp/pacer-postgres-test-$(echo -n "$ROOT" | md5sum | cut -c1-12)/data"
  say "user postgres cannot reach $BASE; using $PGDATA instead"
fi
LOGFILE="$(dirname "$PGDATA")/postgres.log"

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  say "creating a test cluster in $PGDATA ($("$BINDIR/postgres" --version))"
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  give_to_pg "$PGDATA" "$(dirname "$PGDATA")"
  chmod 700 "$PGDATA"
  as_pg "$BINDIR/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >&2 ||
    die "initdb failed"
  cat >>"$PGDATA/postgresql.conf" <<EOF

# --- Pacer test cluster (scripts/ensure-test-postgres.sh) ---
# Loopback TCP only, no Unix socket: nothing but this machine's tests can connect, and
# the socket cannot collide with a system cluster.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
# Throw-away data: durability buys nothing here and costs seconds per test run.
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  # Trust, but only for loopback TCP; local (socket) lines are moot without a socket.
  cat >"$PGDATA/pg_hba.conf" <<EOF
# Pacer test cluster: trust loopback only.
host    all    all    127.0.0.1/32    trust
EOF
  give_to_pg "$PGDATA/postgresql.conf" "$PGDATA/pg_hba.conf"
fi

# Line 4 of postmaster.pid is the port the running server listens on.
running_port() { sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true; }

if as_pg "$BINDIR/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  if [[ "$(running_port)" != "$PORT" ]]; then
    say "test cluster is running on port $(running_port); restarting it on $PORT"
    as_pg "$BINDIR/pg_ctl" -D "$PGDATA" -m fast -w stop >&2 || die "could not stop the test cluster"
  fi
fi
if ! as_pg "$BINDIR/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  say "starting the test cluster on 127.0.0.1:$PORT (log: $LOGFILE)"
  touch "$LOGFILE"
  give_to_pg "$LOGFILE"
  # 9>&-: the server would otherwise inherit the lock descriptor and hold the lock forever.
  as_pg "$BINDIR/pg_ctl" -D "$PGDATA" -l "$LOGFILE" -o "-p $PORT" -w -t 60 start >&2 9>&- ||
    die "pg_ctl start failed (is port $PORT taken?); last log lines:
$(tail -n 20 "$LOGFILE" 2>/dev/null)"
fi

PSQL=("$BINDIR/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
exists="$("${PSQL[@]}" -tAc "select 1 from pg_database where datname = '$DB'")" ||
  die "cannot connect to the test cluster on 127.0.0.1:$PORT"
if [[ "$exists" != 1 ]]; then
  say "creating database $DB"
  "${PSQL[@]}" -c "create database $DB" >&2 || die "create database $DB failed"
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB"
