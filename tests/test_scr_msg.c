/*
 * test_scr_msg.c: what the screener shows of a held message (scr_msg.c):
 * From:, display name, subject, first text, evidence, all printable.
 */
#include <stdio.h>
#include <string.h>

#include "scr_msg.h"
#include "unit.h"

static struct scr_msg m;

static void
msg(const char *text)
{
	scr_msg_read(text, strlen(text), "mx.test", &m);
}

/* Whether s is printable as scr_msg.h promises (ASCII part). */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void
screened_message(void)
{
	msg("Return-Path: <a@b.example>\n"
	    "Delivered-To: <bob+Screener@example.org>\n"
	    "X-Samotop-Screener: held (new sender)\n"
	    "Received: from mail.example.net\n"
	    "Authentication-Results: mx.test;\n"
	    "\tiprev=pass policy.iprev=192.0.2.1 (mail.example.net);\n"
	    "\tspf=pass smtp.mailfrom=alice@example.net;\n"
	    "\tdkim=pass header.d=example.net;\n"
	    "\tdmarc=pass header.from=example.net\n"
	    "\t(TLS: TLSv1.3 TLS_AES_256_GCM_SHA384)\n"
	    "From: Alice Example <Alice@Example.NET>\n"
	    "Subject: Lunch\n"
	    " on Friday?\n"
	    "\n"
	    "Hi Bob,\n\nshall we?\n");
	CHECK_STR(m.from, "alice@example.net");
	CHECK_STR(m.display, "Alice Example");
	CHECK_STR(m.subject, "Lunch on Friday?");
	CHECK_STR(m.snippet, "Hi Bob, shall we?");
	CHECK_STR(m.evidence, "iprev=pass spf=pass dkim=pass dmarc=pass; "
	    "TLS: TLSv1.3 TLS_AES_256_GCM_SHA384");
	CHECK(m.screened);
	CHECK_STR(m.screener, "held (new sender)");
}

/* Only our own, topmost Authentication-Results: counts. */
static void
evidence_ours(void)
{
	msg("Authentication-Results: other.example; dkim=pass\n"
	    "Authentication-Results: MX.TEST; spf=fail smtp.mailfrom=a@b\r\n"
	    "\t(plaintext: no TLS)\r\n"
	    "Authentication-Results: mx.test; spf=pass\n"
	    "From: a@b.example\n\nx\n");
	CHECK_STR(m.evidence, "spf=fail; plaintext: no TLS");
	CHECK(!m.screened);
	msg("Authentication-Results: mx.test; none\n\t(plaintext: no TLS)\n"
	    "\n");
	CHECK_STR(m.evidence, "none; plaintext: no TLS");
	msg("Authentication-Results: mx.testing; spf=pass\n\n");
	CHECK_STR(m.evidence, "none");
	msg("From: a@b.example\n\nx\n");
	CHECK_STR(m.evidence, "none");
	/* a comment that says TLS inside a result is not the closing one */
	msg("Authentication-Results: mx.test; spf=pass (TLS: fake);\n"
	    "\tdkim=fail \"a;b\" (x;y)\n\t(plaintext: no TLS)\n\n");
	CHECK_STR(m.evidence, "spf=pass dkim=fail; plaintext: no TLS");
}

static void
from_forms(void)
{
	msg("From: bob@example.org (Bob Smith)\n\n");
	CHECK_STR(m.from, "bob@example.org");
	CHECK_STR(m.display, "Bob Smith");
	msg("From: \"Smith, Bob \\\"B\\\"\" <BOB@example.org>, c@d.example\n"
	    "\n");
	CHECK_STR(m.from, "bob@example.org");
	CHECK_STR(m.display, "Smith, Bob \"B\"");
	msg("From: <@relay.example:bob@example.org>\n\n");
	CHECK_STR(m.from, "bob@example.org");
	CHECK_STR(m.display, "");
	msg("FROM:   bob@example.org\n\n");
	CHECK_STR(m.from, "bob@example.org");
	/* the first From: field */
	msg("From: a@example.org\nFrom: b@example.org\n\n");
	CHECK_STR(m.from, "a@example.org");
	/* no address: nothing */
	msg("From: undisclosed-recipients:;\n\n");
	CHECK_STR(m.from, "");
	msg("From: Bob <bob>\n\n");
	CHECK_STR(m.from, "");
	msg("From: <bob@@example.org>\n\n");
	CHECK_STR(m.from, "");
	/* only an address that prints as it is */
	msg("From: <\"a  b\"@example.org>\n\n");
	CHECK_STR(m.from, "");
	msg("From: <\"a b\"@example.org>\n\n");
	CHECK_STR(m.from, "\"a b\"@example.org");
	msg("Subject: no from\n\n");
	CHECK_STR(m.from, "");
	/* the header ends at the empty line */
	msg("Subject: s\n\nFrom: a@example.org\n");
	CHECK_STR(m.from, "");
}

static void
encoded_words(void)
{
	msg("From: =?UTF-8?Q?Al=C3=AFce?= =?utf-8?q?_Ex?= <a@example.org>\n"
	    "Subject: =?utf-8?B?SGVsbG8=?= =?utf-8?Q?_w=C3=B6rld?= again\n"
	    "\n");
	CHECK_STR(m.display, "Al\xc3\xaf" "ce Ex");
	CHECK_STR(m.subject, "Hello w\xc3\xb6rld again");
	msg("Subject: =?iso-8859-1?q?caf=E9?=\n\n");
	CHECK_STR(m.subject, "caf\xc3\xa9" "");
	/* not encoded-words: as they are */
	msg("Subject: =?utf-8?x?abc?= and =?broken\n\n");
	CHECK_STR(m.subject, "=?utf-8?x?abc?= and =?broken");
	msg("Subject: a =?utf-8?q?b c?=\n\n");
	CHECK_STR(m.subject, "a =?utf-8?q?b c?=");
}

/* Controls, bidi overrides and invalid UTF-8 become '?'; runs of
 * white space one space. */
static void
made_printable(void)
{
	char out[64];

	CHECK(scr_printable(out, sizeof(out), "a\tb\r\n  c", 8) == 5);
	CHECK_STR(out, "a b c");
	scr_printable(out, sizeof(out), "x\x1b[31my\x7f", 8);
	CHECK_STR(out, "x?[31my?");
	scr_printable(out, sizeof(out), "\xe2\x80\xae" "evil\xff\xc3", 9);
	CHECK_STR(out, "?evil??");
	scr_printable(out, sizeof(out), "\xc2\x85\xc2\x9b" "a", 5);
	CHECK_STR(out, "?a");
	/* overlong and surrogate forms */
	scr_printable(out, sizeof(out), "\xc0\xaf\xed\xa0\x80", 5);
	CHECK_STR(out, "?????");
	/* cut at a character, never inside one */
	scr_printable(out, 6, "abcd\xc3\xa9", 6);
	CHECK_STR(out, "abcd");
	scr_printable(out, 1, "abc", 3);
	CHECK_STR(out, "");
	msg("Subject: =?utf-8?q?a=1B=00b=0D=0Ac?=\n\n");
	CHECK_STR(m.subject, "a??b c");
	CHECK(printable(m.subject));
}

static void
snippet_mime(void)
{
	msg("From: a@example.org\n"
	    "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
	    "preamble\n"
	    "--outer\n"
	    "Content-Type: multipart/alternative; boundary=inner\n\n"
	    "--inner\n"
	    "Content-Type: text/html\n\n"
	    "<p>html</p>\n"
	    "--inner\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "SGVsbG8sCndvcmxkIQ==\n"
	    "--inner--\n"
	    "--outer\n"
	    "Content-Type: application/pdf\n\n"
	    "%PDF\n"
	    "--outer--\n");
	CHECK_STR(m.snippet, "Hello, world!");
	/* html alone: its text, without head, style and tags */
	msg("Content-Type: text/html; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "<html><head><title>T</title><style>p{color:red}</style></head>"
	    "<body><p>Caf=E9 &amp; =\n"
	    "cr&egrave;me</p><script>x()</script></body></html>\n");
	CHECK_STR(m.snippet, "Caf\xc3\xa9" " & cr&egrave;me");
	/* a message cut short: its last, unclosed part */
	msg("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: image/png\n\nxx\n--b\n\nplain text");
	CHECK_STR(m.snippet, "plain text");
	/* no boundary, no text */
	msg("Content-Type: multipart/mixed\n\n--b\n\nx\n");
	CHECK_STR(m.snippet, "");
	msg("Content-Type: image/png\n\nxx\n");
	CHECK_STR(m.snippet, "");
	/* CRLF, and the snippet fits its field */
	{
		static char big[20000];
		size_t i;

		strcpy(big, "Subject: s\r\n\r\n");
		for (i = strlen(big); i < sizeof(big) - 1; i++)
			big[i] = i % 7 == 0 ? '\n' : 'a' + i % 26;
		big[i] = '\0';
		msg(big);
		CHECK(strlen(m.snippet) < sizeof(m.snippet));
		CHECK(strlen(m.snippet) > 400);
		CHECK(printable(m.snippet));
	}
}

/* Long and odd headers: bounded, never read past the buffer. */
static void
odd_headers(void)
{
	static char big[SCR_FIELD_MAX * 3];
	size_t n;

	n = (size_t)snprintf(big, sizeof(big), "Subject: ");
	memset(big + n, 'x', sizeof(big) - n - 1);
	big[sizeof(big) - 1] = '\0';
	msg(big);
	CHECK(strlen(m.subject) == sizeof(m.subject) - 1);
	msg("From a@b Mon Dec  1 00:00:00 2025\nno colon here\n"
	    "From: a@example.org\n\n");
	CHECK_STR(m.from, "a@example.org");
	scr_msg_read("From: a@example.org", 8, "mx.test", &m);
	CHECK_STR(m.from, "");
	scr_msg_read("", 0, "mx.test", &m);
	CHECK_STR(m.from, "");
	CHECK_STR(m.evidence, "none");
}

int
main(void)
{
	TEST(screened_message);
	TEST(evidence_ours);
	TEST(from_forms);
	TEST(encoded_words);
	TEST(made_printable);
	TEST(snippet_mime);
	TEST(odd_headers);
	return UNIT_DONE();
}
