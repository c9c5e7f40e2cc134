/*
 * enc_pgp.h: OpenPGP (RFC 4880) for samotop-encrypt, through librnp
 * (Thunderbird's OpenPGP library).  A recipient's public key, loaded
 * and checked at RCPT time, and a stream encrypted to it: AES-256, no
 * compression, no AEAD (so that GnuPG 2.2 reads it), ASCII-armored.
 */
#ifndef SAMOTOP_ENC_PGP_H
#define SAMOTOP_ENC_PGP_H

#include <time.h>

#include "enc_key.h"

#define PGP_KEYFILE_MAX	(1024 * 1024)	/* a key file larger: malformed */

struct pgp_key;		/* one key in its own rnp context, opaque */

/*
 * Load the public key (binary or armored) in data[0..len) and check it
 * at time now: a primary key that is valid, not revoked, not expired,
 * with itself or a subkey (likewise valid) allowed to encrypt.  Of
 * several primary keys the first usable one is taken.  *k is set only
 * for ENC_KEY_OK; ENC_KEY_EXPIRED, ENC_KEY_UNUSABLE or ENC_KEY_MALFORMED
 * otherwise.
 */
enum enc_keystate pgp_key_read(struct pgp_key **k, const char *data,
		    size_t len, time_t now);
/*
 * librnp is loaded by the first call (rnplib.h); when it cannot be,
 * ENC_KEY_EIO with errno ELIBACC, and pgp_lib_error() says why.
 */
const char	*pgp_lib_error(void);
/*
 * The same from the file at path: ENC_KEY_MISSING when there is none,
 * ENC_KEY_EIO when it cannot be read (errno kept for both).
 */
enum enc_keystate pgp_key_load(struct pgp_key **k, const char *path,
		    time_t now);
void		pgp_key_free(struct pgp_key *k);
/* The key's fingerprint (hex), for logs. */
const char	*pgp_key_fpr(const struct pgp_key *k);

/*
 * Encrypt everything rd gives (until it returns 0) to k and write the
 * armored message ("-----BEGIN PGP MESSAGE-----", CRLF or LF line ends)
 * through wr.  Returns 0, or -1 with *why saying what failed (a static
 * string).
 */
int		pgp_encrypt(const struct pgp_key *k, enc_read_fn rd,
		    void *rctx, enc_write_fn wr, void *wctx, const char **why);

#endif
