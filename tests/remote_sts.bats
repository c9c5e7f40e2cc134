#!/usr/bin/env bats
# samotop-remote with MTA-STS (RFC 8461): the _mta-sts TXT records of the
# test zone (tests/dns/sts.test.zone, NSD in the test namespace), the
# policies served over HTTPS by a Python server on 127.0.0.30:443, and
# samotop-smtpd as the MX hosts: 127.0.0.31 mx.sts.test with a certificate
# for its name, 127.0.0.32 bad.sts.test with one for another name (and
# 127.0.0.33 plain.mx.sts.test without TLS, for one test).  Every
# certificate is signed by a CA made here with openssl; samotop-remote's
# -C (a CA file instead of the system's, for tests) makes both libcurl and
# libtls trust it.  Checked: the r/m lines, the delivered files, the log.

load lib
load dns

REMOTE_BIN=$TOP/samotop-remote

# sts_certs: the CA, the MX's certificate, another name's, the policy
# server's (one name per test domain), in $BATS_FILE_TMPDIR/sts.
sts_certs() {
	local d=$BATS_FILE_TMPDIR/sts
	mkdir -p "$d"
	(
		set -e
		cd "$d"
		ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		# shellcheck disable=SC2086
		openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 \
			-subj /CN=samotop-sts-test-CA \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		for n in mx other web; do
			case $n in
			mx) san=DNS:mx.sts.test ;;
			other) san=DNS:other.example ;;
			web) san=DNS:mta-sts.enforce.sts.test,DNS:mta-sts.notlisted.sts.test,DNS:mta-sts.wrongcert.sts.test,DNS:mta-sts.testing.sts.test,DNS:mta-sts.notls.sts.test ;;
			esac
			printf '%s\n' "subjectAltName=$san" 'basicConstraints=CA:FALSE' \
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

# policy_server: the HTTPS server of the policies, by Host: header, from
# $BATS_FILE_TMPDIR/sts/www/HOST; its pid in $BATS_FILE_TMPDIR/sts/web.pid.
policy_server() {
	local d=$BATS_FILE_TMPDIR/sts
	mkdir -p "$d/www"
	policy enforce "mode: enforce" "mx: mx.sts.test"
	policy notlisted "mode: enforce" "mx: other.sts.test"
	policy wrongcert "mode: enforce" "mx: *.sts.test"
	policy testing "mode: testing" "mx: mx.sts.test"
	policy notls "mode: enforce" "mx: plain.mx.sts.test"
	cat >"$d/web.py" <<'PY'
import http.server, os, ssl, sys
ip, root, cert, key = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        f = os.path.join(root, host)
        if self.path != "/.well-known/mta-sts.txt" or "/" in host \
                or not os.path.isfile(f):
            self.send_error(404)
            return
        body = open(f, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.headers.get("Host"), fmt % args))
        sys.stderr.flush()
srv = http.server.ThreadingHTTPServer((ip, 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
	ip netns exec "$DNS_NS" "$PYTHON" "$d/web.py" 127.0.0.30 "$d/www" \
		"$d/web.pem" "$d/web.key" </dev/null >/dev/null \
		2>>"$d/web.log" 3>&- &
	echo $! >"$d/web.pid"
	wait_ready "$!" 250 listens 127.0.0.30 443
}

# policy NAME LINE...: the policy of NAME.sts.test (max_age a day).
policy() {
	local name=$1
	shift
	{
		printf 'version: STSv1\r\n'
		printf '%s\r\n' "$@"
		printf 'max_age: 86400\r\n'
	} >"$BATS_FILE_TMPDIR/sts/www/mta-sts.$name.sts.test"
}

listens() {
	in_ns ss -Hltn "src $1:$2" | grep -q LISTEN
}

setup_file() {
	dns_setup_file
	ip netns list | grep -q "^$DNS_NS\( \|$\)" || return 0
	sts_certs
	policy_server
}

teardown_file() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/sts/web.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		reap_pids 100 "$pid"
	fi
	dns_teardown_file
}

setup() {
	common_setup
	dns_setup
	need_maildir
	[ -x "$REMOTE_BIN" ] || skip "samotop-remote is not built"
	S=$BATS_FILE_TMPDIR/sts
	CA=$S/ca.pem
	MD=$T/Maildir
	CACHE=$T/var/sts-cache
	PIDS=
	printf 'hostname client.test\n' >"$T/remote.conf"
	printf 'From: a@client.test\r\nSubject: hi\r\n\r\nhello\r\n' >"$T/msg"
	write_conf "tls-certificate $S/mx.pem" "tls-key $S/mx.key" \
		"route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.31 "$CONF"
	write_conf "tls-certificate $S/other.pem" "tls-key $S/other.key" \
		"route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.32 "$CONF"
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

# remote DOMAIN: samotop-remote a@client.test -> b@DOMAIN, trusting the
# test CA, caching in $CACHE; its log in $T/remote.log.
remote() {
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -C "$CA" -S "$CACHE" "$1" \
		a@client.test "b@$1" <"$T/msg" 2>"$T/remote.log"
}

delivered() {
	find "$MD/new" -type f 2>/dev/null | wc -l
}

@test "enforce, the MX in the policy with a good certificate: delivered over verified TLS (sts=enforce verified=yes); the policy logged and cached" {
	run remote enforce.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@enforce.sts.test 250 "* ]]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=mx\.sts\.test\ ip=127\.0\.0\.31\ tls=TLSv1\.[23]\ sts=enforce\ verified=yes$ ]]
	[ "$(delivered)" -eq 1 ]
	grep -q 'event=sts-policy domain=enforce.sts.test mode=enforce id=e1 source=fetched max_age=86400 mx=mx.sts.test' "$T/remote.log"
	grep -q 'event=tls .*verify=mta-sts' "$T/remote.log"
	grep -q 'event=done .*sts=enforce verified=yes' "$T/remote.log"
	grep -qx 'id e1' "$CACHE/enforce.sts.test"
	grep -q '^mode: enforce' "$CACHE/enforce.sts.test"
	# the second time, the same id: the cache, no fetch
	n=$(grep -c mta-sts.enforce "$S/web.log")
	run remote enforce.sts.test
	[[ ${lines[1]} == "m 250 "*" sts=enforce verified=yes" ]]
	grep -q 'event=sts-policy .*source=cache' "$T/remote.log"
	[ "$(grep -c mta-sts.enforce "$S/web.log")" -eq "$n" ]
}

@test "enforce, the MX not in the policy: not tried, 451 4.7.5, nothing delivered" {
	run remote notlisted.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@notlisted.sts.test 451 4.7.5 mx.sts.test is not an mx of the MTA-STS policy" ]]
	[[ ${lines[1]} == "m 451 4.7.5 mx.sts.test is not an mx of the MTA-STS policy sts=enforce verified=no" ]]
	[ "$(delivered)" -eq 0 ]
	grep -q 'event=sts mode=enforce host=mx.sts.test outcome=refused' "$T/remote.log"
	refute grep -q 'event=connect' "$T/remote.log"
}

@test "enforce, the MX's certificate for another name: not delivered, 4xx, never in plaintext" {
	run remote wrongcert.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@wrongcert.sts.test 451 4.4.1 bad.sts.test: TLS handshake: "* ]]
	[[ ${lines[1]} == "m 451 "*" host=bad.sts.test ip=127.0.0.32 tls=none sts=enforce verified=no" ]]
	[ "$(delivered)" -eq 0 ]
	grep -q 'event=sts mode=enforce host=bad.sts.test outcome=refused' "$T/remote.log"
	[ "$(grep -c 'event=connect' "$T/remote.log")" -eq 1 ]	# no second, plaintext try
	grep -q 'event=done .*sts=enforce verified=no' "$T/remote.log"
}

@test "enforce, the MX without STARTTLS: not delivered, 4xx, never in plaintext" {
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.33 "$CONF"
	run remote notls.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@notls.sts.test 451 4.4.1 plain.mx.sts.test: no STARTTLS, which the MTA-STS policy requires" ]]
	[[ ${lines[1]} == "m 451 "*" host=plain.mx.sts.test ip=127.0.0.33 tls=none sts=enforce verified=no" ]]
	[ "$(delivered)" -eq 0 ]
	grep -q 'event=sts mode=enforce host=plain.mx.sts.test outcome=refused error="no STARTTLS' "$T/remote.log"
	grep -q 'event=disconnect transactions=0 .*mail:0,rcpt:0,data:0' "$LOG"
}

@test "testing: what enforce would refuse is logged, the mail delivered as without a policy (unverified TLS)" {
	run remote testing.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@testing.sts.test 250 "* ]]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=bad\.sts\.test\ ip=127\.0\.0\.32\ tls=TLSv1\.[23]\ sts=testing\ verified=no$ ]]
	[ "$(delivered)" -eq 1 ]
	grep -q 'event=sts-policy domain=testing.sts.test mode=testing id=t1 source=fetched' "$T/remote.log"
	grep -q 'event=sts mode=testing host=bad.sts.test outcome=would-refuse error="bad.sts.test is not an mx' "$T/remote.log"
	grep -q 'event=sts mode=testing host=bad.sts.test outcome=would-refuse error=.*TLS handshake' "$T/remote.log"
	grep -q 'event=tls .*verify=none' "$T/remote.log"
}

@test "no TXT record: as before (opportunistic TLS, no sts= on the m line), sts=none in the log" {
	run remote plain.sts.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@plain.sts.test 250 "* ]]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=mx\.sts\.test\ ip=127\.0\.0\.31\ tls=TLSv1\.[23]$ ]]
	[ "$(delivered)" -eq 1 ]
	grep -q 'event=sts-policy domain=plain.sts.test mode=none source=none' "$T/remote.log"
	grep -q 'event=done .*sts=none verified=no' "$T/remote.log"
	[ ! -e "$CACHE/plain.sts.test" ]
}

@test "a cached policy applies while it lasts when the policy server cannot be reached; an expired one does not" {
	mkdir -p "$CACHE"
	printf 'samotop-sts 1\nid c1\nfetched %s\n\nversion: STSv1\nmode: enforce\nmx: elsewhere.sts.test\nmax_age: 3600\n' \
		"$(date +%s)" >"$CACHE/cached.sts.test"
	run remote cached.sts.test
	[[ ${lines[1]} == "m 451 4.7.5 mx.sts.test is not an mx of the MTA-STS policy sts=enforce verified=no" ]]
	grep -q 'event=sts-policy domain=cached.sts.test mode=enforce id=c1 source=cache' "$T/remote.log"
	[ "$(delivered)" -eq 0 ]
	# expired, and another id: a fetch, which fails: no policy
	printf 'samotop-sts 1\nid old\nfetched %s\n\nversion: STSv1\nmode: enforce\nmx: elsewhere.sts.test\nmax_age: 3600\n' \
		"$(($(date +%s) - 7200))" >"$CACHE/cached.sts.test"
	run remote cached.sts.test
	[[ ${lines[1]} =~ ^m\ 250\ .*tls=TLSv1\.[23]$ ]]
	grep -q 'event=sts-policy domain=cached.sts.test mode=none id=c1 source=none .*error="fetch: https://mta-sts.cached.sts.test/' "$T/remote.log"
	[ "$(delivered)" -eq 1 ]
}

@test "a new id in the TXT record, or the same id past max_age: the policy fetched again, the cache rewritten" {
	mkdir -p "$CACHE"
	printf 'samotop-sts 1\nid old\nfetched %s\n\nversion: STSv1\nmode: testing\nmx: mx.sts.test\nmax_age: 86400\n' \
		"$(date +%s)" >"$CACHE/enforce.sts.test"
	run remote enforce.sts.test
	[[ ${lines[1]} == "m 250 "*" sts=enforce verified=yes" ]]
	grep -q 'event=sts-policy domain=enforce.sts.test mode=enforce id=e1 source=fetched' "$T/remote.log"
	grep -qx 'id e1' "$CACHE/enforce.sts.test"
	[ -z "$(find "$CACHE" -name '*.tmp')" ]
	# the same id, but fetched longer ago than its max_age
	printf 'samotop-sts 1\nid e1\nfetched %s\n\nversion: STSv1\nmode: testing\nmx: mx.sts.test\nmax_age: 60\n' \
		"$(($(date +%s) - 61))" >"$CACHE/enforce.sts.test"
	run remote enforce.sts.test
	[[ ${lines[1]} == "m 250 "*" sts=enforce verified=yes" ]]
	grep -q 'event=sts-policy domain=enforce.sts.test mode=enforce id=e1 source=fetched' "$T/remote.log"
	grep -q '^max_age: 86400' "$CACHE/enforce.sts.test"
}

@test "TLS-RPT (tlsrpt DIR): each session's result under the sts policy, with its policy; a refused certificate by its type, a policy that cannot be fetched" {
	echo "tlsrpt $T/rpt" >>"$T/remote.conf"
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.33 "$CONF"
	for d in enforce wrongcert notls notlisted testing; do
		remote $d.sts.test >/dev/null
	done
	day=$(date -u +%F)
	f() { cat "$T/rpt/$day.$1.sts.test"; }
	[[ $(f enforce) =~ ^tlsrpt1\ [0-9]+\ success\ sts\ enforce\.sts\.test\ mx\.sts\.test\ 127\.0\.0\.31\ 127\.0\.0\.1\ enforce\ 86400\ mx\.sts\.test$ ]]
	[[ $(f wrongcert) =~ ^tlsrpt1\ [0-9]+\ certificate-host-mismatch\ sts\ wrongcert\.sts\.test\ bad\.sts\.test\ 127\.0\.0\.32\ 127\.0\.0\.1\ enforce\ 86400\ \*\.sts\.test$ ]]
	[[ $(f notls) =~ ^tlsrpt1\ [0-9]+\ starttls-not-supported\ sts\ notls\.sts\.test\ plain\.mx\.sts\.test\ 127\.0\.0\.33\ 127\.0\.0\.1\ enforce\ 86400\ plain\.mx\.sts\.test$ ]]
	[[ $(f notlisted) =~ ^tlsrpt1\ [0-9]+\ validation-failure\ sts\ notlisted\.sts\.test\ mx\.sts\.test\ -\ -\ enforce\ 86400\ other\.sts\.test$ ]]
	# testing: the verified try is counted, not the unverified one after it
	[ "$(f testing | wc -l)" -eq 1 ]
	[[ $(f testing) == *" certificate-host-mismatch sts testing.sts.test bad.sts.test 127.0.0.32 127.0.0.1 testing 86400 mx.sts.test" ]]
	# without the test CA: the policy server's certificate is not trusted
	# (no policy then: the session counts under no-policy-found)
	rm -rf "$CACHE"
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -S "$CACHE" enforce.sts.test \
		a@client.test b@enforce.sts.test <"$T/msg" >/dev/null 2>&1
	grep -Eq "^tlsrpt1 [0-9]+ sts-webpki-invalid sts enforce.sts.test - - - - 0 -$" "$T/rpt/$day.enforce.sts.test"
	grep -Eq "^tlsrpt1 [0-9]+ success no-policy-found enforce.sts.test mx.sts.test 127.0.0.31 127.0.0.1 - 0 -$" "$T/rpt/$day.enforce.sts.test"
	# the verified handshake itself, without the CA: not trusted
	mkdir -p "$CACHE"
	printf 'samotop-sts 1\nid e1\nfetched %s\n\nversion: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 3600\n' \
		"$(date +%s)" >"$CACHE/enforce.sts.test"
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -S "$CACHE" enforce.sts.test \
		a@client.test b@enforce.sts.test <"$T/msg" >/dev/null 2>&1
	grep -Eq "^tlsrpt1 [0-9]+ certificate-not-trusted sts enforce.sts.test mx.sts.test 127.0.0.31 127.0.0.1 enforce 3600 mx.sts.test$" "$T/rpt/$day.enforce.sts.test"
}

# from SENDER: $T/msg from SENDER to b@notls.sts.test.
from() {
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" -C "$CA" -S "$CACHE" \
		notls.sts.test "$1" b@notls.sts.test <"$T/msg" 2>"$T/remote.log"
}

@test "a TLS report (TLS-Report-Domain, from postmaster@hostname) goes despite the policy, in plaintext if need be, and is not recorded; the same from another sender is not" {
	echo "tlsrpt $T/rpt" >>"$T/remote.conf"
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.33 "$CONF"
	printf 'From: postmaster@client.test\r\nTLS-Report-Domain: notls.sts.test\r\nSubject: report\r\n\r\nreport\r\n' >"$T/msg"
	run from postmaster@client.test
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=plain\.mx\.sts\.test\ ip=127\.0\.0\.33\ tls=none$ ]]
	grep -q 'event=tlsrpt-report domain=notls.sts.test' "$T/remote.log"
	[ "$(delivered)" -eq 1 ]
	[ ! -e "$T/rpt" ]
	# another sender: the policy applies, and the session is recorded
	run from a@client.test
	[[ ${lines[1]} == "m 451 "*" sts=enforce verified=no" ]]
	[ "$(delivered)" -eq 1 ]
	grep -q ' starttls-not-supported sts notls.sts.test ' "$T/rpt/$(date -u +%F).notls.sts.test"
}
