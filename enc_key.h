/*
 * enc_key.h: what samotop-encrypt's key back ends (enc_pgp.c for
 * OpenPGP, enc_smime.c for S/MIME) have in common: the state of a
 * recipient's key as looked up at RCPT time, and the two callbacks a
 * back end streams through.  A back end never does I/O of its own on
 * the message: it pulls the plaintext through an enc_read_fn and pushes
 * the ciphertext through an enc_write_fn, so the plaintext lives only in
 * its bounded buffers and a pipe.
 */
#ifndef SAMOTOP_ENC_KEY_H
#define SAMOTOP_ENC_KEY_H

#include <stddef.h>
#include <sys/types.h>

enum enc_keystate {
	ENC_KEY_OK,		/* usable: encrypt to it */
	ENC_KEY_MISSING,	/* no such file */
	ENC_KEY_EXPIRED,	/* expired, or not yet valid */
	ENC_KEY_UNUSABLE,	/* revoked, or no key that may encrypt */
	ENC_KEY_MALFORMED,	/* the file holds no key the library reads */
	ENC_KEY_EIO,		/* the file exists but cannot be read */
};

/* Fill buf[0..size): octets read, 0 at the end, -1 on error. */
typedef ssize_t	(*enc_read_fn)(void *ctx, char *buf, size_t size);
/* Take buf[0..len): 0, or -1 to stop (the encryption then fails). */
typedef int	(*enc_write_fn)(void *ctx, const char *buf, size_t len);

/* The state in words, for log lines ("expired", "malformed", ...). */
const char	*enc_keystate_name(enum enc_keystate s);

#endif
