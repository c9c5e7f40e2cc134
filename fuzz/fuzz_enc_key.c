/*
 * fuzz_enc_key.c: samotop-encrypt's loading of an OpenPGP key file
 * (enc_pgp.c, librnp's import underneath) with fuzzer-chosen octets: a
 * malformed key file must never crash the helper.  A key found usable
 * must encrypt a short message into an ASCII-armored one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enc_pgp.h"

struct buf {
	size_t	 len;
	char	 data[8192];
	int	 given;
};

static ssize_t
rd(void *ctx, char *out, size_t size)
{
	struct buf *b = ctx;

	(void)size;
	if (b->given)
		return 0;
	b->given = 1;
	memcpy(out, "Subject: x\r\n\r\nhi\r\n", 18);
	return 18;
}

static int
wr(void *ctx, const char *data, size_t len)
{
	struct buf *b = ctx;
	size_t n = len < sizeof(b->data) - b->len ? len :
	    sizeof(b->data) - b->len;

	memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf in, out;
	struct pgp_key *k;
	const char *why;

	/* A fixed "now" (2026-01-01): the same input, the same path. */
	if (pgp_key_read(&k, (const char *)data, size, 1767225600) !=
	    ENC_KEY_OK)
		return 0;
	memset(&in, 0, sizeof(in));
	out.len = 0;
	if (pgp_encrypt(k, rd, &in, wr, &out, &why) == 0 &&
	    (out.len < 27 || memcmp(out.data, "-----BEGIN PGP MESSAGE-----",
	    27) != 0))
		abort();
	pgp_key_free(k);
	return 0;
}
