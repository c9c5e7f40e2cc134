#!/usr/bin/python3
"""tests/arc/make-fixtures.py: the ARC messages tests/test_arc.c verifies,
sealed by a real signer, Debian's python3-dkim (dkimpy's ARC.sign, which
needs python3-authres too), with the keys in this directory (made once
with openssl and PyNaCl; they sign nothing but these fixtures).  Run it
again after changing a case, and commit what it writes: NAME.eml (CRLF
line ends) and `keys`, the key records as "selector._domainkey.domain
TXT-text" lines (arc.h's key file).  The verdicts the test expects are in
test_arc.c; tests/arc/verify.py gives dkimpy's own verdicts to compare
them with.  The t= of the seals is fixed, and RSA signatures are
deterministic: a second run writes the same files.

Usage: /usr/bin/python3 tests/arc/make-fixtures.py  (from the top)
"""
import base64
import hashlib
import os
import subprocess

import dkim
from dkim.canonicalization import CanonicalizationPolicy
import nacl.encoding
import nacl.signing

D = os.path.dirname(os.path.abspath(__file__))
T = 1796256000  # fixed t= (2026-12-03): the same bytes at every run


def rsakey(name, bits):
    path = os.path.join(D, name + ".key")
    if not os.path.exists(path):
        subprocess.run(["openssl", "genrsa", "-out", path, str(bits)],
                       check=True, stderr=subprocess.DEVNULL)
    pem = open(path, "rb").read()
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def edkey(name):
    path = os.path.join(D, name + ".key")
    if not os.path.exists(path):
        k = nacl.signing.SigningKey.generate()
        open(path, "wb").write(k.encode(nacl.encoding.Base64Encoder) + b"\n")
    seed = open(path, "rb").read().strip()
    k = nacl.signing.SigningKey(seed, encoder=nacl.encoding.Base64Encoder)
    pub = k.verify_key.encode(nacl.encoding.Base64Encoder).decode()
    return k, "v=DKIM1; k=ed25519; p=" + pub


S1, K1 = rsakey("s1", 2048)      # s1._domainkey.example.org
S2, K2 = rsakey("s2", 1024)      # s2._domainkey.lists.example.net
WEAK, KW = rsakey("weak", 512)   # weak._domainkey.example.org
ED, KE = edkey("ed")             # ed._domainkey.example.com

open(os.path.join(D, "keys"), "w").write(
    "s1._domainkey.example.org " + K1 + "\n" +
    "s2._domainkey.lists.example.net " + K2 + "\n" +
    "weak._domainkey.example.org " + KW + "\n" +
    "ed._domainkey.example.com " + KE + "\n" +
    "revoked._domainkey.example.org v=DKIM1; k=rsa; p=\n" +
    "".join("h%d._domainkey.lists.example.net %s\n" % (k, K2)
            for k in range(1, 14)) +
    "a1._domainkey.arc.example " + K1 + "\n" +
    "a2._domainkey.arc.example " + K2 + "\n")

MSG = (b"Authentication-Results: mx.example.org; spf=pass"
       b" smtp.mailfrom=alice@example.com\r\n"
       b"From: Alice <alice@example.com>\r\n"
       b"To: list@lists.example.net\r\n"
       b"Subject: ARC  test\r\n"
       b"Date: Thu, 03 Dec 2026 00:00:00 +0000\r\n"
       b"Message-ID: <arc-1@example.com>\r\n"
       b"\r\n"
       b"Hello,  list.\r\n"
       b"\r\n"
       b"A line with trailing space \r\n"
       b"\r\n\r\n")
HEADERS = [b"from", b"to", b"subject", b"date", b"message-id"]


def seal(msg, sel, dom, key, srv):
    s = dkim.arc_sign(msg, sel, dom, key, srv, include_headers=HEADERS,
                      timestamp=T)
    assert s, "dkimpy did not seal"
    return b"".join(s) + msg


def seal_ed(msg, sel, dom, key, srv):
    # dkimpy's arc_sign() is RSA only; its ARC class signs Ed25519 when
    # handed the key its own verifier uses (RFC 8463)
    old = dkim.parse_pem_private_key
    dkim.parse_pem_private_key = lambda k: k
    try:
        a = dkim.ARC(msg, signature_algorithm=b"ed25519-sha256")
        s = a.sign(sel, dom, key, srv, include_headers=HEADERS, timestamp=T)
    finally:
        dkim.parse_pem_private_key = old
    assert s, "dkimpy did not seal"
    return b"".join(s) + msg


def hop2(msg, ar=b"arc=pass"):
    return seal(b"Authentication-Results: lists.example.net; " + ar +
                b"\r\n" + msg, b"s2", b"lists.example.net", S2,
                b"lists.example.net")


def write(name, msg):
    open(os.path.join(D, name + ".eml"), "wb").write(msg)


one = seal(MSG, b"s1", b"example.org", S1, b"mx.example.org")
two = hop2(one)
write("none", MSG)
write("pass1", one)
write("pass2", two)
# a list that changed the body before sealing: AMS 1 no longer verifies,
# the chain does (oldest-pass 2)
write("pass2-footer", hop2(one.replace(b"list.\r\n", b"list.\r\n--\r\n"
                                       b"footer\r\n")))
# Ed25519 (RFC 8463): no ARC sealer uses it, dkimpy's and arc.c's ARC
# verifiers refuse it (a= rsa-sha256 only)
write("ed25519", seal_ed(MSG, b"ed", b"example.com", ED, b"mx.example.org"))
write("body-tampered", two.replace(b"Hello,", b"Hullo,"))
write("header-tampered", two.replace(b"Subject: ARC  test",
                                     b"Subject: ARC  fest"))
# one octet of the oldest seal's signature changed
i = one.index(b"ARC-Seal: ")
j = one.index(b" b=", i) + 10
write("seal-broken", two.replace(one[i:j + 1], one[i:j] +
                                 (b"A" if one[j:j + 1] != b"A" else b"B")))
# the second hop claims cv=fail, or there is a gap
write("cv-fail", hop2(one, b"arc=fail"))
write("cv-wrong", two.replace(b"i=2; cv=pass", b"i=2; cv=none", 1))
s2 = two[:len(two) - len(one)]
write("gap", s2.replace(b"i=2", b"i=3") + one)
write("only-second", s2 + MSG)
write("duplicate", s2 + one[:one.index(b"Authentication-Results:")] + one)
write("no-key", seal(MSG, b"gone", b"example.org", S1, b"mx.example.org"))
write("revoked", seal(MSG, b"revoked", b"example.org", S1,
                      b"mx.example.org"))
write("weak-key", seal(MSG, b"weak", b"example.org", WEAK, b"mx.example.org"))


# n hops, each sealing with its own selector (of one key): n key lookups,
# past arc.h's ARC_LOOKUPS_MAX (12) at 13 hops, where dkimpy has no limit
def hops(n):
    msg = MSG
    for k in range(1, n + 1):
        srv = b"hop%d.example.net" % k
        if k > 1:
            msg = b"Authentication-Results: " + srv + b"; arc=pass\r\n" + msg
        else:
            srv = b"mx.example.org"
        msg = seal(msg, b"h%d" % k, b"lists.example.net", S2, srv)
    return msg


write("hops6", hops(6))
write("hops13", hops(13))


# for tests/arc.bats, whose DNS (tests/dns/example.zone) serves the keys
# of a1 (2048 bits: two strings) and a2 under arc.example, not "gone"
dns1 = seal(MSG, b"a1", b"arc.example", S1, b"mx.example.org")
write("dns", seal(b"Authentication-Results: lists.arc.example; arc=pass\r\n" +
                  dns1, b"a2", b"arc.example", S2, b"lists.arc.example"))
write("dns-gone", seal(MSG, b"gone", b"arc.example", S1, b"mx.example.org"))


def zone_txt(txt):
    """The key record as a zone file's TXT data: strings of 255 at most."""
    return " ".join('"%s"' % txt[i:i + 255] for i in range(0, len(txt), 255))


print("tests/dns/example.zone's lines for them:")
print("a1._domainkey.arc\tTXT\t" + zone_txt(K1))
print("a2._domainkey.arc\tTXT\t" + zone_txt(K2))


def seal_canon(msg, sel, dom, key, srv, c):
    """The first ARC set, its AMS with canonicalization c (dkimpy's
    arc_sign() makes relaxed/relaxed only): ARC.sign's steps for i=1,
    each signature made by dkimpy's own gen_header()."""
    a = dkim.ARC(msg)
    a.hasher = hashlib.sha256
    pk = dkim.parse_pem_private_key(key)
    pol = CanonicalizationPolicy.from_c_value(c)
    aar = b"i=1; " + srv + b"; spf=pass smtp.mailfrom=alice@example.com\r\n"
    a.headers.insert(0, (b"ARC-Authentication-Results", b" " + aar))
    bh = base64.b64encode(hashlib.sha256(
        pol.canonicalize_body(a.body)).digest())
    ams = a.gen_header([
        (b"i", b"1"), (b"a", b"rsa-sha256"), (b"c", c), (b"d", dom),
        (b"s", sel), (b"t", b"%d" % T), (b"h", b" : ".join(HEADERS)),
        (b"bh", bh), (b"b", b"0" * 60)],
        list(HEADERS), pol, b"ARC-Message-Signature", pk)
    a.headers.insert(0, (b"ARC-Message-Signature", ams))
    seal = a.gen_header([
        (b"i", b"1"), (b"cv", b"none"), (b"a", b"rsa-sha256"), (b"d", dom),
        (b"s", sel), (b"t", b"%d" % T), (b"b", b"0" * 60)],
        [b"arc-authentication-results", b"arc-message-signature"],
        CanonicalizationPolicy.from_c_value(b"relaxed/relaxed"),
        b"ARC-Seal", pk)
    return (b"ARC-Seal: " + seal + b"ARC-Message-Signature: " + ams +
            b"ARC-Authentication-Results: " + aar + msg)


# the simple canonicalizations (RFC 6376 3.4.1, 3.4.3) in an AMS, and
# white space changed: relaxed/relaxed does not see it, simple does
rs = seal_canon(MSG, b"s1", b"example.org", S1, b"mx.example.org",
                b"relaxed/simple")
ss = seal_canon(MSG, b"s1", b"example.org", S1, b"mx.example.org",
                b"simple/simple")
write("relaxed-simple", rs)
write("simple-simple", ss)
write("relaxed-ws", one.replace(b"Hello,  list.", b"Hello, \t list.")
      .replace(b"Subject: ARC  test", b"Subject:  ARC test"))
write("simple-body-ws", rs.replace(b"Hello,  list.", b"Hello, list."))
write("simple-header-ws", ss.replace(b"Subject: ARC  test",
                                     b"Subject: ARC test"))
