/*
 * test_hdr.c: hdr_safe() (hdr.c) and the trace fields built with it:
 * Received: and Authentication-Results: (received.c), Received-SPF:
 * (spf_header() in spf.c).  A client's HELO or sender must never add a
 * result, a property or a clause, nor put a control or 8-bit octet in.
 */
#include <string.h>

#include "hdr.h"
#include "received.h"
#include "spf.h"
#include "tests/unit.h"

static char out[2048];

static const char *
safe(const char *in, enum hdr_kind kind)
{
	hdr_safe(out, sizeof(out), in, kind);
	return out;
}

static void
kinds(void)
{
	CHECK_STR(safe("mx.example.org", HDR_DOMAIN), "mx.example.org");
	CHECK_STR(safe("x;dkim=pass", HDR_DOMAIN), "");
	CHECK_STR(safe("[192.0.2.1]", HDR_DOMAIN), "");
	CHECK_STR(safe("ex\xc3\xa4mple.org", HDR_DOMAIN), "");
	CHECK_STR(safe("a.example\r\nX: y", HDR_DOMAIN), "");
	CHECK_STR(safe(NULL, HDR_DOMAIN), "");
	CHECK_STR(safe("[192.0.2.1]", HDR_HOST), "[192.0.2.1]");
	CHECK_STR(safe("[IPv6:2001:db8::1]", HDR_HOST), "[IPv6:2001:db8::1]");
	CHECK_STR(safe("[192.0.2.1];a=b", HDR_HOST), "");
	CHECK_STR(safe("u.v+w@pass.example", HDR_MAILBOX),
	    "u.v+w@pass.example");
	CHECK_STR(safe("\"x;dkim=pass\"@pass.example", HDR_MAILBOX),
	    "pass.example");
	CHECK_STR(safe("dkim=pass@pass.example", HDR_MAILBOX), "pass.example");
	CHECK_STR(safe("\xc3\xbc@pass.example", HDR_MAILBOX), "pass.example");
	CHECK_STR(safe("u@b\xc3\xbc.example", HDR_MAILBOX), "");
	CHECK_STR(safe("u..v@pass.example", HDR_MAILBOX), "pass.example");
	CHECK_STR(safe("u@[192.0.2.1]", HDR_MAILBOX), "");
	CHECK_STR(safe("nodomain", HDR_MAILBOX), "");
	CHECK_STR(safe("192.0.2.1", HDR_VALUE), "192.0.2.1");
	CHECK_STR(safe("2001:db8::1", HDR_VALUE), "\"2001:db8::1\"");
	CHECK_STR(safe("a \"b\" \\c", HDR_VALUE), "\"a \\\"b\\\" \\\\c\"");
	CHECK_STR(safe("a\rb", HDR_VALUE), "");
	CHECK_STR(safe("\xc3\xbc", HDR_VALUE), "");
	CHECK_STR(safe("", HDR_VALUE), "");
	CHECK_STR(safe(" a\r\n\tb \x01\xff ", HDR_TEXT), "a b ??");
}

static void
comments(void)
{
	CHECK_STR(safe("TLSv1.3 with cipher X (256 bits)", HDR_COMMENT),
	    "TLSv1.3 with cipher X (256 bits)");
	CHECK_STR(safe("a) (b", HDR_COMMENT), "a? ?b");
	CHECK_STR(safe("((a)", HDR_COMMENT), "?(a)");
	CHECK_STR(safe("(a))(", HDR_COMMENT), "(a)??");
	CHECK_STR(safe("x;dkim=pass\\", HDR_COMMENT), "x?dkim=pass?");
	CHECK_STR(safe("a\r\nb", HDR_COMMENT), "a b");
}

static void
bounds(void)
{
	char small[8];

	/* what must not be cut is left out */
	CHECK(hdr_safe(small, sizeof(small), "a.example", HDR_DOMAIN) == 0);
	CHECK_STR(small, "");
	CHECK(hdr_safe(small, sizeof(small), "a b c d e", HDR_VALUE) == 0);
	CHECK_STR(small, "");
	CHECK(hdr_safe(small, sizeof(small), "u@a.example", HDR_MAILBOX) == 0);
	/* a cut comment is still balanced */
	CHECK(hdr_safe(small, sizeof(small), "ab (cd ef)", HDR_COMMENT) == 6);
	CHECK_STR(small, "ab ?cd");
	CHECK(hdr_safe(small, 0, "x", HDR_TEXT) == 0);
}

static void
received_helo(void)
{
	struct received_info ri = { "x;dkim=pass\xff", "good.example",
	    "192.0.2.5", "mx.test", "ESMTP", "TLSv1.3 with cipher X (256 bits)",
	    "ID", 0, 0, 0 };
	char buf[RECEIVED_MAX];

	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK_STR(buf, "Received: from unknown (helo=x?dkim=pass? good.example "
	    "[192.0.2.5])\r\n\t(using TLSv1.3 with cipher X (256 bits))\r\n"
	    "\tby mx.test (samotop) with ESMTP id ID;\r\n"
	    "\tThu, 01 Jan 1970 00:00:00 +0000\r\n");
	ri.helo = "client.example";
	ri.host = "bad;name";
	ri.tls = "v) (x";
	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK(strncmp(buf, "Received: from client.example ([192.0.2.5])\r\n"
	    "\t(using v? ?x)\r\n", 61) == 0);
	ri.helo = "[192.0.2.5]";
	ri.ip = "";
	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK(strncmp(buf, "Received: from [192.0.2.5] (local pipe)\r\n", 41)
	    == 0);
}

/* leave-no-trace: no client, no HELO, and the time rounded down. */
static void
received_notrace(void)
{
	struct received_info ri = { "helo-secret.example", "rdns.example",
	    "192.0.2.5", "mx.test", "ESMTPS", "TLSv1.3 with cipher X",
	    "ID", 86400 * 3 + 3723, 86400, 0 };
	char buf[RECEIVED_MAX];

	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK_STR(buf, "Received: from unknown (not recorded)\r\n"
	    "\t(using TLSv1.3 with cipher X)\r\n"
	    "\tby mx.test (samotop) with ESMTPS id ID;\r\n"
	    "\tSun, 04 Jan 1970 00:00:00 +0000\r\n");
	ri.notrace = 3600;
	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK(strstr(buf, "\tSun, 04 Jan 1970 01:00:00 +0000\r\n") != NULL);
}

/* received-hide-client: no client, the exact time (no leave-no-trace). */
static void
received_hide_client(void)
{
	struct received_info ri = { "laptop.home.example", "rdns.example",
	    "192.0.2.5", "mx.test", "ESMTPSA", NULL, "ID", 86400 * 3 + 3723,
	    0, 1 };
	char buf[RECEIVED_MAX];

	CHECK(received_header(buf, sizeof(buf), &ri) > 0);
	CHECK_STR(buf, "Received: from unknown (not recorded)\r\n"
	    "\tby mx.test (samotop) with ESMTPSA id ID;\r\n"
	    "\tSun, 04 Jan 1970 01:02:03 +0000\r\n");
}

static void
authres_notrace(void)
{
	struct authres_info ai = { "mx.test", "pass", "192.0.2.5",
	    "rdns.example", "pass", "alice@example.org",
	    "helo-secret.example", NULL, 1, NULL };
	char buf[1024];

	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK_STR(buf, "Authentication-Results: mx.test;\r\n"
	    "\tiprev=pass;\r\n\tspf=pass\r\n\t(plaintext: no TLS)\r\n");
	ai.sender = "";
	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK(strstr(buf, "helo") == NULL);
}

static void
authres(void)
{
	struct authres_info ai = { "mx.test", "pass", "192.0.2.5",
	    "good.example", "none", "", "x;dkim=pass;dmarc=pass", NULL, 0, NULL };
	char buf[1024];

	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK_STR(buf, "Authentication-Results: mx.test;\r\n"
	    "\tiprev=pass policy.iprev=192.0.2.5 (good.example);\r\n"
	    "\tspf=none\r\n\t(plaintext: no TLS)\r\n");
	ai.helo = "helo.example";
	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK(strstr(buf, "\tspf=none smtp.helo=helo.example\r\n") != NULL);
	ai.sender = "\"a;dkim=pass\"@pass.example";
	ai.spf = "pass";
	ai.iprev = NULL;
	ai.tls = "TLSv1.3 (x;y)";
	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK_STR(buf, "Authentication-Results: mx.test;\r\n"
	    "\tspf=pass smtp.mailfrom=pass.example\r\n"
	    "\t(TLS: TLSv1.3 (x?y))\r\n");
	ai.sender = "\xc3\xbc@b\xc3\xbc.example";
	ai.spf = NULL;
	ai.iprev = "fail";
	ai.ip = "2001:db8::1";
	ai.rdns_name = "";
	ai.tls = NULL;
	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK_STR(buf, "Authentication-Results: mx.test;\r\n"
	    "\tiprev=fail policy.iprev=\"2001:db8::1\"\r\n"
	    "\t(plaintext: no TLS)\r\n");
	CHECK(authres_header(buf, 20, &ai) == 0);
	/* the results of the checks after the data: their clauses follow */
	ai.iprev = NULL;
	ai.more = ";\r\n\tdkim=none;\r\n\tdmarc=none";
	CHECK(authres_header(buf, sizeof(buf), &ai) > 0);
	CHECK_STR(buf, "Authentication-Results: mx.test;\r\n"
	    "\tdkim=none;\r\n\tdmarc=none\r\n\t(plaintext: no TLS)\r\n");
}

static void
received_spf(void)
{
	struct spf_fields f = { SPFR_PASS, "mx.test: domain of pass.example "
	    "designates 192.0.2.5 as permitted sender", "192.0.2.5",
	    "u@pass.example", "helo.example", NULL };
	char buf[SPF_HEADER_MAX];

	CHECK(spf_header(buf, sizeof(buf), &f) > 0);
	CHECK_STR(buf, "Received-SPF: pass (mx.test: domain of pass.example "
	    "designates 192.0.2.5 as\r\n\tpermitted sender) client-ip=192.0.2.5;"
	    " envelope-from=u@pass.example;\r\n\thelo=helo.example;\r\n");
	f.from = "\"x;dkim=pass\"@pass.example";
	f.helo = "x;dkim=pass;dmarc=pass";
	f.comment = "a) b; (c";
	f.identity = "mailfrom";
	CHECK(spf_header(buf, sizeof(buf), &f) > 0);
	CHECK_STR(buf, "Received-SPF: pass (a? b? ?c) client-ip=192.0.2.5;"
	    " envelope-from=pass.example;\r\n\tidentity=mailfrom;\r\n");
}

int
main(void)
{
	TEST(kinds);
	TEST(comments);
	TEST(bounds);
	TEST(received_helo);
	TEST(authres);
	TEST(received_notrace);
	TEST(received_hide_client);
	TEST(authres_notrace);
	TEST(received_spf);
	return UNIT_DONE();
}
