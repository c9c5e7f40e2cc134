/*
 * test_scr_dane.c: scr_dane_text()'s lines for the web page, and the
 * checks scr_dane_check() makes before it asks DNS (tests/dane.bats asks
 * a real validating resolver).
 */
#include <stdio.h>
#include <string.h>

#include "scr_dane.h"
#include "unboundlib.h"
#include "unit.h"

static struct scr_dane
dane(int dnssec, int tlsa, int bogus, const char *mx, const char *why)
{
	struct scr_dane d;

	memset(&d, 0, sizeof(d));
	d.dnssec = dnssec;
	d.tlsa = tlsa;
	d.bogus = bogus;
	snprintf(d.mx, sizeof(d.mx), "%s", mx);
	snprintf(d.why, sizeof(d.why), "%s", why);
	return d;
}

static const char *
text(struct scr_dane d)
{
	static char buf[600];

	scr_dane_text(&d, buf, sizeof(buf));
	return buf;
}

static void
text_signed(void)
{
	CHECK_STR(text(dane(1, 1, 0, "mx.example.org", "")),
	    "DNSSEC: signed; DANE: TLSA for mx.example.org");
	CHECK_STR(text(dane(1, 0, 0, "mx.example.org", "")),
	    "DNSSEC: signed; DANE: no TLSA for mx.example.org");
	CHECK_STR(text(dane(1, 0, 0, "mx.example.org", "_25._tcp.mx."
	    "example.org: TLSA not signed")), "DNSSEC: signed; DANE: no TLSA "
	    "for mx.example.org (_25._tcp.mx.example.org: TLSA not signed)");
	CHECK_STR(text(dane(1, 0, 0, "", "null MX: example.org accepts "
	    "no mail")), "DNSSEC: signed; DANE: no mail host (null MX: "
	    "example.org accepts no mail)");
	CHECK_STR(text(dane(1, -1, 1, "mx.example.org", "bad sig")),
	    "DNSSEC: signed; DANE: bogus TLSA for mx.example.org (bad sig)");
	CHECK_STR(text(dane(1, -1, 0, "mx.example.org", "timeout")),
	    "DNSSEC: signed; DANE: unknown for mx.example.org (timeout)");
}

static void
text_unsigned_bogus_unknown(void)
{
	/* an unsigned domain's TLSA proves nothing: not mentioned */
	CHECK_STR(text(dane(0, 0, 0, "mx.example.org", "")),
	    "DNSSEC: not signed");
	CHECK_STR(text(dane(-1, -1, 1, "", "signature expired")),
	    "DNSSEC: bogus (signature expired)");
	CHECK_STR(text(dane(-1, -1, 0, "", "example.org: lookup failed: "
	    "SERVFAIL")), "DNSSEC: unknown (example.org: lookup failed: "
	    "SERVFAIL)");
	CHECK_STR(text(dane(-1, -1, 0, "", "")), "DNSSEC: unknown");
}

static void
text_truncated(void)
{
	struct scr_dane d = dane(1, 1, 0, "mx.example.org", "");
	char buf[16];

	scr_dane_text(&d, buf, sizeof(buf));
	CHECK_STR(buf, "DNSSEC: signed;");
}

/* Refused before libunbound is loaded or DNS asked. */
static void
check_refuses(void)
{
	struct unboundlib lib = { 0 };
	struct scr_dane_conf dc = { 0 };
	struct scr_dane d;
	char why[256], name[300];
	static const char *bad[] = { "", ".", "a..b", "exa mple.org",
	    "bücher.example", "-\n.org", "a.b/c" };
	size_t i;

	dc.lib = &lib;
	dc.trust_anchor = "/nonexistent/root.key";
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(scr_dane_check(&dc, bad[i], &d, why, sizeof(why)) == -1);
		CHECK_STR(why, "not an ASCII domain name");
		CHECK(d.dnssec == -1 && d.tlsa == -1 && d.mx[0] == '\0');
		CHECK_STR(d.why, why);
	}
	memset(name, 'a', 64);
	snprintf(name + 64, sizeof(name) - 64, ".org");
	CHECK(scr_dane_check(&dc, name, &d, why, sizeof(why)) == -1);
	CHECK_STR(why, "not an ASCII domain name");
	/* a good name: then the anchor is looked at, still no DNS */
	CHECK(scr_dane_check(&dc, "Example.ORG.", &d, why,
	    sizeof(why)) == -1);
	CHECK_STR(why, "trust anchor /nonexistent/root.key: "
	    "No such file or directory");
	CHECK(lib.handle == NULL);
	dc.trust_anchor = "/dev/null";
	CHECK(scr_dane_check(&dc, "example.org", &d, why, sizeof(why)) == -1);
	CHECK_STR(why, "trust anchor /dev/null: no DS or DNSKEY record");
	CHECK(lib.handle == NULL);
}

int
main(void)
{
	TEST(text_signed);
	TEST(text_unsigned_bogus_unknown);
	TEST(text_truncated);
	TEST(check_refuses);
	return UNIT_DONE();
}
