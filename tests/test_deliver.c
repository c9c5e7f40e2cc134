/*
 * test_deliver.c: smtpd's side of the helper dialogue (deliver.c) against
 * a scripted helper on a SOCK_SEQPACKET pair, so that each write smtpd
 * makes arrives as one record: what went out together shows.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <string.h>
#include <time.h>
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

/* Our end closed first: the helper sees end of input, not a wait. */
static void
close_helper(struct helper *h)
{
	close(pair[1]);
	helper_abort(h);
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

/* The helper's failure is typed: its words are only for the log. */
static void
test_error_types(void)
{
	struct mailbox from = path("<a@b.example>"), to = path("<u@mx.test>");
	struct delivery_envelope env = { &from, BODY_7BIT, 0, NULL };
	struct lmtpreply rep;
	struct helper h;

	open_helper(&h, "250 stub\r\n");
	script("250 2.1.0 ok\r\nnonsense\r\n");
	shutdown(pair[1], SHUT_WR);
	CHECK(helper_rcpt(&h, NULL, &env, &to, 5, &rep) == -1);
	CHECK(h.err == HELPER_EPROTO);
	CHECK(h.fd == -1);
	close(pair[1]);

	env.smtputf8 = 1;
	open_helper(&h, "250 stub\r\n");
	shutdown(pair[1], SHUT_WR);
	CHECK(helper_rcpt(&h, NULL, &env, &to, 5, &rep) == -1);
	CHECK(h.err == HELPER_EUTF8);
	close(pair[1]);

	env.smtputf8 = 0;
	open_helper(&h, "250 stub\r\n");
	script("250 2.1.0 ok\r\n");
	shutdown(pair[1], SHUT_WR);
	CHECK(helper_rcpt(&h, NULL, &env, &to, 5, &rep) == -1);
	CHECK(h.err == HELPER_ECLOSED);
	close(pair[1]);

	open_helper(&h, "250 stub\r\n");
	script("250 2.1.0 ok\r\n");
	CHECK(helper_rcpt(&h, NULL, &env, &to, 1, &rep) == -1);
	CHECK(h.err == HELPER_ETIMEOUT);
	close(pair[1]);

	CHECK(helper_rcpt(&h, NULL, &env, &to, 1, &rep) == -1);
	CHECK(h.err == HELPER_ECLOSED);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A child that writes first on fd, then text with ms milliseconds
 * between each octet (0: as fast as it can), over and over when forever
 * is set.
 */
static pid_t
writer(int fd, const char *first, const char *text, int ms, int forever)
{
	struct timespec gap = { 0, ms * 1000000L };
	size_t len = strlen(first), i;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (write(fd, first, len) != (ssize_t)len)
		_exit(0);
	do
		for (i = 0; text[i] != '\0'; i++) {
			if (write(fd, text + i, 1) != 1)
				_exit(0);
			if (ms > 0)
				nanosleep(&gap, NULL);
		}
	while (forever);
	_exit(0);
}

/*
 * helper_attach() with timeout to writer()'s helper fails with want,
 * the helper ended, within seconds.
 */
static void
attach_fails(const char *first, const char *text, int ms, int forever,
    unsigned timeout, enum helper_error want, double seconds)
{
	struct timespec t0;
	struct helper h;
	pid_t pid;
	int sv[2], status;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	helper_init(&h, "mx.test");
	pid = writer(sv[1], first, text, ms, forever);
	close(sv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(20);		/* a hang is a failure, not a stuck test run */
	CHECK(helper_attach(&h, sv[0], timeout) == -1);
	alarm(0);
	CHECK(h.err == want);
	CHECK(h.fd == -1);
	CHECK(seconds_since(&t0) < seconds);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/*
 * Finding 6: a helper that answers one octet at a time cannot stretch
 * the timeout, however often it writes: one deadline per operation.
 */
static void
test_deadline_drip(void)
{
	attach_fails("220 drip\r\n", "250 2.0.0 a slow but steady answer\r\n",
	    100, 0, 1, HELPER_ETIMEOUT, 1 + HELPER_GRACE_MS / 1000.0 + 1);
}

/*
 * Nor does one that never stops writing keep us reading when we end it
 * (its second "220" answers LHLO: refused, and so ended).
 */
static void
test_deadline_flood(void)
{
	attach_fails("", "220 flood\r\n", 0, 1, 5, HELPER_EREFUSED,
	    HELPER_GRACE_MS / 1000.0 + 1);
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
	TEST(test_error_types);
	TEST(test_deadline_drip);
	TEST(test_deadline_flood);
	return UNIT_DONE();
}
