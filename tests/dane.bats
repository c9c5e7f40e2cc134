#!/usr/bin/env bats
# The screener's DNSSEC and DANE evidence (scr_dane.c) against real DNS:
# inside a network namespace of this file's own (tests/dns.bash), NSD on
# 127.0.0.1 serves the zones of tests/dane/, signed here at set-up time
# with ldns-signzone (dane.example and its signed children, an unsigned
# child, a child whose MX was changed after signing, and one NSD never
# loads); a validating Unbound on 127.0.0.2 trusts dane.example's key as
# its trust anchor, as a site's resolver trusts the root's; and
# tests/dane_drive asks through it (libunbound forwarding to it, and
# validating again itself from the same anchor), one line of
# scr_dane_text() per domain.  Needs root (ip netns), nsd, unbound and
# ldnsutils.

load lib
load dns

DRIVE=$TESTS_DIR/dane_drive
DANE_SRC=$TESTS_DIR/dane

# dane_zones DIR: the zones and configurations of tests/dane/ in DIR, the
# children signed and their DS records put into dane.example, which is
# signed last; its key becomes DIR/anchor.key; then broken.dane.example's
# MX and its MX's TLSA record are changed under their signatures.
dane_zones() {
	local dir=$1
	cp "$DANE_SRC"/*.zone "$dir"/
	sed "s|@DIR@|$dir|g" "$DANE_SRC/nsd.conf.in" >"$dir/nsd.conf"
	sed "s|@DIR@|$dir|g" "$DANE_SRC/unbound.conf.in" >"$dir/unbound.conf"
	(
		set -e
		cd "$dir"
		local z k
		for z in good notlsa broken; do
			k=$(ldns-keygen -a ECDSAP256SHA256 -k "$z.dane.example")
			ldns-signzone -o "$z.dane.example" "$z.dane.example.zone" "$k"
			sed -i "s|@DS_$z@|$(cat "$k.ds")|" dane.example.zone
		done
		k=$(ldns-keygen -a ECDSAP256SHA256 -k dane.example)
		ldns-signzone -o dane.example dane.example.zone "$k"
		cp "$k.key" anchor.key
		sed -i -e '/[[:space:]]MX[[:space:]]/s/ mx\.broken/ evil.broken/' \
			-e '/[[:space:]]TLSA[[:space:]]/s/ 8ef2c5b1/ deadbeef/' \
			broken.dane.example.zone.signed
		grep -q 'MX[[:space:]]*10 evil' broken.dane.example.zone.signed
		grep -q 'TLSA[[:space:]]*3 1 1 deadbeef' \
			broken.dane.example.zone.signed
	)
}

# answers IP NAME: the server at IP answers NAME's SOA with NOERROR.
answers() {
	in_ns drill "$2" SOA @"$1" 2>/dev/null | grep -q 'rcode: NOERROR'
}

# start_daemon NAME CMD...: CMD in the namespace, its PID in $DANE_DIR/NAME.pid
# (not through in_ns: $! must be the daemon's own PID; not on bats' fd 3)
start_daemon() {
	local name=$1
	shift
	ip netns exec "$DNS_NS" "$@" </dev/null >>"$DANE_DIR/$name.out" 2>&1 3>&- &
	echo $! >"$DANE_DIR/$name.pid"
}

stop_daemon() {
	local pid kids
	pid=$(cat "$DANE_DIR/$1.pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kids=$(descendants "$pid")
	kill "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	reap_pids 250 "$pid" $kids
	rm -f "$DANE_DIR/$1.pid"
}

setup_file() {
	export DNS_NS
	DANE_DIR=$BATS_FILE_TMPDIR/dane
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null &&
	    command -v nsd >/dev/null && command -v unbound >/dev/null &&
	    command -v ldns-signzone >/dev/null && command -v drill >/dev/null ||
	    return 0
	mkdir -p "$DANE_DIR"
	dane_zones "$DANE_DIR"
	dns_ns_create
	start_daemon nsd nsd -d -c "$DANE_DIR/nsd.conf"
	wait_ready "$(cat "$DANE_DIR/nsd.pid")" 250 \
	    answers 127.0.0.1 dane.example || {
		cat "$DANE_DIR"/nsd.* >&2
		return 1
	}
	# only once NSD answers, or Unbound would remember it as down
	start_daemon unbound unbound -d -c "$DANE_DIR/unbound.conf"
	wait_ready "$(cat "$DANE_DIR/unbound.pid")" 250 \
	    answers 127.0.0.2 good.dane.example || {
		cat "$DANE_DIR"/unbound.* >&2
		return 1
	}
}

teardown_file() {
	DANE_DIR=$BATS_FILE_TMPDIR/dane
	stop_daemon unbound
	stop_daemon nsd
	dns_ns_delete
}

setup() {
	dns_need
	command -v unbound >/dev/null || skip "unbound is not installed"
	command -v ldns-signzone >/dev/null || skip "ldnsutils is not installed"
	[ -x "$DRIVE" ] || skip "tests/dane_drive is not built (make units)"
	DANE_DIR=$BATS_FILE_TMPDIR/dane
	ip netns list | grep -q "^$DNS_NS\( \|$\)" || skip "no test namespace"
	ANCHOR=$DANE_DIR/anchor.key
}

# check [-r RESOLVER] [-t SECONDS] DOMAIN...: tests/dane_drive in the
# namespace, by the validating Unbound unless told, with the test anchor.
check() {
	local r=127.0.0.2
	if [ "$1" = -r ]; then
		r=$2
		shift 2
	fi
	run in_ns "$DRIVE" -a "$ANCHOR" -r "$r" "$@"
	echo "$output"
}

@test "a signed domain whose MX publishes TLSA: signed, TLSA for that MX" {
	check good.dane.example
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: signed; DANE: TLSA for mx.good.dane.example" ]
}

@test "a signed host without MX records is its own mail host: its TLSA counts" {
	check NOMX.good.dane.example.
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: signed; DANE: TLSA for nomx.good.dane.example" ]
}

@test "the most preferred MX with TLSA is named; PKIX TLSA records do not count" {
	check backup.good.dane.example pkix.good.dane.example
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DNSSEC: signed; DANE: TLSA for mx.good.dane.example" ]
	[ "${lines[1]}" = "DNSSEC: signed; DANE: no TLSA for pkixmx.good.dane.example (_25._tcp.pkixmx.good.dane.example: no usable TLSA record)" ]
}

@test "an MX in an unsigned zone, or whose addresses are: its TLSA proves nothing" {
	check elsewhere.good.dane.example viacname.good.dane.example
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DNSSEC: signed; DANE: no TLSA for mx.plain.dane.example (_25._tcp.mx.plain.dane.example: TLSA not signed)" ]
	[ "${lines[1]}" = "DNSSEC: signed; DANE: no TLSA for hostc.good.dane.example (hostc.good.dane.example: addresses not signed)" ]
}

@test "a null MX, or no such domain: no mail host" {
	check nullmx.good.dane.example nosuch.good.dane.example
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DNSSEC: signed; DANE: no mail host (null MX: nullmx.good.dane.example accepts no mail)" ]
	[ "${lines[1]}" = "DNSSEC: signed; DANE: no mail host (nosuch.good.dane.example: no such domain)" ]
}

@test "a TLSA record changed after signing is bogus for that MX" {
	check tlsabogus.good.dane.example
	[ "$status" -eq 0 ]
	[[ $output == "DNSSEC: signed; DANE: bogus TLSA for mx.broken.dane.example (validation failure <_25._tcp.mx.broken.dane.example. TLSA IN>: "*"signature"*")" ]]
}

@test "a signed domain without TLSA: signed, no TLSA for its MX" {
	check notlsa.dane.example
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: signed; DANE: no TLSA for mx.notlsa.dane.example" ]
}

@test "an unsigned domain is not signed, whatever TLSA it publishes" {
	check plain.dane.example
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: not signed" ]
}

@test "an MX changed after signing is bogus, and says why" {
	check broken.dane.example
	[ "$status" -eq 0 ]
	[[ $output == "DNSSEC: bogus (validation failure <broken.dane.example. MX IN>: "*"signature"*")" ]]
}

@test "libunbound validates by itself: asking NSD directly gives the same answers" {
	check -r 127.0.0.1 good.dane.example plain.dane.example broken.dane.example
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DNSSEC: signed; DANE: TLSA for mx.good.dane.example" ]
	[ "${lines[1]}" = "DNSSEC: not signed" ]
	[[ ${lines[2]} == "DNSSEC: bogus ("*"signature"*")" ]]
}

@test "a domain its server cannot serve (SERVFAIL) is unknown: lookup failed" {
	check dead.dane.example
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: unknown (dead.dane.example: lookup failed: SERVFAIL)" ]
}

@test "DNS down: unknown, no answer within the time limit" {
	local t0=$SECONDS
	check -r 127.0.0.3 -t 2 good.dane.example
	[ "$status" -eq 0 ]
	[ "$output" = "DNSSEC: unknown (good.dane.example: no answer in time)" ]
	[ $((SECONDS - t0)) -le 4 ]
}

@test "a check that cannot run says why: no domain name, no trust anchor" {
	check 'not a domain'
	[ "$status" -eq 1 ]
	[[ $output == *"not a domain: not an ASCII domain name"* ]]
	ANCHOR=$DANE_DIR/nsd.conf
	check good.dane.example
	[ "$status" -eq 1 ]
	[[ $output == *"DNSSEC: unknown (trust anchor $ANCHOR: no DS or DNSKEY record)"* ]]
}
