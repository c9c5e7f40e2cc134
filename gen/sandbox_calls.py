#!/usr/bin/env python3
"""gen/sandbox_calls.py: which system calls the programs were seen to make
that sandbox_policy.c's tables do not name -- how the tables were made and
how to keep them up to date.

    # 1. programs of this build, samotop-smtpd under strace -ff, helpers
    #    as they are (a process that is traced cannot trace its children)
    mkdir -p /var/tmp/obs/bin /var/tmp/obs/tr
    cp samotop-* /var/tmp/obs/bin/ ; cp libsamotop.a /var/tmp/obs/bin/
    mv /var/tmp/obs/bin/samotop-smtpd /var/tmp/obs/samotop-smtpd.real
    printf '#!/bin/sh\\nSAMOTOP_SANDBOX=no exec strace -ff -qq -o %s %s "$@"\\n' \\
        /var/tmp/obs/tr/t /var/tmp/obs/samotop-smtpd.real \\
        >/var/tmp/obs/bin/samotop-smtpd
    chmod +x /var/tmp/obs/bin/samotop-smtpd
    # 2. the sessions of the suite (tests/lib.bash takes the programs from
    #    $SAMOTOP_BINDIR)
    SAMOTOP_BINDIR=/var/tmp/obs/bin bats tests/smtp_basic.bats tests/tls.bats ...
    # 3. per program (the name after each execve), the calls no table has
    gen/sandbox_calls.py /var/tmp/obs/tr

A call made by a program that samotop-smtpd starts must be in smtpd's
table too (the filter is inherited across execve).  Exit status 1 when
some call is missing, else 0.
"""
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CALL = re.compile(r'^(?:\d+ +)?([a-z_0-9]+)\(')
EXEC = re.compile(r'^(?:\d+ +)?execve\("([^"]*)"')


def allowed():
    """Every call sandbox_policy.c names (any table, any rule)."""
    with open(os.path.join(HERE, '..', 'sandbox_policy.c')) as f:
        src = f.read()
    return set(re.findall(r'ALLOW\((\w+)\)', src)) | \
        set(re.findall(r'SCMP_SYS\((\w+)\)', src))


def observed(directory):
    """{program: Counter of calls}; a process's calls after a successful
    execve belong to the program it executed."""
    progs = collections.defaultdict(collections.Counter)
    for name in os.listdir(directory):
        prog = '(before exec)'
        with open(os.path.join(directory, name), errors='replace') as f:
            for line in f:
                m = CALL.match(line)
                if not m:
                    continue
                e = EXEC.match(line)
                if e and line.rstrip().endswith('= 0'):
                    progs[prog]['execve'] += 1
                    prog = os.path.basename(e.group(1))
                    continue
                progs[prog][m.group(1)] += 1
    return progs


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: gen/sandbox_calls.py STRACE-DIRECTORY')
    names = allowed()
    missing = False
    for prog, calls in sorted(observed(sys.argv[1]).items()):
        extra = sorted(c for c in calls if c not in names)
        print('%-24s %3d calls%s' % (prog, len(calls),
              ', not in any table: ' + ' '.join(extra) if extra else ''))
        missing |= bool(extra)
    sys.exit(1 if missing else 0)


if __name__ == '__main__':
    main()
