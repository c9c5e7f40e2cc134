/*
 * enc_mime.h: the MIME side of samotop-encrypt, pure (no I/O): the
 * header section of a message, whether it is already encrypted, and
 * the header blocks of what samotop-encrypt writes instead of it.
 *
 * The input is canonical content (CRLF line ends, as lmtp.c gives it);
 * a bare LF is taken as a line end too.  Header lines are copied as they
 * are, folding and line ends included: nothing is re-encoded.
 *
 * The encrypted entity (enc_mime_protect()) is the original header block,
 * every field, with protected-headers="v1" added to its Content-Type
 * (draft-autocrypt-lamps-protected-headers), then the original body.  A
 * message without a Content-Type gets "text/plain; protected-headers=v1"
 * and no charset: RFC 2045's default for a missing field is text/plain,
 * so the entity reads as the message did.
 *
 * The outer header (enc_mime_outer()) keeps only what delivery and
 * threading need: From, To, Cc, Date, Message-ID, In-Reply-To,
 * References, Return-Path and Delivered-To; then Subject ("..." unless
 * the original Subject is kept), then the caller's MIME fields.
 */
#ifndef SAMOTOP_ENC_MIME_H
#define SAMOTOP_ENC_MIME_H

#include <stddef.h>

#define ENC_HDR_MAX	(256 * 1024)	/* header section we read */
#define ENC_MIME_EXTRA	256		/* enc_mime_protect() adds at most */
#define ENC_BOUNDARY_MAX 64		/* a boundary, NUL included */

/* One header field: name, and the whole field (folded lines, line end). */
struct enc_field {
	const char	*name;
	size_t		 namelen;
	const char	*value;		/* after the colon */
	size_t		 valuelen;	/* up to the final line end */
	const char	*start;
	size_t		 len;		/* the field's lines, line end included */
};

/*
 * Find the header section in msg[0..len): 1 with *hlen (the header
 * fields, their last line end included) and *body (where the body
 * starts, after the empty line) when the empty line was seen, or when
 * eof says msg is the whole message (no body: *body = len).  0: read
 * more.  A message that starts with an empty line has *hlen 0.
 */
int		enc_mime_split(const char *msg, size_t len, int eof,
		    size_t *hlen, size_t *body);
/*
 * The next field of hdr[0..len) from *pos: 1 with f set, 0 at the end.
 * A line that is neither a field nor a continuation is skipped.
 */
int		enc_mime_field_next(const char *hdr, size_t len, size_t *pos,
		    struct enc_field *f);
/* Whether f's name is name (ASCII, case-insensitive). */
int		enc_mime_field_is(const struct enc_field *f, const char *name);
/*
 * 1 when hdr's Content-Type is multipart/encrypted, application/pkcs7-mime
 * or application/x-pkcs7-mime: the message is encrypted already.
 */
int		enc_mime_is_encrypted(const char *hdr, size_t len);
/*
 * The protected header block into out[0..size): hdr with
 * protected-headers="v1" on its (first) Content-Type, or such a field
 * added.  size >= len + ENC_MIME_EXTRA always fits.  Returns the length,
 * 0 when it does not fit.
 */
size_t		enc_mime_protect(const char *hdr, size_t len, char *out,
		    size_t size);
/*
 * The outer header section into out[0..size): the kept fields of hdr,
 * the Subject (hdr's own when keep_subject, else "Subject: ..."), mime
 * (CRLF-ended field lines), then the empty line.  size >= len +
 * strlen(mime) + 32 always fits.  Returns the length, 0 when it does
 * not fit.
 */
size_t		enc_mime_outer(const char *hdr, size_t len, int keep_subject,
		    const char *mime, char *out, size_t size);
/*
 * A MIME boundary from 16 random octets (rnd): "=_samotop_" and hex.
 * '_' never occurs in base64 or ASCII armor, so no armored line can
 * be taken for the boundary.
 */
void		enc_mime_boundary(const unsigned char rnd[16],
		    char out[ENC_BOUNDARY_MAX]);
/*
 * The PGP/MIME (RFC 3156) pieces around the armored message, for
 * boundary b: the outer MIME fields, what comes before the armor (the
 * version part and the second part's header) and what comes after it.
 * Each into out[0..size), NUL-terminated; the length, or 0 if it does
 * not fit (512 octets always do).
 */
size_t		enc_mime_pgp_fields(const char *b, char *out, size_t size);
size_t		enc_mime_pgp_open(const char *b, char *out, size_t size);
size_t		enc_mime_pgp_close(const char *b, char *out, size_t size);

#endif
