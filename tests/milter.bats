#!/usr/bin/env bats
# The milter codec (milter.c) against a filter written with Sendmail's
# own libmilter (tests/milter_filter.py, through Debian's python3-milter):
# tests/milter_drive negotiates with it, sends one session's events and
# prints each action the filter took, one a line.  The filter listens on
# a unix socket in the test's temp dir and is stopped by its pid.

load lib

DRIVE=$TESTS_DIR/milter_drive
FILTER=$TESTS_DIR/milter_filter.py
# Debian's python3-milter is a module of the system's Python.
SYSPY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	FILTER_PID=
	OTHER_PIDS=
	[ -x "$DRIVE" ] || skip "tests/milter_drive is not built (make units)"
	"$SYSPY" -c 'import Milter' 2>/dev/null ||
	    skip "python3-milter is not installed"
}

teardown() {
	local p
	# SIGKILL: libmilter looks at SIGTERM only every 5 s, and the test
	# filter keeps nothing that a kill could lose
	for p in $FILTER_PID $OTHER_PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
	# shellcheck disable=SC2086
	reap_pids 250 $FILTER_PID $OTHER_PIDS
	for p in $FILTER_PID $OTHER_PIDS; do
		wait "$p" 2>/dev/null || true
	done
}

# start_filter [SOCKET NAME]: the test filter on $T/milter.sock (its
# path in $SOCK, its pid in $FILTER_PID), or another one on SOCKET whose
# header is named after NAME (its pid added to $OTHER_PIDS); ready when
# the socket is there (libmilter creates it before it accepts).
start_filter() {
	local sock=${1:-$T/milter.sock} i
	"$SYSPY" "$FILTER" "$sock" ${2:+"$2"} 2>>"$T/filter.log" &
	if [ -z "$1" ]; then
		SOCK=$sock
		FILTER_PID=$!
	else
		OTHER_PIDS="$OTHER_PIDS $!"
	fi
	for i in $(seq 1 250); do
		[ -S "$sock" ] && return 0
		sleep 0.02
	done
	cat "$T/filter.log" >&2
	return 1
}

# start_staller: a filter on 127.0.0.1 that accepts and never answers;
# its port in $STALL_PORT once it listens, its pid added to $OTHER_PIDS.
start_staller() {
	"$SYSPY" -c 'import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    held.append(s.accept()[0])' "$T/stall.port" &
	OTHER_PIDS="$OTHER_PIDS $!"
	local i
	for i in $(seq 1 250); do
		[ -s "$T/stall.port" ] && break
		sleep 0.02
	done
	STALL_PORT=$(cat "$T/stall.port")
	[ -n "$STALL_PORT" ]
}

# message SUBJECT [BODYLINES]: $T/msg, LF line ends (the driver sends
# CRLF), with BODYLINES lines of 50 octets (one by default)
message() {
	{
		printf 'From: a@example.org\nTo: rcpt@example.org\n'
		printf 'Subject: %s\n\n' "$1"
		local i
		for i in $(seq 1 "${2:-1}"); do
			printf '%048d\n' "$i"
		done
	} >"$T/msg"
}

# eom: the lines of the driver's output about the end of the message
eom() {
	printf '%s\n' "$output" | sed -n 's/^eom: //p'
}

@test "negotiation: the filter's version, actions, steps left out and macros" {
	start_filter
	message "hello"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "optneg: optneg version 6 actions 0x1ff protocol 0x7cb macros 2 {mail_addr} i" ]
	[ "${lines[1]}" = "not sent: connect helo rcpt data eoh unknown" ]
	[ "${lines[2]}" = "no reply: header" ]
}

@test "a message the filter accepts: a header and a recipient added" {
	start_filter
	message "hello"
	run "$DRIVE" -f "s@example.org" -r "r1@example.org" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	local want
	want=$(cat <<'EOF'
connect: not sent
helo: not sent
mail: continue
rcpt: not sent
data: not sent
header: no reply
header: no reply
header: no reply
eoh: not sent
body: continue
eom: addheader X-Test-Filter:seen, body of 50 octets
eom: addrcpt <added@example.org>
eom: accept
EOF
)
	output=$(printf '%s\n' "$output" | sed 1,3d)
	assert_output_eq "$want"
}

@test "Subject: reject me gets the filter's own 554 5.7.1 reply" {
	start_filter
	message "please reject me"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "replycode 554 5.7.1 Rejected by the test filter" ]
}

@test "Subject: multiline me gets a reply of two lines, its %% undone" {
	start_filter
	message "multiline me"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = 'replycode 550-5.7.1 first line\r\n550 5.7.1 second, 100% sure' ]
}

@test "Subject: tempfail me gets a tempfail" {
	start_filter
	message "tempfail me"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "tempfail" ]
}

@test "Subject: replace me gets a new body" {
	start_filter
	message "replace me"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "$(printf '%s\n' \
	    'addheader X-Test-Filter:seen, body of 50 octets' \
	    'replbody 14 the new body\r\n' \
	    'addrcpt <added@example.org>' 'accept')" ]
}

@test "Subject: quarantine me is quarantined with the filter's reason" {
	start_filter
	message "quarantine me"
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "$(printf '%s\n' \
	    'addheader X-Test-Filter:seen, body of 50 octets' \
	    'quarantine held by the test filter' \
	    'addrcpt <added@example.org>' 'accept')" ]
}

@test "a body over 64 KiB goes in chunks of 65535 octets, all of it seen" {
	start_filter
	message "big" 3000
	run "$DRIVE" "unix:$SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	# 150000 octets: 65535 + 65535 + 18930
	[ "$(printf '%s\n' "$output" | grep -c '^body: continue$')" -eq 3 ]
	[ "$(eom | head -1)" = "addheader X-Test-Filter:seen, body of 150000 octets" ]
}

@test "a filter that is not there: a clear error and exit status 1" {
	message "hello"
	run "$DRIVE" "unix:$T/nothing.sock" "$T/msg"
	[ "$status" -eq 1 ]
	[ "$output" = "milter_drive: unix:$T/nothing.sock: connect: No such file or directory" ]
	# a socket nobody listens on any more
	"$SYSPY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()' "$T/dead.sock"
	run "$DRIVE" "unix:$T/dead.sock" "$T/msg"
	[ "$status" -eq 1 ]
	[ "$output" = "milter_drive: unix:$T/dead.sock: connect: Connection refused" ]
}

@test "milter-default tempfail: a filter refusing connections makes the session tempfail" {
	message "hello"
	"$SYSPY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()' "$T/dead.sock"
	run "$DRIVE" -m tempfail "unix:$T/dead.sock" "$T/msg"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "milter_drive: unix:$T/dead.sock: connect: Connection refused" ]
	[ "${lines[1]}" = "=> connect: tempfail by 0 (default)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "milter-default accept: a filter that is down is left out, the message goes on" {
	message "hello"
	run "$DRIVE" -m accept "unix:$T/nothing.sock" "$T/msg"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "milter_drive: unix:$T/nothing.sock: connect: No such file or directory" ]
	[ "${lines[1]}" = "=> connect: accept" ]
	[ "$(printf '%s\n' "$output" | sed -n 's/^=> eom: //p')" = "accept" ]
}

@test "a filter that takes the connection but never answers times out: tempfail" {
	start_staller
	message "hello"
	local t0=$SECONDS
	run "$DRIVE" -m tempfail -t 1 "inet:127.0.0.1:$STALL_PORT" "$T/msg"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "milter_drive: inet:127.0.0.1:$STALL_PORT: read reply to optneg: timed out" ]
	[ "${lines[1]}" = "=> connect: tempfail by 0 (default)" ]
	# the one-second timeout, not the filter, ended the wait
	[ $((SECONDS - t0)) -le 3 ]
}

@test "two filters: each told in order, the first that decides ends the event" {
	start_filter
	start_filter "$T/second.sock" second
	message "hello"
	run "$DRIVE" -m tempfail "unix:$SOCK" "unix:$T/second.sock" "$T/msg"
	[ "$status" -eq 0 ]
	local want
	want=$(cat <<'EOF'
eom[0]: addheader X-Test-Filter:seen, body of 50 octets
=> mod: add_header X-Test-Filter: seen, body of 50 octets
eom[0]: addrcpt <added@example.org>
=> mod: add_rcpt <added@example.org>
eom[0]: accept
eom[1]: addheader X-Test-Filter-second:seen, body of 50 octets
=> mod: add_header X-Test-Filter-second: seen, body of 50 octets
eom[1]: addrcpt <added@example.org>
=> mod: add_rcpt <added@example.org>
eom[1]: accept
=> eom: accept
EOF
)
	output=$(printf '%s\n' "$output" | sed -n '/^eom\[0\]/,$p')
	assert_output_eq "$want"

	# the first filter rejects: the second is not asked
	message "reject me"
	run "$DRIVE" -m tempfail "unix:$SOCK" "unix:$T/second.sock" "$T/msg"
	[ "$status" -eq 0 ]
	output=$(printf '%s\n' "$output" | sed -n '/^eom\[0\]/,$p')
	assert_output_eq "$(printf '%s\n' \
	    'eom[0]: replycode 554 5.7.1 Rejected by the test filter' \
	    '=> eom: reply by 0: 554 5.7.1 Rejected by the test filter')"
}
