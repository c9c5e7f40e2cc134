/*
 * test_q_dsn.c: bounces and delay warnings (q_dsn.h).
 */
#include <errno.h>

#include "q_dsn.h"
#include "unit.h"

static const char hdr[] = "Received: from x\r\nFrom: a@send.test\r\n"
    "Subject: hi\r\n";

static void
status(void)
{
	char s[Q_DSN_STATUS_LEN];

	q_dsn_status(550, "5.1.1 no such user", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.1.1");
	q_dsn_status(556, "5.1.10 null MX", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.1.10");
	q_dsn_status(550, "no such user", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.0.0");
	/* an enhanced code of another class is not the reply's */
	q_dsn_status(550, "2.1.1 odd", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.0.0");
	q_dsn_status(451, "4.4.7 message expired", Q_DSN_FAILED, s);
	CHECK_STR(s, "4.4.7");
	q_dsn_status(0, "4.4.7 message expired", Q_DSN_FAILED, s);
	CHECK_STR(s, "4.4.7");
	q_dsn_status(0, "local error", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.0.0");
	q_dsn_status(0, "connection refused", Q_DSN_DELAYED, s);
	CHECK_STR(s, "4.0.0");
	q_dsn_status(421, "4.1.2345 bad", Q_DSN_DELAYED, s);
	CHECK_STR(s, "4.0.0");
	q_dsn_status(550, "5.1.1x", Q_DSN_FAILED, s);
	CHECK_STR(s, "5.0.0");
}

static void
header_len(void)
{
	static const char m[] = "A: 1\r\nB: 2\r\n\r\nbody\r\n";
	static const char nobody[] = "A: 1\r\nB: 2\r\n";
	static char big[Q_DSN_HEADER_MAX + 100];
	size_t i;

	CHECK(q_dsn_header_len(m, sizeof(m) - 1) == 12);
	CHECK(q_dsn_header_len(nobody, sizeof(nobody) - 1) == 12);
	CHECK(q_dsn_header_len("\r\nbody", 6) == 0);
	CHECK(q_dsn_header_len("", 0) == 0);
	/* a long header: cut at the last whole line that fits */
	for (i = 0; i + 10 <= sizeof(big); i += 10)
		memcpy(big + i, "X: 12345\r\n", 10);
	i = q_dsn_header_len(big, sizeof(big));
	CHECK(i <= Q_DSN_HEADER_MAX && i > Q_DSN_HEADER_MAX - 10);
	CHECK(i >= 2 && big[i - 2] == '\r' && big[i - 1] == '\n');
}

static struct q_dsn_rcpt rcpts[] = {
	{ "b@far.test", Q_DSN_FAILED, 550, "5.1.1 no such user\r\nX: y",
	    "mx.far.test" },
	{ "c@far.test", Q_DSN_FAILED, 0, "4.4.7 message expired", NULL },
	{ "d@slow.test", Q_DSN_DELAYED, 451, "greylisted", "mx.slow.test" },
};

static struct q_dsn
dsn(size_t n)
{
	struct q_dsn d;

	memset(&d, 0, sizeof(d));
	d.hostname = "mx.send.test";
	d.id = "1700000000-0123456789abcdef";
	d.dsn_id = "1700000100-fedcba9876543210";
	d.sender = "a@send.test";
	d.arrival = 1700000000;
	d.now = 1700000100;
	d.until = 1700432000;
	d.rcpt = rcpts;
	d.nrcpt = n;
	d.header = hdr;
	d.header_len = sizeof(hdr) - 1;
	return d;
}

#define HAS(s, needle) do {						\
	if (strstr((s), (needle)) == NULL) {				\
		printf("#   missing: %s\n", (needle));			\
		CHECK(0);						\
	}								\
} while (0)

static void
bounce(void)
{
	struct q_dsn d = dsn(3);
	size_t len, i;
	char *s;
	int e8;

	s = q_dsn_format(&d, &len, &e8);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(strlen(s) == len);
	CHECK(!e8);
	HAS(s, "From: Mail Delivery System <MAILER-DAEMON@mx.send.test>\r\n");
	HAS(s, "To: <a@send.test>\r\n");
	HAS(s, "Subject: Undelivered Mail Returned to Sender\r\n");
	HAS(s, "Date: Tue, 14 Nov 2023 22:15:00 +0000\r\n");
	HAS(s, "Auto-Submitted: auto-replied\r\n");
	HAS(s, "Message-ID: <1700000100-fedcba9876543210@mx.send.test>\r\n");
	HAS(s, "Content-Type: multipart/report; report-type=delivery-status;"
	    "\r\n\tboundary=\"1700000100-fedcba9876543210/mx.send.test\"\r\n");
	HAS(s, "<b@far.test>: host mx.far.test said: 550 5.1.1 no such "
	    "user??X: y\r\n");
	HAS(s, "Content-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; mx.send.test\r\n");
	HAS(s, "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n");
	HAS(s, "Final-Recipient: rfc822; b@far.test\r\nAction: failed\r\n"
	    "Status: 5.1.1\r\nRemote-MTA: dns; mx.far.test\r\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such user??X: y\r\n");
	HAS(s, "Final-Recipient: rfc822; c@far.test\r\nAction: failed\r\n"
	    "Status: 4.4.7\r\n\r\n");
	HAS(s, "Final-Recipient: rfc822; d@slow.test\r\nAction: delayed\r\n"
	    "Status: 4.0.0\r\n");
	HAS(s, "Will-Retry-Until: ");
	HAS(s, "Content-Type: text/rfc822-headers\r\n\r\nReceived: from x\r\n"
	    "From: a@send.test\r\nSubject: hi\r\n\r\n"
	    "--1700000100-fedcba9876543210/mx.send.test--\r\n");
	/* canonical: every LF after a CR, no bare CR */
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			CHECK(i > 0 && s[i - 1] == '\r');
		if (s[i] == '\r')
			CHECK(i + 1 < len && s[i + 1] == '\n');
	}
	free(s);
}

static void
delay_only(void)
{
	struct q_dsn d = dsn(3);
	size_t len;
	char *s;
	int e8;

	d.rcpt = rcpts + 2;
	d.nrcpt = 1;
	s = q_dsn_format(&d, &len, &e8);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	HAS(s, "Subject: Delayed Mail (still being retried)\r\n");
	HAS(s, "It will be retried until Sun, 19 Nov 2023 22:13:20 +0000.");
	CHECK(strstr(s, "Action: failed") == NULL);
	free(s);
}

static void
eight_bit_header(void)
{
	static const char h8[] = "Subject: caf\xc3\xa9\r\n";
	struct q_dsn d = dsn(1);
	size_t len;
	char *s;
	int e8;

	d.header = h8;
	d.header_len = sizeof(h8) - 1;
	s = q_dsn_format(&d, &len, &e8);
	CHECK(s != NULL && e8);
	if (s != NULL)
		HAS(s, "Content-Transfer-Encoding: 8bit\r\n");
	free(s);
}

static void
global_dsn(void)
{
	static const struct q_dsn_rcpt ur[] = {
		{ "j\xc3\xb6rg@far.test", Q_DSN_FAILED, 550, "5.1.1 no", NULL },
		{ "b@far.test", Q_DSN_FAILED, 550, "5.1.1 no", NULL },
	};
	struct q_dsn d = dsn(1);
	size_t len;
	char *s;
	int fl;

	d.rcpt = ur;
	d.nrcpt = 2;
	s = q_dsn_format(&d, &len, &fl);
	CHECK(s != NULL && fl == (Q_DSN_8BIT | Q_DSN_UTF8));
	if (s == NULL)
		return;
	HAS(s, "report-type=global-delivery-status;");
	HAS(s, "Content-Type: message/global-delivery-status\r\n");
	HAS(s, "Final-Recipient: utf-8; j\xc3\xb6rg@far.test\r\n");
	HAS(s, "Final-Recipient: rfc822; b@far.test\r\n");
	HAS(s, "<j\xc3\xb6rg@far.test>: 550 5.1.1 no\r\n");
	HAS(s, "Content-Type: message/global-headers\r\n");
	free(s);
	/* ASCII only: a plain DSN */
	d = dsn(1);
	s = q_dsn_format(&d, &len, &fl);
	CHECK(s != NULL && fl == 0);
	free(s);
}

static void
never_to_null(void)
{
	struct q_dsn d = dsn(1);
	size_t len;
	int e8;

	d.sender = "";
	errno = 0;
	CHECK(q_dsn_format(&d, &len, &e8) == NULL && errno == EINVAL);
	d = dsn(0);
	CHECK(q_dsn_format(&d, &len, &e8) == NULL && errno == EINVAL);
}

int
main(void)
{
	TEST(status);
	TEST(header_len);
	TEST(bounce);
	TEST(delay_only);
	TEST(eight_bit_header);
	TEST(global_dsn);
	TEST(never_to_null);
	return UNIT_DONE();
}
