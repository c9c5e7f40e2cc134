/*
 * test_rmt_mx.c: samotop-remote's DNS answer parsing and MX order
 * (rmt_mx.c), on answers built here octet by octet.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <string.h>

#include "rmt_mx.h"
#include "tests/unit.h"

static unsigned char msg[2048];
static size_t mlen;

static void
put16(unsigned v)
{
	msg[mlen++] = (unsigned char)(v >> 8);
	msg[mlen++] = (unsigned char)v;
}

/* A name in wire form, uncompressed ("" is the root). */
static void
put_name(const char *name)
{
	const char *dot;
	size_t l;

	while (*name != '\0') {
		dot = strchr(name, '.');
		l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		msg[mlen++] = (unsigned char)l;
		memcpy(msg + mlen, name, l);
		mlen += l;
		name += l + (dot != NULL);
	}
	msg[mlen++] = 0;
}

/* The header and the question; an answer count of an. */
static void
start(const char *qname, unsigned qtype, unsigned an)
{
	mlen = 0;
	put16(0x1234);
	put16(0x8180);
	put16(1);
	put16(an);
	put16(0);
	put16(0);
	put_name(qname);
	put16(qtype);
	put16(1);
}

/* An answer record's fixed part, the owner compressed to the question. */
static void
rr(unsigned type, unsigned rdlen)
{
	put16(0xc00c);
	put16(type);
	put16(1);
	put16(0);
	put16(60);
	put16(rdlen);
}

static void
mx(unsigned pref, const char *name)
{
	size_t l = strlen(name);

	rr(15, 2 + (l ? l + 2 : 1));
	put16(pref);
	put_name(name);
}

static void
parse_mx_records(void)
{
	struct rmt_mx_rr r[4];
	size_t n;

	start("example.test", 15, 3);
	mx(20, "b.example.test");
	mx(10, "a.example.test");
	/* a compressed exchange: "mx" then a pointer to example.test */
	rr(15, 2 + 3 + 2);
	put16(30);
	msg[mlen++] = 2;
	msg[mlen++] = 'm';
	msg[mlen++] = 'x';
	put16(0xc00c);
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == 0);
	CHECK(n == 3);
	CHECK(r[0].pref == 20);
	CHECK_STR(r[0].name, "b.example.test");
	CHECK_STR(r[2].name, "mx.example.test");
	/* more records than room: the first ones, no failure */
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 2, &n) == 0 && n == 2);
	/* cut short anywhere: a failure, never an over-read */
	while (--mlen > 0)
		CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == -1);
}

static void
null_mx(void)
{
	struct rmt_mx_rr r[4];
	size_t n;

	start("null.test", 15, 1);
	mx(0, "");
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == 0 && n == 1);
	CHECK_STR(r[0].name, "");
	CHECK(rmt_mx_is_null(r, n));
	start("null.test", 15, 2);
	mx(0, "");
	mx(10, "mx.null.test");
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == 0 && n == 2);
	CHECK(!rmt_mx_is_null(r, n));
}

static void
bad_rdata(void)
{
	struct rmt_mx_rr r[4];
	struct rmt_addr a[4];
	size_t n = 0;

	/* the exchange name runs past its RDLENGTH */
	start("x.test", 15, 1);
	rr(15, 4);
	put16(10);
	put_name("mx.x.test");
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == -1);
	/* an A record of 5 octets */
	start("x.test", 1, 1);
	rr(1, 5);
	put16(0x7f00);
	put16(0x0001);
	msg[mlen++] = 0;
	CHECK(rmt_mx_parse_addr(msg, mlen, AF_INET, a, 4, &n) == -1);
	/* an exchange name that points at itself */
	start("x.test", 15, 1);
	rr(15, 4);
	put16(10);
	put16(0xc000 | (unsigned)mlen);
	CHECK(rmt_mx_parse_mx(msg, mlen, r, 4, &n) == -1);
}

static void
addresses(void)
{
	struct rmt_addr a[3];
	char buf[64];
	size_t n = 0;

	start("mx.test", 1, 3);
	rr(1, 4);
	put16(0x7f00);
	put16(0x0015);
	rr(5, 2);			/* a CNAME-ish record: skipped */
	put16(0xc00c);
	rr(1, 4);
	put16(0xc000);
	put16(0x0201);
	CHECK(rmt_mx_parse_addr(msg, mlen, AF_INET, a, 3, &n) == 0);
	CHECK(n == 2);
	CHECK_STR(rmt_addr_str(&a[0], buf, sizeof(buf)), "127.0.0.21");
	CHECK_STR(rmt_addr_str(&a[1], buf, sizeof(buf)), "192.0.2.1");

	start("mx.test", 28, 1);
	rr(28, 16);
	put16(0x2001);
	put16(0x0db8);
	memset(msg + mlen, 0, 11);
	mlen += 11;
	msg[mlen++] = 1;
	CHECK(rmt_mx_parse_addr(msg, mlen, AF_INET6, a, 3, &n) == 0);
	CHECK(n == 3);			/* appended */
	CHECK_STR(rmt_addr_str(&a[2], buf, sizeof(buf)), "2001:db8::1");
	/* full: the rest left out */
	CHECK(rmt_mx_parse_addr(msg, mlen, AF_INET6, a, 3, &n) == 0 &&
	    n == 3);
}

static unsigned seq;

static unsigned
rnd_seq(void *arg)
{
	(void)arg;
	return seq++;
}

static void
order(void)
{
	struct rmt_mx_rr r[5] = {
		{ 20, "c" }, { 10, "a" }, { 30, "e" }, { 10, "b" }, { 20, "d" }
	};
	int seen_ab = 0, seen_ba = 0, i;

	for (i = 0; i < 8; i++) {
		seq = (unsigned)i;
		rmt_mx_order(r, 5, rnd_seq, NULL);
		CHECK(r[0].pref == 10 && r[1].pref == 10);
		CHECK(r[2].pref == 20 && r[3].pref == 20);
		CHECK(r[4].pref == 30 && strcmp(r[4].name, "e") == 0);
		if (strcmp(r[0].name, "a") == 0)
			seen_ab = 1;
		else
			seen_ba = 1;
	}
	/* equal preferences do come in either order */
	CHECK(seen_ab && seen_ba);
}

static void
cut_self(void)
{
	struct rmt_mx_rr r[4] = {
		{ 10, "a.test" }, { 20, "b.test" }, { 20, "Self.Test" },
		{ 30, "c.test" }
	};
	size_t n = 4;

	CHECK(rmt_mx_cut_self(r, &n, "nobody.test") == 0 && n == 4);
	CHECK(rmt_mx_cut_self(r, &n, NULL) == 0 && n == 4);
	/* self and all of its preference or worse go */
	CHECK(rmt_mx_cut_self(r, &n, "self.test") == 0 && n == 1);
	CHECK_STR(r[0].name, "a.test");
	/* self the best: a loop */
	n = 4;
	CHECK(rmt_mx_cut_self(r, &n, "A.TEST") == 1 && n == 0);
}

int
main(void)
{
	TEST(parse_mx_records);
	TEST(null_mx);
	TEST(bad_rdata);
	TEST(addresses);
	TEST(order);
	TEST(cut_self);
	return UNIT_DONE();
}
