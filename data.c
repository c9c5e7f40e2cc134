/*
 * data.c: the DATA/BDAT content decoder and the dot-stuffing encoder.
 *
 * Only a CRLF pair ends a line.  A line that begins after CRLF is subject
 * to the dot rules; one that begins after a bare CR or LF is not, so no
 * bare line end can forge the end marker.
 */
#include <string.h>

#include "data.h"

enum {
	S_BOL,		/* at the start of a line that began after CRLF */
	S_DOT,		/* "." at S_BOL */
	S_DOT_CR,	/* ".\r" at S_BOL */
	S_TEXT,		/* inside a line */
	S_CR,		/* a CR inside a line */
};

void
data_init(struct data_decoder *d, int dotted, int strict, size_t max_line,
    size_t max_size)
{
	d->state = S_BOL;
	d->dotted = dotted;
	d->strict = strict;
	d->max_line = max_line;
	d->max_size = max_size;
	d->size = 0;
	d->line = 0;
	d->fail = DATA_OK;
	d->stuffed = 0;
}

int
data_keep_stuffing(struct data_decoder *d)
{
	if (!d->dotted || !d->strict)
		return -1;
	d->stuffed = 1;
	return 0;
}

static void
failure(struct data_decoder *d, enum data_fail f)
{
	if (d->fail == DATA_OK)
		d->fail = f;
}

/*
 * Append content octets, counting them against the size and line limits:
 * the line limit applies to the content line (RFC 5321 §4.5.3.1.6: not
 * counting the dot duplicated for transparency, and a bare line end
 * counted as the CRLF it is stored as).
 */
static void
emit(struct data_decoder *d, const char *s, size_t n, char *out,
    size_t *outlen)
{
	size_t i;

	d->line += n;
	if (d->line > d->max_line)
		failure(d, DATA_ELINE);
	d->size += n;
	if (d->size > d->max_size)
		failure(d, DATA_ESIZE);
	if (d->fail != DATA_OK)
		return;
	for (i = 0; i < n; i++)
		out[(*outlen)++] = s[i];
}

/* Octets before the first CR or LF: two memchr(3) beat a loop by far. */
static size_t
run_length(const char *in, size_t len)
{
	const char *lf = memchr(in, '\n', len), *cr;

	if (lf != NULL)
		len = lf - in;
	cr = memchr(in, '\r', len);
	return cr != NULL ? (size_t)(cr - in) : len;
}

/*
 * A run of ordinary octets inside a line (no CR, no LF), copied at once:
 * exactly what emitting them one by one would give, limits included,
 * without a call and two checks per octet.  Returns the octets taken.
 */
static size_t
text_run(struct data_decoder *d, const char *in, size_t len, char *out,
    size_t room, size_t *outlen)
{
	size_t n = 0, ok, line_room, size_room;

	if (d->state != S_TEXT || room <= DATA_OUT_MIN)
		return 0;
	if (len > room - DATA_OUT_MIN)
		len = room - DATA_OUT_MIN;
	n = run_length(in, len);
	if (n == 0)
		return 0;
	if (d->fail == DATA_OK) {
		/* The limit met first fails, the line's on a tie, as octet
		 * by octet. */
		line_room = d->max_line - d->line;
		size_room = d->max_size - d->size;
		ok = n < line_room ? n : line_room;
		ok = ok < size_room ? ok : size_room;
		memcpy(out + *outlen, in, ok);
		*outlen += ok;
		if (ok < n)
			failure(d, line_room <= size_room ? DATA_ELINE :
			    DATA_ESIZE);
	}
	d->line += n;
	d->size += n;
	return n;
}

/* A line end that was not CRLF: refuse it, or store it as CRLF. */
static void
bare_end(struct data_decoder *d, enum data_fail f, char *out, size_t *outlen)
{
	if (d->strict)
		failure(d, f);
	emit(d, "\r\n", 2, out, outlen);
	d->line = 0;
	d->state = S_TEXT;
}

static void
text_octet(struct data_decoder *d, char ch, char *out, size_t *outlen)
{
	if (ch == '\r')
		d->state = S_CR;
	else if (ch == '\n')
		bare_end(d, DATA_EBARELF, out, outlen);
	else {
		emit(d, &ch, 1, out, outlen);
		d->state = S_TEXT;
	}
}

/* One input octet; returns 1 when it completed the end marker. */
static int
step(struct data_decoder *d, char ch, char *out, size_t *outlen)
{
	switch (d->state) {
	case S_BOL:
		if (ch == '.' && d->dotted) {
			d->state = S_DOT;
			return 0;
		}
		text_octet(d, ch, out, outlen);
		return 0;
	case S_DOT:
		if (ch == '\r')
			d->state = S_DOT_CR;
		else if (ch == '\n') {
			emit(d, ".", 1, out, outlen);
			bare_end(d, DATA_EBARELF, out, outlen);
		} else {
			if (d->stuffed && d->fail == DATA_OK)
				out[(*outlen)++] = '.';	/* not content */
			text_octet(d, ch, out, outlen);	/* unstuffed */
		}
		return 0;
	case S_DOT_CR:
		if (ch == '\n')
			return 1;
		emit(d, ".", 1, out, outlen);
		bare_end(d, DATA_EBARECR, out, outlen);
		text_octet(d, ch, out, outlen);
		return 0;
	case S_CR:
		if (ch == '\n') {
			emit(d, "\r\n", 2, out, outlen);
			d->line = 0;
			d->state = S_BOL;
			return 0;
		}
		bare_end(d, DATA_EBARECR, out, outlen);
		text_octet(d, ch, out, outlen);
		return 0;
	default:
		text_octet(d, ch, out, outlen);
		return 0;
	}
}

enum data_result
data_decode(struct data_decoder *d, const char *in, size_t inlen,
    size_t *used, char *out, size_t outsize, size_t *outlen)
{
	size_t i;

	*outlen = 0;
	for (i = 0; i < inlen; i++) {
		i += text_run(d, in + i, inlen - i, out, outsize - *outlen,
		    outlen);
		if (i == inlen)
			break;
		if (outsize - *outlen < DATA_OUT_MIN) {
			*used = i;
			return DATA_FULL;
		}
		if (step(d, in[i], out, outlen)) {
			*used = i + 1;
			return DATA_END;
		}
	}
	*used = inlen;
	return DATA_MORE;
}

size_t
data_finish(struct data_decoder *d, char *out)
{
	size_t n = 0;

	if (d->state == S_CR)
		bare_end(d, DATA_EBARECR, out, &n);
	else if (d->state == S_TEXT && d->line > 0)
		emit(d, "\r\n", 2, out, &n);
	d->state = S_BOL;
	d->line = 0;
	return n;
}

const char *
data_strerror(enum data_fail f)
{
	switch (f) {
	case DATA_OK:
		return "ok";
	case DATA_EBARELF:
		return "bare LF (line end without CR) not allowed";
	case DATA_EBARECR:
		return "bare CR (CR without LF) not allowed";
	case DATA_ELINE:
		return "text line too long";
	case DATA_ESIZE:
		return "message too big";
	}
	return "data error";
}

/* Line by line: a dot doubled at the start of each, the rest copied. */
size_t
data_encode(int *at_bol, const char *in, size_t inlen, char *out)
{
	const char *lf;
	size_t run, n = 0;

	while (inlen > 0) {
		if (*at_bol && in[0] == '.')
			out[n++] = '.';
		lf = memchr(in, '\n', inlen);
		run = lf != NULL ? (size_t)(lf - in) + 1 : inlen;
		memcpy(out + n, in, run);
		n += run;
		*at_bol = lf != NULL;
		in += run;
		inlen -= run;
	}
	return n;
}

size_t
data_encode_end(int at_bol, char *out)
{
	size_t n = 0;

	if (!at_bol) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	out[n++] = '.';
	out[n++] = '\r';
	out[n++] = '\n';
	return n;
}

/* From CR to CR: each one is held until the next octet shows what it is. */
size_t
data_to_lf(int *pending_cr, const char *in, size_t len, char *out)
{
	const char *cr;
	size_t run, n = 0;

	while (len > 0) {
		if (*pending_cr && in[0] != '\n')
			out[n++] = '\r';
		*pending_cr = 0;
		cr = memchr(in, '\r', len);
		run = cr != NULL ? (size_t)(cr - in) : len;
		memcpy(out + n, in, run);
		n += run;
		if (cr != NULL) {
			*pending_cr = 1;
			run++;
		}
		in += run;
		len -= run;
	}
	return n;
}
