#!/usr/bin/env bats
# The log on fd 2 (tcpserver's stderr): key=value lines, session and message
# ids, hostile input that must not break or forge a line, no bodies.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
}

teardown() { common_teardown; }

serve_all() {
	write_conf "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

# one_message [BODYWORD]: a session with one message; prints the replies.
one_message() {
	smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 "Subject: ${1:-hello}\\r\\n\\r\\n${1:-hello} body\\r\\n.\\r\\n" @1 'QUIT\r\n' @eof
}

log_ok() {
	run "$PYTHON" "$TESTS_DIR/logcheck.py" "$LOG"
	[ "$status" -eq 0 ] || { echo "$output" >&2; cat "$LOG" >&2; false; }
}

@test "log lines are key=value with level=, sid= and event=; connect has remote=127.0.0.1" {
	serve_all
	run one_message
	wait_sessions
	log_ok
	connect=$(grep ' event=connect ' "$LOG")
	[ "$(wc -l <<<"$connect")" -eq 1 ]
	assert_contains "$connect" " remote=127.0.0.1 "
	[[ "$connect" =~ \ port=[0-9]+ ]]
	# one session id on every line of samotop-smtpd
	[ "$(grep -v ' prog=' "$LOG" | sed 's/.* sid=\([^ ]*\) .*/\1/' | sort -u | wc -l)" -eq 1 ]
	grep -q ' event=disconnect' "$LOG"
}

@test "event=accepted carries msgid= equal to the id in the 250 reply and in Received:" {
	serve_all
	run one_message
	id=$(msgid_of "$output")
	[ -n "$id" ]
	wait_sessions
	acc=$(grep ' event=accepted ' "$LOG")
	[ "$(wc -l <<<"$acc")" -eq 1 ]
	assert_contains "$acc" " msgid=$id"
	assert_contains "$(received_of "$MD"/new/*)" " id $id;"
	# the lines about the message (mail, rcpt, accepted) all carry it
	for ev in mail rcpt accepted; do
		grep " event=$ev " "$LOG" | grep -q " msgid=$id\\b"
	done
}

@test "one grep for the msgid follows the message from client to mailbox file" {
	serve_all
	run one_message
	id=$(msgid_of "$output")
	wait_sessions
	file=$(basename "$(the_file "$MD/new")")
	grep -F "msgid=$id" "$LOG" | grep -q -F "$file" || {
		echo "no line with msgid=$id names $file:" >&2
		cat "$LOG" >&2
		false
	}
}

@test "samotop-smtpd's events are the documented ones" {
	serve_all
	run one_message
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'bare\nLF\r\n.\r\n' @1 'XYZ\r\n' @1 'QUIT\r\n' @eof
	wait_sessions
	events=$(grep -v ' prog=' "$LOG" | sed 's/.* event=\([^ ]*\).*/\1/' | sort -u)
	for e in $events; do
		case $e in
		connect | helo | mail | rcpt | delivery | accepted | refused | reject | helper | timeout | error | disconnect) ;;
		*) echo "undocumented event=$e:" >&2; grep " event=$e" "$LOG" >&2; false ;;
		esac
	done
	grep -q ' event=refused ' "$LOG"
}

@test "junk in TCPREMOTEHOST never breaks a log line and is not used" {
	printf '127.0.0.1:allow,TCPREMOTEHOST=/evil host="x"=y\\z \001\033[31m\377 end/\n' >"$T/rules.txt"
	tcprules "$T/rules.cdb" "$T/rules.tmp" <"$T/rules.txt"
	TCPSERVER_OPTS="-x $T/rules.cdb"
	serve_all
	run one_message
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	log_ok
	assert_not_contains "$(cat "$LOG")" "evil"
	assert_not_contains "$(received_of "$MD"/new/*)" "evil"
}

@test "a clean TCPREMOTEHOST is logged and named in Received:" {
	printf '127.0.0.1:allow,TCPREMOTEHOST="good.example"\n' | tcprules "$T/rules.cdb" "$T/rules.tmp"
	TCPSERVER_OPTS="-x $T/rules.cdb"
	serve_all
	run one_message
	wait_sessions
	log_ok
	grep ' event=connect ' "$LOG" | grep -q ' host=good.example'
	assert_contains "$(received_of "$MD"/new/*)" "from client.example (good.example [127.0.0.1])"
}

@test "a HELO and addresses with odd characters never break a log line" {
	serve_all
	run smtp_raw 'EHLO x=y"z\r\n' @1 'EHLO a\\b\r\n' @1 'EHLO \xc3\xa9.example"level=error\r\n' @1 \
		'MAIL FROM:<"q \\" =x"@b.example> SMTPUTF8\r\n' @1 'RCPT TO:<"sp ace=\\" level=error sid=forged"@example.org>\r\n' @1 \
		'RCPT TO:<\xc3\xbc\xc3\xb1@example.org>\r\n' @1 'RCPT TO:<bad\x01@example.org>\r\n' @1 'QUIT\r\n' @eof
	# the odd but valid ones are accepted (so they do reach the log)
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^250 mx.test\|^250-mx.test')" -eq 3 ]
	assert_contains "$output" "250 2.1.0 Sender ok"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^250 2\.1\.5 ')" -eq 2 ]
	wait_sessions
	log_ok
	[ "$(grep -c ' event=helo ' "$LOG")" -eq 3 ]
	[ "$(grep -c ' event=rcpt ' "$LOG")" -ge 2 ]
	# no line got a field of its own from the client's text
	"$PYTHON" "$TESTS_DIR/logcheck.py" --fields "$LOG" >"$T/fields"
	[ "$(grep -c -E '^[0-9]+ sid ' "$T/fields")" -eq "$(wc -l <"$LOG")" ]
	run grep -E '^[0-9]+ [a-z_-]+ forged$' "$T/fields"
	[ "$status" -ne 0 ]
	run grep -E '^[0-9]+ level error$' "$T/fields"
	[ "$status" -ne 0 ]
}

@test "the log stays ASCII when a recipient is non-ASCII (helper lines too)" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<j\xc3\xa1@b.example> SMTPUTF8\r\n' @1 'RCPT TO:<\xc3\xbc\xc3\xb1@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: u\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	log_ok
}

@test "bodies are never logged, accepted or refused" {
	serve_all "log-level debug"
	run one_message Zebrafinch4711
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: Quokka0815\r\n\r\nQuokka0815\nbare\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "550 5.6.0 "* ]]
	wait_sessions
	[ -s "$LOG" ]
	assert_not_contains "$(cat "$LOG")" "Zebrafinch4711"
	assert_not_contains "$(cat "$LOG")" "Quokka0815"
}

@test "log-level warn: no info lines" {
	serve_all "log-level warn"
	run one_message
	run smtp_raw 'EHLO c\r\n' @1 'FOO\r\n' @1 'QUIT\r\n' @eof
	wait_sessions
	run grep '^level=info ' "$LOG"
	[ "$status" -ne 0 ] || { echo "info lines under log-level warn:" >&2; echo "$output" >&2; false; }
}

# reject_line TO: the one event=reject line of RCPT TO:<TO>.
reject_line() {
	grep " event=reject .* command=rcpt .* to=$1 " "$LOG"
	[ "$(grep -c " event=reject .* to=$1 " "$LOG")" -eq 1 ]
}

@test "a refusal is one event=reject line: client, command, addresses, code, reply and the check that refused" {
	make_maildir "$MD/example.org/alice" "$MD/example.org/bob"
	write_conf "route @example.org $MAILDIR_BIN $MD/%d/%u" \
		"route @other.example $MAILDIR_BIN -c $MD/%d/%u" \
		"deny recipient spam@example.org" "deny sender bad@b.example" \
		"greylist $T/grey.db" "allow recipient alice@example.org"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<bad@b.example>\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<alice@example.org>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'RCPT TO:<nobody@example.org>\r\n' @1 'RCPT TO:<spam@example.org>\r\n' @1 \
		'RCPT TO:<x@other.example>\r\n' @1 'RCPT TO:<u@elsewhere.example>\r\n' @1 'QUIT\r\n' @eof
	echo "$output" >&2
	wait_sessions
	log_ok
	line=$(grep ' event=reject .* command=mail ' "$LOG")
	assert_contains "$line" " client=127.0.0.1 command=mail from=bad@b.example code=550 reply=\"5.7.1 Access denied\" reason=deny-list:sender"
	assert_contains "$(reject_line bob@example.org)" " client=127.0.0.1 command=rcpt from=a@b.example to=bob@example.org code=451 reply=\"4.7.1 Greylisted, try again in "
	assert_contains "$(reject_line bob@example.org)" " reason=greylist"
	assert_contains "$(reject_line nobody@example.org)" " code=550 reply=\"5.1.1 "
	assert_contains "$(reject_line nobody@example.org)" " reason=helper"
	assert_contains "$(reject_line spam@example.org)" " code=550 reply=\"5.7.1 Access denied\" reason=deny-list:recipient"
	assert_contains "$(reject_line x@other.example)" " code=452 reply=\"4.5.3 "
	assert_contains "$(reject_line x@other.example)" " reason=other-route"
	assert_contains "$(reject_line u@elsewhere.example)" " code=550 reply=\"5.7.1 Relaying denied: u@elsewhere.example\" reason=relay"
	# the accepted recipient has none
	run grep ' event=reject .*alice@' "$LOG"
	[ "$status" -ne 0 ]
	# the message id joins the refusals to their transaction
	grep ' event=reject .* to=bob@example.org ' "$LOG" | grep -q ' msgid=[0-9A-Z]*\.2 '
}

@test "disconnect carries the duration and every verb's count; timeout says after which command" {
	serve_all "timeout-command 1s"
	run smtp_raw 'EHLO c\r\n' @1 'NOOP\r\n' @1 'NOOP\r\n' @1 'FOO\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 @eof
	echo "$output" >&2
	assert_contains "$output" "421 4.4.2 "
	wait_sessions
	log_ok
	assert_contains "$(grep ' event=timeout ' "$LOG")" " after=mail"
	line=$(grep ' event=disconnect ' "$LOG")
	[[ "$line" =~ \ duration_ms=([0-9]+)\  ]]
	[ "${BASH_REMATCH[1]}" -ge 1000 ]
	assert_contains "$line" " commands=helo:0,ehlo:1,mail:1,rcpt:0,data:0,bdat:0,rset:0,noop:2,quit:0,vrfy:0,help:0,starttls:0,auth:0,other:1"
}

@test "a timeout inside the message data says after=data" {
	serve_all "timeout-data 1s"
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: x\r\n' @eof
	wait_sessions
	assert_contains "$(grep ' event=timeout ' "$LOG")" " after=data "
}

@test "a timeout before any command says after=none" {
	serve_all "timeout-command 1s"
	run smtp_raw @eof
	wait_sessions
	assert_contains "$(grep ' event=timeout ' "$LOG")" " after=none"
}

# in_private_dev SCRIPT: run bash SCRIPT in a mount namespace of its own
# whose /dev holds only null and tty, so that a /dev/log bound there is
# the test's alone (no syslog daemon of the machine, no other test).
in_private_dev() {
	mkdir -p "$T/dev"
	: >"$T/dev/null"
	unshare -m --propagation private bash -c '
		mount --bind /dev/null "$1/dev/null" && mount --bind "$1/dev" /dev &&
		bash -c "$2"' - "$T" "$1"
}

@test "log syslog: lines go to syslog(3), facility mail, with their priority and the pid" {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare(1)"
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	write_conf "log syslog" "log-level debug"
	printf 'EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@elsewhere.example>\r\nQUIT\r\n' >"$T/in"
	export PYTHON SMTPD_BIN CONF T
	in_private_dev '
		"$PYTHON" -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
s.settimeout(5)
with open(sys.argv[1], \"wb\") as f:
    print(\"ready\", flush=True)
    while True:
        m = s.recv(65536)
        f.write(m + b\"\\n\")
        if b\"event=disconnect\" in m:
            break
" "$T/syslog" | { read -r _; "$SMTPD_BIN" -c "$CONF" <"$T/in" >"$T/out" 2>"$T/err"; cat >/dev/null; }'
	cat "$T/syslog" >&2
	# nothing on stderr
	[ ! -s "$T/err" ]
	# <PRI> = facility mail (2) * 8 + priority: info 6 -> 22, debug 7 -> 23
	grep -q '^<22>.*samotop-smtpd\[[0-9]*\]: level=info sid=[0-9A-Z]* event=connect' "$T/syslog"
	grep -q '^<22>.*samotop-smtpd\[[0-9]*\]: level=info .* event=reject .*code=550' "$T/syslog"
	grep -q '^<22>.* event=disconnect ' "$T/syslog"
}

@test "JOURNAL_STREAM naming fd 2: each line starts with its sd-daemon priority" {
	write_conf "log-level debug"
	: >"$T/journal"
	js=$(stat -c '%d:%i' "$T/journal")
	printf 'EHLO c\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n' |
		JOURNAL_STREAM=$js "$SMTPD_BIN" -c "$CONF" >"$T/out" 2>>"$T/journal"
	cat "$T/journal" >&2
	grep -q '^<6>level=info sid=[0-9A-Z]* event=connect' "$T/journal"
	grep -q '^<6>level=info .* event=disconnect' "$T/journal"
	# every line has it
	run grep -v '^<[3467]>level=' "$T/journal"
	[ "$status" -ne 0 ]
	# another file on fd 2 than JOURNAL_STREAM names: no prefix
	printf 'QUIT\r\n' | JOURNAL_STREAM=$js "$SMTPD_BIN" -c "$CONF" >"$T/out" 2>"$T/other"
	grep -q '^level=info sid=[0-9A-Z]* event=connect' "$T/other"
}

@test "a configuration that breaks at run time: 421 to the client and one level=error line with sid=, file and line" {
	write_conf "max-recipients lots"
	start_server
	run smtp_raw @eof
	assert_contains "$output" "421 4.3.0 Service not available, configuration error"
	wait_sessions
	log_ok
	[ "$(wc -l <"$LOG")" -eq 1 ]
	grep -q "^level=error sid=[0-9A-Z]* event=config file=$CONF line=2 reason=\"max-recipients: .*\" reply=421\$" "$LOG" ||
		{ cat "$LOG" >&2; false; }
}
