/*
 * test_milter.c: the milter codec (milter.c): every packet of the MTA's
 * to its exact octets, every reply of a filter's parsed, fed whole and
 * octet by octet, and the malformed ones refused with their reason.
 */
#include <stdint.h>

#include "unit.h"
#include "milter.h"

static char buf[70000];

/* The packet len octets long in buf is exactly want[0..wlen). */
static int
same(size_t len, const char *want, size_t wlen)
{
	size_t i;

	if (len != wlen) {
		printf("#   length %zu, want %zu\n", len, wlen);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (buf[i] != want[i]) {
			printf("#   octet %zu: 0x%02x, want 0x%02x\n", i,
			    (unsigned char)buf[i], (unsigned char)want[i]);
			return 0;
		}
	return 1;
}

#define SAME(len, lit) CHECK(same((len), (lit), sizeof(lit) - 1))

static void
enc_optneg(void)
{
	SAME(milter_enc_optneg(buf, sizeof(buf), 6, MILTER_ACTIONS_ALL,
	    MILTER_PROTOCOL_ALL),
	    "\0\0\0\x0dO\0\0\0\x06\0\0\x01\xff\0\x1f\xff\xff");
	/* too small a buffer: nothing */
	CHECK(milter_enc_optneg(buf, 16, 6, 0, 0) == 0);
	CHECK(milter_enc_optneg(buf, 17, 6, 0, 0) == 17);
}

static void
enc_macro(void)
{
	const char *nv[] = { "j", "mx.example", "{client_addr}", "192.0.2.1" };

	SAME(milter_enc_macro(buf, sizeof(buf), SMFIC_CONNECT, nv, 2),
	    "\0\0\0\x27" "DC" "j\0mx.example\0{client_addr}\0" "192.0.2.1\0");
	SAME(milter_enc_macro(buf, sizeof(buf), SMFIC_EOH, nv, 0),
	    "\0\0\0\x02" "DN");
}

static void
enc_connect(void)
{
	SAME(milter_enc_connect(buf, sizeof(buf), "client.example",
	    SMFIA_INET, 25000, "192.0.2.1"),
	    "\0\0\0\x1d" "Cclient.example\0" "4\x61\xa8" "192.0.2.1\0");
	SAME(milter_enc_connect(buf, sizeof(buf), "[2001:db8::1]",
	    SMFIA_INET6, 1, "2001:db8::1"),
	    "\0\0\0\x1e" "C[2001:db8::1]\0" "6\0\x01" "2001:db8::1\0");
	SAME(milter_enc_connect(buf, sizeof(buf), "localhost", SMFIA_UNIX,
	    0, "/run/s"),
	    "\0\0\0\x15" "Clocalhost\0" "L\0\0" "/run/s\0");
	/* an unknown family carries neither port nor address */
	SAME(milter_enc_connect(buf, sizeof(buf), "x", SMFIA_UNKNOWN, 9,
	    "ignored"), "\0\0\0\x04" "Cx\0U");
	CHECK(milter_enc_connect(buf, sizeof(buf), "x", 'Z', 0, "a") == 0);
	CHECK(milter_enc_connect(buf, sizeof(buf), "x", '4', 65536, "a")
	    == 0);
}

static void
enc_envelope(void)
{
	const char *args[] = { "SIZE=1000", "BODY=8BITMIME" };

	SAME(milter_enc_helo(buf, sizeof(buf), "client.example"),
	    "\0\0\0\x10" "Hclient.example\0");
	SAME(milter_enc_mail(buf, sizeof(buf), "a@b.example", args, 2),
	    "\0\0\0\x27" "M<a@b.example>\0SIZE=1000\0BODY=8BITMIME\0");
	SAME(milter_enc_mail(buf, sizeof(buf), "", NULL, 0),
	    "\0\0\0\x04" "M<>\0");
	SAME(milter_enc_unknown(buf, sizeof(buf), "XYZZY 1"),
	    "\0\0\0\x09" "UXYZZY 1\0");
	SAME(milter_enc_rcpt(buf, sizeof(buf), "u@example.org", NULL, 0),
	    "\0\0\0\x11" "R<u@example.org>\0");
	/* the envelope does not fit by one octet */
	CHECK(milter_enc_rcpt(buf, 20, "u@example.org", NULL, 0) == 0);
	CHECK(milter_enc_rcpt(buf, 21, "u@example.org", NULL, 0) == 21);
}

static void
enc_content(void)
{
	static char big[MILTER_CHUNK_MAX + 1];
	size_t n;

	SAME(milter_enc_header(buf, sizeof(buf), "Subject", "hi there"),
	    "\0\0\0\x12" "LSubject\0hi there\0");
	SAME(milter_enc_header(buf, sizeof(buf), "X", "a\n\tb"),
	    "\0\0\0\x08" "LX\0a\n\tb\0");
	SAME(milter_enc_body(buf, sizeof(buf), "line\r\n", 6),
	    "\0\0\0\x07" "Bline\r\n");
	memset(big, 'x', sizeof(big));
	n = milter_enc_body(buf, sizeof(buf), big, MILTER_CHUNK_MAX);
	CHECK(n == 5 + MILTER_CHUNK_MAX);
	CHECK(memcmp(buf, "\0\x01\0\0" "B", 5) == 0);
	CHECK(milter_enc_body(buf, sizeof(buf), big, sizeof(big)) == 0);
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_DATA), "\0\0\0\x01T");
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_EOH), "\0\0\0\x01N");
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_BODYEOB),
	    "\0\0\0\x01" "E");
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_ABORT), "\0\0\0\x01" "A");
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_QUIT), "\0\0\0\x01Q");
	SAME(milter_enc_empty(buf, sizeof(buf), SMFIC_QUIT_NC),
	    "\0\0\0\x01K");
	CHECK(milter_enc_empty(buf, sizeof(buf), SMFIC_HELO) == 0);
	CHECK(milter_enc_empty(buf, 4, SMFIC_QUIT) == 0);
}

static struct milter_parser P;
static struct milter_reply R;
static char line[1024];

/*
 * Parse pkt[0..len) whole, then again octet by octet: the status of
 * both, the reply of the whole one in R and its text in line.
 */
static enum milter_status
parse(const char *pkt, size_t len)
{
	enum milter_status st, st1 = MILTER_MORE;
	struct milter_reply r1;
	size_t used, i, u;

	milter_parser_init(&P);
	for (i = 0; i < len && st1 == MILTER_MORE; i++) {
		st1 = milter_parse(&P, pkt + i, 1, &u, &r1);
		CHECK(u == 1);
	}
	if (st1 == MILTER_PACKET)
		CHECK(i == len);
	milter_parser_init(&P);
	st = milter_parse(&P, pkt, len, &used, &R);
	CHECK(st == st1);
	line[0] = '\0';
	if (st == MILTER_PACKET) {
		CHECK(used == len);
		milter_reply_text(&R, line, sizeof(line));
	}
	return st;
}

#define PARSE(lit) parse((lit), sizeof(lit) - 1)

/* The packet of command and data d[0..len), its length put before it. */
static enum milter_status
parse_data(const char *d, size_t len)
{
	static char pkt[4 + MILTER_PACKET_MAX];

	pkt[0] = (char)(len >> 24);
	pkt[1] = (char)(len >> 16);
	pkt[2] = (char)(len >> 8);
	pkt[3] = (char)len;
	memcpy(pkt + 4, d, len);
	return parse(pkt, 4 + len);
}

#define PARSED(lit) parse_data((lit), sizeof(lit) - 1)

static void
parse_decisions(void)
{
	static const struct { const char *pkt, *text; } t[] = {
		{ "\0\0\0\x01" "c", "continue" },
		{ "\0\0\0\x01" "a", "accept" },
		{ "\0\0\0\x01" "r", "reject" },
		{ "\0\0\0\x01" "t", "tempfail" },
		{ "\0\0\0\x01" "d", "discard" },
		{ "\0\0\0\x01" "p", "progress" },
		{ "\0\0\0\x01" "s", "skip" },
		{ "\0\0\0\x01" "f", "connfail" },
		{ "\0\0\0\x01" "4", "shutdown" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(parse(t[i].pkt, 5) == MILTER_PACKET);
		CHECK(R.cmd == t[i].pkt[4]);
		CHECK_STR(line, t[i].text);
	}
	CHECK(milter_final(&R));
	CHECK(PARSED("p") == MILTER_PACKET && !milter_final(&R));
}

static void
parse_replycode(void)
{
	CHECK(PARSED("y554 5.7.1 Go away, 100%%\0") ==
	    MILTER_PACKET);
	CHECK(R.cmd == SMFIR_REPLYCODE && R.code == 554);
	CHECK_STR(R.text, "554 5.7.1 Go away, 100%");
	CHECK_STR(line, "replycode 554 5.7.1 Go away, 100%");
	CHECK(milter_final(&R));
	/* a lone % is dropped, as Postfix does */
	CHECK(PARSED("y451 a%b c\0") == MILTER_PACKET);
	CHECK_STR(R.text, "451 ab c");
	/* no text, no enhanced code */
	CHECK(PARSED("y421\0") == MILTER_PACKET && R.code == 421);
	CHECK(PARSED("y450 busy\0") == MILTER_PACKET);
	/* multi-line, as smfi_setmlreply() sends it */
	CHECK(PARSED("y550-5.7.1 first\r\n550-5.7.1 second\r\n"
	    "550 last\0") == MILTER_PACKET);
	CHECK(R.code == 550);
	CHECK_STR(line, "replycode 550-5.7.1 first\\r\\n550-5.7.1 "
	    "second\\r\\n550 last");
}

static void
parse_replycode_bad(void)
{
	/* 2xx, 3xx, not digits, short */
	CHECK(PARSED("y250 fine\0") == MILTER_BAD);
	CHECK_STR(P.error, "REPLYCODE is not a 4xx or 5xx SMTP reply");
	CHECK(PARSED("y354 more\0") == MILTER_BAD);
	CHECK(PARSED("y5x4 nope\0") == MILTER_BAD);
	CHECK(PARSED("y55\0") == MILTER_BAD);
	CHECK(PARSED("y\0") == MILTER_BAD);
	/* no space after the code; enhanced code of another class */
	CHECK(PARSED("y554text\0") == MILTER_BAD);
	CHECK(PARSED("y554 4.7.1 x\0") == MILTER_BAD);
	CHECK(PARSED("y451 5.7.1\0") == MILTER_BAD);
	CHECK(PARSED("y550-5.1.1 a\r\n550 4.1.1 b\0") == MILTER_BAD);
	/* text that only starts with a digit is text */
	CHECK(PARSED("y554 5.7 xyz\0") == MILTER_PACKET);
	CHECK(PARSED("y451 4 times\0") == MILTER_PACKET);
	CHECK(PARSED("y554 5.7.1x y\0") == MILTER_PACKET);
	/* lines: a code that changes, a last line with '-', a bare LF */
	CHECK(PARSED("y550-a\r\n551 b\0") == MILTER_BAD);
	CHECK(PARSED("y550-a\r\n550-b\0") == MILTER_BAD);
	CHECK(PARSED("y550-a\n550 b\0") == MILTER_BAD);
	CHECK(PARSED("y550 a\r\n550 b\0") == MILTER_BAD);
	/* no NUL; octets after it */
	CHECK(PARSED("y554 no nul") == MILTER_BAD);
	CHECK_STR(P.error, "REPLYCODE without its NUL");
	CHECK(PARSED("y554 x\0junk") == MILTER_BAD);
	CHECK_STR(P.error, "data after the last field of a reply");
}

static void
parse_headers(void)
{
	CHECK(PARSED("hX-Spam\0yes 5\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_ADDHEADER);
	CHECK_STR(R.name, "X-Spam");
	CHECK_STR(R.value, "yes 5");
	CHECK_STR(line, "addheader X-Spam:yes 5");
	CHECK(!milter_final(&R));
	CHECK(PARSED("i\0\0\0\x01X-A\0b\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_INSHEADER && R.index == 1);
	CHECK_STR(line, "insheader 1 X-A:b");
	CHECK(PARSED("m\0\0\x01\x02Subject\0\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_CHGHEADER && R.index == 258);
	CHECK_STR(R.value, "");	/* delete */
	CHECK_STR(line, "chgheader 258 Subject:");
	/* malformed: no index, no NULs, an empty name, extra octets */
	CHECK(PARSED("m\0\0") == MILTER_BAD);
	CHECK_STR(P.error, "header change without its index");
	CHECK(PARSED("hX-A\0b") == MILTER_BAD);
	CHECK_STR(P.error, "header change without its NULs");
	CHECK(PARSED("hX-A") == MILTER_BAD);
	CHECK(PARSED("h\0v\0") == MILTER_BAD);
	CHECK(PARSED("h\0v\0") == MILTER_BAD);
	CHECK_STR(P.error, "header change with an empty name");
	CHECK(PARSED("hA\0b\0c") == MILTER_BAD);
}

static void
parse_envelope(void)
{
	CHECK(PARSED("+<x@example.org>\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_ADDRCPT);
	CHECK_STR(R.addr, "<x@example.org>");
	CHECK_STR(R.args, "");
	CHECK_STR(line, "addrcpt <x@example.org>");
	CHECK(PARSED("-<y@z>\0") == MILTER_PACKET);
	CHECK_STR(line, "delrcpt <y@z>");
	CHECK(PARSED("2<y@z>\0NOTIFY=NEVER\0") == MILTER_PACKET);
	CHECK_STR(R.args, "NOTIFY=NEVER");
	CHECK_STR(line, "addrcpt_par <y@z> NOTIFY=NEVER");
	CHECK(PARSED("2<y@z>\0") == MILTER_PACKET);
	CHECK_STR(R.args, "");
	CHECK(PARSED("e<>\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_CHGFROM);
	CHECK_STR(line, "chgfrom <>");
	CHECK(PARSED("e<a@b>\0SIZE=9\0") == MILTER_PACKET);
	CHECK_STR(line, "chgfrom <a@b> SIZE=9");
	CHECK(PARSED("+<y@z>") == MILTER_BAD);
	CHECK_STR(P.error, "recipient without its NUL");
	CHECK(PARSED("-") == MILTER_BAD);
	CHECK(PARSED("e<a@b>\0S") == MILTER_BAD);
	CHECK_STR(P.error, "ESMTP arguments without their NUL");
}

static void
parse_body_quarantine(void)
{
	CHECK(PARSED("bnew\r\nbody") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_REPLBODY && R.bodylen == 9);
	CHECK(memcmp(R.body, "new\r\nbody", 9) == 0);
	CHECK_STR(line, "replbody 9 new\\r\\nbody");
	/* the body may hold any octet, NULs too */
	CHECK(PARSED("b\0\xff\\") == MILTER_PACKET);
	CHECK(R.bodylen == 3);
	CHECK_STR(line, "replbody 3 \\x00\\xff\\\\");
	CHECK(PARSED("b") == MILTER_PACKET && R.bodylen == 0);
	CHECK(PARSED("qheld, spam\0") == MILTER_PACKET);
	CHECK(R.cmd == SMFIR_QUARANTINE);
	CHECK_STR(R.text, "held, spam");
	CHECK_STR(line, "quarantine held, spam");
	CHECK(PARSED("qheld") == MILTER_BAD);
}

static void
parse_optneg(void)
{
	struct milter_neg n;
	const char *err = NULL;

	CHECK(PARSED("O\0\0\0\x06\0\0\0\x21\0\0\x10\x81") ==
	    MILTER_PACKET);
	CHECK(R.cmd == SMFIC_OPTNEG && R.version == 6 && R.actions == 0x21);
	CHECK(R.protocol == (SMFIP_NOCONNECT | SMFIP_NR_HDR | SMFIP_NR_CONN));
	CHECK(R.macros[SMFIM_ENVFROM] == NULL);
	CHECK_STR(line, "optneg version 6 actions 0x21 protocol 0x1081");
	CHECK(milter_negotiate(&R, MILTER_ACTIONS_ALL, MILTER_PROTOCOL_ALL,
	    &n, &err) == 0);
	CHECK(!milter_sends(&n, SMFIC_CONNECT) && milter_sends(&n, SMFIC_HELO));
	CHECK(milter_sends(&n, SMFIC_HEADER) && !milter_replies(&n,
	    SMFIC_HEADER));
	CHECK(milter_replies(&n, SMFIC_HELO) && milter_replies(&n,
	    SMFIC_BODYEOB) && milter_sends(&n, SMFIC_BODYEOB));
	CHECK(!milter_replies(&n, SMFIC_MACRO) && !milter_replies(&n,
	    SMFIC_QUIT) && !milter_replies(&n, SMFIC_ABORT));
	/* with macro lists for two stages, and one unknown stage ignored */
	CHECK(PARSED("O\0\0\0\x06\0\0\x01\0\0\0\0\0"
	    "\0\0\0\x02{auth_authen} i\0"
	    "\0\0\0\x05j\0" "\0\0\0\x09x\0") == MILTER_PACKET);
	CHECK_STR(R.macros[SMFIM_ENVFROM], "{auth_authen} i");
	CHECK_STR(R.macros[SMFIM_EOM], "j");
	CHECK_STR(line, "optneg version 6 actions 0x100 protocol 0x0 "
	    "macros 2 {auth_authen} i macros 5 j");
	/* cut short */
	CHECK(PARSED("O\0\0\0\x06\0\0\0\0\0\0\0") == MILTER_BAD);
	CHECK_STR(P.error, "OPTNEG shorter than 12 octets");
	CHECK(PARSED("O\0\0\0\x06\0\0\0\0\0\0\0\0\0\0\0\x02x")
	    == MILTER_BAD);
	CHECK_STR(P.error, "OPTNEG macro list cut short");
}

static void
negotiation(void)
{
	struct milter_neg n;
	const char *err = NULL;

	/* version 2: no DATA, no UNKNOWN */
	CHECK(PARSED("O\0\0\0\x02\0\0\0\x01\0\0\0\0") ==
	    MILTER_PACKET);
	CHECK(milter_negotiate(&R, MILTER_ACTIONS_ALL, MILTER_PROTOCOL_ALL,
	    &n, &err) == 0);
	CHECK(!milter_sends(&n, SMFIC_DATA) && !milter_sends(&n,
	    SMFIC_UNKNOWN) && milter_sends(&n, SMFIC_RCPT));
	/* actions not offered; versions out of range; not OPTNEG */
	CHECK(PARSED("O\0\0\0\x06\0\0\0\x03\0\0\0\0") ==
	    MILTER_PACKET);
	CHECK(milter_negotiate(&R, SMFIF_ADDHDRS, 0, &n, &err) == -1);
	CHECK_STR(err, "the filter wants actions that were not offered");
	CHECK(PARSED("O\0\0\0\x07\0\0\0\0\0\0\0\0") ==
	    MILTER_PACKET);
	CHECK(milter_negotiate(&R, 0, 0, &n, &err) == -1);
	CHECK(PARSED("O\0\0\0\x01\0\0\0\0\0\0\0\0") ==
	    MILTER_PACKET);
	CHECK(milter_negotiate(&R, 0, 0, &n, &err) == -1);
	CHECK(PARSED("c") == MILTER_PACKET);
	CHECK(milter_negotiate(&R, 0, 0, &n, &err) == -1);
	CHECK_STR(err, "the filter did not answer OPTNEG with OPTNEG");
	/* version 3: UNKNOWN but not yet DATA */
	CHECK(PARSED("O\0\0\0\x03\0\0\0\0\0\0\0\0") == MILTER_PACKET);
	CHECK(milter_negotiate(&R, 0, 0, &n, &err) == 0);
	CHECK(!milter_sends(&n, SMFIC_DATA) && milter_sends(&n,
	    SMFIC_UNKNOWN));
}

static void
reply_text(void)
{
	char small[8], t[16];

	/* cut to the buffer, always terminated */
	CHECK(PARSED("qa long reason\0") == MILTER_PACKET);
	milter_reply_text(&R, small, sizeof(small));
	CHECK_STR(small, "quarant");
	milter_reply_text(&R, small, 1);
	CHECK_STR(small, "");
	/* octets outside printable ASCII escaped, never cut in half */
	CHECK(PARSED("hX\0\x1b[0m\xc3\xa4\0") == MILTER_PACKET);
	CHECK_STR(line, "addheader X:\\x1b[0m\\xc3\\xa4");
	milter_reply_text(&R, small, sizeof(small));
	CHECK_STR(small, "addhead");
	CHECK(PARSED("b\r\n") == MILTER_PACKET);
	milter_reply_text(&R, small, sizeof(small));
	CHECK_STR(small, "replbod");
	CHECK(PARSED("bx\r") == MILTER_PACKET);
	/* "replbody 2 x\\r": 14 octets and the NUL */
	milter_reply_text(&R, t, 15);
	CHECK_STR(t, "replbody 2 x\\r");
	milter_reply_text(&R, t, 14);
	CHECK_STR(t, "replbody 2 x");
	milter_reply_text(&R, t, 13);
	CHECK_STR(t, "replbody 2 x");
}

static void
allowed(void)
{
	struct milter_neg n = { 6, SMFIF_ADDHDRS | SMFIF_CHGBODY, 0, 0 };

	CHECK(PARSED("hA\0b\0") == MILTER_PACKET);
	CHECK(milter_allowed(&n, SMFIC_BODYEOB, &R) == NULL);
	CHECK_STR(milter_allowed(&n, SMFIC_EOH, &R),
	    "a modification before the end of the message");
	CHECK(PARSED("+<y@z>\0") == MILTER_PACKET);
	CHECK_STR(milter_allowed(&n, SMFIC_BODYEOB, &R),
	    "a modification that was not negotiated");
	CHECK(PARSED("s") == MILTER_PACKET);
	CHECK_STR(milter_allowed(&n, SMFIC_BODY, &R), "SKIP not offered");
	n.offered = SMFIP_SKIP;
	CHECK(milter_allowed(&n, SMFIC_BODY, &R) == NULL);
	CHECK(milter_allowed(&n, SMFIC_RCPT, &R) != NULL);
	CHECK(PARSED("d") == MILTER_PACKET);
	CHECK(milter_allowed(&n, SMFIC_HELO, &R) != NULL);
	CHECK(milter_allowed(&n, SMFIC_RCPT, &R) == NULL);
	CHECK(PARSED("c") == MILTER_PACKET);
	CHECK(milter_allowed(&n, SMFIC_CONNECT, &R) == NULL);
	/* SETSYMLIST belongs to the negotiation (libmilter puts it in OPTNEG) */
	CHECK(PARSED("l\0\0\0\x03{x}\0") == MILTER_PACKET);
	CHECK(R.stage == SMFIM_ENVRCPT);
	CHECK_STR(line, "setsymlist 3 {x}");
	CHECK(milter_allowed(&n, SMFIC_BODYEOB, &R) != NULL);
	CHECK(PARSED("l\0\0\0\x07{x}\0") == MILTER_BAD);
	/* the header value as HEADER carries it */
	CHECK_STR(milter_header_value(&n, " a b"), "a b");
	CHECK_STR(milter_header_value(&n, "\ta"), "\ta");
	n.protocol = SMFIP_HDR_LEADSPC;
	CHECK_STR(milter_header_value(&n, " a b"), " a b");
}

static void
framing(void)
{
	static char big[4 + MILTER_PACKET_MAX];
	enum milter_status st;
	size_t used;

	/* an empty packet, an unknown command, data where none belongs */
	CHECK(PARSE("\0\0\0\0") == MILTER_BAD);
	CHECK_STR(P.error, "empty packet");
	CHECK(PARSE("\0\0\0\x01Z") == MILTER_BAD);
	CHECK_STR(P.error, "unknown reply command");
	CHECK(PARSE("\0\0\0\x01\0") == MILTER_BAD);
	CHECK(PARSE("\0\0\0\x02" "cX") == MILTER_BAD);
	CHECK_STR(P.error, "data after a reply that has none");
	/* over the limit: refused from its length, before any data */
	CHECK(PARSE("\0\x01\0\x01") == MILTER_BAD);
	CHECK_STR(P.error, "packet longer than 65536 octets");
	CHECK(PARSE("\xff\xff\xff\xff" "b") == MILTER_BAD);
	/* exactly the limit is fine */
	memcpy(big, "\0\x01\0\0" "b", 5);
	memset(big + 5, 'y', sizeof(big) - 5);
	CHECK(parse(big, sizeof(big)) == MILTER_PACKET);
	CHECK(R.bodylen == MILTER_PACKET_MAX - 1);
	/* truncated input waits for more */
	CHECK(PARSE("\0\0\0\x0ay554 5.7") == MILTER_MORE);
	CHECK(PARSE("\0\0") == MILTER_MORE);
	/* once bad, always bad */
	milter_parser_init(&P);
	CHECK(milter_parse(&P, "\0\0\0\0", 4, &used, &R) == MILTER_BAD);
	CHECK(milter_parse(&P, "\0\0\0\x01" "c", 5, &used, &R) == MILTER_BAD);
	CHECK(used == 0);
	/* two packets in one read: one at a time, the rest left */
	milter_parser_init(&P);
	st = milter_parse(&P, "\0\0\0\x01p\0\0\0\x01" "a", 10, &used, &R);
	CHECK(st == MILTER_PACKET && used == 5 && R.cmd == SMFIR_PROGRESS);
	st = milter_parse(&P, "\0\0\0\x01" "a", 5, &used, &R);
	CHECK(st == MILTER_PACKET && used == 5 && R.cmd == SMFIR_ACCEPT);
	CHECK(milter_parse(&P, "", 0, &used, &R) == MILTER_MORE);
}

int
main(void)
{
	TEST(enc_optneg);
	TEST(enc_macro);
	TEST(enc_connect);
	TEST(enc_envelope);
	TEST(enc_content);
	TEST(parse_decisions);
	TEST(parse_replycode);
	TEST(parse_replycode_bad);
	TEST(parse_headers);
	TEST(parse_envelope);
	TEST(parse_body_quarantine);
	TEST(parse_optneg);
	TEST(negotiation);
	TEST(reply_text);
	TEST(allowed);
	TEST(framing);
	return UNIT_DONE();
}
