#!/usr/bin/env bats
# DMARC records from a real DNS server: dmarc.c's default path, where
# libopendmarc looks up _dmarc.DOMAIN itself (through glibc's resolver),
# against NSD with the zones of tests/dns/ inside a network namespace of
# this file's own (tests/dns.bash), through tests/dmarc_drive, which
# prints one line of verdict.  Needs root (ip netns) and nsd.

load lib
load dns

DRIVE=$TESTS_DIR/dmarc_drive

setup_file() { dns_setup_file; }
teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	[ -x "$DRIVE" ] || skip "tests/dmarc_drive is not built (make units)"
}

teardown() { common_teardown; }

# drive ARG...: tests/dmarc_drive in the namespace, output in $output.
drive() {
	run in_ns "$DRIVE" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "an aligned SPF pass passes; a spoofed From: of a p=reject domain is reject" {
	drive -s pass:dmarc-reject.example dmarc-reject.example
	[[ $output == "dmarc=pass disposition=none policy=reject "*"aligned=spf header.from=dmarc-reject.example policy.domain=dmarc-reject.example"* ]]
	drive -s pass:spammer.example -d pass:spammer.example dmarc-reject.example
	[[ $output == "dmarc=fail disposition=reject policy=reject "* ]]
}

@test "adkim=s published in DNS: a subdomain's signature does not align" {
	drive -d pass:mail.dmarc-reject.example dmarc-reject.example
	[[ $output == "dmarc=fail disposition=reject "* ]]
}

@test "an existing subdomain without a record finds its organizational domain's, and sp= applies" {
	drive -s fail:news.dmarc-org.example news.dmarc-org.example
	[[ $output == "dmarc=fail disposition=reject policy=reject (sp) "*"header.from=news.dmarc-org.example policy.domain=dmarc-org.example"* ]]
	drive dmarc-org.example
	[[ $output == "dmarc=fail disposition=quarantine policy=quarantine pct=100 "* ]]
}

@test "no record, or only a record that is not DMARC, is none" {
	drive -s pass:good.example good.example
	[[ $output == "dmarc=none disposition=none "* ]]
	drive dmarc-other.example
	[[ $output == "dmarc=none "* ]]
}

@test "a malformed record is permerror" {
	drive dmarc-bad.example
	[[ $output == "dmarc=permerror disposition=none "* ]]
}

@test "a lookup that fails (SERVFAIL) is temperror" {
	drive -s pass:x.dead.test x.dead.test
	[[ $output == "dmarc=temperror disposition=none "* ]]
}

@test "a From: domain that does not exist in DNS gets its organizational domain's record" {
	drive ghost.dmarc-org.example
	[[ $output == "dmarc=fail disposition=reject policy=reject (sp) "*"policy.domain=dmarc-org.example"* ]]
}
