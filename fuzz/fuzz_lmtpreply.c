/*
 * fuzz_lmtpreply.c: reply lines of an LMTP helper, which is untrusted.
 * The input is split at newlines and fed line by line; a reply starts
 * over after DONE or BAD.  What is kept must be bounded, NUL-terminated
 * printable ASCII with a code in 200..599.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lmtpreply.h"

static int
digits(const char **p, const char *end)
{
	int n = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		(*p)++;
		n++;
	}
	return n >= 1 && n <= 3;
}

/* s..end is an RFC 3463 code, with the space after it when there is one. */
static int
is_code(const char *s, const char *end)
{
	const char *p = s + 2;

	if (end - s < 5 || s[0] < '2' || s[0] > '5' || s[1] != '.')
		return 0;
	if (!digits(&p, end) || p >= end || *p++ != '.' || !digits(&p, end))
		return 0;
	if (p == end)
		return *end == '\0';
	return *p == ' ' && p + 1 == end;
}

static void
check(const struct lmtpreply *r)
{
	const char *nul, *plain;
	size_t i;

	nul = memchr(r->text, '\0', sizeof(r->text));
	if (nul == NULL)
		abort();
	for (i = 0; r->text + i < nul; i++)
		if (r->text[i] < 0x20 || r->text[i] >= 0x7f)
			abort();
	if (r->code < 200 || r->code > 599)
		abort();
	if (r->lines < 1 || r->lines > LMTPREPLY_LINES_MAX)
		abort();
	/* the plain text is a suffix of the text */
	plain = lmtpreply_plain_text(r);
	if (plain < r->text || plain > nul || strlen(plain) !=
	    (size_t)(nul - plain))
		abort();
	if (plain != r->text && !is_code(r->text, plain))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmtpreply r;
	enum lmtpreply_status st;
	size_t pos = 0, end, len;
	int code = 0;
	char *line;

	lmtpreply_init(&r);
	while (pos < size) {
		for (end = pos; end < size && data[end] != '\n'; end++)
			;
		len = end - pos;
		/* exactly len octets, so ASan sees any over-read */
		if ((line = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(line, data + pos, len);
		st = lmtpreply_line(&r, line, len);
		switch (st) {
		case LMTPREPLY_MORE:
		case LMTPREPLY_DONE:
			check(&r);
			if (len < 3 || memcmp(line, data + pos, 3) != 0 ||
			    r.code != (line[0] - '0') * 100 +
			    (line[1] - '0') * 10 + (line[2] - '0'))
				abort();
			/* every line of one reply has the same code */
			if (code != 0 && r.code != code)
				abort();
			code = r.code;
			if ((st == LMTPREPLY_MORE) != (len > 3 &&
			    line[3] == '-'))
				abort();
			if (strlen(r.text) != (len > 4 ? len - 4 : 0) &&
			    strlen(r.text) != LMTPREPLY_TEXT_MAX)
				abort();
			if (st == LMTPREPLY_DONE) {
				lmtpreply_init(&r);
				code = 0;
			}
			break;
		case LMTPREPLY_BAD:
			lmtpreply_init(&r);
			code = 0;
			break;
		default:
			abort();
		}
		free(line);
		pos = end + 1;
	}
	return 0;
}
