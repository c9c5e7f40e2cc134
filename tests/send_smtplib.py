#!/usr/bin/env python3
"""send_smtplib.py PORT FROM TO[,TO...] < MESSAGE: send one message with
Python's smtplib (EHLO, MAIL, RCPT..., DATA, QUIT) and print each reply as
"CODE TEXT", one a line: EHLO's first line, MAIL, each RCPT, DATA's final
reply, QUIT."""
import smtplib
import sys


def main():
    port = int(sys.argv[1])
    sender = sys.argv[2]
    rcpts = sys.argv[3].split(",")
    msg = sys.stdin.buffer.read()
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10)
    code, text = s.ehlo()
    print(code, text.decode().splitlines()[0])
    code, text = s.mail(sender)
    print(code, text.decode())
    ok = 0
    for r in rcpts:
        code, text = s.rcpt(r)
        print(code, text.decode())
        ok += code // 100 == 2
    if ok:
        code, text = s.data(msg)
        print(code, text.decode())
    code, text = s.quit()
    print(code, text.decode())


main()
