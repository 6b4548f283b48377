#!/usr/bin/python3
"""Closes the X window titled sys.argv[1] as a window manager does when the user clicks its close
button: a WM_DELETE_WINDOW client message (python3-xlib). Exit 1 when no such window exists."""
import sys
from Xlib import display, X, protocol

d = display.Display()

def find(w):
    try:
        if w.get_wm_name() == sys.argv[1]:
            return w
    except Exception:
        pass
    for c in w.query_tree().children:
        r = find(c)
        if r:
            return r

w = find(d.screen().root)
if not w:
    sys.exit(1)
protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
w.send_event(protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])))
d.flush()
