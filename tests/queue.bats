#!/usr/bin/env bats
# The queue: samotop-queue (an LMTP helper), samotop-sendmail and
# samotop-mailq, and the files they leave in the queue directory.

load lib

QUEUE_BIN=$TOP/samotop-queue
SENDMAIL_BIN=$TOP/samotop-sendmail
MAILQ_BIN=$TOP/samotop-mailq

setup() {
	common_setup
	[ -x "$QUEUE_BIN" ] || skip "samotop-queue is not built"
	Q=$T/q
	write_conf "queue $Q"
	MNT=
}

teardown() {
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || true
	common_teardown
}

# lmtp LINE...: samotop-queue fed the lines (CRLF added), its replies
# (CR removed) after LHLO's.
lmtp() {
	printf '%s\r\n' "$@" | timeout 30 "$QUEUE_BIN" -c "$CONF" 2>>"$LOG" |
		tr -d '\r' | awk 'f; /^250 / && !f { f = 1 }'
}

# ids: the IDs in env/, one a line.
ids() { ls "$Q/env" 2>/dev/null; }

@test "samotop-queue: one enqueue for all recipients, each answered 250 queued as ID" {
	run lmtp 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@example.org>' \
		'RCPT TO:<v@example.org>' DATA 'Subject: q' '' 'body' '..dot' . QUIT
	[ "$status" -eq 0 ]
	id=$(ids)
	[ "$(wc -l <<<"$id")" -eq 1 ]
	assert_line_eq 4 "250 2.0.0 queued as $id"
	assert_line_eq 5 "250 2.0.0 queued as $id"
	[[ "$id" =~ ^[0-9]+-[0-9a-f]{16}$ ]]
	[ "$(cat "$Q/env/$id")" = "$(printf 'samotop-queue 1\nid %s\ntime %s\nfrom a@b.example\nrcpt u@example.org\nrcpt v@example.org' "$id" "${id%%-*}")" ]
	[ "$(cat "$Q/mess/$id")" = "$(printf 'Subject: q\r\n\r\nbody\r\n.dot\r')" ]
	[ "$(count_files "$Q/tmp")" -eq 0 ]
	[ ! -e "$Q/state/$id" ]
	grep -q "event=queued id=$id from=a@b.example nrcpt=2" "$LOG"
}

@test "samotop-queue: <>, SMTPUTF8 and 8-bit content are in the envelope; RSET and cut input queue nothing" {
	run lmtp 'LHLO t' 'MAIL FROM:<>' 'RCPT TO:<ü@example.org>' DATA \
		"$(printf 'Subject: \xc3\xa9')" '' . QUIT
	id=$(ids)
	grep -qx 'from ' "$Q/env/$id"
	grep -qx 'param SMTPUTF8' "$Q/env/$id"
	grep -qx 'param BODY=8BITMIME' "$Q/env/$id"
	run lmtp 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@example.org>' RSET QUIT
	run bash -c "printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@example.org>' DATA 'Subject: cut' | '$QUEUE_BIN' -c '$CONF' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$(ids | wc -l)" -eq 1 ]
	[ "$(count_files "$Q/mess")" -eq 1 ]
	[ "$(count_files "$Q/tmp")" -eq 0 ]
}

@test "samotop-queue: a failed commit answers 451 4.3.0 for each recipient, never 250, and leaves nothing" {
	"$PYTHON" - "$QUEUE_BIN" "$CONF" "$Q" >"$T/out" 2>>"$LOG" <<'PY'
import os, subprocess, sys
qbin, conf, q = sys.argv[1:4]
p = subprocess.Popen([qbin, "-c", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(b"LHLO t\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\n"
              b"RCPT TO:<v@example.org>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n")
p.stdin.flush()
while not p.stdout.readline().startswith(b"354"):
    pass
# env/ becomes a file: the rename into it, the commit point, fails
os.rmdir(os.path.join(q, "env"))
open(os.path.join(q, "env"), "w").close()
p.stdin.write(b".\r\nQUIT\r\n")
p.stdin.close()
sys.stdout.write(p.stdout.read().decode())
p.wait()
PY
	run tr -d '\r' <"$T/out"
	assert_contains "$output" "$(printf '451 4.3.0 queue write failed\n451 4.3.0 queue write failed\n221 ')"
	assert_not_contains "$output" "queued as"
	[ "$(count_files "$Q/tmp")" -eq 0 ]
	[ "$(count_files "$Q/mess")" -eq 0 ]
	grep -q 'event=queue .*op="rename to env/" error="Not a directory"' "$LOG"
}

@test "samotop-queue: a full disk answers 452 4.3.1 for each recipient; the next small message is queued" {
	MNT=$T/full
	mkdir -p "$MNT"
	mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null ||
		{ MNT=; skip "cannot mount a small tmpfs (not root, or no CAP_SYS_ADMIN)"; }
	write_conf "queue $MNT/q"
	big=$(head -c 200000 /dev/zero | tr '\0' 'x' | fold -w 76)
	run lmtp 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@example.org>' \
		'RCPT TO:<v@example.org>' DATA 'Subject: big' '' "$big" . QUIT
	assert_line_eq 4 "452 4.3.1 queue full"
	assert_line_eq 5 "452 4.3.1 queue full"
	grep -q 'error="No space left on device"' "$LOG"
	[ "$(count_files "$MNT/q/tmp")" -eq 0 ]
	[ "$(count_files "$MNT/q/env")" -eq 0 ]
	run lmtp 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@example.org>' DATA 'Subject: small' '' . QUIT
	[[ "${lines[3]}" == "250 2.0.0 queued as "* ]]
	[ "$(count_files "$MNT/q/env")" -eq 1 ]
}

@test "samotop-queue killed with SIGKILL at random moments: every 250 is a complete message in the queue" {
	run "$PYTHON" "$TESTS_DIR/queue_kill.py" "$QUEUE_BIN" "$CONF" "$Q" 100
	echo "# $output" >&3
	[ "$status" -eq 0 ]
	acked=$(sed -n 's/.*acked=\([0-9]*\).*/\1/p' <<<"$output")
	[ "$acked" -ge 100 ]
}

@test "samotop-smtpd with a route to samotop-queue: the message and its Received: in the queue" {
	write_conf "queue $Q" "route @example.org $QUEUE_BIN -c $CONF"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: via smtpd\r\n\r\nhi\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	id=$(ids)
	grep -qx 'rcpt u@example.org' "$Q/env/$id"
	grep -q '^Received: from c ' "$Q/mess/$id"
	grep -q '^Subject: via smtpd' "$Q/mess/$id"
}

# sendmail ARGS...: samotop-sendmail -C $CONF ARGS..., the message on stdin
sendmail() { "$SENDMAIL_BIN" -C "$CONF" "$@"; }

@test "samotop-sendmail: recipients as arguments, LF made CRLF, Date:, Message-ID:, From: and Received: added" {
	printf 'Subject: cron\n\nline 1\nline 2\n' | sendmail bob@example.org root
	id=$(ids)
	grep -qx 'rcpt bob@example.org' "$Q/env/$id"
	grep -qx 'rcpt root@mx.test' "$Q/env/$id"
	login=$(id -un)
	grep -qx "from $login@mx.test" "$Q/env/$id"
	m=$Q/mess/$id
	[ "$(grep -c $'\r$' "$m")" -eq "$(wc -l <"$m")" ]
	head -1 "$m" | grep -q "^Received: (from $login uid $(id -u))"
	grep -q $'^Date: .*[+-][0-9]\{4\}\r$' "$m"
	grep -qx $"Message-ID: <$id@mx.test>"$'\r' "$m"
	grep -qx "From: $login@mx.test"$'\r' "$m"
	[ "$(tail -2 "$m")" = "$(printf 'line 1\r\nline 2\r')" ]
}

@test "samotop-sendmail -t -f -F: recipients from To, Cc and Bcc, Bcc removed, the header's own fields kept" {
	printf '%s\n' 'From: Me <me@example.net>' 'Date: Mon, 1 Jan 2024 00:00:00 +0000' \
		'Message-ID: <x@example.net>' 'To: Bob <bob@example.org>, carol@example.org' \
		'Cc: dave@example.org' 'Bcc: eve@example.org,' '  frank@example.org' \
		'Subject: hi' '' 'To: not@example.org' |
		sendmail -t -f bounce@example.net -F 'Not Used' extra@example.org
	id=$(ids)
	[ "$(grep '^rcpt ' "$Q/env/$id" | tr '\n' ' ')" = "rcpt extra@example.org rcpt bob@example.org rcpt carol@example.org rcpt dave@example.org rcpt eve@example.org rcpt frank@example.org " ]
	grep -qx 'from bounce@example.net' "$Q/env/$id"
	m=$Q/mess/$id
	refute grep -qi '^bcc:' "$m"
	refute grep -q 'frank' "$m"
	[ "$(grep -c '^Date: ' "$m")" -eq 1 ]
	[ "$(grep -c '^Message-ID: ' "$m")" -eq 1 ]
	[ "$(grep -c '^From: ' "$m")" -eq 1 ]
	grep -q '^To: not@example.org' "$m"
}

@test "samotop-sendmail: a dot line ends the message unless -i or -oi; -F names the From:" {
	printf 'Subject: a\n\nbefore\n.\nafter\n' | sendmail -F 'Cron "Daemon"' u@example.org
	m=$Q/mess/$(ids)
	refute grep -q after "$m"
	grep -qx 'From: "Cron \\"Daemon\\"" <'"$(id -un)"'@mx.test>'$'\r' "$m"
	rm -f "$Q"/env/* "$Q"/mess/*
	printf 'Subject: b\n\nbefore\n.\nafter\n' | sendmail -oi -odi -oem u@example.org
	m=$Q/mess/$(ids)
	[ "$(tail -2 "$m")" = "$(printf '.\r\nafter\r')" ]
	rm -f "$Q"/env/* "$Q"/mess/*
	printf 'Subject: c\n\n.\nafter\n' | sendmail -i u@example.org
	grep -q after "$Q/mess/$(ids)"
}

@test "samotop-sendmail: exit statuses as sendmail's" {
	run sendmail </dev/null
	[ "$status" -eq 64 ]
	assert_contains "$output" "no recipients"
	run bash -c "printf 'Subject: x\n\n' | '$SENDMAIL_BIN' -C '$CONF' -t"
	[ "$status" -eq 64 ]
	run sendmail 'bad address@@x' </dev/null
	[ "$status" -eq 65 ]
	run sendmail -f 'a@@b' u@example.org </dev/null
	[ "$status" -eq 65 ]
	run sendmail -bp
	[ "$status" -eq 64 ]
	assert_contains "$output" "not supported"
	run "$SENDMAIL_BIN" -C "$T/nonexistent" u@example.org </dev/null
	[ "$status" -eq 66 ]
	echo 'queue' >"$T/bad.conf"
	run "$SENDMAIL_BIN" -C "$T/bad.conf" u@example.org </dev/null
	[ "$status" -eq 78 ]
	touch "$T/file"
	write_conf "queue $T/file/q"
	run sendmail u@example.org </dev/null
	[ "$status" -eq 73 ]
	[ "$(ids | wc -l)" -eq 0 ]
}

@test "samotop-mailq: the listing, -r ID makes pending recipients due now, -d ID deletes" {
	run "$MAILQ_BIN" -c "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "queue is empty" ]
	printf 'Subject: 1\n\nx\n' | sendmail -f '' u@example.org v@example.org
	id=$(ids)
	printf 'samotop-state 1\nrcpt 0 pending 2 9999999999 451 4.7.1 try later\nrcpt 1 done 1 0 250 2.0.0 ok\nwarned 5\nfuture line\n' >"$Q/state/$id"
	run "$MAILQ_BIN" -c "$CONF"
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$Q/mess/$id")
	assert_line_eq 0 "$id 0m $size <>"
	assert_line_eq 1 '  u@example.org pending attempts=2 next=2286-11-20T17:46:39Z last="451 4.7.1 try later"'
	assert_line_eq 2 '  v@example.org done attempts=1 last="250 2.0.0 ok"'
	assert_line_eq 3 '1 message, 1 recipient pending'
	run "$MAILQ_BIN" -c "$CONF" -r "$id"
	[ "$status" -eq 0 ]
	now=$(date +%s)
	t=$(sed -n 's/^rcpt 0 pending 2 \([0-9]*\) 451 4.7.1 try later$/\1/p' "$Q/state/$id")
	[ "$t" -le "$now" ] && [ "$t" -ge $((now - 60)) ]
	grep -qx 'rcpt 1 done 1 0 250 2.0.0 ok' "$Q/state/$id"
	grep -qx 'future line' "$Q/state/$id"
	[ "$(count_files "$Q/tmp")" -eq 0 ]
	run "$MAILQ_BIN" -c "$CONF" -d "$id"
	[ "$status" -eq 0 ]
	[ "$(count_files "$Q/env")$(count_files "$Q/state")$(count_files "$Q/mess")" = 000 ]
	run "$MAILQ_BIN" -c "$CONF" -d "$id"
	[ "$status" -eq 66 ]
	run "$MAILQ_BIN" -c "$CONF" -r ../etc
	[ "$status" -eq 64 ]
	echo garbage >"$Q/env/1-0123456789abcdef"
	run "$MAILQ_BIN" -c "$CONF"
	[ "$status" -eq 65 ]
}

@test "samotop-sendmail -t: a Bcc: first, folded, is removed whole; an mbox From line is dropped" {
	printf '%s\n' 'From someone Mon Jan  1 00:00:00 2024' 'Bcc: a@example.org,' \
		'	b@example.org' 'Subject: s' '' 'body' | sendmail -t
	id=$(ids)
	[ "$(grep '^rcpt ' "$Q/env/$id" | tr '\n' ' ')" = "rcpt a@example.org rcpt b@example.org " ]
	m=$Q/mess/$id
	refute grep -q 'example.org,\|b@example.org\|From someone' "$m"
	grep -q '^Subject: s' "$m"
	[ "$(tail -1 "$m")" = "$(printf 'body\r')" ]
}

@test "samotop-sendmail -bs: SMTP on stdio, 250 queued as ID per message, dot-unstuffed, cut DATA queues nothing" {
	run bash -c "printf '%s\r\n' 'EHLO x' 'MAIL FROM:<a@b.example>' 'RCPT TO:<c@example.org>' \
		'RCPT TO:<postmaster>' DATA 'Subject: one' '' '..dot' . 'MAIL FROM:<>' 'RCPT TO:<d@example.org>' \
		DATA 'Subject: two' '' . 'RCPT TO:<e@example.org>' 'FOO' 'MAIL FROM:<a@b.example>' \
		'RCPT TO:<f@example.org>' DATA 'Subject: cut' | '$SENDMAIL_BIN' -C '$CONF' -bs | tr -d '\r'"
	[ "$status" -eq 0 ]
	assert_line_eq 0 "220 mx.test ESMTP samotop-sendmail"
	[ "$(grep -c '^250 2.0.0 queued as ' <<<"$output")" -eq 2 ]
	assert_contains "$output" "503 5.5.1 need MAIL first"
	assert_contains "$output" "502 5.5.2 command not recognized"
	[ "$(ids | wc -l)" -eq 2 ]
	one=$(grep -l '^from a@b.example$' "$Q"/env/*)
	grep -qx 'rcpt postmaster@mx.test' "$one"
	m=$Q/mess/$(basename "$one")
	[ "$(tail -1 "$m")" = "$(printf '.dot\r')" ]
	grep -q '^Message-ID: ' "$m"
	two=$(grep -l '^from $' "$Q"/env/*)
	grep -qx 'rcpt d@example.org' "$two"
	[ "$(count_files "$Q/tmp")" -eq 0 ]
	[ "$(count_files "$Q/mess")" -eq 2 ]
}
