#!/usr/bin/env bats
# A shared store (greylist postgresql://...): two samotop-smtpd "MX
# hosts" (two tcpservers, two configuration files) greylisting through
# one real PostgreSQL server, which this file starts (tests/pg.sh:
# initdb in a temporary directory, a unix socket only) and stops.  A
# client greylisted by one is accepted by the other after the delay;
# the screener's decisions are shared too, and so are leave-no-trace's
# hashes (the key is the database's, whatever each host's key file);
# a database that is down gets 451 4.3.0 and one log line, and no
# crash.

load lib

setup_file() {
	local out rc=0
	out=$(sh "$BATS_TEST_DIRNAME/pg.sh" start) || rc=$?
	if [ "$rc" -eq 77 ]; then
		export PG_SKIP="no PostgreSQL server programs (apt-get install postgresql)"
		return 0
	fi
	[ "$rc" -eq 0 ] || { echo "$out" >&2; return 1; }
	export PG_DIR PG_URI PG_PSQL
	PG_DIR=$(sed -n 1p <<<"$out")
	PG_URI=$(sed -n 2p <<<"$out")
	PG_PSQL=$(sed -n 3p <<<"$out")
}

teardown_file() {
	[ -z "${PG_DIR:-}" ] || sh "$BATS_TEST_DIRNAME/pg.sh" stop "$PG_DIR"
}

setup() {
	common_setup
	need_maildir
	[ -z "${PG_SKIP:-}" ] || skip "$PG_SKIP"
	MX2_PID=
	sql "DROP TABLE IF EXISTS triplet, network, decision, screened_user,
	    counter, secret, schema_version" 2>/dev/null
	make_maildir "$T/mx1/example.org/bob" "$T/mx2/example.org/bob"
}

teardown() {
	local p=$SERVER_PID
	# a test that stopped the server and failed: the next ones need it
	[ -e "$PG_DIR/data/postmaster.pid" ] ||
		sh "$BATS_TEST_DIRNAME/pg.sh" resume "$PG_DIR"
	common_teardown
	SERVER_PID=$MX2_PID
	stop_server
	SERVER_PID=$p
}

# sql SQL: what psql prints for SQL on the test server's database.
sql() {
	"$PG_PSQL" -qAt -v ON_ERROR_STOP=1 -h "$PG_DIR/sock" -U samotop \
		-d samotop -c "$1"
}

# mx_conf N LINE...: $T/mxN.conf, hostname mxN.test, delivering into
# $T/mxN, and LINE...
mx_conf() {
	local n=$1
	shift
	write_conf "route * $MAILDIR_BIN -c $T/mx$n/%d/%u" "$@"
	sed -i "s/^hostname mx.test$/hostname mx$n.test/" "$CONF"
	mv "$CONF" "$T/mx$n.conf"
}

# start_mx: MX host 1 on $MX1 and MX host 2 on $MX2, both logging to $LOG.
start_mx() {
	start_server "$T/mx2.conf"
	MX2=$PORT MX2_PID=$SERVER_PID
	SERVER_PID=
	start_server "$T/mx1.conf"
	MX1=$PORT
}

# attempt PORT FROM: one session to PORT, one message from FROM to
# bob@example.org; prints the RCPT reply and what followed it.
attempt() {
	PORT=$1 smtp_raw 'EHLO c\r\n' @1 "MAIL FROM:<$2>\\r\\n" @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: grey\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof |
		tail -n +10
}

@test "greylisted by one MX host, accepted by the other after the delay: one triplet in PostgreSQL" {
	# 2 s, not 1: the early retry must not fall into the next second
	mx_conf 1 "greylist $PG_URI" "greylist-delay 2s"
	mx_conf 2 "greylist $PG_URI" "greylist-delay 2s"
	start_mx
	run attempt "$MX1" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 2 seconds"
	# an early retry, at the other host, is still early
	run attempt "$MX2" a@b.example
	[[ "${lines[0]}" == "451 4.7.1 Greylisted, "* ]] || { echo "$output" >&2; false; }
	sleep 3
	run attempt "$MX2" a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	[[ "${lines[2]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/mx2/example.org/bob/new")" -eq 1 ]
	[ "$(count_files "$T/mx1/example.org/bob/new")" -eq 0 ]
	# and the first host now knows it too
	run attempt "$MX1" a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	run sql "SELECT network, sender, rcpt, attempts FROM triplet"
	[ "$output" = "127.0.0.0/24|a@b.example|bob@example.org|4" ] ||
		{ echo "$output" >&2; false; }
	run sql "SELECT version FROM schema_version"
	[ "$output" = 2 ]
	wait_sessions
	SERVER_PID=$MX2_PID wait_sessions
	assert_not_contains "$(cat "$LOG")" "error"
}

# notrace_conf N LINE...: mx_conf N under leave-no-trace, each host
# with its own key file ($T/mxN.key, made by its first session).
notrace_conf() {
	local n=$1
	shift
	mx_conf "$n" "leave-no-trace yes" "leave-no-trace-key $T/mx$n.key" "$@"
}

@test "leave-no-trace, two hosts with their own key files: greylisted by one, accepted by the other; no client address in the database" {
	notrace_conf 1 "greylist $PG_URI" "greylist-delay 2s"
	notrace_conf 2 "greylist $PG_URI" "greylist-delay 2s"
	start_mx
	run attempt "$MX1" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 2 seconds"
	sleep 3
	run attempt "$MX2" a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	[ "$(count_files "$T/mx2/example.org/bob/new")" -eq 1 ]
	# two different files: each host keeps its own for its log lines
	[ -s "$T/mx1.key" ] && [ -s "$T/mx2.key" ]
	run cmp -s "$T/mx1.key" "$T/mx2.key"
	[ "$status" -ne 0 ]
	# one triplet, of hashes only, and the one key they share
	run sql "SELECT network || ' ' || sender || ' ' || rcpt, attempts
	    FROM triplet"
	[[ "$output" =~ ^[0-9a-f]{64}\ [0-9a-f]{64}\ [0-9a-f]{64}\|2$ ]] ||
		{ echo "$output" >&2; false; }
	run sql "SELECT string_agg(t::text, ' ') FROM triplet t"
	assert_not_contains "$output" "127.0.0"
	assert_not_contains "$output" "b.example"
	assert_not_contains "$output" "bob"
	run sql "SELECT name, length(value) FROM secret"
	[ "$output" = "leave-no-trace|64" ]
	wait_sessions
	SERVER_PID=$MX2_PID wait_sessions
	assert_not_contains "$(cat "$LOG")" "error"
}

@test "leave-no-trace, two hosts with their own key files: their connection counts add up in the store" {
	notrace_conf 1 "store $PG_URI" "limit-connections 2/1h"
	notrace_conf 2 "store $PG_URI" "limit-connections 2/1h"
	start_mx
	PORT=$MX1 run smtp_raw 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx1.test ESMTP samotop"
	PORT=$MX2 run smtp_raw 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx2.test ESMTP samotop"
	PORT=$MX1 run smtp_raw -n @eof
	assert_line_eq 0 "421 4.7.0 mx1.test Too many connections from your network, try again later"
	run sql "SELECT name, subject, events FROM counter"
	[[ "$output" =~ ^conn\|[0-9a-f]{64}\|3$ ]] || { echo "$output" >&2; false; }
	run sql "SELECT count(*) FROM secret"
	[ "$output" = 1 ]
}

@test "leave-no-trace with a shared store: a session that stores no hash never opens it for the key" {
	notrace_conf 1 "greylist $PG_URI" "store $PG_URI"
	notrace_conf 2 "greylist $PG_URI" "store $PG_URI"
	start_mx
	PORT=$MX1 run smtp_raw 'EHLO c\r\n' @1 'QUIT\r\n' @1
	assert_line_eq 0 "220 mx1.test ESMTP samotop"
	wait_sessions
	# never opened: not even its tables are there
	run sql "SELECT count(*) FROM pg_tables WHERE tablename = 'secret'"
	[ "$output" = 0 ]
	run attempt "$MX2" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 300 seconds"
	run sql "SELECT count(*) FROM secret"
	[ "$output" = 1 ]
	SERVER_PID=$MX2_PID wait_sessions
	assert_not_contains "$(cat "$LOG")" "error"
}

@test "a database that is down: 451 4.3.0 at RCPT, one log line naming it without its password, no crash" {
	local down="postgresql://samotop:secret@/samotop?host=$PG_DIR/none"
	mx_conf 1 "greylist $down"
	mx_conf 2 "greylist $PG_URI"
	start_mx
	run attempt "$MX1" a@b.example
	[[ "${lines[0]}" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	[[ "${lines[1]}" == "554 5.5.1 "* || "${lines[1]}" == "503 5.5.1 "* ]]
	[[ "${lines[-2]}" == "221 2.0.0 "* ]] || { echo "$output" >&2; false; }
	wait_sessions
	run grep -c 'result=error' "$LOG"
	[ "$output" = 1 ] || { cat "$LOG" >&2; false; }
	grep 'result=error' "$LOG" | grep -q "postgresql://samotop:\*\*\*@/samotop?host=$PG_DIR/none"
	grep 'result=error' "$LOG" | grep -q 'No such file or directory'
	assert_not_contains "$(cat "$LOG")" "secret"
	assert_not_contains "$(cat "$LOG")" "signal"
	[ "$(count_files "$T/mx1/example.org/bob/new")" -eq 0 ]
	# the other host, whose database is up, greylists as usual
	run attempt "$MX2" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 300 seconds"
}

@test "the screener's decisions are shared: made through one host's configuration, seen through the other's" {
	[ -x "$TOP/samotop-screener" ] || skip "samotop-screener is not built"
	mx_conf 1 "spf yes" "dkim yes" "dmarc yes" "screener $PG_URI"
	mx_conf 2 "spf yes" "dkim yes" "dmarc yes" "screener $PG_URI"
	run "$TOP/samotop-screener" -c "$T/mx1.conf" deny bob@example.org Eve@Spam.example
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	run sql "SELECT mailbox, sender, decision FROM decision"
	[ "$output" = "bob@example.org|eve@spam.example|2" ]
	run "$TOP/samotop-screener" -c "$T/mx2.conf" forget bob@example.org eve@spam.example
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: forgot eve@spam.example" ]
	run sql "SELECT count(*) FROM decision"
	[ "$output" = 0 ]
}

@test "samotop-smtpd -n: a URI whose server cannot be reached is an error; a bad URI or scheme is refused" {
	write_conf "greylist $PG_URI"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	write_conf "greylist postgresql:///samotop?host=$PG_DIR/none"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "greylist: postgresql:///samotop?host=$PG_DIR/none: "
	assert_contains "$output" "No such file or directory"
	write_conf "store postgresql://[" "greylist $T/grey.db"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "store: "
	write_conf "greylist mysql://localhost/samotop"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "greylist: expected an absolute path or a postgresql:// URI, got 'mysql://localhost/samotop'"
}

@test "a session whose store is an SQLite file never loads libpq; one whose store is PostgreSQL does (ld.so)" {
	mx_conf 1 "greylist $T/grey.db"
	mx_conf 2 "greylist $PG_URI"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_mx
	run attempt "$MX1" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 300 seconds"
	wait_sessions
	run bash -c "grep -l 'needed by .*/samotop-smtpd' $T/ld.* | xargs cat"
	assert_contains "$output" "file=libsqlite3.so"
	assert_not_contains "$output" "libpq"
	rm -f "$T"/ld.*
	run attempt "$MX2" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 300 seconds"
	SERVER_PID=$MX2_PID wait_sessions
	run bash -c "grep -l 'needed by .*/samotop-smtpd' $T/ld.* | xargs cat"
	assert_contains "$output" "file=libpq.so"
	assert_not_contains "$output" "libsqlite3"
}

@test "the database stops while sessions run: 451 4.3.0, and greylisting again once it is back" {
	mx_conf 1 "greylist $PG_URI" "greylist-delay 1s"
	mx_conf 2 "greylist $PG_URI" "greylist-delay 1s"
	start_mx
	run attempt "$MX1" a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 1 seconds"
	sh "$BATS_TEST_DIRNAME/pg.sh" halt "$PG_DIR"
	run attempt "$MX2" a@b.example
	[[ "${lines[0]}" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	sh "$BATS_TEST_DIRNAME/pg.sh" resume "$PG_DIR"
	sleep 1
	run attempt "$MX2" a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	SERVER_PID=$MX2_PID wait_sessions
	grep 'result=error' "$LOG" | grep -q "$PG_URI"
	assert_not_contains "$(cat "$LOG")" "signal"
}
