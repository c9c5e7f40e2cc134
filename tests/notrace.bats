#!/usr/bin/env bats
# leave-no-trace (samotop.conf(5)): one session's personal data (client
# address, HELO, sender, recipient, Message-ID) must not appear in
# samotop-smtpd's log, its helpers' log lines, the trace fields samotop
# adds to the message (Received:, Authentication-Results:), or the
# greylist store.  The header the client wrote (From:, To:, Message-ID:)
# is the message itself and is delivered as it came; samotop-maildir's
# Return-Path: and Delivered-To: name the envelope for the mailbox's
# owner and are not what this test covers.  The stored file's name and
# times are checked here end to end, and in detail in
# tests/maildir_notrace.bats.

load lib

SECRETS="alice-secret bob-secret helo-secret mid-secret 127.0.0.1 127.0.0.0"

setup() {
	common_setup
	need_maildir
	M=$T/mail
	DB=$T/grey.db
	KEY=$T/lib/leave-no-trace.key
	mkdir -p "$T/lib"
	make_maildir "$M/example.org/bob-secret"
}

teardown() { common_teardown; }

# conf yes|no [LINE...]
conf() {
	local on=$1
	shift
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB" \
		"greylist-delay 1s" "leave-no-trace $on" \
		"leave-no-trace-key $KEY" "$@"
}

# attempt: one session from helo-secret.example, alice-secret to
# bob-secret, with a Message-ID; prints the replies after the greeting.
attempt() {
	smtp_raw 'EHLO helo-secret.example\r\n' @1 \
		'MAIL FROM:<alice-secret@sender.example>\r\n' @1 \
		'RCPT TO:<bob-secret@example.org>\r\n' @1 'DATA\r\n' @1 \
		'From: <alice-secret@sender.example>\r\nTo: <bob-secret@example.org>\r\nMessage-ID: <mid-secret@sender.example>\r\nSubject: hello\r\n\r\nbody\r\n.\r\n' @1 \
		'QUIT\r\n' @eof | tail -n +10
}

# deliver: greylisted once, then delivered.
deliver() {
	run attempt
	[[ "${lines[0]}" == "451 4.7.1 Greylisted"* ]] || { echo "$output" >&2; false; }
	sleep 2
	run attempt
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	[[ "${lines[2]}" == "250 2.0.0 "* ]] || { echo "$output" >&2; false; }
	wait_sessions
}

# trace_fields FILE: the fields samotop put above the client's header:
# Received: and Authentication-Results:, with their continuation lines.
trace_fields() {
	awk '/^(Received|Authentication-Results):/ { on = 1; print; next }
	     /^[ \t]/ { if (on) print; next } { on = 0 }' "$1"
}

# store_dump: every row of every table of the greylist store.
store_dump() {
	"$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = \"table\""):
    for row in db.execute("SELECT * FROM \"%s\"" % t):
        print(t, *row)' "$DB"
}

@test "leave-no-trace: no personal datum in the logs, the trace fields or the greylist store" {
	conf yes
	start_server
	deliver
	local msg log fields store s
	msg=$(the_file "$M/example.org/bob-secret/new")
	# the stored file: a random name, its times the day (samotop-maildir
	# heard of leave-no-trace from samotop-smtpd: SAMOTOP_LEAVE_NO_TRACE);
	# looked at before anything reads it (a read may move its atime)
	[[ "$(basename "$msg")" =~ ^[0-9a-f]{32},S=[0-9]+$ ]] || { echo "name $msg" >&2; false; }
	[ $(( $(stat -c %Y "$msg") % 86400 )) -eq 0 ]
	[ $(( $(stat -c %X "$msg") % 86400 )) -eq 0 ]
	log=$(cat "$LOG")
	fields=$(trace_fields "$msg")
	store=$(store_dump)
	# what is there to look at
	assert_contains "$log" "event=delivered"
	assert_contains "$log" "prog=samotop-maildir"
	assert_contains "$fields" "Received: from unknown (not recorded)"
	assert_contains "$fields" "Authentication-Results: mx.test"
	[ "$(printf '%s\n' "$store" | grep -c '^triplet ')" -ge 1 ]
	for s in $SECRETS; do
		assert_not_contains "$log" "$s"
		assert_not_contains "$fields" "$s"
		assert_not_contains "$store" "$s"
	done
	assert_not_contains "$fields" "helo="
	assert_not_contains "$fields" "smtp.mailfrom"
	# the client's own header arrives as written
	grep -q '^Message-ID: <mid-secret@sender.example>' "$msg"
	# the day, UTC, with no hour in it
	grep -Eq '^	[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} 00:00:00 \+0000$' "$msg"
	# the key: created once, 32 octets, private
	[ "$(stat -c '%a %s' "$KEY")" = "600 32" ]
}

@test "leave-no-trace: one client's hash repeats within the day; helpers' fields are ~" {
	conf yes
	start_server
	deliver
	local hashes
	# one connect line per session, the same client: the same hash
	hashes=$(sed -n 's/.*event=connect remote=\(~[0-9a-f]\{12\}\) .*/\1/p' "$LOG" | sort -u)
	[ "$(grep -c 'event=connect' "$LOG")" -eq 2 ]
	[ "$(printf '%s\n' "$hashes" | wc -l)" -eq 1 ] || { cat "$LOG" >&2; false; }
	grep -q "event=reject .*client=$hashes " "$LOG"
	grep -q "event=helo helo=~[0-9a-f]\{12\}$" "$LOG"
	grep -q "prog=samotop-maildir sid=[0-9A-Z]* event=delivered msgid=[0-9A-Z.]* to=~ path=~ " "$LOG"
}

@test "leave-no-trace no: the same session leaves every one of those values (the test can fail)" {
	conf no
	start_server
	deliver
	local msg log fields store
	msg=$(the_file "$M/example.org/bob-secret/new")
	log=$(cat "$LOG")
	fields=$(trace_fields "$msg")
	store=$(store_dump)
	assert_contains "$log" "alice-secret"
	assert_contains "$log" "bob-secret"
	assert_contains "$log" "helo-secret"
	assert_contains "$log" "127.0.0.1"
	assert_contains "$fields" "helo-secret"
	assert_contains "$fields" "127.0.0.1"
	assert_contains "$store" "alice-secret"
	assert_contains "$store" "bob-secret"
	assert_contains "$store" "127.0.0.0"
	[ ! -e "$KEY" ]
}

@test "leave-no-trace: SAMOTOP_LEAVE_NO_TRACE reaches a samotop-pipe command, in seconds; no client through XFORWARD; no core dumps" {
	[ -x "$TOP/samotop-pipe" ] || skip "samotop-pipe is not built"
	# core dumps allowed to begin with, so that "off" can tell
	ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
	[ "$(ulimit -c)" != 0 ] || skip "core dumps are off here (ulimit -H -c 0)"
	cat >"$T/cmd" <<SH
#!/bin/sh
printf '%s\n' "\${SAMOTOP_LEAVE_NO_TRACE-unset}" >"$T/env"
printf '%s|%s\n' "\$CLIENT_IP" "\$HELO" >"$T/client"
ulimit -c >"$T/core"
cat >/dev/null
SH
	chmod +x "$T/cmd"
	write_conf "route * $TOP/samotop-pipe $T/cmd" "leave-no-trace yes" \
		"leave-no-trace-granularity 1h" "leave-no-trace-key $KEY"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<x@example.org>\r\n' @1 'DATA\r\n' @1 'hi\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 "
	[ "$(cat "$T/env")" = 3600 ]
	[ "$(cat "$T/client")" = "|" ]
	# the session held the message: no core of it, nor of its helpers
	[ "$(cat "$T/core")" = 0 ]
	write_conf "route * $TOP/samotop-pipe $T/cmd"
	# off: smtpd removes what its own environment had
	rm "$T/env"
	stop_server
	SAMOTOP_LEAVE_NO_TRACE=60 start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<x@example.org>\r\n' @1 'DATA\r\n' @1 'hi\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 "
	[ "$(cat "$T/env")" = unset ]
	[ "$(cat "$T/client")" = "127.0.0.1|c" ]
	[ "$(cat "$T/core")" != 0 ]
}

@test "leave-no-trace: a key that is not one is a configuration error, for -n and for a session" {
	printf short >"$KEY"
	chmod 600 "$KEY"
	conf yes
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "leave-no-trace-key: $KEY: not a key"
	start_server
	run smtp_raw -n @eof
	assert_contains "$output" "421 4.3.0"
	wait_sessions
	grep -q "event=config .*reason=\"leave-no-trace-key: $KEY: not a key" "$LOG"
	rm "$KEY"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	[ ! -e "$KEY" ]
	write_conf "leave-no-trace-granularity 0"
	run "$SMTPD_BIN" -n -c "$CONF"
	assert_contains "$output" "leave-no-trace-granularity: expected a duration from 1s"
	write_conf "leave-no-trace-granularity 1h"
	run "$SMTPD_BIN" -n -c "$CONF"
	assert_contains "$output" "leave-no-trace-granularity has no effect without leave-no-trace yes"
}

# smtpd_libs: the libraries the dynamic loader mapped into the sessions of
# samotop-smtpd that the server (started with LD_DEBUG=files) ran so far.
smtpd_libs() {
	wait_sessions
	smtpd_ld_lists "$T/ld" | xargs cat
	rm -f "$T"/ld.*
}

@test "leave-no-trace: only its sessions load libcrypto (ld.so)" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run smtp_raw 'QUIT\r\n' @eof
	run smtpd_libs
	assert_contains "$output" "file=libc.so"
	assert_not_contains "$output" "libcrypto"
	stop_server
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "leave-no-trace yes" \
		"leave-no-trace-key $KEY"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run smtp_raw 'QUIT\r\n' @eof
	run smtpd_libs
	assert_contains "$output" "file=libcrypto.so"
}
