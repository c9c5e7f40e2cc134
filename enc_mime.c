/*
 * enc_mime.c: header sections in and out of samotop-encrypt; see
 * enc_mime.h.  Pure: every function works on the buffers it is given.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "enc_mime.h"
#include "hex.h"

/* The fields the outer header keeps: delivery and threading. */
static const char *const kept[] = {
	"From", "To", "Cc", "Date", "Message-ID", "In-Reply-To",
	"References", "Return-Path", "Delivered-To", NULL,
};

static const char protected_param[] = "protected-headers=\"v1\"";

int
enc_mime_split(const char *msg, size_t len, int eof, size_t *hlen,
    size_t *body)
{
	const char *lf;
	size_t i = 0;

	/* The empty line is at the start, or right after a line end. */
	for (;;) {
		if (i < len && msg[i] == '\n') {
			*hlen = i;
			*body = i + 1;
			return 1;
		}
		if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n') {
			*hlen = i;
			*body = i + 2;
			return 1;
		}
		if (i + 1 >= len && !(i + 1 == len && msg[i] != '\r'))
			break;		/* not decidable yet */
		lf = memchr(msg + i, '\n', len - i);
		if (lf == NULL)
			break;
		i = lf + 1 - msg;
	}
	if (!eof)
		return 0;
	*hlen = *body = len;
	return 1;
}

/* The end of the line at p (after its LF), or end. */
static size_t
line_end(const char *hdr, size_t len, size_t p)
{
	const char *lf = memchr(hdr + p, '\n', len - p);

	return lf != NULL ? (size_t)(lf - hdr) + 1 : len;
}

int
enc_mime_field_next(const char *hdr, size_t len, size_t *pos,
    struct enc_field *f)
{
	size_t p = *pos, e, n, v;

	while (p < len) {
		e = line_end(hdr, len, p);
		for (n = p; n < e && hdr[n] > 32 && hdr[n] < 127 &&
		    hdr[n] != ':'; n++)
			;
		if (n == p || n == e || hdr[n] != ':') {
			p = e;		/* not a field: skipped */
			continue;
		}
		f->name = hdr + p;
		f->namelen = n - p;
		f->start = hdr + p;
		while (e < len && (hdr[e] == ' ' || hdr[e] == '\t'))
			e = line_end(hdr, len, e);
		f->len = e - p;
		f->value = hdr + n + 1;
		v = e;
		if (v > n + 1 && hdr[v - 1] == '\n')
			v--;
		if (v > n + 1 && hdr[v - 1] == '\r')
			v--;
		f->valuelen = v - (n + 1);
		*pos = e;
		return 1;
	}
	*pos = p;
	return 0;
}

int
enc_mime_field_is(const struct enc_field *f, const char *name)
{
	return strlen(name) == f->namelen &&
	    strncasecmp(f->name, name, f->namelen) == 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first Content-Type field of hdr: 1, or 0 when it has none. */
static int
content_type(const char *hdr, size_t len, struct enc_field *f)
{
	size_t pos = 0;

	while (enc_mime_field_next(hdr, len, &pos, f))
		if (enc_mime_field_is(f, "Content-Type"))
			return 1;
	return 0;
}

/* Whether the value v[0..n) starts with the media type t. */
static int
type_is(const char *v, size_t n, const char *t)
{
	size_t tl = strlen(t);

	while (n > 0 && is_blank(*v)) {
		v++;
		n--;
	}
	if (n < tl || strncasecmp(v, t, tl) != 0)
		return 0;
	return n == tl || v[tl] == ';' || v[tl] == '(' || is_blank(v[tl]);
}

int
enc_mime_is_encrypted(const char *hdr, size_t len)
{
	struct enc_field f;

	if (!content_type(hdr, len, &f))
		return 0;
	return type_is(f.value, f.valuelen, "multipart/encrypted") ||
	    type_is(f.value, f.valuelen, "application/pkcs7-mime") ||
	    type_is(f.value, f.valuelen, "application/x-pkcs7-mime");
}

/* Append s[0..n) to out; -1 when it does not fit (NUL kept room for). */
static int
put(char *out, size_t size, size_t *at, const char *s, size_t n)
{
	if (n >= size - *at)
		return -1;
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
	return 0;
}

static int
puts0(char *out, size_t size, size_t *at, const char *s)
{
	return put(out, size, at, s, strlen(s));
}

/* Whether v[0..n) holds s, case-insensitively. */
static int
holds(const char *v, size_t n, const char *s)
{
	size_t sl = strlen(s), i;

	for (i = 0; i + sl <= n; i++)
		if (strncasecmp(v + i, s, sl) == 0)
			return 1;
	return 0;
}

size_t
enc_mime_protect(const char *hdr, size_t len, char *out, size_t size)
{
	struct enc_field f;
	const char *v;
	size_t at = 0, n, head;

	if (size == 0)
		return 0;
	if (!content_type(hdr, len, &f)) {
		if (put(out, size, &at, hdr, len) == -1 ||
		    (len > 0 && hdr[len - 1] != '\n' &&
		    puts0(out, size, &at, "\r\n") == -1) ||
		    puts0(out, size, &at, "Content-Type: text/plain; ") == -1 ||
		    puts0(out, size, &at, protected_param) == -1 ||
		    puts0(out, size, &at, "\r\n\r\n") == -1)
			return 0;
		return at;
	}
	/* The value without its trailing blanks; the parameter goes there. */
	v = f.value;
	n = f.valuelen;
	while (n > 0 && is_blank(v[n - 1]))
		n--;
	head = (size_t)(v + n - hdr);
	if (put(out, size, &at, hdr, head) == -1)
		return 0;
	if (!holds(f.value, f.valuelen, "protected-headers") &&
	    (puts0(out, size, &at, n > 0 && v[n - 1] == ';' ? " " : "; ") ==
	    -1 || puts0(out, size, &at, protected_param) == -1))
		return 0;
	if (put(out, size, &at, hdr + head, len - head) == -1 ||
	    (len > 0 && hdr[len - 1] != '\n' &&
	    puts0(out, size, &at, "\r\n") == -1) ||
	    puts0(out, size, &at, "\r\n") == -1)
		return 0;
	return at;
}

static int
is_kept(const struct enc_field *f)
{
	size_t i;

	for (i = 0; kept[i] != NULL; i++)
		if (enc_mime_field_is(f, kept[i]))
			return 1;
	return 0;
}

size_t
enc_mime_outer(const char *hdr, size_t len, int keep_subject,
    const char *mime, char *out, size_t size)
{
	struct enc_field f;
	size_t pos = 0, at = 0;
	int subject;

	if (size == 0)
		return 0;
	out[0] = '\0';
	while (enc_mime_field_next(hdr, len, &pos, &f)) {
		subject = enc_mime_field_is(&f, "Subject");
		if (!is_kept(&f) && !(subject && keep_subject))
			continue;
		if (put(out, size, &at, f.start, f.len) == -1 ||
		    (f.start[f.len - 1] != '\n' &&
		    puts0(out, size, &at, "\r\n") == -1))
			return 0;
	}
	if ((!keep_subject &&
	    puts0(out, size, &at, "Subject: ...\r\n") == -1) ||
	    puts0(out, size, &at, mime) == -1 ||
	    puts0(out, size, &at, "\r\n") == -1)
		return 0;
	return at;
}

void
enc_mime_boundary(const unsigned char rnd[16], char out[ENC_BOUNDARY_MAX])
{
	size_t at = strlen("=_samotop_");

	memcpy(out, "=_samotop_", at);
	hex_lower(rnd, 16, out + at);
}

/* snprintf's length, or 0 when it did not fit. */
static size_t
fitted(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

size_t
enc_mime_pgp_fields(const char *b, char *out, size_t size)
{
	return fitted(snprintf(out, size,
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/encrypted;\r\n"
	    " protocol=\"application/pgp-encrypted\";\r\n"
	    " boundary=\"%s\"\r\n", b), size);
}

size_t
enc_mime_pgp_open(const char *b, char *out, size_t size)
{
	return fitted(snprintf(out, size,
	    "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
	    "--%s\r\n"
	    "Content-Type: application/pgp-encrypted\r\n"
	    "Content-Description: PGP/MIME version identification\r\n"
	    "\r\n"
	    "Version: 1\r\n"
	    "\r\n"
	    "--%s\r\n"
	    "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
	    "Content-Description: OpenPGP encrypted message\r\n"
	    "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
	    "\r\n", b, b), size);
}

size_t
enc_mime_pgp_close(const char *b, char *out, size_t size)
{
	return fitted(snprintf(out, size, "\r\n--%s--\r\n", b), size);
}
