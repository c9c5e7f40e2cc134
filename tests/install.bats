#!/usr/bin/env bats
# make install and make uninstall, as a packager and an upgrading admin
# see them: an atomic install over running programs, the modes, the inetd
# wrapper in libexec, and an uninstall that leaves nothing behind.

load lib

setup() {
	common_setup
	need_maildir
	SRC=$(cd "$TESTS_DIR/.." && pwd)
	ROOT=$T/root
	HELPER_PID=
}

teardown() {
	if [ -n "$HELPER_PID" ]; then
		kill "$HELPER_PID" 2>/dev/null || true
		wait "$HELPER_PID" 2>/dev/null || true
	fi
	common_teardown
}

# install_to ROOT [VAR=VALUE...]: make install into ROOT under /usr/local.
install_to() {
	local root=$1
	shift
	make -s -C "$SRC" install DESTDIR="$root" PREFIX=/usr/local "$@" 2>&1
}

# mode FILE: its permission bits, e.g. 755.
mode() {
	stat -c %a "$1"
}

@test "make install twice, the second time over a running samotop-maildir: both succeed, the running one goes on" {
	local bin=$ROOT/usr/local/bin man=$ROOT/usr/local/share/man
	run install_to "$ROOT"
	[ "$status" -eq 0 ]
	for p in samotop-smtpd samotop-lmtp samotop-maildir samotop-pipe samotop-screener \
	    samotop-queue samotop-sendmail samotop-mailq samotop-send \
	    samotop-tlsrpt samotop-dkimkey; do
		[ "$(mode "$bin/$p")" = 755 ]
		cmp "$SRC/$p" "$bin/$p"
	done
	[ "$(mode "$man/man5/samotop.conf.5")" = 644 ]
	[ "$(mode "$man/man8/samotop-smtpd.8")" = 644 ]
	[ "$(mode "$man/man8/samotop-screener.8")" = 644 ]
	[ "$(mode "$man/man8/samotop-send.8")" = 644 ]
	[ "$(mode "$man/man8/samotop-tlsrpt.8")" = 644 ]
	[ "$(mode "$man/man8/samotop-dkimkey.8")" = 644 ]
	# the installed helper runs, an LMTP session held open by a fifo
	make_maildir "$T/Maildir"
	mkfifo "$T/in"
	"$bin/samotop-maildir" -c "$T/Maildir" <"$T/in" >"$T/out" 2>"$T/err" &
	HELPER_PID=$!
	exec 4>"$T/in"
	printf 'LHLO client.example\r\n' >&4
	wait_ready "$HELPER_PID" 100 grep -q '^250 ' "$T/out"
	local inode
	inode=$(stat -c %i "$bin/samotop-maildir")
	run install_to "$ROOT"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "Text file busy"
	# a new file took the name; no temporary file is left
	[ "$(stat -c %i "$bin/samotop-maildir")" != "$inode" ]
	[ "$(mode "$bin/samotop-maildir")" = 755 ]
	[ -z "$(find "$ROOT" -name '.*.new')" ]
	# and the running one delivers as if nothing happened
	printf 'MAIL FROM:<a@b.example>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n' >&4
	printf 'Subject: upgrade\r\n\r\nstill here\r\n.\r\nQUIT\r\n' >&4
	exec 4>&-
	wait "$HELPER_PID"
	HELPER_PID=
	grep -q '^221 ' "$T/out"
	[ "$(count_files "$T/Maildir/new")" -eq 1 ]
	grep -q '^still here' "$T/Maildir/new"/*
}

@test "the inetd wrapper is installed in libexec/samotop, runs the installed samotop-smtpd, and keeps the log from the client" {
	local prefix=$T/prefix
	run make -s -C "$SRC" install PREFIX="$prefix"
	[ "$status" -eq 0 ]
	local w=$prefix/libexec/samotop/smtpd-inetd
	[ "$(mode "$w")" = 755 ]
	grep -qF "$prefix/bin/samotop-smtpd " "$w"
	# a stand-in logger records what syslog would get
	mkdir "$T/fakebin"
	printf '#!/bin/sh\necho "$*" >"%s"\ncat >>"%s"\n' "$T/logger.args" \
		"$T/logger.args" >"$T/fakebin/logger"
	chmod +x "$T/fakebin/logger"
	write_conf "route * $MAILDIR_BIN -c $T/Maildir"
	run env PATH="$T/fakebin:$PATH" "$w" -c "$CONF" < <(printf 'EHLO x\r\nQUIT\r\n')
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "220 mx.test ESMTP"* ]]
	assert_not_contains "$output" "event="
	head -1 "$T/logger.args" | grep -qx -- '-t samotop-smtpd -p mail.info'
	grep -q ' event=connect ' "$T/logger.args"
	grep -q ' event=disconnect ' "$T/logger.args"
}

@test "make uninstall removes what make install put there, and only that" {
	run install_to "$ROOT"
	[ "$status" -eq 0 ]
	touch "$ROOT/usr/local/bin/other"
	run make -s -C "$SRC" uninstall DESTDIR="$ROOT" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	[ "$(find "$ROOT" -type f | sed "s|^$ROOT||")" = /usr/local/bin/other ]
	[ ! -e "$ROOT/usr/local/libexec/samotop" ]
}

@test "packaging: a libtls or SQLite without a soname is a build error naming the -dev package, not a run-time surprise" {
	# a compiler that, like cc, prints the bare name of a library it cannot find
	cat >"$T/nolibcc" <<'SH'
#!/bin/sh
for a; do case $a in -print-file-name=*) echo "${a#*=}"; exit 0 ;; esac; done
exec cc "$@"
SH
	chmod +x "$T/nolibcc"
	run make -s -n -B -C "$SRC" CC="$T/nolibcc" tlslib.o
	[ "$status" -ne 0 ]
	assert_contains "$output" "LIBTLS_SONAME is empty"
	assert_contains "$output" "install libtls-dev (Debian)"
	run make -s -n -B -C "$SRC" LIBSQLITE3_SONAME= samotop-smtpd
	[ "$status" -ne 0 ]
	assert_contains "$output" "LIBSQLITE3_SONAME is empty"
	assert_contains "$output" "install libsqlite3-dev (Debian)"
	# found, the soname is compiled in; cleaning needs none
	run make -s -n -B -C "$SRC" tlslib.o
	[ "$status" -eq 0 ]
	assert_contains "$output" "-DLIBTLS_SONAME='\"libtls.so."
	run make -s -n -C "$SRC" CC="$T/nolibcc" clean
	[ "$status" -eq 0 ]
}
