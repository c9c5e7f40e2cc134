/*
 * test_deliver.c: smtpd's side of the helper dialogue (deliver.c) against
 * a scripted helper on a SOCK_SEQPACKET pair, so that each write smtpd
 * makes arrives as one record: what went out together shows.
 */
#include <sys/socket.h>

#include <string.h>
#include <unistd.h>

#include "address.h"
#include "deliver.h"
#include "xforward.h"
#include "tests/unit.h"

static int pair[2];

static void
script(const char *s)
{
	CHECK(write(pair[1], s, strlen(s)) == (ssize_t)strlen(s));
}

/* The next write smtpd made, whole. */
static void
expect_record(const char *want)
{
	char buf[4096];
	ssize_t n = read(pair[1], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, want);
}

/* smtpd wrote nothing more. */
static void
expect_no_record(void)
{
	char buf[64];

	CHECK(recv(pair[1], buf, sizeof(buf), MSG_DONTWAIT) == -1);
}

static void
open_helper(struct helper *h, const char *lhlo_reply)
{
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) == 0);
	helper_init(h, "mx.test");
	script("220 stub ready\r\n");
	script(lhlo_reply);
	CHECK(helper_attach(h, pair[0], 5) == 0);
	expect_record("LHLO mx.test\r\n");
}

static void
close_helper(struct helper *h)
{
	helper_abort(h);
	close(pair[1]);
}

static struct mailbox
path(const char *s)
{
	struct mailbox mb;
	size_t used;

	CHECK(addr_parse_path(s, strlen(s), 0, &mb, &used) == ADDR_OK);
	return mb;
}

static void
rcpt(struct helper *h, const struct delivery_envelope *env, const char *to,
    int want_code)
{
	struct mailbox mb = path(to);
	struct lmtpreply rep;

	CHECK(helper_rcpt(h, NULL, env, &mb, 5, &rep) == 0);
	CHECK(rep.code == want_code);
}

static void
test_pipelined(void)
{
	struct mailbox from = path("<a@b.example>");
	struct delivery_envelope env = { &from, BODY_7BIT, 0, NULL };
	struct helper h;

	open_helper(&h, "250-stub\r\n250 PIPELINING\r\n");
	script("250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
	rcpt(&h, &env, "<u@mx.test>", 250);
	expect_record("MAIL FROM:<a@b.example>\r\nRCPT TO:<u@mx.test>\r\n");
	script("250 2.1.5 ok\r\n");
	rcpt(&h, &env, "<v@mx.test>", 250);
	expect_record("RCPT TO:<v@mx.test>\r\n");
	close_helper(&h);
}

static void
test_pipelined_xforward(void)
{
	struct mailbox from = path("<a@b.example>");
	struct xforward x = { .name = "client.example", .addr = "192.0.2.1" };
	struct delivery_envelope env = { &from, BODY_7BIT, 0, &x };
	struct helper h;

	open_helper(&h, "250-stub\r\n250-XFORWARD NAME ADDR\r\n"
	    "250 PIPELINING\r\n");
	/* a refused XFORWARD costs only the information */
	script("550 5.5.1 no\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
	rcpt(&h, &env, "<u@mx.test>", 250);
	expect_record("XFORWARD NAME=client.example ADDR=192.0.2.1\r\n"
	    "MAIL FROM:<a@b.example>\r\nRCPT TO:<u@mx.test>\r\n");
	close_helper(&h);
}

static void
test_pipelined_mail_refused(void)
{
	struct mailbox from = path("<a@b.example>");
	struct delivery_envelope env = { &from, BODY_7BIT, 0, NULL };
	struct helper h;

	open_helper(&h, "250-stub\r\n250 PIPELINING\r\n");
	/* the refusal of MAIL answers RCPT, not RCPT's own 503 */
	script("451 4.3.0 later\r\n503 5.5.1 MAIL first\r\n");
	rcpt(&h, &env, "<u@mx.test>", 451);
	CHECK(!h.in_mail);
	expect_record("MAIL FROM:<a@b.example>\r\nRCPT TO:<u@mx.test>\r\n");
	close_helper(&h);
}

static void
test_not_pipelined(void)
{
	struct mailbox from = path("<a@b.example>");
	struct delivery_envelope env = { &from, BODY_7BIT, 0, NULL };
	struct helper h;

	open_helper(&h, "250 stub\r\n");
	script("250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
	rcpt(&h, &env, "<u@mx.test>", 250);
	expect_record("MAIL FROM:<a@b.example>\r\n");
	expect_record("RCPT TO:<u@mx.test>\r\n");
	close_helper(&h);
}

static void
test_not_pipelined_xforward(void)
{
	struct mailbox from = path("<a@b.example>");
	struct xforward x = { .name = "client.example", .addr = "192.0.2.1" };
	struct delivery_envelope env = { &from, BODY_7BIT, 0, &x };
	struct helper h;

	open_helper(&h, "250-stub\r\n250 XFORWARD NAME ADDR\r\n");
	script("250 2.0.0 ok\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
	rcpt(&h, &env, "<u@mx.test>", 250);
	expect_record("XFORWARD NAME=client.example ADDR=192.0.2.1\r\n");
	expect_record("MAIL FROM:<a@b.example>\r\n");
	expect_record("RCPT TO:<u@mx.test>\r\n");
	close_helper(&h);
}

static void
test_not_pipelined_mail_refused(void)
{
	struct mailbox from = path("<a@b.example>");
	struct delivery_envelope env = { &from, BODY_7BIT, 0, NULL };
	struct helper h;

	open_helper(&h, "250 stub\r\n");
	/* the refusal of MAIL answers RCPT, which is never sent */
	script("451 4.3.0 later\r\n");
	rcpt(&h, &env, "<u@mx.test>", 451);
	CHECK(!h.in_mail);
	expect_record("MAIL FROM:<a@b.example>\r\n");
	expect_no_record();
	close_helper(&h);
}

int
main(void)
{
	TEST(test_pipelined);
	TEST(test_pipelined_xforward);
	TEST(test_pipelined_mail_refused);
	TEST(test_not_pipelined);
	TEST(test_not_pipelined_xforward);
	TEST(test_not_pipelined_mail_refused);
	return UNIT_DONE();
}
