/*
 * cryptolib.h: OpenSSL's libcrypto, loaded with dlopen(3) (see dlload.h)
 * by the sessions that run with leave-no-trace (trace.h), for its keyed
 * hashes: a session without it never maps the library.  Only the
 * one-shot HMAC() of OpenSSL 3, which is not deprecated, and the digest
 * it is given.
 */
#ifndef SAMOTOP_CRYPTOLIB_H
#define SAMOTOP_CRYPTOLIB_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN	32

/* OpenSSL's types are opaque here: nothing but pointers to them. */
typedef struct evp_md_st EVP_MD;

struct cryptolib {
	void	*handle;	/* NULL until loaded */
	unsigned char *(*hmac)(const EVP_MD *, const void *, int,
		    const unsigned char *, size_t, unsigned char *,
		    unsigned int *);
	const EVP_MD *(*sha256)(void);
};

/* Load libcrypto once; -1 with why. */
int	cryptolib_open(struct cryptolib *l, char *why, size_t size);
/*
 * out = HMAC-SHA256(key, data); the library must be open.  0, or -1
 * when libcrypto fails (it does not for these arguments).
 */
int	cryptolib_hmac_sha256(const struct cryptolib *l, const void *key,
	    size_t keylen, const void *data, size_t len,
	    unsigned char out[CRYPTO_SHA256_LEN]);

#endif
