#!/usr/bin/env bats
# samotop-send, the queue's scheduler: messages are queued by writing the
# queue's files directly (tests/queue_put.sh, the fixed format), local
# recipients go through a route to samotop-maildir, remote ones to a MOCK
# samotop-remote (a script of that name, configured as queue-remote) that
# prints the r/m lines the test chooses.  Then the crash test: kill -9 of
# the scheduler's whole process group while messages flow.

load lib

SEND_BIN=$TOP/samotop-send
PUT=$TESTS_DIR/queue_put.sh

setup() {
	common_setup
	[ -x "$SEND_BIN" ] || skip "samotop-send is not built"
	need_maildir
	Q=$T/queue
	make_maildir "$T/Maildir"
	mkdir -p "$T/bin"
	# the mock: FAKE_CODE for every recipient (FAKE_CODE_<n> for the
	# n-th), its arguments appended to $T/remote.args
	cat >"$T/bin/samotop-remote" <<'EOF'
#!/bin/sh
echo "$*" >>"${0%/bin/samotop-remote}/remote.args"
cat >/dev/null
domain=$1
shift 2
if [ -n "${FAKE_SLEEP:-}" ]; then
	# how many run at once, overall and to this domain
	d=${0%/bin/samotop-remote}
	mkdir "$d/running.$domain.$$"
	echo "$(ls -d "$d"/running.* | wc -l) $(ls -d "$d/running.$domain".* | wc -l)" >>"$d/concurrent"
	sleep "$FAKE_SLEEP"
	rmdir "$d/running.$domain.$$"
fi
n=0
for r in "$@"; do
	n=$((n + 1))
	eval "c=\${FAKE_CODE_$n:-\${FAKE_CODE:-250}}"
	echo "r $r $c ${FAKE_TEXT:-2.0.0 mock ok}"
done
echo "m ${FAKE_CODE:-250} ${FAKE_TEXT:-2.0.0 mock ok} host=mx.$domain ip=127.0.0.1 tls=TLSv1.3"
EOF
	chmod +x "$T/bin/samotop-remote"
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"route @local.test $MAILDIR_BIN -c $T/Maildir"
	SEND_PID=
}

teardown() {
	[ -z "${SEND_PID:-}" ] || kill -9 -- "-$SEND_PID" 2>/dev/null || true
	common_teardown
}

send_once() { "$SEND_BIN" -1 -c "$CONF" 2>>"$LOG"; }
queued() { ls "$Q/env" | wc -l; }

@test "samotop-send -1: local and remote recipients delivered, the message removed, one log line per recipient with host and TLS" {
	id=$("$PUT" "$Q" now a@send.test u@local.test x@far.test y@far.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	[ ! -e "$Q/mess/$id" ] && [ ! -e "$Q/state/$id" ]
	grep -q "^Subject: message $id" "$T"/Maildir/new/*
	# one samotop-remote for the domain, both recipients
	[ "$(cat "$T/remote.args")" = "far.test a@send.test x@far.test y@far.test" ]
	grep -q "event=delivery id=$id to=x@far.test status=sent code=250 .*host=mx.far.test ip=127.0.0.1 tls=TLSv1.3" "$LOG"
	grep -q "event=delivery id=$id to=u@local.test status=sent code=250 .*via=$MAILDIR_BIN" "$LOG"
	grep -q "event=removed id=$id" "$LOG"
}

@test "samotop-send: a 4xx leaves the recipient pending, attempts 1, its next try from queue-retry" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" "queue-retry 7m,1h"
	id=$("$PUT" "$Q" now a@send.test x@far.test </dev/null)
	before=$(date +%s)
	FAKE_CODE=451 FAKE_TEXT="4.7.1 greylisted" send_once
	[ -e "$Q/env/$id" ] && [ -e "$Q/mess/$id" ]
	run cat "$Q/state/$id"
	assert_line_eq 0 "samotop-state 1"
	[[ "${lines[1]}" =~ ^rcpt\ 0\ pending\ 1\ ([0-9]+)\ 451\ 4.7.1\ greylisted$ ]]
	next=${BASH_REMATCH[1]}
	[ "$next" -ge $((before + 420)) ] && [ "$next" -le $((before + 425)) ]
	grep -q "event=delivery id=$id to=x@far.test status=deferred code=451" "$LOG"
	# -1 again: not yet due, so left alone (the mock is not run again)
	send_once
	[ "$(wc -l <"$T/remote.args")" -eq 1 ]
	[ -e "$Q/env/$id" ]
}

@test "samotop-send: a 5xx removes the message and queues a DSN to the sender, from <>" {
	id=$(printf 'From: a@send.test\nSubject: the original\n\nbody\n' |
		"$PUT" "$Q" now a@send.test x@far.test ok@far.test)
	FAKE_CODE=250 FAKE_CODE_1=550 FAKE_TEXT="5.1.1 no such user" send_once
	[ ! -e "$Q/env/$id" ] && [ ! -e "$Q/mess/$id" ] && [ ! -e "$Q/state/$id" ]
	[ "$(queued)" -eq 1 ]
	dsn=$(ls "$Q/env")
	run cat "$Q/env/$dsn"
	assert_line_eq 3 "from "
	assert_line_eq 4 "rcpt a@send.test"
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "From: Mail Delivery System <MAILER-DAEMON@mx.test>"
	assert_contains "$m" "Auto-Submitted: auto-replied"
	assert_contains "$m" "Content-Type: multipart/report; report-type=delivery-status;"
	assert_contains "$m" "<x@far.test>: host mx.far.test said: 550 5.1.1 no such user"
	assert_contains "$m" "Final-Recipient: rfc822; x@far.test
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.far.test
Diagnostic-Code: smtp; 550 5.1.1 no such user"
	assert_not_contains "$m" "ok@far.test"
	assert_contains "$m" "Content-Type: text/rfc822-headers

From: a@send.test
Subject: the original
"
	# the DSN itself fails: no bounce of a bounce
	FAKE_CODE=550 send_once
	[ "$(queued)" -eq 0 ]
}

@test "samotop-send: after queue-lifetime a pending recipient fails with 4.4.7 and is bounced" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" "queue-lifetime 1d"
	old=$(( $(date +%s) - 2 * 86400 ))
	id=$("$PUT" "$Q" "$old" a@send.test x@far.test </dev/null)
	printf 'samotop-state 1\nrcpt 0 pending 3 %s 451 4.4.1 connection refused\n' "$old" >"$Q/state/$id"
	send_once
	[ ! -e "$Q/env/$id" ]
	# expired before a new attempt: the mock never ran
	[ ! -e "$T/remote.args" ]
	grep -q "event=expired id=$id to=x@far.test" "$LOG"
	dsn=$(ls "$Q/env")
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "Status: 4.4.7"
	assert_contains "$m" "4.4.7 message expired; last: 451 4.4.1 connection refused"
}

@test "samotop-send: no DSN for a message from <>; garbage removed" {
	id=$("$PUT" "$Q" now "" x@far.test </dev/null)
	# an old tmp/ file and an orphan mess/ file; a fresh tmp/ file stays
	touch -d '2 days ago' "$Q/tmp/junk" "$Q/mess/1000000000-0123456789abcdef"
	touch "$Q/tmp/fresh"
	FAKE_CODE=554 send_once
	[ "$(queued)" -eq 0 ]
	[ ! -e "$Q/tmp/junk" ] && [ ! -e "$Q/mess/1000000000-0123456789abcdef" ]
	[ -e "$Q/tmp/fresh" ]
	[ -z "$(ls "$Q/mess")" ]
}

@test "samotop-send with the queue's other programs: samotop-sendmail queues, samotop-mailq shows the state, -r makes it due" {
	[ -x "$TOP/samotop-sendmail" ] && [ -x "$TOP/samotop-mailq" ] ||
	    skip "samotop-sendmail or samotop-mailq is not built"
	printf 'Subject: via sendmail\n\nbody\n' |
	    "$TOP/samotop-sendmail" -C "$CONF" -f a@send.test u@local.test x@far.test
	id=$(ls "$Q/env")
	FAKE_CODE=451 FAKE_TEXT="4.7.1 later" send_once
	grep -q "^Subject: via sendmail" "$T"/Maildir/new/*
	run "$TOP/samotop-mailq" -c "$CONF"
	assert_contains "$output" "u@local.test done attempts=1"
	assert_contains "$output" "x@far.test pending attempts=1 next="
	assert_contains "$output" 'last="451 4.7.1 later"'
	# not due: left alone; made due by samotop-mailq -r: delivered
	send_once
	[ -e "$Q/env/$id" ]
	"$TOP/samotop-mailq" -c "$CONF" -r "$id"
	send_once
	[ ! -e "$Q/env/$id" ]
	[ "$(wc -l <"$T/remote.args")" -eq 2 ]
	[ "$(ls "$T"/Maildir/new | wc -l)" -eq 1 ]
}

@test "samotop-send: queue-warn sends one delay DSN after an attempt, with its reply; the recipient stays pending" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" "queue-warn 1h"
	id=$("$PUT" "$Q" $(( $(date +%s) - 7200 )) a@send.test x@far.test </dev/null)
	FAKE_CODE=451 FAKE_TEXT="4.4.1 no answer" send_once
	grep -q "^rcpt 0 pending 1 " "$Q/state/$id"
	grep -q "^warned [0-9]" "$Q/state/$id"
	[ "$(queued)" -eq 2 ]
	dsn=$(ls "$Q/env" | grep -v "^$id$")
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "Subject: Delayed Mail (still being retried)"
	assert_contains "$m" "Action: delayed"
	assert_contains "$m" "<x@far.test>: host mx.far.test said: 451 4.4.1 no answer"
	# once only
	grep -q "event=dsn id=$id .*action=delayed" "$LOG"
	sed -i 's/^\(rcpt 0 pending 1\) [0-9]* /\1 0 /' "$Q/state/$id"
	FAKE_CODE=451 send_once
	[ "$(grep -c "event=dsn id=$id" "$LOG")" -eq 1 ]
}

@test "samotop-send: queue-concurrency and queue-concurrency-domain bound the deliveries at once" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"queue-concurrency 3" "queue-concurrency-domain 2"
	for i in 1 2 3 4; do
		"$PUT" "$Q" now a@send.test "x$i@a.test" </dev/null >/dev/null
		"$PUT" "$Q" now a@send.test "y$i@b.test" </dev/null >/dev/null
	done
	FAKE_SLEEP=0.3 send_once
	[ "$(queued)" -eq 0 ]
	[ "$(wc -l <"$T/concurrent")" -eq 8 ]
	all=$(cut -d' ' -f1 "$T/concurrent" | sort -n | tail -1)
	dom=$(cut -d' ' -f2 "$T/concurrent" | sort -n | tail -1)
	echo "# at once: $all overall, $dom to one domain" >&3
	[ "$all" -le 3 ] && [ "$all" -ge 2 ]
	[ "$dom" -le 2 ]
}

@test "samotop-send end to end: the real samotop-remote (-m) to samotop-smtpd, a 550 from it bounced" {
	[ -x "$TOP/samotop-remote" ] || skip "samotop-remote is not built"
	# the receiving MX: samotop-smtpd, mail for far.test to a Maildir
	make_maildir "$T/Far"
	write_conf "route good@far.test $MAILDIR_BIN -c $T/Far"
	start_server
	printf '%s\n' "hostname mx.test" "queue $Q" "store $T/store.db" \
	    "queue-remote $TOP/samotop-remote -m 127.0.0.1:$PORT" >"$T/send.conf"
	id=$("$PUT" "$Q" now a@send.test good@far.test bad@far.test </dev/null)
	"$SEND_BIN" -1 -c "$T/send.conf" 2>>"$LOG"
	[ ! -e "$Q/env/$id" ]
	grep -q "^Subject: message $id" "$T"/Far/new/*
	grep -q "prog=samotop-send event=delivery id=$id to=good@far.test status=sent code=250 .*host=127.0.0.1 ip=127.0.0.1 tls=none" "$LOG"
	grep -q "prog=samotop-send event=delivery id=$id to=bad@far.test status=failed code=550" "$LOG"
	# the bounce for bad@, queued to the sender
	dsn=$(ls "$Q/env")
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "Final-Recipient: rfc822; bad@far.test"
	assert_contains "$m" "Remote-MTA: dns; 127.0.0.1"
	assert_not_contains "$m" "good@far.test"
}

@test "samotop-send: a helper that dies after the first recipient's reply: that one is done, the other retried alone" {
	mkdir "$T/saved"
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"route @local.test /usr/bin/env LMTP_STUB_CRASH=reply1 LMTP_STUB_ONCE=$T/once LMTP_STUB_SAVE=$T/saved LMTP_STUB_ENVELOPE=1 $PYTHON $STUB"
	id=$("$PUT" "$Q" now a@send.test u@local.test v@local.test </dev/null)
	send_once
	grep -q "^rcpt 0 done 1 " "$Q/state/$id"
	grep -q "^rcpt 1 pending 1 [0-9]* 451 4.3.0 delivery helper failed" "$Q/state/$id"
	sed -i 's/^\(rcpt 1 pending 1\) [0-9]* /\1 0 /' "$Q/state/$id"
	send_once
	[ ! -e "$Q/env/$id" ]
	# the second transaction was for v@ alone (the stub saves only what
	# it did not crash on)
	[ "$(ls "$T/saved" | wc -l)" -eq 1 ]
	grep -q "^X-Stub-To: <v@local.test>" "$T/saved/msg.1"
	refute grep -q "u@local.test" "$T/saved/msg.1"
	grep -q "event=delivery id=$id to=u@local.test status=sent code=250" "$LOG"
	[ "$(grep -c "event=delivery id=$id to=u@local.test" "$LOG")" -eq 1 ]
}

@test "samotop-send (daemon): a message queued while it runs is delivered at once (inotify); a second scheduler is refused; SIGTERM stops it" {
	setsid "$SEND_BIN" -c "$CONF" 2>>"$LOG" &
	SEND_PID=$!
	for _ in $(seq 50); do grep -q "event=start" "$LOG" 2>/dev/null && break; sleep 0.05; done
	id=$("$PUT" "$Q" now a@send.test u@local.test </dev/null)
	for _ in $(seq 100); do [ -e "$Q/env/$id" ] || break; sleep 0.05; done
	[ ! -e "$Q/env/$id" ]
	grep -q "^Subject: message $id" "$T"/Maildir/new/*
	# one scheduler per queue: another one waits a little, then gives up
	run "$SEND_BIN" -1 -c "$CONF"
	[ "$status" -eq 111 ]
	assert_contains "$output" 'event=lock'
	assert_contains "$output" 'error="another samotop-send runs on this queue"'
	kill "$SEND_PID"
	wait "$SEND_PID"
	SEND_PID=
	grep -q "event=stop" "$LOG"
	# and once it has stopped, the queue is free
	send_once
}

@test "samotop-send (daemon): it wakes up at a deferred recipient's next try" {
	id=$("$PUT" "$Q" now a@send.test x@far.test </dev/null)
	printf 'samotop-state 1\nrcpt 0 pending 1 %s 451 4.7.1 later\n' $(( $(date +%s) + 2 )) >"$Q/state/$id"
	setsid "$SEND_BIN" -c "$CONF" 2>>"$LOG" &
	SEND_PID=$!
	sleep 1
	# not yet due
	[ -e "$Q/env/$id" ] && [ ! -e "$T/remote.args" ]
	for _ in $(seq 60); do [ -e "$Q/env/$id" ] || break; sleep 0.1; done
	[ ! -e "$Q/env/$id" ]
	grep -q "event=delivery id=$id to=x@far.test status=sent" "$LOG"
	kill "$SEND_PID"
	wait "$SEND_PID"
	SEND_PID=
}

@test "samotop-send crash test: kill -9 of its process group at random moments while 100 messages flow; each delivered at least once" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"route @local.test $MAILDIR_BIN -c $T/Maildir"
	total=100
	(for i in $(seq $total); do "$PUT" "$Q" now a@send.test u@local.test </dev/null >>"$T/ids"; done) &
	putter=$!
	kills=0
	end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		setsid "$SEND_BIN" -c "$CONF" 2>>"$LOG" &
		SEND_PID=$!
		sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
		kill -9 -- "-$SEND_PID" 2>/dev/null || true
		wait "$SEND_PID" 2>/dev/null || true
		SEND_PID=
		kills=$((kills + 1))
		kill -0 "$putter" 2>/dev/null || [ "$(queued)" -gt 0 ] || break
	done
	wait "$putter"
	# restart: whatever is left.  A job the kill ended a moment before
	# its parent was recorded as deferred (4.3.0, killed by signal 9):
	# made due now, as `samotop-mailq` would to retry at once.
	send_once
	deferred=$(grep -l ' pending [1-9]' "$Q"/state/* 2>/dev/null | wc -l)
	sed -i 's/^\(rcpt [0-9]* pending [0-9]*\) [0-9]* /\1 0 /' "$Q"/state/* 2>/dev/null || true
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(wc -l <"$T/ids")" -eq $total ]
	delivered=$(grep -h "^Subject: message " "$T"/Maildir/new/* | wc -l)
	unique=$(grep -h "^Subject: message " "$T"/Maildir/new/* | sort -u | wc -l)
	missing=0
	while read -r id; do
		grep -q "^Subject: message $id" "$T"/Maildir/new/* || missing=$((missing + 1))
	done <"$T/ids"
	echo "# crash test: $total messages, $kills kills, $delivered deliveries, $((delivered - unique)) duplicates, $deferred deferred by a kill, $missing missing" >&3
	[ "$missing" -eq 0 ]
	[ "$unique" -eq $total ]
	# only deliveries in flight repeat: at most queue-concurrency (20)
	# per kill
	[ $((delivered - unique)) -le $((kills * 20)) ]
}

@test "samotop-send: bounce-limit 2/1h: of 3 failing messages from one sender, 2 bounces reach its Maildir; the third is logged, not sent, and the message is gone all the same" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"route @local.test $MAILDIR_BIN -c $T/Maildir" \
		"store $T/store.db" "bounce-limit 2/1h"
	for i in 1 2 3; do
		id=$("$PUT" "$Q" now A@Local.test "x$i@far.test" </dev/null)
		echo "$id x$i@far.test" >>"$T/ids"
	done
	# the failures, then the bounces to the local sender
	FAKE_CODE=550 FAKE_TEXT="5.1.1 no such user" send_once
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(count_files "$T/Maildir/new")" -eq 2 ]
	# one message, whichever came third, got no bounce, and the log says
	# so; the other two did
	[ "$(grep -c "event=bounce-limit" "$LOG")" -eq 1 ]
	[ "$(grep -c "event=dsn id=" "$LOG")" -eq 2 ]
	third=$(sed -n 's/.*event=bounce-limit id=\([^ ]*\) .*/\1/p' "$LOG")
	grep -q "event=bounce-limit id=$third to=A@Local.test dsn=failed limit=2/3600s action=\"not sent\"" "$LOG"
	while read -r id rcpt; do
		n=$(grep -l "^Final-Recipient: rfc822; $rcpt" "$T"/Maildir/new/* | wc -l)
		if [ "$id" = "$third" ]; then [ "$n" -eq 0 ]; else [ "$n" -eq 1 ]; fi
	done <"$T/ids"
	grep -q "event=removed id=$third" "$LOG"
}

@test "samotop-send: bounce-limit with a store that cannot be opened: the bounce is sent, the failure logged" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"route @local.test $MAILDIR_BIN -c $T/Maildir" \
		"store $T/no/such/dir/store.db" "bounce-limit 1/1h"
	id=$("$PUT" "$Q" now a@local.test x@far.test </dev/null)
	FAKE_CODE=550 FAKE_TEXT="5.1.1 no such user" send_once
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(count_files "$T/Maildir/new")" -eq 1 ]
	grep -q "event=bounce-limit id=$id to=a@local.test limit=1/3600s error=\"$T/no/such/dir/store.db: .*\" action=\"sent uncounted\"" "$LOG"
}
