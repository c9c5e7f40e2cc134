#!/usr/bin/env bats
# samotop-maildir under leave-no-trace (issue 12): SAMOTOP_LEAVE_NO_TRACE,
# as samotop-smtpd sets it, or -z under another MTA.  The stored file's
# name holds no time, pid or host name, and its atime and mtime are the
# arrival rounded down to the granularity; off, nothing changes.

load lib

setup() {
	common_setup
	need_maildir
	M=$T/mail
	make_maildir "$M/bob"
}

teardown() { common_teardown; }

# deliver [ENV=VALUE...] -- [OPTION...]: one message to bob over LMTP on
# stdin, samotop-maildir run with that environment and those options.
# Sets NOW0 and NOW1 (the epoch before and after), PID (samotop-maildir's
# process id), NAME (the file in new/), and leaves the log in $T/err.
deliver() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	NOW0=$(date +%s)
	printf '%s\r\n' 'LHLO t' 'MAIL FROM:<a@b.example>' 'RCPT TO:<bob@example.org>' \
		DATA 'Subject: quiet' '' 'body' . QUIT |
		env "${envs[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ \
		"$T/pid" "$MAILDIR_BIN" "$@" "$M/bob" >"$T/out" 2>"$T/err"
	NOW1=$(date +%s)
	PID=$(cat "$T/pid")
	grep -q '^250 2\.0\.0 <bob@example.org>: delivered' "$T/out" || { cat "$T/out" "$T/err" >&2; false; }
	NAME=$(basename "$(the_file "$M/bob/new")")
}

# absent STRING: NAME does not hold STRING.  A short string of hex digits
# only could turn up among 128 random bits by chance; for such a one, the
# format check of no_trace_name (nothing but hex and the size) is the
# proof that it is not there as a time stamp, pid or host name.
absent() {
	if [[ "$1" =~ ^[0-9a-f]{1,7}$ ]]; then
		return 0
	fi
	assert_not_contains "$NAME" "$1"
}

# no_trace_name: NAME is 128 random bits and the size, and nothing of the
# time (not even its first 6 digits), the pid or the host name.
no_trace_name() {
	[[ "$NAME" =~ ^[0-9a-f]{32},S=[0-9]+$ ]] || { echo "name: $NAME" >&2; false; }
	assert_not_contains "$NAME" "${NOW0:0:6}"
	assert_not_contains "$NAME" "${NOW1:0:6}"
	assert_not_contains "$NAME" "P$PID"
	absent "$PID"
	absent "$(hostname)"
}

# times_rounded G: the file's atime and mtime are the arrival rounded down
# to a multiple of G seconds, and tmp/'s mtime is a multiple of G too.
# Looked at before anything reads the file (reading may move its atime).
times_rounded() {
	local g=$1 f=$M/bob/new/$NAME m a d
	m=$(stat -c %Y "$f")
	a=$(stat -c %X "$f")
	d=$(stat -c %Y "$M/bob/tmp")
	[ $((m % g)) -eq 0 ] && [ $((a % g)) -eq 0 ] && [ $((d % g)) -eq 0 ] ||
		{ echo "mtime $m atime $a tmp/ $d: not multiples of $g" >&2; false; }
	[ "$m" -le "$NOW1" ]
	[ "$a" -le "$NOW1" ]
	[ "$d" -le "$NOW1" ]
	[ "$m" -eq $((NOW0 - NOW0 % g)) ] || [ "$m" -eq $((NOW1 - NOW1 % g)) ]
	[ "$a" -eq "$m" ]
}

@test "SAMOTOP_LEAVE_NO_TRACE=86400: no time, pid or host in the name; file times are whole days" {
	deliver SAMOTOP_LEAVE_NO_TRACE=86400 --
	no_trace_name
	times_rounded 86400
	[ "$(count_files "$M/bob/tmp")" -eq 0 ]
	# the content is the same: the recipient's own delivery fields stay
	f=$M/bob/new/$NAME
	[ "$(sed -n 1p "$f")" = "Return-Path: <a@b.example>" ]
	[ "$(sed -n 2p "$f")" = "Delivered-To: <bob@example.org>" ]
	grep -qx 'Subject: quiet' "$f"
	[[ "$NAME" == *",S=$(stat -c %s "$f")" ]]
	# and the log names neither the file nor its recipient
	grep -q 'event=delivered to=~ path=~ ' "$T/err" || { cat "$T/err" >&2; false; }
	refute grep -q "$NAME\|bob" "$T/err"
}

@test "-z under another MTA: an hour; -z wins over the environment" {
	deliver SAMOTOP_LEAVE_NO_TRACE=0 -- -z 3600
	no_trace_name
	times_rounded 3600
	rm "$M/bob/new/$NAME"
	# -z 0 turns it off whatever the environment says
	deliver SAMOTOP_LEAVE_NO_TRACE=86400 -- -z 0
	[[ "$NAME" =~ ^[0-9]+\.M[0-9]+P${PID}Q[0-9]+\. ]] || { echo "name: $NAME" >&2; false; }
}

@test "off (no SAMOTOP_LEAVE_NO_TRACE, or 0, or empty): the name has time, pid and host as before" {
	local v
	for v in '' 'SAMOTOP_LEAVE_NO_TRACE=0' 'SAMOTOP_LEAVE_NO_TRACE='; do
		deliver -u SAMOTOP_LEAVE_NO_TRACE $v --
		[[ "$NAME" == "${NOW0:0:6}"* || "$NAME" == "${NOW1:0:6}"* ]] || { echo "name: $NAME" >&2; false; }
		assert_contains "$NAME" "P$PID"
		assert_contains "$NAME" ".$(hostname | sed 's|/|\\057|g; s|:|\\072|g'),S="
		[ "$(stat -c %Y "$M/bob/new/$NAME")" -ge "$NOW0" ]
		rm "$M/bob/new/$NAME"
	done
}

@test "a malformed SAMOTOP_LEAVE_NO_TRACE is leave-no-trace with a day, and says so; a malformed -z is a usage error" {
	deliver SAMOTOP_LEAVE_NO_TRACE=yes --
	no_trace_name
	times_rounded 86400
	grep -q 'level=warn prog=samotop-maildir event=config .*SAMOTOP_LEAVE_NO_TRACE' "$T/err"
	for v in x -1 1d 2147483648; do
		run "$MAILDIR_BIN" -z "$v" "$M/%u"
		[ "$status" -eq 64 ]
	done
}
