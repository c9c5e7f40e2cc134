#!/usr/bin/env bats
# The contacts screener in the session (`screener FILE`): the tests' DNS
# (tests/dns.bash: NSD in a network namespace; needs root) publishes SPF,
# DKIM and DMARC for authored.example (a key made for this file) and SPF
# for pass.example; messages come from 192.0.2.5 through Python's smtplib;
# decisions are made with samotop-screener, as a user would.  What is
# checked: the reply at RCPT, which folder of the Maildir each copy lands
# in, the field that says why, and the log's event=screener lines.

load lib
load dns

DRIVE=$TESTS_DIR/dkim_drive

setup_file() {
	local z=$BATS_FILE_TMPDIR/zones
	mkdir -p "$z"
	cp "$TESTS_DIR"/dns/* "$z/"
	opendkim-genkey --bits=1024 --domain=authored.example --selector=sel \
	    --directory="$BATS_FILE_TMPDIR"
	{
		echo '; screener.bats: a domain that signs, p=none'
		echo 'authored	TXT	"v=spf1 ip4:192.0.2.5 -all"'
		echo '_dmarc.authored	TXT	"v=DMARC1; p=none"'
		sed 's/^sel\._domainkey/sel._domainkey.authored/' \
		    "$BATS_FILE_TMPDIR/sel.txt"
	} >>"$z/example.zone"
	DNS_TEMPLATES=$z
	dns_setup_file
}

teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	need_maildir
	[ -x "$DRIVE" ] || skip "tests/dkim_drive is not built (make units)"
	[ -x "$TOP/samotop-screener" ] || skip "samotop-screener is not built"
	mkdir -p "$T/mail"
	make_maildir "$T/mail/bob"
	write_conf "route * $MAILDIR_BIN $T/mail/%u" "spf yes" "dkim yes" \
	    "dmarc yes" "spool-dir $T" "screener $T/screener.db" \
	    "screener-recipient @example.org"
}

teardown() { common_teardown; }

screener() {
	"$TOP/samotop-screener" -c "$CONF" "$@"
}

# message FROM SUBJECT: a message whose From: is FROM.
message() {
	printf '%s\r\n' "From: Alice <$1>" 'To: bob@example.org' \
	    "Subject: $2" 'Date: Thu, 03 Dec 2026 00:00:00 +0000' \
	    "Message-ID: <$RANDOM@authored.example>" '' 'Hello Bob,' '' \
	    'see you.' ''
}

signed() {
	"$DRIVE" sign -d authored.example -s sel \
	    -k "$BATS_FILE_TMPDIR/sel.private"
}

# send MAILFROM [TO] <MESSAGE
send() {
	run from_smtplib 192.0.2.5 "$1" "${2:-bob@example.org}"
	echo "$output"
}

@test "a new sender waits in the Screener folder (made for it), with the reason on top" {
	start_server
	message alice@authored.example "first contact" | signed >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 0 ]
	[ -f "$T/mail/bob/.Screener/maildirfolder" ]
	local f
	f=$(the_file "$T/mail/bob/.Screener/new")
	assert_contains "$(cat "$f")" "X-Samotop-Screener: held (new sender)"
	assert_contains "$(cat "$LOG")" "event=screener"
	assert_contains "$(cat "$LOG")" "result=held"
}

@test "allow releases what waited into the inbox; the next message goes straight there" {
	start_server
	message alice@authored.example "first" | signed >"$T/msg"
	send alice@authored.example <"$T/msg"
	wait_sessions
	[ "$(count_files "$T/mail/bob/.Screener/new")" -eq 1 ]
	run screener allow bob@example.org alice@authored.example
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_files "$T/mail/bob/.Screener/new")" -eq 0 ]
	[ "$(count_files "$T/mail/bob/new")" -eq 1 ]
	message alice@authored.example "second" | signed >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 2 ]
	# the released one says it was held; the second came straight in
	local second
	second=$(grep -l '^Subject: second' "$T"/mail/bob/new/*)
	assert_not_contains "$(cat "$second")" "X-Samotop-Screener:"
	assert_contains "$(cat "$(grep -l '^Subject: first' \
	    "$T"/mail/bob/new/*)")" "X-Samotop-Screener: held (new sender)"
	# decided at RCPT (the allowed sender's SPF passed): logged all the same
	grep -q 'event=screener .*to=bob@example.org from=alice@authored.example result=inbox' "$LOG"
}

@test "an allowed From: with an aligned DKIM pass reaches the inbox through a list's envelope" {
	screener allow bob@example.org alice@authored.example
	start_server
	message alice@authored.example "via a list" | signed >"$T/msg"
	send list-bounces@pass.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 1 ]
}

@test "a forger of an allowed address (no signature, another envelope) is held, not the inbox" {
	screener allow bob@example.org alice@authored.example
	start_server
	message alice@authored.example "urgent wire transfer" >"$T/msg"
	send ceo@pass.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 0 ]
	assert_contains "$(cat "$(the_file "$T/mail/bob/.Screener/new")")" \
	    "X-Samotop-Screener: held (sender not authenticated)"
}

@test "deny: the sender gets 550 5.7.1 at RCPT; a denied domain too; nothing is delivered" {
	screener deny bob@example.org spammer@pass.example
	screener deny bob@example.org @dmarc-reject.example
	start_server
	message spammer@pass.example "buy" >"$T/msg"
	send spammer@pass.example <"$T/msg"
	assert_contains "$output" "550 5.7.1 The recipient does not accept mail from this sender"
	send anyone@dmarc-reject.example <"$T/msg"
	assert_contains "$output" "550 5.7.1"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 0 ]
	[ ! -d "$T/mail/bob/.Screener" ] || [ "$(count_files "$T/mail/bob/.Screener/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "reason=screener"
}

@test "an allowed domain lets every authenticated sender of it in" {
	screener allow bob@example.org @authored.example
	start_server
	message carol@authored.example "hello" | signed >"$T/msg"
	send carol@authored.example <"$T/msg"
	wait_sessions
	[ "$(count_files "$T/mail/bob/new")" -eq 1 ]
}

@test "a recipient the screener does not cover gets its mail as before; a forged screener field is removed" {
	make_maildir "$T/mail/dave"
	start_server
	{ printf 'X-Samotop-Screener: held (forged)\r\n'
	  message x@pass.example "hi"; } >"$T/msg"
	send x@pass.example dave@other.test <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	[ "$(count_files "$T/mail/dave/new")" -eq 1 ]
	send x@pass.example bob@example.org <"$T/msg"
	wait_sessions
	local f
	f=$(the_file "$T/mail/bob/.Screener/new")
	[ "$(grep -c '^X-Samotop-Screener:' "$f")" -eq 1 ]
	assert_not_contains "$(cat "$f")" "forged"
}

@test "the web page of the real program: bob signs in, sees the held sender with its evidence, allows it, the mail is released" {
	command -v curl >/dev/null || skip "no curl"
	cat >"$T/checkpassword-mock" <<'MOCK'
#!/bin/bash
IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3
[ "$user:$pass" = "bob@example.org:bob-pw" ] && exit 0
exit 1
MOCK
	chmod +x "$T/checkpassword-mock"
	echo "screener-checkpassword $T/checkpassword-mock" >>"$CONF"
	start_server
	message alice@authored.example "a first letter" | signed >"$T/msg"
	send alice@authored.example <"$T/msg"
	wait_sessions
	[ "$(count_files "$T/mail/bob/.Screener/new")" -eq 1 ]
	local port=$((PORT + 1)) pid url token
	tcpserver -HRl0 -b 256 -c 5 127.0.0.1 "$port" "$TOP/samotop-screener" \
	    -c "$CONF" http </dev/null >/dev/null 2>>"$T/web.log" &
	pid=$!
	wait_ready "$pid" 200 port_listens "$port"
	url=http://127.0.0.1:$port
	# tcpserver runs in the test's namespace (tests/dns.bash): so does curl
	run in_ns curl -s --max-time 10 -u bob@example.org:bob-pw "$url/"
	kill "$pid"
	reap_pids 250 "$pid"
	assert_contains "$output" "alice@authored.example"
	assert_contains "$output" "a first letter"
	assert_contains "$output" "dkim=pass"
	# the DNSSEC and DANE evidence: the test zone is not signed
	assert_contains "$output" "DNSSEC: "
	token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' <<<"$output" |
	    head -n 1)
	[ -n "$token" ]
	tcpserver -HRl0 -b 256 -c 5 127.0.0.1 "$port" "$TOP/samotop-screener" \
	    -c "$CONF" http </dev/null >/dev/null 2>>"$T/web.log" &
	pid=$!
	wait_ready "$pid" 200 port_listens "$port"
	run in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    -u bob@example.org:bob-pw --data \
	    "csrf=$token&sender=alice%40authored.example&action=allow" "$url/decide"
	kill "$pid"
	reap_pids 250 "$pid"
	[ "$output" = 303 ]
	[ "$(count_files "$T/mail/bob/.Screener/new")" -eq 0 ]
	[ "$(count_files "$T/mail/bob/new")" -eq 1 ]
	run "$TOP/samotop-screener" -c "$CONF" list bob@example.org
	assert_contains "$output" "alice@authored.example"
}

@test "the daily digest: one message into the inbox listing the new senders, with the page's link; learn never takes it" {
	echo "screener-url https://mail.example.org/screener" >>"$CONF"
	start_server
	message alice@authored.example "lunch on friday" | signed >"$T/msg"
	send alice@authored.example <"$T/msg"
	wait_sessions
	run "$TOP/samotop-screener" -c "$CONF" digest
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "digest	bob@example.org	1" ]
	local d
	d=$(the_file "$T/mail/bob/new")
	cat "$d"
	assert_contains "$(cat "$d")" "Subject: 1 new sender in your Screener"
	assert_contains "$(cat "$d")" "Auto-Submitted: auto-generated"
	assert_contains "$(cat "$d")" "* Alice <alice@authored.example>"
	assert_contains "$(cat "$d")" '"lunch on friday", 1 message since'
	assert_contains "$(cat "$d")" "Decide on the page: https://mail.example.org/screener"
	run "$TOP/samotop-screener" -c "$CONF" learn
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "learned"
	# still held: the digest released nothing and taught nothing
	[ "$(count_files "$T/mail/bob/.Screener/new")" -eq 1 ]
}
