#!/usr/bin/env bash
# The app's memory at rest, as the user's machine would count it: PSS summed over the app and
# all its children (WebKit's processes among them), from /proc/*/smaps_rollup, after 30 s idle
# each: started in the tray only, with the window open, and after the window was closed.
#   bench/footprint.sh [BINARY]     (default: a release build, made if missing)
# Runs its own private desktop session (Xvfb, D-Bus, dunst, keyring) like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SENTRY_TRAY_DESKTOP:-}" != 1 ]; then
  scripts/setup.sh
  dpkg-query -W -f='${Status}' python3-xlib 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-xlib >/dev/null
  BIN=${1:-target/release/sentry-tray}
  [ -x "$BIN" ] || cargo build --release --locked --bin sentry-tray
  exec dbus-run-session -- scripts/desktop-session.sh bash "$0" "$BIN"
fi
BIN=$1
IDLE=${FOOTPRINT_IDLE_SECONDS:-30}

pss() {  # PSS in MB of $1 and every descendant
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}
webkit() { local n; n=$(pgrep -P "$1" -c -f WebKit 2>/dev/null) || true; echo "${n:-0}"; }
close_window() {
  /usr/bin/python3 - <<'PY'
from Xlib import display, X, protocol
d = display.Display(); root = d.screen().root
def find(w):
    try:
        if w.get_wm_name() == "Sentry Tray": return w
    except Exception: pass
    for c in w.query_tree().children:
        r = find(c)
        if r: return r
w = find(root)
if w:
    p = d.intern_atom("WM_PROTOCOLS"); dw = d.intern_atom("WM_DELETE_WINDOW")
    w.send_event(protocol.event.ClientMessage(window=w, client_type=p, data=(32, [dw, X.CurrentTime, 0, 0, 0]))); d.flush()
PY
}

data=$(mktemp -d)
export SENTRY_TRAY_DATA_DIR=$data SENTRY_TRAY_LISTEN=127.0.0.1:0
"$BIN" --hidden >/dev/null 2>&1 & app=$!
sleep "$IDLE"; hidden=$(pss $app); hidden_wk=$(webkit $app)
kill $app; wait $app 2>/dev/null || true

"$BIN" >/dev/null 2>&1 & app=$!
sleep "$IDLE"; open=$(pss $app); open_wk=$(webkit $app)
close_window
sleep "$IDLE"; closed=$(pss $app); closed_wk=$(webkit $app)
kill $app; wait $app 2>/dev/null || true
rm -rf "$data"

echo "footprint ($BIN, ${IDLE} s idle each): PSS app + children"
echo "  started hidden (tray only): ${hidden} MB, ${hidden_wk} WebKit processes"
echo "  window open:                ${open} MB, ${open_wk} WebKit processes"
echo "  window closed again:        ${closed} MB, ${closed_wk} WebKit processes"
