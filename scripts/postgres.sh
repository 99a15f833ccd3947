#!/usr/bin/env bash
# Installs (when missing) and starts a local PostgreSQL, and creates the role and database the
# PostgreSQL tests use. Idempotent and safe to run concurrently; run as root.
# Prints only the connection string on stdout, so callers can capture it:
#   export ORLEANS_CACHE_POSTGRES="$(bash scripts/postgres.sh)"
set -euo pipefail

role=orleans
password=orleans
database=orleans_cache_test

log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "run as root (it installs and starts PostgreSQL)."
    exit 1
fi

# Several checkouts on one machine may run this at once; one at a time. The server must not
# inherit the lock (fd 9), or it would hold it for as long as it runs.
exec 9>/tmp/orleans-cache-postgres.lock
flock -w 300 9 || { log "another run holds /tmp/orleans-cache-postgres.lock"; exit 1; }

if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    log "installing PostgreSQL"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y postgresql >&2; then
        apt-get update >&2
        apt-get install -y postgresql >&2
    fi
fi

version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2 9>&-
fi

port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
    log "starting cluster $version/main on port $port"
    pg_ctlcluster "$version" main start >&2 9>&-
fi

if ! pg_isready -q -h 127.0.0.1 -p "$port" -t 30; then
    log "PostgreSQL $version/main does not answer on 127.0.0.1:$port"
    exit 1
fi

admin() { (cd / && runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAX "$@"); }

if [ "$(admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
    log "creating role $role"
    admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'" >&2
else
    admin -c "ALTER ROLE $role LOGIN PASSWORD '$password'" >&2
fi

if [ "$(admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
    log "creating database $database"
    admin -c "CREATE DATABASE $database OWNER $role" >&2
fi

echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"
