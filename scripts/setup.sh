#!/usr/bin/env bash
# Installs what building, running and testing Jianban needs on Debian 12.
# Idempotent: installs only what is missing. Run as root, or with sudo rights.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  libxdo-dev build-essential pkg-config libssl-dev
  # end-to-end test: WebKitWebDriver, a virtual display, a session bus
  webkit2gtk-driver xvfb dbus-x11
  # checking exported PDFs; fonts for Chinese text in the window and letters
  poppler-utils qpdf fonts-noto-cjk
  # checking sealed letters: certutil makes the test NSS database pdfsig
  # trusts; zbarimg scans the printed QR code back
  libnss3-tools zbar-tools
  # the server's tests against PostgreSQL (scripts/pg-test.sh starts it)
  postgresql
  # the API fuzz run (tests/fuzz): a virtualenv for schemathesis, curl to log in
  python3-venv curl
)
TAURI_DRIVER_VERSION=2.1.0
NODE_MIN_MAJOR=20

step "Debian packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  note "all ${#APT_PACKAGES[@]} present"
else
  note "installing: ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "Rust toolchain"
command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"
cargo --version >&2
cargo fmt --version >/dev/null 2>&1 || die "rustfmt missing: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || die "clippy missing: rustup component add clippy"

step "Node.js"
command -v node >/dev/null || die "node not found: install Node.js ${NODE_MIN_MAJOR}.19 or newer"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge "$NODE_MIN_MAJOR" ] || die "Node.js $(node --version) is too old: need ${NODE_MIN_MAJOR}.19+"
note "node $(node --version), npm $(npm --version)"

step "UI dependencies (npm ci in ui/)"
# npm ci starts from scratch every time; skip it when node_modules already
# matches package-lock.json.
stamp="$ROOT/ui/node_modules/.jianban-lock.sha256"
want="$(sha256sum "$ROOT/ui/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  note "up to date"
else
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
fi

step "tauri-driver"
if command -v tauri-driver >/dev/null 2>&1; then
  note "present: $(command -v tauri-driver)"
else
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi

step "Setup done"
