#!/usr/bin/env python3
"""bench/load.py: the load generators of `make bench` that smtp-source
does not cover.  Loopback only.

  load.py banner PORT N             time from connect() to "220", N times
  load.py sess PORT N C [--tls] [--size BYTES]
                                    N short sessions (EHLO, [STARTTLS, EHLO,]
                                    MAIL, RCPT, DATA, QUIT), C at a time
  load.py big PORT MIB              one session, one MIB-MiB message
  load.py quit PORT N               time from QUIT to "221", N sessions
  load.py cpu PID...                CPU seconds used so far by each PID, its
                                    descendants and their reaped children
  load.py mem PORT [MIB]            one session held open after a MIB-MiB
                                    message; prints the memory of the
                                    server process that owns the socket
                                    and of its children (the helper):
                                    VmHWM, Pss and Private_Dirty (what
                                    this session alone costs; clean pages
                                    of a library are shared page cache)

Every command prints one line of key=value pairs on stdout.
"""
import multiprocessing
import os
import socket
import ssl
import statistics
import sys
import time

HOST = "127.0.0.1"


def connect(port):
    s = socket.create_connection((HOST, port), timeout=120)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


_ctx = None


def client_context():
    """One TLS context per client process, without the system's CA store
    (nothing is verified): building it per session, as
    ssl.create_default_context() does, made the client, not the server,
    what the STARTTLS figures measured."""
    global _ctx
    if _ctx is None:
        _ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        _ctx.check_hostname = False
        _ctx.verify_mode = ssl.CERT_NONE
    return _ctx


class Conn:
    def __init__(self, port):
        self.sock = connect(port)
        self.f = self.sock.makefile("rb")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("connection closed")
            if line[3:4] != b"-":
                return int(line[:3]), line

    def cmd(self, line, want=None):
        self.sock.sendall(line)
        code, text = self.reply()
        if want and code // 100 != want // 100:
            raise RuntimeError("%r -> %r" % (line, text))
        return code

    def hello(self):
        """The banner, then EHLO."""
        self.reply()
        self.cmd(b"EHLO bench.client\r\n", 250)

    def envelope(self):
        self.cmd(b"MAIL FROM:<a@b.example>\r\n", 250)
        self.cmd(b"RCPT TO:<u@example.org>\r\n", 250)

    def message(self, msg):
        """DATA with msg; the reply code to its end."""
        self.cmd(b"DATA\r\n", 354)
        self.sock.sendall(msg + b".\r\n")
        return self.reply()[0]

    def quit(self):
        try:
            self.cmd(b"QUIT\r\n")
        except (EOFError, OSError):
            pass

    def starttls(self):
        self.cmd(b"STARTTLS\r\n", 220)
        self.sock = client_context().wrap_socket(
            self.sock, server_hostname="bench.example")
        self.f = self.sock.makefile("rb")


def body(size):
    line = b"x" * 76 + b"\r\n"
    head = b"From: <a@b.example>\r\nTo: <u@example.org>\r\nSubject: bench\r\n\r\n"
    n = max(1, (size - len(head)) // len(line))
    return head + line * n


def one_session(port, tls, msg):
    c = Conn(port)
    c.hello()
    if tls:
        c.starttls()
        c.cmd(b"EHLO bench.client\r\n", 250)
    c.envelope()
    code = c.message(msg)
    c.quit()
    c.sock.close()
    return code // 100 == 2


def worker(args):
    port, n, tls, size = args
    msg = body(size)
    ok = bad = 0
    for _ in range(n):
        try:
            if one_session(port, tls, msg):
                ok += 1
            else:
                bad += 1
        except Exception as e:  # noqa: BLE001 - counted, shown once
            bad += 1
            if bad == 1:
                print("load.py: %s" % e, file=sys.stderr)
    return ok, bad


def cmd_sess(port, n, c, tls, size):
    per = [n // c + (1 if i < n % c else 0) for i in range(c)]
    with multiprocessing.Pool(c) as pool:
        t0 = time.monotonic()
        res = pool.map(worker, [(port, k, tls, size) for k in per if k])
        dt = time.monotonic() - t0
    ok = sum(r[0] for r in res)
    bad = sum(r[1] for r in res)
    print("rate=%.1f ok=%d failed=%d seconds=%.2f" % (ok / dt, ok, bad, dt))


def cmd_banner(port, n):
    ts = []
    for _ in range(n):
        t0 = time.monotonic()
        s = connect(port)
        buf = b""
        while not buf.startswith(b"220") or not buf.endswith(b"\n"):
            d = s.recv(4096)
            if not d:
                break
            buf += d
        ts.append((time.monotonic() - t0) * 1000)
        s.sendall(b"QUIT\r\n")
        try:
            s.recv(4096)
        except OSError:
            pass
        s.close()
    ts.sort()
    print("median_ms=%.3f p90_ms=%.3f min_ms=%.3f n=%d" % (
        statistics.median(ts), ts[int(len(ts) * 0.9) - 1], ts[0], n))


def cmd_quit(port, n):
    msg = body(4096)
    ts = []
    for _ in range(n):
        c = Conn(port)
        c.hello()
        c.envelope()
        c.message(msg)
        t0 = time.monotonic()
        c.cmd(b"QUIT\r\n", 221)
        ts.append((time.monotonic() - t0) * 1000)
        c.sock.close()
    ts.sort()
    print("median_ms=%.3f p90_ms=%.3f n=%d" % (
        statistics.median(ts), ts[int(len(ts) * 0.9) - 1], n))


def cmd_big(port, mib):
    # 1000-octet lines (998 + CRLF), the longest RFC 5321 allows
    chunk = (b"x" * 998 + b"\r\n") * 1048          # about 1 MiB
    c = Conn(port)
    c.hello()
    c.envelope()
    t0 = time.monotonic()
    c.cmd(b"DATA\r\n", 354)
    c.sock.sendall(b"Subject: big\r\n\r\n")
    for _ in range(mib):
        c.sock.sendall(chunk)
    c.sock.sendall(b".\r\n")
    code, text = c.reply()
    dt = time.monotonic() - t0
    c.quit()
    mb = (mib * len(chunk) + 16) / 1e6
    print("mbps=%.1f code=%d seconds=%.3f" % (mb / dt, code, dt))


def sock_inode(port, lport):
    """inode of the server's end of our connection (local PORT, remote lport)"""
    want_l = ":%04X" % port
    want_r = ":%04X" % lport
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[1].endswith(want_l) and p[2].endswith(want_r):
                return p[9]
    return None


def procs_with(inode):
    target = "socket:[%s]" % inode
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == target:
                    out.append(int(pid))
                    break
        except OSError:
            pass
    return out


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
            if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p))
        except (OSError, ValueError, IndexError):
            pass
    return out


def meminfo(pid):
    d = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "Name"):
                    d[k] = v.split()[0]
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Private_Dirty", "Private_Clean", "Pss"):
                    d[k] = int(v.split()[0])
    except OSError:
        pass
    return d


def cmd_mem(port, mib):
    c = Conn(port)
    c.hello()
    c.envelope()
    c.message(body(mib * 1048576))
    # the session is open; the helper, if any, is kept for the next message
    lport = c.sock.getsockname()[1]
    ino = sock_inode(port, lport)
    owners = procs_with(ino) if ino else []
    parts = []
    for i, pid in enumerate(owners[:1]):
        m = meminfo(pid)
        parts.append("proc=%s hwm_kib=%s priv_kib=%d pss_kib=%s" % (
            m.get("Name", "?"), m.get("VmHWM", "?"),
            m.get("Private_Dirty", 0), m.get("Pss", "?")))
        for ch in children(pid):
            m = meminfo(ch)
            parts.append("child=%s child_hwm_kib=%s child_priv_kib=%d" % (
                m.get("Name", "?"), m.get("VmHWM", "?"),
                m.get("Private_Dirty", 0)))
    c.cmd(b"QUIT\r\n")
    print(" ".join(parts) if parts else "proc=none")


def tree_cpu(root):
    """utime+stime+cutime+cstime of root and every live descendant, in s"""
    ppid, ticks = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid[int(p)] = int(st[1])
        ticks[int(p)] = sum(int(x) for x in st[11:15])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(c for c, pp in ppid.items() if pp == pid)
    return total / os.sysconf("SC_CLK_TCK")


def main(a):
    if len(a) < 2:
        sys.exit(__doc__)
    if a[0] == "cpu":
        print(" ".join("%.2f" % tree_cpu(int(p)) for p in a[1:]))
        return
    what, port = a[0], int(a[1])
    if what == "banner":
        cmd_banner(port, int(a[2]))
    elif what == "sess":
        tls = "--tls" in a
        size = int(a[a.index("--size") + 1]) if "--size" in a else 4096
        cmd_sess(port, int(a[2]), int(a[3]), tls, size)
    elif what == "quit":
        cmd_quit(port, int(a[2]))
    elif what == "big":
        cmd_big(port, int(a[2]))
    elif what == "mem":
        cmd_mem(port, int(a[2]) if len(a) > 2 else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
