/*
 * fuzz_rmt_smtp.c: what an SMTP server answers samotop-remote (rmt_smtp.c).
 * The first octet: bit 0 reads the replies as EHLO's, the rest is the
 * size of the pieces the input is fed in (as reads would cut it); after
 * each reply the reader starts over with the rest, as with PIPELINING.
 * Each reply must have a code in 200..599 and bounded printable text;
 * the octets used must add up to the input, never beyond.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rmt_smtp.h"

static void
check(const struct rmt_reader *r)
{
	const char *nul;
	size_t i;

	if (r->reply.code < 200 || r->reply.code > 599)
		abort();
	nul = memchr(r->reply.text, '\0', sizeof(r->reply.text));
	if (nul == NULL)
		abort();
	for (i = 0; r->reply.text + i < nul; i++)
		if (r->reply.text[i] < 0x20 || r->reply.text[i] >= 0x7f)
			abort();
	if (r->ext & ~0xffu)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rmt_reader r;
	char *buf, cmd[RMT_CMD_MAX];
	size_t piece, off, len, used, n;
	int ehlo;

	if (size < 1)
		return 0;
	ehlo = data[0] & 1;
	piece = (size_t)(data[0] >> 1) + 1;
	len = size - 1;
	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, data + 1, len);
	rmt_reader_init(&r, ehlo);
	for (off = 0; off < len; ) {
		n = len - off < piece ? len - off : piece;
		switch (rmt_reader_feed(&r, buf + off, n, &used)) {
		case RMT_READ_MORE:
			if (used != n)
				abort();
			break;
		case RMT_READ_DONE:
			if (used == 0 || used > n)
				abort();
			check(&r);
			rmt_reader_init(&r, ehlo);
			break;
		case RMT_READ_BAD:
			if (used == 0 || used > n)
				abort();
			rmt_reader_init(&r, ehlo);
			break;
		default:
			abort();
		}
		off += used;
	}
	/* the input as an address: a command never holds a line break */
	buf[len ? len - 1 : 0] = '\0';
	n = rmt_cmd_rcpt(cmd, sizeof(cmd), buf);
	if (n != 0 && (n >= sizeof(cmd) || memchr(cmd, '\n', n) != cmd + n - 1))
		abort();
	n = rmt_cmd_mail(cmd, sizeof(cmd), buf, len, ehlo, !ehlo);
	if (n != 0 && (n >= sizeof(cmd) || memchr(cmd, '\n', n) != cmd + n - 1))
		abort();
	free(buf);
	return 0;
}
