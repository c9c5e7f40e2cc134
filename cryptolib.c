/*
 * cryptolib.c: resolve the libcrypto functions trace.c uses.
 */
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
