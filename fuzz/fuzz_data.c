/*
 * fuzz_data.c: the DATA/BDAT decoder.  The first octet picks the mode and
 * the limits; the rest is decoded in pieces whose sizes are derived from
 * the input.  The output must be canonical (CRLF only), must not depend
 * on the pieces, must respect the limits, must end only at a true
 * CRLF.CRLF, and must survive an encode/decode round trip.  Strict DATA
 * decoded still dot-stuffed must end and fail where it does unstuffed,
 * and must decode to the same content.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define BIGOUT	4096

struct result {
	char		*out;
	size_t		 outlen;
	size_t		 used;
	enum data_result res;
	enum data_fail	 fail;
};

static uint32_t
next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Decode in[0..len) in pieces (seed 0: one piece) with outsize octets of
 * room per call; BDAT content is finished with data_finish().
 */
static void
decode(const char *in, size_t len, int dotted, int strict, int stuffed,
    size_t max_line, size_t max_size, size_t outsize, uint32_t seed,
    struct result *r)
{
	struct data_decoder d;
	size_t cap = 2 * len + DATA_OUT_MIN + outsize;
	size_t pos = 0, end, u, n;

	r->out = malloc(cap);
	if (r->out == NULL)
		abort();
	r->outlen = 0;
	r->res = DATA_MORE;
	data_init(&d, dotted, strict, max_line, max_size);
	if (stuffed && data_keep_stuffing(&d) == -1)
		abort();
	while (pos < len && r->res != DATA_END) {
		end = len;
		if (seed != 0 && next(&seed) % 4 != 0)
			end = pos + 1 + next(&seed) % (next(&seed) % 2 ? 3 : 40);
		if (end > len)
			end = len;
		while (pos < end) {
			if (r->outlen + outsize > cap)
				abort();
			r->res = data_decode(&d, in + pos, end - pos, &u,
			    r->out + r->outlen, outsize, &n);
			if (u > end - pos || n > outsize)
				abort();
			pos += u;
			r->outlen += n;
			if (r->res == DATA_END)
				break;
			if (r->res == DATA_FULL && u == 0)
				abort();	/* no progress */
			if (r->res == DATA_MORE && pos != end)
				abort();
		}
	}
	r->used = pos;
	if (!dotted && r->res == DATA_END)
		abort();
	if (!dotted && r->res == DATA_MORE) {
		if (r->outlen + DATA_OUT_MIN > cap)
			abort();
		n = data_finish(&d, r->out + r->outlen);
		if (n > DATA_OUT_MIN)
			abort();
		r->outlen += n;
	}
	r->fail = d.fail;
	if (data_strerror(r->fail) == NULL || data_strerror(r->fail)[0] == 0)
		abort();
}

/* Only CRLF line ends; no line over max_line, no more than max_size. */
static void
check_canonical(const struct result *r, size_t max_line, size_t max_size)
{
	size_t i, line = 0;

	if (r->outlen > max_size)
		abort();
	for (i = 0; i < r->outlen; i++) {
		if (r->out[i] == '\n' && (i == 0 || r->out[i - 1] != '\r'))
			abort();
		if (r->out[i] == '\r' && (i + 1 == r->outlen ||
		    r->out[i + 1] != '\n'))
			abort();
		if (++line > max_line)
			abort();
		if (r->out[i] == '\n')
			line = 0;
	}
}

/* Where the message must end: the first ".\r\n" at a true line start. */
static size_t
end_marker(const char *in, size_t len)
{
	size_t p;

	for (p = 0; p + 3 <= len; p++)
		if (memcmp(in + p, ".\r\n", 3) == 0 && (p == 0 ||
		    (p >= 2 && in[p - 2] == '\r' && in[p - 1] == '\n')))
			return p + 3;
	return 0;
}

static void
check_roundtrip(const struct result *r)
{
	struct result again;
	char *enc;
	size_t n;
	int bol = 1;

	enc = malloc(2 * r->outlen + 5);
	if (enc == NULL)
		abort();
	n = data_encode(&bol, r->out, r->outlen, enc);
	n += data_encode_end(bol, enc + n);
	if (n > 2 * r->outlen + 5)
		abort();
	decode(enc, n, 1, 1, 0, (size_t)-1, (size_t)-1, BIGOUT, 0, &again);
	if (again.res != DATA_END || again.used != n ||
	    again.fail != DATA_OK)
		abort();
	if (r->outlen > 0 && (r->outlen < 2 ||
	    memcmp(r->out + r->outlen - 2, "\r\n", 2) != 0)) {
		if (again.outlen != r->outlen + 2 ||
		    memcmp(again.out + r->outlen, "\r\n", 2) != 0)
			abort();
	} else if (again.outlen != r->outlen)
		abort();
	if (memcmp(again.out, r->out, r->outlen) != 0)
		abort();
	free(again.out);
	free(enc);
}

/*
 * a: strict DATA decoded; the same input decoded still stuffed must stop
 * at the same place with the same failure, and, if none, unstuff to a's
 * content (followed by the CRLF that ends the line when it has not).
 */
static void
check_stuffed(const char *in, size_t len, size_t max_line, size_t max_size,
    uint32_t seed, const struct result *a)
{
	struct result s, back;
	char *enc;

	decode(in, len, 1, 1, 1, max_line, max_size, DATA_OUT_MIN, seed, &s);
	if (s.res != a->res || s.used != a->used || s.fail != a->fail)
		abort();
	if (s.fail == DATA_OK) {
		if ((enc = malloc(s.outlen + 5)) == NULL)
			abort();
		memcpy(enc, s.out, s.outlen);
		memcpy(enc + s.outlen, a->res == DATA_END ? ".\r\n" :
		    "\r\n.\r\n", a->res == DATA_END ? 3 : 5);
		decode(enc, s.outlen + (a->res == DATA_END ? 3 : 5), 1, 1, 0,
		    (size_t)-1, (size_t)-1, BIGOUT, 0, &back);
		if (back.res != DATA_END || back.fail != DATA_OK ||
		    back.outlen != a->outlen + (a->res == DATA_END ? 0 : 2) ||
		    memcmp(back.out, a->out, a->outlen) != 0)
			abort();
		free(back.out);
		free(enc);
	}
	free(s.out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lines[] = { 1000, 7, 3, (size_t)-1 };
	static const size_t sizes[] = { (size_t)-1, 20, 100, 0 };
	static const size_t outsizes[] = { DATA_OUT_MIN, 5, 16, BIGOUT };
	struct result a, b;
	uint32_t seed = 2166136261u;
	size_t len, i, max_line, max_size, mark;
	int dotted, strict;
	char *in;

	if (size < 1)
		return 0;
	dotted = data[0] & 1;
	strict = (data[0] >> 1) & 1;
	max_line = lines[(data[0] >> 2) & 3];
	max_size = sizes[(data[0] >> 4) & 3];
	len = size - 1;
	in = malloc(len + 1);
	if (in == NULL)
		abort();
	memcpy(in, data + 1, len);
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	if (seed == 0)
		seed = 1;

	decode(in, len, dotted, strict, 0, max_line, max_size,
	    outsizes[(data[0] >> 6) & 3], seed, &a);
	decode(in, len, dotted, strict, 0, max_line, max_size, BIGOUT, 0, &b);
	if (a.res != b.res || a.used != b.used || a.fail != b.fail ||
	    a.outlen != b.outlen || memcmp(a.out, b.out, a.outlen) != 0)
		abort();
	check_canonical(&a, max_line, max_size);
	mark = dotted ? end_marker(in, len) : 0;
	if (mark != 0 ? a.res != DATA_END || a.used != mark :
	    a.res == DATA_END || a.used != len)
		abort();
	check_roundtrip(&a);
	if (dotted && strict)
		check_stuffed(in, len, max_line, max_size, seed, &a);
	free(a.out);
	free(b.out);
	free(in);
	return 0;
}
