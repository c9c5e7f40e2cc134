#!/usr/bin/env python3
"""lda_stub.py: a MOCK LDA for the fault tests of samotop-lmtp, NOT a real one.

    lda_stub.py SOCKET MODE LOG

Listens on the unix socket SOCKET and speaks just enough LMTP (RFC 2033)
to one connection at a time, misbehaving as MODE says:

  ok              answers like a good LDA
  silent          accepts the connection and never says a word
  garbage-greet   greets with a line that is not a reply
  garbage-rcpt    answers RCPT with a line that is not a reply
  garbage-data    answers the final dot with a line that is not a reply
  close-body      closes the connection after 354 and the first content line
  close-data      closes the connection after the final dot, no reply
  close-reply1    after the final dot answers the first recipient only, closes
  hang-data       after the final dot never answers (keeps reading)

It "delivers" nothing; it appends to LOG one line per event: "connect",
each command line, "delivered ADDR" for each 250 it sends after the final
dot, "closed" when it closes a connection itself and "eof" when the client
does.  Stop it by its PID.
"""
import os
import socket
import sys


def serve(conn, mode, log):
    f = conn.makefile("rwb", buffering=0)

    def say(line):
        f.write(line.encode() + b"\r\n")

    def note(s):
        log.write(s + "\n")
        log.flush()

    note("connect")
    if mode == "silent":
        while f.readline():
            pass
        return note("eof")
    if mode == "garbage-greet":
        say("hello, this is not LMTP")
    else:
        say("220 stub LMTP ready")
    rcpts = []
    while True:
        line = f.readline()
        if not line:
            return note("eof")
        cmd = line.rstrip(b"\r\n").decode("latin-1")
        note(cmd)
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "LHLO":
            say("250-stub")
            say("250-PIPELINING")
            say("250 ENHANCEDSTATUSCODES")
        elif verb == "MAIL":
            rcpts = []
            say("250 2.1.0 stub: sender ok")
        elif verb == "RCPT":
            if mode == "garbage-rcpt":
                say("ok whatever")
                continue
            addr = cmd[cmd.index("<") + 1:cmd.rindex(">")]
            rcpts.append(addr)
            say("250 2.1.5 stub: recipient ok")
        elif verb == "DATA":
            say("354 stub: go ahead")
            first = True
            while True:
                body = f.readline()
                if not body:
                    return note("eof")
                if first and mode == "close-body":
                    note("closed")
                    return
                first = False
                if body == b".\r\n":
                    break
            if mode == "close-data":
                return note("closed")
            if mode == "hang-data":
                while f.readline():
                    pass
                return note("eof")
            if mode == "garbage-data":
                say("thanks!")
                continue
            for i, addr in enumerate(rcpts):
                if mode == "close-reply1" and i == 1:
                    return note("closed")
                note("delivered " + addr)
                say("250 2.0.0 <%s> stub: delivered" % addr)
        elif verb == "RSET":
            rcpts = []
            say("250 2.0.0 stub: ok")
        elif verb == "QUIT":
            say("221 2.0.0 stub: bye")
            return note("quit")
        else:
            say("500 5.5.1 stub: what?")


def main():
    path, mode, logpath = sys.argv[1:4]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    with open(logpath, "a") as log:
        while True:
            conn, _ = s.accept()
            try:
                serve(conn, mode, log)
            except (BrokenPipeError, ConnectionResetError):
                log.write("reset\n")
                log.flush()
            finally:
                conn.close()


main()
