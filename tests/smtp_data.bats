#!/usr/bin/env bats
# Message data: DATA and BDAT, dot-stuffing, the size and line limits, bare
# line ends and SMTP smuggling, early close, pipelining.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
}

teardown() { common_teardown; }

serve_all() {
	write_conf "$@" "route * $MAILDIR_BIN -c $MD"
	start_server
}

# after_ehlo: $output without the greeting and the EHLO reply (8 lines).
after_ehlo() {
	printf '%s\n' "$output" | tail -n +9
}

# bdat CHUNK [LAST]: "BDAT n [LAST]\r\n" and CHUNK, escaped for smtp_raw,
# n counted from CHUNK's octets.
bdat() {
	local n
	n=$(printf '%b' "$1" | wc -c)
	printf 'BDAT %d%s\\r\\n%s' "$n" "${2:+ $2}" "$1"
}

ENV='EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n'

@test "dot-stuffing: stuffed lines are unstuffed once, the body is stored as sent" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: dots\r\n\r\n..\r\n...x\r\n.y\r\n. \r\nend.\r\n.\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_file "$MD/new")
	strip_received "$f" >"$T/got"
	printf 'Subject: dots\n\n.\n..x\ny\n \nend.\n' >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "MAIL SIZE= over max-message-size gets 552 5.3.4" {
	serve_all "max-message-size 1K"
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example> SIZE=1025\r\n' @1 'MAIL FROM:<a@b.example> SIZE=1000\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250-SIZE 1024"
	[[ "${lines[8]}" == "552 5.3.4 "* ]]
	assert_line_eq 9 "250 2.1.0 Sender ok"
}

@test "a message over max-message-size without SIZE= gets 552 5.3.4 after the data, nothing stored" {
	serve_all "max-message-size 1K"
	run smtp_raw "$ENV" @4 'Subject: big\r\n\r\n' "@repeat:40:$(printf 'y%.0s' $(seq 1 78))\\r\\n" '.\r\n' @1 \
		'NOOP\r\n' @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	[[ "$(sed -n 4p <<<"$out")" == "552 5.3.4 "* ]]
	[[ "$(sed -n 5p <<<"$out")" == "250 2.0.0"* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
}

@test "a text line of 1001 octets (max-line-length 1000) gets 554 5.6.0, nothing stored; 1000 octets pass" {
	serve_all
	long999=$(printf 'z%.0s' $(seq 1 999))
	long998=${long999:1}
	run smtp_raw "$ENV" @4 "Subject: long\\r\\n\\r\\n$long999\\r\\nafter\\r\\n.\\r\\n" @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		"Subject: long\\r\\n\\r\\n$long998\\r\\n.\\r\\n" @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	[[ "$(sed -n 4p <<<"$out")" == "554 5.6.0 "* ]]
	[[ "$(sed -n 8p <<<"$out")" == "250 2.0.0 Ok: queued as "* ]]
	wait_sessions
	f=$(the_file "$MD/new")
	grep -q "^$long998\$" "$f"
}

@test "a command line over max-command-line gets 500 5.5.2 and the session stays in step" {
	serve_all
	# 2048 octets with CR LF is allowed, 2049 is not
	a2041=$(printf 'a%.0s' $(seq 1 2041))
	run smtp_raw 'EHLO c\r\n' @1 "NOOP $a2041\\r\\n" @1 "NOOP ${a2041}b\\r\\n" @1 \
		'@repeat:10000:MAIL FROM:<x@y.example> ' '\r\n' @1 'NOOP\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	[[ "$(sed -n 1p <<<"$out")" == "250 2.0.0"* ]]
	[[ "$(sed -n 2p <<<"$out")" == "500 5.5.2 "* ]]
	[[ "$(sed -n 3p <<<"$out")" == "500 5.5.2 "* ]]
	[[ "$(sed -n 4p <<<"$out")" == "250 2.0.0"* ]]
	[ "$(sed -n 5p <<<"$out")" = "250 2.1.0 Sender ok" ]
	[[ "$(sed -n 6p <<<"$out")" == "221 "* ]]
	[ "$(wc -l <<<"$out")" -eq 7 ]
}

@test "max-command-line 512 is honoured" {
	serve_all "max-command-line 512"
	a=$(printf 'a%.0s' $(seq 1 505))
	run smtp_raw 'EHLO c\r\n' @1 "NOOP $a\\r\\n" @1 "NOOP ${a}b\\r\\n" @1 'QUIT\r\n' @eof
	[[ "${lines[8]}" == "250 2.0.0"* ]]
	[[ "${lines[9]}" == "500 5.5.2 "* ]]
	[[ "${lines[10]}" == "221 "* ]]
}

# inline_line_end SEP REPLY: under strict-crlf, "NOOP${SEP}RSET\r\n" inside a
# transaction is one command line, refused whole with one REPLY: RSET is not
# run (a proxy that splits at CR LF sees one command, and so do we).
inline_line_end() {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 "NOOP${1}RSET\\r\\n" @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'NOOP\r\n' @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	want="250 2.1.0 Sender ok
$2
250 2.1.5 <u@example.org>: OK
250 2.0.0 Ok
221 2.0.0 mx.test closing connection
<EOF>"
	output=$out assert_output_eq "$want"
}

@test "strict-crlf: NOOP<LF>RSET<CRLF> is one line, refused once with 500 5.5.2; RSET is not run" {
	inline_line_end '\n' "500 5.5.2 Bare LF in command line"
}

@test "strict-crlf: NOOP<CR>RSET<CRLF> is one line, refused once with 500 5.5.2; RSET is not run" {
	inline_line_end '\r' "500 5.5.2 Bare CR in command line"
}

@test "strict-crlf: a bare LF at the end of what was sent does not end the line; CRLF does" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\n' @sleep:0.3 'RCPT TO:<u@example.org>\r\n' @1 \
		'NOOP\r\n' @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	want="500 5.5.2 Bare LF in command line
250 2.0.0 Ok
221 2.0.0 mx.test closing connection
<EOF>"
	output=$out assert_output_eq "$want"
}

@test "strict-crlf: an overlong line with bare LFs is skipped to its CRLF, the session stays in step" {
	serve_all "max-command-line 512"
	run smtp_raw 'EHLO c\r\n' @1 '@repeat:130:NOOP\n' 'RSET\r\nNOOP\r\n' @2 'QUIT\r\n' @eof
	out=$(after_ehlo)
	want="500 5.5.2 Line too long
250 2.0.0 Ok
221 2.0.0 mx.test closing connection
<EOF>"
	output=$out assert_output_eq "$want"
}

@test "strict-crlf no: a bare LF ends a command line (the old behaviour, documented)" {
	serve_all "strict-crlf no"
	run smtp_raw 'EHLO c\r\n' @1 'NOOP\n' @1 'NOOP\nRSET\r\n' @2 'QUIT\r\n' @eof
	out=$(after_ehlo)
	want="250 2.0.0 Ok
250 2.0.0 Ok
250 2.0.0 Reset
221 2.0.0 mx.test closing connection
<EOF>"
	output=$out assert_output_eq "$want"
}

# smuggle V: a session whose message holds V (a would-be end of data)
# followed by a smuggled second transaction, then the real end and QUIT.
smuggle() {
	smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		"Subject: s\\r\\n\\r\\nhello$1MAIL FROM:<evil@b.example>\\r\\nRCPT TO:<victim@example.org>\\r\\nDATA\\r\\nSubject: smuggled\\r\\n\\r\\nevil body\\r\\n.\\r\\n" \
		@1 'QUIT\r\n' @eof
}

smuggle_strict() {
	serve_all
	run smuggle "$1"
	out=$(after_ehlo)
	want="250 2.1.0 Sender ok
250 2.1.5 <u@example.org>: OK
354 End data with <CR><LF>.<CR><LF>
$2
221 2.0.0 mx.test closing connection
<EOF>"
	output=$out assert_output_eq "$want"
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
	run grep -c 'event=mail ' "$LOG"
	[ "$output" -eq 1 ]
	assert_not_contains "$(cat "$LOG")" "evil@b.example"
	assert_not_contains "$(cat "$LOG")" "victim@example.org"
}

LF_REFUSED="550 5.6.0 Message refused: bare LF (line end without CR) not allowed"
CR_REFUSED="550 5.6.0 Message refused: bare CR (CR without LF) not allowed"

@test "smuggling \\n.\\n under strict-crlf: 550 5.6.0, nothing stored, nothing smuggled" {
	smuggle_strict '\n.\n' "$LF_REFUSED"
}

@test "smuggling \\r\\n.\\n under strict-crlf: 550 5.6.0, nothing stored, nothing smuggled" {
	smuggle_strict '\r\n.\n' "$LF_REFUSED"
}

@test "smuggling \\n.\\r\\n under strict-crlf: 550 5.6.0, nothing stored, nothing smuggled" {
	smuggle_strict '\n.\r\n' "$LF_REFUSED"
}

@test "smuggling \\r.\\r under strict-crlf: 550 5.6.0, nothing stored, nothing smuggled" {
	smuggle_strict '\r.\r' "$CR_REFUSED"
}

smuggle_lax() {
	serve_all "strict-crlf no"
	run smuggle "$1"
	out=$(after_ehlo)
	[ "$(grep -c '^250 2\.0\.0 Ok: queued as ' <<<"$out")" -eq 1 ]
	[ "$(grep -c '^250 2\.1\.0 ' <<<"$out")" -eq 1 ]
	[ "$(sed -n 5p <<<"$out")" = "221 2.0.0 mx.test closing connection" ]
	wait_sessions
	f=$(the_file "$MD/new")
	strip_received "$f" >"$T/got"
	# the smuggled text is body, and every line end is a plain line end
	printf 'Subject: s\n\nhello\n.\nMAIL FROM:<evil@b.example>\nRCPT TO:<victim@example.org>\nDATA\nSubject: smuggled\n\nevil body\n' >"$T/want"
	cmp "$T/want" "$T/got"
	run grep -c 'event=accepted ' "$LOG"
	[ "$output" -eq 1 ]
}

@test "smuggling \\n.\\n with strict-crlf no: one message, smuggled text is body" {
	smuggle_lax '\n.\n'
}

@test "smuggling \\r\\n.\\n with strict-crlf no: one message, smuggled text is body" {
	smuggle_lax '\r\n.\n'
}

@test "smuggling \\n.\\r\\n with strict-crlf no: one message, smuggled text is body" {
	smuggle_lax '\n.\r\n'
}

@test "smuggling \\r.\\r with strict-crlf no: one message, smuggled text is body" {
	smuggle_lax '\r.\r'
}

@test "a client that disconnects in the middle of DATA leaves nothing in new/ or tmp/" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: cut\r\n\r\nfirst half\r\n' '@repeat:200:more text more text\r\n'
	[[ "${lines[10]}" == "354 "* ]]
	wait_sessions
	[ -d "$MD/new" ]
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
}

@test "BDAT: one chunk LAST" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: b\r\n\r\none chunk\r\n' LAST)" @1 'QUIT\r\n' @eof
	[[ "${lines[10]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_file "$MD/new")
	strip_received "$f" >"$T/got"
	printf 'Subject: b\n\none chunk\n' | cmp - "$T/got"
}

@test "BDAT: several chunks, split inside a line and inside CR LF" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: b\r')" @1 "$(bdat '\n\r\nli')" @1 "$(bdat 'ne 2\r\n.\r\n' LAST)" @1 'QUIT\r\n' @eof
	[[ "${lines[10]}" == "250 2.0.0"* ]]
	[[ "${lines[11]}" == "250 2.0.0"* ]]
	[[ "${lines[12]}" == "250 2.0.0 Ok: queued as "* ]]
	f=$(the_file "$MD/new")
	strip_received "$f" >"$T/got"
	# in BDAT a dot line is only data
	printf 'Subject: b\n\nline 2\n.\n' | cmp - "$T/got"
}

@test "BDAT 0 LAST ends a message" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: z\r\n\r\n')" @1 'BDAT 0 LAST\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "BDAT with pipelining: MAIL, RCPT, BDAT n LAST and its data in one write" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 "MAIL FROM:<a@b.example>\\r\\nRCPT TO:<u@example.org>\\r\\n$(bdat 'Subject: p\r\n\r\n' LAST)NOOP\\r\\n" @4 'QUIT\r\n' @eof
	assert_line_eq 8 "250 2.1.0 Sender ok"
	[[ "${lines[9]}" == "250 2.1.5 "* ]]
	[[ "${lines[10]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[11]}" == "250 2.0.0"* ]]
	[[ "${lines[12]}" == "221 "* ]]
}

@test "BDAT before MAIL gets 503 and its octets are consumed (the session stays in step)" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'BDAT 12\r\nNOOP\r\nQUIT\r\n' @1 'NOOP\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[8]}" == "503 5.5.1 "* ]]
	[[ "${lines[9]}" == "250 2.0.0"* ]]
	[[ "${lines[10]}" == "221 "* ]]
	[ "${#lines[@]}" -eq 12 ]
}

@test "DATA after MAIL BODY=BINARYMIME gets 503 5.5.1" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'DATA\r\n' @1 'BDAT 3 LAST\r\nabc' @1 'QUIT\r\n' @eof
	assert_line_eq 8 "250 2.1.0 Sender ok"
	[[ "${lines[10]}" == "503 5.5.1 "* ]]
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
}

@test "pipelining: EHLO, then MAIL, RCPT, RCPT, DATA in one write get their replies in order" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nRCPT TO:<v@example.org>\r\nDATA\r\n' @4 \
		'Subject: p\r\n\r\npipelined\r\n.\r\nQUIT\r\n' @eof
	assert_line_eq 8 "250 2.1.0 Sender ok"
	assert_line_eq 9 "250 2.1.5 <u@example.org>: OK"
	assert_line_eq 10 "250 2.1.5 <v@example.org>: OK"
	[[ "${lines[11]}" == "354 "* ]]
	[[ "${lines[12]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[13]}" == "221 "* ]]
	[ "$(count_files "$MD/new")" -eq 2 ]
}

@test "pipelining: 50 commands in one write get 50 replies in order" {
	serve_all
	cmds=""
	for i in $(seq 1 24); do cmds+="NOOP\\r\\nVRFY u$i\\r\\n"; done
	cmds+='XYZ\r\nQUIT\r\n'
	run smtp_raw 'EHLO c\r\n' @1 "$cmds" @eof
	out=$(after_ehlo)
	[ "$(grep -c '^250 2\.0\.0' <<<"$out")" -eq 24 ]
	[ "$(grep -c '^252 2\.5\.2' <<<"$out")" -eq 24 ]
	# strictly alternating, then 500 and 221
	[ "$(sed -n '1~2p' <<<"$out" | head -24 | grep -vc '^250 ')" -eq 0 ]
	[[ "$(sed -n 49p <<<"$out")" == "500 5.5.1 "* ]]
	[[ "$(sed -n 50p <<<"$out")" == "221 "* ]]
	[ "$(sed -n 51p <<<"$out")" = "<EOF>" ]
}

@test "BDAT: RSET after a chunk aborts the transaction and gets 250" {
	serve_all
	SMTP_RAW_TIMEOUT=3 run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: r\r\n')" @1 'RSET\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[10]}" == "250 2.0.0"* ]]
	assert_line_eq 11 "250 2.0.0 Reset"
	[[ "${lines[12]}" == "221 "* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "BDAT: QUIT after a chunk gets 221, the session ends, nothing stored" {
	serve_all
	SMTP_RAW_TIMEOUT=3 run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: q\r\n')" @1 'QUIT\r\n' @eof
	[[ "${lines[10]}" == "250 2.0.0"* ]]
	assert_line_eq 11 "221 2.0.0 mx.test closing connection"
	assert_line_eq 12 "<EOF>"
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
}

@test "BDAT: a client that disconnects after a chunk: the session ends, nothing stored" {
	serve_all
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat 'Subject: q\r\n\r\nhalf')" @1
	[[ "${lines[10]}" == "250 2.0.0"* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
	grep -q 'event=disconnect' "$LOG"
}

@test "timeout-command 1s: an idle client gets 421 4.4.2 mx.test timeout and is closed" {
	serve_all "timeout-command 1s"
	SECONDS=0
	run smtp_raw 'EHLO c\r\n' @1 @eof
	# (the text after the host name is free: the manual says "timeout")
	[[ "${lines[8]}" == "421 4.4.2 mx.test "* ]]
	assert_line_eq 9 "<EOF>"
	[ "$SECONDS" -lt 4 ]
	wait_sessions
	grep -q ' event=timeout' "$LOG"
}

@test "timeout-data 1s: a client silent inside DATA gets 421 4.4.2, nothing stored" {
	serve_all "timeout-data 1s"
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: slow\r\n\r\nhalf a mess' @eof
	[[ "${lines[10]}" == "354 "* ]]
	[[ "${lines[11]}" == "421 4.4.2 mx.test "* ]]
	assert_line_eq 12 "<EOF>"
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
	[ "$(count_files "$MD/tmp")" -eq 0 ]
}

@test "BDAT chunks over max-message-size: 552 5.3.4 and nothing stored" {
	serve_all "max-message-size 1K"
	chunk=$(printf 'q%.0s' $(seq 1 598))
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		"$(bdat "$chunk\\r\\n")" @1 "$(bdat "$chunk\\r\\n" LAST)" @1 'NOOP\r\n' @1 'QUIT\r\n' @eof
	out=$(after_ehlo)
	grep -q '^552 5\.3\.4 ' <<<"$out"
	assert_not_contains "$out" "queued as"
	[[ "$(tail -3 <<<"$out" | head -1)" == "250 2.0.0"* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "MAIL SIZE= equal to max-message-size is accepted" {
	serve_all "max-message-size 1K"
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example> SIZE=1024\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 8 "250 2.1.0 Sender ok"
}
