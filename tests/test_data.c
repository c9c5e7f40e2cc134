/*
 * test_data.c: the DATA/BDAT decoder and the dot-stuffing encoder
 * (data.c).  Every case is decoded in one piece, split in two at every
 * offset, one octet per call, and with the smallest output buffer; the
 * result must not depend on how the input was cut.
 */
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "tests/unit.h"

#define BIG	(1 << 20)
#define BUFSZ	4096
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct dcase {
	const char	*in;
	int		 dotted;
	int		 strict;
	size_t		 max_line;
	size_t		 max_size;
	enum data_result want_res;	/* DATA_MORE: BDAT, data_finish */
	size_t		 want_used;	/* 0: strlen(in) */
	enum data_fail	 want_fail;
	const char	*want_out;
};

struct run {
	char		 out[BUFSZ];
	size_t		 outlen;
	size_t		 used;
	enum data_result res;
	enum data_fail	 fail;
	int		 stuck;		/* no progress on DATA_FULL */
};

/*
 * Decode in[0..len) in pieces ending at the offsets in cuts (ascending,
 * the last one len), with outsize octets of output room per call.  On
 * DATA_MORE at the end of a BDAT case, data_finish() is called.
 */
static void
decode(const struct dcase *tc, const char *in, size_t len,
    const size_t *cuts, size_t ncuts, size_t outsize, struct run *r)
{
	struct data_decoder d;
	size_t pos = 0, k, u, n;

	memset(r, 0, sizeof(*r));
	if (ncuts == 0 ? len != 0 : cuts[ncuts - 1] != len) {
		r->stuck = 1;
		return;
	}
	data_init(&d, tc->dotted, tc->strict, tc->max_line, tc->max_size);
	r->res = DATA_MORE;
	for (k = 0; k < ncuts && r->res != DATA_END; k++) {
		while (pos < cuts[k]) {
			if (r->outlen + outsize > sizeof(r->out)) {
				r->stuck = 1;
				return;
			}
			r->res = data_decode(&d, in + pos, cuts[k] - pos, &u,
			    r->out + r->outlen, outsize, &n);
			if (u > cuts[k] - pos || n > outsize) {
				r->stuck = 1;
				return;
			}
			pos += u;
			r->outlen += n;
			if (r->res == DATA_END)
				break;
			if (r->res == DATA_FULL && u == 0 && n == 0) {
				r->stuck = 1;
				return;
			}
			if (r->res == DATA_MORE && pos != cuts[k]) {
				r->stuck = 1;
				return;
			}
		}
	}
	r->used = pos;
	if (r->res == DATA_MORE && !tc->dotted) {
		n = data_finish(&d, r->out + r->outlen);
		if (n > DATA_OUT_MIN)
			r->stuck = 1;
		r->outlen += n;
	}
	r->fail = d.fail;
}

static int
same(const struct run *a, const struct run *b)
{
	return a->stuck == 0 && b->stuck == 0 && a->res == b->res &&
	    a->used == b->used && a->fail == b->fail &&
	    a->outlen == b->outlen && memcmp(a->out, b->out, a->outlen) == 0;
}

/* The same decoding, however the input is split and output bounded. */
static void
check_splits(const struct dcase *tc, const char *in, size_t len,
    const struct run *want, const char *name)
{
	static const size_t outsizes[] = { BUFSZ / 2, DATA_OUT_MIN,
	    DATA_OUT_MIN + 1, DATA_OUT_MIN + 3 };
	struct run r;
	size_t cuts[2], *one, i, o;

	for (o = 0; o < NELEM(outsizes); o++) {
		for (i = 0; i <= len; i++) {
			cuts[0] = i;
			cuts[1] = len;
			decode(tc, in, len, cuts, 2, outsizes[o], &r);
			if (!same(&r, want))
				printf("# %s: split at %zu, outsize %zu\n",
				    name, i, outsizes[o]);
			CHECK(same(&r, want));
		}
		one = malloc((len + 1) * sizeof(*one));
		for (i = 0; i < len; i++)
			one[i] = i + 1;
		decode(tc, in, len, one, len, outsizes[o], &r);
		free(one);
		if (!same(&r, want))
			printf("# %s: octet by octet, outsize %zu\n", name,
			    outsizes[o]);
		CHECK(same(&r, want));
	}
}

static void
run_case(const struct dcase *tc, size_t idx)
{
	struct run r;
	size_t len = strlen(tc->in), cut = len;
	size_t want_used = tc->want_used != 0 ? tc->want_used : len;
	size_t wlen = strlen(tc->want_out);
	char name[32];

	snprintf(name, sizeof(name), "case %zu", idx);
	decode(tc, tc->in, len, &cut, 1, BUFSZ / 2, &r);
	if (r.res != tc->want_res || r.used != want_used ||
	    r.fail != tc->want_fail || r.outlen != wlen ||
	    memcmp(r.out, tc->want_out, r.outlen) != 0) {
		printf("# %s: res %d used %zu fail %d out [%.*s]\n", name,
		    r.res, r.used, r.fail, (int)r.outlen, r.out);
		unit_case_failed = 1;
	}
	CHECK(r.stuck == 0);
	check_splits(tc, tc->in, len, &r, name);
}

#define DS(in, strict, res, used, fail, out) \
	{ in, 1, strict, 1000, BIG, res, used, fail, out }

static const struct dcase dotted_cases[] = {
	DS("Subject: x\r\n\r\nhello\r\n.\r\n", 1, DATA_END, 0, DATA_OK,
	    "Subject: x\r\n\r\nhello\r\n"),
	DS(".\r\n", 1, DATA_END, 0, DATA_OK, ""),
	DS(".\r\nMAIL FROM:<a@b>\r\n", 1, DATA_END, 3, DATA_OK, ""),
	DS("a\r\n.\r\nRSET\r\n", 1, DATA_END, 6, DATA_OK, "a\r\n"),
	DS("a\r\n.\r\n.\r\n", 0, DATA_END, 6, DATA_OK, "a\r\n"),
	DS("..x\r\n.\r\n", 1, DATA_END, 0, DATA_OK, ".x\r\n"),
	DS("..\r\n.\r\n", 1, DATA_END, 0, DATA_OK, ".\r\n"),
	DS("a\r\n..\r\n...\r\n..a.\r\n.\r\n", 1, DATA_END, 0, DATA_OK,
	    "a\r\n.\r\n..\r\n.a.\r\n"),
	DS("a.b\r\n.\r\n", 1, DATA_END, 0, DATA_OK, "a.b\r\n"),
	DS(".x\r\n.\r\n", 1, DATA_END, 0, DATA_OK, "x\r\n"),
	DS("\r\n\r\n.\r\n", 1, DATA_END, 0, DATA_OK, "\r\n\r\n"),
	DS("a\r\nb", 1, DATA_MORE, 0, DATA_OK, "a\r\nb"),
	DS("a\r\n.", 1, DATA_MORE, 0, DATA_OK, "a\r\n"),
	DS("a\r\n.\r", 1, DATA_MORE, 0, DATA_OK, "a\r\n"),
	DS("a\r", 1, DATA_MORE, 0, DATA_OK, "a"),
	DS("", 1, DATA_MORE, 0, DATA_OK, ""),
	/* smuggling: a bare line end never ends the message (strict) */
	DS("a\n.\nb\r\n.\r\nX", 1, DATA_END, 10, DATA_EBARELF, "a"),
	DS("a\n.\r\nb\r\n.\r\nX", 1, DATA_END, 11, DATA_EBARELF, "a"),
	DS("a\r\n.\nb\r\n.\r\nX", 1, DATA_END, 11, DATA_EBARELF, "a\r\n."),
	DS("a\r.\rb\r\n.\r\nX", 1, DATA_END, 10, DATA_EBARECR, "a"),
	DS("a\r\n.\rb\r\n.\r\nX", 1, DATA_END, 11, DATA_EBARECR, "a\r\n."),
	DS("a\r.\r\nb\r\n.\r\nX", 1, DATA_END, 11, DATA_EBARECR, "a"),
	DS("\n.\n.\r\n", 1, DATA_MORE, 0, DATA_EBARELF, ""),
	DS("\n.\n.\r\n.\r\n", 1, DATA_END, 0, DATA_EBARELF, ""),
	DS("a\r\n.\r.\r\n", 1, DATA_MORE, 0, DATA_EBARECR, "a\r\n."),
	/* ... and lenient mode stores them as CRLF, dots left alone */
	DS("a\n.\nb\r\n.\r\nX", 0, DATA_END, 10, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\n.\r\nb\r\n.\r\nX", 0, DATA_END, 11, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\r\n.\nb\r\n.\r\nX", 0, DATA_END, 11, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\r.\rb\r\n.\r\nX", 0, DATA_END, 10, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\r\n.\rb\r\n.\r\nX", 0, DATA_END, 11, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\r.\r\nb\r\n.\r\nX", 0, DATA_END, 11, DATA_OK,
	    "a\r\n.\r\nb\r\n"),
	DS("a\n..\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "a\r\n..\r\n"),
	DS("a\r..x\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "a\r\n..x\r\n"),
	DS("\n.\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "\r\n.\r\n"),
	DS("\r.\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "\r\n.\r\n"),
	DS("a\r\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "a\r\n\r\n"),
	DS("a\r\r\n.\r\n", 1, DATA_END, 0, DATA_EBARECR, "a"),
	DS("a\r\n.\r\r\n.\r\n", 0, DATA_END, 0, DATA_OK, "a\r\n.\r\n\r\n"),
	DS("a\r\n.\r.\r\n.\r\n", 0, DATA_END, 0, DATA_OK,
	    "a\r\n.\r\n.\r\n"),
	DS("\n\n\r\r.\r\n", 0, DATA_MORE, 0, DATA_OK, "\r\n\r\n\r\n\r\n.\r\n"),
	DS("a\n.\n", 0, DATA_MORE, 0, DATA_OK, "a\r\n.\r\n"),
	DS("a\r\n.\n", 0, DATA_MORE, 0, DATA_OK, "a\r\n.\r\n"),
	DS("a\r.\r", 0, DATA_MORE, 0, DATA_OK, "a\r\n."),
};

static const struct dcase limit_cases[] = {
	/* max_line: octets of a content line, CRLF included */
	{ "abc\r\n.\r\n", 1, 1, 5, BIG, DATA_END, 0, DATA_OK, "abc\r\n" },
	{ "abcd\r\n.\r\nX", 1, 1, 5, BIG, DATA_END, 9, DATA_ELINE, "abcd" },
	{ "abcdefgh\r\nx\r\n.\r\n", 1, 1, 5, BIG, DATA_END, 0, DATA_ELINE,
	    "abcde" },
	{ "abc\r\nabc\r\n.\r\n", 1, 1, 5, BIG, DATA_END, 0, DATA_OK,
	    "abc\r\nabc\r\n" },
	/* the stuffed dot is not counted (RFC 5321 §4.5.3.1.6) */
	{ "..bc\r\n.\r\n", 1, 1, 5, BIG, DATA_END, 0, DATA_OK, ".bc\r\n" },
	{ "..bcd\r\n.\r\n", 1, 1, 5, BIG, DATA_END, 0, DATA_ELINE, ".bcd" },
	/* a bare line end stored as CRLF counts as CRLF */
	{ "abc\n.\r\n", 1, 0, 5, BIG, DATA_MORE, 0, DATA_OK, "abc\r\n.\r\n" },
	{ "abcd\n.\r\n.\r\n", 1, 0, 5, BIG, DATA_END, 0, DATA_ELINE,
	    "abcd" },
	{ "abcd\rx\r\n.\r\n", 1, 0, 5, BIG, DATA_END, 0, DATA_ELINE,
	    "abcd" },
	/* max_size: octets of content */
	{ "abc\r\n.\r\n", 1, 1, 1000, 5, DATA_END, 0, DATA_OK, "abc\r\n" },
	{ "abcd\r\n.\r\n", 1, 1, 1000, 5, DATA_END, 0, DATA_ESIZE, "abcd" },
	{ "abcdefgh\r\n.\r\nQUIT\r\n", 1, 1, 1000, 5, DATA_END, 13,
	    DATA_ESIZE, "abcde" },
	{ "..\r\n..\r\n.\r\n", 1, 1, 1000, 6, DATA_END, 0, DATA_OK,
	    ".\r\n.\r\n" },
	{ "", 1, 1, 0, 0, DATA_MORE, 0, DATA_OK, "" },
	{ ".\r\n", 1, 1, 0, 0, DATA_END, 0, DATA_OK, "" },
	{ "a\r\n.\r\n", 1, 1, 1000, 0, DATA_END, 0, DATA_ESIZE, "" },
	/* the first failure is kept */
	{ "abcdefg\n.\r\n", 1, 1, 5, 6, DATA_MORE, 0, DATA_ELINE,
	    "abcde" },
	{ "ab\ncdefg\r\n.\r\n", 1, 1, 5, 6, DATA_END, 0, DATA_EBARELF, "ab" },
	{ "abcde\r\n.\r\n", 1, 1, 7, 5, DATA_END, 0, DATA_ESIZE, "abcde" },
};

#define BD(in, strict, fail, out) \
	{ in, 0, strict, 1000, BIG, DATA_MORE, 0, fail, out }

static const struct dcase bdat_cases[] = {
	BD("..x\r\n.\r\nQUIT\r\n", 1, DATA_OK, "..x\r\n.\r\nQUIT\r\n"),
	BD(".", 1, DATA_OK, ".\r\n"),
	BD(".\r\n", 1, DATA_OK, ".\r\n"),
	BD("", 1, DATA_OK, ""),
	BD("", 0, DATA_OK, ""),
	BD("a\r\n", 1, DATA_OK, "a\r\n"),
	BD("abc", 1, DATA_OK, "abc\r\n"),
	BD("a\r\nbc", 0, DATA_OK, "a\r\nbc\r\n"),
	BD("abc\r", 1, DATA_EBARECR, "abc"),
	BD("abc\r", 0, DATA_OK, "abc\r\n"),
	BD("\r", 0, DATA_OK, "\r\n"),
	BD("a\nb", 1, DATA_EBARELF, "a"),
	BD("a\nb", 0, DATA_OK, "a\r\nb\r\n"),
	BD("a\n", 0, DATA_OK, "a\r\n"),
	BD("a\r", 0, DATA_OK, "a\r\n"),
	BD("a\rb\r\r\n\n", 0, DATA_OK, "a\r\nb\r\n\r\n\r\n"),
	BD("\x01\xff\x7f\r\n", 1, DATA_OK, "\x01\xff\x7f\r\n"),
	{ "abc", 0, 1, 5, BIG, DATA_MORE, 0, DATA_OK, "abc\r\n" },
	{ "abcd", 0, 1, 5, BIG, DATA_MORE, 0, DATA_ELINE, "abcd" },
	{ "abc", 0, 1, 1000, 5, DATA_MORE, 0, DATA_OK, "abc\r\n" },
	{ "abcd", 0, 1, 1000, 5, DATA_MORE, 0, DATA_ESIZE, "abcd" },
	{ "abc\r", 0, 0, 1000, 5, DATA_MORE, 0, DATA_OK, "abc\r\n" },
	{ "abcd\r", 0, 0, 1000, 5, DATA_MORE, 0, DATA_ESIZE, "abcd" },
};

static void
run_table(const struct dcase *t, size_t n, size_t base)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&t[i], base + i);
}

static void
test_dotted(void)
{
	run_table(dotted_cases, NELEM(dotted_cases), 0);
}

static void
test_limits(void)
{
	run_table(limit_cases, NELEM(limit_cases), 100);
}

static void
test_bdat(void)
{
	run_table(bdat_cases, NELEM(bdat_cases), 200);
}

/* A real 1000-octet line limit, and a dot-stuffed line at the limit. */
static void
test_line_1000(void)
{
	struct dcase tc = { NULL, 1, 1, 1000, BIG, DATA_END, 0, DATA_OK,
	    NULL };
	static char in[2100], want[2100];
	struct run r;
	size_t cut;

	memset(in, 'x', 998);
	memcpy(in + 998, "\r\n.\r\n", 6);
	cut = strlen(in);
	decode(&tc, in, cut, &cut, 1, BUFSZ / 2, &r);
	CHECK(r.res == DATA_END && r.fail == DATA_OK && r.outlen == 1000);

	memset(in, 'x', 999);
	memcpy(in + 999, "\r\n.\r\n", 6);
	cut = strlen(in);
	decode(&tc, in, cut, &cut, 1, BUFSZ / 2, &r);
	CHECK(r.res == DATA_END && r.fail == DATA_ELINE && r.outlen == 999);

	in[0] = in[1] = '.';
	memset(in + 2, 'x', 997);
	memcpy(in + 999, "\r\n.\r\n", 6);
	memset(want, 0, sizeof(want));
	want[0] = '.';
	memset(want + 1, 'x', 997);
	memcpy(want + 998, "\r\n", 2);
	cut = strlen(in);
	decode(&tc, in, cut, &cut, 1, BUFSZ / 2, &r);
	CHECK(r.res == DATA_END && r.fail == DATA_OK && r.outlen == 1000);
	CHECK(memcmp(r.out, want, 1000) == 0);
	tc.want_out = want;
	check_splits(&tc, in, cut, &r, "dotted 1000");
}

/* DATA_FULL: a small buffer makes progress call after call. */
static void
test_full(void)
{
	struct data_decoder d;
	const char *in = "abcdefghij\r\n..\r\n.\r\n";
	char out[DATA_OUT_MIN], all[64];
	size_t len = strlen(in), pos = 0, used, n, total = 0, calls = 0;
	enum data_result res;

	data_init(&d, 1, 1, 1000, BIG);
	do {
		res = data_decode(&d, in + pos, len - pos, &used, out,
		    sizeof(out), &n);
		CHECK(used > 0 && n <= sizeof(out));
		CHECK(res != DATA_MORE);
		memcpy(all + total, out, n);
		total += n;
		pos += used;
		calls++;
	} while (res == DATA_FULL && calls < 100);
	CHECK(res == DATA_END && pos == len && d.fail == DATA_OK);
	CHECK(total == 15 && memcmp(all, "abcdefghij\r\n.\r\n", 15) == 0);
	CHECK(calls > 3);

	/* less room than DATA_OUT_MIN: no progress, but no overflow */
	data_init(&d, 1, 1, 1000, BIG);
	CHECK(data_decode(&d, in, len, &used, out, DATA_OUT_MIN - 1, &n) ==
	    DATA_FULL);
	CHECK(used == 0 && n == 0);
	CHECK(data_decode(&d, in, 0, &used, out, 0, &n) == DATA_MORE);
	CHECK(used == 0 && n == 0);
}

/* NUL octets are content like any other. */
static void
test_nul(void)
{
	struct dcase dot = { NULL, 1, 1, 1000, BIG, DATA_END, 0, DATA_OK,
	    NULL };
	struct dcase bdat = { NULL, 0, 1, 1000, BIG, DATA_MORE, 0, DATA_OK,
	    NULL };
	static const char in1[] = "a\0\r\n.\0\r\n.\r\nX";
	static const char in2[] = "\0\r\n.\r\n\0";
	struct run r;
	size_t cut;

	cut = sizeof(in1) - 1;
	decode(&dot, in1, cut, &cut, 1, BUFSZ / 2, &r);
	CHECK(r.res == DATA_END && r.used == 11 && r.fail == DATA_OK);
	CHECK(r.outlen == 7 && memcmp(r.out, "a\0\r\n\0\r\n", 7) == 0);
	check_splits(&dot, in1, cut, &r, "nul dotted");
	cut = sizeof(in2) - 1;
	decode(&bdat, in2, cut, &cut, 1, BUFSZ / 2, &r);
	CHECK(r.res == DATA_MORE && r.used == 7 && r.fail == DATA_OK);
	CHECK(r.outlen == 9 && memcmp(r.out, "\0\r\n.\r\n\0\r\n", 9) == 0);
	check_splits(&bdat, in2, cut, &r, "nul bdat");
}

/* A failure stops output, not the search for the end marker. */
static void
test_fail_then_end(void)
{
	struct data_decoder d;
	const char *in = "a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n.\r\nNOOP\r\n";
	char out[16];
	size_t used, n;

	data_init(&d, 1, 1, 1000, BIG);
	CHECK(data_decode(&d, in, strlen(in), &used, out, sizeof(out), &n) ==
	    DATA_END);
	CHECK(n == 1 && d.fail == DATA_EBARELF);
	CHECK(used == strlen(in) - 6);
	CHECK_STR(data_strerror(d.fail), data_strerror(DATA_EBARELF));
}

static void
test_strerror(void)
{
	static const enum data_fail all[] = {
		DATA_OK, DATA_EBARELF, DATA_EBARECR, DATA_ELINE, DATA_ESIZE,
	};
	size_t i, j;

	for (i = 0; i < NELEM(all); i++) {
		CHECK(data_strerror(all[i])[0] != '\0');
		for (j = 0; j < i; j++)
			CHECK(strcmp(data_strerror(all[i]),
			    data_strerror(all[j])) != 0);
	}
	CHECK(data_strerror((enum data_fail)99)[0] != '\0');
}

static const char *const messages[] = {
	"",
	"a\r\n",
	"\r\n",
	"\r\n\r\n\r\n",
	".\r\n",
	"..\r\n",
	".a\r\n.\r\n..\r\nx.\r\n",
	"Subject: hi\r\n\r\n.\r\nbody\r\n.",
	"no final line end",
	"x\r\n.",
	".",
	"line\r\n.\r\n\r\n.\r\n",
};

/* Encode content split in two at off; return the stream length. */
static size_t
encode(const char *msg, size_t len, size_t off, char *out)
{
	int bol = 1;
	size_t n;

	n = data_encode(&bol, msg, off, out);
	n += data_encode(&bol, msg + off, len - off, out + n);
	n += data_encode_end(bol, out + n);
	return n;
}

static void
test_encode_roundtrip(void)
{
	struct dcase tc = { NULL, 1, 1, 1000, BIG, DATA_END, 0, DATA_OK,
	    NULL };
	char enc[256], enc2[256], want[128], name[32];
	struct run r;
	size_t i, off, len, n, n2, wlen;

	for (i = 0; i < NELEM(messages); i++) {
		len = strlen(messages[i]);
		memcpy(want, messages[i], len);
		wlen = len;
		if (len > 0 && (len < 2 || memcmp(want + len - 2, "\r\n",
		    2) != 0)) {
			memcpy(want + wlen, "\r\n", 2);
			wlen += 2;
		}
		n = encode(messages[i], len, len, enc);
		CHECK(n <= 2 * len + 5);
		for (off = 0; off <= len; off++) {
			n2 = encode(messages[i], len, off, enc2);
			CHECK(n2 == n && memcmp(enc, enc2, n) == 0);
		}
		CHECK(n >= 3 && memcmp(enc + n - 3, ".\r\n", 3) == 0);
		tc.strict = 1;
		decode(&tc, enc, n, &n, 1, BUFSZ / 2, &r);
		if (r.res != DATA_END || r.used != n ||
		    r.fail != DATA_OK || r.outlen != wlen ||
		    memcmp(r.out, want, wlen) != 0)
			printf("# message %zu: [%.*s]\n", i, (int)r.outlen,
			    r.out);
		CHECK(r.res == DATA_END && r.used == n && r.fail == DATA_OK);
		CHECK(r.outlen == wlen && memcmp(r.out, want, wlen) == 0);
		snprintf(name, sizeof(name), "message %zu", i);
		check_splits(&tc, enc, n, &r, name);
		tc.strict = 0;
		check_splits(&tc, enc, n, &r, name);
	}
}

static void
test_encode(void)
{
	char out[64];
	int bol = 1;
	size_t n;

	n = data_encode(&bol, ".a\r\n.b", 6, out);
	CHECK(n == 8 && memcmp(out, "..a\r\n..b", 8) == 0 && bol == 0);
	n = data_encode_end(bol, out);
	CHECK(n == 5 && memcmp(out, "\r\n.\r\n", 5) == 0);
	bol = 1;
	n = data_encode(&bol, "a\r\n", 3, out);
	CHECK(n == 3 && bol == 1);
	n = data_encode(&bol, ".", 1, out);
	CHECK(n == 2 && memcmp(out, "..", 2) == 0 && bol == 0);
	n = data_encode(&bol, "", 0, out);
	CHECK(n == 0 && bol == 0);
	CHECK(data_encode_end(1, out) == 3 && memcmp(out, ".\r\n", 3) == 0);
	bol = 0;
	n = data_encode(&bol, "a.b\r\n", 5, out);
	CHECK(n == 5 && memcmp(out, "a.b\r\n", 5) == 0 && bol == 1);
}

/* One piece; out is NUL-terminated.  Returns the result. */
static enum data_result
stuffed(const char *in, size_t max_line, enum data_fail *fail, char *out)
{
	struct data_decoder d;
	enum data_result res;
	size_t used, n;

	data_init(&d, 1, 1, max_line, BIG);
	CHECK(data_keep_stuffing(&d) == 0);
	res = data_decode(&d, in, strlen(in), &used, out, BUFSZ - 1, &n);
	out[n] = '\0';
	*fail = d.fail;
	return res;
}

static void
test_keep_stuffing(void)
{
	struct data_decoder d;
	enum data_fail fail;
	char out[BUFSZ];

	/* only strict DATA can pass its input on as it is */
	data_init(&d, 1, 0, 1000, BIG);
	CHECK(data_keep_stuffing(&d) == -1 && !d.stuffed);
	data_init(&d, 0, 1, 1000, BIG);
	CHECK(data_keep_stuffing(&d) == -1 && !d.stuffed);

	CHECK(stuffed("..a\r\n.b\r\nc\r\n.\r\n", 1000, &fail, out) ==
	    DATA_END);
	CHECK_STR(out, "..a\r\n.b\r\nc\r\n");
	CHECK(fail == DATA_OK);
	/* the limit counts content: ".ab\r\n" is 5 octets, ".abc\r\n" 6 */
	CHECK(stuffed("..ab\r\n.\r\n", 5, &fail, out) == DATA_END);
	CHECK(fail == DATA_OK);
	CHECK(stuffed("..abc\r\n.\r\n", 5, &fail, out) == DATA_END);
	CHECK(fail == DATA_ELINE);
	/* what strict mode refuses fails the same way */
	CHECK(stuffed("a\nb\r\n.\r\n", 1000, &fail, out) == DATA_END);
	CHECK(fail == DATA_EBARELF);
	CHECK(stuffed(".\rb\r\n.\r\n", 1000, &fail, out) == DATA_END);
	CHECK(fail == DATA_EBARECR);
}

int
main(void)
{
	TEST(test_dotted);
	TEST(test_limits);
	TEST(test_bdat);
	TEST(test_line_1000);
	TEST(test_full);
	TEST(test_nul);
	TEST(test_fail_then_end);
	TEST(test_strerror);
	TEST(test_encode);
	TEST(test_encode_roundtrip);
	TEST(test_keep_stuffing);
	return UNIT_DONE();
}
