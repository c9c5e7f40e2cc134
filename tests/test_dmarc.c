/*
 * test_dmarc.c: DMARC verdicts (dmarc.h) from records given as strings
 * (no DNS), the Public Suffix List from Debian's publicsuffix package.
 */
#include <string.h>

#include "dmarc.h"
#include "unit.h"

/* The records "published" for a test: domain -> TXT text. */
struct zone {
	const char	*domain;
	const char	*txt;		/* NULL: a temporary failure */
};

static const struct zone *zone;
static int lookups;

static enum dmarc_lookup
lookup(void *arg, const char *domain, char *record, size_t size)
{
	const struct zone *z;

	(void)arg;
	lookups++;
	for (z = zone; z != NULL && z->domain != NULL; z++) {
		if (strcmp(z->domain, domain) != 0)
			continue;
		if (z->txt == NULL)
			return DMARC_LOOKUP_TEMPFAIL;
		snprintf(record, size, "%s", z->txt);
		return DMARC_LOOKUP_FOUND;
	}
	return DMARC_LOOKUP_NONE;
}

static struct dmarc_evaluator ev;

/* Evaluate with one SPF result and up to one DKIM signature. */
static void
run(const struct zone *z, const char *const *from, size_t nfrom,
    enum spf_outcome spf, const char *spfdom, enum dkim_res dres,
    const char *d, unsigned int random, struct dmarc_result *r)
{
	struct dkim_sigres sig;
	struct dmarc_input in;

	memset(&sig, 0, sizeof(sig));
	sig.res = dres;
	if (d != NULL)
		snprintf(sig.domain, sizeof(sig.domain), "%s", d);
	memset(&in, 0, sizeof(in));
	in.from = from;
	in.nfrom = nfrom;
	in.spf = spf;
	in.spf_domain = spfdom;
	in.dkim = &sig;
	in.ndkim = d != NULL ? 1 : 0;
	in.lookup = lookup;
	in.random = random;
	zone = z;
	lookups = 0;
	dmarc_evaluate(&ev, &in, r);
}

static const char *from_org[] = { "example.org" };

static const struct zone reject_org[] = {
	{ "example.org", "v=DMARC1; p=reject" },
	{ NULL, NULL }
};

static void
spf_aligned_pass(void)
{
	struct dmarc_result r;

	run(reject_org, from_org, 1, SPFR_PASS, "example.org", DKIM_RES_NONE,
	    NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PASS);
	CHECK(r.aligned == DMARC_ALIGN_SPF);
	CHECK(r.disposition == DMARC_POL_NONE);
	CHECK(r.p == DMARC_POL_REJECT);
	CHECK_STR(r.from, "example.org");
	CHECK_STR(r.policy_domain, "example.org");
	CHECK_STR(dmarc_res_name(r.res), "pass");
	/* Relaxed SPF alignment: a bounce address at a subdomain. */
	run(reject_org, from_org, 1, SPFR_PASS, "bounce.example.org",
	    DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PASS);
	CHECK(r.aspf == 'r');
	/* SPF softfail is no pass. */
	run(reject_org, from_org, 1, SPFR_SOFTFAIL, "example.org",
	    DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
}

static void
dkim_relaxed_pass(void)
{
	struct dmarc_result r;

	run(reject_org, from_org, 1, SPFR_NONE, NULL, DKIM_RES_PASS,
	    "mail.example.org", 0, &r);
	CHECK(r.res == DMARC_RES_PASS);
	CHECK(r.aligned == DMARC_ALIGN_DKIM);
	CHECK(r.adkim == 'r');
	CHECK(r.why == NULL);
	/* The same d= but the signature failed. */
	run(reject_org, from_org, 1, SPFR_NONE, NULL, DKIM_RES_FAIL,
	    "mail.example.org", 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.disposition == DMARC_POL_REJECT);
}

static void
dkim_strict_subdomain_fails(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=reject; adkim=s; aspf=s" },
		{ NULL, NULL }
	};
	struct dmarc_result r;

	/* libopendmarc 1.4.2's own verdict would be pass here. */
	run(z, from_org, 1, SPFR_PASS, "bounce.example.org", DKIM_RES_PASS,
	    "mail.example.org", 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.adkim == 's' && r.aspf == 's');
	CHECK(r.disposition == DMARC_POL_REJECT);
	run(z, from_org, 1, SPFR_NONE, NULL, DKIM_RES_PASS, "EXAMPLE.org.",
	    0, &r);
	CHECK(r.res == DMARC_RES_PASS);
}

static void
public_suffix_never_aligns(void)
{
	struct dmarc_result r;

	/* 1.4.2 would align d=org with example.org in relaxed mode. */
	run(reject_org, from_org, 1, SPFR_PASS, "org", DKIM_RES_PASS, "org",
	    0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.aligned == 0);
}

static void
no_alignment_reject(void)
{
	struct dmarc_result r;

	run(reject_org, from_org, 1, SPFR_PASS, "spammer.test", DKIM_RES_PASS,
	    "spammer.test", 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.disposition == DMARC_POL_REJECT);
	CHECK(r.applied == DMARC_POL_REJECT);
	CHECK(!r.used_sp && !r.sampled_out);
	CHECK_STR(dmarc_res_name(r.res), "fail");
	CHECK_STR(dmarc_policy_name(r.disposition), "reject");
}

static void
quarantine(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=quarantine; rua=mailto:d@example.org" },
		{ NULL, NULL }
	};
	struct dmarc_result r;

	run(z, from_org, 1, SPFR_FAIL, "example.org", DKIM_RES_NONE, NULL, 0,
	    &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.disposition == DMARC_POL_QUARANTINE);
}

static void
subdomain_policy(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=none; sp=reject" },
		{ NULL, NULL }
	};
	static const char *sub[] = { "news.example.org" };
	struct dmarc_result r;

	run(z, sub, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.used_sp);
	CHECK(r.p == DMARC_POL_NONE && r.sp == DMARC_POL_REJECT);
	CHECK(r.applied == DMARC_POL_REJECT);
	CHECK(r.disposition == DMARC_POL_REJECT);
	CHECK_STR(r.from, "news.example.org");
	CHECK_STR(r.policy_domain, "example.org");
	CHECK(lookups == 2);
	/* The organizational domain itself: p= */
	run(z, from_org, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL && !r.used_sp);
	CHECK(r.disposition == DMARC_POL_NONE);
	CHECK(lookups == 1);
	/* Without sp=, p= applies to subdomains. */
	run(reject_org, sub, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.disposition == DMARC_POL_REJECT && !r.used_sp);
}

static void
pct_sampling(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=reject; pct=50" },
		{ "example.net", "v=DMARC1; p=quarantine; pct=50" },
		{ NULL, NULL }
	};
	static const char *net[] = { "example.net" };
	struct dmarc_result r;

	run(z, from_org, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 49, &r);
	CHECK(r.res == DMARC_RES_FAIL && r.pct == 50);
	CHECK(r.disposition == DMARC_POL_REJECT && !r.sampled_out);
	run(z, from_org, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 50, &r);
	CHECK(r.res == DMARC_RES_FAIL && r.sampled_out);
	CHECK(r.disposition == DMARC_POL_QUARANTINE);
	run(z, net, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 99, &r);
	CHECK(r.disposition == DMARC_POL_NONE && r.sampled_out);
	/* A pass is a pass whatever the sample. */
	run(z, from_org, 1, SPFR_PASS, "example.org", DKIM_RES_NONE, NULL,
	    99, &r);
	CHECK(r.res == DMARC_RES_PASS && !r.sampled_out);
}

static void
no_record(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=spf1 -all" },	/* not DMARC */
		{ NULL, NULL }
	};
	static const char *sub[] = { "a.example.org" };
	struct dmarc_result r;

	run(z, sub, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_NONE);
	CHECK(r.disposition == DMARC_POL_NONE);
	CHECK(lookups == 2);
	CHECK_STR(dmarc_res_name(r.res), "none");
}

static void
temporary_failure(void)
{
	static const struct zone z[] = {
		{ "example.org", NULL },
		{ NULL, NULL }
	};
	static const char *sub[] = { "a.example.org" };
	struct dmarc_result r;

	run(z, sub, 1, SPFR_PASS, "a.example.org", DKIM_RES_NONE, NULL, 0,
	    &r);
	CHECK(r.res == DMARC_RES_TEMPERROR);
	CHECK_STR(dmarc_res_name(r.res), "temperror");
}

static void
malformed_record(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=bogus" },
		{ "example.net", "v=DMARC1; p=reject; pct=200" },
		{ "example.com", "v=DMARC1; rua=mailto:x@example.com" },
		{ NULL, NULL }
	};
	static const char *net[] = { "example.net" };
	static const char *com[] = { "example.com" };
	struct dmarc_result r;

	run(z, from_org, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PERMERROR);
	CHECK(r.disposition == DMARC_POL_NONE);
	CHECK(r.why != NULL);
	/* 1.4.2 keeps p=reject from before the bad pct=: still permerror. */
	run(z, net, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PERMERROR);
	CHECK(r.disposition == DMARC_POL_NONE);
	run(z, com, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PERMERROR);
}

static void
organizational_domain_psl(void)
{
	static const struct zone z[] = {
		{ "example.co.uk", "v=DMARC1; p=reject; sp=quarantine" },
		{ "co.uk", "v=DMARC1; p=none" },	/* never asked */
		{ NULL, NULL }
	};
	static const char *deep[] = { "a.b.example.co.uk" };
	struct dmarc_result r;

	run(z, deep, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK_STR(r.policy_domain, "example.co.uk");
	CHECK(r.used_sp && r.disposition == DMARC_POL_QUARANTINE);
	/* Relaxed: another subdomain of the same organizational domain. */
	run(z, deep, 1, SPFR_NONE, NULL, DKIM_RES_PASS, "mail.example.co.uk",
	    0, &r);
	CHECK(r.res == DMARC_RES_PASS);
	/* ... but not a sibling under the public suffix. */
	run(z, deep, 1, SPFR_PASS, "other.co.uk", DKIM_RES_PASS, "co.uk", 0,
	    &r);
	CHECK(r.res == DMARC_RES_FAIL);
}

static void
unknown_tld_default_rule(void)
{
	static const struct zone z[] = {
		{ "b.test", "v=DMARC1; p=reject" },
		{ NULL, NULL }
	};
	static const char *deep[] = { "a.b.test" };
	struct dmarc_result r;

	/* "test" is in no list: the PSL's default rule makes b.test. */
	run(z, deep, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK_STR(r.policy_domain, "b.test");
	run(z, deep, 1, SPFR_PASS, "mail.b.test", DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PASS && r.aligned == DMARC_ALIGN_SPF);
	run(z, deep, 1, SPFR_PASS, "c.test", DKIM_RES_PASS, "test", 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
}

static void
several_from_domains(void)
{
	static const struct zone z[] = {
		{ "example.org", "v=DMARC1; p=reject" },
		{ "example.net", "v=DMARC1; p=none" },
		{ "example.com", NULL },
		{ NULL, NULL }
	};
	static const char *same[] = { "example.org", "EXAMPLE.ORG" };
	static const char *two[] = { "example.net", "example.org" };
	static const char *tmp[] = { "example.net", "example.com" };
	struct dmarc_result r;

	/* One domain twice: evaluated once. */
	run(z, same, 2, SPFR_PASS, "example.org", DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PASS && lookups == 1);
	/* The strictest: example.org's reject, though example.net passes. */
	run(z, two, 2, SPFR_PASS, "example.net", DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_FAIL);
	CHECK(r.disposition == DMARC_POL_REJECT);
	CHECK_STR(r.from, "example.org");
	/* Both aligned: pass. */
	run(z, two, 2, SPFR_PASS, "example.net", DKIM_RES_PASS, "example.org",
	    0, &r);
	CHECK(r.res == DMARC_RES_PASS);
	/* A failed lookup outweighs a fail with p=none. */
	run(z, tmp, 2, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_TEMPERROR);
}

static void
no_from_domain(void)
{
	static const char *bad[] = { "exa mple.org" };
	static const char *empty[] = { "" };
	struct dmarc_result r;

	run(reject_org, NULL, 0, SPFR_PASS, "example.org", DKIM_RES_NONE,
	    NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PERMERROR);
	CHECK(r.disposition == DMARC_POL_NONE);
	CHECK(lookups == 0);
	run(reject_org, bad, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0, &r);
	CHECK(r.res == DMARC_RES_PERMERROR && lookups == 0);
	run(reject_org, empty, 1, SPFR_NONE, NULL, DKIM_RES_NONE, NULL, 0,
	    &r);
	CHECK(r.res == DMARC_RES_PERMERROR);
}

static void
helpers(void)
{
	CHECK(dmarc_same_domain("Example.ORG.", "example.org"));
	CHECK(!dmarc_same_domain("example.org", "xexample.org"));
	CHECK(!dmarc_same_domain("", ""));
	CHECK(dmarc_record_v1("v=DMARC1; p=none"));
	CHECK(dmarc_record_v1(" v = DMARC1 ;p=none"));
	CHECK(dmarc_record_v1("v=DMARC1"));
	CHECK(!dmarc_record_v1("v=DMARC10; p=none"));
	CHECK(!dmarc_record_v1("p=none; v=DMARC1"));
	CHECK(!dmarc_record_v1("v=dmarc1; p=none"));
}

static void
psl_missing(void)
{
	struct dmarc_evaluator e;
	struct dmarc_result r;
	struct dmarc_input in;
	char why[256];

	memset(&e, 0, sizeof(e));
	CHECK(dmarc_open(&e, "/nonexistent/psl.dat", why, sizeof(why)) == -1);
	CHECK(strstr(why, "/nonexistent/psl.dat") != NULL);
	memset(&in, 0, sizeof(in));
	in.from = from_org;
	in.nfrom = 1;
	dmarc_evaluate(&e, &in, &r);
	CHECK(r.res == DMARC_RES_TEMPERROR);
	dmarc_close(&e);
}

int
main(void)
{
	char why[256];

	TEST(helpers);
	TEST(psl_missing);
	if (dmarc_open(&ev, NULL, why, sizeof(why)) == -1) {
		printf("Bail out! %s\n", why);
		return 1;
	}
	CHECK(dmarc_open(&ev, NULL, why, sizeof(why)) == 0);
	TEST(spf_aligned_pass);
	TEST(dkim_relaxed_pass);
	TEST(dkim_strict_subdomain_fails);
	TEST(public_suffix_never_aligns);
	TEST(no_alignment_reject);
	TEST(quarantine);
	TEST(subdomain_policy);
	TEST(pct_sampling);
	TEST(no_record);
	TEST(temporary_failure);
	TEST(malformed_record);
	TEST(organizational_domain_psl);
	TEST(unknown_tld_default_rule);
	TEST(several_from_domains);
	TEST(no_from_domain);
	dmarc_close(&ev);
	dmarc_close(&ev);
	return UNIT_DONE();
}
