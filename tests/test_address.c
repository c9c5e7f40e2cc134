/*
 * test_address.c: the RFC 5321 §4.1.2 path grammar (address.c).
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "tests/unit.h"

#define ALL	(ADDR_ALLOW_NULL | ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8)

struct path_case {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 flags;
	enum addr_error	 want;
	const char	*local;		/* on ADDR_OK */
	const char	*domain;
	size_t		 used;		/* on ADDR_OK; 0: len */
};

static const struct path_case valid[] = {
	{ "<user@example.org>", 0, 0, ADDR_OK, "user", "example.org", 0 },
	{ "<User.Name+tag@Mail.Example.ORG>", 0, 0, ADDR_OK,
	    "User.Name+tag", "Mail.Example.ORG", 0 },
	{ "<!#$%&'*+-/=?^_`{|}~@x.org>", 0, 0, ADDR_OK,
	    "!#$%&'*+-/=?^_`{|}~", "x.org", 0 },
	{ "<a@b>", 0, 0, ADDR_OK, "a", "b", 0 },
	{ "<a@x-y.z0-9.org>", 0, 0, ADDR_OK, "a", "x-y.z0-9.org", 0 },
	{ "<a@a--b.org>", 0, 0, ADDR_OK, "a", "a--b.org", 0 },
	{ "<a@123.example>", 0, 0, ADDR_OK, "a", "123.example", 0 },
	/* source routes are parsed and dropped */
	{ "<@a.example,@b.example:u@c.example>", 0, 0, ADDR_OK,
	    "u", "c.example", 0 },
	{ "<@a.example:u@c.example>", 0, 0, ADDR_OK, "u", "c.example", 0 },
	{ "<@[192.0.2.1],@b:u@c>", 0, 0, ADDR_OK, "u", "c", 0 },
	/* quoted local parts are kept as written */
	{ "<\"a b\"@x.org>", 0, 0, ADDR_OK, "\"a b\"", "x.org", 0 },
	{ "<\"a\\\"b\"@x.org>", 0, 0, ADDR_OK, "\"a\\\"b\"", "x.org", 0 },
	{ "<\"a\\\\b\"@x.org>", 0, 0, ADDR_OK, "\"a\\\\b\"", "x.org", 0 },
	{ "<\"a@b,c:d>e\"@x.org>", 0, 0, ADDR_OK, "\"a@b,c:d>e\"", "x.org",
	    0 },
	{ "<\"\"@x.org>", 0, 0, ADDR_OK, "\"\"", "x.org", 0 },
	{ "<\"\\ \"@x.org>", 0, 0, ADDR_OK, "\"\\ \"", "x.org", 0 },
	/* address literals */
	{ "<u@[192.0.2.1]>", 0, 0, ADDR_OK, "u", "[192.0.2.1]", 0 },
	{ "<u@[IPv6:2001:db8::1]>", 0, 0, ADDR_OK, "u", "[IPv6:2001:db8::1]",
	    0 },
	{ "<u@[ipv6:::1]>", 0, 0, ADDR_OK, "u", "[ipv6:::1]", 0 },
	{ "<u@[IPv6:::ffff:192.0.2.1]>", 0, 0, ADDR_OK, "u",
	    "[IPv6:::ffff:192.0.2.1]", 0 },
	/* the null path and postmaster */
	{ "<>", 0, ADDR_ALLOW_NULL, ADDR_OK, "", "", 0 },
	{ "<>", 0, 0, ADDR_ENULL, NULL, NULL, 0 },
	{ "<>", 0, ADDR_ALLOW_POSTMASTER | ADDR_ALLOW_UTF8, ADDR_ENULL,
	    NULL, NULL, 0 },
	{ "<postmaster>", 0, ADDR_ALLOW_POSTMASTER, ADDR_OK, "postmaster", "",
	    0 },
	{ "<PostMaster>", 0, ADDR_ALLOW_POSTMASTER, ADDR_OK, "PostMaster", "",
	    0 },
	{ "<postmaster>", 0, ADDR_ALLOW_NULL | ADDR_ALLOW_UTF8, ADDR_ESYNTAX,
	    NULL, NULL, 0 },
	{ "<PostMaster>", 0, 0, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<postmasters>", 0, ADDR_ALLOW_POSTMASTER, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<postmaster@x.org>", 0, 0, ADDR_OK, "postmaster", "x.org", 0 },
	/* trailing parameters are left for the caller */
	{ "<a@b.c> SIZE=100", 0, 0, ADDR_OK, "a", "b.c", 7 },
	{ "<> BODY=8BITMIME", 0, ADDR_ALLOW_NULL, ADDR_OK, "", "", 2 },
	{ "<postmaster> NOTIFY=NEVER", 0, ADDR_ALLOW_POSTMASTER, ADDR_OK,
	    "postmaster", "", 12 },
	{ "<\"x>y\"@b>>", 0, 0, ADDR_OK, "\"x>y\"", "b", 9 },
	/* UTF-8, only with ADDR_ALLOW_UTF8 */
	{ "<j\xc3\xb6rg@m\xc3\xbc" "ller.de>", 0, ADDR_ALLOW_UTF8, ADDR_OK,
	    "j\xc3\xb6rg", "m\xc3\xbc" "ller.de", 0 },
	{ "<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf"
	    "\xe5\x91\x8a>", 0, ADDR_ALLOW_UTF8, ADDR_OK,
	    "\xe7\x94\xa8\xe6\x88\xb7",
	    "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", 0 },
	{ "<\xf0\x9f\x98\x80@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_OK,
	    "\xf0\x9f\x98\x80", "x.org", 0 },
	{ "<\xf4\x8f\xbf\xbf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_OK,
	    "\xf4\x8f\xbf\xbf", "x.org", 0 },
	{ "<\"\xc3\xa9 \xc3\xa9\"@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_OK,
	    "\"\xc3\xa9 \xc3\xa9\"", "x.org", 0 },
	{ "<a@\xc3\xa9.org>", 0, ADDR_ALLOW_UTF8, ADDR_OK, "a",
	    "\xc3\xa9.org", 0 },
	{ "<j\xc3\xb6rg@x.de>", 0, ADDR_ALLOW_NULL | ADDR_ALLOW_POSTMASTER,
	    ADDR_EUTF8, NULL, NULL, 0 },
	{ "<a@m\xc3\xbc" "ller.de>", 0, 0, ADDR_EUTF8, NULL, NULL, 0 },
	{ "<\"\xc3\xa9\"@x.org>", 0, 0, ADDR_EUTF8, NULL, NULL, 0 },
	{ "<\xc0\xaf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\xc1\xbf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\xe0\x80\xaf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<\xe0\x9f\xbf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<\xf0\x8f\xbf\xbf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL,
	    NULL, 0 },
	{ "<\xed\xa0\x80@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<\xed\xbf\xbf@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<a@\xed\xa0\x80.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<\xf4\x90\x80\x80@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL,
	    NULL, 0 },
	{ "<\xf5\x80\x80\x80@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL,
	    NULL, 0 },
	{ "<\xff@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\x80@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\xc3@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\xe2\x82@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x.\xf0\x9f\x98>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL,
	    0 },
	{ "<a@x.\xc3", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\"\xc3\"@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\"\\\xc3\xa9\"@x.org>", 0, ADDR_ALLOW_UTF8, ADDR_ESYNTAX, NULL,
	    NULL, 0 },
};

static const struct path_case invalid[] = {
	{ "", 0, ALL, ADDR_ENOBRACKET, NULL, NULL, 0 },
	{ "a@b.c", 0, ALL, ADDR_ENOBRACKET, NULL, NULL, 0 },
	{ " <a@b.c>", 0, ALL, ADDR_ENOBRACKET, NULL, NULL, 0 },
	{ "<a@b.c", 0, ALL, ADDR_ENOBRACKET, NULL, NULL, 0 },
	{ "<", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@b.c>", 6, ALL, ADDR_ENOBRACKET, NULL, NULL, 0 },
	{ "<a@b.c x>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<@b.c>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@b@c>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a b@c>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a..b@x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a.@x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<.a@x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x..org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x.org.>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@.x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@-x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x-.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x.-org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x.org->", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<a@x_y.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\"a@x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<\"a\"b@x.org>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<@a.example u@c.example>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<@a.example,b.example:u@c>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<@:u@c>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<@a:>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	/* address literals */
	{ "<u@[300.1.1.1]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[1.2.3]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[1.2.3.4.5]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:zz]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1.2.3.4]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[2001:db8::1]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[192.0.2.1>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[192.0.2.1]x>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[192.0.2.1 ]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	{ "<u@[example.org]>", 0, ALL, ADDR_ESYNTAX, NULL, NULL, 0 },
	/* control octets */
	{ "<a\r@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a\n@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a\x7f@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a\t@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a\0@x.org>", 10, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\r\n>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\0>", 3, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a.\r@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a@x\r.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a@x.org\r\n>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a@x.org\0>", 10, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a@x.\x7f>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<a@\n>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\rb\"@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\nb\"@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\0b\"@x.org>", 12, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\x7f\"@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\\\r\"@x.org>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<\"a\\\0\"@x.org>", 13, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<u@[192.0.2.1\0x]>", 17, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<u@[192.0.2.1\r\n]>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<u@[IPv6:::1\0]>", 15, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
	{ "<@a\r:u@c>", 0, ALL, ADDR_ECONTROL, NULL, NULL, 0 },
};

static int
has_high(const char *s, size_t n)
{
	while (n-- > 0)
		if ((unsigned char)*s++ >= 0x80)
			return 1;
	return 0;
}

static void
run_cases(const struct path_case *tc, size_t n)
{
	struct mailbox mb;
	size_t i, len, used;
	enum addr_error e;

	for (i = 0; i < n; i++) {
		len = tc[i].len != 0 ? tc[i].len : strlen(tc[i].in);
		used = (size_t)-1;
		e = addr_parse_path(tc[i].in, len, tc[i].flags, &mb, &used);
		if (e != tc[i].want)
			printf("# case %zu: got %d (%s), want %d\n", i, e,
			    addr_strerror(e), tc[i].want);
		CHECK(e == tc[i].want);
		if (e != ADDR_OK || tc[i].want != ADDR_OK)
			continue;
		CHECK_STR(mb.local, tc[i].local);
		CHECK_STR(mb.domain, tc[i].domain);
		if (used != (tc[i].used != 0 ? tc[i].used : len))
			printf("# case %zu: used %zu\n", i, used);
		CHECK(used == (tc[i].used != 0 ? tc[i].used : len));
		CHECK(used <= len && tc[i].in[used - 1] == '>');
		CHECK(mb.is_null == (strcmp(tc[i].in, "<>") == 0 ||
		    strncmp(tc[i].in, "<> ", 3) == 0));
		CHECK(mb.is_utf8 == has_high(tc[i].in, used));
	}
}

static void
test_valid(void)
{
	run_cases(valid, sizeof(valid) / sizeof(valid[0]));
}

static void
test_invalid(void)
{
	run_cases(invalid, sizeof(invalid) / sizeof(invalid[0]));
}

/* Every error is also what all flag combinations give, but ENULL/EUTF8. */
static void
test_flags_irrelevant(void)
{
	struct mailbox mb;
	size_t i, len, used;
	int f;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		len = invalid[i].len != 0 ? invalid[i].len :
		    strlen(invalid[i].in);
		for (f = 0; f <= ALL; f++)
			CHECK(addr_parse_path(invalid[i].in, len, f, &mb,
			    &used) == invalid[i].want);
	}
}

static void
test_is_utf8(void)
{
	struct mailbox mb;
	size_t used;

	CHECK(addr_parse_path("<a@b>", 5, ALL, &mb, &used) == ADDR_OK);
	CHECK(mb.is_utf8 == 0 && mb.is_null == 0);
	CHECK(addr_parse_path("<\xc3\xa9@b>", 7, ALL, &mb, &used) == ADDR_OK);
	CHECK(mb.is_utf8 == 1);
	CHECK(addr_parse_path("<a@\xc3\xa9>", 7, ALL, &mb, &used) == ADDR_OK);
	CHECK(mb.is_utf8 == 1);
	CHECK(addr_parse_path("<>", 2, ALL, &mb, &used) == ADDR_OK);
	CHECK(mb.is_null == 1 && mb.is_utf8 == 0);
	CHECK(mb.local[0] == '\0' && mb.domain[0] == '\0');
}

/* Parse "<" L "@" D ">" with L made of nl 'a's and D of nd octets. */
static enum addr_error
parse_sized(size_t nl, size_t nd, int quoted, struct mailbox *mb)
{
	char buf[1024];
	size_t n = 0, i, used;

	buf[n++] = '<';
	for (i = 0; i < nl; i++)
		buf[n++] = quoted && (i == 0 || i == nl - 1) ? '"' : 'a';
	buf[n++] = '@';
	/* labels of up to 63 octets, joined with dots */
	for (i = 0; i < nd; i++)
		buf[n++] = i % 64 == 63 && i != nd - 1 ? '.' : 'd';
	buf[n++] = '>';
	return addr_parse_path(buf, n, 0, mb, &used);
}

static void
test_lengths(void)
{
	struct mailbox mb;

	CHECK(parse_sized(64, 10, 0, &mb) == ADDR_OK);
	CHECK(strlen(mb.local) == 64);
	CHECK(parse_sized(65, 10, 0, &mb) == ADDR_ELOCALLEN);
	CHECK(parse_sized(200, 10, 0, &mb) == ADDR_ELOCALLEN);
	CHECK(parse_sized(64, 10, 1, &mb) == ADDR_OK);
	CHECK(parse_sized(65, 10, 1, &mb) == ADDR_ELOCALLEN);
	CHECK(parse_sized(1, 255, 0, &mb) == ADDR_OK);
	CHECK(strlen(mb.domain) == 255);
	CHECK(parse_sized(1, 256, 0, &mb) == ADDR_EDOMAINLEN);
	CHECK(parse_sized(1, 600, 0, &mb) == ADDR_EDOMAINLEN);
	CHECK(parse_sized(64, 255, 0, &mb) == ADDR_OK);
	CHECK(strlen(mb.local) == 64 && strlen(mb.domain) == 255);
	CHECK(parse_sized(65, 256, 0, &mb) == ADDR_ELOCALLEN);
}

/* The parser must not read past len, even when more octets follow. */
static void
test_len_respected(void)
{
	static const char s[] = "<a@b.example>";
	struct mailbox mb;
	size_t len, used;
	char *p;

	for (len = 0; len < sizeof(s) - 1; len++) {
		p = malloc(len + 1);
		memcpy(p, s, len);
		CHECK(addr_parse_path(p, len, ALL, &mb, &used) != ADDR_OK);
		free(p);
	}
	p = malloc(sizeof(s) - 1);
	memcpy(p, s, sizeof(s) - 1);
	CHECK(addr_parse_path(p, sizeof(s) - 1, ALL, &mb, &used) == ADDR_OK);
	CHECK(used == sizeof(s) - 1);
	free(p);
}

static void
test_format(void)
{
	struct mailbox mb;
	char buf[ADDR_MAX + 1], small[5];
	size_t used;

	CHECK(addr_parse_path("<u@x.org>", 9, 0, &mb, &used) == ADDR_OK);
	CHECK(mailbox_format(&mb, buf, sizeof(buf)) == 7);
	CHECK_STR(buf, "u@x.org");
	CHECK(mailbox_format(&mb, small, sizeof(small)) == 4);
	CHECK_STR(small, "u@x.");
	CHECK(mailbox_format(&mb, small, 1) == 0);
	CHECK_STR(small, "");
	CHECK(addr_parse_path("<>", 2, ADDR_ALLOW_NULL, &mb, &used) ==
	    ADDR_OK);
	CHECK(mailbox_format(&mb, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "");
	CHECK(addr_parse_path("<PostMaster>", 12, ADDR_ALLOW_POSTMASTER, &mb,
	    &used) == ADDR_OK);
	CHECK(mailbox_format(&mb, buf, sizeof(buf)) == 10);
	CHECK_STR(buf, "PostMaster");
	CHECK(addr_parse_path("<@r.example:\"a b\"@[192.0.2.1]>", 30, 0, &mb,
	    &used) == ADDR_OK);
	CHECK(mailbox_format(&mb, buf, sizeof(buf)) == 17);
	CHECK_STR(buf, "\"a b\"@[192.0.2.1]");
	CHECK(parse_sized(64, 255, 0, &mb) == ADDR_OK);
	CHECK(mailbox_format(&mb, buf, sizeof(buf)) == ADDR_MAX);
	CHECK(strlen(buf) == ADDR_MAX);
	CHECK(mailbox_format(&mb, small, 0) == 0);
}

static void
test_split(void)
{
	struct mailbox mb;
	char user[ADDR_LOCAL_MAX + 1], ext[ADDR_LOCAL_MAX + 1];
	size_t used;

	CHECK(addr_parse_path("<joe+lists+x@x.org>", 19, 0, &mb, &used) ==
	    ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "joe");
	CHECK_STR(ext, "lists+x");
	CHECK(mailbox_split(&mb, '-', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "joe+lists+x");
	CHECK_STR(ext, "");
	CHECK(mailbox_split(&mb, 0, user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "joe+lists+x");
	CHECK_STR(ext, "");

	CHECK(addr_parse_path("<joe@x.org>", 11, 0, &mb, &used) == ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "joe");
	CHECK_STR(ext, "");
	CHECK(mailbox_split(&mb, '+', user, 4, ext, 1) == 0);
	CHECK_STR(user, "joe");
	CHECK(mailbox_split(&mb, '+', user, 3, ext, sizeof(ext)) == -1);

	CHECK(addr_parse_path("<+x@x.org>", 10, 0, &mb, &used) == ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "");
	CHECK_STR(ext, "x");
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext, 1) == -1);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext, 2) == 0);

	CHECK(addr_parse_path("<\"a b+c\\\"d\\\\\"@x.org>", 20, 0, &mb,
	    &used) == ADDR_OK);
	CHECK_STR(mb.local, "\"a b+c\\\"d\\\\\"");
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "a b");
	CHECK_STR(ext, "c\"d\\");
	CHECK(mailbox_split(&mb, 0, user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "a b+c\"d\\");
	CHECK(mailbox_split(&mb, 0, user, 8, ext, sizeof(ext)) == -1);
	CHECK(mailbox_split(&mb, 0, user, 9, ext, sizeof(ext)) == 0);

	CHECK(addr_parse_path("<\"\"@x.org>", 10, 0, &mb, &used) == ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "");
	CHECK_STR(ext, "");

	CHECK(addr_parse_path("<PostMaster>", 12, ADDR_ALLOW_POSTMASTER, &mb,
	    &used) == ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK_STR(user, "PostMaster");

	CHECK(parse_sized(64, 1, 0, &mb) == ADDR_OK);
	CHECK(mailbox_split(&mb, '+', user, sizeof(user), ext,
	    sizeof(ext)) == 0);
	CHECK(strlen(user) == 64);
	CHECK(mailbox_split(&mb, '+', user, 64, ext, sizeof(ext)) == -1);
}

/* The canonical form of path (with delim and fold_case), as text. */
static const char *
canon(const char *path, int delim, int fold_case)
{
	static char buf[ADDR_MAX + 1];
	struct mailbox mb;
	size_t used;

	if (addr_parse_path(path, strlen(path), ALL, &mb, &used) != ADDR_OK)
		return "(parse)";
	if (mailbox_canonical(&mb, delim, fold_case, &mb) == -1)
		return "(canonical)";
	mailbox_format(&mb, buf, sizeof(buf));
	return buf;
}

static void
test_canonical(void)
{
	/* the forms of finding 5 of issue 10 */
	CHECK_STR(canon("<\"bob\"@Example.ORG>", '+', 1), "bob@example.org");
	CHECK_STR(canon("<BOB@example.org>", '+', 1), "bob@example.org");
	CHECK_STR(canon("<\"bob+x\"@d>", '+', 1), "bob+x@d");
	CHECK_STR(canon("<\"B\\ob\"@d>", '+', 1), "bob@d");
	CHECK_STR(canon("<\"a.b\"@d>", '+', 1), "a.b@d");
	/* the extension keeps its case: it may name a folder */
	CHECK_STR(canon("<Bob+Lists@d>", '+', 1), "bob+Lists@d");
	CHECK_STR(canon("<Bob+Lists@d>", '-', 1), "bob+lists@d");
	CHECK_STR(canon("<Bob-Lists@d>", '-', 1), "bob-Lists@d");
	CHECK_STR(canon("<Bob+Lists@d>", 0, 1), "bob+lists@d");
	CHECK_STR(canon("<Bob+Lists@D>", '+', 0), "Bob+Lists@d");
	/* a local part that needs its quotes keeps them, minimal */
	CHECK_STR(canon("<\"a b\"@d>", '+', 1), "\"a b\"@d");
	CHECK_STR(canon("<\"A\\ B\"@d>", '+', 1), "\"a b\"@d");
	CHECK_STR(canon("<\"a\\\"b\"@d>", '+', 1), "\"a\\\"b\"@d");
	CHECK_STR(canon("<\"a\\\\b\"@d>", '+', 1), "\"a\\\\b\"@d");
	CHECK_STR(canon("<\"\"@d>", '+', 1), "\"\"@d");
	CHECK_STR(canon("<\".a\"@d>", '+', 1), "\".a\"@d");
	CHECK_STR(canon("<\"a.\"@d>", '+', 1), "\"a.\"@d");
	CHECK_STR(canon("<\"a..b\"@d>", '+', 1), "\"a..b\"@d");
	CHECK_STR(canon("<\"a@b\"@d>", '+', 1), "\"a@b\"@d");
	/* UTF-8 is atext (RFC 6531); only ASCII is folded */
	CHECK_STR(canon("<\"\xc3\x89Va\"@D\xc3\x89>", '+', 1),
	    "\xc3\x89va@d\xc3\x89");
	/* the domain, an address literal too */
	CHECK_STR(canon("<u@[IPv6:2001:DB8::1]>", '+', 1),
	    "u@[ipv6:2001:db8::1]");
	/* the null path and <postmaster> */
	CHECK_STR(canon("<>", '+', 1), "");
	CHECK_STR(canon("<PostMaster>", '+', 1), "postmaster");
	/* the longest: unquoting never grows */
	CHECK_STR(canon("<\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa b\"@d>", '+', 1),
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b\"@d");
	/* idempotent */
	CHECK_STR(canon("<\"a b+C\"@d>", '+', 1), "\"a b+C\"@d");
}

static const char *
base(const char *path, int delim)
{
	static char buf[ADDR_MAX + 1];
	struct mailbox mb;
	size_t used;
	int r;

	if (addr_parse_path(path, strlen(path), ALL, &mb, &used) != ADDR_OK ||
	    mailbox_canonical(&mb, delim, 1, &mb) == -1)
		return "(parse)";
	r = mailbox_base(&mb, delim, &mb);
	mailbox_format(&mb, buf + 1, sizeof(buf) - 1);
	buf[0] = r ? '1' : '0';
	return buf;
}

static void
test_base(void)
{
	CHECK_STR(base("<bob+x@d>", '+'), "1bob@d");
	CHECK_STR(base("<bob+x+y@d>", '+'), "1bob@d");
	CHECK_STR(base("<bob+@d>", '+'), "1bob@d");
	CHECK_STR(base("<bob@d>", '+'), "0bob@d");
	CHECK_STR(base("<+bob@d>", '+'), "0+bob@d");
	CHECK_STR(base("<bob+x@d>", 0), "0bob+x@d");
	CHECK_STR(base("<bob-x@d>", '-'), "1bob@d");
	CHECK_STR(base("<\"a b+x\"@d>", '+'), "1\"a b\"@d");
	CHECK_STR(base("<\"a+b c\"@d>", '+'), "1a@d");
	CHECK_STR(base("<\"a.+x\"@d>", '+'), "1\"a.\"@d");
	CHECK_STR(base("<>", '+'), "0");
}

static void
test_pattern_match(void)
{
	struct mailbox mb;
	size_t used;

	CHECK(addr_parse_path("<\"Bob+X\"@Example.org>", 21, 0, &mb, &used) ==
	    ADDR_OK);
	CHECK(mailbox_canonical(&mb, '+', 1, &mb) == 0);
	CHECK(addr_pattern_match("bob+x@example.org", &mb, '+', 1) ==
	    ADDR_MATCH_EXACT);
	CHECK(addr_pattern_match("\"BOB+x\"@EXAMPLE.org", &mb, '+', 1) ==
	    ADDR_MATCH_EXACT);
	CHECK(addr_pattern_match("bob@example.org", &mb, '+', 1) ==
	    ADDR_MATCH_BASE);
	CHECK(addr_pattern_match("\"bob\"@example.org", &mb, '+', 1) ==
	    ADDR_MATCH_BASE);
	CHECK(addr_pattern_match("@EXAMPLE.ORG", &mb, '+', 1) ==
	    ADDR_MATCH_DOMAIN);
	CHECK(addr_pattern_match("@example.org.x", &mb, '+', 1) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("bob@example.net", &mb, '+', 1) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("bob@example.org", &mb, 0, 1) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("bo@example.org", &mb, '+', 1) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("\"bob@example.org", &mb, '+', 1) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("", &mb, '+', 1) == ADDR_MATCH_NONE);
	/* case-sensitive local parts: the domain still ignores case */
	CHECK(addr_parse_path("<Bob+X@Example.org>", 19, 0, &mb, &used) ==
	    ADDR_OK);
	CHECK(mailbox_canonical(&mb, '+', 0, &mb) == 0);
	CHECK(addr_pattern_match("bob@example.org", &mb, '+', 0) ==
	    ADDR_MATCH_NONE);
	CHECK(addr_pattern_match("Bob@EXAMPLE.org", &mb, '+', 0) ==
	    ADDR_MATCH_BASE);
	CHECK(addr_pattern_match("Bob+x@example.org", &mb, '+', 0) ==
	    ADDR_MATCH_NONE);
	/* the null path and a bare postmaster have no domain */
	memset(&mb, 0, sizeof(mb));
	mb.is_null = 1;
	CHECK(addr_pattern_match("@x", &mb, '+', 1) == ADDR_MATCH_NONE);
}

static void
test_delimiter(void)
{
	CHECK(addr_delimiter_parse("+") == '+');
	CHECK(addr_delimiter_parse("-") == '-');
	CHECK(addr_delimiter_parse("none") == 0);
	CHECK(addr_delimiter_parse(NULL) == -1);
	CHECK(addr_delimiter_parse("") == -1);
	CHECK(addr_delimiter_parse("a") == -1);
	CHECK(addr_delimiter_parse("7") == -1);
	CHECK(addr_delimiter_parse("@") == -1);
	CHECK(addr_delimiter_parse("\"") == -1);
	CHECK(addr_delimiter_parse(" ") == -1);
	CHECK(addr_delimiter_parse("++") == -1);
	CHECK(addr_delimiter_parse("\xc3\xa9") == -1);
}

static void
test_strerror(void)
{
	static const enum addr_error all[] = {
		ADDR_OK, ADDR_ENOBRACKET, ADDR_ESYNTAX, ADDR_ELOCALLEN,
		ADDR_EDOMAINLEN, ADDR_ENULL, ADDR_EUTF8, ADDR_ECONTROL,
	};
	size_t i, j;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK(addr_strerror(all[i]) != NULL);
		CHECK(addr_strerror(all[i])[0] != '\0');
		for (j = 0; j < i; j++)
			CHECK(strcmp(addr_strerror(all[i]),
			    addr_strerror(all[j])) != 0);
	}
	CHECK(addr_strerror((enum addr_error)99)[0] != '\0');
}

int
main(void)
{
	TEST(test_valid);
	TEST(test_invalid);
	TEST(test_flags_irrelevant);
	TEST(test_is_utf8);
	TEST(test_lengths);
	TEST(test_len_respected);
	TEST(test_format);
	TEST(test_split);
	TEST(test_canonical);
	TEST(test_base);
	TEST(test_pattern_match);
	TEST(test_delimiter);
	TEST(test_strerror);
	return UNIT_DONE();
}
