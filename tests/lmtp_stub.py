#!/usr/bin/env python3
"""lmtp_stub.py: a MOCK delivery helper for the tests, NOT a real one.

A tiny LMTP server (RFC 2033) on stdin/stdout that stores nothing unless
asked to, and misbehaves on request, so the tests can see what samotop-smtpd
makes of a helper's answers.  Configured by environment variables (the
route line can set them: route * /usr/bin/env VAR=VALUE PYTHON lmtp_stub.py):

  LMTP_STUB_LOG=FILE        append every line received, and "<EOF>" at the end
                            of input, to FILE
  LMTP_STUB_SAVE=DIR        write each message received (as sent, dot-stuffed
                            lines unstuffed) to DIR/msg.N
  LMTP_STUB_RCPT=ADDR=REPLY[;ADDR=REPLY...]
                            answer RCPT TO:<ADDR> with REPLY (e.g.
                            "bad@example.org=550 5.1.1 stub: no such user")
  LMTP_STUB_DATA=ADDR=REPLY[;...]
                            after the data, answer for ADDR with REPLY
                            (default "250 2.0.0 stub: delivered")
  LMTP_STUB_ENVELOPE=1      with LMTP_STUB_SAVE: begin each saved message with
                            "X-Stub-From: <SENDER>" and "X-Stub-To: <RCPT>..."
                            lines, the envelope of the transaction it ended
  LMTP_STUB_DATA_CMD=REPLY  answer the first DATA command of this process with
                            REPLY (e.g. "451 4.3.0 stub: cannot take it"),
                            staying up with the transaction open, as an LDA
                            does; later DATA commands get 354
  LMTP_STUB_CRASH=STAGE     exit(3) without a word at STAGE: lhlo, mail,
                            rcpt, data (the DATA command, before 354), body
                            (after the final dot, before any reply), reply1
                            (after the first per-recipient reply)
  LMTP_STUB_HANG=STAGE      at STAGE stop answering but keep reading input
                            until it ends (or 30 s), then exit
  LMTP_STUB_DRIP=STAGE      at STAGE (lhlo, mail, rcpt, data) write the reply
                            one octet a second
  LMTP_STUB_FLOOD=STAGE     at STAGE write reply lines for ever, never reading
                            again (until the reader goes away)
  LMTP_STUB_ONCE=FILE       crash or hang only if FILE does not exist yet,
                            and create it (so a later helper behaves)
"""
import os
import sys
import time

inp = sys.stdin.buffer
out = sys.stdout.buffer
LOG = os.environ.get("LMTP_STUB_LOG")
SAVE = os.environ.get("LMTP_STUB_SAVE")
CRASH = os.environ.get("LMTP_STUB_CRASH", "")
HANG = os.environ.get("LMTP_STUB_HANG", "")
DRIP = os.environ.get("LMTP_STUB_DRIP", "")
FLOOD = os.environ.get("LMTP_STUB_FLOOD", "")
ONCE = os.environ.get("LMTP_STUB_ONCE")
if ONCE:
    if os.path.exists(ONCE):
        CRASH = HANG = ""
    else:
        open(ONCE, "w").close()


def table(name):
    t = {}
    for item in filter(None, os.environ.get(name, "").split(";")):
        addr, reply = item.split("=", 1)
        t[addr.lower()] = reply
    return t


DATA_CMD = os.environ.get("LMTP_STUB_DATA_CMD")
RCPT = table("LMTP_STUB_RCPT")
DATA = table("LMTP_STUB_DATA")
ENVELOPE = os.environ.get("LMTP_STUB_ENVELOPE")


def log(line):
    if LOG:
        with open(LOG, "ab") as f:
            f.write(line if line.endswith(b"\n") else line + b"\n")


def say(text):
    out.write(text.encode() + b"\r\n")
    out.flush()


def drip(text):
    for ch in text.encode() + b"\r\n":
        out.write(bytes([ch]))
        out.flush()
        time.sleep(1)


def stage(name):
    global say
    if DRIP == name:
        log(b"<DRIP " + name.encode() + b">")
        say = drip
    if FLOOD == name:
        log(b"<FLOOD " + name.encode() + b">")
        try:
            while True:
                out.write(b"250-stub: flooding\r\n" * 64)
                out.flush()
        except OSError:
            os._exit(0)
    if CRASH == name:
        log(b"<CRASH " + name.encode() + b">")
        os._exit(3)
    if HANG == name:
        log(b"<HANG " + name.encode() + b">")
        end = time.time() + 30
        while time.time() < end:
            if not inp.readline():
                break
        os._exit(0)


def readline():
    ln = inp.readline()
    if not ln:
        log(b"<EOF>")
        sys.exit(0)
    log(ln)
    return ln


def addr_of(arg):
    a = arg[arg.index(b"<") + 1: arg.index(b">")] if b"<" in arg else b""
    return a.decode("utf-8", "replace").lower()


def main():
    global DATA_CMD
    say("220 stub LMTP (mock)")
    rcpts = []
    sender = None       # None: no transaction open
    nmsg = 0
    while True:
        ln = readline()
        cmd = ln.strip().split(b" ", 1)[0].upper()
        if cmd == b"LHLO":
            stage("lhlo")
            say("250-stub\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME")
        elif cmd == b"MAIL":
            stage("mail")
            if sender is not None:
                say("503 5.5.1 stub: nested MAIL")
                continue
            rcpts = []
            sender = addr_of(ln)
            say("250 2.1.0 stub: sender ok")
        elif cmd == b"RCPT":
            stage("rcpt")
            if sender is None:
                say("503 5.5.1 stub: need MAIL before RCPT")
                continue
            a = addr_of(ln)
            reply = RCPT.get(a, "250 2.1.5 stub: recipient ok")
            if reply.startswith("2"):
                rcpts.append(a)
            say(reply)
        elif cmd == b"DATA":
            stage("data")
            if not rcpts:
                say("503 5.5.1 stub: no valid recipients")
                continue
            if DATA_CMD:
                say(DATA_CMD)
                DATA_CMD = None
                continue
            say("354 stub: go ahead")
            body = []
            while True:
                l = inp.readline()
                if not l:
                    log(b"<EOF in DATA>")
                    sys.exit(0)
                if l == b".\r\n":
                    break
                body.append(l[1:] if l.startswith(b".") else l)
            log(b"<BODY %d octets>" % sum(map(len, body)))
            stage("body")
            nmsg += 1
            if SAVE:
                with open(os.path.join(SAVE, "msg.%d" % nmsg), "wb") as f:
                    if ENVELOPE:
                        f.write(("X-Stub-From: <%s>\r\nX-Stub-To: %s\r\n" % (
                            sender, " ".join("<%s>" % a for a in rcpts)))
                            .encode())
                    f.write(b"".join(body))
            for i, a in enumerate(rcpts):
                say(DATA.get(a, "250 2.0.0 stub: delivered"))
                if i == 0:
                    stage("reply1")
            rcpts = []
            sender = None
        elif cmd == b"RSET":
            rcpts = []
            sender = None
            say("250 2.0.0 stub: ok")
        elif cmd == b"NOOP":
            say("250 2.0.0 stub: ok")
        elif cmd == b"QUIT":
            say("221 2.0.0 stub: bye")
            return
        else:
            say("500 5.5.1 stub: unknown command")


main()
