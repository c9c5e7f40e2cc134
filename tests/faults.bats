#!/usr/bin/env bats
# The fault matrix of samotop-lmtp: an LDA that is down, silent, answers
# garbage, closes or hangs; a client that goes away mid-DATA; a full disk.
# Each row checks the reply code and that nothing was delivered (so the
# client's retry delivers exactly once: nothing twice, nothing lost).
# The misbehaving LDA is the MOCK tests/lda_stub.py; one row uses Dovecot.

load lib
load dovecot

setup() {
	common_setup
	[ -x "$LMTP_BIN" ] || skip "samotop-lmtp is not built"
	SOCK=$T/lda.sock
	SLOG=$T/lda.log
	STUB_PID=
	DDIR=
	MNT=
}

teardown() {
	common_teardown
	if [ -n "$STUB_PID" ]; then
		kill "$STUB_PID" 2>/dev/null || true
		wait "$STUB_PID" 2>/dev/null || true
	fi
	[ -z "$DDIR" ] || dovecot_teardown
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || true
}

# start_stub MODE: the mock LDA on $SOCK, its log in $SLOG.
start_stub() {
	: >"$SLOG"
	"$PYTHON" "$TESTS_DIR/lda_stub.py" "$SOCK" "$1" "$SLOG" \
		</dev/null >/dev/null 2>>"$T/stub.err" &
	STUB_PID=$!
	local i
	for i in $(seq 1 250); do
		[ -S "$SOCK" ] && return 0
		sleep 0.02
	done
	echo "the stub did not start" >&2
	return 1
}

# delivered: how many recipients the stub reported delivered.
delivered() {
	grep -c '^delivered ' "$SLOG" || true
}

# send RCPT...: one SMTP transaction; prints the replies after EHLO's:
# MAIL (line 0), each RCPT, DATA, the final reply, QUIT.
send() {
	local args=('EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1) r
	for r in "$@"; do args+=("RCPT TO:<$r>\\r\\n" @1); done
	args+=('DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof)
	smtp_raw "${args[@]}" | awk 'f; /^250 / && !f { f = 1 }'
}

# direct OPTS...: samotop-lmtp alone, fed a pipelined LMTP session with
# three recipients and a message; prints its replies after LHLO's (CR
# removed): MAIL (line 0), the RCPTs (1-3), DATA (4), the three replies
# (5-7), QUIT (8).
direct() {
	printf '%s\r\n' 'LHLO up' 'MAIL FROM:<a@b.example>' \
		'RCPT TO:<u@example.org>' 'RCPT TO:<v@example.org>' \
		'RCPT TO:<w@example.org>' DATA 'Subject: d' '' body . QUIT |
		timeout 30 "$LMTP_BIN" "$@" 2>>"$T/lmtp.log" | tr -d '\r' |
		awk 'f; /^250 / && !f { f = 1 }'
}

# final_is_4xx: the final reply to the data is 4xx, never 250.
final_is_4xx() {
	[[ "${lines[3]}" == 4[0-9][0-9]\ * ]] || {
		printf 'final reply not 4xx:\n%s\n' "$output" >&2
		return 1
	}
}

@test "LDA down (inet, connection refused): 451 4.4.1 at RCPT" {
	start_server
	local sp=$PORT
	pick_port
	dead=$PORT
	PORT=$sp
	write_conf "$(lmtp_route "inet:127.0.0.1:$dead")"
	run send u@example.org
	assert_line_eq 1 "451 4.4.1 <u@example.org>: cannot reach LDA (Connection refused)"
	assert_not_contains "$output" "Ok: queued"
}

@test "LDA down (unix socket missing): 451 4.4.1 at RCPT for every recipient" {
	write_conf "$(lmtp_route "unix:$T/no/such/socket")"
	start_server
	run send u@example.org v@example.org
	assert_line_eq 1 "451 4.4.1 <u@example.org>: cannot reach LDA (No such file or directory)"
	assert_line_eq 2 "451 4.4.1 <v@example.org>: cannot reach LDA (No such file or directory)"
	wait_sessions
	# the second recipient did not try again within the transaction
	[ "$(grep -c 'prog=samotop-lmtp .*event=connect' "$LOG")" -eq 1 ]
}

@test "LDA silent after connect: 451 4.4.1 (timed out) within -t" {
	start_stub silent
	write_conf "$(lmtp_route "-t 1 unix:$SOCK")"
	start_server
	run send u@example.org
	assert_line_eq 1 "451 4.4.1 <u@example.org>: cannot reach LDA (timed out)"
	[ "$(delivered)" -eq 0 ]
}

@test "LDA greets with garbage: 451 4.3.0 at RCPT" {
	start_stub garbage-greet
	write_conf "$(lmtp_route "unix:$SOCK")"
	start_server
	run send u@example.org
	[[ "${lines[1]}" == "451 4.3.0 <u@example.org>: malformed reply from LDA"* ]]
	[ "$(delivered)" -eq 0 ]
}

@test "LDA answers RCPT with garbage: 451 4.3.0 at RCPT" {
	start_stub garbage-rcpt
	write_conf "$(lmtp_route "unix:$SOCK")"
	start_server
	run send u@example.org
	assert_line_eq 1 "451 4.3.0 <u@example.org>: malformed reply from LDA (answered nonsense)"
	[ "$(delivered)" -eq 0 ]
}

@test "LDA answers the data with garbage: 451 4.3.0 for each recipient" {
	start_stub garbage-data
	run direct "unix:$SOCK"
	[ "$(printf '%s\n' "$output" | grep -c '^451 4\.3\.0 ')" -eq 3 ]
	assert_contains "$output" "451 4.3.0 <w@example.org>: malformed reply from LDA"
	write_conf "$(lmtp_route "unix:$SOCK")"
	start_server
	run send u@example.org
	final_is_4xx
	[ "$(delivered)" -eq 0 ]
}

@test "LDA closes in the middle of the data: 4xx, nothing delivered" {
	start_stub close-body
	write_conf "$(lmtp_route "unix:$SOCK")"
	start_server
	run send u@example.org
	[[ "${lines[2]}" == "354 "* ]]
	final_is_4xx
	[ "$(delivered)" -eq 0 ]
}

@test "LDA closes after the final dot: one 451 4.4.2 per recipient, 4xx to the client" {
	start_stub close-data
	run direct "unix:$SOCK"
	assert_line_eq 4 "354 Start mail input; end with <CRLF>.<CRLF>"
	assert_line_eq 5 "451 4.4.2 <u@example.org>: LDA connection lost (closed the connection)"
	assert_line_eq 6 "451 4.4.2 <v@example.org>: LDA connection lost (closed the connection)"
	assert_line_eq 7 "451 4.4.2 <w@example.org>: LDA connection lost (closed the connection)"
	[[ "${lines[8]}" == "221 "* ]]
	[ "${#lines[@]}" -eq 9 ]
	write_conf "$(lmtp_route "unix:$SOCK")"
	start_server
	run send u@example.org
	final_is_4xx
	[ "$(delivered)" -eq 0 ]
}

@test "LDA answers one recipient of three, then closes: 250, then 451 4.4.2 twice" {
	start_stub close-reply1
	run direct "unix:$SOCK"
	assert_line_eq 5 "250 2.0.0 <u@example.org> stub: delivered"
	[[ "${lines[6]}" == "451 4.4.2 <v@example.org>: "* ]]
	[[ "${lines[7]}" == "451 4.4.2 <w@example.org>: "* ]]
	[ "$(delivered)" -eq 1 ]
}

@test "LDA hangs after the final dot: 451 4.4.2 (timed out) within -T" {
	start_stub hang-data
	run direct -T 1 "unix:$SOCK"
	[ "$(printf '%s\n' "$output" | grep -c '^451 4\.4\.2 <[uvw]@example.org>: LDA connection lost (timed out)$')" -eq 3 ]
	[ "$(delivered)" -eq 0 ]
}

@test "client gone before the final dot: the LDA sees end of input before it" {
	start_stub ok
	run bash -c "printf '%s\r\n' 'LHLO up' 'MAIL FROM:<a@b.example>' \
		'RCPT TO:<u@example.org>' DATA 'Subject: d' '' 'part of a body' |
		'$LMTP_BIN' unix:'$SOCK'"
	[ "$status" -eq 0 ]
	sleep 0.2
	grep -qx 'eof' "$SLOG"
	[ "$(delivered)" -eq 0 ]
	assert_not_contains "$(cat "$SLOG")" "QUIT"
}

@test "client gone mid-DATA: nothing delivered in Dovecot's Maildir" {
	dovecot_setup
	dovecot_start
	write_conf "$(lmtp_route "unix:$DSOCK")"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<alice@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: cut\r\n\r\nthe first half of a message\r\n' @shut @eof
	wait_sessions
	[ "$(count_files "$(inbox alice)")" -eq 0 ]
	[ "$(count_files "$DDIR/mail/alice/Maildir/tmp")" -eq 0 ]
	grep -q 'event=abort' "$LOG"
	# and the client's retry is delivered exactly once
	run send alice@example.org
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$(inbox alice)")" -eq 1 ]
}

@test "disk full for samotop-maildir (64 KB tmpfs): 4xx, no file in tmp/ or new/" {
	need_maildir
	MNT=$T/full
	mkdir -p "$MNT"
	if ! mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null; then
		MNT=
		skip "cannot mount a tmpfs here (needs root and mount rights)"
	fi
	make_maildir "$MNT/Maildir"
	write_conf "route * $LMTP_BIN exec:$MAILDIR_BIN $MNT/Maildir"
	start_server
	"$PYTHON" -c 'import sys
sys.stdout.write("Subject: big\r\n\r\n" + ("x" * 76 + "\r\n") * 2000)' >"$T/big"
	run "$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" a@b.example \
		u@example.org <"$T/big"
	[[ "${lines[3]}" == 4[0-9][0-9]\ * ]]
	wait_sessions
	[ "$(count_files "$MNT/Maildir/new")" -eq 0 ]
	[ "$(count_files "$MNT/Maildir/tmp")" -eq 0 ]
	grep -q 'prog=samotop-lmtp .*event=delivery to=u@example.org code=452' "$LOG"
}
