#!/usr/bin/env python3
"""tests/soak/soak.py: thousands of SMTP sessions against samotop, then a
count of what ended where.  Run by tests/soak/run (make soak).

Two tcpserver -HRl0 -b 256 -c 64 on 127.0.0.1 run samotop-smtpd: the main
one routes
  @md.test       samotop-maildir MD/%u (users u0..u7; others: 550 5.1.1)
  @lmtp.test     samotop-lmtp unix:SOCK -> lmtpd_mock.py -> samotop-maildir
                 -c LB/%u; the soak stops and restarts that LDA all along
  @partial.test  the lmtp_stub.py mock, saving each message once to PARTIAL
                 and answering 452 for fail@partial.test: {ok, fail} must get
                 4xx (a copy in PARTIAL then is the duplicate the folding
                 rule allows)
  @crashS.test   the mock crashing at stage S; @hangS.test the mock hanging
                 at stage S (timeout-helper 2s): never a 250
  @refuseC.test  the lmtp_stub.py mock answering its first DATA command with
                 C (451 or 554) and staying up with the transaction open, as
                 an LDA does, then delivering; it saves each message with
                 its envelope to REFUSED/C (issue 10, finding 1)
and the second one greylists (greylist DB, greylist-delay 1s) and routes
everything to samotop-maildir -c GL/%u; its clients retry.

Session kinds: normal deliveries (DATA and BDAT, several transactions),
pipelined BDAT floods, NOOP floods, garbage, disconnects mid-command,
mid-DATA, mid-BDAT and right after the final dot, slow clients (a byte at
a time), oversized command lines, message lines and messages, unknown
users, and the helper-failure routes above.  Every message carries a
unique X-Soak-Id; the client records what it saw.  The refuse-data
sessions run two to four transactions on one connection through a
@refuseC.test route, each by DATA, by one BDAT LAST or by several BDAT
chunks, with a sender of their own: the first one's DATA is refused.
At the end:

  * every message the client saw accepted (250) is in each of its
    recipients' mailboxes exactly once;
  * no message the client saw refused (4xx/5xx), or cut before its end,
    is in any mailbox, except after a 4xx from a partial delivery;
  * a message cut after its final dot (reply unseen) is there at most once;
  * a message the mock saved with its envelope (@refuseC.test) went with
    the sender of the transaction the client sent it in;
  * no file is left in any Maildir tmp/;
  * no process that the soak started (it is their subreaper) is left once
    the servers are stopped.
Exit status 1 when any count is wrong.
"""
import argparse
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--smtpd", required=True)
ap.add_argument("--maildir", required=True)
ap.add_argument("--lmtp", required=True)
ap.add_argument("--stub", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--sessions", type=int, default=2000)
ap.add_argument("--concurrency", type=int, default=48)
ap.add_argument("--greylist-messages", type=int, default=120)
ap.add_argument("--seconds", type=float, default=240)
ap.add_argument("--seed", type=int, default=None)
A = ap.parse_args()

PY = sys.executable
HERE = os.path.dirname(os.path.abspath(__file__))
W = A.dir
seed = A.seed if A.seed is not None else int(time.time())
print("soak: seed %d, %d sessions, %d at a time, work dir %s" %
      (seed, A.sessions, A.concurrency, W), flush=True)

# every orphan of ours (sessions of a stopped tcpserver, ...) becomes our
# child: what is left at the end is found among our descendants
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)          # PR_SET_CHILD_SUBREAPER

MD, LB, GL = W + "/md", W + "/lb", W + "/gl"
PARTIAL = W + "/partial"
REFUSED = W + "/refused"
REFUSE = {"451": "451 4.3.0 mock: cannot take it now",
          "554": "554 5.3.0 mock: will not take it"}
SOCK = W + "/lmtp.sock"
USERS = ["u%d" % i for i in range(8)]
for u in USERS:
    for sub in ("cur", "new", "tmp"):
        os.makedirs("%s/%s/%s" % (MD, u, sub))
os.makedirs(LB)
os.makedirs(GL)
os.makedirs(PARTIAL)
for code in REFUSE:
    os.makedirs(os.path.join(REFUSED, code))

CRASH = ["lhlo", "mail", "rcpt", "data", "body", "reply1"]
HANG = ["mail", "body"]


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub(*env):
    return "/usr/bin/env %s %s %s" % (" ".join(q(e) for e in env), PY, A.stub)


main_conf = [
    "hostname soak.test", "greet-delay 0", "log-level warn",
    "timeout-command 10s", "timeout-data 10s", "timeout-helper 5s",
    "max-message-size 1M",
    "route @md.test %s %s/%%u" % (A.maildir, MD),
    "route @lmtp.test %s unix:%s" % (A.lmtp, SOCK),
    # the mock names its files msg.1, msg.2...: a directory per process
    "route @partial.test /bin/sh -c " + q(
        "d=%s/$$; mkdir $d && LMTP_STUB_SAVE=$d LMTP_STUB_DATA='fail@partial"
        ".test=452 4.2.2 mock: over quota' exec %s %s" % (PARTIAL, PY, A.stub)),
]
main_conf += ["route @crash%s.test %s" % (s, stub("LMTP_STUB_CRASH=" + s))
              for s in CRASH]
main_conf += ["route @hang%s.test %s" % (s, stub("LMTP_STUB_HANG=" + s))
              for s in HANG]
main_conf += ["route @refuse%s.test /bin/sh -c " % code + q(
    "d=%s/%s/$$; mkdir $d && LMTP_STUB_SAVE=$d LMTP_STUB_ENVELOPE=1 "
    "LMTP_STUB_DATA_CMD='%s' exec %s %s" % (REFUSED, code, reply, PY, A.stub))
    for code, reply in REFUSE.items()]
grey_conf = [
    "hostname grey.test", "greet-delay 0", "log-level warn",
    "timeout-command 10s", "timeout-data 10s",
    "greylist %s/greylist.db" % W, "greylist-delay 1s",
    "greylist-autoallow 0",
    "route * %s -c %s/%%u" % (A.maildir, GL),
]
for name, lines in (("main.conf", main_conf), ("grey.conf", grey_conf)):
    with open(os.path.join(W, name), "w") as f:
        f.write("\n".join(lines) + "\n")
    # (under ASan: -n leaks its configuration, tests/regress.bats; the
    # sessions are what the soak checks for leaks)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
               ":detect_leaks=0")
    r = subprocess.run([A.smtpd, "-n", "-c", os.path.join(W, name)],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("soak: %s: %s" % (name, r.stderr.strip()))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def tcpserver(conf, log):
    port = free_port()
    p = subprocess.Popen(["tcpserver", "-HRl0", "-b", "256", "-c", "64",
                          "127.0.0.1", str(port), A.smtpd, "-c", conf],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(log, "ab"))
    for _ in range(250):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return p, port
        except OSError:
            time.sleep(0.02)
    sys.exit("soak: tcpserver did not start")


# --- the LDA behind samotop-lmtp, stopped and started all along -------------
lda_lock = threading.Lock()
lda = {"proc": None, "restarts": 0}


def lda_start():
    lda["proc"] = subprocess.Popen(
        [PY, os.path.join(HERE, "lmtpd_mock.py"), SOCK, A.maildir, "-c",
         LB + "/%u"], stderr=open(W + "/lmtpd.log", "ab"))
    for _ in range(250):
        if os.path.exists(SOCK):
            return
        time.sleep(0.01)


def lda_stop():
    p = lda["proc"]
    if p is not None:
        p.terminate()
        p.wait()
        lda["proc"] = None


def lda_flapper(stop):
    rnd = random.Random(seed + 1)
    while not stop.wait(rnd.uniform(2, 4)):
        with lda_lock:
            lda_stop()
        stop.wait(rnd.uniform(0.3, 1.0))
        with lda_lock:
            lda_start()
            lda["restarts"] += 1


# --- the client side ---------------------------------------------------------
records = []            # one per transaction
rec_lock = threading.Lock()
stats = {}


def bump(k, n=1):
    with rec_lock:
        stats[k] = stats.get(k, 0) + n


def record(**kw):
    with rec_lock:
        records.append(kw)


class Cut(Exception):
    pass


class Client:
    def __init__(self, port, slow=False):
        self.s = socket.create_connection(("127.0.0.1", port), 30)
        self.s.settimeout(30)
        self.buf = b""
        self.slow = slow

    def send(self, b):
        if self.slow:
            for i in range(len(b)):
                self.s.sendall(b[i:i + 1])
                time.sleep(0.002)
        else:
            self.s.sendall(b)

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise Cut("eof")
            self.buf += d
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def reply(self):
        while True:
            ln = self.line()
            if len(ln) < 3 or not ln[:3].isdigit():
                bump("VIOLATION malformed replies")
                raise Cut("malformed")
            if ln[3:4] != b"-":
                return int(ln[:3])

    def cmd(self, b):
        self.send(b + b"\r\n")
        return self.reply()

    def close(self, reset=False):
        if reset:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.s.close()


def message(mid, rnd, rcpts, size=None, longline=False):
    lines = [b"From: soak <s@client.example>",
             b"To: " + b", ".join(r.encode() for r in rcpts),
             b"Subject: soak " + mid.encode(),
             b"X-Soak-Id: " + mid.encode(),
             b"Message-ID: <" + mid.encode() + b"@client.example>", b""]
    n = rnd.randint(1, 30)
    for i in range(n):
        pre = rnd.choice([b"", b"", b"", b".", b"..", b" "])
        lines.append(pre + bytes(rnd.choice(b"abcdefghij .-")
                                 for _ in range(rnd.randint(0, 200))))
    if longline:
        lines.append(b"y" * 1500)
    if size:
        chunk = b"z" * 998
        while sum(len(x) + 2 for x in lines) < size:
            lines.append(chunk)
    return b"".join(x + b"\r\n" for x in lines)


def stuff(body):
    out = b"\r\n".join(b"." + x if x.startswith(b".") else x
                       for x in body.split(b"\r\n"))
    return out


def code_class(c):
    return "250" if c // 100 == 2 else "4xx" if c // 100 == 4 else "5xx"


def transaction(c, mid, rnd, rcpts, route, bdat=False, single=False,
                sender="s@client.example", **kw):
    """MAIL, RCPTs, DATA or BDAT (single: one BDAT LAST); records the
    transaction and returns the final code and the recipients accepted."""
    ok = []
    r = c.cmd(b"MAIL FROM:<" + sender.encode() + b">")
    if r != 250:
        record(id=mid, route=route, rcpts=[], final="5xx" if r >= 500
               else "4xx", kind="mail", sender=sender)
        return r, ok
    for a in rcpts:
        r = c.cmd(b"RCPT TO:<" + a.encode() + b">")
        if r // 100 == 2:
            ok.append(a)
    body = message(mid, rnd, rcpts, **kw)
    if not ok:
        r = c.cmd(b"RSET")
        record(id=mid, route=route, rcpts=[], final="norcpt", kind="rcpt",
               sender=sender)
        return 0, ok
    try:
        if bdat:
            pieces = []
            pos = 0
            while pos < len(body):
                n = len(body) if single else \
                    rnd.randint(1, max(1, len(body) - pos))
                pieces.append(body[pos:pos + n])
                pos += n
            for i, p in enumerate(pieces):
                last = b" LAST" if i == len(pieces) - 1 else b""
                c.send(b"BDAT %d%s\r\n" % (len(p), last) + p)
                r = c.reply()
                if r != 250 and i < len(pieces) - 1:
                    break
        else:
            r = c.cmd(b"DATA")
            if r != 354:
                record(id=mid, route=route, rcpts=ok, final="norcpt",
                       kind="data", sender=sender)
                return r, ok
            c.send(stuff(body) + b".\r\n")
            r = c.reply()
    except Cut:
        record(id=mid, route=route, rcpts=ok, final="unknown", kind="cut",
               sender=sender)
        raise
    record(id=mid, route=route, rcpts=ok, final=code_class(r), kind="tx",
           sender=sender)
    return r, ok


def rcpt_for(rnd, route):
    if route == "md":
        return ["%s@md.test" % rnd.choice(USERS)
                for _ in range(rnd.randint(1, 3))]
    if route == "lmtp":
        return ["l%d@lmtp.test" % rnd.randint(0, 9)
                for _ in range(rnd.randint(1, 3))]
    raise ValueError(route)


def dedup(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def session(n, port):
    rnd = random.Random(seed * 100003 + n)
    kinds = [("normal", 30), ("multi", 8), ("bdat", 10), ("flood", 4),
             ("noops", 2), ("garbage", 2), ("cut-cmd", 5), ("cut-data", 7),
             ("cut-dot", 3), ("cut-bdat", 4), ("long-cmd", 2),
             ("long-line", 2), ("big", 1), ("nouser", 2), ("partial", 4),
             ("crash", 4), ("hang", 1), ("refuse-data", 5)]
    kind = rnd.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
    if n < 4:
        kind = "slow"
    bump("sessions: " + kind)
    route = rnd.choice(["md", "md", "lmtp"])
    mid = lambda t: "m%d-%d" % (n, t)
    c = Client(port, slow=(kind == "slow"))
    try:
        if c.reply() != 220:
            bump("no greeting")
            return
        c.cmd(b"EHLO client.example")
        if kind in ("normal", "slow", "bdat"):
            transaction(c, mid(0), rnd, dedup(rcpt_for(rnd, route)), route,
                        bdat=(kind == "bdat"))
        elif kind == "multi":
            for t in range(rnd.randint(2, 6)):
                route = rnd.choice(["md", "lmtp"])
                transaction(c, mid(t), rnd, dedup(rcpt_for(rnd, route)),
                            route, bdat=rnd.random() < 0.5)
        elif kind == "flood":
            flood(c, n, rnd)
            return
        elif kind == "noops":
            k = rnd.randint(200, 2000)
            got = []
            th = threading.Thread(target=lambda: got.extend(
                c.reply() for _ in range(k + 1)))
            th.start()
            c.send(b"NOOP\r\n" * k + b"QUIT\r\n")
            th.join(60)
            if got.count(250) != k or got[-1:] != [221]:
                bump("VIOLATION noop flood: wrong replies")
            return
        elif kind == "garbage":
            c.send(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 8192))))
            c.send(b"\r\nQUIT\r\n")
            try:
                while True:
                    c.reply()
            except (Cut, socket.timeout):
                pass
            return
        elif kind == "cut-cmd":
            c.send(rnd.choice([b"MAIL FROM:<s@cli", b"RCPT", b"EHLO x\r\nMA",
                               b"BDAT 10", b"DATA"]))
            c.close(reset=rnd.random() < 0.5)
            return
        elif kind in ("cut-data", "cut-dot", "cut-bdat"):
            rcpts = dedup(rcpt_for(rnd, route))
            c.cmd(b"MAIL FROM:<s@client.example>")
            ok = [a for a in rcpts
                  if c.cmd(b"RCPT TO:<" + a.encode() + b">") // 100 == 2]
            body = message(mid(0), rnd, rcpts)
            if not ok:
                return
            if kind == "cut-bdat":
                if rnd.random() < 0.5:
                    c.send(b"BDAT %d LAST\r\n" % len(body) +
                           body[:rnd.randint(0, len(body) - 1)])
                else:
                    c.send(b"BDAT %d\r\n" % len(body) + body)
                    c.reply()
            elif kind == "cut-data":
                if c.cmd(b"DATA") != 354:
                    return
                s = stuff(body)
                c.send(s[:rnd.randint(0, len(s) - 1)])
            else:
                if c.cmd(b"DATA") != 354:
                    return
                c.send(stuff(body) + b".\r\n")
            c.close(reset=rnd.random() < 0.5)
            record(id=mid(0), route=route, rcpts=ok,
                   final="unknown" if kind == "cut-dot" else "cut",
                   kind=kind)
            return
        elif kind == "long-cmd":
            r = c.cmd(b"RCPT TO:<" + b"x" * rnd.randint(2100, 6000) +
                      b"@md.test>")
            if r // 100 != 5:
                bump("VIOLATION long command line: not 5xx")
            # still in step: a normal transaction follows
            transaction(c, mid(0), rnd, dedup(rcpt_for(rnd, route)), route)
        elif kind == "long-line":
            r, _ = transaction(c, mid(0), rnd, dedup(rcpt_for(rnd, route)),
                               route, longline=True, bdat=rnd.random() < 0.3)
            if r // 100 == 2:
                bump("VIOLATION line over max-line-length accepted")
        elif kind == "big":
            r, _ = transaction(c, mid(0), rnd, ["u1@md.test"], "md",
                               size=1200 * 1024, bdat=rnd.random() < 0.5)
            if r // 100 == 2:
                bump("VIOLATION message over max-message-size accepted")
        elif kind == "nouser":
            transaction(c, mid(0), rnd, rnd.choice(
                [["nobody%d@md.test" % n],
                 ["nobody%d@md.test" % n, "u2@md.test"]]), "md")
        elif kind == "partial":
            rc = rnd.choice([["ok@partial.test"],
                             ["ok@partial.test", "fail@partial.test"],
                             ["fail@partial.test", "ok@partial.test"]])
            r, ok = transaction(c, mid(0), rnd, rc, "partial",
                                bdat=rnd.random() < 0.3)
            # (a RCPT may time out while the mock starts up: 451 4.3.0)
            if "fail@partial.test" in ok and r // 100 == 2:
                bump("VIOLATION partial delivery answered 250")
        elif kind in ("crash", "hang"):
            st = rnd.choice(CRASH if kind == "crash" else HANG)
            dom = "%s%s.test" % (kind, st)
            # a crash after the first reply fails only a second recipient
            rc = ["a@" + dom] + (["b@" + dom] if st == "reply1" or
                                 rnd.random() < 0.7 else [])
            r, ok = transaction(c, mid(0), rnd, rc, kind,
                                bdat=rnd.random() < 0.3)
            # crashing after its one reply, the mock did deliver
            if r // 100 == 2 and not (st == "reply1" and len(ok) == 1):
                bump("VIOLATION failing helper answered 250")
        elif kind == "refuse-data":
            # the helper refuses the first DATA and stays up: the next
            # transactions must start afresh (issue 10, finding 1)
            route = "refuse" + rnd.choice(sorted(REFUSE))
            for t in range(rnd.randint(2, 4)):
                how = rnd.choice(["data", "bdat-last", "bdat-last", "bdat"])
                bump("refuse-data: transactions by " + how)
                rc = dedup(["%s@%s.test" % (rnd.choice("abc"), route)
                            for _ in range(rnd.randint(1, 2))])
                r, ok = transaction(c, mid(t), rnd, rc, route,
                                    bdat=how != "data",
                                    single=how == "bdat-last",
                                    sender="t%d-%d@client.example" % (n, t))
                if t == 0 and r // 100 == 2:
                    bump("VIOLATION refused DATA answered 250")
        try:
            c.cmd(b"QUIT")
        except Cut:
            pass
    except Cut as e:
        if kind not in ("garbage", "cut-cmd"):
            bump("VIOLATION server closed the session (%s): %s" % (e, kind))
    except socket.timeout:
        bump("VIOLATION client timeouts: " + kind)
    except ConnectionError as e:
        bump("connection errors: %s: %s" % (kind, type(e).__name__))
    finally:
        c.close()


def flood(c, n, rnd):
    """Several BDAT transactions pipelined in one write, each RSET first."""
    k = rnd.randint(2, 12)
    out = []
    plan = []
    for t in range(k):
        route = rnd.choice(["md", "lmtp"])
        rc = dedup(rcpt_for(rnd, route))
        mid = "m%d-%d" % (n, t)
        body = message(mid, rnd, rc)
        # RSET first: a transaction whose recipients all failed stays
        # open after its refused BDAT (the next MAIL would get 503)
        out.append(b"RSET\r\nMAIL FROM:<s@client.example>\r\n")
        out += [b"RCPT TO:<" + a.encode() + b">\r\n" for a in rc]
        out.append(b"BDAT %d LAST\r\n" % len(body) + body)
        plan.append((mid, route, rc))
    out.append(b"QUIT\r\n")
    got = []

    def reader():
        try:
            for mid, route, rc in plan:
                c.reply()
                m = c.reply()
                ok = [a for a in rc if c.reply() // 100 == 2]
                r = c.reply()
                if m == 250 and ok:
                    record(id=mid, route=route, rcpts=ok,
                           final=code_class(r), kind="flood")
                got.append(r)
            c.reply()
        except (Cut, socket.timeout, OSError):
            got.append("cut")
    th = threading.Thread(target=reader)
    th.start()
    c.send(b"".join(out))
    th.join(120)
    if "cut" in got:
        bump("VIOLATION server closed the session (flood)")


def greylisted(g, port):
    """One message to the greylisting server, retried while 4xx."""
    rnd = random.Random(seed * 7 + g)
    # a dozen triplets for all: concurrent updates of the same rows
    sender = "g%d@sender.example" % (g % 4)
    rcpt = "r%d@grey.test" % (g % 3)
    for attempt in range(8):
        mid = "g%d-%d" % (g, attempt)
        try:
            c = Client(port)
            c.reply()
            c.cmd(b"EHLO client.example")
            if c.cmd(b"MAIL FROM:<" + sender.encode() + b">") != 250:
                c.close()
                continue
            r = c.cmd(b"RCPT TO:<" + rcpt.encode() + b">")
            if r // 100 != 2:
                record(id=mid, route="gl", rcpts=[], final="norcpt",
                       kind="grey")
                c.cmd(b"QUIT")
                c.close()
                bump("greylist: deferred attempts")
                time.sleep(rnd.uniform(1.05, 1.6))
                continue
            c.cmd(b"DATA")
            c.send(stuff(message(mid, rnd, [rcpt])) + b".\r\n")
            r = c.reply()
            record(id=mid, route="gl", rcpts=[rcpt], final=code_class(r),
                   kind="grey")
            c.cmd(b"QUIT")
            c.close()
            if r // 100 == 2:
                bump("greylist: messages accepted")
                return
        except (Cut, OSError) as e:
            bump("greylist: errors (%s)" % type(e).__name__)
    bump("greylist: messages never accepted")


# --- run -----------------------------------------------------------------------
procs = {}
procs["main"], MAIN = tcpserver(W + "/main.conf", W + "/main.log")
procs["grey"], GREY = tcpserver(W + "/grey.conf", W + "/grey.log")
lda_start()
stop_flap = threading.Event()
flapper = threading.Thread(target=lda_flapper, args=(stop_flap,))
flapper.start()

t0 = time.time()
deadline = t0 + A.seconds
next_n = [0]
nlock = threading.Lock()


def worker():
    while time.time() < deadline:
        with nlock:
            n = next_n[0]
            if n >= A.sessions:
                return
            next_n[0] += 1
        try:
            session(n, MAIN)
        except OSError as e:
            bump("connect errors: %s" % type(e).__name__)


def grey_worker(gs):
    for g in gs:
        if time.time() < deadline:
            greylisted(g, GREY)


threads = [threading.Thread(target=worker) for _ in range(A.concurrency)]
gl_ids = list(range(A.greylist_messages))
threads += [threading.Thread(target=grey_worker, args=(gl_ids[i::12],))
            for i in range(12)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - t0
stop_flap.set()
flapper.join()
with lda_lock:
    if lda["proc"] is None:
        lda_start()


def descendants():
    """PIDs of our descendants, from /proc (ppid links)."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        kids.setdefault(int(fields[1]), []).append(int(d))
    out, todo = [], [os.getpid()]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# the sessions end (a hung helper included), then the servers are stopped
servers = {procs["main"].pid, procs["grey"].pid, lda["proc"].pid}
for _ in range(300):
    reap()
    if not [p for p in descendants() if p not in servers]:
        break
    time.sleep(0.1)
sessions_running = [p for p in descendants() if p not in servers]
for name in ("main", "grey"):
    procs[name].terminate()
    procs[name].wait()
lda_stop()
for _ in range(100):
    reap()
    if not descendants():
        break
    time.sleep(0.05)
left = descendants()
left_desc = []
for p in left:
    try:
        with open("/proc/%d/cmdline" % p, "rb") as f:
            left_desc.append("%d %s" % (p, f.read().replace(b"\0", b" ")
                                        .decode(errors="replace")[:120]))
    except OSError:
        pass
    try:
        os.kill(p, signal.SIGKILL)
    except OSError:
        pass
reap()

# --- count -----------------------------------------------------------------
copies = {}         # (mailbox, id) -> n
stray = []
tmp_left = []


def scan_maildirs(top, tag):
    if not os.path.isdir(top):
        return
    for user in os.listdir(top):
        for sub in ("new", "cur", "tmp"):
            d = os.path.join(top, user, sub)
            if not os.path.isdir(d):
                continue
            for fn in os.listdir(d):
                p = os.path.join(d, fn)
                if sub == "tmp":
                    tmp_left.append(p)
                    continue
                note_copy("%s/%s" % (tag, user.lower()), p)


def note_copy(box, path):
    with open(path, "rb") as f:
        head = f.read(8192).split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    mid = None
    for ln in head.split(b"\n"):
        if ln.lower().startswith(b"x-soak-id:"):
            mid = ln.split(b":", 1)[1].strip().decode()
            break
    if mid is None:
        stray.append(path)
        return
    copies[(box, mid)] = copies.get((box, mid), 0) + 1


envelope_from = {}  # (mailbox, id) -> the sender the mock saw


def note_stub_copies(route, path):
    """A message saved with its envelope: a copy for each recipient."""
    with open(path, "rb") as f:
        head = f.read(8192).split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    fields = dict(ln.split(": ", 1) for ln in head.split("\r\n") if ": " in ln)
    mid = fields.get("X-Soak-Id")
    if mid is None or "X-Stub-To" not in fields:
        stray.append(path)
        return
    for a in fields["X-Stub-To"].split():
        box = "%s/%s" % (route, a.strip("<>").split("@")[0].lower())
        copies[(box, mid)] = copies.get((box, mid), 0) + 1
        envelope_from[(box, mid)] = fields.get("X-Stub-From", "").strip("<>")


scan_maildirs(MD, "md")
scan_maildirs(LB, "lmtp")
scan_maildirs(GL, "gl")
for d in os.listdir(PARTIAL):
    for fn in os.listdir(os.path.join(PARTIAL, d)):
        note_copy("partial/*", os.path.join(PARTIAL, d, fn))
for code in REFUSE:
    top = os.path.join(REFUSED, code)
    for d in os.listdir(top):
        for fn in os.listdir(os.path.join(top, d)):
            note_stub_copies("refuse" + code, os.path.join(top, d, fn))


def box_of(route, addr):
    local = addr.split("@")[0].lower()
    return {"md": "md/", "lmtp": "lmtp/", "gl": "gl/"}.get(
        route, route + "/") + local if route != "partial" else "partial/*"


expected = set()
details = []
c = {"accepted (250)": 0, "refused 4xx": 0, "refused 5xx": 0,
     "no recipient accepted": 0, "cut before the end of data": 0,
     "cut after the final dot, reply unseen": 0,
     "accepted and in the mailbox exactly once": 0,
     "accepted (250) by a crash mock after its one reply": 0,
     "VIOLATION accepted but missing": 0,
     "VIOLATION accepted but duplicated": 0,
     "VIOLATION refused but delivered": 0,
     "refused 4xx after partial delivery, delivered (allowed)": 0,
     "VIOLATION cut before the end but delivered": 0,
     "cut after the dot: delivered": 0,
     "VIOLATION cut after the dot: delivered twice": 0,
     "VIOLATION delivered with another transaction's sender": 0}
for r in records:
    f = r["final"]
    key = {"250": "accepted (250)", "4xx": "refused 4xx",
           "5xx": "refused 5xx", "norcpt": "no recipient accepted",
           "cut": "cut before the end of data",
           "unknown": "cut after the final dot, reply unseen"}[f]
    c[key] += 1
    # the crash and hang mocks keep nothing: checked by their replies
    boxes = [] if r["route"] in ("crash", "hang") else \
        dedup(box_of(r["route"], a) for a in r["rcpts"])
    for b in boxes:
        expected.add((b, r["id"]))
        n = copies.get((b, r["id"]), 0)
        if n and (b, r["id"]) in envelope_from and \
                envelope_from[(b, r["id"])] != r.get("sender"):
            c["VIOLATION delivered with another transaction's sender"] += 1
            details.append(("wrong sender", b, r))
        if f == "250":
            if n == 1:
                pass
            elif n == 0:
                c["VIOLATION accepted but missing"] += 1
                details.append(("missing", b, r))
            else:
                c["VIOLATION accepted but duplicated"] += 1
                details.append(("duplicated", b, r))
        elif f in ("4xx", "5xx", "norcpt"):
            if n and f == "4xx" and r["route"] == "partial" and n == 1:
                c["refused 4xx after partial delivery, delivered (allowed)"] += 1
            elif n:
                c["VIOLATION refused but delivered"] += 1
                details.append(("refused but delivered", b, r))
        elif f == "cut":
            if n:
                c["VIOLATION cut before the end but delivered"] += 1
                details.append(("cut but delivered", b, r))
        elif f == "unknown":
            if n == 1:
                c["cut after the dot: delivered"] += 1
            elif n > 1:
                c["VIOLATION cut after the dot: delivered twice"] += 1
    if f == "250" and not boxes:
        c["accepted (250) by a crash mock after its one reply"] += 1
    elif f == "250" and all(copies.get((b, r["id"]), 0) == 1 for b in boxes):
        c["accepted and in the mailbox exactly once"] += 1
unexpected = [k for k in copies if k not in expected]
c["VIOLATION copies of no recorded transaction (or wrong mailbox)"] = \
    len(unexpected) + len(stray)
c["VIOLATION files left in a Maildir tmp/"] = len(tmp_left)
c["VIOLATION processes left behind"] = len(left)
c["sessions still running 30 s after the last client"] = \
    len(sessions_running)
for k, v in sorted(stats.items()):
    if k.startswith("VIOLATION"):
        c[k] = v

print("soak: %d sessions in %.1f s (%.0f/s), LDA restarted %d times" %
      (next_n[0], elapsed, next_n[0] / elapsed, lda["restarts"]))
for k, v in sorted(stats.items()):
    if not k.startswith("VIOLATION"):
        print("  %-58s %6d" % (k, v))
print("soak: transactions %d, mailbox copies %d" %
      (len(records), sum(copies.values())))
bad = 0
for k, v in c.items():
    print("  %-58s %6d" % (k, v))
    if k.startswith("VIOLATION") and v:
        bad += 1
if c["sessions still running 30 s after the last client"]:
    bad += 1
for d in details[:20]:
    print("  %s: %s %s" % d)
for p in left_desc:
    print("  left behind: " + p)
for p in (unexpected[:10] + stray[:10] + tmp_left[:10]):
    print("  unexpected: %s" % (p,))
with open(W + "/records.json", "w") as f:
    json.dump(records, f)
print("soak: %s" % ("FAILED" if bad else "ok"))
sys.exit(1 if bad else 0)
