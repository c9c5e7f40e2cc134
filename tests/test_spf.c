/*
 * test_spf.c: what spf.c does with libspf2's strings before anybody sees
 * them (spf_sanitise, spf_fold), the outcome names, and the checks that
 * need no DNS.  The SPF results themselves are tested for real, against a
 * DNS server, in tests/dns.bats.
 */
#include <string.h>

#include "spf.h"
#include "tests/unit.h"

static void
outcome_names(void)
{
	CHECK_STR(spf_outcome_name(SPFR_PASS), "pass");
	CHECK_STR(spf_outcome_name(SPFR_FAIL), "fail");
	CHECK_STR(spf_outcome_name(SPFR_SOFTFAIL), "softfail");
	CHECK_STR(spf_outcome_name(SPFR_NEUTRAL), "neutral");
	CHECK_STR(spf_outcome_name(SPFR_NONE), "none");
	CHECK_STR(spf_outcome_name(SPFR_TEMPERROR), "temperror");
	CHECK_STR(spf_outcome_name(SPFR_PERMERROR), "permerror");
	CHECK_STR(spf_outcome_name(SPFR__COUNT), "unknown");
}

static void
sanitise(void)
{
	char out[64];

	CHECK(spf_sanitise(out, sizeof(out), "plain text") == 10);
	CHECK_STR(out, "plain text");
	/* blanks and line ends: one blank, none at the ends */
	spf_sanitise(out, sizeof(out), "  a\t\tb\r\nc \n");
	CHECK_STR(out, "a b c");
	/* header injection: the CR LF goes */
	spf_sanitise(out, sizeof(out), "x\r\nBcc: victim@example");
	CHECK_STR(out, "x Bcc: victim@example");
	/* control and 8-bit octets */
	spf_sanitise(out, sizeof(out), "a\001b\177c\xff\xc3\xa4");
	CHECK_STR(out, "a?b?c???");
	/* NULL is "" */
	CHECK(spf_sanitise(out, sizeof(out), NULL) == 0);
	CHECK_STR(out, "");
	CHECK(spf_sanitise(out, sizeof(out), " \r\n\t") == 0);
	CHECK_STR(out, "");
}

static void
sanitise_bounds(void)
{
	char out[8], big[1000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(spf_sanitise(out, sizeof(out), big) == 7);
	CHECK_STR(out, "zzzzzzz");
	/* a blank is never the last octet of a cut-short text */
	CHECK(spf_sanitise(out, sizeof(out), "abcdef ghij") == 6);
	CHECK_STR(out, "abcdef");
	CHECK(spf_sanitise(out, 1, "abc") == 0);
	CHECK_STR(out, "");
	CHECK(spf_sanitise(out, 0, "abc") == 0);
}

static void
fold_short(void)
{
	char out[128];

	CHECK(spf_fold(out, sizeof(out), "Received-SPF: pass (x) a=b;") ==
	    29);
	CHECK_STR(out, "Received-SPF: pass (x) a=b;\r\n");
}

static void
fold_long(void)
{
	const char *in = "Received-SPF: pass (mx.test: domain of pass.example "
	    "designates 192.0.2.5 as permitted sender) client-ip=192.0.2.5; "
	    "envelope-from=user@pass.example; helo=helo.example;";
	char out[SPF_HEADER_MAX];
	const char *p, *e;

	spf_fold(out, sizeof(out), in);
	CHECK_STR(out, "Received-SPF: pass (mx.test: domain of pass.example "
	    "designates 192.0.2.5 as\r\n\tpermitted sender) "
	    "client-ip=192.0.2.5; envelope-from=user@pass.example;\r\n"
	    "\thelo=helo.example;\r\n");
	/* no line longer than 78 octets */
	for (p = out; (e = strstr(p, "\r\n")) != NULL; p = e + 2)
		CHECK(e - p <= 78);
}

static void
fold_long_word(void)
{
	char in[200], out[300];

	/* a word longer than a line gets a line of its own */
	strcpy(in, "Received-SPF: none ");
	memset(in + 19, 'w', 100);
	strcpy(in + 119, " end");
	spf_fold(out, sizeof(out), in);
	CHECK(strncmp(out, "Received-SPF: none\r\n\twww", 24) == 0);
	CHECK(strcmp(out + strlen(out) - 9, "w\r\n\tend\r\n") == 0);
}

static void
fold_bounds(void)
{
	char out[24];

	/* words that do not fit are dropped, the field still ends in CRLF */
	CHECK(spf_fold(out, sizeof(out), "Received-SPF: pass one two three")
	    == 20);
	CHECK_STR(out, "Received-SPF: pass\r\n");
	/* the first word must fit with its CRLF and NUL */
	CHECK(spf_fold(out, 15, "Received-SPF: x") == 0);
	CHECK_STR(out, "");
	CHECK(spf_fold(out, 16, "Received-SPF: x") == 15);
	CHECK_STR(out, "Received-SPF:\r\n");
	CHECK(spf_fold(out, sizeof(out), "") == 0);
	CHECK_STR(out, "");
	CHECK(spf_fold(out, sizeof(out), NULL) == 0);
	CHECK(spf_fold(out, 0, "x") == 0);
}

static void
check_without_dns(void)
{
	struct spf_ctx ctx;
	struct spf_verdict v;

	spf_ctx_init(&ctx);
	/* the null sender with an address literal as HELO: none, no DNS */
	spf_check(&ctx, "192.0.2.5", "[192.0.2.5]", "", "mx.test", &v);
	CHECK(v.result == SPFR_NONE);
	CHECK_STR(v.identity, "helo");
	CHECK_STR(v.header, "Received-SPF: none (mx.test: HELO is not a "
	    "domain name) client-ip=192.0.2.5;\r\n\tidentity=helo;\r\n");
	/* a sender without a domain name: none */
	spf_check(&ctx, "192.0.2.5", "x.example", "u@[192.0.2.1]", "mx.test",
	    &v);
	CHECK(v.result == SPFR_NONE);
	CHECK_STR(v.identity, "mailfrom");
	spf_check(&ctx, "192.0.2.5", "x.example", "u@localhost", "mx.test",
	    &v);
	CHECK(v.result == SPFR_NONE);
	/* no client address (a pipe session): none */
	spf_check(&ctx, "", "x.example", "u@example.org", "mx.test", &v);
	CHECK(v.result == SPFR_NONE);
	CHECK(strncmp(v.header, "Received-SPF: none ", 19) == 0);
	/* libspf2 was never needed, nor loaded */
	CHECK(ctx.server == NULL);
	CHECK(ctx.lib.handle == NULL);
	spf_ctx_free(&ctx);
	spf_ctx_free(&ctx);
}

/* libspf2 passes a loopback client without DNS: loaded at this check. */
static void
check_loads_libspf2(void)
{
	struct spf_ctx ctx;
	struct spf_verdict v;

	spf_ctx_init(&ctx);
	spf_check(&ctx, "127.0.0.5", "x.example", "u@example.org", "mx.test",
	    &v);
	CHECK_STR(v.error, "");
	CHECK(v.result == SPFR_PASS);
	CHECK(ctx.lib.handle != NULL);
	CHECK(ctx.server != NULL);
	CHECK(strstr(v.header, "localhost is always allowed") != NULL);
	spf_ctx_free(&ctx);
	CHECK(ctx.lib.handle == NULL && ctx.server == NULL);
	spf_ctx_free(&ctx);
}

int
main(void)
{
	TEST(outcome_names);
	TEST(sanitise);
	TEST(sanitise_bounds);
	TEST(fold_short);
	TEST(fold_long);
	TEST(fold_long_word);
	TEST(fold_bounds);
	TEST(check_without_dns);
	TEST(check_loads_libspf2);
	return UNIT_DONE();
}
