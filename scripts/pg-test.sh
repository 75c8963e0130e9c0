#!/usr/bin/env bash
# Starts a PostgreSQL test cluster on 127.0.0.1:5432 (Debian 12, as root),
# creates the test role and database, and prints the database URL:
#
#   export JIANBAN_TEST_PG_URL="$(scripts/pg-test.sh)"     # start (idempotent)
#   scripts/pg-test.sh stop                                # stop the cluster
#
# Installs the `postgresql` package when it is missing. Only the URL goes to
# standard output; progress goes to standard error.
set -euo pipefail

ROLE=jianban_test
PASSWORD=jianban_test
DB=jianban_test
PORT=5432

log() { echo "pg-test: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run as root (it installs and starts the PostgreSQL cluster)"
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
if [ -z "$version" ]; then
  log "no PostgreSQL cluster found under /etc/postgresql"
  exit 1
fi

if [ "${1:-start}" = "stop" ]; then
  if pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    pg_ctlcluster "$version" main stop >&2
    log "stopped cluster $version/main"
  else
    log "cluster $version/main is not running"
  fi
  exit 0
fi

if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start >&2
  log "started cluster $version/main"
fi

# Wait until it accepts connections (bounded).
for _ in $(seq 1 50); do
  if runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    break
  fi
  sleep 0.2
done
runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p "$PORT" || { log "PostgreSQL did not start"; exit 1; }

psql_admin() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@") >&2; }

# TLS for the server's PostgreSQL TLS test (crates/server/tests/server/pg_tls.rs):
# a test CA, a server certificate it signed for 127.0.0.1 and localhost, and a
# second CA that signed nothing (the "wrong CA"). Made once; the test reads the
# CA files from this folder.
TLS_DIR=/var/lib/postgresql/jianban-test-tls
if [ ! -f "$TLS_DIR/server.pem" ]; then
  log "making the test TLS certificates in $TLS_DIR"
  mkdir -p "$TLS_DIR"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=jianban test CA" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" 2>/dev/null
  openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=jianban wrong CA" \
    -keyout "$TLS_DIR/other-ca.key" -out "$TLS_DIR/other-ca.pem" 2>/dev/null
  openssl req "${ec[@]}" -subj "/CN=127.0.0.1" \
    -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
    "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" >"$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
    -CAcreateserial -days 3650 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
  chown -R postgres:postgres "$TLS_DIR"
  chmod 755 "$TLS_DIR"
  chmod 600 "$TLS_DIR"/*.key
  chmod 644 "$TLS_DIR"/*.pem
fi
if [ "$( (cd / && runuser -u postgres -- psql -X -tA -p "$PORT" -c 'SHOW ssl_cert_file'))" != "$TLS_DIR/server.pem" ]; then
  psql_admin -c "ALTER SYSTEM SET ssl = on" \
    -c "ALTER SYSTEM SET ssl_cert_file = '$TLS_DIR/server.pem'" \
    -c "ALTER SYSTEM SET ssl_key_file = '$TLS_DIR/server.key'" \
    -c "SELECT pg_reload_conf()"
  sleep 0.5
  log "TLS on with the test certificate ($TLS_DIR)"
fi

if ! (cd / && runuser -u postgres -- psql -X -tA -p "$PORT" -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'") | grep -q 1; then
  psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if ! (cd / && runuser -u postgres -- psql -X -tA -p "$PORT" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") | grep -q 1; then
  psql_admin -c "CREATE DATABASE $DB OWNER $ROLE"
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
