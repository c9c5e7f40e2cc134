#!/usr/bin/env bats
# samotop-encrypt in front of samotop-maildir: each recipient's copy
# encrypted to its key (made and read back with real GnuPG), protected
# headers, the key policy (-r), mixed recipients, messages encrypted
# already, and an aborted message.

load lib
load dovecot

ENC_BIN=$TOP/samotop-encrypt

# One GnuPG home per user, so that a copy can be shown to open only with
# its own recipient's key.  Made once for the file: key generation is the
# slow part.
setup_file() {
	command -v gpg >/dev/null || skip "gpg is not installed"
	G=$(mktemp -d /tmp/samotop-gpg.XXXXXX)
	export G
	local u
	for u in bob carol dave erin; do
		mkdir -m 700 "$G/$u"
	done
	gen() {	# gen USER ALGO USAGE EXPIRE [gpg options]
		local u=$1
		shift
		gpg --homedir "$G/$u" --batch --quiet --passphrase '' "${@:4}" \
			--quick-gen-key "$u <$u@example.org>" "$1" "$2" "$3"
	}
	gen bob future-default default never
	# RSA, the encryption key a subkey added later
	gen carol rsa2048 cert,sign never
	gpg --homedir "$G/carol" --batch --quiet --passphrase '' --quick-add-key \
		"$(gpg --homedir "$G/carol" --with-colons --list-keys |
			awk -F: '$1 == "fpr" { print $10; exit }')" rsa2048 encr never
	# expired: made in 2020, valid for a year
	gen dave future-default default 1y --faked-system-time 20200101T000000
	# signs, never encrypts
	gen erin ed25519 sign never
	mkdir -p "$G/keys/example.org"
	gpg --homedir "$G/bob" --batch --armor --export bob@example.org \
		>"$G/keys/example.org/bob.asc"
	gpg --homedir "$G/carol" --batch --export carol@example.org \
		>"$G/keys/example.org/carol"	# binary, no suffix
	gpg --homedir "$G/dave" --batch --armor --export dave@example.org \
		>"$G/keys/example.org/dave.asc"
	gpg --homedir "$G/erin" --batch --armor --export erin@example.org \
		>"$G/keys/example.org/erin.asc"
	printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n' \
		>"$G/keys/example.org/frank.asc"
	mkdir "$G/keys/example.org/gina.asc"	# there, but not readable
}

teardown_file() {
	local u
	for u in bob carol dave erin; do
		gpgconf --homedir "$G/$u" --kill gpg-agent 2>/dev/null || true
	done
	rm -rf "$G"
}

setup() {
	common_setup
	need_maildir
	[ -x "$ENC_BIN" ] || skip "samotop-encrypt is not built"
	M=$T/mail
	K=$G/keys
	for u in bob carol zed dave erin frank gina carl; do
		make_maildir "$M/$u"
	done
}

teardown() {
	common_teardown
	[ -z "${DDIR:-}" ] || dovecot_teardown
}

# lmtp [OPTION...] -- LINE...: one LMTP session with samotop-encrypt in
# front of samotop-maildir; LINEs are sent CRLF-ended, then QUIT.  Prints
# the replies after LHLO's; its log goes to $LOG.
lmtp() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' "$@" QUIT |
		"$ENC_BIN" "${opts[@]}" -k "$K/%d/%u" -- "$MAILDIR_BIN" "$M/%u" \
		2>>"$LOG" | tail -n +8 | tr -d '\r'
}

# decrypt USER FILE: the armored part of FILE, decrypted with USER's key.
decrypt() {
	sed -n '/^-----BEGIN PGP MESSAGE-----$/,/^-----END PGP MESSAGE-----$/p' "$2" |
		gpg --homedir "$G/$1" --batch --quiet --decrypt 2>/dev/null | tr -d '\r'
}

# header FILE: FILE's header section, LF line ends.
header() {
	sed -n '/^$/q;p' "$1"
}

MSG=('DATA' 'Received: from c (c [192.0.2.1]) by mx.test' 'X-Mailer: secret agent'
	'From: Alice <a@b.example>' 'To: bob@example.org' 'Subject: the secret plans'
	'Message-ID: <1@b.example>' 'Date: Wed, 2 Dec 2026 10:00:00 +0000' ''
	'meet at noon' '..dotted line' '.')

@test "through samotop-smtpd: the stored copy opens with gpg, subject and body included; outside only Subject: ..." {
	write_conf "route @example.org $ENC_BIN -k $K/%d/%u -- $MAILDIR_BIN $M/%u"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'DATA\r\n' @1 'X-Mailer: secret agent\r\nFrom: a@b.example\r\nTo: bob@example.org\r\nSubject: the secret plans\r\n\r\nmeet at noon\r\n..dotted\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	[[ "${lines[9]}" == "250 2.1.5 "* ]]
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]] || { echo "$output" >&2; cat "$LOG" >&2; false; }
	wait_sessions
	f=$(the_file "$M/bob/new")
	h=$(header "$f")
	grep -qx 'Subject: \.\.\.' <<<"$h"
	grep -qx 'From: a@b.example' <<<"$h"
	grep -qx 'Content-Type: multipart/encrypted;' <<<"$h"
	refute grep -qi -e '^Received:' -e '^X-' -e 'secret' <<<"$h"
	refute grep -q 'secret\|noon' "$f"
	d=$(decrypt bob "$f")
	grep -qx 'Subject: the secret plans' <<<"$d"
	grep -qx 'X-Mailer: secret agent' <<<"$d"
	grep -q '^Received: from ' <<<"$d"
	grep -qx 'Content-Type: text/plain; protected-headers="v1"' <<<"$d"
	grep -qx 'meet at noon' <<<"$d"
	grep -qx '.dotted' <<<"$d"
	# the helper's lines carry smtpd's msgid, as the other helpers' do
	id=$(msgid_of "$output")
	grep -q "prog=samotop-encrypt .*event=key msgid=$id to=bob@example.org state=ok " "$LOG"
	grep -q "prog=samotop-encrypt .*event=encrypt msgid=$id to=bob@example.org kind=openpgp octets=" "$LOG"
	grep -q "prog=samotop-encrypt .*event=delivery msgid=$id to=bob@example.org kind=openpgp " "$LOG"
}

@test "-S keeps the Subject outside; a binary key without suffix works" {
	run lmtp -S -- 'RCPT TO:<carol@example.org>' "${MSG[@]}"
	[ "${lines[1]}" = "250 2.1.5 <carol@example.org>: OK" ]
	[ "${lines[3]}" = "250 2.0.0 <carol@example.org>: delivered" ]
	f=$(the_file "$M/carol/new")
	header "$f" | grep -qx 'Subject: the secret plans'
	header "$f" | refute grep -q -e '^X-Mailer' -e '^Received'
	decrypt carol "$f" | grep -qx 'meet at noon'
}

@test "two keyed recipients: two copies, each opens only with its own key" {
	run lmtp -- 'RCPT TO:<bob@example.org>' 'RCPT TO:<carol@example.org>' "${MSG[@]}"
	[ "${lines[4]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[ "${lines[5]}" = "250 2.0.0 <carol@example.org>: delivered" ]
	fb=$(the_file "$M/bob/new")
	fc=$(the_file "$M/carol/new")
	decrypt bob "$fb" | grep -qx 'Subject: the secret plans'
	decrypt carol "$fc" | grep -qx 'Subject: the secret plans'
	[ -z "$(decrypt carol "$fb")" ]
	[ -z "$(decrypt bob "$fc")" ]
}

@test "leave-no-trace (SAMOTOP_LEAVE_NO_TRACE): no address, key file or fingerprint in samotop-encrypt's log; the copy still opens" {
	SAMOTOP_LEAVE_NO_TRACE=86400 run lmtp -- 'RCPT TO:<bob@example.org>' 'RCPT TO:<zed@example.org>' "${MSG[@]}"
	[ "${lines[4]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[ "${lines[5]}" = "250 2.0.0 <zed@example.org>: delivered" ]
	decrypt bob "$(the_file "$M/bob/new")" | grep -qx 'Subject: the secret plans'
	grep -q 'prog=samotop-encrypt event=key to=~ state=ok file=~ kind=openpgp fpr=~' "$LOG"
	grep -q 'prog=samotop-encrypt event=key to=~ state=missing' "$LOG"
	refute grep -E 'bob|zed|example\.org|a@b' "$LOG"
	fpr=$(gpg --homedir "$G/bob" --with-colons --fingerprint bob@example.org | awk -F: '$1 == "fpr" { print $10; exit }')
	[ -n "$fpr" ]
	refute grep -qi "$fpr" "$LOG"
}

@test "mixed recipients: the keyed one encrypted, the one without a key in clear, replies in order" {
	run lmtp -- 'RCPT TO:<zed@example.org>' 'RCPT TO:<bob@example.org>' "${MSG[@]}"
	[ "${lines[1]}" = "250 2.1.5 <zed@example.org>: OK" ]
	[ "${lines[2]}" = "250 2.1.5 <bob@example.org>: OK" ]
	[ "${lines[4]}" = "250 2.0.0 <zed@example.org>: delivered" ]
	[ "${lines[5]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	grep -qx 'Subject: the secret plans' "$(the_file "$M/zed/new")"
	refute grep -q 'secret' "$(the_file "$M/bob/new")"
	grep -q 'event=key to=zed@example.org state=missing' "$LOG"
	grep -q 'event=delivery to=zed@example.org kind=clear ' "$LOG"
}

@test "without -r: expired, sign-only and malformed keys pass in clear, logged as warnings with the state" {
	run lmtp -- 'RCPT TO:<dave@example.org>' 'RCPT TO:<erin@example.org>' \
		'RCPT TO:<frank@example.org>' "${MSG[@]}"
	[ "${lines[5]}" = "250 2.0.0 <dave@example.org>: delivered" ]
	[ "${lines[6]}" = "250 2.0.0 <erin@example.org>: delivered" ]
	[ "${lines[7]}" = "250 2.0.0 <frank@example.org>: delivered" ]
	for u in dave erin frank; do
		grep -qx 'meet at noon' "$(the_file "$M/$u/new")"
	done
	grep -q 'level=warn prog=samotop-encrypt event=key to=dave@example.org state=expired ' "$LOG"
	grep -q 'level=warn prog=samotop-encrypt event=key to=erin@example.org state=unusable ' "$LOG"
	grep -q 'level=warn prog=samotop-encrypt event=key to=frank@example.org state=malformed ' "$LOG"
}

@test "-r refuses at RCPT every recipient without a usable key (550 5.7.1, the state named); the keyed one is delivered" {
	run lmtp -r -- 'RCPT TO:<dave@example.org>' 'RCPT TO:<erin@example.org>' \
		'RCPT TO:<frank@example.org>' 'RCPT TO:<zed@example.org>' \
		'RCPT TO:<bob@example.org>' "${MSG[@]}"
	[ "${lines[1]}" = "550 5.7.1 <dave@example.org>: no usable encryption key (expired)" ]
	[ "${lines[2]}" = "550 5.7.1 <erin@example.org>: no usable encryption key (unusable)" ]
	[ "${lines[3]}" = "550 5.7.1 <frank@example.org>: no usable encryption key (malformed)" ]
	[ "${lines[4]}" = "550 5.7.1 <zed@example.org>: no usable encryption key (none)" ]
	[ "${lines[5]}" = "250 2.1.5 <bob@example.org>: OK" ]
	[ "${lines[7]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	for u in dave erin frank zed; do [ "$(count_files "$M/$u/new")" -eq 0 ]; done
}

@test "a key file that cannot be read: 451 4.3.0, with or without -r" {
	run lmtp -- 'RCPT TO:<gina@example.org>' 'RSET'
	[ "${lines[1]}" = "451 4.3.0 <gina@example.org>: encryption key unreadable" ]
	run lmtp -r -- 'RCPT TO:<gina@example.org>' 'RSET'
	[ "${lines[1]}" = "451 4.3.0 <gina@example.org>: encryption key unreadable" ]
	grep -q 'level=error prog=samotop-encrypt event=key to=gina@example.org state=unreadable ' "$LOG"
}

@test "a message encrypted already passes through byte for byte" {
	body=('Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"'
		'Subject: ...' '' '--b' 'Content-Type: application/pgp-encrypted' '' 'Version: 1' '--b--')
	run lmtp -- 'RCPT TO:<bob@example.org>' DATA "${body[@]}" .
	[ "${lines[3]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	f=$(the_file "$M/bob/new")
	diff <(printf '%s\n' "${body[@]}") <(sed 1,2d "$f")
	grep -q 'event=encrypt to=bob@example.org kind=passthrough reason="already encrypted"' "$LOG"
}

@test "end of input inside DATA: nothing delivered for anyone, no process left" {
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' \
		'RCPT TO:<carol@example.org>' 'RCPT TO:<zed@example.org>' DATA 'Subject: cut' '' 'half' |
		"$ENC_BIN" -k "$K/%d/%u" -- "$MAILDIR_BIN" "$M/%u" 2>>"$LOG" >/dev/null &
	pid=$!
	wait "$pid"
	for u in bob carol zed; do
		[ "$(count_files "$M/$u/new")" -eq 0 ]
		[ "$(count_files "$M/$u/tmp")" -eq 0 ]
	done
	grep -q 'prog=samotop-encrypt event=abort ' "$LOG"
	[ -z "$(pgrep -f "$K/%d/%u" || true)" ]
}

@test "a header section over 256 KiB: 552 5.3.4 for the encrypted copy, the clear one is delivered" {
	big=$(head -c 300000 /dev/zero | tr '\0' x | fold -w 900 | sed 's/^/X-Big: /')
	mapfile -t bigl <<<"$big"
	run lmtp -- 'RCPT TO:<bob@example.org>' 'RCPT TO:<zed@example.org>' DATA "${bigl[@]}" '' 'body' .
	[ "${lines[4]}" = "552 5.3.4 <bob@example.org>: header section too large to encrypt" ]
	[ "${lines[5]}" = "250 2.0.0 <zed@example.org>: delivered" ]
	[ "$(count_files "$M/bob/new")" -eq 0 ]
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
}

@test "a second transaction of the session reuses the helpers; RSET between" {
	run lmtp -- 'RCPT TO:<bob@example.org>' 'RCPT TO:<zed@example.org>' "${MSG[@]}" \
		'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' 'RCPT TO:<zed@example.org>' "${MSG[@]}"
	[ "${lines[4]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[ "${lines[5]}" = "250 2.0.0 <zed@example.org>: delivered" ]
	[ "${lines[10]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[ "${lines[11]}" = "250 2.0.0 <zed@example.org>: delivered" ]
	[ "$(count_files "$M/bob/new")" -eq 2 ]
	for f in "$M"/bob/new/*; do decrypt bob "$f" | grep -qx 'meet at noon'; done
}

@test "Dovecot through samotop-lmtp: bob's copy stored encrypted (gpg opens it), alice's in clear" {
	dovecot_setup
	dovecot_start
	write_conf "route @example.org $ENC_BIN -k $K/%d/%u -- $LMTP_BIN unix:$DSOCK"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'RCPT TO:<alice@example.org>\r\n' @1 'DATA\r\n' @1 \
		'From: a@b.example\r\nTo: bob@example.org\r\nSubject: the secret plans\r\n\r\nmeet at noon\r\n.\r\n' @1 \
		'QUIT\r\n' @eof
	[[ "${lines[12]}" == "250 2.0.0 Ok: queued as "* ]] || { echo "$output" >&2; cat "$LOG" >&2; false; }
	wait_sessions
	f=$(the_file "$(inbox bob)")
	grep -qx 'Subject: \.\.\.' "$f"
	refute grep -q 'secret\|noon' "$f"
	d=$(decrypt bob "$f")
	grep -qx 'Subject: the secret plans' <<<"$d"
	grep -qx 'meet at noon' <<<"$d"
	grep -qx 'Subject: the secret plans' "$(the_file "$(inbox alice)")"
}

@test "samotop-encrypt killed inside DATA: its workers send no final dot, nothing is delivered" {
	mkfifo "$T/in"
	"$ENC_BIN" -k "$K/%d/%u" -- "$MAILDIR_BIN" "$M/%u" <"$T/in" >"$T/out" 2>>"$LOG" &
	pid=$!
	exec 7>"$T/in"
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' \
		'RCPT TO:<zed@example.org>' DATA 'Subject: cut' '' 'half of it' >&7
	for i in $(seq 100); do grep -q '^354 ' "$T/out" && break; sleep 0.02; done
	grep -q '^354 ' "$T/out"
	kids=$(descendants "$pid")
	[ -n "$kids" ]
	kill -9 "$pid"
	wait "$pid" || true
	exec 7>&-
	# shellcheck disable=SC2086
	reap_pids 250 $kids
	for p in $kids; do ! kill -0 "$p" 2>/dev/null; done
	for u in bob zed; do
		[ "$(count_files "$M/$u/new")" -eq 0 ]
		[ "$(count_files "$M/$u/tmp")" -eq 0 ]
	done
}

# S/MIME copies are opened with the openssl command (./setup installs it).
need_smime() {
	command -v openssl >/dev/null
}

# smime_cert NAME: a self-signed certificate and key for NAME@example.org
# in $K/example.org/NAME.pem and $T/NAME.key.
smime_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" \
		-out "$K/example.org/$1.pem" -subj "/CN=$1@example.org" -days 2 \
		-addext "keyUsage=digitalSignature,keyEncipherment" 2>/dev/null
}

@test "S/MIME: a .pem certificate gives an application/pkcs7-mime copy that openssl cms opens" {
	need_smime
	smime_cert carl
	run lmtp -- 'RCPT TO:<carl@example.org>' "${MSG[@]}"
	rm -f "$K/example.org/carl.pem"
	[ "${lines[3]}" = "250 2.0.0 <carl@example.org>: delivered" ] || { cat "$LOG" >&2; false; }
	f=$(the_file "$M/carl/new")
	header "$f" | grep -qx 'Subject: \.\.\.'
	header "$f" | grep -q '^Content-Type: application/pkcs7-mime; smime-type=enveloped-data'
	refute grep -q 'secret\|noon' "$f"
	d=$(openssl cms -decrypt -inkey "$T/carl.key" -in "$f" | tr -d '\r')
	grep -qx 'Subject: the secret plans' <<<"$d"
	grep -qx 'meet at noon' <<<"$d"
	grep -q 'event=encrypt to=carl@example.org kind=smime ' "$LOG"
}

@test "S/MIME with -c aes256-gcm: authEnveloped-data" {
	need_smime
	smime_cert carl
	run lmtp -c aes256-gcm -- 'RCPT TO:<carl@example.org>' "${MSG[@]}"
	rm -f "$K/example.org/carl.pem"
	[ "${lines[3]}" = "250 2.0.0 <carl@example.org>: delivered" ]
	f=$(the_file "$M/carl/new")
	header "$f" | grep -q '^Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data'
	openssl cms -decrypt -inkey "$T/carl.key" -in "$f" | tr -d '\r' | grep -qx 'meet at noon'
}

@test "librnp is linked by no program (samotop-encrypt loads it at its first OpenPGP key), libcrypto only by samotop-encrypt" {
	command -v objdump >/dev/null || skip "objdump is not installed"
	for p in samotop-smtpd samotop-maildir samotop-lmtp samotop-pipe samotop-encrypt; do
		needed=$(objdump -p "$TOP/$p" | awk '$1 == "NEEDED" { print $2 }')
		refute grep -q '^librnp' <<<"$needed"
		[ "$p" = samotop-encrypt ] || ! grep -q '^libcrypto' <<<"$needed"
	done
}

@test "33 keyed recipients in one transaction: 32 copies, the 33rd is told to come again (452 4.5.3)" {
	args=()
	for i in $(seq 33); do args+=("RCPT TO:<bob+$i@example.org>"); done
	run lmtp -- "${args[@]}" "${MSG[@]}"
	[ "$(grep -c '^250 2\.1\.5 ' <<<"$output")" -eq 32 ]
	[ "${lines[33]}" = "452 4.5.3 <bob+33@example.org>: too many encrypted copies, send the rest in another transaction" ]
	[ "$(grep -c '^250 2\.0\.0 <bob+' <<<"$output")" -eq 32 ]
	[ "$(count_files "$M/bob/new")" -eq 32 ]
}

@test "usage errors exit 64: no -k, a relative helper, an unknown escape, an unknown cipher; -V prints the version" {
	for args in "-- $MAILDIR_BIN $M/%u" "-k $K/%u -- samotop-maildir $M/%u" \
		"-k $K/%x -- $MAILDIR_BIN $M/%u" "-c des -k $K/%u -- $MAILDIR_BIN $M/%u" "-k $K/%u"; do
		# shellcheck disable=SC2086
		run "$ENC_BIN" $args </dev/null
		[ "$status" -eq 64 ] || { echo "$args: $status" >&2; false; }
		[[ "$output" == *"usage: samotop-encrypt "* ]]
	done
	run "$ENC_BIN" -V
	[ "$status" -eq 0 ]
	[[ "$output" == "samotop-encrypt "* ]]
}

@test "two copies to one key in one transaction: each its own session key (the forked workers share no random state)" {
	run lmtp -- 'RCPT TO:<bob@example.org>' 'RCPT TO:<bob+x@example.org>' "${MSG[@]}"
	[ "${lines[5]}" = "250 2.0.0 <bob+x@example.org>: delivered" ]
	keys=$(for f in "$M"/bob/new/*; do
		sed -n '/^-----BEGIN PGP MESSAGE-----$/,/^-----END PGP MESSAGE-----$/p' "$f" |
			gpg --homedir "$G/bob" --batch --show-session-key --decrypt 2>&1 >/dev/null |
			sed -n "s/^gpg: session key: '\(.*\)'$/\1/p"
	done)
	[ "$(wc -l <<<"$keys")" -eq 2 ]
	[ "$(sort -u <<<"$keys" | wc -l)" -eq 2 ]
}

@test "the next helper's RCPT refusals reach the client as they are, keyed or not; the rest is delivered, in a second transaction too" {
	cp "$K/example.org/bob.asc" "$K/example.org/nomail.asc"
	run lmtp -- 'RCPT TO:<nomail@example.org>' 'RCPT TO:<nouser@example.org>' \
		'RCPT TO:<bob@example.org>' "${MSG[@]}" \
		'MAIL FROM:<a@b.example>' 'RCPT TO:<nomail@example.org>' 'RCPT TO:<bob@example.org>' "${MSG[@]}"
	rm -f "$K/example.org/nomail.asc"
	[[ "${lines[1]}" == "550 5.1.1 <nomail@example.org>"* ]]
	[[ "${lines[2]}" == "550 5.1.1 <nouser@example.org>"* ]]
	[ "${lines[3]}" = "250 2.1.5 <bob@example.org>: OK" ]
	[ "${lines[5]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[[ "${lines[7]}" == "550 5.1.1 <nomail@example.org>"* ]]
	[ "${lines[10]}" = "250 2.0.0 <bob@example.org>: delivered" ]
	[ "$(count_files "$M/bob/new")" -eq 2 ]
}

# big_session FILE MIB: an LMTP session in FILE carrying one MIB-MiB
# message to bob (lines of 76 x's: nothing for dot-stuffing to change).
big_session() {
	{
		printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' \
			'RCPT TO:<bob@example.org>' DATA 'Subject: big secret' ''
		head -c $(($2 * 1048576)) /dev/zero | tr '\0' x | fold -w 76 |
			sed 's/$/\r/'
		printf '\r\n.\r\nQUIT\r\n'
	} >"$1"
}

@test "a 128 MiB message: encrypted in bounded memory (peak RSS as for 1 MiB), and it decrypts to every line" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (Debian: time)"
	local small big n
	big_session "$T/small.lmtp" 1
	/usr/bin/time -f %M -o "$T/small" "$ENC_BIN" -k "$K/%d/%u" -- \
		"$MAILDIR_BIN" "$M/%u" <"$T/small.lmtp" >"$T/out" 2>>"$LOG"
	grep -q '^250 2.0.0 <bob@example.org>' "$T/out"
	rm -f "$M"/bob/new/* "$T/small.lmtp"
	big_session "$T/big.lmtp" 128
	# time(1) reports the largest of samotop-encrypt and the children it
	# waited for: its worker and samotop-maildir
	/usr/bin/time -f %M -o "$T/big" "$ENC_BIN" -k "$K/%d/%u" -- \
		"$MAILDIR_BIN" "$M/%u" <"$T/big.lmtp" >"$T/out" 2>>"$LOG"
	rm -f "$T/big.lmtp"
	grep -q '^250 2.0.0 <bob@example.org>' "$T/out" || { cat "$T/out" "$LOG" >&2; false; }
	small=$(tail -n 1 "$T/small")
	big=$(tail -n 1 "$T/big")
	echo "# peak RSS: $small KiB for 1 MiB, $big KiB for 128 MiB" >&3
	[ "$big" -lt $((small + 4096)) ]
	f=$(the_file "$M/bob/new")
	# 186 MB of armour holds "xxxx" by chance; a plaintext line would not
	refute grep -q 'x\{40\}\|big secret' "$f"
	n=$(decrypt bob "$f" | grep -c '^x\{76\}$')
	[ "$n" -eq $((128 * 1048576 / 76)) ]
}

@test "no core dumps: samotop-encrypt and the helpers it runs have RLIMIT_CORE 0 (a core would hold plaintext)" {
	[ -x "$TOP/samotop-pipe" ] || skip "samotop-pipe is not built"
	ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
	[ "$(ulimit -c)" != 0 ] || skip "core dumps are off here (ulimit -H -c 0)"
	printf '#!/bin/sh\nulimit -c >"%s"\ncat >/dev/null\n' "$T/core" >"$T/cmd"
	chmod +x "$T/cmd"
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<zed@example.org>' \
		DATA 'Subject: hi' '' 'body' . QUIT |
		"$ENC_BIN" -k "$K/%d/%u" -- "$TOP/samotop-pipe" "$T/cmd" 2>>"$LOG" |
		tr -d '\r' >"$T/out"
	grep -q '^250 2.0.0 ' "$T/out" || { cat "$T/out" "$LOG" >&2; false; }
	[ "$(cat "$T/core")" = 0 ]
}
