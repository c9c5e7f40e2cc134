#!/usr/bin/env bats
# The shipped documentation and launcher examples: manual pages that name
# each other, the README's list of them, run scripts and unit files that
# are valid, command lines that samotop-smtpd accepts, and the safe-edit
# recipe for samotop.conf.  Quick: nothing here listens on a port except
# the IPv6 example, and only where tcpserver speaks IPv6.

bats_require_minimum_version 1.5.0
load lib

setup() { common_setup; }
teardown() { common_teardown; }

PAGES="samotop-smtpd.8 samotop.conf.5 samotop-dkimkey.8 samotop-maildir.8 samotop-lmtp.8 samotop-pipe.8 samotop-encrypt.8 samotop-screener.8 samotop-queue.8 samotop-sendmail.8 samotop-mailq.8 samotop-send.8 samotop-remote.8 samotop-tlsrpt.8"

# see_also PAGE: the ".Xr name section" references of PAGE's SEE ALSO, one
# "name(section)" a line.
see_also() {
	awk '/^\.Sh /{in_sa = ($0 == ".Sh SEE ALSO"); next}
	    in_sa && $1 == ".Xr" {print $2 "(" $3 ")"}' "$TOP/man/$1"
}

# title PAGE: "name(section)" of a file name such as samotop.conf.5.
title() {
	echo "${1%.*}(${1##*.})"
}

@test "the SEE ALSO of every manual page names the others" {
	local p q refs missing=
	for p in $PAGES; do
		refs=$(see_also "$p")
		for q in $PAGES; do
			[ "$p" != "$q" ] || continue
			grep -qxF "$(title "$q")" <<<"$refs" ||
				missing="$missing $p:$(title "$q")"
		done
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}

@test "README's \"Everything else\" links all the manual pages" {
	local para p
	# the paragraph that starts "Everything else is in the manual pages"
	para=$(awk '/^Everything else is in the manual pages/{on = 1}
	    on && /^$/{exit} on' "$TOP/README.md")
	[ -n "$para" ]
	for p in $PAGES; do
		[ -f "$TOP/man/$p" ]
		assert_contains "$para" "[$(title "$p")](man/$p)"
	done
}

@test "the run scripts are executable and valid sh" {
	local f n=0
	for f in "$TOP"/etc/runit/*/run "$TOP"/etc/runit/*/log/run \
	    "$TOP"/etc/s6/*/run "$TOP"/etc/s6/*/log/run "$TOP/etc/run-demo"; do
		[ -x "$f" ] || { echo "$f: not executable" >&2; false; }
		sh -n "$f"
		n=$((n + 1))
	done
	# runit and s6, samotop-smtpd and samotop-send, each with a
	# log/run, and the demo
	[ "$n" -eq 9 ]
}

# smtpd_args FILE: the arguments of every samotop-smtpd command line in
# FILE (a unit's ExecStart=, a run script, the wrapper in a comment), one
# line each: the words after the program, up to a redirection, a pipe or
# a line continuation.
smtpd_args() {
	local line w out
	grep -o '/usr/local/bin/samotop-smtpd\( .*\)\?$' "$1" |
	while read -r line; do
		out=
		for w in ${line#/usr/local/bin/samotop-smtpd}; do
			case $w in *'>'* | '|' | '\') break ;; esac
			out="$out $w"
		done
		echo "$out"
	done
}

# A certificate for the -T lines; -n loads it in full.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=mx.test \
	    2>/dev/null
}

@test "every launcher's samotop-smtpd command line passes -n with etc/samotop.conf" {
	local f args n=0
	make_cert
	# the example configuration, with a certificate for implicit TLS
	cp "$TOP/etc/samotop.conf" "$T/samotop.conf"
	printf 'tls-certificate %s\ntls-key %s\n' "$T/cert.pem" "$T/key.pem" \
	    >>"$T/samotop.conf"
	# the inetd wrapper's own default arguments
	inetd_wrapper | sed -n 's/^\[ \$# -gt 0 \] || set -- / /p' \
	    >"$T/wrapper-args"
	[ -s "$T/wrapper-args" ]
	for f in "$TOP"/etc/systemd/*.service "$TOP"/etc/runit/*/run \
	    "$TOP"/etc/s6/*/run "$T/wrapper-args"; do
		while read -r args; do
			args=${args//\/etc\/samotop\/samotop.conf/$T/samotop.conf}
			# shellcheck disable=SC2086
			run --separate-stderr "$SMTPD_BIN" -n $args
			[ "$status" -eq 0 ] ||
			    { echo "$f: samotop-smtpd$args: $stderr" >&2; false; }
			n=$((n + 1))
		done < <(if [ "$f" = "$T/wrapper-args" ]; then cat "$f";
		    else smtpd_args "$f"; fi)
	done
	# two units, runit, s6 and the inetd wrapper
	[ "$n" -eq 5 ]
}

# inetd_wrapper: the wrapper script shown in etc/inetd.conf's comment.
inetd_wrapper() {
	sed 's#@BINDIR@#/usr/local/bin#' "$TOP/etc/smtpd-inetd.in"
}

@test "inetd and xinetd run the same wrapper, and the wrapper is valid sh" {
	local path xpath
	inetd_wrapper >"$T/smtpd-inetd"
	[ "$(head -1 "$T/smtpd-inetd")" = "#!/bin/sh" ]
	grep -q 'set -- -c /etc/samotop/samotop.conf' "$T/smtpd-inetd"
	grep -q '^/usr/local/bin/samotop-smtpd "\$@"' "$T/smtpd-inetd"
	sh -n "$T/smtpd-inetd"
	# inetd.conf: service, socket type, protocol, wait, user, program, argv
	read -r _ _ _ _ _ path _ < <(grep -v '^#' "$TOP/etc/inetd.conf" |
	    grep .)
	# where make install puts the wrapper
	[ "$path" = /usr/local/libexec/samotop/smtpd-inetd ]
	grep -q 'LIBEXECDIR.*smtpd-inetd' "$TOP/Makefile"
	xpath=$(sed -n 's/^[[:space:]]*server[[:space:]]*=[[:space:]]*//p' \
	    "$TOP/etc/xinetd.d/samotop")
	[ "$xpath" = "$path" ]
	# the wrapper takes no arguments, so xinetd passes none
	run grep -c '^[[:space:]]*server_args' "$TOP/etc/xinetd.d/samotop"
	[ "$output" = 0 ]
	# the attributes xinetd needs for a TCP service, and a valid user
	grep -Eq '^[[:space:]]*socket_type[[:space:]]*=[[:space:]]*stream$' \
	    "$TOP/etc/xinetd.d/samotop"
	grep -Eq '^[[:space:]]*wait[[:space:]]*=[[:space:]]*no$' \
	    "$TOP/etc/xinetd.d/samotop"
	grep -Eq '^[[:space:]]*user[[:space:]]*=[[:space:]]*samotop$' \
	    "$TOP/etc/xinetd.d/samotop"
	# braces balanced around one service
	[ "$(grep -c '^{$' "$TOP/etc/xinetd.d/samotop")" -eq 1 ]
	[ "$(grep -c '^}$' "$TOP/etc/xinetd.d/samotop")" -eq 1 ]
}

# unit_value FILE KEY: the value of KEY= in a unit file.
unit_value() {
	sed -n "s/^$2=//p" "$1"
}

@test "the socket units set their trigger limit, the session services a StateDirectory" {
	local f
	for f in "$TOP"/etc/systemd/*.socket; do
		[ "$(unit_value "$f" Accept)" = yes ]
		[ -n "$(unit_value "$f" TriggerLimitIntervalSec)" ]
		[ -n "$(unit_value "$f" TriggerLimitBurst)" ]
		[ "$(unit_value "$f" BindIPv6Only)" = both ]
		assert_contains "$(unit_value "$f" ListenStream)" "[::]:"
	done
	# the sessions' (samotop-send keeps its state in the queue)
	for f in "$TOP"/etc/systemd/samotop-smtp*.service; do
		[ "$(unit_value "$f" StateDirectory)" = samotop ]
	done
	# the greylist path the example configuration suggests is in it
	grep -qx '#greylist /var/lib/samotop/[^/]*' "$TOP/etc/samotop.conf"
}

# seconds DURATION: samotop.conf's or systemd's 90min, 1h, 5m, 30s in s.
seconds() {
	local n=${1%%[a-z]*}
	case ${1#"$n"} in
	s | '') echo "$n" ;;
	m | min) echo $((n * 60)) ;;
	h) echo $((n * 3600)) ;;
	*) echo "bad duration $1" >&2; return 1 ;;
	esac
}

@test "RuntimeMaxSec leaves room for deadline-session and the last replies" {
	local f d c h
	d=$(seconds "$(sed -n 's/^#deadline-session //p' "$TOP/etc/samotop.conf")")
	c=$(seconds "$(sed -n 's/^#timeout-command //p' "$TOP/etc/samotop.conf")")
	h=$(seconds "$(sed -n 's/^#timeout-helper //p' "$TOP/etc/samotop.conf")")
	# the sessions' (samotop-send is long-running)
	for f in "$TOP"/etc/systemd/samotop-smtp*.service; do
		[ "$(seconds "$(unit_value "$f" RuntimeMaxSec)")" -gt \
		    $((d + c + h)) ]
	done
}

@test "systemd-analyze verify finds nothing to say about the units" {
	command -v systemd-analyze >/dev/null ||
	    skip "systemd-analyze is not installed"
	mkdir "$T/units"
	cp "$TOP"/etc/systemd/* "$T/units/"
	# ExecStart= must name a program that exists here
	sed -i "s|/usr/local/bin/samotop-smtpd|$SMTPD_BIN|; s|/usr/local/bin/samotop-send|$TOP/samotop-send|; s|/usr/local/bin/samotop-tlsrpt|$TOP/samotop-tlsrpt|" \
	    "$T"/units/*.service
	run systemd-analyze verify --man=no "$T"/units/*.socket \
	    "$T"/units/*.service "$T"/units/*.timer
	[ "$status" -eq 0 ]
	# unknown keys and bad values are warnings, with exit status 0
	[ -z "$output" ] || { echo "$output" >&2; false; }
}

# recipe FILE: the safe-edit recipe's command as FILE shows it, joined
# into one line.
recipe() {
	grep -A1 'samotop-smtpd -n -c /etc/samotop/samotop.conf.new &&$' "$1" |
	    sed 's/^[#[:space:]]*//' | tr '\n' ' '
}

@test "the safe-edit recipe moves a new file into place only when it checks" {
	local cmd
	cmd=$(recipe "$TOP/README.md")
	assert_contains "$cmd" "&& mv /etc/samotop/samotop.conf.new /etc/samotop/samotop.conf"
	# the same recipe in the manual pages and the example file
	[ "$(recipe "$TOP/man/samotop.conf.5")" = "$cmd" ]
	[ "$(recipe "$TOP/man/samotop-smtpd.8")" = "$cmd" ]
	[ "$(recipe "$TOP/etc/samotop.conf")" = "$cmd" ]
	cmd=${cmd//\/etc\/samotop/$T}
	cmd=${cmd//samotop-smtpd /$SMTPD_BIN }
	write_conf "route * /bin/true"
	cp "$CONF" "$T/good.conf"
	# a broken new file stays where it is; the live one is untouched
	printf 'hostname mx.test\nmax-errors lots\n' >"$T/samotop.conf.new"
	run --separate-stderr sh -c "$cmd"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "$T/samotop.conf.new:2: "
	[ -f "$T/samotop.conf.new" ]
	cmp "$T/good.conf" "$CONF"
	# a good one replaces it
	printf 'hostname mx2.test\nroute * /bin/true\n' >"$T/samotop.conf.new"
	run sh -c "$cmd"
	[ "$status" -eq 0 ]
	[ ! -e "$T/samotop.conf.new" ]
	grep -qx 'hostname mx2.test' "$CONF"
}

@test "a pipe session does not wait greet-delay, as samotop-smtpd(8) says" {
	local start
	printf 'hostname mx.test\ngreet-delay 5s\nroute * /bin/true\n' >"$CONF"
	start=$SECONDS
	run --separate-stderr "$SMTPD_BIN" -c "$CONF" \
	    < <(printf 'EHLO me\r\nQUIT\r\n')
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'220 mx.test ESMTP samotop\r' ]
	assert_contains "$output" "221 2.0.0"
	assert_not_contains "$output" "554"
	[ $((SECONDS - start)) -lt 4 ]
	# the page says so, and no longer asks for greet-delay 0
	run sh -c "mandoc -Tascii '$TOP/man/samotop-smtpd.8' | col -b"
	assert_contains "$output" "pipe session skips the greet-delay wait"
	assert_not_contains "$output" "should say 'greet-delay 0'"
	assert_not_contains "$output" "should say greet-delay 0"
}

@test "the IPv6 tcpserver example (ucspi-tcp-ipv6) takes IPv6 and IPv4 clients" {
	# Debian's ucspi-tcp tcpserver knows no IPv6 address
	pick_port
	timeout 1 tcpserver -HRl0 ::1 "$PORT" true 2>"$T/probe" &&
	    true
	grep -q 'no IP address' "$T/probe" &&
	    skip "tcpserver is IPv4 only (ucspi-tcp-ipv6 is not installed)"
	write_conf "route * /bin/true"
	# the README's line, host 0: IPv6 and IPv4
	tcpserver -HRl0 -b 256 -c 100 0 "$PORT" "$SMTPD_BIN" -c "$CONF" \
	    </dev/null >/dev/null 2>>"$LOG" &
	SERVER_PID=$!
	wait_ready "$SERVER_PID" 200 port_listens "$PORT"
	run "$PYTHON" - "$PORT" <<'EOF'
import socket, sys
for fam, addr in ((socket.AF_INET6, "::1"), (socket.AF_INET, "127.0.0.1")):
    s = socket.create_connection((addr, int(sys.argv[1])), timeout=5)
    print(s.recv(200).decode().strip())
    s.sendall(b"QUIT\r\n")
    s.recv(200)
    s.close()
EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "220 mx.test ESMTP samotop" ]
	[ "${lines[1]}" = "220 mx.test ESMTP samotop" ]
	stop_server
	assert_contains "$(cat "$LOG")" "remote=::1 "
	assert_contains "$(cat "$LOG")" "remote=127.0.0.1 "
}
