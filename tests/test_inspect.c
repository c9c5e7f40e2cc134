/*
 * test_inspect.c: the verdict after the data (inspect_decide()): DMARC's
 * result and disposition, the dmarc-reject and dmarc-quarantine actions,
 * a temperror, and the trusted ARC sealers.
 */
#include "conf.h"
#include "inspect.h"
#include "unit.h"

static struct conf c;

static struct dmarc_result
result(enum dmarc_res res, enum dmarc_policy dis)
{
	struct dmarc_result r;

	memset(&r, 0, sizeof(r));
	r.res = res;
	r.disposition = dis;
	snprintf(r.from, sizeof(r.from), "example.com");
	return r;
}

static enum inspect_verdict
decide(enum dmarc_res res, enum dmarc_policy dis, const struct inspect_arc *a)
{
	struct dmarc_result r = result(res, dis);
	struct inspect_arc none = { 0, ARC_RES_NONE, 0, "" };
	struct inspect_outcome out;

	inspect_decide(&c, &r, a != NULL ? a : &none, &out);
	return out.verdict;
}

static void
test_dmarc(void)
{
	conf_defaults(&c);
	CHECK(decide(DMARC_RES_PASS, DMARC_POL_NONE, NULL) == INSPECT_ACCEPT);
	CHECK(decide(DMARC_RES_NONE, DMARC_POL_NONE, NULL) == INSPECT_ACCEPT);
	CHECK(decide(DMARC_RES_PERMERROR, DMARC_POL_NONE, NULL) ==
	    INSPECT_ACCEPT);
	CHECK(decide(DMARC_RES_TEMPERROR, DMARC_POL_NONE, NULL) ==
	    INSPECT_TEMPFAIL);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, NULL) ==
	    INSPECT_REJECT);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_QUARANTINE, NULL) ==
	    INSPECT_QUARANTINE);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_NONE, NULL) == INSPECT_ACCEPT);
	c.dmarc_reject = ACTION_QUARANTINE;
	c.dmarc_quarantine = ACTION_ACCEPT;
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, NULL) ==
	    INSPECT_QUARANTINE);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_QUARANTINE, NULL) ==
	    INSPECT_ACCEPT);
	c.dmarc_quarantine = ACTION_REJECT;
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_QUARANTINE, NULL) ==
	    INSPECT_REJECT);
}

static void
test_reason(void)
{
	struct dmarc_result r = result(DMARC_RES_FAIL, DMARC_POL_REJECT);
	struct inspect_arc none = { 0, ARC_RES_NONE, 0, "" };
	struct inspect_outcome out;

	conf_defaults(&c);
	CHECK(inspect_decide(&c, &r, &none, &out) == 0);
	CHECK_STR(out.reason, "dmarc=fail header.from=example.com "
	    "policy=reject");
	CHECK_STR(out.domain, "example.com");
	CHECK(out.check == INSPECT_DMARC);
}

static void
test_arc(void)
{
	struct inspect_arc pass = { 1, ARC_RES_PASS, 0, "Lists.Example.ORG" };
	struct inspect_arc other = { 1, ARC_RES_PASS, 0, "evil.example" };
	struct inspect_arc fail = { 1, ARC_RES_FAIL, 0, "lists.example.org" };
	struct inspect_arc temp = { 1, ARC_RES_FAIL, 1, "lists.example.org" };
	struct dmarc_result r = result(DMARC_RES_FAIL, DMARC_POL_REJECT);
	struct inspect_outcome out;

	conf_defaults(&c);
	c.arc_sealers[c.nsealers++] = "lists.example.org";
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, &pass) ==
	    INSPECT_ACCEPT);
	CHECK(inspect_decide(&c, &r, &pass, &out) == 1);
	CHECK(strstr(out.reason, "forgiven") != NULL);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_QUARANTINE, &pass) ==
	    INSPECT_ACCEPT);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, &other) ==
	    INSPECT_REJECT);
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, &fail) ==
	    INSPECT_REJECT);
	/* a trusted sealer whose key could not be looked up: try later */
	CHECK(decide(DMARC_RES_FAIL, DMARC_POL_REJECT, &temp) ==
	    INSPECT_TEMPFAIL);
	/* no override needed where nothing is refused */
	CHECK(decide(DMARC_RES_PASS, DMARC_POL_NONE, &pass) == INSPECT_ACCEPT);
	CHECK(inspect_decide(&c, &r, &other, &out) == 0);
}

int
main(void)
{
	TEST(test_dmarc);
	TEST(test_reason);
	TEST(test_arc);
	return UNIT_DONE();
}
