/*
 * fuzz_hdredit.c: a milter's header edits (hdredit.c) applied to a
 * message, both chosen by the fuzzer: a filter's edits are untrusted,
 * and so is the message.
 *
 * Input: the piece size octet (as fuzz_milter.c), a flags octet
 * (quarantine, strip, replaced body, the MTA's own fields), the number
 * of edits, then each edit (an op octet: add, insert, change, and
 * leadspc; an index octet; the name and the value, each ended by a
 * NUL), then the message.  Both passes run once in pieces and once
 * whole, each piece in a buffer of its exact size.  Invariants: both
 * runs agree (error and result); without edits or flags the result is
 * the message; a result read again has exactly the fields the rewrite
 * says it wrote; it is never longer than the message, the edits' fields
 * and the few octets a rewrite adds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdredit.h"

struct buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

static struct hdredit H, R;
static long msg_off;
static const char own[] = "Received: from fuzz by us\r\n"
    "Authentication-Results: us; dkim=pass\r\n";

static int
sink(void *arg, const char *p, size_t len)
{
	struct buf *b = arg;

	if (len > b->size - b->len)
		abort();	/* longer than the bound */
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return 0;
}

/* A NUL-terminated string at *pos, or NULL when the input ends first. */
static const char *
str(const uint8_t *data, size_t size, size_t *pos)
{
	const uint8_t *z;
	const char *s = (const char *)data + *pos;

	if (*pos >= size || (z = memchr(data + *pos, '\0', size - *pos)) ==
	    NULL)
		return NULL;
	*pos = (size_t)(z - data) + 1;
	return s;
}

/* Set up h from the input; the message's offset, or -1. */
static long
setup(struct hdredit *h, const uint8_t *data, size_t size)
{
	const char *name, *value;
	size_t pos = 3, i, n;
	int op, index;

	hdredit_init(h);
	if (size < 3)
		return -1;
	if (data[1] & 1)
		hdredit_quarantine(h, "fuzz\r\nX: y");
	if (data[1] & 2)
		hdredit_strip(h);
	if (data[1] & 4)
		hdredit_replace_body(h);
	if (data[1] & 8)
		hdredit_own(h, own, sizeof(own) - 1);
	n = data[2] % (HDREDIT_EDITS_MAX + 4);
	for (i = 0; i < n; i++) {
		if (pos + 2 > size)
			return -1;
		op = data[pos++];
		index = data[pos++];
		if ((name = str(data, size, &pos)) == NULL ||
		    (value = str(data, size, &pos)) == NULL)
			return -1;
		switch (op % 3) {
		case 0:
			hdredit_add(h, name, value, op & 4);
			break;
		case 1:
			hdredit_insert(h, index, name, value, op & 4);
			break;
		default:
			hdredit_change(h, index, name, value, op & 4);
			break;
		}
	}
	return (long)pos;
}

static enum hdredit_error
pass(struct hdredit *h, const char *msg, size_t len, size_t step,
    struct buf *b, int writing)
{
	size_t i, n;
	char *piece;
	enum hdredit_error e = HDREDIT_OK;

	for (i = 0; i < len && e == HDREDIT_OK; i += n) {
		n = len - i < step ? len - i : step;
		if ((piece = malloc(n)) == NULL)
			abort();
		memcpy(piece, msg + i, n);
		e = writing ? hdredit_write(h, piece, n, sink, b) :
		    hdredit_scan(h, piece, n);
		free(piece);
	}
	if (e != HDREDIT_OK)
		return e;
	return writing ? hdredit_write_end(h, sink, b) : hdredit_scan_end(h);
}

static enum hdredit_error
run(const uint8_t *data, size_t size, size_t step, struct buf *b)
{
	const char *msg;
	size_t len;
	long off;
	enum hdredit_error e;

	if ((off = setup(&H, data, size)) == -1)
		return HDREDIT_EMISUSE;
	msg_off = off;
	msg = (const char *)data + off;
	len = size - (size_t)off;
	b->len = 0;
	/* the message, the fields kept in the arena, our own and the
	 * quarantine field, a CRLF closing a line and an empty line */
	b->size = len + H.used + sizeof(own) + sizeof(H.quarantine) + 4;
	if ((b->p = malloc(b->size)) == NULL)
		abort();
	if ((e = pass(&H, msg, len, step, b, 0)) != HDREDIT_OK)
		return e;
	return pass(&H, msg, len, step, b, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b0, b1, b2;
	enum hdredit_error e0, e1;
	size_t step, len;

	if (size < 3)
		return 0;
	step = data[0] % 16 + 1;
	if (data[0] >= 0xf0)
		step = 4096;
	b0.p = b1.p = b2.p = NULL;
	e0 = run(data, size, step, &b0);
	e1 = run(data, size, size, &b1);
	if (e0 != e1 || (e0 == HDREDIT_OK && (b0.len != b1.len ||
	    memcmp(b0.p, b1.p, b0.len) != 0)))
		abort();
	if (e0 == HDREDIT_OK) {
		/* H is the whole run's */
		len = size - (size_t)msg_off;
		if (!hdredit_active(&H) && H.own == NULL &&
		    (b0.len != len || memcmp(b0.p, data + msg_off, len) != 0))
			abort();
		/* the result has the fields the rewrite wrote */
		hdredit_init(&R);
		if (hdredit_scan(&R, b0.p, b0.len) == HDREDIT_OK &&
		    hdredit_scan_end(&R) == HDREDIT_OK &&
		    R.nfields != H.written)
			abort();
		/* the second pass again (a DKIM signer reads it first) */
		b2.len = 0;
		b2.size = b1.size;
		if ((b2.p = malloc(b2.size)) == NULL)
			abort();
		if (hdredit_write_again(&H) != HDREDIT_OK ||
		    pass(&H, (const char *)data + msg_off, len, step, &b2, 1) !=
		    HDREDIT_OK || b2.len != b1.len ||
		    memcmp(b2.p, b1.p, b1.len) != 0)
			abort();
	}
	free(b0.p);
	free(b1.p);
	free(b2.p);
	return 0;
}
