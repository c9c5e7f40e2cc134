/*
 * hdr.c: values from outside made safe for a header field (hdr.h).  What
 * is not provably harmless is dropped rather than escaped, where the
 * field's grammar allows leaving it out: a filter that greps for
 * "dkim=pass" does not parse quoted-strings.
 */
#include <string.h>

#include "address.h"
#include "hdr.h"

static size_t
text(char *out, size_t size, const char *in)
{
	size_t n = 0;
	int blank = 0;

	for (; *in != '\0' && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			blank = n > 0;
			continue;
		}
		if (blank) {
			/* room for the blank, an octet and the NUL */
			if (n + 2 >= size)
				break;
			out[n++] = ' ';
			blank = 0;
		}
		out[n++] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
	return n;
}

/*
 * Inside a comment: no quoted-pair, no ';' (a naive reader takes the
 * first one for the end of a Received: clause list), and parentheses
 * only in pairs, so the comment ends where we end it.  A ')' with no '('
 * before it goes left to right, a '(' with no ')' after it right to left.
 */
static size_t
comment(char *out, size_t size, const char *in)
{
	size_t n, i;
	unsigned depth = 0;

	n = text(out, size, in);
	for (i = 0; i < n; i++) {
		if (out[i] == '\\' || out[i] == ';')
			out[i] = '?';
		else if (out[i] == '(')
			depth++;
		else if (out[i] == ')' && depth == 0)
			out[i] = '?';
		else if (out[i] == ')')
			depth--;
	}
	for (depth = 0, i = n; i > 0; i--) {
		if (out[i - 1] == ')')
			depth++;
		else if (out[i - 1] == '(' && depth == 0)
			out[i - 1] = '?';
		else if (out[i - 1] == '(')
			depth--;
	}
	return n;
}

static int
ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
domain_name(const char *s, size_t len)
{
	return len > 0 && s[0] != '[' && ascii(s, len) &&
	    addr_domain_valid(s, len);
}

/* A dot-atom of atext but '=', which would read as "property=value". */
static int
plain_local(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && s[i + 1] == '.')
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') ||
		    strchr(".!#$%&'*+-/?^_`{|}~", c) != NULL))
			return 0;
	}
	return 1;
}

static size_t
copy(char *out, size_t size, const char *in, size_t len)
{
	if (len >= size)
		return 0;
	memcpy(out, in, len);
	out[len] = '\0';
	return len;
}

static size_t
mailbox(char *out, size_t size, const char *in)
{
	const char *at = strrchr(in, '@');
	size_t len = strlen(in);

	if (at == NULL || !domain_name(at + 1, len - (at + 1 - in)))
		return 0;
	if (plain_local(in, at - in))
		return copy(out, size, in, len);
	return copy(out, size, at + 1, len - (at + 1 - in));
}

/* RFC 2045 token, else quoted-string: backslash and DQUOTE escaped. */
static size_t
value(char *out, size_t size, const char *in)
{
	size_t i, n = 0, len = strlen(in);

	if (len == 0)
		return 0;
	if (ascii(in, len) && strpbrk(in, "()<>@,;:\\\"/[]?=") == NULL)
		return copy(out, size, in, len);
	if (size < 3)
		return 0;
	out[n++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c >= 0x7f || n + 4 > size) {
			out[0] = '\0';
			return 0;
		}
		if (c == '"' || c == '\\')
			out[n++] = '\\';
		out[n++] = c;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

size_t
hdr_safe(char *out, size_t size, const char *in, enum hdr_kind kind)
{
	size_t len;

	if (size == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		in = "";
	len = strlen(in);
	switch (kind) {
	case HDR_TEXT:
		return text(out, size, in);
	case HDR_COMMENT:
		return comment(out, size, in);
	case HDR_DOMAIN:
		return domain_name(in, len) ? copy(out, size, in, len) : 0;
	case HDR_HOST:
		return ascii(in, len) && addr_domain_valid(in, len) ?
		    copy(out, size, in, len) : 0;
	case HDR_MAILBOX:
		return mailbox(out, size, in);
	case HDR_VALUE:
		return value(out, size, in);
	}
	return 0;
}
