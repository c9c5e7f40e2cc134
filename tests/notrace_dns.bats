#!/usr/bin/env bats
# leave-no-trace with the DNS checks on (tests/dns.bash: a real NSD in a
# network namespace of this file's own; needs root): the client's
# reverse DNS name, its address and the sender's SPF identity stay out
# of the log, Received: and Authentication-Results:, and Received-SPF:
# is left out; with leave-no-trace off they are all there.

load lib
load dns

setup_file() { dns_setup_file; }
teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	need_maildir
	make_maildir "$T/Maildir"
}

teardown() { common_teardown; }

# conf yes|no
conf() {
	write_conf "route * $MAILDIR_BIN $T/Maildir" "rdns log" "spf yes" \
		"dnsbl bl.test" "leave-no-trace $1" \
		"leave-no-trace-key $T/leave-no-trace.key"
}

# session: from 192.0.2.5 (PTR good.example; SPF pass for pass.example)
session() {
	from_raw 192.0.2.5 'EHLO helo-secret.example\r\n' @1 \
		'MAIL FROM:<alice-secret@pass.example>\r\n' @1 \
		'RCPT TO:<bob-secret@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
}

# head_of FILE: the header block, up to the first empty line, without
# samotop-maildir's Return-Path: and Delivered-To: (the envelope, for
# the mailbox's owner: samotop.conf(5), LEAVE NO TRACE).
head_of() {
	sed -n '1,/^\r\{0,1\}$/p' "$1" | grep -Ev '^(Return-Path|Delivered-To):'
}

@test "leave-no-trace with rdns, spf and dnsbl: no client name or address, no SPF identity" {
	conf yes
	start_server
	run session
	assert_contains "$output" "250 2.0.0 "
	wait_sessions
	local log head s
	log=$(cat "$LOG")
	head=$(head_of "$(the_file "$T/Maildir/new")")
	assert_contains "$log" "event=rdns result=pass name=~"
	assert_contains "$log" "event=spf identity=mailfrom result=pass"
	assert_contains "$head" "iprev=pass;"
	assert_contains "$head" "spf=pass"
	assert_not_contains "$head" "Received-SPF"
	for s in 192.0.2.5 good.example helo-secret alice-secret bob-secret \
	    pass.example smtp.mailfrom policy.iprev; do
		assert_not_contains "$log" "$s"
		assert_not_contains "$head" "$s"
	done
}

@test "leave-no-trace no, the same session: all of it is there" {
	conf no
	start_server
	run session
	assert_contains "$output" "250 2.0.0 "
	wait_sessions
	local log head
	log=$(cat "$LOG")
	head=$(head_of "$(the_file "$T/Maildir/new")")
	assert_contains "$log" "name=good.example"
	assert_contains "$log" "192.0.2.5"
	assert_contains "$head" "Received-SPF: pass"
	assert_contains "$head" "policy.iprev=192.0.2.5 (good.example)"
	assert_contains "$head" "smtp.mailfrom=alice-secret@pass.example"
	assert_contains "$head" "good.example [192.0.2.5]"
}
