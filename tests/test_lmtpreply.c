/*
 * test_lmtpreply.c: reply lines of an LMTP server (lmtpreply.c).  What a
 * helper answers is untrusted: anything malformed is BAD, and the text
 * kept is bounded printable ASCII.
 */
#include <stdlib.h>
#include <string.h>

#include "lmtpreply.h"
#include "tests/unit.h"

static struct lmtpreply lr;

/* Feed exactly len octets from a heap copy, so ASan sees an over-read. */
static enum lmtpreply_status
feedn(const char *s, size_t len)
{
	enum lmtpreply_status st;
	char *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, s, len);
	st = lmtpreply_line(&lr, copy, len);
	free(copy);
	return st;
}

static enum lmtpreply_status
feed(const char *s)
{
	return feedn(s, strlen(s));
}

/* A fresh reply of one line. */
static enum lmtpreply_status
one(const char *s)
{
	lmtpreply_init(&lr);
	return feed(s);
}

static void
single_line(void)
{
	CHECK(one("250 2.1.5 Ok") == LMTPREPLY_DONE);
	CHECK(lr.code == 250 && lr.lines == 1);
	CHECK_STR(lr.text, "2.1.5 Ok");
	CHECK(one("550 5.1.1 <u@x>: no such user") == LMTPREPLY_DONE);
	CHECK(lr.code == 550);
	CHECK_STR(lr.text, "5.1.1 <u@x>: no such user");
	CHECK(one("452 4.2.2 Mailbox full") == LMTPREPLY_DONE);
	CHECK(lr.code == 452);
	CHECK(one("221 bye") == LMTPREPLY_DONE && lr.code == 221);
	/* a bare code, with or without the space, is a complete reply */
	CHECK(one("250") == LMTPREPLY_DONE && lr.code == 250);
	CHECK_STR(lr.text, "");
	CHECK(one("354 ") == LMTPREPLY_DONE && lr.code == 354);
	CHECK_STR(lr.text, "");
	CHECK(one("599 x") == LMTPREPLY_DONE && lr.code == 599);
	CHECK(one("200 x") == LMTPREPLY_DONE && lr.code == 200);
}

static void
multi_line(void)
{
	lmtpreply_init(&lr);
	CHECK(feed("250-a") == LMTPREPLY_MORE);
	CHECK(lr.code == 250 && lr.lines == 1);
	CHECK_STR(lr.text, "a");
	CHECK(feed("250-") == LMTPREPLY_MORE);
	CHECK(feed("250 b") == LMTPREPLY_DONE);
	CHECK(lr.code == 250 && lr.lines == 3);
	CHECK_STR(lr.text, "b");	/* the last line's text */

	/* a different code on a later line is not one reply */
	lmtpreply_init(&lr);
	CHECK(feed("250-a") == LMTPREPLY_MORE);
	CHECK(feed("251 b") == LMTPREPLY_BAD);
	lmtpreply_init(&lr);
	CHECK(feed("452-a") == LMTPREPLY_MORE);
	CHECK(feed("552 b") == LMTPREPLY_BAD);
	lmtpreply_init(&lr);
	CHECK(feed("250-a") == LMTPREPLY_MORE);
	CHECK(feed("250-b") == LMTPREPLY_MORE);
	CHECK(feed("x") == LMTPREPLY_BAD);
}

static void
malformed(void)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} bad[] = {
		{ "", 0 },
		{ "2", 0 },
		{ "25", 0 },
		{ "25x ok", 0 },
		{ "x50 ok", 0 },
		{ "2a0 ok", 0 },
		{ " 250 ok", 0 },
		{ "-250 ok", 0 },
		{ "100 continue", 0 },
		{ "199 x", 0 },
		{ "000 x", 0 },
		{ "600 x", 0 },
		{ "999 x", 0 },
		{ "250ok", 0 },		/* no separator */
		{ "2500 ok", 0 },
		{ "250_ok", 0 },
		{ "250\tok", 0 },
		{ "250\r", 0 },
		{ "250\0 ok", 7 },
		{ "\0\0\0", 3 },
		{ "\xb2\xb5\xb0 ok", 0 },
		{ "OK", 0 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lmtpreply_init(&lr);
		n = bad[i].len ? bad[i].len : strlen(bad[i].s);
		if (feedn(bad[i].s, n) != LMTPREPLY_BAD) {
			printf("#   case %zu not BAD\n", i);
			CHECK(0);
		}
	}
}

static void
sanitised(void)
{
	size_t i;

	CHECK(one("250 a\tb\rc\x1b[0m\x7f" "d") == LMTPREPLY_DONE);
	CHECK_STR(lr.text, "a?b?c?[0m?d");
	CHECK(one("550 5.1.1 J\xc3\xb6rg unknown\xff") == LMTPREPLY_DONE);
	CHECK_STR(lr.text, "5.1.1 J??rg unknown?");
	CHECK(feedn("250 a\0b\nc", 9) == LMTPREPLY_BAD);	/* lines > 0 */
	CHECK(one("250 x") == LMTPREPLY_DONE);
	lmtpreply_init(&lr);
	CHECK(feedn("250 a\0b\nc", 9) == LMTPREPLY_DONE);
	CHECK(memcmp(lr.text, "a?b?c", 6) == 0);
	for (i = 0; lr.text[i] != '\0'; i++)
		CHECK(lr.text[i] >= 0x20 && lr.text[i] < 0x7f);
}

static void
too_many_lines(void)
{
	int i;

	lmtpreply_init(&lr);
	for (i = 0; i < LMTPREPLY_LINES_MAX - 1; i++)
		CHECK(feed("250-more") == LMTPREPLY_MORE);
	CHECK(feed("250 last") == LMTPREPLY_DONE);
	CHECK(lr.lines == LMTPREPLY_LINES_MAX);

	lmtpreply_init(&lr);
	for (i = 0; i < LMTPREPLY_LINES_MAX; i++)
		CHECK(feed("250-more") == LMTPREPLY_MORE);
	CHECK(feed("250 last") == LMTPREPLY_BAD);
	lmtpreply_init(&lr);
	for (i = 0; i < LMTPREPLY_LINES_MAX; i++)
		feed("250-more");
	CHECK(feed("250-more") == LMTPREPLY_BAD);
}

static void
long_text(void)
{
	char line[4 + LMTPREPLY_TEXT_MAX + 100];
	size_t i;

	memcpy(line, "250 ", 4);
	memset(line + 4, 'x', sizeof(line) - 4);
	lmtpreply_init(&lr);
	CHECK(feedn(line, sizeof(line)) == LMTPREPLY_DONE);
	CHECK(strlen(lr.text) == LMTPREPLY_TEXT_MAX);
	/* exactly the maximum is kept whole */
	lmtpreply_init(&lr);
	CHECK(feedn(line, 4 + LMTPREPLY_TEXT_MAX) == LMTPREPLY_DONE);
	CHECK(strlen(lr.text) == LMTPREPLY_TEXT_MAX);
	lmtpreply_init(&lr);
	CHECK(feedn(line, 4 + LMTPREPLY_TEXT_MAX - 1) == LMTPREPLY_DONE);
	CHECK(strlen(lr.text) == LMTPREPLY_TEXT_MAX - 1);
	for (i = 0; i < LMTPREPLY_TEXT_MAX - 1; i++)
		CHECK(lr.text[i] == 'x');
	/* a long line then a short one: only the last text remains */
	lmtpreply_init(&lr);
	line[3] = '-';
	CHECK(feedn(line, sizeof(line)) == LMTPREPLY_MORE);
	CHECK(feed("250 y") == LMTPREPLY_DONE);
	CHECK_STR(lr.text, "y");
}

static void
plain_text(void)
{
	one("250 2.1.5 Ok");
	CHECK_STR(lmtpreply_plain_text(&lr), "Ok");
	one("550 5.1.1 <u@x>: no such user");
	CHECK_STR(lmtpreply_plain_text(&lr), "<u@x>: no such user");
	one("452 4.3.12 Later");
	CHECK_STR(lmtpreply_plain_text(&lr), "Later");
	one("250 2.0.0");
	CHECK_STR(lmtpreply_plain_text(&lr), "");
	/* not an enhanced status code: kept as it is */
	one("250 2.1 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.1 x");
	one("250 abc");
	CHECK_STR(lmtpreply_plain_text(&lr), "abc");
	one("250 1.1.1 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "1.1.1 x");
	one("250 2.1.5.6 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.1.5.6 x");
	one("250 2.a.5 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.a.5 x");
	/* RFC 3463: one to three digits on either side of the second dot */
	one("250 2..5 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2..5 x");
	one("250 2.1. x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.1. x");
	one("250 2.. x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.. x");
	one("250 2.1234.5 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.1234.5 x");
	one("250 2.1.5678 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.1.5678 x");
	one("250 2.123.456 x");
	CHECK_STR(lmtpreply_plain_text(&lr), "x");
	one("250 2");
	CHECK_STR(lmtpreply_plain_text(&lr), "2");
	one("250");
	CHECK_STR(lmtpreply_plain_text(&lr), "");
	one("250 ");
	CHECK_STR(lmtpreply_plain_text(&lr), "");
	one("250 2.");
	CHECK_STR(lmtpreply_plain_text(&lr), "2.");
	/* never NULL, even before any line */
	lmtpreply_init(&lr);
	CHECK_STR(lmtpreply_plain_text(&lr), "");
}

int
main(void)
{
	TEST(single_line);
	TEST(multi_line);
	TEST(malformed);
	TEST(sanitised);
	TEST(too_many_lines);
	TEST(long_text);
	TEST(plain_text);
	return UNIT_DONE();
}
