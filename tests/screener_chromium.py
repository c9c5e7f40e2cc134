#!/usr/bin/env python3
"""tests/screener_chromium.py: the screener's web page in headless Chromium.

    screener_chromium.py CHROMIUM URL LOGIN PASSWORD SCREENSHOT PROFILE

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-
pipe: fd 3 to it, fd 4 from it, no port, no extra module) the way a
person would: the sign-in form filled in and submitted, the list read,
then the keyboard only (Tab until "Allow sender" has the focus, Enter),
and the page that follows read.  The window is 360 px wide, and the page
must not scroll sideways there.  The list's screenshot is written to
SCREENSHOT.  The page itself runs no JavaScript: the script here is the
test's hand, not the page's.  Exit 0 passed, 1 failed (with the reason),
77 Chromium could not be started (the test is skipped).
"""
import base64
import json
import os
import select
import subprocess
import sys
import time

chromium, url, login, password, shot, profile = sys.argv[1:7]
DEADLINE = time.monotonic() + 25

to_r, to_w = os.pipe()
from_r, from_w = os.pipe()


def child_fds():
    os.dup2(to_r, 3)
    os.dup2(from_w, 4)


args = [chromium, "--headless", "--remote-debugging-pipe", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--mute-audio",
        "--disable-extensions", "--disable-background-networking",
        "--user-data-dir=" + profile, "--window-size=360,800"]
if os.geteuid() == 0:
    args.append("--no-sandbox")  # Chromium refuses to run as root otherwise
try:
    proc = subprocess.Popen(args + ["about:blank"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=open(profile + ".log", "wb"),
                            close_fds=False, preexec_fn=child_fds)
except OSError as e:
    print("chromium cannot start:", e)
    sys.exit(77)
os.close(to_r)
os.close(from_w)
buf = b""
next_id = 0
session = None
events = []


def fail(why):
    print("FAIL:", why)
    proc.kill()
    proc.wait()
    sys.exit(1)


def read_message(until):
    global buf
    while b"\0" not in buf:
        left = until - time.monotonic()
        if left <= 0 or not select.select([from_r], [], [], left)[0]:
            return None
        chunk = os.read(from_r, 65536)
        if not chunk:
            return None
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def call(method, until=None, **params):
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params}
    if session is not None and not method.startswith("Target."):
        msg["sessionId"] = session
    os.write(to_w, json.dumps(msg).encode() + b"\0")
    while True:
        m = read_message(until or DEADLINE)
        if m is None:
            return None
        if m.get("id") == next_id:
            if "error" in m:
                fail("%s: %s" % (method, m["error"]))
            return m.get("result", {})
        events.append(m)


def wait_event(name):
    while True:
        for i, e in enumerate(events):
            if e.get("method") == name:
                del events[i]
                return e
        m = read_message(DEADLINE)
        if m is None:
            fail("no " + name)
        events.append(m)


def js(expr):
    r = call("Runtime.evaluate", expression=expr, returnByValue=True)
    return r["result"].get("value")


def key(name, code):
    text = {"Enter": "\r"}.get(name)
    for t in ("keyDown", "keyUp"):
        p = {"type": t, "key": name, "code": name,
             "windowsVirtualKeyCode": code}
        if text and t == "keyDown":
            p["text"] = text
        call("Input.dispatchKeyEvent", **p)


target = call("Target.createTarget", until=time.monotonic() + 15,
              url="about:blank")
if target is None:
    proc.kill()
    proc.wait()
    print("chromium did not answer on its pipe")
    sys.exit(77)
session = call("Target.attachToTarget", targetId=target["targetId"],
               flatten=True)["sessionId"]
call("Page.enable")
call("Emulation.setDeviceMetricsOverride", width=360, height=800,
     deviceScaleFactor=1, mobile=True)

# Sign in with the form.
call("Page.navigate", url=url + "/login")
wait_event("Page.loadEventFired")
if js("document.querySelector('label[for=user]') !== null && "
      "document.querySelector('label[for=password]') !== null") is not True:
    fail("the sign-in form's fields have no labels")
js("document.getElementById('user').value = %s;"
   "document.getElementById('password').value = %s;"
   "document.querySelector('form button[type=submit]').click()"
   % (json.dumps(login), json.dumps(password)))
wait_event("Page.loadEventFired")
text = js("document.body.innerText")
if "carol@example.net" not in text or "Allow sender" not in text:
    fail("the list does not show carol@example.net: %r" % text[:500])
if js("document.documentElement.scrollWidth") > 360:
    fail("the page scrolls sideways at 360 px")
png = call("Page.captureScreenshot", format="png")["data"]
with open(shot, "wb") as f:
    f.write(base64.b64decode(png))
print("screenshot:", shot)

# Allow, with the keyboard only.
for _ in range(30):
    key("Tab", 9)
    if js("document.activeElement && document.activeElement.value") == "allow":
        break
else:
    fail("Tab never reaches the Allow sender button")
key("Enter", 13)
wait_event("Page.loadEventFired")
text = js("document.body.innerText")
if "Allowed carol@example.net" not in text:
    fail("no outcome after Allow: %r" % text[:500])
if "Nobody is waiting" not in text:
    fail("carol@example.net still waits: %r" % text[:500])
call("Browser.close")
try:
    proc.wait(timeout=5)
except subprocess.TimeoutExpired:
    proc.kill()
    proc.wait()
print("ok")
