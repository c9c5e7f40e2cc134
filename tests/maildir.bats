#!/usr/bin/env bats
# samotop-maildir behind samotop-smtpd: mailbox templates, path safety,
# +tag folders, file names, and route precedence.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
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
	smtp_raw "${args[@]}" | tail -n +9 | grep -v -e '^250 2\.1\.0 ' -e '^250 2\.0\.0 Reset' -e '^221 ' -e '^<EOF>'
}

# subjects DIR: the Subject lines of the messages in DIR/new.
subjects() {
	cat "$1"/new/* 2>/dev/null | grep -a '^Subject: ' | sed 's/^Subject: //' | LC_ALL=C sort
}

@test "path traversal in the local part is refused (550 5.1.3 or 501) and nothing is written outside" {
	make_maildir "$M/example.org/bob"
	mkdir -p "$T/outside"
	write_conf "route @example.org $MAILDIR_BIN -c $M/%d/%u"
	start_server
	before=$(tree_listing "$T")
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<../x@example.org>\r\n' @1 \
		'RCPT TO:<"../../outside"@example.org>\r\n' @1 \
		'RCPT TO:<"../../etc"@example.org>\r\n' @1 \
		'RCPT TO:<.hidden@example.org>\r\n' @1 \
		'RCPT TO:<".hidden"@example.org>\r\n' @1 \
		'RCPT TO:<"a/b"@example.org>\r\n' @1 \
		'RCPT TO:<".."@example.org>\r\n' @1 \
		'RCPT TO:<"."@example.org>\r\n' @1 \
		'RCPT TO:<""@example.org>\r\n' @1 \
		'RCPT TO:<"x\\/y"@example.org>\r\n' @1 \
		'QUIT\r\n' @eof
	out=$(printf '%s\n' "${lines[@]:9:10}")
	[ "$(grep -c -E '^(550 5\.1\.3|501 5\.1\.3) ' <<<"$out")" -eq 10 ] || { echo "$out" >&2; false; }
	wait_sessions
	after=$(tree_listing "$T" | grep -v -x -F "$LOG")
	[ "$(grep -v -x -F "$LOG" <<<"$before")" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; false; }
}

@test "tricky domains are refused or stay inside the mail tree" {
	write_conf "route * $MAILDIR_BIN -c $M/%d/%u"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<x@.example.org>\r\n' @1 \
		'RCPT TO:<x@..>\r\n' @1 \
		'RCPT TO:<x@example..org>\r\n' @1 \
		'RCPT TO:<x@[../../etc]>\r\n' @1 \
		'RCPT TO:<x@[127.0.0.1]>\r\n' @1 \
		'DATA\r\n' @1 'Subject: lit\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	for i in 9 10 11 12; do
		[[ "${lines[$i]}" =~ ^(501|550)\ 5\.1\.3\  ]] || { echo "line $i: ${lines[$i]}" >&2; false; }
	done
	[[ "${lines[13]}" == "250 2.1.5 "* ]]
	[[ "${lines[15]}" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	# everything created is under $M, and only the literal's mailbox
	[ "$(find "$T" -mindepth 1 -maxdepth 1 | LC_ALL=C sort | tr '\n' ' ')" = "$M $CONF $LOG " ]
	[ "$(find "$M" -mindepth 1 -maxdepth 1)" = "$M/[127.0.0.1]" ]
	[ "$(count_files "$M/[127.0.0.1]/x/new")" -eq 1 ]
}

@test "with %l, an extension holding a / is refused and -c creates nothing" {
	write_conf "route @example.org $MAILDIR_BIN -c $M/%l"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<bob+a/b@example.org>\r\n' @1 \
		'RCPT TO:<"bob+/../../../escaped"@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "550 5.1.3 "* ]]
	[[ "${lines[10]}" == "550 5.1.3 "* ]]
	wait_sessions
	[ ! -e "$M" ] || [ -z "$(find "$M" -mindepth 1)" ]
	[ ! -e "$T/../escaped" ]
}

@test "an extension never leads out of the user's Maildir (no folder traversal)" {
	make_maildir "$M/example.org/bob" "$M/example.org/alice" "$M/example.org/bob/.a" "$M/example.org/bob/.a/b" \
		"$M/example.org/bob/..x" "$M/example.org/bob/.x"
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'bob+a/b@example.org' '"bob+/../alice"@example.org' '"bob+./../alice"@example.org' \
		'bob+.x@example.org' '"bob+/../../example.org/alice"@example.org'
	wait_sessions
	for d in alice bob/.a bob/.a/b bob/..x bob/.x; do
		[ "$(count_files "$M/example.org/$d/new")" -eq 0 ] || { echo "delivered into $d" >&2; false; }
	done
	# each one is either refused with 550 5.1.3 or delivered to the inbox
	refused=$(grep -c '^550 5\.1\.3 ' <<<"$output" || true)
	[ $(("$refused" + $(count_files "$M/example.org/bob/new"))) -eq 5 ]
}

@test "user+tag goes to the .tag folder when it exists, else to the inbox" {
	make_maildir "$M/example.org/bob" "$M/example.org/bob/.lists"
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'bob+lists@example.org' 'bob+other@example.org' 'bob@example.org' 'Bob+lists@Example.ORG'
	[ "$(grep -c '^250 2\.0\.0 Ok: queued as ' <<<"$output")" -eq 4 ]
	[ "$(subjects "$M/example.org/bob/.lists")" = "$(printf 'to Bob+lists@Example.ORG\nto bob+lists@example.org')" ]
	[ "$(subjects "$M/example.org/bob")" = "$(printf 'to bob+other@example.org\nto bob@example.org')" ]
}

@test "a missing Maildir without -c: 550 5.1.1 at RCPT, nothing created" {
	make_maildir "$M/example.org/bob"
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<carol@example.org>\r\n' @1 \
		'RCPT TO:<bob@example.org>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "550 5.1.1 "* ]]
	[[ "${lines[10]}" == "250 2.1.5 "* ]]
	wait_sessions
	[ ! -e "$M/example.org/carol" ]
}

@test "templates are tried in order: a catch-all second template" {
	make_maildir "$M/example.org/bob" "$M/example.org/postmaster"
	write_conf "route @example.org $MAILDIR_BIN $M/%d/%u $M/%d/postmaster"
	start_server
	run send_to 'bob@example.org' 'nobody@example.org'
	[ "$(subjects "$M/example.org/bob")" = "to bob@example.org" ]
	[ "$(subjects "$M/example.org/postmaster")" = "to nobody@example.org" ]
}

@test "a %e template is skipped for a recipient without an extension (issue 10, #7)" {
	make_maildir "$M/example.org/bob" "$M/lists/news"
	write_conf "route @example.org $MAILDIR_BIN $M/lists/%e $M/%d/%u"
	start_server
	run send_to 'bob@example.org' 'bob+news@example.org' 'carol@example.org'
	[ "${lines[0]}" = "250 2.1.5 <bob@example.org>: OK" ] || { echo "$output" >&2; false; }
	[ "${lines[3]}" = "250 2.1.5 <bob+news@example.org>: OK" ] || { echo "$output" >&2; false; }
	[ "${lines[6]}" = "550 5.1.1 <carol@example.org>: no such mailbox" ]
	[ "$(subjects "$M/example.org/bob")" = "to bob@example.org" ]
	[ "$(subjects "$M/lists/news")" = "to bob+news@example.org" ]
}

@test "-c creates the first template's Maildir with cur, new and tmp, mode 0700" {
	write_conf "route @example.org $MAILDIR_BIN -c $M/%d/%u"
	start_server
	run send_to 'New.User@Example.ORG'
	d=$M/example.org/new.user
	[ -d "$d/cur" ]
	[ -d "$d/new" ]
	[ -d "$d/tmp" ]
	[ "$(stat -c %a "$d")" = 700 ]
	[ "$(stat -c %a "$d/new")" = 700 ]
	[ "$(count_files "$d/new")" -eq 1 ]
}

@test "Maildir file name: SECONDS.M<usec>P<pid>Q<n>.HOST,S=<size>, size is the file's" {
	make_maildir "$M/u"
	write_conf "route * $MAILDIR_BIN $M/u"
	start_server
	run send_to 'a@example.org' 'b@example.org'
	wait_sessions
	[ "$(count_files "$M/u/new")" -eq 2 ]
	[ "$(count_files "$M/u/tmp")" -eq 0 ]
	now=$(date +%s)
	for f in "$M"/u/new/*; do
		name=$(basename "$f")
		[[ "$name" =~ ^([0-9]+)\.M([0-9]+)P([0-9]+)Q([0-9]+)\.([^/:,]+),S=([0-9]+)$ ]] || { echo "bad name $name" >&2; false; }
		[ "${BASH_REMATCH[6]}" -eq "$(stat -c %s "$f")" ]
		[ "${BASH_REMATCH[2]}" -lt 1000000 ]
		[ $((now - BASH_REMATCH[1])) -ge 0 ]
		[ $((now - BASH_REMATCH[1])) -lt 60 ]
	done
	# two names, never the same
	[ "$(ls "$M/u/new" | sort -u | wc -l)" -eq 2 ]
}

@test "route precedence: user@domain over @domain over *, whatever the order of lines" {
	make_maildir "$T/Mbob" "$T/Mdom" "$T/Mall"
	write_conf "route * $MAILDIR_BIN $T/Mall" "route @example.org $MAILDIR_BIN $T/Mdom" \
		"route bob@example.org $MAILDIR_BIN $T/Mbob"
	start_server
	run send_to 'bob@example.org' 'alice@example.org' 'x@other.example' 'bob+tag@example.org' \
		'BOB@EXAMPLE.ORG' 'y@sub.example.org'
	[ "$(grep -c '^250 2\.0\.0 Ok: queued as ' <<<"$output")" -eq 6 ]
	[ "$(subjects "$T/Mbob")" = "$(printf 'to BOB@EXAMPLE.ORG\nto bob+tag@example.org\nto bob@example.org')" ]
	[ "$(subjects "$T/Mdom")" = "to alice@example.org" ]
	[ "$(subjects "$T/Mall")" = "$(printf 'to x@other.example\nto y@sub.example.org')" ]
}

@test "route precedence: a user+tag@domain route beats user@domain" {
	make_maildir "$T/Mtag" "$T/Mbob"
	write_conf "route bob@example.org $MAILDIR_BIN $T/Mbob" "route bob+tag@example.org $MAILDIR_BIN $T/Mtag"
	start_server
	run send_to 'bob+tag@example.org' 'bob+other@example.org'
	[ "$(subjects "$T/Mtag")" = "to bob+tag@example.org" ]
	[ "$(subjects "$T/Mbob")" = "to bob+other@example.org" ]
}

@test "recipient-delimiter none: user+tag is a user of its own" {
	make_maildir "$M/example.org/bob" "$M/example.org/bob/.tag"
	write_conf "recipient-delimiter none" "route bob@example.org $MAILDIR_BIN $M/%d/%u"
	start_server
	run send_to 'bob+tag@example.org'
	[[ "$output" == "550 5.1.1 "* ]]
	[ "$(count_files "$M/example.org/bob/new")" -eq 0 ]
	[ "$(count_files "$M/example.org/bob/.tag/new")" -eq 0 ]
}

@test "samotop-maildir alone: end of input before the final dot delivers nothing" {
	make_maildir "$M/bob"
	run bash -c "printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' DATA 'Subject: cut' '' 'half' | '$MAILDIR_BIN' '$M/bob' 2>/dev/null"
	[ "$status" -eq 0 ]
	[[ "$output" == 220* ]]
	assert_not_contains "$output" "250 2.0.0"
	[ "$(count_files "$M/bob/new")" -eq 0 ]
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
}

@test "samotop-maildir alone: one LMTP reply per recipient after DATA" {
	make_maildir "$M/bob" "$M/carol"
	run bash -c "printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' 'RCPT TO:<carol@example.org>' \
		'RCPT TO:<nobody@example.org>' DATA 'Subject: two' '' '..dot' . QUIT | '$MAILDIR_BIN' '$M/%u' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^250 2\.0\.0 ' <<<"$output")" -eq 2 ]
	grep -q '^550 5\.1\.1 ' <<<"$output"
	grep -q '^250-\?PIPELINING\|^250[- ]PIPELINING' <<<"$output"
	for u in bob carol; do
		f=$(the_file "$M/$u/new")
		grep -qx '\.dot' "$f"
	done
}

@test "each copy starts with Return-Path: and its own Delivered-To: (RFC 5321 4.4); <> for the null sender" {
	make_maildir "$M/bob" "$M/carol"
	write_conf "route @example.org $MAILDIR_BIN $M/%u"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<Bob@Example.ORG>\r\n' @1 \
		'RCPT TO:<carol@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: two\r\n\r\nbody\r\n.\r\n' @1 \
		'MAIL FROM:<>\r\n' @1 'RCPT TO:<carol@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: bounce\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
	[ "$(grep -c '^250 2\.0\.0 Ok: queued as ' <<<"$output")" -eq 2 ]
	f=$(the_file "$M/bob/new")
	[ "$(sed -n 1p "$f")" = "Return-Path: <a@b.example>" ]
	[ "$(sed -n 2p "$f")" = "Delivered-To: <bob@example.org>" ]
	[ "$(grep -c -e '^Delivered-To:' -e '^Return-Path:' "$f")" -eq 2 ]
	strip_received "$f" | cmp - <(printf 'Subject: two\n\nbody\n')
	for f in "$M"/carol/new/*; do
		case $(grep -a '^Subject: ' "$f") in
		*two) [ "$(sed -n 1p "$f")" = "Return-Path: <a@b.example>" ] ;;
		*bounce) [ "$(sed -n 1p "$f")" = "Return-Path: <>" ] ;;
		*) false ;;
		esac
		[ "$(sed -n 2p "$f")" = "Delivered-To: <carol@example.org>" ]
	done
	[ "$(count_files "$M/carol/new")" -eq 2 ]
}

@test "a message that already carries Delivered-To: for a recipient is refused for it (554 5.4.6), others get their copy" {
	make_maildir "$M/bob" "$M/dave"
	write_conf "route @example.org $MAILDIR_BIN $M/%u"
	start_server
	looped='Delivered-To: <carol@example.org>\r\ndelivered-to:\r\n <BOB@example.ORG>\r\nSubject: loop\r\n\r\nbody\r\n.\r\n'
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'DATA\r\n' @1 "$looped" @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'RCPT TO:<dave@example.org>\r\n' @1 'DATA\r\n' @1 "$looped" @1 'QUIT\r\n' @eof
	# bob alone: the 5xx itself; bob with another: the fold's 451
	assert_line_eq 11 "554 5.4.6 <bob@example.org>: Mail loop detected: already delivered 1 time"
	[[ "${lines[16]}" == "451 4.3.0 "* ]]
	[ "$(count_files "$M/bob/new")" -eq 0 ]
	f=$(the_file "$M/dave/new")
	[ "$(sed -n 2p "$f")" = "Delivered-To: <dave@example.org>" ]
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
	wait_sessions
	grep -q 'prog=samotop-maildir .*event=refused .*to=bob@example.org reason="mail loop" delivered-to=1' "$LOG"
	grep -q 'event=fold .*results="bob@example.org=554,dave@example.org=' "$LOG"
}

@test "samotop-maildir -l: how many Delivered-To: for a recipient make a loop; -l 0 turns the check off" {
	make_maildir "$M/bob"
	msg=("LHLO t" "MAIL FROM:<a@b.example>" "RCPT TO:<bob@example.org>" DATA
		"Delivered-To: bob@example.org" "Subject: s" "" "Delivered-To: <bob@example.org>" . QUIT)
	run bash -c "printf '%s\r\n' \"\$@\" | '$MAILDIR_BIN' -l 2 '$M/%u' 2>/dev/null" _ "${msg[@]}"
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' <<<"$output"
	run bash -c "printf '%s\r\n' \"\$@\" | '$MAILDIR_BIN' '$M/%u' 2>/dev/null" _ "${msg[@]}"
	grep -q '^554 5\.4\.6 <bob@example.org>: Mail loop detected' <<<"$output"
	run bash -c "printf '%s\r\n' \"\$@\" | '$MAILDIR_BIN' -l 0 '$M/%u' 2>/dev/null" _ "${msg[@]}"
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' <<<"$output"
	[ "$(count_files "$M/bob/new")" -eq 2 ]
	run "$MAILDIR_BIN" -l x "$M/%u"
	[ "$status" -eq 64 ]
}

@test "samotop-maildir names the path in its failure log lines" {
	make_maildir "$M/bob"
	ln -s loop "$M/loop"
	# a Maildir that cannot be looked at: 451 at RCPT
	run bash -c "printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<loop@example.org>' QUIT | '$MAILDIR_BIN' '$M/%u' 2>'$T/err'"
	grep -q '^451 4\.3\.0 <loop@example.org>: ' <<<"$output"
	grep -q "event=refused to=loop@example.org path=$M/loop " "$T/err"
	# new/ vanishes between RCPT and DATA: the link into new/ fails
	"$PYTHON" - "$MAILDIR_BIN" "$M" >"$T/out" 2>"$T/err" <<'PY'
import os, subprocess, sys
p = subprocess.Popen([sys.argv[1], sys.argv[2] + "/%u"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)
p.stdin.write(b"LHLO t\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\n")
p.stdin.flush()
while not p.stdout.readline().startswith(b"250 2.1.5"):
    pass
os.rmdir(sys.argv[2] + "/bob/new")
out, _ = p.communicate(b"DATA\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n")
sys.stdout.buffer.write(out)
PY
	grep -q '^451 4\.3\.0 <bob@example.org>: No such file or directory' "$T/out"
	grep -q "event=failed to=bob@example.org path=\"$M/bob/new/[^\"]*,S=[0-9]*\" error=" "$T/err"
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
}
