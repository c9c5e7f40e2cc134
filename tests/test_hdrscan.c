/*
 * test_hdrscan.c: a header cut into fields (hdrscan.h), and the domains
 * of a From: field (hdrfrom.h).
 */
#include "hdrfrom.h"
#include "hdrscan.h"
#include "unit.h"

static struct hdrscan h;
static char fields[4096], body[HDRSCAN_FIELD_MAX + 4096];

/* Scan msg fed in chunks of step octets: fields as "name=value|". */
static void
scan(const char *msg, size_t step)
{
	const char *b, *name;
	size_t len = strlen(msg), off = 0, used, blen, nlen, n;
	enum hdrscan_event ev;
	int finishing = 0;

	hdrscan_init(&h);
	fields[0] = body[0] = '\0';
	for (;;) {
		n = len - off < step ? len - off : step;
		if (!finishing && off == len)
			finishing = 1;
		if (finishing)
			ev = hdrscan_finish(&h, &b, &blen);
		else {
			ev = hdrscan_feed(&h, msg + off, n, &used, &b, &blen);
			off += used;
		}
		if (ev == HDRSCAN_MORE && finishing)
			break;
		if (ev == HDRSCAN_FIELD) {
			name = hdrscan_name(&h, &nlen);
			if (h.len > 200)	/* long: its length only */
				snprintf(fields + strlen(fields),
				    sizeof(fields) - strlen(fields),
				    "%zu:%zu%s|", nlen, h.len,
				    h.truncated ? "(cut)" : "");
			else
				snprintf(fields + strlen(fields),
				    sizeof(fields) - strlen(fields),
				    "%.*s=%s%s|", (int)nlen, name,
				    hdrscan_value(&h), h.truncated ?
				    "(cut)" : "");
		} else if (ev == HDRSCAN_EOH)
			strcat(fields, "EOH|");
		else if (ev == HDRSCAN_BODY && blen > 0)
			strncat(body, b, blen);
	}
}

static void
both(const char *msg, const char *want_fields, const char *want_body)
{
	size_t steps[] = { 1, 2, 3, 7, 4096 }, i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		scan(msg, steps[i]);
		CHECK_STR(fields, want_fields);
		CHECK_STR(body, want_body);
	}
}

static void
test_fields(void)
{
	both("From: a@b\r\nTo: c\r\n\r\nbody\r\n", "From= a@b|To= c|EOH|",
	    "body\r\n");
	both("Subject: one\r\n two\r\n\tthree\r\nX:\r\n\r\n",
	    "Subject= one\r\n two\r\n\tthree|X=|EOH|", "");
	both("\r\nno header\r\n", "EOH|", "no header\r\n");
	both("", "EOH|", "");
	both("From: a\r\n", "From= a|EOH|", "");
	both("From: a", "From= a|EOH|", "");
	/* obsolete blanks before the colon: still a field */
	both("From : a\r\n\r\nb", "From= a|EOH|", "b");
	both("From \t: a\r\n\r\n", "From= a|EOH|", "");
}

static void
test_not_fields(void)
{
	both("From: a\r\nnot a field\r\nx: y\r\n",
	    "From= a|EOH|", "not a field\r\nx: y\r\n");
	both(" leading\r\nFrom: a\r\n", "EOH|", " leading\r\nFrom: a\r\n");
	both("From: a\r\n:x\r\n", "From= a|EOH|", ":x\r\n");
	both("From: a\r\nFr om: b\r\n", "From= a|EOH|", "Fr om: b\r\n");
	both("From: a\r\nab\r\n", "From= a|EOH|", "ab\r\n");
	both("From: a\r\nab", "From= a|EOH|", "ab");
	both("From: a\r\n\rx\r\n", "From= a|EOH|", "\rx\r\n");
}

static void
test_long_field(void)
{
	static char msg[HDRSCAN_FIELD_MAX + 100];
	size_t n;

	strcpy(msg, "X: ");
	n = strlen(msg);
	memset(msg + n, 'a', HDRSCAN_FIELD_MAX);
	strcpy(msg + n + HDRSCAN_FIELD_MAX, "\r\nY: b\r\n\r\n");
	scan(msg, 4096);
	CHECK_STR(fields, "1:32768(cut)|Y= b|EOH|");
	CHECK(h.fields == 2);
	/* A name that never ends is no field: all of it is body. */
	memset(msg, 'n', HDRSCAN_FIELD_MAX + 10);
	strcpy(msg + HDRSCAN_FIELD_MAX + 10, "\r\n");
	scan(msg, 1000);
	CHECK(strlen(fields) < 100);
	CHECK_STR(fields, "EOH|");
	CHECK(strlen(body) == HDRSCAN_FIELD_MAX + 12);
}

static void
test_is(void)
{
	scan("fROM: x\r\n", 100);
	hdrscan_init(&h);
	{
		const char *b;
		size_t used, blen;

		CHECK(hdrscan_feed(&h, "fROM: x\r\nT", 10, &used, &b, &blen) ==
		    HDRSCAN_FIELD);
		CHECK(hdrscan_is(&h, "From"));
		CHECK(!hdrscan_is(&h, "Fro"));
		CHECK(!hdrscan_is(&h, "Froms"));
	}
}

static char got[4096];

static const char *
domains(const char *value)
{
	char out[4][HDRFROM_DOMAIN_MAX + 1];
	size_t n = hdrfrom_domains(value, out, 4), i;

	snprintf(got, sizeof(got), "%zu", n);
	for (i = 0; i < n && i < 4; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " %s",
		    out[i][0] != '\0' ? out[i] : "-");
	return got;
}

static void
test_from(void)
{
	CHECK_STR(domains(" a@example.org"), "1 example.org");
	CHECK_STR(domains(" Joe <joe@Example.ORG>"), "1 Example.ORG");
	CHECK_STR(domains(" \"Joe, a@evil.test\" <joe@example.org>"),
	    "1 example.org");
	CHECK_STR(domains(" a@evil.test <joe@example.org>"), "1 example.org");
	CHECK_STR(domains(" joe@example.org (Joe <x@evil.test>)"),
	    "1 example.org");
	CHECK_STR(domains(" (c@evil.test) joe @ example . org"),
	    "1 example.org");
	CHECK_STR(domains(" \"a@evil.test\"@example.org"), "1 example.org");
	CHECK_STR(domains(" a@x.test, B <b@y.test>"), "2 x.test y.test");
	CHECK_STR(domains(" a@x.test,,b@y.test"), "2 x.test y.test");
	CHECK_STR(domains(" <@relay.test,@r2.test:joe@example.org>"),
	    "1 example.org");
	CHECK_STR(domains(" friends: a@x.test, b@y.test;, c@z.test"),
	    "3 x.test y.test z.test");
	CHECK_STR(domains(" undisclosed-recipients:;"), "0");
	CHECK_STR(domains(""), "0");
	CHECK_STR(domains(" joe"), "1 -");
	CHECK_STR(domains(" <joe>"), "1 -");
	CHECK_STR(domains(" a@[192.0.2.1]"), "1 [192.0.2.1]");
	CHECK_STR(domains(" a@1.test, b@2.test, c@3.test, d@4.test, "
	    "e@5.test"), "5 1.test 2.test 3.test 4.test");
	CHECK_STR(domains(" a@b.test\r\n\t(folded)"), "1 b.test");
}

static const char *
addrs(const char *value)
{
	struct hdrfrom_mailbox mb[4];
	size_t n = hdrfrom_mailboxes(value, mb, 4), i;

	snprintf(got, sizeof(got), "%zu", n);
	for (i = 0; i < n && i < 4; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " %s",
		    mb[i].addr[0] != '\0' ? mb[i].addr : "-");
	return got;
}

static void
test_from_addresses(void)
{
	CHECK_STR(addrs(" Alice <Alice@Example.ORG>"), "1 Alice@Example.ORG");
	CHECK_STR(addrs(" alice@example.org (Alice)"), "1 alice@example.org");
	CHECK_STR(addrs(" \"A, B\" <a.b@x.test>, c@y.test"),
	    "2 a.b@x.test c@y.test");
	CHECK_STR(addrs(" \"quoted local\"@x.test"), "1 \"quotedlocal\"@x.test");
	CHECK_STR(addrs(" <@r1.test,@r2.test:joe@example.org>"),
	    "1 joe@example.org");
	CHECK_STR(addrs(" a@evil.test <joe@example.org>"), "1 joe@example.org");
	CHECK_STR(addrs(" joe"), "1 -");
	CHECK_STR(addrs(" friends: a@x.test;"), "1 a@x.test");
}

static void
test_from_long(void)
{
	static char v[600];

	strcpy(v, " a@");
	memset(v + 3, 'd', 254);
	v[257] = '\0';
	CHECK_STR(domains(v), "1 -");
	v[256] = '\0';
	CHECK(strncmp(domains(v), "1 ddd", 5) == 0);
}

int
main(void)
{
	TEST(test_fields);
	TEST(test_not_fields);
	TEST(test_long_field);
	TEST(test_is);
	TEST(test_from);
	TEST(test_from_addresses);
	TEST(test_from_long);
	return UNIT_DONE();
}
