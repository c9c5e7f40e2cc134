#!/usr/bin/env python3
"""lmtpd_mock.py: a MOCK LMTP server on a unix socket, for the soak test.

    lmtpd_mock.py SOCKET PROGRAM ARG...

Listens on SOCKET and hands every connection to a new PROGRAM ARG...
(in the soak: samotop-maildir -c DIR/%u) with the connection as its
stdin and stdout, so the delivery itself is real.  On SIGTERM it stops
listening, removes SOCKET and exits, leaving the connections in progress
to their programs: the soak stops it and starts it again to play an LDA
that goes away and comes back (and reaps the programs left, as their
subreaper).
"""
import os
import signal
import socket
import subprocess
import sys

path, argv = sys.argv[1], sys.argv[2:]
children = []
stopping = False


def stop(signum, frame):
    global stopping
    stopping = True
    try:
        srv.close()
    except OSError:
        pass


try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path + ".new")
srv.listen(64)
os.rename(path + ".new", path)
signal.signal(signal.SIGTERM, stop)
while not stopping:
    try:
        conn, _ = srv.accept()
    except OSError:
        break
    children.append(subprocess.Popen(argv, stdin=conn.fileno(),
                                     stdout=conn.fileno()))
    conn.close()
    children = [c for c in children if c.poll() is None]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
os._exit(0)
