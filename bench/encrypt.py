#!/usr/bin/env python3
"""bench/encrypt.py [WORKDIR]: what samotop-encrypt costs (issue 12).

Over LMTP on stdio, without samotop-smtpd, into Maildirs under WORKDIR
(default: a temporary directory in /dev/shm, so that the disk is not what
is measured):

  enc.added_ms   added time per 1 KiB delivery: the mean time of an LMTP
                 session delivering one 1 KiB message through
                 samotop-encrypt -- samotop-maildir, minus the same into
                 samotop-maildir alone (target <= 2 ms)
  enc.mbps       MB/s for one 64 MiB message (BENCH_ENC_MIB) encrypted
                 to one OpenPGP key, from the first octet sent to the
                 last reply, the best of three runs (target >= 200 MB/s)
  enc.plain_mbps the same message into samotop-maildir alone
  enc.plain_ms   one 1 KiB delivery into samotop-maildir alone
  enc.next_added_ms  what each further 1 KiB delivery of a session adds
                 (50 in one LMTP session, minus one; librnp is loaded once
                 per process, so this is the cost without its start-up)
  enc.gpg_ms, enc.gpg_mbps  the peer: GnuPG spawned once per message, as
                 a Sieve or procmail filter in the way of gpgit does (the
                 filter's own start-up not counted)
  enc.rss_kb     peak RSS (KiB) of the encrypted run: of samotop-encrypt
                 or of one of the processes it waited for (its worker,
                 samotop-maildir), whichever is largest (wait4(2))

Prints key=value lines (bench/run adds them to results.env).  The key is
made with GnuPG in a temporary home, removed at the end with its agent.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENC = os.path.join(TOP, "samotop-encrypt")
MAILDIR = os.path.join(TOP, "samotop-maildir")
N = int(os.environ.get("BENCH_ENC_N", "200"))
MIB = int(os.environ.get("BENCH_ENC_MIB", "64"))


def session(cmd, body, rss=None, k=1):
    """One LMTP session delivering body to bob k times; the seconds it
    took.  With rss, a file that /usr/bin/time writes the peak RSS (KiB)
    of the largest process of the run into."""
    data = (b"LHLO b\r\n" + (b"MAIL FROM:<a@b.example>\r\n"
            b"RCPT TO:<bob@example.org>\r\nDATA\r\n" + body + b".\r\n") * k
            + b"QUIT\r\n")
    with tempfile.TemporaryFile(dir="/dev/shm") as f:
        f.write(data)
        f.seek(0)
        if rss is not None:
            cmd = ["/usr/bin/time", "-f", "%M", "-o", rss] + cmd
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=False)
        t1 = time.monotonic()
    if p.stdout.count(b"250 2.0.0") != k:
        sys.exit("bench/encrypt.py: not delivered: %r" % p.stdout[-300:])
    return t1 - t0


def gpg(gh, body, out):
    """GnuPG spawned for one message, as a Sieve or procmail filter in the
    way of gpgit does: the seconds it took to write out encrypted."""
    t0 = time.monotonic()
    subprocess.run(["gpg", "--homedir", gh, "--batch", "--yes", "--quiet",
                    "--trust-model", "always", "--armor", "--encrypt",
                    "-r", "bob@example.org", "-o", out], input=body,
                   check=True)
    return time.monotonic() - t0


def clear(md):
    for f in os.listdir(os.path.join(md, "new")):
        os.unlink(os.path.join(md, "new", f))


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else None
    base = tempfile.mkdtemp(prefix="samotop-enc.", dir=work or "/dev/shm")
    gh = tempfile.mkdtemp(prefix="samotop-gpg.")
    try:
        subprocess.run(["gpg", "--homedir", gh, "--batch", "--quiet",
                        "--passphrase", "", "--quick-gen-key",
                        "bob <bob@example.org>", "future-default", "default",
                        "never"], check=True)
        keys = os.path.join(base, "keys")
        os.makedirs(keys)
        with open(os.path.join(keys, "bob.asc"), "wb") as f:
            f.write(subprocess.run(["gpg", "--homedir", gh, "--armor",
                                    "--export", "bob@example.org"],
                                   stdout=subprocess.PIPE,
                                   check=True).stdout)
        md = os.path.join(base, "bob")
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, d))
        plain = [MAILDIR, md]
        enc = [ENC, "-k", os.path.join(keys, "%u"), "--", MAILDIR, md]
        small = (b"From: a@b.example\r\nSubject: bench\r\n\r\n" +
                 (b"x" * 62 + b"\r\n") * 15)
        for cmd in (plain, enc):	# warm the caches
            session(cmd, small)
        tp = te = 0.0
        for i in range(N):		# interleaved: load drifts alike
            tp += session(plain, small)
            te += session(enc, small)
            if i % 50 == 49:
                clear(md)
        clear(md)
        print("enc.mib=%d" % MIB)
        print("enc.added_ms=%.2f" % ((te - tp) / N * 1000))
        print("enc.small_ms=%.2f" % (te / N * 1000))
        print("enc.plain_ms=%.2f" % (tp / N * 1000))
        # the same helpers kept for K messages, as in a session of many:
        # what each further delivery adds, once librnp is loaded
        k, reps = 50, 5
        tp = te = 0.0
        for _ in range(reps):
            tp += session(plain, small, k=k) - session(plain, small)
            te += session(enc, small, k=k) - session(enc, small)
            clear(md)
        print("enc.next_added_ms=%.2f" % ((te - tp) / reps / (k - 1) * 1000))
        out = os.path.join(md, "new", "gpg")
        tg = sum(gpg(gh, small, out) for _ in range(max(1, N // 4)))
        print("enc.gpg_ms=%.2f" % (tg / max(1, N // 4) * 1000))
        big = (b"From: a@b.example\r\nSubject: big\r\n\r\n" +
               (b"x" * 998 + b"\r\n") * (MIB * 1048576 // 1000))
        size = len(big)
        # the best of three: the run least disturbed by other work
        t = min(session(plain, big) for _ in range(3) if clear(md) is None)
        clear(md)
        print("enc.plain_mbps=%.1f" % (size / 1e6 / t))
        rss = os.path.join(base, "rss")
        t = min(session(enc, big, rss) for _ in range(3)
                if clear(md) is None)
        clear(md)
        print("enc.mbps=%.1f" % (size / 1e6 / t))
        t = min(gpg(gh, big, out) for _ in range(3))
        clear(md)
        print("enc.gpg_mbps=%.1f" % (size / 1e6 / t))
        with open(rss) as f:
            print("enc.rss_kb=%s" % f.read().strip().splitlines()[-1])
    finally:
        subprocess.run(["gpgconf", "--homedir", gh, "--kill", "gpg-agent"],
                       check=False)
        shutil.rmtree(gh, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
