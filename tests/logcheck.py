#!/usr/bin/env python3
"""logcheck.py [--fields] FILE: check that every line of a samotop log is a sequence of
key=value fields separated by single spaces, as samotop-smtpd(8) describes:
a value is either bare (printable ASCII without blanks, quotes or '=') or
double-quoted with \\" for a quote inside; no control or non-ASCII octet
anywhere.  samotop-smtpd's own lines (those without prog=) must start with
level=, sid=, event=.  Prints each bad line with the reason; exits 1 if any.
With --fields, also prints every field of every line as "N KEY VALUE" (the
value as written, quotes included), so tests can look at real fields only.
"""
import re
import sys

# printable ASCII but blank, '"', '=' and '\\'; a backslash only as \xHH
HEX = rb'\\x[0-9a-fA-F]{2}'
BARE = rb'(?:[!#-<>-\[\]-~]|' + HEX + rb')+'
QUOTED = rb'"(?:[ !#-\[\]-~]|\\"|' + HEX + rb')*"'
FIELD = rb'[a-z][a-z0-9_-]*=(?:' + BARE + rb'|' + QUOTED + rb')'
LINE = re.compile(rb'^' + FIELD + rb'(?: ' + FIELD + rb')*$')
LEVELS = {b"error", b"warn", b"info", b"debug"}

bad = 0
fields = sys.argv[1] == "--fields"
data = open(sys.argv[-1], "rb").read()
if data and not data.endswith(b"\n"):
    print("log does not end with a newline")
    bad += 1
for n, line in enumerate(data.split(b"\n")[:-1], 1):
    why = None
    if not LINE.match(line):
        why = "not key=value fields"
    else:
        keys = [f.split(b"=", 1)[0] for f in re.findall(FIELD, line)]
        level = line.split(b" ", 1)[0].split(b"=", 1)[1]
        if keys[0] != b"level" or level not in LEVELS:
            why = "does not start with a valid level="
        elif b"prog" not in keys and keys[1:3] != [b"sid", b"event"]:
            why = "does not start with level= sid= event="
        elif len(keys) != len(set(keys)):
            why = "a key appears twice"
    if fields and not why:
        for f in re.findall(FIELD, line):
            k, v = f.split(b"=", 1)
            print("%d %s %s" % (n, k.decode(), v.decode()))
    if why:
        bad += 1
        print("line %d: %s: %r" % (n, why, line))
sys.exit(1 if bad else 0)
