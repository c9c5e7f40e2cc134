# tests/postfix.bash: Postfix as a remote MX inside the tests' network
# namespace (tests/dns.bash), on top of tests/lib.bash and tests/dns.bash.
#
# Postfix is not installed (it would replace the machine's MTA): Debian's
# postfix package is extracted into tests/.postfix (git-ignored) by
# tests/postfix-fetch.sh, which ./setup runs and pf_setup_file runs again
# when the tree is missing, and its programs run from there with
# LD_LIBRARY_PATH naming its libpostfix-*.so.  Two kinds of peer:
#
#   sink_start IP NAME [ARG...]   smtp-sink(1) on IP:25: it takes every
#                                 message (ARG... such as -r RCPT to
#                                 tempfail or -f RCPT to reject) and dumps
#                                 each into its own file in $SINK_DIR/NAME
#   pf_start IP                   Postfix itself (master(8) and its smtpd)
#                                 on IP:25 with STARTTLS (the test
#                                 certificate); what it receives for
#                                 tls.postfix.test stays in its hold queue
#                                 (pf_held shows it, with postcat(1))
#
# Both run as root until they have their socket, then as nobody (the
# sink) or as the system user mail (Postfix's mail_owner; default_privs
# daemon and setgid_group nogroup, which Postfix requires to differ from
# it): no user is created.  Since those users cannot enter the test's own
# temporary directory (0700), their files live in $PF_RUN, a 0755
# directory under /tmp made by pf_setup_file and removed with everything
# in it by pf_teardown_file.  pf_stop stops every peer of a test by PID.
#
#   setup_file()    { dns_setup_file; pf_setup_file; }
#   teardown_file() { pf_teardown_file; dns_teardown_file; }
#   setup()         { common_setup; dns_setup; pf_need; }
#   teardown()      { pf_stop; common_teardown; }

PF_TREE=$TESTS_DIR/.postfix
PF_LIB=$PF_TREE/usr/lib/postfix

# pf_setup_file: the extracted package (fetched when missing) and $PF_RUN.
pf_setup_file() {
	sh "$TESTS_DIR/postfix-fetch.sh" "$PF_TREE" \
		>"$BATS_FILE_TMPDIR/postfix-fetch.log" 2>&1 || return 0
	PF_RUN=$(mktemp -d /tmp/samotop-postfix.XXXXXX) || return 0
	chmod 0755 "$PF_RUN"
	echo "$PF_RUN" >"$BATS_FILE_TMPDIR/pf_run"
}

pf_teardown_file() {
	local run
	run=$(cat "$BATS_FILE_TMPDIR/pf_run" 2>/dev/null || true)
	case $run in /tmp/samotop-postfix.*) rm -rf "$run" ;; esac
}

# pf_need: skip unless the package is there; the test's own directories.
pf_need() {
	PF_RUN=$(cat "$BATS_FILE_TMPDIR/pf_run" 2>/dev/null || true)
	if [ -z "$PF_RUN" ] || [ ! -x "$PF_TREE/usr/sbin/smtp-sink" ]; then
		skip "Postfix could not be fetched: $(tail -n 1 \
		    "$BATS_FILE_TMPDIR/postfix-fetch.log" 2>/dev/null)"
	fi
	if ! getent passwd nobody >/dev/null || ! getent passwd mail >/dev/null
	then
		skip "no user nobody or mail"
	fi
	SINK_DIR=$PF_RUN/t$BATS_TEST_NUMBER
	mkdir -p "$SINK_DIR"
	PF_PIDS=
}

# pf_listens IP: something listens on IP:25 in the namespace.
pf_listens() {
	in_ns ss -Hltn "src $1:25" | grep -q LISTEN
}

# pf_wait_free IP: until nothing listens on IP:25 (an earlier test's peer
# may still hold it for a moment), so that a listener found afterwards
# is ours.
pf_wait_free() {
	local _
	for _ in $(seq 1 150); do
		pf_listens "$1" || return 0
		sleep 0.02
	done
	return 1
}

# sink_start IP NAME [ARG...]: smtp-sink on IP:25, greeting as NAME,
# each transaction dumped into a file of $SINK_DIR/NAME.
sink_start() {
	local ip=$1 name=$2 pid
	shift 2
	mkdir -p "$SINK_DIR/$name"
	chown nobody "$SINK_DIR/$name"
	pf_wait_free "$ip"
	# not through in_ns: $! must be smtp-sink's own PID (ip execs it);
	# not on bats' fd 3, or bats would wait for it
	LD_LIBRARY_PATH=$PF_LIB ip netns exec "$DNS_NS" \
		"$PF_TREE/usr/sbin/smtp-sink" -u nobody -h "$name" \
		-d "$SINK_DIR/$name/" "$@" "$ip:25" 256 \
		</dev/null >>"$SINK_DIR/$name.out" 2>&1 3>&- &
	pid=$!
	PF_PIDS="$PF_PIDS $pid"
	wait_ready "$pid" 200 pf_listens "$ip" && return 0
	echo "smtp-sink did not start on $ip:25" >&2
	cat "$SINK_DIR/$name.out" >&2
	return 1
}

# sink_dumps NAME: the messages smtp-sink NAME took, one after the other.
sink_dumps() {
	find "$SINK_DIR/$1" -type f -exec cat {} + 2>/dev/null
}

# pf_start IP: Postfix on IP:25 with STARTTLS ($CERT and $KEY, of
# tests/tls.bash), relaying for tls.postfix.test into its hold queue.
# Its directories and log ($PF_DIR/maillog) in $PF_DIR.
pf_start() {
	local ip=$1 d q
	PF_DIR=$SINK_DIR/postfix
	d=$PF_DIR
	mkdir -p "$d/conf" "$d/data"
	chown mail "$d/data"
	cp "$CERT" "$d/conf/cert.pem"
	cp "$KEY" "$d/conf/key.pem"
	cp "$PF_TREE/etc/postfix/postfix-files" "$d/conf/"
	cp -r "$PF_TREE/etc/postfix/postfix-files.d" \
		"$PF_TREE/etc/postfix/dynamicmaps.cf.d" "$d/conf/"
	cp "$PF_TREE/usr/share/postfix/dynamicmaps.cf" "$d/conf/"
	# the queue's directories as postfix(1) would make them (its
	# post-install check costs seconds; master(8) is started directly)
	for q in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		mkdir -p "$d/queue/$q"
		chown mail "$d/queue/$q"
		chmod 0700 "$d/queue/$q"
	done
	mkdir -p "$d/queue/maildrop" "$d/queue/public" "$d/queue/pid"
	chown mail:nogroup "$d/queue/maildrop" "$d/queue/public"
	chmod 1730 "$d/queue/maildrop"
	chmod 0710 "$d/queue/public"
	# inet_interfaces all: $ip is no interface's own address (lo has
	# 127.0.0.1/8); master.cf's listener names it
	cat >"$d/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
daemon_directory = $PF_TREE/usr/lib/postfix/sbin
command_directory = $PF_TREE/usr/sbin
meta_directory = $d/conf
shlib_directory = $PF_LIB
mail_owner = mail
default_privs = daemon
setgid_group = nogroup
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$PF_LIB
maillog_file = $d/maillog
maillog_file_prefixes = $d
myhostname = pf.postfix.test
mydestination =
inet_interfaces = all
inet_protocols = ipv4
relay_domains = tls.postfix.test
smtpd_relay_restrictions = permit_auth_destination, reject
smtpd_recipient_restrictions = check_recipient_access static:HOLD
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = no
biff = no
smtpd_tls_cert_file = $d/conf/cert.pem
smtpd_tls_key_file = $d/conf/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
EOF
	cat >"$d/conf/master.cf" <<EOF
$ip:25    inet  n - n -  - smtpd
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
	# Postfix waits (300 ms at a time) until its configuration is older
	# than the clock's second: made so at once
	touch -d '-2 seconds' "$d/conf/main.cf" "$d/conf/master.cf"
	pf_wait_free "$ip"
	# setsid: master(8) stops by signalling its process group, which
	# must be its own (setsid and ip exec it: $! is master's PID)
	LD_LIBRARY_PATH=$PF_LIB setsid ip netns exec "$DNS_NS" \
		"$PF_TREE/usr/lib/postfix/sbin/master" -c "$d/conf" -d \
		</dev/null >>"$d/master.out" 2>&1 3>&- &
	PF_MASTER=$!
	PF_PIDS="$PF_PIDS $PF_MASTER"
	wait_ready "$PF_MASTER" 250 pf_listens "$ip" && return 0
	echo "Postfix did not start on $ip:25" >&2
	cat "$d/master.out" "$d/maillog" >&2 2>/dev/null
	return 1
}

# pf_held: every message in Postfix's hold queue, as postcat(1) shows it.
pf_held() {
	local f
	for f in "$PF_DIR"/queue/hold/*; do
		[ -f "$f" ] || continue
		LD_LIBRARY_PATH=$PF_LIB "$PF_TREE/usr/sbin/postcat" \
			-c "$PF_DIR/conf" "$f"
	done
}

# pf_stop: every peer of the test, by PID, and whatever they started.
pf_stop() {
	local p kids
	for p in ${PF_PIDS:-}; do
		kids=$(descendants "$p")
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		# shellcheck disable=SC2086
		reap_pids 100 $kids
	done
	PF_PIDS=
}
