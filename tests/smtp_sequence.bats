#!/usr/bin/env bats
# Command sequencing, address syntax, routing refusals and the
# recipient and error limits.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
}

teardown() { common_teardown; }

# serve_all: every recipient into one Maildir.
serve_all() {
	write_conf "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

# reply_to CMD...: the replies after EHLO to the commands, sent one by one;
# prints them without the greeting and the EHLO reply.
reply_to() {
	local args=() c
	for c in "$@"; do args+=("$c\\r\\n" @1); done
	smtp_raw 'EHLO client.example\r\n' @1 "${args[@]}" | tail -n +9
}

@test "MAIL before EHLO gets 503 (no enhanced code before EHLO, RFC 2034)" {
	serve_all
	run smtp_raw 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[1]}" =~ ^503\ [A-Za-z] ]]
	[[ "${lines[2]}" =~ ^503\ [A-Za-z] ]]
	[[ "${lines[3]}" =~ ^503\ [A-Za-z] ]]
	[[ "${lines[4]}" == "221 "* ]]
}

@test "RCPT before MAIL, DATA before RCPT, nested MAIL: 503 5.5.1" {
	serve_all
	run reply_to 'RCPT TO:<u@example.org>' 'DATA' 'BDAT 0 LAST' 'MAIL FROM:<a@b.example>' \
		'DATA' 'MAIL FROM:<c@d.example>' 'QUIT'
	[[ "${lines[0]}" == "503 5.5.1 "* ]]
	[[ "${lines[1]}" == "503 5.5.1 "* ]]
	[[ "${lines[2]}" == "503 5.5.1 "* ]]
	assert_line_eq 3 "250 2.1.0 Sender ok"
	[[ "${lines[4]}" == "503 5.5.1 "* ]]
	[[ "${lines[5]}" == "503 5.5.1 "* ]]
	[[ "${lines[6]}" == "221 "* ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "bad sender 501 5.1.7, bad recipient 501 5.1.3" {
	serve_all
	run reply_to 'MAIL FROM:<a@@b.example>' 'MAIL FROM:a@b.example' 'MAIL FROM:<a@b..example>' \
		'MAIL FROM:<a@b.example>' 'RCPT TO:<u@@example.org>' 'RCPT TO:<u@example.org' \
		'RCPT TO:<@example.org>' 'RCPT TO:<u@-bad-.example>' 'QUIT'
	[[ "${lines[0]}" == "501 5.1.7 "* ]]
	[[ "${lines[1]}" == "501 5.1.7 "* ]] || [[ "${lines[1]}" == "501 5.5.4 "* ]] || [[ "${lines[1]}" == "501 5.5.2 "* ]]
	[[ "${lines[2]}" == "501 5.1.7 "* ]]
	assert_line_eq 3 "250 2.1.0 Sender ok"
	[[ "${lines[4]}" == "501 5.1.3 "* ]]
	[[ "${lines[5]}" == "501 5.1.3 "* ]] || [[ "${lines[5]}" == "501 5.5.4 "* ]] || [[ "${lines[5]}" == "501 5.5.2 "* ]]
	[[ "${lines[6]}" == "501 5.1.3 "* ]]
	[[ "${lines[7]}" == "501 5.1.3 "* ]]
}

@test "unknown MAIL or RCPT parameter gets 555 5.5.4" {
	serve_all
	run reply_to 'MAIL FROM:<a@b.example> FOO=bar' 'MAIL FROM:<a@b.example> SIZE=10' \
		'RCPT TO:<u@example.org> XFOO' 'RCPT TO:<u@example.org>' 'QUIT'
	[[ "${lines[0]}" == "555 5.5.4 "* ]]
	assert_line_eq 1 "250 2.1.0 Sender ok"
	[[ "${lines[2]}" == "555 5.5.4 "* ]]
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "UTF-8 address without SMTPUTF8 gets 553 5.6.7, with SMTPUTF8 it is accepted and delivered" {
	serve_all
	run reply_to 'MAIL FROM:<j\xc3\xa1@b.example>' 'MAIL FROM:<a@b.example>' \
		'RCPT TO:<b\xc3\xb3b@example.org>' 'RSET' \
		'MAIL FROM:<j\xc3\xa1@b.example> SMTPUTF8' 'RCPT TO:<b\xc3\xb3b@\xc3\xa9xample.org>' \
		'DATA' 'Subject: utf8\r\n\r\nhi\r\n.' 'QUIT'
	[[ "${lines[0]}" == "553 5.6.7 "* ]]
	assert_line_eq 1 "250 2.1.0 Sender ok"
	[[ "${lines[2]}" == "553 5.6.7 "* ]]
	assert_line_eq 4 "250 2.1.0 Sender ok"
	[[ "${lines[5]}" == "250 2.1.5 "* ]]
	[[ "${lines[6]}" == "354 "* ]]
	[[ "${lines[7]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_file "$MD/new")
	# the protocol of a SMTPUTF8 transaction is UTF8SMTP
	assert_contains "$(received_of "$f")" "(samotop) with UTF8SMTP id "
}

@test "null sender <> is accepted and delivered" {
	serve_all
	run reply_to 'MAIL FROM:<>' 'RCPT TO:<u@example.org>' 'DATA' 'Subject: bounce\r\n\r\nx\r\n.' 'QUIT'
	assert_line_eq 0 "250 2.1.0 Sender ok"
	[[ "${lines[1]}" == "250 2.1.5 "* ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "<postmaster> without a domain is accepted and routed as postmaster@hostname" {
	make_maildir "$T/pm"
	write_conf "route postmaster@mx.test $MAILDIR_BIN $T/pm" "route @example.org $MAILDIR_BIN -c $MD"
	start_server
	run reply_to 'MAIL FROM:<a@b.example>' 'RCPT TO:<postmaster>' 'DATA' 'Subject: pm\r\n\r\nx\r\n.' \
		'MAIL FROM:<a@b.example>' 'RCPT TO:<Postmaster>' 'QUIT'
	[[ "${lines[1]}" == "250 2.1.5 "* ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/pm/new")" -eq 1 ]
	[ "$(count_files "$MD/new")" -eq 0 ]
	# the name postmaster is case-insensitive (RFC 5321 4.5.1)
	[[ "${lines[5]}" == "250 2.1.5 "* ]]
}

@test "a source route is accepted and ignored" {
	make_maildir "$T/mail/example.org/bob"
	write_conf "route @example.org $MAILDIR_BIN $T/mail/%d/%u"
	start_server
	run reply_to 'MAIL FROM:<@relay.example:a@b.example>' \
		'RCPT TO:<@one.example,@two.example:bob@example.org>' 'DATA' 'Subject: sr\r\n\r\nx\r\n.' 'QUIT'
	assert_line_eq 0 "250 2.1.0 Sender ok"
	[[ "${lines[1]}" == "250 2.1.5 "* ]]
	assert_not_contains "${lines[1]}" "one.example"
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/mail/example.org/bob/new")" -eq 1 ]
}

@test "a quoted local part is accepted and delivered to the unquoted user" {
	make_maildir "$T/mail/example.org/bob"
	write_conf "route @example.org $MAILDIR_BIN $T/mail/%d/%u"
	start_server
	run reply_to 'MAIL FROM:<"a b"@b.example>' 'RCPT TO:<"bob"@example.org>' 'DATA' 'Subject: q\r\n\r\nx\r\n.' 'QUIT'
	assert_line_eq 0 "250 2.1.0 Sender ok"
	[[ "${lines[1]}" == "250 2.1.5 "* ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/mail/example.org/bob/new")" -eq 1 ]
}

@test "address literals are accepted as syntax (IPv4 and IPv6)" {
	serve_all
	run reply_to 'MAIL FROM:<a@[192.0.2.1]>' 'RCPT TO:<u@[192.0.2.2]>' 'RCPT TO:<v@[IPv6:2001:db8::1]>' \
		'RCPT TO:<w@[300.1.1.1]>' 'QUIT'
	assert_line_eq 0 "250 2.1.0 Sender ok"
	[[ "${lines[1]}" == "250 2.1.5 "* ]]
	[[ "${lines[2]}" == "250 2.1.5 "* ]]
	[[ "${lines[3]}" == "501 5.1.3 "* ]]
}

@test "no route for the domain and no * route: 550 5.7.1 relaying denied" {
	make_maildir "$T/mail/example.org/bob"
	write_conf "route @example.org $MAILDIR_BIN $T/mail/%d/%u"
	start_server
	run reply_to 'MAIL FROM:<a@b.example>' 'RCPT TO:<u@other.example>' 'RCPT TO:<bob@example.org.evil.example>' \
		'RCPT TO:<bob@example.org>' 'QUIT'
	[[ "${lines[1]}" == "550 5.7.1 "* ]]
	[[ "${lines[2]}" == "550 5.7.1 "* ]]
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "unknown user in a routed domain: 550 5.1.1 (from the route table and from the helper)" {
	make_maildir "$T/mail/example.org/bob" "$T/carol"
	write_conf "route @example.org $MAILDIR_BIN $T/mail/%d/%u" "route carol@example.net $MAILDIR_BIN $T/carol"
	start_server
	run reply_to 'MAIL FROM:<a@b.example>' 'RCPT TO:<nobody@example.org>' 'RCPT TO:<dave@example.net>' \
		'RCPT TO:<carol@example.net>' 'QUIT'
	[[ "${lines[1]}" == "550 5.1.1 "* ]]
	[[ "${lines[2]}" == "550 5.1.1 "* ]]
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "max-recipients 100: the 101st recipient gets 452 4.5.3, the 100 get the message" {
	serve_all "max-recipients 100"
	args=('EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1)
	for i in $(seq 1 101); do args+=("RCPT TO:<u$i@example.org>\\r\\n" @1); done
	args+=('DATA\r\n' @1 'Subject: many\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof)
	run smtp_raw "${args[@]}"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^250 2\.1\.5 ')" -eq 100 ]
	[[ "${lines[109]}" == "452 4.5.3 "* ]]
	[[ "${lines[110]}" == "354 "* ]]
	[[ "${lines[111]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 100 ]
}

@test "max-errors 3: after the third error 421 4.7.0 and the connection closes" {
	serve_all "max-errors 3"
	run smtp_raw 'EHLO c\r\n' @1 'FOO\r\n' @1 'BAR\r\n' @1 'BAZ\r\n' @1 'NOOP\r\n' @eof
	[[ "${lines[8]}" == "500 5.5.1 "* ]]
	[[ "${lines[9]}" == "500 5.5.1 "* ]]
	[[ "${lines[10]}" == "500 5.5.1 "* ]]
	[[ "${lines[11]}" == "421 4.7.0 "* ]]
	assert_line_eq 12 "<EOF>"
	[ "${#lines[@]}" -eq 13 ]
}

@test "max-errors counts 5xx of every kind (503, 501, 555, 550)" {
	make_maildir "$T/mail/example.org/bob"
	write_conf "max-errors 4" "route @example.org $MAILDIR_BIN $T/mail/%d/%u"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 'MAIL FROM:<a@@b>\r\n' @1 \
		'MAIL FROM:<a@b.example> X=Y\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<x@elsewhere.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @eof
	[[ "${lines[8]}" == "503 "* ]]
	[[ "${lines[9]}" == "501 "* ]]
	[[ "${lines[10]}" == "555 "* ]]
	assert_line_eq 11 "250 2.1.0 Sender ok"
	[[ "${lines[12]}" == "550 5.7.1 "* ]]
	[[ "${lines[13]}" == "421 4.7.0 "* ]]
	assert_line_eq 14 "<EOF>"
}
