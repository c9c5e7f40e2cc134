#!/usr/bin/env bats
# samotop-maildir and quarantine: a message whose header carries an
# X-Samotop-Quarantine: field goes to the recipient's .Junk folder when
# it exists (else the inbox; the folder is never created).  Driven over
# LMTP directly, as samotop-smtpd or any MTA would.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
}

teardown() { common_teardown; }

# lmtp TEMPLATE RCPT... -- LINE...: one LMTP transaction to samotop-maildir
# with the message LINES (the dot is added); prints its replies, its log
# lines go to $T/maildir.log.
lmtp() {
	local tmpl=$1 rcpts=() r
	shift
	while [ "$1" != -- ]; do rcpts+=("RCPT TO:<$1>"); shift; done
	shift
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' "${rcpts[@]}" DATA "$@" . QUIT |
		"$MAILDIR_BIN" "$tmpl" 2>>"$T/maildir.log"
}

@test "a quarantined message goes to .Junk when the folder exists" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	run lmtp "$M/%u" bob@example.org -- 'X-Samotop-Quarantine: dmarc=fail' 'Subject: s' '' body
	[ "$status" -eq 0 ]
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' <<<"$output"
	f=$(the_file "$M/bob/.Junk/new")
	grep -qx 'X-Samotop-Quarantine: dmarc=fail' "$f"
	[ "$(sed -n 2p "$f")" = "Delivered-To: <bob@example.org>" ]
	[ "$(count_files "$M/bob/new")" -eq 0 ]
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
	[ "$(count_files "$M/bob/.Junk/tmp")" -eq 0 ]
	grep -q 'prog=samotop-maildir .*event=delivered .*to=bob@example.org folder=.Junk ' "$T/maildir.log"
}

@test "without a .Junk folder a quarantined message goes to the inbox, and no folder is made" {
	make_maildir "$M/bob"
	run lmtp "$M/%u" bob@example.org -- 'X-Samotop-Quarantine: dmarc=fail' 'Subject: s' '' body
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' <<<"$output"
	[ "$(count_files "$M/bob/new")" -eq 1 ]
	[ ! -e "$M/bob/.Junk" ]
}

@test "only a field of the header counts: in the body, or under another name, it does not" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	run lmtp "$M/%u" bob@example.org -- 'Subject: s' '' 'X-Samotop-Quarantine: in the body'
	run lmtp "$M/%u" bob@example.org -- 'X-Samotop-Quarantine-Not: x' 'X-Samotop-Quarantin: x' 'Subject: s' '' body
	[ "$(count_files "$M/bob/new")" -eq 2 ]
	[ "$(count_files "$M/bob/.Junk/new")" -eq 0 ]
}

@test "the field counts in any case, folded, with blanks before the colon, long, or in a message that is all header" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	long=$(printf 'x%.0s' $(seq 2000))
	run lmtp "$M/%u" bob@example.org -- 'Subject: s' 'x-samotop-QUARANTINE :' '	folded' '' body
	run lmtp "$M/%u" bob@example.org -- "X-Samotop-Quarantine: $long" '' body
	run lmtp "$M/%u" bob@example.org -- 'Subject: s' 'X-Samotop-Quarantine: milter'
	[ "$(count_files "$M/bob/.Junk/new")" -eq 3 ]
	[ "$(count_files "$M/bob/new")" -eq 0 ]
}

@test "quarantine wins over a +tag folder; Junk is the Maildir's own, per recipient" {
	make_maildir "$M/bob" "$M/bob/.lists" "$M/bob/.Junk" "$M/carol" "$M/carol/.lists"
	run lmtp "$M/%u" bob+lists@example.org carol+lists@example.org -- 'X-Samotop-Quarantine: spam' 'Subject: s' '' body
	[ "$(grep -c '^250 2\.0\.0 ' <<<"$output")" -eq 2 ]
	[ "$(count_files "$M/bob/.Junk/new")" -eq 1 ]
	[ "$(count_files "$M/bob/.lists/new")" -eq 0 ]
	[ "$(count_files "$M/bob/.lists/tmp")" -eq 0 ]
	[ "$(count_files "$M/carol/.lists/new")" -eq 1 ]
	[ ! -e "$M/carol/.Junk" ]
	[ ! -e "$M/bob/.lists/.Junk" ]
}

@test "a quarantined message to user+Junk lands in .Junk once" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	run lmtp "$M/%u" bob+Junk@example.org -- 'X-Samotop-Quarantine: spam' '' body
	grep -q '^250 2\.0\.0 ' <<<"$output"
	[ "$(count_files "$M/bob/.Junk/new")" -eq 1 ]
	[ "$(count_files "$M/bob/.Junk/tmp")" -eq 0 ]
}

@test "a copy that cannot move to .Junk (another file system) is delivered where it was, with a warning" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	other=$(mktemp -d /dev/shm/samotop-junk.XXXXXX) || skip "no /dev/shm"
	rmdir "$M/bob/.Junk/tmp"
	ln -s "$other" "$M/bob/.Junk/tmp"
	if [ "$(stat -c %d "$M/bob/tmp")" = "$(stat -L -c %d "$M/bob/.Junk/tmp")" ]; then
		rm -rf "$other"
		skip "/dev/shm is on the same file system"
	fi
	run lmtp "$M/%u" bob@example.org -- 'X-Samotop-Quarantine: spam' 'Subject: s' '' body
	n=$(count_files "$other")
	rm -rf "$other"
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' <<<"$output"
	[ "$(count_files "$M/bob/new")" -eq 1 ]
	[ "$(count_files "$M/bob/.Junk/new")" -eq 0 ]
	[ "$n" -eq 0 ]
	grep -q 'level=warn prog=samotop-maildir event=junk .*to=bob@example.org path=.*/bob/.Junk/tmp/.* error="Invalid cross-device link"' "$T/maildir.log"
	"$PYTHON" "$TESTS_DIR/logcheck.py" "$T/maildir.log"
}
