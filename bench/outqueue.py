#!/usr/bin/env python3
"""bench/outqueue.py WORK PEERS PORT: the outbound queue (issue 15), samotop
next to Postfix, both relaying to the same SMTP sink on loopback.

  WORK   bench/run's work directory: WORK/bin holds the run copies of
         samotop's programs (else the source tree's are used); the running
         peer Postfix's configuration is WORK/postfix/conf; this script's
         own files go to WORK/queue
  PEERS  bench/.peers (Postfix's files, extracted by bench/peers.sh)
  PORT   a free loopback port for the sink

The two pipelines, the same message and the same sink:

  samotop  samotop-sendmail -i -f a@b.example u@far.example
           -> the queue (WORK/queue/samotop/q) -> samotop-send (the daemon,
           not -1) -> samotop-remote -m 127.0.0.1:PORT -> the sink
  Postfix  its sendmail -i -f ... (postdrop, maildrop/) -> pickup ->
           cleanup -> its queue (WORK/queue/postfix/queue) -> qmgr -> smtp
           -> the sink; a copy of the peer's main.cf with relayhost =
           [127.0.0.1]:PORT, smtp_host_lookup = native and
           disable_dns_lookups (no DNS), no smtpd

Each keeps its shipped defaults otherwise: samotop 20 deliveries at once,
4 to one domain (queue-concurrency, queue-concurrency-domain), one SMTP
session per message; Postfix 20 to one destination, its sessions reused
(connection caching).  Both fsync each message before sendmail returns
(samotop: the message, mess/, the envelope and env/; Postfix: postdrop's
file, then cleanup's queue file, no directory); samotop syncs again when
it has delivered (the state file and state/, before it removes the
message), Postfix does not.  The calls for one message are counted with
strace.

The sink is this script (`outqueue.py sink PORT`), one asyncio process:
250 to everything, PIPELINING and 8BITMIME; it stores nothing and prints
the CLOCK_MONOTONIC time of each message's final dot, which the measuring
process (same clock) reads.

All run at once (each idle while another is measured).  Measured:

  throughput  BENCH_QUEUE_N (default 500) messages of 4 KiB, injected one
              sendmail after the other as fast as it returns, the
              scheduler delivering meanwhile; from the first injection to
              the sink's last message; one MTA after the other
  drain       BENCH_QUEUE_N messages queued while the MTA is stopped
              (samotop-send not running; Postfix stopped, its sendmail
              leaving them in maildrop/), then from starting it (its
              start-up counted) to the sink's last message: the scheduler
              and its SMTP client without sendmail in the way
  latency     BENCH_QUEUE_LAT_N (default 50) single messages each: inject
              one, wait until the sink has it; the MTAs in turn, message
              by message (load drifts alike); the median and the 90th
              percentile
  fsyncs      fsync(2) and fdatasync(2) calls for one message, its sendmail
              and every process of the MTA (strace -f attached), when
              strace is installed

Prints key=value lines (bench/run adds them to results.env):

  queue.n, queue.lat_n          the sizes
  queue.NAME_msgs_s             messages/s into the sink (NAME: samotop,
                                postfix)
  queue.NAME_inject_msgs_s      messages/s sendmail took them
  queue.NAME_drain_msgs_s       messages/s from a full queue
  queue.NAME_cpu_ms             CPU ms per message of the throughput
                                run: sendmail (with postdrop) and every
                                process of the MTA (samotop-send and its
                                samotop-remotes; Postfix's daemons)
  queue.NAME_latency_ms         median ms from running sendmail to the
                                sink's dot, one message at a time
  queue.NAME_latency_p90_ms     its 90th percentile
  queue.NAME_latency_inject_ms  of which sendmail (the median)
  queue.NAME_fsyncs             fsync calls for one message
  queue.NAME_fsyncs_sendmail    of which sendmail's (and postdrop's)
  queue.samotop_dom20_*         the throughput and drain again, samotop
                                with queue-concurrency-domain 20 (Postfix's
                                default per-destination limit)
  queue.NAME.note               why a half is missing
"""
# Not named queue.py: bench/ is the first directory on the path of its
# scripts, and the standard library's queue module (multiprocessing's,
# in bench/load.py) would be this file.
import asyncio
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (bench/load.py: tree_cpu)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(os.environ.get("BENCH_QUEUE_N", "500"))
LAT_N = int(os.environ.get("BENCH_QUEUE_LAT_N", "50"))
SENDER = "a@b.example"
RCPT = "u@far.example"


def out(key, value):
    print("%s=%s" % (key, value), flush=True)


# --- the sink ---------------------------------------------------------------

async def sink_session(reader, writer):
    writer.write(b"220 sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-PIPELINING\r\n"
                             b"250-8BITMIME\r\n250 SIZE 0\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go\r\n")
                await writer.drain()
                while True:
                    d = await reader.readline()
                    if not d or d == b".\r\n":
                        break
                if not d:
                    break
                sys.stdout.write("%.6f\n" % time.monotonic())
                sys.stdout.flush()
                writer.write(b"250 2.0.0 ok\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 2.0.0 ok\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    writer.close()


async def sink_main(port):
    srv = await asyncio.start_server(sink_session, "127.0.0.1", port,
                                     backlog=256, limit=1 << 20)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    async with srv:
        await srv.serve_forever()


class Sink:
    """The sink as a child process; count() messages so far, wait(n) the
    monotonic time of the n-th."""

    def __init__(self, port):
        self.port = port
        self.times = []
        self.cv = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "sink", str(port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        if self.proc.stdout.readline() != b"ready\n":
            raise RuntimeError("the sink did not start")
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            with self.cv:
                self.times.append(float(line))
                self.cv.notify_all()

    def count(self):
        with self.cv:
            return len(self.times)

    def wait(self, n, seconds):
        end = time.monotonic() + seconds
        with self.cv:
            while len(self.times) < n:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)
            return self.times[n - 1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


# --- the two MTAs -----------------------------------------------------------

def wait_for(check, seconds):
    t = time.monotonic() + seconds
    while time.monotonic() < t:
        if check():
            return True
        time.sleep(0.02)
    return False


def body(i):
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: bench-queue %d\r\n"
            "Message-ID: <%d.%d@b.example>\r\n\r\n" %
            (SENDER, RCPT, i, os.getpid(), i)).encode()
    line = b"x" * 76 + b"\r\n"
    return head + line * ((4096 - len(head)) // len(line))


class Samotop:
    """samotop-send as the daemon on a queue of its own; extra: more lines
    for its samotop.conf"""

    def __init__(self, work, port, name="samotop", extra=""):
        self.name = name
        self.extra = extra
        bindir = os.path.join(work, "bin")
        if not os.path.exists(os.path.join(bindir, "samotop-send")):
            bindir = TOP
        self.d = os.path.join(work, "queue", name)
        self.conf = os.path.join(self.d, "samotop.conf")
        self.send = os.path.join(bindir, "samotop-send")
        self.sm = os.path.join(bindir, "samotop-sendmail")
        self.remote = os.path.join(bindir, "samotop-remote")
        self.port = port
        self.proc = None
        self.env = None

    def start(self):
        shutil.rmtree(self.d, ignore_errors=True)
        os.makedirs(self.d)
        with open(self.conf, "w") as f:
            f.write("hostname bench.example\nqueue %s/q\n"
                    "queue-remote %s -m 127.0.0.1:%d\n%s" %
                    (self.d, self.remote, self.port, self.extra))
        self.run()

    def run(self):
        """samotop-send on the queue as it is"""
        log = open(os.path.join(self.d, "send.log"), "ab")
        self.proc = subprocess.Popen([self.send, "-c", self.conf],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=log,
                                     start_new_session=True)
        if not wait_for(lambda: os.path.isdir(os.path.join(self.d, "q",
                                                           "env")), 10):
            raise RuntimeError("samotop-send did not make its queue: %s" %
                               self.log_tail())

    def root(self):
        return self.proc.pid

    def cmd(self):
        return [self.sm, "-C", self.conf, "-i", "-f", SENDER, RCPT]

    def log_tail(self):
        try:
            with open(os.path.join(self.d, "send.log")) as f:
                return " ".join(f.read().splitlines()[-3:])[:300]
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Postfix:
    """A copy of the peer Postfix (bench/peers.sh) without its smtpd, with
    its own queue, relaying everything to the sink."""
    name = "postfix"

    def __init__(self, work, peers, port):
        self.env = dict(os.environ,
                        LD_LIBRARY_PATH=os.path.join(peers, "usr/lib/postfix"))
        self.postfix = os.path.join(peers, "usr/sbin/postfix")
        self.sm = os.path.join(peers, "usr/sbin/sendmail")
        self.src = os.path.join(work, "postfix")
        self.d = os.path.join(work, "queue", "postfix")
        self.conf = os.path.join(self.d, "conf")
        self.env["MAIL_CONFIG"] = self.conf
        self.port = port
        self.started = False

    def start(self):
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
        text += ("relayhost = [127.0.0.1]:%d\n"
                 "default_transport = smtp\n"
                 "relay_transport = smtp\n"
                 "smtp_host_lookup = native\n"
                 "disable_dns_lookups = yes\n"
                 "myorigin = bench.example\n"
                 # sendmail runs postdrop with these alone
                 "export_environment = TZ MAIL_CONFIG LANG "
                 "LD_LIBRARY_PATH\n" % self.port)
        with open(main, "w") as f:
            f.write(text)
        master = os.path.join(self.conf, "master.cf")
        with open(master) as f:
            lines = [ln for ln in f if " inet " not in ln]
        with open(master, "w") as f:
            f.writelines(lines)
        self.run()

    def run(self):
        """postfix start on the queue as it is"""
        p = subprocess.run([self.postfix, "-c", self.conf, "start"],
                           env=self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           check=False)
        self.started = True
        if p.returncode != 0 or not wait_for(
                lambda: os.path.exists(os.path.join(self.d, "queue", "public",
                                                    "pickup")), 10):
            raise RuntimeError("Postfix did not start: %s" % self.log_tail())

    def root(self):
        with open(os.path.join(self.d, "queue/pid/master.pid")) as f:
            return int(f.read().strip())

    def cmd(self):
        return [self.sm, "-i", "-f", SENDER, RCPT]

    def log_tail(self):
        try:
            with open(os.path.join(self.d, "maillog")) as f:
                return " ".join(f.read().splitlines()[-3:])[:300]
        except OSError:
            return "(no maillog)"

    def stop(self):
        if not self.started:
            return
        try:
            pid = self.root()
        except (OSError, ValueError):
            pid = None
        subprocess.run([self.postfix, "-c", self.conf, "stop"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        if pid:
            wait_for(lambda: not os.path.exists("/proc/%d" % pid), 10)
        self.started = False


# --- the measurements -------------------------------------------------------

def inject(mta, i):
    p = subprocess.run(mta.cmd(), input=body(i), env=mta.env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       check=False)
    if p.returncode != 0:
        raise RuntimeError("sendmail exit %d: %s" % (
            p.returncode, p.stdout.decode("utf-8", "replace").strip()[:200]))


def children_cpu():
    """CPU seconds of this process's reaped children: the sendmails (and
    what they waited for, Postfix's postdrop), not the sink, which runs"""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def throughput(mta, sink):
    base = sink.count()
    cpu0 = load.tree_cpu(mta.root()) + children_cpu()
    t0 = time.monotonic()
    for i in range(N):
        inject(mta, i)
    t1 = time.monotonic()
    last = sink.wait(base + N, 120 + N)
    if last is None:
        raise RuntimeError("the sink got %d of %d messages: %s" % (
            sink.count() - base, N, mta.log_tail()))
    cpu = load.tree_cpu(mta.root()) + children_cpu() - cpu0
    out("queue.%s_inject_msgs_s" % mta.name, "%.1f" % (N / (t1 - t0)))
    out("queue.%s_msgs_s" % mta.name, "%.1f" % (N / (last - t0)))
    out("queue.%s_cpu_ms" % mta.name, "%.3f" % (cpu * 1000 / N))


def drain(mta, sink):
    """N messages queued while the MTA is stopped, then it is started:
    what its queue manager and SMTP client do alone"""
    mta.stop()
    base = sink.count()
    for i in range(N):
        inject(mta, 2 * N + i)
    t0 = time.monotonic()
    mta.run()
    last = sink.wait(base + N, 120 + N)
    if last is None:
        raise RuntimeError("drain: the sink got %d of %d messages: %s" % (
            sink.count() - base, N, mta.log_tail()))
    out("queue.%s_drain_msgs_s" % mta.name, "%.1f" % (N / (last - t0)))


def latency(mtas, sink):
    """single messages, the MTAs in turn (load drifts alike)"""
    times = {m.name: [] for m in mtas}
    inj = {m.name: [] for m in mtas}
    for i in range(LAT_N + 2):		# the first two warm up
        for mta in list(mtas):
            base = sink.count()
            t0 = time.monotonic()
            try:
                inject(mta, N + i)
                t1 = time.monotonic()
                t = sink.wait(base + 1, 60)
                if t is None:
                    raise RuntimeError("a single message did not reach the "
                                       "sink in 60 s: %s" % mta.log_tail())
            except (RuntimeError, OSError) as e:
                out("queue.%s.note" % mta.name, str(e).replace("\n", " "))
                mtas.remove(mta)
                continue
            if i >= 2:
                times[mta.name].append((t - t0) * 1000)
                inj[mta.name].append((t1 - t0) * 1000)
            time.sleep(0.05)
    for mta in mtas:
        ts = sorted(times[mta.name])
        out("queue.%s_latency_ms" % mta.name, "%.1f" % statistics.median(ts))
        out("queue.%s_latency_p90_ms" % mta.name,
            "%.1f" % ts[min(len(ts) - 1, int(len(ts) * 0.9))])
        out("queue.%s_latency_inject_ms" % mta.name,
            "%.1f" % statistics.median(inj[mta.name]))


def tree(root):
    """root and its live descendants"""
    ppid = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    ppid[int(p)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(c for c, pp in ppid.items() if pp == pid)
    return pids


def fsyncs(mta, sink):
    """fsync(2)/fdatasync(2) calls for one message, counted by strace -f
    attached to every process of the MTA and running its sendmail"""
    strace = shutil.which("strace")
    if strace is None:
        return
    trace = os.path.join(os.path.dirname(mta.conf), "fsync-%s" % mta.name)
    attach = []
    for pid in tree(mta.root()):
        attach += ["-p", str(pid)]
    base = sink.count()
    st = subprocess.Popen([strace, "-f", "-qq", "-e",
                           "trace=fsync,fdatasync,syncfs,sync",
                           "-o", trace + ".daemon"] + attach,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)			# attached
    p = subprocess.run([strace, "-f", "-qq", "-e",
                        "trace=fsync,fdatasync,syncfs,sync",
                        "-o", trace + ".sendmail"] + mta.cmd(),
                       input=body(10 ** 6), env=mta.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    got = sink.wait(base + 1, 60)
    time.sleep(1)			# its state written, the message removed
    st.send_signal(signal.SIGINT)	# detaches
    st.wait()
    if p.returncode != 0 or got is None:
        out("queue.%s_fsyncs.note" % mta.name, "not counted: the message "
            "was not delivered under strace")
        return
    n = {}
    for part in ("sendmail", "daemon"):
        with open(trace + "." + part) as f:
            n[part] = sum(1 for ln in f if "sync(" in ln and
                          "resumed" not in ln)
    out("queue.%s_fsyncs" % mta.name, n["sendmail"] + n["daemon"])
    out("queue.%s_fsyncs_sendmail" % mta.name, n["sendmail"])


def main(a):
    if len(a) == 2 and a[0] == "sink":
        try:
            asyncio.run(sink_main(int(a[1])))
        except KeyboardInterrupt:
            pass
        return
    if len(a) != 3:
        sys.exit(__doc__)
    work, peers, port = a[0], a[1], int(a[2])
    os.makedirs(os.path.join(work, "queue"), exist_ok=True)
    sink = Sink(port)
    # samotop_dom20: the same with Postfix's per-destination limit, for
    # the throughput alone
    mtas = [Samotop(work, port), Postfix(work, peers, port),
            Samotop(work, port, "samotop_dom20",
                    "queue-concurrency-domain 20\n")]
    up = []
    try:
        out("queue.n", N)
        out("queue.lat_n", LAT_N)
        for mta in mtas:
            try:
                mta.start()
                base = sink.count()
                inject(mta, -1)		# warm up: one message through
                if sink.wait(base + 1, 60) is None:
                    raise RuntimeError("no message reached the sink: %s" %
                                       mta.log_tail())
                up.append(mta)
            except (RuntimeError, OSError) as e:
                out("queue.%s.note" % mta.name, str(e).replace("\n", " "))
                mta.stop()
        for mta in list(up):
            try:
                throughput(mta, sink)
                drain(mta, sink)
            except (RuntimeError, OSError) as e:
                out("queue.%s.note" % mta.name, str(e).replace("\n", " "))
                up.remove(mta)
        up = [m for m in up if m.name != "samotop_dom20"]
        latency(up, sink)
        for mta in up:
            fsyncs(mta, sink)
    finally:
        for mta in mtas:
            mta.stop()
        sink.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
