/*
 * test_pipe.c: samotop-pipe's pure parts: exit status -> reply, the
 * command's environment, the reply text, CRLF -> LF.
 */
#include <errno.h>
#include <stdlib.h>

#include "data.h"
#include "pipe.h"
#include "unit.h"

/* The value of name in e, or NULL. */
static const char *
getv(const struct pipe_env *e, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; e->envp[i] != NULL; i++)
		if (strncmp(e->envp[i], name, n) == 0 && e->envp[i][n] == '=')
			return e->envp[i] + n + 1;
	return NULL;
}

static void
test_status(void)
{
	CHECK_STR(pipe_status(PIPE_EXITED, 0), "250 2.0.0");
	CHECK_STR(pipe_status(PIPE_EXITED, 75), "451 4.3.0");
	CHECK_STR(pipe_status(PIPE_EXITED, 67), "550 5.1.1");
	CHECK_STR(pipe_status(PIPE_EXITED, 77), "550 5.7.1");
	CHECK_STR(pipe_status(PIPE_EXITED, 1), "554 5.3.0");
	CHECK_STR(pipe_status(PIPE_EXITED, 64), "554 5.3.0");
	CHECK_STR(pipe_status(PIPE_EXITED, 126), "554 5.3.0");
	CHECK_STR(pipe_status(PIPE_EXITED, 255), "554 5.3.0");
	CHECK_STR(pipe_status(PIPE_SIGNALED, 9), "451 4.3.0");
	CHECK_STR(pipe_status(PIPE_SIGNALED, 0), "451 4.3.0");
	CHECK_STR(pipe_status(PIPE_TIMEOUT, 300), "451 4.3.0");
	CHECK_STR(pipe_status(PIPE_NOSTART, ENOENT), "451 4.3.0");
}

static void
test_reply_defaults(void)
{
	char r[512];

	pipe_reply(r, sizeof(r), PIPE_EXITED, 0, "");
	CHECK_STR(r, "250 2.0.0 Delivered");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 75, NULL);
	CHECK_STR(r, "451 4.3.0 Temporary failure (exit 75)");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 67, "");
	CHECK_STR(r, "550 5.1.1 No such user (exit 67)");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 77, "");
	CHECK_STR(r, "550 5.7.1 Permission denied (exit 77)");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 1, "");
	CHECK_STR(r, "554 5.3.0 Delivery failed (exit 1)");
	pipe_reply(r, sizeof(r), PIPE_SIGNALED, 9, "");
	CHECK_STR(r, "451 4.3.0 Command killed by signal 9");
	pipe_reply(r, sizeof(r), PIPE_TIMEOUT, 300, "");
	CHECK_STR(r, "451 4.3.0 Command timed out after 300 s");
	pipe_reply(r, sizeof(r), PIPE_NOSTART, ENOENT, "");
	CHECK(strncmp(r, "451 4.3.0 Command could not be started: ", 40) == 0);
}

/* The command's text replaces the default after an exit only. */
static void
test_reply_text(void)
{
	char r[512];

	pipe_reply(r, sizeof(r), PIPE_EXITED, 0, "Saved to INBOX");
	CHECK_STR(r, "250 2.0.0 Saved to INBOX");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 67, "Unknown user bob");
	CHECK_STR(r, "550 5.1.1 Unknown user bob");
	pipe_reply(r, sizeof(r), PIPE_EXITED, 3, "boom");
	CHECK_STR(r, "554 5.3.0 boom");
	pipe_reply(r, sizeof(r), PIPE_SIGNALED, 15, "half a line");
	CHECK_STR(r, "451 4.3.0 Command killed by signal 15");
	pipe_reply(r, sizeof(r), PIPE_TIMEOUT, 1, "still working");
	CHECK_STR(r, "451 4.3.0 Command timed out after 1 s");
	pipe_reply(r, 14, PIPE_EXITED, 0, "a long text");
	CHECK_STR(r, "250 2.0.0 a l");
}

static void
test_text(void)
{
	char out[PIPE_TEXT_MAX + 1];
	static const char in[] = "  Mailbox\tfull \xc3\xa9\x01x  \r\nsecond\n";

	CHECK(pipe_text(out, sizeof(out), in, sizeof(in) - 1) == 17);
	CHECK_STR(out, "Mailbox full ???x");
	CHECK(pipe_text(out, sizeof(out), "", 0) == 0);
	CHECK_STR(out, "");
	CHECK(pipe_text(out, sizeof(out), "\nsecond line", 12) == 0);
	CHECK_STR(out, "");
	CHECK(pipe_text(out, sizeof(out), " \t \r\n", 5) == 0);
	CHECK_STR(out, "");
	CHECK(pipe_text(out, sizeof(out), "no line end", 11) == 11);
	CHECK_STR(out, "no line end");
	CHECK(pipe_text(out, sizeof(out), "a\rb", 3) == 1);
	CHECK_STR(out, "a");
	CHECK(pipe_text(out, sizeof(out), "a\0b", 3) == 3);
	CHECK_STR(out, "a?b");
	CHECK(pipe_text(out, 4, "abcdef", 6) == 3);
	CHECK_STR(out, "abc");
}

/* At most PIPE_TEXT_MAX octets, only printable ASCII. */
static void
test_text_limits(void)
{
	char in[1000], out[PIPE_TEXT_MAX + 64];
	size_t i, n;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i % 256 == '\n' || i % 256 == '\r' ?
		    'x' : i % 256);
	n = pipe_text(out, sizeof(out), in, sizeof(in));
	CHECK(n == PIPE_TEXT_MAX);
	CHECK(strlen(out) == PIPE_TEXT_MAX);
	for (i = 0; i < n; i++)
		CHECK(out[i] >= 0x20 && out[i] <= 0x7e);
	memset(in, 'y', sizeof(in));
	CHECK(pipe_text(out, sizeof(out), in, sizeof(in)) == PIPE_TEXT_MAX);
}

static void
test_env_set(void)
{
	struct pipe_env e;

	pipe_env_init(&e);
	CHECK(e.envp[0] == NULL);
	CHECK(pipe_env_set(&e, "A", "1") == 0);
	CHECK(pipe_env_set(&e, "AB", "2") == 0);
	CHECK(pipe_env_set(&e, "A", "3") == 0);
	CHECK(pipe_env_set(&e, "E", "") == 0);
	CHECK(e.n == 3);
	CHECK_STR(e.envp[0], "A=3");
	CHECK_STR(e.envp[1], "AB=2");
	CHECK_STR(e.envp[2], "E=");
	CHECK(e.envp[3] == NULL);
}

/* Full: -1, and what is there stays whole. */
static void
test_env_full(void)
{
	static struct pipe_env e;
	char name[16], big[4096];
	int i, r = 0;

	pipe_env_init(&e);
	for (i = 0; i < PIPE_ENV_MAX && r == 0; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		r = pipe_env_set(&e, name, "x");
	}
	CHECK(r == -1);
	CHECK(e.n == PIPE_ENV_MAX - 1);
	CHECK(e.envp[PIPE_ENV_MAX - 1] == NULL);
	CHECK(pipe_env_set(&e, "V0", "replaced") == 0);
	CHECK_STR(getv(&e, "V0"), "replaced");

	pipe_env_init(&e);
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 10 && pipe_env_set(&e, "BIG", big) == 0; i++)
		continue;
	CHECK(i == PIPE_ENV_SIZE / sizeof(big) - (PIPE_ENV_SIZE %
	    sizeof(big) == 0));
	CHECK(e.len <= PIPE_ENV_SIZE);
	CHECK(e.n == 1);
	CHECK(strlen(getv(&e, "BIG")) == sizeof(big) - 1);
}

static void
test_env_inherit(void)
{
	static char *const environ_[] = {
		"PATH=/opt/bin:/bin", "HOME=/root", "TCPREMOTEIP=192.0.2.1",
		"LC_ALL=C.UTF-8", "PATHX=no", "SAMOTOP_SID=ABC", "SENDER=evil",
		"LD_PRELOAD=/tmp/x.so", "TZ=UTC", "LC_=odd", NULL,
	};
	static char *const empty[] = { NULL };
	struct pipe_env e;

	pipe_env_init(&e);
	CHECK(pipe_env_inherit(&e, environ_) == 0);
	CHECK_STR(getv(&e, "PATH"), "/opt/bin:/bin");
	CHECK_STR(getv(&e, "HOME"), "/root");
	CHECK_STR(getv(&e, "LC_ALL"), "C.UTF-8");
	CHECK_STR(getv(&e, "SAMOTOP_SID"), "ABC");
	CHECK_STR(getv(&e, "TZ"), "UTC");
	CHECK(getv(&e, "TCPREMOTEIP") == NULL);
	CHECK(getv(&e, "PATHX") == NULL);
	CHECK(getv(&e, "SENDER") == NULL);
	CHECK(getv(&e, "LD_PRELOAD") == NULL);
	CHECK(e.n == 6);

	pipe_env_init(&e);
	CHECK(pipe_env_inherit(&e, empty) == 0);
	CHECK_STR(getv(&e, "PATH"), "/usr/local/bin:/usr/bin:/bin");
	CHECK(e.n == 1);
}

static struct mailbox
mb(const char *local, const char *domain)
{
	struct mailbox m;

	memset(&m, 0, sizeof(m));
	snprintf(m.local, sizeof(m.local), "%s", local);
	snprintf(m.domain, sizeof(m.domain), "%s", domain);
	return m;
}

static void
test_env_envelope(void)
{
	struct mailbox r = mb("Bob+Lists+x", "Example.ORG");
	struct xforward x;
	struct pipe_env e;

	memset(&x, 0, sizeof(x));
	snprintf(x.addr, sizeof(x.addr), "192.0.2.7");
	snprintf(x.name, sizeof(x.name), "mail.example.net");
	snprintf(x.helo, sizeof(x.helo), "helo.example.net");
	snprintf(x.proto, sizeof(x.proto), "ESMTP");
	snprintf(x.ident, sizeof(x.ident), "0ABC.1");
	snprintf(x.tls, sizeof(x.tls), "TLSv1.3");
	pipe_env_init(&e);
	CHECK(pipe_env_envelope(&e, "a@b.example", &r, '+', &x) == 0);
	CHECK_STR(getv(&e, "SENDER"), "a@b.example");
	CHECK_STR(getv(&e, "RECIPIENT"), "Bob+Lists+x@Example.ORG");
	CHECK_STR(getv(&e, "RETURN_PATH"), "<a@b.example>");
	CHECK_STR(getv(&e, "DELIVERED_TO"), "<Bob+Lists+x@Example.ORG>");
	CHECK_STR(getv(&e, "LOCAL"), "Bob");
	CHECK_STR(getv(&e, "DOMAIN"), "example.org");
	CHECK_STR(getv(&e, "EXTENSION"), "Lists+x");
	CHECK_STR(getv(&e, "CLIENT_IP"), "192.0.2.7");
	CHECK_STR(getv(&e, "CLIENT_HOST"), "mail.example.net");
	CHECK_STR(getv(&e, "HELO"), "helo.example.net");
	CHECK_STR(getv(&e, "PROTOCOL"), "ESMTP");
	CHECK_STR(getv(&e, "MESSAGE_ID"), "0ABC.1");
	CHECK_STR(getv(&e, "TLS"), "TLSv1.3");
	CHECK(e.n == 13);
}

/* Quotes removed, other delimiters, none, <>, no XFORWARD. */
static void
test_env_envelope_variants(void)
{
	struct mailbox q = mb("\"john doe-ext\"", "x.test");
	struct mailbox p = mb("postmaster", "");
	struct pipe_env e;

	pipe_env_init(&e);
	CHECK(pipe_env_envelope(&e, "", &q, '-', NULL) == 0);
	CHECK_STR(getv(&e, "SENDER"), "");
	CHECK_STR(getv(&e, "RETURN_PATH"), "<>");
	CHECK_STR(getv(&e, "RECIPIENT"), "\"john doe-ext\"@x.test");
	CHECK_STR(getv(&e, "DELIVERED_TO"), "<\"john doe-ext\"@x.test>");
	CHECK_STR(getv(&e, "LOCAL"), "john doe");
	CHECK_STR(getv(&e, "EXTENSION"), "ext");
	CHECK_STR(getv(&e, "CLIENT_IP"), "");
	CHECK_STR(getv(&e, "MESSAGE_ID"), "");

	pipe_env_init(&e);
	CHECK(pipe_env_envelope(&e, "s@x", &q, 0, NULL) == 0);
	CHECK_STR(getv(&e, "LOCAL"), "john doe-ext");
	CHECK_STR(getv(&e, "EXTENSION"), "");

	pipe_env_init(&e);
	CHECK(pipe_env_envelope(&e, "s@x", &p, '+', NULL) == 0);
	CHECK_STR(getv(&e, "RECIPIENT"), "postmaster");
	CHECK_STR(getv(&e, "LOCAL"), "postmaster");
	CHECK_STR(getv(&e, "DOMAIN"), "");
	CHECK_STR(getv(&e, "EXTENSION"), "");
}

static size_t
lf(int *cr, const char *in, char *out)
{
	size_t n = data_to_lf(cr, in, strlen(in), out);

	out[n] = '\0';
	return n;
}

static void
test_to_lf(void)
{
	char out[64];
	int cr = 0;

	CHECK(lf(&cr, "a\r\nb\r\n", out) == 4);
	CHECK_STR(out, "a\nb\n");
	CHECK(!cr);
	CHECK(lf(&cr, "bare\rcr\r", out) == 7);
	CHECK_STR(out, "bare\rcr");
	CHECK(cr);
	CHECK(lf(&cr, "\nnext\r", out) == 5);
	CHECK_STR(out, "\nnext");
	CHECK(lf(&cr, "x", out) == 2);
	CHECK_STR(out, "\rx");
	CHECK(!cr);
	CHECK(lf(&cr, "lf only\n", out) == 8);
	CHECK_STR(out, "lf only\n");
}

int
main(void)
{
	TEST(test_status);
	TEST(test_reply_defaults);
	TEST(test_reply_text);
	TEST(test_text);
	TEST(test_text_limits);
	TEST(test_env_set);
	TEST(test_env_full);
	TEST(test_env_inherit);
	TEST(test_env_envelope);
	TEST(test_env_envelope_variants);
	TEST(test_to_lf);
	return UNIT_DONE();
}
