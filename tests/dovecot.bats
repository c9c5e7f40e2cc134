#!/usr/bin/env bats
# samotop-lmtp against a REAL Dovecot LMTP server: the whole path
# client -> tcpserver -> samotop-smtpd -> samotop-lmtp -> Dovecot, over a
# unix socket, over TCP, and with an LDA run as a child process.

load lib
load dovecot

setup() {
	common_setup
	dovecot_setup
	dovecot_start
}

teardown() {
	common_teardown
	dovecot_teardown
}

# send RCPT...: one transaction with smtp_raw, DATA only after the RCPT
# replies; prints the replies after EHLO's: MAIL's first (line 0), then
# each RCPT's, DATA's, the final one, QUIT's.
send() {
	local args=('EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1) r
	for r in "$@"; do args+=("RCPT TO:<$r>\\r\\n" @1); done
	args+=('DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof)
	smtp_raw "${args[@]}" | awk 'f; /^250 / && !f { f = 1 }'
}

@test "swaks: a message for alice lands in Dovecot's Maildir over the unix socket" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	sample_message "$T/msg"
	run swaks --server "127.0.0.1:$PORT" --helo client.example \
		--from a@b.example --to alice@example.org --data @"$T/msg"
	[ "$status" -eq 0 ]
	assert_contains "$output" "<-  250 2.0.0 Ok: queued as "
	id=$(msgid_of "$(printf '%s\n' "$output" | sed -n 's/^<-  //p')")
	f=$(the_file "$(inbox alice)")
	assert_contains "$(cat "$f")" "Delivered-To: alice@example.org"
	assert_contains "$(cat "$f")" "by mx.test (samotop) with ESMTP id $id;"
	# the body intact, dots and 8-bit included (Dovecot stores LF ends;
	# swaks adds one empty line)
	printf '\r\n' >>"$T/msg"
	lf_of "$T/msg" >"$T/msg.lf"
	ends_with "$f" "$T/msg.lf"
	[ "$(count_files "$DDIR/mail/bob/Maildir/new")" -eq 0 ]
}

@test "smtplib: a message for bob lands in Dovecot's Maildir over TCP" {
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")"
	start_server
	sample_message "$T/msg"
	run "$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" a@b.example \
		bob@example.org <"$T/msg"
	[ "$status" -eq 0 ]
	assert_line_eq 2 "250 2.1.5 OK"
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_file "$(inbox bob)")
	lf_of "$T/msg" >"$T/msg.lf"
	ends_with "$f" "$T/msg.lf"
}

@test "inet: with a host name (localhost) it is looked up and delivered" {
	write_conf "$(lmtp_route "inet:localhost:$DPORT")"
	start_server
	run send bob@example.org
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	the_file "$(inbox bob)"
}

@test "an unknown user is refused at RCPT with Dovecot's own reply" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<nobody@example.org>\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 9 "550 5.1.1 <nobody@example.org> User doesn't exist: nobody@example.org"
	wait_sessions
	grep 'prog=samotop-lmtp' "$LOG" | grep -q 'event=rcpt to=nobody@example.org code=550'
}

@test "one unknown among three recipients: the others get the message, once" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	run send alice@example.org nobody@example.org bob@example.org
	assert_line_eq 1 "250 2.1.5 OK"
	[[ "${lines[2]}" == "550 5.1.1 "* ]]
	assert_line_eq 3 "250 2.1.5 OK"
	[[ "${lines[5]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$(inbox alice)")" -eq 1 ]
	[ "$(count_files "$(inbox bob)")" -eq 1 ]
	[ ! -d "$DDIR/mail/nobody" ]
}

@test "user+detail goes to Dovecot's detail mailbox (lmtp_save_to_detail_mailbox)" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	run send bob+work@example.org
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	# Dovecot creates the folder and delivers there
	the_file "$DDIR/mail/bob/Maildir/.work/new"
	[ "$(count_files "$(inbox bob)")" -eq 0 ]
}

@test "two transactions in one session share one LDA connection" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<alice@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: 1\r\n\r\none\r\n.\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: 2\r\n\r\ntwo\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[15]}" == "250 2.0.0 Ok: queued as "* ]]
	the_file "$(inbox alice)"
	the_file "$(inbox bob)"
	wait_sessions
	[ "$(grep -c 'lmtp([0-9]*): Info: Connect from local' "$DLOG")" -eq 1 ]
}

@test "Dovecot stopped: 451 4.4.1 at RCPT, nothing lost; the retry delivers once" {
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	dovecot_stop
	run send alice@example.org
	[[ "${lines[1]}" == "451 4.4.1 <alice@example.org>: cannot reach LDA ("* ]]
	assert_not_contains "$output" "Ok: queued"
	[ "$(count_files "$(inbox alice)")" -eq 0 ]
	# swaks retries as a client would, once Dovecot is back
	dovecot_start
	run swaks --server "127.0.0.1:$PORT" --from a@b.example \
		--to alice@example.org
	[ "$status" -eq 0 ]
	assert_contains "$output" "<-  250 2.0.0 Ok: queued as "
	[ "$(count_files "$(inbox alice)")" -eq 1 ]
	wait_sessions
	grep 'prog=samotop-lmtp' "$LOG" | grep -q 'event=connect .*level=error\|level=error .*event=connect'
}

@test "Dovecot stopped, over TCP: 451 4.4.1 (connection refused)" {
	write_conf "$(lmtp_route "-t 5 inet:127.0.0.1:$DPORT")"
	start_server
	dovecot_stop
	run send bob@example.org
	assert_line_eq 1 "451 4.4.1 <bob@example.org>: cannot reach LDA (Connection refused)"
	[ "$(count_files "$(inbox bob)")" -eq 0 ]
}

@test "exec: samotop-maildir as the LMTP child process" {
	need_maildir
	write_conf "route * $LMTP_BIN exec:$MAILDIR_BIN -c $T/Maildir"
	start_server
	run send u@example.org v@example.org
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/Maildir/new")" -eq 2 ]
	wait_sessions
	# both programs log, tagged with samotop-smtpd's session id
	grep -q 'prog=samotop-lmtp sid=[0-9A-Z]* event=delivery to=u@example.org code=250' "$LOG"
	grep -q 'prog=samotop-maildir' "$LOG"
}

@test "exec: Dovecot's lmtp on stdin/stdout as the LMTP child process" {
	write_conf "$(lmtp_route "exec:$DOVECOT_LMTP -c $DCONF")"
	start_server
	run send alice@example.org nobody@example.org
	assert_line_eq 1 "250 2.1.5 OK"
	assert_line_eq 2 "550 5.1.1 <nobody@example.org> User doesn't exist: nobody@example.org"
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	the_file "$(inbox alice)"
}
