#!/usr/bin/env bats
# The spam checks that ask no DNS (samotop.conf(5), SPAM CHECKS): the
# early-talker wait, unauthorized pipelining, helo-check, the allow and
# deny lists, plaintext reject and the Authentication-Results: field.
# The client is always 127.0.0.1.  Every server here says greet-delay 0
# except in the early-talker tests, so sessions do not wait a second.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
	# a directory whose path is lowercase: see the file: list tests
	LISTS=/tmp/samotop-policy-$$-${BATS_TEST_NUMBER:-0}
}

teardown() {
	common_teardown
	rm -rf "$LISTS"
}

# serve LINE...: greet-delay 0, the lines, every recipient into $MD.
serve() {
	write_conf "greet-delay 0" "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

# serve_slow LINE...: the same with the configuration's own greet-delay.
serve_slow() {
	write_conf "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

# the log, once every session has ended
log_text() {
	wait_sessions
	cat "$LOG"
}

# after_ehlo: the lines of $output after the banner and the EHLO reply
after_ehlo() {
	printf '%s\n' "$output" | sed '1,/^250 /d'
}

# deliver FROM TO: one message, each command waiting for its reply
deliver() {
	smtp_raw 'EHLO client.example\r\n' @1 "MAIL FROM:<$1>\\r\\n" @1 \
		"RCPT TO:<$2>\\r\\n" @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof
}

# --- the early-talker wait --------------------------------------------------

@test "early talker: EHLO before the banner gets 554 and the connection is closed" {
	serve_slow "greet-delay 1s"
	run smtp_raw -n 'EHLO client.example\r\n' @eof
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "554 "*"Protocol error: talked before the greeting" ]]
	assert_line_eq 1 "<EOF>"
	[ "${#lines[@]}" -eq 2 ]
	log=$(log_text)
	assert_contains "$log" "event=early-talker result=reject"
	assert_not_contains "$log" "event=helo"
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "early talker: a client that waits gets the banner after greet-delay and delivers" {
	serve_slow "greet-delay 1s"
	start=$(date +%s%N)
	run smtp_raw 'EHLO client.example\r\n' @1 'QUIT\r\n' @1
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	[ "$took" -ge 900 ] || { echo "banner after $took ms" >&2; false; }
	run deliver a@b.example u@example.org
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	assert_not_contains "$(log_text)" "event=early-talker"
}

@test "greet-delay 0: the banner comes at once" {
	serve
	start=$(date +%s%N)
	run smtp_raw 'QUIT\r\n' @1
	took=$((($(date +%s%N) - start) / 1000000))
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	[ "$took" -lt 800 ] || { echo "banner after $took ms" >&2; false; }
}

# --- unauthorized pipelining ------------------------------------------------

@test "unauth-pipelining reject: HELO+MAIL+RCPT in one write gets 554 and a close" {
	serve "unauth-pipelining reject"
	run smtp_raw 'HELO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\n' @eof
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	[[ "${lines[1]}" == "554 "*"Protocol error: commands pipelined before EHLO advertised PIPELINING" ]]
	assert_line_eq 2 "<EOF>"
	# EHLO and MAIL in one write: MAIL did not wait for the EHLO reply
	run smtp_raw 'EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n' @eof
	[[ "${lines[1]}" == "554 "*"Protocol error: commands pipelined"* ]]
	assert_line_eq 2 "<EOF>"
	log=$(log_text)
	assert_contains "$log" "event=pipelining result=unauthorized action=reject"
	assert_not_contains "$log" "event=mail"
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "unauth-pipelining log (the default): the pipelined session is served and logged" {
	serve
	run smtp_raw 'HELO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\n' @3 \
		'DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 1 "250 mx.test"
	[[ "${lines[2]}" == "250 "* ]]
	[[ "${lines[3]}" == "250 "* ]]
	[[ "${lines[5]}" == "250 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	log=$(log_text)
	assert_contains "$log" "event=pipelining result=unauthorized action=log"
	# once a session
	[ "$(grep -c 'event=pipelining' "$LOG")" -eq 1 ]
}

@test "unauth-pipelining reject: pipelining after the EHLO reply is fine" {
	serve "unauth-pipelining reject"
	run smtp_raw 'EHLO client.example\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n' @3 \
		'Subject: t\r\n\r\nhello\r\n.\r\nQUIT\r\n' @2 @eof
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	[[ "$output" == *"221 2.0.0 "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	assert_not_contains "$(log_text)" "event=pipelining"
}

@test "unauth-pipelining off: nothing is logged" {
	serve "unauth-pipelining off"
	run smtp_raw 'HELO client.example\r\nQUIT\r\n' @2 @eof
	assert_line_eq 1 "250 mx.test"
	[[ "${lines[2]}" == "221 "* ]]
	assert_not_contains "$(log_text)" "event=pipelining"
}

# --- helo-check -------------------------------------------------------------

@test "helo-check reject: my_host gets 501, an address literal and a domain are fine" {
	serve "helo-check reject"
	run smtp_raw 'EHLO my_host\r\n' @1 'HELO -x.example\r\n' @1 'EHLO [127.0.0.1]\r\n' @1 \
		'EHLO mx.example.org\r\n' @1 'EHLO bad_name.example\r\n' @1 \
		'EHLO [IPv6:::1]\r\n' @1 'QUIT\r\n' @1
	# before a successful EHLO, no enhanced code (RFC 2034)
	assert_line_eq 1 "501 HELO name must be a domain or an address literal"
	[[ "${lines[2]}" == "501 "* ]]
	assert_line_eq 3 "250-mx.test"
	[[ "$output" == *"250 CHUNKING"* ]]
	n=$(printf '%s\n' "$output" | grep -c '^250-mx.test$')
	[ "$n" -eq 3 ]
	[[ "$output" == *"501 5.5.4 HELO name must be a domain or an address literal"* ]]
	log=$(log_text)
	assert_contains "$log" "event=helo-check helo=my_host result=invalid"
	assert_contains "$log" "event=helo-check helo=bad_name.example result=invalid"
	assert_not_contains "$log" "helo=mx.example.org result="
}

@test "helo-check log (the default): my_host is served and logged" {
	serve
	run deliver a@b.example u@example.org
	[[ "$output" == *"Ok: queued as"* ]]
	run smtp_raw 'EHLO my_host\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 1 "250-mx.test"
	assert_contains "$(log_text)" "event=helo-check helo=my_host result=invalid"
}

# --- client lists -----------------------------------------------------------

@test "deny client 127.0.0.0/8: 554 5.7.1 instead of the banner, then a close" {
	serve "deny client 127.0.0.0/8"
	run smtp_raw -n @eof
	assert_output_eq "554 5.7.1 Access denied
<EOF>"
	log=$(log_text)
	assert_contains "$log" "event=list kind=client value=127.0.0.1 result=deny line=3"
	assert_contains "$log" "event=refused stage=connect"
}

@test "client entries that do not name 127.0.0.1 deny nothing (CIDR edges)" {
	serve "deny client 127.0.0.2/32" "deny client 127.0.0.0/32" \
		"deny client 127.0.0.2/31" "deny client 126.255.255.255/32" \
		"deny client 128.0.0.0/8" "deny client ::1" "deny client ::ffff:127.0.0.0/104"
	run deliver a@b.example u@example.org
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	[[ "$output" == *"Ok: queued as"* ]]
	assert_not_contains "$(log_text)" "event=list"
}

@test "deny client 127.0.0.1/32 and 127.0.0.0/31 do name it" {
	serve "deny client 127.0.0.1/32"
	run smtp_raw -n @eof
	[[ "${lines[0]}" == "554 5.7.1 "* ]]
	stop_server
	serve "deny client 127.0.0.0/31"
	run smtp_raw -n @eof
	[[ "${lines[0]}" == "554 5.7.1 "* ]]
}

@test "allow client 127.0.0.1 beats deny client 127.0.0.0/8 and skips the later lists" {
	serve "deny client 127.0.0.0/8" "allow client 127.0.0.1" \
		"deny helo .example" "deny sender @b.example" "deny recipient u@example.org"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	assert_line_eq 1 "250-mx.test"
	[[ "$output" == *"250 2.1.0 Sender ok"* ]]
	[[ "$output" == *"250 2.1.5 "* ]]
	log=$(log_text)
	assert_contains "$log" "event=list kind=client value=127.0.0.1 result=allow line=4"
	assert_not_contains "$log" "result=deny"
}

# --- helo lists -------------------------------------------------------------

@test "deny helo .bad.example: the domain and its subdomains get 550, other names pass" {
	serve "deny helo .bad.example"
	run smtp_raw 'EHLO mx.bad.example\r\n' @1 'HELO BAD.example\r\n' @1 \
		'EHLO notbad.example\r\n' @1 'EHLO a.b.bad.example\r\n' @1 \
		'EHLO bad.example.org\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 1 "550 Access denied"
	assert_line_eq 2 "550 Access denied"
	assert_line_eq 3 "250-mx.test"
	[[ "$output" == *"550 5.7.1 Access denied"* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^250-mx.test$')" -eq 2 ]
	log=$(log_text)
	assert_contains "$log" "event=list kind=helo value=mx.bad.example result=deny"
	assert_not_contains "$log" "value=notbad.example"
}

@test "allow helo beats deny helo" {
	serve "deny helo .bad.example" "allow helo good.bad.example"
	run smtp_raw 'EHLO good.bad.example\r\n' @1 'EHLO mx.bad.example\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 1 "250-mx.test"
	# an allow entry ends the later checks of the session
	[ "$(printf '%s\n' "$output" | grep -c '^250-mx.test$')" -eq 2 ]
}

# --- sender lists -----------------------------------------------------------

@test "deny sender @spam.example: 550 5.7.1 at MAIL, other senders are fine" {
	serve "deny sender @spam.example" "deny sender bob@ham.example"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 \
		'MAIL FROM:<X@SPAM.Example>\r\n' @1 'MAIL FROM:<bob@ham.example>\r\n' @1 \
		'MAIL FROM:<x@sub.spam.example>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<bob2@ham.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @1
	out=$(after_ehlo)
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = "550 5.7.1 Access denied" ]
	[ "$(printf '%s\n' "$out" | sed -n 2p)" = "550 5.7.1 Access denied" ]
	[ "$(printf '%s\n' "$out" | sed -n 3p)" = "550 5.7.1 Access denied" ]
	[ "$(printf '%s\n' "$out" | sed -n 4p)" = "250 2.1.0 Sender ok" ]
	[ "$(printf '%s\n' "$out" | sed -n 6p)" = "250 2.1.0 Sender ok" ]
	[ "$(printf '%s\n' "$out" | sed -n 8p)" = "250 2.1.0 Sender ok" ]
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	log=$(log_text)
	assert_contains "$log" "event=list kind=sender value=x@spam.example result=deny line=3"
	assert_contains "$log" "event=list kind=sender value=bob@ham.example result=deny line=4"
}

@test "a refused MAIL leaves no transaction: RCPT after it gets 503" {
	serve "deny sender @spam.example"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @1
	out=$(after_ehlo)
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = "550 5.7.1 Access denied" ]
	[[ "$(printf '%s\n' "$out" | sed -n 2p)" == "503 5.5.1 "* ]]
}

# --- recipient lists --------------------------------------------------------

@test "deny recipient x@example.org: 550 5.7.1 at RCPT, the others are delivered" {
	serve "deny recipient x@example.org"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<x@example.org>\r\n' @1 'RCPT TO:<X@EXAMPLE.ORG>\r\n' @1 \
		'RCPT TO:<xx@example.org>\r\n' @1 'RCPT TO:<x@example.org.evil>\r\n' @1 \
		'DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @1
	out=$(after_ehlo)
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = "250 2.1.0 Sender ok" ]
	[ "$(printf '%s\n' "$out" | sed -n 2p)" = "550 5.7.1 Access denied" ]
	[ "$(printf '%s\n' "$out" | sed -n 3p)" = "550 5.7.1 Access denied" ]
	[[ "$(printf '%s\n' "$out" | sed -n 4p)" == "250 2.1.5 "* ]]
	[[ "$(printf '%s\n' "$out" | sed -n 5p)" == "250 2.1.5 "* ]]
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	# one Maildir for every recipient: one copy a recipient
	[ "$(count_files "$MD/new")" -eq 2 ]
	assert_contains "$(log_text)" "event=list kind=recipient value=x@example.org result=deny"
}

@test "allow recipient beats deny recipient @domain, for that recipient only" {
	serve "deny recipient @example.org" "allow recipient postmaster@example.org"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<postmaster@example.org>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'QUIT\r\n' @1
	out=$(after_ehlo)
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = "250 2.1.0 Sender ok" ]
	[[ "$(printf '%s\n' "$out" | sed -n 2p)" == "250 2.1.5 "* ]]
	[ "$(printf '%s\n' "$out" | sed -n 3p)" = "550 5.7.1 Access denied" ]
}

@test "allow sender lasts its transaction: after RSET a stranger meets the deny lists again" {
	serve "allow sender friend@b.example" "deny recipient bob@example.org"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<friend@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<stranger@c.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'QUIT\r\n' @1
	out=$(after_ehlo)
	[[ "$(printf '%s\n' "$out" | sed -n 2p)" == "250 2.1.5 "* ]]
	[ "$(printf '%s\n' "$out" | sed -n 5p)" = "550 5.7.1 Access denied" ]
	# and after a message, too
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<friend@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: t\r\n\r\nhi\r\n.\r\n' @1 \
		'MAIL FROM:<stranger@c.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'QUIT\r\n' @1
	out=$(after_ehlo)
	[[ "$(printf '%s\n' "$out" | sed -n 4p)" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(printf '%s\n' "$out" | sed -n 6p)" = "550 5.7.1 Access denied" ]
}

@test "allow client lasts the session" {
	serve "allow client 127.0.0.1" "deny recipient bob@example.org"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<c@d.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'QUIT\r\n' @1
	out=$(after_ehlo)
	[[ "$(printf '%s\n' "$out" | sed -n 2p)" == "250 2.1.5 "* ]]
	[[ "$(printf '%s\n' "$out" | sed -n 5p)" == "250 2.1.5 "* ]]
}

# --- file: lists and deny-message -------------------------------------------

@test "file: lists are read again by every session" {
	mkdir -p "$LISTS"
	printf '# spammers\n\n@spam.example   # all of it\n' >"$LISTS/senders"
	serve "deny sender file:$LISTS/senders"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<x@other.example>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"550 5.7.1 Access denied"*"250 2.1.0 Sender ok"* ]]
	# an edit, and the next session sees it without a reload
	printf 'x@other.example\n' >"$LISTS/senders"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<x@other.example>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"250 2.1.0 Sender ok"*"550 5.7.1 Access denied"* ]]
	# a client file
	printf '10.0.0.0/8\n127.0.0.0/8\n' >"$LISTS/clients"
	stop_server
	serve "deny client file:$LISTS/clients"
	run smtp_raw -n @eof
	[[ "${lines[0]}" == "554 5.7.1 "* ]]
	printf '10.0.0.0/8\n' >"$LISTS/clients"
	run smtp_raw 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
}

@test "a file: list that cannot be read denies nothing and is logged" {
	serve "deny sender file:$LISTS/missing"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"250 2.1.0 Sender ok"* ]]
	assert_contains "$(log_text)" "level=warn"
	assert_contains "$(cat "$LOG")" "event=list kind=sender file=$LISTS/missing"
}

@test "a file: list path keeps its upper-case letters" {
	mkdir -p "$T/Lists"
	printf '@spam.example\n' >"$T/Lists/Senders"
	serve "deny sender file:$T/Lists/Senders"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"550 5.7.1 Access denied"* ]]
	assert_not_contains "$(log_text)" "cannot read the list file"
}

@test "deny-message: its text is in the replies, at connect and later" {
	serve 'deny-message "Go away, see https://example.org/policy"' "deny sender @spam.example"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<x@spam.example>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"550 5.7.1 Go away, see https://example.org/policy"* ]]
	stop_server
	serve 'deny-message "No thanks"' "deny client 127.0.0.1"
	run smtp_raw -n @eof
	assert_output_eq "554 5.7.1 No thanks
<EOF>"
}

# --- plaintext and Authentication-Results -----------------------------------

@test "plaintext reject: MAIL in a plaintext session gets 530 5.7.0" {
	# it needs a certificate (else nobody could ever send): a throwaway
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
		-out "$T/cert.pem" -days 1 -subj /CN=mx.test 2>/dev/null
	serve "plaintext reject" "tls-certificate $T/cert.pem" "tls-key $T/key.pem"
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @1
	[[ "$output" == *"530 5.7.0 Must issue a STARTTLS command first"* ]]
	[[ "$output" == *"503 5.5.1 "* ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "Authentication-Results: names mx.test, none, and plaintext" {
	serve
	run deliver a@b.example u@example.org
	[[ "$output" == *"Ok: queued as"* ]]
	f=$(the_file "$MD/new")
	run "$PYTHON" - "$f" <<'PY'
import email.parser, sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\n\n", 1)[0].decode()
# samotop-smtpd's first field, after samotop-maildir's Return-Path:
# and Delivered-To:
print(head.split("\n")[2])
msg = email.parser.BytesParser().parsebytes(raw)
ar = msg.get_all("Authentication-Results")
print(len(ar))
print(" ".join(ar[0].split()))
print(list(msg.keys()).index("Authentication-Results") < list(msg.keys()).index("Received"))
PY
	assert_line_eq 0 "Authentication-Results: mx.test; none"
	assert_line_eq 1 "1"
	assert_line_eq 2 "mx.test; none (plaintext: no TLS)"
	assert_line_eq 3 "True"
}

@test "auth-results no: no Authentication-Results: field" {
	serve "auth-results no"
	run deliver a@b.example u@example.org
	f=$(the_file "$MD/new")
	# samotop-smtpd's first field, after samotop-maildir's two
	run sed -n 3p "$f"
	[[ "$output" == "Received: "* ]]
	run grep -ci '^Authentication-Results:' "$f"
	[ "$output" = "0" ]
}
