/*
 * test_conf.c: samotop.conf(5) parsing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "unit.h"

static struct conf		c;
static struct conf_error	err;
static char			text[8192];

/* Parse s[0..len) on top of the defaults, in a buffer with room. */
static int
parsen(const char *s, size_t len)
{
	conf_defaults(&c);
	memset(&err, 0, sizeof(err));
	memset(text, 'X', sizeof(text));
	memcpy(text, s, len);
	return conf_parse(&c, text, len, &err);
}

static int
parse(const char *s)
{
	return parsen(s, strlen(s));
}

#define OK(s) do {							\
	CHECK(parse(s) == 0);						\
	CHECK_STR(err.msg, "");						\
} while (0)

/* s parses, and leaves cond true */
#define SETS(s, cond) do {						\
	OK(s);								\
	CHECK(cond);							\
} while (0)

#define FAILS(s, ln, m) do {						\
	CHECK(parse(s) == -1);						\
	CHECK(err.line == (ln));					\
	CHECK_STR(err.msg, (m));					\
} while (0)

static void
test_defaults(void)
{
	OK("");
	CHECK_STR(c.hostname, "");
	CHECK(c.max_command_line == 2048);
	CHECK(c.max_line_length == 1000);
	CHECK(c.max_message_size == 26214400);
	CHECK(c.max_recipients == 100);
	CHECK(c.max_errors == 10);
	CHECK(c.timeout_command == 300);
	CHECK(c.timeout_data == 180);
	CHECK(c.timeout_helper == 600);
	CHECK(c.deadline_line == 300);
	CHECK(c.deadline_message == 1800);
	CHECK(c.deadline_session == 3600);
	CHECK(c.strict_crlf == 1);
	CHECK(c.recipient_delimiter == '+');
	CHECK(c.log_level == LVL_INFO);
	CHECK(c.log_sink == LOG_SINK_FD);
	CHECK(c.nroutes == 0);
}

static void
test_blank_and_comments(void)
{
	OK("\n\n   \n\t\n# comment\n   # indented comment\n");
	CHECK(c.max_errors == 10);
	OK("max-errors 5 # trailing comment\n\t max-recipients\t200 \t\n");
	CHECK(c.max_errors == 5);
	CHECK(c.max_recipients == 200);
	SETS("#max-errors 7\nmax-errors 8 #max-errors 7\n", c.max_errors == 8);
	/* '#' inside a word is part of it, so this is one bad word */
	FAILS("max-errors 5#x\n", 1,
	    "max-errors: expected a number from 1 to 1000, got '5#x'");
	FAILS("log-level debug#x\n", 1,
	    "log-level: expected error, warn, info or debug, got 'debug#x'");
}

static void
test_line_ends(void)
{
	SETS("max-errors 7\r\nmax-recipients 300\r\n", c.max_errors == 7);
	CHECK(c.max_recipients == 300);
	/* no newline at the end: the last word still ends where it should */
	SETS("max-errors 9", c.max_errors == 9);
	SETS("max-errors 3\n# last", c.max_errors == 3);
	FAILS("max-errors 1\nmax-recipients 100\rmax-errors 2\n", 2,
	    "control character 0x0d in text");
	FAILS("max-errors 9\r", 1, "control character 0x0d in text");
	FAILS("max-errors 9\r\r\n", 1, "control character 0x0d in text");
}

static void
test_control_octets(void)
{
	CHECK(parsen("max-errors 5\nmax-\0recipients 200\n", 33) == -1);
	CHECK(err.line == 2);
	CHECK_STR(err.msg, "NUL byte in text");
	/* even inside a comment */
	CHECK(parsen("\n\n# a\0b\n", 8) == -1);
	CHECK(err.line == 3);
	CHECK_STR(err.msg, "NUL byte in text");
	FAILS("max-errors 5\x01\n", 1, "control character 0x01 in text");
	FAILS("\n\n\n# x\x1b[0m\n", 4, "control character 0x1b in text");
	FAILS("log-level info\x7f\n", 1, "control character 0x7f in text");
	SETS("\tmax-errors\t5\t\n# caf\xc3\xa9\n", c.max_errors == 5);
}

static void
test_octet_limits(void)
{
	FAILS("max-command-line 511\n", 1,
	    "max-command-line: expected a number from 512 to 65536, "
	    "got '511'");
	SETS("max-command-line 512\n", c.max_command_line == 512);
	SETS("max-command-line 65536\n", c.max_command_line == 65536);
	FAILS("max-command-line 65537\n", 1,
	    "max-command-line: expected a number from 512 to 65536, "
	    "got '65537'");
	FAILS("max-command-line 1K\n", 1,
	    "max-command-line: expected a number from 512 to 65536, "
	    "got '1K'");
	FAILS("max-line-length 999\n", 1,
	    "max-line-length: expected a number from 1000 to 1048576, "
	    "got '999'");
	SETS("max-line-length 1000\n", c.max_line_length == 1000);
	SETS("max-line-length 1048576\n", c.max_line_length == 1048576);
	FAILS("max-line-length 1048577\n", 1,
	    "max-line-length: expected a number from 1000 to 1048576, "
	    "got '1048577'");
}

static void
test_counts(void)
{
	FAILS("max-recipients abc\n", 1,
	    "max-recipients: expected a number from 100 to 100000, "
	    "got 'abc'");
	FAILS("max-recipients 99\n", 1,
	    "max-recipients: expected a number from 100 to 100000, "
	    "got '99'");
	SETS("max-recipients 100\n", c.max_recipients == 100);
	SETS("max-recipients 100000\n", c.max_recipients == 100000);
	FAILS("max-recipients 100001\n", 1,
	    "max-recipients: expected a number from 100 to 100000, "
	    "got '100001'");
	FAILS("max-errors 0\n", 1,
	    "max-errors: expected a number from 1 to 1000, got '0'");
	SETS("max-errors 1\n", c.max_errors == 1);
	SETS("max-errors 1000\n", c.max_errors == 1000);
	FAILS("max-errors 1001\n", 1,
	    "max-errors: expected a number from 1 to 1000, got '1001'");
	CHECK(parse("max-errors -1\n") == -1);
	CHECK(parse("max-errors +5\n") == -1);
	CHECK(parse("max-errors 5.0\n") == -1);
	CHECK(parse("max-errors 0x10\n") == -1);
	CHECK(parse("max-errors \"\"\n") == -1);
	CHECK(parse("max-errors 18446744073709551621\n") == -1);
	SETS("max-errors 0005\n", c.max_errors == 5);
}

static void
test_greylist_max_pending(void)
{
	OK("");
	CHECK(c.greylist_max_pending == 100);
	SETS("greylist-max-pending 1\n", c.greylist_max_pending == 1);
	SETS("greylist-max-pending 100000\n",
	    c.greylist_max_pending == 100000);
	FAILS("greylist-max-pending 0\n", 1, "greylist-max-pending: "
	    "expected a number from 1 to 100000, got '0'");
	FAILS("greylist-max-pending 100001\n", 1, "greylist-max-pending: "
	    "expected a number from 1 to 100000, got '100001'");
	FAILS("greylist-max-pending\n", 1, "greylist-max-pending: missing "
	    "value, expected a number from 1 to 100000");
}

static void
test_sizes(void)
{
	const char *want = "max-message-size: expected a size from 1K to "
	    "4G (suffix K, M or G), got '1023'";

	if (SIZE_MAX / 2 < (4ULL << 30))
		want = "max-message-size: expected a size from 1K to "
		    "2147483647 (suffix K, M or G), got '1023'";
	FAILS("max-message-size 1023\n", 1, want);
	SETS("max-message-size 1024\n", c.max_message_size == 1024);
	SETS("max-message-size 1K\n", c.max_message_size == 1024);
	SETS("max-message-size 1k\n", c.max_message_size == 1024);
	SETS("max-message-size 10m\n", c.max_message_size == 10485760);
	SETS("max-message-size 25M\n", c.max_message_size == 26214400);
	if (SIZE_MAX / 2 >= (4ULL << 30)) {
		OK("max-message-size 4G\n");
		CHECK(c.max_message_size == 4294967296ULL);
		OK("max-message-size 4194304k\n");
		CHECK(c.max_message_size == 4294967296ULL);
	}
	CHECK(parse("max-message-size 4194305K\n") == -1);
	CHECK(parse("max-message-size 4294967297\n") == -1);
	CHECK(parse("max-message-size 5g\n") == -1);
	CHECK(parse("max-message-size 17179869184G\n") == -1);
	CHECK(parse("max-message-size 99999999999999999999\n") == -1);
	CHECK(parse("max-message-size 1KB\n") == -1);
	CHECK(parse("max-message-size K\n") == -1);
	CHECK(parse("max-message-size 1T\n") == -1);
	CHECK(parse("max-message-size 1 K\n") == -1);
	CHECK_STR(err.msg, "max-message-size: too many arguments");
}

static void
test_durations(void)
{
	FAILS("timeout-command 0\n", 1,
	    "timeout-command: expected a duration from 1s to 1d "
	    "(suffix s, m, h or d), got '0'");
	SETS("timeout-command 1\n", c.timeout_command == 1);
	SETS("timeout-command 1s\n", c.timeout_command == 1);
	SETS("timeout-data 5m\n", c.timeout_data == 300);
	SETS("timeout-helper 2h\n", c.timeout_helper == 7200);
	SETS("timeout-helper 1d\n", c.timeout_helper == 86400);
	SETS("deadline-command-line 2s\n", c.deadline_line == 2);
	SETS("deadline-message 1h\n", c.deadline_message == 3600);
	SETS("deadline-session 1d\n", c.deadline_session == 86400);
	FAILS("deadline-session 0\n", 1,
	    "deadline-session: expected a duration from 1s to 1d "
	    "(suffix s, m, h or d), got '0'");
	SETS("timeout-helper 86400\n", c.timeout_helper == 86400);
	SETS("timeout-data 1440m\n", c.timeout_data == 86400);
	CHECK(parse("timeout-helper 86401\n") == -1);
	CHECK(parse("timeout-helper 25h\n") == -1);
	CHECK(parse("timeout-helper 2d\n") == -1);
	CHECK(parse("timeout-data 1w\n") == -1);
	CHECK(parse("timeout-data 0m\n") == -1);
	CHECK(parse("timeout-data 1ms\n") == -1);
}

/* leave-no-trace and its two tunings (samotop.conf(5), trace.h). */
static void
test_leave_no_trace(void)
{
	OK("");
	CHECK(c.leave_no_trace == 0);
	CHECK(c.notrace_granularity == 86400);
	CHECK_STR(c.notrace_key, CONF_NOTRACE_KEY);
	SETS("leave-no-trace yes\n", c.leave_no_trace == 1);
	SETS("leave-no-trace-granularity 1h\n", c.notrace_granularity == 3600);
	SETS("leave-no-trace-granularity 1s\n", c.notrace_granularity == 1);
	SETS("leave-no-trace-granularity 366d\n",
	    c.notrace_granularity == 366 * 86400);
	FAILS("leave-no-trace-granularity 0\n", 1,
	    "leave-no-trace-granularity: expected a duration from 1s to 366d "
	    "(suffix s, m, h or d), got '0'");
	CHECK(parse("leave-no-trace-granularity 367d\n") == -1);
	SETS("leave-no-trace-key /k\n", strcmp(c.notrace_key, "/k") == 0);
	FAILS("leave-no-trace-key k\n", 1,
	    "leave-no-trace-key: expected an absolute path, got 'k'");
	CHECK(parse("leave-no-trace maybe\n") == -1);
}

static void
test_submission(void)
{
	const char *tls = "tls-certificate /c\ntls-key /k\n";
	char buf[512];

	OK("");
	CHECK(c.auth_checkpassword[0] == NULL && c.auth_dovecot == NULL);
	CHECK(c.auth_max_failures == 3);
	CHECK(c.auth_failure_limit.n == 10 &&
	    c.auth_failure_limit.period == 3600);
	CHECK(c.user_limit_messages.n == 0 && c.user_limit_recipients.n == 0);
	CHECK(c.received_hide_client == -1 && c.nsender_logins == 0);
	snprintf(buf, sizeof(buf), "%sauth-checkpassword /bin/cp -x\n"
	    "auth-failure-limit 5/30m\nuser-limit-messages 100/1d\n"
	    "user-limit-recipients 7/1s\nauth-max-failures 1\n"
	    "received-hide-client no\n", tls);
	OK(buf);
	CHECK_STR(c.auth_checkpassword[0], "/bin/cp");
	CHECK_STR(c.auth_checkpassword[1], "-x");
	CHECK(c.auth_failure_limit.n == 5 &&
	    c.auth_failure_limit.period == 1800);
	CHECK(c.user_limit_messages.n == 100 &&
	    c.user_limit_messages.period == 86400);
	CHECK(c.user_limit_recipients.n == 7 &&
	    c.user_limit_recipients.period == 1);
	CHECK(c.auth_max_failures == 1 && c.received_hide_client == 0);
	FAILS("auth-failure-limit 10\n", 1, "auth-failure-limit: expected "
	    "N/DURATION such as 10/1h, got '10'");
	CHECK(parse("auth-failure-limit 0/1h\n") == -1);
	CHECK(parse("auth-failure-limit 10/0\n") == -1);
	CHECK(parse("user-limit-messages 10/1y\n") == -1);
	CHECK(parse("auth-max-failures 0\n") == -1);
	/* AUTH only under TLS; one checker */
	FAILS("auth-checkpassword /bin/true\n", 0, "auth-checkpassword or "
	    "auth-dovecot needs tls-certificate: AUTH is offered only under "
	    "TLS");
	snprintf(buf, sizeof(buf), "%sauth-dovecot unix:/run/a\n"
	    "auth-checkpassword /bin/true\n", tls);
	FAILS(buf, 0, "auth-checkpassword and auth-dovecot: choose one");
	snprintf(buf, sizeof(buf), "%sauth-dovecot inet:127.0.0.1:1\n", tls);
	CHECK(parse(buf) == -1);
	snprintf(buf, sizeof(buf), "%sauth-dovecot unix:/run/dovecot/"
	    "auth-client\n", tls);
	OK(buf);
	CHECK_STR(c.auth_dovecot, "unix:/run/dovecot/auth-client");
	/* sender-login: lines and files */
	OK("sender-login Sales@Example.org ann bob\n"
	    "sender-login @example.net ann\nsender-login file:/etc/s\n");
	CHECK(c.nsender_logins == 3);
	CHECK_STR(c.sender_logins[0].pattern, "sales@example.org");
	CHECK_STR(c.sender_logins[0].logins[1], "bob");
	CHECK(c.sender_logins[0].logins[2] == NULL);
	CHECK(c.sender_logins[2].is_file);
	CHECK_STR(c.sender_logins[2].pattern, "/etc/s");
	FAILS("sender-login sales@example.org\n", 1, "sender-login: "
	    "expected an address or @domain and one login or more, got "
	    "'sales@example.org'");
	CHECK(parse("sender-login * ann\n") == -1);
	CHECK(parse("sender-login file:/etc/s ann\n") == -1);
	CHECK(parse("sender-login file:s\n") == -1);
}

static void
test_content_checks(void)
{
	OK("");
	CHECK(c.dkim == 0 && c.dmarc == 0 && c.arc == 0);
	CHECK(c.nmilters == 0 && c.nsealers == 0);
	CHECK(c.dmarc_reject == ACTION_REJECT);
	CHECK(c.dmarc_quarantine == ACTION_QUARANTINE);
	CHECK(c.milter_default == ACTION_TEMPFAIL);
	CHECK(c.milter_timeout_connect == 30);
	CHECK(c.milter_timeout_command == 30);
	CHECK(c.milter_timeout_content == 300);
	CHECK_STR(c.spool_dir, "/var/tmp");
	SETS("dkim yes\n", c.dkim == 1);
	SETS("spf yes\ndkim yes\ndmarc yes\n", c.dmarc == 1);
	FAILS("dkim yes\ndmarc yes\n", 0, "dmarc needs dkim yes and spf yes");
	FAILS("spf yes\ndmarc yes\n", 0, "dmarc needs dkim yes and spf yes");
	SETS("dmarc-reject quarantine\n",
	    c.dmarc_reject == ACTION_QUARANTINE);
	SETS("dmarc-quarantine accept\n",
	    c.dmarc_quarantine == ACTION_ACCEPT);
	FAILS("dmarc-reject tempfail\n", 1, "dmarc-reject: expected reject, "
	    "quarantine or accept, got 'tempfail'");
	SETS("milter unix:/run/a.sock\nmilter inet:localhost:11332\n"
	    "milter inet:[::1]:8891\nmilter inet:127.0.0.1:1\n",
	    c.nmilters == 4 && strcmp(c.milters[1],
	    "inet:localhost:11332") == 0);
	FAILS("milter unix:run/a.sock\n", 1, "milter: expected unix:/PATH "
	    "or inet:HOST:PORT, got 'unix:run/a.sock'");
	CHECK(parse("milter inet:localhost\n") == -1);
	CHECK(parse("milter inet:localhost:0\n") == -1);
	CHECK(parse("milter inet:localhost:65536\n") == -1);
	CHECK(parse("milter inet::25\n") == -1);
	CHECK(parse("milter inet:[::1:25\n") == -1);
	CHECK(parse("milter inet:[192.0.2.1]:25\n") == -1);
	CHECK(parse("milter tcp:a:25\n") == -1);
	FAILS("milter unix:/1\nmilter unix:/2\nmilter unix:/3\n"
	    "milter unix:/4\nmilter unix:/5\nmilter unix:/6\n"
	    "milter unix:/7\nmilter unix:/8\nmilter unix:/9\n", 9,
	    "milter: more than 8 filters");
	SETS("milter-default accept\n", c.milter_default == ACTION_ACCEPT);
	CHECK(parse("milter-default reject\n") == -1);
	SETS("milter-timeout-connect 5s\nmilter-timeout-command 1m\n"
	    "milter-timeout-content 1h\n", c.milter_timeout_connect == 5 &&
	    c.milter_timeout_command == 60 && c.milter_timeout_content == 3600);
	CHECK(parse("milter-timeout-content 0\n") == -1);
	SETS("spf yes\ndkim yes\ndmarc yes\narc yes\n"
	    "arc-trusted-sealer lists.example.org\n"
	    "arc-trusted-sealer google.com\n", c.nsealers == 2 &&
	    strcmp(c.arc_sealers[1], "google.com") == 0);
	FAILS("arc-trusted-sealer google.com\n", 0,
	    "arc-trusted-sealer needs arc yes and dmarc yes");
	CHECK(parse("arc yes\narc-trusted-sealer [192.0.2.1]\n") == -1);
	SETS("spool-dir /dev/shm\n", strcmp(c.spool_dir, "/dev/shm") == 0);
	CHECK(parse("spool-dir tmp\n") == -1);
}

static void
test_dkim_sign(void)
{
	SETS("dkim-sign Example.ORG Rsa2026 /etc/samotop/rsa.pem\n"
	    "dkim-sign example.org ed2026 /etc/samotop/ed.pem\n"
	    "dkim-sign example.net rsa2026 /etc/samotop/rsa.pem\n",
	    c.ndkim_sign == 3 && c.dkim_sign[1].line == 2 &&
	    strcmp(c.dkim_sign[2].keyfile, "/etc/samotop/rsa.pem") == 0);
	CHECK_STR(c.dkim_sign[0].domain, "example.org");
	CHECK_STR(c.dkim_sign[0].selector, "rsa2026");
	CHECK(conf_line(&c, "dkim-sign") == 3);
	FAILS("dkim-sign example.org s /k\ndkim-sign EXAMPLE.org S /j\n", 2,
	    "dkim-sign: example.org with selector s already on line 1");
	FAILS("dkim-sign example.org s\n", 1,
	    "dkim-sign: expected DOMAIN SELECTOR KEYFILE");
	FAILS("dkim-sign [192.0.2.1] s /k\n", 1,
	    "dkim-sign: expected a domain name, got '[192.0.2.1]'");
	FAILS("dkim-sign example.org s_1 /k\n", 1, "dkim-sign: expected a "
	    "selector (labels of letters, digits and '-'), got 's_1'");
	FAILS("dkim-sign example.org s k.pem\n", 1,
	    "dkim-sign: KEYFILE must be an absolute path, got 'k.pem'");
	FAILS("dkim-sign x.org a /k\ndkim-sign x.org b /k\n"
	    "dkim-sign x.org c /k\ndkim-sign x.org d /k\n"
	    "dkim-sign x.org e /k\n", 5, "dkim-sign: more than 4 keys for "
	    "x.org");
}

static void
test_screener(void)
{
	const char *dmarc = "spf yes\ndkim yes\ndmarc yes\n";
	char buf[512];

	OK("");
	CHECK(c.screener_db == NULL);
	CHECK_STR(c.screener_folder, "Screener");
	CHECK(c.screener_delete == 0);
	CHECK_STR(c.screener_trust_anchor, "/usr/share/dns/root.key");
	snprintf(buf, sizeof(buf), "%sscreener /var/lib/samotop/s.db\n"
	    "screener-folder New-Contacts\nscreener-on-deny delete\n"
	    "screener-recipient @Example.ORG\nscreener-recipient b@x.test\n"
	    "screener-checkpassword /usr/bin/checkpassword-pam -s imap\n"
	    "screener-login-domain Example.ORG\n", dmarc);
	SETS(buf, strcmp(c.screener_db, "/var/lib/samotop/s.db") == 0 &&
	    strcmp(c.screener_folder, "New-Contacts") == 0 &&
	    c.screener_delete == 1 && c.nscreener_rcpts == 2 &&
	    strcmp(c.screener_rcpts[0], "@example.org") == 0 &&
	    strcmp(c.screener_checkpassword[0],
	    "/usr/bin/checkpassword-pam") == 0 &&
	    strcmp(c.screener_checkpassword[2], "imap") == 0 &&
	    c.screener_checkpassword[3] == NULL &&
	    strcmp(c.screener_login_domain, "example.org") == 0);
	FAILS("screener /s.db\n", 0, "screener needs dmarc yes (and so dkim "
	    "yes and spf yes): it trusts only authenticated senders");
	FAILS("screener-folder .Junk\n", 1, "screener-folder: expected a "
	    "folder name of letters, digits, '-' and '_', got '.Junk'");
	CHECK(parse("screener-folder a/b\n") == -1);
	FAILS("screener-checkpassword checkpassword\n", 1,
	    "screener-checkpassword: PROGRAM must be an absolute path, got "
	    "'checkpassword'");
	CHECK(parse("screener-checkpassword /a\nscreener-checkpassword /b\n")
	    == -1);
	CHECK(parse("screener-recipient *@x\n") == -1);
	FAILS("screener-tls-certificate /c\n", 0, "screener-tls-certificate "
	    "and screener-tls-key go together");
}

static void
test_queue(void)
{
	OK("");
	CHECK_STR(c.queue_dir, "/var/spool/samotop/queue");
	CHECK(c.queue_lifetime == 5 * 86400);
	CHECK(c.nqueue_retry == 7 && c.queue_retry[6] == 4 * 3600);
	CHECK(c.queue_warn == 0 && c.queue_concurrency == 20 &&
	    c.queue_concurrency_domain == 20);
	SETS("queue /q\nqueue-retry 1m,2m,1h\nqueue-warn 4h\n"
	    "queue-lifetime 2d\nqueue-concurrency 5\n"
	    "queue-concurrency-domain 2\n", strcmp(c.queue_dir, "/q") == 0 &&
	    c.nqueue_retry == 3 && c.queue_retry[2] == 3600 &&
	    c.queue_warn == 4 * 3600 && c.queue_lifetime == 2 * 86400 &&
	    c.queue_concurrency == 5 && c.queue_concurrency_domain == 2);
	FAILS("queue-retry 1m,,2m\n", 1, "queue-retry: expected durations "
	    "separated by commas, such as 5m,10m,1h, got '1m,,2m'");
	CHECK(parse("queue-retry 10s\n") == -1);
	CHECK(parse("queue-retry 2d\n") == -1);
	SETS("relay-client 192.0.2.0/24\nrelay-client 2001:db8::/32\n"
	    "relay-route /usr/bin/samotop-queue -c /etc/s.conf\n",
	    c.nrelay_clients == 2 && strcmp(c.relay_route[0],
	    "/usr/bin/samotop-queue") == 0 && strcmp(c.relay_route[2],
	    "/etc/s.conf") == 0);
	FAILS("relay-client 192.0.2.0/24\n", 0, "relay-client needs "
	    "relay-route: where relayed mail goes");
	CHECK(parse("relay-client 192.0.2.0/33\nrelay-route /x\n") == -1);
	FAILS("route * /usr/local/bin/samotop-queue\n", 0, "route * to "
	    "samotop-queue takes mail for every domain to send it on: an "
	    "open relay (use relay-client and relay-route)");
	FAILS("relay-client 0.0.0.0/0\nrelay-route /q\n", 0, "relay-client "
	    "with a /0 network lets everyone relay: an open relay");
	CHECK(parse("relay-client ::/0\nrelay-route /q\n") == -1);
	SETS("route @example.org /usr/local/bin/samotop-queue\n",
	    c.nroutes == 1);
	SETS("alias Team@Example.ORG ann@example.org bob@far.example\n"
	    "alias x@example.org y@example.org\nsrs-domain Fwd.Example.ORG\n"
	    "relay-route /q\n",
	    c.naliases == 2 && strcmp(c.aliases[0].targets[1],
	    "bob@far.example") == 0 && c.aliases[0].targets[2] == NULL &&
	    strcmp(c.srs_domain, "fwd.example.org") == 0 &&
	    strcmp(c.srs_key, "/var/lib/samotop/srs.key") == 0);
	CHECK(strcmp(c.aliases[0].address, "Team@example.org") == 0);
	FAILS("alias x@example.org\n", 1, "alias: expected ADDRESS TARGET...");
	FAILS("alias @example.org y@example.org\n", 1, "alias: expected an "
	    "address local@domain, got '@example.org'");
	FAILS("alias x@example.org @y.org\n", 1, "alias: expected a target "
	    "address, got '@y.org'");
	FAILS("alias x@example.org a@b.c\nalias x@example.org d@e.f\n", 2,
	    "alias: 'x@example.org' already an alias on line 1");
	SETS("queue-remote /usr/bin/samotop-remote -p 2525\n",
	    strcmp(c.queue_remote[2], "2525") == 0);
}

static void
test_bounce_limit(void)
{
	OK("");
	CHECK(c.bounce_limit.n == 10 && c.bounce_limit.period == 3600);
	SETS("bounce-limit 2/1h\n", c.bounce_limit.n == 2 &&
	    c.bounce_limit.period == 3600);
	SETS("bounce-limit 500/1d\n", c.bounce_limit.n == 500 &&
	    c.bounce_limit.period == 86400);
	SETS("bounce-limit 3/90\n", c.bounce_limit.period == 90);
	SETS("bounce-limit off\n", c.bounce_limit.n == 0);
	SETS("bounce-limit 0\n", c.bounce_limit.n == 0);
	FAILS("bounce-limit 10\n", 1, "bounce-limit: expected N/PERIOD such "
	    "as 10/1h (N up to 1000000, PERIOD 1s to 366d), or off, got "
	    "'10'");
	CHECK(parse("bounce-limit 0/1h\n") == -1);
	CHECK(parse("bounce-limit 1000001/1h\n") == -1);
	CHECK(parse("bounce-limit 5/0s\n") == -1);
	CHECK(parse("bounce-limit 5/367d\n") == -1);
	CHECK(parse("bounce-limit /1h\n") == -1);
	CHECK(parse("bounce-limit 5/\n") == -1);
	CHECK(parse("bounce-limit 5/1w\n") == -1);
}

static void
test_switches(void)
{
	SETS("strict-crlf no\n", c.strict_crlf == 0);
	SETS("strict-crlf yes\n", c.strict_crlf == 1);
	FAILS("strict-crlf maybe\n", 1,
	    "strict-crlf: expected yes or no, got 'maybe'");
	SETS("log-level error\n", c.log_level == LVL_ERROR);
	SETS("log-level warn\n", c.log_level == LVL_WARN);
	SETS("log-level info\n", c.log_level == LVL_INFO);
	SETS("log-level debug\n", c.log_level == LVL_DEBUG);
	CHECK(parse("log-level DEBUG\n") == -1);
	SETS("log syslog\n", c.log_sink == LOG_SINK_SYSLOG);
	SETS("log stderr\n", c.log_sink == LOG_SINK_FD);
	FAILS("log journal\n", 1,
	    "log: expected stderr or syslog, got 'journal'");
}

static void
test_delimiter(void)
{
	SETS("recipient-delimiter none\n", c.recipient_delimiter == 0);
	SETS("recipient-delimiter -\n", c.recipient_delimiter == '-');
	SETS("recipient-delimiter =\n", c.recipient_delimiter == '=');
	FAILS("recipient-delimiter a\n", 1, "recipient-delimiter: expected "
	    "one punctuation character or none, got 'a'");
	CHECK(parse("recipient-delimiter 7\n") == -1);
	CHECK(parse("recipient-delimiter @\n") == -1);
	CHECK(parse("recipient-delimiter \"\\\"\"\n") == -1);
	CHECK_STR(err.msg, "recipient-delimiter: expected one punctuation "
	    "character or none, got '\"'");
	CHECK(parse("recipient-delimiter \" \"\n") == -1);
	CHECK(parse("recipient-delimiter ++\n") == -1);
	CHECK(parse("recipient-delimiter \xc3\xa9\n") == -1);
}

static void
test_hostname(void)
{
	char	line[400];

	OK("hostname mx1.Example.org\n");
	CHECK_STR(c.hostname, "mx1.Example.org");
	OK("hostname localhost\n");
	CHECK_STR(c.hostname, "localhost");
	OK("hostname [192.0.2.1]\n");
	CHECK_STR(c.hostname, "[192.0.2.1]");
	OK("hostname [IPv6:2001:db8::1]\n");
	CHECK_STR(c.hostname, "[IPv6:2001:db8::1]");
	FAILS("hostname mx_1.example.org\n", 1, "hostname: expected a "
	    "domain name or address literal, got 'mx_1.example.org'");
	CHECK(parse("hostname a..b\n") == -1);
	CHECK(parse("hostname .example.org\n") == -1);
	CHECK(parse("hostname -mx.example.org\n") == -1);
	CHECK(parse("hostname [300.1.1.1]\n") == -1);
	CHECK(parse("hostname [2001:db8::1]\n") == -1);
	CHECK(parse("hostname [192.0.2.1\n") == -1);
	/* a label has at most 63 octets */
	OK("hostname a23456789012345678901234567890123456789012345678901234567"
	    "890123.org\n");
	CHECK(parse("hostname a234567890123456789012345678901234567890123456789"
	    "012345678901234.org\n") == -1);
	CHECK(parse("hostname \"a b\"\n") == -1);
	/* 255 octets fit, 256 do not */
	memcpy(line, "hostname ", 9);
	for (int i = 0; i < 256; i++)
		line[9 + i] = i % 2 == 0 ? 'a' : '.';
	line[9 + 255] = '\0';
	SETS(line, strlen(c.hostname) == 255);
	line[9 + 255] = 'b';
	line[9 + 256] = '\0';
	CHECK(parse(line) == -1);
}

static void
test_quoting(void)
{
	OK("hostname \"mx.example.org\"\n");
	CHECK_STR(c.hostname, "mx.example.org");
	OK("route * /bin/helper \"a b\" \"say \\\"hi\\\" \\\\ ok\" \"\"\n");
	CHECK(c.nroutes == 1);
	CHECK_STR(c.routes[0].argv[1], "a b");
	CHECK_STR(c.routes[0].argv[2], "say \"hi\" \\ ok");
	CHECK_STR(c.routes[0].argv[3], "");
	CHECK(c.routes[0].argv[4] == NULL);
	OK("route * \"/bin/x\"");
	CHECK_STR(c.routes[0].argv[0], "/bin/x");
	FAILS("\nhostname \"mx.example.org\n", 2, "unterminated quoted word");
	FAILS("hostname \"mx\\\n", 1, "unterminated quoted word");
	FAILS("hostname \"a\\nb\"\n", 1,
	    "expected \\\" or \\\\ after a backslash in a quoted word");
	FAILS("hostname \"mx\"x\n", 1, "expected a blank after a quoted word");
	/* a quote inside a bare word is just a character: no address */
	CHECK(parse("route a\"b@x /bin/x\n") == -1);
	CHECK(parse("route \"\\\"a b\\\"@x\" /bin/x\n") == 0);
	CHECK_STR(c.routes[0].pattern, "\"a b\"@x");
}

static void
test_postmaster(void)
{
	OK("");
	CHECK(c.postmaster == NULL);
	OK("postmaster admin@example.org\nroute @example.org /bin/x\n");
	CHECK_STR(c.postmaster, "admin@example.org");
	OK("postmaster \"\\\"a b\\\"@example.org\"\nroute * /bin/x\n");
	CHECK_STR(c.postmaster, "\"a b\"@example.org");
	FAILS("\npostmaster admin\n", 2, "postmaster: expected an address "
	    "local@domain, got 'admin'");
	FAILS("postmaster @example.org\n", 1, "postmaster: expected an "
	    "address local@domain, got '@example.org'");
	FAILS("postmaster a@x\npostmaster b@x\n", 2,
	    "postmaster: given twice (first on line 1)");
	/* routes may follow; the file as a whole needs one for it */
	FAILS("postmaster admin@example.org\nroute @example.net /bin/x\n", 0,
	    "postmaster: no route delivers that address");
	FAILS("postmaster admin@example.org\n", 0,
	    "postmaster: no route delivers that address");
	OK("postmaster Admin@Example.ORG\nroute admin@example.org /bin/x\n");
}

static void
test_directive_errors(void)
{
	FAILS("max-errors 5\n\nfrobnicate 1\n", 3,
	    "unknown directive 'frobnicate'");
	FAILS("Max-Errors 5\n", 1, "unknown directive 'Max-Errors'");
	FAILS("max-errors\n", 1,
	    "max-errors: missing value, expected a number from 1 to 1000");
	FAILS("log-level   # nothing\n", 1, "log-level: missing value, "
	    "expected error, warn, info or debug");
	FAILS("max-errors 5 6\n", 1, "max-errors: too many arguments");
	FAILS("strict-crlf yes no\n", 1, "strict-crlf: too many arguments");
	FAILS("max-errors 5\n# x\nmax-errors 5\n", 3,
	    "max-errors: given twice (first on line 1)");
	FAILS("hostname a\nhostname b\n", 2,
	    "hostname: given twice (first on line 1)");
	/* a file with many words on a line */
	FAILS("max-errors 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
	    "21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38\n", 1,
	    "max-errors: too many arguments");
}

static void
test_load(void)
{
	char	 path[] = "/tmp/test_conf.XXXXXX", *buf = (char *)1;
	FILE	*f;
	int	 fd;

	fd = mkstemp(path);
	CHECK(fd != -1);
	f = fdopen(fd, "w");
	fputs("max-errors 4\nroute @Example.ORG /usr/bin/deliver -v", f);
	fclose(f);
	conf_defaults(&c);
	CHECK(conf_load(&c, path, &buf, &err) == 0);
	CHECK(buf != NULL);
	CHECK(c.max_errors == 4);
	CHECK(c.nroutes == 1);
	CHECK_STR(c.routes[0].pattern, "@example.org");
	CHECK_STR(c.routes[0].argv[1], "-v");
	free(buf);

	f = fopen(path, "w");
	fputs("max-errors 4\nmax-errors 5\n", f);
	fclose(f);
	conf_defaults(&c);
	CHECK(conf_load(&c, path, &buf, &err) == -1);
	CHECK(buf == NULL);
	CHECK(err.line == 2);

	f = fopen(path, "w");
	for (int i = 0; i < 1024 * 1024 / 8 + 1; i++)
		fputs("#######\n", f);
	fclose(f);
	CHECK(conf_load(&c, path, &buf, &err) == -1);
	CHECK(err.line == 0);
	CHECK_STR(err.msg, "file too large (more than 1 MiB)");
	unlink(path);

	CHECK(conf_load(&c, path, &buf, &err) == -1);
	CHECK(err.line == 0);
	CHECK(errno == ENOENT);
	CHECK_STR(err.msg, strerror(ENOENT));
	CHECK(conf_load(&c, "/tmp", &buf, &err) == -1);
	CHECK_STR(err.msg, "not a regular file");
	CHECK(buf == NULL);
}

int
main(void)
{
	TEST(test_defaults);
	TEST(test_blank_and_comments);
	TEST(test_line_ends);
	TEST(test_control_octets);
	TEST(test_octet_limits);
	TEST(test_counts);
	TEST(test_greylist_max_pending);
	TEST(test_sizes);
	TEST(test_durations);
	TEST(test_switches);
	TEST(test_delimiter);
	TEST(test_hostname);
	TEST(test_quoting);
	TEST(test_postmaster);
	TEST(test_directive_errors);
	TEST(test_load);
	TEST(test_leave_no_trace);
	TEST(test_submission);
	TEST(test_content_checks);
	TEST(test_screener);
	TEST(test_queue);
	TEST(test_bounce_limit);
	TEST(test_dkim_sign);
	return UNIT_DONE();
}
