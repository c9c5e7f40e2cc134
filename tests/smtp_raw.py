#!/usr/bin/env python3
"""smtp_raw.py PORT [-n] ACTION...: a byte-exact SMTP client for the tests.

Connects to 127.0.0.1:PORT, reads the greeting (unless -n), then performs
each ACTION in order:

  TEXT          send TEXT, after Python escape processing ('\\r\\n', '\\x00')
  @N            read N complete replies (a reply ends with a "DDD " line)
  @eof          read until the server closes; prints <EOF> (or <TIMEOUT>)
  @repeat:N:TXT send TXT (escapes processed) N times, in one write
  @file:PATH    send the contents of PATH
  @shut         shut down the sending side (the server sees end of input)
  @sleep:SEC    pause (only for tests that need a pause to be a pause)
  @drip:SEC:TXT send TXT one octet every SEC seconds (a slowloris client),
                stopping early once the server has replied or closed

Every line received is printed, CR LF removed; a line that ends in a bare LF
gets " <LF>" appended.  A read that times out (SMTP_RAW_TIMEOUT seconds, 5 by
default) prints <TIMEOUT> and exits 2.  At the end the socket is closed.
"""
import codecs
import os
import re
import select
import socket
import sys
import time

TIMEOUT = float(os.environ.get("SMTP_RAW_TIMEOUT", "5"))
FINAL = re.compile(rb"^\d{3}(?: |$)")


def unescape(s):
    return codecs.escape_decode(s.encode("utf-8"))[0]


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        self.eof = False

    def _fill(self):
        try:
            data = self.s.recv(65536)
        except socket.timeout:
            print("<TIMEOUT>")
            sys.stdout.flush()
            sys.exit(2)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            if self.eof:
                return None
            self._fill()
        i = self.buf.index(b"\n")
        ln, self.buf = self.buf[: i + 1], self.buf[i + 1:]
        return ln

    @staticmethod
    def show(ln):
        if ln.endswith(b"\r\n"):
            text = ln[:-2].decode("latin-1")
        else:
            text = ln[:-1].decode("latin-1") + " <LF>"
        print(text)

    def replies(self, n):
        for _ in range(n):
            while True:
                ln = self.line()
                if ln is None:
                    if self.buf:
                        print(self.buf.decode("latin-1") + " <PARTIAL>")
                        self.buf = b""
                    print("<EOF>")
                    return False
                self.show(ln)
                if FINAL.match(ln):
                    break
        return True

    def until_eof(self):
        while True:
            ln = self.line()
            if ln is None:
                if self.buf:
                    print(self.buf.decode("latin-1") + " <PARTIAL>")
                print("<EOF>")
                return
            self.show(ln)

    def drip(self, data, sec):
        for i in range(len(data)):
            if self.buf or select.select([self.s], [], [], 0)[0]:
                return
            self.send(data[i:i + 1])
            time.sleep(sec)

    def send(self, data):
        try:
            self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            print("<SEND-FAILED>")


def main(argv):
    port = int(argv[1])
    args = argv[2:]
    banner = True
    if args and args[0] == "-n":
        banner = False
        args = args[1:]
    c = Conn(port)
    if banner and not c.replies(1):
        return 0
    for a in args:
        if re.fullmatch(r"@\d+", a):
            if not c.replies(int(a[1:])):
                break
        elif a == "@eof":
            c.until_eof()
        elif a == "@shut":
            c.s.shutdown(socket.SHUT_WR)
        elif a.startswith("@repeat:"):
            _, n, txt = a.split(":", 2)
            c.send(unescape(txt) * int(n))
        elif a.startswith("@file:"):
            with open(a[6:], "rb") as f:
                c.send(f.read())
        elif a.startswith("@drip:"):
            _, sec, txt = a.split(":", 2)
            c.drip(unescape(txt), float(sec))
        elif a.startswith("@sleep:"):
            time.sleep(float(a[7:]))
        else:
            c.send(unescape(a))
        sys.stdout.flush()
    c.s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
