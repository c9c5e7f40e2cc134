/*
 * test_snd_alias.c: alias expansion (snd_alias_expand()): matching in
 * canonical form, nesting, each target once, loops and depth, limits.
 */
#include <stdlib.h>

#include "conf.h"
#include "snd_alias.h"
#include "unit.h"

static struct conf		c;
static struct conf_error	err;
static char			text[16384];
static char			out[SND_ALIAS_MAX][ADDR_MAX + 1];

/* s on top of the defaults, with the relay-route an alias needs. */
static int
parse(const char *s)
{
	int n;

	conf_defaults(&c);
	memset(&err, 0, sizeof(err));
	n = snprintf(text, sizeof(text), "relay-route /q\n%s", s);
	return conf_parse(&c, text, (size_t)n, &err);
}

static void
not_an_alias(void)
{
	size_t n = 9;

	CHECK(parse("alias team@example.org a@example.org\n") == 0);
	CHECK(snd_alias_expand(&c, "other@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_NONE);
	CHECK(n == 0);
	CHECK(snd_alias_expand(&c, "not an address", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_NONE);
}

static void
canonical_match(void)
{
	size_t n;

	CHECK(parse("alias team@example.org a@example.org x@far.test\n") ==
	    0);
	CHECK(snd_alias_expand(&c, "Team@EXAMPLE.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_OK);
	CHECK(n == 2);
	CHECK(snd_alias_is(&c, "TEAM@example.ORG"));
	CHECK(!snd_alias_is(&c, "a@example.org"));
	CHECK_STR(out[0], "a@example.org");
	CHECK_STR(out[1], "x@far.test");
	/* with an extension, as a route matches it */
	CHECK(snd_alias_expand(&c, "team+list@example.org", out,
	    SND_ALIAS_MAX, &n) == SND_ALIAS_OK);
	CHECK(n == 2);
}

static void
nested_once_each(void)
{
	size_t n;

	CHECK(parse("alias all@example.org a@example.org staff@example.org "
	    "b@example.org\n"
	    "alias staff@example.org b@example.org c@example.org\n") == 0);
	CHECK(snd_alias_expand(&c, "all@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_OK);
	CHECK(n == 3);
	CHECK_STR(out[0], "a@example.org");
	CHECK_STR(out[1], "b@example.org");
	CHECK_STR(out[2], "c@example.org");
}

static void
loops_refused(void)
{
	size_t n;

	CHECK(parse("alias a@example.org b@example.org\n"
	    "alias b@example.org x@far.test a@example.org\n") == 0);
	CHECK(snd_alias_expand(&c, "a@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_LOOP);
	CHECK(n == 0);
	CHECK(parse("alias a@example.org A@Example.ORG\n") == 0);
	CHECK(snd_alias_expand(&c, "a@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_LOOP);
	/* the same alias twice, but not within itself: no loop */
	CHECK(parse("alias a@example.org b@example.org b@example.org\n"
	    "alias b@example.org z@far.test\n") == 0);
	CHECK(snd_alias_expand(&c, "a@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_OK);
	CHECK(n == 1);
}

static void
depth_bounded(void)
{
	char conf[4096];
	size_t n, len = 0;
	int i;

	/* l0 -> l1 -> ... -> lD: D aliases deep */
	for (i = 0; i < SND_ALIAS_DEPTH; i++)
		len += (size_t)snprintf(conf + len, sizeof(conf) - len,
		    "alias l%d@example.org l%d@example.org\n", i, i + 1);
	CHECK(parse(conf) == 0);
	CHECK(snd_alias_expand(&c, "l0@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_OK);
	CHECK(n == 1);
	CHECK_STR(out[0], "l8@example.org");
	snprintf(conf + len, sizeof(conf) - len,
	    "alias l%d@example.org end@example.org\n", SND_ALIAS_DEPTH);
	CHECK(parse(conf) == 0);
	CHECK(snd_alias_expand(&c, "l0@example.org", out, SND_ALIAS_MAX,
	    &n) == SND_ALIAS_LOOP);
}

static void
too_many(void)
{
	size_t n;

	CHECK(parse("alias a@example.org x@far.test y@far.test z@far.test\n")
	    == 0);
	CHECK(snd_alias_expand(&c, "a@example.org", out, 2, &n) ==
	    SND_ALIAS_MANY);
	CHECK(snd_alias_expand(&c, "a@example.org", out, 3, &n) ==
	    SND_ALIAS_OK);
}

int
main(void)
{
	TEST(not_an_alias);
	TEST(canonical_match);
	TEST(nested_once_each);
	TEST(loops_refused);
	TEST(depth_bounded);
	TEST(too_many);
	return unit_failed != 0;
}
