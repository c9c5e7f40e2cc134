#!/usr/bin/env bats
# The outbound path against real peers: samotop-send -1 and the real
# samotop-remote, inside the test namespace with its DNS (tests/dns.bash,
# tests/dns/postfix.test.zone), deliver to Postfix as the remote MX
# (tests/postfix.bash: Debian's package extracted, never installed):
#   127.0.0.41  sink.postfix.test      smtp-sink, takes everything
#   127.0.0.42  tempfail.postfix.test  smtp-sink, 452 to every RCPT
#   127.0.0.43  reject.postfix.test    smtp-sink, 550 to every RCPT
#   127.0.0.44  down.postfix.test      nothing listens
#   127.0.0.45  pf.postfix.test        Postfix itself, with STARTTLS
# The sender's domain, sender.test, is local: its bounces go through a
# route to samotop-maildir.  Checked: what the peer received, the queue
# (samotop-mailq), the bounce in the sender's Maildir, the log.  Then the
# crash test against smtp-sink.  Needs root (ip netns), nsd, and the
# network once (tests/postfix-fetch.sh), as ./setup does.

load lib
load dns
load tls
load postfix

SEND_BIN=$TOP/samotop-send
PUT=$TESTS_DIR/queue_put.sh

setup_file() {
	dns_setup_file
	pf_setup_file
	make_certs
}

teardown_file() {
	pf_teardown_file
	dns_teardown_file
}

setup() {
	common_setup
	dns_setup
	if [ ! -x "$SEND_BIN" ] || [ ! -x "$TOP/samotop-remote" ] ||
	    [ ! -x "$TOP/samotop-mailq" ]; then
		skip "the queue's programs are not built"
	fi
	need_maildir
	pf_need
	tls_paths
	Q=$T/queue
	SEND_PID=
	make_maildir "$T/Maildir"
	# samotop-remote next to samotop-send, with this file (-c)
	write_conf "queue $Q" "queue-retry 10m,1h" \
		"route @sender.test $MAILDIR_BIN -c $T/Maildir"
}

teardown() {
	[ -z "${SEND_PID:-}" ] || kill -9 -- "-$SEND_PID" 2>/dev/null || true
	pf_stop
	common_teardown
}

# send_once: samotop-send -1 in the namespace (samotop-remote asks its
# DNS), its log into $LOG.
send_once() { in_ns "$SEND_BIN" -1 -c "$CONF" 2>>"$LOG"; }
queued() { find "$Q/env" -type f | wc -l; }

@test "Postfix's smtp-sink takes the message: it got the envelope and the content; the queue is empty; the log names the host" {
	sink_start 127.0.0.41 sink.postfix.test
	id=$("$PUT" "$Q" now a@sender.test x@good.postfix.test y@good.postfix.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	run sink_dumps sink.postfix.test
	assert_contains "$output" "X-Mail-Args: <a@sender.test>"
	assert_contains "$output" "X-Rcpt-Args: <x@good.postfix.test>"
	assert_contains "$output" "X-Rcpt-Args: <y@good.postfix.test>"
	assert_contains "$output" "Subject: message $id"
	assert_contains "$output" "body of $id"
	# one transaction for both recipients
	[ "$(printf '%s\n' "$output" | grep -c '^X-Mail-Args:')" -eq 1 ]
	grep -q "event=delivery id=$id to=x@good.postfix.test status=sent code=250 .*host=sink.postfix.test ip=127.0.0.41 tls=none" "$LOG"
	grep -q "event=delivery id=$id to=y@good.postfix.test status=sent code=250" "$LOG"
}

@test "Postfix itself over STARTTLS: it logs the TLS connection and holds the message, received with ESMTPS; our log names the TLS version" {
	pf_start 127.0.0.45
	id=$("$PUT" "$Q" now a@sender.test z@tls.postfix.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	grep -Eq "event=delivery id=$id to=z@tls.postfix.test status=sent code=250 .*host=pf.postfix.test ip=127.0.0.45 tls=TLSv1\.[23]" "$LOG"
	run pf_held
	assert_contains "$output" "Subject: message $id"
	assert_contains "$output" "sender: a@sender.test"
	assert_contains "$output" "recipient: z@tls.postfix.test"
	[[ $output == *"by pf.postfix.test (Postfix) with ESMTPS id "* ]]
	grep -Eq "TLS connection established from [^ ]+\[127\.0\.0\.1\]: TLSv1\.[23]" "$PF_DIR/maillog"
}

@test "a Postfix sink that tempfails: the message stays queued with its 452 in samotop-mailq and the next try from queue-retry" {
	sink_start 127.0.0.42 tempfail.postfix.test -r RCPT \
		-b "452 4.2.2 sink: mailbox full, try later"
	id=$("$PUT" "$Q" now a@sender.test x@temp.postfix.test </dev/null)
	before=$(date +%s)
	send_once
	[ -e "$Q/env/$id" ]
	run "$TOP/samotop-mailq" -c "$CONF"
	assert_contains "$output" "x@temp.postfix.test pending attempts=1 next="
	assert_contains "$output" 'last="452 4.2.2 sink: mailbox full, try later"'
	[[ $(cat "$Q/state/$id") =~ rcpt\ 0\ pending\ 1\ ([0-9]+)\ 452\ 4\.2\.2 ]]
	next=${BASH_REMATCH[1]}
	[ "$next" -ge $((before + 600)) ] && [ "$next" -le $((before + 605)) ]
	grep -q "event=delivery id=$id to=x@temp.postfix.test status=deferred code=452 .*host=tempfail.postfix.test" "$LOG"
	[ -z "$(sink_dumps tempfail.postfix.test)" ]
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]	# no bounce
}

@test "a Postfix sink that rejects: the sender gets a bounce in its Maildir with the remote reply; the queue is empty" {
	sink_start 127.0.0.43 reject.postfix.test -f RCPT \
		-B "550 5.1.1 sink: no such user here"
	id=$(printf 'From: a@sender.test\nSubject: the original\n\nbody\n' |
		"$PUT" "$Q" now a@sender.test nobody@bad.postfix.test)
	send_once
	send_once	# the bounce, queued by the first pass
	[ "$(queued)" -eq 0 ]
	grep -q "event=delivery id=$id to=nobody@bad.postfix.test status=failed code=550" "$LOG"
	f=$(the_file "$T/Maildir/new")
	m=$(tr -d '\r' <"$f")
	assert_contains "$m" "Return-Path: <>"
	assert_contains "$m" "<nobody@bad.postfix.test>: host reject.postfix.test said: 550 5.1.1 sink: no such user here"
	assert_contains "$m" "Final-Recipient: rfc822; nobody@bad.postfix.test
Action: failed
Status: 5.1.1
Remote-MTA: dns; reject.postfix.test
Diagnostic-Code: smtp; 550 5.1.1 sink: no such user here"
	assert_contains "$m" "Subject: the original"
}

@test "an MX that is down: connection refused, the message deferred with 4.4.1" {
	id=$("$PUT" "$Q" now a@sender.test x@gone.postfix.test </dev/null)
	send_once
	[ -e "$Q/env/$id" ]
	run "$TOP/samotop-mailq" -c "$CONF"
	assert_contains "$output" "x@gone.postfix.test pending attempts=1 next="
	assert_contains "$output" 'last="451 4.4.1 down.postfix.test: connect: Connection refused"'
	grep -q "event=delivery id=$id to=x@gone.postfix.test status=deferred code=451" "$LOG"
}

@test "MX preference: the first MX is down, the second, Postfix's sink, takes the message" {
	sink_start 127.0.0.41 sink.postfix.test
	id=$("$PUT" "$Q" now a@sender.test x@backup.postfix.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	grep -q "event=delivery id=$id to=x@backup.postfix.test status=sent code=250 .*host=sink.postfix.test ip=127.0.0.41" "$LOG"
	run sink_dumps sink.postfix.test
	assert_contains "$output" "X-Rcpt-Args: <x@backup.postfix.test>"
	assert_contains "$output" "Subject: message $id"
}

@test "crash test against Postfix's smtp-sink: kill -9 of samotop-send's process group at random moments while 100 messages flow; each arrives at least once" {
	sink_start 127.0.0.41 sink.postfix.test
	total=100
	(for i in $(seq $total); do "$PUT" "$Q" now a@sender.test "u$i@good.postfix.test" </dev/null >>"$T/ids"; done) &
	putter=$!
	kills=0
	end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		# setsid: samotop-send (ip execs it) leads a process group of
		# its own, with its samotop-remote jobs
		setsid ip netns exec "$DNS_NS" "$SEND_BIN" -c "$CONF" \
			2>>"$LOG" 3>&- &
		SEND_PID=$!
		sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
		kill -9 -- "-$SEND_PID" 2>/dev/null || true
		wait "$SEND_PID" 2>/dev/null || true
		SEND_PID=
		kills=$((kills + 1))
		kill -0 "$putter" 2>/dev/null || [ "$(queued)" -gt 0 ] || break
	done
	wait "$putter"
	# restart: whatever is left, made due now (a job killed a moment
	# before its parent was recorded as deferred)
	send_once
	sed -i 's/^\(rcpt [0-9]* pending [0-9]*\) [0-9]* /\1 0 /' "$Q"/state/* 2>/dev/null || true
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(wc -l <"$T/ids")" -eq $total ]
	sink_dumps sink.postfix.test | grep "^Subject: message " >"$T/got" || true
	delivered=$(wc -l <"$T/got")
	unique=$(sort -u "$T/got" | wc -l)
	missing=0
	while read -r id; do
		grep -q "^Subject: message $id$" "$T/got" || missing=$((missing + 1))
	done <"$T/ids"
	echo "# crash test (Postfix smtp-sink): $total messages, $kills kills, $delivered deliveries, $((delivered - unique)) duplicates, $missing missing" >&3
	[ "$missing" -eq 0 ]
	[ "$unique" -eq $total ]
	# only deliveries in flight repeat: at most
	# queue-concurrency-domain (20) per kill
	[ $((delivered - unique)) -le $((kills * 20)) ]
}
