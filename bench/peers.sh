# bench/peers.sh: sourced by bench/run.  Postfix, Exim and OpenSMTPD from
# Debian's packages, extracted (dpkg -x) into bench/.peers and run from
# there with a private configuration, queue and Maildir under bench/work:
# none of them is installed as the system MTA (they conflict as
# mail-transport-agent).  Each accepts mail for example.org on its own
# loopback port and stores it into bench/work/NAME/mail/Maildir.
# Needs: W, P, the port_* variables, wait_port.

PEER_DEBS="postfix exim4-daemon-light exim4-base opensmtpd"

# The users the packages expect, and two of the bench's own: benchpfx
# (Postfix's mail_owner and its virtual(8) delivery user) and benchmd (the
# OpenSMTPD delivery user: its home must exist, for the .forward lookup).
peer_users() {
	getent group benchpd >/dev/null || groupadd --system benchpd
	for u in benchpfx Debian-exim opensmtpd opensmtpq; do
		getent passwd "$u" >/dev/null ||
		    useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$u"
	done
	getent passwd benchmd >/dev/null ||
	    useradd --system --no-create-home --home-dir / \
	    --shell /usr/sbin/nologin benchmd
}

peer_fetch() {
	[ -x "$P/usr/sbin/postfix" ] && [ -x "$P/usr/sbin/exim4" ] &&
	    [ -x "$P/usr/sbin/smtpd" ] && return 0
	mkdir -p "$P" "$W/debs"
	(cd "$W/debs" && apt-get download $PEER_DEBS >/dev/null 2>&1) ||
	    (apt-get update -qq &&
	    cd "$W/debs" && apt-get download $PEER_DEBS >/dev/null)
	for d in "$W"/debs/*.deb; do dpkg -x "$d" "$P"; done
}

# smtp-source comes from the postfix package, so fetch even with no peers.
peer_fetch
peer_users

start_postfix() {
	d=$W/postfix
	mkdir -p "$d/conf" "$d/queue" "$d/data" "$d/mail"
	chown benchpfx "$d/data" "$d/mail"
	cp "$P/etc/postfix/postfix-files" "$d/conf/"
	cp -r "$P/etc/postfix/postfix-files.d" "$P/etc/postfix/dynamicmaps.cf.d" \
	    "$d/conf/"
	cp "$P/usr/share/postfix/dynamicmaps.cf" "$d/conf/"
	cat > "$d/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
daemon_directory = $P/usr/lib/postfix/sbin
command_directory = $P/usr/sbin
meta_directory = $d/conf
shlib_directory = $P/usr/lib/postfix
mail_owner = benchpfx
setgid_group = benchpd
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$P/usr/lib/postfix
maillog_file = $d/maillog
maillog_file_prefixes = $d
myhostname = bench.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = example.org
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$(id -u benchpfx)
virtual_gid_maps = static:$(id -g benchpfx)
virtual_minimum_uid = 100
virtual_mailbox_limit = 0
message_size_limit = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = 100
smtputf8_enable = no
biff = no
smtpd_tls_cert_file = $W/cert.pem
smtpd_tls_key_file = $W/key.pem
smtpd_tls_security_level = may
EOF
	cat > "$d/conf/master.cf" <<EOF
127.0.0.1:$port_postfix inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
local     unix  - n n -  - local
virtual   unix  - n n -  - virtual
lmtp      unix  - - n -  - lmtp
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
	# postfix(1) logs its errors to syslog only, unless stderr is a tty
	LD_LIBRARY_PATH=$P/usr/lib/postfix "$P/usr/sbin/postfix" \
	    -c "$d/conf" start >/dev/null 2>&1 || {
		grep -E 'fatal|error' "$d/maillog" 2>/dev/null | tail -n 3
		return 1
	}
	wait_port "$port_postfix" || { tail -n 3 "$d/maillog"; return 1; }
}

start_exim() {
	d=$W/exim
	mkdir -p "$d/spool" "$d/log" "$d/mail"
	cp "$W/cert.pem" "$W/key.pem" "$d/"
	# exim -C drops root (the file is not in TRUSTED_CONFIG_LIST), so it
	# runs, reads its key and delivers as its own user
	chown -R Debian-exim "$d/spool" "$d/log" "$d/mail" "$d/key.pem"
	cat > "$d/exim.conf" <<EOF
primary_hostname = bench.example
domainlist local_domains = example.org
spool_directory = $d/spool
log_file_path = $d/log/%slog
exim_path = $P/usr/sbin/exim4
local_interfaces = 127.0.0.1
acl_smtp_rcpt = acl_check_rcpt
host_lookup =
rfc1413_hosts =
smtp_accept_max = 200
smtp_connect_backlog = 256
smtp_accept_queue_per_connection = 0
message_size_limit = 0
queue_run_max = 0
tls_advertise_hosts = *
tls_certificate = $d/cert.pem
tls_privatekey = $d/key.pem
begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
begin routers
local:
  driver = accept
  domains = +local_domains
  transport = md
begin transports
md:
  driver = appendfile
  directory = $d/mail/Maildir
  maildir_format
  create_directory
  user = Debian-exim
  group = Debian-exim
  mode = 0600
EOF
	"$P/usr/sbin/exim4" -C "$d/exim.conf" -bd -oX "$port_exim" \
	    -oP "$d/pid" >"$d/log/stderr" 2>&1 || {
		cat "$d/log/stderr" "$d/log/paniclog" 2>/dev/null | tail -n 3
		return 1
	}
	wait_port "$port_exim" || { tail -n 3 "$d/log/paniclog"; return 1; }
}

start_opensmtpd() {
	d=$W/opensmtpd
	mkdir -p "$d/varspool" "$d/varlib/opensmtpd/empty" "$d/mail"
	chown benchmd "$d/mail"
	cp "$W/cert.pem" "$W/key.pem" "$d/"
	echo "@example.org benchmd" > "$d/vusers"
	cat > "$d/smtpd.conf" <<EOF
pki bench.example cert "$d/cert.pem"
pki bench.example key "$d/key.pem"
table vusers file:$d/vusers
smtp max-message-size 1024M
listen on 127.0.0.1 port $port_opensmtpd tls pki bench.example hostname bench.example
action "md" maildir "$d/mail/Maildir" virtual <vusers>
match from any for domain "example.org" action "md"
EOF
	"$P/usr/sbin/smtpd" -n -f "$d/smtpd.conf" || return 1
	# Its spool (/var/spool/smtpd), chroot (/var/lib/opensmtpd/empty) and
	# helpers (/usr/libexec/opensmtpd) are compiled in: a private mount
	# namespace puts bench/work and bench/.peers at those paths for it
	# alone.  unshare and sh exec, so $! is smtpd.
	unshare -m sh -c "mount --bind '$d/varspool' /var/spool &&
	    mount --bind '$d/varlib' /var/lib &&
	    mount --bind '$P/usr/libexec' /usr/libexec &&
	    exec '$P/usr/sbin/smtpd' -d -f '$d/smtpd.conf'" \
	    >"$d/log" 2>&1 </dev/null &
	echo $! > "$d/pid"
	wait_port "$port_opensmtpd" || { tail -n 3 "$d/log"; return 1; }
}
