/*
 * test_state.c: the session state machine (state.c) and the reply table
 * (reply.c), driven by parsed command lines as a client would send them.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "parser.h"
#include "reply.h"
#include "state.h"
#include "tests/unit.h"

static struct conf conf;
static struct smtp_state st;
static struct reply r;
static enum action act;

static void
setup(void)
{
	conf_defaults(&conf);
	strcpy(conf.hostname, "mx.test");
	state_init(&st, &conf);
}

/*
 * One command line through parser and state, the checks of HELO and
 * MAIL passing and RSET carried out as the session does (act is then
 * ACT_REPLY, what the client sees); returns the reply text.
 */
static const char *
c(const char *line)
{
	struct smtp_cmd cmd;

	parse_command(line, strlen(line), &cmd);
	memset(&r, 0, sizeof(r));
	act = state_command(&st, &cmd, &r);
	if (act == ACT_HELO)
		state_helo(&st, &cmd, &r);
	else if (act == ACT_MAIL)
		state_mail(&st, &cmd, &r);
	else if (act == ACT_RSET)
		state_tx_end(&st);
	if (act == ACT_HELO || act == ACT_MAIL || act == ACT_RSET)
		act = ACT_REPLY;
	return r.text;			/* NUL-terminated: len < REPLY_MAX */
}

/* RCPT that the routing layer accepts (or refuses). */
static const char *
rcpt(const char *line, int accepted)
{
	c(line);
	if (act == ACT_RCPT && accepted)
		state_rcpt_accepted(&st, NULL);
	else if (act == ACT_RCPT)
		state_rcpt_refused(&st);
	return r.text;
}

/* "ddd x.y.z " at the start of every line of the reply. */
static int
all_enhanced(const char *s)
{
	const char *p = s;

	if (*p == '\0')
		return 0;
	while (*p != '\0') {
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]) ||
		    (p[3] != ' ' && p[3] != '-') || p[4] != p[0] ||
		    p[5] != '.')
			return 0;
		p = strstr(p, "\r\n");
		if (p == NULL)
			return 0;
		p += 2;
	}
	return 1;
}

/* No line of the reply carries an enhanced status code. */
static int
none_enhanced(const char *s)
{
	const char *p = s;

	while (*p != '\0') {
		if (isdigit((unsigned char)p[4]) && p[5] == '.')
			return 0;
		p = strstr(p, "\r\n");
		if (p == NULL)
			return 0;
		p += 2;
	}
	return 1;
}

static void
greeting(void)
{
	setup();
	CHECK(st.phase == PH_START);
	memset(&r, 0, sizeof(r));
	state_greeting(&st, &r);
	CHECK_STR(r.text, "220 mx.test ESMTP samotop\r\n");
	CHECK(r.code == 220);
}

static void
ehlo_reply(void)
{
	setup();
	CHECK_STR(c("EHLO client.example"),
	    "250-mx.test\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 26214400\r\n"
	    "250-8BITMIME\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-SMTPUTF8\r\n"
	    "250 CHUNKING\r\n");
	CHECK(act == ACT_REPLY);
	CHECK(st.phase == PH_READY && st.esmtp);
	CHECK_STR(st.helo, "client.example");
	CHECK(r.code == 250);

	/* the SIZE line follows the configuration */
	setup();
	conf.max_message_size = 1000;
	CHECK(strstr(c("EHLO x"), "\r\n250-SIZE 1000\r\n") != NULL);
}

static void
helo_plain(void)
{
	setup();
	CHECK_STR(c("HELO client.example"), "250 mx.test\r\n");
	CHECK(act == ACT_REPLY && st.phase == PH_READY && !st.esmtp);
	CHECK_STR(st.helo, "client.example");
	/* no enhanced status codes for a HELO client */
	CHECK_STR(c("MAIL FROM:<a@b>"), "250 Sender ok\r\n");
	CHECK(act == ACT_REPLY && st.phase == PH_MAIL);
	CHECK(rcpt("RCPT TO:<c@d>", 1)[0] == '\0' && act == ACT_RCPT);
	CHECK_STR(c("NOOP"), "250 Ok\r\n");
	CHECK_STR(c("VRFY x"),
	    "252 Cannot VRFY user, but will accept message\r\n");
	CHECK_STR(c("XYZZY"), "500 Command unrecognized\r\n");
	CHECK_STR(c("EXPN x"), "502 Command not implemented\r\n");
	CHECK_STR(c("MAIL FROM:<a@b>"), "503 Sender already given\r\n");
	CHECK_STR(c("RSET"), "250 Reset\r\n");
	CHECK(none_enhanced(c("DATA")));
	CHECK_STR(r.text, "503 Send MAIL first\r\n");
	CHECK(none_enhanced(c("MAIL FROM:<a@")));
	CHECK(none_enhanced(c("HELP")));
	CHECK(none_enhanced(c("STARTTLS")));
	CHECK_STR(c("QUIT"), "221 mx.test closing connection\r\n");
	CHECK(act == ACT_CLOSE);
}

/* After EHLO every reply but the EHLO reply carries an enhanced code. */
static void
ehlo_enhanced_everywhere(void)
{
	static const char *lines[] = {
		"NOOP", "HELP", "VRFY postmaster", "XYZZY", "EXPN list",
		"STARTTLS", "DATA", "RCPT TO:<a@b>", "BDAT 5",
		"MAIL FROM:<a@b", "MAIL FROM:<a@b> FOO",
		"MAIL FROM:<a@b> SIZE=x",
		"MAIL FROM:<a@b> SIZE=999999999999", "MAIL FROM:<\xc3\xa9@b>",
		"HELO", "MAIL FROM:<a@b>", "MAIL FROM:<a@b>", "RCPT TO:<a@>",
		"RCPT TO:<\xc3\xa9@b>", "RCPT TO:<a@b> X=1", "DATA",
		"RSET x", "NOOP \x01", "RSET", "QUIT",
	};
	size_t i;

	setup();
	c("EHLO client.example");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		c(lines[i]);
		if (!all_enhanced(r.text))
			printf("#   \"%s\" -> \"%s\"\n", lines[i], r.text);
		CHECK(all_enhanced(r.text));
	}
	CHECK(act == ACT_CLOSE);
}

static void
sequencing(void)
{
	/* MAIL, RCPT, DATA, BDAT before HELO */
	setup();
	CHECK_STR(c("MAIL FROM:<a@b>"), "503 Send HELO or EHLO first\r\n");
	CHECK_STR(c("RCPT TO:<a@b>"), "503 Send HELO or EHLO first\r\n");
	CHECK_STR(c("DATA"), "503 Send HELO or EHLO first\r\n");
	CHECK_STR(c("BDAT 3"), "503 Send HELO or EHLO first\r\n");
	CHECK(act == ACT_BDAT_SKIP);
	CHECK(st.phase == PH_START);
	/* NOOP, RSET, VRFY, HELP, QUIT need no greeting */
	CHECK_STR(c("NOOP"), "250 Ok\r\n");
	CHECK_STR(c("RSET"), "250 Reset\r\n");
	CHECK(st.phase == PH_START);

	/* RCPT before MAIL, DATA before RCPT, nested MAIL */
	setup();
	c("EHLO c");
	CHECK_STR(c("RCPT TO:<a@b>"), "503 5.5.1 Send MAIL first\r\n");
	CHECK(act == ACT_REPLY);
	CHECK_STR(c("DATA"), "503 5.5.1 Send MAIL first\r\n");
	CHECK_STR(c("MAIL FROM:<a@b>"), "250 2.1.0 Sender ok\r\n");
	CHECK(st.phase == PH_MAIL && st.transactions == 1);
	CHECK_STR(c("DATA"), "503 5.5.1 Send RCPT first\r\n");
	CHECK(act == ACT_REPLY);
	CHECK_STR(c("MAIL FROM:<x@y>"), "503 5.5.1 Sender already given\r\n");
	CHECK_STR(st.tx.sender.local, "a");
	/* a refused recipient leaves the transaction without one */
	CHECK(rcpt("RCPT TO:<c@d>", 0)[0] == '\0');
	CHECK(st.phase == PH_MAIL && st.tx.nrcpt == 0);
	CHECK_STR(c("DATA"), "503 5.5.1 Send RCPT first\r\n");
	rcpt("RCPT TO:<c@d>", 1);
	CHECK(st.phase == PH_RCPT && st.tx.nrcpt == 1);
	CHECK_STR(c("MAIL FROM:<x@y>"), "503 5.5.1 Sender already given\r\n");
	CHECK(st.phase == PH_RCPT);

	/* DATA after BODY=BINARYMIME */
	setup();
	c("EHLO c");
	CHECK_STR(c("MAIL FROM:<a@b> BODY=BINARYMIME"),
	    "250 2.1.0 Sender ok\r\n");
	CHECK(st.tx.body == BODY_BINARYMIME);
	rcpt("RCPT TO:<c@d>", 1);
	CHECK_STR(c("DATA"), "503 5.5.1 BODY=BINARYMIME requires BDAT\r\n");
	CHECK(act == ACT_REPLY);
	c("BDAT 10 LAST");
	CHECK(act == ACT_BDAT && r.len == 0);
}

static void
bdat_sequence(void)
{
	static const char *refused[] = {
		"DATA", "MAIL FROM:<a@b>", "RCPT TO:<e@f>", "EHLO c", "HELO c",
		"VRFY x", "HELP", "STARTTLS", "EXPN x", "XYZZY",
	};
	size_t i;

	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	rcpt("RCPT TO:<c@d>", 1);
	c("BDAT 100");
	CHECK(act == ACT_BDAT && r.len == 0 && st.phase == PH_BDAT);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c(refused[i]);
		if (strcmp(r.text, "503 5.5.1 Only BDAT, RSET or QUIT after "
		    "BDAT\r\n") != 0)
			printf("#   \"%s\" -> \"%s\"\n", refused[i], r.text);
		CHECK_STR(r.text,
		    "503 5.5.1 Only BDAT, RSET or QUIT after BDAT\r\n");
		CHECK(act == ACT_REPLY && st.phase == PH_BDAT);
	}
	CHECK_STR(c("NOOP"), "250 2.0.0 Ok\r\n");
	CHECK(st.phase == PH_BDAT);
	c("BDAT 0 LAST");
	CHECK(act == ACT_BDAT && r.len == 0);
	state_tx_end(&st);
	CHECK(st.phase == PH_READY && st.tx.nrcpt == 0);
	/* and a new transaction can start */
	CHECK_STR(c("MAIL FROM:<x@y>"), "250 2.1.0 Sender ok\r\n");
	CHECK(st.transactions == 2);

	/* RSET ends a BDAT sequence */
	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	rcpt("RCPT TO:<c@d>", 1);
	c("BDAT 1");
	CHECK_STR(c("RSET"), "250 2.0.0 Reset\r\n");
	CHECK(st.phase == PH_READY);
	/* QUIT inside one */
	c("MAIL FROM:<a@b>");
	rcpt("RCPT TO:<c@d>", 1);
	c("BDAT 1");
	CHECK_STR(c("QUIT"), "221 2.0.0 mx.test closing connection\r\n");
	CHECK(act == ACT_CLOSE);
}

static void
bdat_skip(void)
{
	setup();
	c("EHLO c");
	CHECK_STR(c("BDAT 10"), "503 5.5.1 Send MAIL first\r\n");
	CHECK(act == ACT_BDAT_SKIP && st.phase == PH_READY);
	c("MAIL FROM:<a@b>");
	CHECK_STR(c("BDAT 10 LAST"), "503 5.5.1 Send RCPT first\r\n");
	CHECK(act == ACT_BDAT_SKIP && st.phase == PH_MAIL);
	rcpt("RCPT TO:<c@d>", 1);
	c("BDAT 10 LAST");
	CHECK(act == ACT_BDAT && st.phase == PH_BDAT);
}

/* A BDAT without a readable size cannot be framed: the session ends. */
static void
bdat_desync(void)
{
	setup();
	c("EHLO c");
	CHECK_STR(c("BDAT x"), "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(act == ACT_DESYNC);
	CHECK_STR(c("BDAT 1 LAST junk"),
	    "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(act == ACT_DESYNC);
}

static void
rcpt_action(void)
{
	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	c("RCPT TO:<c@d>");
	CHECK(act == ACT_RCPT && r.len == 0);
	CHECK(st.phase == PH_MAIL && st.tx.nrcpt == 0);
	state_rcpt_accepted(&st, NULL);
	CHECK(st.phase == PH_RCPT && st.tx.nrcpt == 1);
	c("RCPT TO:<postmaster>");
	CHECK(act == ACT_RCPT);
	state_rcpt_refused(&st);
	CHECK(st.phase == PH_RCPT && st.tx.nrcpt == 1);
	c("DATA");
	CHECK(act == ACT_DATA && r.len == 0);
	state_tx_end(&st);
	CHECK(st.phase == PH_READY && st.tx.nrcpt == 0);
	CHECK(st.tx.sender.local[0] == '\0');
}

static void
max_recipients(void)
{
	unsigned i;

	setup();
	conf.max_recipients = 3;
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	for (i = 0; i < 3; i++) {
		rcpt("RCPT TO:<c@d>", 1);
		CHECK(act == ACT_RCPT);
	}
	CHECK(st.tx.nrcpt == 3);
	CHECK_STR(rcpt("RCPT TO:<c@d>", 1),
	    "452 4.5.3 Too many recipients\r\n");
	CHECK(act == ACT_REPLY && st.tx.nrcpt == 3);
	CHECK_STR(c("RCPT TO:<e@f>"), "452 4.5.3 Too many recipients\r\n");
	/* the recipients already accepted still get the message */
	c("DATA");
	CHECK(act == ACT_DATA);
	state_tx_end(&st);
	/* the limit is per transaction */
	c("MAIL FROM:<a@b>");
	c("RCPT TO:<c@d>");
	CHECK(act == ACT_RCPT);

	/*
	 * refused recipients (4xx or 5xx) count too, so that no client
	 * tries more addresses, or feeds the greylist more triplets, than
	 * a transaction may have recipients
	 */
	setup();
	conf.max_recipients = 2;
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	rcpt("RCPT TO:<c@d>", 0);
	rcpt("RCPT TO:<c@d>", 1);
	CHECK_STR(c("RCPT TO:<c@d>"), "452 4.5.3 Too many recipients\r\n");
	CHECK(act == ACT_REPLY && st.tx.nrcpt == 1 && st.tx.nrefused == 1);
	/* and a new transaction starts from nothing */
	state_tx_end(&st);
	c("MAIL FROM:<a@b>");
	CHECK(st.tx.nrefused == 0 && st.tx.nrcpt == 0);
	c("RCPT TO:<c@d>");
	CHECK(act == ACT_RCPT);
}

/* A line that is not one clean command is refused whole. */
static void
line_framing(void)
{
	setup();
	conf.strict_crlf = 1;
	memset(&r, 0, sizeof(r));
	CHECK(state_line(&st, 0, &r) == 0 && r.len == 0);
	CHECK(state_line(&st, LINE_TOO_LONG | LINE_BARE_LF, &r) == -1);
	CHECK_STR(r.text, "500 Line too long\r\n");
	c("EHLO c");
	memset(&r, 0, sizeof(r));
	CHECK(state_line(&st, LINE_BARE_LF, &r) == -1);
	CHECK_STR(r.text, "500 5.5.2 Bare LF in command line\r\n");
	memset(&r, 0, sizeof(r));
	CHECK(state_line(&st, LINE_BARE_CR, &r) == -1 && r.code == 500);
	/* without strict-crlf a LF alone ends a line */
	conf.strict_crlf = 0;
	memset(&r, 0, sizeof(r));
	CHECK(state_line(&st, LINE_BARE_LF, &r) == 0 && r.len == 0);
}

/* One route per transaction; the transaction's end forgets it. */
static void
one_route(void)
{
	static const int route_a = 1, route_b = 2;

	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b>");
	c("RCPT TO:<c@d>");
	CHECK(state_rcpt_route(&st, &route_a, &r) == 0);
	state_rcpt_accepted(&st, &route_a);
	c("RCPT TO:<e@f>");
	CHECK(state_rcpt_route(&st, &route_a, &r) == 0);
	c("RCPT TO:<g@h>");
	CHECK(state_rcpt_route(&st, &route_b, &r) == -1);
	CHECK_STR(r.text, "452 4.5.3 Send this recipient in another "
	    "transaction\r\n");
	CHECK(st.tx.nrefused == 1 && st.tx.route == &route_a);
	c("RSET");
	CHECK(st.tx.route == NULL && st.tx.id == 0 && st.phase == PH_READY);
	c("MAIL FROM:<a@b>");
	c("RCPT TO:<g@h>");
	CHECK(state_rcpt_route(&st, &route_b, &r) == 0);
}

static void
quit(void)
{
	setup();
	CHECK_STR(c("QUIT"), "221 mx.test closing connection\r\n");
	CHECK(act == ACT_CLOSE);
	CHECK(r.code == 221);
	setup();
	c("EHLO c");
	CHECK_STR(c("QUIT"), "221 2.0.0 mx.test closing connection\r\n");
	CHECK(act == ACT_CLOSE);
	/* QUIT with an argument is a syntax error, not a close */
	CHECK_STR(c("QUIT now"), "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(act == ACT_REPLY);
}

static void
rset(void)
{
	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b> SMTPUTF8 BODY=8BITMIME");
	rcpt("RCPT TO:<c@d>", 1);
	CHECK(st.phase == PH_RCPT && st.tx.smtputf8 && st.tx.body == BODY_8BITMIME);
	CHECK_STR(c("RSET"), "250 2.0.0 Reset\r\n");
	CHECK(act == ACT_REPLY);
	CHECK(st.phase == PH_READY && st.tx.nrcpt == 0 && !st.tx.smtputf8 &&
	    st.tx.body == BODY_NONE && st.tx.sender.local[0] == '\0');
	CHECK(st.esmtp);
	CHECK_STR(st.helo, "c");
	CHECK_STR(c("RCPT TO:<c@d>"), "503 5.5.1 Send MAIL first\r\n");
	CHECK_STR(c("MAIL FROM:<e@f>"), "250 2.1.0 Sender ok\r\n");
}

static void
greeting_resets(void)
{
	setup();
	c("EHLO c");
	c("MAIL FROM:<a@b> SMTPUTF8");
	rcpt("RCPT TO:<c@d>", 1);
	CHECK(st.phase == PH_RCPT);
	CHECK_STR(c("HELO other"), "250 mx.test\r\n");
	CHECK(st.phase == PH_READY && st.tx.nrcpt == 0 && !st.esmtp &&
	    !st.tx.smtputf8);
	CHECK_STR(st.helo, "other");
	CHECK_STR(c("DATA"), "503 Send MAIL first\r\n");
	c("MAIL FROM:<a@b>");
	CHECK(st.phase == PH_MAIL);
	CHECK(strncmp(c("EHLO again"), "250-mx.test\r\n", 13) == 0);
	CHECK(st.phase == PH_READY && st.esmtp);
	CHECK_STR(st.helo, "again");
	CHECK_STR(c("RCPT TO:<c@d>"), "503 5.5.1 Send MAIL first\r\n");
	/* a refused EHLO changes nothing */
	c("MAIL FROM:<a@b>");
	CHECK_STR(c("EHLO"), "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(st.phase == PH_MAIL && st.esmtp);
	CHECK_STR(st.helo, "again");
}

static void
size_limit(void)
{
	setup();
	c("EHLO c");
	CHECK_STR(c("MAIL FROM:<a@b> SIZE=26214401"),
	    "552 5.3.4 Message size exceeds fixed limit of 26214400\r\n");
	CHECK(act == ACT_REPLY && st.phase == PH_READY &&
	    st.transactions == 0);
	CHECK_STR(c("MAIL FROM:<a@b> SIZE=99999999999999999999999999"),
	    "552 5.3.4 Message size exceeds fixed limit of 26214400\r\n");
	CHECK_STR(c("MAIL FROM:<a@b> SIZE=26214400"),
	    "250 2.1.0 Sender ok\r\n");
	CHECK(st.phase == PH_MAIL);
}

static void
params_after_helo(void)
{
	static const char *lines[] = {
		"MAIL FROM:<a@b> SIZE=10",
		"MAIL FROM:<a@b> BODY=8BITMIME",
		"MAIL FROM:<a@b> BODY=7BIT",
		"MAIL FROM:<a@b> SMTPUTF8",
	};
	size_t i;

	setup();
	c("HELO c");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK_STR(c(lines[i]), "555 Unsupported parameter\r\n");
		CHECK(st.phase == PH_READY);
	}
	CHECK_STR(c("MAIL FROM:<a@b>"), "250 Sender ok\r\n");
	/* the same after EHLO is fine */
	setup();
	c("EHLO c");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK_STR(c(lines[i]), "250 2.1.0 Sender ok\r\n");
		c("RSET");
	}
}

static void
utf8(void)
{
	setup();
	c("EHLO c");
	/* a UTF-8 sender needs SMTPUTF8 */
	CHECK_STR(c("MAIL FROM:<j\xc3\xb6rg@b.example>"),
	    "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n");
	CHECK(st.phase == PH_READY);
	CHECK_STR(c("MAIL FROM:<j\xc3\xb6rg@b.example> SMTPUTF8"),
	    "250 2.1.0 Sender ok\r\n");
	CHECK(st.tx.smtputf8);
	c("RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@"
	    "\xe4\xbe\x8b\xe5\xad\x90.example>");
	CHECK(act == ACT_RCPT);
	c("RSET");
	/* a UTF-8 recipient needs an SMTPUTF8 transaction */
	c("MAIL FROM:<a@b>");
	CHECK_STR(c("RCPT TO:<\xc3\xa9@b>"),
	    "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n");
	CHECK(act == ACT_REPLY && st.phase == PH_MAIL);
	CHECK_STR(c("RCPT TO:<a@\xc3\xa9.example>"),
	    "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n");
	c("RCPT TO:<a@b>");
	CHECK(act == ACT_RCPT);
	/* after HELO: no SMTPUTF8 to ask for */
	setup();
	c("HELO c");
	CHECK_STR(c("MAIL FROM:<\xc3\xa9@b>"),
	    "553 Non-ASCII address requires SMTPUTF8\r\n");
}

static void
errors(void)
{
	unsigned i;

	setup();
	conf.max_errors = 3;
	CHECK(state_replied(&st, 500) == 0);
	CHECK(state_replied(&st, 500) == 0);
	CHECK(state_replied(&st, 500) == 1);
	CHECK(st.errors == 3);

	setup();
	for (i = 1; i < conf.max_errors; i++)
		CHECK(state_replied(&st, 500) == 0);
	CHECK(state_replied(&st, 500) == 1);
	CHECK(st.errors == 10);

	setup();
	conf.max_errors = 1;
	CHECK(state_replied(&st, 500) == 1);
	/* the reply the caller sends then */
	memset(&r, 0, sizeof(r));
	reply_add(&r, 1, R_TOO_MANY_ERRORS, conf.hostname);
	CHECK_STR(r.text,
	    "421 4.7.0 mx.test Too many errors, closing connection\r\n");
	CHECK(reply_code(R_TOO_MANY_ERRORS) == 421);
}

static void
parse_errors(void)
{
	setup();
	c("EHLO c");
	CHECK_STR(c("MAIL FROM:<a@b>\r"),
	    "501 5.5.2 Control character in command line\r\n");
	CHECK_STR(c("XYZZY\x7f"),
	    "501 5.5.2 Control character in command line\r\n");
	CHECK_STR(c("MAIL FROM:<a@>"),
	    "501 5.1.7 Bad sender address: address syntax error\r\n");
	CHECK(st.phase == PH_READY);
	CHECK_STR(c("MAIL FROM:<a@b> FOO=1"),
	    "555 5.5.4 Unsupported parameter\r\n");
	CHECK_STR(c("MAIL FROM:<a@b> SIZE=big"),
	    "501 5.5.4 Invalid parameter value\r\n");
	CHECK_STR(c("MAIL FROM:a@b"),
	    "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(st.phase == PH_READY);
	c("MAIL FROM:<a@b>");
	CHECK_STR(c("RCPT TO:<a..b@c>"),
	    "501 5.1.3 Bad recipient address: address syntax error\r\n");
	CHECK_STR(c("RCPT TO:<>"),
	    "501 5.1.3 Bad recipient address: null address not allowed "
	    "here\r\n");
	CHECK_STR(c("RCPT TO:<a@b> NOTIFY=NEVER"),
	    "555 5.5.4 Unsupported parameter\r\n");
	CHECK_STR(c("BDAT x"), "501 5.5.4 Syntax error in arguments\r\n");
	CHECK_STR(c("DATA x"), "501 5.5.4 Syntax error in arguments\r\n");
	CHECK(st.phase == PH_MAIL);
	CHECK_STR(c(""), "500 5.5.1 Command unrecognized\r\n");
	CHECK_STR(c("STARTTLS"), "502 5.5.1 STARTTLS not available\r\n");
	CHECK_STR(c("AUTH PLAIN"), "502 5.5.1 Command not implemented\r\n");
	CHECK_STR(c("HELP me"),
	    "214 2.0.0 See https://www.rfc-editor.org/rfc/rfc5321\r\n");
	CHECK_STR(c("VRFY someone"),
	    "252 2.5.2 Cannot VRFY user, but will accept message\r\n");
	/* without EHLO the same replies lose their enhanced codes */
	setup();
	CHECK_STR(c("MAIL FROM:<a@>"),
	    "501 Bad sender address: address syntax error\r\n");
	CHECK_STR(c("NOOP \x01"), "501 Control character in command line\r\n");
}

static void
reply_table(void)
{
	struct reply big;
	char line[3000];
	int i;

	memset(&r, 0, sizeof(r));
	reply_add(&r, 1, R_ACCEPTED, "ABC123");
	CHECK_STR(r.text, "250 2.0.0 Ok: queued as ABC123\r\n");
	memset(&r, 0, sizeof(r));
	reply_add(&r, 1, R_CHUNK_OK, (size_t)42);
	CHECK_STR(r.text, "250 2.0.0 42 octets received\r\n");
	memset(&r, 0, sizeof(r));
	reply_add(&r, 1, R_DATA_GO);
	CHECK_STR(r.text, "354 End data with <CR><LF>.<CR><LF>\r\n");
	CHECK(r.code == 354);
	memset(&r, 0, sizeof(r));
	CHECK(r.code == 0);
	reply_add(&r, 1, R_RCPT_OK);
	reply_add(&r, 0, R_HELPER_FAILED);
	CHECK_STR(r.text, "250 2.1.5 Recipient ok\r\n"
	    "451 Local delivery error, try again later\r\n");
	CHECK(r.code == 451);
	for (i = 0; i < R__COUNT; i++)
		CHECK(reply_code(i) >= 200 && reply_code(i) <= 599);

	/* an overlong line is cut, never the CRLF; the buffer never fills */
	memset(&big, 0, sizeof(big));
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "250 ", 4);
	reply_line(&big, 250, line);
	CHECK(big.len < REPLY_MAX && big.len >= 2);
	CHECK(memcmp(big.text + big.len - 2, "\r\n", 2) == 0);
	for (i = 0; i < 100; i++)
		reply_add(&big, 1, R_NOOP);
	CHECK(big.len < REPLY_MAX);
	CHECK(memcmp(big.text + big.len - 2, "\r\n", 2) == 0);
}

/* A pipelined session as a real client sends it. */
static void
session(void)
{
	setup();
	memset(&r, 0, sizeof(r));
	state_greeting(&st, &r);
	c("EHLO client.example");
	CHECK(act == ACT_REPLY);
	CHECK_STR(c("MAIL FROM:<bounce@client.example> SIZE=2048 "
	    "BODY=8BITMIME"), "250 2.1.0 Sender ok\r\n");
	CHECK_STR(st.tx.sender.local, "bounce");
	CHECK_STR(st.tx.sender.domain, "client.example");
	rcpt("RCPT TO:<alice@mx.test>", 1);
	rcpt("RCPT TO:<bob+lists@mx.test>", 1);
	rcpt("RCPT TO:<nobody@mx.test>", 0);
	CHECK(st.tx.nrcpt == 2);
	c("DATA");
	CHECK(act == ACT_DATA);
	state_tx_end(&st);
	/* second transaction with the null sender, by BDAT */
	CHECK_STR(c("MAIL FROM:<>"), "250 2.1.0 Sender ok\r\n");
	CHECK(st.tx.sender.is_null);
	rcpt("RCPT TO:<alice@mx.test>", 1);
	c("BDAT 512");
	CHECK(act == ACT_BDAT);
	c("BDAT 0 LAST");
	CHECK(act == ACT_BDAT);
	state_tx_end(&st);
	CHECK(st.transactions == 2 && st.phase == PH_READY);
	c("QUIT");
	CHECK(act == ACT_CLOSE);
}

int
main(void)
{
	TEST(greeting);
	TEST(ehlo_reply);
	TEST(helo_plain);
	TEST(ehlo_enhanced_everywhere);
	TEST(sequencing);
	TEST(bdat_sequence);
	TEST(bdat_skip);
	TEST(bdat_desync);
	TEST(rcpt_action);
	TEST(max_recipients);
	TEST(one_route);
	TEST(line_framing);
	TEST(quit);
	TEST(rset);
	TEST(greeting_resets);
	TEST(size_limit);
	TEST(params_after_helo);
	TEST(utf8);
	TEST(errors);
	TEST(parse_errors);
	TEST(reply_table);
	TEST(session);
	return UNIT_DONE();
}
