#!/usr/bin/env bats
# RFC 5321 §4.5.1: <postmaster>, postmaster@HOSTNAME and postmaster@ each
# domain we serve are accepted (issue 11), under the README's single-domain
# example, and go where the postmaster directive says.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
	make_maildir "$M/example.org/postmaster" "$M/example.org/bob" \
		"$M/example.org/admin"
}

teardown() { common_teardown; }

# send_to RCPT...: one transaction per recipient, each with a Subject naming
# it; prints the RCPT reply and the final reply of each.
send_to() {
	local args=('EHLO c\r\n' @1) r
	for r in "$@"; do
		args+=('MAIL FROM:<a@b.example>\r\n' @1 "RCPT TO:<$r>\\r\\n" @1 'DATA\r\n' @1
			"Subject: to $r\\r\\n\\r\\nbody\\r\\n.\\r\\n" @1 'RSET\r\n' @1)
	done
	args+=('QUIT\r\n' @eof)
	smtp_raw "${args[@]}" | tail -n +9 | grep -v -e '^250 2\.1\.0 ' \
		-e '^250 2\.0\.0 Reset' -e '^221 ' -e '^<EOF>' -e '^354 '
}

# subjects DIR: the Subject lines of the messages in DIR/new.
subjects() {
	cat "$1"/new/* 2>/dev/null | grep -a '^Subject: ' | sed 's/^Subject: //' | LC_ALL=C sort
}

# rcpt RCPT...: the RCPT replies of one transaction.
rcpt() {
	local args=('EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1) r
	for r in "$@"; do args+=("RCPT TO:<$r>\\r\\n" @1); done
	args+=('QUIT\r\n' @eof)
	smtp_raw "${args[@]}" | tail -n +9 | grep -v -e '^250 2\.1\.0 ' -e '^221 ' -e '^<EOF>'
}

@test "README single-domain example: <postmaster>, postmaster@HOSTNAME, POSTMASTER@domain land in postmaster@example.org" {
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'postmaster' 'Postmaster@mx.test' 'POSTMASTER@example.org'
	assert_not_contains "$output" "Relaying"
	[ "$(grep -c '^250 2\.1\.5 ' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^250 2\.0\.0 ' <<<"$output")" -eq 3 ]
	[ "$(subjects "$M/example.org/postmaster")" = "$(printf '%s\n' \
		'to POSTMASTER@example.org' 'to Postmaster@mx.test' 'to postmaster')" ]
	assert_contains "$(cat "$LOG")" "to=postmaster@example.org"
}

@test "the postmaster directive sends every postmaster address there; other mail is routed as before" {
	write_conf "postmaster admin@example.org" "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'postmaster' 'postmaster@MX.TEST' 'PostMaster@example.org' 'bob@example.org'
	[ "$(grep -c '^250 2\.0\.0 ' <<<"$output")" -eq 4 ]
	[ "$(subjects "$M/example.org/admin")" = "$(printf '%s\n' \
		'to PostMaster@example.org' 'to postmaster' 'to postmaster@MX.TEST')" ]
	[ "$(subjects "$M/example.org/bob")" = "to bob@example.org" ]
	[ "$(subjects "$M/example.org/postmaster")" = "" ]
}

@test "a route that names postmaster@DOMAIN keeps that domain's postmaster" {
	make_maildir "$M/example.net/postmaster"
	write_conf "postmaster admin@example.org" "route @example.org $MAILDIR_BIN $M/%d/%u" \
		"route postmaster@example.net $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'Postmaster@example.net' 'postmaster'
	[ "$(subjects "$M/example.net/postmaster")" = "to Postmaster@example.net" ]
	[ "$(subjects "$M/example.org/admin")" = "to postmaster" ]
}

@test "other domains are still relaying denied, postmaster@ them too" {
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run rcpt 'x@other.example' 'postmaster@other.example' 'nobody@example.org'
	assert_line_eq 0 "550 5.7.1 Relaying denied: x@other.example"
	assert_line_eq 1 "550 5.7.1 Relaying denied: postmaster@other.example"
	[[ "${lines[2]}" == "550 5.1.1 "* ]]
}

@test "no route for the postmaster: 550 5.1.1 No postmaster mailbox configured, never relaying" {
	write_conf "route bob@example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run rcpt 'postmaster' 'postmaster@mx.test' 'postmaster@example.org'
	assert_line_eq 0 "550 5.1.1 No postmaster mailbox configured: postmaster@example.org"
	assert_line_eq 1 "550 5.1.1 No postmaster mailbox configured: postmaster@example.org"
	assert_line_eq 2 "550 5.1.1 No postmaster mailbox configured: postmaster@example.org"
}

@test "recipient deny lists and greylisting do not refuse the postmaster" {
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u" "greylist $T/greylist.db" \
		"deny recipient @example.org"
	start_server
	run rcpt 'postmaster' 'bob@example.org'
	[[ "${lines[0]}" == "250 2.1.5 "* ]]
	[[ "${lines[1]}" == "550 5.7.1 "* ]]
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u" "greylist $T/greylist.db"
	run rcpt 'postmaster@example.org' 'bob@example.org'
	[[ "${lines[0]}" == "250 2.1.5 "* ]]
	[[ "${lines[1]}" == "451 4.7.1 Greylisted"* ]]
}

@test "samotop-smtpd -n: a postmaster address no route delivers is an error" {
	write_conf "postmaster admin@example.net" "route @example.org $MAILDIR_BIN $M/%d/%u"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "postmaster: no route delivers that address"
}
