#!/usr/bin/env python3
"""bench/report.py RESULTS.ENV: the Markdown table of `make bench`.

Every figure of one run, and samotop's figure as a ratio to the floor and
to each peer from the same run.  For rates a ratio above 1 is samotop ahead;
for latency and memory a ratio below 1 is samotop ahead.
"""
import re
import sys

PEERS = ["postfix", "exim", "opensmtpd"]


def load(path):
    r = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            r[k] = v
    return r


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt(v, unit=""):
    if v is None:
        return "–"
    if v >= 100:
        return "%.0f%s" % (v, unit)
    if v >= 10:
        return "%.1f%s" % (v, unit)
    return "%.2f%s" % (v, unit)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "%.2f×" % (a / b)


def mem(r, key, child=True):
    """private KiB of the session process (+ its helper) from a mem line"""
    v = r.get(key)
    if not v or "proc=none" in v:
        return None, ""
    m = dict(re.findall(r"(\w+)=(\S+)", v))
    priv = num(m.get("priv_kib"))
    kids = [num(x) for x in re.findall(r"child_priv_kib=(\S+)", v)]
    total = priv + (sum(k for k in kids if k) if child else 0)
    desc = "%s %s KiB private dirty (VmHWM %s KiB)" % (
        m.get("proc"), m.get("priv_kib"), m.get("hwm_kib"))
    for name, hwm, p in re.findall(
            r"child=(\S+) child_hwm_kib=(\S+) child_priv_kib=(\S+)", v):
        desc += " + %s %s KiB (VmHWM %s)" % (name, p, hwm)
    return total, desc


def store(r, w):
    """Greylisting's store, SQLite next to PostgreSQL (bench/store.py)."""
    concs = sorted({int(k.split(".")[3]) for k in r
                    if re.match(r"store\.(sqlite|pg)\.(new|known)\.\d+$", k)})
    if not concs:
        return
    w("")
    w("Greylisting's store (bench/store.py): sessions/s, each EHLO, MAIL, "
      "RCPT, QUIT; %s sessions a figure; PostgreSQL on the same machine, "
      "a unix socket, one connection per session:" % r.get("store.n", "?"))
    w("")
    w("| figure | SQLite | PostgreSQL | PostgreSQL/SQLite | through "
      "PgBouncer | PgBouncer/SQLite |")
    w("|---|---|---|---|---|---|")
    kinds = {"new": "a new triplet each (451 4.7.1)",
             "known": "a known triplet each, after the delay (250)"}

    def by(a, b):
        return "–" if not a or b is None else "%.2f×" % (b / a)
    for c in concs:
        for k in ("new", "known"):
            a, b, p = (num(r.get("store.%s.%s.%d" % (x, k, c)))
                       for x in ("sqlite", "pg", "bouncer"))
            w("| sessions/s, %s, clients: %d | %s | %s | %s | %s | %s |" % (
                kinds[k], c, fmt(a), fmt(b), by(a, b), fmt(p), by(a, p)))
            a, b, p = (num(r.get("store.%s.%s.%d.cpu_ms" % (x, k, c)))
                       for x in ("sqlite", "pg", "bouncer"))
            sv = num(r.get("store.pg.%s.%d.server_cpu_ms" % (k, c)))
            if a is not None or b is not None:
                w("| … CPU ms per session, samotop-smtpd and helper "
                  "(PostgreSQL's server, without PgBouncer: %s) | %s | %s "
                  "| %s | %s | %s |" % (fmt(sv), fmt(a), fmt(b), by(a, b),
                                        fmt(p), by(a, p)))
    for k, v in r.items():
        if k.startswith("store.") and k.endswith(".failed"):
            w("* %s: %s sessions without the reply expected" % (k[6:-7], v))


def main():
    r = load(sys.argv[1])
    peers = [p for p in PEERS if r.get("peer." + p) == "up"]
    out = []
    w = out.append
    w("# samotop benchmark")
    w("")
    w("%s; %s CPUs (%s); %s; Maildirs on %s or tmpfs." % (
        r.get("date"), r.get("nproc"), r.get("cpu"), r.get("kernel"),
        r.get("disk")))
    w("Sizes: %s messages of 4 KiB per smtp-source run; %s STARTTLS "
      "sessions, %s at a time%s, %s certificate; one %s MiB message; %s "
      "banners." % (
          r.get("msgs"), r.get("tls_n"), r.get("tls_c"),
          "" if r.get("tls_rounds", "1") == "1" else
          ", median of %s rounds" % r.get("tls_rounds"),
          {"ec": "an ECDSA P-256", "rsa": "an RSA 2048"}.get(
              r.get("tls_key", "rsa"), "an RSA 2048"),
          r.get("big"), r.get("banner_n")))
    if r.get("only"):
        w("Only these figures were run: %s." % r.get("only"))
    w("samotop: commit %s." % r.get("samotop"))
    if r.get("milter.rspamd_start_s"):
        w("rspamd, the one milter (its proxy worker scanning by itself, "
          "tests/filters/rspamd.conf.in), started in %s s; GTUBE through "
          "it: Postfix `%s`, samotop `%s`." % (
              r.get("milter.rspamd_start_s"),
              r.get("milter.gtube.postfix", "–"),
              r.get("milter.gtube.samotop", "–")))
    w("Load average (1, 5, 15 min) at the start of the sessions: %s; at "
      "the end: %s (anything above 0 is other work sharing the CPUs)." % (
          r.get("load.start"), r.get("load.end")))
    w("")
    head = ["figure", "samotop", "floor"] + peers + ["samotop/floor"] + \
        ["samotop/" + p for p in peers] + ["target", "met"]
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * len(head))

    def row(label, s, f, pk, target="", met=None, unit=""):
        pv = [num(r.get(pk % p)) if pk else None for p in peers]
        if s is None and f is None and all(v is None for v in pv):
            return      # a figure this run did not take (BENCH_ONLY)
        cells = [label, fmt(s, unit), fmt(f, unit)] + \
            [fmt(v, unit) for v in pv] + [ratio(s, f)] + \
            [ratio(s, v) for v in pv] + \
            [target, "" if met is None else ("yes" if met else "**no**")]
        w("| " + " | ".join(cells) + " |")

    conc = r.get("conc", "1 8 32").split()
    for c in conc:
        s = num(r.get("sess.samotop-tmpfs.%s" % c))
        f = num(r.get("sess.floor.%s" % c))
        row("msgs/s, clients: %s, samotop Maildir on tmpfs" % c, s, f,
            "sess.%%s.%s" % c, "≥ 0.95× floor",
            s is not None and f and s >= 0.95 * f)
    for c in conc:
        s = num(r.get("sess.samotop-nosb.%s" % c))
        f = num(r.get("sess.floor.%s" % c))
        row("msgs/s, clients: %s, samotop Maildir on tmpfs, `sandbox no`"
            % c, s, f, None, "", None)
    for c in conc:
        s = num(r.get("sess.samotop-disk.%s" % c))
        pv = [num(r.get("sess.%s.%s" % (p, c))) for p in peers]
        row("msgs/s, clients: %s, all Maildirs on disk" % c, s,
            num(r.get("sess.floor.%s" % c)), "sess.%%s.%s" % c,
            "ahead of every peer", None if not peers else
            s is not None and all(v is None or s > v for v in pv))
    for c in conc:
        row("server CPU ms per message, clients: %s, samotop Maildir on tmpfs"
            % c, num(r.get("cpu.samotop-tmpfs.%s" % c)),
            num(r.get("cpu.floor.%s" % c)), None, "≤ 1.10× floor",
            num(r.get("cpu.samotop-tmpfs.%s" % c)) is not None and
            num(r.get("cpu.floor.%s" % c)) and
            num(r.get("cpu.samotop-tmpfs.%s" % c)) <=
            1.10 * num(r.get("cpu.floor.%s" % c)))
    for c in conc:
        row("server CPU ms per message, clients: %s, samotop Maildir on "
            "tmpfs, `sandbox no`" % c, num(r.get("cpu.samotop-nosb.%s" % c)),
            num(r.get("cpu.floor.%s" % c)), None)
    for c in conc:
        row("server CPU ms per message, clients: %s, all Maildirs on disk" % c,
            num(r.get("cpu.samotop-disk.%s" % c)),
            num(r.get("cpu.floor.%s" % c)), "cpu.%%s.%s" % c)
    for c in conc:
        s = num(r.get("deliv.samotop-disk.%s" % c))
        row("msgs/s in the Maildir (after the queue), clients: %s, disk" % c,
            s, None, "deliv.%%s.%s" % c)
    row("ms from QUIT to 221 (median)", num(r.get("quit.samotop-tmpfs")),
        num(r.get("quit.floor")), "quit.%s")
    s = num(r.get("banner.samotop-tmpfs"))
    row("ms to the banner (median)", s, num(r.get("banner.floor")),
        "banner.%s", "", None, "")
    st = num(r.get("banner.samotop-tls"))
    row("ms to the banner, tls-certificate configured", st,
        num(r.get("banner.floor")), "banner.%s",
        "no TLS cost before STARTTLS: ≤ 1.10× without",
        st is not None and s and st <= 1.10 * s)
    row("sessions/s, no TLS, python client, %s at a time" % r.get("tls_c"),
        num(r.get("plain.samotop-tmpfs")), num(r.get("plain.floor")), None)
    row("sessions/s, no TLS, python client, %s at a time, `sandbox no`"
        % r.get("tls_c"), num(r.get("plain.samotop-nosb")),
        num(r.get("plain.floor")), None)
    ts = num(r.get("tls.samotop-tls"))
    tp = num(r.get("tls.postfix"))
    row("sessions/s with STARTTLS (floor: without)", ts,
        num(r.get("plain.floor")), "tls.%s", "≥ 1.0× Postfix",
        None if ts is None or tp is None else ts >= tp)
    row("server CPU ms per session, no TLS, python client",
        num(r.get("plaincpu.samotop-tmpfs")), num(r.get("plaincpu.floor")),
        None)
    row("server CPU ms per session, no TLS, python client, `sandbox no`",
        num(r.get("plaincpu.samotop-nosb")), num(r.get("plaincpu.floor")),
        None)
    row("server CPU ms per session with STARTTLS (floor: without)",
        num(r.get("tlscpu.samotop-tls")), num(r.get("plaincpu.floor")),
        "tlscpu.%s")
    sb = num(r.get("big.samotop-sink"))
    row("DATA MB/s into the helper pipe (LMTP sink; floor: its pipe)", sb,
        num(r.get("big.floor")), None, "≥ 1000 MB/s", sb is not None
        and sb >= 1000)
    row("DATA MB/s, `cat | sink` (the pipe alone)", num(r.get("big.cat")),
        None, None)
    row("DATA MB/s into a Maildir on tmpfs", num(r.get("big.samotop-tmpfs")),
        num(r.get("big.floor")), None)
    row("DATA MB/s into a Maildir on disk", num(r.get("big.samotop-disk")),
        num(r.get("big.floor")), "big.%s")
    ea = num(r.get("enc.added_ms"))
    row("samotop-encrypt: ms added per 1 KiB delivery (LMTP, one key)", ea,
        None, None, "≤ 2 ms", ea is not None and ea <= 2)
    en = num(r.get("enc.next_added_ms"))
    row("samotop-encrypt: ms added per further 1 KiB delivery of a session "
        "(librnp loaded)", en, None, None, "≤ 2 ms",
        en is not None and en <= 2)
    row("samotop-encrypt: ms per 1 KiB delivery, one per session (floor: "
        "samotop-maildir alone)", num(r.get("enc.small_ms")),
        num(r.get("enc.plain_ms")), None)
    row("GnuPG spawned per message (a gpgit-style filter): ms per 1 KiB "
        "(floor: samotop-maildir alone)", num(r.get("enc.gpg_ms")),
        num(r.get("enc.plain_ms")), None)
    em = num(r.get("enc.mbps"))
    row("samotop-encrypt: MB/s, %s MiB into a Maildir on tmpfs "
        "(floor: samotop-maildir alone)" % r.get("enc.mib", "64"), em,
        num(r.get("enc.plain_mbps")), None, "≥ 200 MB/s",
        em is not None and em >= 200)
    row("GnuPG spawned per message: MB/s, the same message (a gpgit-style "
        "filter)", num(r.get("enc.gpg_mbps")), None, None)
    er = num(r.get("enc.rss_kb"))
    row("samotop-encrypt: peak RSS KiB of that run (largest process)", er,
        None, None, "bounded: < 32768", er is not None and er < 32768)
    row("one milter (rspamd): ms per 4 KiB message, one session each "
        "(median), without it", num(r.get("milter.samotop_ms")), None,
        "milter.%s_ms")
    row("one milter (rspamd): ms per 4 KiB message, one session each "
        "(median), through it", num(r.get("milter.samotop_milter_ms")), None,
        "milter.%s_milter_ms")
    ma = num(r.get("milter.samotop_added_ms"))
    mpa = num(r.get("milter.postfix_added_ms"))
    row("one milter (rspamd): ms it adds per message (the same rspamd "
        "for all)", ma, None, "milter.%s_added_ms", "≤ Postfix's",
        None if ma is None or mpa is None else ma <= mpa)
    row("rspamd (one milter): CPU ms per message it scanned",
        num(r.get("milter.rspamd_cpu_ms")), None, None)
    qn = r.get("queue.n", "500")
    qs = num(r.get("queue.samotop_msgs_s"))
    qp = num(r.get("queue.postfix_msgs_s"))
    row("outbound queue: msgs/s, %s of 4 KiB, sendmail → queue → "
        "scheduler → SMTP sink on loopback" % qn, qs, None,
        "queue.%s_msgs_s", "≥ Postfix's",
        None if qs is None or qp is None else qs >= qp)
    row("… the same, samotop with queue-concurrency-domain 20 (Postfix's "
        "default per-destination limit)",
        num(r.get("queue.samotop_dom20_msgs_s")), None, None)
    qd = num(r.get("queue.samotop_drain_msgs_s"))
    qpd = num(r.get("queue.postfix_drain_msgs_s"))
    row("outbound queue: msgs/s from a full queue (%s queued while it was "
        "stopped; from its start to the sink's last)" % qn, qd, None,
        "queue.%s_drain_msgs_s", "≥ Postfix's",
        None if qd is None or qpd is None else qd >= qpd)
    row("… the same, samotop with queue-concurrency-domain 20",
        num(r.get("queue.samotop_dom20_drain_msgs_s")), None, None)
    row("outbound queue: msgs/s sendmail took them (one after the other)",
        num(r.get("queue.samotop_inject_msgs_s")), None,
        "queue.%s_inject_msgs_s")
    row("outbound queue: ms from sendmail to the sink, one message "
        "(median of %s)" % r.get("queue.lat_n", "50"),
        num(r.get("queue.samotop_latency_ms")), None,
        "queue.%s_latency_ms")
    row("… 90th percentile", num(r.get("queue.samotop_latency_p90_ms")),
        None, "queue.%s_latency_p90_ms")
    row("… of which sendmail (median)",
        num(r.get("queue.samotop_latency_inject_ms")), None,
        "queue.%s_latency_inject_ms")
    row("outbound queue: CPU ms per message, sendmail and every process "
        "of the MTA", num(r.get("queue.samotop_cpu_ms")),
        None, "queue.%s_cpu_ms")
    row("outbound queue: fsync calls per message (strace; of which "
        "sendmail's: samotop %s, Postfix %s)" % (
            r.get("queue.samotop_fsyncs_sendmail", "–"),
            r.get("queue.postfix_fsyncs_sendmail", "–")),
        num(r.get("queue.samotop_fsyncs")), None, "queue.%s_fsyncs")
    ms, mdesc = mem(r, "mem.samotop-tmpfs")
    mf, fdesc = mem(r, "mem.floor")
    mp = {}
    pdesc = {}
    for p in peers:
        mp[p], pdesc[p] = mem(r, "mem." + p)
    # private memory rows are in KiB; pass through a fake key table
    for p in peers:
        r["memk." + p] = "" if mp[p] is None else str(mp[p])
    row("private dirty KiB of one plaintext session (+ helper)", ms, mf,
        "memk.%s", "< 1024 KiB", ms is not None and ms < 1024)
    mt, tdesc = mem(r, "mem.samotop-tls")
    row("… with tls-certificate configured (plaintext)", mt, mf, None,
        "no TLS cost: ≈ without", mt is not None and ms and mt <= ms * 1.1)
    if mdesc or tdesc or fdesc:
        w("")
        w("Memory, process by process (the server's process that owns the "
          "session's socket, and its children):")
        w("")
        w("* samotop: %s" % mdesc)
        w("* samotop, tls-certificate configured: %s" % tdesc)
        w("* floor: %s" % fdesc)
        for p in peers:
            w("* %s: %s" % (p, pdesc[p] or "–"))
    if ts is not None and tp is not None and ts < tp:
        w("")
        w("STARTTLS below Postfix: every session is a new process that "
          "sets OpenSSL 3 up again (Postfix's smtpd does it once for 100 "
          "sessions); README.md, Performance, says where those "
          "instructions go, and `sh bench/profile` (5.) counts them.")
    store(r, w)
    notes = [(k, v) for k, v in r.items() if k.endswith(".note")]
    down = [(k, v) for k, v in r.items()
            if k.startswith("peer.") and v != "up"]
    if notes or down:
        w("")
        w("Notes:")
        w("")
        for k, v in down:
            w("* %s: %s" % (k[5:], v))
        for k, v in notes:
            w("* %s: %s" % (k[:-5], v))
    print("\n".join(out))


if __name__ == "__main__":
    main()
