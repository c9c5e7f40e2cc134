/*
 * test_milterconn.c: the milter client (milterconn.c) against a fake
 * filter: a forked child on the other end of a socketpair that writes
 * canned packets in answer to the commands it reads, and keeps every
 * packet it got in shared memory for the test to look at afterwards.
 * Negotiation and the macros it names, decisions (a reply code, a
 * verdict at connect that sticks), PROGRESS against the deadline, a
 * protocol violation that takes the filter down under either
 * milter-default, and the changes at eom reaching the callbacks.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "milterconn.h"
#include "tests/unit.h"

#define LOG_SIZE	(512 * 1024)

/*
 * In answer to a packet of command on: a after ms (at once when a is
 * empty), then b after ms more.
 */
struct step {
	int		 on;
	const char	*a;
	size_t		 alen;
	int		 ms;
	const char	*b;
	size_t		 blen;
};

#define LIT(s)	s, sizeof(s) - 1
#define NONE	NULL, 0
#define CONTINUE	LIT("\0\0\0\x01" "c")

/* What the child got, in shared memory: *loglen octets of packets. */
static char *logbuf;
static size_t *loglen;

static const struct milter_mods all_mods;
static struct milter_set set;
static struct milter_macros mac = { .j = "mx.example", .daemon_name = "smtpd",
    .client_addr = "192.0.2.1", .client_port = "4000",
    .client_name = "client.example", .underscore = "client.example [192.0.2.1]",
    .mail_addr = "a@example.org", .i = "ID1" };
static struct milter_decision d;
static pid_t child;

static int
readn(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((n = read(fd, buf + got, len - got)) <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

static void
child_run(int fd, const struct step *steps, size_t n)
{
	static char pkt[70000];
	unsigned char *h = (unsigned char *)pkt;
	size_t k = 0, len;

	for (;;) {
		if (readn(fd, pkt, 4) == -1)
			break;
		len = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
		    (size_t)h[2] << 8 | h[3];
		if (len == 0 || len > sizeof(pkt) - 4 ||
		    readn(fd, pkt + 4, len) == -1)
			break;
		if (*loglen + 4 + len <= LOG_SIZE) {
			memcpy(logbuf + *loglen, pkt, 4 + len);
			*loglen += 4 + len;
		}
		if (k < n && pkt[4] == steps[k].on) {
			if (steps[k].alen > 0) {
				pause_ms(steps[k].ms);
				if (write(fd, steps[k].a, steps[k].alen) == -1)
					break;
			}
			pause_ms(steps[k].ms);
			if (steps[k].blen > 0 &&
			    write(fd, steps[k].b, steps[k].blen) == -1)
				break;
			k++;
		}
	}
	_exit(0);
}

/* A set with one fake filter following steps[0..n). */
static void
start(const struct step *steps, size_t n, enum milterconn_policy policy,
    unsigned timeout, const struct milter_mods *mods)
{
	struct milterconn_timeouts t = { timeout, timeout, timeout };
	int sv[2];

	*loglen = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(1);
	}
	fflush(stdout);
	if ((child = fork()) == 0) {
		close(sv[0]);
		child_run(sv[1], steps, n);
	}
	close(sv[1]);
	milterconn_init(&set, &t, policy, &mac, mods);
	milterconn_add_fd(&set, "fake", sv[0]);
}

/* The session over: QUIT, and the child's log complete. */
static void
stop(void)
{
	int status;

	milterconn_quit(&set, &d);
	waitpid(child, &status, 0);
}

/* The commands the filter got, one character each ("OD C"...). */
static const char *
cmds(void)
{
	static char out[256];
	size_t pos = 0, n = 0, len;
	const unsigned char *h;

	while (pos + 5 <= *loglen && n + 1 < sizeof(out)) {
		h = (const unsigned char *)logbuf + pos;
		len = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
		    (size_t)h[2] << 8 | h[3];
		out[n++] = (char)h[4];
		pos += 4 + len;
	}
	out[n] = '\0';
	return out;
}

/* The nth packet (from 0) of command cmd: its data and length. */
static const char *
packet(int cmd, int nth, size_t *dlen)
{
	size_t pos = 0, len;
	const unsigned char *h;

	while (pos + 5 <= *loglen) {
		h = (const unsigned char *)logbuf + pos;
		len = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
		    (size_t)h[2] << 8 | h[3];
		if (h[4] == cmd && nth-- == 0) {
			*dlen = len - 1;
			return logbuf + pos + 5;
		}
		pos += 4 + len;
	}
	*dlen = 0;
	return "";
}

#define SAME_DATA(cmd, nth, lit) do {					\
	size_t dl_;							\
	const char *p_ = packet((cmd), (nth), &dl_);			\
	CHECK(dl_ == sizeof(lit) - 1 && memcmp(p_, lit, dl_) == 0);	\
} while (0)

/* An OPTNEG reply: version 6, actions 0x1ff, protocol p (a literal). */
#define OPTNEG(proto)	LIT("\0\0\0\x0d" "O" "\0\0\0\x06" "\0\0\x01\xff" proto)

static void
negotiation(void)
{
	/* actions ADDHDRS, no HELO, no reply to headers; the macros it
	 * wants at connect */
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, LIT("\0\0\0\x21" "O" "\0\0\0\x06"
		    "\0\0\0\x01" "\0\0\0\x82" "\0\0\0\0" "{client_addr} j\0"),
		    0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_MAIL, CONTINUE, 0, NONE },
	};

	start(steps, 3, MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	CHECK(milterconn_connect(&set, "client.example", SMFIA_INET, 4000,
	    "192.0.2.1", &d) == MILTERCONN_CONTINUE);
	CHECK(set.f[0].fault == MILTERCONN_UP);
	CHECK(set.f[0].neg.version == 6);
	CHECK(set.f[0].neg.actions == SMFIF_ADDHDRS);
	CHECK(set.f[0].neg.protocol == (SMFIP_NOHELO | SMFIP_NR_HDR));
	CHECK(milterconn_helo(&set, "helo.example", &d) ==
	    MILTERCONN_CONTINUE);
	CHECK(milterconn_mail(&set, "a@example.org", NULL, 0, &d) ==
	    MILTERCONN_CONTINUE);
	CHECK(milterconn_header(&set, "Subject", " hi", &d) ==
	    MILTERCONN_CONTINUE);
	stop();
	/* every action, every step but RCPT_REJ */
	SAME_DATA(SMFIC_OPTNEG, 0, "\0\0\0\x06" "\0\0\x01\xff"
	    "\0\x1f\xf7\xff");
	/* OPTNEG, the macros named and CONNECT; no HELO (nor macros: none
	 * of its stage has a value); MAIL with its stage's default macros;
	 * the header unanswered; ABORT (the message was open), QUIT */
	CHECK_STR(cmds(), "ODCDMLAQ");
	SAME_DATA(SMFIC_MACRO, 0, "Cj\0mx.example\0{client_addr}\0"
	    "192.0.2.1\0");
	SAME_DATA(SMFIC_MACRO, 1, "M{mail_addr}\0a@example.org\0i\0ID1\0");
	SAME_DATA(SMFIC_MAIL, 0, "<a@example.org>\0");
	/* the space after the colon dropped: HDR_LEADSPC not asked */
	SAME_DATA(SMFIC_HEADER, 0, "Subject\0hi\0");
}

static void
reply_code(void)
{
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, CONTINUE, 0, NONE },
		{ SMFIC_MAIL, LIT("\0\0\0\x25" "y"
		    "550-5.7.1 first\r\n550 5.7.1 100%% no\0"), 0, NONE },
		{ SMFIC_MAIL, CONTINUE, 0, NONE },
		{ SMFIC_RCPT, LIT("\0\0\0\x01" "t"), 0, NONE },
		{ SMFIC_MAIL, CONTINUE, 0, NONE },
	};

	start(steps, 7, MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	milterconn_helo(&set, "h", &d);
	CHECK(milterconn_mail(&set, "a@example.org", NULL, 0, &d) ==
	    MILTERCONN_REPLY);
	CHECK(d.filter == 0);
	CHECK(d.code == 550);
	CHECK_STR(d.text, "550-5.7.1 first\r\n550 5.7.1 100% no");
	CHECK(!d.by_default);
	milterconn_abort(&set, &d);
	/* a verdict inside a transaction does not stick */
	CHECK(milterconn_mail(&set, "b@example.org", NULL, 0, &d) ==
	    MILTERCONN_CONTINUE);
	CHECK(milterconn_rcpt(&set, "r@example.org", NULL, 0, &d) ==
	    MILTERCONN_TEMPFAIL);
	CHECK(d.filter == 0);
	/* a new MAIL without an abort: the open message is aborted first */
	CHECK(milterconn_mail(&set, "c@example.org", NULL, 0, &d) ==
	    MILTERCONN_CONTINUE);
	stop();
	CHECK_STR(cmds(), "ODCHDMADMRADMAQ");
}

static void
long_reply(void)
{
	/* 30 lines of 100 octets: cut at a line, that line made the last */
	static char pkt[4000];
	static struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, NULL, 0, 0, NONE },
	};
	size_t n = 5, i, len;

	for (i = 0; i < 30; i++) {
		n += (size_t)snprintf(pkt + n, sizeof(pkt) - n, "%s%s%-90u",
		    i == 0 ? "" : "\r\n", i == 29 ? "451 4.7.1 " : "451-4.7.1 ",
		    (unsigned)i);
	}
	pkt[n++] = '\0';
	len = n - 4;
	pkt[0] = 0;
	pkt[1] = 0;
	pkt[2] = (char)(len >> 8);
	pkt[3] = (char)len;
	pkt[4] = 'y';
	steps[2].a = pkt;
	steps[2].alen = n;
	start(steps, 3, MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	CHECK(milterconn_helo(&set, "h", &d) == MILTERCONN_REPLY);
	CHECK(d.code == 451);
	/* 20 lines of 100 and their CRLFs fit in 2047 octets, not 21 */
	CHECK(strlen(d.text) == 20 * 100 + 19 * 2);
	CHECK(strncmp(d.text + 19 * 102, "451 4.7.1 19", 12) == 0);
	CHECK(strstr(d.text, "451 4.7.1 ") == d.text + 19 * 102);
	stop();
}

static void
long_header(void)
{
	/* a field too long for a packet is cut to fit, not left out */
	static char value[70001];
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, CONTINUE, 0, NONE },
		{ SMFIC_MAIL, CONTINUE, 0, NONE },
		{ SMFIC_DATA, CONTINUE, 0, NONE },
		{ SMFIC_HEADER, CONTINUE, 0, NONE },
	};
	const char *p;
	size_t len;

	memset(value, 'v', sizeof(value) - 1);
	value[0] = ' ';
	start(steps, 6, MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	milterconn_helo(&set, "h", &d);
	milterconn_mail(&set, "a@example.org", NULL, 0, &d);
	milterconn_data(&set, &d);
	CHECK(milterconn_header(&set, "X-Long", value, &d) ==
	    MILTERCONN_CONTINUE);
	stop();
	p = packet(SMFIC_HEADER, 0, &len);
	CHECK(len == 65535);
	CHECK(memcmp(p, "X-Long\0vvv", 10) == 0);
	CHECK(p[len - 1] == '\0' && p[len - 2] == 'v');
}

static void
sticky(void)
{
	/* no callbacks: the filter may take no action */
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, LIT("\0\0\0\x0d" "O" "\0\0\0\x06"
		    "\0\0\0\0" "\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, LIT("\0\0\0\x01" "r"), 0, NONE },
	};

	start(steps, 2, MILTERCONN_DEFAULT_TEMPFAIL, 5, NULL);
	CHECK(milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1",
	    &d) == MILTERCONN_REJECT);
	/* rejected at connect: every later event, without asking */
	CHECK(milterconn_helo(&set, "h", &d) == MILTERCONN_REJECT);
	CHECK(d.filter == 0);
	CHECK(milterconn_mail(&set, "a@example.org", NULL, 0, &d) ==
	    MILTERCONN_REJECT);
	stop();
	CHECK_STR(cmds(), "ODCQ");
	/* only SETSYMLIST offered */
	SAME_DATA(SMFIC_OPTNEG, 0, "\0\0\0\x06" "\0\0\x01\x00"
	    "\0\x1f\xf7\xff");
}

static void
progress(void)
{
	/* 1.2 s to answer MAIL with a 1 s timeout, PROGRESS in between */
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, CONTINUE, 0, NONE },
		{ SMFIC_MAIL, LIT("\0\0\0\x01" "p"), 600, CONTINUE },
	};

	start(steps, 4, MILTERCONN_DEFAULT_TEMPFAIL, 1, &all_mods);
	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	milterconn_helo(&set, "h", &d);
	CHECK(milterconn_mail(&set, "a@example.org", NULL, 0, &d) ==
	    MILTERCONN_CONTINUE);
	CHECK(set.f[0].fault == MILTERCONN_UP);
	stop();
}

static void
timeout(void)
{
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, NONE, 1500, CONTINUE },	/* too late */
	};

	start(steps, 2, MILTERCONN_DEFAULT_TEMPFAIL, 1, &all_mods);
	CHECK(milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1",
	    &d) == MILTERCONN_TEMPFAIL);
	CHECK(d.by_default);
	CHECK(d.down == 1);
	CHECK(set.f[0].fault == MILTERCONN_ETIMEOUT);
	CHECK_STR(set.f[0].why, "read reply to connect: timed out");
	stop();
}

static void
content_timeout(void)
{
	/* 1.5 s for the end of the message: within the content timeout,
	 * 2 s, not within the command timeout, 1 s */
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, CONTINUE, 0, NONE },
		{ SMFIC_MAIL, CONTINUE, 0, NONE },
		{ SMFIC_DATA, CONTINUE, 0, NONE },
		{ SMFIC_BODY, CONTINUE, 0, NONE },
		{ SMFIC_BODYEOB, NONE, 1500, CONTINUE },
	};

	start(steps, 7, MILTERCONN_DEFAULT_TEMPFAIL, 1, &all_mods);
	set.t.content = 2;
	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	milterconn_helo(&set, "h", &d);
	milterconn_mail(&set, "a@example.org", NULL, 0, &d);
	milterconn_data(&set, &d);
	milterconn_body(&set, "hi\r\n", 4, &d);
	CHECK(milterconn_eom(&set, &d) == MILTERCONN_CONTINUE);
	CHECK(set.f[0].fault == MILTERCONN_UP);
	stop();
}

static void
violation(void)
{
	/* a header added in reply to HELO: only at eom may it come */
	static const struct step steps[] = {
		{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
		{ SMFIC_CONNECT, CONTINUE, 0, NONE },
		{ SMFIC_HELO, LIT("\0\0\0\x05" "hX\0v\0"), 0, NONE },
	};
	int pass;

	for (pass = 0; pass < 2; pass++) {
		start(steps, 3, pass == 0 ? MILTERCONN_DEFAULT_TEMPFAIL :
		    MILTERCONN_DEFAULT_ACCEPT, 5, &all_mods);
		milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1",
		    &d);
		milterconn_helo(&set, "h", &d);
		CHECK(set.f[0].fault == MILTERCONN_EPROTO);
		CHECK(d.down == 1);
		CHECK_STR(set.f[0].why, "reply to helo: a modification "
		    "before the end of the message (addheader X:v)");
		if (pass == 0) {
			CHECK(d.verdict == MILTERCONN_TEMPFAIL);
			CHECK(d.by_default && d.filter == 0);
			/* and for the rest of the session */
			CHECK(milterconn_mail(&set, "a@example.org", NULL,
			    0, &d) == MILTERCONN_TEMPFAIL);
			CHECK(d.by_default && d.down == 0);
			/* even a body piece only gathered, not sent */
			CHECK(milterconn_body(&set, "x", 1, &d) ==
			    MILTERCONN_TEMPFAIL);
		} else {
			/* left out: nothing left to ask */
			CHECK(d.verdict == MILTERCONN_ACCEPT);
			CHECK(milterconn_mail(&set, "a@example.org", NULL,
			    0, &d) == MILTERCONN_ACCEPT);
		}
		stop();
		/* nothing more went to it, not even QUIT */
		CHECK_STR(cmds(), "ODCH");
	}
}

/* The changes, as the callbacks got them, one a line. */
static char got[2048];
static int fail_at;	/* the nth call fails, from 1; 0: none */
static int calls;

static int
note(const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(got);

	snprintf(got + n, sizeof(got) - n, fmt, a, b);
	return ++calls == fail_at ? -1 : 0;
}

static int
m_add(void *arg, const char *name, const char *value)
{
	(void)arg;
	return note("add %s:%s\n", name, value);
}

static int
m_ins(void *arg, uint32_t index, const char *name, const char *value)
{
	char b[600];

	(void)arg;
	snprintf(b, sizeof(b), "%s:%s", name, value);
	return note("ins %s %s\n", index == 0 ? "0" : "?", b);
}

static int
m_chg(void *arg, uint32_t index, const char *name, const char *value)
{
	char b[600];

	(void)arg;
	snprintf(b, sizeof(b), "%s:%s", name, value);
	return note("chg %s %s\n", index == 1 ? "1" : "?", b);
}

static int
m_body(void *arg, const char *data, size_t len, int first)
{
	char b[600];

	(void)arg;
	snprintf(b, sizeof(b), "%.*s", (int)len, data);
	return note("body%s %s\n", first ? " first" : "", b);
}

static int
m_from(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return note("from %s [%s]\n", addr, args);
}

static int
m_rcpt(void *arg, const char *addr, const char *args)
{
	(void)arg;
	return note("rcpt %s [%s]\n", addr, args);
}

static int
m_del(void *arg, const char *addr)
{
	(void)arg;
	return note("del %s%s\n", addr, "");
}

static int
m_quar(void *arg, const char *reason)
{
	(void)arg;
	return note("quarantine %s%s\n", reason, "");
}

static const struct milter_mods all_mods = { NULL, m_add, m_ins, m_chg,
    m_body, m_from, m_rcpt, m_del, m_quar };

static const struct step eom_steps[] = {
	{ SMFIC_OPTNEG, OPTNEG("\0\0\0\0"), 0, NONE },
	{ SMFIC_CONNECT, CONTINUE, 0, NONE },
	{ SMFIC_HELO, CONTINUE, 0, NONE },
	{ SMFIC_MAIL, CONTINUE, 0, NONE },
	{ SMFIC_DATA, CONTINUE, 0, NONE },
	{ SMFIC_BODY, CONTINUE, 0, NONE },
	{ SMFIC_BODY, CONTINUE, 0, NONE },
	{ SMFIC_BODYEOB, LIT(
	    "\0\0\0\x07" "hX-A\0v\0"
	    "\0\0\0\x0c" "i\0\0\0\0" "X-B\0 w\0"
	    "\0\0\0\x0e" "m\0\0\0\0" "Subject\0\0"
	    "\0\0\0\x04" "bnew"
	    "\0\0\0\x06" "b body"
	    "\0\0\0\x0e" "e<s@x>\0SIZE=1\0"
	    "\0\0\0\x07" "+<r@x>\0"
	    "\0\0\0\x10" "2<q@x>\0NOTIFY=N\0"
	    "\0\0\0\x07" "-<d@x>\0"
	    "\0\0\0\x05" "qwhy\0"
	    "\0\0\0\x01" "a"), 0, NONE },
};

static enum milterconn_verdict
message(void)
{
	static char body[70000];

	milterconn_connect(&set, "c", SMFIA_INET, 1, "192.0.2.1", &d);
	milterconn_helo(&set, "h", &d);
	milterconn_mail(&set, "a@example.org", NULL, 0, &d);
	milterconn_data(&set, &d);
	memset(body, 'x', sizeof(body));
	/* in two pieces: gathered into chunks of 65535 */
	milterconn_body(&set, body, 1000, &d);
	CHECK(d.verdict == MILTERCONN_CONTINUE);
	milterconn_body(&set, body + 1000, sizeof(body) - 1000, &d);
	return milterconn_eom(&set, &d);
}

static void
modifications(void)
{
	size_t len;

	got[0] = '\0';
	calls = fail_at = 0;
	start(eom_steps, sizeof(eom_steps) / sizeof(eom_steps[0]),
	    MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	CHECK(message() == MILTERCONN_ACCEPT);
	CHECK(!d.local);
	CHECK_STR(got,
	    "add X-A: v\n"
	    "ins 0 X-B:  w\n"
	    "chg 1 Subject:\n"
	    "body first new\n"
	    "body  body\n"
	    "from <s@x> [SIZE=1]\n"
	    "rcpt <r@x> []\n"
	    "rcpt <q@x> [NOTIFY=N]\n"
	    "del <d@x>\n"
	    "quarantine why\n");
	stop();
	SAME_DATA(SMFIC_OPTNEG, 0, "\0\0\0\x06" "\0\0\x01\xff"
	    "\0\x1f\xf7\xff");
	packet(SMFIC_BODY, 0, &len);
	CHECK(len == 65535);
	packet(SMFIC_BODY, 1, &len);
	CHECK(len == 70000 - 65535);
	/* the message ended at eom: no ABORT */
	CHECK_STR(cmds(), "ODCHDMDTBBDEQ");
}

static void
callback_fails(void)
{
	got[0] = '\0';
	calls = 0;
	fail_at = 2;
	start(eom_steps, sizeof(eom_steps) / sizeof(eom_steps[0]),
	    MILTERCONN_DEFAULT_TEMPFAIL, 5, &all_mods);
	CHECK(message() == MILTERCONN_TEMPFAIL);
	CHECK(d.local && d.filter == 0 && !d.by_default);
	/* the rest read, not applied; the filter still in step */
	CHECK_STR(got, "add X-A: v\nins 0 X-B:  w\n");
	CHECK(set.f[0].fault == MILTERCONN_UP);
	stop();
}

int
main(void)
{
	logbuf = mmap(NULL, LOG_SIZE + sizeof(size_t), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (logbuf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	loglen = (size_t *)(logbuf + LOG_SIZE);
	TEST(negotiation);
	TEST(reply_code);
	TEST(long_reply);
	TEST(long_header);
	TEST(sticky);
	TEST(progress);
	TEST(timeout);
	TEST(content_timeout);
	TEST(violation);
	TEST(modifications);
	TEST(callback_fails);
	return UNIT_DONE();
}
