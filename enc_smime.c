/*
 * enc_smime.c: S/MIME for samotop-encrypt (enc_smime.h), on OpenSSL's
 * CMS.  The certificate file is read whole (it is small, and reading it
 * ourselves tells a read error from a malformed file), then parsed from
 * memory.  Encryption writes the entity into the streaming BIO chain
 * BIO_new_CMS() builds: cipher, then the BER encoder with indefinite
 * lengths, then a sink BIO of our own that encodes base64 into the
 * caller's enc_write_fn.
 * Nothing in it grows with the entity: the content is enciphered and
 * encoded as it passes, and AES-GCM's tag is written after it.  Not
 * i2d_CMS_bio_stream() with a source BIO over the enc_read_fn: its copy
 * loop (SMIME_crlf_copy() in OpenSSL 3.0) takes a read error for the
 * end of the entity and moves 1 KiB at a time; writing into the chain
 * ourselves, every error is seen, in 64 KiB chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "enc_smime.h"

/* No certificate file is larger: a bigger one is taken for malformed. */
#define SMIME_CERT_MAX	(256 * 1024)
/* The plaintext passes in chunks of this size. */
#define SMIME_CHUNK	(64 * 1024)

struct smime_key {
	X509	*cert;
	int	 caps;		/* the ciphers it lists (CAP()), or 0 */
};

/* A cipher's bit in smime_key.caps. */
#define CAP(c)	(1 << (c))

/* Base64 (RFC 2045): lines of 76 characters, from 57 octets each. */
#define B64_IN		57
#define B64_LINE	77		/* with its LF */
#define B64_BUF		(B64_LINE * 128)

/*
 * The sink BIO's state: the caller's writer, whether it failed, and the
 * base64 encoder's: the octets of an unfinished line, and lines not yet
 * passed on.
 */
struct smime_sink {
	enc_write_fn	 wr;
	void		*ctx;
	int		 failed;
	size_t		 inlen, outlen;
	unsigned char	 in[B64_IN];
	char		 out[B64_BUF];
};

/*
 * Read the file at path into a buffer of its own (*buf, *len).  Returns
 * ENC_KEY_OK, ENC_KEY_MISSING, ENC_KEY_EIO (errno set) or
 * ENC_KEY_MALFORMED (too large to be a certificate).
 */
static enum enc_keystate
read_file(const char *path, unsigned char **buf, size_t *len)
{
	unsigned char *b;
	size_t n = 0;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? ENC_KEY_MISSING : ENC_KEY_EIO;
	/* one octet more than the limit tells a file that is too large */
	if ((b = malloc(SMIME_CERT_MAX + 1)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return ENC_KEY_EIO;
	}
	while (n < SMIME_CERT_MAX + 1) {
		r = read(fd, b + n, SMIME_CERT_MAX + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			e = errno;
			free(b);
			close(fd);
			errno = e;
			return ENC_KEY_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > SMIME_CERT_MAX) {
		free(b);
		return ENC_KEY_MALFORMED;
	}
	*buf = b;
	*len = n;
	return ENC_KEY_OK;
}

/* The first certificate in buf: PEM (other blocks skipped), else DER. */
static X509 *
parse_cert(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;
	X509 *x = NULL;
	BIO *mem;

	if (len > INT_MAX)
		return NULL;
	if ((mem = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		x = PEM_read_bio_X509(mem, NULL, NULL, NULL);
		BIO_free(mem);
	}
	if (x == NULL) {
		x = d2i_X509(NULL, &p, (long)len);
		/* DER with trailing octets is not a certificate file */
		if (x != NULL && p != buf + len) {
			X509_free(x);
			x = NULL;
		}
	}
	return x;
}

/* Whether x may be encrypted to at time now (enc_smime.h). */
static enum enc_keystate
check_cert(X509 *x, time_t now)
{
	EVP_PKEY *pk;
	uint32_t need;
	int c;

	/* X509_cmp_time(): 0 for a time it cannot read */
	if ((c = X509_cmp_time(X509_get0_notBefore(x), &now)) == 0)
		return ENC_KEY_MALFORMED;
	if (c > 0)
		return ENC_KEY_EXPIRED;		/* not yet valid */
	if ((c = X509_cmp_time(X509_get0_notAfter(x), &now)) == 0)
		return ENC_KEY_MALFORMED;
	if (c < 0)
		return ENC_KEY_EXPIRED;
	/* computes the extension flags; an extension it cannot decode */
	if (X509_get_extension_flags(x) & EXFLAG_INVALID)
		return ENC_KEY_MALFORMED;
	if ((pk = X509_get0_pubkey(x)) == NULL)
		return ENC_KEY_MALFORMED;
	/* RSA-PSS, DSA, Ed25519 and the like cannot take a content key */
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		need = KU_KEY_ENCIPHERMENT;
		break;
	case EVP_PKEY_EC:
		need = KU_KEY_AGREEMENT;
		break;
	default:
		return ENC_KEY_UNUSABLE;
	}
	/* without the extension, X509_get_key_usage() allows everything */
	if ((X509_get_key_usage(x) & need) == 0)
		return ENC_KEY_UNUSABLE;
	return ENC_KEY_OK;
}

/* The AES ciphers the S/MIME Capabilities extension of x lists. */
static int
capabilities(X509 *x)
{
	static const struct {
		int	nid;
		enum smime_cipher c;
	} aes[] = {
		{ NID_aes_256_gcm, SMIME_AES256_GCM },
		{ NID_aes_128_gcm, SMIME_AES128_GCM },
		{ NID_aes_256_cbc, SMIME_AES256_CBC },
		{ NID_aes_128_cbc, SMIME_AES128_CBC },
	};
	const ASN1_OCTET_STRING *v;
	const unsigned char *p;
	X509_ALGORS *algs;
	size_t j;
	int i, nid, caps = 0;

	if ((i = X509_get_ext_by_NID(x, NID_SMIMECapabilities, -1)) < 0 ||
	    (v = X509_EXTENSION_get_data(X509_get_ext(x, i))) == NULL)
		return 0;
	p = ASN1_STRING_get0_data(v);
	/* SMIMECapabilities: SEQUENCE OF AlgorithmIdentifier, as X509_ALGORS */
	if ((algs = d2i_X509_ALGORS(NULL, &p, ASN1_STRING_length(v))) == NULL)
		return 0;
	for (i = 0; i < sk_X509_ALGOR_num(algs); i++) {
		nid = OBJ_obj2nid(sk_X509_ALGOR_value(algs, i)->algorithm);
		for (j = 0; j < sizeof(aes) / sizeof(aes[0]); j++)
			if (nid == aes[j].nid)
				caps |= CAP(aes[j].c);
	}
	sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
	/* listed, but none of ours: still a list, which rules out GCM */
	return caps != 0 ? caps : CAP(SMIME_AES128_CBC);
}

static ssize_t
read_none(void *ctx, char *buf, size_t size)
{
	(void)ctx;
	(void)buf;
	(void)size;
	return 0;
}

static int
write_none(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

/*
 * Whether k can be encrypted to: an empty entity, to nowhere.  What
 * check_cert() cannot see (an RSA modulus without an inverse, an EC
 * point off its curve) fails here, at RCPT time, not at the end of the
 * data.  It costs one RSA public operation or one ECDH.
 */
static int
can_encrypt(const struct smime_key *k)
{
	const char *why;

	return smime_encrypt(k, SMIME_AES128_GCM, read_none, NULL,
	    write_none, NULL, &why) == 0;
}

enum enc_keystate
smime_key_load(struct smime_key **k, const char *path, time_t now)
{
	struct smime_key *key = NULL;
	enum enc_keystate s;
	unsigned char *buf;
	size_t len;
	X509 *x;

	if ((s = read_file(path, &buf, &len)) != ENC_KEY_OK)
		return s;
	x = parse_cert(buf, len);
	free(buf);
	if (x == NULL)
		s = ENC_KEY_MALFORMED;
	else if ((s = check_cert(x, now)) == ENC_KEY_OK &&
	    (key = malloc(sizeof(*key))) == NULL)
		s = ENC_KEY_EIO;	/* errno: ENOMEM */
	/* what OpenSSL queued while parsing must not meet the next call */
	ERR_clear_error();
	if (s != ENC_KEY_OK) {
		X509_free(x);
		return s;
	}
	key->cert = x;
	key->caps = capabilities(x);
	if (!can_encrypt(key)) {
		smime_key_free(key);
		return ENC_KEY_UNUSABLE;
	}
	*k = key;
	return ENC_KEY_OK;
}

void
smime_key_free(struct smime_key *k)
{
	if (k == NULL)
		return;
	X509_free(k->cert);
	free(k);
}

enum smime_cipher
smime_key_cipher(const struct smime_key *k, enum smime_cipher c)
{
	static const enum smime_cipher pref[] = { SMIME_AES256_GCM,
	    SMIME_AES128_GCM, SMIME_AES256_CBC, SMIME_AES128_CBC };
	size_t i;

	if (k->caps == 0 || (k->caps & CAP(c)))
		return c;
	for (i = 0; i < sizeof(pref) / sizeof(pref[0]); i++)
		if (k->caps & CAP(pref[i]))
			return pref[i];
	return SMIME_AES128_CBC;
}

static const struct {
	const char	*name;
	enum smime_cipher c;
} ciphers[] = {
	{ "aes256-gcm", SMIME_AES256_GCM },
	{ "aes128-gcm", SMIME_AES128_GCM },
	{ "aes256-cbc", SMIME_AES256_CBC },
	{ "aes128-cbc", SMIME_AES128_CBC },
};

int
smime_cipher_parse(const char *name, enum smime_cipher *c)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strcmp(name, ciphers[i].name) == 0) {
			*c = ciphers[i].c;
			return 0;
		}
	return -1;
}

const char *
smime_content_type(enum smime_cipher c)
{
	switch (c) {
	case SMIME_AES256_GCM:
	case SMIME_AES128_GCM:
		return "application/pkcs7-mime; "
		    "smime-type=authEnveloped-data; name=\"smime.p7m\"";
	case SMIME_AES256_CBC:
	case SMIME_AES128_CBC:
		break;
	}
	return "application/pkcs7-mime; "
	    "smime-type=enveloped-data; name=\"smime.p7m\"";
}

static const EVP_CIPHER *
cipher(enum smime_cipher c)
{
	switch (c) {
	case SMIME_AES256_GCM:
		return EVP_aes_256_gcm();
	case SMIME_AES128_GCM:
		return EVP_aes_128_gcm();
	case SMIME_AES256_CBC:
		return EVP_aes_256_cbc();
	case SMIME_AES128_CBC:
		return EVP_aes_128_cbc();
	}
	return NULL;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of the n (at most B64_IN) octets at p, and a LF, at o. */
static size_t
b64_line(char *o, const unsigned char *p, size_t n)
{
	char *start = o;
	uint32_t v;

	for (; n >= 3; p += 3, n -= 3) {
		v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (n > 0) {
		v = (uint32_t)p[0] << 16 | (n > 1 ? (uint32_t)p[1] << 8 : 0);
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = n > 1 ? b64[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o++ = '\n';
	return (size_t)(o - start);
}

/* Pass the finished lines on to the caller's writer. */
static int
sink_drain(struct smime_sink *s)
{
	if (s->outlen > 0 && !s->failed &&
	    s->wr(s->ctx, s->out, s->outlen) == -1)
		s->failed = 1;
	s->outlen = 0;
	return s->failed ? -1 : 0;
}

/* Room for one more line in s->out, passing the others on if need be. */
static int
sink_room(struct smime_sink *s)
{
	return s->outlen + B64_LINE > B64_BUF ? sink_drain(s) : 0;
}

/*
 * The end: the last, short line (padded), and all lines passed on.
 * Returns 0, or -1 if the writer failed.
 */
static int
sink_finish(struct smime_sink *s)
{
	if (s->inlen > 0) {
		if (sink_room(s) == -1)
			return -1;
		s->outlen += b64_line(s->out + s->outlen, s->in, s->inlen);
		s->inlen = 0;
	}
	return sink_drain(s);
}

/*
 * The sink BIO's write: what the encoder writes, base64-encoded.  Not
 * OpenSSL's BIO_f_base64(), which took two thirds of the time (and
 * whose lines are 64 characters).
 */
static int
sink_write(BIO *b, const char *buf, int len)
{
	struct smime_sink *s = BIO_get_data(b);
	const unsigned char *p = (const unsigned char *)buf;
	size_t n = len > 0 ? (size_t)len : 0, k;

	if (s->failed)
		return -1;
	while (n > 0) {
		if (s->inlen == 0 && n >= B64_IN) {
			/* whole lines straight from the caller's buffer */
			k = B64_IN;
			if (sink_room(s) == -1)
				return -1;
			s->outlen += b64_line(s->out + s->outlen, p, k);
		} else {
			k = B64_IN - s->inlen < n ? B64_IN - s->inlen : n;
			memcpy(s->in + s->inlen, p, k);
			if ((s->inlen += k) == B64_IN) {
				if (sink_room(s) == -1)
					return -1;
				s->outlen += b64_line(s->out + s->outlen,
				    s->in, B64_IN);
				s->inlen = 0;
			}
		}
		p += k;
		n -= k;
	}
	return len;
}

/*
 * A flush mid-stream must not end the base64 (only sink_finish() does,
 * once): finished lines are passed on, the unfinished one waits.
 */
static long
sink_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)num;
	(void)ptr;
	if (cmd != BIO_CTRL_FLUSH)
		return 0;
	return sink_drain(BIO_get_data(b)) == 0 ? 1 : 0;
}

static int
sink_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/*
 * Feed everything rd gives into the CMS BIO chain cb, first the n
 * octets already in buf (SMIME_CHUNK octets).  Returns 0, or -1 with
 * *why set.
 */
static int
feed(BIO *cb, char *buf, ssize_t n, enc_read_fn rd, void *rctx,
    const struct smime_sink *s, const char **why)
{
	while (n != 0) {
		if (n < 0) {
			*why = "reading the message failed";
			return -1;
		}
		if (BIO_write(cb, buf, (int)n) != (int)n) {
			*why = s->failed ? "writing the result failed" :
			    "encryption failed";
			return -1;
		}
		n = rd(rctx, buf, SMIME_CHUNK);
	}
	return 0;
}

/*
 * An empty entity, not streamed: the streaming encoder writes nothing
 * at all when no content octet reaches it and AES-GCM's final adds none
 * (OpenSSL 3.0), so it is encrypted whole, which costs nothing here.
 */
static int
empty(CMS_ContentInfo *cms, BIO *out)
{
	BIO *none;
	int ok;

	if ((none = BIO_new(BIO_s_mem())) == NULL)
		return 0;
	ok = CMS_final(cms, none, NULL, CMS_BINARY) == 1 &&
	    i2d_CMS_bio(out, cms) == 1 && BIO_flush(out) == 1;
	BIO_free(none);
	return ok;
}

int
smime_encrypt(const struct smime_key *k, enum smime_cipher c,
    enc_read_fn rd, void *rctx, enc_write_fn wr, void *wctx,
    const char **why)
{
	struct smime_sink sink;
	BIO_METHOD *meth = NULL;
	BIO *out = NULL, *cb = NULL, *t;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	char *buf = NULL;
	ssize_t n;
	int rc = -1;

	ERR_clear_error();
	memset(&sink, 0, sizeof(sink));
	sink.wr = wr;
	sink.ctx = wctx;
	*why = "cannot set up the encryption";
	/*
	 * A method of this call's own: no state outlives it.  Not a type
	 * from BIO_get_new_index(): those run out after 127 calls, and
	 * nothing looks this BIO up by its type.
	 */
	if ((buf = malloc(SMIME_CHUNK)) == NULL ||
	    (meth = BIO_meth_new(BIO_TYPE_SOURCE_SINK,
	    "samotop enc_write_fn")) == NULL ||
	    !BIO_meth_set_write(meth, sink_write) ||
	    !BIO_meth_set_ctrl(meth, sink_ctrl) ||
	    !BIO_meth_set_create(meth, sink_create) ||
	    (out = BIO_new(meth)) == NULL)
		goto done;
	BIO_set_data(out, &sink);
	if ((certs = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(certs, k->cert))
		goto done;
	/*
	 * CMS_STREAM: only the structure, the content comes through the
	 * BIO; CMS_BINARY: the entity is taken as given (the caller passes
	 * it in canonical form), no line-end translation.  An AEAD cipher
	 * makes it AuthEnvelopedData.
	 */
	if ((cms = CMS_encrypt(certs, NULL, cipher(c),
	    CMS_STREAM | CMS_BINARY)) == NULL)
		goto done;
	if ((n = rd(rctx, buf, SMIME_CHUNK)) == 0) {
		if (!empty(cms, out)) {
			*why = sink.failed ? "writing the result failed" :
			    "encryption failed";
			goto done;
		}
	} else {
		if ((cb = BIO_new_CMS(out, cms)) == NULL)
			goto done;
		if (feed(cb, buf, n, rd, rctx, &sink, why) == -1)
			goto done;
		/* the cipher's last block or tag, the BER end, base64's end */
		if (BIO_flush(cb) <= 0 || sink.failed ||
		    ERR_peek_error() != 0) {
			*why = sink.failed ? "writing the result failed" :
			    "encryption failed";
			goto done;
		}
	}
	if (sink_finish(&sink) == -1) {
		*why = "writing the result failed";
		goto done;
	}
	rc = 0;
	*why = NULL;
done:
	/* the chain BIO_new_CMS() pushed onto out, then out's own */
	while (cb != NULL && cb != out) {
		t = BIO_pop(cb);
		BIO_free(cb);
		cb = t;
	}
	BIO_free(out);
	BIO_meth_free(meth);
	CMS_ContentInfo_free(cms);
	sk_X509_free(certs);	/* the certificate stays k's */
	free(buf);
	ERR_clear_error();
	return rc;
}
