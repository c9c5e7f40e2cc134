/*
 * test_dnsbl.c: the DNS block list query names (dnsbl_query_name, RFC 5782
 * §2.1 and §2.4), and the names of the rdns results.  No DNS: the lookups
 * themselves are tested for real in tests/dns.bats.
 */
#include <string.h>

#include "dnsbl.h"
#include "rdns.h"
#include "tests/unit.h"

static void
query_name(const char *ip, const char *zone, const char *want)
{
	char out[300];
	int rc;

	memset(out, 'x', sizeof(out));
	rc = dnsbl_query_name(ip, zone, out, sizeof(out));
	if (want == NULL) {
		CHECK(rc == -1);
		CHECK_STR(out, "");
	} else {
		CHECK(rc == 0);
		CHECK_STR(out, want);
	}
}

static void
ipv4(void)
{
	query_name("192.0.2.99", "zen.example", "99.2.0.192.zen.example");
	query_name("127.0.0.2", "bl.test", "2.0.0.127.bl.test");
	query_name("0.0.0.0", "bl.test", "0.0.0.0.bl.test");
	query_name("255.254.253.1", "a.b.c", "1.253.254.255.a.b.c");
	/* an absolute zone keeps its dot */
	query_name("192.0.2.1", "bl.test.", "1.2.0.192.bl.test.");
}

static void
ipv6(void)
{
	/* RFC 5782 §2.4's example */
	query_name("2001:db8:1:2:3:4:567:89ab", "ugly.example.com",
	    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2."
	    "ugly.example.com");
	query_name("::1", "bl.test",
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "bl.test");
	/* upper-case hex in, lower-case nibbles out */
	query_name("2001:DB8::ABCD", "bl.test",
	    "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "bl.test");
}

static void
ipv4_mapped_is_ipv4(void)
{
	query_name("::ffff:192.0.2.5", "bl.test", "5.2.0.192.bl.test");
	query_name("::FFFF:127.0.0.2", "bl.test", "2.0.0.127.bl.test");
}

static void
bad_addresses(void)
{
	query_name("", "bl.test", NULL);
	query_name("192.0.2", "bl.test", NULL);
	query_name("192.0.2.256", "bl.test", NULL);
	query_name("192.0.2.1 ", "bl.test", NULL);
	query_name("host.example", "bl.test", NULL);
	query_name("2001:db8::1::2", "bl.test", NULL);
	query_name("[192.0.2.1]", "bl.test", NULL);
	query_name("fe80::1%eth0", "bl.test", NULL);
}

static void
bad_zones(void)
{
	char big[300];

	query_name("192.0.2.1", "", NULL);
	query_name("192.0.2.1", ".bl.test", NULL);
	query_name("192.0.2.1", "bl..test", NULL);
	query_name("192.0.2.1", "bl test", NULL);
	query_name("192.0.2.1", "bl.test\n", NULL);
	query_name("192.0.2.1", "bl/test", NULL);
	/* a label longer than 63 octets */
	memset(big, 'a', 64);
	strcpy(big + 64, ".test");
	query_name("192.0.2.1", big, NULL);
	/* a name longer than 253 octets */
	memset(big, 0, sizeof(big));
	while (strlen(big) < 250)
		strcat(big, "abcdefghi.");
	strcat(big, "test");
	query_name("192.0.2.1", big, NULL);
	CHECK(dnsbl_query_name("192.0.2.1", NULL, big, sizeof(big)) == -1);
	CHECK(dnsbl_query_name(NULL, "bl.test", big, sizeof(big)) == -1);
}

static void
output_too_small(void)
{
	char out[64];

	/* "1.2.0.192.bl.test" is 17 octets: it needs 18 */
	CHECK(dnsbl_query_name("192.0.2.1", "bl.test", out, 17) == -1);
	CHECK_STR(out, "");
	CHECK(dnsbl_query_name("192.0.2.1", "bl.test", out, 18) == 0);
	CHECK_STR(out, "1.2.0.192.bl.test");
	/* an IPv6 name is 64 octets before the zone */
	CHECK(dnsbl_query_name("2001:db8::1", "t", out, sizeof(out)) == -1);
	CHECK(dnsbl_query_name("2001:db8::1", "t", out, 0) == -1);
}

static void
check_without_a_name(void)
{
	char reason[16] = "junk";

	/* no valid query name: no DNS query, not listed, reason "" */
	CHECK(dnsbl_check("not an address", "bl.test", reason,
	    sizeof(reason)) == DNSBL_NOT_LISTED);
	CHECK_STR(reason, "");
}

static void
rdns_names(void)
{
	CHECK_STR(rdns_result_name(RDNS_PASS), "pass");
	CHECK_STR(rdns_result_name(RDNS_NONE), "none");
	CHECK_STR(rdns_result_name(RDNS_MISMATCH), "mismatch");
	CHECK_STR(rdns_result_name(RDNS_TEMPERROR), "temperror");
}

static void
rdns_without_an_address(void)
{
	char name[16] = "junk";

	CHECK(rdns_check("", name, sizeof(name)) == RDNS_NONE);
	CHECK_STR(name, "");
	CHECK(rdns_check("no.address", name, sizeof(name)) == RDNS_NONE);
	CHECK_STR(name, "");
}

/*
 * A reply to "2.0.0.127.bl.test": the question, then n answers, each a
 * name pointer to the question, type (1: A, 16: TXT; the last answer's
 * type is asked) and rdata[i] (rdlen[i] octets).
 */
static size_t
reply(unsigned char *m, const unsigned *type, int n,
    const unsigned char **rdata, const unsigned *rdlen)
{
	static const unsigned char q[] = "\0012\0010\0010\003127\002bl"
	    "\004test";
	size_t len = 12;
	int i;

	memset(m, 0, 12);
	m[2] = 0x81;			/* a response */
	m[5] = 1;			/* one question */
	m[7] = (unsigned char)n;	/* n answers */
	memcpy(m + len, q, sizeof(q));	/* with its final root label */
	len += sizeof(q);
	m[len++] = 0, m[len++] = (unsigned char)type[n > 0 ? n - 1 : 0];
	m[len++] = 0, m[len++] = 1;
	for (i = 0; i < n; i++) {
		m[len++] = 0xc0, m[len++] = 12;
		m[len++] = 0, m[len++] = (unsigned char)type[i];
		m[len++] = 0, m[len++] = 1;		/* IN */
		memset(m + len, 0, 4), len += 4;	/* TTL */
		m[len++] = 0, m[len++] = (unsigned char)rdlen[i];
		memcpy(m + len, rdata[i], rdlen[i]);
		len += rdlen[i];
	}
	return len;
}

static void
parse_a(void)
{
	unsigned char m[512];
	const unsigned char listed[] = { 127, 0, 0, 2 }, other[] = { 10, 0, 0,
	    2 }, refused[] = { 127, 255, 255, 254 };
	const unsigned char *rd[2] = { other, listed };
	unsigned four[2] = { 4, 4 }, three[1] = { 3 }, a[2] = { 1, 1 };
	size_t len;

	len = reply(m, a, 2, rd, four);
	CHECK(dnsbl_parse_a(m, len) == DNSBL_LISTED);
	/* cut anywhere inside the answers: it does not parse */
	CHECK(dnsbl_parse_a(m, len - 1) == DNSBL_TEMPERROR);
	CHECK(dnsbl_parse_a(m, 11) == DNSBL_TEMPERROR);
	CHECK(dnsbl_parse_a(m, 0) == DNSBL_TEMPERROR);
	len = reply(m, a, 1, rd, four);
	CHECK(dnsbl_parse_a(m, len) == DNSBL_NOT_LISTED);
	rd[0] = refused;
	len = reply(m, a, 1, rd, four);
	CHECK(dnsbl_parse_a(m, len) == DNSBL_TEMPERROR);
	/* an A of three octets is no address */
	rd[0] = listed;
	len = reply(m, a, 1, rd, three);
	CHECK(dnsbl_parse_a(m, len) == DNSBL_NOT_LISTED);
	len = reply(m, a, 0, rd, four);
	CHECK(dnsbl_parse_a(m, len) == DNSBL_NOT_LISTED);
}

static void
parse_txt(void)
{
	unsigned char m[512];
	/* "Spam " "at", then a string that claims more than there is */
	const unsigned char txt[] = { 5, 'S', 'p', 'a', 'm', ' ', 2, 'a', 't',
	    9, '\r', '\n' }, a[] = { 127, 0, 0, 2 };
	const unsigned char *rd[2] = { a, txt };
	unsigned types[2] = { 1, 16 }, lens[2] = { 4, sizeof(txt) };
	char reason[16];
	size_t len;

	len = reply(m, types, 2, rd, lens);
	CHECK(dnsbl_parse_txt(m, len, reason, sizeof(reason)) == 0);
	CHECK_STR(reason, "Spam at??");
	CHECK(dnsbl_parse_txt(m, len, reason, 4) == 0);
	CHECK_STR(reason, "Spa");
	CHECK(dnsbl_parse_txt(m, len, reason, 0) == 0);
	CHECK(dnsbl_parse_txt(m, 5, reason, sizeof(reason)) == -1);
	CHECK_STR(reason, "");
}

int
main(void)
{
	TEST(ipv4);
	TEST(ipv6);
	TEST(ipv4_mapped_is_ipv4);
	TEST(bad_addresses);
	TEST(bad_zones);
	TEST(output_too_small);
	TEST(check_without_a_name);
	TEST(rdns_names);
	TEST(rdns_without_an_address);
	TEST(parse_a);
	TEST(parse_txt);
	return UNIT_DONE();
}
