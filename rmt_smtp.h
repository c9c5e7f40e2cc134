/*
 * rmt_smtp.h: the client side of SMTP (RFC 5321) for samotop-remote, as a
 * codec without I/O: the replies a server sends are read here (each line
 * through lmtpreply.h's parser), EHLO's keywords are collected, and the
 * commands to send are formatted.  Pure: what a server answers is
 * untrusted input (fuzzed: fuzz/fuzz_rmt_smtp.c).
 */
#ifndef SAMOTOP_RMT_SMTP_H
#define SAMOTOP_RMT_SMTP_H

#include <stddef.h>

#include "lmtpreply.h"

#define RMT_LINE_MAX	2048	/* a reply line, CRLF included (RFC 5321
				   §4.5.3.1.5 says 512; be lenient) */
#define RMT_CMD_MAX	1100	/* MAIL FROM:<...> with its parameters */

/* EHLO keywords (RFC 5321 §4.1.1.1) that samotop-remote uses. */
#define RMT_EXT_STARTTLS	0x01	/* RFC 3207 */
#define RMT_EXT_PIPELINING	0x02	/* RFC 2920 */
#define RMT_EXT_SIZE		0x04	/* RFC 1870 */
#define RMT_EXT_8BITMIME	0x08	/* RFC 6152 */
#define RMT_EXT_SMTPUTF8	0x10	/* RFC 6531 */
#define RMT_EXT_ENHANCED	0x20	/* RFC 2034 */
#define RMT_EXT_CHUNKING	0x40	/* RFC 3030 (not used yet) */
#define RMT_EXT_DSN		0x80	/* RFC 3461 (not used yet) */

struct rmt_reader {
	char		line[RMT_LINE_MAX];
	size_t		len;		/* octets of the current line */
	int		ehlo;		/* collect EHLO keywords */
	unsigned	ext;		/* RMT_EXT_* seen */
	unsigned long	size;		/* SIZE's limit, 0: none given */
	struct lmtpreply reply;		/* the reply so far / read */
};

enum rmt_read {
	RMT_READ_MORE,		/* all input used, the reply goes on */
	RMT_READ_DONE,		/* a whole reply in r->reply */
	RMT_READ_BAD,		/* not a reply (or a line too long) */
};

/*
 * Start reading a reply; ehlo: it answers EHLO, so each line after the
 * first is a keyword to collect into r->ext and r->size.
 */
void		rmt_reader_init(struct rmt_reader *r, int ehlo);
/*
 * Feed octets: *used tells how many were taken, which stops right
 * after a reply's last line (with PIPELINING the next reply may follow
 * in the same input: call rmt_reader_init() and feed the rest).
 */
enum rmt_read	rmt_reader_feed(struct rmt_reader *r, const char *in,
		    size_t len, size_t *used);
/* One EHLO reply line's text (after "250-"): its keyword into r. */
void		rmt_ehlo_keyword(struct rmt_reader *r, const char *text,
		    size_t len);

/*
 * The commands, with CRLF, into out; their length, or 0 when they do not
 * fit or an argument would break the line (a CR, LF or NUL; an address
 * with '<' or '>').  rmt_cmd_mail(): BODY=8BITMIME when body8 (the
 * caller checks that the server offered it), SMTPUTF8 when utf8, SIZE=
 * when size > 0.  from is "" for the null sender.
 */
size_t		rmt_cmd_ehlo(char *out, size_t size, int ehlo,
		    const char *name);
size_t		rmt_cmd_mail(char *out, size_t size, const char *from,
		    unsigned long size_param, int body8, int utf8);
size_t		rmt_cmd_rcpt(char *out, size_t size, const char *rcpt);

/* 1 when an address needs SMTPUTF8 (an octet >= 0x80). */
int		rmt_addr_utf8(const char *addr);
/* 1 when the content holds an octet >= 0x80 (or a NUL). */
int		rmt_body_8bit(const char *msg, size_t len);

#endif
