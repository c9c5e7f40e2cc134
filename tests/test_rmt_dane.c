/*
 * test_rmt_dane.c: which TLSA records samotop-remote uses for DANE
 * (rmt_dane.c, RFC 7672 3.1): DANE-TA(2) and DANE-EE(3) with a known
 * selector and matching type of the right length; never PKIX-TA(0) or
 * PKIX-EE(1); a record too long to keep is told apart.
 */
#include <string.h>

#include "rmt_dane.h"
#include "tests/unit.h"

static unsigned char rd[3 + RMT_DANE_DATA_MAX + 1];

/* rdata usage selector mtype and n octets of data 0xab; its length. */
static size_t
record(unsigned u, unsigned s, unsigned m, size_t n)
{
	rd[0] = (unsigned char)u;
	rd[1] = (unsigned char)s;
	rd[2] = (unsigned char)m;
	memset(rd + 3, 0xab, n);
	return 3 + n;
}

static void
usable(void)
{
	struct rmt_tlsa t;
	size_t n;

	n = record(3, 1, 1, 32);
	CHECK(rmt_dane_tlsa_parse(rd, n, &t) == 1);
	CHECK(t.usage == 3 && t.selector == 1 && t.mtype == 1);
	CHECK(t.len == 32 && t.data[0] == 0xab && t.data[31] == 0xab);
	CHECK(rmt_dane_tlsa_parse(rd, record(2, 0, 2, 64), &t) == 1);
	CHECK(t.usage == 2 && t.mtype == 2 && t.len == 64);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 0, 0, 300), &t) == 1);
	CHECK(t.len == 300);
}

static void
unusable(void)
{
	struct rmt_tlsa t;

	/* PKIX-TA, PKIX-EE: RFC 7672 3.1.3 */
	CHECK(rmt_dane_tlsa_parse(rd, record(0, 1, 1, 32), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, record(1, 1, 1, 32), &t) == 0);
	/* an unknown usage, selector or matching type */
	CHECK(rmt_dane_tlsa_parse(rd, record(4, 1, 1, 32), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 2, 1, 32), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 1, 3, 32), &t) == 0);
	/* a digest of the wrong length, no data, not even a header */
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 1, 1, 31), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 1, 2, 32), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 1, 0, 0), &t) == 0);
	CHECK(rmt_dane_tlsa_parse(rd, 2, &t) == 0);
}

static void
too_long(void)
{
	struct rmt_tlsa t;

	CHECK(rmt_dane_tlsa_parse(rd, record(3, 0, 0, RMT_DANE_DATA_MAX),
	    &t) == 1);
	CHECK(rmt_dane_tlsa_parse(rd, record(3, 0, 0, RMT_DANE_DATA_MAX + 1),
	    &t) == -1);
}

static void
usage_names(void)
{
	CHECK_STR(rmt_dane_usage_name(3), "DANE-EE");
	CHECK_STR(rmt_dane_usage_name(2), "DANE-TA");
	CHECK_STR(rmt_dane_usage_name(1), "PKIX-EE");
	CHECK_STR(rmt_dane_usage_name(0), "PKIX-TA");
	CHECK_STR(rmt_dane_usage_name(255), "?");
}

int
main(void)
{
	TEST(usable);
	TEST(unusable);
	TEST(too_long);
	TEST(usage_names);
	return UNIT_DONE();
}
