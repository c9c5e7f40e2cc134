/*
 * test_lmtpconn.c: samotop-lmtp's pure parts (lmtpconn.c): TARGET
 * parsing, good and bad, and the replies the upstream client gets.
 */
#include <string.h>

#include "lmtpconn.h"
#include "tests/unit.h"

static struct lmtpconn_target t;
static const char *err;

static int
parse1(const char *s)
{
	char *argv[2] = { (char *)s, NULL };

	err = NULL;
	return lmtpconn_parse(&t, 1, argv, &err);
}

static void
test_unix(void)
{
	CHECK(parse1("unix:/run/dovecot/lmtp") == 0);
	CHECK(t.kind == LMTPCONN_UNIX);
	CHECK_STR(t.path, "/run/dovecot/lmtp");
	CHECK(parse1("unix:relative/sock") == 0);
	CHECK(parse1("unix:") == -1);
	CHECK(err != NULL);
}

static void
test_unix_too_long(void)
{
	char s[300];

	memset(s, 'a', sizeof(s));
	memcpy(s, "unix:/", 6);
	s[5 + LMTPCONN_PATH_MAX] = '\0';	/* exactly the maximum */
	CHECK(parse1(s) == 0);
	s[5 + LMTPCONN_PATH_MAX] = 'b';
	s[6 + LMTPCONN_PATH_MAX] = '\0';
	CHECK(parse1(s) == -1);
}

static void
test_unix_no_args(void)
{
	char *argv[] = { "unix:/x", "extra", NULL };

	CHECK(lmtpconn_parse(&t, 2, argv, &err) == -1);
}

static void
test_inet4(void)
{
	CHECK(parse1("inet:127.0.0.1:24") == 0);
	CHECK(t.kind == LMTPCONN_INET);
	CHECK_STR(t.host, "127.0.0.1");
	CHECK_STR(t.port, "24");
	CHECK(parse1("inet:lda.example.org:lmtp") == 0);
	CHECK_STR(t.host, "lda.example.org");
	CHECK_STR(t.port, "lmtp");
	CHECK(parse1("inet:localhost:65535") == 0);
}

static void
test_inet6(void)
{
	CHECK(parse1("inet:[::1]:24") == 0);
	CHECK_STR(t.host, "::1");
	CHECK_STR(t.port, "24");
	CHECK(parse1("inet:[2001:db8::5]:2424") == 0);
	CHECK_STR(t.host, "2001:db8::5");
}

static void
test_inet_bad(void)
{
	const char *bad[] = {
		"inet:", "inet:host", "inet:host:", "inet::24", "inet:h:0",
		"inet:h:65536", "inet:h:123456", "inet:h:2x", "inet:h:a_b",
		"inet:::1:24", "inet:[::1:24", "inet:[::1]24", "inet:[]:24",
		"inet:[::1]", "inet:a b:24", "inet:h/x:24", "inet:h:-1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse1(bad[i]) != -1)
			printf("#   accepted %s\n", bad[i]);
		CHECK(t.kind == LMTPCONN_INET);
		CHECK(err != NULL);
	}
}

static void
test_exec(void)
{
	char *argv[] = { "exec:/usr/lib/dovecot/lmtp", "-c", "/x.conf", NULL };

	CHECK(lmtpconn_parse(&t, 3, argv, &err) == 0);
	CHECK(t.kind == LMTPCONN_EXEC);
	CHECK_STR(t.argv[0], "/usr/lib/dovecot/lmtp");
	CHECK_STR(t.argv[1], "-c");
	CHECK_STR(t.argv[2], "/x.conf");
	CHECK(t.argv[3] == NULL);
	CHECK(parse1("exec:/bin/true") == 0);
	CHECK(t.argv[1] == NULL);
}

static void
test_exec_bad(void)
{
	char *many[LMTPCONN_ARGV_MAX + 2];
	int i;

	CHECK(parse1("exec:") == -1);
	CHECK(parse1("exec:lmtp") == -1);	/* not absolute */
	many[0] = "exec:/bin/x";
	for (i = 1; i < LMTPCONN_ARGV_MAX + 1; i++)
		many[i] = "a";
	many[i] = NULL;
	CHECK(lmtpconn_parse(&t, LMTPCONN_ARGV_MAX, many, &err) == 0);
	CHECK(lmtpconn_parse(&t, LMTPCONN_ARGV_MAX + 1, many, &err) == -1);
}

static void
test_unknown(void)
{
	CHECK(parse1("tcp:1.2.3.4:24") == -1);
	CHECK(parse1("/run/lmtp") == -1);
	CHECK(parse1("") == -1);
	CHECK(lmtpconn_parse(&t, 0, NULL, &err) == -1);
}

static const char *
map(const char *line, int *cls)
{
	static char buf[512];
	struct lmtpreply rep;

	lmtpreply_init(&rep);
	CHECK(lmtpreply_line(&rep, line, strlen(line)) == LMTPREPLY_DONE);
	*cls = lmtpconn_reply(&rep, buf, sizeof(buf));
	return buf;
}

static void
test_reply_kept(void)
{
	int cls;

	CHECK_STR(map("550 5.1.1 <x@example.org> User doesn't exist: "
	    "x@example.org (ABC123)", &cls), "550 5.1.1 <x@example.org> User "
	    "doesn't exist: x@example.org (ABC123)");
	CHECK(cls == 5);
	CHECK_STR(map("250 2.1.5 OK", &cls), "250 2.1.5 OK");
	CHECK(cls == 2);
	CHECK_STR(map("452 4.2.2 Quota exceeded", &cls),
	    "452 4.2.2 Quota exceeded");
	CHECK(cls == 4);
}

static void
test_reply_enhanced_added(void)
{
	int cls;

	CHECK_STR(map("250 OK", &cls), "250 2.0.0 OK");
	CHECK_STR(map("450", &cls), "450 4.0.0");
	CHECK(cls == 4);
	/* an enhanced code of another class is replaced */
	CHECK_STR(map("550 2.1.5 odd", &cls), "550 5.0.0 odd");
	CHECK_STR(map("354 go ahead", &cls), "354 3.0.0 go ahead");
	CHECK(cls == 3);
}

static void
test_reply_sanitised(void)
{
	struct lmtpreply rep;
	char buf[40];

	lmtpreply_init(&rep);
	CHECK(lmtpreply_line(&rep, "250 2.0.0 a\tb\x01\xff", 15) ==
	    LMTPREPLY_DONE);
	lmtpconn_reply(&rep, buf, sizeof(buf));
	CHECK_STR(buf, "250 2.0.0 a?b??");
	/* long text is cut to the buffer */
	lmtpreply_init(&rep);
	CHECK(lmtpreply_line(&rep, "550 5.1.1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 70) == LMTPREPLY_DONE);
	lmtpconn_reply(&rep, buf, sizeof(buf));
	CHECK(strlen(buf) == sizeof(buf) - 1);
}

static void
test_failure(void)
{
	char buf[512];

	lmtpconn_failure(LMTPCONN_AT_RCPT, "a@example.org", HELPER_ESPAWN,
	    "Connection refused", buf, sizeof(buf));
	CHECK_STR(buf, "451 4.4.1 <a@example.org>: cannot reach LDA "
	    "(Connection refused)");
	lmtpconn_failure(LMTPCONN_AT_RCPT, "a@example.org", HELPER_ETIMEOUT,
	    "helper timed out", buf, sizeof(buf));
	CHECK_STR(buf, "451 4.4.1 <a@example.org>: cannot reach LDA "
	    "(timed out)");
	lmtpconn_failure(LMTPCONN_AT_DATA, "b@example.org", HELPER_ECLOSED,
	    "helper closed the connection", buf, sizeof(buf));
	CHECK_STR(buf, "451 4.4.2 <b@example.org>: LDA connection lost "
	    "(closed the connection)");
	lmtpconn_failure(LMTPCONN_AT_DATA, "b@example.org", HELPER_EPROTO,
	    "helper answered nonsense", buf, sizeof(buf));
	CHECK_STR(buf, "451 4.3.0 <b@example.org>: malformed reply from LDA "
	    "(answered nonsense)");
	lmtpconn_failure(LMTPCONN_AT_RCPT, "c@example.org", HELPER_EPROTO,
	    "helper reply line too long", buf, sizeof(buf));
	CHECK(strncmp(buf, "451 4.3.0 ", 10) == 0);
	lmtpconn_failure(LMTPCONN_AT_DATA, NULL, HELPER_OK, NULL, buf,
	    sizeof(buf));
	CHECK_STR(buf, "451 4.4.2 LDA connection lost (unknown error)");
	lmtpconn_failure(LMTPCONN_AT_RCPT, "d@example.org", HELPER_EUTF8,
	    "LDA does not support SMTPUTF8", buf, sizeof(buf));
	CHECK(strncmp(buf, "553 5.6.7 ", 10) == 0);
}

/* The code comes from the error, never from the words of the log. */
static void
test_failure_wording(void)
{
	char buf[512];

	/* an errno text that happens to say "nonsense" or "SMTPUTF8" */
	lmtpconn_failure(LMTPCONN_AT_RCPT, "a@example.org", HELPER_ETIMEOUT,
	    "peer answered nonsense, line too long, no SMTPUTF8", buf,
	    sizeof(buf));
	CHECK(strncmp(buf, "451 4.4.1 ", 10) == 0);
	lmtpconn_failure(LMTPCONN_AT_DATA, "a@example.org", HELPER_EIO,
	    "SMTPUTF8", buf, sizeof(buf));
	CHECK(strncmp(buf, "451 4.4.2 ", 10) == 0);
	/* and a reworded reason keeps its code */
	lmtpconn_failure(LMTPCONN_AT_RCPT, "a@example.org", HELPER_EPROTO,
	    "helper said something odd", buf, sizeof(buf));
	CHECK(strncmp(buf, "451 4.3.0 ", 10) == 0);
	lmtpconn_failure(LMTPCONN_AT_DATA, "a@example.org", HELPER_EUTF8,
	    "", buf, sizeof(buf));
	CHECK(strncmp(buf, "553 5.6.7 ", 10) == 0);
}

static void
test_reason(void)
{
	char buf[16];

	lmtpconn_reason("helper x\r\n(y)", buf, sizeof(buf));
	CHECK_STR(buf, "x???y?");
	lmtpconn_reason("a very long reason indeed", buf, sizeof(buf));
	CHECK(strlen(buf) == sizeof(buf) - 1);
	lmtpconn_reason("", buf, sizeof(buf));
	CHECK_STR(buf, "unknown error");
}

int
main(void)
{
	TEST(test_unix);
	TEST(test_unix_too_long);
	TEST(test_unix_no_args);
	TEST(test_inet4);
	TEST(test_inet6);
	TEST(test_inet_bad);
	TEST(test_exec);
	TEST(test_exec_bad);
	TEST(test_unknown);
	TEST(test_reply_kept);
	TEST(test_reply_enhanced_added);
	TEST(test_reply_sanitised);
	TEST(test_failure);
	TEST(test_failure_wording);
	TEST(test_reason);
	return UNIT_DONE();
}
