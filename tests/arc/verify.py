#!/usr/bin/python3
"""tests/arc/verify.py KEYS FILE...: dkimpy's (Debian's python3-dkim) ARC
verdict for each message FILE, keys from KEYS (arc.h's key file: lines of
"selector._domainkey.domain TXT-text"), no DNS.  Prints one line per file:
"NAME pass|fail|none", the chain validation status of RFC 8617 5.2, which
tests/test_arc.c compares with arc.c's.
"""
import sys

import dkim

keys = {}
for line in open(sys.argv[1], "rb"):
    name, _, txt = line.rstrip(b"\n").partition(b" ")
    keys[name.lower() + b"."] = txt


def txt(name, timeout=5):
    return keys.get(name.lower())


for path in sys.argv[2:]:
    cv, _, _ = dkim.arc_verify(open(path, "rb").read(), dnsfunc=txt)
    # None: the newest seal says cv=fail; RFC 8617 5.2 step 2: fail
    print(path, (cv or b"fail").decode())
