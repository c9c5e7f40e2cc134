/*
 * enc_smime.h: S/MIME (RFC 8551) for samotop-encrypt.  A recipient's
 * X.509 certificate, and one MIME entity streamed into CMS (RFC 5652)
 * EnvelopedData (AES-CBC) or AuthEnvelopedData (AES-GCM, RFC 5083/5084),
 * written out base64-encoded.  OpenSSL's CMS does all of it; memory
 * stays bounded whatever the size of the entity.
 */
#ifndef SAMOTOP_ENC_SMIME_H
#define SAMOTOP_ENC_SMIME_H

#include <time.h>

#include "enc_key.h"

enum smime_cipher {
	SMIME_AES256_GCM,	/* the default: RFC 8551 MUST */
	SMIME_AES128_GCM,
	SMIME_AES256_CBC,	/* for readers without AuthEnvelopedData */
	SMIME_AES128_CBC,
};

struct smime_key;	/* one certificate, opaque */

/*
 * Load the PEM certificate at path and check it at time now: within its
 * validity period, an RSA or EC key, and a key usage (when present) that
 * allows keyEncipherment or keyAgreement.  *k is set only for
 * ENC_KEY_OK; errno is kept for ENC_KEY_MISSING and ENC_KEY_EIO.
 */
enum enc_keystate smime_key_load(struct smime_key **k, const char *path,
		    time_t now);
void		smime_key_free(struct smime_key *k);

/* "aes256-gcm", "aes128-gcm", "aes256-cbc", "aes128-cbc": 0, or -1. */
int		smime_cipher_parse(const char *name, enum smime_cipher *c);
/*
 * The result's Content-Type field value, parameters included:
 * application/pkcs7-mime with smime-type enveloped-data (CBC) or
 * authEnveloped-data (GCM), name="smime.p7m".
 */
const char	*smime_content_type(enum smime_cipher c);

/*
 * Encrypt everything rd gives (until it returns 0) to k with cipher c,
 * and write the DER of the CMS structure base64-encoded, in lines of at
 * most 76 characters ended by LF, through wr.  Returns 0, or -1 with
 * *why saying what failed (a static string).
 */
int		smime_encrypt(const struct smime_key *k, enum smime_cipher c,
		    enc_read_fn rd, void *rctx, enc_write_fn wr, void *wctx,
		    const char **why);

#endif
