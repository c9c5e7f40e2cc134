#!/usr/bin/env bats
# Submission (samotop.conf(5), SUBMISSION): AUTH PLAIN and LOGIN under TLS
# only, checked by a checkpassword shell script or a real Dovecot's auth
# socket; guessing cut off per session and per client network (the
# store's counters); relay for authenticated users only; MAIL FROM and
# From: the user's own; per-user limits; Received: with ESMTPSA; and the
# screener learning the recipients.  Clients: Python's smtplib (and
# tests/tls.bash's byte-exact tls_raw, and swaks) against samotop-smtpd
# under tcpserver with a certificate made at test time.

load lib
load tls
load dovecot

setup_file() {
	make_certs
}

setup() {
	common_setup
	need_maildir
	tls_paths
	MD=$T/Maildir
	make_maildir "$MD"
	# alice@example.org/secret, bob@example.org/hunter2, and a password
	# that makes the checker fail (exit 111)
	cat >"$T/checkpw" <<'SH'
#!/bin/bash
IFS= read -r -d '' user <&3
IFS= read -r -d '' pass <&3
case "$user:$pass" in
alice@example.org:secret|bob@example.org:hunter2) exit 0 ;;
*:temporary) exit 111 ;;
esac
exit 1
SH
	chmod +x "$T/checkpw"
	SUB=$BATS_FILE_TMPDIR/sub.py
	write_sub
}

teardown() {
	common_teardown
	[ -z "${DDIR:-}" ] || dovecot_teardown
}

# auth_conf LINE...: TLS, local mail for example.org, relayed mail into the
# queue, AUTH by the script, counters in $T/store.db.
auth_conf() {
	write_conf "tls-certificate $CERT" "tls-key $KEY" \
	    "route @example.org $MAILDIR_BIN -c $MD" "queue $T/queue" \
	    "relay-route $TOP/samotop-queue -c $CONF" "store $T/store.db" \
	    "$@"
}

checkpw_conf() {
	auth_conf "auth-checkpassword $T/checkpw" "$@"
}

# sub [--src ADDR] CODE: Python with smtplib; CODE uses tls() (a client
# after EHLO, STARTTLS, EHLO), plain(), implicit(), msg(FROM, TO) and
# show(reply) (prints "CODE TEXT").
sub() {
	local src=127.0.0.1
	if [ "$1" = --src ]; then
		src=$2
		shift 2
	fi
	"$PYTHON" "$SUB" "$PORT" "$CA" "$src" "$1"
}

write_sub() {
	cat >"$SUB" <<'PY'
import smtplib, socket, ssl, sys
port, ca, src, code = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
def show(r):
    print(r[0], r[1].decode())
def plain():
    c = smtplib.SMTP("127.0.0.1", port, source_address=(src, 0), timeout=10)
    c.ehlo("client.test")
    return c
def tls():
    c = plain()
    c.starttls(context=ctx)
    c.ehlo("client.test")
    return c
def implicit():
    c = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx,
                         source_address=(src, 0), timeout=10)
    c.ehlo("client.test")
    return c
def msg(frm, to, subject="t"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nhello\r\n"
            % (frm, to, subject)).encode()
def auth(c, user, pw):
    try:
        show(c.login(user, pw))
    except smtplib.SMTPException as e:
        print(e.smtp_code, e.smtp_error.decode())
def once(c, user, pw):
    # one AUTH PLAIN (smtplib's login() would try LOGIN after a failure)
    import base64
    ir = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode())
    show(c.docmd("AUTH PLAIN " + ir.decode()))
def send(c, frm, to, hdr_from=None):
    try:
        c.sendmail(frm, [to], msg(hdr_from or frm, to))
        print("sent")
    except smtplib.SMTPRecipientsRefused as e:
        for k, v in e.recipients.items():
            print(v[0], v[1].decode())
    except smtplib.SMTPResponseException as e:
        print(e.smtp_code, e.smtp_error.decode())
exec(code)
PY
}

queued() {
	find "$T/queue/env" -type f 2>/dev/null | wc -l
}

# --- offered only under TLS -------------------------------------------------

@test "AUTH is neither advertised nor taken before STARTTLS (530 5.7.0); after it: 250-AUTH PLAIN LOGIN" {
	checkpw_conf
	start_server
	run tls_raw 'EHLO client.test\r\n' @1 \
	    'AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n' @1 \
	    'STARTTLS\r\n' @1 @starttls 'EHLO client.test\r\n' @1 'QUIT\r\n' @eof
	echo "$output"
	[ "$(grep -c AUTH <<<"${output%%STARTTLS*}")" -eq 0 ]
	assert_contains "$output" "530 5.7.0 Must issue a STARTTLS command first"
	assert_contains "${output#*<TLS}" "250-AUTH PLAIN LOGIN"
	# nothing was checked: the script never ran for that AUTH
	assert_not_contains "$(cat "$LOG")" "event=auth "
}

@test "-n: AUTH needs a certificate; auth-checkpassword and auth-dovecot together are an error" {
	write_conf "route * $MAILDIR_BIN $MD" "auth-checkpassword $T/checkpw"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "needs tls-certificate"
	checkpw_conf "auth-dovecot unix:/run/dovecot/auth-client"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "choose one"
	auth_conf "auth-dovecot tcp:localhost"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "unix:/PATH"
	checkpw_conf "auth-failure-limit 10/1h" "user-limit-messages 100/1d" \
	    "sender-login @example.org alice@example.org" "received-hide-client yes"
	run "$SMTPD_BIN" -n -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	checkpw_conf "auth-failure-limit 10"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "N/DURATION"
	auth_conf "auth-checkpassword $T/nonexistent"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "auth-checkpassword $T/nonexistent: No such file"
	# submission's tuning without a checker: warnings, -n still 0
	auth_conf "sender-login @example.org alice@example.org" "user-limit-messages 1/1h"
	run "$SMTPD_BIN" -n -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: sender-login has no effect without auth-checkpassword or auth-dovecot"
	assert_contains "$output" "warning: user-limit-messages has no effect"
}

@test "implicit TLS (tls-implicit): AUTH is offered at once" {
	checkpw_conf "tls-implicit yes"
	start_server
	run sub 'c = implicit(); print(c.esmtp_features.get("auth")); auth(c, "alice@example.org", "secret")'
	echo "$output"
	assert_line_eq 0 " PLAIN LOGIN"
	assert_line_eq 1 "235 2.7.0 Authentication successful"
}

# --- the exchange ------------------------------------------------------------

@test "PLAIN and LOGIN with the checkpassword script: 235, 535 5.7.8 for a wrong password, 454 4.7.0 when it cannot tell; the user logged, never the password" {
	checkpw_conf
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "Tr0ub4dor"); c.quit()
c = tls(); c.user, c.password = "bob@example.org", "hunter2"
show(c.auth("LOGIN", c.auth_login, initial_response_ok=False))
show(c.docmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA=="))
c.quit()
c = tls(); once(c, "alice@example.org", "temporary")'
	echo "$output"
	assert_line_eq 0 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 1 "235 2.7.0 Authentication successful"
	assert_line_eq 2 "503 5.5.1 Already authenticated"
	assert_line_eq 3 "454 4.7.0 Temporary authentication failure"
	wait_sessions
	grep 'event=auth .*user=alice@example.org result=failure' "$LOG"
	grep 'event=auth .*mechanism=LOGIN user=bob@example.org result=success' "$LOG"
	grep 'event=auth .*user=alice@example.org result=tempfail reason=".*exit 111' "$LOG"
	assert_not_contains "$(cat "$LOG")" "hunter2"
	assert_not_contains "$(cat "$LOG")" "secret"
	assert_not_contains "$(cat "$LOG")" "Tr0ub4dor"
	assert_not_contains "$(cat "$LOG")" "temporary"
}

@test "the exchange: \"=\" an empty initial response, \"*\" cancels (501 5.0.0), bad base64 501 5.5.2, unknown mechanism 504, inside a transaction 503" {
	checkpw_conf
	start_server
	run tls_raw 'EHLO client.test\r\n' @1 'STARTTLS\r\n' @1 @starttls \
	    'EHLO client.test\r\n' @1 'AUTH PLAIN =\r\n' @1 \
	    'AUTH LOGIN\r\n' @1 '*\r\n' @1 \
	    'AUTH PLAIN\r\n' @1 'not base64!\r\n' @1 \
	    'AUTH CRAM-MD5\r\n' @1 \
	    'MAIL FROM:<x@example.org>\r\n' @1 'AUTH PLAIN\r\n' @1 'RSET\r\n' @1 \
	    'AUTH LOGIN YWxpY2VAZXhhbXBsZS5vcmc=\r\n' @1 'c2VjcmV0\r\n' @1 \
	    'QUIT\r\n' @eof
	echo "$output"
	assert_contains "$output" "501 5.5.2 Malformed authentication response"
	assert_contains "$output" "334 VXNlcm5hbWU6"
	assert_contains "$output" "501 5.0.0 Authentication cancelled"
	assert_contains "$output" "334 "
	assert_contains "$output" "501 5.5.2 Cannot decode the response (base64)"
	assert_contains "$output" "504 5.5.4 Unrecognized authentication type"
	assert_contains "$output" "503 5.5.1 AUTH not permitted during a mail transaction"
	assert_contains "$output" "334 UGFzc3dvcmQ6"
	assert_contains "$output" "235 2.7.0 Authentication successful"
}

# --- guessing ----------------------------------------------------------------

@test "the third failure ends the session (421 4.7.0); a guesser that reconnects, from another address of the network too, is refused before the password is checked (454 4.7.0)" {
	checkpw_conf "auth-failure-limit 4/1h"
	start_server
	run sub 'c = tls()
for pw in ("a", "b", "c"):
    once(c, "alice@example.org", pw)
try:
    c.noop()
except smtplib.SMTPServerDisconnected:
    print("closed")'
	echo "$output"
	assert_line_eq 0 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 1 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 2 "421 4.7.0 mx.test Too many authentication failures, closing connection"
	assert_line_eq 3 "closed"
	# the fourth failure of 127.0.0.0/24 ...
	run sub 'c = tls(); once(c, "alice@example.org", "d")'
	assert_line_eq 0 "535 5.7.8 Authentication credentials invalid"
	# ... and now even the right password is not checked
	run sub --src 127.0.0.2 'c = tls(); once(c, "alice@example.org", "secret")'
	echo "$output"
	assert_line_eq 0 "454 4.7.0 Too many authentication failures from your network, try again later"
	wait_sessions
	grep 'event=auth .*network=127.0.0.0/24 result=limited' "$LOG"
	[ "$(grep -c 'result=success' "$LOG")" -eq 0 ]
}

# --- relay -------------------------------------------------------------------

@test "relay only after AUTH: 550 5.7.1 before, into the queue after; local mail as usual" {
	[ -x "$TOP/samotop-queue" ] || skip "samotop-queue is not built"
	checkpw_conf
	start_server
	run sub 'c = tls(); send(c, "alice@example.org", "someone@far.example")'
	echo "$output"
	assert_line_eq 0 "550 5.7.1 Relaying denied: someone@far.example"
	[ "$(queued)" -eq 0 ]
	run sub 'c = tls(); auth(c, "alice@example.org", "secret")
send(c, "alice@example.org", "someone@far.example")
send(c, "alice@example.org", "bob@example.org")'
	echo "$output"
	assert_line_eq 1 "sent"
	assert_line_eq 2 "sent"
	wait_sessions
	[ "$(queued)" -eq 1 ]
	assert_contains "$(cat "$T"/queue/env/*)" "rcpt someone@far.example"
	[ "$(count_files "$MD/new")" -eq 1 ]
}

# --- sending as themselves ---------------------------------------------------

@test "MAIL FROM of another user: 553 5.7.1; sender-login lets a login send as a domain or an address from a file" {
	printf '%s\n' '# shared addresses' 'sales@example.org bob@example.org alice@example.org' >"$T/senders"
	checkpw_conf "sender-login @example.net alice@example.org" \
	    "sender-login file:$T/senders"
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret")
send(c, "bob@example.org", "bob@example.org")
send(c, "anything@example.net", "bob@example.org")
send(c, "sales@example.org", "bob@example.org")
send(c, "", "bob@example.org", "alice@example.org")'
	echo "$output"
	assert_line_eq 1 "553 5.7.1 Sender address <bob@example.org> not owned by user alice@example.org"
	assert_line_eq 2 "sent"
	assert_line_eq 3 "sent"
	assert_line_eq 4 "sent"
	wait_sessions
	grep 'event=reject .*from=bob@example.org code=553 .*reason=sender-login' "$LOG"
}

@test "a From: of another domain: 553 5.7.1 at the end of data, nothing delivered" {
	checkpw_conf
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret")
send(c, "alice@example.org", "bob@example.org", "Alice <alice@evil.example>")
send(c, "alice@example.org", "bob@example.org", "\"Alice\" <Alice@Example.org>")'
	echo "$output"
	assert_line_eq 1 "553 5.7.1 From: address <alice@evil.example> not owned by user alice@example.org"
	assert_line_eq 2 "sent"
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 1 ]
	grep 'event=sender-login .*user=alice@example.org from=alice@evil.example result=refused' "$LOG"
}

# --- per-user limits ----------------------------------------------------------

@test "user-limit-messages and user-limit-recipients: 451 4.7.1 and 452 4.7.1, logged with the user" {
	checkpw_conf "user-limit-messages 2/1h" "user-limit-recipients 3/1h"
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret")
send(c, "alice@example.org", "bob@example.org")
c.quit()
c = tls(); auth(c, "alice@example.org", "secret")
try:
    c.sendmail("alice@example.org", ["bob@example.org", "bob+a@example.org", "bob+b@example.org"], msg("alice@example.org", "bob@example.org"))
    print("sent")
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
send(c, "alice@example.org", "bob@example.org")'
	echo "$output"
	assert_line_eq 1 "sent"
	# the second message: 2 of 3 recipients taken (the first had one)
	assert_contains "$output" "sent"
	assert_line_eq 4 "451 4.7.1 Too many messages from user alice@example.org, try later"
	wait_sessions
	grep 'event=limit user=alice@example.org limit=user-limit-recipients' "$LOG"
	grep 'event=limit user=alice@example.org limit=user-limit-messages' "$LOG"
	grep 'code=452 reply="4.7.1 Too many recipients from user alice@example.org' "$LOG"
}

# --- Received: ---------------------------------------------------------------

@test "Received: says with ESMTPSA, no Authentication-Results:; received-hide-client yes leaves the client out" {
	checkpw_conf
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret"); send(c, "alice@example.org", "bob@example.org")'
	wait_sessions
	local rcv
	rcv=$(received_of "$(the_file "$MD/new")")
	echo "$rcv"
	assert_contains "$rcv" " with ESMTPSA id "
	assert_contains "$rcv" "[127.0.0.1]"
	# what we checked is for our own users' filters, not a reader's
	refute grep -q '^Authentication-Results:' "$(the_file "$MD/new")"
	rm -f "$MD"/new/*
	stop_server
	checkpw_conf "received-hide-client yes"
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret"); send(c, "alice@example.org", "bob@example.org")'
	wait_sessions
	rcv=$(received_of "$(the_file "$MD/new")")
	echo "$rcv"
	assert_contains "$rcv" "Received: from unknown (not recorded) (using TLSv1."
	assert_contains "$rcv" " with ESMTPSA id "
	assert_not_contains "$rcv" "127.0.0.1"
	assert_not_contains "$rcv" "client.test"
}

# --- other clients -----------------------------------------------------------

@test "swaks: AUTH LOGIN after STARTTLS, the message relayed into the queue" {
	command -v swaks >/dev/null || skip "swaks is not installed"
	[ -x "$TOP/samotop-queue" ] || skip "samotop-queue is not built"
	checkpw_conf
	start_server
	run swaks --server 127.0.0.1 --port "$PORT" --tls --tls-ca-path "$CA" \
	    --auth LOGIN --auth-user bob@example.org --auth-password hunter2 \
	    --from bob@example.org --to carol@far.example --helo client.test \
	    --header "From: bob@example.org"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "<~  235 2.7.0 Authentication successful"
	wait_sessions
	[ "$(queued)" -eq 1 ]
}

# --- Dovecot -----------------------------------------------------------------

@test "auth-dovecot: a real Dovecot's auth-client socket with a passwd-file: 235, 535, and a dead socket 454" {
	dovecot_setup
	dovecot_start
	auth_conf "auth-dovecot unix:$DDIR/run/auth-client"
	start_server
	run sub 'c = tls(); once(c, "alice@example.org", "wrong"); once(c, "alice@example.org", "secret")
send(c, "alice@example.org", "carol@far.example")'
	echo "$output"
	assert_line_eq 0 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 1 "235 2.7.0 Authentication successful"
	assert_line_eq 2 "sent"
	dovecot_stop
	run sub 'c = tls(); once(c, "alice@example.org", "secret")'
	echo "$output"
	assert_line_eq 0 "454 4.7.0 Temporary authentication failure"
	wait_sessions
	grep 'event=auth .*result=tempfail reason=".*auth-client' "$LOG"
	assert_not_contains "$(cat "$LOG")" "secret"
}

# --- the screener learns -------------------------------------------------------

@test "the screener learns: each recipient of an authenticated user's accepted message becomes an allowed sender for them" {
	[ -x "$TOP/samotop-queue" ] || skip "samotop-queue is not built"
	[ -x "$TOP/samotop-screener" ] || skip "samotop-screener is not built"
	# an authenticated user's own mail needs no DNS: no SPF (they are no
	# stranger), no DKIM signature to verify, no DMARC verdict
	checkpw_conf "spf yes" "dkim yes" "dmarc yes" "spool-dir $T" \
	    "screener $T/screener.db" "screener-recipient @example.org"
	start_server
	run sub 'c = tls(); auth(c, "alice@example.org", "secret")
send(c, "alice+news@example.org", "carol@far.example")
send(c, "alice@example.org", "bob@example.org", "Alice <alice@example.org>")
try:
    c.sendmail("alice@example.org", ["dave@far.example"], msg("Eve <eve@evil.example>", "dave@far.example"))
except smtplib.SMTPResponseException as e:
    print(e.smtp_code)'
	echo "$output"
	assert_line_eq 1 "sent"
	assert_line_eq 2 "sent"
	assert_line_eq 3 "553"
	wait_sessions
	run "$TOP/samotop-screener" -c "$CONF" list alice@example.org
	echo "$output"
	[ "${lines[0]%%$'\t'*}" = allow ]
	assert_contains "$output" "allow	bob@example.org"
	assert_contains "$output" "allow	carol@far.example"
	# a message that was refused teaches nothing
	assert_not_contains "$output" "dave@far.example"
	# bob's copy went to his inbox, not his Screener folder
	[ "$(count_files "$MD/new")" -eq 1 ]
}

# --- leave no trace -------------------------------------------------------------

@test "leave-no-trace: the store's counters are keyed by hashes, the log has no login or network" {
	checkpw_conf "leave-no-trace yes" "leave-no-trace-key $T/notrace.key" \
	    "user-limit-messages 10/1h" "auth-failure-limit 1/1h"
	start_server
	run sub 'c = tls(); once(c, "alice@example.org", "secret")
send(c, "alice@example.org", "bob@example.org")
c = tls(); once(c, "alice@example.org", "nope")
c = tls(); once(c, "alice@example.org", "secret")'
	echo "$output"
	assert_line_eq 0 "235 2.7.0 Authentication successful"
	assert_line_eq 1 "sent"
	assert_line_eq 2 "535 5.7.8 Authentication credentials invalid"
	assert_line_eq 3 "454 4.7.0 Too many authentication failures from your network, try again later"
	wait_sessions
	run "$PYTHON" -c 'import sqlite3, sys
for n, k in sqlite3.connect(sys.argv[1]).execute("select name, key from counter order by name"):
    print(n + "|" + k)' "$T/store.db"
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^auth-fail\|[0-9a-f]{16,}$ ]]
	[[ "${lines[1]}" =~ ^user-messages\|[0-9a-f]{16,}$ ]]
	assert_not_contains "$(cat "$LOG")" "alice@example.org"
	assert_not_contains "$(cat "$LOG")" "127.0.0"
	assert_contains "$(cat "$LOG")" "result=limited"
}

# --- milters ---------------------------------------------------------------------

@test "milters learn the login in {auth_authen}, as from Postfix" {
	/usr/bin/python3 -c 'import Milter' 2>/dev/null ||
	    skip "python3-milter is not installed"
	cat >"$T/filter.py" <<'PY'
import sys
import Milter
class F(Milter.Base):
    def negotiate(self, opts):
        rc = Milter.Base.negotiate(self, opts)
        self._ctx.setsymlist(Milter.M_ENVFROM, "{auth_authen} {mail_addr}")
        return rc
    def envfrom(self, mailfrom, *params):
        with open(sys.argv[2], "a") as f:
            f.write("%s %s\n" % (self.getsymval("{mail_addr}"),
                                 self.getsymval("{auth_authen}")))
        return Milter.ACCEPT
Milter.factory = F
Milter.runmilter("auth-test", "unix:" + sys.argv[1], timeout=30)
PY
	/usr/bin/python3 "$T/filter.py" "$T/f.sock" "$T/seen" 2>>"$T/filter.log" &
	local fpid=$! i
	for i in $(seq 1 250); do [ -S "$T/f.sock" ] && break; sleep 0.02; done
	checkpw_conf "milter unix:$T/f.sock" "spool-dir $T"
	start_server
	run sub 'c = tls(); send(c, "carol@example.org", "bob@example.org"); auth(c, "alice@example.org", "secret")
send(c, "alice@example.org", "bob@example.org")'
	echo "$output"
	wait_sessions
	kill -KILL "$fpid" 2>/dev/null || true
	reap_pids 250 "$fpid"
	wait "$fpid" 2>/dev/null || true
	cat "$T/seen"
	[ "$(sed -n 1p "$T/seen")" = "carol@example.org None" ]
	[ "$(sed -n 2p "$T/seen")" = "alice@example.org alice@example.org" ]
}
