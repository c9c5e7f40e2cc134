/*
 * test_xclient.c: the XCLIENT command samotop-lmtp sends an LDA that
 * offers it (xforward_xclient()).
 */
#include "unit.h"

#include "xforward.h"

static void
offered(void)
{
	unsigned m = xforward_offered("ADDR PORT PROTO HELO LOGIN SESSION "
	    "TTL TIMEOUT", 43);
	char line[512];
	struct xforward x = { .addr = "192.0.2.1", .name = "c.example" };

	/* NAME is not among Dovecot's: never sent to it */
	CHECK(xforward_xclient(line, sizeof(line), &x, m) > 0);
	CHECK_STR(line, "XCLIENT ADDR=192.0.2.1");
}

static void
formats(void)
{
	struct xforward x = { .name = "c.example", .addr = "2001:db8::1",
	    .port = "4000", .helo = "a b+c=d", .proto = "UTF8SMTPS",
	    .ident = "X.1" };
	char line[512];
	size_t n;

	n = xforward_xclient(line, sizeof(line), &x, XFORWARD_ALL);
	CHECK(n == strlen(line));
	CHECK_STR(line, "XCLIENT ADDR=IPV6:2001:db8::1 PORT=4000 "
	    "PROTO=ESMTP HELO=a+20b+2Bc+3Dd NAME=c.example");
	snprintf(x.proto, sizeof(x.proto), "SMTP");
	x.helo[0] = '\0';
	xforward_xclient(line, sizeof(line), &x, XFORWARD_ALL);
	CHECK_STR(line, "XCLIENT ADDR=IPV6:2001:db8::1 PORT=4000 "
	    "PROTO=SMTP NAME=c.example");
}

static void
nothing_to_send(void)
{
	struct xforward x = { .name = "c.example" };
	char line[64];

	/* no address (a pipe session, or leave-no-trace): no XCLIENT */
	CHECK(xforward_xclient(line, sizeof(line), &x, XFORWARD_ALL) == 0);
	snprintf(x.addr, sizeof(x.addr), "192.0.2.1");
	/* ADDR not offered */
	CHECK(xforward_xclient(line, sizeof(line), &x, 0x04) == 0);
	/* what does not fit is left out; the address never */
	memset(x.helo, 'h', 200);
	CHECK(xforward_xclient(line, sizeof(line), &x, XFORWARD_ALL) > 0);
	CHECK_STR(line, "XCLIENT ADDR=192.0.2.1 NAME=c.example");
	CHECK(xforward_xclient(line, 20, &x, XFORWARD_ALL) == 0);
}

int
main(void)
{
	TEST(offered);
	TEST(formats);
	TEST(nothing_to_send);
	return UNIT_DONE();
}
