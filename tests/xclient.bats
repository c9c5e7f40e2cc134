#!/usr/bin/env bats
# xclient.bats: samotop-lmtp sends XCLIENT to a REAL Dovecot LMTP server
# that offers it (login_trusted_networks), so that Dovecot's log and its
# Received: name the SMTP client, not samotop-lmtp.

load lib
load dovecot

setup() {
	common_setup
	command -v swaks >/dev/null || skip "swaks is not installed"
	[ -x "$LMTP_BIN" ] || skip "samotop-lmtp is not built"
}

teardown() {
	common_teardown
	dovecot_teardown
}

# send_from ADDR RCPT: a message from source address ADDR.
send_from() {
	swaks --server "127.0.0.1:$PORT" --local-interface "$1" \
		--helo client.example --from a@b.example --to "$2" \
		--body "for the LDA" --timeout 10
}

@test "Dovecot offers XCLIENT: its log and Received: name the real client" {
	dovecot_setup
	echo "login_trusted_networks = 127.0.0.1/32" >>"$DCONF"
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" "log-level debug"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG" "$DLOG"; false; }
	wait_sessions
	f=$(the_file "$(inbox alice)")
	# Dovecot's own Received: (with LMTP) names the client
	grep -A1 '^Received: from .*(\[127\.0\.0\.2\])$' "$f" | grep -q 'with LMTP'
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 127.0.0.2"
	run cat "$LOG"
	assert_contains "$output" "event=xclient target=inet:127.0.0.1:$DPORT client=127.0.0.2 result=accepted"
}

@test "the client of a PROXY header reaches Dovecot through XCLIENT too" {
	dovecot_setup
	echo "login_trusted_networks = 127.0.0.1/32" >>"$DCONF"
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" \
		"proxy-protocol yes" "proxy-from 127.0.0.1/32"
	start_server
	run smtp_raw -n 'PROXY TCP4 192.0.2.44 127.0.0.1 40000 25\r\n' @1 \
		'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nhello\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 192.0.2.44"
}

@test "Dovecot does not offer XCLIENT: delivered all the same, as from us" {
	dovecot_setup
	dovecot_start
	write_conf "$(lmtp_route "inet:127.0.0.1:$DPORT")" "log-level debug"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG" "$DLOG"; false; }
	wait_sessions
	[ "$(count_files "$(inbox alice)")" -eq 1 ]
	run cat "$DLOG"
	assert_contains "$output" "Disconnect from 127.0.0.1"
	assert_not_contains "$output" "127.0.0.2"
	run cat "$LOG"
	assert_not_contains "$output" "event=xclient"
}

# fake_lda MODE: an LMTP server on stdio that offers XCLIENT and, in
# MODE accept, greets again after it, or in MODE refuse answers 550; it
# logs every line it reads to $T/lda.log and delivers to $T/lda.msg.
fake_lda() {
	cat >"$T/lda.py" <<'PY'
import sys
mode, log = sys.argv[1], open(sys.argv[2], "a")
inp, out = sys.stdin.buffer, sys.stdout.buffer
def say(s):
    out.write(s.encode() + b"\r\n"); out.flush()
say("220 lda ready")
rcpts = 0
while True:
    line = inp.readline()
    if not line:
        break
    log.write(line.decode().rstrip("\r\n") + "\n"); log.flush()
    cmd = line[:4].upper()
    if cmd == b"LHLO":
        say("250-lda"); say("250-XCLIENT ADDR PORT HELO PROTO LOGIN"); say("250 PIPELINING")
    elif cmd == b"XCLI":
        say("220 lda ready again" if mode == "accept" else "550 5.7.14 not trusted")
    elif cmd == b"MAIL":
        say("250 2.1.0 ok")
    elif cmd == b"RCPT":
        rcpts += 1; say("250 2.1.5 ok")
    elif cmd == b"DATA":
        say("354 go")
        while inp.readline() not in (b".\r\n", b""):
            pass
        for _ in range(rcpts):
            say("250 2.0.0 saved")
        rcpts = 0
    elif cmd == b"QUIT":
        say("221 bye"); break
    else:
        say("250 ok")
PY
	echo "route * $LMTP_BIN exec:$PYTHON $T/lda.py $1 $T/lda.log"
}

@test "XCLIENT: the attributes the LDA lists, then LHLO again" {
	write_conf "$(fake_lda accept)" "log-level debug"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG"; false; }
	wait_sessions
	run cat "$T/lda.log"
	assert_contains "${lines[0]}" "LHLO "
	assert_contains "${lines[1]}" "XCLIENT ADDR=127.0.0.2 PORT="
	assert_contains "${lines[1]}" " PROTO=ESMTP HELO=client.example"
	assert_contains "${lines[2]}" "LHLO "
	assert_contains "${lines[3]}" "MAIL FROM:<a@b.example>"
}

@test "XCLIENT refused: delivered all the same, and a warning" {
	write_conf "$(fake_lda refuse)"
	start_server
	run send_from 127.0.0.2 alice@example.org
	[ "$status" -eq 0 ] || { echo "$output"; cat "$LOG"; false; }
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	run cat "$T/lda.log"
	assert_contains "${lines[1]}" "XCLIENT ADDR=127.0.0.2"
	assert_contains "${lines[2]}" "MAIL FROM:<a@b.example>"
	run cat "$LOG"
	assert_contains "$output" "event=xclient target=exec:$PYTHON result=refused reply=\"5.7.14 not trusted\""
}
