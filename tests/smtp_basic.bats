#!/usr/bin/env bats
# The basic SMTP conversation: greeting, EHLO/HELO, sending with real
# clients (swaks, curl, smtplib), the simple commands, QUIT.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
	write_conf "route * $MAILDIR_BIN -c $MD"
	start_server
}

teardown() { common_teardown; }

# check_delivery REPLY_TEXT SENT_FILE: exactly one file in new/, nothing in
# tmp/, a Received: naming `by mx.test (samotop) with ESMTP id ID` for the ID
# of the 250 reply in REPLY_TEXT, and the body byte for byte.
check_delivery() {
	local id f
	id=$(msgid_of "$1")
	[ -n "$id" ] || { echo "no 250 queued-as id in: $1" >&2; return 1; }
	f=$(the_file "$MD/new")
	[ "$(count_files "$MD/tmp")" -eq 0 ]
	local rcv
	rcv=$(received_of "$f")
	assert_contains "$rcv" " by mx.test (samotop) with ESMTP id $id;"
	strip_received "$f" >"$T/stored.body"
	lf_of "$2" >"$T/expected.body"
	cmp "$T/expected.body" "$T/stored.body"
}

@test "greeting is 220 mx.test ESMTP samotop" {
	run smtp_raw 'QUIT\r\n' @eof
	assert_line_eq 0 "220 mx.test ESMTP samotop"
}

@test "EHLO advertises exactly PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING" {
	run smtp_raw 'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 1 "250-mx.test"
	# the keyword lines, without the 250- / 250 prefix, in any order
	kw=$(printf '%s\n' "${lines[@]:2:6}" | sed 's/^250[- ]//' | LC_ALL=C sort | tr '\n' ,)
	[ "$kw" = "8BITMIME,CHUNKING,ENHANCEDSTATUSCODES,PIPELINING,SIZE 26214400,SMTPUTF8," ]
	# exactly six keywords: the sixth is the last line of the reply
	[[ "${lines[7]}" == "250 "* ]]
	assert_line_eq 8 "221 2.0.0 mx.test closing connection"
}

@test "SIZE advertises max-message-size" {
	write_conf "max-message-size 10M" "route * $MAILDIR_BIN -c $MD"
	run smtp_raw 'EHLO client.example\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250-SIZE 10485760"
}

@test "HELO gets 250 and replies without enhanced status codes" {
	run smtp_raw 'HELO client.example\r\n' @1 'NOOP\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 1 "250 mx.test"
	[[ "${lines[2]}" =~ ^250\ [A-Za-z] ]]
	[[ "${lines[3]}" =~ ^250\ [A-Za-z] ]]
	[[ "${lines[4]}" =~ ^221\ [A-Za-z] ]]
	[ "${lines[5]}" = "<EOF>" ]
}

@test "swaks sends a message: one file in new/, Received: with the 250 id, body intact" {
	sample_message "$T/msg"
	run swaks --server "127.0.0.1:$PORT" --helo client.example \
		--from a@b.example --to u@example.org --data @"$T/msg"
	[ "$status" -eq 0 ]
	# swaks sends the file with one more empty line at its end
	printf '\r\n' >>"$T/msg"
	line=$(printf '%s\n' "$output" | grep '<-  250 2.0.0 Ok: queued as ' | sed 's/^<-  //')
	check_delivery "$line" "$T/msg"
}

@test "curl smtp:// sends a message: one file in new/, Received: with the 250 id, body intact" {
	sample_message "$T/msg"
	run curl -sv "smtp://127.0.0.1:$PORT" --mail-from a@b.example \
		--mail-rcpt u@example.org -T "$T/msg"
	[ "$status" -eq 0 ]
	line=$(printf '%s\n' "$output" | grep '^< 250 2.0.0 Ok: queued as ' | sed 's/^< //; s/\r$//')
	check_delivery "$line" "$T/msg"
}

@test "smtplib sends a message: one file in new/, Received: with the 250 id, body intact" {
	sample_message "$T/msg"
	run "$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" a@b.example u@example.org <"$T/msg"
	[ "$status" -eq 0 ]
	assert_line_eq 0 "250 mx.test"
	assert_line_eq 1 "250 2.1.0 Sender ok"
	[[ "${lines[2]}" == "250 2.1.5 "* ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok: queued as "* ]]
	assert_line_eq 4 "221 2.0.0 mx.test closing connection"
	check_delivery "${lines[3]}" "$T/msg"
}

@test "the Received: field names HELO, the client's IP and the protocol ESMTP" {
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 'Subject: r\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	id=$(msgid_of "$output")
	f=$(the_file "$MD/new")
	rcv=$(received_of "$f")
	[[ "$rcv" =~ ^Received:\ from\ client\.example\ \(.*\[127\.0\.0\.1\]\)\ by\ mx\.test\ \(samotop\)\ with\ ESMTP\ id\ $id\;\ [A-Z][a-z][a-z],\ [0-9]+\ [A-Z][a-z][a-z]\ 20[0-9][0-9]\ [0-9:]{8}\ [-+][0-9]{4}$ ]] || { echo "$rcv" >&2; false; }
	assert_not_contains "$rcv" " for "
}

@test "three transactions in one session: three files, three different ids" {
	m='Subject: t\r\n\r\nbody\r\n.\r\n'
	run smtp_raw 'EHLO c\r\n' @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 "$m" @1 \
		'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<v@example.org>\r\n' @1 'DATA\r\n' @1 "$m" @1 \
		'MAIL FROM:<>\r\n' @1 'RCPT TO:<w@example.org>\r\n' @1 'DATA\r\n' @1 "$m" @1 \
		'QUIT\r\n' @eof
	ids=$(printf '%s\n' "$output" | sed -n 's/^250 2\.0\.0 Ok: queued as //p')
	[ "$(printf '%s\n' "$ids" | wc -l)" -eq 3 ]
	[ "$(printf '%s\n' "$ids" | sort -u | wc -l)" -eq 3 ]
	[ "$(count_files "$MD/new")" -eq 3 ]
	for id in $ids; do
		[ "$(grep -l "with ESMTP id $id;" "$MD"/new/* | wc -l)" -eq 1 ]
	done
}

@test "RSET aborts the transaction: DATA then gets 503 and nothing is stored" {
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'RSET\r\n' @1 'DATA\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 10 "250 2.0.0 Reset"
	[[ "${lines[11]}" == "503 5.5.1 "* ]]
	assert_line_eq 12 "250 2.1.0 Sender ok"
	[ "$(count_files "$MD/new")" -eq 0 ]
}

@test "NOOP 250, VRFY 252 2.5.2, HELP 214, EXPN 502 5.5.1, unknown 500 5.5.1" {
	run smtp_raw 'EHLO c\r\n' @1 'NOOP\r\n' @1 'VRFY root\r\n' @1 'HELP\r\n' @1 \
		'EXPN staff\r\n' @1 'XYZZY\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[8]}" == "250 2.0.0"* ]]
	[[ "${lines[9]}" == "252 2.5.2 "* ]]
	[[ "${lines[10]}" == "214 "* ]]
	[[ "${lines[11]}" == "502 5.5.1 "* ]]
	[[ "${lines[12]}" == "500 5.5.1 "* ]]
	assert_line_eq 13 "221 2.0.0 mx.test closing connection"
}

@test "commands are case-insensitive" {
	run smtp_raw 'ehlo c\r\n' @1 'mail from:<a@b.example>\r\n' @1 'Rcpt To:<u@example.org>\r\n' @1 \
		'dAtA\r\n' @1 'Subject: c\r\n\r\nx\r\n.\r\n' @1 'nOoP\r\n' @1 'quit\r\n' @eof
	assert_line_eq 1 "250-mx.test"
	assert_line_eq 8 "250 2.1.0 Sender ok"
	[[ "${lines[9]}" == "250 2.1.5 "* ]]
	[[ "${lines[10]}" == "354 "* ]]
	[[ "${lines[11]}" == "250 2.0.0 Ok: queued as "* ]]
	[[ "${lines[12]}" == "250 2.0.0"* ]]
	[[ "${lines[13]}" == "221 "* ]]
	[ "$(count_files "$MD/new")" -eq 1 ]
}

@test "QUIT gets 221 and the server closes the connection and exits" {
	run smtp_raw 'EHLO c\r\n' @1 'QUIT\r\n' @eof
	assert_line_eq 8 "221 2.0.0 mx.test closing connection"
	assert_line_eq 9 "<EOF>"
	[ "${#lines[@]}" -eq 10 ]
	wait_sessions
	grep -q 'event=disconnect' "$LOG"
}

@test "a second EHLO resets the transaction" {
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'EHLO c\r\n' @1 'DATA\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[17]}" == "503 5.5.1 "* ]]
	[ "$(count_files "$MD/new")" -eq 0 ]
}
