/*
 * test_enc_armor.c: OpenPGP ASCII armor (enc_armor.c): the frame, base64
 * as RFC 4648 has it, lines of 64 characters with CRLF, and the same
 * output however the input is cut into pieces.
 */
#include <string.h>

#include "enc_armor.h"
#include "tests/unit.h"

static char out[ENC_ARMOR_OUT(4096) * 2 + 2 * ENC_ARMOR_FRAME];

/* Armor in[0..len) in pieces of step octets into out; the length. */
static size_t
armor(const char *in, size_t len, size_t step)
{
	struct enc_armor a;
	size_t n, k;

	n = enc_armor_begin(&a, out);
	while (len > 0) {
		k = len < step ? len : step;
		n += enc_armor_update(&a, (const unsigned char *)in, k,
		    out + n);
		in += k;
		len -= k;
	}
	n += enc_armor_end(&a, out + n);
	out[n] = '\0';
	return n;
}

static void
vectors(void)
{
	armor("", 0, 1);
	CHECK_STR(out, "-----BEGIN PGP MESSAGE-----\r\n\r\n"
	    "-----END PGP MESSAGE-----\r\n");
	armor("f", 1, 1);
	CHECK_STR(out, "-----BEGIN PGP MESSAGE-----\r\n\r\nZg==\r\n"
	    "-----END PGP MESSAGE-----\r\n");
	armor("fo", 2, 1);
	CHECK(strstr(out, "\r\n\r\nZm8=\r\n-----END") != NULL);
	armor("foobar", 6, 4);
	CHECK(strstr(out, "\r\n\r\nZm9vYmFy\r\n-----END") != NULL);
	armor("\xff\xfe\xfd", 3, 3);
	CHECK(strstr(out, "\r\n\r\n//79\r\n-----END") != NULL);
}

static void
lines(void)
{
	char in[48 * 3 + 5];
	const char *p, *e;
	size_t i, n;

	memset(in, 'x', sizeof(in));
	armor(in, sizeof(in), sizeof(in));
	p = strstr(out, "\r\n\r\n") + 4;
	/* three whole lines of 64, then the rest */
	for (i = 0; i < 3; i++) {
		e = strstr(p, "\r\n");
		CHECK(e != NULL && e - p == ENC_ARMOR_LINE);
		p = e + 2;
	}
	CHECK(strncmp(p, "eHh4eHg=\r\n-----END", 18) == 0);
	/* exactly a line: no empty line before END */
	n = armor(in, 48, 48);
	CHECK(n > 0 && strstr(out, "\r\n\r\n-----END") == NULL);
}

static void
pieces(void)
{
	char in[1000], whole[sizeof(out)];
	size_t i, step, n;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + i / 3);
	n = armor(in, sizeof(in), sizeof(in));
	memcpy(whole, out, n + 1);
	CHECK(n <= ENC_ARMOR_OUT(sizeof(in)) + 2 * ENC_ARMOR_FRAME);
	for (step = 1; step < 100; step += 7) {
		armor(in, sizeof(in), step);
		CHECK_STR(out, whole);
	}
}

int
main(void)
{
	TEST(vectors);
	TEST(lines);
	TEST(pieces);
	return UNIT_DONE();
}
