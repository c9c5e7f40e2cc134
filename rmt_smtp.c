/*
 * rmt_smtp.c: SMTP replies, EHLO keywords and commands, client side.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rmt_smtp.h"

void
rmt_reader_init(struct rmt_reader *r, int ehlo)
{
	r->len = 0;
	r->ehlo = ehlo;
	if (ehlo) {
		r->ext = 0;
		r->size = 0;
	}
	lmtpreply_init(&r->reply);
}

/* A keyword is matched case-insensitively, as a whole word. */
static int
keyword(const char *text, size_t len, const char *kw, const char **param)
{
	size_t k = strlen(kw);

	if (len < k || strncasecmp(text, kw, k) != 0 ||
	    (len > k && text[k] != ' '))
		return 0;
	*param = text + k + (len > k);
	return 1;
}

void
rmt_ehlo_keyword(struct rmt_reader *r, const char *text, size_t len)
{
	const char *p;
	unsigned long v = 0;
	size_t i, n;

	if (keyword(text, len, "STARTTLS", &p))
		r->ext |= RMT_EXT_STARTTLS;
	else if (keyword(text, len, "PIPELINING", &p))
		r->ext |= RMT_EXT_PIPELINING;
	else if (keyword(text, len, "8BITMIME", &p))
		r->ext |= RMT_EXT_8BITMIME;
	else if (keyword(text, len, "SMTPUTF8", &p))
		r->ext |= RMT_EXT_SMTPUTF8;
	else if (keyword(text, len, "ENHANCEDSTATUSCODES", &p))
		r->ext |= RMT_EXT_ENHANCED;
	else if (keyword(text, len, "CHUNKING", &p))
		r->ext |= RMT_EXT_CHUNKING;
	else if (keyword(text, len, "DSN", &p))
		r->ext |= RMT_EXT_DSN;
	else if (keyword(text, len, "SIZE", &p)) {
		r->ext |= RMT_EXT_SIZE;
		/* RFC 1870: "SIZE [limit]", 0 or none: no fixed limit */
		n = len - (size_t)(p - text);
		for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			if (v > (~0UL - 9) / 10) {
				v = 0;		/* absurd: as none */
				break;
			}
			v = v * 10 + (unsigned long)(p[i] - '0');
		}
		r->size = v;
	}
}

enum rmt_read
rmt_reader_feed(struct rmt_reader *r, const char *in, size_t len,
    size_t *used)
{
	enum lmtpreply_status st;
	size_t i, l;

	for (i = 0; i < len; ) {
		char c = in[i++];

		if (r->len == sizeof(r->line)) {
			*used = i;
			return RMT_READ_BAD;
		}
		r->line[r->len++] = c;
		if (c != '\n')
			continue;
		/* a line: CRLF, or a bare LF (lenient, as most clients) */
		l = r->len - 1;
		if (l > 0 && r->line[l - 1] == '\r')
			l--;
		r->len = 0;
		st = lmtpreply_line(&r->reply, r->line, l);
		if (st == LMTPREPLY_BAD) {
			*used = i;
			return RMT_READ_BAD;
		}
		if (r->ehlo && r->reply.lines > 1 && r->reply.code == 250 &&
		    l > 4)
			rmt_ehlo_keyword(r, r->line + 4, l - 4);
		if (st == LMTPREPLY_DONE) {
			*used = i;
			return RMT_READ_DONE;
		}
	}
	*used = len;
	return RMT_READ_MORE;
}

/* An argument that cannot break out of its command line. */
static int
arg_ok(const char *s, int addr)
{
	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n')
			return 0;
		if (addr && (*s == '<' || *s == '>'))
			return 0;
	}
	return 1;
}

static size_t
fits(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

size_t
rmt_cmd_ehlo(char *out, size_t size, int ehlo, const char *name)
{
	if (!arg_ok(name, 0) || name[0] == '\0' || strchr(name, ' ') != NULL)
		return 0;
	return fits(snprintf(out, size, "%s %s\r\n", ehlo ? "EHLO" : "HELO",
	    name), size);
}

size_t
rmt_cmd_mail(char *out, size_t size, const char *from,
    unsigned long size_param, int body8, int utf8)
{
	char sz[32] = "";

	if (!arg_ok(from, 1))
		return 0;
	if (size_param > 0)
		snprintf(sz, sizeof(sz), " SIZE=%lu", size_param);
	return fits(snprintf(out, size, "MAIL FROM:<%s>%s%s%s\r\n", from, sz,
	    body8 ? " BODY=8BITMIME" : "", utf8 ? " SMTPUTF8" : ""), size);
}

size_t
rmt_cmd_rcpt(char *out, size_t size, const char *rcpt)
{
	if (!arg_ok(rcpt, 1) || rcpt[0] == '\0')
		return 0;
	return fits(snprintf(out, size, "RCPT TO:<%s>\r\n", rcpt), size);
}

int
rmt_addr_utf8(const char *addr)
{
	for (; *addr != '\0'; addr++)
		if ((unsigned char)*addr >= 0x80)
			return 1;
	return 0;
}

int
rmt_body_8bit(const char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] >= 0x80 || msg[i] == '\0')
			return 1;
	return 0;
}
