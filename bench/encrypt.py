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


def session(cmd, body, rss=None):
    """One LMTP session delivering body to bob; the seconds it took.
    With rss, a file that /usr/bin/time writes the peak RSS (KiB) of the
    largest process of the run into."""
    data = (b"LHLO b\r\nMAIL FROM:<a@b.example>\r\n"
            b"RCPT TO:<bob@example.org>\r\nDATA\r\n" + body + b".\r\nQUIT\r\n")
    with tempfile.TemporaryFile(dir="/dev/shm") as f:
        f.write(data)
        f.seek(0)
        if rss is not None:
            cmd = ["/usr/bin/time", "-f", "%M", "-o", rss] + cmd
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=False)
        t1 = time.monotonic()
    if b"250 2.0.0" not in p.stdout:
        sys.exit("bench/encrypt.py: not delivered: %r" % p.stdout[-300:])
    return t1 - t0


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
        with open(rss) as f:
            print("enc.rss_kb=%s" % f.read().strip().splitlines()[-1])
    finally:
        subprocess.run(["gpgconf", "--homedir", gh, "--kill", "gpg-agent"],
                       check=False)
        shutil.rmtree(gh, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
