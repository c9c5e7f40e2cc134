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
	return UNIT_DONE();
}
