/*
 * test_screener.c: the screener's rules (screener.h) over a table of
 * decisions standing in for the store.
 */
#include "conf.h"
#include "screener.h"
#include "unit.h"

static const struct {
	const char	*user, *sender;
	int		 decision;
} table[] = {
	{ "bob@example.org", "alice@friends.test", SCREENER_ALLOW },
	{ "bob@example.org", "@spam.test", SCREENER_DENY },
	{ "bob@example.org", "@partner.test", SCREENER_ALLOW },
	{ "bob@example.org", "boss@partner.test", SCREENER_DENY },
	{ "carol@example.org", "@spam.test", SCREENER_ALLOW },
};
static int fail_lookups;

static int
lookup(void *arg, const char *user, const char *sender, int *decision)
{
	size_t i;

	(void)arg;
	if (fail_lookups)
		return -1;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].user, user) == 0 &&
		    strcmp(table[i].sender, sender) == 0) {
			*decision = table[i].decision;
			return 1;
		}
	return 0;
}

static enum screener_verdict
rcpt(const char *user, const char *sender, int spf)
{
	return screener_rcpt(lookup, NULL, user, sender, spf);
}

static enum screener_verdict
after(const char *user, const char *sender, int spf, const char *from,
    int dkim, const char *want_why)
{
	const char *why = NULL;
	enum screener_verdict v;

	v = screener_after(lookup, NULL, user, sender, spf, from, dkim, &why);
	if (v == SCREENER_HOLD && want_why != NULL)
		CHECK_STR(why, want_why);
	return v;
}

static void
test_rcpt(void)
{
	const char *b = "bob@example.org";

	CHECK(rcpt(b, "alice@friends.test", 1) == SCREENER_INBOX);
	CHECK(rcpt(b, "Alice@Friends.TEST", 1) == SCREENER_INBOX);
	CHECK(rcpt(b, "alice@friends.test", 0) == SCREENER_LATER);
	CHECK(rcpt(b, "x@spam.test", 0) == SCREENER_DENY_RCPT);
	CHECK(rcpt(b, "x@spam.test", 1) == SCREENER_DENY_RCPT);
	CHECK(rcpt(b, "new@else.test", 1) == SCREENER_LATER);
	CHECK(rcpt(b, "", 1) == SCREENER_LATER);
	/* an address decision beats its domain's */
	CHECK(rcpt(b, "boss@partner.test", 1) == SCREENER_DENY_RCPT);
	CHECK(rcpt(b, "ann@partner.test", 1) == SCREENER_INBOX);
	/* decisions are per user */
	CHECK(rcpt("carol@example.org", "x@spam.test", 1) == SCREENER_INBOX);
	fail_lookups = 1;
	CHECK(rcpt(b, "alice@friends.test", 1) == SCREENER_ERROR);
	fail_lookups = 0;
}

static void
test_after(void)
{
	const char *b = "bob@example.org";

	/* the From: allowed and DKIM aligned: inbox, whatever the envelope */
	CHECK(after(b, "bounce-123@lists.test", 0, "alice@friends.test", 1,
	    NULL) == SCREENER_INBOX);
	/* a forger of a friend's address: held */
	CHECK(after(b, "x@forger.test", 0, "alice@friends.test", 0,
	    "sender not authenticated") == SCREENER_HOLD);
	CHECK(after(b, "alice@friends.test", 0, "alice@friends.test", 0,
	    "sender not authenticated") == SCREENER_HOLD);
	CHECK(after(b, "new@else.test", 1, "new@else.test", 1,
	    "new sender") == SCREENER_HOLD);
	CHECK(after(b, "x@else.test", 1, "someone@spam.test", 0, NULL) ==
	    SCREENER_DENY_RCPT);
	CHECK(after(b, "alice@friends.test", 1, "", 0, NULL) ==
	    SCREENER_INBOX);
	fail_lookups = 1;
	CHECK(after(b, "a@b.test", 1, "a@b.test", 1, NULL) == SCREENER_ERROR);
	fail_lookups = 0;
}

static void
test_applies(void)
{
	struct conf c;

	conf_defaults(&c);
	CHECK(!screener_applies(&c, "bob@example.org"));
	c.screener_db = "/s.db";
	CHECK(screener_applies(&c, "bob@example.org"));
	c.screener_rcpts[c.nscreener_rcpts++] = "@example.org";
	c.screener_rcpts[c.nscreener_rcpts++] = "carol@other.test";
	CHECK(screener_applies(&c, "bob@EXAMPLE.org"));
	CHECK(screener_applies(&c, "carol@other.test"));
	CHECK(!screener_applies(&c, "dave@other.test"));
}

int
main(void)
{
	TEST(test_rcpt);
	TEST(test_after);
	TEST(test_applies);
	return UNIT_DONE();
}
