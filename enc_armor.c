/*
 * enc_armor.c: ASCII armor; see enc_armor.h.
 */
#include <string.h>

#include "enc_armor.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char begin_line[] = "-----BEGIN PGP MESSAGE-----\r\n\r\n";
static const char end_line[] = "-----END PGP MESSAGE-----\r\n";

size_t
enc_armor_begin(struct enc_armor *a, char *out)
{
	a->nrem = 0;
	a->col = 0;
	memcpy(out, begin_line, sizeof(begin_line) - 1);
	return sizeof(begin_line) - 1;
}

static char *
group(const unsigned char *p, char *o)
{
	o[0] = b64[p[0] >> 2];
	o[1] = b64[((p[0] & 3) << 4) | (p[1] >> 4)];
	o[2] = b64[((p[1] & 15) << 2) | (p[2] >> 6)];
	o[3] = b64[p[2] & 63];
	return o + 4;
}

/* One group of three octets, and a line end when the line is full. */
static char *
put_group(struct enc_armor *a, const unsigned char *p, char *o)
{
	o = group(p, o);
	if ((a->col += 4) == ENC_ARMOR_LINE) {
		*o++ = '\r';
		*o++ = '\n';
		a->col = 0;
	}
	return o;
}

size_t
enc_armor_update(struct enc_armor *a, const unsigned char *in, size_t len,
    char *out)
{
	char *o = out;
	size_t i;

	while (a->nrem > 0 && a->nrem < 3 && len > 0) {
		a->rem[a->nrem++] = *in++;
		len--;
	}
	if (a->nrem == 3) {
		o = put_group(a, a->rem, o);
		a->nrem = 0;
	}
	/* To the start of a line, then whole lines of 48 octets. */
	while (a->col != 0 && len >= 3) {
		o = put_group(a, in, o);
		in += 3;
		len -= 3;
	}
	while (len >= 48) {
		for (i = 0; i < 48; i += 3)
			o = group(in + i, o);
		*o++ = '\r';
		*o++ = '\n';
		in += 48;
		len -= 48;
	}
	while (len >= 3) {
		o = put_group(a, in, o);
		in += 3;
		len -= 3;
	}
	memcpy(a->rem + a->nrem, in, len);
	a->nrem += len;
	return (size_t)(o - out);
}

size_t
enc_armor_end(struct enc_armor *a, char *out)
{
	unsigned char p[3] = { 0, 0, 0 };
	char *o = out;

	if (a->nrem > 0) {
		memcpy(p, a->rem, a->nrem);
		group(p, o);
		if (a->nrem == 1)
			o[2] = '=';
		o[3] = '=';
		o += 4;
		a->col += 4;
	}
	if (a->col != 0) {
		*o++ = '\r';
		*o++ = '\n';
	}
	memcpy(o, end_line, sizeof(end_line) - 1);
	o += sizeof(end_line) - 1;
	a->nrem = 0;
	a->col = 0;
	return (size_t)(o - out);
}
