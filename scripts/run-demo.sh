#!/usr/bin/env bash
# Sets up and builds everything, starts the central server in demo mode on
# 127.0.0.1, then the desktop app connected to it, logged in as a demo
# liaison, with a local account for that unit's head (printed below).
#
#   scripts/run-demo.sh           # keeps the demo's data between runs
#   scripts/run-demo.sh --fresh   # starts again from the demo data set
#
# Data (the server's and the app's) lives in .jianban-dev/demo/ in the clone
# unless JIANBAN_DATA_DIR says otherwise. JIANBAN_DEMO_LOGIN (default
# zjj-liaison) and JIANBAN_DEMO_HEAD (default zjj-head) choose the people.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

"$ROOT/scripts/setup.sh"
build_release
step "Building the central server (release)"
(cd "$ROOT" && cargo build --release -p jianban-server)
SERVER_BINARY="$CARGO_TARGET_DIR/release/jianban-server"
[ -x "$SERVER_BINARY" ] || die "the release build did not produce $SERVER_BINARY"

DATA_DIR="${JIANBAN_DATA_DIR:-$ROOT/.jianban-dev/demo}"
if [ "$fresh" -eq 1 ] && [ -d "$DATA_DIR" ]; then
  step "Removing the previous demo data in $DATA_DIR"
  rm -rf -- "$DATA_DIR"
fi
mkdir -p "$DATA_DIR"

# --- Central server (代表履职服务平台) --------------------------------------
# Port 0: the system picks a free port; the server prints the address.
mkdir -p "$DATA_DIR/server" "$DATA_DIR/app"
SERVER_LOG="$DATA_DIR/server.log"
step "Starting the central server in demo mode (log: $SERVER_LOG)"
"$SERVER_BINARY" serve --demo --data-dir "$DATA_DIR/server" --listen 127.0.0.1:0 >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT INT TERM

SERVER_URL=""
for _ in $(seq 1 300); do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "the central server exited at start-up"; }
  SERVER_URL="$(sed -n 's/^jianban-server listening on \(http[^ ]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
  if [ -n "$SERVER_URL" ] && curl -fsS "$SERVER_URL/healthz" >/dev/null 2>&1; then
    break
  fi
  SERVER_URL=""
  sleep 0.2
done
[ -n "$SERVER_URL" ] || { cat "$SERVER_LOG" >&2; die "the central server did not answer within 60 s"; }
note "central server: $SERVER_URL"
# ---------------------------------------------------------------------------

DEMO_LOGIN="${JIANBAN_DEMO_LOGIN:-zjj-liaison}"
DEMO_HEAD="${JIANBAN_DEMO_HEAD:-zjj-head}"
DEMO_PASSWORD="${JIANBAN_DEMO_PASSWORD:-jianban-demo}"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display to open the window on. Run this in a desktop session, or on a headless machine: xvfb-run -a scripts/run-demo.sh"
fi

step "Starting 建办 connected to $SERVER_URL (data: $DATA_DIR/app, logs: $DATA_DIR/app/logs)"
note "logged in as the liaison: $DEMO_LOGIN / $DEMO_PASSWORD"
note "the head approves on this PC (审核 → 本机账号): $DEMO_HEAD / $DEMO_PASSWORD"
note "other demo logins are listed in $SERVER_LOG"
JIANBAN_DATA_DIR="$DATA_DIR/app" \
  JIANBAN_SERVER_URL="$SERVER_URL" \
  JIANBAN_DEMO_LOGIN="$DEMO_LOGIN" \
  JIANBAN_DEMO_PASSWORD="$DEMO_PASSWORD" \
  JIANBAN_DEMO_HEAD="$DEMO_HEAD" \
  "$APP_BINARY"
