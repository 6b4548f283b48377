#!/usr/bin/env bash
# The app's memory at rest, as the user's machine would count it: PSS summed over the app and
# all its children (WebKit's processes among them), from /proc/*/smaps_rollup, after 30 s idle
# each: started in the tray only, the same with an account polled against Sentry's stand-in
# (20 new issues notified), with the window open, and after the window was closed.
#   bench/footprint.sh [BINARY]     (default: a release build, made if missing)
# Runs its own private desktop session (Xvfb, D-Bus, dunst, keyring) like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SENTRY_TRAY_DESKTOP:-}" != 1 ]; then
  scripts/setup.sh
  BIN=${1:-target/release/sentry-tray}
  # The tray app starts the window binary beside it.
  [ -x "$BIN" ] && [ -x "$(dirname "$BIN")/sentry-tray-window" ] || cargo build --release --locked -p tray -p sentry-tray
  cargo build --release --locked -p sentry-standin --example standin
  exec dbus-run-session -- scripts/desktop-session.sh bash "$0" "$BIN"
fi
BIN=$1
IDLE=${FOOTPRINT_IDLE_SECONDS:-30}

tree() {  # $1 and every descendant (the window is a child, WebKit's processes its children)
  local pid
  echo "$1"
  for pid in $(pgrep -P "$1" 2>/dev/null); do tree "$pid"; done
}
pss() {  # PSS in MB of $1 and every descendant
  local total=0 pid kb
  for pid in $(tree "$1"); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}
webkit() { local n=0 pid; for pid in $(tree "$1"); do grep -q '^WebKit' "/proc/$pid/comm" 2>/dev/null && n=$((n + 1)); done; echo $n; }
switches() {  # "thread-id context-switches" for every thread of $1: how often each was woken
  local t
  for t in /proc/"$1"/task/*; do
    echo "${t##*/} $(awk '/ctxt_switches/ {n += $2} END {print n + 0}' "$t/status" 2>/dev/null)"
  done
}
woken_since() {  # wake-ups of $1's threads since the switches() snapshot in $2 (threads that ended count 0)
  switches "$1" | awk 'NR == FNR {before[$1] = $2; next} {n += $2 - before[$1]} END {print n + 0}' <(echo "$2") -
}
close_window() { /usr/bin/python3 tests/support/x11_window.py close "Sentry Tray"; }

data=$(mktemp -d)
export SENTRY_TRAY_DATA_DIR=$data SENTRY_TRAY_LISTEN=127.0.0.1:0
"$BIN" --hidden >/dev/null 2>&1 & app=$!
# Settled after start-up, then idle: with no account to poll nothing should wake it.
sleep 5; before=$(switches $app)
sleep "$IDLE"; hidden=$(pss $app); hidden_wk=$(webkit $app); woken=$(woken_since $app "$before")
kill $app; wait $app 2>/dev/null || true

# One account, polled every 10 s against the stand-in: after the first poll 20 new issues
# appear; the next poll finds them, the app looks up who I am and each latest event, and
# notifies them (up to the spike limit, then a summary). Measured after 30 s more.
token=sntryu_footprint_token
coproc STANDIN { exec target/release/examples/standin "$token"; }
read -r sentry <&"${STANDIN[0]}"
polled_data=$(mktemp -d)
SENTRY_TRAY_DATA_DIR=$polled_data SENTRY_URL=$sentry SENTRY_ORG=acme SENTRY_AUTH_TOKEN=$token SENTRY_TRAY_POLL_INTERVAL=10 \
  "$BIN" --hidden >/dev/null 2>&1 & app=$!
sleep 15; sleep "$IDLE"; polled=$(pss $app)
notified=$(cat "$polled_data"/logs/* 2>/dev/null | grep -c 'daemon: notified' || true)
kill $app; wait $app 2>/dev/null || true
kill "$STANDIN_PID"; rm -rf "$polled_data"

"$BIN" >/dev/null 2>&1 & app=$!
sleep "$IDLE"; open=$(pss $app); open_wk=$(webkit $app)
close_window
sleep "$IDLE"; closed=$(pss $app); closed_wk=$(webkit $app)
kill $app; wait $app 2>/dev/null || true
rm -rf "$data"

echo "footprint ($BIN, ${IDLE} s idle each): PSS app + children"
echo "  started hidden (tray only): ${hidden} MB, ${hidden_wk} WebKit processes, woken ${woken} times"
echo "  hidden, an account polled:  ${polled} MB, ${notified:-0} alerts notified"
echo "  window open:                ${open} MB, ${open_wk} WebKit processes"
echo "  window closed again:        ${closed} MB, ${closed_wk} WebKit processes"
