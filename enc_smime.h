/*
 * enc_smime.h: S/MIME (RFC 8551) for samotop-encrypt.  A recipient's
 * X.509 certificate, and one MIME entity streamed into CMS (RFC 5652)
 * EnvelopedData (AES-CBC) or AuthEnvelopedData (AES-GCM, RFC 5083/5084),
 * written out base64-encoded.  OpenSSL's CMS does all of it; memory
 * stays bounded whatever the size of the entity.
 *
 * Both kinds stream with OpenSSL 3.0 (BIO_new_CMS(): BER with
 * indefinite lengths, GCM's tag after the content): peak RSS stays
 * near 6 MiB for a 256 MiB entity, GCM or CBC, and no fallback is
 * needed.  Only an empty entity is encrypted whole (the streaming
 * encoder writes nothing when no content octet reaches it).
 *
 * Readers: AES-CBC EnvelopedData is what every S/MIME reader decrypts
 * (Thunderbird, Outlook, Apple Mail, openssl smime and cms).
 * AuthEnvelopedData (GCM) is what RFC 8551 asks receivers to support,
 * but few do yet: OpenSSL 3.0 and later (openssl cms, not openssl
 * smime), BouncyCastle's CMS.  No report was found of Thunderbird (NSS),
 * Outlook or Apple Mail decrypting it, and one (MimeKit issue 1149,
 * 2025) that Outlook does not: a user who reads mail there needs
 * aes256-cbc.
 *
 * The certificate: TEMPLATE.pem, PEM (the first CERTIFICATE block; other
 * blocks such as a private key are skipped) or DER, at most 256 KiB.
 * Made for instance with
 *	openssl req -x509 -newkey rsa:3072 -nodes -keyout KEY -out CERT.pem
 *	    -days 730 -subj /CN=user@example.org
 *	    -addext keyUsage=critical,digitalSignature,keyEncipherment
 *	    -addext extendedKeyUsage=emailProtection
 *	    -addext subjectAltName=email:user@example.org
 * or exported from the mail reader (the user's own certificate, never
 * the private key).  Its issuer and signature are not checked: the file
 * is the administrator's statement of the recipient's key.
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
 * (Implementation: a key usable on paper is also tried, by encrypting
 * an empty entity to it, so that ENC_KEY_OK means smime_encrypt() works;
 * a key that fails it is ENC_KEY_UNUSABLE.  A file larger than 256 KiB
 * is ENC_KEY_MALFORMED.)
 */
enum enc_keystate smime_key_load(struct smime_key **k, const char *path,
		    time_t now);
void		smime_key_free(struct smime_key *k);

/*
 * The cipher to encrypt to k with: c, unless the certificate lists the
 * ciphers its owner's reader decrypts (the S/MIME Capabilities
 * extension, RFC 4262; Windows CAs put it in) and c is not among them.
 * Then the first of aes256-gcm, aes128-gcm, aes256-cbc, aes128-cbc that
 * it lists, or aes128-cbc (RFC 5751's MUST) when it lists none of them.
 * (An addition to the first contract: the "AES-GCM or AES-CBC
 * as the certificate allows".)
 */
enum smime_cipher smime_key_cipher(const struct smime_key *k,
		    enum smime_cipher c);

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
 * (Implementation: the octets are encrypted as given (CMS_BINARY), so
 * the caller passes the entity in canonical form, CRLF line ends (RFC
 * 8551 3.1.1).  The encoding is BER with indefinite lengths, which DER
 * readers of CMS accept.  rd is asked for 64 KiB at a time; wr gets
 * whole lines, about 10 KiB at a time.  After -1 some of the result may
 * have gone through wr already: the caller discards it.  Neither rd's
 * error nor wr's stops anything but this call; *why is "reading the
 * message failed", "writing the result failed", "encryption failed" or
 * "cannot set up the encryption".)
 */
int		smime_encrypt(const struct smime_key *k, enum smime_cipher c,
		    enc_read_fn rd, void *rctx, enc_write_fn wr, void *wctx,
		    const char **why);

#endif
