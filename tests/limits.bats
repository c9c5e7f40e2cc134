#!/usr/bin/env bats
# limits.bats: limit-connections, limit-messages and limit-recipients
# per client network, counted in the store (samotop.conf(5), SCALE-OUT).

load lib

setup() {
	common_setup
	need_maildir
	M=$T/Maildir
	make_maildir "$M"
}

teardown() {
	common_teardown
}

limits_conf() {
	write_conf "store $T/store.db" "route * $MAILDIR_BIN $M" "$@"
}

@test "limit-connections: over N a period, 421 4.7.0 at the greeting, and a log line naming it" {
	limits_conf "limit-connections 2/1m"
	start_server
	run smtp_raw 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	run smtp_raw 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	run smtp_raw -n @eof
	assert_output_eq "421 4.7.0 mx.test Too many connections from your network, try again later
<EOF>"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=limit limit=limit-connections client=127.0.0.1 count=3 max=2 period=60 result=over"
}

@test "limit-messages: over N a period, 451 4.7.1 at MAIL" {
	limits_conf "limit-messages 2/1h"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RSET\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RSET\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'QUIT\r\n' @1
	assert_line_eq 8 "250 2.1.0 Sender ok"
	assert_line_eq 10 "250 2.1.0 Sender ok"
	assert_line_eq 12 "451 4.7.1 Too many messages from your network, try again later"
	assert_line_eq 13 "503 5.5.1 Send MAIL first"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=limit limit=limit-messages client=127.0.0.1 count=3 max=2 period=3600 result=over"
	assert_contains "$output" "reason=limit-messages"
}

@test "limit-recipients: over N a period, 452 4.5.3 at RCPT; what was accepted is delivered" {
	limits_conf "limit-recipients 2/1h"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'RCPT TO:<v@example.org>\r\n' @1 \
		'RCPT TO:<w@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: x\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 9 "250 2.1.5 <u@example.org>: OK"
	assert_line_eq 10 "250 2.1.5 <v@example.org>: OK"
	assert_line_eq 11 "452 4.5.3 Too many recipients from your network, try again later"
	assert_contains "${lines[13]}" "250 2.0.0 Ok: queued as"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=limit limit=limit-recipients client=127.0.0.1 count=3 max=2"
	assert_contains "$output" "to=w@example.org code=452"
	assert_contains "$output" "reason=limit-recipients"
}

@test "the counts outlive the session: a second session is still over" {
	limits_conf "limit-messages 1/1h"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 8 "250 2.1.0 Sender ok"
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 8 "451 4.7.1 Too many messages from your network, try again later"
}

@test "an allow-listed client is not limited" {
	limits_conf "limit-connections 1/1m" "limit-messages 1/1h" \
		"allow client 127.0.0.0/8"
	start_server
	for i in 1 2 3; do
		run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
			'RSET\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @1
		assert_line_eq 0 "220 mx.test ESMTP samotop"
		assert_line_eq 10 "250 2.1.0 Sender ok"
	done
	wait_sessions
	run cat "$LOG"
	assert_not_contains "$output" "event=limit"
}

@test "limit-prefix4: networks of 32 bits count each address apart" {
	command -v swaks >/dev/null || skip "swaks is not installed"
	limits_conf "limit-connections 1/1m" "limit-prefix4 32"
	start_server
	run swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --quit-after CONNECT
	assert_contains "$output" "<-  220 mx.test"
	run swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.3 --quit-after CONNECT
	assert_contains "$output" "<-  220 mx.test"
	run swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --quit-after CONNECT
	assert_contains "$output" "421 4.7.0"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "limit=limit-connections client=127.0.0.2 count=2 max=1"
}

@test "limit-prefix4 24 (the default): the whole /24 counts together" {
	command -v swaks >/dev/null || skip "swaks is not installed"
	limits_conf "limit-connections 1/1m"
	start_server
	run swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --quit-after CONNECT
	assert_contains "$output" "<-  220 mx.test"
	run swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.3 --quit-after CONNECT
	assert_contains "$output" "421 4.7.0"
}

@test "a store that fails: tempfail by default, never a silent pass" {
	mkdir "$T/ro"
	limits_conf "limit-messages 5/1h"
	sed -i "s|^store .*|store $T/ro/missing/store.db|" "$CONF"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 8 "451 4.3.0 Local error, try again later"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=store reason=\"$T/ro/missing/store.db: No such file or directory\""
	assert_contains "$output" "event=limit limit=limit-messages result=error action=tempfail reason=\"store $T/ro/missing/store.db: cannot be opened\""
	grep -q '^level=error .*event=limit' "$LOG"
}

@test "a store that fails with limit-default accept: accepted, with a warning" {
	limits_conf "limit-messages 5/1h" "limit-default accept"
	sed -i "s|^store .*|store $T/missing/store.db|" "$CONF"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 8 "250 2.1.0 Sender ok"
	wait_sessions
	run cat "$LOG"
	assert_contains "$output" "event=limit limit=limit-messages result=unchecked action=accept"
	grep -q '^level=warn .*event=limit' "$LOG"
}

@test "limit-recipients: the postmaster stays reachable over the limit" {
	limits_conf "limit-recipients 1/1h"
	start_server
	run smtp_raw 'EHLO c.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'RCPT TO:<v@example.org>\r\n' @1 \
		'RCPT TO:<postmaster@mx.test>\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 9 "250 2.1.5 <u@example.org>: OK"
	assert_line_eq 10 "452 4.5.3 Too many recipients from your network, try again later"
	assert_contains "${lines[11]}" "250 2.1.5 <postmaster@mx.test>"
}

@test "-n: a limit whose store cannot be written is found before a session fails" {
	limits_conf "limit-messages 5/1h"
	sed -i "s|^store .*|store $T/missing/store.db|" "$CONF"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 78 ]
	assert_contains "$output" "$CONF:2: store: directory $T/missing does not exist"
	limits_conf
	sed -i "s|^store .*|store $T/missing/store.db|" "$CONF"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ]
}
