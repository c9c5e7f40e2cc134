/*
 * test_parser.c: the SMTP command grammar (parser.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "tests/unit.h"

static struct smtp_cmd cmd;

/* Parse a NUL-terminated line. */
static const struct smtp_cmd *
p(const char *s)
{
	parse_command(s, strlen(s), &cmd);
	return &cmd;
}

/* Parse exactly len octets from a heap copy, so ASan sees an over-read. */
static const struct smtp_cmd *
pn(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, s, len);
	parse_command(copy, len, &cmd);
	free(copy);
	return &cmd;
}

static void
every_verb(void)
{
	static const struct {
		const char	*line;
		enum smtp_verb	 verb;
	} v[] = {
		{ "HELO mx.example", CMD_HELO },
		{ "EHLO mx.example", CMD_EHLO },
		{ "MAIL FROM:<a@b>", CMD_MAIL },
		{ "RCPT TO:<a@b>", CMD_RCPT },
		{ "DATA", CMD_DATA },
		{ "BDAT 10", CMD_BDAT },
		{ "RSET", CMD_RSET },
		{ "NOOP", CMD_NOOP },
		{ "QUIT", CMD_QUIT },
		{ "VRFY user", CMD_VRFY },
		{ "HELP", CMD_HELP },
		{ "STARTTLS", CMD_STARTTLS },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p(v[i].line);
		if (cmd.verb != v[i].verb || cmd.error != PARSE_OK)
			printf("#   line \"%s\"\n", v[i].line);
		CHECK(cmd.verb == v[i].verb);
		CHECK(cmd.error == PARSE_OK);
	}
}

static void
case_insensitive(void)
{
	CHECK(p("mail from:<a@b>")->verb == CMD_MAIL);
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.path.local, "a");
	CHECK_STR(cmd.path.domain, "b");
	CHECK(p("MaIl FrOm:<a@b>")->verb == CMD_MAIL);
	CHECK(cmd.error == PARSE_OK);
	CHECK(p("rcpt to:<x@y.example>")->verb == CMD_RCPT);
	CHECK(cmd.error == PARSE_OK);
	CHECK(p("ehlo h")->verb == CMD_EHLO);
	CHECK(p("helo h")->verb == CMD_HELO);
	CHECK(p("data")->verb == CMD_DATA);
	CHECK(p("Quit")->verb == CMD_QUIT);
	CHECK(p("starttls")->verb == CMD_STARTTLS);
	CHECK(p("bdat 1 last")->verb == CMD_BDAT);
	CHECK(cmd.error == PARSE_OK && cmd.chunk == 1 && cmd.last);
	CHECK(p("MAIL FROM:<a@b> size=5 body=8bitmime smtputf8")->error ==
	    PARSE_OK);
	CHECK(cmd.has_size && cmd.size == 5 && cmd.body == BODY_8BITMIME &&
	    cmd.smtputf8);
}

static void
mail_plain(void)
{
	p("MAIL FROM:<user@example.org>");
	CHECK(cmd.verb == CMD_MAIL && cmd.error == PARSE_OK);
	CHECK_STR(cmd.path.local, "user");
	CHECK_STR(cmd.path.domain, "example.org");
	CHECK(!cmd.has_size && cmd.body == BODY_NONE && !cmd.smtputf8);
	CHECK(!cmd.path.is_null);

	p("MAIL FROM:<>");
	CHECK(cmd.error == PARSE_OK && cmd.path.is_null);

	/* one space after the colon is tolerated */
	p("MAIL FROM: <a@b>");
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.path.local, "a");
	p("RCPT TO: <a@b>");
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.path.domain, "b");

	/* trailing spaces are harmless */
	CHECK(p("MAIL FROM:<a@b>  ")->error == PARSE_OK);
	CHECK(p("RCPT TO:<a@b> ")->error == PARSE_OK);

	/* postmaster only for RCPT, null path only for MAIL */
	p("RCPT TO:<Postmaster>");
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.path.local, "Postmaster");
	p("RCPT TO:<>");
	CHECK(cmd.error == PARSE_ERCPT && cmd.addr_error == ADDR_ENULL);
	p("MAIL FROM:<postmaster>");
	CHECK(cmd.error == PARSE_ESENDER && cmd.addr_error != ADDR_OK);
}

static void
mail_size(void)
{
	p("MAIL FROM:<a@b> SIZE=1000");
	CHECK(cmd.error == PARSE_OK && cmd.has_size && cmd.size == 1000);
	p("MAIL FROM:<a@b> SIZE=0");
	CHECK(cmd.error == PARSE_OK && cmd.has_size && cmd.size == 0);
	p("MAIL FROM:<a@b> SIZE=0000000000000000000000000000000000000042");
	CHECK(cmd.error == PARSE_OK && cmd.size == 42);
	/* saturating: a huge SIZE is just too big */
	p("MAIL FROM:<a@b> SIZE=99999999999999999999999999999999");
	CHECK(cmd.error == PARSE_OK && cmd.has_size && cmd.size == SIZE_MAX);
	p("MAIL FROM:<a@b> SIZE=18446744073709551616");
	CHECK(cmd.error == PARSE_OK && cmd.size == SIZE_MAX);
	/* bad values and duplicates */
	CHECK(p("MAIL FROM:<a@b> SIZE=")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE=12k")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE=-1")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE=+1")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE= 1")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE=1 SIZE=1")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SIZE=1 size=2")->error == PARSE_EPARAMVAL);
}

static void
mail_body(void)
{
	p("MAIL FROM:<a@b> BODY=7BIT");
	CHECK(cmd.error == PARSE_OK && cmd.body == BODY_7BIT);
	p("MAIL FROM:<a@b> BODY=8BITMIME");
	CHECK(cmd.error == PARSE_OK && cmd.body == BODY_8BITMIME);
	p("MAIL FROM:<a@b> BODY=BINARYMIME");
	CHECK(cmd.error == PARSE_OK && cmd.body == BODY_BINARYMIME);
	p("MAIL FROM:<a@b> body=binarymime");
	CHECK(cmd.error == PARSE_OK && cmd.body == BODY_BINARYMIME);
	CHECK(p("MAIL FROM:<a@b> BODY=")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> BODY")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> BODY=8BIT")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> BODY=7BITS")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> BODY=7BIT BODY=7BIT")->error ==
	    PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> BODY=7BIT BODY=8BITMIME")->error ==
	    PARSE_EPARAMVAL);
}

static void
mail_smtputf8(void)
{
	p("MAIL FROM:<a@b> SMTPUTF8");
	CHECK(cmd.error == PARSE_OK && cmd.smtputf8);
	p("MAIL FROM:<\xc3\xa9t\xc3\xa9@b\xc3\xbc.example> SMTPUTF8");
	CHECK(cmd.error == PARSE_OK && cmd.smtputf8 && cmd.path.is_utf8);
	/* the parser accepts UTF-8; state decides whether it is allowed */
	p("MAIL FROM:<\xc3\xa9@b>");
	CHECK(cmd.error == PARSE_OK && !cmd.smtputf8 && cmd.path.is_utf8);
	CHECK(p("MAIL FROM:<a@b> SMTPUTF8=yes")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SMTPUTF8=")->error == PARSE_EPARAMVAL);
	CHECK(p("MAIL FROM:<a@b> SMTPUTF8 SMTPUTF8")->error ==
	    PARSE_EPARAMVAL);
	p("MAIL FROM:<a@b>   SIZE=7   BODY=7BIT   SMTPUTF8");
	CHECK(cmd.error == PARSE_OK && cmd.size == 7 &&
	    cmd.body == BODY_7BIT && cmd.smtputf8);
}

static void
unknown_params(void)
{
	/* AUTH= is parsed: the core refuses it where AUTH is not offered */
	CHECK(p("MAIL FROM:<a@b> ENVID=x")->error == PARSE_EPARAM);
	CHECK(p("MAIL FROM:<a@b> RET=HDRS")->error == PARSE_EPARAM);
	CHECK(p("MAIL FROM:<a@b> SIZE=1 FOO")->error == PARSE_EPARAM);
	CHECK(p("MAIL FROM:<a@b> =1")->error == PARSE_EPARAM);
	CHECK(p("MAIL FROM:<a@b> SIZ=1")->error == PARSE_EPARAM);
	CHECK(p("MAIL FROM:<a@b> SIZEE=1")->error == PARSE_EPARAM);
	/* RCPT has no parameters at all here */
	CHECK(p("RCPT TO:<a@b> NOTIFY=NEVER")->error == PARSE_EPARAM);
	CHECK(p("RCPT TO:<a@b> SIZE=1")->error == PARSE_EPARAM);
	CHECK(p("RCPT TO:<a@b> SMTPUTF8")->error == PARSE_EPARAM);
	CHECK(p("RCPT TO:<a@b> X")->error == PARSE_EPARAM);
}

static void
path_syntax(void)
{
	/* missing brackets */
	CHECK(p("MAIL FROM:a@b")->error == PARSE_ESYNTAX);
	CHECK(p("RCPT TO:a@b")->error == PARSE_ESYNTAX);
	CHECK(p("MAIL FROM:")->error == PARSE_ESYNTAX);
	CHECK(p("RCPT TO:")->error == PARSE_ESYNTAX);
	CHECK(p("MAIL FROM: ")->error == PARSE_ESYNTAX);
	/* missing or misspelled FROM:/TO: */
	CHECK(p("MAIL")->error == PARSE_ESYNTAX);
	CHECK(p("MAIL <a@b>")->error == PARSE_ESYNTAX);
	CHECK(p("MAIL FROM<a@b>")->error == PARSE_ESYNTAX);
	CHECK(p("MAIL TO:<a@b>")->error == PARSE_ESYNTAX);
	CHECK(p("RCPT FROM:<a@b>")->error == PARSE_ESYNTAX);
	CHECK(p("MAILFROM:<a@b>")->verb == CMD_UNKNOWN);
	CHECK(p("MAIL FRO")->error == PARSE_ESYNTAX);
	/* junk glued to the path */
	CHECK(p("MAIL FROM:<a@b>SIZE=1")->error == PARSE_ESYNTAX);
	CHECK(p("RCPT TO:<a@b>x")->error == PARSE_ESYNTAX);
	/* bad addresses: the error says which, and why */
	p("MAIL FROM:<a@>");
	CHECK(cmd.error == PARSE_ESENDER && cmd.addr_error == ADDR_ESYNTAX);
	p("MAIL FROM:<@b>");
	CHECK(cmd.error == PARSE_ESENDER && cmd.addr_error != ADDR_OK);
	p("RCPT TO:<a@b..c>");
	CHECK(cmd.error == PARSE_ERCPT && cmd.addr_error == ADDR_ESYNTAX);
	p("RCPT TO:<a b@c>");
	CHECK(cmd.error == PARSE_ERCPT && cmd.addr_error != ADDR_OK);
	p("RCPT TO:<"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@b>");
	CHECK(cmd.error == PARSE_ERCPT && cmd.addr_error == ADDR_ELOCALLEN);
	p("MAIL FROM:<a@b");
	CHECK(cmd.error == PARSE_ESENDER || cmd.error == PARSE_ESYNTAX);
	CHECK(cmd.error != PARSE_OK);
	p("RCPT TO:<\xff@b>");
	CHECK(cmd.error == PARSE_ERCPT && cmd.addr_error != ADDR_OK);
}

static void
control_octets(void)
{
	static const char *lines[] = {
		"MAIL FROM:<a@b>\r",
		"MAIL FROM:<a@b>\n",
		"\rMAIL FROM:<a@b>",
		"MAIL FROM:<a\r@b>",
		"MAIL FROM:<a@b> SIZE=1\x7f",
		"HELO a\tb",
		"HELO\th",
		"NOOP \x1b[31m",
		"HELP \x01",
		"QUIT\x7f",
		"XYZZY\n",
		"DATA\r\nRCPT TO:<x@y>",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		p(lines[i]);
		if (cmd.error != PARSE_ECONTROL)
			printf("#   line %zu\n", i);
		CHECK(cmd.error == PARSE_ECONTROL);
	}
	/* NUL anywhere, counted by length not by C string */
	CHECK(pn("NOOP\0", 5)->error == PARSE_ECONTROL);
	CHECK(pn("\0NOOP", 5)->error == PARSE_ECONTROL);
	CHECK(pn("MAIL FROM:<a\0@b>", 16)->error == PARSE_ECONTROL);
	CHECK(pn("HELO h\0.example", 15)->error == PARSE_ECONTROL);
	CHECK(pn("RCPT TO:<a@b>\0", 14)->error == PARSE_ECONTROL);
	/* 8-bit octets are not control octets */
	CHECK(p("NOOP \x80\xff")->error == PARSE_OK);
}

static void
helo_ehlo(void)
{
	char line[5 + 300];

	p("HELO client.example");
	CHECK(cmd.verb == CMD_HELO && cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "client.example");
	p("EHLO [192.0.2.1]");
	CHECK(cmd.verb == CMD_EHLO && cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "[192.0.2.1]");
	p("EHLO  h.example  ");
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "h.example");
	/* no argument */
	CHECK(p("HELO")->error == PARSE_ESYNTAX);
	CHECK(p("EHLO")->error == PARSE_ESYNTAX);
	CHECK(p("HELO ")->error == PARSE_ESYNTAX);
	CHECK(p("EHLO    ")->error == PARSE_ESYNTAX);
	/* two words */
	CHECK(p("EHLO a b")->error == PARSE_ESYNTAX);
	/* 255 octets fit, 256 do not */
	memcpy(line, "HELO ", 5);
	memset(line + 5, 'h', 255);
	line[5 + 255] = '\0';
	p(line);
	CHECK(cmd.error == PARSE_OK && strlen(cmd.arg) == 255);
	memcpy(line, "EHLO", 4);
	CHECK(p(line)->verb == CMD_EHLO && cmd.error == PARSE_OK);
	memset(line + 5, 'h', 256);
	line[5 + 256] = '\0';
	CHECK(p(line)->verb == CMD_EHLO && cmd.error == PARSE_ESYNTAX);
	memcpy(line, "HELO", 4);
	CHECK(p(line)->verb == CMD_HELO && cmd.error == PARSE_ESYNTAX);
	memset(line + 5, 'h', 299);
	line[5 + 299] = '\0';
	CHECK(p(line)->error == PARSE_ESYNTAX);
}

static void
no_argument_verbs(void)
{
	CHECK(p("DATA")->error == PARSE_OK);
	CHECK(p("DATA ")->error == PARSE_OK);
	CHECK(p("DATA x")->error == PARSE_ESYNTAX);
	CHECK(p("RSET x")->error == PARSE_ESYNTAX);
	CHECK(p("QUIT now")->error == PARSE_ESYNTAX);
	CHECK(p("STARTTLS x")->error == PARSE_ESYNTAX);
	CHECK(p("RSET   ")->error == PARSE_OK);
	/* NOOP and HELP take and ignore an argument */
	CHECK(p("NOOP")->error == PARSE_OK);
	CHECK(p("NOOP anything at all")->error == PARSE_OK);
	CHECK(p("HELP MAIL")->error == PARSE_OK);
	CHECK(cmd.verb == CMD_HELP);
}

static void
vrfy(void)
{
	p("VRFY user");
	CHECK(cmd.verb == CMD_VRFY && cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "user");
	p("VRFY John Smith ");
	CHECK(cmd.error == PARSE_OK);
	CHECK_STR(cmd.arg, "John Smith");
	CHECK(p("VRFY")->error == PARSE_ESYNTAX);
	CHECK(p("VRFY ")->error == PARSE_ESYNTAX);
}

static void
bdat(void)
{
	p("BDAT 100");
	CHECK(cmd.verb == CMD_BDAT && cmd.error == PARSE_OK);
	CHECK(cmd.chunk == 100 && !cmd.last);
	p("BDAT 0 LAST");
	CHECK(cmd.error == PARSE_OK && cmd.chunk == 0 && cmd.last);
	p("BDAT 7 last ");
	CHECK(cmd.error == PARSE_OK && cmd.chunk == 7 && cmd.last);
	p("BDAT 100 ");
	CHECK(cmd.error == PARSE_OK && cmd.chunk == 100 && !cmd.last);
	CHECK(p("BDAT")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT ")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT x")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT -1")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT 1x")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT 1 LAST junk")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT 1 LASTX")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT 1 FIRST")->error == PARSE_ESYNTAX);
	CHECK(p("BDAT LAST")->error == PARSE_ESYNTAX);
	/* a chunk size that cannot be represented is refused */
	CHECK(p("BDAT 99999999999999999999999999999")->error ==
	    PARSE_ESYNTAX);
	CHECK(p("BDAT 1"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000")->error == PARSE_ESYNTAX);
	p("BDAT 4294967296");
	if (SIZE_MAX > 4294967296ULL)
		CHECK(cmd.error == PARSE_OK && cmd.chunk == 4294967296ULL);
	else
		CHECK(cmd.error == PARSE_ESYNTAX);
}

static void
not_implemented(void)
{
	static const char *lines[] = {
		"EXPN list", "TURN", "ETRN example.org", "expn x",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		p(lines[i]);
		CHECK(cmd.verb == CMD_NOTIMPL && cmd.error == PARSE_OK);
	}
}

static void
unknown(void)
{
	CHECK(p("")->verb == CMD_UNKNOWN);
	CHECK(cmd.error == PARSE_OK);
	CHECK(pn("", 0)->verb == CMD_UNKNOWN);
	CHECK(p(" ")->verb == CMD_UNKNOWN);
	CHECK(p(" HELO x")->verb == CMD_UNKNOWN);
	CHECK(p("XYZZY")->verb == CMD_UNKNOWN);
	CHECK(p("HELOO x")->verb == CMD_UNKNOWN);
	CHECK(p("HEL")->verb == CMD_UNKNOWN);
	CHECK(p("GET / HTTP/1.1")->verb == CMD_UNKNOWN);
	CHECK(p("\xc3\xa9\xff")->verb == CMD_UNKNOWN);
	CHECK(cmd.error == PARSE_OK);
	CHECK(p("MAIL:FROM:<a@b>")->verb == CMD_UNKNOWN);
}

/* Every prefix of valid lines parses without reading past its end. */
static void
prefixes(void)
{
	static const char *lines[] = {
		("MAIL FROM:<\"q x\"@[IPv6:2001:db8::1]> SIZE=10 "
		    "BODY=8BITMIME SMTPUTF8"),
		"RCPT TO:<@a.example,@b.example:u@c.example>",
		"BDAT 123 LAST",
		"EHLO client.example",
	};
	size_t i, n;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		for (n = 0; n <= strlen(lines[i]); n++)
			pn(lines[i], n);
		CHECK(cmd.error == PARSE_OK);
	}
}

/* A new parse starts from a clean struct. */
static void
cleared(void)
{
	p("MAIL FROM:<a@b> SIZE=5 BODY=BINARYMIME SMTPUTF8");
	CHECK(cmd.has_size && cmd.smtputf8);
	p("MAIL FROM:<c@d>");
	CHECK(!cmd.has_size && cmd.size == 0 && cmd.body == BODY_NONE &&
	    !cmd.smtputf8);
	p("BDAT 5 LAST");
	p("BDAT 6");
	CHECK(!cmd.last && cmd.chunk == 6);
}

int
main(void)
{
	TEST(every_verb);
	TEST(case_insensitive);
	TEST(mail_plain);
	TEST(mail_size);
	TEST(mail_body);
	TEST(mail_smtputf8);
	TEST(unknown_params);
	TEST(path_syntax);
	TEST(control_octets);
	TEST(helo_ehlo);
	TEST(no_argument_verbs);
	TEST(vrfy);
	TEST(bdat);
	TEST(not_implemented);
	TEST(unknown);
	TEST(prefixes);
	TEST(cleared);
	return UNIT_DONE();
}
