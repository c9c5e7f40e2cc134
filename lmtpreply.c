/*
 * lmtpreply.c: reply lines of an LMTP server.
 */
#include <string.h>

#include "lmtpreply.h"

void
lmtpreply_init(struct lmtpreply *r)
{
	memset(r, 0, sizeof(*r));
}

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

enum lmtpreply_status
lmtpreply_line(struct lmtpreply *r, const char *s, size_t len)
{
	size_t i, n = 0;
	int code;

	if (len < 3 || !digit(s[0]) || !digit(s[1]) || !digit(s[2]) ||
	    s[0] < '2' || s[0] > '5' || (len > 3 && s[3] != ' ' &&
	    s[3] != '-'))
		return LMTPREPLY_BAD;
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (r->lines > 0 && code != r->code)
		return LMTPREPLY_BAD;
	if (++r->lines > LMTPREPLY_LINES_MAX)
		return LMTPREPLY_BAD;
	r->code = code;
	/* Keep printable ASCII only: the text may reach a client and a log. */
	for (i = 4; i < len && n < LMTPREPLY_TEXT_MAX; i++)
		r->text[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	r->text[n] = '\0';
	return (len > 3 && s[3] == '-') ? LMTPREPLY_MORE : LMTPREPLY_DONE;
}

const char *
lmtpreply_plain_text(const struct lmtpreply *r)
{
	const char *t = r->text;
	size_t i = 0;
	int dots = 0, digits = 0;

	/* RFC 3463: class "." 1*3digit "." 1*3digit */
	if (t[0] < '2' || t[0] > '5' || t[1] != '.')
		return t;
	for (i = 2; t[i] != '\0' && t[i] != ' '; i++) {
		if (t[i] == '.') {
			if (digits == 0 || dots++ > 0)
				return t;
			digits = 0;
		} else if (!digit(t[i]) || ++digits > 3)
			return t;
	}
	if (dots != 1 || digits == 0)
		return t;
	return t[i] == ' ' ? t + i + 1 : t + i;
}
