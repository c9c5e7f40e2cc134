#!/usr/bin/env bats
# samotop-screener on the command line: list, allow, deny, forget and
# learn against real Maildirs (held messages delivered by samotop-maildir
# into .Screener, as the session has it do) and a samotop.conf whose
# route runs samotop-maildir with a template.

bats_require_minimum_version 1.5.0
load lib

SCREENER_BIN=$TOP/samotop-screener

setup() {
	common_setup
	need_maildir
	[ -x "$SCREENER_BIN" ] || skip "samotop-screener is not built"
	M=$T/mail
	DB=$T/screener.db
	make_maildir "$M/example.org/bob"
	screener_conf
}

teardown() { common_teardown; }

# screener_conf [LINE...]: the screener on, bob's domain delivered by
# samotop-maildir into $M/DOMAIN/USER.
screener_conf() {
	write_conf "spf yes" "dkim yes" "dmarc yes" "screener $DB" \
		"route @example.org $MAILDIR_BIN -s Screener $M/%d/%u" "$@"
}

# hold FROM SUBJECT [RCPT]: a message the session held for bob (or RCPT),
# delivered by samotop-maildir as it would be: to user+Screener.
hold() {
	local rcpt=${3:-bob+Screener@example.org}
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<x@y.example>' "RCPT TO:<$rcpt>" DATA \
		'X-Samotop-Screener: held (new sender)' \
		'Authentication-Results: mx.test;' \
		'	spf=pass smtp.mailfrom=x@y.example;' \
		'	dkim=pass header.d=example.net;' \
		'	dmarc=pass header.from=example.net' \
		'	(TLS: TLSv1.3 TLS_AES_256_GCM_SHA384)' \
		"From: $1" "Subject: $2" '' "This is $2." . QUIT |
		"$MAILDIR_BIN" -s Screener "$M/%d/%u" >/dev/null 2>&1
}

# field N LINE: the Nth tab-separated field of LINE (empty ones count).
field() {
	cut -f "$1" <<<"$2"
}

scr() {
	"$SCREENER_BIN" -c "$CONF" "$@"
}

# subjects DIR: the sorted Subject lines of the messages in DIR/new and cur.
subjects() {
	cat "$1"/new/* "$1"/cur/* 2>/dev/null | grep -a '^Subject: ' | sed 's/^Subject: //' | LC_ALL=C sort | tr '\n' '|'
}

@test "list on an empty store prints nothing and exits 0; the store is made 0600" {
	run scr list bob@example.org
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(stat -c %a "$DB")" = 600 ]
}

@test "list shows each waiting sender once: tab-separated address, count, first and last arrival, name, subject, evidence, text" {
	hold 'Alice Example <Alice@Example.NET>' 'first'
	touch -d '2026-01-02 03:04:05 UTC' "$M"/example.org/bob/.Screener/new/*
	hold 'alice@example.net' 'second'
	hold '=?utf-8?q?Carol_=C3=84?= <carol@example.com>' 'third'
	run scr list bob@example.org
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	l=${lines[0]}
	[ "$(field 1 "$l")" = waiting ]
	[ "$(field 2 "$l")" = alice@example.net ]
	[ "$(field 3 "$l")" = 2 ]
	[ "$(field 4 "$l")" = 2026-01-02T03:04:05Z ]
	[[ "$(field 5 "$l")" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z$ ]]
	# the newest message's: no display name, its subject and text
	[ "$(field 6 "$l")" = "" ]
	[ "$(field 7 "$l")" = second ]
	[ "$(field 8 "$l")" = "spf=pass dkim=pass dmarc=pass; TLS: TLSv1.3 TLS_AES_256_GCM_SHA384" ]
	[ "$(field 9 "$l")" = "This is second." ]
	[ "$(awk -F '\t' '{ print NF }' <<<"$l")" -eq 9 ]
	l=${lines[1]}
	[ "$(field 2 "$l")" = carol@example.com ]
	[ "$(field 6 "$l")" = "Carol Ä" ]
}

@test "allow releases the sender's two waiting messages into the inbox's new/ and keeps the third from another sender" {
	hold 'Alice <alice@example.net>' 'one'
	hold 'alice@example.net' 'two'
	hold 'carol@example.com' 'three'
	run scr allow Bob@Example.ORG Alice@Example.NET
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: allow alice@example.net (2 released)" ]
	[ "$(count_files "$M/example.org/bob/new")" -eq 2 ]
	[ "$(subjects "$M/example.org/bob")" = "one|two|" ]
	[ "$(subjects "$M/example.org/bob/.Screener")" = "three|" ]
	run scr list bob@example.org
	[ "${lines[0]%$'\t'*}" = "allow	alice@example.net" ]
	[[ "${lines[1]}" == "waiting	carol@example.com	1	"* ]]
	[ "${#lines[@]}" -eq 2 ]
	# allowing again finds nothing more to release
	run scr allow bob@example.org alice@example.net
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: allow alice@example.net (0 released)" ]
}

@test "a held message a mail client has read (cur/) is released into cur/ under the same name" {
	hold 'alice@example.net' 'read'
	f=$(the_file "$M/example.org/bob/.Screener/new")
	mv "$f" "$M/example.org/bob/.Screener/cur/$(basename "$f"):2,S"
	run scr allow bob@example.org alice@example.net
	[ "$status" -eq 0 ]
	[ -f "$M/example.org/bob/cur/$(basename "$f"):2,S" ]
	[ "$(count_files "$M/example.org/bob/new")" -eq 0 ]
}

@test "deny keeps what waited by default; with screener-on-deny delete it removes the sender's messages" {
	hold 'eve@spam.example' 'buy'
	hold 'eve@spam.example' 'buy again'
	hold 'carol@example.com' 'hello'
	run scr deny bob@example.org eve@spam.example
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: deny eve@spam.example (what waited is kept)" ]
	[ "$(count_files "$M/example.org/bob/.Screener/new")" -eq 3 ]
	screener_conf "screener-on-deny delete"
	run scr deny bob@example.org eve@spam.example
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: deny eve@spam.example (2 deleted)" ]
	[ "$(subjects "$M/example.org/bob/.Screener")" = "hello|" ]
	[ "$(count_files "$M/example.org/bob/new")" -eq 0 ]
	run scr list bob@example.org
	[ "${lines[0]%$'\t'*}" = "deny	eve@spam.example" ]
}

@test "@domain decisions: allow @domain releases every sender of that domain, not its subdomains" {
	hold 'alice@example.net' 'a'
	hold 'dave@Example.NET' 'd'
	hold 'sub@lists.example.net' 's'
	run scr allow bob@example.org @Example.NET
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: allow @example.net (2 released)" ]
	[ "$(subjects "$M/example.org/bob")" = "a|d|" ]
	[ "$(subjects "$M/example.org/bob/.Screener")" = "s|" ]
	screener_conf "screener-on-deny delete"
	run scr deny bob@example.org @lists.example.net
	[ "$output" = "bob@example.org: deny @lists.example.net (1 deleted)" ]
	run scr list bob@example.org
	[ "${lines[0]%$'\t'*}" = "allow	@example.net" ]
	[ "${lines[1]%$'\t'*}" = "deny	@lists.example.net" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "forget removes a decision; forgetting one there is not says so, exit 0" {
	run scr deny bob@example.org eve@spam.example
	run scr forget bob@example.org EVE@spam.example
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: forgot eve@spam.example" ]
	run scr forget bob@example.org eve@spam.example
	[ "$status" -eq 0 ]
	[ "$output" = "bob@example.org: no decision for eve@spam.example" ]
	run scr list bob@example.org
	[ -z "$output" ]
}

@test "learn allows the sender of a message moved out of .Screener by a mail client, once; Junk and Screener teach nothing" {
	hold 'Dave <dave@example.net>' 'moved'
	hold 'frank@example.net' 'junked'
	hold 'gina@example.net' 'still waiting'
	make_maildir "$M/example.org/bob/.Junk"
	mv "$(grep -l 'Subject: moved' "$M"/example.org/bob/.Screener/new/*)" "$M/example.org/bob/cur/1.x:2,S"
	mv "$(grep -l 'Subject: junked' "$M"/example.org/bob/.Screener/new/*)" "$M/example.org/bob/.Junk/cur/2.x:2,S"
	# the session remembers the users it held mail for
	run scr list bob@example.org
	"$PYTHON" -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO screened_user VALUES (?, 1700000000)", ("bob@example.org",)); db.commit()' "$DB"
	run scr learn
	[ "$status" -eq 0 ]
	[ "$output" = "learned	bob@example.org	allow	dave@example.net" ]
	run scr list bob@example.org
	[ "${lines[0]%$'\t'*}" = "allow	dave@example.net" ]
	[[ "${lines[1]}" == "waiting	gina@example.net	1	"* ]]
	[ "${#lines[@]}" -eq 2 ]
	run scr learn
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "learn with no users learns nothing; a user without a Maildir is a warning, not a failure" {
	run scr learn
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run scr deny bob@example.org eve@spam.example
	rm -rf "$M/example.org/bob"
	run scr learn
	[ "$status" -eq 0 ]
	[[ "$output" == "samotop-screener: learn: bob@example.org: no such user (no Maildir)" ]]
}

@test "errors: no such user 67, a bad sender or user 65, each naming the cause; nothing stored" {
	run scr allow nobody@example.org alice@example.net
	[ "$status" -eq 67 ]
	[ "$output" = "samotop-screener: nobody@example.org: no such user (no Maildir)" ]
	run scr list bob@other.example
	[ "$status" -eq 67 ]
	[ "$output" = "samotop-screener: bob@other.example: no such user (no route)" ]
	for bad in alice '@' 'a b@example.net' '@[192.0.2.1]' '<a@example.net>' ''; do
		run scr allow bob@example.org "$bad"
		[ "$status" -eq 65 ] || { echo "'$bad': $status $output" >&2; false; }
		[ "$output" = "samotop-screener: $bad: not an address or @domain" ]
	done
	run scr deny bob alice@example.net
	[ "$status" -eq 65 ]
	[ "$output" = "samotop-screener: bob: not an address" ]
	run scr list bob
	[ "$status" -eq 65 ]
	[ ! -e "$DB" ]
}

@test "configuration errors are 78 with the file and the cause: unreadable, invalid, the screener off" {
	run "$SCREENER_BIN" -c "$T/none.conf" list bob@example.org
	[ "$status" -eq 78 ]
	[[ "$output" == "samotop-screener: $T/none.conf: "*"No such file or directory"* ]]
	run "$SCREENER_BIN" -c "$T" list bob@example.org
	[ "$status" -eq 78 ]
	[[ "$output" == "samotop-screener: $T: "* ]]
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	run scr list bob@example.org
	[ "$status" -eq 78 ]
	[ "$output" = "samotop-screener: $CONF: no screener directive: the screener is off" ]
	write_conf "screener $DB" "bogus-directive 1"
	run scr list bob@example.org
	[ "$status" -eq 78 ]
	[[ "$output" == "samotop-screener: $CONF:"[0-9]*": "* ]]
}

@test "a store that cannot be made: 73 (no directory) with the path and the cause" {
	DB=$T/missing/screener.db
	screener_conf
	run scr allow bob@example.org alice@example.net
	[ "$status" -eq 73 ]
	[ "$output" = "samotop-screener: $DB: No such file or directory" ]
}

@test "a route that is not samotop-maildir: the decision is kept, the folder is not ours (said on stderr), exit 0" {
	write_conf "spf yes" "dkim yes" "dmarc yes" "screener $DB" \
		"route @example.net /usr/local/bin/samotop-lmtp unix:/run/dovecot/lmtp"
	run scr allow carol@example.net alice@example.org
	[ "$status" -eq 0 ]
	[ "$output" = "carol@example.net: allow alice@example.org (its Screener folder is not ours to read)" ]
	run --separate-stderr scr list carol@example.net
	[ "$status" -eq 0 ]
	[ "${output%$'\t'*}" = "allow	alice@example.org" ]
	[[ "$stderr" == *"runs /usr/local/bin/samotop-lmtp, not samotop-maildir"* ]]
}

@test "usage errors are 64 with a usage line; -V prints the version" {
	for args in "" "list" "list a@b c" "allow bob@example.org" "learn x" "frobnicate" "-x list a@b"; do
		run "$SCREENER_BIN" $args
		[ "$status" -eq 64 ] || { echo "'$args': $status" >&2; false; }
		grep -qx 'usage: samotop-screener \[-c file\] list user' <<<"$output"
	done
	run "$SCREENER_BIN" -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^samotop-screener\ [^\ ]+$ ]]
}

@test "the screener folder named by the route's -s is the one read and released" {
	write_conf "spf yes" "dkim yes" "dmarc yes" "screener $DB" "screener-folder Held" \
		"route @example.org $MAILDIR_BIN -s Held $M/%d/%u"
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<x@y.example>' 'RCPT TO:<bob+Held@example.org>' DATA \
		'From: alice@example.net' 'Subject: held' '' 'x' . QUIT |
		"$MAILDIR_BIN" -s Held "$M/%d/%u" >/dev/null 2>&1
	[ "$(count_files "$M/example.org/bob/.Held/new")" -eq 1 ]
	run scr list bob@example.org
	[[ "$output" == "waiting	alice@example.net	1	"* ]]
	run scr allow bob@example.org alice@example.net
	[ "$output" = "bob@example.org: allow alice@example.net (1 released)" ]
	[ "$(count_files "$M/example.org/bob/new")" -eq 1 ]
}

@test "two allows racing release every message once: none lost, none twice" {
	local i
	for i in $(seq 1 30); do hold 'alice@example.net' "m$i"; done
	hold 'carol@example.com' 'other'
	scr allow bob@example.org carol@example.com >/dev/null
	scr allow bob@example.org alice@example.net >"$T/a" 2>&1 &
	p1=$!
	scr allow bob@example.org alice@example.net >"$T/b" 2>&1 &
	p2=$!
	wait "$p1"
	wait "$p2"
	[ "$(count_files "$M/example.org/bob/new")" -eq 31 ]
	[ "$(count_files "$M/example.org/bob/.Screener/new")" -eq 0 ]
	n1=$(sed -n 's/.*(\([0-9]*\) released)$/\1/p' "$T/a")
	n2=$(sed -n 's/.*(\([0-9]*\) released)$/\1/p' "$T/b")
	[ $((n1 + n2)) -eq 30 ]
}
