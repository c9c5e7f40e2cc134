/*
 * cryptolib.c: resolve the libcrypto functions trace.c and spool.c use.
 */
#include <limits.h>
#include <string.h>

#include "cryptolib.h"
#include "dlload.h"

#ifndef LIBCRYPTO_SONAME
#define LIBCRYPTO_SONAME	"libcrypto.so"
#endif

static int
resolve(struct cryptolib *l, char *why, size_t size)
{
	DL_RESOLVE(l, hmac, "HMAC", why, size);
	DL_RESOLVE(l, sha256, "EVP_sha256", why, size);
	DL_RESOLVE(l, ctx_new, "EVP_CIPHER_CTX_new", why, size);
	DL_RESOLVE(l, ctx_free, "EVP_CIPHER_CTX_free", why, size);
	DL_RESOLVE(l, ctx_reset, "EVP_CIPHER_CTX_reset", why, size);
	DL_RESOLVE(l, encrypt_init, "EVP_EncryptInit_ex", why, size);
	DL_RESOLVE(l, encrypt_update, "EVP_EncryptUpdate", why, size);
	DL_RESOLVE(l, aes256ctr, "EVP_aes_256_ctr", why, size);
	return 0;
}

int
cryptolib_open(struct cryptolib *l, char *why, size_t size)
{
	if (l->handle != NULL)
		return 0;
	if ((l->handle = dl_load(LIBCRYPTO_SONAME, why, size)) == NULL)
		return -1;
	if (resolve(l, why, size) == -1) {
		/* Not dlclose(3): see tlslib_close(). */
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}

int
cryptolib_hmac_sha256(const struct cryptolib *l, const void *key,
    size_t keylen, const void *data, size_t len,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int n = 0;

	if (l->handle == NULL || keylen > 1024 ||
	    l->hmac(l->sha256(), key, (int)keylen, data, len, out, &n) ==
	    NULL || n != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

EVP_CIPHER_CTX *
cryptolib_ctr_new(const struct cryptolib *l)
{
	if (l->handle == NULL)
		return NULL;
	return l->ctx_new();
}

int
cryptolib_ctr_start(const struct cryptolib *l, EVP_CIPHER_CTX *c,
    const unsigned char key[CRYPTO_AES256_KEYLEN],
    const unsigned char iv[CRYPTO_AES_IVLEN])
{
	if (l->handle == NULL || c == NULL ||
	    l->encrypt_init(c, l->aes256ctr(), NULL, key, iv) != 1)
		return -1;
	return 0;
}

int
cryptolib_ctr(const struct cryptolib *l, EVP_CIPHER_CTX *c,
    unsigned char *out, const unsigned char *in, size_t len)
{
	size_t n;
	int done;

	if (l->handle == NULL || c == NULL)
		return -1;
	/* EVP counts in int; a stream cipher gives back what it took. */
	while (len > 0) {
		n = len > INT_MAX / 2 ? INT_MAX / 2 : len;
		if (l->encrypt_update(c, out, &done, in, (int)n) != 1 ||
		    done != (int)n)
			return -1;
		out += n;
		in += n;
		len -= n;
	}
	return 0;
}

int
cryptolib_ctr_wipe(const struct cryptolib *l, EVP_CIPHER_CTX *c)
{
	if (l->handle == NULL || c == NULL || l->ctx_reset(c) != 1)
		return -1;
	return 0;
}

void
cryptolib_ctr_free(const struct cryptolib *l, EVP_CIPHER_CTX *c)
{
	if (l->handle != NULL && c != NULL)
		l->ctx_free(c);
}
