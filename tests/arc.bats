#!/usr/bin/env bats
# ARC verification (arc.c) with keys from a real DNS server: the default
# path, selector._domainkey.domain TXT through glibc's resolver, against
# NSD with the zones of tests/dns/ (which hold the keys of the sealers of
# tests/arc/dns*.eml, sealed by dkimpy) inside a network namespace of
# this file's own (tests/dns.bash), through tests/arc_drive.  The other
# verdicts, with keys from a file: tests/test_arc.c.  Needs root (ip
# netns) and nsd.

load lib
load dns

DRIVE=$TESTS_DIR/arc_drive
FIXTURES=$TESTS_DIR/arc

setup_file() { dns_setup_file; }
teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	[ -x "$DRIVE" ] || skip "tests/arc_drive is not built (make units)"
}

teardown() { common_teardown; }

# drive FIXTURE: tests/arc_drive in the namespace on tests/arc/FIXTURE.eml.
drive() {
	run in_ns "$DRIVE" <"$FIXTURES/$1.eml"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a chain of two sealers whose keys are in DNS passes (one key in two TXT strings)" {
	drive dns
	[ "$output" = "arc=pass sets=2 oldest-pass=0 seal.d=arc.example seal.s=a2" ]
}

@test "a sealer's key that is not in DNS (NXDOMAIN) fails, not temporarily" {
	drive dns-gone
	[ "$output" = "arc=fail sets=1 oldest-pass=0 seal.d=arc.example seal.s=gone (no key record)" ]
}

@test "no answer from DNS fails as temporary" {
	dns_stop
	drive dns
	[ "$output" = "arc=fail sets=2 oldest-pass=0 seal.d=arc.example seal.s=a2 temp (key lookup failed)" ]
	dns_start
}
