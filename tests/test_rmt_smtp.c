/*
 * test_rmt_smtp.c: samotop-remote's SMTP client codec (rmt_smtp.c):
 * replies whole and pipelined, EHLO keywords, the commands it sends.
 */
#include <string.h>

#include "rmt_smtp.h"
#include "tests/unit.h"

static struct rmt_reader rd;

/* Feed s whole; the status, the octets used in *used. */
static enum rmt_read
feed(const char *s, size_t *used)
{
	return rmt_reader_feed(&rd, s, strlen(s), used);
}

static void
reply_single(void)
{
	size_t used;

	rmt_reader_init(&rd, 0);
	CHECK(feed("220 mx.example ESMTP\r\n", &used) == RMT_READ_DONE);
	CHECK(used == 22);
	CHECK(rd.reply.code == 220);
	CHECK_STR(rd.reply.text, "mx.example ESMTP");
}

static void
reply_split_and_multiline(void)
{
	size_t used;

	rmt_reader_init(&rd, 0);
	CHECK(feed("250-first\r", &used) == RMT_READ_MORE);
	CHECK(used == 10);
	CHECK(feed("\n250-second\r\n25", &used) == RMT_READ_MORE);
	CHECK(feed("0 last\r\n", &used) == RMT_READ_DONE);
	CHECK(rd.reply.code == 250);
	CHECK(rd.reply.lines == 3);
	CHECK_STR(rd.reply.text, "last");
}

/* PIPELINING: three replies in one read, each taken in turn. */
static void
reply_pipelined(void)
{
	const char *in = "250 2.1.0 ok\r\n550 5.1.1 no\r\n250 2.1.5 ok\r\n";
	size_t used, off = 0;
	int codes[3], i;

	for (i = 0; i < 3; i++) {
		rmt_reader_init(&rd, 0);
		CHECK(rmt_reader_feed(&rd, in + off, strlen(in) - off,
		    &used) == RMT_READ_DONE);
		off += used;
		codes[i] = rd.reply.code;
	}
	CHECK(off == strlen(in));
	CHECK(codes[0] == 250 && codes[1] == 550 && codes[2] == 250);
}

static void
reply_bad(void)
{
	static char longline[RMT_LINE_MAX + 10];
	size_t used;

	rmt_reader_init(&rd, 0);
	CHECK(feed("hello\r\n", &used) == RMT_READ_BAD);
	rmt_reader_init(&rd, 0);
	CHECK(feed("250-a\r\n550 b\r\n", &used) == RMT_READ_BAD);
	rmt_reader_init(&rd, 0);
	CHECK(feed("600 no\r\n", &used) == RMT_READ_BAD);
	memset(longline, 'x', sizeof(longline) - 1);
	memcpy(longline, "250 ", 4);
	rmt_reader_init(&rd, 0);
	CHECK(feed(longline, &used) == RMT_READ_BAD);
}

static void
ehlo_keywords(void)
{
	size_t used;

	rmt_reader_init(&rd, 1);
	CHECK(feed("250-mx.example greets you\r\n250-PIPELINING\r\n"
	    "250-size 10485760\r\n250-8BITMIME\r\n250-STARTTLS\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-PIPELININGX\r\n"
	    "250 CHUNKING\r\n", &used) == RMT_READ_DONE);
	CHECK(rd.ext == (RMT_EXT_PIPELINING | RMT_EXT_SIZE |
	    RMT_EXT_8BITMIME | RMT_EXT_STARTTLS | RMT_EXT_ENHANCED |
	    RMT_EXT_SMTPUTF8 | RMT_EXT_CHUNKING));
	CHECK(rd.size == 10485760UL);

	/* the first line is the server's name, never a keyword */
	rmt_reader_init(&rd, 1);
	CHECK(feed("250 STARTTLS\r\n", &used) == RMT_READ_DONE);
	CHECK(rd.ext == 0);
	/* SIZE without a number, or an absurd one: no limit */
	rmt_reader_init(&rd, 1);
	CHECK(feed("250-x\r\n250 SIZE 99999999999999999999999999\r\n",
	    &used) == RMT_READ_DONE);
	CHECK((rd.ext & RMT_EXT_SIZE) && rd.size == 0);
}

static void
commands(void)
{
	char out[RMT_CMD_MAX];
	size_t n;

	n = rmt_cmd_ehlo(out, sizeof(out), 1, "client.test");
	CHECK(n == 18 && memcmp(out, "EHLO client.test\r\n", n) == 0);
	n = rmt_cmd_ehlo(out, sizeof(out), 0, "client.test");
	CHECK(n == 18 && memcmp(out, "HELO client.test\r\n", n) == 0);
	CHECK(rmt_cmd_ehlo(out, sizeof(out), 1, "a\r\nRSET") == 0);

	n = rmt_cmd_mail(out, sizeof(out), "", 0, 0, 0);
	CHECK_STR(out, "MAIL FROM:<>\r\n");
	CHECK(n == strlen(out));
	rmt_cmd_mail(out, sizeof(out), "a@b.test", 1234, 1, 1);
	CHECK_STR(out, "MAIL FROM:<a@b.test> SIZE=1234 BODY=8BITMIME "
	    "SMTPUTF8\r\n");
	CHECK(rmt_cmd_mail(out, sizeof(out), "a>@b", 0, 0, 0) == 0);
	CHECK(rmt_cmd_mail(out, sizeof(out), "a\n@b", 0, 0, 0) == 0);

	n = rmt_cmd_rcpt(out, sizeof(out), "c@d.test");
	CHECK_STR(out, "RCPT TO:<c@d.test>\r\n");
	CHECK(n == strlen(out));
	CHECK(rmt_cmd_rcpt(out, sizeof(out), "") == 0);
	CHECK(rmt_cmd_rcpt(out, 10, "c@d.test") == 0);	/* does not fit */
}

static void
eight_bit(void)
{
	CHECK(!rmt_addr_utf8("a@b.test"));
	CHECK(rmt_addr_utf8("j\xc3\xb6rg@b.test"));
	CHECK(!rmt_body_8bit("plain\r\n", 7));
	CHECK(rmt_body_8bit("caf\xc3\xa9\r\n", 7));
	CHECK(rmt_body_8bit("a\0b", 3));
}

int
main(void)
{
	TEST(reply_single);
	TEST(reply_split_and_multiline);
	TEST(reply_pipelined);
	TEST(reply_bad);
	TEST(ehlo_keywords);
	TEST(commands);
	TEST(eight_bit);
	return UNIT_DONE();
}
