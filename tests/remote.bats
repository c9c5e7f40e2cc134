#!/usr/bin/env bats
# samotop-remote: one delivery attempt to a domain's MX hosts, as the
# queue runs it, against real SMTP servers (samotop-smtpd under tcpserver)
# on port 25 of loopback addresses inside the test namespace, whose DNS
# (NSD, tests/dns/remote.test.zone) names them:
#   127.0.0.21  mx1.remote.test      samotop-smtpd with TLS, Maildir
#   127.0.0.22  down.remote.test     nothing listens
#   127.0.0.23  tempfail.remote.test samotop-smtpd, a helper that says 451
#   127.0.0.24  peer.remote.test     tests/smtp_peer.py, an old or odd
#                                    server (started by the tests that
#                                    need one; also on 2001:db8::5,
#                                    peer6.remote.test)
# Checked: the r/m lines on stdout, the delivered file, the log.

load lib
load dns
load tls

REMOTE_BIN=$TOP/samotop-remote

setup_file() {
	dns_setup_file
	make_certs
}

teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	need_maildir
	[ -x "$REMOTE_BIN" ] || skip "samotop-remote is not built"
	tls_paths
	MD=$T/Maildir
	PIDS=
	printf 'hostname client.test\n' >"$T/remote.conf"
	printf 'From: a@client.test\r\nTo: b@good.remote.test\r\nSubject: hi\r\n\r\nhello\r\n.dot line\r\n' \
		>"$T/msg"
	# the MX with TLS: a Maildir for the test domains, nobody@ unrouted
	write_conf "tls-certificate $CERT" "tls-key $KEY" \
		"route b@good.remote.test $MAILDIR_BIN -c $MD" \
		"route c@good.remote.test $MAILDIR_BIN -c $MD" \
		"route @nomx.remote.test $MAILDIR_BIN -c $MD" \
		"route @backup.remote.test $MAILDIR_BIN -c $MD" \
		"route @busy.remote.test $MAILDIR_BIN -c $MD"
	mx_start 127.0.0.21 "$CONF"
	# the one that tempfails every recipient, without TLS
	write_conf "route * /usr/bin/env LMTP_STUB_RCPT=b@temp.remote.test=451_4.3.0_stub:_try_later $PYTHON $STUB"
	sed -i 's/_/ /g; s|/usr/bin/env LMTP STUB RCPT|/usr/bin/env LMTP_STUB_RCPT|' "$CONF"
	mx_start 127.0.0.23 "$CONF"
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

# mx_start IP CONF: samotop-smtpd -c CONF under tcpserver on IP:25 in the
# namespace (CONF is copied: the next write_conf does not change it).
mx_start() {
	local ip=$1 conf=$T/mx-$1.conf
	cp "$2" "$conf"
	tcpserver -HRl0 -b 256 -c 20 "$ip" 25 "$SMTPD_BIN" -c "$conf" \
		</dev/null >/dev/null 2>>"$LOG" &
	local pid=$!
	PIDS="$PIDS $pid"
	wait_ready "$pid" 200 mx_listens "$ip" && return 0
	echo "tcpserver did not start on $ip:25" >&2
	cat "$LOG" >&2
	return 1
}

mx_listens() {
	in_ns ss -Hltn "src $1:25" | grep -q LISTEN
}

# peer_start ARG...: tests/smtp_peer.py on 127.0.0.24:25 (on $PEER_IP
# when set), its commands in $T/peer.log.
peer_start() {
	local ip=${PEER_IP:-127.0.0.24} i lip
	# the last test's peer (or the child of one of its connections) may
	# still hold the address for a moment: wait until nothing listens,
	# so that a listener found below is this peer, not an old one
	lip=$ip
	case $lip in *:*) lip="[$lip]" ;; esac
	for i in $(seq 1 150); do
		mx_listens "$lip" || break
		sleep 0.02
	done
	ip netns exec "$DNS_NS" "$PYTHON" "$TESTS_DIR/smtp_peer.py" \
		"$ip" 25 "$T/peer.log" "$@" </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	PIDS="$PIDS $pid"
	case $ip in *:*) ip="[$ip]" ;; esac
	wait_ready "$pid" 200 mx_listens "$ip"
}

# remote ARG...: samotop-remote in the namespace, the message on stdin;
# its stderr (the log) into $T/remote.log.
remote() {
	in_ns "$REMOTE_BIN" -c "$T/remote.conf" "$@" <"$T/msg" 2>"$T/remote.log"
}

@test "delivers to the MX over STARTTLS: r 250 per recipient, m 250 with host, ip and TLS; the file in the Maildir; the log names the TLS version and cipher" {
	run remote good.remote.test a@client.test b@good.remote.test c@good.remote.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == "r b@good.remote.test 250 "* ]]
	[[ ${lines[1]} == "r c@good.remote.test 250 "* ]]
	[[ ${lines[2]} =~ ^m\ 250\ .*\ host=mx1\.remote\.test\ ip=127\.0\.0\.21\ tls=TLSv1\.[23]$ ]]
	[ "$(count_files "$MD/new")" -eq 2 ]	# a file per recipient
	f=$(find "$MD/new" -type f | head -1)
	grep -q '^Subject: hi' "$f"
	grep -q '^\.dot line' "$f"		# dot-stuffed, and unstuffed
	grep -q 'with ESMTPS' "$f"
	grep -Eq 'event=tls .*version=TLSv1\.[23] .*cipher=[A-Z0-9_-]+' "$T/remote.log"
	grep -Eq 'event=done .*tls=TLSv1\.[23] cipher=[A-Z0-9_-]+ code=250' "$T/remote.log"
}

@test "a recipient the MX has no mailbox for gets its 5xx; the others are delivered" {
	run remote good.remote.test a@client.test nobody@good.remote.test b@good.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r nobody@good.remote.test 55"* ]]
	[[ ${lines[1]} == "r b@good.remote.test 250 "* ]]
	[[ ${lines[2]} == "m 250 "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "the preferred MX is down: the next one takes it" {
	run remote backup.remote.test a@client.test x@backup.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r x@backup.remote.test 250 "* ]]
	[[ ${lines[1]} == *" host=mx1.remote.test ip=127.0.0.21 "* ]]
	grep -q 'next .*host=down.remote.test' "$T/remote.log"
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "no MX record: the domain's own address (RFC 5321 5.1)" {
	run remote nomx.remote.test a@client.test y@nomx.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r y@nomx.remote.test 250 "* ]]
	[[ ${lines[1]} == *" host=nomx.remote.test ip=127.0.0.21 "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "a tempfailing MX: r 451 for its recipient, in plaintext (tls=none); nothing delivered" {
	run remote temp.remote.test a@client.test b@temp.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@temp.remote.test 451 4.3.0 "* ]]
	[[ ${lines[1]} == "m 451 no recipient accepted: 4.3.0 "*" host=tempfail.remote.test ip=127.0.0.23 tls=none" ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "null MX: 556 5.1.10 for good; NXDOMAIN: 550 5.1.2; SERVFAIL: 451; an MX without address: 451" {
	run remote null.remote.test a@client.test z@null.remote.test
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r z@null.remote.test 556 5.1.10 domain null.remote.test accepts no mail (null MX)"
	assert_line_eq 1 "m 556 5.1.10 domain null.remote.test accepts no mail (null MX)"
	run remote nope.remote.test a@client.test z@nope.remote.test
	[[ ${lines[0]} == "r z@nope.remote.test 550 5.1.2 "* ]]
	run remote x.dead.test a@client.test z@x.dead.test
	[[ ${lines[0]} == "r z@x.dead.test 451 4.4.3 "* ]]
	run remote noaddr.remote.test a@client.test z@noaddr.remote.test
	[[ ${lines[0]} == "r z@noaddr.remote.test 451 4.4."* ]]
}

@test "every MX down: 451 4.4.1 for every recipient; -m sends to the host given instead of the MX" {
	run remote -m down.remote.test good.remote.test a@client.test b@good.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r b@good.remote.test 451 4.4.1 down.remote.test: connect: Connection refused" ]]
	[[ ${lines[1]} == "m 451 4.4.1 "* ]]
	run remote -m 127.0.0.21:25 whatever.test a@client.test b@good.remote.test
	[[ ${lines[0]} == "r b@good.remote.test 250 "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "a server that knows only HELO: HELO, then MAIL and RCPT one at a time, without SIZE or BODY" {
	peer_start --helo-only
	run remote old.remote.test a@client.test p@old.remote.test q@old.remote.test
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r p@old.remote.test 250 ok: taken"
	assert_line_eq 1 "r q@old.remote.test 250 ok: taken"
	assert_line_eq 2 "m 250 ok: taken host=peer.remote.test ip=127.0.0.24 tls=none"
	run cat "$T/peer.log"
	assert_line_eq 0 "EHLO client.test"
	assert_line_eq 1 "HELO client.test"
	assert_line_eq 2 "MAIL FROM:<a@client.test>"
	assert_line_eq 3 "RCPT TO:<p@old.remote.test>"
	assert_line_eq 4 "RCPT TO:<q@old.remote.test>"
	assert_line_eq 5 "DATA"
	assert_line_eq 6 "<message $(($(wc -c <"$T/msg") + 1)) octets>"	# + the stuffed dot
	assert_line_eq 7 "QUIT"
}

@test "no 8BITMIME for an 8-bit message: 554 5.6.3; no SMTPUTF8 for a UTF-8 address: 553 5.6.7; nothing sent" {
	peer_start --helo-only
	printf 'Subject: caf\xc3\xa9\r\n\r\n\xc3\xa9\r\n' >"$T/msg"
	run remote old.remote.test a@client.test p@old.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r p@old.remote.test 554 5.6.3 "* ]]
	[[ ${lines[1]} == "m 554 5.6.3 "* ]]
	printf 'Subject: plain\r\n\r\nhi\r\n' >"$T/msg"
	run remote old.remote.test a@client.test $'j\xc3\xb6rg@old.remote.test'
	[[ ${lines[0]} == *" 553 5.6.7 "* ]]
	run grep -c '^MAIL' "$T/peer.log"
	[ "$output" = 0 ]
}

@test "a message over the server's SIZE: 552 5.3.4, not sent; under it: MAIL with SIZE=" {
	peer_start --size 40
	run remote old.remote.test a@client.test p@old.remote.test
	[[ ${lines[0]} == "r p@old.remote.test 552 5.3.4 "* ]]
	printf 'Subject: s\r\n\r\nhi\r\n' >"$T/msg"
	run remote old.remote.test a@client.test p@old.remote.test
	[[ ${lines[0]} == "r p@old.remote.test 250 ok: taken" ]]
	grep -qx 'MAIL FROM:<a@client.test> SIZE=18' "$T/peer.log"
	# the null sender (a bounce) is an empty argument
	run remote old.remote.test '' p@old.remote.test
	[[ ${lines[0]} == "r p@old.remote.test 250 ok: taken" ]]
	grep -qx 'MAIL FROM:<> SIZE=18' "$T/peer.log"
}

@test "an MX that greets with 421: the next MX takes it" {
	peer_start --greet "421 4.3.2 busy, go away"
	run remote busy.remote.test a@client.test x@busy.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r x@busy.remote.test 250 "* ]]
	[[ ${lines[1]} == *" host=mx1.remote.test ip=127.0.0.21 tls=TLSv1."* ]]
	grep -q 'event=next host=peer.remote.test ip=127.0.0.24 error="greeting 421 4.3.2 busy, go away"' "$T/remote.log"
}

@test "a TLS handshake that fails: the same address again in plaintext, and delivered" {
	peer_start --bad-tls
	run remote old.remote.test a@client.test p@old.remote.test
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r p@old.remote.test 250 ok: taken"
	assert_line_eq 1 "m 250 ok: taken host=peer.remote.test ip=127.0.0.24 tls=none"
	grep -q 'event=next host=peer.remote.test .*error="TLS handshake: ' "$T/remote.log"
	[ "$(grep -c '^STARTTLS' "$T/peer.log")" -eq 1 ]
}

@test "a reply after 220 to STARTTLS, before the handshake (an injection): that host is left, nothing sent" {
	peer_start --inject
	run remote old.remote.test a@client.test p@old.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r p@old.remote.test 451 4.4.1 peer.remote.test: data after 220 to STARTTLS"* ]]
	run grep -c '^MAIL' "$T/peer.log"
	[ "$output" = 0 ]
}

@test "an address literal as the domain: that address, no DNS" {
	peer_start
	run remote '[127.0.0.24]' a@client.test 'p@[127.0.0.24]'
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r p@[127.0.0.24] 250 ok: taken"
	assert_line_eq 1 "m 250 ok: taken host=127.0.0.24 ip=127.0.0.24 tls=none"
}

@test "an MX with only an IPv6 address; a host whose first address is down: its next address" {
	PEER_IP=2001:db8::5 peer_start
	run remote six.remote.test a@client.test p@six.remote.test
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r p@six.remote.test 250 ok: taken"
	assert_line_eq 1 "m 250 ok: taken host=peer6.remote.test ip=2001:db8::5 tls=none"
	peer_start
	run remote two.remote.test a@client.test p@two.remote.test
	assert_line_eq 0 "r p@two.remote.test 250 ok: taken"
	assert_line_eq 1 "m 250 ok: taken host=pair.remote.test ip=127.0.0.24 tls=none"
}

@test "PIPELINING: MAIL and the RCPTs in one write, the replies matched in order" {
	peer_start --pipelining --size 100000
	run remote old.remote.test a@client.test p@old.remote.test q@old.remote.test
	[ "$status" -eq 0 ]
	assert_line_eq 0 "r p@old.remote.test 250 ok: taken"
	assert_line_eq 1 "r q@old.remote.test 250 ok: taken"
	grep -qx "MAIL FROM:<a@client.test> SIZE=$(wc -c <"$T/msg") +2" "$T/peer.log"
}

@test "an MX list that names this host: it and the worse ones go (next MX down: 451); this host the best: 554 5.4.6" {
	printf 'hostname MX1.remote.test\n' >"$T/remote.conf"
	run remote backup.remote.test a@client.test x@backup.remote.test
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "r x@backup.remote.test 451 4.4.1 down.remote.test: connect: "* ]]
	run remote good.remote.test a@client.test b@good.remote.test
	assert_line_eq 0 "r b@good.remote.test 554 5.4.6 the best MX of good.remote.test is this host: mail would loop"
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "usage errors exit 100 with a message on stderr, and print no result" {
	run in_ns "$REMOTE_BIN" good.remote.test a@client.test </dev/null
	[ "$status" -eq 100 ]
	[[ $output == *usage:* ]]
	run in_ns "$REMOTE_BIN" -c "$T/no-such.conf" good.remote.test a@client.test b@x </dev/null
	[ "$status" -eq 111 ]
}
