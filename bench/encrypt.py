#!/usr/bin/env python3
"""bench/encrypt.py: what encryption at rest costs (part of `make bench`).

Three ways of storing the same messages in a Maildir, side by side:

  plain      samotop-maildir alone (the floor)
  encrypt    samotop-encrypt -k KEYS/%u -- samotop-maildir (OpenPGP, librnp
             in process)
  gpg        GnuPG spawned once per message, as a Sieve/procmail `gpgit`
             filter does, writing its output into the Maildir

Figures: the time one 1 KiB delivery takes (one LMTP session per message,
the way samotop-smtpd runs a helper per SMTP session), the time it adds
over plain, MB/s for one large message, and the peak RSS of the largest
process of the chain.  Nothing leaves the machine: helpers speak LMTP on
their stdin/stdout.

  encrypt.py BINDIR OUT.md      (BENCH_ENC_N, BENCH_ENC_MIB: sizes)
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

N = int(os.environ.get("BENCH_ENC_N", "200"))
MIB = int(os.environ.get("BENCH_ENC_MIB", "64"))
RCPT = "bench@example.org"


def message(size):
    head = (b"From: <sender@example.net>\r\nTo: <bench@example.org>\r\n"
            b"Subject: a secret subject\r\nMessage-ID: <b@example.net>\r\n"
            b"Date: Wed, 02 Dec 2026 12:00:00 +0000\r\n\r\n")
    line = b"x" * 76 + b"\r\n"
    body = line * max(1, (size - len(head)) // len(line))
    return head + body


def expect(f, code):
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError("helper closed the connection")
        if line[:3] != code:
            raise RuntimeError("expected %s, got %r" % (code, line))
        if line[3:4] == b" ":
            return


def lmtp_session(argv, msg, chunk=1 << 20):
    """One LMTP session, one message; returns seconds spent in DATA."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    w, r = p.stdin, p.stdout
    expect(r, b"220")
    w.write(b"LHLO bench\r\n"); w.flush(); expect(r, b"250")
    w.write(b"MAIL FROM:<sender@example.net>\r\n"); w.flush()
    expect(r, b"250")
    w.write(b"RCPT TO:<%s>\r\n" % RCPT.encode()); w.flush()
    expect(r, b"250")
    t0 = time.perf_counter()
    w.write(b"DATA\r\n"); w.flush(); expect(r, b"354")
    for i in range(0, len(msg), chunk):
        w.write(msg[i:i + chunk])
    w.write(b".\r\n"); w.flush(); expect(r, b"250")
    t = time.perf_counter() - t0
    w.write(b"QUIT\r\n"); w.flush(); expect(r, b"221")
    w.close(); r.close(); p.wait()
    return t


def gpg_deliver(gpghome, keyid, msg, maildir, i):
    out = os.path.join(maildir, "new", "gpg.%d" % i)
    t0 = time.perf_counter()
    subprocess.run(["gpg", "--homedir", gpghome, "--batch", "--yes",
                    "--trust-model", "always", "--armor", "--encrypt",
                    "-r", keyid, "-o", out], input=msg, check=True)
    return time.perf_counter() - t0


def timed(label, fn, n):
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t0) / n


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main():
    bindir, out = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="samotop-bench-enc.")
    try:
        run(bindir, out, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(bindir, out, work):
    gpghome = os.path.join(work, "gnupg")
    keys = os.path.join(work, "keys")
    os.makedirs(gpghome, mode=0o700)
    os.makedirs(keys)
    subprocess.run(["gpg", "--homedir", gpghome, "--batch",
                    "--passphrase", "", "--quick-gen-key", RCPT,
                    "rsa3072", "default", "never"], check=True,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(keys, "bench.asc"), "wb") as f:
        subprocess.run(["gpg", "--homedir", gpghome, "--armor", "--export",
                        RCPT], stdout=f, check=True)
    # tmpfs when there is one: the disk is not what is measured here
    base = "/dev/shm" if os.path.isdir("/dev/shm") else work
    md = tempfile.mkdtemp(prefix="samotop-bench-md.", dir=base)
    try:
        figures = measure(bindir, gpghome, keys, md)
    finally:
        shutil.rmtree(md, ignore_errors=True)
    report(figures, out)


def measure(bindir, gpghome, keys, md):
    maildir = [os.path.join(bindir, "samotop-maildir"), md]
    encrypt = [os.path.join(bindir, "samotop-encrypt"), "-k",
               os.path.join(keys, "%u"), "--"] + maildir
    small, big = message(1024), message(MIB << 20)
    f = {}
    lmtp_session(encrypt, small)        # warm the page cache
    f["plain_ms"] = 1000 * timed("plain",
                                 lambda i: lmtp_session(maildir, small), N)
    f["encrypt_ms"] = 1000 * timed("encrypt",
                                   lambda i: lmtp_session(encrypt, small), N)
    f["gpg_ms"] = 1000 * timed(
        "gpg", lambda i: gpg_deliver(gpghome, RCPT, small, md, i),
        max(1, N // 4))
    f["plain_mbs"] = len(big) / lmtp_session(maildir, big) / 1e6
    f["plain_rss"] = peak_rss_kib()
    f["encrypt_mbs"] = len(big) / lmtp_session(encrypt, big) / 1e6
    f["encrypt_rss"] = peak_rss_kib()
    f["gpg_mbs"] = len(big) / gpg_deliver(gpghome, RCPT, big, md, -1) / 1e6
    f["gpg_rss"] = peak_rss_kib()
    f["n"], f["mib"] = N, MIB
    return f


def report(f, out):
    added = f["encrypt_ms"] - f["plain_ms"]
    rows = [
        ("ms per 1 KiB delivery, one LMTP session each",
         "%.2f" % f["encrypt_ms"], "%.2f" % f["plain_ms"],
         "%.2f" % f["gpg_ms"], "%.2f×" % (f["encrypt_ms"] / f["gpg_ms"]),
         "", ""),
        ("ms added by encryption per 1 KiB delivery", "%.2f" % added, "–",
         "%.2f" % (f["gpg_ms"] - f["plain_ms"]), "", "≤ 2 ms",
         "yes" if added <= 2 else "**no**"),
        ("MB/s, one %d MiB message" % f["mib"], "%.0f" % f["encrypt_mbs"],
         "%.0f" % f["plain_mbs"], "%.0f" % f["gpg_mbs"],
         "%.2f×" % (f["encrypt_mbs"] / f["gpg_mbs"]), "≥ 200 MB/s",
         "yes" if f["encrypt_mbs"] >= 200 else "**no**"),
        ("peak RSS KiB of the largest process, after it",
         "%d" % f["encrypt_rss"], "%d" % f["plain_rss"],
         "%d" % f["gpg_rss"], "", "bounded (≪ message)",
         "yes" if f["encrypt_rss"] < (f["mib"] << 10) // 4 else "**no**"),
    ]
    lines = [
        "# samotop-encrypt benchmark",
        "",
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) +
        "; %d CPUs; Maildir on tmpfs; %d deliveries of 1 KiB each, "
        "one %d MiB message; OpenPGP, RSA 3072." % (
            os.cpu_count(), f["n"], f["mib"]),
        "",
        "| figure | samotop-encrypt | plain samotop-maildir | gpg per "
        "message | encrypt/gpg | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [
        "",
        "Peak RSS is the largest resident set of any process of the chain "
        "reaped so far (getrusage RUSAGE_CHILDREN), so each column also "
        "covers the ones measured before it; it is bounded when it stays "
        "far below the message size.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with open(out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
