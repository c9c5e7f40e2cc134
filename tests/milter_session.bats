#!/usr/bin/env bats
# samotop-smtpd behind real milter filters (`milter unix:PATH`): rspamd's
# milter proxy (tests/filters.bash), a filter written with Sendmail's own
# libmilter (tests/milter_filter.py, Debian's python3-milter), and
# OpenDKIM signing.  Messages go in with Python's smtplib under
# tcpserver; what is checked is what a user sees: the reply after the
# data, the files in the Maildirs, the fields the filters added, and the
# log lines.

load lib
load filters

FILTER=$TESTS_DIR/milter_filter.py
SYSPY=/usr/bin/python3

setup_file() { start_rspamd; }
teardown_file() { stop_rspamd; }

setup() {
	common_setup
	need_maildir
	make_maildir "$T/Maildir"
	FILTER_PID=
}

teardown() {
	common_teardown
	filters_teardown
	if [ -n "$FILTER_PID" ]; then
		# libmilter looks at SIGTERM only every 5 s; the test filter
		# keeps nothing a SIGKILL could lose
		kill -KILL "$FILTER_PID" 2>/dev/null || true
		reap_pids 250 "$FILTER_PID"
		wait "$FILTER_PID" 2>/dev/null || true
	fi
}

# start_pyfilter: tests/milter_filter.py on $T/py.sock.
start_pyfilter() {
	"$SYSPY" -c 'import Milter' 2>/dev/null ||
	    skip "python3-milter is not installed"
	"$SYSPY" "$FILTER" "$T/py.sock" 2>>"$T/filter.log" &
	FILTER_PID=$!
	local i
	for i in $(seq 1 250); do
		[ -S "$T/py.sock" ] && return 0
		sleep 0.02
	done
	cat "$T/filter.log" >&2
	return 1
}

# conf LINE...: every recipient into $T/Maildir.
conf() {
	write_conf "route * $MAILDIR_BIN $T/Maildir" "spool-dir $T" "$@"
}

# send FILE [TO]: smtplib, from alice@example.net, FILE's lines ended
# by CRLF (smtplib sends bytes as they are).
send() {
	sed 's/\r*$/\r/' "$1" >"$1.crlf"
	run "$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" \
	    alice@example.net "${2:-bob@example.org}" <"$1.crlf"
	echo "$output"
}

@test "rspamd: GTUBE is refused after the data with rspamd's 554 5.7.1, and never delivered" {
	need_rspamd
	conf "milter unix:$RSPAMD_SOCK"
	start_server
	filter_message "$T/msg" alice@example.net "a test" "$GTUBE"
	send "$T/msg"
	assert_contains "$output" "554 5.7.1 Gtube pattern"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "event=milter"
	assert_contains "$(cat "$LOG")" "verdict=reply"
	assert_contains "$(cat "$LOG")" "reason=milter"
}

@test "rspamd: a clean message is delivered with rspamd's fields; the add-header action sets X-Spam" {
	need_rspamd
	conf "milter unix:$RSPAMD_SOCK"
	start_server
	filter_message "$T/msg" alice@example.net "lunch" "See you at noon."
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	filter_message "$T/msg2" alice@example.net "lunch" "$GTUBE_ADD_HEADER"
	send "$T/msg2"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local all
	all=$(cat "$T"/Maildir/new/*)
	assert_contains "$all" "X-Spamd-Result:"
	assert_contains "$all" "X-Spam-Status: No, score="
	assert_contains "$all" "X-Spam: Yes"
	assert_contains "$all" "See you at noon."
}

@test "libmilter: the filter's own reject and tempfail replies after the data" {
	start_pyfilter
	conf "milter unix:$T/py.sock"
	start_server
	filter_message "$T/msg" alice@example.net "please reject me" "x"
	send "$T/msg"
	assert_contains "$output" "554 5.7.1 Rejected by the test filter"
	filter_message "$T/msg" alice@example.net "multiline me" "x"
	send "$T/msg"
	assert_contains "$output" "second, 100% sure"
	filter_message "$T/msg" alice@example.net "tempfail me" "x"
	send "$T/msg"
	assert_contains "$output" "451 4.7.1"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
}

@test "libmilter: an added header and an added recipient (same route) are delivered" {
	start_pyfilter
	conf "milter unix:$T/py.sock"
	start_server
	filter_message "$T/msg" alice@example.net "hello" "Hello Bob."
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	# one copy for bob, one for the recipient the filter added
	[ "$(count_files "$T/Maildir/new")" -eq 2 ]
	local all
	all=$(cat "$T"/Maildir/new/*)
	assert_contains "$all" "X-Test-Filter: "
	assert_contains "$all" "Delivered-To: <added@example.org>"
	assert_contains "$all" "Delivered-To: <bob@example.org>"
	assert_contains "$(cat "$LOG")" "envelope=changed"
}

@test "libmilter: a replaced body, and a quarantined message into the Junk folder" {
	start_pyfilter
	make_maildir "$T/Maildir/.Junk"
	conf "milter unix:$T/py.sock"
	start_server
	filter_message "$T/msg" alice@example.net "replace me" "the old body"
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	filter_message "$T/msg2" alice@example.net "quarantine me" "spam?"
	send "$T/msg2"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local inbox junk
	inbox=$(cat "$T"/Maildir/new/*)
	junk=$(cat "$T"/Maildir/.Junk/new/*)
	assert_not_contains "$inbox" "the old body"
	assert_contains "$junk" "X-Samotop-Quarantine: milter: "
	assert_not_contains "$inbox" "X-Samotop-Quarantine"
}

@test "a message that comes with our quarantine field loses it: only ours counts" {
	need_rspamd
	make_maildir "$T/Maildir/.Junk"
	conf "milter unix:$RSPAMD_SOCK"
	start_server
	{ printf 'X-Samotop-Quarantine: forged\n'; filter_message /dev/stdout \
	    alice@example.net "hi" "hello"; } >"$T/msg"
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 1 ]
	assert_not_contains "$(cat "$T"/Maildir/new/*)" "X-Samotop-Quarantine"
}

@test "a filter that is down: milter-default tempfail defers (451 from EHLO on); accept lets mail through, logged" {
	conf "milter unix:$T/nobody.sock" "milter-timeout-connect 2s"
	start_server
	filter_message "$T/msg" alice@example.net "hi" "hello"
	send "$T/msg"
	# before EHLO has been answered, no enhanced status code (RFC 2034)
	assert_contains "$output" "451 Content filter unavailable"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "result=unreachable"
	stop_server
	conf "milter unix:$T/nobody.sock" "milter-default accept"
	start_server
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 1 ]
	assert_contains "$(cat "$LOG")" "action=skipped"
}

@test "OpenDKIM signs through samotop: the delivered copy carries its DKIM-Signature" {
	start_opendkim_sign signed.example filters
	conf "milter unix:$DKIM_SIGN_SOCK"
	start_server
	filter_message "$T/msg" alice@signed.example "signed" "to be signed"
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local m
	m=$(cat "$T"/Maildir/new/*)
	assert_contains "$m" "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=signed.example;"
	assert_contains "$m" "	s=filters;"
	# inserted on top, above samotop's own fields, as Postfix places it
	[ "$(sed -n 3p "$(the_file "$T/Maildir/new")" | cut -c1-15)" = "DKIM-Signature:" ]
}

@test "two filters in order: rspamd's fields and the libmilter filter's" {
	need_rspamd
	start_pyfilter
	conf "milter unix:$RSPAMD_SOCK" "milter unix:$T/py.sock"
	start_server
	filter_message "$T/msg" alice@example.net "two" "both filters"
	send "$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local all
	all=$(cat "$T"/Maildir/new/*)
	assert_contains "$all" "X-Spamd-Result:"
	assert_contains "$all" "X-Test-Filter: "
}
