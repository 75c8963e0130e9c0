# Shared helpers for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Cargo builds go to a cache outside the clone, so a later run (or a fresh CI
# clone at the same path) reuses compiled dependencies. Override with
# CARGO_TARGET_DIR or JIANBAN_CACHE.
# Each checkout path gets its own target directory: cargo judges a workspace
# crate fresh by the mtimes of its sources, and test binaries carry their
# checkout's path (env!("CARGO_MANIFEST_DIR")), so two checkouts sharing one
# target picked up each other's binaries and read files from the other tree.
if [ "$(id -u)" -eq 0 ]; then
  JIANBAN_CACHE="${JIANBAN_CACHE:-/var/cache/jianban}"
else
  JIANBAN_CACHE="${JIANBAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jianban}"
fi
export JIANBAN_CACHE
checkout_key="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$JIANBAN_CACHE/target-$checkout_key}"

# CI builds once per checkout: incremental state would only fill the disk.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

# The desktop binary a release build produces.
APP_BINARY="$CARGO_TARGET_DIR/release/jianban"
export APP_BINARY

# cargo-installed tools (tauri-driver) live here.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root, or install sudo)"
  fi
}

# Builds the frontend and the release binary that loads it (not a dev server).
build_release() {
  step "Building the UI (ui/dist)"
  # Each command checks its own status: a caller's `if !` or `||` turns
  # `set -e` off inside this function, and an old binary must never pass
  # for a fresh one.
  npm --prefix "$ROOT/ui" run build || die "the UI build failed"
  step "Building the release app ($APP_BINARY)"
  # tauri/custom-protocol embeds ui/dist and serves it from the app itself.
  (cd "$ROOT" && cargo build --release -p jianban-app --features tauri/custom-protocol) \
    || die "the release build of the app failed"
  [ -x "$APP_BINARY" ] || die "the release build did not produce $APP_BINARY"
}
