#!/usr/bin/env python3
"""fuzz/seeds/make-seeds.py: (re)write the seed corpora fuzz/seeds/fuzz_*.

Run from the top of the tree:  python3 fuzz/seeds/make-seeds.py
The seeds are small, hand-picked inputs that put each fuzzer on the paths
that matter from the first second: command lines of the bats sessions
(parser), DATA/BDAT bodies with the smuggling samples (data), the example
samotop.conf and the test configurations (conf), and typical LMTP
sessions, helper replies, XFORWARD arguments and paths.  `make fuzz-long`
fuzzes with them; fuzzing adds its finds to fuzz/corpus-NAME (not in git).
"""
import glob
import hashlib
import os
import re
import shutil
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(TOP, "fuzz", "seeds")


def write(target, seeds):
    d = os.path.join(SEEDS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    seen = set()
    for name, data in seeds:
        if data in seen:
            continue
        seen.add(data)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    assert len(seen) < 50, target
    assert sum(len(s) for s in seen) < 100 * 1024, target


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


# --- parser: one session per seed, commands split at \n, first octet the
# limits (see fuzz_parser.c: recipients, errors, size, TLS offered).
def bats_sessions():
    """Command lines of the smtp_raw sessions of tests/*.bats."""
    out = []
    for path in sorted(glob.glob(os.path.join(TOP, "tests", "*.bats"))):
        text = open(path, encoding="utf-8", errors="replace").read()
        text = text.replace("\\\n", " ")
        for line in text.splitlines():
            if "smtp_raw" not in line:
                continue
            cmds = []
            for q in re.findall(r"'([^']*)'", line):
                b = unescape(q)
                for c in b.split(b"\r\n"):
                    c = c.rstrip(b"\n")
                    if c and not c.startswith(b"Subject:"):
                        cmds.append(c)
            if cmds:
                out.append(cmds)
    return out


sessions = bats_sessions()
parser = []
for i, cmds in enumerate(sessions):
    parser.append(("bats-%02d" % i, bytes([i * 37 % 256]) + b"\n".join(cmds) + b"\n"))
extra = [
    [b"EHLO c", b"MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME",
     b"RCPT TO:<u@example.org>", b"RCPT TO:<v@example.org>", b"BDAT 10",
     b"BDAT 0 LAST", b"RSET", b"QUIT"],
    [b"EHLO c", b"MAIL FROM:<j\xc3\xa1@b.example> SMTPUTF8 BODY=8BITMIME",
     b"RCPT TO:<\xc3\xbc@example.org> NOTIFY=NEVER", b"DATA", b"QUIT"],
    [b"HELO [127.0.0.1]", b"MAIL FROM:<>", b"RCPT TO:<postmaster>",
     b"RCPT TO:<\"a b\"@[IPv6:2001:db8::1]>", b"DATA", b"NOOP x", b"VRFY u",
     b"EXPN list", b"HELP MAIL", b"STARTTLS", b"QUIT"],
    [b"EHLO c", b"STARTTLS", b"EHLO c", b"MAIL FROM:<@r1,@r2:a@b.example>",
     b"RCPT TO:<u@example.org> ORCPT=rfc822;u@example.org", b"BDAT x",
     b"QUIT"],
    [b"EHLO c", b"AUTH PLAIN AGFAYg==", b"XFORWARD NAME=x ADDR=1.2.3.4",
     b"MAIL FROM:<a@b.example> SIZE=99999999999999999999", b"MAIL FROM: <a@b.example>",
     b"MAIL FROM:a@b.example", b"RCPT TO:<u@example.org", b"DATA x", b"QUIT x"],
    [b"EHLO c", b"MAIL FROM:<a@b.example>", b"RCPT TO:<u@example.org>",
     b"BDAT 100 LAST", b"BDAT 18446744073709551615", b"BDAT 1 LAST x",
     b"QUIT"],
]
for i, cmds in enumerate(extra):
    parser.append(("extra-%02d" % i, bytes([(i * 91 + 64) % 256]) + b"\n".join(cmds) + b"\n"))
parser.append(("long-noop", b"\x08EHLO c\nNOOP " + b"a" * 2100 + b"\nQUIT\n"))
write("fuzz_parser", parser[:45])

# --- data: first octet = mode (bit 0 dotted DATA, bit 1 strict CRLF, bits
# 2-3 line limit, 4-5 size limit, 6-7 output room); the rest is the body.
body = (b"From: Alice <a@b.example>\r\nSubject: sample\r\n\r\nFirst line.\r\n"
        b"\tindented   \r\n\r\n..a line that begins with one dot\r\n...two\r\n"
        b". \r\n" + b"x" * 998 + b"\r\nlast line\r\n")
smuggled = (b"MAIL FROM:<evil@b.example>\r\nRCPT TO:<victim@example.org>\r\n"
            b"DATA\r\nSubject: smuggled\r\n\r\nevil body\r\n.\r\n")
data = []
for mode in (0x01, 0x03, 0xC3, 0x43):
    data.append(("dot-%02x" % mode, bytes([mode]) + body + b".\r\n"))
for j, v in enumerate([b"\n.\n", b"\r\n.\n", b"\n.\r\n", b"\r.\r", b"\r\n.\r\r\n",
                       b"\r\n.\r", b"\n.\r", b"\r\n\x00.\r\n"]):
    for mode in (0x03, 0x01):
        data.append(("smuggle-%d-%02x" % (j, mode),
                     bytes([mode]) + b"Subject: s\r\n\r\nhello" + v + smuggled))
data += [
    ("bdat-plain", b"\x02" + body),
    ("bdat-lax", b"\x80" + body.replace(b"\r\n", b"\n")),
    ("bdat-dotend", b"\xc2Subject: b\r\n\r\n.\r\n..\r\nend"),
    ("small-line", b"\x0b" + b"abcdefgh\r\nab\r\n.\r\n"),
    ("small-size", b"\x13" + b"0123456789" * 5 + b"\r\n.\r\n"),
    ("size-zero", b"\x33a\r\n.\r\n"),
    ("empty-msg", b"\x03.\r\n"),
    ("bare-cr-lax", b"\x01a\rb\r\nc\nd\r\n.\r\n"),
    ("long-line", b"\x07" + b"y" * 1100 + b"\r\n.\r\n"),
    ("crlf-split", b"\x43line\r\r\n\r\n.\r\n"),
]
write("fuzz_data", data)

# --- conf: the example configuration and the test configurations.
conf = [("samotop.conf", open(os.path.join(TOP, "etc", "samotop.conf"), "rb").read())]
lines = set()
for path in sorted(glob.glob(os.path.join(TOP, "tests", "*.bats"))):
    for m in re.finditer(r'write_conf ([^\n]*)', open(path, encoding="utf-8").read()):
        for q in re.findall(r'"([^"]*)"', m.group(1)):
            if q.startswith("$(") or q.startswith("$@"):
                continue
            q = q.replace("$MAILDIR_BIN", "/usr/bin/samotop-maildir")
            q = q.replace("$PIPE_BIN", "/usr/bin/samotop-pipe")
            q = q.replace("$LMTP_BIN", "/usr/bin/samotop-lmtp")
            q = re.sub(r"\$\{?\w+\}?", "/tmp/x", q)
            lines.add(q)
lines = sorted(lines)
for i in range(0, len(lines), 6):
    conf.append(("tests-%02d" % (i // 6),
                 ("hostname mx.test\ngreet-delay 0\n" + "\n".join(lines[i:i + 6]) + "\n").encode()))
conf += [
    ("routes", b"route * /bin/m -c /m/%d/%u\nroute @example.org /bin/l unix:/run/l\n"
     b"route bob+tag@example.org /bin/p \"/bin/sh\" -c \"cat >> /m/x\"\n"
     b"route postmaster /bin/m /m/pm\nrecipient-delimiter -\n"),
    ("limits", b"max-command-line 512\nmax-line-length 1000\nmax-message-size 10M\n"
     b"max-recipients 100\nmax-errors 1\ntimeout-command 5m\ntimeout-data 3m\n"
     b"timeout-helper 1h\nstrict-crlf no\n"),
    ("quoting", b"hostname \"a b\\\" \\\\c\" # comment\n\n   # only comment\r\n"
     b"log-level debug\ngreylist /var/db/g.sqlite\ngreylist-delay 1s\n"),
    ("bad", b"nosuch directive\nmax-recipients 99999999999999999999\n\"unterminated\n"),
]
write("fuzz_conf", conf[:45])

# --- lmtp: first octet = chunk size (0: all at once), then the session.
sess = (b"LHLO mx.test\r\nMAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME\r\n"
        b"RCPT TO:<u@example.org>\r\nRCPT TO:<xno@example.org>\r\n"
        b"RCPT TO:<v@example.org>\r\nDATA\r\nSubject: t\r\n\r\nbody\r\n..dot\r\n.\r\n")
lmtp = [
    ("session-whole", b"\x00" + sess + b"QUIT\r\n"),
    ("session-1", b"\x01" + sess + b"QUIT\r\n"),
    ("session-7", b"\x07" + sess + b"RSET\r\nNOOP\r\nQUIT\r\n"),
    ("two-tx", b"\x00" + sess + sess[14:] + b"QUIT\r\n"),
    ("xforward", b"\x00LHLO x\r\nXFORWARD NAME=c.example ADDR=192.0.2.1 PORT=25\r\n"
     b"XFORWARD HELO=c PROTO=ESMTP IDENT=ab12 TLS=TLSv1.3\r\n" + sess[8:] + b"QUIT\r\n"),
    ("no-rcpt", b"\x00LHLO x\r\nMAIL FROM:<>\r\nDATA\r\nRCPT TO:<xa@b>\r\nDATA\r\n.\r\n"),
    ("cut", b"\x03" + sess[:-5]),
    ("pipelined-errors", b"\x00HELO x\r\nEHLO x\r\nLHLO\r\nMAIL FROM:<a@b>\r\n"
     b"MAIL FROM:<a@b>\r\nRCPT TO:<u>\r\nVRFY x\r\nFOO\r\n\r\n"),
    ("bare-lf", b"\x00LHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<u@example.org>\nDATA\na\n.\n"),
    ("utf8", b"\x05LHLO x\r\nMAIL FROM:<j\xc3\xa1@b.example> SMTPUTF8\r\n"
     b"RCPT TO:<\xc3\xbc@example.org>\r\nDATA\r\n\xe2\x82\xac\r\n.\r\nQUIT\r\n"),
]
write("fuzz_lmtp", lmtp)

# --- lmtpreply: reply lines of a helper, split at \n.
write("fuzz_lmtpreply", [
    ("ok", b"250 2.1.5 ok\n250 2.0.0 Ok: delivered\n"),
    ("multi", b"250-mx.test\n250-PIPELINING\n250-ENHANCEDSTATUSCODES\n250 8BITMIME\n"),
    ("temp", b"452 4.2.2 Mailbox full\n451 4.3.0 Error: helper crashed\n"),
    ("perm", b"550 5.1.1 <u@example.org>: no such user\n554 5.6.0\n"),
    ("nocode", b"250 ok\n220\n421 4.4.2 timeout\n"),
    ("crlf", b"250 2.0.0 ok\r\n"),
    ("bad", b"25\n2500 x\n250x\n650 6.0.0 x\n199 ok\n250 2.0.0\x01ctrl\n"),
    ("mixed", b"250-2.0.0 a\n451 4.0.0 b\n"),
    ("long", b"250 2.0.0 " + b"z" * 600 + b"\n"),
    ("enh-odd", b"250 2.1000.5 x\n250 2.1.\n250 2..1 x\n250 5.1.1 x\n"),
])

# --- log: leave-no-trace's scrubbing: up to three NUL-ended personal
# values, then the free text of one log field.
write("fuzz_hdrscan", [
    ("plain", b"\x07From: Alice <alice@example.org>\r\nTo: b@x.test\r\n\r\nbody\r\n"),
    ("folded", b"\x02Subject: a\r\n b\r\n\tc\r\nFrom: a@b.test,\r\n (c) \"q@x\" <d@e.test>\r\n\r\n"),
    ("group", b"\x10From: friends: a@x.test, b@y.test;, <@r.test:c@z.test>\r\n\r\n"),
    ("nofield", b"\x01From: a\r\nnot a field\r\nx: y\r\n"),
    ("obs", b"\x03From : a@b.test\r\n\rx\r\n"),
    ("noheader", b"\x3f\r\nbody only\r\n"),
])

write("fuzz_log", [
    ("reply", b"192.0.2.1\x00helo-secret.example\x00bob@example.org\x00"
     b"5.1.1 <bob@example.org>: no such user; you are [192.0.2.1]"),
    ("localpart", b"bob@example.org\x00bob\x00\x00Mailbox bob is full (bob)"),
    ("case", b"HELO.Example\x00\x00\x00you said helo.EXAMPLE, hello"),
    ("blanks", b"\x00\x00\x00a  b\t\tc@ @ @@ <> ~"),
    ("none", b"timeout after DATA"),
])

# --- xforward: the arguments of one XFORWARD command.
write("fuzz_xforward", [
    ("all", b"NAME=mail.example.org ADDR=192.0.2.1 PORT=25 HELO=mail.example.org "
     b"PROTO=ESMTP IDENT=4f2a1b TLS=TLSv1.3"),
    ("unavail", b"NAME=[UNAVAILABLE] ADDR=2001:db8::1 PORT=[TEMPUNAVAIL]"),
    ("xtext", b"HELO=a+20b+2B+3D IDENT=x+00y NAME=+C3+A9.example"),
    ("lower", b"name=x addr=1.2.3.4 proto=SMTP"),
    ("unknown", b"FOO=bar NAME=x"),
    ("empty", b"NAME= ADDR="),
    ("spaces", b"NAME=a  ADDR=b \tPORT=1"),
    ("long", b"NAME=" + b"n" * 300),
    ("bad-xtext", b"HELO=+2 IDENT=+zz NAME=a=b"),
])

# --- proxy: a PROXY protocol header (v1 text, v2 binary) and what follows.
V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v2(cmd, fam, rest):
    return V2SIG + bytes([0x20 | cmd, fam, len(rest) >> 8, len(rest) & 0xff]) + rest


SSL_TLV = (b"\x20\x00\x15\x07\x00\x00\x00\x00"
           b"\x21\x00\x07TLSv1.3\x22\x00\x03a.b")
write("fuzz_proxy", [
    ("v1-tcp4", b"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO x\r\n"),
    ("v1-tcp6", b"PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n"),
    ("v1-unknown", b"PROXY UNKNOWN\r\n"),
    ("v1-unknown-rest", b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"),
    ("v1-long", b"PROXY UNKNOWN " + b"A" * 100 + b"\r\n"),
    ("v1-bare-lf", b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"),
    ("v1-zero-port", b"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"),
    ("smtp", b"EHLO client.example\r\n"),
    ("v2-inet", v2(1, 0x11, bytes([192, 0, 2, 9, 198, 51, 100, 1, 0xc3, 0x50, 0, 25]))),
    ("v2-inet-ssl", v2(1, 0x11, bytes([192, 0, 2, 9, 198, 51, 100, 1, 0, 1, 0, 25])
                       + b"\x04\x00\x01\x00" + SSL_TLV)),
    ("v2-inet6", v2(1, 0x21, bytes(range(32)) + b"\x01\x00\x00\x19")),
    ("v2-unix", v2(1, 0x31, b"\x00" * 216)),
    ("v2-local", v2(0, 0x00, b"")),
    ("v2-tlv-past", v2(1, 0x11, bytes(12) + b"\x20\x00\x09\x01")),
    ("v2-big", V2SIG + b"\x21\x11\x04\x00" + bytes(1024)),
])

# --- address: a path, maybe followed by ESMTP parameters.
write("fuzz_address", [(hashlib.sha1(s).hexdigest()[:12], s) for s in [
    b"<a@b.example>", b"<>", b"<postmaster>", b"<Postmaster>",
    b"<\"a b\\\"c\"@example.org>", b"<@r1.example,@r2.example:u@example.org>",
    b"<u@[127.0.0.1]>", b"<u@[IPv6:2001:db8::1]>", b"<u@[IPv6:::ffff:1.2.3.4]>",
    b"<j\xc3\xa1@b.example> SMTPUTF8", b"<\xc3\xbc@\xc3\xa9.example>",
    b"<bob+tag@example.org> SIZE=100", b"<a.b.c@sub.example.org>",
    b"<" + b"l" * 64 + b"@" + b"d" * 63 + b".example>",
    b"<" + b"l" * 65 + b"@x>", b"<a@b..c>", b"<a..b@c>", b"<.a@b>",
    b"<a@-b.example>", b"<a@[1.2.3.256]>", b"<a@b.example", b"a@b.example",
    b"<a@b@c>", b"<\"\"@x>", b"<u@[tag:text]>",
]])
# --- session: octet 0 = configuration (bit 7 lax) | script length, the
# helper's script, then the client's operations (fuzz_session.c, op()).
# The script interleaves one stream per kind of decision (helper_mock.c:
# one octet a decision, % 8: 0 ok, 4 temp, 5 perm, 6 die; LHLO's octet is
# its extensions, bit 0 PIPELINING, 1 XFORWARD, 2 SMTPUTF8).
OK, TEMP, PERM, DIE = 0, 4, 5, 6
EHLO, HELO, RSET, NOOP, QUIT, PIPE = b"\x00", b"\x0a", b"\x05", b"\x06", b"\x08", b"\x09"
KINDS = ["greet", "lhlo", "xforward", "mail", "rcpt", "data", "dot", "rset"]


def script(**streams):
    rows = max([len(v) for v in streams.values()] + [0])
    out = []
    for i in range(rows):
        for k in KINDS:
            v = streams.get(k, [])
            out.append(v[i] if i < len(v) else (7 if k == "lhlo" else OK))
    return out


def session(script, *ops, lax=False):
    return bytes([len(script) | (0x80 if lax else 0)]) + bytes(script) + b"".join(ops)


def mail(i, param=0):  # i: "", s@send.test, t@send.test; param: -, 8BITMIME, SMTPUTF8, SIZE
    return bytes([1, i + 3 * param])


def rcpt(i):  # a@, b@, c@, a+x@fuzz.test, x@other.test, n@nowhere.test
    return bytes([2, i])


def data(body, big=False):
    return bytes([133 if big else 3, len(body)]) + body


def bdat(body, last=False, big=False):
    return bytes([(134 if last else 144) if big else (14 if last else 4), len(body)]) + body


def raw(line):
    return bytes([7, len(line)]) + line


MSG = b"Subject: t\r\n\r\nhello\r\n..dot\r\n"
fine = [
    ("data", session([], EHLO, mail(1), rcpt(0), rcpt(1), data(MSG), QUIT)),
    ("bdat", session([], EHLO, mail(1), rcpt(0), bdat(b"abc"), bdat(b"def\r\n", last=True), QUIT)),
    ("two-tx-rset", session([], EHLO, mail(1), rcpt(0), data(MSG), mail(2), rcpt(1), RSET,
                            mail(0), rcpt(2), bdat(MSG, last=True), QUIT)),
    ("data-refused-temp", session(script(data=[TEMP]), EHLO, mail(1), rcpt(0), data(MSG),
                                  mail(2), rcpt(1), data(MSG), QUIT)),
    ("data-refused-perm", session(script(data=[PERM]), EHLO, mail(1), rcpt(0), data(MSG),
                                  mail(2), rcpt(1), data(MSG), QUIT)),
    ("bdat-refused-rset", session(script(data=[TEMP]), EHLO, mail(1), rcpt(0),
                                  bdat(MSG, last=True), RSET, mail(2), rcpt(1), data(MSG), QUIT)),
    ("bdat-refused-chunk", session(script(data=[PERM]), EHLO, mail(1), rcpt(0), bdat(b"abc"),
                                   mail(2), rcpt(1), bdat(MSG, last=True), QUIT)),
    ("rcpt-refused", session(script(rcpt=[OK, PERM, TEMP, OK]), EHLO, mail(1), rcpt(0), rcpt(1),
                             rcpt(2), rcpt(3), data(MSG), QUIT)),
    ("partial", session(script(dot=[OK, TEMP]), EHLO, mail(1), rcpt(0), rcpt(1),
                        data(MSG), mail(1), rcpt(0), data(MSG), QUIT)),
    ("all-refused", session(script(dot=[PERM, PERM]), EHLO, mail(1), rcpt(0), rcpt(1),
                            data(MSG), QUIT)),
    ("dies-in-data", session(script(data=[DIE]), EHLO, mail(1), rcpt(0), data(MSG),
                             mail(2), rcpt(1), data(MSG), QUIT)),
    ("dies-after-dot", session(script(dot=[OK, DIE]), EHLO, mail(1), rcpt(0), rcpt(1),
                               data(MSG), mail(2), rcpt(1), bdat(MSG, last=True), QUIT)),
    ("dies-at-rset", session(script(rset=[DIE]), EHLO, mail(1), rcpt(0), RSET, mail(2),
                             rcpt(1), data(MSG), QUIT)),
    ("mail-refused", session(script(lhlo=[0], mail=[TEMP, PERM]), EHLO, mail(1), rcpt(0),
                             rcpt(1), mail(0), rcpt(1), data(MSG), QUIT)),
    ("mail-refused-pipelined", session(script(lhlo=[1], mail=[PERM]), EHLO, mail(1), rcpt(0),
                                       rcpt(1), data(MSG), QUIT)),
    ("xforward-refused", session(script(lhlo=[2], xforward=[PERM, TEMP]), EHLO, mail(1),
                                 rcpt(0), data(MSG), QUIT)),
    ("refused-greeting", session(script(greet=[TEMP]), EHLO, mail(1), rcpt(0), rcpt(1),
                                 data(MSG), QUIT)),
    ("pipelined", session(script(lhlo=[1]), PIPE, EHLO, mail(1), rcpt(0), rcpt(4), rcpt(1), rcpt(5),
                          PIPE, data(MSG), PIPE, RSET, mail(2), rcpt(4), bdat(b"x" * 40),
                          bdat(MSG, last=True), QUIT)),
    ("other-route", session([], EHLO, mail(1), rcpt(4), data(MSG), mail(1), rcpt(0),
                            data(MSG), QUIT)),
    ("big-lax", session([], EHLO, mail(1, 1), rcpt(0), data(b"a\nb\rc\r\n" * 30, big=True),
                        mail(1), rcpt(1), bdat(b"l" * 98 + b"\r\n", big=True),
                        bdat(b"m\r\n" * 20, last=True, big=True), QUIT, lax=True)),
    ("bare-lf-strict", session([], EHLO, mail(1), rcpt(0), data(b"a\nb\r\n"), mail(2),
                               rcpt(1), bdat(b"c\rd\r\n", last=True), QUIT)),
    ("helo-utf8", session([], HELO, mail(1), rcpt(0), data(MSG), EHLO, mail(2, 2), rcpt(1),
                          data(MSG), QUIT)),
    ("raw", session([], raw(b"VRFY a"), EHLO, raw(b"HELP"), mail(1), raw(b"mail from:<x@y>"),
                    raw(b"BDAT 5 LAST"), raw(b"\x01\x7f"), rcpt(0), NOOP, data(MSG), QUIT)),
]

# --- lmtpclient: octet 0 = the number of operation octets, the operations
# (pairs: call % 8 = rcpt, data, write, end, reply, rset, abort, quit; then
# its argument), then the helper's replies (fuzz_lmtpclient.c).
def client(ops, replies):
    return bytes([len(ops)]) + bytes(ops) + replies


GREET = b"220 mock.test LMTP\r\n"
LHLO_PIPE = b"250-mock.test\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n"
LHLO_XF = b"250-mock.test\r\n250-XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n250 8BITMIME\r\n"
write("fuzz_lmtpclient", [
    ("pipelined", client([0, 0, 0, 0x11, 1, 0, 2, 100, 3, 0, 4, 0, 4, 0, 5, 0, 7, 0],
                         GREET + LHLO_PIPE + b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n"
                         b"354 go\r\n250 2.0.0 a\r\n451 4.2.0 b\r\n221 bye\r\n")),
    ("lockstep-xforward", client([0x40, 0, 0, 1, 1, 0, 0x82, 200, 3, 0, 4, 0, 4, 0, 7, 0],
                                 GREET + LHLO_XF + b"250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"
                                 b"250 ok\r\n354 go\r\n250 ok\r\n550 5.1.1 no\r\n221 bye\r\n")),
    ("data-refused", client([0, 0, 1, 0, 5, 0, 0, 1, 1, 0, 2, 5, 6, 0],
                            GREET + LHLO_PIPE + b"250 ok\r\n250 ok\r\n451 4.3.0 no\r\n250 ok\r\n"
                            b"250 ok\r\n250 ok\r\n354 go\r\n")),
    ("mail-refused", client([0, 8, 0, 0, 5, 0],
                            GREET + b"250 mock\r\n550 5.7.1 no\r\n250 ok\r\n250 ok\r\n500 no\r\n")),
    ("nonsense", client([0, 0, 4, 0, 4, 0],
                        GREET + LHLO_PIPE + b"250 ok\r\n250-x\r\n250 " + b"y" * 300 + b"\r\n"
                        b"99 x\r\n")),
    ("utf8-refused", client([0x20, 0, 7, 0], GREET + b"250 mock\r\n221 bye\r\n")),
    ("no-greeting", client([0, 0], b"554 5.3.2 go away\r\n")),
    ("cut", client([0, 0, 1, 0, 2, 255], GREET + LHLO_PIPE + b"250 ok\r\n25")),
])

# Finding 1 of issue 10 (a DATA refused under BDAT LAST left the
# helper's transaction open, and the next transaction's recipients joined
# it): these crashed fuzz_session before end_transaction() ended every
# message; they stay as seeds so that it never comes back.
fine += [
    ("bdat-last-refused-temp", session(script(data=[TEMP]), EHLO, mail(1), rcpt(0),
                                       bdat(b"hello", last=True), mail(2), rcpt(1),
                                       data(b"hi\r\n"), QUIT)),
    ("bdat-last-refused-perm", session(script(data=[PERM]), EHLO, mail(1), rcpt(0),
                                       bdat(b"hello", last=True), mail(2), rcpt(1),
                                       bdat(b"hi\r\n", last=True), QUIT)),
    # found by fuzz_session with only the path above fixed: the message is
    # refused too (a bare LF), and finish_message() leaves the helper be
    ("bdat-last-refused-bare-lf", session(script(data=[TEMP]), EHLO, mail(1), rcpt(0),
                                          bdat(b"a\nb\r\n", last=True), mail(0), rcpt(1),
                                          data(MSG), QUIT)),
]
write("fuzz_session", fine)

# --- headers: a flags octet (1 iprev, 2 spf, 4 tls, 8 pipe, 0x70 the SPF
# result, 64 identity), then HELO, client name, ip, sender, TLS
# description, PTR name and libspf2's comment, each ended by a NUL.
def headers(flags, *v):
    return bytes([flags]) + b"".join(x + b"\0" for x in v)


write("fuzz_headers", [
    ("plain", headers(0x07, b"client.example", b"good.example", b"192.0.2.5",
     b"u@pass.example", b"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits)",
     b"good.example", b"mx.test: domain of pass.example designates 192.0.2.5 "
     b"as permitted sender")),
    ("helo-inject", headers(0x03, b"x;dkim=pass;dmarc=pass", b"", b"192.0.2.5",
     b"", b"", b"", b"mx.test: HELO is not a domain name")),
    ("sender-inject", headers(0x42, b"[192.0.2.5]", b"", b"2001:db8::1",
     b"\"x;dkim=pass\"@pass.example", b"", b"", b"a) (b; c\\")),
    ("utf8", headers(0x16, b"h\xc3\xa9.example", b"x\r\ny", b"::1",
     b"\xc3\xbc@b\xc3\xbc.example", b"v (1", b"n\x01", b"\xff")),
    ("pipe", headers(0x08, b"", b"", b"", b"dkim=pass@pass.example", b"", b"", b"")),
])


# --- dnsbl: DNS replies to 2.0.0.127.bl.test as res_query() gives them.
def dns_reply(answers, qtype=1):
    q = b"\x012\x010\x010\x03127\x02bl\x04test\x00"
    m = bytes([0, 1, 0x81, 0x80, 0, 1, 0, len(answers), 0, 0, 0, 0]) + q
    m += bytes([0, qtype, 0, 1])
    for t, rd in answers:
        m += bytes([0xc0, 12, 0, t, 0, 1, 0, 0, 0, 60, 0, len(rd)]) + rd
    return m


write("fuzz_dnsbl", [
    ("listed", dns_reply([(1, bytes([127, 0, 0, 2]))])),
    ("refused", dns_reply([(1, bytes([127, 255, 255, 254]))])),
    ("two", dns_reply([(1, bytes([10, 0, 0, 1])), (1, bytes([127, 0, 0, 4]))])),
    ("txt", dns_reply([(16, b"\x10Listed: see web\x03x\r\n")], 16)),
    ("txt-short", dns_reply([(16, b"\x20cut")], 16)),
    ("none", dns_reply([])),
])
# fuzz_maildir_loop: a piece size octet, then a message whose header
# names the fuzzer's recipients (bob@x.test, ann+Tag@x.test) or not
write("fuzz_maildir_loop", [
    ("loop", b"\x07Delivered-To: <bob@x.test>\r\nSubject: s\r\n\r\nbody\r\n"),
    ("folded", b"\x01delivered-to :\r\n\t<BOB@X.TEST> \r\nDelivered-To: ann+Tag@x.test\r\n\r\n"),
    ("body", b"\x03Subject: s\r\n\r\nDelivered-To: <bob@x.test>\r\n"),
    ("others", b"\x05Delivered-To: <ann+tag@x.test>\r\nDelivered-To: <\"bob\"@x.test>\r\n"
     b"Delivered-To: <postmaster>\r\nDelivered-To: <>\r\n\r\n"),
    ("noend", b"\x02Received: x\r\nDelivered-To: bob@x.test"),
    ("quarantine", b"\x04X-Samotop-Quarantine: dmarc\r\nx-samotop-quarantine :\r\n\tf\r\n\r\n"),
])
# fuzz_smime_key: the certificate files of tests/smime/ (S/MIME), and the
# usable ones also in DER, which the loader reads as well
def smime_keys():
    import base64
    d = os.path.join(TOP, "tests", "smime")
    out = []
    for name in sorted(os.listdir(d)):
        if not name.endswith((".pem", ".der")):
            continue
        data = open(os.path.join(d, name), "rb").read()
        out.append((name, data))
        if name in ("rsa.pem", "ec.pem"):
            body = data.split(b"-----")[2]
            out.append((name[:-4] + ".der", base64.b64decode(body)))
    return out


write("fuzz_smime_key", smime_keys())
# fuzz_milter: a milter filter's packets (milter.h); the first octet
# sets the size of the pieces they are fed in
def milter_pkt(cmd, data=b""):
    import struct
    return struct.pack(">I", len(data) + 1) + cmd + data


def milter_optneg(version, actions, protocol, lists=b""):
    import struct
    return milter_pkt(b"O", struct.pack(">III", version, actions, protocol) + lists)


write("fuzz_milter", [
    ("optneg", b"\x03" + milter_optneg(6, 0x1ff, 0x1081)),
    ("optneg-macros", b"\x00" + milter_optneg(6, 0x100, 0,
        b"\0\0\0\x02{auth_authen} i\0\0\0\0\x05j\0")),
    ("session", b"\x07" + milter_optneg(6, 0x2f, 0x80) + milter_pkt(b"c") * 4
     + milter_pkt(b"p") + milter_pkt(b"h", b"X-Spam\0yes\0")
     + milter_pkt(b"+", b"<x@example.org>\0") + milter_pkt(b"q", b"held\0")
     + milter_pkt(b"a")),
    ("reject", b"\xf0" + milter_pkt(b"y", b"554 5.7.1 Go away, 100%%\0")),
    ("multiline", b"\x01" + milter_pkt(b"y",
        b"550-5.7.1 first\r\n550-5.7.1 second\r\n550 last\0")),
    ("bad-code", b"\x02" + milter_pkt(b"y", b"250 fine\0")),
    ("headers", b"\x05" + milter_pkt(b"i", b"\0\0\0\x01X-A\0b\0")
     + milter_pkt(b"m", b"\0\0\0\x02Subject\0\0")),
    ("envelope", b"\x0b" + milter_pkt(b"2", b"<y@z>\0NOTIFY=NEVER\0")
     + milter_pkt(b"e", b"<a@b>\0SIZE=9\0") + milter_pkt(b"-", b"<y@z>\0")),
    ("body", b"\x0f" + milter_pkt(b"b", b"new\r\nbody\r\n" * 20)
     + milter_pkt(b"b", b"") + milter_pkt(b"c")),
    ("symlist", b"\x04" + milter_pkt(b"l", b"\0\0\0\x03{rcpt_addr}\0")),
    ("others", b"\x09" + b"".join(milter_pkt(c) for c in
        (b"t", b"r", b"d", b"s", b"f", b"4"))),
    ("oversized", b"\x00" + b"\x00\x01\x00\x01b"),
    ("empty", b"\x00\x00\x00\x00\x00"),
])

# fuzz_milterconn: a filter's whole side of one session (milterconn.c);
# the first octet: bit 0 milter-default accept, bits 1-3 the change
# callback that fails
OPTNEG_ALL = milter_optneg(6, 0x1ff, 0)
write("fuzz_milterconn", [
    ("accept-with-changes", b"\x00" + OPTNEG_ALL + milter_pkt(b"c") * 8
     + milter_pkt(b"p") + milter_pkt(b"h", b"X-Spam\0yes\0")
     + milter_pkt(b"i", b"\0\0\0\0X-B\0 w\0")
     + milter_pkt(b"m", b"\0\0\0\0Subject\0\0")
     + milter_pkt(b"b", b"new body\r\n")
     + milter_pkt(b"e", b"<s@x>\0SIZE=1\0") + milter_pkt(b"+", b"<r@x>\0")
     + milter_pkt(b"2", b"<q@x>\0NOTIFY=NEVER\0")
     + milter_pkt(b"-", b"<d@x>\0") + milter_pkt(b"q", b"held\0")
     + milter_pkt(b"a") + milter_pkt(b"c")),
    ("callback-fails", b"\x04" + OPTNEG_ALL + milter_pkt(b"c") * 8
     + milter_pkt(b"h", b"X-A\0a\0") + milter_pkt(b"h", b"X-B\0b\0")
     + milter_pkt(b"a")),
    ("reply-at-mail", b"\x00" + OPTNEG_ALL + milter_pkt(b"c") * 2
     + milter_pkt(b"y", b"550-5.7.1 first\r\n550 5.7.1 100%% no\0")
     + milter_pkt(b"c")),
    ("reject-at-connect", b"\x01" + OPTNEG_ALL + milter_pkt(b"r")),
    ("skip-and-no-steps", b"\x00" + milter_optneg(6, 0x1ff, 0x1fe)
     + milter_pkt(b"c") + milter_pkt(b"s") + milter_pkt(b"t")),
    ("macro-lists", b"\x00" + milter_optneg(6, 0x100, 0x100000,
        b"\0\0\0\0{client_addr} j\0\0\0\0\x02{mail_addr} i\0")
     + milter_pkt(b"c") * 10),
    ("out-of-place", b"\x00" + OPTNEG_ALL + milter_pkt(b"h", b"X\0v\0")),
    ("closes", b"\x01" + OPTNEG_ALL + milter_pkt(b"c")),
])

# fuzz_dkim: the first octet is the chunk size (0: at once), then a
# message.  SIGNED was signed (tests/dkim_drive sign -l, rsa-sha256,
# relaxed/relaxed) with the key whose public half fuzz_dkim.c holds
# (selector fz): it passes, and its mutations reach every verdict.
def dkim_seeds():
    import base64
    signed = base64.b64decode(
        "REtJTS1TaWduYXR1cmU6IHY9MTsgYT1yc2Etc2hhMjU2OyBjPXJlbGF4ZWQvcmVsYXhl"
        "ZDsgZD1leGFtcGxlLm9yZzsgcz1mejsNCgl0PTE3OTYyNTkyMDQ7IGJoPUNrNVNvUk5X"
        "VXBTUjRYMENPdjdSNXViMnBVVHRsNnh6NGRURnorK2ppNE09OyBsPTY7DQoJaD1Gcm9t"
        "OlN1YmplY3Q6RGF0ZTsNCgliPWR2WkZOaUlrdHhGcm5PN01LaUZ1Qm1OdFBMWml3dnhF"
        "TDJiZDBCTEdYSTlRbHdLOEFYQ2M3UVdpVnV6SlBHd1dyDQoJIGdkMDZYRE0yTTFqVVh4"
        "aG9tMUk5M2xtd1BNL0dMK1BoUXRLTCtyZjM5aU1CSkFXQWFQWSs5aEpSdWVFNzg4ZHdi"
        "RA0KCSBBZXJsWnVlU2V5dGhpUDcwRmNXVHc0M1ZIUWpYNGxyQVFRQnZFb3BZPQ0KRnJv"
        "bTogYUBleGFtcGxlLm9yZw0KU3ViamVjdDogcw0KRGF0ZTogVGh1LCAwMyBEZWMgMjAy"
        "NiAwMDowMDowMCArMDAwMA0KDQpib2R5DQo=")
    msg = (b"From: a@example.org\r\nSubject: s\r\n"
           b"Date: Thu, 03 Dec 2026 00:00:00 +0000\r\n\r\nbody\r\n")
    sig = lambda v: b"DKIM-Signature: " + v + b"\r\n" + msg
    return [(n, bytes([c]) + m) for n, c, m in [
        ("signed", 0, signed),
        ("signed-chunks", 7, signed),
        ("signed-appended", 0, signed + b"more\r\n"),
        ("unsigned", 3, msg),
        ("no-body", 0, msg.split(b"\r\n\r\n")[0]),
        ("garbage", 0, sig(b"v=1; a=zzz; \x01\xff;; garbage")),
        ("nokey", 0, sig(b"v=1; a=rsa-sha256; d=example.org; s=none; "
                         b"h=from; bh=AAAA; b=AAAA")),
        ("badkey", 0, sig(b"v=1; a=rsa-sha256; d=example.org; s=bad; "
                          b"h=from; bh=AAAA; b=AAAA")),
        ("ed25519", 0, sig(b"v=1; a=ed25519-sha256; c=simple/simple; "
                           b"d=example.org; s=ed; h=from:subject; "
                           b"bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; "
                           b"l=6; x=1; t=2; b=AAAA")),
        ("folded", 1, sig(b"v=1;\r\n\ta=rsa-sha1; q=dns/txt;\r\n d=ex"
                          b"ample.org; s=fz; i=@example.org; z=From:a|To:b;"
                          b" h=from; bh=AAAA; b=A A\r\n\tA=")),
    ]]


write("fuzz_dkim", dkim_seeds())

# fuzz_dmarc: SPF result, DKIM result, pct= sample, where the record is
# (0: everywhere, 1: the organizational domain only, 2: lookup failure);
# then lines: the record, the SPF domain, the DKIM d=, the From: domains.
def dmarc_seeds():
    def seed(name, spf, dkim, rnd, mode, lines):
        return (name, bytes([spf, dkim, rnd, mode]) + "\n".join(lines).encode())
    return [
        seed("spf-pass", 0, 0, 0, 0, ["v=DMARC1; p=reject", "example.org", "", "example.org"]),
        seed("dkim-relaxed", 4, 1, 0, 0, ["v=DMARC1; p=reject; adkim=r", "", "mail.example.org", "example.org"]),
        seed("dkim-strict", 4, 1, 0, 0, ["v=DMARC1; p=reject; adkim=s; aspf=s", "bounce.example.org", "mail.example.org", "example.org"]),
        seed("reject", 1, 2, 0, 0, ["v=DMARC1; p=reject", "spammer.test", "spammer.test", "example.org"]),
        seed("quarantine-pct", 1, 2, 70, 0, ["v=DMARC1; p=quarantine; pct=50; rua=mailto:d@example.org", "x.test", "", "example.org"]),
        seed("sp", 4, 0, 0, 1, ["v=DMARC1; p=none; sp=reject; fo=1:d:s; rf=afrf; ri=3600", "", "", "a.b.example.co.uk"]),
        seed("temperror", 0, 0, 0, 2, ["", "example.org", "", "example.org"]),
        seed("malformed", 0, 0, 0, 0, ["v=DMARC1; p=reject; pct=200", "", "", "example.org"]),
        seed("several", 0, 1, 0, 0, ["v=DMARC1; p=reject", "example.net", "example.org", "example.org", "EXAMPLE.net.", "example.com"]),
        seed("no-from", 0, 1, 0, 0, ["v=DMARC1; p=reject", "example.net", "example.org"]),
    ]


write("fuzz_dmarc", dmarc_seeds())

# fuzz_hdredit: the piece size, flags (1 quarantine, 2 strip, 4 replaced
# body, 8 the MTA's own fields), the number of edits, each edit (op: 0
# add, 1 insert, 2 change, +4 leadspc; index; name NUL value NUL), then
# the message.
def hdredit_seeds():
    def edit(op, index, name, value):
        return bytes([op, index]) + name + b"\0" + value + b"\0"
    msg = (b"Received: from a\r\n\tby b\r\nSubject: hello\r\n"
           b"Received: from c\r\nTo: u@example.org,\r\n v@example.org\r\n"
           b"\r\nSubject: the body\r\n")
    def seed(name, step, flags, edits, m=msg):
        return (name, bytes([step, flags, len(edits)]) + b"".join(edits) + m)
    return [
        seed("none", 0, 0, []),
        seed("add", 3, 0, [edit(0, 0, b"X-Spam", b"yes")]),
        seed("insert", 1, 0, [edit(1, 0, b"I0", b"top"), edit(1, 2, b"I2", b"x"),
                              edit(1, 200, b"End", b"end")]),
        seed("change", 5, 0, [edit(2, 2, b"received", b"from C"),
                              edit(2, 0, b"Subject", b"[SPAM] hello"),
                              edit(2, 1, b"X-New", b"appended")]),
        seed("delete", 7, 0, [edit(2, 1, b"To", b""), edit(2, 9, b"X", b"")]),
        seed("values", 2, 0, [edit(4, 0, b"A", b" lead\n\tfolded\n"),
                              edit(0, 0, b"B", b"one\ntwo\r\n\n")]),
        seed("quarantine", 0xf0, 3, [edit(0, 0, b"X-Samotop-Quarantine", b"x")],
             b"X-Samotop-Quarantine: forged\r\nx-samotop-quarantine :\r\n f\r\n\r\n"),
        seed("own", 4, 9, [edit(1, 1, b"I1", b"v"), edit(2, 1, b"Received", b"r")]),
        seed("replbody", 6, 4, [edit(0, 0, b"X", b"y")], b"A: 1"),
        seed("noheader", 1, 0, [edit(0, 0, b"X", b"y")], b" folded\r\nA: 1\r\n"),
        seed("nofield", 1, 0, [edit(1, 1, b"X", b"y")], b"A: 1\r\nno field\r\n\r\n"),
        seed("limit", 0xf0, 0, [edit(0, 0, b"X", b"y")] * 65),
    ]


write("fuzz_hdredit", hdredit_seeds())

# fuzz_arc: the first octet is the chunk size (0: at once), then a
# message: tests/arc/'s, which dkimpy sealed with the keys fuzz_arc.c
# holds (tests/arc/make-fixtures.py), and ARC fields to mutate.
def arc_seeds():
    d = os.path.join(TOP, "tests", "arc")
    msg = (b"From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n")
    seeds = []
    for i, path in enumerate(sorted(glob.glob(os.path.join(d, "*.eml")))):
        name = os.path.basename(path)[:-4]
        seeds.append((name, bytes([(0, 7, 1, 64)[i % 4]]) +
                      open(path, "rb").read()))
    for name, head in [
        ("temp-key", b"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=example.org;"
         b" s=temp; b=AAAA\r\nARC-Message-Signature: i=1; a=rsa-sha256;"
         b" c=relaxed/simple; d=example.org; s=temp; h=from:from:subject;"
         b" l=6; bh=AAAA; b=AAAA\r\nARC-Authentication-Results: i=1; x;"
         b" spf=pass\r\n"),
        ("fifty-one", b"ARC-Seal: i=51; cv=pass; a=rsa-sha256; d=x; s=y;"
         b" b=AAAA\r\n"),
        ("garbage", b"ARC-Seal: i=1;;\x01\xff b\r\n"
         b"arc-message-signature : i = 1 ; h=arc-seal\r\n"
         b"ARC-Authentication-Results:i=1\r\n"),
    ]:
        seeds.append((name, b"\x00" + head + msg))
    return seeds


write("fuzz_arc", arc_seeds())

# fuzz_scr_http: what a client sends the screener's web page: the
# requests of tests/screener_web.bats and Chromium's, and the refused
# kinds (bare LF, folding, two lengths, chunked, an unknown method).
def scr_http_seeds():
    form = b"application/x-www-form-urlencoded"
    body = b"csrf=0123456789abcdef0123456789abcdef&sender=carol%40example.net&action=allow"
    return [
        ("get", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:20000\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"),
        ("basic", b"GET /?done=allow&who=carol%40example.net HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Ym9iOmJvYi1wdw==\r\n\r\n"),
        ("cookie", b"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; samotop_screener=1700028800.626f62.00ff\r\nConnection: keep-alive\r\n\r\n"),
        ("login", b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: " + form + b"\r\nContent-Length: 24\r\n\r\nuser=bob&password=bob-pw"),
        ("decide", b"POST /decide HTTP/1.1\r\nHost: x\r\nContent-Type: " + form + b"; charset=utf-8\r\nContent-Length: " + str(len(body)).encode() + b"\r\nOrigin: http://x\r\n\r\n" + body),
        ("pipelined", b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /login HTTP/1.0\r\n\r\n"),
        ("bare-lf", b"GET / HTTP/1.1\nHost: x\n\n"),
        ("folded", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"),
        ("two-lengths", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
        ("chunked", b"POST /decide HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        ("method", b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("version", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
        ("ctl", b"GET /%3Cb%3E HTTP/1.1\r\nHost: x\r\nCookie: \x01\xff\r\n\r\n"),
    ]


write("fuzz_scr_http", scr_http_seeds())
# --- scr_msg: held messages as samotop-maildir stores them (the
# screener's fields, encoded-words, MIME with base64 and QP, CRLF).
write("fuzz_scr_msg", [
    ("held", b"X-Samotop-Screener: held (new sender)\n"
     b"Authentication-Results: mx.test;\n\tspf=pass smtp.mailfrom=a@example.net;\n"
     b"\tdkim=pass header.d=example.net\n\t(TLS: TLSv1.3)\n"
     b"From: =?utf-8?q?Al=C3=AFce?= <Alice@example.net>\n"
     b"Subject: =?utf-8?B?SGVsbG8=?= there\n\nHi Bob,\nlunch?\n"),
    ("mime", b"From: \"Smith, B\" <b@example.org> (c)\n"
     b"Content-Type: multipart/mixed; boundary=\"o\"\n\n--o\n"
     b"Content-Type: multipart/alternative; boundary=i\n\n--i\n"
     b"Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
     b"<head><style>x</style></head><p>caf=E9 &amp;</p>\n--i\n"
     b"Content-Type: text/plain; charset=iso-8859-1\n"
     b"Content-Transfer-Encoding: base64\n\nSGVsbG8=\n--i--\n--o--\n"),
    ("crlf", b"From: <@r.example:u@example.org>\r\nSubject: crlf\r\n\r\nbody\r\n"),
])
# --- q_state: the queue's state files; the first octet is the number
# of recipients.
write("fuzz_q_state", [
    ("fresh", b"\x02samotop-state 1\nrcpt 0 pending 0 77 0\nrcpt 1 pending 0 77 0\n"),
    ("mixed", b"\x03samotop-state 1\nrcpt 0 done 1 5 250 2.0.0 ok\n"
     b"rcpt 1 failed 2 5 550 5.1.1 no such user\n"
     b"rcpt 2 pending 3 1700000000 451 4.3.0 try later\nwarned 1234\n"),
    ("bounced", b"\x01samotop-state 1\nrcpt 0 bounced 9 0 550 x\nfuture 1\n"),
    ("bad-index", b"\x01samotop-state 1\nrcpt 5 done 1 5 250\n"),
    ("no-newline", b"\x01samotop-state 1\nrcpt 0 done 1 5 250  two  blanks"),
])
# --- q_env: the queue's envelope files (q_env.h), as samotop-queue
# writes them, with what readers must ignore or refuse.
write("fuzz_q_env", [
    ("plain", b"samotop-queue 1\nid 1700000000-0123456789abcdef\ntime 1700000000\n"
     b"from alice@example.org\nrcpt bob@example.net\n"),
    ("params", b"samotop-queue 1\nid 1700000000-0123456789abcdef\ntime 1700000000\n"
     b"from \xc3\xa9@example.org\nparam SMTPUTF8\nparam BODY=8BITMIME\n"
     b"rcpt \"john doe\"@example.com\nrcpt carol@example.net\n"),
    ("null-sender", b"samotop-queue 1\nid 1-0000000000000000\ntime 1\nfrom \nrcpt x@y"),
    ("unknown", b"samotop-queue 1\nfuture 1\nparam FOO\nid 1-0123456789abcdef\n"
     b"time 1\nfrom a@b\nrcpt x@y\n"),
    ("version", b"samotop-queue 2\nid 1-0123456789abcdef\n"),
    ("control", b"samotop-queue 1\nid 1-0123456789abcdef\ntime 1\nfrom a\rb\nrcpt x@y\n"),
    ("twice", b"samotop-queue 1\nid 1-0123456789abcdef\ntime 1\ntime 2\nfrom a\nrcpt x@y\n"),
])
# --- rmt_mx: answers to samotop-remote's MX (first octet even: the room
# for records in bits 1..6), A (1) and AAAA (3) queries.
def rmt_dns(qtype, answers):
    q = b"\x07example\x04test\x00"
    m = bytes([0, 1, 0x81, 0x80, 0, 1, 0, len(answers), 0, 0, 0, 0]) + q
    m += bytes([0, qtype, 0, 1])
    for t, rd in answers:
        m += bytes([0xc0, 12, 0, t, 0, 1, 0, 0, 0, 60, 0, len(rd)]) + rd
    return m


def rmt_mx(pref, name):
    wire = b"".join(bytes([len(l)]) + l for l in name.split(b".") if l) + b"\x00"
    return (15, bytes([pref >> 8, pref & 255]) + wire)


write("fuzz_rmt_mx", [
    ("mx", b"\x20" + rmt_dns(15, [rmt_mx(10, b"mx1.example.test"), rmt_mx(20, b"mx2.example.test"),
                                  rmt_mx(10, b"mx3.example.test")])),
    ("mx-compressed", b"\x08" + rmt_dns(15, [(15, b"\x00\x05\x02mx\xc0\x0c")])),
    ("null", b"\x08" + rmt_dns(15, [rmt_mx(0, b"")])),
    ("mx-loop", b"\x08" + rmt_dns(15, [(15, b"\x00\x05\xc0\x2b")])),
    ("a", b"\x01" + rmt_dns(1, [(1, bytes([127, 0, 0, 21])), (5, b"\xc0\x0c"), (1, bytes([192, 0, 2, 1]))])),
    ("aaaa", b"\x03" + rmt_dns(28, [(28, bytes([0x20, 1, 0x0d, 0xb8] + [0] * 11 + [1]))])),
    ("a-short", b"\x01" + rmt_dns(1, [(1, bytes([127, 0, 0]))])),
])
# --- rmt_smtp: replies to samotop-remote (first octet: bit 0 EHLO, the
# rest the size of the pieces fed).
write("fuzz_rmt_smtp", [
    ("greeting", b"\x20220 mx.example.test ESMTP\r\n"),
    ("ehlo", b"\x21250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
     b"250-STARTTLS\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n"),
    ("pipelined", b"\x06250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no such user\r\n"
     b"451 4.3.0 later\r\n"),
    ("bare-lf", b"\x02250-a\n250 b\n"),
    ("bad", b"\x10250-a\r\n550 b\r\n999 x\r\nhello\r\n"),
])
# --- srs: the Sender Rewriting Scheme (srs.h); first octet: bit 0
# reverse, the rest the day.
write("fuzz_srs", [
    ("forward", b"\x10alice@origin.test"),
    ("forward-srs0", b"\x10SRS0=ABCDEFGH=RA=o.test=a@first.test"),
    ("forward-srs1", b"\x10SRS1=ABCDEFGH=first.test==ABCDEFGH=RA=o.test=a@second.test"),
    ("forward-ours", b"\x10bob@fwd.example"),
    ("reverse-srs0", b"\x11SRS0=ABCDEFGH=RA=o.test=a@fwd.example"),
    ("reverse-srs1", b"\x11SRS1=ABCDEFGH=first.test==ABCDEFGH=RA=o.test=a@fwd.example"),
    ("reverse-bad", b"\x11SRS0==RA==@fwd.example"),
])
# --- sts: MTA-STS (first octet mod 5: 0 a TXT answer, 1 a TXT record, 2 a
# policy, 3 a cache file, 4 "pattern\nhost")
def sts_txt(*strings):
    rd = b"".join(bytes([len(x)]) + x for x in strings)
    return (16, rd)


STS_POLICY = (b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\n"
              b"mx: *.example.net\r\nmax_age: 604800\r\n")
write("fuzz_sts", [
    ("answer", b"\x00" + rmt_dns(16, [sts_txt(b"v=STSv1; id=20160831085700Z;")])),
    ("answer-split", b"\x00" + rmt_dns(16, [sts_txt(b"v=STSv1; ", b"id=abc"), sts_txt(b"v=spf1 -all")])),
    ("answer-two", b"\x00" + rmt_dns(16, [sts_txt(b"v=STSv1; id=a"), sts_txt(b"v=STSv1; id=b")])),
    ("record", b"\x01v=STSv1; id=20190429T010101; ext_1=value;"),
    ("record-bad", b"\x01v=STSv1;id=toolongtoolongtoolongtoolongtoolong"),
    ("policy", b"\x02" + STS_POLICY),
    ("policy-lf", b"\x02version: STSv1\nmode: testing\nmx: mx.test\nmax_age: 99999999999\nfoo: bar\n"),
    ("policy-none", b"\x02version: STSv1\nmode: none\nmax_age: 1\n"),
    ("cache", b"\x03samotop-sts 1\nid e1\nfetched 1700000000\n\n" + STS_POLICY),
    ("match", b"\x04*.example.net\nMX1.Example.NET."),
    ("match-exact", b"\x04mail.example.test\nmail.example.test"),
])
# --- tlsrpt: TLS-RPT (first octet mod 5: 0 a day file line, 1 a day
# file, 2 a TXT record, 3 a TXT answer, 4 a message's header)
TLSRPT_LINES = (
    b"tlsrpt1 1764720000 success no-policy-found example.test mx.example.test 127.0.0.41 127.0.0.1 - 0 -\n"
    b"tlsrpt1 1764720001 starttls-not-supported no-policy-found example.test mx2.example.test 127.0.0.42 127.0.0.1 - 0 -\n"
    b"tlsrpt1 1764720002 validation-failure sts example.test mx.example.test 2001:db8::25 - enforce 86400 mx.example.test,*.mail.example.test\n"
    b"tlsrpt1 1764720003 tlsa-invalid tlsa example.test mx3.example.test 127.0.0.44 - - 0 -\n")
write("fuzz_tlsrpt", [
    ("line", b"\x00" + TLSRPT_LINES.split(b"\n")[0]),
    ("line-sts", b"\x00" + TLSRPT_LINES.split(b"\n")[2]),
    ("day", b"\x01" + TLSRPT_LINES + b"tlsrpt1 1 succ"),
    ("record", b"\x02v=TLSRPTv1; rua=mailto:a%2Bb@x.test?s=1, https://r.test/v1;ext=1;"),
    ("answer", b"\x03" + rmt_dns(16, [sts_txt(b"v=TLSRPTv1; ", b"rua=mailto:tls@example.test"), sts_txt(b"v=spf1 -all")])),
    ("answer-two", b"\x03" + rmt_dns(16, [sts_txt(b"v=TLSRPTv1; rua=mailto:a@b.test"), sts_txt(b"v=TLSRPTv1; rua=https://b.test/")])),
    ("header", b"\x04From: postmaster@s.test\r\nTLS-Report-Domain: d.test\r\n\r\nbody\r\n"),
])
# --- auth: AUTH's pure parts (fuzz_auth.c); first octet mod 4: 0 an AUTH
# line and responses, 1 a Dovecot auth server's lines, 2 base64, 3 login,
# address and a sender-login file.
write("fuzz_auth", [
    ("plain-ir", b"\x00AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA=="),
    ("plain-334", b"\x00AUTH PLAIN\nAGJvYgBodW50ZXIy"),
    ("plain-empty", b"\x00AUTH PLAIN ="),
    ("plain-authzid", b"\x00AUTH PLAIN Ym9iAGFsaWNlAHB3"),
    ("login", b"\x00AUTH LOGIN\nYm9i\ncHc="),
    ("login-ir", b"\x00auth login Ym9i\n"),
    ("cancel", b"\x00AUTH LOGIN\n*"),
    ("bad-b64", b"\x00AUTH PLAIN Zg==Zm9v"),
    ("dovecot", b"\x01VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\n"
     b"SPID\t42\nCUID\t1\nCOOKIE\tabcdef\nDONE\nOK\t1\tuser=bob"),
    ("dovecot-fail", b"\x01VERSION\t1\t2\nMECH\tPLAIN\nDONE\nFAIL\t1\tcode=temp_fail"),
    ("dovecot-v2", b"\x01VERSION\t2\t0\nDONE"),
    ("base64", b"\x02AGFsaWNlAHB3"),
    ("base64-pad", b"\x02QR=="),
    ("senders", b"\x03ann\nsales@example.com\n# c\n@example.org admin\n"
     b"sales@example.com\tann bob # team\n"),
])
print("seeds written to", SEEDS)
