#!/usr/bin/env bats
# S/MIME encryption (enc_smime.c) against the real OpenSSL command line:
# what smime_encrypt() writes, put into a message by tests/enc_smime_drive,
# is decrypted by `openssl cms -decrypt` (and, for AES-CBC's
# EnvelopedData, by the older `openssl smime -decrypt`) to the very octets
# that went in; a 64 MiB message goes through in bounded memory; and a
# certificate that cannot be used is refused with its reason.

load lib

DRIVE=$TESTS_DIR/enc_smime_drive
CERTS=$TESTS_DIR/smime

setup() {
	T=$BATS_TEST_TMPDIR
	[ -x "$DRIVE" ] || skip "tests/enc_smime_drive is not built (make units)"
	command -v openssl >/dev/null || skip "openssl is not installed"
}

# msg FILE: a small message in canonical form (CRLF line ends).
msg() {
	printf 'From: a@example.org\r\nTo: rsa@example.org\r\nSubject: %s\r\n\r\n%s\r\n' \
	    "secret subject" "the body, with 8 bits: $(printf '\303\244')" >"$1"
}

# measure IN OUT CMD...: run CMD with stdin from IN and stdout to OUT;
# prints its wall time in seconds and its peak RSS in KiB ("SECONDS KIB").
# /usr/bin/time, since a child of a bigger process (Python, bash) starts
# with its parent's RSS in its own peak.
measure() {
	local in=$1 out=$2 t0 t1
	shift 2
	t0=$EPOCHREALTIME
	/usr/bin/time -f %M -o "$T/rss" "$@" <"$in" >"$out" || return 1
	t1=$EPOCHREALTIME
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
	    "$(tail -n 1 "$T/rss")"
}

@test "each cipher decrypts with openssl cms to the original, RSA and EC" {
	msg "$T/in"
	local c k
	for k in rsa ec; do
		for c in aes256-gcm aes128-gcm aes256-cbc aes128-cbc; do
			"$DRIVE" -m -c "$c" "$CERTS/$k.pem" <"$T/in" >"$T/$k-$c.eml"
			openssl cms -decrypt -binary -recip "$CERTS/$k.pem" \
			    -inkey "$CERTS/$k.key" -in "$T/$k-$c.eml" -out "$T/out"
			cmp "$T/in" "$T/out"
		done
	done
}

@test "the Content-Type says authEnveloped-data for GCM, enveloped-data for CBC" {
	msg "$T/in"
	"$DRIVE" -m "$CERTS/rsa.pem" <"$T/in" >"$T/gcm.eml"
	"$DRIVE" -m -c aes256-cbc "$CERTS/rsa.pem" <"$T/in" >"$T/cbc.eml"
	grep -qx 'Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name="smime.p7m"' "$T/gcm.eml"
	grep -qx 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"' "$T/cbc.eml"
	# what openssl finds inside agrees
	openssl cms -cmsout -print -in "$T/gcm.eml" | grep -q 'contentType: id-smime-ct-authEnvelopedData'
	openssl cms -cmsout -print -in "$T/gcm.eml" | grep -q 'algorithm: aes-256-gcm'
	openssl cms -cmsout -print -in "$T/cbc.eml" | grep -q 'contentType: pkcs7-envelopedData'
	openssl cms -cmsout -print -in "$T/cbc.eml" | grep -q 'algorithm: aes-256-cbc'
}

@test "AES-CBC's EnvelopedData also decrypts with openssl smime (PKCS#7 readers)" {
	msg "$T/in"
	"$DRIVE" -m -c aes256-cbc "$CERTS/rsa.pem" <"$T/in" >"$T/cbc.eml"
	openssl smime -decrypt -binary -recip "$CERTS/rsa.pem" \
	    -inkey "$CERTS/rsa.key" -in "$T/cbc.eml" -out "$T/out"
	cmp "$T/in" "$T/out"
}

@test "a certificate that lists only CBC ciphers (S/MIME Capabilities) gets EnvelopedData" {
	msg "$T/in"
	"$DRIVE" -a -m "$CERTS/capscbc.pem" <"$T/in" >"$T/caps.eml"
	grep -q 'smime-type=enveloped-data' "$T/caps.eml"
	openssl cms -cmsout -print -in "$T/caps.eml" | grep -q 'algorithm: aes-256-cbc'
	# one without the extension keeps the cipher asked for
	"$DRIVE" -a -m "$CERTS/rsa.pem" <"$T/in" >"$T/rsa.eml"
	grep -q 'smime-type=authEnveloped-data' "$T/rsa.eml"
}

@test "the base64 is in lines of at most 76 characters ended by LF" {
	head -c 100000 /dev/urandom >"$T/in"
	"$DRIVE" "$CERTS/rsa.pem" <"$T/in" >"$T/b64"
	run awk 'length($0) > 76 || length($0) == 0 || /[^A-Za-z0-9+\/=]/' "$T/b64"
	[ -z "$output" ]
	refute grep -q $'\r' "$T/b64"
	[ "$(tail -c 1 "$T/b64" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "a 64 MiB message streams in bounded memory and decrypts, GCM and CBC" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (Debian: time)"
	printf 'Subject: big\r\n\r\n' >"$T/in"
	head -c 67108864 /dev/urandom >>"$T/in"
	local c t kib
	for c in aes256-gcm aes256-cbc; do
		read -r t kib < <(measure "$T/in" "$T/out.b64" "$DRIVE" \
		    -c "$c" "$CERTS/rsa.pem")
		echo "# $c: 64 MiB in $t s, $(awk -v t="$t" \
		    'BEGIN { printf "%.0f", 64 * 1.048576 / t }') MB/s, peak RSS $((kib / 1024)) MiB" >&3
		[ "$kib" -lt $((16 * 1024)) ]
		base64 -d "$T/out.b64" | openssl cms -decrypt -binary \
		    -inform DER -recip "$CERTS/rsa.pem" \
		    -inkey "$CERTS/rsa.key" -out "$T/out"
		cmp "$T/in" "$T/out"
		rm -f "$T/out" "$T/out.b64"
	done
}

@test "a 256 MiB message from a pipe peaks no higher than a small one" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (Debian: time)"
	msg "$T/in"
	/usr/bin/time -f %M -o "$T/small" "$DRIVE" "$CERTS/rsa.pem" \
	    <"$T/in" >/dev/null
	# time(1)'s child is sh: its peak is the largest of sh, head, drive
	/usr/bin/time -f %M -o "$T/big" sh -c \
	    'head -c 268435456 /dev/zero | "$1" "$2" | wc -c >"$3"' \
	    sh "$DRIVE" "$CERTS/rsa.pem" "$T/len"
	local small big
	small=$(tail -n 1 "$T/small")
	big=$(tail -n 1 "$T/big")
	echo "# peak RSS: $small KiB for a small message, $big KiB for 256 MiB" >&3
	# 256 MiB in base64 lines of 76 is over 345 MiB: it all went through
	[ "$(cat "$T/len")" -gt $((345 * 1024 * 1024)) ]
	[ "$big" -lt $((small + 4096)) ]
}

@test "an expired, a not yet valid, a signing-only and a garbage certificate are refused with the reason" {
	msg "$T/in"
	run "$DRIVE" "$CERTS/expired.pem" <"$T/in"
	[ "$status" -eq 5 ]
	[[ "$output" == *": expired" ]]
	run "$DRIVE" "$CERTS/notyet.pem" <"$T/in"
	[ "$status" -eq 5 ]
	run "$DRIVE" "$CERTS/signonly.pem" <"$T/in"
	[ "$status" -eq 6 ]
	[[ "$output" == *": unusable" ]]
	run "$DRIVE" "$CERTS/ed25519.pem" <"$T/in"
	[ "$status" -eq 6 ]
	run "$DRIVE" "$CERTS/garbage.pem" <"$T/in"
	[ "$status" -eq 7 ]
	[[ "$output" == *": malformed" ]]
	run "$DRIVE" "$T/nonexistent.pem" <"$T/in"
	[ "$status" -eq 4 ]
	[[ "$output" == *": missing: No such file or directory" ]]
	# the expired one was fine in 2020
	run "$DRIVE" -t 1590969600 "$CERTS/expired.pem" <"$T/in"
	[ "$status" -eq 0 ]
}

@test "a writer that fails fails the encryption" {
	msg "$T/in"
	run sh -c '"$1" "$2" <"$3" >&-' sh "$DRIVE" "$CERTS/rsa.pem" "$T/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"writing the result failed" ]]
}
