#!/usr/bin/env bash
# API fuzz run: schemathesis generates requests from the server's own
# /openapi.json and sends them to a real `jianban-server serve --demo` on
# 127.0.0.1, once with each kind of token (office staff, a unit's liaison, a
# unit's deputy head 分管领导). It fails when any answer is a 5xx, has a status
# code the document does not list for the operation, or a body or content
# type that does not match the declared schema.
#
#   tests/fuzz/api-fuzz.sh [SERVER_BINARY]     (default: the release build)
#
# Bounded: each of the three runs has a time budget (JIANBAN_FUZZ_SECONDS,
# default 50 s) and the whole script a hard timeout. schemathesis is pinned
# and installed from PyPI into a virtualenv under the build cache.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

SCHEMATHESIS_VERSION=4.32.5
SECONDS_PER_RUN="${JIANBAN_FUZZ_SECONDS:-50}"
SERVER="${1:-$CARGO_TARGET_DIR/release/jianban-server}"
[ -x "$SERVER" ] || die "no server binary at $SERVER: cargo build --release -p jianban-server"

venv="$JIANBAN_CACHE/fuzz-venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  note "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A deputy head (分管领导) is not in the demo data: add one to the unit fgw.
"$SERVER" demo --data-dir "$work/data" >/dev/null
printf 'fuzz-password-1\n' | "$SERVER" add-user --data-dir "$work/data" \
  --id fgw-deputy --name 测试分管领导 --role deputy_head --unit fgw >/dev/null

JIANBAN_LOG=warn "$SERVER" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
base=""
for _ in $(seq 1 100); do
  base="$(sed -n 's/^jianban-server listening on //p' "$work/stdout" | head -1)"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "the server did not start"; }
  sleep 0.1
done
[ -n "$base" ] || die "the server did not print its address"
note "server at $base"

login() { # user password -> access token
  curl -sS --fail-with-body -H 'Content-Type: application/json' -H 'X-Jianban-Protocol: 1' \
    -d "{\"username\":\"$1\",\"password\":\"$2\",\"device_id\":\"fuzz-$1\",\"device_name\":\"fuzz\"}" \
    "$base/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

failed=0
run_as() { # label user password
  local token
  token="$(login "$2" "$3")" || die "login as $2 failed"
  step "fuzzing /openapi.json as $1 ($2), ${SECONDS_PER_RUN}s"
  # Operations that end the caller's own session or lock accounts would
  # leave the rest of the run answering 401; they are fuzzed last by the
  # office run only through their declared answers (no exclusions needed:
  # a 401 is declared everywhere).
  if ! SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/tests/fuzz" \
    timeout $((SECONDS_PER_RUN + 60)) "$venv/bin/schemathesis" run "$base/openapi.json" \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-time "$SECONDS_PER_RUN" \
    --request-timeout 10 \
    --workers 2 \
    --suppress-health-check all \
    --no-color \
    -H "Authorization: Bearer $token" \
    -H "X-Jianban-Protocol: 1" \
    --report junit --report-dir "$work/report-$1" >"$work/fuzz-$1.log" 2>&1; then
    failed=1
    tail -n 400 "$work/fuzz-$1.log" >&2
    note "schemathesis found problems as $1 (full log above)"
  else
    tail -n 15 "$work/fuzz-$1.log" >&2
  fi
}

run_as unit fgw-liaison jianban-demo
run_as deputy fgw-deputy fuzz-password-1
run_as office office1 jianban-demo

if grep -q 'panicked' "$work/server.log"; then
  grep -B2 -A5 'panicked' "$work/server.log" >&2
  failed=1
fi
[ "$failed" -eq 0 ] || die "the API fuzz run found problems"
printf 'api-fuzz: no 5xx, every answer as the OpenAPI document declares\n'
