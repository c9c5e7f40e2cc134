#!/usr/bin/env bats
# samotop.conf: checking with -n, error messages, the limits' ranges, and
# what a client sees when the configuration is bad.

bats_require_minimum_version 1.5.0
load lib

setup() { common_setup; }
teardown() { common_teardown; }

# check LINE...: run samotop-smtpd -n on a file of these lines.
check() {
	printf '%s\n' "$@" >"$T/x.conf"
	"$SMTPD_BIN" -n -c "$T/x.conf"
}

@test "-n on a good file exits 0 and prints nothing" {
	write_conf "# a comment" "" "log-level debug  # trailing comment" \
		"route * /bin/true"
	run --separate-stderr "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "-n on a bad file prints FILE:LINE: message on stderr and exits 1" {
	printf 'hostname mx.test\n\n# comment\nbogus-directive 1\n' >"$T/bad.conf"
	run --separate-stderr "$SMTPD_BIN" -n -c "$T/bad.conf"
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	[[ "$stderr" == "$T/bad.conf:4: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "-n on a missing file exits 1 with a message naming the file" {
	run --separate-stderr "$SMTPD_BIN" -n -c "$T/nonexistent.conf"
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	assert_contains "$stderr" "$T/nonexistent.conf"
}

@test "-n on a directory, and on a file over 1 MiB, exits 1" {
	run "$SMTPD_BIN" -n -c "$T"
	[ "$status" -eq 78 ]
	{ echo "hostname mx.test"; head -c 1100000 /dev/zero | tr '\0' '#'; echo; } >"$T/big.conf"
	run "$SMTPD_BIN" -n -c "$T/big.conf"
	[ "$status" -eq 78 ]
}

@test "every limit directive is accepted at its bounds and with its suffixes" {
	run check "hostname mx.test" "log-level warn" "max-command-line 512" "max-line-length 1000" \
		"max-message-size 1K" "max-recipients 100" "max-errors 1" "timeout-command 1s" \
		"timeout-data 1" "timeout-helper 1d" "strict-crlf no" "recipient-delimiter -"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run check "hostname [192.0.2.1]" "log-level error" "max-command-line 65536" "max-line-length 1048576" \
		"max-message-size 4G" "max-recipients 100000" "max-errors 1000" "timeout-command 24h" \
		"timeout-data 1440m" "timeout-helper 86400" "strict-crlf yes" "recipient-delimiter none"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run check "max-message-size 50M" "timeout-data 3m" "log-level debug" "log-level2 x"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:4: "* ]]
}

@test "each limit out of range is an error on its line" {
	for l in "max-command-line 511" "max-command-line 65537" "max-line-length 999" \
		"max-line-length 1048577" "max-message-size 1023" "max-message-size 5G" \
		"max-recipients 99" "max-recipients 100001" "max-errors 0" "max-errors 1001" \
		"timeout-command 0" "timeout-command 2d" "timeout-data 25h" "timeout-helper 0s" \
		"strict-crlf maybe" "log-level loud" "recipient-delimiter @" "recipient-delimiter ab" \
		"max-errors" "max-errors 5 6" "max-errors -1" "max-errors 1x"; do
		run check "hostname mx.test" "$l"
		[ "$status" -eq 78 ] || { echo "accepted: $l" >&2; false; }
		[[ "$output" == "$T/x.conf:2: "* ]] || { echo "for '$l': $output" >&2; false; }
	done
}

@test "route errors: relative program, *@domain, same pattern twice, no program" {
	for l in "route * bin/true" "route *@example.org /bin/true" "route @example.org" "route" \
		"route @@example.org /bin/true"; do
		run check "hostname mx.test" "$l"
		[ "$status" -eq 78 ] || { echo "accepted: $l" >&2; false; }
		[[ "$output" == "$T/x.conf:2: "* ]] || { echo "for '$l': $output" >&2; false; }
	done
	run check "route @example.org /bin/true" "route @EXAMPLE.ORG /bin/true"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:2: "* ]]
	run check "hostname a.example" "hostname b.example"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:2: "* ]]
}

@test "syntax: CR LF line ends, tabs, quoted words; control characters are errors" {
	mkdir "$T/My Helper"
	ln -s /bin/true "$T/My Helper/lmtpd"
	printf 'hostname\tmx.test\r\nroute @example.org "%s/My Helper/lmtpd" "a \\"q\\" \\\\ b"\r\n' "$T" >"$T/x.conf"
	run "$SMTPD_BIN" -n -c "$T/x.conf"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	printf 'hostname mx.test\nroute * "/bin/true\n' >"$T/x.conf"
	run "$SMTPD_BIN" -n -c "$T/x.conf"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:2: "* ]]
	printf 'hostname mx.test\nlog-level\001 info\n' >"$T/x.conf"
	run "$SMTPD_BIN" -n -c "$T/x.conf"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:2: "* ]]
}

# --- -n: what would fail at run time, and directives without effect ---------

@test "-n: a route program that does not exist, is not executable or is a directory: an error on its line" {
	: >"$T/prog"
	chmod 644 "$T/prog"
	run --separate-stderr check "hostname mx.test" "route * $T/nope" "route @a.test $T/prog" \
		"route @b.test $T" "route @c.test /bin/true"
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "${stderr_lines[0]}" = "$T/x.conf:2: route *: program $T/nope does not exist" ]
	[ "${stderr_lines[1]}" = "$T/x.conf:3: route @a.test: program $T/prog is not executable (Permission denied)" ]
	[ "${stderr_lines[2]}" = "$T/x.conf:4: route @b.test: program $T is not a regular file" ]
	chmod 755 "$T/prog"
	run check "hostname mx.test" "route @a.test $T/prog"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-n: the next helper of a filter (the path after --) is checked too" {
	run --separate-stderr check "hostname mx.test" \
		"route @a.test $TOP/samotop-encrypt -k $T/keys/%u -- $T/nope $T/mail/%u" \
		"route @b.test $TOP/samotop-encrypt -k $T/keys/%u -- $TOP/samotop-maildir $T/mail/%u"
	[ "$status" -eq 78 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "${stderr_lines[0]}" = "$T/x.conf:2: route @a.test: program $T/nope does not exist" ]
}

# Tests run as root, who may write into any directory whatever its mode:
# the unwritable directory is /proc/sys, which refuses even root (as a
# read-only file system would); as another user, a directory of mode 555.
@test "-n: a greylist store whose directory is missing, not a directory or not writable: an error on its line" {
	run check "hostname mx.test" "greylist $T/missing/grey.db"
	[ "$status" -eq 78 ]
	assert_output_eq "$T/x.conf:2: greylist: directory $T/missing does not exist"
	: >"$T/file"
	run check "hostname mx.test" "greylist $T/file/grey.db"
	[ "$status" -eq 78 ]
	assert_output_eq "$T/x.conf:2: greylist: $T/file is not a directory"
	run check "hostname mx.test" "route * /bin/true" "greylist /proc/sys/grey.db"
	[ "$status" -eq 78 ]
	[[ "$output" == "$T/x.conf:3: greylist: directory /proc/sys is not writable by uid $(id -u) ("* ]]
	if [ "$(id -u)" -ne 0 ]; then
		mkdir "$T/ro"
		chmod 555 "$T/ro"
		run check "greylist $T/ro/grey.db"
		[ "$status" -eq 78 ]
		[[ "$output" == "$T/x.conf:1: greylist: directory $T/ro is not writable"* ]]
	fi
	# a writable directory, and SQLite loads: no complaint
	run check "hostname mx.test" "greylist $T/grey.db" "greylist-delay 1m"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-n: a file: list that cannot be read is an error on its line" {
	echo "192.0.2.1" >"$T/clients"
	run check "hostname mx.test" "allow client file:$T/clients" "deny sender file:$T/none"
	[ "$status" -eq 78 ]
	assert_output_eq "$T/x.conf:3: deny file:$T/none cannot be read: No such file or directory"
	run check "hostname mx.test" "allow client file:$T/clients"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-n: spf yes with a libspf2 that cannot be loaded is an error on its line" {
	mkdir "$T/lib"
	: >"$T/lib/libspf2.so.2"
	LD_LIBRARY_PATH=$T/lib run check "hostname mx.test" "spf yes"
	[ "$status" -eq 78 ]
	assert_output_eq "$T/x.conf:2: spf: libspf2 cannot be loaded: $T/lib/libspf2.so.2: file too short"
	run check "hostname mx.test" "spf yes"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-n: directives without effect are warnings on stderr, and -n still exits 0" {
	run --separate-stderr check "hostname mx.test" "spf-fail reject" "greylist-delay 1m" \
		"tls-ciphers secure" "route * /bin/true"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "${stderr_lines[0]}" = "samotop-smtpd: $T/x.conf:2: warning: spf-fail has no effect without spf yes" ]
	[ "${stderr_lines[1]}" = "samotop-smtpd: $T/x.conf:3: warning: greylist-delay has no effect without greylist" ]
	[ "${stderr_lines[2]}" = "samotop-smtpd: $T/x.conf:4: warning: tls-ciphers has no effect without tls-certificate" ]
	run --separate-stderr check "hostname mx.test" "spf yes" "spf-fail tempfail"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "-V: every program prints its name and the build's version, and exits 0" {
	local p version
	version=$(cat "$TESTS_DIR/../version.stamp")
	[ -n "$version" ]
	for p in samotop-smtpd samotop-maildir samotop-lmtp samotop-pipe; do
		run --separate-stderr "$TOP/$p" -V
		[ "$status" -eq 0 ] || { echo "$p -V: exit $status" >&2; false; }
		[ "$output" = "$p $version" ] || { echo "$p -V: $output" >&2; false; }
		[ -z "$stderr" ]
	done
}

@test "a bad configuration: the client gets 421 and no greeting, the log line names the file and line" {
	printf 'hostname mx.test\nmax-errors lots\n' >"$CONF"
	start_server
	run smtp_raw -n @eof
	[[ "${lines[0]}" == "421 "* ]]
	assert_line_eq 1 "<EOF>"
	assert_not_contains "$output" "220"
	wait_sessions
	assert_contains "$(cat "$LOG")" "level=error "
	assert_contains "$(cat "$LOG")" " event=config file=$CONF line=2 "
}

@test "a missing configuration file: the client gets 421 and no greeting" {
	start_server "$T/missing.conf"
	run smtp_raw -n @eof
	[[ "${lines[0]}" == "421 "* ]]
	assert_line_eq 1 "<EOF>"
}

@test "the file is read per connection: an edit applies to the next one" {
	write_conf "route * /bin/true"
	start_server
	run smtp_raw 'QUIT\r\n' @eof
	assert_line_eq 0 "220 mx.test ESMTP samotop"
	printf 'hostname mx2.test\n' >"$CONF"
	run smtp_raw 'QUIT\r\n' @eof
	assert_line_eq 0 "220 mx2.test ESMTP samotop"
}

@test "a file without routes accepts no mail (no open relay)" {
	write_conf
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 'RCPT TO:<u@example.org>\r\n' @1 \
		'RCPT TO:<postmaster>\r\n' @1 'QUIT\r\n' @eof
	[[ "${lines[9]}" == "550 5.7.1 "* ]]
	# not "relaying": the postmaster is ours, only its mailbox is missing
	assert_line_eq 10 "550 5.1.1 No postmaster mailbox configured: postmaster@mx.test"
}

# One exit-code table (sysexits(3)) for every program, as their man pages say.
@test "exit statuses: EX_USAGE (64) for bad arguments, EX_IOERR (74) when stdout fails, 0 after QUIT" {
	local p
	run "$SMTPD_BIN" -x
	[ "$status" -eq 64 ]
	for p in "$TOP/samotop-maildir" "$TOP/samotop-maildir -x $T/M" \
		"$TOP/samotop-lmtp" "$TOP/samotop-lmtp bogus:x" \
		"$TOP/samotop-lmtp exec:relative" "$TOP/samotop-pipe" \
		"$TOP/samotop-pipe -t 0 /bin/true"; do
		run $p </dev/null
		[ "$status" -eq 64 ] || { echo "$p: exit $status" >&2; false; }
	done
	for p in "$TOP/samotop-maildir $T/M/" "$TOP/samotop-lmtp unix:$T/no.sock" \
		"$TOP/samotop-pipe /bin/true"; do
		run sh -c "printf 'LHLO x\r\nQUIT\r\n' | $p" 2>/dev/null
		[ "$status" -eq 0 ] || { echo "$p: exit $status" >&2; false; }
		run sh -c "printf 'LHLO x\r\nQUIT\r\n' | $p >/dev/full" 2>/dev/null
		[ "$status" -eq 74 ] || { echo "$p >/dev/full: exit $status" >&2; false; }
	done
}
