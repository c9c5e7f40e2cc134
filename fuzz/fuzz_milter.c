/*
 * fuzz_milter.c: the milter reply parser (milter.c) over a filter's
 * bytes, which are untrusted.  The first octet sets the size of the
 * pieces the rest is fed in (as reads would return it); the stream is
 * parsed once in those pieces and once whole, each piece in a buffer of
 * its exact size so that ASan sees any read past it.  Both must agree;
 * what is consumed adds up to what was fed; every packet's fields lie
 * inside the packet, strings end in a NUL, a REPLYCODE is 4xx or 5xx;
 * a bad stream stays bad; the text form stays inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter.h"

#define MAXPKTS 4096

static struct milter_parser P;
static int cmds[2][MAXPKTS];

static void
inside(const struct milter_parser *p, const char *s, size_t len)
{
	if (s == NULL)
		return;
	if (s < p->buf || s + len > p->buf + sizeof(p->buf))
		abort();
}

static void
str(const struct milter_parser *p, const char *s)
{
	if (s == NULL)
		return;
	inside(p, s, 0);
	if (memchr(s, '\0', (size_t)(p->buf + sizeof(p->buf) - s)) == NULL)
		abort();
}

static void
check(const struct milter_parser *p, const struct milter_reply *r)
{
	static const size_t sizes[] = { 1, 2, 9, 64 };
	char *t;
	size_t i;

	str(p, r->text);
	str(p, r->name);
	str(p, r->value);
	str(p, r->addr);
	str(p, r->args);
	for (i = 0; i < MILTER_STAGES; i++)
		str(p, r->macros[i]);
	inside(p, r->body, r->bodylen);
	if (r->bodylen > MILTER_PACKET_MAX - 1)
		abort();
	switch (r->cmd) {
	case SMFIR_REPLYCODE:
		if (r->code < 400 || r->code > 599 || r->text == NULL ||
		    r->text[0] - '0' != r->code / 100)
			abort();
		break;
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (r->name == NULL || r->value == NULL || *r->name == '\0')
			abort();
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_DELRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_CHGFROM:
		if (r->addr == NULL || r->args == NULL)
			abort();
		break;
	case SMFIR_SETSYMLIST:
		if (r->stage >= MILTER_STAGES || r->macros[r->stage] == NULL)
			abort();
		break;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if ((t = malloc(sizes[i])) == NULL)
			abort();
		milter_reply_text(r, t, sizes[i]);
		if (strlen(t) >= sizes[i])
			abort();
		free(t);
	}
}

/* Parse data[0..size) in pieces of step octets; returns packets seen. */
static size_t
run(const uint8_t *data, size_t size, size_t step, int *out, int *bad)
{
	struct milter_reply r;
	enum milter_status st;
	size_t pos = 0, n, used, off, npkt = 0;
	char *piece;

	milter_parser_init(&P);
	*bad = 0;
	while (pos < size && !*bad) {
		n = size - pos < step ? size - pos : step;
		if ((piece = malloc(n)) == NULL)
			abort();
		memcpy(piece, data + pos, n);
		off = 0;
		while (off < n) {
			st = milter_parse(&P, piece + off, n - off, &used, &r);
			if (used > n - off)
				abort();
			off += used;
			if (st == MILTER_BAD) {
				if (P.error == NULL)
					abort();
				/* stays bad, takes nothing */
				if (milter_parse(&P, piece, n, &used, &r) !=
				    MILTER_BAD || used != 0)
					abort();
				*bad = 1;
				break;
			}
			if (st == MILTER_MORE) {
				if (off != n)
					abort();
				break;
			}
			check(&P, &r);
			if (npkt < MAXPKTS)
				out[npkt] = r.cmd;
			npkt++;
		}
		free(piece);
		pos += n;
	}
	return npkt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step, n0, n1, i;
	int bad0, bad1;

	if (size < 1)
		return 0;
	step = data[0] % 16 + 1;
	if (data[0] >= 0xf0)
		step = 4096;
	n0 = run(data + 1, size - 1, step, cmds[0], &bad0);
	n1 = run(data + 1, size - 1, size, cmds[1], &bad1);
	if (n0 != n1 || bad0 != bad1)
		abort();
	for (i = 0; i < n0 && i < MAXPKTS; i++)
		if (cmds[0][i] != cmds[1][i])
			abort();
	return 0;
}
