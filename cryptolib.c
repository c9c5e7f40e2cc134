/*
 * cryptolib.c: resolve the libcrypto functions trace.c, spool.c,
 * arc.c, dkims.c and samotop-dkimkey use.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* NID_rsaEncryption: a macro only, no OpenSSL type. */
#include <openssl/obj_mac.h>

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
	DL_RESOLVE(l, md_new, "EVP_MD_CTX_new", why, size);
	DL_RESOLVE(l, md_free, "EVP_MD_CTX_free", why, size);
	DL_RESOLVE(l, digest_init, "EVP_DigestInit_ex", why, size);
	DL_RESOLVE(l, digest_update, "EVP_DigestUpdate", why, size);
	DL_RESOLVE(l, digest_final, "EVP_DigestFinal_ex", why, size);
	DL_RESOLVE(l, d2i_pubkey, "d2i_PUBKEY", why, size);
	/* OpenSSL 3's names; EVP_PKEY_base_id() and _bits() are macros */
	DL_RESOLVE(l, pkey_id, "EVP_PKEY_get_base_id", why, size);
	DL_RESOLVE(l, pkey_bits, "EVP_PKEY_get_bits", why, size);
	DL_RESOLVE(l, pkey_free, "EVP_PKEY_free", why, size);
	DL_RESOLVE(l, pctx_new, "EVP_PKEY_CTX_new", why, size);
	DL_RESOLVE(l, pctx_free, "EVP_PKEY_CTX_free", why, size);
	DL_RESOLVE(l, verify_init, "EVP_PKEY_verify_init", why, size);
	DL_RESOLVE(l, set_sig_md, "EVP_PKEY_CTX_set_signature_md", why, size);
	DL_RESOLVE(l, verify, "EVP_PKEY_verify", why, size);
	DL_RESOLVE(l, pem_read_key, "PEM_read_PrivateKey", why, size);
	DL_RESOLVE(l, pem_write_key, "PEM_write_PrivateKey", why, size);
	DL_RESOLVE(l, keygen, "EVP_PKEY_Q_keygen", why, size);
	DL_RESOLVE(l, i2d_pubkey, "i2d_PUBKEY", why, size);
	DL_RESOLVE(l, raw_pubkey, "EVP_PKEY_get_raw_public_key", why, size);
	DL_RESOLVE(l, encode_block, "EVP_EncodeBlock", why, size);
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

EVP_MD_CTX *
cryptolib_sha256_new(const struct cryptolib *l)
{
	if (l->handle == NULL)
		return NULL;
	return l->md_new();
}

int
cryptolib_sha256_start(const struct cryptolib *l, EVP_MD_CTX *c)
{
	if (l->handle == NULL || c == NULL ||
	    l->digest_init(c, l->sha256(), NULL) != 1)
		return -1;
	return 0;
}

int
cryptolib_sha256_update(const struct cryptolib *l, EVP_MD_CTX *c,
    const void *data, size_t len)
{
	if (l->handle == NULL || c == NULL ||
	    (len > 0 && l->digest_update(c, data, len) != 1))
		return -1;
	return 0;
}

int
cryptolib_sha256_final(const struct cryptolib *l, EVP_MD_CTX *c,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int n = 0;

	if (l->handle == NULL || c == NULL ||
	    l->digest_final(c, out, &n) != 1 || n != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

void
cryptolib_sha256_free(const struct cryptolib *l, EVP_MD_CTX *c)
{
	if (l->handle != NULL && c != NULL)
		l->md_free(c);
}

EVP_PKEY *
cryptolib_rsa_pubkey(const struct cryptolib *l, const unsigned char *key,
    size_t len, unsigned int *bits)
{
	const unsigned char *p = key;
	EVP_PKEY *k;
	int n;

	*bits = 0;
	if (l->handle == NULL || len == 0 || len > 16384 ||
	    (k = l->d2i_pubkey(NULL, &p, (long)len)) == NULL)
		return NULL;
	/* Trailing octets, or a key of another kind: not what was asked. */
	if (p != key + len || l->pkey_id(k) != NID_rsaEncryption ||
	    (n = l->pkey_bits(k)) <= 0) {
		l->pkey_free(k);
		return NULL;
	}
	*bits = (unsigned int)n;
	return k;
}

void
cryptolib_pubkey_free(const struct cryptolib *l, EVP_PKEY *k)
{
	if (l->handle != NULL && k != NULL)
		l->pkey_free(k);
}

int
cryptolib_rsa_verify_sha256(const struct cryptolib *l, EVP_PKEY *k,
    const unsigned char md[CRYPTO_SHA256_LEN], const unsigned char *sig,
    size_t siglen)
{
	EVP_PKEY_CTX *pc;
	int ok;

	if (l->handle == NULL || k == NULL || (pc = l->pctx_new(k, NULL)) ==
	    NULL)
		return 0;
	/* RSA's default padding is PKCS#1 v1.5. */
	ok = l->verify_init(pc) == 1 && l->set_sig_md(pc, l->sha256()) == 1 &&
	    l->verify(pc, sig, siglen, md, CRYPTO_SHA256_LEN) == 1;
	l->pctx_free(pc);
	return ok;
}

/* No passphrase: an encrypted key is refused, never asked about. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

EVP_PKEY *
cryptolib_privkey_pem(const struct cryptolib *l, const char *pem, size_t len,
    enum crypto_keytype *type, unsigned int *bits)
{
	EVP_PKEY *k;
	FILE *f;
	int n;

	*type = CRYPTO_KEY_OTHER;
	*bits = 0;
	if (l->handle == NULL || len == 0 ||
	    (f = fmemopen((void *)pem, len, "r")) == NULL)
		return NULL;
	k = l->pem_read_key(f, NULL, no_passphrase, NULL);
	fclose(f);
	if (k == NULL)
		return NULL;
	if (l->pkey_id(k) == NID_rsaEncryption)
		*type = CRYPTO_KEY_RSA;
	else if (l->pkey_id(k) == NID_ED25519)
		*type = CRYPTO_KEY_ED25519;
	if ((n = l->pkey_bits(k)) > 0)
		*bits = (unsigned int)n;
	return k;
}

EVP_PKEY *
cryptolib_keygen(const struct cryptolib *l, enum crypto_keytype type,
    unsigned int bits)
{
	if (l->handle == NULL)
		return NULL;
	if (type == CRYPTO_KEY_RSA)
		return l->keygen(NULL, NULL, "RSA", (size_t)bits);
	if (type == CRYPTO_KEY_ED25519)
		return l->keygen(NULL, NULL, "ED25519");
	return NULL;
}

int
cryptolib_privkey_write(const struct cryptolib *l, EVP_PKEY *k, FILE *f)
{
	if (l->handle == NULL || k == NULL ||
	    l->pem_write_key(f, k, NULL, NULL, 0, NULL, NULL) != 1)
		return -1;
	return 0;
}

int
cryptolib_pubkey_base64(const struct cryptolib *l, EVP_PKEY *k, int raw,
    char *out, size_t size)
{
	unsigned char *der = NULL, *p;
	size_t len = 0;
	int n, rc = -1;

	if (l->handle == NULL || k == NULL)
		return -1;
	if (raw) {
		if (l->raw_pubkey(k, NULL, &len) != 1 || len == 0 ||
		    len > 1024 || (der = malloc(len)) == NULL ||
		    l->raw_pubkey(k, der, &len) != 1)
			goto done;
	} else {
		if ((n = l->i2d_pubkey(k, NULL)) <= 0 || n > 16384 ||
		    (der = malloc((size_t)n)) == NULL)
			goto done;
		p = der;
		if (l->i2d_pubkey(k, &p) != n)
			goto done;
		len = (size_t)n;
	}
	/* 4 characters for each 3 octets, and the NUL */
	if ((len + 2) / 3 * 4 + 1 > size)
		goto done;
	rc = l->encode_block((unsigned char *)out, der, (int)len);
done:
	free(der);
	return rc;
}
