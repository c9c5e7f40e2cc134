# tests/tls.bash: helpers of the TLS tests (tests/tls.bats), on top of
# tests/lib.bash.
#
#   setup_file() { make_certs; }          # once per file, $BATS_FILE_TMPDIR
#   tls_conf "require-tls yes"            # write_conf with the certificate
#   tls_raw 'EHLO x\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO y\r\n' @1 ...
#   assert_tls_received FILE              # Received: has the TLS details
#
# Everything is made at test time with openssl: a CA, a certificate for
# mx.test (and 127.0.0.1) signed by it with serial 0x1001, a renewed one
# with serial 0x1002, and a key that belongs to neither.

# The files make_certs writes (in $BATS_FILE_TMPDIR, so per .bats file).
tls_paths() {
	CERTS=$BATS_FILE_TMPDIR/certs
	CA=$CERTS/ca.pem
	CERT=$CERTS/fullchain.pem	# mx.test + the CA, as certbot's fullchain
	KEY=$CERTS/privkey.pem
	CERT2=$CERTS/fullchain2.pem	# the "renewed" certificate, serial 1002
	KEY2=$CERTS/privkey2.pem
	OTHER_KEY=$CERTS/other.pem	# matches no certificate
	TLS_RAW=$BATS_FILE_TMPDIR/tls_raw.py
	TLS_SMTPLIB=$BATS_FILE_TMPDIR/tls_smtplib.py
}

# make_certs: the CA, the two server certificates and the odd key; the
# Python clients.
make_certs() {
	tls_paths
	mkdir -p "$CERTS"
	(
		set -e
		cd "$CERTS"
		ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		# shellcheck disable=SC2086
		openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 \
			-subj /CN=samotop-test-CA \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		printf '%s\n' 'subjectAltName=DNS:mx.test,IP:127.0.0.1' \
			'basicConstraints=CA:FALSE' 'extendedKeyUsage=serverAuth' \
			'keyUsage=digitalSignature' >ext
		for n in 1 2; do
			suffix=${n#1}
			# shellcheck disable=SC2086
			openssl req $ec -keyout "privkey$suffix.pem" -out mx.csr \
				-subj /CN=mx.test
			openssl x509 -req -in mx.csr -CA ca.pem -CAkey ca.key \
				-set_serial "0x100$n" -days 2 -extfile ext \
				-out "cert$suffix.pem"
			cat "cert$suffix.pem" ca.pem >"fullchain$suffix.pem"
		done
		openssl genpkey -algorithm ec \
			-pkeyopt ec_paramgen_curve:P-256 -out other.pem
	) >"$BATS_FILE_TMPDIR/openssl.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/openssl.log" >&2
		return 1
	}
	write_tls_raw
	write_tls_smtplib
}

# tls_conf LINE...: $CONF with the certificate, the key, a route of every
# recipient to $MD and the given lines.
tls_conf() {
	write_conf "tls-certificate $CERT" "tls-key $KEY" \
		"route * $MAILDIR_BIN -c $MD" "$@"
}

# plain_conf LINE...: the same without any TLS directive.
plain_conf() {
	write_conf "route * $MAILDIR_BIN -c $MD" "$@"
}

# start_implicit: start_server with samotop-smtpd -T (port 465 style).
start_implicit() {
	printf '#!/bin/sh\nexec %s -T "$@"\n' "$SMTPD_BIN" >"$T/smtpd-T"
	chmod +x "$T/smtpd-T"
	SMTPD_BIN=$T/smtpd-T start_server "$@"
}

# tls_raw [-n] ACTION...: tls_raw.py on $PORT, trusting the test CA.
tls_raw() {
	local n=()
	if [ "${1:-}" = -n ]; then
		n=(-n)
		shift
	fi
	"$PYTHON" "$TLS_RAW" "${n[@]}" --ca "$CA" "$PORT" "$@"
}

# the_message: the one file in $MD/new.
the_message() {
	the_file "$MD/new"
}

# assert_tls_received FILE [WITH]: FILE's Received: says which TLS version
# and cipher carried it and `with ESMTPS` (or WITH).
assert_tls_received() {
	local rcv
	rcv=$(received_of "$1")
	assert_contains "$rcv" "(using TLSv1."
	[[ "$rcv" =~ \(using\ TLSv1\.[23]\ with\ cipher\ [A-Z0-9_-]+\ \([0-9]+\ bits\)\) ]] || {
		echo "no TLS clause in: $rcv" >&2
		return 1
	}
	assert_contains "$rcv" " with ${2:-ESMTPS} id "
}

# assert_no_session_left: no samotop-smtpd (or helper) of our tcpserver
# runs any more.
assert_no_session_left() {
	wait_sessions
	[ -z "$(descendants "$SERVER_PID")" ]
}

write_tls_raw() {
	cat >"$TLS_RAW" <<'PY'
#!/usr/bin/env python3
"""tls_raw.py [-n] [--ca CA] [--exec CMD ARG... -- | --pipe CMD ARG... --]
              PORT ACTION...

A byte-exact SMTP client like tests/smtp_raw.py that can also speak TLS.
Connects to 127.0.0.1:PORT; with --exec, runs CMD with one end of a
socketpair as its stdin and stdout instead (PORT is then ignored); with
--pipe, writes to CMD's stdin and reads its stdout (a client program such
as openssl s_client).  Reads the greeting unless -n, then each ACTION:

  TEXT        send TEXT after Python escape processing ('\\r\\n')
  @N          read N complete replies (a reply ends with a "DDD " line)
  @eof        read until the server closes; prints <EOF>
  @starttls   TLS handshake now (trusting --ca, SNI and name mx.test);
              prints <TLS VERSION>, or <TLS FAILED: why> and exits 3
  @serial     prints the server certificate's serial: <SERIAL 1001>
  @shut       shut down the sending side
  @sleep:SEC  pause

Each line received prints with CR LF removed; octets still buffered at a
handshake print as <N octets before the handshake>.  A read that waits
longer than SMTP_RAW_TIMEOUT seconds (5) prints <TIMEOUT> and exits 2.
"""
import codecs
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import time

TIMEOUT = float(os.environ.get("SMTP_RAW_TIMEOUT", "5"))
FINAL = re.compile(rb"^\d{3}(?: |$)")


def out(s):
    print(s)
    sys.stdout.flush()


class PipeSock:
    """A client program's stdin and stdout, used like a socket."""

    def __init__(self, child):
        self.child = child

    def settimeout(self, t):
        pass

    def recv(self, n):
        r, _, _ = select.select([self.child.stdout], [], [], TIMEOUT)
        if not r:
            raise socket.timeout()
        return os.read(self.child.stdout.fileno(), n)

    def sendall(self, data):
        self.child.stdin.write(data)
        self.child.stdin.flush()

    def shutdown(self, how):
        self.child.stdin.close()

    def close(self):
        if not self.child.stdin.closed:
            self.child.stdin.close()


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.s.settimeout(TIMEOUT)
        self.buf = b""
        self.eof = False

    def _fill(self):
        try:
            data = self.s.recv(65536)
        except socket.timeout:
            out("<TIMEOUT>")
            sys.exit(2)
        except (ConnectionResetError, ssl.SSLError):
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
        ln, self.buf = self.buf[:i + 1], self.buf[i + 1:]
        return ln

    def replies(self, n):
        while n > 0:
            ln = self.line()
            if ln is None:
                self.rest()
                sys.exit(0)
            show(ln)
            if FINAL.match(ln):
                n -= 1

    def rest(self):
        if self.buf:
            out("<%d octets without line end>" % len(self.buf))
            self.buf = b""
        out("<EOF>")

    def until_eof(self):
        while True:
            ln = self.line()
            if ln is None:
                break
            show(ln)
        self.rest()


def show(ln):
    if ln.endswith(b"\r\n"):
        out(ln[:-2].decode("utf-8", "backslashreplace"))
    else:
        out(ln[:-1].decode("utf-8", "backslashreplace") + " <LF>")


def main():
    args = sys.argv[1:]
    greet, ca, cmd, mode = True, None, None, None
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a == "-n":
            greet = False
        elif a == "--ca":
            ca = args.pop(0)
        elif a in ("--exec", "--pipe"):
            i = args.index("--")
            cmd, args, mode = args[:i], args[i + 1:], a
    port = args.pop(0)
    child = None
    if mode == "--pipe":
        child = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE)
        sock = PipeSock(child)
    elif mode == "--exec":
        a, b = socket.socketpair()
        child = subprocess.Popen(cmd, stdin=b, stdout=b)
        b.close()
        sock = a
    else:
        sock = socket.create_connection(("127.0.0.1", int(port)),
                                        timeout=TIMEOUT)
    c = Conn(sock)
    if greet:
        c.replies(1)
    for act in args:
        if act == "@eof":
            c.until_eof()
        elif act == "@shut":
            c.s.shutdown(socket.SHUT_WR)
        elif act.startswith("@sleep:"):
            time.sleep(float(act[7:]))
        elif act == "@starttls":
            if c.buf:
                out("<%d octets before the handshake>" % len(c.buf))
            ctx = ssl.create_default_context(cafile=ca)
            try:
                c.s = ctx.wrap_socket(c.s, server_hostname="mx.test")
            except (ssl.SSLError, OSError) as e:
                out("<TLS FAILED: %s>" % e)
                sys.exit(3)
            c.s.settimeout(TIMEOUT)
            out("<TLS %s>" % c.s.version())
        elif act == "@serial":
            out("<SERIAL %s>" % c.s.getpeercert()["serialNumber"])
        elif re.fullmatch(r"@\d+", act):
            c.replies(int(act[1:]))
        else:
            c.s.sendall(codecs.escape_decode(act.encode())[0])
    c.s.close()
    if child is not None:
        child.wait(timeout=10)


main()
PY
}

write_tls_smtplib() {
	cat >"$TLS_SMTPLIB" <<'PY'
#!/usr/bin/env python3
"""tls_smtplib.py starttls|ssl PORT CA FROM TO < MESSAGE: send one message
with Python's smtplib, over STARTTLS (SMTP + starttls()) or implicit TLS
(SMTP_SSL), verifying the server as mx.test with the CA; prints each reply
as "CODE TEXT" (EHLO's first line only) and the TLS version."""
import smtplib
import ssl
import sys


def main():
    mode, port, ca, sender, rcpt = sys.argv[1:6]
    msg = sys.stdin.buffer.read()
    ctx = ssl.create_default_context(cafile=ca)
    if mode == "ssl":
        s = smtplib.SMTP_SSL("mx.test", int(port), local_hostname="client.example",
                             context=ctx, timeout=10, source_address=None)
    else:
        s = smtplib.SMTP("mx.test", int(port), local_hostname="client.example",
                         timeout=10)
        code, text = s.ehlo()
        print(code, text.decode().splitlines()[0])
        if not s.has_extn("starttls"):
            print("no STARTTLS offered")
            sys.exit(1)
        code, text = s.starttls(context=ctx)
        print(code, text.decode())
    print(s.sock.version())
    code, text = s.ehlo()
    print(code, text.decode().splitlines()[0])
    if s.has_extn("starttls"):
        print("STARTTLS offered again under TLS")
    code, text = s.mail(sender)
    print(code, text.decode())
    code, text = s.rcpt(rcpt)
    print(code, text.decode())
    code, text = s.data(msg)
    print(code, text.decode())
    code, text = s.quit()
    print(code, text.decode())


# mx.test is not in DNS: connect to the loopback address under that name.
_orig = smtplib.socket.create_connection


def _conn(addr, *a, **kw):
    host, port = addr
    return _orig(("127.0.0.1" if host == "mx.test" else host, port), *a, **kw)


smtplib.socket.create_connection = _conn
main()
PY
}
