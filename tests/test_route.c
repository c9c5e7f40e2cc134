/*
 * test_route.c: the route directive and route_lookup().
 */
#include <stdlib.h>

#include "conf.h"
#include "route.h"
#include "unit.h"

static struct conf		c;
static struct conf_error	err;
static char			text[16384];

static int
parse(const char *s)
{
	conf_defaults(&c);
	memset(&err, 0, sizeof(err));
	snprintf(text, sizeof(text), "%s", s);
	return conf_parse(&c, text, strlen(s), &err);
}

/* The helper (argv[0]) that "local@domain" goes to, or "-" for none. */
static const char *
to(const char *local, const char *domain)
{
	struct mailbox		 mb;
	const struct route	*r;

	memset(&mb, 0, sizeof(mb));
	snprintf(mb.local, sizeof(mb.local), "%s", local);
	snprintf(mb.domain, sizeof(mb.domain), "%s", domain);
	r = route_lookup(&c, &mb);
	return r != NULL ? r->argv[0] : "-";
}

#define FAILS(s, ln, m) do {						\
	CHECK(parse(s) == -1);						\
	CHECK(err.line == (ln));					\
	CHECK_STR(err.msg, (m));					\
} while (0)

static void
test_parse_routes(void)
{
	CHECK(parse("# routes\n"
	    "route * /usr/libexec/samotop/samotop-lmtp unix:/run/lmtp\n"
	    "route @Example.ORG /bin/domain\n"
	    "\n"
	    "route Bob@Example.org /bin/bob -x \"a b\"\n") == 0);
	CHECK(c.nroutes == 3);
	CHECK_STR(c.routes[0].pattern, "*");
	CHECK(c.routes[0].specificity == 0);
	CHECK(c.routes[0].line == 2);
	CHECK_STR(c.routes[0].argv[0], "/usr/libexec/samotop/samotop-lmtp");
	CHECK_STR(c.routes[0].argv[1], "unix:/run/lmtp");
	CHECK(c.routes[0].argv[2] == NULL);
	CHECK_STR(c.routes[1].pattern, "@example.org");
	CHECK(c.routes[1].specificity == 1);
	CHECK(c.routes[1].line == 3);
	CHECK(c.routes[1].argv[1] == NULL);
	/* canonical, but for the case of the local part */
	CHECK_STR(c.routes[2].pattern, "Bob@example.org");
	CHECK(c.routes[2].specificity == 2);
	CHECK(c.routes[2].line == 5);
	CHECK_STR(c.routes[2].argv[2], "a b");
	CHECK(c.routes[2].argv[3] == NULL);
}

static void
test_route_errors(void)
{
	const char *bad[] = { "example.org", "@", "bob@", "a@b@c", "@a@b",
	    "\\\"a b@x", "**", "*@example.org", "", "a\tb@x" };
	char	line[200];
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "\nroute \"%s\" /bin/x\n", bad[i]);
		CHECK(parse(line) == -1);
		CHECK(err.line == 2);
		CHECK(strncmp(err.msg, "route: expected a pattern", 25) == 0);
	}
	FAILS("route bob /bin/x\n", 1, "route: expected a pattern '*', "
	    "'@domain' or 'local@domain', got 'bob'");
	FAILS("route * bin/x\n", 1,
	    "route: PROGRAM must be an absolute path, got 'bin/x'");
	FAILS("route *\n", 1,
	    "route: missing value, expected PATTERN PROGRAM [ARG...]");
	FAILS("route\n", 1,
	    "route: missing value, expected PATTERN PROGRAM [ARG...]");
	FAILS("route @a.org /bin/x\nroute * /bin/y\nroute @A.Org /bin/z\n",
	    3, "route: pattern '@a.org' already routed on line 1");
	FAILS("route bob@a.org /bin/x\nroute \"\\\"bob\\\"@A.org\" /bin/y\n",
	    2, "route: pattern 'bob@a.org' already routed on line 1");
	FAILS("route * /bin/x\nroute * /bin/x\n", 2,
	    "route: pattern '*' already routed on line 1");
}

static void
test_route_limits(void)
{
	char	buf[16000];
	size_t	n;
	int	i;

	/* 32 words after the pattern fit, 33 do not */
	n = snprintf(buf, sizeof(buf), "route * /bin/x");
	for (i = 1; i < CONF_ARGV_MAX; i++)
		n += snprintf(buf + n, sizeof(buf) - n, " a%d", i);
	CHECK(parse(buf) == 0);
	CHECK(c.routes[0].argv[CONF_ARGV_MAX - 1] != NULL);
	CHECK_STR(c.routes[0].argv[CONF_ARGV_MAX - 1], "a31");
	CHECK(c.routes[0].argv[CONF_ARGV_MAX] == NULL);
	snprintf(buf + n, sizeof(buf) - n, " one-more");
	CHECK(parse(buf) == -1);
	CHECK_STR(err.msg, "route: more than 32 words after the pattern");

	/* CONF_ROUTES_MAX routes fit, one more does not */
	n = 0;
	for (i = 0; i < CONF_ROUTES_MAX; i++)
		n += snprintf(buf + n, sizeof(buf) - n,
		    "route @d%d.org /bin/x\n", i);
	CHECK(parse(buf) == 0);
	CHECK(c.nroutes == CONF_ROUTES_MAX);
	snprintf(buf + n, sizeof(buf) - n, "route * /bin/x\n");
	CHECK(parse(buf) == -1);
	CHECK(err.line == CONF_ROUTES_MAX + 1);
	CHECK_STR(err.msg, "route: more than 256 routes");
}

static const char *precedence[] = {
	"route bob@example.org /exact\n",
	"route @example.org /domain\n",
	"route * /any\n",
	"route @other.org /other\n",
};

/* The same answers whatever the order of the lines. */
static void
test_precedence(void)
{
	static const int orders[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 2, 0, 3, 1 }, { 1, 3, 0, 2 }
	};
	char	buf[400];
	size_t	i, j;

	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		buf[0] = '\0';
		for (j = 0; j < 4; j++)
			strcat(buf, precedence[orders[i][j]]);
		CHECK(parse(buf) == 0);
		CHECK_STR(to("bob", "example.org"), "/exact");
		CHECK_STR(to("alice", "example.org"), "/domain");
		CHECK_STR(to("bob", "other.org"), "/other");
		CHECK_STR(to("bob", "elsewhere.net"), "/any");
		CHECK_STR(to("bob", "sub.example.org"), "/any");
	}
}

static void
test_extension(void)
{
	CHECK(parse("route @example.org /domain\n"
	    "route bob@example.org /bob\n"
	    "route bob+list@example.org /list\n") == 0);
	CHECK_STR(to("bob+list", "example.org"), "/list");
	CHECK_STR(to("bob+other", "example.org"), "/bob");
	CHECK_STR(to("bob+list+x", "example.org"), "/bob");
	CHECK_STR(to("bob+", "example.org"), "/bob");
	CHECK_STR(to("+bob", "example.org"), "/domain");
	CHECK_STR(to("bobby+x", "example.org"), "/domain");
	/* one canonical form: quotes removed, then the split (#5) */
	CHECK_STR(to("\"bob+x\"", "example.org"), "/bob");
	CHECK_STR(to("\"bob\"", "example.org"), "/bob");
	CHECK_STR(to("\"b\\ob+list\"", "example.org"), "/list");
	CHECK_STR(to("\"bob smith+x\"", "example.org"), "/domain");
	CHECK(parse("route @example.org /domain\n"
	    "route \"\\\"bob smith\\\"@example.org\" /smith\n") == 0);
	CHECK_STR(to("\"bob smith+x\"", "example.org"), "/smith");
	CHECK_STR(to("\"Bob\\ Smith\"", "example.org"), "/smith");
	CHECK_STR(to("\"bob+smith\"", "example.org"), "/domain");

	CHECK(parse("recipient-delimiter none\n"
	    "route @example.org /domain\n"
	    "route bob@example.org /bob\n") == 0);
	CHECK_STR(to("bob+x", "example.org"), "/domain");
	CHECK(parse("recipient-delimiter -\n"
	    "route @example.org /domain\n"
	    "route bob@example.org /bob\n") == 0);
	CHECK_STR(to("bob-x", "example.org"), "/bob");
	CHECK_STR(to("bob+x", "example.org"), "/domain");
}

static void
test_case(void)
{
	CHECK(parse("route BOB@Example.Org /bob\nroute @EXAMPLE.net /net\n")
	    == 0);
	CHECK_STR(to("bob", "example.org"), "/bob");
	CHECK_STR(to("Bob", "EXAMPLE.ORG"), "/bob");
	CHECK_STR(to("BOB+Tag", "example.ORG"), "/bob");
	CHECK_STR(to("anyone", "Example.Net"), "/net");
	CHECK_STR(to("bob", "example.com"), "-");

	CHECK(parse("route \"\\\"Ab\\\"@example.org\" /quoted\n") == 0);
	CHECK_STR(c.routes[0].pattern, "Ab@example.org");
	CHECK_STR(to("\"aB\"", "example.org"), "/quoted");
	CHECK_STR(to("ab", "example.org"), "/quoted");

	/* local-part-case sensitive: the domain still ignores case */
	CHECK(parse("local-part-case sensitive\n"
	    "route Bob@example.org /bob\nroute @example.org /domain\n")
	    == 0);
	CHECK_STR(to("Bob+x", "EXAMPLE.org"), "/bob");
	CHECK_STR(to("\"Bob\"", "example.org"), "/bob");
	CHECK_STR(to("bob", "example.org"), "/domain");
	CHECK_STR(to("BOB", "example.org"), "/domain");
}

static void
test_no_route(void)
{
	struct mailbox	mb;

	CHECK(parse("") == 0);
	CHECK_STR(to("bob", "example.org"), "-");
	CHECK(parse("route @example.org /domain\n") == 0);
	CHECK_STR(to("bob", "example.net"), "-");
	/* no domain (<postmaster>) or the null path: only "*" */
	CHECK_STR(to("postmaster", ""), "-");
	memset(&mb, 0, sizeof(mb));
	mb.is_null = 1;
	CHECK(route_lookup(&c, &mb) == NULL);
	CHECK(parse("route * /any\nroute postmaster@example.org /pm\n"
	    "route @example.org /domain\n") == 0);
	CHECK_STR(to("postmaster", ""), "/any");
	CHECK(route_lookup(&c, &mb) == &c.routes[0]);
	snprintf(mb.domain, sizeof(mb.domain), "example.org");
	CHECK(route_lookup(&c, &mb) == &c.routes[0]);
}

static void
test_domain_known(void)
{
	CHECK(parse("route * /any\nroute @example.org /domain\n"
	    "route bob@example.net /bob\n") == 0);
	CHECK(route_domain_known(&c, "example.org"));
	CHECK(route_domain_known(&c, "EXAMPLE.org"));
	CHECK(route_domain_known(&c, "example.net"));
	CHECK(!route_domain_known(&c, "example.com"));
	CHECK(!route_domain_known(&c, "org"));
	CHECK(!route_domain_known(&c, ""));
	CHECK(!route_domain_known(&c, NULL));
	CHECK(parse("route * /any\n") == 0);
	CHECK(!route_domain_known(&c, "example.org"));
}

/* route_postmaster() on local@domain: the address it becomes, or "-". */
static const char *
pm(const char *local, const char *domain)
{
	static char	out[ADDR_MAX + 1];
	struct mailbox	mb;

	memset(&mb, 0, sizeof(mb));
	snprintf(mb.local, sizeof(mb.local), "%s", local);
	snprintf(mb.domain, sizeof(mb.domain), "%s", domain);
	if (mailbox_canonical(&mb, c.recipient_delimiter, c.local_part_fold,
	    &mb) == -1 || !route_postmaster(&c, &mb))
		return "-";
	mailbox_format(&mb, out, sizeof(out));
	return out;
}

static void
test_postmaster(void)
{
	struct mailbox	mb;

	/* the README's example: postmaster@ the first routed domain */
	CHECK(parse("hostname mx.test\nroute * /any\n"
	    "route @example.org /domain\nroute @example.net /net\n") == 0);
	CHECK_STR(pm("postmaster", ""), "postmaster@example.org");
	CHECK_STR(pm("PostMaster", ""), "postmaster@example.org");
	CHECK_STR(pm("Postmaster", "MX.test"), "postmaster@example.org");
	CHECK_STR(pm("POSTMASTER", "example.org"), "postmaster@example.org");
	CHECK_STR(pm("postmaster", "example.net"), "postmaster@example.org");
	CHECK_STR(pm("\"postmaster\"", "example.net"),
	    "postmaster@example.org");
	/* not ours, or not the postmaster: untouched */
	CHECK_STR(pm("postmaster", "other.example"), "-");
	CHECK_STR(pm("postmaster+x", "example.org"), "-");
	CHECK_STR(pm("postmasters", "example.org"), "-");
	CHECK_STR(pm("bob", ""), "-");
	memset(&mb, 0, sizeof(mb));
	mb.is_null = 1;
	CHECK(!route_postmaster(&c, &mb));
	CHECK(mb.is_null && mb.local[0] == '\0');

	/* the directive, in the configured case of local parts */
	CHECK(parse("hostname mx.test\npostmaster Admin@Example.ORG\n"
	    "local-part-case sensitive\nroute @example.org /domain\n"
	    "route bob@example.net /bob\n") == 0);
	CHECK_STR(pm("postmaster", ""), "Admin@example.org");
	CHECK_STR(pm("postMASTER", "mx.test"), "Admin@example.org");
	CHECK_STR(pm("postmaster", "example.net"), "Admin@example.org");

	/* a route that names a postmaster address keeps it */
	CHECK(parse("hostname mx.test\nroute @example.org /domain\n"
	    "route @example.net /net\nroute postmaster@example.net /pm\n")
	    == 0);
	CHECK_STR(pm("Postmaster", "example.net"), "postmaster@example.net");
	CHECK_STR(to("postmaster", "example.net"), "/pm");
	CHECK_STR(pm("postmaster", ""), "postmaster@example.org");

	/* a default from a quoted local part's route: its domain */
	CHECK(parse("hostname mx.test\nroute \"\\\"a@b\\\"@example.com\" /q\n")
	    == 0);
	CHECK_STR(pm("postmaster", ""), "postmaster@example.com");

	/* no domain route: postmaster@hostname, for "*" to take */
	CHECK(parse("hostname mx.test\nroute * /any\n") == 0);
	CHECK_STR(pm("postmaster", ""), "postmaster@mx.test");
	CHECK(parse("") == 0);
	CHECK_STR(pm("postmaster", ""), "postmaster");
}

static void
test_same(void)
{
	CHECK(parse("route @a.org /bin/h -x\n"
	    "route @b.org /bin/h -x\n"
	    "route @c.org /bin/h -y\n"
	    "route @d.org /bin/h\n"
	    "route @e.org /bin/h -x -z\n"
	    "route @f.org /bin/g -x\n") == 0);
	CHECK(route_same(&c.routes[0], &c.routes[0]));
	CHECK(route_same(&c.routes[0], &c.routes[1]));
	CHECK(!route_same(&c.routes[0], &c.routes[2]));
	CHECK(!route_same(&c.routes[0], &c.routes[3]));
	CHECK(!route_same(&c.routes[3], &c.routes[0]));
	CHECK(!route_same(&c.routes[0], &c.routes[4]));
	CHECK(!route_same(&c.routes[0], &c.routes[5]));
	CHECK(route_same(NULL, NULL));
	CHECK(!route_same(&c.routes[0], NULL));
	CHECK(!route_same(NULL, &c.routes[0]));
}

int
main(void)
{
	TEST(test_parse_routes);
	TEST(test_route_errors);
	TEST(test_route_limits);
	TEST(test_precedence);
	TEST(test_extension);
	TEST(test_case);
	TEST(test_no_route);
	TEST(test_domain_known);
	TEST(test_postmaster);
	TEST(test_same);
	return UNIT_DONE();
}
