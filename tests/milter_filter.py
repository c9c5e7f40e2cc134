#!/usr/bin/python3
"""tests/milter_filter.py: a milter written with Sendmail's own libmilter
(Debian's python3-milter), for tests/milter.bats.

    milter_filter.py SOCKET_PATH [NAME]

It listens on unix:SOCKET_PATH and, at the end of each message, by the
Subject: "reject me" gets a custom 554 5.7.1 reply, "multiline me" a
two-line 550 5.7.1 reply, "tempfail me" a
tempfail; any other message gets a header X-Test-Filter: (with the size
of the body it was sent) and a recipient <added@example.org>, "replace
me" a new body, "quarantine me" is quarantined; then it is accepted.
It wants no reply to each header (SMFIP_NR_HDR), the macros {mail_addr}
and i at MAIL, and no connect, HELO, RCPT, DATA or EOH events (pymilter
leaves out those of the callbacks a filter does not define).  With a
NAME, its header is X-Test-Filter-NAME: (to tell two filters apart).
"""
import sys

import Milter

HEADER = "X-Test-Filter"


class TestFilter(Milter.Base):
    def __init__(self):
        self.subject = ""
        self.size = 0

    def negotiate(self, opts):
        rc = Milter.Base.negotiate(self, opts)
        # the macros wanted at MAIL; pymilter's own @symlist hands
        # libmilter bytes where it wants a str under Python 3
        self._ctx.setsymlist(Milter.M_ENVFROM, "{mail_addr} i")
        return rc

    def envfrom(self, mailfrom, *params):
        self.subject = ""
        self.size = 0
        return Milter.CONTINUE

    @Milter.noreply
    def header(self, name, value):
        if name.lower() == "subject":
            self.subject = value
        return Milter.CONTINUE

    def body(self, chunk):
        self.size += len(chunk)
        return Milter.CONTINUE

    def eom(self):
        s = self.subject
        if "reject me" in s:
            self.setreply("554", "5.7.1", "Rejected by the test filter")
            return Milter.REJECT
        if "multiline me" in s:
            # a percent sign is doubled, as libmilter wants it
            self.setreply("550", "5.7.1", "first line", "second, 100%% sure")
            return Milter.REJECT
        if "tempfail me" in s:
            return Milter.TEMPFAIL
        self.addheader(HEADER, "seen, body of %d octets" % self.size)
        if "replace me" in s:
            self.replacebody(b"the new body\r\n")
        if "quarantine me" in s:
            self.quarantine("held by the test filter")
        self.addrcpt("<added@example.org>")
        return Milter.ACCEPT


def main():
    global HEADER
    if len(sys.argv) > 2:
        HEADER = "X-Test-Filter-" + sys.argv[2]
    Milter.factory = TestFilter
    Milter.runmilter("samotop-test", "unix:" + sys.argv[1], timeout=30)


if __name__ == "__main__":
    main()
