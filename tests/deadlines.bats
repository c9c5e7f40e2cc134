#!/usr/bin/env bats
# Deadlines (slowloris): a client that sends one octet just within each
# read timeout is still cut off when a whole command line, message or
# session takes longer than its deadline: 421 4.4.2, a log line naming the
# deadline, the connection closed, and nothing delivered.  The timeouts are
# long here (10 s) and the deadlines short, so only a deadline can fire.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
}

teardown() { common_teardown; }

serve() {
	write_conf "timeout-command 10s" "timeout-data 10s" "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

TIMEOUT_421="421 4.4.2 mx.test Timeout, closing connection"

# timed CMD...: run CMD, its milliseconds in $ms.
timed() {
	local t0
	t0=$(date +%s%N)
	"$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# cut_between LOW HIGH: the session ended after LOW and before HIGH ms.
cut_between() {
	[ "$ms" -ge "$1" ] && [ "$ms" -lt "$2" ] || {
		echo "cut after $ms ms, not between $1 and $2" >&2
		false
	}
}

nothing_stored() {
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
}

@test "deadline-command-line 2s: a command line dripped an octet at a time gets 421 4.4.2 at the deadline" {
	serve "deadline-command-line 2s"
	timed run smtp_raw 'EHLO c\r\n' @1 '@drip:0.3:NOOP and on and on and on\r\n' @eof
	assert_line_eq 8 "$TIMEOUT_421"
	assert_line_eq 9 "<EOF>"
	cut_between 1800 4000
	wait_sessions
	grep -q ' event=timeout deadline=command-line' "$LOG"
}

@test "deadline-command-line: a client that sends its lines in time is not cut" {
	serve "deadline-command-line 1s"
	run smtp_raw 'EHLO c\r\n' @1 'NOOP\r\n' @1 @sleep:0.6 'NOOP\r\n' @1 @sleep:0.6 'NOOP\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 10 "250 2.0.0 Ok"
	assert_line_eq 11 "221 2.0.0 mx.test closing connection"
}

@test "deadline-message 2s: DATA dripped an octet at a time gets 421 4.4.2, nothing delivered" {
	serve "deadline-message 2s"
	timed run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 '@drip:0.3:Subject: slow\r\n\r\nvery slow body\r\n.\r\n' @eof
	[[ "${lines[10]}" == "354 "* ]]
	assert_line_eq 11 "$TIMEOUT_421"
	assert_line_eq 12 "<EOF>"
	cut_between 1800 4000
	nothing_stored
	grep -q ' event=timeout .*deadline=message .*nothing delivered' "$LOG"
}

@test "deadline-message 2s: BDAT chunks sent quickly but never LAST get 421 4.4.2, nothing delivered" {
	serve "deadline-message 2s"
	chunks=()
	for i in 1 2 3 4 5 6 7 8; do chunks+=('BDAT 3\r\nabc' @1 @sleep:0.5); done
	timed run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"${chunks[@]}" 'BDAT 0 LAST\r\n' @1
	[[ "${lines[10]}" == "250 2.0.0 3 octets received" ]]
	printf '%s\n' "$output" | grep -qx "$TIMEOUT_421"
	assert_line_eq $((${#lines[@]} - 1)) "<EOF>"
	cut_between 1800 4500
	nothing_stored
	grep -q ' event=timeout deadline=message' "$LOG"
}

@test "deadline-message: the next message of the session gets its own deadline" {
	serve "deadline-message 1s"
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: one\r\n\r\none\r\n.\r\n' @1 @sleep:1.2 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: two\r\n\r\ntwo\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[15]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 2 ]
}

@test "deadline-session 3s: a client busy with quick NOOPs gets 421 4.4.2 at the deadline" {
	serve "deadline-session 3s"
	noops=()
	for i in $(seq 1 12); do noops+=('NOOP\r\n' @1 @sleep:0.5); done
	timed run smtp_raw 'EHLO c\r\n' @1 "${noops[@]}"
	printf '%s\n' "$output" | grep -qx "$TIMEOUT_421"
	assert_line_eq $((${#lines[@]} - 1)) "<EOF>"
	cut_between 2800 5000
	wait_sessions
	grep -q ' event=timeout deadline=session' "$LOG"
}
