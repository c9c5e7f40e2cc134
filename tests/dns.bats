#!/usr/bin/env bats
# The DNS-based checks for real: reverse DNS (rdns.c), DNS block lists
# (dnsbl.c) and SPF (spf.c, libspf2) against a real DNS server (NSD) with
# the zones of tests/dns/, inside a network namespace of this file's own
# (tests/dns.bash).  First through tests/dnsprobe.c, which runs one check
# and prints its result; then end to end, tcpserver + samotop-smtpd +
# samotop-maildir in the namespace, the client connecting from the address
# each test needs.  Needs root (ip netns), nsd and libspf2.

load lib
load dns

setup_file() {
	dns_setup_file
	PROBE=$BATS_FILE_TMPDIR/dnsprobe
	export PROBE
	[ -f "$TOP/libsamotop.a" ] || return 0
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		-Wall -Wextra -Werror -I"$TOP" -o "$PROBE" \
		"$TESTS_DIR/dnsprobe.c" "$TOP/libsamotop.a" -lresolv ||
		rm -f "$PROBE"
}

teardown_file() { dns_teardown_file; }

setup() {
	common_setup
	dns_setup
	BH_PID=
}

teardown() {
	common_teardown
	blackhole_stop
}

# probe ARG...: tests/dnsprobe.c in the namespace, output in $output.
probe() {
	[ -x "$PROBE" ] || skip "tests/dnsprobe did not build"
	run in_ns "$PROBE" "$@"
	[ "$status" -eq 0 ]
}

# field NAME: the value of NAME=... in $output.
field() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p" | head -1
}

# assert_field NAME VALUE
assert_field() {
	local got
	got=$(field "$1")
	if [ "$got" != "$2" ]; then
		echo "$1: expected '$2', got '$got'" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# assert_fast SECONDS: the probe took less than SECONDS.
assert_fast() {
	local e
	e=$(field elapsed)
	if ! awk -v e="$e" -v m="$1" 'BEGIN { exit !(e < m) }'; then
		echo "took $e s, more than $1 s" >&2
		return 1
	fi
}

# blackhole_start: NSD stopped, and in its place on 127.0.0.1:53 a server
# that reads every query and never answers (UDP and TCP): each query then
# costs the resolver its full timeout (resolv.conf: timeout:1 attempts:2).
blackhole_start() {
	dns_stop
	# not through in_ns: $! must be Python's own PID (ip execs it)
	ip netns exec "$DNS_NS" "$PYTHON" -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", 53))
t.listen(16)
print("ready", flush=True)
time.sleep(60)
' >"$T/blackhole.out" 2>&1 3>&- &
	BH_PID=$!
	local i
	for i in $(seq 1 250); do
		grep -q ready "$T/blackhole.out" && return 0
		sleep 0.02
	done
	cat "$T/blackhole.out" >&2
	return 1
}

blackhole_stop() {
	[ -n "${BH_PID:-}" ] || return 0
	kill "$BH_PID" 2>/dev/null || true
	wait "$BH_PID" 2>/dev/null || true
	BH_PID=
}

# --- reverse DNS -----------------------------------------------------------

@test "rdns: a PTR name that leads back is a pass, with the name" {
	probe rdns 127.0.0.5
	assert_field result pass
	assert_field name good.example
	probe rdns 192.0.2.5
	assert_field result pass
	assert_field name good.example
}

@test "rdns: IPv6, and an IPv4-mapped IPv6 address checked as IPv4" {
	probe rdns 2001:db8::5
	assert_field result pass
	assert_field name good.example
	probe rdns ::ffff:127.0.0.5
	assert_field result pass
	assert_field name good.example
}

@test "rdns: the client's address among several of the name's is a pass" {
	probe rdns 127.0.0.10
	assert_field result pass
	assert_field name multi.example
}

@test "rdns: no PTR record is none" {
	probe rdns 127.0.0.6
	assert_field result none
	assert_field name ""
}

@test "rdns: a PTR name that leads elsewhere, or nowhere, is a mismatch, the name kept" {
	probe rdns 127.0.0.7
	assert_field result mismatch
	assert_field name liar.example
	probe rdns 127.0.0.8
	assert_field result mismatch
	assert_field name ghost.example
}

@test "rdns: SERVFAIL is a temperror, at once" {
	probe rdns 127.0.0.9
	assert_field result temperror
	assert_field name ""
	assert_fast 1
}

@test "rdns: something that is no address is none" {
	probe rdns not-an-address
	assert_field result none
}

# --- DNS block lists -------------------------------------------------------

@test "dnsbl: the query names (RFC 5782 §2.1, §2.4)" {
	probe dnsbl-name 192.0.2.99 zen.example
	assert_field name 99.2.0.192.zen.example
	probe dnsbl-name 2001:db8:1:2:3:4:567:89ab bl.test
	assert_field name b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test
}

@test "dnsbl: listed, with the TXT record as the reason" {
	probe dnsbl 127.0.0.5 bl.test
	assert_field result listed
	assert_field reason "listed for testing"
	probe dnsbl 127.0.0.2 bl.test
	assert_field result listed
	assert_field reason "test entry"
}

@test "dnsbl: IPv6 listed (reversed nibbles)" {
	probe dnsbl 2001:db8::5 bl.test
	assert_field result listed
	assert_field reason "v6 listed"
}

@test "dnsbl: listed without a TXT record: listed, no reason" {
	probe dnsbl 127.0.0.6 bl.test
	assert_field result listed
	assert_field reason ""
}

@test "dnsbl: the reason is printable ASCII, control octets replaced" {
	probe dnsbl 127.0.0.12 bl.test
	assert_field result listed
	assert_field reason "bad???text? and more"
}

@test "dnsbl: not in the list (NXDOMAIN) is not listed" {
	probe dnsbl 192.0.2.5 bl.test
	assert_field result not-listed
	assert_field reason ""
}

@test "dnsbl: an answer outside 127.0.0.0/8 is not a listing" {
	probe dnsbl 127.0.0.10 bl.test
	assert_field result not-listed
}

@test "dnsbl: a list's error code (127.255.255.254) is a temperror, not a listing" {
	probe dnsbl 127.0.0.11 bl.test
	assert_field result temperror
}

@test "dnsbl: a list that answers SERVFAIL is a temperror" {
	probe dnsbl 127.0.0.5 dead.test
	assert_field result temperror
	assert_fast 1
}

# --- SPF (the client is 192.0.2.5: libspf2 passes 127.0.0.0/8 unasked) ----

@test "spf: pass, with a folded Received-SPF header" {
	probe spf 192.0.2.5 helo.example user@pass.example
	assert_field result pass
	assert_field identity mailfrom
	assert_field header 'Received-SPF: pass (mx.test: domain of pass.example designates 192.0.2.5 as\r\n\tpermitted sender) client-ip=192.0.2.5; envelope-from=user@pass.example;\r\n\thelo=helo.example;\r\n'
}

@test "spf: pass over IPv6, and for an IPv4-mapped address" {
	probe spf 2001:db8::5 helo.example user@pass.example
	assert_field result pass
	probe spf ::ffff:192.0.2.5 helo.example user@pass.example
	assert_field result pass
	assert_contains "$(field header)" "client-ip=192.0.2.5;"
}

@test "spf: a record split in two strings is joined" {
	probe spf 192.0.2.5 helo.example user@split.example
	assert_field result pass
}

@test "spf: fail (-all), with our explanation" {
	probe spf 192.0.2.5 helo.example user@fail.example
	assert_field result fail
	assert_field explanation "192.0.2.5 is not one of fail.example's designated mail servers"
	assert_contains "$(field header)" 'Received-SPF: fail (mx.test: domain of fail.example does not designate'
}

@test "spf: softfail (~all) and neutral (?all)" {
	probe spf 192.0.2.5 helo.example user@softfail.example
	assert_field result softfail
	assert_contains "$(field header)" 'Received-SPF: softfail '
	probe spf 192.0.2.5 helo.example user@neutral.example
	assert_field result neutral
	assert_contains "$(field header)" 'Received-SPF: neutral '
}

@test "spf: none: no TXT record, no SPF record among TXT records, no domain" {
	probe spf 192.0.2.5 helo.example user@none.example
	assert_field result none
	probe spf 192.0.2.5 helo.example user@other.example
	assert_field result none
	probe spf 192.0.2.5 helo.example user@nowhere.example
	assert_field result none
	probe spf 192.0.2.5 helo.example 'user@[192.0.2.5]'
	assert_field result none
	assert_field header "Received-SPF: none (mx.test: the sender's domain is not a domain name)\r\n\tclient-ip=192.0.2.5; identity=mailfrom;\r\n"
}

@test "spf: permerror: a malformed record (libspf2 gives no result: ours)" {
	probe spf 192.0.2.5 helo.example user@permerror.example
	assert_field result permerror
	assert_field explanation "Unknown mechanism found near 'frobnicate:x'"
	assert_field header "Received-SPF: permerror (mx.test: Unknown mechanism found near 'frobnicate:x')\r\n\tclient-ip=192.0.2.5; identity=mailfrom;\r\n"
}

@test "spf: permerror: too many DNS lookups, an include loop, two records" {
	probe spf 192.0.2.5 helo.example user@toomany.example
	assert_field result permerror
	assert_contains "$(field header)" "too many DNS lookups"
	probe spf 192.0.2.5 helo.example user@loop.example
	assert_field result permerror
	probe spf 192.0.2.5 helo.example user@twice.example
	assert_field result permerror
}

@test "spf: temperror: the domain, or an include, answers SERVFAIL" {
	probe spf 192.0.2.5 helo.example user@dead.test
	assert_field result temperror
	assert_contains "$(field header)" "Received-SPF: temperror "
	probe spf 192.0.2.5 helo.example user@tempinc.example
	assert_field result temperror
	probe spf 192.0.2.5 helo.example user@viadead.example
	assert_field result temperror
	assert_fast 1
}

@test "spf: the null sender is checked as postmaster@HELO" {
	probe spf 192.0.2.5 pass.example ""
	assert_field result pass
	assert_field identity helo
	assert_contains "$(field header)" "envelope-from=postmaster@pass.example;"
	probe spf 192.0.2.5 fail.example ""
	assert_field result fail
	probe spf 192.0.2.5 '[192.0.2.5]' ""
	assert_field result none
	assert_field identity helo
}

@test "spf: a sender's exp= text is sanitised to one printable line" {
	probe spf 192.0.2.5 helo.example user@explain.example
	assert_field result fail
	run bash -c 'printf "%s" "$1" | LC_ALL=C grep -c "[^ -~]"' _ "$(field explanation)"
	[ "$output" = 0 ]
}

@test "spf: libspf2 passes a loopback client without asking DNS" {
	probe spf 127.0.0.5 helo.example user@fail.example
	assert_field result pass
	assert_contains "$(field header)" "localhost is always allowed"
}

# --- a DNS server that does not answer -------------------------------------

@test "DNS server gone (port closed): every check is a temperror, at once" {
	dns_stop
	probe rdns 192.0.2.5
	assert_field result temperror
	probe dnsbl 192.0.2.5 bl.test
	assert_field result temperror
	probe spf 192.0.2.5 helo.example user@pass.example
	assert_field result temperror
	assert_fast 1
}

@test "DNS server silent: every check is a temperror within resolv.conf's bound" {
	blackhole_start
	probe rdns 192.0.2.5
	assert_field result temperror
	assert_fast 4
	probe dnsbl 192.0.2.5 bl.test
	assert_field result temperror
	assert_fast 4
	probe spf 192.0.2.5 helo.example user@pass.example
	assert_field result temperror
	assert_fast 4
}

# --- end to end: tcpserver + samotop-smtpd + samotop-maildir ---------------

# e2e_conf LINE...: samotop.conf delivering to $T/Maildir, no greeting delay.
e2e_conf() {
	need_maildir
	make_maildir "$T/Maildir"
	write_conf "greet-delay 0" "route * $MAILDIR_BIN $T/Maildir" "$@"
}

# session SRC SENDER [HELO]: EHLO, MAIL, RCPT, DATA, QUIT from SRC.
session() {
	from_raw "$1" "EHLO ${3:-client.example}\\r\\n" @1 \
		"MAIL FROM:<$2>\\r\\n" @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: t\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
}

# the_header FILE NAME: header field NAME of FILE unfolded to one line.
the_header() {
	"$PYTHON" - "$1" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
head = data.split("\n\n", 1)[0]
m = re.search(r"(?m)^" + re.escape(sys.argv[2]) + r":[^\n]*(?:\n[ \t][^\n]*)*", head)
print(re.sub(r"\r?\n[ \t]+", " ", m.group(0)).replace("\r", "") if m else "<none>")
PY
}

@test "e2e: rdns reject: no PTR gets 554 5.7.25 as the greeting, logged" {
	e2e_conf "rdns reject"
	start_server
	run from_raw 127.0.0.6 @eof
	assert_line_eq 0 "554 5.7.25 Reverse DNS validation failed for [127.0.0.6]"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=rdns result=none"
}

@test "e2e: rdns reject: a PTR name that leads elsewhere gets 554 5.7.25" {
	e2e_conf "rdns reject"
	start_server
	run from_raw 127.0.0.7 @eof
	assert_line_eq 0 "554 5.7.25 Reverse DNS validation failed for [127.0.0.7]"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=rdns result=mismatch name=liar.example"
}

@test "e2e: rdns tempfail gets 421 4.7.25; a DNS error does so under reject too" {
	e2e_conf "rdns tempfail"
	start_server
	run from_raw 127.0.0.6 @eof
	assert_line_eq 0 "421 4.7.25 Reverse DNS lookup for [127.0.0.6] failed, try again later"
	stop_server
	e2e_conf "rdns reject"
	start_server
	run from_raw 127.0.0.9 @eof
	assert_line_eq 0 "421 4.7.25 Reverse DNS lookup for [127.0.0.9] failed, try again later"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=rdns result=temperror"
}

@test "e2e: rdns reject, silent DNS server: 421 within resolv.conf's bound" {
	e2e_conf "rdns reject"
	start_server
	blackhole_start
	local t0=$SECONDS
	run from_raw 192.0.2.5 @eof
	assert_line_eq 0 "421 4.7.25 Reverse DNS lookup for [192.0.2.5] failed, try again later"
	[ $((SECONDS - t0)) -le 4 ]
}

@test "e2e: dnsbl listed gets 554 5.7.1 with the zone and the reason, logged" {
	e2e_conf "dnsbl bl.test"
	start_server
	run from_raw 127.0.0.5 @eof
	assert_line_eq 0 "554 5.7.1 Service unavailable; client [127.0.0.5] listed in bl.test: listed for testing"
	wait_sessions
	assert_contains "$(cat "$LOG")" 'event=dnsbl zone=bl.test result=listed reason="listed for testing"'
}

@test "e2e: dnsbl: a client not listed, or a list that fails, is served" {
	e2e_conf "dnsbl dead.test" "dnsbl bl.test"
	start_server
	run from_raw 192.0.2.5 'QUIT\r\n' @eof
	[[ "${lines[0]}" == "220 "* ]]
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=dnsbl zone=dead.test result=temperror"
}

@test "e2e: spf fail gets 550 5.7.23 at MAIL with the explanation, logged" {
	e2e_conf "spf yes"
	start_server
	run session 192.0.2.5 u@fail.example
	assert_contains "$output" "550 5.7.23 SPF validation failed: 192.0.2.5 is not one of fail.example's designated mail servers"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=spf identity=mailfrom result=fail action=reject"
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
}

@test "e2e: spf for the null sender checks the HELO name" {
	e2e_conf "spf yes"
	start_server
	run from_raw 192.0.2.5 'EHLO fail.example\r\n' @1 'MAIL FROM:<>\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "550 5.7.23 SPF validation failed: "
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=spf identity=helo result=fail action=reject"
}

@test "e2e: spf temperror gets 451 4.7.24 (spf-temperror tempfail)" {
	e2e_conf "spf yes" "spf-temperror tempfail"
	start_server
	run session 192.0.2.5 u@dead.test
	assert_contains "$output" "451 4.7.24 SPF validation error (DNS), try again later"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=spf identity=mailfrom result=temperror action=tempfail"
}

@test "e2e: libspf2 that cannot be loaded: 451 4.7.24 and an error naming it, even under spf-temperror accept" {
	e2e_conf "spf yes" "spf-temperror accept"
	# an empty file where the dynamic loader looks first for libspf2
	mkdir -p "$T/badlib"
	: >"$T/badlib/libspf2.so.2"
	LD_LIBRARY_PATH=$T/badlib start_server
	run session 192.0.2.5 u@pass.example
	assert_contains "$output" "451 4.7.24 SPF validation error (DNS), try again later"
	assert_not_contains "$output" "250 2.0.0 Ok: queued as "
	wait_sessions
	assert_contains "$(cat "$LOG")" 'level=error sid='
	assert_contains "$(cat "$LOG")" 'event=spf identity=mailfrom result=temperror action=tempfail reason="libspf2 cannot be loaded" error="'"$T"'/badlib/libspf2.so.2: file too short"'
	[ "$(count_files "$T/Maildir/new")" -eq 0 ]
}

# smtpd_libs: the libraries the dynamic loader mapped into the sessions of
# samotop-smtpd that the server (started with LD_DEBUG=files) ran so far.
smtpd_libs() {
	wait_sessions
	smtpd_ld_lists "$T/ld" | xargs cat
	rm -f "$T"/ld.*
}

@test "e2e: a session with spf no never loads libspf2; one with spf yes does (ld.so)" {
	e2e_conf "spf no"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run session 192.0.2.5 u@fail.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	run smtpd_libs
	assert_contains "$output" "file=libc.so"
	assert_not_contains "$output" "libspf2"
	stop_server

	e2e_conf "spf yes"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" start_server
	run session 192.0.2.5 u@fail.example
	assert_contains "$output" "550 5.7.23 SPF validation failed: "
	run smtpd_libs
	# (by samotop-smtpd; by libasan's dlopen under make check-asan)
	[[ "$output" == *"file=libspf2.so"*"dynamically loaded by"* ]]
}

@test "e2e: spf permerror reject gets 550 5.7.24 with what is wrong" {
	e2e_conf "spf yes" "spf-permerror reject"
	start_server
	run session 192.0.2.5 u@permerror.example
	assert_contains "$output" "550 5.7.24 SPF validation error: Unknown mechanism found near 'frobnicate:x'"
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=spf identity=mailfrom result=permerror action=reject"
}

@test "e2e: spf pass: delivered with Received-SPF: and Authentication-Results: (spf, iprev)" {
	e2e_conf "spf yes" "rdns log"
	start_server
	run session 192.0.2.5 u@pass.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	f=$(the_file "$T/Maildir/new")
	assert_contains "$(the_header "$f" Received-SPF)" "Received-SPF: pass (mx.test: domain of pass.example designates 192.0.2.5 as permitted sender) client-ip=192.0.2.5; envelope-from=u@pass.example; helo=client.example;"
	ar=$(the_header "$f" Authentication-Results)
	assert_contains "$ar" "Authentication-Results: mx.test;"
	assert_contains "$ar" "iprev=pass policy.iprev=192.0.2.5 (good.example)"
	assert_contains "$ar" "spf=pass smtp.mailfrom=u@pass.example"
	# every header line of the message ends in CR LF in the file as LF
	run grep -c $'\r' "$f"
	[ "$output" = 0 ]
	wait_sessions
	assert_contains "$(cat "$LOG")" "event=rdns result=pass name=good.example"
	assert_contains "$(cat "$LOG")" "event=spf identity=mailfrom result=pass action=accept"
}

@test "e2e: spf softfail and none are accepted with their Received-SPF:" {
	e2e_conf "spf yes"
	start_server
	run session 192.0.2.5 u@softfail.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	run session 192.0.2.5 u@none.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	local got f
	got=$(for f in "$T"/Maildir/new/*; do the_header "$f" Received-SPF; the_header "$f" Authentication-Results; done)
	assert_contains "$got" "Received-SPF: softfail (mx.test: transitioning domain of softfail.example"
	assert_contains "$got" "spf=softfail smtp.mailfrom=u@softfail.example"
	assert_contains "$got" "Received-SPF: none (mx.test: domain of none.example does not provide an SPF record)"
	assert_contains "$got" "spf=none smtp.mailfrom=u@none.example"
}

# authres FILE: Authentication-Results: of FILE parsed as RFC 8601 says
# (comments removed, ';' outside quoted-strings separating resinfos): its
# authserv-id, then one line a resinfo, "method=result prop.name ...".  A
# resinfo that does not parse prints "unparseable: ...".  Then the
# header's octets outside printable ASCII, tab, CR and LF, if any.
authres() {
	"$PYTHON" - "$1" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\n\n", 1)[0]
m = re.search(rb"(?m)^Authentication-Results:(.*(?:\r?\n[ \t].*)*)", head)
v = re.sub(r"\r?\n[ \t]", " ", m.group(1).decode("latin-1")).strip("\r")
out, depth, q, esc = "", 0, False, False
for c in v:			# drop comments, keep quoted-strings whole
    if esc: out += c if depth == 0 else ""; esc = False
    elif c == "\\": esc = True; out += c if depth == 0 else ""
    elif q: out += c; q = c != '"'
    elif c == '"' and depth == 0: out += c; q = True
    elif c == "(": depth += 1
    elif c == ")": depth -= 1
    elif depth == 0: out += c
parts, cur, q = [], "", False
for c in out:
    if c == '"': q = not q
    if c == ";" and not q: parts.append(cur); cur = ""
    else: cur += c
parts.append(cur)
print(parts[0].strip())
tok = r'[^\s()<>@,;:\\"/\[\]?=]+'
val = r'(?:"(?:[^"\\]|\\.)*"|(?:[A-Za-z0-9.!#$%&\'*+/?^_`{|}~-]*@)?' + tok + ')'
for p in parts[1:]:
    w = re.fullmatch(r"\s*(" + tok + r")\s*=\s*(" + tok + r")((?:\s+" + tok +
        r"\." + tok + r"=" + val + r")*)\s*", p)
    if w is None:
        print("unparseable: " + p.strip())
        continue
    props = re.findall(r"(" + tok + r"\." + tok + r")=", w.group(3))
    print(" ".join([w.group(1) + "=" + w.group(2)] + props))
bad = sorted(set(c for c in head if c >= 0x7f or (c < 0x20 and c not in b"\t\r\n")))
if bad: print("bad octets: " + repr(bytes(bad)))
PY
}

@test "e2e: a HELO with ';' adds no result to Authentication-Results: (EHLO x;dkim=pass;dmarc=pass)" {
	e2e_conf "spf yes" "rdns log"
	start_server
	run from_raw 192.0.2.5 'EHLO x;dkim=pass;dmarc=pass\r\n' @1 'MAIL FROM:<>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: t\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	f=$(the_file "$T/Maildir/new")
	run authres "$f"
	assert_output_eq "mx.test
iprev=pass policy.iprev
spf=none"
	assert_not_contains "$(the_header "$f" Received-SPF)" "dkim"
	assert_contains "$(the_header "$f" Received-SPF)" "Received-SPF: none (mx.test: HELO is not a domain name) client-ip=192.0.2.5; identity=helo;"
	# the HELO that is no name is kept, but only inside the comment
	assert_contains "$(the_header "$f" Received)" "Received: from unknown (helo=x?dkim=pass?dmarc=pass good.example [192.0.2.5])"
}

@test "e2e: a quoted sender with ';' adds no result: smtp.mailfrom= is its domain" {
	e2e_conf "spf yes"
	start_server
	run session 192.0.2.5 '"x;dkim=pass"@pass.example'
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	run session 192.0.2.5 'dkim=pass@pass.example' helo.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	local f
	for f in "$T"/Maildir/new/*; do
		run authres "$f"
		assert_output_eq "mx.test
spf=pass smtp.mailfrom"
		assert_contains "$(the_header "$f" Authentication-Results)" "spf=pass smtp.mailfrom=pass.example"
		assert_not_contains "$(the_header "$f" Authentication-Results)" "dkim"
		assert_not_contains "$(the_header "$f" Received-SPF)" "dkim"
		assert_contains "$(the_header "$f" Received-SPF)" "client-ip=192.0.2.5; envelope-from=pass.example;"
	done
}

@test "e2e: rdns log: a mismatch is delivered with iprev=fail" {
	e2e_conf "rdns log"
	start_server
	run session 127.0.0.7 u@none.example
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	f=$(the_file "$T/Maildir/new")
	assert_contains "$(the_header "$f" Authentication-Results)" "iprev=fail policy.iprev=127.0.0.7 (liar.example)"
	assert_not_contains "$(cat "$f")" "Received-SPF:"
}

@test "e2e: swaks from 192.0.2.5, spf pass: delivered" {
	command -v swaks >/dev/null || skip "swaks is not installed"
	e2e_conf "spf yes"
	start_server
	run in_ns swaks --server "127.0.0.1:$PORT" --local-interface 192.0.2.5 \
		--helo client.example --from u@pass.example --to u@example.org \
		--timeout 10
	[ "$status" -eq 0 ]
	assert_contains "$output" "<-  250 2.0.0 Ok: queued as "
	f=$(the_file "$T/Maildir/new")
	assert_contains "$(the_header "$f" Received-SPF)" "Received-SPF: pass "
}
