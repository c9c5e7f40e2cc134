#!/usr/bin/env bats
# DKIM signing (dkim-sign, samotop.conf(5) DKIM SIGNING): keys made by
# samotop-dkimkey -g, their records printed by samotop-dkimkey -p and
# published as they are in the tests' DNS (tests/dns.bash: NSD in a
# network namespace; needs root), and what samotop signs checked by an
# independent verifier, dkimpy's dkimverify, run in that namespace so
# that it asks that DNS.  samotop-sendmail signs what it queues;
# samotop-smtpd signs a relay-client's mail (the queue stood in for by a
# Maildir, as in relay.bats); a From: domain without a key is not
# signed; a key that cannot be read is `samotop-smtpd -n`'s error, and
# at run time a 451 4.7.0 or EX_TEMPFAIL, never an unsigned message.

load lib
load dns

DKIMKEY_BIN=$TOP/samotop-dkimkey
SENDMAIL_BIN=$TOP/samotop-sendmail
DKIMVERIFY=/usr/bin/dkimverify

setup_file() {
	local z=$BATS_FILE_TMPDIR/zones k=$BATS_FILE_TMPDIR/keys
	[ -x "$TOP/samotop-dkimkey" ] || return 0
	mkdir -p "$z" "$k"
	cp "$TESTS_DIR"/dns/* "$z/"
	"$TOP/samotop-dkimkey" -g rsa "$k/rsa.pem"
	"$TOP/samotop-dkimkey" -g ed25519 "$k/ed.pem"
	{
		echo '; dkim_sign.bats: the keys of sign.example'
		"$TOP/samotop-dkimkey" -p sign.example rsa2026 "$k/rsa.pem"
		"$TOP/samotop-dkimkey" -p sign.example ed2026 "$k/ed.pem"
	} >>"$z/example.zone"
	DNS_TEMPLATES=$z
	dns_setup_file
}

teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	# under make check-asan: libopendkim's Ed25519 leak (tests/lsan.supp)
	# is recognized only by the slow unwinder, libcrypto having no frame
	# pointers; this file alone pays for it
	[ -z "${ASAN_OPTIONS:-}" ] ||
	    export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
	[ -x "$DKIMKEY_BIN" ] || skip "samotop-dkimkey is not built"
	[ -x "$DKIMVERIFY" ] || skip "dkimverify (python3-dkim) is not installed"
	K=$BATS_FILE_TMPDIR/keys
}

teardown() {
	common_teardown
	if [ -n "${FILTER_PID:-}" ]; then
		# libmilter looks at SIGTERM only every 5 s (milter_session.bats)
		kill -KILL "$FILTER_PID" 2>/dev/null || true
		reap_pids 250 "$FILTER_PID"
		wait "$FILTER_PID" 2>/dev/null || true
	fi
}

# conf LINE...: both keys for sign.example, the queue and a relay-client.
conf() {
	write_conf "dkim-sign sign.example rsa2026 $K/rsa.pem" \
	    "dkim-sign sign.example ed2026 $K/ed.pem" \
	    "queue $T/queue" "spool-dir $T" "$@"
}

# verify FILE N: dkimverify's verdict on FILE's signature N (0 first),
# with the keys from the namespace's DNS.
verify() {
	in_ns "$DKIMVERIFY" --index "$2" <"$1"
}

# queued: the one message file in the queue.
queued() {
	the_file "$T/queue/mess"
}

# message FROM: a message from FROM, LF line ends (sendmail's input).
message() {
	printf '%s\n' "From: Alice <$1>" 'To: bob@far.example' \
	    'Subject: the  figures' 'MIME-Version: 1.0' \
	    'Content-Type: text/plain; charset=utf-8' '' 'Dear Bob,' '' \
	    'the figures   are attached.  ' ''
}

@test "samotop-sendmail signs what it queues: an RSA and an Ed25519 signature, both valid in dkimverify's eyes" {
	dns_setup
	conf
	message alice@Sign.Example | "$SENDMAIL_BIN" -C "$CONF" bob@far.example
	local f
	f=$(queued)
	head -20 "$f"
	[ "$(grep -c '^DKIM-Signature: ' "$f")" -eq 2 ]
	# the signatures on top, above samotop-sendmail's Received:
	head -1 "$f" | grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sign.example;'
	tr -d '\r\n\t ' <"$f" | grep -q 'a=rsa-sha256;c=relaxed/relaxed;d=sign.example;s=rsa2026;'
	tr -d '\r\n\t ' <"$f" | grep -q 'a=ed25519-sha256;c=relaxed/relaxed;d=sign.example;s=ed2026;'
	# the fields signed, From: once more than the message has it
	tr -d '\r\n\t ' <"$f" | grep -q 'h=Date:Message-ID:From:To:Subject:MIME-Version:Content-Type:from;'
	run verify "$f" 0
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
	run verify "$f" 1
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
	# changed on the way: it no longer verifies
	sed 's/attached/detached/' "$f" >"$T/changed"
	run verify "$T/changed" 0
	[ "$status" -ne 0 ]
}

@test "samotop-sendmail: the From: it adds is signed too; another domain's, or two From: mailboxes, are not signed" {
	dns_setup
	conf
	printf 'Subject: cron\n\nok\n' |
	    "$SENDMAIL_BIN" -C "$CONF" -f daemon@sign.example bob@far.example
	run verify "$(queued)" 0
	echo "$output"
	[ "$output" = "signature ok" ]
	rm "$(queued)"
	message alice@other.example | "$SENDMAIL_BIN" -C "$CONF" bob@far.example
	refute grep -q '^DKIM-Signature' "$(queued)"
	rm "$(queued)"
	message 'alice@sign.example, eve@other.example' |
	    "$SENDMAIL_BIN" -C "$CONF" bob@far.example
	refute grep -q '^DKIM-Signature' "$(queued)"
	# a subdomain is not its parent: no key, no signature
	rm "$(queued)"
	message alice@mail.sign.example | "$SENDMAIL_BIN" -C "$CONF" bob@far.example
	refute grep -q '^DKIM-Signature' "$(queued)"
}

@test "samotop-sendmail -bs signs too; a key that cannot be read queues nothing: 451 4.7.0 and EX_TEMPFAIL" {
	dns_setup
	conf
	run "$SMTPD_BIN" -c "$CONF" -n
	[ "$status" -eq 0 ]
	printf '%s\r\n' 'EHLO c' 'MAIL FROM:<alice@sign.example>' \
	    'RCPT TO:<bob@far.example>' 'DATA' 'From: alice@sign.example' \
	    'Subject: s' '' 'hi' '.' 'QUIT' |
	    "$SENDMAIL_BIN" -C "$CONF" -bs >"$T/out"
	grep -q '^250 2.0.0 queued as' "$T/out"
	run verify "$(queued)" 0
	[ "$output" = "signature ok" ]
	rm "$T"/queue/mess/* "$T"/queue/env/*
	# the key goes away
	write_conf "dkim-sign sign.example rsa2026 $T/gone.pem" "queue $T/queue"
	run "$SENDMAIL_BIN" -C "$CONF" bob@far.example < <(message alice@sign.example)
	echo "$output"
	[ "$status" -eq 75 ]
	assert_contains "$output" "not queued: DKIM signing failed: sign.example selector rsa2026 key $T/gone.pem: No such file or directory"
	printf '%s\r\n' 'EHLO c' 'MAIL FROM:<alice@sign.example>' \
	    'RCPT TO:<bob@far.example>' 'DATA' 'From: alice@sign.example' \
	    'Subject: s' '' 'hi' '.' 'QUIT' |
	    "$SENDMAIL_BIN" -C "$CONF" -bs >"$T/out" 2>/dev/null
	grep -q '^451 4.7.0 DKIM signing failed' "$T/out"
	[ "$(count_files "$T/queue/mess")" -eq 0 ]
	[ "$(count_files "$T/queue/env")" -eq 0 ]
	[ "$(count_files "$T/queue/tmp")" -eq 0 ]
	# ... and samotop-smtpd -n says so
	run "$SMTPD_BIN" -c "$CONF" -n
	echo "$output"
	[ "$status" -ne 0 ]
	assert_contains "$output" "samotop.conf:2: dkim-sign: sign.example selector rsa2026 key $T/gone.pem: No such file or directory"
}

@test "samotop-smtpd -n: a file that holds no key, or an RSA key under 1024 bits, is an error" {
	echo 'not a key' >"$T/text.pem"
	openssl genrsa -out "$T/small.pem" 512 2>/dev/null
	write_conf "dkim-sign sign.example a $T/text.pem" \
	    "dkim-sign sign.example b $T/small.pem" \
	    "dkim-sign sign.example c $K/ed.pem"
	run "$SMTPD_BIN" -c "$CONF" -n
	echo "$output"
	[ "$status" -ne 0 ]
	assert_contains "$output" "samotop.conf:2: dkim-sign: sign.example selector a key $T/text.pem: no unencrypted PEM private key in it"
	assert_contains "$output" "samotop.conf:3: dkim-sign: sign.example selector b key $T/small.pem: RSA key under 1024 bits"
	assert_not_contains "$output" "selector c"
	# the same selector twice, or a relative path: the syntax's error
	write_conf "dkim-sign sign.example a $K/ed.pem" "dkim-sign Sign.Example A $K/rsa.pem"
	run "$SMTPD_BIN" -c "$CONF" -n
	assert_contains "$output" "dkim-sign: sign.example with selector a already on line 2"
	write_conf "dkim-sign sign.example a ed.pem"
	run "$SMTPD_BIN" -c "$CONF" -n
	assert_contains "$output" "KEYFILE must be an absolute path"
}

# smtpd_conf: samotop-smtpd relays for 127.0.0.1 into a Maildir; local.test
# is delivered locally.
smtpd_conf() {
	need_maildir
	make_maildir "$T/relayed" "$T/local"
	conf "route @local.test $MAILDIR_BIN $T/local" \
	    "relay-client 127.0.0.1/32" \
	    "relay-route $MAILDIR_BIN -c $T/relayed" "$@"
}

@test "samotop-smtpd signs a relay-client's mail, its signatures on top; dkimverify passes both" {
	dns_setup
	smtpd_conf
	start_server
	run from_smtplib 127.0.0.1 alice@sign.example bob@far.example \
	    < <(message alice@sign.example | sed 's/$/\r/')
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local f
	f=$(the_file "$T/relayed/new")
	head -20 "$f"
	[ "$(grep -c '^DKIM-Signature: ' "$f")" -eq 2 ]
	# above samotop's Received:
	[ "$(grep -n '^DKIM-Signature: v=1; a=rsa' "$f" | cut -d: -f1)" -lt \
	    "$(grep -n '^Received: ' "$f" | head -1 | cut -d: -f1)" ]
	run verify "$f" 0
	echo "$output"
	[ "$output" = "signature ok" ]
	run verify "$f" 1
	echo "$output"
	[ "$output" = "signature ok" ]
	assert_contains "$(cat "$LOG")" "event=dkim-sign"
	assert_contains "$(cat "$LOG")" "domain=sign.example"
	# it waited to be signed, not to be checked
	assert_not_contains "$(cat "$LOG")" "event=checks"
	# to a local domain, from the relay-client: signed as well
	run from_smtplib 127.0.0.1 alice@sign.example carol@local.test \
	    < <(message alice@sign.example | sed 's/$/\r/')
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	grep -q '^DKIM-Signature: ' "$(the_file "$T/local/new")"
	# BDAT (CHUNKING) in two chunks: signed the same
	rm "$T"/local/new/*
	message alice@sign.example | sed 's/$/\r/' >"$T/msg"
	head -c 50 "$T/msg" >"$T/c1"
	tail -c +51 "$T/msg" >"$T/c2"
	run from_raw 127.0.0.1 'EHLO client.example\r\n' @1 \
	    'MAIL FROM:<alice@sign.example>\r\n' @1 'RCPT TO:<carol@local.test>\r\n' @1 \
	    "BDAT 50\\r\\n" @file:"$T/c1" @1 \
	    "BDAT $(($(wc -c <"$T/msg") - 50)) LAST\\r\\n" @file:"$T/c2" @1 \
	    'QUIT\r\n' @eof
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	run verify "$(the_file "$T/local/new")" 1
	[ "$output" = "signature ok" ]
}

@test "samotop-smtpd: what a milter changed (a field added, the body replaced) is what is signed" {
	dns_setup
	/usr/bin/python3 -c 'import Milter' 2>/dev/null ||
	    skip "python3-milter is not installed"
	/usr/bin/python3 "$TESTS_DIR/milter_filter.py" "$T/py.sock" \
	    2>>"$T/filter.log" &
	FILTER_PID=$!
	wait_ready "$FILTER_PID" 250 test -S "$T/py.sock"
	# every recipient one route, so that the one the filter adds
	# (added@example.org) joins the transaction
	need_maildir
	make_maildir "$T/relayed"
	conf "route * $MAILDIR_BIN -c $T/relayed" "relay-client 127.0.0.1/32" \
	    "relay-route $MAILDIR_BIN -c $T/relayed" "milter unix:$T/py.sock"
	start_server
	run from_smtplib 127.0.0.1 alice@sign.example bob@far.example \
	    < <(message alice@sign.example | sed -e 's/the  figures/replace me/' \
	    -e 's/$/\r/')
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	local f
	# a copy for bob and one for the recipient the filter added
	[ "$(count_files "$T/relayed/new")" -eq 2 ]
	f=$(ls "$T"/relayed/new/* | head -1)
	cat "$f"
	grep -q '^X-Test-Filter: ' "$f"
	grep -q '^the new body' "$f"
	run verify "$f" 0
	echo "$output"
	[ "$output" = "signature ok" ]
	run verify "$f" 1
	[ "$output" = "signature ok" ]
}

@test "samotop-smtpd: another client's mail, or another domain's, is not signed" {
	dns_setup
	smtpd_conf
	start_server
	run from_smtplib 127.0.0.5 alice@sign.example carol@local.test \
	    < <(message alice@sign.example | sed 's/$/\r/')
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	run from_smtplib 127.0.0.1 alice@other.example bob@far.example \
	    < <(message alice@other.example | sed 's/$/\r/')
	assert_contains "$output" "250 2.0.0 Ok: queued as"
	wait_sessions
	refute grep -q '^DKIM-Signature' "$(the_file "$T/local/new")"
	refute grep -q '^DKIM-Signature' "$(the_file "$T/relayed/new")"
	assert_not_contains "$(cat "$LOG")" "event=dkim-sign"
}

@test "samotop-smtpd: a key that cannot be read at run time is 451 4.7.0, nothing delivered" {
	dns_setup
	need_maildir
	make_maildir "$T/relayed"
	cp "$K/rsa.pem" "$T/rsa.pem"
	write_conf "dkim-sign sign.example rsa2026 $T/rsa.pem" \
	    "relay-client 127.0.0.1/32" "spool-dir $T" \
	    "relay-route $MAILDIR_BIN -c $T/relayed"
	start_server
	echo 'garbage' >"$T/rsa.pem"
	run from_smtplib 127.0.0.1 alice@sign.example bob@far.example \
	    < <(message alice@sign.example | sed 's/$/\r/')
	echo "$output"
	assert_contains "$output" "451 4.7.0 DKIM signing failed"
	wait_sessions
	[ "$(count_files "$T/relayed/new")" -eq 0 ]
	assert_contains "$(cat "$LOG")" "no unencrypted PEM private key in it"
}

@test "samotop-dkimkey: keys made 0600 and never over a file; the record for each kind; exit statuses" {
	run "$DKIMKEY_BIN" -g rsa -b 1024 "$T/k1"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$T/k1")" = 600 ]
	head -1 "$T/k1" | grep -qx -- '-----BEGIN PRIVATE KEY-----'
	run "$DKIMKEY_BIN" -g ed25519 "$T/k1"
	[ "$status" -eq 73 ]		# EX_CANTCREAT: it exists
	assert_contains "$output" "File exists"
	run "$DKIMKEY_BIN" -p example.org s1 "$T/k1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == 's1._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; p=MIG'* ]]
	# the public key the record holds is the key's own
	[ "$(sed 's/.*p=\([^"]*\)".*/\1/' <<<"$output")" = \
	    "$(openssl pkey -in "$T/k1" -pubout -outform DER | base64 -w0)" ]
	# 2048 bits: more than one 255-octet string
	run "$DKIMKEY_BIN" -p example.org s2 "$K/rsa.pem"
	[ "$(grep -o '"' <<<"$output" | wc -l)" -eq 4 ]
	run "$DKIMKEY_BIN" -p example.org ed "$K/ed.pem"
	[ "$output" = "ed._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p=$(openssl pkey -in "$K/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)\"" ]
	run "$DKIMKEY_BIN" -p example.org s1 "$T/none"
	[ "$status" -eq 66 ]		# EX_NOINPUT
	echo hello >"$T/text"
	run "$DKIMKEY_BIN" -p example.org s1 "$T/text"
	[ "$status" -eq 65 ]		# EX_DATAERR
	run "$DKIMKEY_BIN" -g rsa -b 512 "$T/k2"
	[ "$status" -eq 64 ]		# EX_USAGE
	[ ! -e "$T/k2" ]
	run "$DKIMKEY_BIN" -g dsa "$T/k2"
	[ "$status" -eq 64 ]
	run "$DKIMKEY_BIN" -p 'bad name' s1 "$T/k1"
	[ "$status" -eq 64 ]
}
