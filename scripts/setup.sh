#!/usr/bin/env bash
# Installs what building and testing Sentry Tray needs on Debian 12 / Ubuntu, only what is
# missing. Idempotent; needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build the app
  pkg-config libwebkit2gtk-4.1-dev librsvg2-dev
  # run and test it headless: X server, notification daemon, Secret Service, WebDriver, tray
  # host, closing a window as a window manager does
  xvfb xauth dunst gnome-keyring libsecret-tools dbus dbus-x11 webkit2gtk-driver x11-utils
  imagemagick python3-gi gir1.2-glib-2.0 python3-xlib curl
)
TEST_ONLY=0
[ "${1:-}" = "--with-test-tools" ] && TEST_ONLY=1

scripts/apt-ensure "system packages" "${APT_PACKAGES[@]}"

# The window's front end (ui/: Svelte, TypeScript, Vite) is built with Node.js 18 or newer and
# the packages its lockfile pins, from the npm registry.
if ! command -v npm >/dev/null; then
  echo "==> installing Node.js and npm"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || {
  echo "error: the window's build needs Node.js 18 or newer; this is $(node --version)" >&2; exit 1; }
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> installing the window's npm packages (ui/package-lock.json)"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi

if [ "$TEST_ONLY" = 1 ]; then
  # The format and lint checks need rustup's components (the machine's toolchain has them;
  # a toolchain without them says so here rather than with a stranger error later).
  for tool in cargo-fmt clippy-driver; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing: rustup component add rustfmt clippy" >&2; exit 1; }
  done
  if ! command -v tauri-driver >/dev/null; then
    echo "==> installing tauri-driver (WebDriver for the real window)"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
  # Sentry's own glob and CODEOWNERS matcher, the oracle of the ownership crate's
  # differential test (crates/ownership/tests/ophio.rs), in a virtual environment of its own.
  ORACLES=target/oracles/venv
  if ! "$ORACLES/bin/python" -c "import sentry_ophio" >/dev/null 2>&1; then
    echo "==> installing sentry-ophio (Sentry's matcher, a test oracle) into $ORACLES"
    rm -rf "$ORACLES"
    python3 -m venv "$ORACLES"
    "$ORACLES/bin/pip" install --quiet --disable-pip-version-check "sentry-ophio==1.2.0"
  fi
  if ! cargo nextest --version >/dev/null 2>&1; then
    echo "==> installing cargo-nextest"
    cargo install cargo-nextest --locked --quiet
  fi
fi
