#!/usr/bin/env bash
# Desktop benchmark: builds the release app, then measures cold start to an
# interactive workbench with 10,000 assignments, the memory (PSS) of all the
# app's processes, and keystroke-to-frame latency in the reply editor, under
# Xvfb through tauri-driver. Results go to standard output; BENCHMARKS.md
# records them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
build_release
export JIANBAN_APP="$APP_BINARY"
cargo run --release -p jianban-e2e --features e2e --bin desktop-bench
