#!/usr/bin/env bats
# samotop-maildir and the contacts screener's folder: a recipient whose
# +extension is the folder's name (-s NAME, or SAMOTOP_SCREENER_FOLDER)
# goes to the Maildir++ folder .NAME, made when missing.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
}

teardown() { common_teardown; }

# lmtp RCPT... -- ARGS...: one message (Subject: held) to each RCPT over
# LMTP, into samotop-maildir ARGS; its replies on stdout, its log in $T/err.
lmtp() {
	local rcpts=() a
	while [ "$1" != -- ]; do rcpts+=("RCPT TO:<$1>"); shift; done
	shift
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' "${rcpts[@]}" DATA \
		'Subject: held' '' 'body' . QUIT | "$MAILDIR_BIN" "$@" 2>"$T/err"
}

@test "-s Screener: user+Screener goes to .Screener, made with cur new tmp and maildirfolder, mode as the Maildir's" {
	make_maildir "$M/bob"
	chmod 0750 "$M/bob"
	run lmtp 'bob+Screener@example.org' 'bob@example.org' -- -s Screener "$M/%u"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^250 2\.0\.0 ' <<<"$output")" -eq 2 ]
	d=$M/bob/.Screener
	for s in cur new tmp; do
		[ -d "$d/$s" ]
		[ "$(stat -c %a "$d/$s")" = 750 ]
	done
	[ "$(stat -c %a "$d")" = 750 ]
	[ -f "$d/maildirfolder" ]
	[ ! -s "$d/maildirfolder" ]
	[ "$(stat -c %a "$d/maildirfolder")" = 640 ]
	f=$(the_file "$d/new")
	[ "$(sed -n 2p "$f")" = "Delivered-To: <bob+Screener@example.org>" ]
	[ "$(count_files "$M/bob/new")" -eq 1 ]
	grep -q "event=created maildir=$d" "$T/err"
	grep -q "event=delivered .*to=bob+Screener@example.org folder=.Screener" "$T/err"
}

@test "SAMOTOP_SCREENER_FOLDER names the folder; its case in the address does not matter; -s overrides it" {
	make_maildir "$M/bob"
	SAMOTOP_SCREENER_FOLDER=Held run lmtp 'bob+held@example.org' -- "$M/%u"
	[ "$(count_files "$M/bob/.Held/new")" -eq 1 ]
	[ -f "$M/bob/.Held/maildirfolder" ]
	[ ! -e "$M/bob/.held" ]
	SAMOTOP_SCREENER_FOLDER=Held run lmtp 'bob+Other@example.org' -- -s Other "$M/%u"
	[ "$(count_files "$M/bob/.Other/new")" -eq 1 ]
	[ "$(count_files "$M/bob/.Held/new")" -eq 1 ]
}

@test "an existing screener folder is used as it is; a second message goes next to the first" {
	make_maildir "$M/bob" "$M/bob/.Screener"
	run lmtp 'bob+Screener@example.org' -- -s Screener "$M/%u"
	run lmtp 'bob+Screener@example.org' -- -s Screener "$M/%u"
	[ "$(count_files "$M/bob/.Screener/new")" -eq 2 ]
	[ ! -e "$M/bob/.Screener/maildirfolder" ]
	[ "$(count_files "$M/bob/new")" -eq 0 ]
	refute grep -q 'event=created' "$T/err"
}

@test "without a screener folder, user+Screener is an ordinary +tag: the inbox when .Screener is missing" {
	make_maildir "$M/bob"
	run lmtp 'bob+Screener@example.org' -- "$M/%u"
	[ "$(count_files "$M/bob/new")" -eq 1 ]
	[ ! -e "$M/bob/.Screener" ]
}

@test "the screener folder is made in the Maildir that exists, or with -c in the one made" {
	run lmtp 'bob+Screener@example.org' -- -s Screener "$M/%u"
	grep -q '^550 5\.1\.1 ' <<<"$output"
	[ ! -e "$M/bob" ]
	run lmtp 'bob+Screener@example.org' -- -c -s Screener "$M/%u"
	grep -q '^250 2\.0\.0 ' <<<"$output"
	[ "$(count_files "$M/bob/.Screener/new")" -eq 1 ]
	[ -f "$M/bob/.Screener/maildirfolder" ]
}

@test "deliveries racing to make the screener folder all succeed" {
	make_maildir "$M/bob"
	pids=()
	for i in 1 2 3 4 5 6; do
		( lmtp 'bob+Screener@example.org' -- -s Screener "$M/%u" >"$T/out$i"; echo $? >"$T/rc$i" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in 1 2 3 4 5 6; do
		[ "$(cat "$T/rc$i")" -eq 0 ]
		grep -q '^250 2\.0\.0 ' "$T/out$i"
	done
	[ "$(count_files "$M/bob/.Screener/new")" -eq 6 ]
	[ "$(count_files "$M/bob/.Screener/tmp")" -eq 0 ]
}

@test "a folder that cannot be made: 451 4.3.0 at RCPT naming the cause, logged with its path" {
	make_maildir "$M/bob"
	touch "$M/bob/.Screener"
	run lmtp 'bob+Screener@example.org' -- -s Screener "$M/%u"
	grep -q '^451 4\.3\.0 <bob+Screener@example.org>: ' <<<"$output"
	grep -q "event=refused .*path=$M/bob/.Screener" "$T/err"
}

@test "a quarantined message for the screener folder goes to Junk when it exists" {
	make_maildir "$M/bob" "$M/bob/.Junk"
	run bash -c "printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob+Screener@example.org>' DATA \
		'X-Samotop-Quarantine: dnsbl' 'Subject: spam' '' 'x' . QUIT | '$MAILDIR_BIN' -s Screener '$M/%u' 2>/dev/null"
	[ "$(count_files "$M/bob/.Junk/new")" -eq 1 ]
	[ "$(count_files "$M/bob/.Screener/new")" -eq 0 ]
}

@test "-s with a name that is no folder is a usage error (64); such an environment value is ignored, with a warning" {
	for bad in ../x .x a/b ''; do
		run "$MAILDIR_BIN" -s "$bad" "$M/%u"
		[ "$status" -eq 64 ] || { echo "-s '$bad': $status" >&2; false; }
	done
	make_maildir "$M/bob"
	SAMOTOP_SCREENER_FOLDER=../up run lmtp 'bob+../up@example.org' 'bob@example.org' -- "$M/%u"
	[ ! -e "$T/up" ]
	[ ! -e "$M/up" ]
	grep -q 'SAMOTOP_SCREENER_FOLDER is not a folder name' "$T/err"
}
