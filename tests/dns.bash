# tests/dns.bash: a real DNS server for the tests of the DNS-based checks
# (reverse DNS, DNS block lists, SPF), on top of tests/lib.bash.
#
# Everything DNS happens inside a network namespace of the test's own,
# samotop-t$$: its loopback interface is up (all of 127.0.0.0/8 is local
# there; 192.0.2.5 and 2001:db8::5 are added), NSD (authoritative only,
# run as root with a configuration in the test's temp dir) serves the
# zones of tests/dns/ on 127.0.0.1:53, and /etc/netns/NAME/resolv.conf,
# which `ip netns exec` bind-mounts over /etc/resolv.conf, points the libc
# resolver at it with `options timeout:1 attempts:2`, so a DNS server that
# does not answer costs about two seconds a query.  Nothing of it is left
# behind: NSD is stopped by its PID, the namespace and /etc/netns/NAME are
# deleted.
#
#   load lib
#   load dns
#   setup_file()    { dns_setup_file; }     # namespace + NSD, once per file
#   teardown_file() { dns_teardown_file; }
#   setup()         { common_setup; dns_setup; }
#   teardown()      { common_teardown; }
#
#   in_ns CMD...                  # CMD inside the namespace
#   dns_stop / dns_start          # stop / start NSD (temperror tests)
#   start_server                  # lib.bash's, but tcpserver runs in the
#                                 # namespace (see the wrappers below)
#   from_raw 127.0.0.5 'EHLO x\r\n' @1 ...   # smtp_raw.py from that address
#   from_smtplib 127.0.0.5 FROM TO <MSG      # send_smtplib.py from there
#
# The test clients: 127.0.0.5 (PTR good.example, confirmed; listed in
# bl.test), 127.0.0.6
# (no PTR), 127.0.0.7 (PTR liar.example, which leads elsewhere), 127.0.0.8
# (PTR ghost.example, which has no address), 127.0.0.9 (its PTR zone
# answers SERVFAIL), 192.0.2.5 and 2001:db8::5 (PTR good.example,
# confirmed; not listed; the client of the SPF tests, since libspf2 passes
# every client in 127.0.0.0/8 without looking).

# The namespace's name, chosen by setup_file and exported to the tests
# (each of which bats runs in a process of its own, with another $$).
DNS_NS=${DNS_NS:-samotop-t$$}
DNS_IP=127.0.0.1
DNS_TEMPLATES=$TESTS_DIR/dns

# in_ns CMD...: CMD inside the test namespace.
in_ns() {
	ip netns exec "$DNS_NS" "$@"
}

# dns_need: skip unless we can make namespaces and run NSD.
dns_need() {
	[ "$(id -u)" -eq 0 ] || skip "the DNS tests need root (ip netns)"
	command -v ip >/dev/null || skip "ip (iproute2) is not installed"
	command -v nsd >/dev/null || skip "nsd is not installed"
}

# dns_ns_create: the namespace, its loopback up, its resolv.conf.
dns_ns_create() {
	ip netns add "$DNS_NS"
	in_ns ip link set lo up
	in_ns ip addr add 192.0.2.5/32 dev lo
	in_ns ip -6 addr add 2001:db8::5/128 dev lo nodad
	mkdir -p "/etc/netns/$DNS_NS"
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS_IP" \
		>"/etc/netns/$DNS_NS/resolv.conf"
}

# dns_ns_delete: the namespace and its /etc/netns directory.
dns_ns_delete() {
	ip netns del "$DNS_NS" 2>/dev/null || true
	rm -rf "/etc/netns/${DNS_NS:?}"
	rmdir /etc/netns 2>/dev/null || true	# only when nothing else is there
}

# dns_start: NSD in the namespace, with the zones of tests/dns/ made from
# their templates (@IP@: the server's address, @DIR@: its run directory)
# in $DNS_DIR; returns once it answers for good.example.
dns_start() {
	DNS_DIR=${DNS_DIR:-$BATS_FILE_TMPDIR/dns}
	mkdir -p "$DNS_DIR"
	local f
	for f in "$DNS_TEMPLATES"/*.zone "$DNS_TEMPLATES"/nsd.conf.in; do
		sed -e "s|@IP@|$DNS_IP|g" -e "s|@DIR@|$DNS_DIR|g" "$f" \
			>"$DNS_DIR/$(basename "$f" .in)"
	done
	rm -f "$DNS_DIR/xfrd.state" "$DNS_DIR/zone.list"
	# not through in_ns: $! must be nsd's own PID (ip execs it); and not
	# on bats' fd 3, or bats would wait for it
	ip netns exec "$DNS_NS" nsd -d -c "$DNS_DIR/nsd.conf" </dev/null \
		>>"$DNS_DIR/nsd.out" 2>&1 3>&- &
	DNS_PID=$!
	echo "$DNS_PID" >"$DNS_DIR/pid"
	wait_ready "$DNS_PID" 250 dns_answers && return 0
	echo "nsd did not start" >&2
	cat "$DNS_DIR/nsd.out" "$DNS_DIR/nsd.log" >&2 2>/dev/null
	return 1
}

# dns_answers: NSD answers for the test zones in the namespace.  (Not
# getent ahosts: with only loopback addresses in the namespace,
# AI_ADDRCONFIG finds no IPv4 and asks nothing.)
dns_answers() {
	case $(in_ns getent hosts good.example 2>/dev/null) in
	2001:db8::5*|127.0.0.5*|192.0.2.5*) return 0 ;;
	esac
	return 1
}

# dns_stop: stop NSD by its PID (it stops its own children) and wait.
# The PID is read from $DNS_DIR/pid: a test may have restarted NSD in a
# process of its own.
dns_stop() {
	DNS_DIR=${DNS_DIR:-$BATS_FILE_TMPDIR/dns}
	local pid
	pid=$(cat "$DNS_DIR/pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	local kids
	kids=$(descendants "$pid")
	kill "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	reap_pids 250 "$pid" $kids
	wait "$pid" 2>/dev/null || true
	DNS_PID=
	rm -f "$DNS_DIR/pid"
}

# dns_setup_file / dns_teardown_file: once per .bats file.
dns_setup_file() {
	export DNS_NS
	DNS_DIR=$BATS_FILE_TMPDIR/dns
	[ "$(id -u)" -eq 0 ] && command -v nsd >/dev/null &&
	    command -v ip >/dev/null || return 0
	dns_ns_create
	dns_start
}

dns_teardown_file() {
	DNS_DIR=$BATS_FILE_TMPDIR/dns
	dns_stop
	dns_ns_delete
}

# dns_setup: in each test's setup; skips when the file's set-up could not
# run, and restarts NSD when an earlier test stopped it.
dns_setup() {
	dns_need
	DNS_DIR=$BATS_FILE_TMPDIR/dns
	ip netns list | grep -q "^$DNS_NS\( \|$\)" ||
	    skip "no test namespace"
	DNS_PID=$(cat "$DNS_DIR/pid" 2>/dev/null || true)
	if [ -z "$DNS_PID" ] || ! kill -0 "$DNS_PID" 2>/dev/null; then
		dns_start
	fi
}

# lib.bash's start_server and stop_server, run as they are, with tcpserver
# and ss taken into the namespace.  start_server starts `tcpserver ... &`:
# in that background subshell the wrapper execs `ip netns exec`, which
# execs tcpserver, so $SERVER_PID is tcpserver's own PID, as lib.bash
# expects.  (It is meant for that background use: called in the
# foreground of a subshell, it would replace the subshell.)  Its port check (port_free) still looks at the host's ports,
# which only makes it more careful.
tcpserver() {
	if [ "$BASHPID" != "$$" ]; then
		exec ip netns exec "$DNS_NS" tcpserver "$@"
	fi
	ip netns exec "$DNS_NS" tcpserver "$@"
}

ss() {
	ip netns exec "$DNS_NS" ss "$@"
}

# A Python prologue that makes every socket.create_connection() start from
# the address in $SAMOTOP_SRC, then runs the script of argv[1].
DNS_FROM_PY='
import os, runpy, socket, sys
src = os.environ["SAMOTOP_SRC"]
orig = socket.create_connection
def conn(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
         source_address=None, **kw):
    return orig(address, timeout, (src, 0), **kw)
socket.create_connection = conn
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
'

# from_raw SRC ARG...: tests/smtp_raw.py on $PORT in the namespace, the
# client connecting from address SRC.
from_raw() {
	local src=$1
	shift
	SAMOTOP_SRC=$src in_ns "$PYTHON" -c "$DNS_FROM_PY" \
		"$TESTS_DIR/smtp_raw.py" "$PORT" "$@"
}

# from_smtplib SRC FROM TO <MESSAGE: tests/send_smtplib.py, likewise.
from_smtplib() {
	local src=$1
	shift
	SAMOTOP_SRC=$src in_ns "$PYTHON" -c "$DNS_FROM_PY" \
		"$TESTS_DIR/send_smtplib.py" "$PORT" "$@"
}
