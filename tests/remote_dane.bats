#!/usr/bin/env bats
# samotop-remote's DANE (RFC 7672) against real DNSSEC and a real MX:
# inside a network namespace of this file's own (tests/dns.bash), NSD on
# 127.0.0.1 serves tests/remote_dane/'s zones, rdane.example signed here at
# set-up time with ldns-signzone (its TLSA records made from the test
# certificate's key) and plain.rdane.example unsigned; a validating Unbound
# on 127.0.0.2 trusts rdane.example's key; samotop-remote -A ANCHOR -R
# 127.0.0.2 asks it (libunbound validating again from the same anchor),
# and its libc resolver (the MX look-up) asks NSD.  The MX hosts:
#   127.0.0.31  mx, mxbad, mx.plain  samotop-smtpd with TLS, a Maildir
#   127.0.0.32  mxnotls              samotop-smtpd without TLS
# Needs root (ip netns), nsd, unbound and ldnsutils.

load lib
load dns
load tls

REMOTE_BIN=$TOP/samotop-remote
ZONES=$TESTS_DIR/remote_dane

# rdane_zones DIR: the zones and configurations in DIR, @TLSA@ the
# SHA-256 of the test certificate's public key, rdane.example signed, its key
# DIR/anchor.key.
rdane_zones() {
	local dir=$1 spki ta
	spki=$(openssl x509 -in "$CERTS/cert.pem" -noout -pubkey |
		openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	ta=$(openssl x509 -in "$CERTS/ca.pem" -outform DER | sha256sum |
		cut -d' ' -f1)
	sed -e "s|@TLSA@|$spki|" -e "s|@TA@|$ta|" "$ZONES/rdane.example.zone" \
		>"$dir/rdane.example.zone"
	cp "$ZONES/plain.rdane.example.zone" "$dir/"
	sed "s|@DIR@|$dir|g" "$ZONES/nsd.conf.in" >"$dir/nsd.conf"
	sed "s|@DIR@|$dir|g" "$ZONES/unbound.conf.in" >"$dir/unbound.conf"
	(
		set -e
		cd "$dir"
		local k
		k=$(ldns-keygen -a ECDSAP256SHA256 -k rdane.example)
		ldns-signzone -o rdane.example rdane.example.zone "$k"
		cp "$k.key" anchor.key
		sed -i '/^forged\.rdane\.example\..*MX/s/ mx\.rdane/ mxevil.rdane/' \
			rdane.example.zone.signed
		grep -q 'MX[[:space:]]*10 mxevil' rdane.example.zone.signed
	)
}

# ta_cert: a certificate for mxta.rdane.example from the test CA, with
# the CA in its chain ($CERTS/fullchain-ta.pem, privkey-ta.pem).
ta_cert() {
	(
		set -e
		cd "$CERTS"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout privkey-ta.pem -out ta.csr -subj /CN=mxta.rdane.example
		printf '%s\n' 'subjectAltName=DNS:mxta.rdane.example' \
			'extendedKeyUsage=serverAuth' >ext-ta
		openssl x509 -req -in ta.csr -CA ca.pem -CAkey ca.key \
			-set_serial 0x2001 -days 2 -extfile ext-ta -out cert-ta.pem
		cat cert-ta.pem ca.pem >fullchain-ta.pem
	) >>"$BATS_FILE_TMPDIR/openssl.log" 2>&1
}

answers() {
	in_ns drill "$2" SOA @"$1" 2>/dev/null | grep -q 'rcode: NOERROR'
}

# start_daemon NAME CMD...: CMD in the namespace, its PID in NAME.pid
start_daemon() {
	local name=$1
	shift
	ip netns exec "$DNS_NS" "$@" </dev/null >>"$RD_DIR/$name.out" 2>&1 3>&- &
	echo $! >"$RD_DIR/$name.pid"
}

stop_daemon() {
	local pid kids
	pid=$(cat "$RD_DIR/$1.pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kids=$(descendants "$pid")
	kill "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	reap_pids 250 "$pid" $kids
	rm -f "$RD_DIR/$1.pid"
}

setup_file() {
	export DNS_NS
	RD_DIR=$BATS_FILE_TMPDIR/rdane
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null &&
	    command -v nsd >/dev/null && command -v unbound >/dev/null &&
	    command -v ldns-signzone >/dev/null && command -v drill >/dev/null ||
	    return 0
	make_certs
	ta_cert
	mkdir -p "$RD_DIR"
	rdane_zones "$RD_DIR"
	dns_ns_create
	start_daemon nsd nsd -d -c "$RD_DIR/nsd.conf"
	wait_ready "$(cat "$RD_DIR/nsd.pid")" 250 answers 127.0.0.1 rdane.example || {
		cat "$RD_DIR"/nsd.* >&2
		return 1
	}
	start_daemon unbound unbound -d -c "$RD_DIR/unbound.conf"
	wait_ready "$(cat "$RD_DIR/unbound.pid")" 250 \
	    answers 127.0.0.2 rdane.example || {
		cat "$RD_DIR"/unbound.* >&2
		return 1
	}
}

teardown_file() {
	RD_DIR=$BATS_FILE_TMPDIR/rdane
	stop_daemon unbound
	stop_daemon nsd
	dns_ns_delete
}

setup() {
	common_setup
	dns_need
	command -v unbound >/dev/null || skip "unbound is not installed"
	command -v ldns-signzone >/dev/null || skip "ldnsutils is not installed"
	[ -x "$REMOTE_BIN" ] || skip "samotop-remote is not built"
	need_maildir
	RD_DIR=$BATS_FILE_TMPDIR/rdane
	ip netns list | grep -q "^$DNS_NS\( \|$\)" || skip "no test namespace"
	tls_paths
	MD=$T/Maildir
	PIDS=
	printf 'hostname client.test\n' >"$T/remote.conf"
	printf 'From: a@client.test\r\nTo: b@good.rdane.example\r\nSubject: hi\r\n\r\nhello\r\n' \
		>"$T/msg"
	write_conf "tls-certificate $CERT" "tls-key $KEY" "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.31 "$CONF"
}

teardown() {
	local p kids
	for p in $PIDS; do
		kids=$(descendants "$p")
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		# shellcheck disable=SC2086
		reap_pids 50 $kids
	done
	common_teardown
}

# mx_start IP CONF: samotop-smtpd -c CONF under tcpserver on IP:25.
mx_start() {
	local ip=$1 conf=$T/mx-$1.conf
	cp "$2" "$conf"
	tcpserver -HRl0 -b 256 -c 20 "$ip" 25 "$SMTPD_BIN" -c "$conf" \
		</dev/null >/dev/null 2>>"$LOG" &
	local pid=$!
	PIDS="$PIDS $pid"
	wait_ready "$pid" 200 mx_listens "$ip"
}

mx_listens() {
	in_ns ss -Hltn "src $1:25" | grep -q LISTEN
}

# remote_raw ARG...: samotop-remote in the namespace; its log in
# $T/remote.log.  remote ARG...: with DANE, the test's anchor and Unbound.
remote_raw() {
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" "$@" <"$T/msg" 2>"$T/remote.log"
}

remote() {
	remote_raw -A "$RD_DIR/anchor.key" -R 127.0.0.2 "$@"
}

@test "DANE: the MX's certificate matches its TLSA 3 1 1 record: delivered, dane=pass tlsa=DANE-EE" {
	run remote good.rdane.example a@client.test b@good.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@good.rdane.example 250 "* ]]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ host=mx\.rdane\.example\ ip=127\.0\.0\.31\ tls=TLSv1\.[23]\ dane=pass\ tlsa=DANE-EE$ ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	grep -Eq 'event=tls .*verify=dane dane=pass usage=DANE-EE tlsa="?3 1 1"? depth=0' "$T/remote.log"
	grep -Eq 'event=done .*dane=pass' "$T/remote.log"
}

@test "DANE: a TLSA record the certificate does not match: not delivered, 451 4.7.5, dane=fail" {
	run remote bad.rdane.example a@client.test b@bad.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@bad.rdane.example 451 4.7.5 mxbad.rdane.example: DANE: the certificate matches no TLSA record"* ]]
	[[ ${lines[1]} == "m 451 4.7.5 "*" host=mxbad.rdane.example ip=127.0.0.31 tls=none dane=fail" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
	grep -q 'event=next .*dane=fail' "$T/remote.log"
}

@test "DANE: TLSA records but no STARTTLS offered: not delivered in plaintext, 451 4.7.5" {
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.32 "$CONF"
	run remote notls.rdane.example a@client.test b@notls.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@notls.rdane.example 451 4.7.5 mxnotls.rdane.example: DANE: TLSA records, but STARTTLS not offered" ]]
	[[ ${lines[1]} == *" dane=fail" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "DANE-TA: the MX's chain has the CA of the TLSA 2 0 1 record and names the MX: delivered, tlsa=DANE-TA" {
	write_conf "tls-certificate $CERTS/fullchain-ta.pem" \
		"tls-key $CERTS/privkey-ta.pem" "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.33 "$CONF"
	run remote ta.rdane.example a@client.test b@ta.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@ta.rdane.example 250 "* ]]
	[[ ${lines[1]} == *" host=mxta.rdane.example ip=127.0.0.33 tls=TLSv1."[23]" dane=pass tlsa=DANE-TA" ]]
	grep -Eq 'event=tls .*dane=pass usage=DANE-TA tlsa="?2 0 1"? depth=1' "$T/remote.log"
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "DANE-TA: the CA matches but the certificate names another host: not delivered, 4.7.5" {
	run remote taname.rdane.example a@client.test b@taname.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@taname.rdane.example 451 4.7.5 mxtaname.rdane.example: DANE: the certificate matches no TLSA record (hostname mismatch)" ]]
	[[ ${lines[1]} == *" dane=fail" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "DANE: an MX record changed after signing (bogus): the host the resolver gives is not used, 451 4.4.3" {
	run remote forged.rdane.example a@client.test b@forged.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@forged.rdane.example 451 4.4.3 mxevil.rdane.example: DANE: MX: "*"forged.rdane.example. MX IN"* ]]
	[[ ${lines[1]} == *" host=mxevil.rdane.example ip=127.0.0.31 tls=none dane=fail" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
	# without DANE the forged MX gets it: the check above is DANE's
	run remote_raw forged.rdane.example a@client.test b@forged.rdane.example
	[[ ${lines[1]} == "m 250 "*" host=mxevil.rdane.example "* ]]
}

@test "DANE: an MX in an unsigned zone: opportunistic TLS as before, its TLSA ignored, dane=none" {
	run remote plain.rdane.example a@client.test b@plain.rdane.example
	echo "$output"; cat "$T/remote.log"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@plain.rdane.example 250 "* ]]
	[[ ${lines[1]} =~ \ host=mx\.plain\.rdane\.example\ ip=127\.0\.0\.31\ tls=TLSv1\.[23]\ dane=none$ ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
	grep -q 'event=tls .*verify=none dane=none' "$T/remote.log"
}

@test "without DANE options samotop-remote does not look TLSA up: the bad MX gets the mail, no dane= field" {
	run remote_raw bad.rdane.example a@client.test b@bad.rdane.example
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^m\ 250\ .*\ tls=TLSv1\.[23]$ ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "DANE that cannot run (no trust anchor) delivers nothing: 451 4.4.3, says why" {
	run remote_raw -A "$T/none.key" -R 127.0.0.2 \
		good.rdane.example a@client.test b@good.rdane.example
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@good.rdane.example 451 4.4.3 mx.rdane.example: DANE: trust anchor $T/none.key: No such file or directory" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "TLS-RPT (tlsrpt DIR): DANE's sessions under the tlsa policy: success, tlsa-invalid, certificate-host-mismatch, starttls-not-supported, dnssec-invalid" {
	echo "tlsrpt $T/rpt" >>"$T/remote.conf"
	write_conf "route * $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.32 "$CONF"
	for d in good bad taname notls forged; do
		remote $d.rdane.example a@client.test b@$d.rdane.example >/dev/null
	done
	day=$(date -u +%F)
	f() { sed 's/^tlsrpt1 [0-9]* //' "$T/rpt/$day.$1.rdane.example"; }
	[ "$(f good)" = "success tlsa good.rdane.example mx.rdane.example 127.0.0.31 127.0.0.1 - 0 -" ]
	[ "$(f bad)" = "tlsa-invalid tlsa bad.rdane.example mxbad.rdane.example 127.0.0.31 127.0.0.1 - 0 -" ]
	[ "$(f taname)" = "certificate-host-mismatch tlsa taname.rdane.example mxtaname.rdane.example 127.0.0.31 127.0.0.1 - 0 -" ]
	[ "$(f notls)" = "starttls-not-supported tlsa notls.rdane.example mxnotls.rdane.example 127.0.0.32 127.0.0.1 - 0 -" ]
	[ "$(f forged)" = "dnssec-invalid tlsa forged.rdane.example mxevil.rdane.example 127.0.0.31 - - 0 -" ]
}
