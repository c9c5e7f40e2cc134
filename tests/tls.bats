#!/usr/bin/env bats
# TLS: STARTTLS (RFC 3207) and implicit TLS (RFC 8314) with libtls, as
# clients see them: replies, the Received: line of the delivered file and
# the log.  Certificates are made at test time (tests/tls.bash).

load lib
load tls

setup_file() {
	make_certs
}

setup() {
	common_setup
	need_maildir
	tls_paths
	MD=$T/Maildir
}

teardown() { common_teardown; }

ehlo_keywords() {
	printf '%s\n' "$1" | sed -n 's/^250[- ]//p'
}

# --- offering it ------------------------------------------------------------

@test "EHLO lists STARTTLS first with a certificate, not at all without; STARTTLS without one is 502 5.5.1" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 1 "250-mx.test"
	assert_line_eq 2 "250-STARTTLS"
	stop_server

	plain_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 'QUIT\r\n' @eof
	[ "$(ehlo_keywords "$output" | grep -c '^STARTTLS$')" -eq 0 ]
	assert_line_eq 8 "502 5.5.1 STARTTLS not available"
	assert_line_eq 9 "221 2.0.0 mx.test closing connection"
}

# --- samotop-smtpd -n -------------------------------------------------------

@test "-n accepts a good certificate and key, and tls-protocols/tls-ciphers in libtls syntax" {
	tls_conf "tls-protocols tlsv1.2,tlsv1.3" "tls-ciphers secure"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	tls_conf "tls-protocols secure" "require-tls yes" "tls-implicit yes"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-n refuses a key that does not match the certificate, naming the key file" {
	write_conf "tls-certificate $CERT" "tls-key $OTHER_KEY" "route * $MAILDIR_BIN $MD"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	[ "${#lines[@]}" -eq 1 ]
	# FILE:LINE of tls-certificate
	assert_contains "$output" "$CONF:2: "
	# Which file is wrong?  The message should say: the key.
	assert_contains "$output" "$OTHER_KEY"
}

@test "a key that does not match: STARTTLS gets 454 4.7.0 and the session goes on in the clear" {
	write_conf "tls-certificate $CERT" "tls-key $OTHER_KEY" "route * $MAILDIR_BIN -c $MD"
	: >"$LOG"
	run piped 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 \
		'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 9 "454 4.7.0 TLS not available due to temporary reason"
	assert_line_eq 10 "250-mx.test"
	[[ "${lines[-2]}" == "221 2.0.0 mx.test closing connection" ]]
	grep ' event=tls ' "$LOG" | grep -q "$OTHER_KEY"
}

@test "-n refuses a certificate without a key, a key without a certificate, a missing file, a relative path" {
	write_conf "tls-certificate $CERT"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF: tls-certificate and tls-key go together"

	write_conf "tls-key $KEY"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF: tls-certificate and tls-key go together"

	write_conf "tls-certificate $CERTS/nonexistent.pem" "tls-key $KEY"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "$CERTS/nonexistent.pem"
	assert_contains "$output" "No such file"

	write_conf "tls-certificate $CERT" "tls-key $CERTS/nokey.pem"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "$CERTS/nokey.pem"

	write_conf "tls-certificate $CERT" "tls-key $KEY" "tls-ocsp-staple $CERTS/none.der"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "$CERTS/none.der"

	write_conf "tls-certificate fullchain.pem" "tls-key $KEY"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF:2: tls-certificate: expected an absolute path, got 'fullchain.pem'"
}

@test "-n refuses tls-implicit or require-tls without a certificate, -T without one, and bad protocol or cipher lists" {
	write_conf "require-tls yes"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF: require-tls needs tls-certificate"
	write_conf "tls-implicit yes"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF: tls-implicit needs tls-certificate"
	write_conf
	run "$SMTPD_BIN" -n -T -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF: tls-implicit needs tls-certificate"
	write_conf "tls-implicit maybe"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_output_eq "$CONF:2: tls-implicit: expected yes or no, got 'maybe'"
	tls_conf "tls-protocols tlsv9"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "tls-protocols"
	assert_contains "$output" "tlsv9"
	tls_conf "tls-ciphers NO-SUCH-CIPHER"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "tls-ciphers"
	assert_contains "$output" "NO-SUCH-CIPHER"
}

@test "a certificate that cannot be read at connect time: 421 and a log line, never a silent plaintext-only session" {
	cp "$CERT" "$T/cert.pem"
	write_conf "tls-certificate $T/cert.pem" "tls-key $KEY" "route * $MAILDIR_BIN -c $MD"
	start_server
	rm "$T/cert.pem"
	run tls_raw -n @1 @eof
	[[ "${lines[0]}" =~ ^421\  ]]
	assert_line_eq 1 "<EOF>"
	wait_sessions
	grep ' event=tls ' "$LOG" | grep -q "reason=\"$T/cert.pem: No such file or directory\""
}

# --- clients that deliver over TLS ------------------------------------------

# s_client_session ACTION...: openssl s_client -starttls smtp (which does
# EHLO and STARTTLS itself) driven through its stdin, waiting for each
# reply on its stdout; its chatter goes to $T/s_client.err.
s_client_session() {
	"$PYTHON" "$TLS_RAW" -n --pipe openssl s_client -connect "127.0.0.1:$PORT" \
		-starttls smtp -servername mx.test -CAfile "$CA" -verify_return_error \
		-quiet -- 0 "$@" 2>"$T/s_client.err"
}

@test "openssl s_client -starttls smtp delivers; Received: has (using TLSv1.x with cipher ...) and with ESMTPS" {
	tls_conf
	start_server
	run s_client_session \
		'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: s_client\r\n\r\nhello over TLS\r\n.\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 0 "250-mx.test"
	assert_not_contains "$output" "STARTTLS"
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	f=$(the_message)
	assert_tls_received "$f"
	grep -q '^hello over TLS$' "$f"
	wait_sessions
	grep -Eq ' event=tls version=TLSv1\.[23] cipher=[A-Z0-9_-]+$' "$LOG"
}

@test "swaks --tls (STARTTLS) delivers with ESMTPS" {
	tls_conf
	start_server
	run swaks --server "127.0.0.1:$PORT" --helo client.example --from a@b.example \
		--to u@example.org --tls --tls-verify --tls-ca-path "$CA" --tls-sni mx.test
	[ "$status" -eq 0 ]
	assert_contains "$output" "<-  220 2.0.0 Ready to start TLS"
	assert_contains "$output" "<~  250 2.0.0 Ok: queued as "
	assert_tls_received "$(the_message)"
}

@test "swaks --tlsc (implicit TLS, samotop-smtpd -T) delivers with ESMTPS; the banner comes only under TLS" {
	tls_conf
	start_implicit
	run swaks --server "127.0.0.1:$PORT" --helo client.example --from a@b.example \
		--to u@example.org --tlsc --tls-verify --tls-ca-path "$CA" --tls-sni mx.test
	[ "$status" -eq 0 ]
	assert_contains "$output" "<~  220 mx.test ESMTP"
	assert_not_contains "$output" "STARTTLS"
	assert_contains "$output" "<~  250 2.0.0 Ok: queued as "
	assert_tls_received "$(the_message)"
	wait_sessions
	# the handshake is the first thing of the session, before any helo
	[ "$(grep -o ' event=[a-z]*' "$LOG" | head -2 | tr -d '\n')" = " event=connect event=tls" ]
}

@test "curl --ssl-reqd smtp:// (STARTTLS) and curl smtps:// (implicit) deliver" {
	printf 'Subject: curl\r\n\r\nvia curl\r\n' >"$T/msg"
	tls_conf
	start_server
	run curl -sS --resolve "mx.test:$PORT:127.0.0.1" --cacert "$CA" --ssl-reqd \
		"smtp://mx.test:$PORT" --mail-from a@b.example --mail-rcpt u@example.org -T "$T/msg"
	[ "$status" -eq 0 ]
	assert_tls_received "$(the_message)"
	rm "$MD"/new/*
	stop_server

	start_implicit
	run curl -sS --resolve "mx.test:$PORT:127.0.0.1" --cacert "$CA" \
		"smtps://mx.test:$PORT" --mail-from a@b.example --mail-rcpt u@example.org -T "$T/msg"
	[ "$status" -eq 0 ]
	f=$(the_message)
	assert_tls_received "$f"
	grep -q '^via curl$' "$f"
}

@test "Python smtplib starttls() and SMTP_SSL deliver; EHLO under TLS does not list STARTTLS" {
	printf 'Subject: smtplib\r\n\r\nvia smtplib\r\n' >"$T/msg"
	tls_conf
	start_server
	run "$PYTHON" "$TLS_SMTPLIB" starttls "$PORT" "$CA" a@b.example u@example.org <"$T/msg"
	[ "$status" -eq 0 ]
	assert_line_eq 1 "220 2.0.0 Ready to start TLS"
	[[ "${lines[2]}" =~ ^TLSv1\.[23]$ ]]
	assert_not_contains "$output" "STARTTLS offered again"
	[[ "${lines[6]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_tls_received "$(the_message)"
	rm "$MD"/new/*
	stop_server

	start_implicit
	run "$PYTHON" "$TLS_SMTPLIB" ssl "$PORT" "$CA" a@b.example u@example.org <"$T/msg"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TLSv1\.[23]$ ]]
	assert_not_contains "$output" "STARTTLS offered again"
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_tls_received "$(the_message)"
}

@test "SMTPUTF8 over TLS: with UTF8SMTPS" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 \
		'MAIL FROM:<a@b.example> SMTPUTF8\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: utf8\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	assert_tls_received "$(the_message)" UTF8SMTPS
}

# --- the STARTTLS injection defence (CVE-2011-0411) ------------------------

@test "STARTTLS\\r\\nRSET\\r\\n in one write: RSET is never answered, the log says plaintext after STARTTLS discarded" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\nRSET\r\n' @1 @starttls \
		'EHLO again.example\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 9 "220 2.0.0 Ready to start TLS"
	[[ "${lines[10]}" =~ ^\<TLS\ TLSv1\.[23]\>$ ]]
	# the first reply under TLS is the one to EHLO, not RSET's 250 2.0.0
	assert_line_eq 11 "250-mx.test"
	assert_line_eq 12 "250-PIPELINING"
	assert_line_eq 17 "250 CHUNKING"
	assert_line_eq 18 "221 2.0.0 mx.test closing connection"
	assert_line_eq 19 "<EOF>"
	[ "${#lines[@]}" -eq 20 ]
	wait_sessions
	grep -q ' event=tls reason="plaintext after STARTTLS discarded" octets=6$' "$LOG"
	# only the EHLO sent under TLS ran; the injected RSET did nothing
	[ "$(grep -c ' event=helo ' "$LOG")" -eq 2 ]
	grep -q ' event=helo helo=again.example$' "$LOG"
}

@test "an injected MAIL FROM after STARTTLS is not part of the encrypted session" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n' @1 @starttls \
		'EHLO client.example\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @eof
	# no transaction is open: RCPT needs MAIL first
	assert_line_eq 18 "503 5.5.1 Send MAIL first"
	wait_sessions
	assert_not_contains "$(cat "$LOG")" "attacker"
	[ "$(count_files "$MD/new")" -eq 0 ]
}

# --- sequencing ---------------------------------------------------------------

@test "STARTTLS twice: 503 5.5.1 TLS already active; inside a transaction: 503 5.5.1" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'STARTTLS\r\n' @1 \
		'RSET\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 9 "250 2.1.0 Sender ok"
	assert_line_eq 10 "503 5.5.1 STARTTLS not allowed inside a transaction"
	assert_line_eq 11 "250 2.0.0 Reset"
	assert_line_eq 12 "220 2.0.0 Ready to start TLS"
	assert_line_eq 20 "250 CHUNKING"
	assert_line_eq 21 "503 5.5.1 TLS already active"
	assert_line_eq 22 "221 2.0.0 mx.test closing connection"
}

@test "after STARTTLS the session starts over: MAIL needs EHLO again (503), and EHLO no longer lists STARTTLS" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls \
		'MAIL FROM:<a@b.example>\r\n' @1 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @eof
	# before EHLO there are no enhanced status codes (RFC 2034), as at the start
	[[ "${lines[11]}" =~ ^503\ [A-Za-z] ]]
	assert_contains "${lines[11]}" "EHLO"
	assert_line_eq 12 "250-mx.test"
	[ "$(ehlo_keywords "$(printf '%s\n' "${lines[@]:12:7}")" | grep -c STARTTLS)" -eq 0 ]
	assert_line_eq 19 "250 2.1.0 Sender ok"
}

@test "require-tls yes: plaintext MAIL gets 530 5.7.0; the same after STARTTLS is delivered" {
	tls_conf "require-tls yes"
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'STARTTLS\r\n' @1 @starttls \
		'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: required\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 9 "530 5.7.0 Must issue a STARTTLS command first"
	assert_line_eq 10 "220 2.0.0 Ready to start TLS"
	assert_line_eq 19 "250 2.1.0 Sender ok"
	[[ "${lines[22]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_tls_received "$(the_message)"
}

@test "implicit TLS: STARTTLS is not offered and is refused with 503 5.5.1" {
	tls_conf
	start_implicit
	run tls_raw -n @starttls @1 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[1]}" == "220 mx.test ESMTP"* ]]
	assert_not_contains "$output" "250-STARTTLS"
	assert_line_eq 9 "503 5.5.1 TLS already active"
}

# rsa_conf LINE...: tls_conf with an RSA certificate for mx.test, so that
# RSA key exchange (AES128-SHA) is possible at all.
rsa_conf() {
	(
		set -e
		openssl req -newkey rsa:2048 -nodes -keyout "$T/rsa.key" \
			-out "$T/rsa.csr" -subj /CN=mx.test
		openssl x509 -req -in "$T/rsa.csr" -CA "$CA" -CAkey "$CERTS/ca.key" \
			-set_serial 0x1003 -days 2 -extfile "$CERTS/ext" -out "$T/rsa.pem"
	) >"$T/openssl.log" 2>&1
	write_conf "tls-certificate $T/rsa.pem" "tls-key $T/rsa.key" \
		"route * $MAILDIR_BIN -c $MD" "$@"
}

# tls12_with CIPHER [ARG...]: a TLS 1.2 handshake offering only CIPHER;
# prints s_client's summary (Ciphersuite: ...) or its error.
tls12_with() {
	local cipher=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
		-cipher "$cipher" -servername mx.test -CAfile "$CA" -brief "$@" \
		</dev/null 2>&1
}

@test "implicit TLS without tls-ciphers: CBC and RSA key exchange refused, ECDHE with AES-GCM accepted" {
	rsa_conf
	start_implicit
	run tls12_with AES128-SHA
	[ "$status" -ne 0 ]
	assert_not_contains "$output" "Ciphersuite:"
	run tls12_with ECDHE-RSA-AES128-SHA
	[ "$status" -ne 0 ]
	assert_not_contains "$output" "Ciphersuite:"
	run tls12_with ECDHE-RSA-AES128-GCM-SHA256
	[ "$status" -eq 0 ]
	assert_contains "$output" "Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"
	wait_sessions
	grep -q ' event=tls reason="handshake: .*no shared cipher' "$LOG"
	grep -q ' event=tls version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256$' "$LOG"
}

@test "STARTTLS (port 25) keeps libtls' secure list: AES128-SHA still works; tls-ciphers also applies to implicit TLS" {
	rsa_conf
	start_server
	run tls12_with AES128-SHA -starttls smtp
	[ "$status" -eq 0 ]
	assert_contains "$output" "Ciphersuite: AES128-SHA"
	stop_server
	rsa_conf "tls-ciphers secure"
	start_implicit
	run tls12_with AES128-SHA
	[ "$status" -eq 0 ]
	assert_contains "$output" "Ciphersuite: AES128-SHA"
}

# --- failures -----------------------------------------------------------------

@test "tls-protocols tlsv1.3: a TLS 1.2-only client fails cleanly, logged, nothing delivered, no process left" {
	tls_conf "tls-protocols tlsv1.3"
	start_server
	run timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -starttls smtp -tls1_2 \
		-servername mx.test -CAfile "$CA" -quiet </dev/null
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	assert_no_session_left
	grep -q ' event=tls reason="handshake: .*protocol' "$LOG"
	grep -q ' event=disconnect ' "$LOG"
	[ "$(count_files "$MD/new")" -eq 0 ]
	# and a TLS 1.3 client is fine
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'QUIT\r\n' @eof
	assert_line_eq 10 "<TLS TLSv1.3>"
}

@test "garbage instead of a ClientHello after STARTTLS: clean close within timeout-command, a log line" {
	tls_conf "timeout-command 2s"
	start_server
	SECONDS=0
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 'GARBAGE GARBAGE GARBAGE\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 9 "220 2.0.0 Ready to start TLS"
	assert_line_eq 10 "<EOF>"
	[ "$SECONDS" -le 3 ]
	assert_no_session_left
	grep -q ' event=tls reason="handshake: ' "$LOG"
	grep -q ' event=disconnect ' "$LOG"
}

@test "garbage on the implicit-TLS port: no plaintext banner, clean close, a log line" {
	tls_conf "timeout-command 2s"
	start_implicit
	SECONDS=0
	run tls_raw -n 'EHLO client.example\r\n' @eof
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "220"
	assert_line_eq 0 "<EOF>"
	[ "$SECONDS" -le 3 ]
	assert_no_session_left
	grep -q ' event=tls reason="handshake: ' "$LOG"
	assert_not_contains "$(cat "$LOG")" "event=helo"
}

@test "a client that never sends its ClientHello is dropped after timeout-command (STARTTLS and implicit)" {
	tls_conf "timeout-command 2s"
	start_server
	SECONDS=0
	SMTP_RAW_TIMEOUT=8 run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @eof
	[ "$status" -eq 0 ]
	assert_line_eq 10 "<EOF>"
	[ "$SECONDS" -ge 1 ]
	[ "$SECONDS" -le 5 ]
	assert_no_session_left
	grep -q ' event=tls reason="handshake: timed out"' "$LOG"
	stop_server

	: >"$LOG"
	start_implicit
	SECONDS=0
	SMTP_RAW_TIMEOUT=8 run tls_raw -n @eof
	assert_line_eq 0 "<EOF>"
	[ "$SECONDS" -ge 1 ]
	[ "$SECONDS" -le 5 ]
	assert_no_session_left
	grep -q ' event=tls reason="handshake: timed out"' "$LOG"
}

@test "idle under TLS: 421 4.4.2 comes encrypted, then the close" {
	tls_conf "timeout-command 2s"
	start_server
	SMTP_RAW_TIMEOUT=8 run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 @eof
	assert_line_eq 18 "421 4.4.2 mx.test Timeout, closing connection"
	assert_line_eq 19 "<EOF>"
}

@test "client gone in the middle of DATA under TLS: nothing delivered" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: cut\r\n\r\nhalf'
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
	grep -q ' event=disconnect .*nothing delivered' "$LOG"
}

# --- under load: pipelining, BDAT, a big message ------------------------------

@test "pipelining over TLS: MAIL, RCPT, DATA in one write, then the message: delivered" {
	tls_conf
	start_server
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nRCPT TO:<v@example.org>\r\nDATA\r\n' @4 \
		'Subject: pipelined\r\n\r\nbody\r\n.\r\nMAIL FROM:<c@b.example>\r\nRCPT TO:<w@example.org>\r\nBDAT 26 LAST\r\nSubject: chunk\r\n\r\nchunky\r\nQUIT\r\n' @5 @eof
	assert_line_eq 18 "250 2.1.0 Sender ok"
	assert_line_eq 19 "250 2.1.5 <u@example.org>: OK"
	assert_line_eq 20 "250 2.1.5 <v@example.org>: OK"
	assert_line_eq 21 "354 End data with <CR><LF>.<CR><LF>"
	[[ "${lines[22]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_line_eq 23 "250 2.1.0 Sender ok"
	assert_line_eq 24 "250 2.1.5 <w@example.org>: OK"
	[[ "${lines[25]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_line_eq 26 "221 2.0.0 mx.test closing connection"
	[ "$(count_files "$MD/new")" -eq 3 ]
	for f in "$MD"/new/*; do assert_tls_received "$f"; done
	grep -lq '^chunky$' "$MD"/new/*
}

@test "BDAT over TLS (implicit): BDAT n LAST and chunked BDAT deliver byte-exact" {
	tls_conf
	start_implicit
	run tls_raw -n @starttls @1 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'BDAT 10\r\nSubject: b' @1 'BDAT 18 LAST\r\ndat\r\n\r\n.dot\r\nend\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 11 "250 2.0.0 10 octets received"
	[[ "${lines[12]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_message)
	assert_tls_received "$f"
	[ "$(strip_received "$f")" = "$(printf 'Subject: bdat\n\n.dot\nend')" ]
}

@test "a 3 MB message over STARTTLS arrives byte for byte" {
	tls_conf
	start_server
	"$PYTHON" -c '
import sys
line = b"0123456789abcdefghijklmnopqrstuvwxyz" * 2 + b"\r\n"
sys.stdout.buffer.write(b"Subject: big\r\n\r\n" + line * 40000)' >"$T/big"
	run "$PYTHON" "$TLS_SMTPLIB" starttls "$PORT" "$CA" a@b.example u@example.org <"$T/big"
	[ "$status" -eq 0 ]
	[[ "${lines[6]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_message)
	assert_tls_received "$f"
	cmp <(strip_received "$f") <(lf_of "$T/big")
}

# --- certificates renewed in place --------------------------------------------

@test "a renewed certificate (certbot-style symlink switch) is used by the next session, without a restart" {
	mkdir -p "$T/archive" "$T/live"
	cp "$CERT" "$T/archive/fullchain1.pem"
	cp "$KEY" "$T/archive/privkey1.pem"
	ln -s ../archive/fullchain1.pem "$T/live/fullchain.pem"
	ln -s ../archive/privkey1.pem "$T/live/privkey.pem"
	write_conf "tls-certificate $T/live/fullchain.pem" "tls-key $T/live/privkey.pem" \
		"route * $MAILDIR_BIN -c $MD"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ]
	start_server
	pid=$SERVER_PID
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls @serial 'QUIT\r\n' @eof
	assert_line_eq 11 "<SERIAL 1001>"
	# the renewal: new files, the links switched
	cp "$CERT2" "$T/archive/fullchain2.pem"
	cp "$KEY2" "$T/archive/privkey2.pem"
	ln -sfn ../archive/fullchain2.pem "$T/live/fullchain.pem"
	ln -sfn ../archive/privkey2.pem "$T/live/privkey.pem"
	run tls_raw 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls @serial 'QUIT\r\n' @eof
	assert_line_eq 11 "<SERIAL 1002>"
	[ "$SERVER_PID" = "$pid" ]
	kill -0 "$pid"
}

# --- no TLS cost for plaintext sessions ---------------------------------------

# loaded OUT ACTION...: one session of samotop-smtpd on a socketpair, with
# the dynamic loader listing every library it loads into OUT.*; log in $LOG.
loaded() {
	local out=$1
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT="$out" "$PYTHON" "$TLS_RAW" --ca "$CA" \
		--exec "$SMTPD_BIN" -c "$CONF" -- 0 "$@" 2>>"$LOG"
}

# piped ACTION...: one session of samotop-smtpd on a socketpair; log in $LOG.
piped() {
	"$PYTHON" "$TLS_RAW" --ca "$CA" --exec "$SMTPD_BIN" -c "$CONF" -- 0 \
		"$@" 2>>"$LOG"
}

@test "a plaintext session never initialises libtls; a STARTTLS session does (log)" {
	tls_conf "log-level debug"
	: >"$LOG"
	run piped 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: plain\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 2 "250-STARTTLS"
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	refute grep -q ' event=tls' "$LOG"
	run piped 'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls \
		'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	grep -q ' event=tls stage="initialising libtls"' "$LOG"
}

@test "a plaintext session never loads libtls or OpenSSL; a STARTTLS session does (ld.so)" {
	tls_conf
	# plaintext, with a certificate configured: STARTTLS offered, not used
	run loaded "$T/plain" \
		'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: plain\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 2 "250-STARTTLS"
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	# the list written by samotop-smtpd's loader (not the client's) ...
	smtpd_list=$(smtpd_ld_lists "$T/plain")
	grep -q 'file=libc\.so' "$smtpd_list"
	# ... has neither libtls nor OpenSSL on it
	refute grep -E 'file=lib(tls|ssl|crypto)\.so' "$smtpd_list"

	run loaded "$T/tls" \
		'EHLO client.example\r\n' @1 'STARTTLS\r\n' @1 @starttls 'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	[ "$status" -eq 0 ]
	assert_line_eq 10 "<TLS TLSv1.3>"
	smtpd_list=$(smtpd_ld_lists "$T/tls")
	# (by samotop-smtpd; by libasan's dlopen under make check-asan)
	grep -q 'file=libtls\.so.*dynamically loaded by' "$smtpd_list"
	grep -q 'file=libssl\.so' "$smtpd_list"
}
