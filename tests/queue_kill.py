#!/usr/bin/env python3
"""tests/queue_kill.py: samotop-queue killed with SIGKILL at random moments.

    queue_kill.py QUEUE_BIN CONF QUEUE_DIR ROUNDS

Each round starts samotop-queue, arms a timer that kills it after a random
delay (0 to 40 ms), and enqueues messages over one LMTP session until it
dies (at least ROUNDS rounds, more until ROUNDS messages were answered 250), noting each ID answered "250 2.0.0 queued as ID".  Then every noted
ID must have env/ID naming its two recipients and mess/ID holding exactly
the message sent; every env/ID present at all must have its complete
mess/ID.  Prints "acked=N queued=N garbage=N" (garbage: files in tmp/ and
mess/ files without env/), exits 1 with the reasons on a failure.
"""
import os
import random
import re
import signal
import subprocess
import sys
import threading

qbin, conf, qdir, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
random.seed(os.getpid())
acked = {}          # id -> body
sent_bodies = {}    # body -> 1, every message sent (acked or not)
seq = 0


def body(n):
    # a few KiB, so that a kill can fall inside the write of the content
    pad = ("x" * 70 + "\r\n") * (1 + n % 60)
    return ("Subject: m%d\r\n\r\n%sEND %d\r\n" % (n, pad, n)).encode()


def one_round():
    global seq
    p = subprocess.Popen([qbin, "-c", conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    t = threading.Timer(random.uniform(0, 0.04), lambda: p.send_signal(signal.SIGKILL))
    t.start()
    out = p.stdout
    try:
        p.stdin.write(b"LHLO t\r\n")
        p.stdin.flush()
        while True:
            line = out.readline()
            if not line:
                return
            if line.startswith(b"250 ") and b"SMTPUTF8" in line:
                break
        while True:
            seq += 1
            b = body(seq)
            sent_bodies[b] = 1
            p.stdin.write(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\n"
                          b"RCPT TO:<v@example.org>\r\nDATA\r\n")
            p.stdin.flush()
            for _ in range(4):
                if not out.readline():
                    return
            p.stdin.write(b + b".\r\n")
            p.stdin.flush()
            for _ in range(2):
                line = out.readline()
                if not line:
                    return
                m = re.match(rb"250 2\.0\.0 queued as (\S+)\r\n", line)
                if m:
                    acked[m.group(1).decode()] = b
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        t.cancel()
        try:
            p.kill()
        except ProcessLookupError:
            pass
        p.wait()


# On a busy machine a round acknowledges fewer messages before its kill:
# go on past ROUNDS until as many messages were acknowledged as rounds
# asked for, so that the proof does not weaken with the load (bounded).
done = 0
while done < rounds or (len(acked) < rounds and done < 20 * rounds):
    one_round()
    done += 1

bad = []
env_dir, mess_dir = os.path.join(qdir, "env"), os.path.join(qdir, "mess")
for qid, b in acked.items():
    try:
        env = open(os.path.join(env_dir, qid), "rb").read()
        mess = open(os.path.join(mess_dir, qid), "rb").read()
    except OSError as e:
        bad.append("%s answered 250 but %s" % (qid, e))
        continue
    if b"rcpt u@example.org\nrcpt v@example.org\n" not in env:
        bad.append("%s: env without its recipients" % qid)
    if mess != b:
        bad.append("%s: mess/ID is not the message sent" % qid)
envs = set(os.listdir(env_dir))
for qid in envs:
    try:
        mess = open(os.path.join(mess_dir, qid), "rb").read()
    except OSError as e:
        bad.append("env/%s without mess: %s" % (qid, e))
        continue
    if mess not in sent_bodies:
        bad.append("env/%s: mess/ID incomplete" % qid)
garbage = len(os.listdir(os.path.join(qdir, "tmp"))) + \
    len([m for m in os.listdir(mess_dir) if m not in envs])
print("acked=%d queued=%d garbage=%d" % (len(acked), len(envs), garbage))
for b in bad[:20]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
