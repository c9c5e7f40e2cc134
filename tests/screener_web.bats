#!/usr/bin/env bats
# The screener's web page (samotop-screener(8), THE WEB PAGE) under
# tcpserver -HRl0 -b 256 on loopback, driven by curl and headless
# Chromium.  The page runs as tests/scr_http_drive: scr_http_serve() over
# senders and decisions kept in plain files (see that file), so that what
# is tested here is the page: sign-in through a mock checkpassword,
# cookies, CSRF tokens, one user's data kept from another, the limits.

load lib

DRIVE=$TESTS_DIR/scr_http_drive

setup() {
	common_setup
	[ -x "$DRIVE" ] || skip "tests/scr_http_drive is not built (make units)"
	command -v curl >/dev/null || skip "no curl"
	# The mock checkpassword: bob (any case of login is the program's
	# business: it gets the login as typed) and alice@example.org.
	cat >"$T/checkpassword-mock" <<'MOCK'
#!/bin/bash
IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3
case "$user:$pass" in
bob:bob-pw|bob@example.org:bob-pw|alice@example.org:alice-pw) exit 0 ;;
esac
exit 1
MOCK
	chmod +x "$T/checkpassword-mock"
	write_conf "spf yes" "dkim yes" "dmarc yes" \
		"screener $T/screener.db" \
		"screener-checkpassword $T/checkpassword-mock" \
		"screener-login-domain example.org"
	mkdir -p "$T/data/bob@example.org" "$T/data/alice@example.org"
	printf 'carol@example.net\tCarol <Kitchen>\t2\t1700000000\t1700003600\tLunch & "stuff"\tHi Bob, <script>alert(1)</script>\tspf=pass dkim=pass header.d=example.net dmarc=pass; tls=TLSv1.3\n' \
		>"$T/data/bob@example.org/senders"
	printf 'mallory@example.com\tMallory\t1\t1700000000\t1700000000\tFor Alice only\tsecret text\tspf=none\n' \
		>"$T/data/alice@example.org/senders"
	pick_port
	tcpserver -HRl0 -b 256 -c 20 127.0.0.1 "$PORT" \
		"$DRIVE" -c "$CONF" "$T/data" </dev/null >/dev/null 2>>"$LOG" &
	SERVER_PID=$!
	wait_ready "$SERVER_PID" 200 port_listens "$PORT"
	URL=http://127.0.0.1:$PORT
}

teardown() {
	common_teardown
}

# code ARGS...: curl's status code for ARGS.
code() {
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' --max-time 10 "$@"
}

# csrf USERPASS: the CSRF token on USER's page.
csrf() {
	curl -s --max-time 10 -u "$1" "$URL/" |
		sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}

@test "without credentials: 401 with a Basic challenge and a sign-in form" {
	run code "$URL/"
	[ "$output" = 401 ]
	grep -qi '^WWW-Authenticate: Basic realm="samotop screener"' "$T/head"
	grep -q 'name="password"' "$T/body"
	refute grep -q carol "$T/body"
	grep -q 'event=http .*status=401' "$LOG"
}

@test "a wrong password: 401, nothing shown, logged" {
	run code -u bob:wrong "$URL/"
	[ "$output" = 401 ]
	refute grep -q carol "$T/body"
	grep -q 'status=401 .*error="wrong login or password"' "$LOG"
}

@test "signed in with Basic: the list, escaped, and a login without @ is in screener-login-domain" {
	run code -u bob:bob-pw "$URL/"
	[ "$output" = 200 ]
	grep -q 'Signed in as <strong>bob@example.org</strong>' "$T/body"
	grep -q 'carol@example.net' "$T/body"
	grep -q 'Carol &lt;Kitchen&gt;' "$T/body"
	grep -q 'Lunch &amp; &quot;stuff&quot;' "$T/body"
	grep -q 'Hi Bob, &lt;script&gt;' "$T/body"
	grep -q 'spf=pass dkim=pass header.d=example.net' "$T/body"
	grep -q '2 messages' "$T/body"
	refute grep -q '<script' "$T/body"
	refute grep -q mallory "$T/body"
	grep -q 'status=200 user=bob@example.org' "$LOG"
}

@test "signed in with the form: a session cookie (HttpOnly, SameSite=Strict), then the list" {
	run code -c "$T/jar" --data-urlencode user=bob --data-urlencode \
		password=bob-pw "$URL/login"
	[ "$output" = 303 ]
	grep -qi '^Set-Cookie: samotop_screener=.*; HttpOnly; SameSite=Strict' "$T/head"
	run code -b "$T/jar" "$URL/"
	[ "$output" = 200 ]
	grep -q 'carol@example.net' "$T/body"
	run code --data-urlencode user=bob --data-urlencode password=nope \
		"$URL/login"
	[ "$output" = 403 ]
	refute grep -qi '^Set-Cookie' "$T/head"
}

@test "a POST without the CSRF token is refused (403); with it, the decision is made" {
	run code -u bob:bob-pw --data 'sender=carol%40example.net&action=allow' \
		"$URL/decide"
	[ "$output" = 403 ]
	[ ! -e "$T/data/bob@example.org/decisions" ]
	grep -q 'status=403 .*error="no valid CSRF token"' "$LOG"
	token=$(csrf bob:bob-pw)
	[ -n "$token" ]
	run code -u bob:bob-pw \
		--data "csrf=$token&sender=carol%40example.net&action=allow" \
		"$URL/decide"
	[ "$output" = 303 ]
	grep -qi '^Location: /?done=allow&who=carol%40example.net' "$T/head"
	[ "$(cat "$T/data/bob@example.org/decisions")" = "carol@example.net 1" ]
	[ "$(cat "$T/data/bob@example.org/released")" = "carol@example.net" ]
	run code -u bob:bob-pw "$URL/?done=allow&who=carol%40example.net"
	grep -q 'Allowed carol@example.net' "$T/body"
	grep -q 'Nobody is waiting' "$T/body"
	grep -q 'event=decision user=bob@example.org sender=carol@example.net decision=allow' "$LOG"
}

@test "user A can neither see nor change user B's data" {
	run code -u alice@example.org:alice-pw "$URL/"
	[ "$output" = 200 ]
	grep -q mallory "$T/body"
	refute grep -q carol "$T/body"
	alice=$(csrf alice@example.org:alice-pw)
	bob=$(csrf bob:bob-pw)
	[ "$alice" != "$bob" ]
	# bob's token does not work for alice...
	run code -u alice@example.org:alice-pw \
		--data "csrf=$bob&sender=carol%40example.net&action=deny" \
		"$URL/decide"
	[ "$output" = 403 ]
	# ...and alice's own decisions are hers: bob's list is as it was
	run code -u alice@example.org:alice-pw \
		--data "csrf=$alice&sender=carol%40example.net&action=deny" \
		"$URL/decide"
	[ "$output" = 303 ]
	[ ! -e "$T/data/bob@example.org/decisions" ]
	grep -q carol "$T/data/bob@example.org/senders"
	[ "$(cat "$T/data/alice@example.org/decisions")" = "carol@example.net 2" ]
}

@test "bad requests: 400, 405, 413, 431, each with a log line" {
	printf 'GET / HTTP/1.1\nHost: x\n\n' >"$T/bare-lf"
	run "$PYTHON" - "$PORT" "$T/bare-lf" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
print(s.recv(100).split(b"\r\n")[0].decode())
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
print(s.recv(100).split(b"\r\n")[0].decode())
EOF
	[ "${lines[0]}" = "HTTP/1.1 400 Bad Request" ]
	run code -X DELETE "$URL/"
	[ "$output" = 405 ]
	grep -qi '^Allow: GET, HEAD, POST' "$T/head"
	head -c 20000 /dev/zero | tr '\0' a >"$T/big"
	run code -u bob:bob-pw --data-binary @"$T/big" "$URL/decide"
	[ "$output" = 413 ]
	run code -H "X-Big: $(head -c 9000 "$T/big")" "$URL/"
	[ "$output" = 431 ]
	grep -q 'status=400 error="bare CR or LF"' "$LOG"
	grep -q 'status=405 error="method not allowed"' "$LOG"
	grep -q 'status=413 error="body too large"' "$LOG"
	grep -q 'status=431 error="request head too large"' "$LOG"
}

@test "headless Chromium: sign in, see the list, Allow with the keyboard, the outcome; a screenshot at 360 px" {
	command -v chromium >/dev/null || skip "no chromium"
	run timeout 40 "$PYTHON" "$TESTS_DIR/screener_chromium.py" chromium \
		"$URL" bob bob-pw "$T/screener.png" "$T/chromium"
	echo "$output"
	[ "$status" -ne 77 ] || skip "chromium cannot start: $output"
	[ "$status" -eq 0 ]
	[ -s "$T/screener.png" ]
	echo "# screenshot: $T/screener.png" >&3
	[ "$(cat "$T/data/bob@example.org/released")" = "carol@example.net" ]
}

@test "its own TLS (screener-tls-certificate and -key): the cookie is Secure, HSTS is sent" {
	command -v openssl >/dev/null || skip "no openssl"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj /CN=localhost -addext subjectAltName=DNS:localhost \
		2>/dev/null
	stop_server
	echo "screener-tls-certificate $T/cert.pem" >>"$CONF"
	echo "screener-tls-key $T/key.pem" >>"$CONF"
	pick_port
	tcpserver -HRl0 -b 256 -c 20 127.0.0.1 "$PORT" \
		"$DRIVE" -c "$CONF" "$T/data" </dev/null >/dev/null 2>>"$LOG" &
	SERVER_PID=$!
	wait_ready "$SERVER_PID" 200 port_listens "$PORT"
	URL=https://localhost:$PORT
	run code --cacert "$T/cert.pem" --resolve "localhost:$PORT:127.0.0.1" \
		--data-urlencode user=bob --data-urlencode password=bob-pw \
		"$URL/login"
	[ "$output" = 303 ]
	grep -qi '^Set-Cookie: samotop_screener=.*; HttpOnly; SameSite=Strict; Secure' "$T/head"
	grep -qi '^Strict-Transport-Security: max-age=' "$T/head"
	# two requests on one connection
	run curl -s --cacert "$T/cert.pem" --resolve "localhost:$PORT:127.0.0.1" \
		-o "$T/body" -o /dev/null -w '%{http_code} %{num_connects}\n' \
		--max-time 10 -u bob:bob-pw "$URL/" "$URL/"
	[ "${lines[0]}" = "200 1" ]
	[ "${lines[1]}" = "200 0" ]
	grep -q carol@example.net "$T/body"
	# plain HTTP to the TLS port: no page, a log line
	run code --max-time 5 "http://127.0.0.1:$PORT/"
	[ "$output" = 000 ]
	grep -q 'event=tls error=' "$LOG"
}
