#!/usr/bin/env bats
# The sandbox (samotop.conf(5), SANDBOX): a live session and its helper
# run with NO_NEW_PRIVS and a seccomp filter; a forbidden call is logged
# and kills the process; Landlock keeps samotop-maildir to its Maildirs.
# SAMOTOP_SANDBOX_TEST (sandbox.h) makes a process attempt what its
# sandbox refuses, right after sealing.

load lib

setup() {
	common_setup
	need_maildir
	MD=$T/Maildir
	make_maildir "$MD"
	[ "$(uname -s)" = Linux ] || skip "the sandbox is Linux's"
}

teardown() {
	[ -z "${SMTP_FD:-}" ] || exec {SMTP_FD}>&-
	common_teardown
}

# sealed_or_skip: skip when the programs do not seal at all (a
# sanitizer's build: its leak check needs ptrace and /proc).
sealed_or_skip() {
	local out
	printf 'hostname mx.test\nlog-level debug\ngreet-delay 0\n' >"$T/probe.conf"
	out=$(printf 'QUIT\r\n' | SAMOTOP_SANDBOX_TEST= "$SMTPD_BIN" -c "$T/probe.conf" 2>&1 >/dev/null)
	if grep -q 'event=sandbox reason=sanitizer' <<<"$out"; then
		skip "a sanitizer's build does not seal"
	fi
}

# status_field PID NAME: NAME's value in /proc/PID/status.
status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# open_session: a session on fd $SMTP_FD, its banner read; $SMTPD_PID
# its pid.
open_session() {
	local line i
	exec {SMTP_FD}<>"/dev/tcp/127.0.0.1/$PORT"
	IFS= read -r -t 5 line <&"$SMTP_FD"
	[[ "$line" == "220 "* ]] || { echo "banner: $line" >&2; cat "$LOG" >&2; return 1; }
	for i in $(seq 1 100); do
		SMTPD_PID=$(pgrep -P "$SERVER_PID" | head -1)
		[ -n "$SMTPD_PID" ] && return 0
		sleep 0.02
	done
	return 1
}

# say LINE: a command on fd $SMTP_FD, its (last) reply line printed.
say() {
	local line
	printf '%s\r\n' "$1" >&"$SMTP_FD"
	while IFS= read -r -t 5 line <&"$SMTP_FD"; do
		line=${line%$'\r'}
		[[ "$line" == [0-9][0-9][0-9]-* ]] && continue
		echo "$line"
		return 0
	done
	return 1
}

@test "a live session has Seccomp: 2 and NoNewPrivs: 1, and so has its helper" {
	write_conf "log-level debug" "route * $MAILDIR_BIN $MD"
	sealed_or_skip
	start_server
	open_session
	[ "$(status_field "$SMTPD_PID" Seccomp)" = 2 ]
	[ "$(status_field "$SMTPD_PID" NoNewPrivs)" = 1 ]
	[[ "$(say 'EHLO client.example')" == 250* ]]
	[[ "$(say 'MAIL FROM:<a@b.example>')" == 250* ]]
	[[ "$(say 'RCPT TO:<u@example.org>')" == 250* ]]
	helper=$(pgrep -P "$SMTPD_PID" | head -1)
	[ -n "$helper" ]
	[ "$(status_field "$helper" Seccomp)" = 2 ]
	[ "$(status_field "$helper" NoNewPrivs)" = 1 ]
	# smtpd's filter and its own, stacked
	[ "$(status_field "$helper" Seccomp_filters)" = 2 ]
	[[ "$(say 'DATA')" == 354* ]]
	[[ "$(say $'Subject: x\r\n\r\nsealed\r\n.')" == "250 "* ]]
	[[ "$(say QUIT)" == 221* ]]
	wait_sessions
	[ "$(count_files "$MD/new")" -eq 1 ]
	grep -q 'prog=samotop-maildir .*event=sandbox seccomp=yes' "$LOG"
}

@test "sandbox no: the session and its helper are not sealed" {
	[ "$(status_field $$ Seccomp)" = 0 ] || skip "the tests themselves run under seccomp"
	write_conf "log-level debug" "sandbox no" "route * $MAILDIR_BIN $MD"
	start_server
	open_session
	[ "$(status_field "$SMTPD_PID" Seccomp)" = 0 ]
	[[ "$(say 'EHLO client.example')" == 250* ]]
	[[ "$(say 'MAIL FROM:<a@b.example>')" == 250* ]]
	[[ "$(say 'RCPT TO:<u@example.org>')" == 250* ]]
	helper=$(pgrep -P "$SMTPD_PID" | head -1)
	[ "$(status_field "$helper" Seccomp)" = 0 ]
	[[ "$(say QUIT)" == 221* ]]
	wait_sessions
	assert_not_contains "$(cat "$LOG")" "event=sandbox"
}

@test "a forbidden system call in samotop-smtpd: one log line naming it, and the process killed by SIGSYS" {
	write_conf
	sealed_or_skip
	run env SAMOTOP_SANDBOX_TEST=forbidden-syscall "$SMTPD_BIN" -c "$CONF" </dev/null
	# 128 + SIGSYS: killed, not exited
	[ "$status" -eq $((128 + $(kill -l SYS))) ] || { echo "$output" >&2; false; }
	assert_contains "$output" 'event=sandbox reason="forbidden system call" syscall=41'
	assert_not_contains "$output" "was not refused"
	# the session never greets
	assert_not_contains "$output" "220 "
}

@test "under tcpserver the client of a session killed by its sandbox sees the connection close" {
	write_conf
	sealed_or_skip
	SAMOTOP_SANDBOX_TEST=forbidden-syscall start_server
	run smtp_raw @eof
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	wait_sessions
	grep -q 'event=sandbox reason="forbidden system call" syscall=41' "$LOG"
}

@test "a forbidden system call in samotop-maildir: logged and killed by SIGSYS" {
	sealed_or_skip
	run env SAMOTOP_SANDBOX_TEST=forbidden-syscall "$MAILDIR_BIN" "$MD" </dev/null
	[ "$status" -eq $((128 + $(kill -l SYS))) ] || { echo "$output" >&2; false; }
	assert_contains "$output" 'prog=samotop-maildir event=sandbox reason="forbidden system call" syscall=41'
}

# helper_cmd NAME: a command line that runs helper NAME until its input
# ends ($T/helper.conf for the ones that read samotop.conf).
helper_cmd() {
	case $1 in
	samotop-maildir) echo "$MAILDIR_BIN $MD" ;;
	samotop-lmtp) echo "$TOP/samotop-lmtp unix:$T/no-such-socket" ;;
	samotop-pipe) echo "$TOP/samotop-pipe /bin/true" ;;
	samotop-queue) echo "$TOP/samotop-queue -c $T/helper.conf" ;;
	samotop-encrypt) echo "$TOP/samotop-encrypt -k $T/keys/%u -- $MAILDIR_BIN $MD" ;;
	samotop-remote) echo "$TOP/samotop-remote -c $T/helper.conf -m 127.0.0.1:9 example.org a@b.example u@example.org" ;;
	esac
}

@test "every helper seals itself: a forbidden call kills it, unless SAMOTOP_SANDBOX=no" {
	sealed_or_skip
	printf 'hostname mx.test\nqueue %s\n' "$T/queue" >"$T/helper.conf"
	for p in samotop-maildir samotop-lmtp samotop-pipe samotop-queue \
	    samotop-encrypt samotop-remote; do
		# shellcheck disable=SC2046
		run env SAMOTOP_SANDBOX_TEST=forbidden-syscall $(helper_cmd $p) </dev/null
		[ "$status" -eq $((128 + $(kill -l SYS))) ] || { echo "$p: $status $output" >&2; false; }
		assert_contains "$output" "prog=$p event=sandbox reason=\"forbidden system call\" syscall=41"
		# shellcheck disable=SC2046
		run env SAMOTOP_SANDBOX=no SAMOTOP_SANDBOX_TEST=forbidden-syscall $(helper_cmd $p) </dev/null
		[ "$status" -ne $((128 + $(kill -l SYS))) ] || { echo "$p: $output" >&2; false; }
		assert_not_contains "$output" "event=sandbox"
	done
}

@test "Landlock: samotop-maildir may not open /etc/shadow" {
	sealed_or_skip
	run env SAMOTOP_SANDBOX_TEST=forbidden-file SAMOTOP_LOG_LEVEL=debug \
		"$MAILDIR_BIN" "$MD" </dev/null
	if grep -q 'landlock=no' <<<"$output"; then
		skip "no Landlock in this kernel or container"
	fi
	assert_contains "$output" "landlock=yes"
	assert_contains "$output" "path=/etc/shadow result=refused"
	assert_contains "$output" "path=/etc/.samotop-sandbox-test result=refused"
}

@test "Landlock: samotop-smtpd writes only where its configuration says, and reads freely" {
	sealed_or_skip
	write_conf "log-level debug" "greylist $T/db/grey.db" "route * $MAILDIR_BIN $MD"
	run env SAMOTOP_SANDBOX_TEST=forbidden-file "$SMTPD_BIN" -c "$CONF" </dev/null
	if grep -q 'landlock=no' <<<"$output"; then
		skip "no Landlock in this kernel or container"
	fi
	assert_contains "$output" "event=sandbox seccomp=yes landlock=yes"
	assert_contains "$output" "path=/etc/.samotop-sandbox-test result=refused"
	assert_not_contains "$output" "path=/etc/shadow result=refused"
	[ ! -e /etc/.samotop-sandbox-test ]
}

@test "Landlock: a directory the configuration names twice is one rule, looked up once" {
	sealed_or_skip
	write_conf "log-level debug" "greylist $T/none/grey.db" "store $T/none/store.db" "route * $MAILDIR_BIN $MD"
	run "$SMTPD_BIN" -c "$CONF" </dev/null
	if grep -q 'landlock=no' <<<"$output"; then
		skip "no Landlock in this kernel or container"
	fi
	assert_contains "$output" "event=sandbox seccomp=yes landlock=yes"
	[ "$(grep -c "landlock=skipped path=$T/none " <<<"$output")" -eq 1 ]
}

@test "Landlock: a route to a program whose files the configuration does not name leaves the session without it, and says so" {
	sealed_or_skip
	write_conf "log-level debug" "route @a.example $MAILDIR_BIN $MD" "route * $TOP/samotop-pipe /bin/true"
	run "$SMTPD_BIN" -c "$CONF" </dev/null
	assert_contains "$output" "event=sandbox landlock=no reason=\"a route's program writes where the configuration does not say\" program=$TOP/samotop-pipe"
	assert_contains "$output" "event=sandbox seccomp=yes landlock=none"
}

@test "Landlock: a Maildir that is a symlink out of the template's directory is refused, 4xx" {
	sealed_or_skip
	mkdir -p "$T/mail" "$T/elsewhere"
	make_maildir "$T/elsewhere/bob"
	ln -s "$T/elsewhere/bob" "$T/mail/bob"
	make_maildir "$T/mail/alice"
	write_conf "log-level debug" "route * $MAILDIR_BIN $T/mail/%u"
	start_server
	run smtp_raw 'EHLO client.example\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<alice@example.org>\r\n' @1 'RCPT TO:<bob@example.org>\r\n' @1 \
		'DATA\r\n' @1 'Subject: x\r\n\r\nbody\r\n.\r\n' @1 'QUIT\r\n' @eof
	wait_sessions
	if grep -q 'prog=samotop-maildir .*landlock=no' "$LOG"; then
		skip "no Landlock in this kernel or container"
	fi
	[ "$(count_files "$T/mail/alice/new")" -eq 1 ]
	[ "$(count_files "$T/elsewhere/bob/new")" -eq 0 ]
	[ "$(count_files "$T/elsewhere/bob/tmp")" -eq 0 ]
	grep -q 'to=bob@example.org code=4' "$LOG" || { cat "$LOG" >&2; false; }
}

@test "samotop-smtpd -n accepts sandbox yes and no, and refuses another word" {
	write_conf "sandbox yes"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	write_conf "sandbox maybe"
	run "$SMTPD_BIN" -n -c "$CONF"
	[ "$status" -ne 0 ]
	assert_contains "$output" "yes or no"
}

@test "the systemd units filter system calls, cap memory and tasks, and let samotop seal itself" {
	# the source tree's, also when $TOP is another build's programs
	for f in "$TESTS_DIR"/../etc/systemd/*.service; do
		grep -q '^SystemCallFilter=@system-service ' "$f"
		grep -q '^MemoryMax=' "$f"
		grep -q '^TasksMax=' "$f"
		grep -q '^NoNewPrivileges=yes$' "$f"
		grep -q '^ProtectSystem=strict$' "$f"
		# systemd 252 has seccomp(2) and Landlock's calls in no group
		for c in seccomp landlock_create_ruleset landlock_add_rule \
		    landlock_restrict_self; do
			grep -q "^SystemCallFilter=@system-service .*\\<$c\\>" "$f"
		done
	done
}
