/*
 * test_lists.c: the allow and deny lists (samotop.conf(5), SPAM CHECKS):
 * the pure matchers, and list_lookup() over a configuration parsed from
 * text, with list files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "lists.h"
#include "unit.h"

static struct conf		c;
static struct conf_error	err;
static char			text[8192];

/* Parse s on top of the defaults; 0 or -1. */
static int
parse(const char *s)
{
	size_t len = strlen(s);

	conf_defaults(&c);
	memset(&err, 0, sizeof(err));
	memcpy(text, s, len + 1);
	return conf_parse(&c, text, len, &err);
}

/* What the lists of kind say about value; *ln gets the deciding line. */
static enum list_verdict
lookup(enum list_kind kind, const char *value, unsigned *ln)
{
	const char *why = "unset";

	*ln = 0;
	return list_lookup(&c, kind, value, &why, ln);
}

/*
 * A new temp file with the given content; path receives its name, in
 * lowercase and digits only (see test_file_path_case).
 */
static void
temp_file(char *path, const char *content)
{
	static unsigned n;
	FILE *f;
	int fd;

	snprintf(path, 64, "/tmp/test_lists.%ld.%u", (long)getpid(), n++);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd != -1);
	f = fdopen(fd, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(content, f);
	fclose(f);
}

static void
test_cidr_valid(void)
{
	CHECK(list_cidr_valid("192.0.2.0/24"));
	CHECK(list_cidr_valid("192.0.2.1"));
	CHECK(list_cidr_valid("0.0.0.0/0"));
	CHECK(list_cidr_valid("192.0.2.1/32"));
	CHECK(list_cidr_valid("2001:db8::/32"));
	CHECK(list_cidr_valid("::1"));
	CHECK(list_cidr_valid("::/0"));
	CHECK(list_cidr_valid("2001:db8::1/128"));
	CHECK(list_cidr_valid("::ffff:192.0.2.1"));
	CHECK(!list_cidr_valid(""));
	CHECK(!list_cidr_valid("192.0.2.0/33"));
	CHECK(!list_cidr_valid("2001:db8::/129"));
	CHECK(!list_cidr_valid("192.0.2.0/"));
	CHECK(!list_cidr_valid("192.0.2.0/-1"));
	CHECK(!list_cidr_valid("192.0.2.0/+8"));
	CHECK(!list_cidr_valid("192.0.2.0/ 8"));
	CHECK(!list_cidr_valid("192.0.2.0/8x"));
	CHECK(!list_cidr_valid("192.0.2/24"));
	CHECK(!list_cidr_valid("192.0.2.256"));
	CHECK(!list_cidr_valid("example.org"));
	CHECK(!list_cidr_valid("[192.0.2.1]"));
	CHECK(!list_cidr_valid("2001:db8:::1"));
	CHECK(!list_cidr_valid(
	    "0000:0000:0000:0000:0000:0000:0000:0000:0000/1"));
}

static void
test_cidr_ipv4(void)
{
	/* /0 takes every IPv4 address, and no IPv6 one */
	CHECK(list_cidr_match("0.0.0.0/0", "0.0.0.0"));
	CHECK(list_cidr_match("0.0.0.0/0", "255.255.255.255"));
	CHECK(list_cidr_match("10.1.2.3/0", "192.0.2.1"));
	CHECK(!list_cidr_match("0.0.0.0/0", "2001:db8::1"));
	/* /32 and a bare address: that one address */
	CHECK(list_cidr_match("192.0.2.1/32", "192.0.2.1"));
	CHECK(!list_cidr_match("192.0.2.1/32", "192.0.2.2"));
	CHECK(!list_cidr_match("192.0.2.1/32", "192.0.2.0"));
	CHECK(list_cidr_match("192.0.2.1", "192.0.2.1"));
	CHECK(!list_cidr_match("192.0.2.1", "192.0.2.11"));
	/* /24: .0 and .255 in, the neighbours' edges out */
	CHECK(list_cidr_match("192.0.2.0/24", "192.0.2.0"));
	CHECK(list_cidr_match("192.0.2.0/24", "192.0.2.255"));
	CHECK(list_cidr_match("192.0.2.0/24", "192.0.2.77"));
	CHECK(!list_cidr_match("192.0.2.0/24", "192.0.3.0"));
	CHECK(!list_cidr_match("192.0.2.0/24", "192.0.1.255"));
	/* host bits in the pattern do not matter */
	CHECK(list_cidr_match("192.0.2.99/24", "192.0.2.1"));
	/* bit-level prefixes */
	CHECK(list_cidr_match("192.0.2.128/25", "192.0.2.128"));
	CHECK(list_cidr_match("192.0.2.128/25", "192.0.2.255"));
	CHECK(!list_cidr_match("192.0.2.128/25", "192.0.2.127"));
	CHECK(list_cidr_match("10.0.0.0/8", "10.255.255.255"));
	CHECK(!list_cidr_match("10.0.0.0/8", "11.0.0.0"));
	CHECK(list_cidr_match("172.16.0.0/12", "172.31.255.255"));
	CHECK(!list_cidr_match("172.16.0.0/12", "172.32.0.0"));
	CHECK(!list_cidr_match("172.16.0.0/12", "172.15.255.255"));
	CHECK(list_cidr_match("127.0.0.0/8", "127.0.0.1"));
	CHECK(!list_cidr_match("127.0.0.2/32", "127.0.0.1"));
	/* what is not an address matches nothing */
	CHECK(!list_cidr_match("192.0.2.0/24", ""));
	CHECK(!list_cidr_match("192.0.2.0/24", "192.0.2"));
	CHECK(!list_cidr_match("192.0.2.0/24", "192.0.2.1/32"));
	CHECK(!list_cidr_match("192.0.2.0/24", "host.example"));
	CHECK(!list_cidr_match("bogus", "192.0.2.1"));
	CHECK(!list_cidr_match("bogus", "bogus"));
	CHECK(!list_cidr_match("", ""));
}

static void
test_cidr_ipv6(void)
{
	CHECK(list_cidr_match("::/0", "2001:db8::1"));
	CHECK(list_cidr_match("::/0", "::"));
	CHECK(!list_cidr_match("::/0", "192.0.2.1"));
	/* /128 and a bare address */
	CHECK(list_cidr_match("2001:db8::1/128", "2001:db8::1"));
	CHECK(list_cidr_match("2001:db8::1/128", "2001:DB8:0::0:1"));
	CHECK(!list_cidr_match("2001:db8::1/128", "2001:db8::2"));
	CHECK(list_cidr_match("::1", "::1"));
	CHECK(!list_cidr_match("::1", "::2"));
	/* /64: a site's subnet */
	CHECK(list_cidr_match("2001:db8:0:1::/64", "2001:db8:0:1::"));
	CHECK(list_cidr_match("2001:db8:0:1::/64",
	    "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	CHECK(!list_cidr_match("2001:db8:0:1::/64", "2001:db8:0:2::"));
	CHECK(!list_cidr_match("2001:db8:0:1::/64",
	    "2001:db8:0:0:ffff:ffff:ffff:ffff"));
	/* /63: two /64s, on a bit boundary inside a byte */
	CHECK(list_cidr_match("2001:db8:0:2::/63", "2001:db8:0:2::1"));
	CHECK(list_cidr_match("2001:db8:0:2::/63", "2001:db8:0:3:ffff::1"));
	CHECK(!list_cidr_match("2001:db8:0:2::/63", "2001:db8:0:4::"));
	CHECK(!list_cidr_match("2001:db8:0:2::/63",
	    "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	/* /32 */
	CHECK(list_cidr_match("2001:db8::/32", "2001:db8:ffff::1"));
	CHECK(!list_cidr_match("2001:db8::/32", "2001:db9::1"));
	/* a v4 pattern never matches a v6 address, and the other way */
	CHECK(!list_cidr_match("192.0.2.0/24", "2001:db8::1"));
	CHECK(!list_cidr_match("0.0.0.0/0", "::"));
	CHECK(!list_cidr_match("2001:db8::/32", "192.0.2.1"));
	/* an IPv4-mapped client is matched as the IPv4 address it is */
	CHECK(list_cidr_match("192.0.2.0/24", "::ffff:192.0.2.1"));
	CHECK(list_cidr_match("192.0.2.1", "::FFFF:192.0.2.1"));
	CHECK(!list_cidr_match("192.0.2.0/24", "::ffff:192.0.3.1"));
	CHECK(list_cidr_match("0.0.0.0/0", "::ffff:10.0.0.1"));
	CHECK(!list_cidr_match("::/0", "::ffff:10.0.0.1"));
	/* IPv4-compatible (deprecated) addresses are plain IPv6 */
	CHECK(!list_cidr_match("192.0.2.0/24", "::192.0.2.1"));
}

static void
test_name_match(void)
{
	/* exact, any case */
	CHECK(list_name_match("mx.example.org", "mx.example.org"));
	CHECK(list_name_match("mx.example.org", "MX.Example.ORG"));
	CHECK(list_name_match("MX.EXAMPLE.ORG", "mx.example.org"));
	CHECK(!list_name_match("mx.example.org", "mx2.example.org"));
	CHECK(!list_name_match("mx.example.org", "a.mx.example.org"));
	CHECK(!list_name_match("mx.example.org", "example.org"));
	/* .suffix: the domain itself and every name under it */
	CHECK(list_name_match(".example.org", "example.org"));
	CHECK(list_name_match(".example.org", "mx.example.org"));
	CHECK(list_name_match(".example.org", "a.b.c.example.org"));
	CHECK(list_name_match(".example.org", "A.Example.Org"));
	CHECK(list_name_match(".EXAMPLE.org", "mx.example.ORG"));
	CHECK(!list_name_match(".example.org", "notexample.org"));
	CHECK(!list_name_match(".example.org", "xample.org"));
	CHECK(!list_name_match(".example.org", "example.org.evil"));
	CHECK(!list_name_match(".example.org", "example.com"));
	CHECK(!list_name_match(".example.org", ".org"));
	CHECK(!list_name_match(".example.org", "org"));
	/* nothing matches nothing */
	CHECK(!list_name_match("", ""));
	CHECK(!list_name_match("", "example.org"));
	CHECK(!list_name_match(".example.org", ""));
	CHECK(!list_name_match("example.org", ""));
	/* address literals, as HELO gives them, compare as text */
	CHECK(list_name_match("[192.0.2.1]", "[192.0.2.1]"));
	CHECK(!list_name_match("[192.0.2.1]", "[192.0.2.10]"));
}

/* A recipient entry against a value, under the defaults. */
static int
address_match(const char *pattern, const char *value)
{
	conf_defaults(&c);
	return list_entry_match(&c, LIST_RECIPIENT, pattern, value);
}

static void
test_address_match(void)
{
	/* @domain: any local part at exactly that domain */
	CHECK(address_match("@spam.example", "a@spam.example"));
	CHECK(address_match("@spam.example", "A.B+c@SPAM.Example"));
	CHECK(address_match("@SPAM.EXAMPLE", "x@spam.example"));
	CHECK(!address_match("@spam.example", "a@sub.spam.example"));
	CHECK(!address_match("@spam.example", "a@notspam.example"));
	CHECK(!address_match("@spam.example", "a@spam.example.org"));
	CHECK(!address_match("@spam.example", "spam.example"));
	CHECK(!address_match("@spam.example", ""));
	/* the domain is after the last '@' (a quoted local part) */
	CHECK(address_match("@spam.example",
	    "\"a@good.example\"@spam.example"));
	CHECK(!address_match("@good.example",
	    "\"a@good.example\"@spam.example"));
	/* a full address, any case */
	CHECK(address_match("x@example.org", "x@example.org"));
	CHECK(address_match("x@example.org", "X@Example.Org"));
	CHECK(!address_match("x@example.org", "xx@example.org"));
	CHECK(!address_match("x@example.org", "x@example.org.evil"));
	CHECK(!address_match("x@example.org", "y@example.org"));
	CHECK(!address_match("x@example.org", ""));
	/* one canonical form: quotes, case, extension (issue 10, #5) */
	CHECK(address_match("x@example.org", "x+tag@example.org"));
	CHECK(address_match("x@example.org", "\"x\"@example.org"));
	CHECK(address_match("x@example.org", "\"X+tag\"@example.org"));
	CHECK(address_match("\"x\"@EXAMPLE.org", "X@example.org"));
	CHECK(address_match("x+tag@example.org", "\"x+TAG\"@example.org"));
	CHECK(!address_match("x+tag@example.org", "x@example.org"));
	CHECK(!address_match("x+tag@example.org", "x+other@example.org"));
	CHECK(!address_match("x@example.org", "xx+x@example.org"));
	CHECK(!address_match("x@example.org", "+x@example.org"));
	CHECK(address_match("\"a b\"@example.org", "\"A\\ B+c\"@example.org"));
	CHECK(!address_match("x@example.org", "\"x y\"@example.org"));
	/* an entry that is no address names nothing */
	CHECK(!address_match("\"x@example.org", "x@example.org"));
}

static void
test_address_options(void)
{
	CHECK(parse("local-part-case sensitive\n") == 0);
	CHECK(!list_entry_match(&c, LIST_SENDER, "x@example.org",
	    "X@example.org"));
	CHECK(list_entry_match(&c, LIST_SENDER, "X@example.org",
	    "\"X+y\"@EXAMPLE.org"));
	CHECK(list_entry_match(&c, LIST_SENDER, "@Example.Org",
	    "X@example.org"));
	CHECK(parse("recipient-delimiter -\n") == 0);
	CHECK(list_entry_match(&c, LIST_SENDER, "x@example.org",
	    "X-y@example.org"));
	CHECK(!list_entry_match(&c, LIST_SENDER, "x@example.org",
	    "x+y@example.org"));
	CHECK(parse("recipient-delimiter none\n") == 0);
	CHECK(!list_entry_match(&c, LIST_SENDER, "x@example.org",
	    "x+y@example.org"));
}

/* An entry naming the extension decides before one naming the user. */
static void
test_extension_first(void)
{
	unsigned ln;

	CHECK(parse("allow recipient bob@example.org\n"
	    "deny recipient bob+spam@example.org\n"
	    "deny recipient @example.org\n") == 0);
	CHECK(lookup(LIST_RECIPIENT, "bob+spam@example.org", &ln) ==
	    LIST_DENY && ln == 2);
	CHECK(lookup(LIST_RECIPIENT, "BOB+spam@example.org", &ln) ==
	    LIST_DENY && ln == 2);
	CHECK(lookup(LIST_RECIPIENT, "bob+ok@example.org", &ln) ==
	    LIST_ALLOW && ln == 1);
	CHECK(lookup(LIST_RECIPIENT, "\"bob\"@example.org", &ln) ==
	    LIST_ALLOW && ln == 1);
	CHECK(lookup(LIST_RECIPIENT, "alice@example.org", &ln) ==
	    LIST_DENY && ln == 3);
}

static void
test_entry_match(void)
{
	conf_defaults(&c);
	CHECK(list_entry_match(&c, LIST_CLIENT, "192.0.2.0/24", "192.0.2.9"));
	CHECK(!list_entry_match(&c, LIST_CLIENT, "192.0.2.0/24", "192.0.3.9"));
	CHECK(list_entry_match(&c, LIST_HELO, ".example.org", "mx.example.org"));
	CHECK(list_entry_match(&c, LIST_RDNS, ".example.org", "mx.example.org"));
	CHECK(!list_entry_match(&c, LIST_RDNS, ".example.org", "example.com"));
	CHECK(list_entry_match(&c, LIST_SENDER, "@example.org", "a@example.org"));
	CHECK(list_entry_match(&c, LIST_RECIPIENT, "a@example.org",
	    "a@example.org"));
	CHECK(!list_entry_match(&c, LIST_RECIPIENT, "a@example.org",
	    "b@example.org"));
}

static void
test_conf_entries(void)
{
	CHECK(parse("allow client 192.0.2.0/24\n"
	    "deny helo .Bad.Example\n"
	    "deny sender @Spam.Example\n"
	    "allow recipient Postmaster@Example.org\n"
	    "deny client file:/etc/samotop/deny-clients\n") == 0);
	CHECK(c.nlists == 5);
	CHECK(c.lists[0].kind == LIST_CLIENT && c.lists[0].allow &&
	    !c.lists[0].is_file && c.lists[0].line == 1);
	CHECK_STR(c.lists[0].value, "192.0.2.0/24");
	CHECK(c.lists[1].kind == LIST_HELO && !c.lists[1].allow);
	CHECK_STR(c.lists[1].value, ".bad.example");
	CHECK_STR(c.lists[2].value, "@Spam.Example");	/* as written */
	CHECK(c.lists[3].kind == LIST_RECIPIENT && c.lists[3].allow);
	CHECK(c.lists[4].is_file && c.lists[4].line == 5);
	CHECK_STR(c.lists[4].value, "/etc/samotop/deny-clients");

	CHECK(parse("deny client 192.0.2.0/33\n") == -1);
	CHECK(err.line == 1);
	CHECK(parse("deny client example.org\n") == -1);
	CHECK(parse("deny helo my_host\n") == -1);
	CHECK(parse("deny sender example.org\n") == -1);
	CHECK(parse("deny recipient x\n") == -1);
	CHECK(parse("deny recipient x@\n") == -1);
	CHECK(parse("deny recipient \"x@example.org\n") == -1);
	CHECK(parse("deny recipient @\n") == -1);
	CHECK(parse("deny recipient @a@b\n") == -1);
	CHECK(parse("deny mailbox x@example.org\n") == -1);
	CHECK(parse("deny client\n") == -1);
	CHECK(parse("deny client 192.0.2.1 192.0.2.2\n") == -1);
	CHECK(parse("allow sender file:relative/path\n") == -1);
	CHECK(parse("deny-message \"Go away\"\n") == 0);
	CHECK_STR(c.deny_message, "Go away");
}

static void
test_lookup_inline(void)
{
	unsigned ln;

	CHECK(parse("deny client 127.0.0.0/8\n") == 0);
	CHECK(lookup(LIST_CLIENT, "127.0.0.1", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(lookup(LIST_CLIENT, "128.0.0.1", &ln) == LIST_NONE);
	/* another kind is not asked */
	CHECK(lookup(LIST_HELO, "127.0.0.1", &ln) == LIST_NONE);
	/* an empty value is never listed */
	CHECK(lookup(LIST_CLIENT, "", &ln) == LIST_NONE);
	CHECK(lookup(LIST_CLIENT, NULL, &ln) == LIST_NONE);

	/* allow beats deny, before or after it */
	CHECK(parse("deny client 127.0.0.0/8\n"
	    "# comment\n"
	    "allow client 127.0.0.1\n") == 0);
	CHECK(lookup(LIST_CLIENT, "127.0.0.1", &ln) == LIST_ALLOW);
	CHECK(ln == 3);
	CHECK(lookup(LIST_CLIENT, "127.0.0.2", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(parse("allow client 127.0.0.1\n"
	    "deny client 127.0.0.0/8\n") == 0);
	CHECK(lookup(LIST_CLIENT, "127.0.0.1", &ln) == LIST_ALLOW);
	CHECK(ln == 1);
	CHECK(lookup(LIST_CLIENT, "127.0.0.2", &ln) == LIST_DENY);
	CHECK(ln == 2);

	/* the first deny names the line */
	CHECK(parse("deny sender @spam.example\n"
	    "deny sender bob@spam.example\n") == 0);
	CHECK(lookup(LIST_SENDER, "bob@spam.example", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(lookup(LIST_SENDER, "bob@ham.example", &ln) == LIST_NONE);
	CHECK(lookup(LIST_SENDER, "", &ln) == LIST_NONE);

	/* entries are lowercased, values compare in any case */
	CHECK(parse("deny helo .Bad.Example\n"
	    "allow helo Good.Bad.Example\n"
	    "deny recipient X@Example.org\n"
	    "allow rdns .Mail.Example\n") == 0);
	CHECK(lookup(LIST_HELO, "MX.BAD.EXAMPLE", &ln) == LIST_DENY);
	CHECK(lookup(LIST_HELO, "bad.example", &ln) == LIST_DENY);
	CHECK(lookup(LIST_HELO, "good.bad.example", &ln) == LIST_ALLOW);
	CHECK(ln == 2);
	CHECK(lookup(LIST_HELO, "notbad.example", &ln) == LIST_NONE);
	CHECK(lookup(LIST_RECIPIENT, "x@EXAMPLE.ORG", &ln) == LIST_DENY);
	CHECK(lookup(LIST_RECIPIENT, "y@example.org", &ln) == LIST_NONE);
	CHECK(lookup(LIST_RDNS, "out.mail.example", &ln) == LIST_ALLOW);
	CHECK(ln == 4);

	/* v6 and mapped clients */
	CHECK(parse("deny client 2001:db8::/32\n"
	    "deny client 192.0.2.0/24\n") == 0);
	CHECK(lookup(LIST_CLIENT, "2001:db8::25", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(lookup(LIST_CLIENT, "::ffff:192.0.2.25", &ln) == LIST_DENY);
	CHECK(ln == 2);
	CHECK(lookup(LIST_CLIENT, "2001:db9::25", &ln) == LIST_NONE);
}

static void
test_lookup_files(void)
{
	char deny[64], allow[64], conf[512];
	const char *why;
	unsigned ln;
	FILE *f;

	temp_file(deny, "# spammers\n"
	    "\n"
	    "   \t\n"
	    "  @spam.example   # the whole domain\n"
	    "bob@ham.example\r\n"
	    "#carol@ham.example\n"
	    "Dave@HAM.example");		/* no newline at the end */
	temp_file(allow, "# friends\nfriend@spam.example\n");
	snprintf(conf, sizeof(conf), "deny sender file:%s\n"
	    "max-errors 5\n"
	    "allow sender file:%s\n", deny, allow);
	CHECK(parse(conf) == 0);
	CHECK(c.lists[0].is_file && c.lists[1].is_file);
	CHECK(lookup(LIST_SENDER, "x@spam.example", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(lookup(LIST_SENDER, "bob@ham.example", &ln) == LIST_DENY);
	CHECK(lookup(LIST_SENDER, "dave@ham.example", &ln) == LIST_DENY);
	CHECK(lookup(LIST_SENDER, "carol@ham.example", &ln) == LIST_NONE);
	CHECK(lookup(LIST_SENDER, "alice@ham.example", &ln) == LIST_NONE);
	/* a comment or a blank line is no entry */
	CHECK(lookup(LIST_SENDER, "#", &ln) == LIST_NONE);
	/* the allow file, later in the configuration, beats the deny */
	CHECK(lookup(LIST_SENDER, "friend@spam.example", &ln) == LIST_ALLOW);
	CHECK(ln == 3);
	why = "unset";
	CHECK(list_lookup(&c, LIST_SENDER, "x@spam.example", &why, &ln) ==
	    LIST_DENY);
	CHECK(why == NULL);

	/* re-read at every lookup: an edit counts at once */
	f = fopen(deny, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("alice@ham.example\n", f);
		fclose(f);
	}
	CHECK(lookup(LIST_SENDER, "alice@ham.example", &ln) == LIST_DENY);
	CHECK(lookup(LIST_SENDER, "x@spam.example", &ln) == LIST_NONE);

	/* an unreadable file: no entry, and err names it */
	unlink(deny);
	why = NULL;
	ln = 0;
	CHECK(list_lookup(&c, LIST_SENDER, "alice@ham.example", &why, &ln) ==
	    LIST_NONE);
	CHECK(why != NULL && strcmp(why, deny) == 0);
	CHECK(ln == 0);
	/* and the readable allow file still counts */
	why = NULL;
	CHECK(list_lookup(&c, LIST_SENDER, "friend@spam.example", &why,
	    &ln) == LIST_ALLOW);
	CHECK(ln == 3);
	unlink(allow);

	/* client files: CIDR lines, v6 included; an inline deny too */
	temp_file(deny, "10.0.0.0/8\n2001:db8::/32\n# 127.0.0.1\n");
	snprintf(conf, sizeof(conf), "deny client file:%s\n"
	    "deny client 192.0.2.0/24\n"
	    "allow client 10.1.0.0/16\n", deny);
	CHECK(parse(conf) == 0);
	CHECK(lookup(LIST_CLIENT, "10.200.0.1", &ln) == LIST_DENY);
	CHECK(ln == 1);
	CHECK(lookup(LIST_CLIENT, "2001:db8::1", &ln) == LIST_DENY);
	CHECK(lookup(LIST_CLIENT, "127.0.0.1", &ln) == LIST_NONE);
	CHECK(lookup(LIST_CLIENT, "192.0.2.1", &ln) == LIST_DENY);
	CHECK(ln == 2);
	CHECK(lookup(LIST_CLIENT, "10.1.2.3", &ln) == LIST_ALLOW);
	CHECK(ln == 3);
	unlink(deny);
}

/*
 * A file: path is a file name, not an entry: its case is kept (entries
 * are lowercased, paths must not be).
 */
static void
test_file_path_case(void)
{
	char conf[512];
	const char *why = NULL;
	unsigned ln = 0;
	FILE *f;

	f = fopen("/tmp/test_lists.UPPER", "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("@spam.example\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf),
	    "deny sender file:/tmp/test_lists.UPPER\n");
	CHECK(parse(conf) == 0);
	CHECK_STR(c.lists[0].value, "/tmp/test_lists.UPPER");
	CHECK(list_lookup(&c, LIST_SENDER, "a@spam.example", &why, &ln) ==
	    LIST_DENY);
	CHECK(why == NULL);
	unlink("/tmp/test_lists.UPPER");
}

int
main(void)
{
	TEST(test_cidr_valid);
	TEST(test_cidr_ipv4);
	TEST(test_cidr_ipv6);
	TEST(test_name_match);
	TEST(test_address_match);
	TEST(test_address_options);
	TEST(test_extension_first);
	TEST(test_entry_match);
	TEST(test_conf_entries);
	TEST(test_lookup_inline);
	TEST(test_lookup_files);
	TEST(test_file_path_case);
	return UNIT_DONE();
}
