#!/usr/bin/env bash
# Sets up, builds and starts the desktop app on the demo data set.
#
#   scripts/run-demo.sh           # keeps the demo's data between runs
#   scripts/run-demo.sh --fresh   # starts again from the demo data set
#
# The app loads the demo data set whenever its store is empty. Data lives in
# .jianban-dev/demo/ in the clone unless JIANBAN_DATA_DIR says otherwise.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help)
      sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

"$ROOT/scripts/setup.sh"
build_release

DATA_DIR="${JIANBAN_DATA_DIR:-$ROOT/.jianban-dev/demo}"
if [ "$fresh" -eq 1 ] && [ -d "$DATA_DIR" ]; then
  step "Removing the previous demo data in $DATA_DIR"
  rm -rf -- "$DATA_DIR"
fi
mkdir -p "$DATA_DIR"

# --- Central server (代表履职服务平台) --------------------------------------
# A later issue adds a local central server for the demo. Start it here in the
# background, wait until it answers, stop it on exit (trap), and pass its
# address to the app, e.g. export JIANBAN_SERVER_URL=http://127.0.0.1:PORT.
# ---------------------------------------------------------------------------

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display to open the window on. Run this in a desktop session, or on a headless machine: xvfb-run -a scripts/run-demo.sh"
fi

step "Starting 建办 on the demo data (data: $DATA_DIR, logs: $DATA_DIR/logs)"
JIANBAN_DATA_DIR="$DATA_DIR" exec "$APP_BINARY"
