/*
 * test_snd_bounce.c: the bounce rate limit's decision and key.
 */
#include "unit.h"

#include "snd_bounce.h"

static void
test_no_limit_always_sends(void)
{
	CHECK(snd_bounce_decide(0, 0, 1000000) == SND_BOUNCE_SEND);
	/* off: the store is not even asked, its failure changes nothing */
	CHECK(snd_bounce_decide(0, -1, 0) == SND_BOUNCE_SEND);
}

static void
test_within_and_over(void)
{
	CHECK(snd_bounce_decide(2, 0, 1) == SND_BOUNCE_SEND);
	CHECK(snd_bounce_decide(2, 0, 2) == SND_BOUNCE_SEND);
	CHECK(snd_bounce_decide(2, 0, 3) == SND_BOUNCE_DROP);
	CHECK(snd_bounce_decide(1, 0, 2) == SND_BOUNCE_DROP);
	CHECK(snd_bounce_decide(10, 0, 4000000000UL) == SND_BOUNCE_DROP);
}

static void
test_store_failure_sends(void)
{
	/* better a bounce too many than a notice lost */
	CHECK(snd_bounce_decide(2, -1, 99) == SND_BOUNCE_UNCOUNTED);
	CHECK(snd_bounce_decide(2, -1, 0) == SND_BOUNCE_UNCOUNTED);
}

static void
test_key(void)
{
	char k[32], s[16];

	CHECK(snd_bounce_key("Alice@Example.ORG", k, sizeof(k)) == 0);
	CHECK_STR(k, "alice@example.org");
	CHECK(snd_bounce_key("\xc3\x84x@B.test", k, sizeof(k)) == 0);
	CHECK_STR(k, "\xc3\x84x@b.test");
	CHECK(snd_bounce_key("", k, sizeof(k)) == -1);
	CHECK(snd_bounce_key("0123456789@abcde", s, sizeof(s)) == -1);
	CHECK(snd_bounce_key("0123456789@abcd", s, sizeof(s)) == 0);
}

int
main(void)
{
	TEST(test_no_limit_always_sends);
	TEST(test_within_and_over);
	TEST(test_store_failure_sends);
	TEST(test_key);
	return UNIT_DONE();
}
