/*
 * enc_armor.h: OpenPGP ASCII armor (RFC 9580, section 6) of a binary
 * message, incrementally and pure (no I/O): "-----BEGIN PGP MESSAGE-----",
 * an empty line, base64 in lines of 64 characters, the END line; every
 * line ended by CRLF, ready for a MIME body part.
 *
 * librnp armors too, but at a third of the speed of its encryption; this
 * encoder keeps the armor from being the bottleneck.  It writes no CRC24
 * checksum line: RFC 9580 says an encoder SHOULD NOT, and that a reader
 * MUST NOT reject a message without one (GnuPG and librnp read it).
 */
#ifndef SAMOTOP_ENC_ARMOR_H
#define SAMOTOP_ENC_ARMOR_H

#include <stddef.h>

#define ENC_ARMOR_LINE	64	/* base64 characters per line */
/* What enc_armor_update() may write for len octets, at most. */
#define ENC_ARMOR_OUT(len) ((len) / 3 * 4 + 4 + ((len) / 48 + 2) * 2)
/* What enc_armor_begin() and enc_armor_end() write, at most. */
#define ENC_ARMOR_FRAME	40

struct enc_armor {
	unsigned char	rem[3];		/* octets waiting for a whole group */
	size_t		nrem;
	size_t		col;		/* characters on the current line */
};

/* Start: a reset, and the BEGIN line and the empty line into out. */
size_t	enc_armor_begin(struct enc_armor *a, char *out);
/* Encode in[0..len) into out (ENC_ARMOR_OUT(len)); the octets written. */
size_t	enc_armor_update(struct enc_armor *a, const unsigned char *in,
	    size_t len, char *out);
/* The last group with its padding, the line end, the END line. */
size_t	enc_armor_end(struct enc_armor *a, char *out);

#endif
