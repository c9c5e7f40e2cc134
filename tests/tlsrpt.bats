#!/usr/bin/env bats
# TLS-RPT (RFC 8460) for outgoing mail: samotop-remote, with `tlsrpt DIR`,
# records each TLS session attempt in a day file per policy domain, and
# samotop-tlsrpt makes each finished day's file into one report, queued
# to the domain's mailto: rua and POSTed to its https: rua.  In the test
# namespace (tests/dns.bash, tests/dns/tlsrpt.test.zone): samotop-smtpd
# with STARTTLS on 127.0.0.41 (mx.tlsrpt.test), without on 127.0.0.42
# (plain.tlsrpt.test), and a Python HTTPS server on 127.0.0.43
# (rpt.tlsrpt.test) with a certificate of a CA made here, which -C makes
# samotop-tlsrpt trust.  Checked: the day files' lines, the queued
# message (headers, the gzipped JSON), the POSTed report, the files
# removed only once sent.

load lib
load dns

REMOTE_BIN=$TOP/samotop-remote
TLSRPT_BIN=$TOP/samotop-tlsrpt

# certs: a CA, and certificates for mx.tlsrpt.test and rpt.tlsrpt.test,
# in $BATS_FILE_TMPDIR/rpt.
certs() {
	local d=$BATS_FILE_TMPDIR/rpt
	mkdir -p "$d"
	(
		set -e
		cd "$d"
		ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		# shellcheck disable=SC2086
		openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 \
			-subj /CN=samotop-tlsrpt-test-CA \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		for n in mx rpt; do
			printf '%s\n' "subjectAltName=DNS:$n.tlsrpt.test" \
				'basicConstraints=CA:FALSE' \
				'extendedKeyUsage=serverAuth' \
				'keyUsage=digitalSignature' >"$n.ext"
			# shellcheck disable=SC2086
			openssl req $ec -keyout "$n.key" -out "$n.csr" -subj "/CN=$n"
			openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key \
				-set_serial "0x$RANDOM" -days 2 -extfile "$n.ext" \
				-out "$n.crt"
			cat "$n.crt" ca.pem >"$n.pem"
		done
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
}

# rua_server: the https: rua, which keeps each POST's body and
# Content-Type in $BATS_FILE_TMPDIR/rpt/posts/N.{body,type}; its pid in
# $BATS_FILE_TMPDIR/rpt/web.pid.
rua_server() {
	local d=$BATS_FILE_TMPDIR/rpt
	mkdir -p "$d/posts"
	cat >"$d/web.py" <<'PY'
import http.server, os, ssl, sys
ip, out, cert, key = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/tlsrpt":
            self.send_error(404)
            return
        n = len(os.listdir(out)) // 2
        with open(os.path.join(out, "%d.type" % n), "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        with open(os.path.join(out, "%d.body" % n), "wb") as f:
            f.write(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))
        sys.stderr.flush()
srv = http.server.ThreadingHTTPServer((ip, 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
	ip netns exec "$DNS_NS" "$PYTHON" "$d/web.py" 127.0.0.43 "$d/posts" \
		"$d/rpt.pem" "$d/rpt.key" </dev/null >/dev/null \
		2>>"$d/web.log" 3>&- &
	echo $! >"$d/web.pid"
	wait_ready "$!" 250 listens 127.0.0.43 443
}

rua_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/rpt/web.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		reap_pids 100 "$pid"
	fi
	rm -f "$BATS_FILE_TMPDIR/rpt/web.pid"
}

listens() {
	in_ns ss -Hltn "src $1:$2" | grep -q LISTEN
}

setup_file() {
	# a DKIM key of the reports' sender's domain, published in the zone
	local z=$BATS_FILE_TMPDIR/zones k=$BATS_FILE_TMPDIR/keys
	if [ -x "$TOP/samotop-dkimkey" ]; then
		mkdir -p "$z" "$k"
		cp "$TESTS_DIR"/dns/* "$z/"
		"$TOP/samotop-dkimkey" -g rsa "$k/rsa.pem"
		"$TOP/samotop-dkimkey" -p client.tlsrpt.test rpt2026 \
		    "$k/rsa.pem" >>"$z/tlsrpt.test.zone"
		DNS_TEMPLATES=$z
	fi
	dns_setup_file
	ip netns list | grep -q "^$DNS_NS\( \|$\)" || return 0
	certs
	rua_server
}

teardown_file() {
	rua_stop
	dns_teardown_file
}

setup() {
	common_setup
	dns_setup
	need_maildir
	[ -x "$REMOTE_BIN" ] || skip "samotop-remote is not built"
	[ -x "$TLSRPT_BIN" ] || skip "samotop-tlsrpt is not built"
	S=$BATS_FILE_TMPDIR/rpt
	MD=$T/Maildir
	RPT=$T/tlsrpt
	Q=$T/queue
	PIDS=
	rm -f "$S"/posts/*
	printf '%s\n' "hostname client.tlsrpt.test" "queue $Q" "tlsrpt $RPT" \
		"tlsrpt-org Samotop-Test" >"$T/remote.conf"
	printf 'From: a@client.test\r\nSubject: hi\r\n\r\nhello\r\n' >"$T/msg"
	write_conf "tls-certificate $S/mx.pem" "tls-key $S/mx.key" \
		"route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.41 "$CONF"
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.42 "$CONF"
}

teardown() {
	local p kids
	for p in $PIDS; do
		kids=$(descendants "$p")
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		# shellcheck disable=SC2086
		reap_pids 50 $kids
	done
	common_teardown
}

# mx_start IP CONF: samotop-smtpd under tcpserver on IP:25.
mx_start() {
	local ip=$1 conf=$T/mx-$1.conf
	cp "$2" "$conf"
	tcpserver -HRl0 -b 256 -c 20 "$ip" 25 "$SMTPD_BIN" -c "$conf" \
		</dev/null >/dev/null 2>>"$LOG" &
	PIDS="$PIDS $!"
	wait_ready "$!" 200 listens "$ip" 25
}

# remote DOMAIN: samotop-remote a@client.test -> b@DOMAIN.
remote() {
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -S "$T/sts" "$1" \
		a@client.test "b@$1" <"$T/msg" 2>>"$T/remote.log"
}

# tlsrpt ARG...: samotop-tlsrpt in the namespace, trusting the test CA.
tlsrpt() {
	in_ns "$TLSRPT_BIN" -c "$T/remote.conf" -C "$S/ca.pem" "$@" \
		2>>"$T/tlsrpt.log"
}

# queued RCPT: the queued message whose envelope has RCPT, checked and
# printed by Python: the header fields, then the JSON report.
queued() {
	local env
	env=$(grep -lx "rcpt $1" "$Q"/env/* 2>/dev/null | head -1)
	[ -n "$env" ] || { echo "nothing queued for $1" >&2; return 1; }
	"$PYTHON" - "$Q/mess/$(basename "$env")" "$env" <<'PY'
import email, email.policy, gzip, json, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                     policy=email.policy.default)
env = open(sys.argv[2]).read().splitlines()
assert "from postmaster@client.tlsrpt.test" in env, env
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert msg.get_param("report-type") == "tlsrpt"
for h in ("From", "To", "Subject", "TLS-Report-Domain",
          "TLS-Report-Submitter", "Message-ID"):
    print("%s: %s" % (h, msg[h]))
parts = list(msg.iter_parts())
assert parts[0].get_content_type() == "text/plain"
att = parts[1]
assert att.get_content_type() == "application/tlsrpt+gzip", \
    att.get_content_type()
print("filename: %s" % att.get_filename())
report = json.loads(gzip.decompress(att.get_content()))
print(json.dumps(report, sort_keys=True))
PY
}

# field JSON EXPR: a Python expression over the report r, printed.
field() {
	"$PYTHON" -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

@test "a delivery without STARTTLS and one with TLS: a line each in the day file of its domain" {
	run remote notls.tlsrpt.test
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "m 250 "*" host=plain.tlsrpt.test ip=127.0.0.42 tls=none" ]]
	run remote tls.tlsrpt.test
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=mx\.tlsrpt\.test\ ip=127\.0\.0\.41\ tls=TLSv1\.[23]$ ]]
	day=$(date -u +%F)
	[ "$(ls "$RPT")" = "$(printf '%s\n' "$day.notls.tlsrpt.test" "$day.tls.tlsrpt.test")" ]
	grep -Eqx "tlsrpt1 [0-9]+ starttls-not-supported no-policy-found notls.tlsrpt.test plain.tlsrpt.test 127.0.0.42 127.0.0.1 - 0 -" \
		"$RPT/$day.notls.tlsrpt.test"
	grep -Eqx "tlsrpt1 [0-9]+ success no-policy-found tls.tlsrpt.test mx.tlsrpt.test 127.0.0.41 127.0.0.1 - 0 -" \
		"$RPT/$day.tls.tlsrpt.test"
	[ "$(wc -l <"$RPT/$day.tls.tlsrpt.test")" -eq 1 ]
	# -m names the host: no policy domain, nothing recorded
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -m mx.tlsrpt.test \
		other.test a@client.test b@other.test <"$T/msg" >/dev/null
	[ "$(ls "$RPT" | wc -l)" -eq 2 ]
}

@test "samotop-tlsrpt: the report queued to the mailto: rua (multipart/report, gzipped JSON: the counts, a starttls-not-supported detail), POSTed to the https: rua, the day files removed" {
	remote notls.tlsrpt.test >/dev/null
	remote notls.tlsrpt.test >/dev/null
	remote tls.tlsrpt.test >/dev/null
	remote norpt.tlsrpt.test >/dev/null
	day=$(date -u +%F)
	# today is not over: nothing yet
	run tlsrpt
	[ "$status" -eq 0 ]
	[ "$(ls "$RPT" | wc -l)" -eq 3 ]
	[ -z "$(ls "$Q/env" 2>/dev/null)" ]
	# -a: today's too
	run tlsrpt -a
	[ "$status" -eq 0 ]
	[ -z "$(ls "$RPT")" ]

	run queued notls-reports@rpt.tlsrpt.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "From: postmaster@client.tlsrpt.test" ]
	[ "${lines[1]}" = "To: notls-reports@rpt.tlsrpt.test" ]
	[ "${lines[2]}" = "Subject: Report Domain: notls.tlsrpt.test Submitter: client.tlsrpt.test Report-ID: <$day.notls.tlsrpt.test@client.tlsrpt.test>" ]
	[ "${lines[3]}" = "TLS-Report-Domain: notls.tlsrpt.test" ]
	[ "${lines[4]}" = "TLS-Report-Submitter: client.tlsrpt.test" ]
	start=$(date -u -d "$day" +%s)
	[ "${lines[6]}" = "filename: client.tlsrpt.test!notls.tlsrpt.test!$start!$((start + 86399)).json.gz" ]
	j=${lines[7]}
	[ "$(field "$j" 'r["organization-name"]')" = "Samotop-Test" ]
	[ "$(field "$j" 'r["contact-info"]')" = "postmaster@client.tlsrpt.test" ]
	[ "$(field "$j" 'r["report-id"]')" = "$day.notls.tlsrpt.test@client.tlsrpt.test" ]
	[ "$(field "$j" 'r["date-range"]["start-datetime"]')" = "${day}T00:00:00Z" ]
	[ "$(field "$j" 'r["date-range"]["end-datetime"]')" = "${day}T23:59:59Z" ]
	[ "$(field "$j" 'len(r["policies"])')" = 1 ]
	[ "$(field "$j" 'r["policies"][0]["policy"]')" = "{'policy-domain': 'notls.tlsrpt.test', 'policy-type': 'no-policy-found'}" ]
	[ "$(field "$j" 'r["policies"][0]["summary"]')" = "{'total-failure-session-count': 2, 'total-successful-session-count': 0}" ]
	[ "$(field "$j" 'r["policies"][0]["failure-details"]')" = "[{'failed-session-count': 2, 'receiving-ip': '127.0.0.42', 'receiving-mx-hostname': 'plain.tlsrpt.test', 'result-type': 'starttls-not-supported', 'sending-mta-ip': '127.0.0.1'}]" ]

	run queued tls-reports@rpt.tlsrpt.test
	[ "$status" -eq 0 ]
	j=${lines[7]}
	[ "$(field "$j" 'r["policies"][0]["summary"]')" = "{'total-failure-session-count': 0, 'total-successful-session-count': 1}" ]
	[ "$(field "$j" '"failure-details" in r["policies"][0]')" = False ]
	# norpt publishes no record: nothing for it, its file gone all the same
	[ "$(ls "$Q/env" | wc -l)" -eq 2 ]
	grep -q 'event=tlsrpt domain=norpt.tlsrpt.test rua=none' "$T/tlsrpt.log"

	# the https: rua got the same report, gzipped
	[ "$(cat "$S/posts/0.type")" = "application/tlsrpt+gzip" ]
	[ ! -e "$S/posts/1.type" ]
	run "$PYTHON" -c 'import gzip, json, sys; r = json.loads(gzip.decompress(open(sys.argv[1], "rb").read())); print(r["report-id"], r["policies"][0]["summary"]["total-successful-session-count"])' "$S/posts/0.body"
	[ "$output" = "$day.tls.tlsrpt.test@client.tlsrpt.test 1" ]
	grep -q 'event=tlsrpt-post domain=tls.tlsrpt.test url=https://rpt.tlsrpt.test/v1/tlsrpt' "$T/tlsrpt.log"
}

@test "samotop-tlsrpt: a report from a domain with a dkim-sign key is signed (RFC 8460 5.3), and dkimverify passes it" {
	[ -x /usr/bin/dkimverify ] || skip "dkimverify (python3-dkim) is not installed"
	[ -e "$BATS_FILE_TMPDIR/keys/rsa.pem" ] || skip "samotop-dkimkey is not built"
	echo "dkim-sign client.tlsrpt.test rpt2026 $BATS_FILE_TMPDIR/keys/rsa.pem" \
	    >>"$T/remote.conf"
	remote notls.tlsrpt.test >/dev/null
	run tlsrpt -a
	[ "$status" -eq 0 ]
	local env f
	env=$(grep -lx "rcpt notls-reports@rpt.tlsrpt.test" "$Q"/env/*)
	f=$Q/mess/$(basename "$env")
	head -c 15 "$f" | grep -qx 'DKIM-Signature:'
	tr -d '\r\n\t ' <"$f" | grep -q 'd=client.tlsrpt.test;s=rpt2026;'
	run in_ns /usr/bin/dkimverify <"$f"
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
}

@test "samotop-tlsrpt: an https: rua that cannot be reached keeps the day file for the next run (exit 75), which sends the report again" {
	remote tls.tlsrpt.test >/dev/null
	day=$(date -u +%F)
	rua_stop
	run tlsrpt -a
	rua_server
	[ "$status" -eq 75 ]
	[ -e "$RPT/$day.tls.tlsrpt.test" ]
	grep -q 'event=tlsrpt-post domain=tls.tlsrpt.test .*error=' "$T/tlsrpt.log"
	[ "$(ls "$Q/env" | wc -l)" -eq 1 ]	# the mail went out
	run tlsrpt -a
	[ "$status" -eq 0 ]
	[ ! -e "$RPT/$day.tls.tlsrpt.test" ]
	[ -e "$S/posts/0.body" ]
	[ "$(ls "$Q/env" | wc -l)" -eq 2 ]	# again: a duplicate, never a loss
}

@test "samotop-tlsrpt -n prints the report and sends nothing; one run at a time; a day file of a finished day is reported without -a" {
	yesterday=$(date -u -d yesterday +%F)
	mkdir -p "$RPT"
	printf 'tlsrpt1 %s success no-policy-found notls.tlsrpt.test plain.tlsrpt.test 127.0.0.42 - - 0 -\ngarbage\n' \
		"$(date -u -d yesterday +%s)" >"$RPT/$yesterday.notls.tlsrpt.test"
	run tlsrpt -n
	[ "$status" -eq 0 ]
	[ "$(field "$output" 'r["policies"][0]["summary"]["total-successful-session-count"]')" = 1 ]
	[ -e "$RPT/$yesterday.notls.tlsrpt.test" ]
	[ -z "$(ls "$Q/env" 2>/dev/null)" ]
	# another run holds the lock: this one leaves the work to it
	run in_ns flock "$RPT/.lock" "$TLSRPT_BIN" -c "$T/remote.conf"
	[ "$status" -eq 0 ]
	[ -e "$RPT/$yesterday.notls.tlsrpt.test" ]
	[ -z "$(ls "$Q/env" 2>/dev/null)" ]
	run tlsrpt
	[ "$status" -eq 0 ]
	[ ! -e "$RPT/$yesterday.notls.tlsrpt.test" ]
	[ "$(ls "$Q/env" | wc -l)" -eq 1 ]
}
