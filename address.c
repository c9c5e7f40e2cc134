/*
 * address.c: RFC 5321 §4.1.2 paths, with RFC 6531 (SMTPUTF8) extensions.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "address.h"

struct cursor {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	int		 flags;
	enum addr_error	 err;
};

static int
peek(const struct cursor *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static int
fail(struct cursor *c, enum addr_error e)
{
	if (c->err == ADDR_OK)
		c->err = e;
	return -1;
}

static int
is_control(int ch)
{
	return (ch >= 0 && ch < 0x20) || ch == 0x7f;
}

/*
 * One well-formed UTF-8 sequence of 2 to 4 octets (RFC 3629), so that an
 * SMTPUTF8 address is never a carrier for arbitrary octets.
 */
static int
utf8_sequence(struct cursor *c)
{
	const unsigned char *p = (const unsigned char *)c->s + c->pos;
	size_t left = c->len - c->pos, n, i;
	unsigned cp;

	if (!(c->flags & ADDR_ALLOW_UTF8))
		return fail(c, ADDR_EUTF8);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return fail(c, ADDR_ESYNTAX);
	if (left < n)
		return fail(c, ADDR_ESYNTAX);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return fail(c, ADDR_ESYNTAX);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(c, ADDR_ESYNTAX);
	c->pos += n;
	return 0;
}

static int
is_atext(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch > 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL);
}

static int
is_letdig(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

/* Consume one octet that is not ASCII-valid here: UTF-8, control or bad. */
static int
other_octet(struct cursor *c)
{
	int ch = peek(c);

	if (ch >= 0x80)
		return utf8_sequence(c);
	if (is_control(ch))
		return fail(c, ADDR_ECONTROL);
	return fail(c, ADDR_ESYNTAX);
}

static int
dot_string(struct cursor *c)
{
	size_t atom = 0;
	int ch;

	for (;;) {
		ch = peek(c);
		if (is_atext(ch)) {
			c->pos++;
			atom++;
		} else if (ch >= 0x80) {
			if (utf8_sequence(c) == -1)
				return -1;
			atom++;
		} else if (ch == '.') {
			if (atom == 0)
				return fail(c, ADDR_ESYNTAX);
			c->pos++;
			atom = 0;
		} else
			break;
	}
	if (atom == 0)
		return fail(c, is_control(ch) ? ADDR_ECONTROL : ADDR_ESYNTAX);
	return 0;
}

static int
quoted_string(struct cursor *c)
{
	int ch;

	c->pos++;			/* opening DQUOTE */
	for (;;) {
		ch = peek(c);
		if (ch == '"') {
			c->pos++;
			return 0;
		}
		if (ch == '\\') {
			c->pos++;
			ch = peek(c);
			if (ch < 32 || ch > 126)
				return fail(c, is_control(ch) ?
				    ADDR_ECONTROL : ADDR_ESYNTAX);
			c->pos++;
		} else if (ch >= 32 && ch <= 126)
			c->pos++;
		else if (ch == -1)
			return fail(c, ADDR_ESYNTAX);
		else if (other_octet(c) == -1)
			return -1;
	}
}

static int
domain_name(struct cursor *c)
{
	size_t label = 0;
	int ch, last = 0;

	for (;;) {
		ch = peek(c);
		if (is_letdig(ch) || (ch == '-' && label > 0)) {
			c->pos++;
			label++;
			last = ch;
		} else if (ch >= 0x80) {
			if (utf8_sequence(c) == -1)
				return -1;
			label++;
			last = 'a';
		} else if (ch == '.' && label > 0 && last != '-') {
			c->pos++;
			label = 0;
		} else
			break;
	}
	if (label == 0 || last == '-')
		return fail(c, is_control(ch) ? ADDR_ECONTROL : ADDR_ESYNTAX);
	return 0;
}

static int
address_literal(struct cursor *c)
{
	char buf[64];
	unsigned char bin[16];
	const char *end;
	size_t i, n;

	end = memchr(c->s + c->pos, ']', c->len - c->pos);
	if (end == NULL)
		return fail(c, ADDR_ESYNTAX);
	n = end - (c->s + c->pos) - 1;
	/* a NUL would end buf early: "[192.0.2.1<NUL>junk]" */
	for (i = 1; i <= n; i++)
		if (is_control((unsigned char)c->s[c->pos + i]))
			return fail(c, ADDR_ECONTROL);
	if (n == 0 || n >= sizeof(buf))
		return fail(c, ADDR_ESYNTAX);
	memcpy(buf, c->s + c->pos + 1, n);
	buf[n] = '\0';
	if (strncasecmp(buf, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, buf + 5, bin) != 1)
			return fail(c, ADDR_ESYNTAX);
	} else if (inet_pton(AF_INET, buf, bin) != 1)
		return fail(c, ADDR_ESYNTAX);
	c->pos += n + 2;
	return 0;
}

static int
domain(struct cursor *c)
{
	if (peek(c) == '[')
		return address_literal(c);
	return domain_name(c);
}

/* A-d-l, the obsolete source route: "@a,@b:"; parsed and dropped. */
static int
source_route(struct cursor *c)
{
	for (;;) {
		c->pos++;		/* '@' */
		if (domain(c) == -1)
			return -1;
		if (peek(c) == ':') {
			c->pos++;
			return 0;
		}
		if (peek(c) != ',')
			return fail(c, is_control(peek(c)) ?
			    ADDR_ECONTROL : ADDR_ESYNTAX);
		c->pos++;
		if (peek(c) != '@')
			return fail(c, is_control(peek(c)) ?
			    ADDR_ECONTROL : ADDR_ESYNTAX);
	}
}

static int
copy_part(struct cursor *c, size_t from, char *dst, size_t size,
    enum addr_error toolong)
{
	size_t n = c->pos - from;

	if (n >= size)
		return fail(c, toolong);
	memcpy(dst, c->s + from, n);
	dst[n] = '\0';
	return 0;
}

static int
mailbox(struct cursor *c, struct mailbox *mb)
{
	size_t start = c->pos;

	if (peek(c) == '"' ? quoted_string(c) : dot_string(c))
		return -1;
	if (copy_part(c, start, mb->local, sizeof(mb->local),
	    ADDR_ELOCALLEN) == -1)
		return -1;
	if (peek(c) != '@') {
		if (peek(c) == '>' && (c->flags & ADDR_ALLOW_POSTMASTER) &&
		    strcasecmp(mb->local, "postmaster") == 0)
			return 0;
		return fail(c, is_control(peek(c)) ?
		    ADDR_ECONTROL : ADDR_ESYNTAX);
	}
	c->pos++;
	start = c->pos;
	if (domain(c) == -1)
		return -1;
	return copy_part(c, start, mb->domain, sizeof(mb->domain),
	    ADDR_EDOMAINLEN);
}

static int
has_high_octet(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

enum addr_error
addr_parse_path(const char *s, size_t len, int flags, struct mailbox *mb,
    size_t *used)
{
	struct cursor c = { s, len, 0, flags, ADDR_OK };

	memset(mb, 0, sizeof(*mb));
	if (peek(&c) != '<')
		return ADDR_ENOBRACKET;
	c.pos++;
	if (peek(&c) == '>') {
		if (!(flags & ADDR_ALLOW_NULL))
			return ADDR_ENULL;
		mb->is_null = 1;
		*used = c.pos + 1;
		return ADDR_OK;
	}
	if (peek(&c) == '@' && source_route(&c) == -1)
		return c.err;
	if (mailbox(&c, mb) == -1)
		return c.err;
	if (peek(&c) != '>')
		return is_control(peek(&c)) ? ADDR_ECONTROL :
		    peek(&c) == -1 ? ADDR_ENOBRACKET : ADDR_ESYNTAX;
	*used = c.pos + 1;
	mb->is_utf8 = has_high_octet(mb->local) || has_high_octet(mb->domain);
	return ADDR_OK;
}

int
addr_domain_valid(const char *s, size_t len)
{
	struct cursor c = { s, len, 0, 0, ADDR_OK };

	if (len == 0 || len > ADDR_DOMAIN_MAX || domain(&c) == -1)
		return 0;
	return c.pos == len;
}

size_t
mailbox_format(const struct mailbox *mb, char *buf, size_t size)
{
	int n;

	if (mb->is_null)
		n = snprintf(buf, size, "%s", "");
	else if (mb->domain[0] == '\0')
		n = snprintf(buf, size, "%s", mb->local);
	else
		n = snprintf(buf, size, "%s@%s", mb->local, mb->domain);
	if (n < 0 || size == 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* Remove the quoting of a Quoted-string local part. */
static int
unquote(const char *src, char *dst, size_t size)
{
	size_t n = 0;

	if (*src != '"')
		return snprintf(dst, size, "%s", src) < (int)size ? 0 : -1;
	for (src++; *src != '\0' && *src != '"'; src++) {
		if (*src == '\\' && src[1] != '\0')
			src++;
		if (n + 1 >= size)
			return -1;
		dst[n++] = *src;
	}
	dst[n] = '\0';
	return 0;
}

int
mailbox_split(const struct mailbox *mb, int delim, char *user, size_t usize,
    char *ext, size_t esize)
{
	char local[ADDR_LOCAL_MAX + 1];
	char *d;

	if (unquote(mb->local, local, sizeof(local)) == -1)
		return -1;
	d = delim != 0 ? strchr(local, delim) : NULL;
	if (d != NULL)
		*d++ = '\0';
	if (snprintf(user, usize, "%s", local) >= (int)usize)
		return -1;
	if (snprintf(ext, esize, "%s", d != NULL ? d : "") >= (int)esize)
		return -1;
	return 0;
}

/* ASCII only: the locale must not change where mail goes. */
static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static void
lowercase(char *s, size_t n)
{
	for (; n > 0 && *s != '\0'; s++, n--)
		*s = (char)lower((unsigned char)*s);
}

/* Whether s, unquoted, is a Dot-string (RFC 5321 §4.1.2; RFC 6531). */
static int
is_dot_string(const char *s)
{
	int ch, prev = '.';

	for (; *s != '\0'; prev = ch, s++) {
		ch = (unsigned char)*s;
		if (ch == '.' ? prev == '.' : !is_atext(ch) && ch < 0x80)
			return 0;
	}
	return prev != '.';
}

/* Write content as a local part: bare when it may be, else quoted. */
static int
requote(const char *content, char *dst, size_t size)
{
	size_t n = 0;
	int esc;

	if (is_dot_string(content))
		return snprintf(dst, size, "%s", content) < (int)size ? 0 : -1;
	if (size < 3)
		return -1;
	dst[n++] = '"';
	for (; *content != '\0'; content++) {
		esc = *content == '"' || *content == '\\';
		if (n + esc + 3 > size)		/* octet, '"', NUL */
			return -1;
		if (esc)
			dst[n++] = '\\';
		dst[n++] = *content;
	}
	dst[n++] = '"';
	dst[n] = '\0';
	return 0;
}

int
mailbox_canonical(const struct mailbox *in, int delim, int fold_case,
    struct mailbox *out)
{
	char content[ADDR_LOCAL_MAX + 1], local[ADDR_LOCAL_MAX + 1];
	const char *d;

	if (out != in)
		*out = *in;
	if (in->is_null)
		return 0;
	if (unquote(in->local, content, sizeof(content)) == -1)
		return -1;
	if (fold_case) {
		d = delim != 0 ? strchr(content, delim) : NULL;
		lowercase(content, d != NULL ? (size_t)(d - content) :
		    sizeof(content));
	}
	if (requote(content, local, sizeof(local)) == -1)
		return -1;
	memcpy(out->local, local, sizeof(out->local));
	lowercase(out->domain, sizeof(out->domain));
	return 0;
}

int
mailbox_base(const struct mailbox *in, int delim, struct mailbox *out)
{
	char content[ADDR_LOCAL_MAX + 1], local[ADDR_LOCAL_MAX + 1];
	char *d;

	if (out != in)
		*out = *in;
	if (in->is_null || delim == 0 ||
	    unquote(in->local, content, sizeof(content)) == -1 ||
	    (d = strchr(content, delim)) == NULL || d == content)
		return 0;
	*d = '\0';
	if (requote(content, local, sizeof(local)) == -1)
		return 0;
	memcpy(out->local, local, sizeof(out->local));
	return 1;
}

enum addr_error
addr_parse_mailbox(const char *s, size_t len, int flags, struct mailbox *mb)
{
	struct cursor c = { s, len, 0, flags & ADDR_ALLOW_UTF8, ADDR_OK };

	memset(mb, 0, sizeof(*mb));
	if (mailbox(&c, mb) == -1)
		return c.err;
	if (c.pos != len)
		return is_control(peek(&c)) ? ADDR_ECONTROL : ADDR_ESYNTAX;
	mb->is_utf8 = has_high_octet(mb->local) || has_high_octet(mb->domain);
	return ADDR_OK;
}

static int
same_text(const char *a, const char *b, int fold_case)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (fold_case ? lower((unsigned char)*a) !=
		    lower((unsigned char)*b) : *a != *b)
			return 0;
	return *a == *b;
}

enum addr_match
addr_pattern_match(const char *pattern, const struct mailbox *canon,
    int delim, int fold_case)
{
	struct mailbox p, base;

	if (canon->is_null || canon->domain[0] == '\0')
		return ADDR_MATCH_NONE;
	if (pattern[0] == '@')
		return same_text(pattern + 1, canon->domain, 1) ?
		    ADDR_MATCH_DOMAIN : ADDR_MATCH_NONE;
	if (addr_parse_mailbox(pattern, strlen(pattern), ADDR_ALLOW_UTF8,
	    &p) != ADDR_OK || mailbox_canonical(&p, delim, fold_case,
	    &p) == -1 || !same_text(p.domain, canon->domain, 1))
		return ADDR_MATCH_NONE;
	if (same_text(p.local, canon->local, fold_case))
		return ADDR_MATCH_EXACT;
	if (mailbox_base(canon, delim, &base) &&
	    same_text(p.local, base.local, fold_case))
		return ADDR_MATCH_BASE;
	return ADDR_MATCH_NONE;
}

int
addr_delimiter_parse(const char *s)
{
	unsigned char ch;

	if (s == NULL)
		return -1;
	if (strcmp(s, "none") == 0)
		return 0;
	ch = s[0];
	if (ch == '\0' || s[1] != '\0' || ch <= ' ' || ch >= 0x7f ||
	    is_letdig(ch) || ch == '@' || ch == '"')
		return -1;
	return ch;
}

const char *
addr_strerror(enum addr_error e)
{
	switch (e) {
	case ADDR_OK:
		return "ok";
	case ADDR_ENOBRACKET:
		return "address must be enclosed in <>";
	case ADDR_ESYNTAX:
		return "address syntax error";
	case ADDR_ELOCALLEN:
		return "local part longer than 64 octets";
	case ADDR_EDOMAINLEN:
		return "domain longer than 255 octets";
	case ADDR_ENULL:
		return "null address not allowed here";
	case ADDR_EUTF8:
		return "non-ASCII address without SMTPUTF8";
	case ADDR_ECONTROL:
		return "control character in address";
	}
	return "address error";
}
