#!/usr/bin/env bash
# Inside `dbus-run-session`: starts a private desktop (Xvfb, an unlocked gnome-keyring, dunst),
# runs the command given, and stops everything it started.
#   dbus-run-session -- scripts/desktop-session.sh COMMAND [ARGS...]
# The command sees DISPLAY, the session bus, and:
#   SENTRY_TRAY_DESKTOP=1    this session is up
#   DUNST_LOG                dunst's `-print` log: every notification with its id and actions
#   DUNST_PICK_FILE          write "[ID,action]" here, run `dunstctl context`: dunst invokes it
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="$PWD/target/desktop-session"
rm -rf "$OUT"; mkdir -p "$OUT"
pids=()
cleanup() {
  # gnome-keyring daemonizes itself; find it by the private runtime dir it was given.
  if [ -n "${SESSION_RUNTIME:-}" ]; then
    for p in $(pgrep -f gnome-keyring-daemon 2>/dev/null); do
      { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$SESSION_RUNTIME" && kill "$p" 2>/dev/null
    done
    rm -rf "$SESSION_DATA" "$SESSION_RUNTIME"
  fi
  # Services D-Bus started for the tests (the accessibility bus, …) go before the X server.
  for p in $(pgrep -f 'at-spi|dbus-daemon --config-file' 2>/dev/null); do
    { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qxF "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS" && kill "$p" 2>/dev/null
  done
  # Newest first: dunst before the X server it draws on.
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null; wait "${pids[i]}" 2>/dev/null; done
}
trap cleanup EXIT

# 1. X server on a free display (fixed numbers race between runs), visible to D-Bus services.
F="$OUT/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$F" 2>"$OUT/xvfb.log" & pids+=($!)
for _ in $(seq 100); do [ -s "$F" ] && break; sleep 0.05; done
[ -s "$F" ] || { echo "Xvfb did not start: $(cat "$OUT/xvfb.log")"; exit 1; }
export DISPLAY=":$(cat "$F")"
dbus-update-activation-environment DISPLAY

# 2. Secret Service, unlocked, before anything touches it (else D-Bus starts a locked one).
SESSION_DATA=$(mktemp -d) SESSION_RUNTIME=$(mktemp -d)
export XDG_DATA_HOME="$SESSION_DATA" XDG_RUNTIME_DIR="$SESSION_RUNTIME"
chmod 700 "$XDG_RUNTIME_DIR"
echo -n sentry-tray-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>"$OUT/keyring.log"

# 3. Notification daemon whose context menu is answered by scripts/dunst-pick.sh.
# Bodies read as markup (`markup = full`), as most desktops' daemons do: the tests check that no
# text from Sentry reaches a body unescaped.
sed -e "s|^\( *\)dmenu = .*|\1dmenu = $PWD/scripts/dunst-pick.sh|" \
  -e "s|^\( *\)markup = .*|\1markup = full|" /etc/xdg/dunst/dunstrc > "$OUT/dunstrc"
grep -q "^ *markup = full" "$OUT/dunstrc" || { echo "error: could not set dunst's markup = full" >&2; exit 1; }
export DUNST_PICK_FILE="$OUT/pick" DUNST_LOG="$OUT/dunst.log"
dunst -config "$OUT/dunstrc" -print > "$DUNST_LOG" 2>"$OUT/dunst.err" & pids+=($!)
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.05
done

# No accessibility bus: it outlives the tests and complains when the X server goes.
export NO_AT_BRIDGE=1
export SENTRY_TRAY_DESKTOP=1 SENTRY_TRAY_DESKTOP_OUT="$OUT"
"$@"
