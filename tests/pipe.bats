#!/usr/bin/env bats
# samotop-pipe behind samotop-smtpd: the command's environment, the
# message on its stdin, exit status -> reply, the time limit, the reply
# text, the folding of mixed results, dovecot-lda and an mbox.

load lib

PIPE_BIN=$TOP/samotop-pipe

setup() {
	common_setup
	[ -x "$PIPE_BIN" ] || skip "samotop-pipe is not built"
	DOVE=
}

teardown() {
	common_teardown
	[ -z "$DOVE" ] || rm -rf "$DOVE"
}

# script NAME LINE...: the executable sh script $T/NAME.
script() {
	local name=$1
	shift
	{
		echo '#!/bin/sh'
		printf '%s\n' "$@"
	} >"$T/$name"
	chmod +x "$T/$name"
}

# send RCPT[,RCPT...]: smtplib sends a small message from a@b.example; its
# replies, one a line, as send_smtplib.py prints them.
send() {
	printf 'Subject: test\r\n\r\nbody line\r\n' |
		"$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" a@b.example "$1"
}

# data_reply: the reply to the end of the data in $output (smtplib).
data_reply() {
	echo "${lines[${#lines[@]} - 2]}"
}

# pipe_log: samotop-pipe's lines of the log, once the sessions are over.
pipe_log() {
	wait_sessions
	grep 'prog=samotop-pipe' "$LOG" || true
}

@test "exit 0: the message on stdin with LF line ends, the envelope in the environment" {
	script deliver 'cat >"'"$T"'/msg"' \
		'env | grep -E "^(SENDER|RECIPIENT|RETURN_PATH|DELIVERED_TO|LOCAL|DOMAIN|EXTENSION|CLIENT_IP|CLIENT_HOST|HELO|PROTOCOL|MESSAGE_ID)=" | LC_ALL=C sort >"'"$T"'/env"' \
		'env | grep -c -E "^(TCPREMOTEIP|TCPLOCALPORT)=" >"'"$T"'/leaked"' \
		'exit 0'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	sample_message "$T/sample"
	# smtplib dot-stuffs the sample's lines that begin with a dot
	run "$PYTHON" "$TESTS_DIR/send_smtplib.py" "$PORT" a@b.example \
		Bob+Lists@Example.ORG <"$T/sample"
	id=$(msgid_of "$(data_reply)")
	[ -n "$id" ] || { echo "$output" >&2; false; }
	wait_sessions
	want=$(printf '%s\n' CLIENT_HOST= CLIENT_IP=127.0.0.1 \
		'DELIVERED_TO=<bob+Lists@example.org>' \
		DOMAIN=example.org EXTENSION=Lists HELO=client.example \
		LOCAL=bob "MESSAGE_ID=$id" PROTOCOL=ESMTP \
		RECIPIENT=bob+Lists@example.org 'RETURN_PATH=<a@b.example>' \
		SENDER=a@b.example)
	[ "$(cat "$T/env")" = "$want" ] || { diff <(echo "$want") "$T/env" >&2; false; }
	[ "$(cat "$T/leaked")" = 0 ]
	# the message as sent, LF line ends, after samotop's Received:
	cmp <(strip_received "$T/msg") <(lf_of "$T/sample")
	[ "$(grep -c $'\r' "$T/msg")" -eq 0 ]
	assert_contains "$(received_of "$T/msg")" "id $id"
	assert_contains "$(pipe_log)" "event=delivered msgid=$id to=bob+Lists@example.org exit=0"
}

@test "the null sender gives SENDER=\"\"; -d - splits the extension at '-'" {
	script deliver 'printf "%s|%s|%s\n" "$SENDER" "$LOCAL" "$EXTENSION" >"'"$T"'/env"'
	write_conf "route * $PIPE_BIN -d - $T/deliver"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<>\r\n' @1 \
		'RCPT TO:<owner-list+x@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nx\r\n.\r\n' @1 'QUIT\r\n' @eof
	assert_contains "$output" "250 2.0.0 Ok: queued as "
	wait_sessions
	[ "$(cat "$T/env")" = "|owner|list+x" ]
}

@test "exit 75 (EX_TEMPFAIL): the client gets 451 4.3.0" {
	script deliver 'cat >/dev/null' 'exit 75'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" "event=deferred"
}

@test "exit 75 seen by swaks as a temporary failure" {
	command -v swaks >/dev/null || skip "swaks is not installed"
	script deliver 'exit 75'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run swaks --server "127.0.0.1:$PORT" --from a@b.example \
		--to u@example.org --body x --silent 2
	[ "$status" -ne 0 ]
	assert_contains "$output" "<** 451 4.3.0"
}

@test "exit 67 (EX_NOUSER): 550 5.1.1" {
	script deliver 'exit 67'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "550 5.1.1 "* ]] || { echo "$output" >&2; false; }
}

@test "exit 77 (EX_NOPERM): 550 5.7.1" {
	script deliver 'exit 77'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "550 5.7.1 "* ]] || { echo "$output" >&2; false; }
}

@test "exit 1: 554 5.3.0" {
	script deliver 'exit 1'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "554 5.3.0 "* ]] || { echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" "event=failed"
}

@test "over the time limit (-t 1): 451, and the command's whole process group is gone" {
	mark="3600.$$$RANDOM"
	script deliver "sleep $mark &" "sleep $mark" 'exit 0'
	write_conf "route * $PIPE_BIN -t 1 $T/deliver"
	start_server
	SECONDS=0
	run send u@example.org
	[ "$SECONDS" -lt 10 ]
	[[ "$(data_reply)" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" "timeout=1"
	local left
	left=$(pgrep -f "sleep $mark" || true)
	[ -z "$left" ] || { ps -fp $left >&2; kill -9 $left; false; }
}

@test "a background process that keeps writing: the reply comes at once, nothing waits for it" {
	script flood 'echo "stored it"' 'yes 0123456789abcdefghijklmnopqrstuvwxyz &' 'sleep 0.3' 'exit 0'
	write_conf "timeout-helper 5s" "route * $PIPE_BIN -t 3 $T/flood"
	start_server
	SECONDS=0
	run send u@example.org
	[ "$(data_reply)" = "250 2.0.0 Ok: queued as ${lines[${#lines[@]} - 2]##* }" ]
	[ "$SECONDS" -lt 3 ]
	pipe_log | grep -q ' event=delivered .*reply="250 2.0.0 stored it"'
}

@test "a command killed by SIGKILL: 451" {
	script deliver 'cat >/dev/null' 'kill -9 $$'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" "signal=9"
}

@test "the command's first stdout line is the reply text, sanitised" {
	script deliver 'printf "  User u is away\\t\\001for good \\303\\251  \\nmore\\n"' \
		'seq 1 100000' 'exit 67'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[ "$(data_reply)" = "550 5.1.1 User u is away ?for good ??" ] ||
		{ echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" 'reply="550 5.1.1 User u is away ?for good ??"'
}

@test "two recipients, one run fails: the client gets 451, the other copy is delivered" {
	script deliver 'case $LOCAL in bad) exit 67 ;; esac' \
		'cat >"'"$T"'/got.$LOCAL"'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send good@example.org,bad@example.org
	[ "${lines[2]}" = "250 2.1.5 OK" ]
	[ "${lines[3]}" = "250 2.1.5 OK" ]
	[[ "$(data_reply)" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	wait_sessions
	[ -f "$T/got.good" ]
	[ ! -e "$T/got.bad" ]
	# the same spool, rewound: each run reads the whole message
	script deliver 'cat >"'"$T"'/got.$LOCAL"'
	run send one@example.org,two@example.org
	[[ "$(data_reply)" == "250 2.0.0 "* ]]
	wait_sessions
	cmp "$T/got.one" "$T/got.two"
	grep -q '^body line$' "$T/got.two"
}

@test "end of input inside DATA: the command never runs" {
	script deliver 'touch "'"$T"'/ran"'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run smtp_raw 'EHLO c\r\n' @1 'MAIL FROM:<a@b.example>\r\n' @1 \
		'RCPT TO:<u@example.org>\r\n' @1 'DATA\r\n' @1 \
		'Subject: t\r\n\r\nhalf a message\r\n' @shut @eof
	assert_contains "$(pipe_log)" "event=aborted"
	[ ! -e "$T/ran" ]
	# and no spool file is left in $TMPDIR or /tmp
	[ -z "$(find "${TMPDIR:-/tmp}" /tmp -maxdepth 1 -name 'samotop-pipe.*' -newer "$CONF" 2>/dev/null)" ]
}

@test "procmail style: sh -c 'cat >> mbox' makes an LF text of both messages" {
	write_conf "route * $PIPE_BIN /bin/sh -c \"cat >> $T/mbox\""
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "250 2.0.0 "* ]] || { echo "$output" >&2; false; }
	run send v@example.org
	[[ "$(data_reply)" == "250 2.0.0 "* ]]
	wait_sessions
	[ "$(grep -c '^Received: ' "$T/mbox")" -eq 2 ]
	[ "$(grep -c '^body line$' "$T/mbox")" -eq 2 ]
	[ "$(grep -c $'\r' "$T/mbox")" -eq 0 ]
}

@test "a command that cannot be started: 451 4.3.0 and a log line" {
	write_conf "route * $PIPE_BIN $T/no-such-command"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "451 4.3.0 "* ]] || { echo "$output" >&2; false; }
	assert_contains "$(pipe_log)" "level=error"
}

# dovecot-lda refuses to run as root without -d, and -d needs Dovecot's
# auth service; so the wrapper drops to nobody first (setpriv), and the
# mailbox is chosen by USER (%u in mail_location).
@test "dovecot-lda as COMMAND delivers into the recipient's Maildir" {
	LDA=$(command -v dovecot-lda || echo /usr/lib/dovecot/dovecot-lda)
	[ -x "$LDA" ] || skip "dovecot-lda is not installed (apt package dovecot-core)"
	command -v setpriv >/dev/null || skip "setpriv is needed to leave root"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	DOVE=$(mktemp -d /tmp/samotop-dovecot.XXXXXX)
	chmod 755 "$DOVE"
	mkdir -p "$DOVE/mail" "$DOVE/home"
	chown nobody "$DOVE/mail" "$DOVE/home"
	cat >"$DOVE/dovecot.conf" <<EOF
protocols =
ssl = no
log_path = /dev/stderr
mail_location = maildir:$DOVE/mail/%u
base_dir = $DOVE/run
state_dir = $DOVE/state
EOF
	script lda 'exec setpriv --reuid=nobody --regid=nogroup --clear-groups \' \
		'    env -i PATH=/usr/bin:/bin USER="$LOCAL" HOME="'"$DOVE"'/home" \' \
		'    '"$LDA"' -c "'"$DOVE"'/dovecot.conf" -f "$SENDER"'
	write_conf "route * $PIPE_BIN $T/lda"
	start_server
	run send bob@example.org
	[[ "$(data_reply)" == "250 2.0.0 "* ]] || { echo "$output" >&2; cat "$LOG" >&2; false; }
	f=$(the_file "$DOVE/mail/bob/new")
	grep -q '^Subject: test$' "$f"
	grep -q '^body line$' "$f"
}

@test "the command's stderr: one structured line each (level=warn, sid=, event=command-stderr), escaped, bounded" {
	script deliver 'echo "first problem" >&2' 'printf "bad \033[31m byte\r\n" >&2' \
		'i=0; while [ $i -lt 30 ]; do echo "noise $i" >&2; i=$((i+1)); done' \
		'printf "no newline at the end" >&2' 'exit 0'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	[[ "$(data_reply)" == "250 "* ]]
	log=$(pipe_log)
	echo "$log" >&2
	grep -q '^level=warn prog=samotop-pipe sid=[0-9A-Z]* event=command-stderr msgid=[0-9A-Z.]* to=u@example.org line="first problem"$' <<<"$log"
	grep -q ' event=command-stderr .* line="bad \\x1b\[31m byte"$' <<<"$log"
	# 20 lines a run, then how many were left out
	[ "$(grep -c ' event=command-stderr .* line=' <<<"$log")" -eq 20 ]
	grep -q ' event=command-stderr .* dropped=13$' <<<"$log"
	# nothing raw on the server's stderr
	run grep -v '^level=' "$LOG"
	[ "$status" -ne 0 ]
}

@test "a stderr line longer than 200 octets is cut there" {
	script deliver 'head -c 5000 /dev/zero | tr "\0" x >&2' 'exit 0'
	write_conf "route * $PIPE_BIN $T/deliver"
	start_server
	run send u@example.org
	line=$(pipe_log | grep ' event=command-stderr ')
	[[ "$line" =~ \ line=(x+)$ ]]
	[ "${#BASH_REMATCH[1]}" -eq 200 ]
}
