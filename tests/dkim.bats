#!/usr/bin/env bats
# DKIM verification (dkim.c over libopendkim) of messages signed by the
# real OpenDKIM signing code: keys from opendkim-genkey (RSA 2048 and
# 1024) and openssl (Ed25519, and RSA 512, which opendkim-genkey no longer
# makes), signatures from libopendkim's dkim_sign() in tests/dkim_drive
# (opendkim-testmsg signs only rsa-sha1, c=relaxed/simple, without l=; its
# 2.11.0~beta2 repeats the end of b= after the padding, which libopendkim's
# base64 decoder ignores; it is tested below, as the signer RFC 8301
# refuses), verified by tests/dkim_drive
# with libopendkim's key-file query method, so that no DNS is asked.

load lib

DRIVE=$TESTS_DIR/dkim_drive

# keyline SELECTOR VALUE: a line of the key file for example.org.
keyline() {
	printf '%s._domainkey.example.org %s\n' "$1" "$2" >>"$K/keys"
}

setup_file() {
	K=$BATS_FILE_TMPDIR
	export K
	[ -x "$DRIVE" ] || return 0
	local b
	: >"$K/keys"
	for b in 2048 1024; do
		opendkim-genkey --bits=$b --domain=example.org \
		    --selector=rsa$b --directory="$K"
		# The zone file stub's quoted strings, joined: the TXT value.
		keyline rsa$b "$(tr -d '\n' <"$K/rsa$b.txt" |
		    sed -e 's/^[^"]*"//' -e 's/"[^"]*$//' -e 's/"[[:space:]]*"//g')"
	done
	# rsa1024's key without h=sha256, so that it may sign with SHA-1
	keyline sha1 "$(sed -n 's/^rsa1024[^ ]* //p' "$K/keys" | sed 's/h=sha256; //')"
	openssl genrsa -out "$K/rsa512.private" 512 2>/dev/null
	keyline rsa512 "v=DKIM1; k=rsa; p=$(openssl rsa -in "$K/rsa512.private" \
	    -pubout -outform DER 2>/dev/null | base64 -w0)"
	openssl genpkey -algorithm ed25519 -out "$K/ed.private"
	# RFC 8463: p= is the raw 32-octet key, the tail of its DER form.
	keyline ed "v=DKIM1; k=ed25519; p=$(openssl pkey -in "$K/ed.private" \
	    -pubout -outform DER | tail -c 32 | base64 -w0)"
	printf '%s\r\n' 'From: Alice <alice@example.org>' \
	    'To: bob@example.net' 'Subject: a signed message' \
	    'Date: Thu, 03 Dec 2026 00:00:00 +0000' \
	    'Message-ID: <1@example.org>' '' 'Hello Bob,' '' \
	    'see you  at eight.' '' >"$K/msg"
}

setup() {
	T=$BATS_TEST_TMPDIR
	[ -x "$DRIVE" ] || skip "tests/dkim_drive is not built (make units)"
}

# sign SELECTOR [OPTIONS]: stdin signed with that key, to stdout.
sign() {
	local s=$1
	shift
	"$DRIVE" sign -d example.org -s "$s" -k "$K/$s.private" "$@"
}

# verify [CHUNK]: stdin verified with the key file, a line a signature.
verify() {
	"$DRIVE" verify "$K/keys" "$@"
}

@test "an RSA 2048 signature passes, fed in any chunk size" {
	sign rsa2048 <"$K/msg" >"$T/s"
	for c in 1 7 64 100000; do
		run verify $c <"$T/s"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^dkim=pass\ header.d=example.org\ header.s=rsa2048\ header.b=[A-Za-z0-9+/]{8}\ a=rsa-sha256\ bits=2048$ ]]
	done
}

@test "relaxed/relaxed, simple/simple and the mixed ones pass; so does RSA 1024" {
	local c
	for c in relaxed/relaxed simple/simple relaxed/simple simple/relaxed; do
		sign rsa1024 -c $c <"$K/msg" | verify >"$T/out"
		grep -q '^dkim=pass header.d=example.org header.s=rsa1024 .* bits=1024$' "$T/out"
	done
}

@test "relaxed tolerates rewrapped white space; simple does not" {
	sign rsa2048 -c relaxed/relaxed <"$K/msg" |
	    sed 's/at eight/ at  eight/; s/^Subject: a/Subject:  a/' | verify >"$T/out"
	grep -q '^dkim=pass ' "$T/out"
	sign rsa2048 -c simple/simple <"$K/msg" |
	    sed 's/at eight/ at  eight/' | verify >"$T/out"
	grep -q '^dkim=fail .*(body hash did not verify)$' "$T/out"
}

@test "one changed body octet fails" {
	sign rsa2048 <"$K/msg" | sed 's/Hello Bob/Hello Bib/' | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=fail header.d=example.org header.s=rsa2048 .*(body hash did not verify)$' "$T/out"
}

@test "a changed signed header field fails" {
	sign rsa2048 <"$K/msg" | sed 's/^Subject: a signed/Subject: A signed/' |
	    verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=fail header.d=example.org header.s=rsa2048 .*(signature did not verify)$' "$T/out"
}

@test "a message without signature is none" {
	run verify <"$K/msg"
	[ "$output" = "dkim=none" ]
}

@test "a selector without a key record is permerror" {
	sign rsa2048 <"$K/msg" | sed 's/s=rsa2048;/s=gone;/' | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror header.d=example.org header.s=gone .*(no key record)$' "$T/out"
}

@test "a key lookup that fails is temperror; a revoked or broken key permerror" {
	sign rsa2048 <"$K/msg" >"$T/s"
	"$DRIVE" verify "$T/no-such-file" <"$T/s" >"$T/out"
	cat "$T/out"
	grep -q '^dkim=temperror header.d=example.org header.s=rsa2048 .*(key lookup failed)$' "$T/out"
	echo 'rsa2048._domainkey.example.org v=DKIM1; k=rsa; p=' >"$T/keys"
	"$DRIVE" verify "$T/keys" <"$T/s" | grep -q '^dkim=permerror .*(key revoked)$'
	echo 'rsa2048._domainkey.example.org v=DKIM1; k=rsa; p=AAAA' >"$T/keys"
	"$DRIVE" verify "$T/keys" <"$T/s" | grep -q '^dkim=permerror '
}

@test "a 512-bit RSA key is permerror by policy, though the signature is good" {
	sign rsa512 <"$K/msg" | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror header.d=example.org header.s=rsa512 .* bits=512 (key under 1024 bits)$' "$T/out"
}

@test "an Ed25519 signature (RFC 8463) passes" {
	sign ed -a ed25519-sha256 <"$K/msg" | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=pass header.d=example.org header.s=ed .* a=ed25519-sha256 bits=256$' "$T/out"
}

@test "an rsa-sha1 signature is permerror (RFC 8301)" {
	"$DRIVE" sign -d example.org -s sha1 -k "$K/rsa1024.private" \
	    -a rsa-sha1 <"$K/msg" | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror .* a=rsa-sha1 .*(rsa-sha1 (RFC 8301))$' "$T/out"
}

@test "l= over the whole body passes; with text appended it is neutral, partial" {
	local c
	for c in relaxed/relaxed simple/simple; do
		sign rsa2048 -c $c -l <"$K/msg" >"$T/s"
		verify <"$T/s" >"$T/out"
		grep -q '^dkim=pass .* l=[0-9]*$' "$T/out"
		# empty lines at the end are outside every canonical body
		printf '\r\n\r\n' >>"$T/s"
		verify <"$T/s" >"$T/out"
		grep -q '^dkim=pass .* l=[0-9]*$' "$T/out"
		printf 'Click here: http://evil.example/\r\n' >>"$T/s"
		verify <"$T/s" >"$T/out"
		cat "$T/out"
		grep -q '^dkim=neutral header.d=example.org header.s=rsa2048 .* l=[0-9]* partial (partial body (l=))$' "$T/out"
	done
	# a body cut shorter than l=: RFC 6376 3.5, the signature is invalid
	sign rsa2048 -l <"$K/msg" | sed 's/^see you.*//' | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror .* l=[0-9]* (l= longer than the body)$' "$T/out"
	# white space alone: more body for simple, none for relaxed
	sign rsa2048 -c relaxed/relaxed -l <"$K/msg" >"$T/s"
	printf ' \r\n\t\r\n' >>"$T/s"
	verify <"$T/s" | grep -q '^dkim=pass '
	sign rsa2048 -c simple/simple -l <"$K/msg" >"$T/s"
	printf ' \r\n' >>"$T/s"
	verify <"$T/s" | grep -q '^dkim=neutral .* partial '
}

@test "two signatures, one good and one broken, give two lines in header order" {
	sign rsa2048 <"$K/msg" | sign ed -a ed25519-sha256 >"$T/s"
	# break the top (Ed25519) signature's b= only: its first character,
	# whatever it was, becomes another
	awk '!done && /^\tb=/ { c = substr($0, 4, 1) == "A" ? "B" : "A"
	    $0 = "\tb=" c substr($0, 5); done = 1 } 1' \
	    "$T/s" | verify >"$T/out"
	cat "$T/out"
	[ "$(wc -l <"$T/out")" -eq 2 ]
	sed -n 1p "$T/out" | grep -q '^dkim=fail header.d=example.org header.s=ed '
	sed -n 2p "$T/out" | grep -q '^dkim=pass header.d=example.org header.s=rsa2048 '
}

@test "a garbage DKIM-Signature field is permerror, and a good one still passes" {
	{ printf 'DKIM-Signature: v=1; a=zzz; \001\377;; garbage\r\n'
	  sign rsa2048 <"$K/msg"; } | verify >"$T/out"
	cat "$T/out"
	[ "$(wc -l <"$T/out")" -eq 2 ]
	grep -q '^dkim=permerror a=unknown bits=0 (' "$T/out"
	grep -q '^dkim=pass header.d=example.org header.s=rsa2048 ' "$T/out"
}

@test "ten signatures: the first eight are verified, two ignored" {
	cp "$K/msg" "$T/s"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sign rsa2048 <"$T/s" >"$T/s2" && mv "$T/s2" "$T/s"
	done
	verify <"$T/s" >"$T/out"
	[ "$(grep -c '^dkim=pass ' "$T/out")" -eq 8 ]
	[ "$(sed -n 9p "$T/out")" = "ignored=2" ]
}

@test "opendkim-testmsg's signature verifies, and is permerror for its rsa-sha1" {
	# a key record with h=sha256 refuses it before any cryptography
	tr -d '\r' <"$K/msg" | opendkim-testmsg -d example.org -s rsa2048 \
	    -k "$K/rsa2048.private" | sed 's/$/\r/' | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror header.d=example.org header.s=rsa2048 .* a=rsa-sha1 .*(signature-key hash mismatch)$' "$T/out"
	# one without h=: the signature verifies (bits known), policy refuses
	tr -d '\r' <"$K/msg" | opendkim-testmsg -d example.org -s sha1 \
	    -k "$K/rsa1024.private" | sed 's/$/\r/' | verify >"$T/out"
	cat "$T/out"
	grep -q '^dkim=permerror header.d=example.org header.s=sha1 .* a=rsa-sha1 bits=1024 (rsa-sha1 (RFC 8301))$' "$T/out"
	# and with its body changed, it fails
	tr -d '\r' <"$K/msg" | opendkim-testmsg -d example.org -s sha1 \
	    -k "$K/rsa1024.private" | sed 's/$/\r/; s/Hello Bob/Hello Bib/' |
	    verify >"$T/out"
	grep -q '^dkim=fail header.d=example.org header.s=sha1 ' "$T/out"
}
