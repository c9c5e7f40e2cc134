#!/usr/bin/env bats
# Aliases and SRS in samotop-send (samotop-send(8), ALIASES AND SRS): a
# queued recipient that is an alias is expanded into its targets, local
# ones delivered through their routes into Maildirs, remote ones through
# a MOCK samotop-remote (a script of that name, as in send.bats) that
# records the envelope sender it was given: the SRS form.  A bounce to
# an SRS address of ours goes back to the original sender; a forged one
# is dropped.  Messages are queued with tests/queue_put.sh.

load lib

SEND_BIN=$TOP/samotop-send
PUT=$TESTS_DIR/queue_put.sh

setup() {
	common_setup
	[ -x "$SEND_BIN" ] || skip "samotop-send is not built"
	need_maildir
	Q=$T/queue
	make_maildir "$T/A" "$T/B"
	mkdir -p "$T/bin"
	# the MOCK: its arguments appended to $T/remote.args, FAKE_CODE
	# (default 250) for every recipient
	cat >"$T/bin/samotop-remote" <<'EOF2'
#!/bin/sh
echo "$*" >>"${0%/bin/samotop-remote}/remote.args"
cat >/dev/null
domain=$1
shift 2
for r in "$@"; do
	echo "r $r ${FAKE_CODE:-250} ${FAKE_TEXT:-2.0.0 mock ok}"
done
echo "m ${FAKE_CODE:-250} ${FAKE_TEXT:-2.0.0 mock ok} host=mx.$domain ip=127.0.0.1 tls=TLSv1.3"
EOF2
	chmod +x "$T/bin/samotop-remote"
	BASE=("queue $Q" "queue-remote $T/bin/samotop-remote"
		"srs-key $T/srs.key"
		"route a@local.test $MAILDIR_BIN -c $T/A"
		"route b@local.test $MAILDIR_BIN -c $T/B")
}

teardown() {
	common_teardown
}

send_once() { "$SEND_BIN" -1 -c "$CONF" 2>>"$LOG"; }
queued() { ls "$Q/env" | wc -l; }

@test "alias: local targets into their Maildirs, a remote one with an SRS0 sender, nested aliases, the original removed" {
	write_conf "${BASE[@]}" \
		"alias team@local.test a@local.test inner@local.test x@far.test" \
		"alias inner@local.test b@local.test a@local.test"
	id=$("$PUT" "$Q" now sender@origin.test Team@LOCAL.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	[ ! -e "$Q/mess/$id" ]
	# each local target once, though named twice
	[ "$(ls "$T/A/new" | wc -l)" -eq 1 ]
	[ "$(ls "$T/B/new" | wc -l)" -eq 1 ]
	grep -q "^Subject: message $id" "$T"/A/new/* "$T"/B/new/*
	run cat "$T/remote.args"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^far.test\ SRS0=[A-Z2-7]{8}=[A-Z2-7]{2}=origin.test=sender@mx.test\ x@far.test$ ]]
	grep -q "event=alias id=$id to=Team@LOCAL.test status=expanded targets=3 local=[0-9]*-[0-9a-f]* remote=[0-9]*-[0-9a-f]* from=\"SRS0=" "$LOG"
	# the key was made on first use, for us alone
	[ "$(stat -c %a "$T/srs.key")" = 600 ]
	[ "$(stat -c %s "$T/srs.key")" = 32 ]
}

@test "alias: the SRS domain is srs-domain; the null sender is never rewritten" {
	write_conf "${BASE[@]}" "srs-domain fwd.test" \
		"alias list@local.test x@far.test"
	"$PUT" "$Q" now sender@origin.test list@local.test </dev/null >/dev/null
	"$PUT" "$Q" now "" list@local.test </dev/null >/dev/null
	send_once
	[ "$(queued)" -eq 0 ]
	grep -Eq "^far.test SRS0=[A-Z2-7]{8}=[A-Z2-7]{2}=origin.test=sender@fwd.test x@far.test$" "$T/remote.args"
	grep -q "^far.test  x@far.test$" "$T/remote.args"
}

@test "alias: a loop is refused with a DSN (5.4.6) to the sender" {
	write_conf "${BASE[@]}" \
		"alias l1@local.test l2@local.test" "alias l2@local.test a@local.test l1@local.test"
	id=$("$PUT" "$Q" now sender@origin.test l1@local.test </dev/null)
	send_once
	[ "$(ls "$T/A/new" | wc -l)" -eq 0 ]
	grep -q "event=alias id=$id to=l1@local.test status=failed error=\"loop, or nested too deep\"" "$LOG"
	dsn=$(ls "$Q/env")
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "Final-Recipient: rfc822; l1@local.test"
	assert_contains "$m" "Status: 5.4.6"
}

@test "alias: a remote target's bounce comes to the SRS address and goes back to the original sender" {
	write_conf "${BASE[@]}" "alias list@local.test x@far.test"
	id=$("$PUT" "$Q" now a@local.test list@local.test </dev/null)
	FAKE_CODE=550 FAKE_TEXT="5.1.1 no such user" send_once
	# the DSN of the forwarded message, to its SRS sender
	dsn=$(ls "$Q/env")
	srs=$(sed -n 's/^rcpt //p' "$Q/env/$dsn")
	[[ "$srs" =~ ^SRS0=[A-Z2-7]{8}=[A-Z2-7]{2}=local.test=a@mx.test$ ]]
	send_once
	[ "$(queued)" -eq 0 ]
	# values with "=" are quoted in the log
	grep -q "event=srs id=$dsn to=\"$srs\" status=reversed orig=a@local.test" "$LOG"
	[ "$(ls "$T/A/new" | wc -l)" -eq 1 ]
	m=$(tr -d '\r' <"$T"/A/new/*)
	assert_contains "$m" "Final-Recipient: rfc822; x@far.test"
	assert_contains "$m" "Diagnostic-Code: smtp; 550 5.1.1 no such user"
	# SRS addresses in any case: a relay may have lowercased it
	id=$("$PUT" "$Q" now "" "$(echo "$srs" | tr A-Z a-z)" </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(ls "$T/A/new" | wc -l)" -eq 2 ]
}

@test "alias: a forged or malformed SRS address is dropped with a log line, no bounce" {
	write_conf "${BASE[@]}"
	id=$("$PUT" "$Q" now "" SRS0=AAAAAAAA=RA=local.test=a@mx.test </dev/null)
	id2=$("$PUT" "$Q" now sender@origin.test srs0=nohash@MX.test </dev/null)
	send_once
	[ "$(queued)" -eq 0 ]
	[ "$(ls "$T/A/new" | wc -l)" -eq 0 ]
	[ ! -e "$T/remote.args" ]
	grep -q "event=srs id=$id to=\"SRS0=AAAAAAAA=RA=local.test=a@mx.test\" status=dropped error=\"bad SRS hash\"" "$LOG"
	grep -q "event=srs id=$id2 to=\"srs0=nohash@MX.test\" status=dropped error=\"malformed SRS address\"" "$LOG"
	refute grep -q "event=dsn" "$LOG"
}

@test "alias: an srs-domain of its own has no other users (5.1.1, not queued again through its route)" {
	write_conf "${BASE[@]}" "srs-domain srs.test" \
		"route @srs.test $TOP/samotop-queue"
	id=$("$PUT" "$Q" now sender@origin.test someone@srs.test </dev/null)
	send_once
	dsn=$(ls "$Q/env")
	[ "$(echo "$dsn" | wc -l)" -eq 1 ] && [ "$dsn" != "$id" ]
	grep -q "^rcpt sender@origin.test$" "$Q/env/$dsn"
	m=$(tr -d '\r' <"$Q/mess/$dsn")
	assert_contains "$m" "Final-Recipient: rfc822; someone@srs.test"
	assert_contains "$m" "Status: 5.1.1"
}

@test "alias: an SRS key that cannot be made defers the alias, nothing queued for its targets" {
	write_conf "queue $Q" "queue-remote $T/bin/samotop-remote" \
		"srs-key $T/none/srs.key" "route a@local.test $MAILDIR_BIN -c $T/A" \
		"alias list@local.test a@local.test x@far.test"
	id=$("$PUT" "$Q" now sender@origin.test list@local.test </dev/null)
	send_once
	[ "$(queued)" -eq 1 ]
	[ "$(ls "$T/A/new" | wc -l)" -eq 0 ]
	[ ! -e "$T/remote.args" ]
	grep -q "^rcpt 0 pending 1 [0-9]* 451 .*srs.key" "$Q/state/$id"
	grep -q "event=alias id=$id to=list@local.test status=deferred" "$LOG"
}
