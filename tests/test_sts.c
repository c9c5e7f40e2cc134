/*
 * test_sts.c: MTA-STS's parsers (sts_policy.c): the TXT record and its
 * DNS answer, the policy file, mx patterns, the cache file.
 */
#include <string.h>
#include <time.h>

#include "sts_policy.h"
#include "tests/unit.h"

static int
record(const char *txt, char *id)
{
	int valid;

	if (sts_txt_record(txt, strlen(txt), id, &valid) != 1)
		return 0;		/* not an MTA-STS record */
	return valid ? 1 : -1;
}

static void
test_txt_record(void)
{
	char id[STS_ID_MAX + 1];

	CHECK(record("v=STSv1; id=20160831085700Z;", id) == 1);
	CHECK_STR(id, "20160831085700Z");
	CHECK(record("v=STSv1;id=a1", id) == 1);
	CHECK_STR(id, "a1");
	CHECK(record("v=STSv1; ext-1=x; id=b2 ;", id) == 1);
	CHECK_STR(id, "b2");
	CHECK(record("v=spf1 -all", id) == 0);
	CHECK(record("v=STSv10; id=1", id) == 0);
	CHECK(record("v=STSv1;", id) == -1);		/* no id */
	CHECK(record("v=STSv1; id=a-b", id) == -1);	/* not alphanumeric */
	CHECK(record("v=STSv1; id=123456789012345678901234567890123",
	    id) == -1);				/* 33 characters */
	CHECK(record("v=STSv1; id=", id) == -1);
	CHECK(record("v=STSv1; =x; id=1", id) == -1);
}

static unsigned char msg[1024];
static size_t mlen;

static void
put(const void *p, size_t n)
{
	memcpy(msg + mlen, p, n);
	mlen += n;
}

/* An answer to "_mta-sts.example.test TXT" with n records of one string. */
static void
answer(size_t n, const char **txt)
{
	static const unsigned char head[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0,
	    0, 0, 0, 0 };
	static const unsigned char q[] = "\x08_mta-sts\x07" "example\x04test";
	size_t i, l;
	unsigned char rr[] = { 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0 };

	mlen = 0;
	put(head, sizeof(head));
	msg[7] = (unsigned char)n;
	put(q, sizeof(q));		/* with its final 0 */
	put("\0\x10\0\x01", 4);
	for (i = 0; i < n; i++) {
		l = strlen(txt[i]);
		rr[11] = (unsigned char)(l + 1);
		put(rr, sizeof(rr));
		msg[mlen++] = (unsigned char)l;
		put(txt[i], l);
	}
}

static void
test_txt_answer(void)
{
	char id[STS_ID_MAX + 1];
	const char *one[] = { "v=spf1 -all", "v=STSv1; id=x9" };
	const char *two[] = { "v=STSv1; id=a", "v=STSv1; id=b" };
	const char *bad[] = { "v=STSv1; id=a!" };

	answer(2, one);
	CHECK(sts_txt_answer(msg, mlen, id) == 1);
	CHECK_STR(id, "x9");
	answer(2, two);				/* §3.1: two: none */
	CHECK(sts_txt_answer(msg, mlen, id) == 0);
	answer(1, bad);
	CHECK(sts_txt_answer(msg, mlen, id) == 0);
	answer(1, one);
	CHECK(sts_txt_answer(msg, mlen, id) == 0);
	answer(2, one);
	CHECK(sts_txt_answer(msg, mlen - 1, id) == -1);	/* cut short */
}

static int
parse(const char *text, struct sts_policy *p)
{
	return sts_policy_parse(text, strlen(text), p);
}

static void
test_policy(void)
{
	struct sts_policy p;

	CHECK(parse("version: STSv1\r\nmode: enforce\r\nmx: MAIL.example.com"
	    "\r\nmx: *.example.net\r\nmax_age: 604800\r\n", &p) == 0);
	CHECK(p.mode == STS_ENFORCE);
	CHECK(p.max_age == 604800);
	CHECK(p.nmx == 2);
	CHECK_STR(p.mx[0], "mail.example.com");
	CHECK_STR(p.mx[1], "*.example.net");
	CHECK(parse("version: STSv1\nmode: testing\nmx: a.test\nmax_age: "
	    "99999999999\nextra: ignored", &p) == -1);	/* 11 digits */
	CHECK(parse("version: STSv1\nmode: testing\nmx: a.test\nmax_age: "
	    "9999999999\nextra: ignored", &p) == 0);
	CHECK(p.mode == STS_TESTING && p.max_age == STS_MAX_AGE_MAX);
	CHECK(parse("version: STSv1\nmode: none\nmax_age: 1\n", &p) == 0);
	CHECK(p.mode == STS_NONE && p.nmx == 0);
	CHECK(parse("version: STSv1\nmode: enforce\nmax_age: 1\n", &p) == -1);
	CHECK(parse("version: STSv2\nmode: none\nmax_age: 1\n", &p) == -1);
	CHECK(parse("mode: none\nmax_age: 1\n", &p) == -1);
	CHECK(parse("version: STSv1\nmode: strict\nmax_age: 1\n", &p) == -1);
	CHECK(parse("version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1\n",
	    &p) == -1);
	CHECK(parse("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1\n"
	    "mode: none\n", &p) == 0);		/* the first counts */
	CHECK(p.mode == STS_ENFORCE);
	CHECK(parse("<html>hello</html>", &p) == -1);
}

static void
test_match(void)
{
	CHECK(sts_mx_match("mail.example.com", "mail.example.com"));
	CHECK(sts_mx_match("mail.example.com", "MAIL.Example.COM."));
	CHECK(!sts_mx_match("mail.example.com", "mail.example.co"));
	CHECK(!sts_mx_match("mail.example.com", "xmail.example.com"));
	CHECK(sts_mx_match("*.example.net", "mx1.example.net"));
	CHECK(sts_mx_match("*.example.net", "MX1.EXAMPLE.NET."));
	CHECK(!sts_mx_match("*.example.net", "example.net"));
	CHECK(!sts_mx_match("*.example.net", "a.b.example.net"));
	CHECK(!sts_mx_match("*.example.net", ".example.net"));
	CHECK(!sts_mx_match("*.example.net", "mx1.example.org"));
}

static void
test_cache(void)
{
	static char buf[STS_POLICY_MAX + 128];
	const char *pol = "version: STSv1\nmode: testing\nmx: a.test\n"
	    "max_age: 60\n";
	struct sts_policy p;
	char id[STS_ID_MAX + 1];
	time_t t;
	size_t n;

	n = sts_cache_format(buf, sizeof(buf), "e1", 1700000000, pol,
	    strlen(pol));
	CHECK(n > strlen(pol));
	CHECK(sts_cache_parse(buf, n, id, &t, &p) == 0);
	CHECK_STR(id, "e1");
	CHECK(t == 1700000000);
	CHECK(p.mode == STS_TESTING && p.max_age == 60);
	CHECK(sts_cache_format(buf, 20, "e1", 1, pol, strlen(pol)) == 0);
	CHECK(sts_cache_parse("samotop-sts 2\nid e1\nfetched 1\n\n", 30, id,
	    &t, &p) == -1);
	CHECK(sts_cache_parse(buf, 10, id, &t, &p) == -1);
}

int
main(void)
{
	TEST(test_txt_record);
	TEST(test_txt_answer);
	TEST(test_policy);
	TEST(test_match);
	TEST(test_cache);
	return UNIT_DONE();
}
