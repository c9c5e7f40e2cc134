# tests/filters.bash: real milter filters for the bats tests, on top of
# tests/lib.bash: rspamd (its milter proxy worker, scanning by itself) and
# OpenDKIM, signing and verifying.  Each runs in the foreground of a
# background job, with a configuration generated into a directory of its
# own, listens on a unix socket there, and is stopped by its PID (kept in
# DIR/pid, so that a test can stop what setup_file started).
#
#   load lib
#   load dns              # only for start_opendkim_verify (the DKIM key)
#   load filters
#   setup_file()    { dns_setup_file; start_rspamd; }   # once per file
#   teardown_file() { stop_rspamd; dns_teardown_file; }
#   setup()         { common_setup; dns_setup; need_rspamd; }
#   teardown()      { common_teardown; filters_teardown; }
#
#   start_rspamd [DIR]      rspamd in DIR ($BATS_FILE_TMPDIR/rspamd by
#                           default); sets and exports RSPAMD_DIR,
#                           RSPAMD_SOCK, RSPAMD_PID
#   start_opendkim_sign DOMAIN SELECTOR [KEYFILE]
#                           OpenDKIM signing mail from DOMAIN (its From:
#                           domain) with that selector, in $T/dkim-sign;
#                           sets DKIM_SIGN_SOCK, DKIM_SIGN_PID, DKIM_KEY
#   start_opendkim_verify   OpenDKIM verifying, inside the test's DNS
#                           namespace (tests/dns.bash), in $T/dkim-verify;
#                           sets DKIM_VERIFY_SOCK, DKIM_VERIFY_PID
#   stop_rspamd / stop_opendkim_sign / stop_opendkim_verify
#   filters_teardown        stops the OpenDKIM instances of the test
#
#   write_conf "route * ..." "milter unix:$RSPAMD_SOCK"   # samotop behind it
#   filter_message FILE FROM SUBJECT BODYLINE...  # a message; $GTUBE and
#                           # $GTUBE_ADD_HEADER are the bodies rspamd acts on
#   with_fields FILE "$output"   # FILE with milter_drive's added fields
#
# rspamd: the configuration of tests/filters/rspamd.conf.in (its milter
# proxy worker alone, scanning by itself; no DNS, no Redis), its resolver
# $RSPAMD_NAMESERVER (127.0.0.1:1 by default, where nothing answers),
# never the machine's.  GTUBE's string is rejected with `554 5.7.1 Gtube
# pattern`; the same string beginning with Y instead of X gets the
# add-header action: `X-Spam: Yes`.  milter_headers adds X-Spamd-Result:
# and X-Spam-Status: to every message it scores.  It starts in about
# 0.6 s (its list of public suffixes is cut short).

# OpenDKIM signs with relaxed/simple.  Without a KEYFILE it signs for
# signed.example with selector filters with the committed test key
# tests/filters/filters.private, whose public half is in the test zone
# (tests/dns/signed.example.zone), so that start_opendkim_verify passes
# what it signed; for any other domain or selector it makes a key with
# opendkim-genkey ($DKIM_KEY; the TXT record in the .txt beside it).  The
# verifier asks only the test's NSD (Nameservers 127.0.0.1, inside the
# namespace) and adds `Authentication-Results: mx.test; dkim=...`.

FILTERS_FIXTURES=$TESTS_DIR/filters
RSPAMD_NAMESERVER=${RSPAMD_NAMESERVER:-127.0.0.1:1}

need_rspamd() {
	command -v rspamd >/dev/null 2>&1 ||
		skip "rspamd is not installed (Debian: rspamd)"
	[ -n "${RSPAMD_PID:-}" ] || skip "rspamd did not start"
}

need_opendkim() {
	command -v opendkim >/dev/null 2>&1 ||
		skip "opendkim is not installed (Debian: opendkim)"
}

# filter_socket_ok PATH: PATH fits in a sockaddr_un.
filter_socket_ok() {
	[ "${#1}" -lt 100 ] && return 0
	echo "socket path too long: $1" >&2
	return 1
}

# filter_wait PID PATH NAME LOG...: until the socket PATH is there (every
# 20 ms, 15 s at most); on failure say so with the logs.
filter_wait() {
	local pid=$1 path=$2 name=$3
	shift 3
	wait_ready "$pid" 750 test -S "$path" && return 0
	echo "$name did not start" >&2
	cat "$@" >&2 2>/dev/null
	return 1
}

# filter_stop PIDFILE [SOCKET]: stop the process of PIDFILE and every
# process it started, by PID, and wait until they are gone.  A libmilter
# filter (OpenDKIM) notices its SIGTERM only when its listener wakes up,
# which it does every 5 s or at a connection: one is made to SOCKET.
filter_stop() {
	local pid kids
	pid=$(cat "$1" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kids=$(descendants "$pid")
	kill "$pid" 2>/dev/null || true
	[ -z "${2:-}" ] || "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError:
    pass
s.close()' "$2"
	reap_pids 250 "$pid"
	wait "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	reap_pids 50 $kids
	rm -f "$1"
}

# --- rspamd ------------------------------------------------------------

# start_rspamd [DIR]: rspamd's milter proxy on $RSPAMD_SOCK; returns once
# the socket is there (the proxy worker creates it before it accepts).
start_rspamd() {
	RSPAMD_DIR=${1:-$BATS_FILE_TMPDIR/rspamd}
	RSPAMD_SOCK=$RSPAMD_DIR/rspamd.sock
	RSPAMD_PID=
	export RSPAMD_DIR RSPAMD_SOCK RSPAMD_PID
	command -v rspamd >/dev/null 2>&1 || return 0
	filter_socket_ok "$RSPAMD_SOCK" || return 1
	mkdir -p "$RSPAMD_DIR"
	rm -f "$RSPAMD_SOCK"
	printf '%s\n' com net org example test >"$RSPAMD_DIR/tld.dat"
	local d=$RSPAMD_DIR
	sed -e "s|@DIR@|$d|g" -e "s|@SOCK@|$RSPAMD_SOCK|g" \
	    -e "s|@NAMESERVER@|$RSPAMD_NAMESERVER|g" \
	    "$FILTERS_FIXTURES/rspamd.conf.in" >"$d/rspamd.conf"
	local insecure=
	[ "$(id -u)" -ne 0 ] || insecure=-i	# its workers as root: a test
	# DBDIR, RUNDIR, LOCAL_CONFDIR: nothing of the machine's rspamd
	rspamd -f $insecure -c "$d/rspamd.conf" --var DBDIR="$d" \
	    --var RUNDIR="$d" --var LOCAL_CONFDIR="$d/none" </dev/null \
	    >>"$d/stderr" 2>&1 3>&- &
	RSPAMD_PID=$!
	echo "$RSPAMD_PID" >"$d/pid"
	filter_wait "$RSPAMD_PID" "$RSPAMD_SOCK" rspamd \
	    "$d/stderr" "$d/rspamd.log" || { stop_rspamd; return 1; }
}

stop_rspamd() {
	RSPAMD_DIR=${RSPAMD_DIR:-$BATS_FILE_TMPDIR/rspamd}
	filter_stop "$RSPAMD_DIR/pid"
	RSPAMD_PID=
}

# --- OpenDKIM ----------------------------------------------------------

# opendkim_conf FILE DIR NAME LINE...: an OpenDKIM configuration with the
# socket DIR/NAME.sock, in the foreground, logging nowhere, and LINE...
opendkim_conf() {
	local f=$1 d=$2 n=$3
	shift 3
	{
		echo "# generated by tests/filters.bash"
		echo "Socket local:$d/$n.sock"
		echo "PidFile $d/$n.pidfile"
		echo "Background no"
		echo "Syslog no"
		echo "UMask 000"
		echo "Canonicalization relaxed/simple"
		printf '%s\n' "$@"
	} >"$f"
}

# start_opendkim_sign DOMAIN SELECTOR [KEYFILE]
start_opendkim_sign() {
	local domain=$1 sel=$2 d=${T:-$BATS_TEST_TMPDIR}/dkim-sign
	mkdir -p "$d"
	DKIM_SIGN_DIR=$d
	DKIM_SIGN_SOCK=$d/sign.sock
	filter_socket_ok "$DKIM_SIGN_SOCK" || return 1
	if [ -n "${3:-}" ]; then
		DKIM_KEY=$3
	elif [ "$domain $sel" = "signed.example filters" ]; then
		DKIM_KEY=$d/filters.private
		install -m 600 "$FILTERS_FIXTURES/filters.private" "$DKIM_KEY"
	else
		opendkim-genkey --bits=2048 --domain="$domain" \
		    --selector="$sel" --directory="$d" || return 1
		DKIM_KEY=$d/$sel.private
	fi
	opendkim_conf "$d/sign.conf" "$d" sign "Mode s" "Domain $domain" \
	    "Selector $sel" "KeyFile $DKIM_KEY" "InternalHosts 127.0.0.1" \
	    "RequireSafeKeys no"
	opendkim -f -x "$d/sign.conf" </dev/null >>"$d/stderr" 2>&1 3>&- &
	DKIM_SIGN_PID=$!
	echo "$DKIM_SIGN_PID" >"$d/pid"
	filter_wait "$DKIM_SIGN_PID" "$DKIM_SIGN_SOCK" "opendkim (sign)" \
	    "$d/stderr" || { stop_opendkim_sign; return 1; }
}

stop_opendkim_sign() {
	[ -n "${DKIM_SIGN_DIR:-}" ] || return 0
	filter_stop "$DKIM_SIGN_DIR/pid" "$DKIM_SIGN_DIR/sign.sock"
	DKIM_SIGN_PID=
}

# start_opendkim_verify: in the namespace of tests/dns.bash (dns_setup
# must have run), so that the only DNS server it can reach is the test's.
# No host is internal: it verifies mail from 127.0.0.1 too.
start_opendkim_verify() {
	local d=${T:-$BATS_TEST_TMPDIR}/dkim-verify
	mkdir -p "$d"
	DKIM_VERIFY_DIR=$d
	DKIM_VERIFY_SOCK=$d/verify.sock
	filter_socket_ok "$DKIM_VERIFY_SOCK" || return 1
	echo 192.0.2.254 >"$d/internal"
	opendkim_conf "$d/verify.conf" "$d" verify "Mode v" \
	    "Nameservers $DNS_IP" "DNSTimeout 2" "AuthservID mx.test" \
	    "AlwaysAddARHeader yes" "InternalHosts refile:$d/internal"
	# ip execs opendkim: $! is its own PID (see dns_start)
	ip netns exec "$DNS_NS" opendkim -f -x "$d/verify.conf" </dev/null \
	    >>"$d/stderr" 2>&1 3>&- &
	DKIM_VERIFY_PID=$!
	echo "$DKIM_VERIFY_PID" >"$d/pid"
	filter_wait "$DKIM_VERIFY_PID" "$DKIM_VERIFY_SOCK" \
	    "opendkim (verify)" "$d/stderr" ||
	    { stop_opendkim_verify; return 1; }
}

stop_opendkim_verify() {
	[ -n "${DKIM_VERIFY_DIR:-}" ] || return 0
	filter_stop "$DKIM_VERIFY_DIR/pid" "$DKIM_VERIFY_DIR/verify.sock"
	DKIM_VERIFY_PID=
}

filters_teardown() {
	stop_opendkim_sign
	stop_opendkim_verify
}

# --- messages ----------------------------------------------------------

# GTUBE's string (rejected), and its add-header variant (rspamd's test
# patterns, on in start_rspamd's configuration).
GTUBE_TAIL='JS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
GTUBE=X$GTUBE_TAIL
GTUBE_ADD_HEADER=Y$GTUBE_TAIL

# filter_message FILE FROM SUBJECT BODYLINE...: a message (LF line ends).
filter_message() {
	local f=$1 from=$2 subj=$3
	shift 3
	{
		printf 'From: %s\nTo: bob@example.org\n' "$from"
		printf 'Subject: %s\n' "$subj"
		printf 'Date: Thu, 03 Dec 2026 04:00:00 +0000\n'
		printf 'Message-ID: <%s.%s@filters.test>\n\n' "$$" "$RANDOM"
		printf '%s\n' "$@"
	} >"$f"
}

# with_fields FILE DRIVE-OUTPUT: FILE with the header fields that the
# filter inserted or added (milter_drive's `eom: insheader N NAME:VALUE`
# and `eom: addheader NAME:VALUE` lines, their escapes undone) put on top,
# on stdout: what an MTA would pass on.  (Added fields belong at the end
# of the header; at the top is where the verifier looks all the same.)
with_fields() {
	"$PYTHON" - "$1" "$2" <<'PY'
import re, sys
msg = open(sys.argv[1], "rb").read()
out = b""
for line in sys.argv[2].splitlines():
    m = re.match(r"eom: (?:insheader \d+|addheader) ([^:]+):(.*)$", line)
    if not m:
        continue
    v = re.sub(r"\\(x[0-9a-f]{2}|r|n|\\)", lambda e: {"r": "\r", "n": "\n",
        "\\": "\\"}.get(e.group(1)) or chr(int(e.group(1)[1:], 16)),
        m.group(2))
    out += (m.group(1) + ":" + v + "\n").encode("latin-1")
sys.stdout.buffer.write(out + msg)
PY
}
