#!/usr/bin/env bats
# Submission end to end (README, "Submission: users send mail"), with
# real parts only, inside the test namespace and its DNS (tests/dns.bash,
# tests/dns/submission.test.zone):
#   - samotop-smtpd under tcpserver -HRl0 -b 256 with a self-signed
#     certificate for mail.submission.test, which the mail client (Python's
#     smtplib, and swaks once) finds in the DNS and trusts;
#   - passwords checked by a real Dovecot's auth socket over a passwd-file
#     (tests/dovecot.bash): alice@submission.test/secret, bob/hunter2;
#   - a remote recipient's mail relayed into the queue (samotop-queue),
#     handed by samotop-send -1 and samotop-remote to the MX of
#     far.submission.test, Postfix's smtp-sink (tests/postfix.bash);
#   - its DKIM-Signature (keys made by samotop-dkimkey -g, records
#     printed by samotop-dkimkey -p and published in the zone) checked by
#     an independent verifier, dkimpy's dkimverify, asking that DNS;
#   - the remote recipient's reply (from 192.0.2.5, which the SPF record
#     of far.submission.test allows; signed by dkimpy's dkimsign with that
#     domain's key; DMARC p=reject) in the user's inbox, because the user
#     wrote to her first, while a stranger of the same domain waits in the
#     Screener folder.
# Needs root (ip netns), nsd, Dovecot, dkimpy, and Postfix's package
# (tests/postfix-fetch.sh; the tests skip when it could not be fetched).

load lib
load dns
load postfix
load dovecot

DKIMKEY_BIN=$TOP/samotop-dkimkey
DKIMVERIFY=/usr/bin/dkimverify
DKIMSIGN=/usr/bin/dkimsign
SINK_IP=127.0.0.46
SINK_NAME=mx.far.submission.test

# Dovecot runs in the namespace too, as tcpserver does (tests/dns.bash):
# tests/dovecot.bash starts it with `dovecot ... &` and waits for its
# LMTP port with ss, which looks into the namespace.  In that background
# subshell the wrapper execs `ip netns exec`, which execs Dovecot, so
# $DOVECOT_PID is Dovecot's own PID.
dovecot() {
	if [ "$BASHPID" != "$$" ]; then
		exec ip netns exec "$DNS_NS" dovecot "$@"
	fi
	ip netns exec "$DNS_NS" dovecot "$@"
}

# port_free PORT: lib.bash's, but in the namespace, where both tcpserver
# and Dovecot listen: pick_port and dovecot_port may start from the same
# port, and only there would the second see that the first took it.
port_free() {
	in_ns "$PYTHON" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

setup_file() {
	local z=$BATS_FILE_TMPDIR/zones k=$BATS_FILE_TMPDIR/keys
	local c=$BATS_FILE_TMPDIR/certs
	mkdir -p "$z" "$k" "$c"
	# the server's certificate: self-signed, as a small site may have
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$c/key.pem" -out "$c/cert.pem" -days 2 \
	    -subj /CN=mail.submission.test \
	    -addext subjectAltName=DNS:mail.submission.test \
	    >"$c/openssl.log" 2>&1 || return 0
	write_client
	[ -x "$DKIMKEY_BIN" ] || return 0
	cp "$TESTS_DIR"/dns/* "$z/"
	# the users' domain signs with RSA and Ed25519; the remote domain
	# signs its replies with RSA (dkimsign)
	"$DKIMKEY_BIN" -g rsa "$k/rsa.pem"
	"$DKIMKEY_BIN" -g ed25519 "$k/ed.pem"
	"$DKIMKEY_BIN" -g rsa "$k/far.pem"
	{
		echo '; submission.bats: the keys made for this run'
		"$DKIMKEY_BIN" -p submission.test s2026 "$k/rsa.pem"
		"$DKIMKEY_BIN" -p submission.test e2026 "$k/ed.pem"
		"$DKIMKEY_BIN" -p far.submission.test far2026 "$k/far.pem"
	} >>"$z/submission.test.zone"
	DNS_TEMPLATES=$z
	dns_setup_file
	pf_setup_file
}

teardown_file() {
	pf_teardown_file
	dns_teardown_file
}

setup() {
	common_setup
	need_maildir
	local p
	for p in samotop-dkimkey samotop-queue samotop-send samotop-remote \
	    samotop-screener; do
		[ -x "$TOP/$p" ] || skip "$p is not built"
	done
	if [ ! -x "$DKIMVERIFY" ] || [ ! -x "$DKIMSIGN" ]; then
		skip "dkimpy (python3-dkim) is not installed"
	fi
	# the program, not the wrapper above (which need_dovecot would find)
	type -P dovecot >/dev/null ||
	    skip "dovecot is not installed (Debian: dovecot-core dovecot-lmtpd)"
	dns_setup
	pf_need
	dovecot_setup
	# the users, instead of tests/dovecot.bash's example.org ones
	printf '%s:{PLAIN}%s::::::\n' alice@submission.test secret \
	    bob@submission.test hunter2 >"$DDIR/users"
	# no pause before each "no" (2 s, then Dovecot's penalty for the
	# client's address, up to 15 s): the tests make several failures;
	# and a log line for each
	printf '%s\n' 'auth_failure_delay = 0' 'auth_verbose = yes' \
	    'service anvil {' '  unix_listener anvil-auth-penalty {' \
	    '    mode = 0' '  }' '}' >>"$DCONF"
	dovecot_start
	K=$BATS_FILE_TMPDIR/keys
	CA=$BATS_FILE_TMPDIR/certs/cert.pem	# the client trusts it as it is
	CLIENT=$BATS_FILE_TMPDIR/client.py
	Q=$T/queue
	mkdir -p "$T/mail"
	make_maildir "$T/mail/alice" "$T/mail/bob"
	write_conf "tls-certificate $BATS_FILE_TMPDIR/certs/cert.pem" \
	    "tls-key $BATS_FILE_TMPDIR/certs/key.pem" \
	    "auth-dovecot unix:$DDIR/run/auth-client" \
	    "route @submission.test $MAILDIR_BIN $T/mail/%u" \
	    "queue $Q" "relay-route $TOP/samotop-queue -c $CONF" \
	    "dkim-sign submission.test s2026 $K/rsa.pem" \
	    "dkim-sign submission.test e2026 $K/ed.pem" \
	    "spf yes" "dkim yes" "dmarc yes" "spool-dir $T" \
	    "screener $T/screener.db" "screener-recipient @submission.test"
	start_server
}

teardown() {
	pf_stop
	common_teardown
	[ -z "${DDIR:-}" ] || dovecot_teardown
}

# client [--src ADDR] CODE: the user's mail client, Python's smtplib, in
# the namespace, connecting to mail.submission.test (the DNS says
# 127.0.0.1) from ADDR (127.0.0.1).  CODE uses plain() (a client after
# EHLO), tls() (after EHLO, STARTTLS with the certificate verified, EHLO),
# once(c, USER, PASSWORD) (one AUTH PLAIN), login(c, USER, PASSWORD),
# message(FROM, TO, SUBJECT) and send(c, MAILFROM, TO, MESSAGE); each
# prints "CODE TEXT" or "sent".
client() {
	local src=127.0.0.1
	if [ "$1" = --src ]; then
		src=$2
		shift 2
	fi
	in_ns "$PYTHON" "$CLIENT" "$PORT" "$CA" "$src" "$1"
}

write_client() {
	cat >"$BATS_FILE_TMPDIR/client.py" <<'PY'
import base64, email.utils, smtplib, ssl, sys
port, ca, src, code = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
def show(r):
    print(r[0], r[1].decode())
def plain():
    c = smtplib.SMTP("mail.submission.test", port, source_address=(src, 0),
                     timeout=10)
    c.ehlo("laptop.submission.test")
    return c
def tls():
    c = plain()
    c.starttls(context=ctx)
    c.ehlo("laptop.submission.test")
    return c
def once(c, user, pw):
    ir = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode())
    show(c.docmd("AUTH PLAIN " + ir.decode()))
def login(c, user, pw):
    try:
        show(c.login(user, pw))
    except smtplib.SMTPNotSupportedError as e:
        print("no AUTH:", e)
    except smtplib.SMTPException as e:
        print(e.smtp_code, e.smtp_error.decode())
def message(frm, to, subject):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Dear Carol,\r\n\r\nthe figures   are attached.  \r\n"
            % (frm, to, subject, email.utils.formatdate(),
               email.utils.make_msgid(domain="laptop.submission.test"))
            ).encode()
def send(c, frm, to, data):
    try:
        c.sendmail(frm, [to], data)
        print("sent")
    except smtplib.SMTPRecipientsRefused as e:
        for k, v in e.recipients.items():
            print(v[0], v[1].decode())
    except smtplib.SMTPResponseException as e:
        print(e.smtp_code, e.smtp_error.decode())
exec(code)
PY
}

# send_once: samotop-send -1 in the namespace (samotop-remote asks its
# DNS for the MX), its log into $LOG.
send_once() { in_ns "$TOP/samotop-send" -1 -c "$CONF" 2>>"$LOG"; }
queued() { find "$Q/env" -type f 2>/dev/null | wc -l; }

# verify FILE N: dkimverify's verdict on FILE's signature N (0 first),
# the key from the namespace's DNS.
verify() {
	in_ns "$DKIMVERIFY" --index "$2" <"$1"
}

# mta_message FROM SUBJECT: a message of the remote domain to alice,
# signed by dkimpy with far.submission.test's key.
mta_message() {
	printf '%s\r\n' "From: ${1%%@*} <$1>" 'To: Alice <alice@submission.test>' \
	    "Subject: $2" "Date: $(date -R)" \
	    "Message-ID: <$RANDOM.$RANDOM@far.submission.test>" '' \
	    'Dear Alice,' '' 'thanks.' '' |
	    "$DKIMSIGN" --bcanon relaxed far2026 far.submission.test "$K/far.pem"
}

# mta_send FROM SUBJECT: that message from 192.0.2.5, as a remote MTA
# delivers it: no TLS, no AUTH.
mta_send() {
	run from_smtplib 192.0.2.5 "$1" alice@submission.test \
	    < <(mta_message "$1" "$2")
	echo "$output"
	assert_contains "$output" "250 2.0.0 Ok: queued as"
}

@test "the mail client: no AUTH before STARTTLS (530 5.7.0); after it PLAIN and LOGIN, Dovecot's auth socket says 535 5.7.8 to a wrong password and 235 to the right one; the third failure ends the session" {
	run client 'c = plain(); print(sorted(c.esmtp_features))
login(c, "alice@submission.test", "secret")
show(c.docmd("AUTH PLAIN AGFsaWNlQHN1Ym1pc3Npb24udGVzdABzZWNyZXQ="))
c.starttls(context=ctx); c.ehlo("laptop.submission.test")
print("auth:" + c.esmtp_features["auth"])
once(c, "alice@submission.test", "Secret")
once(c, "alice@submission.test", "secret")
c.quit()
c = tls()
for pw in ("a", "b", "c"):
    once(c, "bob@submission.test", pw)
try:
    c.noop()
except smtplib.SMTPServerDisconnected:
    print("closed")'
	echo "$output"
	assert_not_contains "${lines[0]}" "auth"
	assert_contains "${lines[0]}" "'starttls'"
	assert_line_eq 1 "no AUTH: SMTP AUTH extension not supported by server."
	assert_line_eq 2 "530 5.7.0 Must issue a STARTTLS command first"
	assert_line_eq 3 "auth: PLAIN LOGIN"
	assert_line_eq 4 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 5 "235 2.7.0 Authentication successful"
	assert_line_eq 6 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 7 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 8 "421 4.7.0 mx.test Too many authentication failures, closing connection"
	assert_line_eq 9 "closed"
	wait_sessions
	grep 'event=auth .*user=alice@submission.test result=failure' "$LOG"
	grep 'event=auth .*mechanism=PLAIN user=alice@submission.test result=success' "$LOG"
	[ "$(grep -c 'event=auth .*user=bob@submission.test result=failure' "$LOG")" -eq 3 ]
	# Dovecot did the checking, told the client's address
	grep -q 'passwd-file(alice@submission.test,127.0.0.1): Password mismatch' "$DLOG"
	[ "$(grep -c 'passwd-file(bob@submission.test,127.0.0.1): Password mismatch' "$DLOG")" -eq 3 ]
	assert_not_contains "$(cat "$LOG")" "secret"
	assert_not_contains "$(cat "$LOG")" "Secret"
}

@test "relayed to the remote MX: into the queue, samotop-send -1 hands it to the MX of far.submission.test (smtp-sink); dkimverify accepts both DKIM signatures with the keys in the DNS; swaks's message too" {
	sink_start "$SINK_IP" "$SINK_NAME"
	run client 'c = tls(); login(c, "alice@submission.test", "secret")
send(c, "alice@submission.test", "carol@far.submission.test",
     message("Alice <alice@submission.test>", "Carol <carol@far.submission.test>", "the  figures"))'
	echo "$output"
	assert_line_eq 0 "235 2.7.0 Authentication successful"
	assert_line_eq 1 "sent"
	# swaks: AUTH LOGIN after STARTTLS, as bob
	run in_ns swaks --server mail.submission.test --port "$PORT" --tls \
	    --auth LOGIN --auth-user bob@submission.test --auth-password hunter2 \
	    --from bob@submission.test --to dave@far.submission.test \
	    --helo laptop.submission.test --header "From: Bob <bob@submission.test>" \
	    --header "Subject: from swaks"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "<~  235 2.7.0 Authentication successful"
	wait_sessions
	[ "$(queued)" -eq 2 ]
	assert_not_contains "$(cat "$LOG")" "hunter2"
	assert_not_contains "$(cat "$LOG")" "secret"
	send_once
	[ "$(queued)" -eq 0 ]
	# the MX found through the DNS
	grep -q "event=delivery .*to=carol@far.submission.test status=sent code=250 .*host=$SINK_NAME ip=$SINK_IP" "$LOG"
	grep -q "event=delivery .*to=dave@far.submission.test status=sent code=250 .*host=$SINK_NAME ip=$SINK_IP" "$LOG"
	local d f
	d=$SINK_DIR/$SINK_NAME
	[ "$(count_files "$d")" -eq 2 ]
	f=$(grep -l '^X-Rcpt-Args: <carol@far.submission.test>' "$d"/*)
	cat "$f"
	grep -q '^X-Mail-Args: <alice@submission.test>' "$f"
	refute grep -q '^Authentication-Results:' "$f"
	tr -d '\r\n\t' <"$f" | grep -q 'Received: from laptop.submission.test (\[127.0.0.1\])(using TLSv1\.3 .*)by mx.test (samotop) with ESMTPSA id '
	tr -d '\r\n\t ' <"$f" | grep -q 'a=rsa-sha256;c=relaxed/relaxed;d=submission.test;s=s2026;'
	tr -d '\r\n\t ' <"$f" | grep -q 'a=ed25519-sha256;c=relaxed/relaxed;d=submission.test;s=e2026;'
	run verify "$f" 0
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
	run verify "$f" 1
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
	# changed on the way, it no longer verifies
	sed 's/attached/detached/' "$f" >"$T/changed"
	run verify "$T/changed" 0
	[ "$status" -ne 0 ]
	f=$(grep -l '^X-Rcpt-Args: <dave@far.submission.test>' "$d"/*)
	grep -q '^X-Mail-Args: <bob@submission.test>' "$f"
	run verify "$f" 0
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "signature ok" ]
}

@test "the reply: carol's first message waits in the Screener folder; once alice wrote to her, carol's reply lands in the inbox; a stranger of her domain still waits" {
	mta_send carol@far.submission.test "before alice wrote"
	wait_sessions
	[ "$(count_files "$T/mail/alice/new")" -eq 0 ]
	grep -q '^Subject: before alice wrote' "$(the_file "$T/mail/alice/.Screener/new")"
	run client 'c = tls(); login(c, "alice@submission.test", "secret")
send(c, "alice@submission.test", "carol@far.submission.test",
     message("Alice <alice@submission.test>", "carol@far.submission.test", "the figures"))'
	echo "$output"
	assert_line_eq 1 "sent"
	wait_sessions
	[ "$(queued)" -eq 1 ]
	run "$TOP/samotop-screener" -c "$CONF" list alice@submission.test
	echo "$output"
	assert_contains "$output" "allow	carol@far.submission.test"
	mta_send carol@far.submission.test "Re: the figures"
	mta_send dave@far.submission.test "an offer"
	wait_sessions
	local f
	f=$(the_file "$T/mail/alice/new")
	cat "$f"
	grep -q '^Subject: Re: the figures' "$f"
	assert_not_contains "$(cat "$f")" "X-Samotop-Screener:"
	# SPF, DKIM and DMARC all passed (RFC 8601's field)
	tr -d '\r\n\t ' <"$f" | grep -q 'spf=pass'
	tr -d '\r\n\t ' <"$f" | grep -q 'dkim=pass'
	tr -d '\r\n\t ' <"$f" | grep -q 'dmarc=pass'
	[ "$(count_files "$T/mail/alice/.Screener/new")" -eq 2 ]
	f=$(grep -l '^Subject: an offer' "$T"/mail/alice/.Screener/new/*)
	grep -q '^X-Samotop-Screener: held (new sender)' "$f"
	grep -q 'event=screener .*to=alice@submission.test from=carol@far.submission.test result=inbox' "$LOG"
	grep -q 'event=screener .*to=alice@submission.test from=dave@far.submission.test result=held' "$LOG"
}

@test "spoofing: another user's MAIL FROM or From: is 553 5.7.1; relaying without AUTH is 550 5.7.1, from the mail client and from an MTA; nothing is queued" {
	run client 'c = tls(); login(c, "alice@submission.test", "secret")
send(c, "bob@submission.test", "carol@far.submission.test",
     message("bob@submission.test", "carol@far.submission.test", "as bob"))
send(c, "alice@submission.test", "carol@far.submission.test",
     message("Bob <bob@submission.test>", "carol@far.submission.test", "as bob"))
c.quit()
c = tls()
send(c, "alice@submission.test", "carol@far.submission.test",
     message("alice@submission.test", "carol@far.submission.test", "no AUTH"))'
	echo "$output"
	assert_line_eq 0 "235 2.7.0 Authentication successful"
	assert_line_eq 1 "553 5.7.1 Sender address <bob@submission.test> not owned by user alice@submission.test"
	assert_line_eq 2 "553 5.7.1 From: address <bob@submission.test> not owned by user alice@submission.test"
	assert_line_eq 3 "550 5.7.1 Relaying denied: carol@far.submission.test"
	run from_smtplib 192.0.2.5 dave@far.submission.test carol@far.submission.test \
	    </dev/null
	echo "$output"
	assert_contains "$output" "550 5.7.1 Relaying denied: carol@far.submission.test"
	wait_sessions
	[ "$(queued)" -eq 0 ]
	grep 'event=reject .*from=bob@submission.test code=553 .*reason=sender-login' "$LOG"
	grep 'event=sender-login .*user=alice@submission.test from=bob@submission.test result=refused' "$LOG"
}
