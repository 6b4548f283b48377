#!/bin/sh
# dunst's "dmenu" stand-in for tests. dunst runs it (with dunst's environment) and pipes the
# context menu to it, lines like "#Resolve (summary) [7,resolve]". It records the menu in
# $DUNST_PICK_FILE.menu and prints the line holding the text in $DUNST_PICK_FILE ("[7,resolve]").
menu=$(cat)
printf '%s\n' "$menu" >> "${DUNST_PICK_FILE}.menu"
want=$(cat "${DUNST_PICK_FILE:-/nonexistent}" 2>/dev/null)
[ -n "$want" ] || exit 1
printf '%s\n' "$menu" | grep -m1 -F -- "$want"
