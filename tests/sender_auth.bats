#!/usr/bin/env bats
# DKIM and DMARC in the session (`dkim yes`, `dmarc yes`): messages signed
# by libopendkim's signer (tests/dkim_drive) with a key published, for
# this file, in the tests' DNS (tests/dns.bash: NSD in a network
# namespace; needs root), sent by Python's smtplib from 192.0.2.5, which
# SPF passes for pass.example and authored.example.  What is checked is what
# a user sees: the reply after the data, the Authentication-Results: of
# the delivered copy, the quarantine field, an empty Maildir when refused,
# and the log's event=checks and event=reject lines.

load lib
load dns
load filters

DRIVE=$TESTS_DIR/dkim_drive

setup_file() {
	local z=$BATS_FILE_TMPDIR/zones
	mkdir -p "$z"
	cp "$TESTS_DIR"/dns/* "$z/"
	opendkim-genkey --bits=1024 --domain=authored.example --selector=sel \
	    --directory="$BATS_FILE_TMPDIR"
	{
		echo '; sender_auth.bats: a signing domain, p=quarantine'
		echo 'authored	TXT	"v=spf1 ip4:192.0.2.5 -all"'
		echo '_dmarc.authored	TXT	"v=DMARC1; p=quarantine"'
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
	make_maildir "$T/Maildir"
}

teardown() {
	common_teardown
	filters_teardown
}

# conf LINE...: DKIM and DMARC on (with SPF, which DMARC needs).
conf() {
	write_conf "route * $MAILDIR_BIN $T/Maildir" "spf yes" "dkim yes" \
	    "dmarc yes" "spool-dir $T" "$@"
}

# message FROM: a message whose From: is FROM, on stdout.
message() {
	printf '%s\r\n' "From: Alice <$1>" 'To: bob@example.org' \
	    'Subject: the quarterly figures' \
	    'Date: Thu, 03 Dec 2026 00:00:00 +0000' \
	    "Message-ID: <$RANDOM@authored.example>" '' 'Dear Bob,' '' \
	    'the figures are attached.' ''
}

# signed FROM: message FROM, signed for authored.example with selector sel.
signed() {
	message "$1" | "$DRIVE" sign -d authored.example -s sel \
	    -k "$BATS_FILE_TMPDIR/sel.private"
}

# send MAILFROM <MESSAGE: smtplib from 192.0.2.5 to bob@example.org.
send() {
	run from_smtplib 192.0.2.5 "$1" bob@example.org
	echo "$output"
}

# escaped FILE: its CRLFs as smtp_raw.py's \r\n escapes, on one line.
escaped() {
	sed 's/\r$/\\r\\n/' "$1" | tr -d '\n'
}

# head_of FILE: its header, up to the first empty line.
head_of() {
	sed -n '1,/^\r\{0,1\}$/p' "$1"
}

@test "a signed message: dkim=pass and dmarc=pass in Authentication-Results, delivered" {
	conf
	start_server
	signed alice@authored.example >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local head
	head=$(head_of "$(the_file "$T/Maildir/new")")
	echo "$head"
	assert_contains "$head" "spf=pass smtp.mailfrom=alice@authored.example"
	assert_contains "$head" "dkim=pass header.d=authored.example header.s=sel header.b="
	assert_contains "$head" "dmarc=pass (p=quarantine dis=none) header.from=authored.example"
	assert_not_contains "$head" "X-Samotop-Quarantine"
	assert_contains "$(cat "$LOG")" 'event=checks'
	assert_contains "$(cat "$LOG")" 'results="dkim=pass'
	# the message itself, byte for byte, after our trace fields
	assert_contains "$(cat "$(the_file "$T/Maildir/new")")" "DKIM-Signature: "
	assert_contains "$(cat "$(the_file "$T/Maildir/new")")" "the figures are attached."
}

@test "the same message with its body changed: dkim=fail; DMARC fails and p=quarantine marks it" {
	conf
	start_server
	signed alice@authored.example | sed 's/figures are/figures were/' >"$T/msg"
	send bounce@pass.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local head
	head=$(head_of "$(the_file "$T/Maildir/new")")
	echo "$head"
	assert_contains "$head" "dkim=fail header.d=authored.example"
	assert_contains "$head" "dmarc=fail (p=quarantine dis=quarantine) header.from=authored.example"
	assert_contains "$head" "X-Samotop-Quarantine: dmarc=fail header.from=authored.example policy=quarantine"
	assert_contains "$(cat "$LOG")" 'verdict="dmarc=fail'
}

@test "a spoofed From: of a p=reject domain is refused after the data and never delivered" {
	conf
	start_server
	message ceo@dmarc-reject.example >"$T/msg"
	send anyone@pass.example <"$T/msg"
	assert_contains "$output" "550 5.7.1 Message rejected: the DMARC policy of dmarc-reject.example says the From: is forged"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
	[ "$(count_files "$T/Maildir/tmp")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "event=reject"
	assert_contains "$(cat "$LOG")" "reason=dmarc"
	# nothing of it left in the spool directory either
	[ -z "$(find "$T" -maxdepth 1 -type f -newer "$CONF" ! -name server.log ! -name msg)" ]
}

@test "dmarc-reject quarantine: the spoofed message is delivered, marked" {
	conf "dmarc-reject quarantine"
	start_server
	message ceo@dmarc-reject.example >"$T/msg"
	send anyone@pass.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	assert_contains "$(head_of "$(the_file "$T/Maildir/new")")" \
	    "X-Samotop-Quarantine: dmarc=fail header.from=dmarc-reject.example policy=reject"
}

# arc_sealed FILE: FILE as a mailing list at arc.example forwards it,
# sealed by dkimpy with selector a2 (its key: tests/arc/s2.key, its TXT
# record in tests/dns/example.zone).
arc_sealed() {
	/usr/bin/python3 - "$1" "$TESTS_DIR/arc/s2.key" <<'PY'
import sys, dkim
msg = open(sys.argv[1], "rb").read()
key = open(sys.argv[2], "rb").read()
msg = b"Authentication-Results: lists.arc.example; dmarc=pass\r\n" + msg
s = dkim.arc_sign(msg, b"a2", b"arc.example", key, b"lists.arc.example",
                  include_headers=[b"from", b"to", b"subject", b"date"])
sys.stdout.buffer.write(b"".join(s) + msg)
PY
}

@test "ARC: a p=reject From: forwarded by a trusted sealer is accepted, arc=pass; untrusted, refused" {
	/usr/bin/python3 -c 'import dkim' 2>/dev/null || skip "python3-dkim is not installed"
	message ceo@dmarc-reject.example >"$T/plain"
	arc_sealed "$T/plain" >"$T/msg"
	conf "arc yes" "arc-trusted-sealer arc.example"
	start_server
	send list-bounces@pass.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local head
	head=$(head_of "$(the_file "$T/Maildir/new")")
	echo "$head"
	assert_contains "$head" "arc=pass (i=1 sealer arc.example)"
	assert_contains "$head" "dmarc=fail (p=reject dis=reject) header.from=dmarc-reject.example (forgiven: a trusted ARC sealer)"
	assert_contains "$(cat "$LOG")" "forgiven: arc=pass by trusted sealer arc.example"
	stop_server
	conf "arc yes" "arc-trusted-sealer lists.example.org"
	start_server
	send list-bounces@pass.example <"$T/msg"
	assert_contains "$output" "550 5.7.1 Message rejected: the DMARC policy of dmarc-reject.example"
}

@test "a DMARC lookup that fails defers the message (451 4.4.3), never accepts it unchecked" {
	conf
	start_server
	message ceo@mail.dead.test >"$T/msg"
	send anyone@pass.example <"$T/msg"
	assert_contains "$output" "451 4.4.3 DMARC check of mail.dead.test failed (DNS), try again later"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
}

@test "BDAT: a signed message in two chunks passes as with DATA" {
	conf
	start_server
	signed alice@authored.example >"$T/msg"
	head -n 3 "$T/msg" >"$T/c1"
	tail -n +4 "$T/msg" >"$T/c2"
	run from_raw 192.0.2.5 'EHLO client.example\r\n' @1 \
	    'MAIL FROM:<alice@authored.example>\r\n' @1 \
	    'RCPT TO:<bob@example.org>\r\n' @1 \
	    "BDAT $(wc -c <"$T/c1")\r\n$(escaped "$T/c1")" @1 \
	    "BDAT $(wc -c <"$T/c2") LAST\r\n$(escaped "$T/c2")" @1 \
	    'QUIT\r\n' @eof
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	assert_contains "$(head_of "$(the_file "$T/Maildir/new")")" "dkim=pass header.d=authored.example"
}

@test "without dkim and dmarc nothing waits: no dkim= in Authentication-Results" {
	write_conf "route * $MAILDIR_BIN $T/Maildir" "spf yes"
	start_server
	signed alice@authored.example >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	assert_not_contains "$(head_of "$(the_file "$T/Maildir/new")")" "dkim="
	assert_not_contains "$(cat "$LOG")" "event=checks"
}

@test "a message of 300 KiB waits in the spool's file (encrypted, unnamed) and arrives whole" {
	conf
	start_server
	{ message alice@authored.example; seq 1 40000 | sed 's/$/ line\r/'; } >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local f
	f=$(the_file "$T/Maildir/new")
	# the message's own lines, all of them, in order, after samotop's fields
	diff <(tr -d '\r' <"$T/msg") <(sed '1,/^Received:/d' "$f" | sed '1,2d')
	# nothing named was left in spool-dir
	[ -z "$(find "$T" -maxdepth 1 -name '.samotop-spool*')" ]
}

@test "a message over max-message-size is still refused with 552 while it waits" {
	conf "max-message-size 2K"
	start_server
	{ message alice@authored.example; head -c 4000 /dev/zero | tr '\0' 'x' |
	    fold -w 70 | sed 's/$/\r/'; } >"$T/msg"
	send alice@authored.example <"$T/msg"
	assert_contains "$output" "552 5.3.4"
	wait_sessions
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
}

@test "OpenDKIM verifying as a milter behind samotop: its dkim=pass next to samotop's own" {
	command -v opendkim >/dev/null || skip "opendkim is not installed"
	start_opendkim_verify
	conf "milter unix:$DKIM_VERIFY_SOCK"
	start_server
	message alice@signed.example | "$DRIVE" sign -d signed.example \
	    -s filters -k "$TESTS_DIR/filters/filters.private" >"$T/msg"
	send alice@signed.example <"$T/msg"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local head
	head=$(head_of "$(the_file "$T/Maildir/new")")
	echo "$head"
	# OpenDKIM's field (its authserv-id mx.test) and samotop's, both pass
	assert_contains "$head" "dkim=pass header.d=signed.example header.s=filters"
	[ "$(grep -c "^Authentication-Results: mx.test" <<<"$head")" -eq 2 ]
	assert_contains "$head" "dkim=pass (2048-bit key; unprotected) header.d=signed.example"
	assert_contains "$head" "dmarc=pass"
}
