#!/usr/bin/env bats
# Greylisting in samotop-smtpd (greylist FILE): 451 4.7.1 at RCPT for a
# new triplet and an early retry, delivery after the delay, and many
# concurrent sessions on one SQLite database, and greylist-max-pending.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
	DB=$T/grey.db
	make_maildir "$M/example.org/bob"
}

teardown() { common_teardown; }

# attempt FROM: one session, one message from FROM to bob@example.org;
# prints the RCPT reply and what followed it.
attempt() {
	smtp_raw 'EHLO c\r\n' @1 "MAIL FROM:<$1>\\r\\n" @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: grey\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof |
		tail -n +10
}

# The delay is 2 s, not 1: an "early" retry must not fall into the next
# second, where a 1 s delay would already be over.
@test "first attempt 451 4.7.1, early retry 451, retry after the delay delivered" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB" \
		"greylist-delay 2s"
	start_server
	run attempt a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 2 seconds"
	[[ "${lines[1]}" == "554 5.5.1 "* || "${lines[1]}" == "503 5.5.1 "* ]]
	run attempt a@b.example
	[[ "${lines[0]}" =~ ^451\ 4\.7\.1\ Greylisted,\ try\ again\ in\ [12]\ seconds$ ]] ||
		{ echo "$output" >&2; false; }
	[ "$(count_files "$M/example.org/bob/new")" -eq 0 ]
	sleep 3
	run attempt a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	[[ "${lines[2]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$M/example.org/bob/new")" -eq 1 ]
	# the database is private, and the log says who was deferred
	[ "$(stat -c %a "$DB")" = 600 ]
	wait_sessions
	grep -q 'greylist' "$LOG"
	assert_not_contains "$(cat "$LOG")" "error"
}

@test "the triplet is the sender, the recipient and the client network; addresses ignore case" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB" \
		"greylist-delay 1s"
	start_server
	run attempt A@B.Example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 1 seconds"
	sleep 2
	run attempt a@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	run attempt other@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 1 seconds"
	run attempt ''
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 1 seconds"
}

@test "a database that cannot be opened gets 451 4.3.0 and a log line naming it" {
	mkdir "$DB"
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB"
	start_server
	run attempt a@b.example
	[[ "${lines[0]}" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	wait_sessions
	grep -q "$DB" "$LOG"
}

# rows: how many triplets the store holds.
rows() {
	"$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM triplet").fetchone()[0])' "$DB"
}

@test "only recipients the helper accepts are greylisted: unknown ones add nothing to the store" {
	write_conf "route * $MAILDIR_BIN $M/%d/%u" "greylist $DB" \
		"greylist-delay 2s"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<nobody1@example.org>\r\n' @1 'RCPT TO:<nobody2@example.org>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "550 5.1.1 "* ]] || { echo "$output" >&2; false; }
	[[ "${lines[10]}" == "550 5.1.1 "* ]]
	assert_line_eq 11 "451 4.7.1 Greylisted, try again in 2 seconds"
	[ "$(rows)" -eq 1 ]
}

@test "refused recipients count toward max-recipients: no client can try more addresses than that" {
	write_conf "route * $MAILDIR_BIN $M/%d/%u" "greylist $DB" "max-recipients 100" "max-errors 1000"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 \
		'@repeat:99:RCPT TO:<x@example.org>\r\n' @99 \
		'RCPT TO:<bob@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "451 4.7.1 Greylisted"* ]] || { echo "$output" >&2; false; }
	[[ "${lines[108]}" == "550 5.1.1 "* ]]
	assert_line_eq 109 "452 4.5.3 Too many recipients"
}

@test "a greylisted recipient is taken back from the helper: the message reaches only the others" {
	make_maildir "$M/example.org/alice"
	write_conf "route * $MAILDIR_BIN $M/%d/%u" "greylist $DB" \
		"greylist-delay 2s" "allow recipient alice@example.org"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<alice@example.org>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: grey\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	assert_line_eq 10 "451 4.7.1 Greylisted, try again in 2 seconds"
	[[ "${lines[12]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$M/example.org/alice/new")" -eq 1 ]
	[ "$(count_files "$M/example.org/bob/new")" -eq 0 ]
}

# sessions PHASE: 50 clients at once, each from its own sender and then
# from one sender they all share, to bob@example.org.  PHASE "first"
# expects every RCPT to be greylisted, "retry" every one to pass and
# its message to be delivered.  Prints one line per unexpected reply.
sessions() {
	"$PYTHON" - "$PORT" "$1" <<'EOF'
import smtplib, sys, threading

port, phase = int(sys.argv[1]), sys.argv[2]
go = threading.Barrier(50)
bad = []

def one(i):
    try:
        s = smtplib.SMTP(timeout=20)
        go.wait()
        s.connect("127.0.0.1", port)
        s.ehlo("c%d" % i)
        for sender in ("s%d@b.example" % i, "shared@b.example"):
            s.mail(sender)
            code, msg = s.rcpt("bob@example.org")
            if phase == "first":
                if code != 451 or not msg.startswith(b"4.7.1 Greylisted"):
                    bad.append("%s: %d %s" % (sender, code, msg))
                s.rset()
                continue
            if code != 250:
                bad.append("%s: %d %s" % (sender, code, msg))
                s.rset()
                continue
            code, msg = s.data(b"Subject: from %s\r\n\r\nbody\r\n"
                               % sender.encode())
            if code != 250:
                bad.append("%s: DATA %d %s" % (sender, code, msg))
        s.quit()
    except Exception as e:
        bad.append("session %d: %r" % (i, e))

threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for b in bad:
    print(b)
EOF
}

# triplets: "ROWS SHARED_ATTEMPTS", read with Python's sqlite3.
triplets() {
	"$PYTHON" - "$DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT count(*) FROM triplet").fetchone()[0]
shared = db.execute("SELECT attempts FROM triplet WHERE sender = ?",
                    ("shared@b.example",)).fetchone()[0]
print(rows, shared)
EOF
}

# autoallow 0: every retry must find its own triplet, none may ride on
# the network having passed.  A delay of 4 s: the first round must be
# over before it ends, or its later sessions would already pass.
@test "50 concurrent sessions on one database: nothing locked, no triplet lost" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB" \
		"greylist-delay 4s" "greylist-autoallow 0"
	TCPSERVER_OPTS="-c 60"
	start_server
	run sessions first
	[ -z "$output" ] || { echo "$output" >&2; false; }
	wait_sessions
	run triplets
	[ "$output" = "51 50" ] || { echo "$output" >&2; false; }
	sleep 5
	run sessions retry
	[ -z "$output" ] || { echo "$output" >&2; false; }
	wait_sessions
	[ "$(count_files "$M/example.org/bob/new")" -eq 100 ]
	run triplets
	[ "$output" = "51 100" ] || { echo "$output" >&2; false; }
	run grep -c -i -e 'locked' -e 'level=error' -e 'result=error' "$LOG"
	[ "$output" = 0 ] || { grep -i -e locked -e error "$LOG" | head >&2; false; }
}

# smtpd_libs: the libraries the dynamic loader mapped into the sessions of
# samotop-smtpd that the server (started with LD_DEBUG=files) ran so far.
smtpd_libs() {
	wait_sessions
	smtpd_ld_lists "$T/ld" | xargs cat
	rm -f "$T"/ld.*
}

@test "a session without greylisting never loads SQLite; one with it does (ld.so)" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run attempt a@b.example
	assert_line_eq 0 "250 2.1.5 <bob@example.org>: OK"
	run smtpd_libs
	assert_contains "$output" "file=libc.so"
	assert_not_contains "$output" "libsqlite3"
	stop_server

	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run attempt a@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 300 seconds"
	run smtpd_libs
	assert_contains "$output" "file=libsqlite3.so"
}

# rows: how many triplets the database holds, read with Python's sqlite3.
rows() {
	"$PYTHON" - "$DB" <<'EOF2'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*) FROM triplet").fetchone()[0])
EOF2
}

@test "greylist-max-pending: beyond it a network's new triplets get 451 4.7.1, a log line, and no row" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u" "greylist $DB" \
		"greylist-delay 2s" "greylist-max-pending 3"
	start_server
	local i
	for i in 1 2 3; do
		run attempt "s$i@b.example"
		assert_line_eq 0 "451 4.7.1 Greylisted, try again in 2 seconds"
	done
	for i in 4 5 6 7 8 9 10; do
		run attempt "s$i@b.example"
		assert_line_eq 0 "451 4.7.1 Too many greylisted messages pending from your network, try again later"
	done
	[ "$(rows)" = 3 ]
	# the pending ones still pass, and each that passes makes room
	sleep 3
	run attempt s1@b.example
	[[ "${lines[0]}" == "250 2.1.5 "* ]] || { echo "$output" >&2; false; }
	run attempt s4@b.example
	assert_line_eq 0 "451 4.7.1 Greylisted, try again in 2 seconds"
	run attempt s5@b.example
	assert_line_eq 0 "451 4.7.1 Too many greylisted messages pending from your network, try again later"
	[ "$(rows)" = 4 ]
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=greylist from=s10@b.example to=bob@example.org result=limit max=3"
	[ "$(grep -c 'result=limit' "$LOG")" = 8 ]
}
