/*
 * lmtpreply.h: reading a reply of an SMTP/LMTP server (RFC 5321 §4.2),
 * line by line.  Pure: what a helper answers is untrusted input.
 */
#ifndef SAMOTOP_LMTPREPLY_H
#define SAMOTOP_LMTPREPLY_H

#include <stddef.h>

#define LMTPREPLY_TEXT_MAX	400
#define LMTPREPLY_LINES_MAX	64	/* a longer reply is nonsense */

struct lmtpreply {
	int	code;		/* 200..599 */
	int	lines;
	char	text[LMTPREPLY_TEXT_MAX + 1];	/* the last line's text */
};

enum lmtpreply_status {
	LMTPREPLY_MORE,		/* a continuation line: read another */
	LMTPREPLY_DONE,		/* the reply is complete */
	LMTPREPLY_BAD,		/* not a reply */
};

void			lmtpreply_init(struct lmtpreply *r);
/* One line without its CRLF. */
enum lmtpreply_status	lmtpreply_line(struct lmtpreply *r, const char *s,
			    size_t len);
/*
 * The text without a leading enhanced status code (for a client that
 * greeted with HELO, which must not see one).
 */
const char		*lmtpreply_plain_text(const struct lmtpreply *r);

#endif
