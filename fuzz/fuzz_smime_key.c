/*
 * fuzz_smime_key.c: samotop-encrypt's S/MIME certificate loading
 * (smime_key_load() in enc_smime.c) with a fuzzer-chosen file: PEM or
 * DER, whole, cut or changed.  The input is written to a file of its
 * own (unlinked, opened again through /proc/self/fd) and loaded from
 * there, as a recipient's TEMPLATE.pem is.
 *
 * The invariant: a state, never a crash; the key is set exactly when
 * the state is ENC_KEY_OK (never MISSING or EIO for a file that is
 * there); and a certificate taken for usable can be encrypted to, with
 * the cipher its S/MIME Capabilities choose (one of the four).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enc_smime.h"

/* 2030-01-01: inside the seeds' validity (and outside expired.pem's) */
#define NOW	((time_t)1893456000)

static char path[64];
static int fd = -1;

static ssize_t
rd(void *ctx, char *buf, size_t size)
{
	int *done = ctx;

	if (*done || size < 5)
		return 0;
	*done = 1;
	memcpy(buf, "x\r\n\r\n", 5);
	return 5;
}

static int
wr(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "aes256-gcm", "aes128-gcm",
	    "aes256-cbc", "aes128-cbc" };
	struct smime_key *k = NULL;
	enum smime_cipher c, c2;
	enum enc_keystate s;
	const char *why;
	int done = 0;

	if (fd == -1) {
		/* a file with no name, left behind by no crash */
		strcpy(path, "/tmp/fuzz_smime_key.XXXXXX");
		if ((fd = mkstemp(path)) == -1 || unlink(path) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	s = smime_key_load(&k, path, NOW);
	switch (s) {
	case ENC_KEY_OK:
		if (k == NULL)
			abort();
		c = smime_key_cipher(k, SMIME_AES256_GCM);
		if ((unsigned)c >= sizeof(names) / sizeof(names[0]) ||
		    smime_cipher_parse(names[c], &c2) != 0 || c2 != c)
			abort();
		if (smime_encrypt(k, c, rd, &done, wr, NULL, &why) != 0)
			abort();
		smime_key_free(k);
		break;
	case ENC_KEY_EXPIRED:
	case ENC_KEY_UNUSABLE:
	case ENC_KEY_MALFORMED:
		if (k != NULL)
			abort();
		break;
	default:
		abort();	/* MISSING, EIO: the file is there */
	}
	return 0;
}
