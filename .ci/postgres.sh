#!/usr/bin/env bash
# Start a local PostgreSQL for the checkpoint tests and print its URL (nothing when impossible).
# Installs Debian's server package when missing. Loopback only; a throwaway password.
set -u
log() { echo "postgres.sh: $*" >&2; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || { log "could not install PostgreSQL; its tests will be skipped"; exit 0; }
fi
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$ver" ] || { log "no PostgreSQL server found"; exit 0; }
pg_lsclusters -h 2>/dev/null | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null 2>&1
pg_ctlcluster "$ver" main start 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$port" && break
  sleep 1
done
runuser -u postgres -- psql -q -p "$port" -c "ALTER USER postgres PASSWORD 'opsrelay-ci'" >/dev/null 2>&1 \
  || { log "PostgreSQL did not start; its tests will be skipped"; exit 0; }
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='opsrelay_test'" | grep -q 1 \
  || runuser -u postgres -- createdb -p "$port" opsrelay_test
echo "postgresql://postgres:opsrelay-ci@127.0.0.1:${port}/opsrelay_test"
