#!/usr/bin/env bash
# Sets up the machine, then runs every check the project has, and fails on
# the first one that fails:
#   formatting, clippy, the UI's type check and unit tests, a release build of
#   the app, every crate's tests, and the end-to-end test of the release build
#   under Xvfb through tauri-driver.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

started=$SECONDS
timings=()
run_step() {
  local name="$1"
  shift
  step "$name"
  local t0=$SECONDS
  if ! "$@"; then
    die "step failed: $name"
  fi
  timings+=("$(printf '%6ss  %s' "$((SECONDS - t0))" "$name")")
}

# Tests must never touch a user's real data: remember whether the app's real
# data directory exists now, and check again at the end.
real_data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/org.jianban.desktop"
real_data_dir_existed=0
[ -e "$real_data_dir" ] && real_data_dir_existed=1

run_step "setup" "$ROOT/scripts/setup.sh"
note "cargo target dir: $CARGO_TARGET_DIR"

run_step "cargo fmt --check" cargo fmt --all -- --check
# The e2e feature compiles the end-to-end test, so clippy sees it too.
run_step "cargo clippy" \
  cargo clippy --workspace --all-targets --features jianban-e2e/e2e,jianban-stats/pdf -- -D warnings
run_step "ui: typecheck" npm --prefix ui run typecheck
run_step "ui: vitest" bash -c 'cd ui && npx vitest run'
run_step "release build" build_release

# The production server binary must not read the crash test's fault seam:
# JIANBAN_FAULT_KILL_AFTER_PUSH_COMMIT is compiled in only with the
# `fault-injection` feature, which only the server's own tests turn on.
SERVER_RELEASE="$CARGO_TARGET_DIR/release/jianban-server"
server_release_build() {
  cargo build --release -p jianban-server || return 1
  if grep -q JIANBAN_FAULT_KILL_AFTER_PUSH_COMMIT "$SERVER_RELEASE"; then
    echo "the release server binary contains the fault-injection variable" >&2
    return 1
  fi
}
run_step "server release build (no fault injection)" server_release_build
# schemathesis from the server's /openapi.json against the release server
# with an office, a unit and a deputy head token (a few minutes at most).
run_step "API fuzz run (tests/fuzz)" "$ROOT/tests/fuzz/api-fuzz.sh" "$SERVER_RELEASE"

# The server's tests run against PostgreSQL too: start the local test cluster
# (scripts/pg-test.sh), and stop it at the end unless it was already running.
pg_running() {
  command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | awk '$4 == "online"' | grep -q .
}
start_test_database() {
  local was_running=0
  pg_running && was_running=1
  JIANBAN_TEST_PG_URL="$("$ROOT/scripts/pg-test.sh")" || return 1
  export JIANBAN_TEST_PG_URL
  if [ "$was_running" -eq 0 ]; then
    trap '"$ROOT/scripts/pg-test.sh" stop || true' EXIT
  fi
}
run_step "start the PostgreSQL test database" start_test_database

# Every crate's tests, and with them the end-to-end smoke test of the release
# build (tests/e2e, compiled only with its e2e feature).
export JIANBAN_APP="$APP_BINARY"
run_step "cargo test (all crates + end-to-end)" \
  cargo test --workspace --features jianban-e2e/e2e,jianban-stats/pdf

if [ "$real_data_dir_existed" -eq 0 ] && [ -e "$real_data_dir" ]; then
  die "the tests created the real data directory $real_data_dir: a test is not using a temporary directory"
fi

step "Summary"
printf '%s\n' "${timings[@]}" >&2
note "screenshot of the end-to-end run: tests/e2e/screenshots/assignments.png"
printf 'test-all: every step passed in %ss\n' "$((SECONDS - started))"
