#!/usr/bin/env bash
# Makes sure Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting the
# Debian packages' servers where they do not (installing them on a machine without them).
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }
apt_install() {
  if command -v apt-get >/dev/null; then
    [ -n "${ROLLSAFE_APT_UPDATED:-}" ] || { apt-get update -qq; ROLLSAFE_APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

if ! command -v pg_isready >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if ! pg_up 2>/dev/null; then apt_install postgresql; fi
fi
if ! pg_up; then
  echo "== starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for pg_up || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
echo "== PostgreSQL answers on 127.0.0.1:5432"

# The tests connect as postgres over TCP without a password (trust), as the development and
# CI machines are set up. A cluster this script installed asks for a password: trust local
# TCP connections on it, as the machines do.
pg_login() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
if command -v psql >/dev/null && ! pg_login; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | sort -V | tail -1)
  if [ -n "$hba" ] && [ -w "$hba" ]; then
    echo "== trusting local TCP connections in $hba (as the CI machines do)"
    sed -i -E 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1\/32|::1\/128)[[:space:]]+)[a-z0-9-]+/\1trust/' "$hba"
    version=$(basename "$(dirname "$(dirname "$hba")")")
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    wait_for pg_login || { echo "cannot log in to PostgreSQL as postgres on 127.0.0.1" >&2; exit 1; }
  else
    echo "cannot log in to PostgreSQL as postgres on 127.0.0.1 without a password; allow it (trust) in pg_hba.conf" >&2
    exit 1
  fi
fi

if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
if ! redis_up; then
  echo "== starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for redis_up || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
fi
echo "== Redis answers on 127.0.0.1:6379"

# pgbench (Debian's postgresql-contrib) for bench/load: the raw keyset query it compares the
# API's pages with. Postgres's binaries (initdb, pg_ctl) for chaos/run.mjs, which starts its
# own Postgres.
if ! command -v pgbench >/dev/null && ! ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1; then apt_install postgresql-contrib; fi
echo "== pgbench and pg_ctl under /usr/lib/postgresql/*/bin"

# Headless Chromium for the SVG timeline render test (libs/simulator/test/svg-render.spec.ts,
# driven by playwright-core, which downloads no browser).
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
echo "== Chromium at /usr/bin/chromium"
