#!/usr/bin/env bats
# Delivery through a helper, using the MOCK helper tests/lmtp_stub.py:
# RCPT answers passed through, the folding rule after DATA, helpers that are
# missing, crash or hang, and one route per transaction.

load lib

setup() {
	common_setup
	SLOG=$T/stub.log
}

teardown() { common_teardown; }

# stub_route PATTERN [VAR=VALUE...]: a route line running the mock helper
# with these settings (and its log in $SLOG, or $SLOG.PATTERN-less name).
stub_route() {
	local pat=$1 log=${STUB_LOG_FILE:-$SLOG} words="" a
	shift
	for a in "LMTP_STUB_LOG=$log" "$@"; do words="$words \"$a\""; done
	echo "route $pat /usr/bin/env$words $PYTHON $STUB"
}

# txn RCPT...: EHLO, MAIL, each RCPT, DATA and a message, QUIT; prints the
# replies after EHLO.  DATA is sent only after the RCPT replies are read.
txn() {
	local args=('EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1) r
	for r in "$@"; do args+=("RCPT TO:<$r>\\r\\n" @1); done
	args+=('DATA\r\n' @1 'Subject: d\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof)
	smtp_raw "${args[@]}" | tail -n +9
}

@test "the helper's RCPT refusal reaches the client as it is" {
	write_conf "$(stub_route '*' 'LMTP_STUB_RCPT=bad@example.org=550 5.1.1 stub: no such user here')"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bad@example.org>\r\n' @1 \
		'RCPT TO:<good@example.org>\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 9 "550 5.1.1 stub: no such user here"
	assert_line_eq 10 "250 2.1.5 stub: recipient ok"
}

@test "a helper 4xx at RCPT reaches the client as it is" {
	write_conf "$(stub_route '*' 'LMTP_STUB_RCPT=busy@example.org=450 4.2.1 stub: try later')"
	start_server
	run txn busy@example.org ok@example.org
	assert_line_eq 1 "450 4.2.1 stub: try later"
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
}

@test "folding: all 2xx after DATA gives 250 with the msgid; the helper got Received: and the body" {
	mkdir "$T/saved"
	write_conf "$(stub_route '*' "LMTP_STUB_SAVE=$T/saved")"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'RCPT TO:<v@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: s\r\n\r\n..dot\r\nline\r\n.\r\n' @1 'QUIT\r\n' @eof
	id=$(msgid_of "$output")
	[ -n "$id" ]
	f=$T/saved/msg.1
	[ -f "$f" ]
	assert_contains "$(received_of "$f")" "by mx.test (samotop) with ESMTP id $id;"
	strip_received "$f" >"$T/got"
	printf 'Subject: s\r\n\r\n.dot\r\nline\r\n' | cmp - "$T/got"
}

@test "folding: 250 for one recipient, 452 for another gives 451 4.3.0" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=v@example.org=452 4.2.2 stub: over quota')"
	start_server
	run txn u@example.org v@example.org
	[[ "${lines[3]}" == "354 "* ]]
	[[ "${lines[4]}" == "451 4.3.0 "* ]]
}

@test "folding: all 5xx gives the first 5xx" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=u@example.org=554 5.6.0 stub: content rejected;v@example.org=550 5.2.2 stub: mailbox full')"
	start_server
	run txn u@example.org v@example.org
	assert_line_eq 4 "554 5.6.0 stub: content rejected"
}

@test "folding: 2xx mixed with 5xx gives 451 4.3.0 (a duplicate is better than a loss)" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=v@example.org=550 5.2.2 stub: mailbox full')"
	start_server
	run txn u@example.org v@example.org
	[[ "${lines[4]}" == "451 4.3.0 "* ]]
	# one warn line names every recipient's result, for the duplicates
	wait_sessions
	grep '^level=warn .* event=fold ' "$LOG" |
		grep -q ' client=127.0.0.1 delivered=1 reply=451 results="u@example.org=250,v@example.org=550"' || { cat "$LOG" >&2; false; }
	# and the refusal line of the DATA command
	grep ' event=reject .* command=data ' "$LOG" |
		grep -q ' code=451 reply="4.3.0 .*" reason=partial-delivery$'
}

@test "fold-partial dsn: 2xx mixed with 5xx gives 250, and the sender's bounce waits in the queue" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=v@example.org=550 5.2.2 stub: mailbox full')" \
	    "fold-partial dsn" "queue $T/queue"
	start_server
	run txn u@example.org v@example.org
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	local id
	id=$(ls "$T/queue/env")
	[ "$(echo "$id" | wc -l)" -eq 1 ]
	# from <> to the sender, a multipart/report for v@ alone
	grep -qx 'from ' "$T/queue/env/$id"
	grep -qx 'rcpt a@b.example' "$T/queue/env/$id"
	grep -q 'Content-Type: multipart/report; report-type=delivery-status' "$T/queue/mess/$id"
	grep -q 'Final-Recipient: rfc822; *v@example.org' "$T/queue/mess/$id"
	grep -q 'Status: 5.2.2' "$T/queue/mess/$id"
	grep -q 'stub: mailbox full' "$T/queue/mess/$id"
	refute grep -q 'Final-Recipient: rfc822; *u@example.org' "$T/queue/mess/$id"
	grep -q ' event=dsn .* queued=' "$LOG"
}

@test "fold-partial dsn under bounce-limit: the second bounce to one sender is held back, 250 all the same, logged" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=v@example.org=550 5.2.2 stub: mailbox full')" \
	    "fold-partial dsn" "queue $T/queue" "bounce-limit 1/1h"
	start_server
	run txn u@example.org v@example.org
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	run txn u@example.org v@example.org
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	[ "$(ls "$T/queue/env" | wc -l)" -eq 1 ]
	[ "$(grep -c ' event=dsn .* queued=' "$LOG")" -eq 1 ]
	grep -q '^level=warn .* event=bounce-limit .* dsn=failed limit=1/3600s action="not sent"' "$LOG"
}

@test "fold-partial dsn: from <> no bounce is made: 451 as before" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=v@example.org=550 5.2.2 stub: mailbox full')" \
	    "fold-partial dsn" "queue $T/queue"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
	    'RCPT TO:<v@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: d\r\n\r\nbody\r\n.\r\n' @1 \
	    'QUIT\r\n' @eof
	assert_contains "$output" "451 4.3.0"
	[ ! -d "$T/queue/env" ] || [ -z "$(ls "$T/queue/env")" ]
}

@test "folding: a nonsense reply from the helper gives 451 4.3.0, never 250" {
	write_conf "$(stub_route '*' 'LMTP_STUB_DATA=u@example.org=hello there')"
	start_server
	run txn u@example.org
	[[ "${lines[3]}" == "451 4.3.0 "* ]]
}

@test "a helper that does not exist: 451 4.3.0 at RCPT and a log line event=helper" {
	write_conf "route * $T/no/such/helper -x"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "451 4.3.0 "* ]]
	[[ "${lines[10]}" == "503 5.5.1 "* ]] || [[ "${lines[10]}" == "554 "* ]]
	wait_sessions
	grep ' event=helper ' "$LOG" | grep -q -- "$T/no/such/helper\|helper"
	run "$PYTHON" "$TESTS_DIR/logcheck.py" "$LOG"
	[ "$status" -eq 0 ]
}

# crash_at STAGE: the reply the client gets at RCPT and after the data.
crash_test() {
	write_conf "$(stub_route '*' "LMTP_STUB_CRASH=$1")"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: c\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_not_contains "$output" "250 2.0.0 Ok: queued"
	wait_sessions
	grep -q ' event=helper ' "$LOG"
}

@test "helper crashes at LHLO: 451 4.3.0 at RCPT" {
	crash_test lhlo
	[[ "${lines[9]}" == "451 4.3.0 "* ]]
}

@test "helper crashes at RCPT: 451 4.3.0 at RCPT" {
	crash_test rcpt
	[[ "${lines[9]}" == "451 4.3.0 "* ]]
}

@test "helper crashes at DATA (before 354): 451 4.3.0, never 250" {
	crash_test data
	[[ "${lines[9]}" == "250 2.1.5 "* ]]
	printf '%s\n' "${lines[@]:10}" | grep -q '^451 4\.3\.0 '
}

@test "helper crashes after the data, before its replies: 451 4.3.0" {
	crash_test body
	[[ "${lines[10]}" == "354 "* ]]
	[[ "${lines[11]}" == "451 4.3.0 "* ]]
}

@test "helper crashes after the first of two recipients' replies: 451 4.3.0" {
	write_conf "$(stub_route '*' "LMTP_STUB_CRASH=reply1")"
	start_server
	run txn u@example.org v@example.org
	[[ "${lines[4]}" == "451 4.3.0 "* ]]
}

@test "after a helper crash, the next transaction of the session is delivered" {
	mkdir "$T/saved"
	write_conf "$(stub_route '*' "LMTP_STUB_SAVE=$T/saved" "LMTP_STUB_ONCE=$T/crashed" 'LMTP_STUB_CRASH=body')"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: c\r\n\r\nx\r\n.\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: second\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	[ -e "$T/crashed" ]
	[[ "${lines[11]}" == "451 4.3.0 "* ]]
	# a new helper is started for the next transaction, and delivers it
	assert_line_eq 12 "250 2.1.0 Sender ok"
	[[ "${lines[13]}" == "250 2.1.5 "* ]]
	[[ "${lines[15]}" == "250 2.0.0 Ok: queued as "* ]]
	grep -q '^Subject: second' "$T"/saved/msg.*
}

@test "a helper that hangs at RCPT: 451 4.3.0 after timeout-helper" {
	write_conf "timeout-helper 1s" "$(stub_route '*' LMTP_STUB_HANG=rcpt)"
	start_server
	SECONDS=0
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "451 4.3.0 "* ]]
	[[ "${lines[10]}" == "221 "* ]]
	[ "$SECONDS" -lt 4 ]
}

@test "a helper that hangs after the data: 451 4.3.0 after timeout-helper, never 250" {
	write_conf "timeout-helper 1s" "$(stub_route '*' LMTP_STUB_HANG=body)"
	start_server
	SECONDS=0
	run txn u@example.org
	[[ "${lines[2]}" == "354 "* ]]
	[[ "${lines[3]}" == "451 4.3.0 "* ]]
	[ "$SECONDS" -lt 4 ]
}

# Finding 6: the timeout is a deadline for the whole answer, and a helper
# that never stops writing is killed, not read for ever.
# rcpt_within SETTING REASON: with the stub's SETTING and timeout-helper
# 2s, RCPT gets 451 4.3.0 and QUIT 221 within 7 s, and the log says REASON.
rcpt_within() {
	write_conf "timeout-helper 2s" "$(stub_route '*' "$1")"
	start_server
	SECONDS=0
	SMTP_RAW_TIMEOUT=15 run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "451 4.3.0 "* ]]
	[[ "${lines[10]}" == "221 "* ]]
	[ "${lines[11]}" = "<EOF>" ]
	[ "$SECONDS" -lt 7 ]
	wait_sessions
	grep ' event=helper ' "$LOG" | grep -q "$2"
}

@test "a helper that answers RCPT an octet a second: 451 4.3.0 within timeout-helper, logged" {
	rcpt_within LMTP_STUB_DRIP=rcpt 'helper timed out'
}

@test "a helper that floods its output at RCPT: 451 4.3.0, the session ends, logged" {
	rcpt_within LMTP_STUB_FLOOD=rcpt 'helper answered nonsense'
}

@test "mixed routes in one transaction: 452 4.5.3 for the second route, the next transaction delivers it" {
	STUB_LOG_FILE=$T/a.log
	ra=$(stub_route '@a.example')
	STUB_LOG_FILE=$T/b.log
	rb=$(stub_route '@b.example')
	write_conf "$ra" "$rb"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<x@c.example>\r\n' @1 'RCPT TO:<u@a.example>\r\n' @1 'RCPT TO:<v@b.example>\r\n' @1 \
		'RCPT TO:<w@a.example>\r\n' @1 'DATA\r\n' @1 'Subject: 1\r\n\r\nx\r\n.\r\n' @1 \
		'MAIL FROM:<x@c.example>\r\n' @1 'RCPT TO:<v@b.example>\r\n' @1 'DATA\r\n' @1 'Subject: 2\r\n\r\nx\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	[[ "${lines[9]}" == "250 2.1.5 "* ]]
	[[ "${lines[10]}" == "452 4.5.3 "* ]]
	[[ "${lines[11]}" == "250 2.1.5 "* ]]
	[[ "${lines[13]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[15]}" == "250 2.1.5 "* ]]
	[[ "${lines[17]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	[ "$(grep -c '^RCPT TO:' "$T/a.log")" -eq 2 ]
	[ "$(grep -c '^RCPT TO:' "$T/b.log")" -eq 1 ]
	grep -q '^RCPT TO:<v@b.example>' "$T/b.log"
}

@test "the helper is kept for later transactions of the route and gets QUIT at the end" {
	write_conf "$(stub_route '*')"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: 1\r\n\r\nx\r\n.\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<v@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: 2\r\n\r\nx\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	[ "$(grep -c '^250 2\.0\.0 Ok: queued as ' <<<"$output")" -eq 2 ]
	wait_sessions
	[ "$(grep -c '^LHLO ' "$SLOG")" -eq 1 ]
	[ "$(grep -c '^MAIL FROM:' "$SLOG")" -eq 2 ]
	grep -q '^QUIT' "$SLOG"
}

@test "a message smtpd refuses itself is aborted towards the helper (no final dot)" {
	write_conf "$(stub_route '*')"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: bare\r\n\r\nbare\nLF\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "550 5.6.0 "* ]]
	wait_sessions
	run grep -c '^<BODY ' "$SLOG"
	[ "$output" -eq 0 ]
}

# refused_data_then_next MODE: a helper that answers DATA with 451 once and
# stays up; the first message goes as MODE (DATA or BDAT LAST), then a second
# transaction with another sender and recipient on the same connection.
refused_data_then_next() {
	local first=('DATA\r\n' @1)
	mkdir "$T/saved"
	write_conf "$(stub_route '*' "LMTP_STUB_SAVE=$T/saved" LMTP_STUB_ENVELOPE=1 \
		'LMTP_STUB_DATA_CMD=451 4.3.0 stub: no spool')"
	start_server
	[ "$1" = bdat ] && first=('BDAT 19 LAST\r\nSubject: 1\r\n\r\none\r\n' @1)
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 "${first[@]}" \
		'MAIL FROM:<z@y.example>\r\n' @1 'RCPT TO:<v@example.org>\r\n' @1 \
		'BDAT 19 LAST\r\nSubject: 2\r\n\r\ntwo\r\n' @1 'QUIT\r\n' @eof
}

@test "a helper that refuses DATA and stays up: under BDAT LAST its transaction ends, the next message has only its own envelope" {
	refused_data_then_next bdat
	assert_line_eq 10 "451 4.3.0 stub: no spool"
	[[ "${lines[13]}" == "250 2.0.0 Ok: queued as "* ]]
	# the helper was told to forget the refused transaction
	run grep -c '^RSET' "$SLOG"
	[ "$output" -eq 1 ]
	[ "$(grep '^X-Stub-' "$T/saved/msg.1" | tr -d '\r')" = "$(printf 'X-Stub-From: <z@y.example>\nX-Stub-To: <v@example.org>')" ]
	[ ! -e "$T/saved/msg.2" ]
}

@test "a helper that refuses DATA and stays up: under DATA the same" {
	refused_data_then_next data
	assert_line_eq 10 "451 4.3.0 stub: no spool"
	# a refusal, logged as one, not as a failure of the helper
	wait_sessions
	grep -q '^level=warn .* event=data .* code=451 reply="4.3.0 stub: no spool"' "$LOG"
	refute grep -q ' event=helper ' "$LOG"
	[[ "${lines[13]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(grep '^X-Stub-' "$T/saved/msg.1" | tr -d '\r')" = "$(printf 'X-Stub-From: <z@y.example>\nX-Stub-To: <v@example.org>')" ]
	[ ! -e "$T/saved/msg.2" ]
}
