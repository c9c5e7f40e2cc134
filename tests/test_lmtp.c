/*
 * test_lmtp.c: the LMTP server, driven through socketpairs (lmtp_serve)
 * and byte by byte (lmtp_input).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "lmtp.h"
#include "unit.h"

/* What the callbacks saw. */
struct rec {
	char	events[8192];
	char	data[8192];
	size_t	datalen;
	int	begin_fails;
	int	bad_reply;
	size_t	nend, nabort, nreset;
};

static void
event(struct rec *r, const char *fmt, const char *a, size_t n)
{
	size_t len = strlen(r->events);

	snprintf(r->events + len, sizeof(r->events) - len, fmt, a, n);
}

static int
t_mail(void *ctx, const struct mailbox *from, char *reply, size_t size)
{
	char buf[ADDR_MAX + 1];

	(void)reply;
	(void)size;
	mailbox_format(from, buf, sizeof(buf));
	event(ctx, "mail<%s>%zu;", buf, 0);
	return 0;
}

static int
t_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct rec *r = ctx;
	char buf[ADDR_MAX + 1];

	mailbox_format(rcpt, buf, sizeof(buf));
	event(r, "rcpt<%s>%zu;", buf, index);
	if (r->bad_reply) {
		snprintf(reply, size, "250-evil\r\n250 more");
		return 0;
	}
	if (strcmp(rcpt->local, "nobody") == 0) {
		snprintf(reply, size, "550 5.1.1 <%s>: no such user", buf);
		return -1;
	}
	return 0;
}

static int
t_begin(void *ctx, char *reply, size_t size)
{
	struct rec *r = ctx;

	event(r, "begin%s%zu;", "", 0);
	if (r->begin_fails) {
		snprintf(reply, size, "452 4.3.1 Disk full");
		return -1;
	}
	return 0;
}

static int
t_write(void *ctx, const char *buf, size_t len)
{
	struct rec *r = ctx;

	if (len > sizeof(r->data) - r->datalen)
		len = sizeof(r->data) - r->datalen;
	memcpy(r->data + r->datalen, buf, len);
	r->datalen += len;
	return 0;
}

static void
t_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct rec *r = ctx;

	r->nend++;
	if (index < 5)
		event(r, "end%s%zu;", "", index);
	snprintf(reply, size, "250 2.0.0 copy %zu", index);
}

static void
t_abort(void *ctx)
{
	struct rec *r = ctx;

	r->nabort++;
	event(r, "abort%s%zu;", "", 0);
}

static void
t_reset(void *ctx)
{
	struct rec *r = ctx;

	r->nreset++;
	event(r, "reset%s%zu;", "", 0);
}

/* The attributes XFORWARD gave, "-" for an empty one. */
static void
t_xforward(void *ctx, const struct xforward *x)
{
	struct rec *r = ctx;
	char buf[6 * (XFORWARD_VALUE_MAX + 1) + 8];

	snprintf(buf, sizeof(buf), "%s,%s,%s,%s,%s,%s",
	    x->name[0] ? x->name : "-", x->addr[0] ? x->addr : "-",
	    x->port[0] ? x->port : "-", x->helo[0] ? x->helo : "-",
	    x->proto[0] ? x->proto : "-", x->ident[0] ? x->ident : "-");
	event(r, "xf<%s>%zu;", buf, 0);
}

static const struct lmtp_ops ops = {
	t_mail, t_rcpt, t_begin, t_write, t_end, t_abort, t_reset, t_xforward,
	0,
};

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) <= 0)
			abort();
		buf += n;
		len -= n;
	}
}

/* Send the whole script, end the input, serve, collect the replies. */
static int
run(const char *in, size_t len, struct rec *r, char *out, size_t size)
{
	int sv[2], ret;
	size_t n = 0;
	ssize_t k;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	write_all(sv[0], in, len);
	shutdown(sv[0], SHUT_WR);
	ret = lmtp_serve(sv[1], sv[1], "mx.test", &ops, r);
	close(sv[1]);
	while (n < size - 1 && (k = read(sv[0], out + n, size - 1 - n)) > 0)
		n += k;
	out[n] = '\0';
	close(sv[0]);
	return ret;
}

static int
runs(const char *in, struct rec *r, char *out, size_t size)
{
	return run(in, strlen(in), r, out, size);
}

#define GREETING	"220 mx.test LMTP server ready\r\n"
#define LHLO_REPLY	"250-mx.test\r\n250-PIPELINING\r\n" \
			"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n" \
			"250-XFORWARD NAME ADDR PORT PROTO HELO IDENT TLS\r\n" \
			"250 SMTPUTF8\r\n"

static const char session_in[] =
    "LHLO client.test\r\n"
    "MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME\r\n"
    "RCPT TO:<u1@x.test>\r\n"
    "RCPT TO:<nobody@x.test>\r\n"
    "RCPT TO:<u2@x.test>\r\n"
    "DATA\r\n"
    "Subject: t\r\n\r\n..leading dot\r\n...\r\nlast\r\n.\r\n"
    "QUIT\r\n";
static const char session_out[] =
    GREETING LHLO_REPLY
    "250 2.1.0 OK\r\n"
    "250 2.1.5 OK\r\n"
    "550 5.1.1 <nobody@x.test>: no such user\r\n"
    "250 2.1.5 OK\r\n"
    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
    "250 2.0.0 copy 0\r\n"
    "250 2.0.0 copy 1\r\n"
    "221 2.0.0 mx.test closing connection\r\n";
static const char session_events[] =
    "mail<a@b.test>0;rcpt<u1@x.test>0;rcpt<nobody@x.test>1;"
    "rcpt<u2@x.test>1;begin0;end0;end1;reset0;";
static const char session_data[] =
    "Subject: t\r\n\r\n.leading dot\r\n..\r\nlast\r\n";

static void
test_session(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs(session_in, &r, out, sizeof(out)) == 0);
	CHECK_STR(out, session_out);
	CHECK_STR(r.events, session_events);
	CHECK(r.datalen == strlen(session_data));
	CHECK(memcmp(r.data, session_data, r.datalen) == 0);
}

/* The pure core, fed one octet at a time, says and sees the same. */
static void
test_byte_by_byte(void)
{
	static struct lmtp_session s;
	struct rec r = { 0 };
	char out[4096] = "";
	size_t i, used, n = 0;
	enum lmtp_status st = LMTP_MORE;

	lmtp_init(&s, "mx.test", &ops, &r);
	for (i = 0; i < sizeof(session_in) - 1 && st != LMTP_QUIT; i++) {
		st = lmtp_input(&s, session_in + i, 1, &used);
		CHECK(used == 1);
		memcpy(out + n, s.out, s.outlen);
		n += s.outlen;
		s.outlen = 0;
	}
	out[n] = '\0';
	CHECK(st == LMTP_QUIT);
	CHECK(i == sizeof(session_in) - 1);
	CHECK_STR(out, session_out);
	CHECK_STR(r.events, session_events);
	CHECK(r.datalen == strlen(session_data));
	CHECK(memcmp(r.data, session_data, r.datalen) == 0);
}

static void
test_eof_in_data(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<u@x.test>\r\n"
	    "DATA\r\nSubject: t\r\n\r\nhalf a message\r\n", &r, out,
	    sizeof(out)) == 1);
	CHECK(r.nabort == 1);
	CHECK(r.nend == 0);
	CHECK(r.nreset == 0);
	CHECK(strstr(out, "354 ") != NULL);
	CHECK(strstr(out, "250 2.0.0") == NULL);
}

/* "\r\n." without the last CRLF is not the end: still an abort. */
static void
test_eof_at_dot(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<u@x.test>\r\n"
	    "DATA\r\nhi\r\n.\r", &r, out, sizeof(out)) == 1);
	CHECK(r.nabort == 1);
	CHECK(r.nend == 0);
}

static void
test_eof_between_commands(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("LHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@x.test>\r\nNO",
	    &r, out, sizeof(out)) == 0);
	CHECK(r.nabort == 0);
	CHECK(r.nreset == 1);
	CHECK(runs("", &r, out, sizeof(out)) == 0);
	CHECK_STR(out, GREETING);
}

static void
test_pipelined(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("LHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@x.test>\r\n"
	    "RSET\r\nMAIL FROM:<c@d>\r\nRCPT TO:<postmaster>\r\n"
	    "NOOP\r\nVRFY u\r\nQUIT\r\nNOOP\r\n", &r, out, sizeof(out)) == 0);
	CHECK_STR(out, GREETING LHLO_REPLY
	    "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK\r\n"
	    "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK\r\n"
	    "252 2.5.0 Cannot VRFY user, but will try delivery\r\n"
	    "221 2.0.0 mx.test closing connection\r\n");
	CHECK_STR(r.events, "mail<a@b>0;rcpt<u@x.test>0;reset0;"
	    "mail<c@d>0;rcpt<postmaster>0;reset0;");
}

static void
test_bare_lf_and_case(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("lhlo c\nmail from: <a@b>\nrcpt to:<u@x.test>\nquit\n",
	    &r, out, sizeof(out)) == 0);
	CHECK_STR(out, GREETING LHLO_REPLY "250 2.1.0 OK\r\n250 2.1.5 OK\r\n"
	    "221 2.0.0 mx.test closing connection\r\n");
}

static void
test_too_long(void)
{
	static char in[16000];
	struct rec r = { 0 };
	char out[4096];
	size_t n;

	/* 5000 octets: refused, and the next line is read normally */
	n = snprintf(in, sizeof(in), "NOOP ");
	memset(in + n, 'x', 4995);
	n += 4995;
	n += snprintf(in + n, sizeof(in) - n, "\r\nNOOP\r\n");
	/* exactly LMTP_LINE_MAX octets plus CRLF: accepted */
	n += snprintf(in + n, sizeof(in) - n, "NOOP ");
	memset(in + n, 'y', LMTP_LINE_MAX - 5);
	n += LMTP_LINE_MAX - 5;
	n += snprintf(in + n, sizeof(in) - n, "\r\n");
	/* one more: too long, even with a bare LF */
	n += snprintf(in + n, sizeof(in) - n, "NOOP ");
	memset(in + n, 'z', LMTP_LINE_MAX - 4);
	n += LMTP_LINE_MAX - 4;
	n += snprintf(in + n, sizeof(in) - n, "\nNOOP\r\n");
	CHECK(run(in, n, &r, out, sizeof(out)) == 0);
	CHECK_STR(out, GREETING "500 5.5.2 Line too long\r\n"
	    "250 2.0.0 OK\r\n250 2.0.0 OK\r\n"
	    "500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n");
}

static void
test_sequencing(void)
{
	struct rec r = { 0 };
	char out[4096];

	runs("MAIL FROM:<a@b>\r\nLHLO\r\nLHLO c\r\nRCPT TO:<u@x>\r\n"
	    "DATA\r\nMAIL FROM:<a@b>\r\nDATA\r\nMAIL FROM:<a@b>\r\n"
	    "RCPT TO:<nobody@x>\r\nDATA\r\nDATA x\r\nEHLO c\r\nFOO\r\n\r\n",
	    &r, out, sizeof(out));
	CHECK_STR(out, GREETING
	    "503 5.5.1 Send LHLO first\r\n"
	    "501 5.5.4 Syntax: LHLO hostname\r\n"
	    LHLO_REPLY
	    "503 5.5.1 Need MAIL before RCPT\r\n"
	    "503 5.5.1 Need MAIL before DATA\r\n"
	    "250 2.1.0 OK\r\n"
	    "503 5.5.1 No valid recipients\r\n"
	    "503 5.5.1 Nested MAIL command\r\n"
	    "550 5.1.1 <nobody@x>: no such user\r\n"
	    "503 5.5.1 No valid recipients\r\n"
	    "501 5.5.4 Syntax: DATA\r\n"
	    "502 5.5.1 Command not implemented\r\n"
	    "500 5.5.1 Command unrecognized\r\n"
	    "500 5.5.1 Command unrecognized\r\n");
}

static void
test_bad_arguments(void)
{
	struct rec r = { 0 };
	char out[4096];

	runs("LHLO c\r\nMAIL FROM:<a b>\r\nMAIL <a@b>\r\nMAIL FROM:<>\x01\r\n"
	    "MAIL FROM:<a@b> \xc3\xa9\r\nMAIL FROM:<\xc3\xa9@b>\r\n"
	    "RCPT TO:<>\r\nRCPT TO:<u@x>junk\r\nQUIT\r\n",
	    &r, out, sizeof(out));
	CHECK_STR(out, GREETING LHLO_REPLY
	    "501 5.1.7 address syntax error\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "500 5.5.2 Syntax error: control character\r\n"
	    "501 5.5.4 Invalid parameters\r\n"
	    "250 2.1.0 OK\r\n"
	    "501 5.1.3 null address not allowed here\r\n"
	    "501 5.5.4 Invalid parameters\r\n"
	    "221 2.0.0 mx.test closing connection\r\n");
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* 1000 recipients, then 452; 1000 replies: more than one out buffer. */
static void
test_many_recipients(void)
{
	static char in[64 * 1024], out[128 * 1024];
	struct rec r = { 0 };
	size_t n, i;

	n = snprintf(in, sizeof(in), "LHLO c\r\nMAIL FROM:<a@b>\r\n");
	for (i = 0; i <= LMTP_RCPT_MAX; i++)
		n += snprintf(in + n, sizeof(in) - n, "RCPT TO:<u%zu@x>\r\n",
		    i);
	n += snprintf(in + n, sizeof(in) - n, "DATA\r\nhi\r\n.\r\nQUIT\r\n");
	CHECK(run(in, n, &r, out, sizeof(out)) == 0);
	CHECK(count(out, "250 2.1.5 OK\r\n") == LMTP_RCPT_MAX);
	CHECK(count(out, "452 4.5.3 Too many recipients\r\n") == 1);
	CHECK(r.nend == LMTP_RCPT_MAX);
	CHECK(count(out, "250 2.0.0 copy ") == LMTP_RCPT_MAX);
	CHECK(strstr(out, "250 2.0.0 copy 999\r\n221 2.0.0") != NULL);
	CHECK(strstr(out, "250 2.0.0 copy 0\r\n250 2.0.0 copy 1\r\n") != NULL);
}

static void
test_callback_replies(void)
{
	struct rec r = { 0 };
	char out[4096];

	r.bad_reply = 1;
	runs("LHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@x>\r\n", &r, out,
	    sizeof(out));
	CHECK_STR(out, GREETING LHLO_REPLY "250 2.1.0 OK\r\n"
	    "451 4.3.0 Invalid reply from the delivery helper\r\n");

	memset(&r, 0, sizeof(r));
	r.begin_fails = 1;
	runs("LHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u@x>\r\nDATA\r\n"
	    "RSET\r\n", &r, out, sizeof(out));
	CHECK_STR(out, GREETING LHLO_REPLY "250 2.1.0 OK\r\n"
	    "250 2.1.5 OK\r\n452 4.3.1 Disk full\r\n250 2.0.0 OK\r\n");
}

/*
 * XFORWARD: between transactions only; attributes add up, are given to
 * the helper after each command, and are forgotten after the
 * transaction and at RSET.
 */
static void
test_xforward(void)
{
	struct rec r = { 0 };
	char out[4096];

	CHECK(runs("XFORWARD ADDR=192.0.2.1\r\nLHLO c\r\n"
	    "XFORWARD ADDR=192.0.2.1 NAME=[UNAVAILABLE] PORT=25\r\n"
	    "XFORWARD HELO=a+20b IDENT=M.1 X-NEW=1\r\n"
	    "MAIL FROM:<a@b>\r\nXFORWARD NAME=x\r\nRCPT TO:<u@x>\r\n"
	    "DATA\r\nhi\r\n.\r\n"
	    "XFORWARD\r\nXFORWARD ADDR=a+0Ab\r\nXFORWARD ADDR\r\n"
	    "XFORWARD PROTO=ESMTP\r\nRSET\r\nRSET\r\nQUIT\r\n",
	    &r, out, sizeof(out)) == 0);
	CHECK_STR(out, GREETING
	    "503 5.5.1 Send LHLO first\r\n"
	    LHLO_REPLY
	    "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.1.0 OK\r\n"
	    "503 5.5.1 XFORWARD not allowed in a transaction\r\n"
	    "250 2.1.5 OK\r\n"
	    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
	    "250 2.0.0 copy 0\r\n"
	    "501 5.5.4 Syntax: XFORWARD attribute=value...\r\n"
	    "501 5.5.4 Syntax: XFORWARD attribute=value...\r\n"
	    "501 5.5.4 Syntax: XFORWARD attribute=value...\r\n"
	    "250 2.0.0 Ok\r\n250 2.0.0 OK\r\n250 2.0.0 OK\r\n"
	    "221 2.0.0 mx.test closing connection\r\n");
	CHECK_STR(r.events,
	    "xf<-,192.0.2.1,25,-,-,->0;"
	    "xf<-,192.0.2.1,25,a b,-,M.1>0;"
	    "mail<a@b>0;rcpt<u@x>0;begin0;end0;reset0;"
	    "xf<-,-,-,-,-,->0;"
	    "xf<-,-,-,-,ESMTP,->0;"
	    "xf<-,-,-,-,-,->0;");
}

/* Without the callback, XFORWARD is answered and ignored. */
/* A slow helper's answers leave one at a time, each before the next. */
static void
test_slow_delivery(void)
{
	static const struct lmtp_ops slow = {
		.rcpt = t_rcpt, .data_end = t_end, .slow_delivery = 1,
	};
	static struct lmtp_session s;
	struct rec r = { 0 };
	static const char in[] = "LHLO c\r\nMAIL FROM:<>\r\n"
	    "RCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nhi\r\n.\r\n";
	size_t used, pos = 0, flushes = 0;
	enum lmtp_status st;

	lmtp_init(&s, "mx.test", &slow, &r);
	do {
		s.outlen = 0;
		st = lmtp_input(&s, in + pos, sizeof(in) - 1 - pos, &used);
		pos += used;
		if (st == LMTP_FLUSH) {
			flushes++;
			CHECK(strncmp(s.out + s.outlen - 2, "\r\n", 2) == 0);
		}
	} while (st == LMTP_FLUSH);
	CHECK(pos == sizeof(in) - 1);
	CHECK(flushes == 2);		/* one per recipient */
}

static void
test_xforward_ignored(void)
{
	static const struct lmtp_ops plain = {
		.rcpt = t_rcpt, .data_end = t_end,
	};
	static struct lmtp_session s;
	struct rec r = { 0 };
	static const char in[] = "LHLO c\r\nXFORWARD ADDR=192.0.2.1\r\n"
	    "MAIL FROM:<>\r\n";
	size_t used;

	lmtp_init(&s, "mx.test", &plain, &r);
	CHECK(lmtp_input(&s, in, sizeof(in) - 1, &used) == LMTP_MORE);
	CHECK(used == sizeof(in) - 1);
	s.out[s.outlen] = '\0';
	CHECK_STR(s.out, GREETING LHLO_REPLY "250 2.0.0 Ok\r\n"
	    "250 2.1.0 OK\r\n");
	CHECK(lmtp_eof(&s) == 0);
	CHECK_STR(r.events, "");
}

/* Reply lines, up to want of them, within two seconds. */
static int
read_lines(int fd, char *buf, size_t size, int want)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t k;

	buf[0] = '\0';
	while ((int)count(buf, "\r\n") < want) {
		if (poll(&p, 1, 2000) != 1)
			return -1;
		if ((k = read(fd, buf + n, size - 1 - n)) <= 0)
			return -1;
		n += k;
		buf[n] = '\0';
	}
	return 0;
}

/* Replies come before the server waits for more input. */
static void
test_flush_before_read(void)
{
	struct rec r = { 0 };
	char buf[4096];
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	if ((pid = fork()) == 0) {
		close(sv[0]);
		_exit(lmtp_serve(sv[1], sv[1], "mx.test", &ops, &r) == 0 ?
		    0 : 1);
	}
	close(sv[1]);
	CHECK(read_lines(sv[0], buf, sizeof(buf), 1) == 0);
	CHECK_STR(buf, GREETING);
	write_all(sv[0], "LHLO c\r\nMAIL FROM:<a@b>\r\n", 25);
	CHECK(read_lines(sv[0], buf, sizeof(buf), 6) == 0);
	CHECK_STR(buf, LHLO_REPLY "250 2.1.0 OK\r\n");
	write_all(sv[0], "RCPT TO:<u@x>\r\nDATA\r\n", 21);
	CHECK(read_lines(sv[0], buf, sizeof(buf), 2) == 0);
	CHECK_STR(buf, "250 2.1.5 OK\r\n"
	    "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
	write_all(sv[0], "x\r\n.\r\n", 6);
	CHECK(read_lines(sv[0], buf, sizeof(buf), 1) == 0);
	CHECK_STR(buf, "250 2.0.0 copy 0\r\n");
	write_all(sv[0], "QUIT\r\n", 6);
	CHECK(read_lines(sv[0], buf, sizeof(buf), 1) == 0);
	close(sv[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	TEST(test_session);
	TEST(test_byte_by_byte);
	TEST(test_eof_in_data);
	TEST(test_eof_at_dot);
	TEST(test_eof_between_commands);
	TEST(test_pipelined);
	TEST(test_bare_lf_and_case);
	TEST(test_too_long);
	TEST(test_sequencing);
	TEST(test_bad_arguments);
	TEST(test_many_recipients);
	TEST(test_callback_replies);
	TEST(test_flush_before_read);
	TEST(test_xforward);
	TEST(test_xforward_ignored);
	TEST(test_slow_delivery);
	return UNIT_DONE();
}
