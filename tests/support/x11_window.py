#!/usr/bin/python3
"""Does to the X window titled TITLE what the user does through their window manager
(python3-xlib). Exit 1 when no such window exists.
  x11_window.py close TITLE           the close button: a WM_DELETE_WINDOW client message
  x11_window.py resize TITLE W H      dragging its border to W x H pixels"""
import sys
import Xlib.error
from Xlib import display, X, protocol

d = display.Display()

def find(w, title):
    # Windows come and go while the tree is walked (WebKit's, a menu's): one that is gone by
    # the time it is asked about is skipped, not a failure.
    try:
        if w.get_wm_name() == title:
            return w
        children = w.query_tree().children
    except Xlib.error.XError:
        return None
    for c in children:
        r = find(c, title)
        if r:
            return r

op, title = sys.argv[1], sys.argv[2]
w = find(d.screen().root, title)
if not w:
    sys.exit(1)
if op == "close":
    protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
    w.send_event(protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])))
elif op == "resize":
    w.configure(width=int(sys.argv[3]), height=int(sys.argv[4]))
else:
    sys.exit(f"unknown operation {op}")
d.flush()
