/*
 * cryptolib.h: OpenSSL's libcrypto, loaded with dlopen(3) (see dlload.h)
 * by the sessions that need it, and by no other: leave-no-trace
 * (trace.h), for its keyed hashes, and the message spool (spool.h), for
 * AES-256-CTR.  Only functions of OpenSSL 3 that are not deprecated: the
 * one-shot HMAC() with the digest it is given, and the EVP cipher calls.
 */
#ifndef SAMOTOP_CRYPTOLIB_H
#define SAMOTOP_CRYPTOLIB_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_AES256_KEYLEN	32
#define CRYPTO_AES_IVLEN	16

/* OpenSSL's types are opaque here: nothing but pointers to them. */
typedef struct evp_md_st EVP_MD;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

struct cryptolib {
	void	*handle;	/* NULL until loaded */
	unsigned char *(*hmac)(const EVP_MD *, const void *, int,
		    const unsigned char *, size_t, unsigned char *,
		    unsigned int *);
	const EVP_MD *(*sha256)(void);
	EVP_CIPHER_CTX *(*ctx_new)(void);
	void	 (*ctx_free)(EVP_CIPHER_CTX *);
	int	 (*ctx_reset)(EVP_CIPHER_CTX *);
	int	 (*encrypt_init)(EVP_CIPHER_CTX *, const EVP_CIPHER *, void *,
		    const unsigned char *, const unsigned char *);
	int	 (*encrypt_update)(EVP_CIPHER_CTX *, unsigned char *, int *,
		    const unsigned char *, int);
	const EVP_CIPHER *(*aes256ctr)(void);
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

/*
 * AES-256-CTR, whose encryption and decryption are the same operation:
 * XOR with a key stream.  A context is started at the stream's first
 * octet by cryptolib_ctr_start() (again, to go back there; the key and
 * IV are copied into the context, the caller may wipe its own) and
 * advanced by cryptolib_ctr(), so that a stream cut into any pieces
 * gives the same octets.  One key and IV must never encrypt two
 * different texts.  cryptolib_ctr_free() wipes the context too (OpenSSL
 * cleanses it) and takes NULL.  All but free: 0, or -1 when libcrypto
 * fails (out of memory; not for these arguments).  The library must be
 * open.
 */
EVP_CIPHER_CTX *cryptolib_ctr_new(const struct cryptolib *l);
int	cryptolib_ctr_start(const struct cryptolib *l, EVP_CIPHER_CTX *c,
	    const unsigned char key[CRYPTO_AES256_KEYLEN],
	    const unsigned char iv[CRYPTO_AES_IVLEN]);
/* out = in XOR the next len octets of the stream; out may be in. */
int	cryptolib_ctr(const struct cryptolib *l, EVP_CIPHER_CTX *c,
	    unsigned char *out, const unsigned char *in, size_t len);
/*
 * Wipe the key schedule and stream position from c, which stays
 * allocated for the next cryptolib_ctr_start().  0, or -1.
 */
int	cryptolib_ctr_wipe(const struct cryptolib *l, EVP_CIPHER_CTX *c);
void	cryptolib_ctr_free(const struct cryptolib *l, EVP_CIPHER_CTX *c);

#endif
