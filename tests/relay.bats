#!/usr/bin/env bats
# Relaying (samotop.conf(5), QUEUE AND RELAY): a relay-client's mail for
# a domain no route names goes to relay-route's helper (the queue; here
# a Maildir stands in for it, so that what is checked is samotop-smtpd's
# decision); any other client still gets 550 5.7.1 relaying denied, and
# a domain a route names keeps its unknown users unknown.  The clients
# connect from two loopback addresses.

load lib

setup() {
	common_setup
	need_maildir
	make_maildir "$T/local" "$T/relayed"
	write_conf "route @example.org $MAILDIR_BIN $T/local" \
	    "relay-client 127.0.0.1/32" \
	    "relay-route $MAILDIR_BIN -c $T/relayed"
	start_server
}

teardown() { common_teardown; }

# from SRC ARG...: tests/smtp_raw.py on $PORT, connecting from SRC.
from() {
	local src=$1
	shift
	SAMOTOP_SRC=$src "$PYTHON" -c '
import os, runpy, socket, sys
src = os.environ["SAMOTOP_SRC"]
orig = socket.create_connection
def conn(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
         source_address=None, **kw):
    return orig(address, timeout, (src, 0), **kw)
socket.create_connection = conn
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
' "$TESTS_DIR/smtp_raw.py" "$PORT" "$@"
}

session() {
	from "$1" 'EHLO client.test\r\n' @1 'MAIL FROM:<app@example.org>\r\n' @1 \
	    "RCPT TO:<$2>\\r\\n" @1 'DATA\r\n' @1 'Subject: t\r\n\r\nhi\r\n.\r\n' @1 \
	    'QUIT\r\n' @eof
}

@test "a relay-client's mail for another domain goes to relay-route's helper" {
	run session 127.0.0.1 someone@far.example
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/relayed/new")" -eq 1 ]
	[ "$(count_files "$T/local/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "result=relay-client"
}

@test "any other client: 550 5.7.1 relaying denied, nothing relayed" {
	run session 127.0.0.2 someone@far.example
	echo "$output"
	assert_contains "$output" "550 5.7.1"
	wait_sessions
	[ "$(count_files "$T/relayed/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "reason=relay"
}

@test "a relay-client's mail for our own domain is delivered locally, not relayed" {
	run session 127.0.0.1 bob@example.org
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/local/new")" -eq 1 ]
	[ "$(count_files "$T/relayed/new")" -eq 0 ]
}

@test "-n refuses a configuration that would be an open relay" {
	write_conf "route * /usr/local/bin/samotop-queue"
	run "$SMTPD_BIN" -n -c "$CONF"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_contains "$output" "open relay"
}

@test "relay-route samotop-queue: the relayed message is in the queue, committed, with its envelope" {
	[ -x "$TOP/samotop-queue" ] || skip "samotop-queue is not built"
	stop_server
	write_conf "route @example.org $MAILDIR_BIN $T/local" \
	    "relay-client 127.0.0.1/32" "queue $T/queue" \
	    "relay-route $TOP/samotop-queue -c $CONF"
	start_server
	run session 127.0.0.1 someone@far.example
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local env
	env=$(ls "$T/queue/env")
	[ "$(echo "$env" | wc -l)" -eq 1 ]
	assert_contains "$(cat "$T/queue/env/$env")" "from app@example.org"
	assert_contains "$(cat "$T/queue/env/$env")" "rcpt someone@far.example"
	[ -s "$T/queue/mess/$env" ]
	assert_contains "$(cat "$T/queue/mess/$env")" "Subject: t"
}

@test "an alias and a bounce to an SRS address go into the queue, from any client" {
	[ -x "$TOP/samotop-queue" ] || skip "samotop-queue is not built"
	stop_server
	write_conf "route @example.org $MAILDIR_BIN $T/local" "queue $T/queue" \
	    "relay-route $TOP/samotop-queue -c $CONF" \
	    "alias team@example.org ann@example.org bob@far.example"
	start_server
	run session 127.0.0.2 team@example.org
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	run session 127.0.0.2 'SRS0=abcdefgh=AB=far.example=carol@mx.test'
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	# a plain other domain is still refused to this client
	run session 127.0.0.2 someone@far.example
	assert_contains "$output" "550 5.7.1"
	wait_sessions
	[ "$(ls "$T/queue/env" | wc -l)" -eq 2 ]
	grep -l 'rcpt team@example.org' "$T"/queue/env/*
	# the local part is folded (local-part-case): SRS compares ignoring case
	grep -il 'rcpt SRS0=abcdefgh=AB=far.example=carol@mx.test' "$T"/queue/env/*
	[ "$(count_files "$T/local/new")" -eq 0 ]
}
