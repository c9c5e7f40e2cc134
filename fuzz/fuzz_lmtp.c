/*
 * fuzz_lmtp.c: libFuzzer target for the LMTP server core.  The input is
 * fed to lmtp_input() in chunks whose sizes the first octet chooses, so
 * that resumption at every boundary is exercised; the callbacks check
 * that per-recipient replies come once each, in order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmtp.h"

struct state {
	size_t	accepted;	/* in the open transaction */
	size_t	next_end;	/* the index data_end() must get next */
	int	in_data;
};

static int
f_rcpt(void *ctx, const struct mailbox *rcpt, size_t index, char *reply,
    size_t size)
{
	struct state *st = ctx;

	if (index != st->accepted || index >= LMTP_RCPT_MAX)
		abort();
	if (rcpt->local[0] == 'x') {
		snprintf(reply, size, "550 5.1.1 no");
		return -1;
	}
	st->accepted++;
	return 0;
}

static int
f_begin(void *ctx, char *reply, size_t size)
{
	struct state *st = ctx;

	(void)reply;
	(void)size;
	if (st->accepted == 0)
		abort();
	st->in_data = 1;
	st->next_end = 0;
	return 0;
}

static int
f_write(void *ctx, const char *buf, size_t len)
{
	struct state *st = ctx;

	if (!st->in_data || len == 0 || len > LMTP_CHUNK_SIZE)
		abort();
	(void)buf;
	return 0;
}

static void
f_end(void *ctx, size_t index, char *reply, size_t size)
{
	struct state *st = ctx;

	if (!st->in_data || index != st->next_end++ || index >= st->accepted)
		abort();
	snprintf(reply, size, "250 2.0.0 ok");
}

static void
f_abort(void *ctx)
{
	struct state *st = ctx;

	if (!st->in_data)
		abort();
	memset(st, 0, sizeof(*st));
}

static void
f_reset(void *ctx)
{
	struct state *st = ctx;

	if (st->in_data && st->next_end != st->accepted)
		abort();
	memset(st, 0, sizeof(*st));
}

static const struct lmtp_ops ops = {
	NULL, f_rcpt, f_begin, f_write, f_end, f_abort, f_reset, NULL, 0,
};

/* Replies are whole CRLF lines. */
static void
check_out(struct lmtp_session *s)
{
	if (s->outlen > sizeof(s->out) || (s->outlen > 0 &&
	    (s->outlen < 2 || s->out[s->outlen - 2] != '\r' ||
	    s->out[s->outlen - 1] != '\n')))
		abort();
	s->outlen = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lmtp_session s;
	struct state st = { 0, 0, 0 };
	const char *in = (const char *)data;
	size_t chunk, pos, n, used;
	enum lmtp_status r = LMTP_MORE;

	if (size == 0)
		return 0;
	chunk = data[0] == 0 ? size : data[0];
	lmtp_init(&s, "fuzz.test", &ops, &st);
	for (pos = 1; pos < size && r != LMTP_QUIT; pos += used) {
		n = size - pos < chunk ? size - pos : chunk;
		r = lmtp_input(&s, in + pos, n, &used);
		if (used > n || (r == LMTP_MORE && used != n))
			abort();
		check_out(&s);
	}
	while (r == LMTP_FLUSH) {
		r = lmtp_input(&s, in, 0, &used);
		check_out(&s);
	}
	if (r != LMTP_QUIT)
		lmtp_eof(&s);
	return 0;
}
