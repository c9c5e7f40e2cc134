#!/usr/bin/env python3
"""smtp_peer.py: a MOCK SMTP server for tests/remote.bats, NOT a real one.

It plays the old or odd servers samotop-smtpd is not: one that knows only
HELO (so no 8BITMIME, SMTPUTF8 or PIPELINING), one with a small SIZE
limit, one that greets with 421.  Connections are served one after the
other; every command line received is appended to LOG, and each message
as "<message N octets>".

  smtp_peer.py IP PORT LOG [--helo-only] [--size N] [--greet "421 ..."]
      [--bad-tls | --inject] [--pipelining]

--pipelining offers PIPELINING, and MAIL is logged with the number of
command lines that came in the same read after it ("MAIL FROM:<a> +2").

--bad-tls offers STARTTLS, says 220 to it and then sends no TLS at all;
--inject offers it and sends a second reply in the same write as the 220
(the STARTTLS command injection of CVE-2011-0411, server side).
"""
import socket
import sys


class Lines:
    """Lines from a socket, knowing what has arrived already."""

    def __init__(self, conn):
        self.conn, self.buf = conn, b""

    def readline(self):
        while b"\n" not in self.buf:
            data = self.conn.recv(65536)
            if not data:
                line, self.buf = self.buf, b""
                return line
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def waiting(self):
        return self.buf.count(b"\n")


def serve(conn, log, helo_only, size, greet, tls, pipelining):
    f = Lines(conn)

    def say(line):
        conn.sendall(line.encode() + b"\r\n")

    say(greet)
    if not greet.startswith("220"):
        return
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.rstrip(b"\r\n").decode("utf-8", "replace")
        more = f.waiting() if cmd[:4].upper() == "MAIL" else 0
        log.write(cmd + (" +%d" % more if more else "") + "\n")
        log.flush()
        verb = cmd[:4].upper()
        if verb == "EHLO" and helo_only:
            say("502 5.5.1 EHLO? never heard of it")
        elif verb == "EHLO":
            say("250-peer.test")
            if tls:
                say("250-STARTTLS")
            if pipelining:
                say("250-PIPELINING")
            say("250 SIZE %d" % size)
        elif verb == "STAR" and tls == "bad":
            say("220 go ahead")
            # only once the ClientHello is here: sent at once, the text
            # could reach the client with the 220, an injection instead
            conn.recv(65536)
            conn.sendall(b"this is not TLS\r\n")
            return
        elif verb == "STAR" and tls == "inject":
            conn.sendall(b"220 go ahead\r\n250 injected\r\n")
            return
        elif verb == "HELO":
            say("250 peer.test")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            say("250 ok")
        elif verb == "DATA":
            say("354 go on")
            n = 0
            while True:
                body = f.readline()
                if not body or body == b".\r\n":
                    break
                n += len(body)
            log.write("<message %d octets>\n" % n)
            log.flush()
            say("250 ok: taken")
        elif verb == "QUIT":
            say("221 bye")
            return
        else:
            say("500 what?")


def main():
    ip, port, logname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    helo_only = "--helo-only" in args
    size = int(args[args.index("--size") + 1]) if "--size" in args else 0
    greet = args[args.index("--greet") + 1] if "--greet" in args else "220 peer.test mock"
    tls = "bad" if "--bad-tls" in args else "inject" if "--inject" in args else None
    s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    s.listen(8)
    with open(logname, "a") as log:
        while True:
            conn, _ = s.accept()
            try:
                serve(conn, log, helo_only, size, greet, tls, "--pipelining" in args)
            except OSError:
                pass
            finally:
                conn.close()


main()
