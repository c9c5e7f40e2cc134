#!/usr/bin/env bats
# The real filters of tests/filters.bash, each driven by tests/milter_drive
# (the milter codec, milter.c, as samotop-smtpd will use it): rspamd's
# milter proxy rejects GTUBE and passes a clean message with its headers;
# OpenDKIM signs, and OpenDKIM verifies what it signed against the key in
# the test's DNS (NSD in a namespace of the file's own, tests/dns.bash).
# rspamd starts once for the file; OpenDKIM for each test that uses it.

load lib
load dns
load filters

DRIVE=$TESTS_DIR/milter_drive

setup_file() {
	dns_setup_file
	start_rspamd
}

teardown_file() {
	stop_rspamd
	dns_teardown_file
}

setup() {
	T=$BATS_TEST_TMPDIR
	[ -x "$DRIVE" ] || skip "tests/milter_drive is not built (make units)"
}

teardown() {
	filters_teardown
}

# eom: the lines of the driver's output about the end of the message
eom() {
	printf '%s\n' "$output" | sed -n 's/^eom: //p'
}

@test "rspamd: GTUBE is rejected with 554 5.7.1 Gtube pattern" {
	need_rspamd
	filter_message "$T/msg" a@example.org "test" "$GTUBE"
	run "$DRIVE" "unix:$RSPAMD_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "replycode 554 5.7.1 Gtube pattern" ]
}

@test "rspamd: a clean message is accepted, with its score in headers" {
	need_rspamd
	filter_message "$T/msg" a@example.org "hello" "Hello Bob," "" "see you."
	run "$DRIVE" "unix:$RSPAMD_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom | tail -1)" = "accept" ]
	assert_contains "$(eom)" "addheader X-Spam-Status:No, score="
	assert_contains "$(eom)" "addheader X-Spamd-Result:default: False ["
	assert_not_contains "$output" "replycode"
	assert_not_contains "$output" "reject"
}

@test "rspamd: the add-header action sets X-Spam: Yes, and accepts" {
	need_rspamd
	filter_message "$T/msg" a@example.org "test" "$GTUBE_ADD_HEADER"
	run "$DRIVE" "unix:$RSPAMD_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom)" = "$(printf '%s\n' 'chgheader 1 X-Spam:Yes' accept)" ]
}

@test "rspamd: it never asked DNS" {
	need_rspamd
	filter_message "$T/msg" a@example.org "hello" \
	    "see http://www.example.com/"
	run "$DRIVE" "unix:$RSPAMD_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	# every task logs how many DNS requests it made
	grep -q 'dns req: 0' "$RSPAMD_DIR/rspamd.log"
	run grep -c 'dns req: [1-9]' "$RSPAMD_DIR/rspamd.log"
	[ "$output" = 0 ]
}

@test "OpenDKIM signs: a DKIM-Signature for d=signed.example s=filters" {
	need_opendkim
	start_opendkim_sign signed.example filters
	filter_message "$T/msg" "Alice <alice@signed.example>" "signed" "Hello."
	run "$DRIVE" -f alice@signed.example "unix:$DKIM_SIGN_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(eom | tail -1)" = "accept" ]
	local sig
	sig=$(eom | grep '^insheader 0 DKIM-Signature: v=1; a=rsa-sha256; ')
	assert_contains "$sig" 'c=relaxed/simple; d=signed.example;'
	assert_contains "$sig" 's=filters;'
	assert_contains "$sig" 'h=From:To:Subject:Date'
}

@test "OpenDKIM verifies what it signed: dkim=pass; a changed body: fail" {
	need_opendkim
	dns_setup
	start_opendkim_sign signed.example filters
	start_opendkim_verify
	filter_message "$T/msg" "Alice <alice@signed.example>" "signed" "Hello."
	run "$DRIVE" -f alice@signed.example "unix:$DKIM_SIGN_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	with_fields "$T/msg" "$output" >"$T/signed"
	run "$DRIVE" -f alice@signed.example "unix:$DKIM_VERIFY_SOCK" \
	    "$T/signed"
	[ "$status" -eq 0 ]
	assert_contains "$(eom)" "Authentication-Results: mx.test;"
	assert_contains "$(eom)" "dkim=pass"
	assert_contains "$(eom)" "header.d=signed.example"
	sed 's/^Hello\.$/Hello!/' "$T/signed" >"$T/tampered"
	run "$DRIVE" -f alice@signed.example "unix:$DKIM_VERIFY_SOCK" \
	    "$T/tampered"
	[ "$status" -eq 0 ]
	assert_contains "$(eom)" "dkim=fail"
}

@test "OpenDKIM signs with a key of its own for another domain" {
	need_opendkim
	start_opendkim_sign other.example sel1
	[ -f "$DKIM_SIGN_DIR/sel1.txt" ]
	filter_message "$T/msg" "Carol <carol@other.example>" "signed" "Hi."
	run "$DRIVE" -f carol@other.example "unix:$DKIM_SIGN_SOCK" "$T/msg"
	[ "$status" -eq 0 ]
	assert_contains "$(eom)" "d=other.example;"
	assert_contains "$(eom)" "s=sel1;"
}

@test "stop functions leave nothing running" {
	need_opendkim
	start_opendkim_sign signed.example filters
	local pid=$DKIM_SIGN_PID
	kill -0 "$pid"
	stop_opendkim_sign
	refute kill -0 "$pid" 2>/dev/null
}
