#!/usr/bin/env python3
"""bench/store.py [WORK]: greylisting's store, SQLite next to PostgreSQL.

  WORK   bench/run's work directory: WORK/bin/samotop-smtpd is the run
         copy (else the source tree's); this script's files go to
         WORK/store.  Without WORK, a temporary directory (run on its own:
         `python3 bench/store.py`).

Two samotop-smtpd servers under tcpserver, the same configuration but the
store: `greylist WORK/store/grey.db` (SQLite, on disk) and `greylist
postgresql:///samotop?host=...` (a PostgreSQL server started by
tests/pg.sh, unix socket only, on disk).  PostgreSQL runs with
synchronous_commit=off, SQLite (store_sqlite.c) with synchronous=NORMAL in
WAL mode: the same promise (a crash may lose the last commits, never the
database's consistency), fsync on for both.

Each session: banner, EHLO, MAIL, RCPT, QUIT; no DATA, so that what is
measured is the session and its greylisting check (and the start of the
route's helper, bench/lmtpsink.c, which samotop-smtpd asks about a
recipient before it greylists).  greylist-autoallow 0, so that every
check is one.  Two kinds:

  new     a sender never seen: the check records a new triplet, 451 4.7.1
          (a write: the triplet, the pending count, a bounded expiry)
  known   the same senders again after greylist-delay: 250 at RCPT (the
          triplet read, locked and updated)

BENCH_STORE_N (default 1000) sessions per figure, by BENCH_STORE_CONC
("1 32") clients at a time (threads, one session after the other each).
Each session opens its own connection: straight to PostgreSQL (pg: a
server process forked per session), and, when PgBouncer is installed,
through it in session mode (bouncer: server connections kept and reused,
DISCARD ALL between sessions), a third samotop-smtpd.

Prints key=value lines (bench/run adds them to results.env):

  store.n                        the sessions per figure
  store.BACKEND.KIND.C           sessions/s (BACKEND sqlite, pg or
                                 bouncer, KIND new or known, C clients)
  store.BACKEND.KIND.C.cpu_ms    CPU ms per session of samotop-smtpd and
                                 its helper (tcpserver's reaped children)
  store.pg.KIND.C.server_cpu_ms  CPU ms per session of PostgreSQL's
                                 server processes that ended (a backend
                                 per connection)
  store.BACKEND.KIND.C.failed    sessions that did not get the reply
                                 expected (when any)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEW = b"451 4.7.1 "	# greylisted (4.3.0 would be the store failing)
KNOWN = b"250 2.1.5 "


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %d" % port)


def cpu_ms(pid):
    """CPU ms of pid and of its children it has reaped."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def as_server(cmd):
    """cmd as nobody when root (PgBouncer, as PostgreSQL, refuses root)."""
    if os.getuid() == 0:
        return ["setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--"] + cmd
    return cmd


def start_bouncer(pgdir):
    """PgBouncer in session mode before the server: its URI, or None."""
    exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.access(exe, os.X_OK):
        return None
    b = os.path.join(pgdir, "bouncer")
    os.makedirs(b)
    with open(os.path.join(b, "users.txt"), "w") as f:
        f.write('"samotop" ""\n')
    with open(os.path.join(b, "pgbouncer.ini"), "w") as f:
        f.write("[databases]\nsamotop = host=%s/sock dbname=samotop "
                "user=samotop\n[pgbouncer]\nlisten_addr =\n"
                "unix_socket_dir = %s\nlisten_port = 6432\n"
                "auth_type = trust\nauth_file = %s/users.txt\n"
                "pool_mode = session\nmax_client_conn = 500\n"
                "default_pool_size = 40\nlogfile = %s/pgbouncer.log\n"
                "pidfile = %s/pgbouncer.pid\n"
                "server_reset_query = DISCARD ALL\n" % (pgdir, b, b, b, b))
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", "nobody:nogroup", b], check=True)
    if subprocess.run(as_server([exe, "-d", os.path.join(
            b, "pgbouncer.ini")])).returncode != 0:
        return None
    for _ in range(100):
        if os.path.exists(os.path.join(b, ".s.PGSQL.6432")):
            return "postgresql:///samotop?host=%s&port=6432&user=samotop" % b
        time.sleep(0.05)
    return None


def stop_bouncer(pgdir):
    try:
        with open(os.path.join(pgdir, "bouncer", "pgbouncer.pid")) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return
    os.kill(pid, 15)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)


def reply(f):
    """The last line of one (multi-line) reply."""
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError("connection closed")
        if line[3:4] != b"-":
            return line


def session(port, sender, want, why=None):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    ok = reply(f).startswith(b"220 ")
    s.sendall(b"EHLO bench.client\r\n")
    ok = reply(f).startswith(b"250 ") and ok
    s.sendall(b"MAIL FROM:<%s>\r\n" % sender.encode())
    ok = reply(f).startswith(b"250 ") and ok
    s.sendall(b"RCPT TO:<u@example.org>\r\n")
    r = reply(f)
    if not r.startswith(want) and why is not None and not why:
        why.append(r.decode(errors="replace").strip())
    ok = r.startswith(want) and ok
    s.sendall(b"QUIT\r\n")
    reply(f)
    s.close()
    return ok


def run(port, n, conc, prefix, want):
    """Sessions/s of n sessions, conc at a time; and how many failed."""
    failed = [0]
    why = []
    lock = threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n:
                return
            try:
                ok = session(port, "%s%d@bench.example" % (prefix, i), want,
                             why)
            except Exception as e:  # noqa: BLE001 - counted
                ok = False
                if not why:
                    why.append(str(e))
            if not ok:
                with lock:
                    failed[0] += 1

    ts = [threading.Thread(target=worker) for _ in range(conc)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return n / (time.monotonic() - t0), failed[0], why[:1]


def main(argv):
    work = argv[0] if argv else None
    tmp = None
    if work is None:
        tmp = work = tempfile.mkdtemp(prefix="samotop-store-bench.")
    d = os.path.join(work, "store")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    smtpd = os.path.join(work, "bin", "samotop-smtpd")
    if not os.access(smtpd, os.X_OK):
        # a copy: a rebuild during the run changes nothing
        smtpd = os.path.join(d, "samotop-smtpd")
        shutil.copy(os.path.join(TOP, "samotop-smtpd"), smtpd)
    sink = os.path.join(work, "bin", "lmtpsink")
    if not os.access(sink, os.X_OK):
        sink = os.path.join(d, "lmtpsink")
        subprocess.run(["cc", "-O2", "-o", sink,
                        os.path.join(TOP, "bench", "lmtpsink.c")], check=True)
    n = int(os.environ.get("BENCH_STORE_N", "1000"))
    concs = [int(c) for c in os.environ.get("BENCH_STORE_CONC",
                                            "1 32").split()]
    env = dict(os.environ, PG_DURABLE="1")
    out = subprocess.run(["sh", os.path.join(TOP, "tests", "pg.sh"),
                          "start"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print("store.note=PostgreSQL did not start: %s" %
              out.stderr.strip().replace("\n", " ")[:200])
        return 0
    pgdir, uri = out.stdout.splitlines()[:2]
    procs = []
    failures = 0
    print("store.n=%d" % n)
    try:
        ports = {}
        pids = {}
        with open(os.path.join(pgdir, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        stores = [("sqlite", os.path.join(d, "grey.db")), ("pg", uri)]
        bouncer = start_bouncer(pgdir)
        if bouncer:
            stores.append(("bouncer", bouncer))
        else:
            print("store.note=no PgBouncer (apt-get install pgbouncer)")
        for name, where in stores:
            conf = os.path.join(d, name + ".conf")
            with open(conf, "w") as f:
                f.write("hostname bench.example\ngreet-delay 0\nrdns off\n"
                        "spf no\ngreylist %s\ngreylist-delay 1s\n"
                        "greylist-max-pending 100000\n"
                        "greylist-autoallow 0\n"
                        "route * %s\n" % (where, sink))
            port = free_port()
            log = open(os.path.join(d, name + ".log"), "ab")
            procs.append(subprocess.Popen(
                ["tcpserver", "-HRl0", "-b", "256", "-c", "64",
                 "127.0.0.1", str(port), smtpd, "-c", conf],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log))
            wait_port(port)
            ports[name] = port
            pids[name] = procs[-1].pid
        # one session each first: the tables made, the files there
        for name, port in ports.items():
            session(port, "warm@bench.example", NEW)
        for c in concs:
            for name, port in ports.items():
                prefix = "%s%d-" % (name, c)
                cpu0, pg0 = cpu_ms(pids[name]), cpu_ms(postmaster)
                rate, bad, why = run(port, n, c, prefix, NEW)
                print("store.%s.new.%d=%.1f" % (name, c, rate))
                print("store.%s.new.%d.cpu_ms=%.2f" % (
                    name, c, (cpu_ms(pids[name]) - cpu0) / n))
                if name == "pg":
                    print("store.pg.new.%d.server_cpu_ms=%.2f" % (
                        c, (cpu_ms(postmaster) - pg0) / n))
                failures += bad
                if bad:
                    print("store.%s.new.%d.failed=%d (%s)" % (
                        name, c, bad, why[0] if why else "?"))
            time.sleep(1.1)	# greylist-delay
            for name, port in ports.items():
                prefix = "%s%d-" % (name, c)
                cpu0, pg0 = cpu_ms(pids[name]), cpu_ms(postmaster)
                rate, bad, why = run(port, n, c, prefix, KNOWN)
                print("store.%s.known.%d=%.1f" % (name, c, rate))
                print("store.%s.known.%d.cpu_ms=%.2f" % (
                    name, c, (cpu_ms(pids[name]) - cpu0) / n))
                if name == "pg":
                    print("store.pg.known.%d.server_cpu_ms=%.2f" % (
                        c, (cpu_ms(postmaster) - pg0) / n))
                failures += bad
                if bad:
                    print("store.%s.known.%d.failed=%d (%s)" % (
                        name, c, bad, why[0] if why else "?"))
            sys.stdout.flush()
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        stop_bouncer(pgdir)
        subprocess.run(["sh", os.path.join(TOP, "tests", "pg.sh"), "stop",
                        pgdir])
        if tmp and not failures:
            shutil.rmtree(tmp, ignore_errors=True)
        elif failures:
            print("store.note=the servers' logs: %s/*.log" % d)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
