/*
 * test_xforward.c: XFORWARD attributes, formatted and parsed (xtext).
 */
#include <stdlib.h>

#include "unit.h"
#include "xforward.h"

static int
parse(struct xforward *x, const char *args)
{
	return xforward_parse(x, args, strlen(args));
}

static void
test_format(void)
{
	struct xforward x;
	char buf[1024];
	size_t n;

	memset(&x, 0, sizeof(x));
	snprintf(x.name, sizeof(x.name), "mail.example.org");
	snprintf(x.addr, sizeof(x.addr), "192.0.2.1");
	snprintf(x.port, sizeof(x.port), "1234");
	snprintf(x.helo, sizeof(x.helo), "a b+c=d");
	snprintf(x.proto, sizeof(x.proto), "ESMTP");
	snprintf(x.ident, sizeof(x.ident), "ID.1");
	n = xforward_format(buf, sizeof(buf), &x);
	CHECK_STR(buf, "XFORWARD NAME=mail.example.org ADDR=192.0.2.1 "
	    "PORT=1234 HELO=a+20b+2Bc+3Dd PROTO=ESMTP IDENT=ID.1 "
	    "TLS=[UNAVAILABLE]");
	CHECK(n == strlen(buf));
}

static void
test_format_unavailable(void)
{
	struct xforward x;
	char buf[1024];

	memset(&x, 0, sizeof(x));
	snprintf(x.addr, sizeof(x.addr), "2001:db8::1");
	snprintf(x.helo, sizeof(x.helo), "\xc3\xa9t\xc3\xa9");
	CHECK(xforward_format(buf, sizeof(buf), &x) > 0);
	CHECK_STR(buf, "XFORWARD NAME=[UNAVAILABLE] ADDR=2001:db8::1 "
	    "PORT=[UNAVAILABLE] HELO=+C3+A9t+C3+A9 PROTO=[UNAVAILABLE] "
	    "IDENT=[UNAVAILABLE] TLS=[UNAVAILABLE]");
}

/* Only what the server lists, and split to fit its line limit. */
static void
test_next_split(void)
{
	struct xforward x;
	char buf[XFORWARD_LINE_LIMIT];
	unsigned mask, done = 0;
	size_t n, lines = 0;

	memset(&x, 0, sizeof(x));
	memset(x.helo, '+', XFORWARD_VALUE_MAX);	/* 765 octets */
	memset(x.name, 'n', XFORWARD_VALUE_MAX);
	snprintf(x.ident, sizeof(x.ident), "ID.7");
	snprintf(x.tls, sizeof(x.tls), "TLSv1.3");
	mask = xforward_offered("NAME ADDR PORT PROTO HELO IDENT",
	    strlen("NAME ADDR PORT PROTO HELO IDENT"));
	CHECK(mask == (XFORWARD_ALL & ~0x40u));
	while ((n = xforward_next(buf, sizeof(buf), &x, mask, &done)) > 0) {
		CHECK(n + 2 <= XFORWARD_LINE_LIMIT);
		CHECK(strstr(buf, "TLS=") == NULL);
		CHECK(strstr(buf, "HELO=") == NULL);
		if (lines == 0)
			CHECK(strncmp(buf, "XFORWARD NAME=nnn", 17) == 0);
		lines++;
	}
	/* HELO alone cannot fit in 512 octets: it is left out, not cut. */
	CHECK(lines == 1);
	CHECK(done & 0x08u);		/* settled, by leaving it out */
	CHECK(done & 0x20u);		/* IDENT went */
	CHECK(xforward_offered("tls", 3) == 0x40u);
	CHECK(xforward_offered("", 0) == 0);
}

/* Too small a buffer: 0, never a cut line; exactly enough: the line. */
static void
test_format_overflow(void)
{
	struct xforward x;
	char buf[1024], small[1024];
	size_t n, i;

	memset(&x, 0, sizeof(x));
	memset(x.helo, ' ', XFORWARD_VALUE_MAX);	/* 3 octets each */
	CHECK(xforward_format(buf, 3 * XFORWARD_VALUE_MAX, &x) == 0);
	CHECK(xforward_format(buf, sizeof(buf), &x) > 3 * XFORWARD_VALUE_MAX);
	memset(&x, 0, sizeof(x));
	snprintf(x.helo, sizeof(x.helo), "h+h");
	n = xforward_format(buf, sizeof(buf), &x);
	CHECK(n > 0);
	CHECK(xforward_format(small, n + 1, &x) == n);
	CHECK_STR(small, buf);
	for (i = 0; i <= n; i++)
		CHECK(xforward_format(small, i, &x) == 0);
}

static void
test_parse(void)
{
	struct xforward x;

	memset(&x, 0, sizeof(x));
	CHECK(parse(&x, "NAME=mail.example.org ADDR=192.0.2.1 PORT=25 "
	    "HELO=a+20b+2Bc+3Dd PROTO=ESMTP IDENT=ID.1") == 0);
	CHECK_STR(x.name, "mail.example.org");
	CHECK_STR(x.addr, "192.0.2.1");
	CHECK_STR(x.port, "25");
	CHECK_STR(x.helo, "a b+c=d");
	CHECK_STR(x.proto, "ESMTP");
	CHECK_STR(x.ident, "ID.1");
}

/* What format writes, parse reads back. */
static void
test_round_trip(void)
{
	struct xforward x, y;
	char buf[2048];
	int i;

	memset(&x, 0, sizeof(x));
	for (i = 0; i < 200; i++)
		x.helo[i] = 0x20 + i % 0x5f;
	snprintf(x.name, sizeof(x.name), "=+= +");
	snprintf(x.ident, sizeof(x.ident), "\xff\x80");
	CHECK(xforward_format(buf, sizeof(buf), &x) > 0);
	memset(&y, 'z', sizeof(y));
	CHECK(parse(&y, buf + strlen("XFORWARD ")) == 0);
	CHECK(memcmp(x.helo, y.helo, strlen(x.helo) + 1) == 0);
	CHECK_STR(y.name, x.name);
	CHECK_STR(y.ident, x.ident);
	CHECK_STR(y.addr, "");
	CHECK_STR(y.port, "");
	CHECK_STR(y.proto, "");
}

/* A decoded control octet, or a raw one, is refused. */
static void
test_control_refused(void)
{
	static const char *const bad[] = {
		"HELO=a+0Ab", "HELO=a+0Db", "HELO=+00", "NAME=x+7F",
		"NAME=x+1F", "NAME=a\tb", "NAME=a\x01", "NAME=a\x7f",
	};
	struct xforward x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&x, 0, sizeof(x));
		CHECK(parse(&x, bad[i]) == -1);
	}
	memset(&x, 0, sizeof(x));
	CHECK(xforward_parse(&x, "NAME=a\0b", 8) == -1);
}

static void
test_bad_xtext(void)
{
	static const char *const bad[] = {
		"NAME=a+", "NAME=a+4", "NAME=a+4G", "NAME=a+2b", "NAME=+ZZ",
		"NAME", "ADDR 192.0.2.1",
	};
	struct xforward x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&x, 0, sizeof(x));
		CHECK(parse(&x, bad[i]) == -1);
	}
}

static void
test_unavailable(void)
{
	struct xforward x;

	memset(&x, 0, sizeof(x));
	CHECK(parse(&x, "NAME=host ADDR=192.0.2.1 HELO=h") == 0);
	CHECK(parse(&x, "NAME=[UNAVAILABLE] ADDR=[TEMPUNAVAIL]") == 0);
	CHECK_STR(x.name, "");
	CHECK_STR(x.addr, "");
	CHECK_STR(x.helo, "h");
	CHECK(parse(&x, "HELO=") == 0);
	CHECK_STR(x.helo, "");
}

/* Unknown attributes are skipped; known ones are case-insensitive. */
static void
test_unknown_ignored(void)
{
	struct xforward x;

	memset(&x, 0, sizeof(x));
	CHECK(parse(&x, "SOURCE=REMOTE addr=192.0.2.9 X=+ZZ "
	    "LOGIN=joe  proto=SMTP ") == 0);
	CHECK_STR(x.addr, "192.0.2.9");
	CHECK_STR(x.proto, "SMTP");
	CHECK_STR(x.name, "");
	CHECK(parse(&x, "") == 0);
	CHECK(parse(&x, "   ") == 0);
	CHECK_STR(x.addr, "192.0.2.9");
}

/* Later commands add to what earlier ones gave. */
static void
test_keeps_earlier(void)
{
	struct xforward x;

	memset(&x, 0, sizeof(x));
	CHECK(parse(&x, "NAME=a ADDR=192.0.2.1") == 0);
	CHECK(parse(&x, "HELO=b NAME=c") == 0);
	CHECK_STR(x.name, "c");
	CHECK_STR(x.addr, "192.0.2.1");
	CHECK_STR(x.helo, "b");
}

/* 255 octets fit; 256 do not, encoded or not. */
static void
test_value_limits(void)
{
	char args[1024];
	struct xforward x;

	memset(&x, 0, sizeof(x));
	memcpy(args, "NAME=", 5);
	memset(args + 5, 'a', XFORWARD_VALUE_MAX);
	args[5 + XFORWARD_VALUE_MAX] = '\0';
	CHECK(parse(&x, args) == 0);
	CHECK(strlen(x.name) == XFORWARD_VALUE_MAX);
	memset(&x, 0, sizeof(x));
	args[5 + XFORWARD_VALUE_MAX] = 'a';
	args[6 + XFORWARD_VALUE_MAX] = '\0';
	CHECK(parse(&x, args) == -1);
	CHECK_STR(x.name, "");
}

/* The limit is on the decoded value: a HELO of 255 '+' round-trips. */
static void
test_encoded_limit(void)
{
	struct xforward x, y;
	char buf[4096];

	memset(&x, 0, sizeof(x));
	memset(x.helo, '+', XFORWARD_VALUE_MAX);
	CHECK(xforward_format(buf, sizeof(buf), &x) > 0);
	memset(&y, 0, sizeof(y));
	CHECK(parse(&y, buf + strlen("XFORWARD ")) == 0);
	CHECK_STR(y.helo, x.helo);
	memset(&y, 0, sizeof(y));
	snprintf(buf, sizeof(buf), "HELO=");
	while (strlen(buf) < 5 + 3 * (XFORWARD_VALUE_MAX + 1))
		strcat(buf, "+2B");
	CHECK(parse(&y, buf) == -1);
	buf[strlen(buf) - 3] = '\0';
	CHECK(parse(&y, buf) == 0);
	CHECK_STR(y.helo, x.helo);
}

static void
test_any(void)
{
	struct xforward x;

	memset(&x, 0, sizeof(x));
	CHECK(!xforward_any(&x));
	snprintf(x.tls, sizeof(x.tls), "TLSv1.3");	/* not alone */
	CHECK(!xforward_any(&x));
	snprintf(x.ident, sizeof(x.ident), "ABC.1");
	CHECK(xforward_any(&x));
	memset(&x, 0, sizeof(x));
	snprintf(x.port, sizeof(x.port), "25");
	CHECK(xforward_any(&x));
}

int
main(void)
{
	TEST(test_format);
	TEST(test_format_unavailable);
	TEST(test_next_split);
	TEST(test_format_overflow);
	TEST(test_parse);
	TEST(test_round_trip);
	TEST(test_control_refused);
	TEST(test_bad_xtext);
	TEST(test_unavailable);
	TEST(test_unknown_ignored);
	TEST(test_keeps_earlier);
	TEST(test_value_limits);
	TEST(test_encoded_limit);
	TEST(test_any);
	return UNIT_DONE();
}
