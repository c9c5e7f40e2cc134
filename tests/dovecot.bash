# tests/dovecot.bash: a real Dovecot LMTP server for the bats tests.
#
#   load lib
#   load dovecot
#   setup()    { common_setup; dovecot_setup; dovecot_start; }
#   teardown() { common_teardown; dovecot_teardown; }
#
# dovecot_setup makes a directory of its own ($DDIR, under /tmp and
# world-traversable, because Dovecot delivers as an unprivileged user when
# the test runs as root), the configuration $DCONF from
# tests/dovecot/dovecot.conf, and the users alice@example.org and
# bob@example.org.  Dovecot listens on the unix socket $DSOCK and on
# 127.0.0.1:$DPORT.  It is started with `dovecot -F -c $DCONF` in the
# background and stopped by its PID ($DOVECOT_PID), never by name.
# The Maildir of user U is $DDIR/mail/U/Maildir.

DOVECOT_LMTP=/usr/lib/dovecot/lmtp
LMTP_BIN=$TOP/samotop-lmtp

need_dovecot() {
	command -v dovecot >/dev/null 2>&1 ||
		skip "dovecot is not installed (Debian: dovecot-core dovecot-lmtpd)"
	[ -x "$DOVECOT_LMTP" ] ||
		skip "Dovecot's lmtp is not installed (Debian: dovecot-lmtpd)"
	[ -x "$LMTP_BIN" ] || skip "samotop-lmtp is not built"
}

# dovecot_port: a free port for Dovecot's inet listener, away from the
# range pick_port (lib.bash) uses for tcpserver.
dovecot_port() {
	local p=$((40000 + ($$ % 500) * 40 + ${BATS_TEST_NUMBER:-0} % 40)) i
	for i in $(seq 0 100); do
		if port_free "$p"; then
			DPORT=$p
			return 0
		fi
		p=$((p + 41))
		[ "$p" -lt 65000 ] || p=$((p - 24000))
	done
	echo "no free port for Dovecot" >&2
	return 1
}

dovecot_setup() {
	need_dovecot
	DOVECOT_PID=
	DDIR=$(mktemp -d /tmp/samotop-dovecot.XXXXXX)
	chmod 0755 "$DDIR"
	mkdir -p "$DDIR/run" "$DDIR/state" "$DDIR/mail"
	DCONF=$DDIR/dovecot.conf
	DSOCK=$DDIR/run/lmtp
	DLOG=$DDIR/dovecot.log
	local user uid gid
	user=$(id -un)
	uid=$(id -u)
	gid=$(id -g)
	if [ "$uid" -eq 0 ]; then
		# Dovecot never delivers mail as root
		uid=$(id -u nobody)
		gid=$(id -g nobody)
		chown "$uid:$gid" "$DDIR/mail"
	fi
	dovecot_port
	sed -e "s|@DIR@|$DDIR|g" -e "s|@PORT@|$DPORT|g" \
		-e "s|@USER@|$user|g" -e "s|@UID@|$uid|g" -e "s|@GID@|$gid|g" \
		"$TESTS_DIR/dovecot/dovecot.conf" >"$DCONF"
	printf '%s:{PLAIN}secret::::::\n' alice@example.org bob@example.org \
		>"$DDIR/users"
}

# dovecot_listens: its LMTP port and its unix socket are both there.
dovecot_listens() {
	port_listens "$DPORT" && [ -S "$DSOCK" ]
}

# dovecot_start: start Dovecot; returns once its LMTP port listens.
dovecot_start() {
	dovecot -F -c "$DCONF" </dev/null >>"$DDIR/stderr" 2>&1 &
	DOVECOT_PID=$!
	wait_ready "$DOVECOT_PID" 250 dovecot_listens && return 0
	echo "Dovecot did not start" >&2
	cat "$DDIR/stderr" "$DLOG" >&2 2>/dev/null
	return 1
}

# dovecot_stop: stop Dovecot by its PID and wait until it and every
# process it started are gone (stragglers are killed by PID).
dovecot_stop() {
	[ -n "${DOVECOT_PID:-}" ] || return 0
	local kids
	kids=$(descendants "$DOVECOT_PID")
	kill "$DOVECOT_PID" 2>/dev/null || true
	reap_pids 250 "$DOVECOT_PID"
	wait "$DOVECOT_PID" 2>/dev/null || true
	DOVECOT_PID=
	# shellcheck disable=SC2086
	reap_pids 50 $kids
}

dovecot_teardown() {
	dovecot_stop
	if [ -n "${DDIR:-}" ] && [ -d "$DDIR" ]; then
		# keep Dovecot's log with the test's files for a failure report
		[ -n "${T:-}" ] && cp "$DLOG" "$T/dovecot.log" 2>/dev/null
		rm -rf "$DDIR"
	fi
	DDIR=
}

# inbox USER: the new/ directory of USER's Dovecot Maildir.
inbox() {
	echo "$DDIR/mail/$1/Maildir/new"
}

# lmtp_route [ARG...]: a catch-all route line through samotop-lmtp.
lmtp_route() {
	echo "route * $LMTP_BIN $*"
}

# ends_with FILE TAIL: FILE ends with the octets of TAIL.
ends_with() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
if not a.endswith(b):
    sys.stderr.write("--- file:\n%r\n--- does not end with:\n%r\n" % (a[-400:], b[-400:]))
    sys.exit(1)
PY
}
