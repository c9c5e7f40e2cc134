#!/usr/bin/env python3
"""bench/milter.py WORK PEERS SAMOTOP-CONF PORTS: what one milter costs
(issue 13), samotop next to Postfix, with the same rspamd for both.

  WORK          bench/run's work directory: the running peer Postfix's
                configuration is WORK/postfix/conf; this script's own
                files go to WORK/milter and WORK/postfix-milter
  PEERS         bench/.peers (Postfix's files, extracted by bench/peers.sh)
  SAMOTOP-CONF  the samotop.conf of a running samotop-smtpd without milter
  PORTS         four loopback ports, comma-separated: Postfix (running),
                Postfix with the milter, samotop (running), samotop with
                the milter (the last two this script starts)

rspamd runs as one milter (its rspamd_proxy worker scanning by itself,
tests/filters/rspamd.conf.in: no DNS, no Redis, no rule that asks the
network), started once and used by both servers: Postfix with

  smtpd_milters = unix:SOCKET
  milter_default_action = tempfail
  milter_protocol = 6

added to a copy of the peer's main.cf, and samotop-smtpd with
`milter unix:SOCKET` added to SAMOTOP-CONF (issue 13's directive).  When
samotop-smtpd refuses that directive (before issue 13's wiring), or
accepts GTUBE with it, the samotop half is left out with a note and the
Postfix half still runs.

Each server gets BENCH_MILTER_N (default 500) sessions of one 4 KiB
message each, one at a time, the four servers in turn (load drifts alike),
timed from connect() to the 221 after QUIT.  Prints key=value lines
(bench/run adds them to results.env):

  milter.n                  sessions per server
  milter.rspamd_start_s     seconds from starting rspamd to its socket
  milter.gtube.SERVER       the reply to GTUBE's message at the end of data
  milter.SERVER_ms          median ms per session, SERVER: postfix, samotop
  milter.SERVER_milter_ms   the same through the milter
  milter.SERVER_added_ms    the difference: what the milter adds (medians:
                            other work on the machine moves the means)
  milter.SERVER_added_mean_ms  the same of the means
  milter.rspamd_cpu_ms      rspamd's CPU ms per message it scanned
  milter.SERVER.note        why a half is missing
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (bench/load.py: its client and tree_cpu)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(TOP, "tests", "filters", "rspamd.conf.in")
N = int(os.environ.get("BENCH_MILTER_N", "500"))
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def out(key, value):
    print("%s=%s" % (key, value), flush=True)


def listens(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def wait_for(check, seconds, proc=None):
    t = time.monotonic() + seconds
    while time.monotonic() < t:
        if check():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def session(port, msg):
    """One session with one message: its seconds and the reply at the end
    of data (its text, CR LF removed)."""
    t0 = time.monotonic()
    c = load.Conn(port)
    c.hello()
    c.envelope()
    c.cmd(b"DATA\r\n", 354)
    c.sock.sendall(msg + b".\r\n")
    code, text = c.reply()
    c.quit()
    c.sock.close()
    t = time.monotonic() - t0
    return t, code, text.decode("latin-1").rstrip("\r\n")


def message(body):
    return (b"From: <a@b.example>\r\nTo: <u@example.org>\r\n"
            b"Subject: bench\r\nDate: Thu, 03 Dec 2026 04:00:00 +0000\r\n"
            b"Message-ID: <%d.%d@b.example>\r\n\r\n" %
            (os.getpid(), time.monotonic_ns()) + body)


class Rspamd:
    def __init__(self, d):
        self.dir = d
        self.sock = os.path.join(d, "rspamd.sock")
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)	# Postfix's smtpd connects as its user
        with open(os.path.join(self.dir, "tld.dat"), "w") as f:
            f.write("com\nnet\norg\nexample\ntest\n")
        with open(TEMPLATE) as f:
            conf = (f.read().replace("@DIR@", self.dir)
                    .replace("@SOCK@", self.sock)
                    .replace("@NAMESERVER@", "127.0.0.1:1"))
        cf = os.path.join(self.dir, "rspamd.conf")
        with open(cf, "w") as f:
            f.write(conf)
        cmd = ["rspamd", "-f", "-c", cf, "--var", "DBDIR=" + self.dir,
               "--var", "RUNDIR=" + self.dir,
               "--var", "LOCAL_CONFDIR=" + os.path.join(self.dir, "none")]
        if os.getuid() == 0:
            cmd.insert(2, "-i")	# its worker runs as root: a bench
        err = open(os.path.join(self.dir, "stderr"), "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=err, stderr=err)
        if not wait_for(lambda: os.path.exists(self.sock), 30, self.proc):
            raise RuntimeError("rspamd did not start: see %s" % self.dir)
        return time.monotonic() - t0

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Postfix:
    """A copy of the running peer Postfix (bench/peers.sh), its own queue,
    Maildir and port, with the milter lines added to main.cf."""

    def __init__(self, work, peers, port, milter_sock):
        self.env = dict(os.environ,
                        LD_LIBRARY_PATH=os.path.join(peers, "usr/lib/postfix"))
        self.postfix = os.path.join(peers, "usr/sbin/postfix")
        self.src = os.path.join(work, "postfix")
        self.d = os.path.join(work, "postfix-milter")
        self.conf = os.path.join(self.d, "conf")
        self.port = port
        self.sock = milter_sock
        self.started = False

    def start(self, peer_port):
        src_conf = os.path.join(self.src, "conf")
        if not os.path.exists(os.path.join(src_conf, "main.cf")):
            raise RuntimeError("the peer Postfix was not set up")
        shutil.rmtree(self.d, ignore_errors=True)
        shutil.copytree(src_conf, self.conf, symlinks=True)
        for sub in ("queue", "data", "mail"):
            os.makedirs(os.path.join(self.d, sub))
        for sub in ("data", "mail"):
            shutil.chown(os.path.join(self.d, sub), "benchpfx")
        main = os.path.join(self.conf, "main.cf")
        with open(main) as f:
            text = f.read().replace(self.src, self.d)
        text += ("smtpd_milters = unix:%s\n"
                 "milter_default_action = tempfail\n"
                 "milter_protocol = 6\n" % self.sock)
        with open(main, "w") as f:
            f.write(text)
        master = os.path.join(self.conf, "master.cf")
        with open(master) as f:
            text = f.read().replace("127.0.0.1:%d " % peer_port,
                                    "127.0.0.1:%d " % self.port, 1)
        with open(master, "w") as f:
            f.write(text)
        p = subprocess.run([self.postfix, "-c", self.conf, "start"],
                           env=self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           check=False)
        self.started = True
        if p.returncode != 0 or not wait_for(lambda: listens(self.port), 10):
            raise RuntimeError("Postfix with the milter did not start: %s" %
                               self.log_tail())

    def log_tail(self):
        try:
            with open(os.path.join(self.d, "maillog")) as f:
                return " ".join(f.read().splitlines()[-3:])[:300]
        except OSError:
            return "(no maillog)"

    def stop(self):
        if not self.started:
            return
        subprocess.run([self.postfix, "-c", self.conf, "stop"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        pidf = os.path.join(self.d, "queue/pid/master.pid")
        try:
            with open(pidf) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return
        wait_for(lambda: not os.path.exists("/proc/%d" % pid), 10)


class Samotop:
    """samotop-smtpd under tcpserver with SAMOTOP-CONF plus the milter."""

    def __init__(self, work, smtpd, conf, port, milter_sock):
        self.d = os.path.join(work, "milter")
        self.smtpd = smtpd
        self.src = conf
        self.conf = os.path.join(self.d, "samotop.conf")
        self.port = port
        self.sock = milter_sock
        self.proc = None

    def start(self):
        with open(self.src) as f:
            text = f.read()
        with open(self.conf, "w") as f:
            f.write(text + "milter unix:%s\n" % self.sock)
        p = subprocess.run([self.smtpd, "-n", "-c", self.conf],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, check=False)
        if p.returncode != 0:
            why = p.stdout.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError("samotop-smtpd refused `milter unix:PATH` "
                               "(issue 13's wiring not there yet?): %s" %
                               (why[-1][:200] if why else "exit %d" %
                                p.returncode))
        log = open(os.path.join(self.d, "samotop.log"), "ab")
        self.proc = subprocess.Popen(
            ["tcpserver", "-HRl0", "-b", "256", "-c", "64", "127.0.0.1",
             str(self.port), self.smtpd, "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        if not wait_for(lambda: listens(self.port), 10, self.proc):
            raise RuntimeError("tcpserver with samotop-smtpd did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def main(a):
    if len(a) != 4:
        sys.exit(__doc__)
    work, peers, sconf = a[0], a[1], a[2]
    pf, pfm, sm, smm = (int(x) for x in a[3].split(","))
    smtpd = os.path.join(work, "bin", "samotop-smtpd")
    if not os.path.exists(smtpd):
        smtpd = os.path.join(TOP, "samotop-smtpd")
    mdir = os.path.join(work, "milter")
    os.makedirs(mdir, exist_ok=True)
    rspamd = Rspamd(os.path.join(mdir, "rspamd"))
    postfix = Postfix(work, peers, pfm, rspamd.sock)
    samotop = Samotop(work, smtpd, sconf, smm, rspamd.sock)
    # SERVER -> (port without, port with) of the halves that run
    pairs = {}
    try:
        out("milter.n", N)
        try:
            out("milter.rspamd_start_s", "%.2f" % rspamd.start())
        except (RuntimeError, OSError) as e:
            out("milter.note", "rspamd (Debian: rspamd): %s" % e)
            return
        if listens(pf):
            try:
                postfix.start(pf)
                pairs["postfix"] = (pf, pfm)
            except (RuntimeError, OSError) as e:
                out("milter.postfix.note", e)
        else:
            out("milter.postfix.note", "the peer Postfix is not running")
        try:
            samotop.start()
            pairs["samotop"] = (sm, smm)
        except (RuntimeError, OSError) as e:
            out("milter.samotop.note", e)
        body = (b"x" * 76 + b"\r\n") * 50
        # the milter is really there: GTUBE is refused, a message is not
        for name, (p0, p1) in list(pairs.items()):
            try:
                _, code, text = session(p1, message(GTUBE + b"\r\n" + body))
                out("milter.gtube." + name, text)
                _, ok, okt = session(p1, message(body))
                _, ok0, ok0t = session(p0, message(body))
            except (OSError, EOFError, RuntimeError) as e:
                code, text, ok, okt, ok0, ok0t = 0, repr(e), 0, "", 0, ""
            if code // 100 != 5 or ok // 100 != 2 or ok0 // 100 != 2:
                out("milter.%s.note" % name, "not measured: GTUBE got "
                    "`%s`, a message `%s` (without the milter `%s`)" %
                    (text, okt, ok0t))
                del pairs[name]
        if not pairs:
            return
        times = {(n, w): [] for n in pairs for w in (0, 1)}
        cpu0 = load.tree_cpu(rspamd.proc.pid)
        scanned = 0
        for i in range(N + 5):		# in turn: load drifts alike
            for name, ports in list(pairs.items()):
                for w in (0, 1):
                    try:
                        t, code, text = session(ports[w], message(body))
                        if code // 100 != 2:
                            raise RuntimeError(text)
                    except (OSError, EOFError, RuntimeError) as e:
                        out("milter.%s.note" % name, "failed%s after %d "
                            "sessions: %s" % (" with the milter" if w else
                                              "", i, e))
                        del pairs[name]
                        break
                    scanned += w
                    if i >= 5:		# the first five warm up
                        times[(name, w)].append(t)
        cpu = load.tree_cpu(rspamd.proc.pid) - cpu0
        if scanned:
            out("milter.rspamd_cpu_ms", "%.3f" % (cpu * 1000 / scanned))
        for name in pairs:
            t0, t1 = times[(name, 0)], times[(name, 1)]
            m0 = statistics.median(t0) * 1000
            m1 = statistics.median(t1) * 1000
            out("milter.%s_ms" % name, "%.3f" % m0)
            out("milter.%s_milter_ms" % name, "%.3f" % m1)
            out("milter.%s_added_ms" % name, "%.3f" % (m1 - m0))
            out("milter.%s_added_mean_ms" % name, "%.3f" % (
                (statistics.mean(t1) - statistics.mean(t0)) * 1000))
    finally:
        samotop.stop()
        postfix.stop()
        rspamd.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
