/*
 * test_dkim.c: dkim.c's own work around libopendkim: splitting a header
 * that arrives in pieces, its limits, the messages with nothing to
 * verify, the result names, and a signature made here by libopendkim's
 * dkim_sign() verified whatever the chunking.  libopendkim is in
 * ./setup's PACKAGES: not finding it fails the tests.  Real signers'
 * keys and every result: tests/dkim.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkim.h"
#include "tests/unit.h"

static char dir[] = "/tmp/test_dkim.XXXXXX";
static char keyfile[64], pemfile[64];
static struct dkim_verifier v;
static struct dkim_msg m;
static char signed_msg[8192];
static size_t signed_len;

static const char body_msg[] =
    "From: a@example.org\r\n"
    "To: b@example.net\r\n"
    "Subject: unit\r\n"
    "Date: Thu, 03 Dec 2026 00:00:00 +0000\r\n"
    "\r\n"
    "Hello,\r\n"
    "  world\r\n";

/* Verify buf fed in chunk-octet pieces; the first result. */
static struct dkim_sigres *
run(const char *buf, size_t len, size_t chunk)
{
	size_t off, n;

	dkim_verify_begin(&m, &v, "unit");
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		dkim_verify_data(&m, buf + off, n);
	}
	dkim_verify_end(&m);
	return &m.sig[0];
}

static void
names(void)
{
	CHECK_STR(dkim_res_name(DKIM_RES_NONE), "none");
	CHECK_STR(dkim_res_name(DKIM_RES_PASS), "pass");
	CHECK_STR(dkim_res_name(DKIM_RES_FAIL), "fail");
	CHECK_STR(dkim_res_name(DKIM_RES_NEUTRAL), "neutral");
	CHECK_STR(dkim_res_name(DKIM_RES_TEMPERROR), "temperror");
	CHECK_STR(dkim_res_name(DKIM_RES_PERMERROR), "permerror");
}

static void
open_twice(void)
{
	struct dkim_keys k = { keyfile, 0 };
	char why[256] = "";
	DKIM_LIB *dl = v.dl;

	CHECK(dl != NULL);
	CHECK(dkim_verifier_open(&v, &k, why, sizeof(why)) == 0);
	CHECK(v.dl == dl);
	/* Debian's 2.11.0~beta2 with OpenSSL 3 verifies RFC 8463 */
	CHECK(dkim_verifier_ed25519(&v) == 1);
}

static void
nothing_to_verify(void)
{
	struct dkim_sigres *r;

	r = run("", 0, 1);
	CHECK(m.nsig == 1 && r->res == DKIM_RES_NONE && r->domain[0] == '\0');
	r = run(body_msg, sizeof(body_msg) - 1, 5);
	CHECK(m.nsig == 1 && r->res == DKIM_RES_NONE);
	/* a header without the blank line, or without its last CRLF */
	r = run("From: a@example.org\r\nSubject: x\r\n", 33, 3);
	CHECK(r->res == DKIM_RES_NONE);
	r = run("From: a@example.org", 19, 100);
	CHECK(r->res == DKIM_RES_NONE);
	/*
	 * a last line "x\n" (fuzz_dkim's find): it once went to libopendkim
	 * as an empty field, and its dkim_header() asserts len != 0
	 */
	r = run("From: a@example.org\r\nx\n", 23, 1);
	CHECK(r->res == DKIM_RES_NONE);
	r = run("From: a@example.org\r\n\r", 22, 1);
	CHECK(r->res == DKIM_RES_NONE);
	CHECK(m.d == NULL);	/* libopendkim's handle went */
}

static void
signed_passes_in_any_chunks(void)
{
	struct dkim_sigres *r;
	size_t c;

	for (c = 1; c <= 4096; c = c * 3 + 1) {
		r = run(signed_msg, signed_len, c);
		CHECK(m.nsig == 1);
		CHECK(r->res == DKIM_RES_PASS);
		CHECK_STR(r->domain, "example.org");
		CHECK_STR(r->selector, "unit");
		CHECK(strlen(r->b) == 8);
		CHECK(r->bits == 2048);
		CHECK(r->alg == DKIM_ALG_RSA_SHA256);
		CHECK(r->length == -1 && !r->partial);
		CHECK(r->why == NULL);
	}
}

/* The signature folded elsewhere: relaxed header canonicalization. */
static void
refolded_signature(void)
{
	char buf[sizeof(signed_msg) + 16], *p;
	struct dkim_sigres *r;

	memcpy(buf, signed_msg, signed_len);
	buf[signed_len] = '\0';
	CHECK((p = strstr(buf, " d=")) != NULL);
	if (p == NULL)
		return;
	memmove(p + 3, p + 1, signed_len - (size_t)(p + 1 - buf));
	memcpy(p, "\r\n\t", 3);
	r = run(buf, signed_len + 2, 2);
	CHECK(r->res == DKIM_RES_PASS);
}

static void
field_too_long(void)
{
	static char buf[DKIM_FIELD_MAX + 256];
	struct dkim_sigres *r;
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "%s", "X-Long: ");
	memset(buf + n, 'a', DKIM_FIELD_MAX);
	n += DKIM_FIELD_MAX;
	memcpy(buf + n, "\r\n\r\nbody\r\n", 10);
	r = run(buf, n + 10, 1000);
	CHECK(m.nsig == 1 && r->res == DKIM_RES_PERMERROR);
	CHECK_STR(r->why, "header field too long");
	/* a folded field is one field: its lines add up */
	memcpy(buf, "X: a\r\n", 6);
	for (n = 6; n < DKIM_FIELD_MAX + 100; n += 4)
		memcpy(buf + n, "\tb\r\n", 4);
	memcpy(buf + n, "\r\n", 2);
	r = run(buf, n + 2, 512);
	CHECK(r->res == DKIM_RES_PERMERROR);
	CHECK_STR(r->why, "header field too long");
	/* one octet under the limit is fine */
	n = (size_t)snprintf(buf, sizeof(buf), "%s", "X-Long: ");
	memset(buf + n, 'a', DKIM_FIELD_MAX - n - 2);
	n = DKIM_FIELD_MAX - 2;
	memcpy(buf + n, "\r\n\r\nbody\r\n", 10);
	r = run(buf, n + 10, 333);
	CHECK(r->res == DKIM_RES_NONE);
}

static void
too_many_fields(void)
{
	static char buf[(DKIM_FIELDS_MAX + 2) * 6 + 8];
	struct dkim_sigres *r;
	size_t n = 0;
	int i;

	for (i = 0; i < DKIM_FIELDS_MAX + 1; i++, n += 6)
		memcpy(buf + n, "X: a\r\n", 6);
	memcpy(buf + n, "\r\nb\r\n", 5);
	r = run(buf, n + 5, 4096);
	CHECK(r->res == DKIM_RES_PERMERROR);
	CHECK_STR(r->why, "too many header fields");
	r = run(buf + 6, n - 6 + 5, 4096);
	CHECK(r->res == DKIM_RES_NONE);
}

static void
header_too_long(void)
{
	static char buf[DKIM_HEADER_MAX + 8192];
	struct dkim_sigres *r;
	size_t n = 0, f;

	/* fields of 4000 octets, under both other limits */
	while (n < DKIM_HEADER_MAX) {
		memcpy(buf + n, "X: ", 3);
		for (f = 3; f < 3998; f++)
			buf[n + f] = 'a';
		memcpy(buf + n + 3998, "\r\n", 2);
		n += 4000;
	}
	memcpy(buf + n, "\r\n", 2);
	r = run(buf, n + 2, 65536);
	CHECK(r->res == DKIM_RES_PERMERROR);
	CHECK_STR(r->why, "header too long");
}

/* A key and a signature made here, so that the unit tests need no bats. */
static int
make_signed(void)
{
	static unsigned char key[8192], hdr[8192];
	char cmd[512];
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st;
	FILE *f;
	size_t n;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(pemfile, sizeof(pemfile), "%s/k.pem", dir);
	snprintf(keyfile, sizeof(keyfile), "%s/keys", dir);
	snprintf(cmd, sizeof(cmd), "openssl genrsa -out %s 2048 2>/dev/null &&"
	    " printf 'unit._domainkey.example.org v=DKIM1; k=rsa; p=%%s\\n'"
	    " \"$(openssl rsa -in %s -pubout -outform DER 2>/dev/null |"
	    " base64 -w0)\" >%s", pemfile, pemfile, keyfile);
	if (system(cmd) != 0 || (f = fopen(pemfile, "r")) == NULL)
		return -1;
	n = fread(key, 1, sizeof(key) - 1, f);
	fclose(f);
	key[n] = '\0';
	if ((lib = dkim_init(NULL, NULL)) == NULL)
		return -1;
	d = dkim_sign(lib, (const unsigned char *)"unit", NULL, key,
	    (const unsigned char *)"unit",
	    (const unsigned char *)"example.org",
	    DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1,
	    &st);
	if (d == NULL ||
	    dkim_chunk(d, (u_char *)body_msg, sizeof(body_msg) - 1) !=
	    DKIM_STAT_OK || dkim_chunk(d, NULL, 0) != DKIM_STAT_OK ||
	    dkim_eom(d, NULL) != DKIM_STAT_OK ||
	    dkim_getsighdr(d, hdr, sizeof(hdr), 16) != DKIM_STAT_OK)
		return -1;
	signed_len = (size_t)snprintf(signed_msg, sizeof(signed_msg),
	    "DKIM-Signature: %s\r\n%s", hdr, body_msg);
	dkim_free(d);
	dkim_close(lib);
	return signed_len < sizeof(signed_msg) ? 0 : -1;
}

int
main(void)
{
	struct dkim_keys k = { keyfile, 0 };
	char why[256];
	int rc;

	if (make_signed() == -1) {
		printf("not ok 1 - cannot sign a test message (openssl?)\n");
		return 1;
	}
	if (dkim_verifier_open(&v, &k, why, sizeof(why)) == -1) {
		printf("not ok 1 - dkim_verifier_open: %s\n", why);
		return 1;
	}
	TEST(names);
	TEST(open_twice);
	TEST(nothing_to_verify);
	TEST(signed_passes_in_any_chunks);
	TEST(refolded_signature);
	TEST(field_too_long);
	TEST(too_many_fields);
	TEST(header_too_long);
	dkim_verifier_close(&v);
	dkim_verifier_close(&v);
	rc = UNIT_DONE();
	unit_rmtree(dir);
	return rc;
}
