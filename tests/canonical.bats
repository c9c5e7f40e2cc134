#!/usr/bin/env bats
# One canonical form of an address (samotop.conf(5), ADDRESSES; issue 10,
# finding 5): lists, routes and the helpers see "bob"@d, BOB@d, bob+x@d
# and "bob+x"@d as bob@d's, so a deny or a route for bob@d cannot be
# slipped past by writing bob's address another way.

load lib

PIPE_BIN=$TOP/samotop-pipe

setup() {
	common_setup
	need_maildir
}

teardown() {
	common_teardown
}

# the forms of bob@example.org that samotop-maildir delivers to bob
FORMS=('"bob"@example.org' 'BOB@example.org' 'bob+x@example.org'
	'"bob+x"@example.org' '"B\ob+X"@Example.ORG')

# rcpts ADDR...: one transaction from a@b.example to each ADDR, then QUIT
rcpts() {
	local args=('EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1) a
	for a in "$@"; do
		args+=("RCPT TO:<${a//\\/\\\\}>\\r\\n" @1)
	done
	smtp_raw "${args[@]}" 'DATA\r\n' @1 'Subject: t\r\n\r\nhello\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
}

@test "deny recipient bob@: every way to write bob's address gets 550 5.7.1" {
	write_conf "deny recipient bob@example.org" \
		"route * $MAILDIR_BIN -c $T/%u"
	start_server
	run rcpts "${FORMS[@]}" alice@example.org
	[ "$(printf '%s\n' "$output" | grep -c '^550 5.7.1 Access denied')" -eq 5 ] ||
		{ echo "$output" >&2; false; }
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/alice/new")" -eq 1 ]
	[ ! -e "$T/bob" ]
	wait_sessions
	assert_contains "$(cat "$LOG")" \
		"event=list kind=recipient value=bob+x@example.org result=deny line=2"
}

@test "route bob@: every way to write bob's address lands in bob's Maildir" {
	make_maildir "$T/bob" "$T/other"
	write_conf "route bob@example.org $MAILDIR_BIN $T/bob" \
		"route * $MAILDIR_BIN $T/other"
	start_server
	run rcpts "${FORMS[@]}"
	[ "$(printf '%s\n' "$output" | grep -c '^250 2.1.5 ')" -eq 5 ] ||
		{ echo "$output" >&2; false; }
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$T/bob/new")" -eq 5 ]
	[ "$(count_files "$T/other/new")" -eq 0 ]
	# the helper was given the canonical form: the extension as written
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=rcpt msgid="
	assert_contains "$(cat "$LOG")" "to=bob+X@example.org code=250"
}

@test "an entry for bob+x@ decides before one for bob@" {
	write_conf "allow recipient bob@example.org" \
		"deny recipient bob+spam@example.org" "deny recipient @example.org" \
		"route * $MAILDIR_BIN -c $T/%u"
	start_server
	run rcpts 'BOB+spam@example.org' '"bob+Spam"@example.org' \
		bob+ok@example.org alice@example.org
	out=$(printf '%s\n' "$output" | sed '1,/^250 /d')
	[ "$(printf '%s\n' "$out" | sed -n 2p)" = "550 5.7.1 Access denied" ]
	[ "$(printf '%s\n' "$out" | sed -n 3p)" = "550 5.7.1 Access denied" ]
	[[ "$(printf '%s\n' "$out" | sed -n 4p)" == "250 2.1.5 "* ]]
	[ "$(printf '%s\n' "$out" | sed -n 5p)" = "550 5.7.1 Access denied" ]
}

@test "deny sender bob@ refuses MAIL FROM:<\"BOB+x\"@>" {
	write_conf "deny sender bob@example.org" "route * $MAILDIR_BIN -c $T/%u"
	start_server
	run smtp_raw 'EHLO client.example\r\n' @1 \
		'MAIL FROM:<"BOB+x"@Example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "$output" == *"550 5.7.1 Access denied"* ]] || { echo "$output" >&2; false; }
}

@test "local-part-case sensitive: BOB@ is not bob@" {
	make_maildir "$T/bob" "$T/other"
	write_conf "local-part-case sensitive" \
		"route bob@example.org $MAILDIR_BIN $T/bob" \
		"route * $MAILDIR_BIN $T/other"
	start_server
	run rcpts '"bob+x"@example.org' BOB@example.org
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]] || { echo "$output" >&2; false; }
	[ "$(count_files "$T/bob/new")" -eq 1 ]
	# the same helper program, but another route: another transaction
	[[ "$output" == *"452 4.5.3 "* ]]
}

@test "recipient-delimiter -: samotop-maildir and samotop-pipe split at '-' too" {
	make_maildir "$T/bob" "$T/bob/.Lists"
	printf '#!/bin/sh\nprintf "%%s|%%s|%%s\\n" "$RECIPIENT" "$LOCAL" "$EXTENSION" >>"%s/env"\n' \
		"$T" >"$T/deliver"
	chmod +x "$T/deliver"
	write_conf "recipient-delimiter -" \
		"route bob@example.org $MAILDIR_BIN $T/%u" \
		"route * $PIPE_BIN $T/deliver"
	start_server
	run rcpts 'Bob-Lists@example.org'
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]] || { echo "$output" >&2; false; }
	[ "$(count_files "$T/bob/.Lists/new")" -eq 1 ]
	run rcpts '"Ann-X+y"@example.org'
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]] || { echo "$output" >&2; false; }
	wait_sessions
	[ "$(cat "$T/env")" = "ann-X+y@example.org|ann|X+y" ]
}
