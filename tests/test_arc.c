/*
 * test_arc.c: ARC chain verification (arc.c) on messages a real signer
 * sealed: dkimpy (Debian's python3-dkim), by tests/arc/make-fixtures.py,
 * with the keys in tests/arc/keys.  Each verdict is checked against the
 * one expected and against dkimpy's own arc_verify (tests/arc/verify.py,
 * run here: python3-dkim is in ./setup's TEST_PACKAGES, and missing it
 * fails the test), whatever the chunking; then the pure parts (the
 * canonical forms of RFC 6376 3.4's examples, tag-lists, base64), the
 * limits and a key lookup that fails.  Run from the top directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc.h"
#include "tests/unit.h"

#define DIR	"tests/arc/"
#define KEYS	DIR "keys"

static struct arc_verifier v;
static struct arc_msg *m;
static char msg[256 * 1024];
static size_t msglen;

static const struct {
	const char	*name;
	enum arc_res	res;
	const char	*why;		/* a part of it; NULL: none */
	unsigned int	nsets, oldest_pass;
	const char	*seal_d;
} cases[] = {
	{ "none", ARC_RES_NONE, NULL, 0, 0, "" },
	{ "pass1", ARC_RES_PASS, NULL, 1, 0, "example.org" },
	{ "pass2", ARC_RES_PASS, NULL, 2, 0, "lists.example.net" },
	{ "pass2-footer", ARC_RES_PASS, NULL, 2, 2, "lists.example.net" },
	{ "hops6", ARC_RES_PASS, NULL, 6, 0, "lists.example.net" },
	{ "relaxed-simple", ARC_RES_PASS, NULL, 1, 0, "example.org" },
	{ "simple-simple", ARC_RES_PASS, NULL, 1, 0, "example.org" },
	{ "relaxed-ws", ARC_RES_PASS, NULL, 1, 0, "example.org" },
	{ "simple-body-ws", ARC_RES_FAIL, "body hash", 1, 0, "example.org" },
	{ "simple-header-ws", ARC_RES_FAIL, "signature did not verify", 1, 0,
	    "example.org" },
	{ "dns", ARC_RES_PASS, NULL, 2, 0, "arc.example" },
	{ "dns-gone", ARC_RES_FAIL, "no key record", 1, 0, "arc.example" },
	{ "ed25519", ARC_RES_FAIL, "a= not rsa-sha256", 1, 0, "example.com" },
	{ "body-tampered", ARC_RES_FAIL, "body hash", 2, 0,
	    "lists.example.net" },
	{ "header-tampered", ARC_RES_FAIL, "signature did not verify", 2, 0,
	    "lists.example.net" },
	{ "seal-broken", ARC_RES_FAIL, "signature did not verify", 2, 0,
	    "lists.example.net" },
	{ "cv-fail", ARC_RES_FAIL, "says cv=fail", 0, 0, "" },
	{ "cv-wrong", ARC_RES_FAIL, "cv= does not fit", 0, 0, "" },
	{ "gap", ARC_RES_FAIL, "missing or incomplete", 0, 0, "" },
	{ "only-second", ARC_RES_FAIL, "missing or incomplete", 0, 0, "" },
	{ "duplicate", ARC_RES_FAIL, "two ARC fields", 0, 0, "" },
	{ "no-key", ARC_RES_FAIL, "no key record", 1, 0, "example.org" },
	{ "revoked", ARC_RES_FAIL, "key revoked", 1, 0, "example.org" },
	{ "weak-key", ARC_RES_FAIL, "under 1024 bits", 1, 0, "example.org" },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static int
load(const char *name)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), DIR "%s.eml", name);
	if ((fp = fopen(path, "rb")) == NULL) {
		printf("# %s: cannot open\n", path);
		return -1;
	}
	msglen = fread(msg, 1, sizeof(msg), fp);
	fclose(fp);
	return 0;
}

/* Verify buf fed in chunk-octet pieces. */
static void
run(const char *buf, size_t len, size_t chunk)
{
	size_t off, n;

	arc_verify_begin(m, &v);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		arc_verify_data(m, buf + off, n);
	}
	arc_verify_end(m);
}

static void
names(void)
{
	CHECK_STR(arc_res_name(ARC_RES_NONE), "none");
	CHECK_STR(arc_res_name(ARC_RES_PASS), "pass");
	CHECK_STR(arc_res_name(ARC_RES_FAIL), "fail");
}

/*
 * m's result is case i's; nsets, oldest_pass and seal_d are checked
 * when the chain got past its structure (a nonzero nsets expected).
 */
static int
as_expected(size_t i)
{
	if (m->res != cases[i].res || m->temp)
		return 0;
	if (cases[i].why == NULL ? m->why != NULL :
	    m->why == NULL || strstr(m->why, cases[i].why) == NULL)
		return 0;
	if (cases[i].res == ARC_RES_FAIL && cases[i].nsets == 0)
		return 1;
	return m->nsets == cases[i].nsets &&
	    m->oldest_pass == cases[i].oldest_pass &&
	    strcmp(m->seal_d, cases[i].seal_d) == 0;
}

static void
fixtures(void)
{
	static const size_t chunks[] = { 1, 3, 64, 4096, sizeof(msg) };
	size_t i, c;

	for (i = 0; i < NCASES; i++) {
		if (load(cases[i].name) == -1) {
			CHECK(0);
			continue;
		}
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			run(msg, msglen, chunks[c]);
			if (!as_expected(i)) {
				printf("# %s (chunks of %zu): %s, %s, %u sets,"
				    " oldest-pass %u, d=%s\n", cases[i].name,
				    chunks[c], arc_res_name(m->res),
				    m->why ? m->why : "-", m->nsets,
				    m->oldest_pass, m->seal_d);
				CHECK(0);
				break;
			}
		}
	}
	/* s= of the newest seal, and what its sealer found */
	CHECK(load("pass2") == 0);
	run(msg, msglen, sizeof(msg));
	CHECK_STR(m->seal_s, "s2");
	CHECK(m->aar != NULL && m->aarlen == 28 &&
	    memcmp(m->aar, " lists.example.net; arc=pass", 28) == 0);
	CHECK(load("body-tampered") == 0);
	run(msg, msglen, sizeof(msg));
	CHECK(m->aar == NULL && m->aarlen == 0);
}

/* dkimpy's verdict on every fixture is the one arc.c gives. */
static void
dkimpy_agrees(void)
{
	char cmd[4096], line[512], *sp;
	size_t i, seen = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 " DIR "verify.py " KEYS);
	for (i = 0; i < NCASES; i++) {
		strcat(cmd, " " DIR);
		strcat(cmd, cases[i].name);
		strcat(cmd, ".eml");
	}
	if ((p = popen(cmd, "r")) == NULL) {
		CHECK(0);
		return;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		for (i = 0; i < NCASES; i++) {
			char path[256];

			snprintf(path, sizeof(path), DIR "%s.eml",
			    cases[i].name);
			if (strcmp(path, line) != 0)
				continue;
			seen++;
			if (load(cases[i].name) == -1)
				break;
			run(msg, msglen, 7);
			if (strcmp(arc_res_name(m->res), sp) != 0) {
				printf("# %s: dkimpy %s, arc.c %s (%s)\n",
				    line, sp, arc_res_name(m->res),
				    m->why ? m->why : "-");
				CHECK(0);
			}
		}
	}
	CHECK(pclose(p) == 0);
	CHECK(seen == NCASES);
}

struct sink {
	char	buf[256];
	size_t	n;
};

static void
sink(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	if (s->n + n < sizeof(s->buf)) {
		memcpy(s->buf + s->n, p, n);
		s->n += n;
	}
	s->buf[s->n] = '\0';
}

/* b canonicalized, fed in chunk-octet pieces. */
static const char *
body(const char *b, int relaxed, size_t chunk)
{
	static struct sink s;
	struct arc_body c;
	size_t off, n, len = strlen(b);

	s.n = 0;
	s.buf[0] = '\0';
	arc_body_start(&c, relaxed);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		arc_body_data(&c, b + off, n, sink, &s);
	}
	arc_body_end(&c, sink, &s);
	if ((long long)s.n != c.len)
		return "length differs";
	return s.buf;
}

static void
canon_body(void)
{
	/* RFC 6376 3.4.5's example */
	const char *ex = " C \r\nD \t E\r\n\r\n\r\n";
	size_t chunk;

	for (chunk = 1; chunk <= 20; chunk += 19) {
		CHECK_STR(body(ex, 1, chunk), " C\r\nD E\r\n");
		CHECK_STR(body(ex, 0, chunk), " C \r\nD \t E\r\n");
		CHECK_STR(body("", 0, chunk), "\r\n");
		CHECK_STR(body("", 1, chunk), "");
		CHECK_STR(body("\r\n\r\n", 0, chunk), "\r\n");
		CHECK_STR(body(" \t\r\n", 1, chunk), "");
		CHECK_STR(body("x", 0, chunk), "x\r\n");
		CHECK_STR(body("a\r\n \r\nb \r", 1, chunk),
		    "a\r\n\r\nb \r\r\n");
		CHECK_STR(body("a\rb\n\r\n", 0, chunk), "a\rb\n\r\n");
	}
}

static const char *
header(const char *raw, int relaxed, size_t skip, size_t skiplen)
{
	static struct sink s;

	s.n = 0;
	s.buf[0] = '\0';
	arc_canon_header(raw, strlen(raw), relaxed, skip, skiplen, sink, &s);
	return s.buf;
}

static void
canon_header(void)
{
	const char *b = "X: a=1;\r\n\tb=abc\r\n def; c=2";

	/* RFC 6376 3.4.5's example */
	CHECK_STR(header("A: X", 1, 0, 0), "a:X");
	CHECK_STR(header("B : Y\t\r\n\tZ  ", 1, 0, 0), "b:Y Z");
	CHECK_STR(header("B : Y\t\r\n\tZ  ", 0, 0, 0), "B : Y\t\r\n\tZ  ");
	CHECK_STR(header("No-Colon  x", 1, 0, 0), "no-colon  x");
	CHECK_STR(header("E:", 1, 0, 0), "e:");
	/* b='s value left out, in either form */
	CHECK_STR(header(b, 1, 12, 9), "x:a=1; b=; c=2");
	CHECK_STR(header(b, 0, 12, 9), "X: a=1;\r\n\tb=; c=2");
}

static void
tags(void)
{
	struct arc_tag t[4];
	const char *s = " v = 1; a=rsa-sha256;\r\n b=abc\r\n def ; ";

	CHECK(arc_tags(s, strlen(s), t, 4) == 3);
	CHECK(t[0].nlen == 1 && t[0].vlen == 1 && t[0].val[0] == '1');
	CHECK(t[2].vlen == 9 && memcmp(t[2].val, "abc\r\n def", 9) == 0);
	CHECK(arc_tags("", 0, t, 4) == 0);
	CHECK(arc_tags("a=", 2, t, 4) == 1 && t[0].vlen == 0);
	CHECK(arc_tags("a=1; a=2", 8, t, 4) == -1);
	CHECK(arc_tags("=1", 2, t, 4) == -1);
	CHECK(arc_tags("a", 1, t, 4) == -1);
	CHECK(arc_tags("1a=x", 4, t, 4) == -1);
	CHECK(arc_tags("a=b;c=d;e=f", 11, t, 2) == -1);
	CHECK(arc_tags("a=\x01", 3, t, 4) == -1);
}

static void
base64(void)
{
	unsigned char out[16];

	CHECK(arc_base64("aGVs bG8=", 9, out, sizeof(out)) == 5 &&
	    memcmp(out, "hello", 5) == 0);
	CHECK(arc_base64("aGk=", 4, out, sizeof(out)) == 2);
	CHECK(arc_base64("YQ==", 4, out, sizeof(out)) == 1 && out[0] == 'a');
	CHECK(arc_base64("", 0, out, sizeof(out)) == 0);
	CHECK(arc_base64("YQ=", 3, out, sizeof(out)) == -1);
	CHECK(arc_base64("Y=Q=", 4, out, sizeof(out)) == -1);
	CHECK(arc_base64("a!==", 4, out, sizeof(out)) == -1);
	CHECK(arc_base64("aGVsbG8=", 8, out, 4) == -1);
}

static enum arc_keyres
temp_lookup(void *arg, const char *name, char *txt, size_t size)
{
	(void)name;
	(void)txt;
	(void)size;
	++*(int *)arg;
	return ARC_KEY_TEMP;
}

/* A lookup that failed: fail, said to be temporary; asked once. */
static void
lookup_failed(void)
{
	struct arc_verifier t;
	struct arc_keys k = { NULL, temp_lookup, NULL };
	char why[256];
	int asked = 0;

	k.arg = &asked;
	memset(&t, 0, sizeof(t));
	CHECK(arc_verifier_open(&t, &k, why, sizeof(why)) == 0);
	CHECK(load("pass1") == 0);
	arc_verify_begin(m, &t);
	arc_verify_data(m, msg, msglen);
	arc_verify_end(m);
	CHECK(m->res == ARC_RES_FAIL && m->temp == 1);
	CHECK(m->why != NULL && strcmp(m->why, "key lookup failed") == 0);
	CHECK(asked == 1);
	arc_verifier_close(&t);
	arc_verifier_close(&t);
	/* not open: fail, and the calls still work */
	CHECK(arc_verify_begin(m, &t) == -1);
	arc_verify_data(m, msg, msglen);
	arc_verify_end(m);
	CHECK(m->res == ARC_RES_FAIL);
}

static void
limits(void)
{
	static char big[ARC_HEADER_MAX + 8192];
	const char *seal51 = "ARC-Seal: i=51; cv=pass; a=rsa-sha256;"
	    " d=example.org; s=s1; b=AAAA\r\n";
	size_t n;

	/* i= over 50 */
	CHECK(load("pass1") == 0);
	n = strlen(seal51);
	memmove(msg + n, msg, msglen);
	memcpy(msg, seal51, n);
	run(msg, msglen + n, 100);
	CHECK(m->res == ARC_RES_FAIL && m->why != NULL &&
	    strcmp(m->why, "more than 50 ARC sets") == 0);

	/* 13 sealers' keys: one lookup too many (dkimpy says pass) */
	CHECK(load("hops13") == 0);
	run(msg, msglen, 4096);
	CHECK(m->res == ARC_RES_FAIL && m->why != NULL &&
	    strcmp(m->why, "too many key lookups") == 0 && m->nsets == 13);

	/* a header over the limit: fail with ARC fields, else none */
	for (n = 0; n < ARC_HEADER_MAX; n += 20)
		memcpy(big + n, "X-Pad: 0123456789a\r\n", 20);
	CHECK(load("pass1") == 0);
	memcpy(big + n, msg, msglen);
	run(big, n + msglen, 8192);
	CHECK(m->res == ARC_RES_FAIL && m->why != NULL &&
	    strcmp(m->why, "header too large") == 0);
	CHECK(load("none") == 0);
	memcpy(big + n, msg, msglen);
	run(big, n + msglen, 8192);
	CHECK(m->res == ARC_RES_NONE);
	/* too many fields, short ones */
	for (n = 0; n < (ARC_FIELDS_MAX + 1) * 5; n += 5)
		memcpy(big + n, "X:\r\n\t", 5);	/* folded: one field */
	CHECK(load("pass1") == 0);
	memcpy(big + n, "x\r\n", 3);
	memcpy(big + n + 3, msg, msglen);
	run(big, n + 3 + msglen, 512);
	CHECK(m->res == ARC_RES_PASS);
	for (n = 0; n < (ARC_FIELDS_MAX + 1) * 4; n += 4)
		memcpy(big + n, "X:\r\n", 4);
	memcpy(big + n, msg, msglen);
	run(big, n + msglen, 512);
	CHECK(m->res == ARC_RES_FAIL && m->why != NULL &&
	    strcmp(m->why, "header too large") == 0);
}

static void
odd_messages(void)
{
	run("", 0, 1);
	CHECK(m->res == ARC_RES_NONE && m->why == NULL && m->nsets == 0);
	run("Subject: x", 10, 1);
	CHECK(m->res == ARC_RES_NONE);
	run("ARC-Seal: i=1", 13, 1);
	CHECK(m->res == ARC_RES_FAIL);
	run("\r\n\r\nARC-Seal: i=1\r\n", 19, 2);
	CHECK(m->res == ARC_RES_NONE);		/* in the body */
	/* a header without a body verifies as one with an empty body */
	CHECK(load("pass1") == 0);
	msglen = (size_t)(strstr(msg, "\r\n\r\n") - msg) + 2;
	run(msg, msglen, 5);
	CHECK(m->res == ARC_RES_FAIL && m->why != NULL &&
	    strcmp(m->why, "body hash did not verify") == 0);
}

int
main(void)
{
	struct arc_keys k = { KEYS, NULL, NULL };
	char why[256];

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return 1;
	if (arc_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		printf("# %s\n", why);
		return 1;
	}
	CHECK(arc_verifier_open(&v, &k, why, sizeof(why)) == 0);
	TEST(names);
	TEST(fixtures);
	TEST(dkimpy_agrees);
	TEST(canon_body);
	TEST(canon_header);
	TEST(tags);
	TEST(base64);
	TEST(lookup_failed);
	TEST(limits);
	TEST(odd_messages);
	arc_verifier_close(&v);
	free(m);
	return UNIT_DONE();
}
