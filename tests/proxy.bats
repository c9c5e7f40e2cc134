#!/usr/bin/env bats
# proxy.bats: samotop-smtpd behind a real HAProxy (send-proxy and
# send-proxy-v2): the address HAProxy's client connected from is the
# client's in Received: and in the log; from a source proxy-from lists,
# a connection without a valid header is closed without a greeting;
# from any other, a header is only a bad command.

load lib

setup() {
	common_setup
	need_maildir
	HAPROXY_PID=
	M=$T/Maildir
	make_maildir "$M"
}

teardown() {
	if [ -n "${HAPROXY_PID:-}" ]; then
		kill "$HAPROXY_PID" 2>/dev/null || true
		reap_pids 100 "$HAPROXY_PID"
		wait "$HAPROXY_PID" 2>/dev/null || true
	fi
	common_teardown
}

need_haproxy() {
	command -v haproxy >/dev/null 2>&1 ||
		skip "haproxy is not installed (Debian: haproxy)"
}

# start_haproxy: HAProxy in the foreground on two loopback ports of its
# own, $HP1 passing connections on to samotop-smtpd ($PORT) with a v1
# header, $HP2 with a v2 header.
start_haproxy() {
	local p=$PORT
	HP1=
	HP2=
	while [ -z "$HP2" ]; do
		p=$((p + 1))
		port_free "$p" || continue
		if [ -z "$HP1" ]; then HP1=$p; else HP2=$p; fi
	done
	cat >"$T/haproxy.cfg" <<CFG
global
	maxconn 64
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend v1
	bind 127.0.0.1:$HP1
	default_backend smtpd_v1
backend smtpd_v1
	server s 127.0.0.1:$PORT send-proxy
frontend v2
	bind 127.0.0.1:$HP2
	default_backend smtpd_v2
backend smtpd_v2
	server s 127.0.0.1:$PORT send-proxy-v2
${HAPROXY_EXTRA:-}
CFG
	haproxy -db -f "$T/haproxy.cfg" </dev/null >"$T/haproxy.out" 2>&1 &
	HAPROXY_PID=$!
	wait_ready "$HAPROXY_PID" 250 port_listens "$HP2" && return 0
	echo "haproxy did not start" >&2
	cat "$T/haproxy.out" >&2
	return 1
}

# send_from ADDR PORT: a message from source address ADDR to PORT.
send_from() {
	swaks --server "127.0.0.1:$2" --local-interface "$1" \
		--helo client.example --from a@b.example --to u@example.org \
		--body "behind the balancer" --timeout 10
}

# raw_from_balancer TEXT: TEXT sent as the balancer would (from
# 127.0.0.1, which proxy-from lists), then everything the server says.
raw_session() {
	SMTP_RAW_TIMEOUT=${SMTP_RAW_TIMEOUT:-5} smtp_raw -n "$@"
}

proxied_conf() {
	write_conf "proxy-protocol yes" "proxy-from 127.0.0.1/32" \
		"route * $MAILDIR_BIN $M" "$@"
}

@test "send-proxy (v1): the client HAProxy saw is in Received: and the log" {
	need_haproxy
	command -v swaks >/dev/null || skip "swaks is not installed"
	# greet-delay: the header is not early talk
	proxied_conf "greet-delay 1"
	start_server
	start_haproxy
	run send_from 127.0.0.2 "$HP1"
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG"; false; }
	wait_sessions
	f=$(the_file "$M/new")
	run received_of "$f"
	assert_contains "$output" "from client.example ([127.0.0.2])"
	run cat "$LOG"
	assert_contains "$output" "event=proxy balancer=127.0.0.1 version=1 result=client client=127.0.0.2"
	assert_contains "$output" "event=connect remote=127.0.0.2"
	assert_contains "$output" "via=proxy-v1"
	assert_not_contains "$output" "early-talker"
}

@test "send-proxy-v2: the client HAProxy saw is in Received: and the log" {
	need_haproxy
	command -v swaks >/dev/null || skip "swaks is not installed"
	proxied_conf "greet-delay 1"
	start_server
	start_haproxy
	run send_from 127.0.0.3 "$HP2"
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG"; false; }
	wait_sessions
	f=$(the_file "$M/new")
	run received_of "$f"
	assert_contains "$output" "([127.0.0.3])"
	assert_not_contains "$output" "127.0.0.1"
	run cat "$LOG"
	assert_contains "$output" "event=proxy balancer=127.0.0.1 version=2 result=client client=127.0.0.3"
	assert_contains "$output" "via=proxy-v2"
}

@test "a listed source that sends no header is closed without a greeting" {
	proxied_conf
	start_server
	run raw_session 'EHLO client.example\r\n' @eof
	assert_output_eq "<EOF>"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=proxy balancer=127.0.0.1 result=refused reason=\"not a PROXY header\""
	assert_not_contains "$output" "event=helo"
}

@test "a listed source that sends nothing is closed after proxy-timeout" {
	proxied_conf "proxy-timeout 1s"
	start_server
	run raw_session @eof
	assert_output_eq "<EOF>"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "result=refused reason=\"no PROXY header in time\""
}

@test "malformed, oversized and truncated headers close the connection cleanly" {
	proxied_conf
	start_server
	run raw_session 'PROXY TCP4 192.0.2.300 127.0.0.1 1234 25\r\nEHLO x\r\n' @eof
	assert_output_eq "<EOF>"
	run raw_session "PROXY UNKNOWN $(printf 'A%.0s' $(seq 1 120))\\r\\n" @eof
	assert_output_eq "<EOF>"
	run raw_session 'PROXY TCP4 192.0.2.1 127.0.' @shut @eof
	assert_output_eq "<EOF>"
	run raw_session '\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xc0\x00' @shut @eof
	assert_output_eq "<EOF>"
	run raw_session '\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff' @eof
	assert_output_eq "<EOF>"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "reason=\"v1 header: a malformed address\""
	assert_contains "$output" "reason=\"v1 header longer than 107 octets\""
	assert_contains "$output" "reason=\"closed inside a truncated PROXY header\""
	assert_contains "$output" "reason=\"v2 header longer than 1040 octets\""
	assert_not_contains "$output" "192.0.2.1"
	# every session ended, none with an error
	[ "$(grep -c 'event=disconnect' "$LOG")" -eq 5 ]
	assert_not_contains "$output" "level=error"
}

@test "a header from a source proxy-from does not list is a bad command" {
	write_conf "proxy-protocol yes" "proxy-from 127.0.0.9/32" \
		"route * $MAILDIR_BIN $M"
	start_server
	run smtp_raw 'PROXY TCP4 192.0.2.1 127.0.0.1 1234 25\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	assert_line_eq 1 "500 Command unrecognized"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=connect remote=127.0.0.1"
	assert_not_contains "$output" "event=proxy"
	assert_not_contains "$output" "192.0.2.1"
}

@test "a v1 header with the address after it in one write: the session reads it" {
	proxied_conf
	start_server
	run raw_session 'PROXY TCP6 2001:db8::7 ::1 4000 25\r\nEHLO client.example\r\n' @2 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	assert_contains "${lines[1]}" "250-mx.test"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=connect remote=2001:db8::7 port=4000"
}

@test "proxy-protocol without proxy-from is a configuration error" {
	write_conf "proxy-protocol yes" "route * $MAILDIR_BIN $M"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "proxy-protocol needs proxy-from"
}

@test "tls-implicit behind HAProxy (send-proxy-v2, TLS passed through): the handshake follows the header" {
	need_haproxy
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
		-out "$T/cert.pem" -days 1 -subj /CN=mx.test 2>/dev/null
	proxied_conf "tls-certificate $T/cert.pem" "tls-key $T/key.pem" \
		"tls-implicit yes"
	start_server
	start_haproxy
	run "$PYTHON" - "$HP2" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx,
                     source_address=("127.0.0.4", 0), timeout=10)
s.ehlo("client.example")
s.sendmail("a@b.example", ["u@example.org"], b"Subject: t\r\n\r\nover TLS\r\n")
s.quit()
PY
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG"; false; }
	wait_sessions
	f=$(the_file "$M/new")
	run received_of "$f"
	assert_contains "$output" "([127.0.0.4])"
	assert_contains "$output" "with ESMTPS"
}

@test "HAProxy terminating TLS (send-proxy-v2-ssl): the SSL TLV is logged, the session is not taken for encrypted" {
	need_haproxy
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
		-out "$T/cert.pem" -days 1 -subj /CN=mx.test 2>/dev/null
	cat "$T/cert.pem" "$T/key.pem" >"$T/haproxy.pem"
	proxied_conf
	start_server
	local p3=$((PORT + 50))
	while ! port_free "$p3"; do p3=$((p3 + 1)); done
	HAPROXY_EXTRA="frontend tls
	bind 127.0.0.1:$p3 ssl crt $T/haproxy.pem
	default_backend smtpd_ssl
backend smtpd_ssl
	server s 127.0.0.1:$PORT send-proxy-v2-ssl"
	start_haproxy
	wait_ready "$HAPROXY_PID" 250 port_listens "$p3"
	run "$PYTHON" - "$p3" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx,
                     source_address=("127.0.0.5", 0), timeout=10)
s.ehlo("client.example")
s.sendmail("a@b.example", ["u@example.org"], b"Subject: t\r\n\r\nvia TLS\r\n")
s.quit()
PY
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG" "$T/haproxy.out"; false; }
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=proxy balancer=127.0.0.1 version=2 result=client client=127.0.0.5"
	assert_contains "$output" "tls=TLSv1.3"
	f=$(the_file "$M/new")
	run received_of "$f"
	assert_contains "$output" "([127.0.0.5])"
	assert_contains "$output" "with ESMTP id"
}
