#!/usr/bin/env bats
# xclient.bats: samotop-lmtp sends XCLIENT to a REAL Dovecot LMTP server
# that offers it (login_trusted_networks), so that Dovecot's log and its
# Received: name the SMTP client, not samotop-lmtp.

load lib
load dovecot

setup() {
	common_setup
	command -v swaks >/dev/null || skip "swaks is not installed"
	dovecot_setup
}

teardown() {
	common_teardown
	dovecot_teardown
}

# send_from ADDR RCPT: a message from source address ADDR.
send_from() {
	swaks --server "127.0.0.1:$PORT" --local-interface "$1" \
		--helo client.example --from a@b.example --to "$2" \
		--body "for the LDA" --timeout 10
}

@test "Dovecot offers XCLIENT: its log and Received: name the real client" {
	echo "login_trusted_networks = 127.0.0.1/32" >>"$DCONF"
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" "log-level debug"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG" "$DLOG"; false; }
	wait_sessions
	f=$(the_file "$(inbox alice)")
	# Dovecot's own Received: (with LMTP) names the client
	grep -A1 '^Received: from .*(\[127\.0\.0\.2\])$' "$f" | grep -q 'with LMTP'
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 127.0.0.2"
	run cat "$LOG"
	assert_contains "$output" "event=xclient target=inet:127.0.0.1:$DPORT client=127.0.0.2 result=accepted"
}

@test "the client of a PROXY header reaches Dovecot through XCLIENT too" {
	echo "login_trusted_networks = 127.0.0.1/32" >>"$DCONF"
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" \
		"proxy-protocol yes" "proxy-from 127.0.0.1/32"
	start_server
	run smtp_raw -n 'PROXY TCP4 192.0.2.44 127.0.0.1 40000 25\r\n' @1 \
		'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 192.0.2.44"
}

@test "Dovecot does not offer XCLIENT: delivered all the same, as from us" {
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" "log-level debug"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG" "$DLOG"; false; }
	wait_sessions
	[ "$(count_files "$(inbox alice)")" -eq 1 ]
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 127.0.0.1"
	assert_not_contains "$output" "127.0.0.2"
	run cat "$LOG"
	assert_not_contains "$output" "event=xclient"
}
