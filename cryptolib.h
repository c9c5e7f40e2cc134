/*
 * cryptolib.h: OpenSSL's libcrypto, loaded with dlopen(3) (see dlload.h)
 * by the sessions that need it, and by no other: leave-no-trace
 * (trace.h), for its keyed hashes, the message spool (spool.h), for
 * AES-256-CTR, and ARC verification (arc.h), for SHA-256 and the RSA
 * signatures of sealers.  Only functions of OpenSSL 3 that are not
 * deprecated: the one-shot HMAC() with the digest it is given, the EVP
 * cipher and digest calls, d2i_PUBKEY() for an RSA public key, and
 * EVP_PKEY_verify() for RSA PKCS#1 v1.5 over a SHA-256 digest; for DKIM
 * signing (dkims.h) and samotop-dkimkey, private keys read from and
 * written as PEM, made (EVP_PKEY_Q_keygen()) and their public halves
 * in base64.
 */
#ifndef SAMOTOP_CRYPTOLIB_H
#define SAMOTOP_CRYPTOLIB_H

#include <stddef.h>
#include <stdio.h>

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_AES256_KEYLEN	32
#define CRYPTO_AES_IVLEN	16

/* OpenSSL's types are opaque here: nothing but pointers to them. */
typedef struct evp_md_st EVP_MD;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

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
	EVP_MD_CTX *(*md_new)(void);
	void	 (*md_free)(EVP_MD_CTX *);
	int	 (*digest_init)(EVP_MD_CTX *, const EVP_MD *, void *);
	int	 (*digest_update)(EVP_MD_CTX *, const void *, size_t);
	int	 (*digest_final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
	EVP_PKEY *(*d2i_pubkey)(EVP_PKEY **, const unsigned char **, long);
	int	 (*pkey_id)(const EVP_PKEY *);
	int	 (*pkey_bits)(const EVP_PKEY *);
	void	 (*pkey_free)(EVP_PKEY *);
	EVP_PKEY_CTX *(*pctx_new)(EVP_PKEY *, void *);
	void	 (*pctx_free)(EVP_PKEY_CTX *);
	int	 (*verify_init)(EVP_PKEY_CTX *);
	int	 (*set_sig_md)(EVP_PKEY_CTX *, const EVP_MD *);
	int	 (*verify)(EVP_PKEY_CTX *, const unsigned char *, size_t,
		    const unsigned char *, size_t);
	EVP_PKEY *(*pem_read_key)(FILE *, EVP_PKEY **, int (*)(char *, int,
		    int, void *), void *);
	int	 (*pem_write_key)(FILE *, const EVP_PKEY *, const EVP_CIPHER *,
		    const unsigned char *, int, int (*)(char *, int, int,
		    void *), void *);
	EVP_PKEY *(*keygen)(void *, const char *, const char *, ...);
	int	 (*i2d_pubkey)(const EVP_PKEY *, unsigned char **);
	int	 (*raw_pubkey)(const EVP_PKEY *, unsigned char *, size_t *);
	int	 (*encode_block)(unsigned char *, const unsigned char *, int);
};

/* The kinds of private key cryptolib_privkey_pem() tells apart. */
enum crypto_keytype {
	CRYPTO_KEY_OTHER,
	CRYPTO_KEY_RSA,
	CRYPTO_KEY_ED25519,
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

/*
 * SHA-256 as the data streams: a context from cryptolib_sha256_new()
 * (NULL: out of memory, or the library is not open) is started with
 * cryptolib_sha256_start() (again for each new hash), fed with
 * cryptolib_sha256_update() and read with cryptolib_sha256_final(),
 * after which it must be started again.  0, or -1 when libcrypto
 * fails.  cryptolib_sha256_free() takes NULL.
 */
EVP_MD_CTX *cryptolib_sha256_new(const struct cryptolib *l);
int	cryptolib_sha256_start(const struct cryptolib *l, EVP_MD_CTX *c);
int	cryptolib_sha256_update(const struct cryptolib *l, EVP_MD_CTX *c,
	    const void *data, size_t len);
int	cryptolib_sha256_final(const struct cryptolib *l, EVP_MD_CTX *c,
	    unsigned char out[CRYPTO_SHA256_LEN]);
void	cryptolib_sha256_free(const struct cryptolib *l, EVP_MD_CTX *c);

/*
 * An RSA public key from the len octets at key, a DER SubjectPublicKeyInfo
 * (what `openssl rsa -pubout -outform DER` writes, and DKIM key records
 * hold) with its size in bits in *bits; NULL when those octets are not
 * exactly such a key (network input).  Free with cryptolib_pubkey_free(),
 * which takes NULL.
 */
EVP_PKEY *cryptolib_rsa_pubkey(const struct cryptolib *l,
	    const unsigned char *key, size_t len, unsigned int *bits);
void	cryptolib_pubkey_free(const struct cryptolib *l, EVP_PKEY *k);
/*
 * Is sig the RSA PKCS#1 v1.5 signature (RFC 8017 8.2, SHA-256's
 * DigestInfo) of the SHA-256 digest md with key k?  1 it is, 0 it is
 * not (or libcrypto failed: never a false 1).
 */
int	cryptolib_rsa_verify_sha256(const struct cryptolib *l, EVP_PKEY *k,
	    const unsigned char md[CRYPTO_SHA256_LEN], const unsigned char *sig,
	    size_t siglen);

/*
 * A private key from the PEM text pem[0..len) (PKCS#8 or PKCS#1), its
 * kind in *type and its size in bits in *bits; NULL when the text holds
 * none, or an encrypted one (no passphrase is asked for).  Free with
 * cryptolib_pubkey_free().
 */
EVP_PKEY *cryptolib_privkey_pem(const struct cryptolib *l, const char *pem,
	    size_t len, enum crypto_keytype *type, unsigned int *bits);
/* A new key: RSA of bits bits, or Ed25519 (bits unused).  NULL: failed. */
EVP_PKEY *cryptolib_keygen(const struct cryptolib *l, enum crypto_keytype type,
	    unsigned int bits);
/* k as unencrypted PKCS#8 PEM onto f.  0, or -1. */
int	cryptolib_privkey_write(const struct cryptolib *l, EVP_PKEY *k,
	    FILE *f);
/*
 * k's public key in base64 into out[0..size), NUL-terminated: its DER
 * SubjectPublicKeyInfo, or with raw its raw octets (Ed25519's 32, RFC
 * 8463).  The length, or -1 (no room, or libcrypto failed).
 */
int	cryptolib_pubkey_base64(const struct cryptolib *l, EVP_PKEY *k, int raw,
	    char *out, size_t size);

#endif
