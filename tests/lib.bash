# tests/lib.bash: shared helpers of the bats integration tests.
#
# Each test runs the real samotop-smtpd under the real launcher tcpserver
# (ucspi-tcp) on 127.0.0.1, on a port of its own, in its own temp dir
# ($BATS_TEST_TMPDIR), and stops that tcpserver by its PID in teardown.
#
#   load lib
#   setup()    { common_setup; }
#   teardown() { common_teardown; }
#
#   write_conf "route * $MAILDIR_BIN -c $T/Maildir"   # $T/samotop.conf
#   start_server                                       # sets $PORT, $SERVER_PID
#   smtp_raw 'EHLO x\r\n' @1 'QUIT\r\n' @eof            # byte-exact session
#
# The server's fd 2 (samotop-smtpd's log and its helpers') goes to $LOG.

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$TESTS_DIR/.." && pwd)
[ -z "${SAMOTOP_BINDIR:-}" ] || TOP=$SAMOTOP_BINDIR	# programs of another build (tests/asan.bash)
SMTPD_BIN=$TOP/samotop-smtpd
MAILDIR_BIN=$TOP/samotop-maildir
# The real interpreter, not a pyenv shim: routes name an absolute program
# that is run without a shell and maybe without $PATH.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
STUB=$TESTS_DIR/lmtp_stub.py

common_setup() {
	T=$BATS_TEST_TMPDIR
	CONF=$T/samotop.conf
	LOG=$T/server.log
	SERVER_PID=
	[ -x "$SMTPD_BIN" ] || skip "samotop-smtpd is not built"
}

common_teardown() {
	stop_server
}

need_maildir() {
	[ -x "$MAILDIR_BIN" ] || skip "samotop-maildir is not built"
}

# write_conf LINE...: $CONF with `hostname mx.test` and the given lines
# (then greet-delay 0 and store $T/store.db unless given).
write_conf() {
	{
		echo "hostname mx.test"
		local l
		for l in "$@"; do echo "$l"; done
		# no wait before the banner unless a test asks for one (last,
		# so that the line numbers of the given lines stay as they are)
		case " $* " in *" greet-delay "*) ;; *) echo "greet-delay 0" ;; esac
		# the rate counters (bounce-limit...) in the test's own store,
		# never the machine's /var/lib/samotop/store.db
		case " $* " in *" store "*) ;; *) echo "store $T/store.db" ;; esac
	} >"$CONF"
}

# make_maildir DIR...: an empty Maildir (cur, new, tmp).
make_maildir() {
	local d
	for d in "$@"; do mkdir -p "$d/cur" "$d/new" "$d/tmp"; done
}

# port_free PORT: nobody listens on 127.0.0.1:PORT and it can be bound.
port_free() {
	"$PYTHON" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# pick_port: a free port, chosen deterministically from the PID of the bats
# run and the test number; the next ones are tried when it is taken.
pick_port() {
	local p=$((20000 + ($$ % 1000) * 40 + ${BATS_TEST_NUMBER:-0} % 40))
	local i
	for i in $(seq 0 200); do
		if port_free "$p"; then
			PORT=$p
			return 0
		fi
		p=$((p + 40))
		[ "$p" -lt 65000 ] || p=$((p - 44000))
	done
	echo "no free port" >&2
	return 1
}

# start_server [CONF]: tcpserver with samotop-smtpd on 127.0.0.1:$PORT, its
# stderr in $LOG; returns once the port listens (polled, no fixed sleep).
# $TCPSERVER_OPTS (e.g. "-x rules.cdb") is added to tcpserver's options.
start_server() {
	local conf=${1:-$CONF}
	pick_port
	# shellcheck disable=SC2086
	tcpserver -HRl0 -b 256 -c 20 ${TCPSERVER_OPTS:-} 127.0.0.1 "$PORT" \
		"$SMTPD_BIN" -c "$conf" </dev/null >/dev/null 2>>"$LOG" &
	SERVER_PID=$!
	wait_ready "$SERVER_PID" 200 port_listens "$PORT" && return 0
	echo "tcpserver did not start on port $PORT" >&2
	cat "$LOG" >&2
	return 1
}

# port_listens PORT: something listens on the loopback TCP port PORT.
port_listens() {
	ss -Hltn "sport = :$1" | grep -q LISTEN
}

# wait_ready PID TRIES CHECK...: until CHECK succeeds, trying every 20 ms
# at most TRIES times; 1 when the server PID died first or time ran out.
wait_ready() {
	local pid=$1 tries=$2 i
	shift 2
	for i in $(seq 1 "$tries"); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# stop_server: stop our tcpserver by its PID, then wait (briefly) for the
# sessions it started, and their helpers, to end; stragglers are killed
# by PID, so nothing is left running.
stop_server() {
	[ -n "${SERVER_PID:-}" ] || return 0
	local kids
	kids=$(descendants "$SERVER_PID")
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	# shellcheck disable=SC2086
	reap_pids 50 $kids
}

# reap_pids TRIES PID...: wait until none of PID... is alive, looking
# every 20 ms at most TRIES times, then kill -9 those that still are.
reap_pids() {
	local tries=$1 i p alive
	shift
	for i in $(seq 1 "$tries"); do
		alive=
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.02
	done
	for p in $alive; do kill -9 "$p" 2>/dev/null || true; done
}

# smtpd_ld_lists PREFIX: of the files LD_DEBUG=files LD_DEBUG_OUTPUT=PREFIX
# left (one per process), those samotop-smtpd's dynamic loader wrote, not
# its client's or its helpers'.
smtpd_ld_lists() {
	grep -l 'needed by .*/samotop-smtpd' "$1".*
}

# descendants PID: the PIDs of PID's children, grandchildren, ...
descendants() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# wait_sessions: wait until no samotop-smtpd session of our tcpserver runs
# any more (the log is then complete).
wait_sessions() {
	local i
	for i in $(seq 1 250); do
		[ -z "$(pgrep -P "$SERVER_PID" 2>/dev/null)" ] && return 0
		sleep 0.02
	done
	echo "sessions still running after 5 s" >&2
	return 1
}

# smtp_raw ARG...: a byte-exact session through tests/smtp_raw.py on $PORT;
# see that file.  Replies are printed one line each, CR LF removed.
smtp_raw() {
	"$PYTHON" "$TESTS_DIR/smtp_raw.py" "$PORT" "$@"
}

# count_files DIR: how many files DIR holds (0 when it does not exist).
count_files() {
	if [ -d "$1" ]; then
		find "$1" -mindepth 1 -maxdepth 1 -type f | wc -l
	else
		echo 0
	fi
}

# the_file DIR: the path of the one file in DIR; fails unless exactly one.
the_file() {
	local n
	n=$(count_files "$1")
	if [ "$n" -ne 1 ]; then
		echo "expected exactly one file in $1, found $n:" >&2
		ls -la "$1" >&2 2>/dev/null || true
		return 1
	fi
	find "$1" -mindepth 1 -maxdepth 1 -type f
}

# msgid_of TEXT: the id in "250 2.0.0 Ok: queued as ID".
msgid_of() {
	printf '%s\n' "$1" | sed -n 's/^250 2\.0\.0 Ok: queued as \([^ ]*\).*$/\1/p' | tail -1
}

# assert_line_eq N TEXT: line N (0-based) of $output is exactly TEXT.
assert_line_eq() {
	local got=${lines[$1]-<no line $1>}
	if [ "$got" != "$2" ]; then
		echo "line $1: expected '$2'" >&2
		echo "line $1:      got '$got'" >&2
		echo "--- output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# assert_output_eq TEXT: $output is exactly TEXT (lines joined by \n).
assert_output_eq() {
	if [ "$output" != "$1" ]; then
		echo "--- expected:" >&2
		printf '%s\n' "$1" >&2
		echo "--- got:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	case $1 in
	*"$2"*) return 0 ;;
	esac
	echo "expected to find: $2" >&2
	echo "--- in:" >&2
	printf '%s\n' "$1" >&2
	return 1
}

# refute CMD...: fail when CMD succeeds.  In the middle of a test,
# bash's `! CMD` can never fail it (set -e ignores a negated command).
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# assert_not_contains HAYSTACK NEEDLE
assert_not_contains() {
	case $1 in
	*"$2"*)
		echo "did not expect: $2" >&2
		echo "--- in:" >&2
		printf '%s\n' "$1" >&2
		return 1
		;;
	esac
	return 0
}

# tree_listing DIR: every path under DIR, sorted (for before/after checks).
tree_listing() {
	find "$1" -mindepth 1 2>/dev/null | LC_ALL=C sort
}

# strip_received FILE: FILE without the fields samotop prepended:
# samotop-maildir's Return-Path: and Delivered-To: when present, then
# samotop-smtpd's Authentication-Results: and Received-SPF: when present,
# then the Received: field, which must be there.
strip_received() {
	"$PYTHON" - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
def skip_field(data, i):
    i = data.index(b"\n", i) + 1
    while data[i:i + 1] in (b" ", b"\t"):
        i = data.index(b"\n", i) + 1
    return i
i = 0
if data.startswith(b"Return-Path: "):
    i = skip_field(data, skip_field(data, i))
while data.startswith((b"Authentication-Results: ", b"Received-SPF: "), i):
    i = skip_field(data, i)
if not data.startswith(b"Received: ", i):
    sys.stderr.write("no Received: where samotop puts it\n")
    sys.exit(1)
sys.stdout.buffer.write(data[skip_field(data, i):])
PY
}

# received_of FILE: the Received: field of FILE unfolded to one line.
received_of() {
	"$PYTHON" - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
m = re.search(r"^Received: [^\n]*(?:\r?\n[ \t][^\n]*)*", data, re.M)
print(re.sub(r"\r?\n[ \t]+", " ", m.group(0)) if m else "<no Received:>")
PY
}

# lf_of FILE: FILE with its CR LF line ends made LF (how a Maildir stores
# a message).
lf_of() {
	"$PYTHON" -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1],"rb").read().replace(b"\r\n", b"\n"))' "$1"
}

# sample_message FILE: a message that exercises the body: 8-bit text, tabs,
# trailing blanks, empty lines, lines that begin with dots, a 998-octet line.
sample_message() {
	"$PYTHON" - "$1" <<'PY'
import sys
lines = [
    b"From: Alice <a@b.example>",
    b"To: u@example.org",
    b"Subject: sample \xc5\xbelu\xc5\xa5ou\xc4\x8dk\xc3\xbd",
    b"Message-ID: <sample.1@b.example>",
    b"",
    b"First line.",
    b"\tindented with a tab, trailing blanks   ",
    b"",
    b".a line that begins with one dot",
    b"..two dots",
    b". ",
    b"8-bit: \xe2\x82\xac \xc3\xa4\xc3\xb6\xc3\xbc",
    b"x" * 998,
    b"last line",
]
open(sys.argv[1], "wb").write(b"".join(l + b"\r\n" for l in lines))
PY
}
