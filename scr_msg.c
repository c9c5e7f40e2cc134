/*
 * scr_msg.c: one held message, read for the person who decides on its
 * sender (scr_msg.h).
 *
 * The reading is deliberately simple: a message is shown, never
 * trusted, so what cannot be parsed is left out rather than guessed
 * at.  The header section is walked once, each field unfolded into a
 * bounded buffer; the body is looked at only for the first text/plain
 * part (else the first text/html one, its tags dropped), through at most
 * SCR_DEPTH_MAX levels of multipart, with its base64 or
 * quoted-printable undone.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scr_msg.h"

#define SCR_DEPTH_MAX	4	/* nested multiparts looked into */
#define SCR_TEXT_MAX	4096	/* decoded body octets kept for a snippet */
#define SCR_BOUNDARY_MAX 80	/* RFC 2046 5.1.1: 70, some slack */

/* A header walker over buf[0..len). */
struct walk {
	const char	*buf;
	size_t		 len;
	size_t		 pos;
};

struct ctype {
	char	type[64];		/* "text/plain", lowercased */
	char	boundary[SCR_BOUNDARY_MAX + 1];
	char	charset[32];		/* lowercased */
	int	cte;			/* CTE_* */
};

enum { CTE_NONE, CTE_BASE64, CTE_QP };

static int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 'a' - 'A' : ch;
}

/* The length of the line at p (through its LF, if any). */
static size_t
line_len(const char *p, size_t n)
{
	const char *lf = memchr(p, '\n', n);

	return lf != NULL ? (size_t)(lf - p) + 1 : n;
}

/* Whether the line at p is empty (LF, CRLF, or the end). */
static int
line_empty(const char *p, size_t n)
{
	return n == 0 || p[0] == '\n' || (n >= 2 && p[0] == '\r' &&
	    p[1] == '\n');
}

/*
 * The next field: its name into name (cut to fit), its value unfolded
 * (line ends removed, leading blanks dropped) into value.  1 for a
 * field, 0 at the end of the header section (w->pos then at the body).
 * A line that is no field (no colon, or a leading "From ") is skipped.
 */
static int
next_field(struct walk *w, char *name, size_t nsize, char *value,
    size_t vsize)
{
	const char *p, *colon;
	size_t n, l, nl, vl = 0;

	for (;;) {
		p = w->buf + w->pos;
		n = w->len - w->pos;
		if (line_empty(p, n)) {
			w->pos += n == 0 ? 0 : p[0] == '\n' ? 1 : 2;
			return 0;
		}
		l = line_len(p, n);
		w->pos += l;
		colon = memchr(p, ':', l);
		if (colon != NULL && colon != p && !is_wsp(p[0]))
			break;
	}
	nl = (size_t)(colon - p);
	while (nl > 0 && is_wsp(p[nl - 1]))
		nl--;
	if (nl >= nsize)
		nl = nsize - 1;
	memcpy(name, p, nl);
	name[nl] = '\0';
	/* the value: the rest of this line and its continuation lines */
	p = colon + 1;
	l -= (size_t)(p - (w->buf + w->pos - l));
	for (;;) {
		while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r'))
			l--;
		for (; l > 0; p++, l--)
			if (vl + 1 < vsize && (vl > 0 || !is_wsp(*p)))
				value[vl++] = *p;
		n = w->len - w->pos;
		p = w->buf + w->pos;
		if (n == 0 || !is_wsp(p[0]))
			break;
		l = line_len(p, n);
		w->pos += l;
	}
	value[vl] = '\0';
	return 1;
}

/* The length of one UTF-8 character at s (1 to 4) with its code point,
 * or 0 when it is not valid UTF-8. */
static size_t
utf8_char(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* What a code point prints as: 1 itself, 0 white space, -1 '?'. */
static int
char_class(unsigned long c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x85 ||
	    c == 0xa0 || c == 0x2028 || c == 0x2029)
		return 0;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return -1;
	/* bidirectional marks and overrides: they reorder what follows */
	if (c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return -1;
	return 1;
}

size_t
scr_printable(char *out, size_t size, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned long cp;
	size_t i = 0, o = 0, n;
	int space = 0, cls;

	while (i < len) {
		if ((n = utf8_char(s + i, len - i, &cp)) == 0) {
			n = 1;
			cls = -1;
		} else
			cls = char_class(cp);
		if (cls == 0) {
			space = o > 0;
			i += n;
			continue;
		}
		if (o + space + (cls == 1 ? n : 1) >= size)
			break;
		if (space)
			out[o++] = ' ';
		space = 0;
		if (cls == 1) {
			memcpy(out + o, s + i, n);
			o += n;
		} else
			out[o++] = '?';
		i += n;
	}
	out[o] = '\0';
	return o;
}

/* Append octet ch to out[*o], within size (the last one kept for NUL). */
static void
put(char *out, size_t size, size_t *o, int ch)
{
	if (*o + 1 < size)
		out[(*o)++] = (char)ch;
}

/* An octet of a Latin-1 text, as UTF-8. */
static void
put_latin1(char *out, size_t size, size_t *o, unsigned char ch)
{
	if (ch < 0x80) {
		put(out, size, o, ch);
		return;
	}
	if (*o + 2 < size) {
		out[(*o)++] = (char)(0xc0 | (ch >> 6));
		out[(*o)++] = (char)(0x80 | (ch & 0x3f));
	}
}

static int
is_latin1(const char *charset)
{
	return strncasecmp(charset, "iso-8859-1", 10) == 0 ||
	    strncasecmp(charset, "latin1", 6) == 0 ||
	    strncasecmp(charset, "windows-125", 11) == 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = lower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * Decode in[0..len) (base64, quoted-printable with q for RFC 2047's Q
 * where '_' is a space, or as it is) into out, Latin-1 turned into
 * UTF-8 when latin1.  *o is where out continues.
 */
static void
decode(char *out, size_t size, size_t *o, const char *in, size_t len,
    int cte, int q, int latin1)
{
	unsigned long acc = 0;
	size_t i, j;
	int bits = 0, v, h, l;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)in[i];
		if (cte == CTE_BASE64) {
			if (ch == '=')
				break;
			if ((v = b64val(ch)) == -1)
				continue;
			acc = (acc << 6) | (unsigned long)v;
			if ((bits += 6) < 8)
				continue;
			bits -= 8;
			ch = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		} else if (cte == CTE_QP && ch == '=') {
			if (i + 2 < len && (h = hexval(in[i + 1])) != -1 &&
			    (l = hexval(in[i + 2])) != -1) {
				ch = (unsigned char)(h << 4 | l);
				i += 2;
			} else {
				/* a soft line break: "=", blanks, line end */
				for (j = i + 1; j < len && (in[j] == ' ' ||
				    in[j] == '\t' || in[j] == '\r'); j++)
					;
				if (j < len && in[j] == '\n') {
					i = j;
					continue;
				}
			}
		} else if (q && ch == '_')
			ch = ' ';
		if (latin1)
			put_latin1(out, size, o, ch);
		else
			put(out, size, o, ch);
	}
}

/*
 * One encoded-word at in[0..len): "=?charset?E?text?=".  Its length, or
 * 0 when it is not one; the decoded octets go to out.
 */
static size_t
encoded_word(char *out, size_t size, size_t *o, const char *in, size_t len)
{
	char charset[32];
	const char *cs, *q, *text, *end;
	size_t cl;
	int e;

	if (len < 8 || in[0] != '=' || in[1] != '?')
		return 0;
	cs = in + 2;
	if ((q = memchr(cs, '?', len - 2)) == NULL || q == cs ||
	    (size_t)(q - in) + 3 >= len || q[2] != '?')
		return 0;
	e = lower(q[1]);
	if (e != 'b' && e != 'q')
		return 0;
	text = q + 3;
	for (end = text; end + 1 < in + len; end++) {
		if (end[0] == '?' && end[1] == '=')
			break;
		if (is_space((unsigned char)*end))
			return 0;
	}
	if (end + 1 >= in + len)
		return 0;
	cl = (size_t)(q - cs);
	if (cl >= sizeof(charset))
		cl = sizeof(charset) - 1;
	memcpy(charset, cs, cl);
	charset[cl] = '\0';
	decode(out, size, o, text, (size_t)(end - text),
	    e == 'b' ? CTE_BASE64 : CTE_QP, e == 'q', is_latin1(charset));
	return (size_t)(end + 2 - in);
}

size_t
scr_decode_words(char *out, size_t size, const char *in, size_t len)
{
	char raw[SCR_FIELD_MAX * 2];
	size_t i = 0, o = 0, n, ws, none;
	int after_word = 0;

	while (i < len) {
		for (ws = i; i < len && is_space((unsigned char)in[i]); i++)
			;
		if (i > ws) {
			/* dropped between two encoded-words (a dry run, with
			 * no room, says whether one follows) */
			none = 0;
			if (!after_word || i == len || encoded_word(NULL, 0,
			    &none, in + i, len - i) == 0)
				put(raw, sizeof(raw), &o, ' ');
			continue;
		}
		if ((n = encoded_word(raw, sizeof(raw), &o, in + i,
		    len - i)) > 0) {
			i += n;
			after_word = 1;
			continue;
		}
		after_word = 0;
		put(raw, sizeof(raw), &o, in[i]);
		i++;
	}
	return scr_printable(out, size, raw, o);
}

/* Copy in[0..n) lowercased into out (cut to fit). */
static void
copy_lower(char *out, size_t size, const char *in, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)lower((unsigned char)in[i]);
	out[n] = '\0';
}

/*
 * Skip a comment starting at s[*i] == '(' (nested, with quoted-pairs);
 * *i ends after its ')' or at n.
 */
static void
skip_comment(const char *s, size_t n, size_t *i)
{
	int depth = 0;

	for (; *i < n; (*i)++) {
		if (s[*i] == '\\' && *i + 1 < n)
			(*i)++;
		else if (s[*i] == '(')
			depth++;
		else if (s[*i] == ')' && --depth == 0) {
			(*i)++;
			return;
		}
	}
}

/* Skip a quoted-string starting at s[*i] == '"'. */
static void
skip_quoted(const char *s, size_t n, size_t *i)
{
	for ((*i)++; *i < n; (*i)++) {
		if (s[*i] == '\\' && *i + 1 < n)
			(*i)++;
		else if (s[*i] == '"') {
			(*i)++;
			return;
		}
	}
}

/* A parameter's value at s[*i] (quoted or a token) into out. */
static void
param_value(const char *s, size_t n, size_t *i, char *out, size_t size)
{
	size_t o = 0;

	if (*i < n && s[*i] == '"') {
		for ((*i)++; *i < n && s[*i] != '"'; (*i)++) {
			if (s[*i] == '\\' && *i + 1 < n)
				(*i)++;
			put(out, size, &o, s[*i]);
		}
	} else
		for (; *i < n && s[*i] != ';' && !is_space(
		    (unsigned char)s[*i]) && s[*i] != '('; (*i)++)
			put(out, size, &o, s[*i]);
	out[o] = '\0';
}

/* Content-Type: "type/subtype; boundary=...; charset=...". */
static void
parse_ctype(const char *v, struct ctype *ct)
{
	size_t n = strlen(v), i = 0, start;
	char name[32], val[SCR_BOUNDARY_MAX + 1];

	while (i < n && (is_space((unsigned char)v[i]) || v[i] == '('))
		if (v[i] == '(')
			skip_comment(v, n, &i);
		else
			i++;
	for (start = i; i < n && v[i] != ';' && !is_space((unsigned char)v[i])
	    && v[i] != '('; i++)
		;
	copy_lower(ct->type, sizeof(ct->type), v + start, i - start);
	while (i < n) {
		if (v[i] == '"') {
			skip_quoted(v, n, &i);
			continue;
		}
		if (v[i] == '(') {
			skip_comment(v, n, &i);
			continue;
		}
		if (v[i++] != ';')
			continue;
		while (i < n && is_space((unsigned char)v[i]))
			i++;
		for (start = i; i < n && v[i] != '=' && v[i] != ';'; i++)
			;
		if (i == n || v[i] != '=')
			continue;
		copy_lower(name, sizeof(name), v + start, i - start);
		while (strlen(name) > 0 && is_space(
		    (unsigned char)name[strlen(name) - 1]))
			name[strlen(name) - 1] = '\0';
		i++;
		param_value(v, n, &i, val, sizeof(val));
		if (strcmp(name, "boundary") == 0)
			snprintf(ct->boundary, sizeof(ct->boundary), "%s", val);
		else if (strcmp(name, "charset") == 0)
			copy_lower(ct->charset, sizeof(ct->charset), val,
			    strlen(val));
	}
}

static int
parse_cte(const char *v)
{
	while (is_space((unsigned char)*v))
		v++;
	if (strncasecmp(v, "base64", 6) == 0)
		return CTE_BASE64;
	if (strncasecmp(v, "quoted-printable", 16) == 0)
		return CTE_QP;
	return CTE_NONE;
}

/*
 * The first mailbox of an address-list: "Name <addr>", "addr (Name)",
 * "addr".  Its address (validated, lowercased) and display name.
 */
static void
parse_from(const char *v, struct scr_msg *m)
{
	char addr[ADDR_MAX + 1], phrase[SCR_FIELD_MAX];
	const char *comment = NULL;
	size_t n = strlen(v), i = 0, lt = n, end = n, a = 0, p = 0, cl = 0;
	size_t c0, j;
	struct mailbox mb;
	int in_angle = 0;

	/* where the first mailbox ends, and its '<' */
	while (i < n) {
		if (v[i] == '"') {
			skip_quoted(v, n, &i);
			continue;
		}
		if (v[i] == '(') {
			c0 = i;
			skip_comment(v, n, &i);
			if (comment == NULL) {
				comment = v + c0 + 1;
				cl = i - c0 >= 2 ? i - c0 - 2 : 0;
			}
			continue;
		}
		if (v[i] == '<' && !in_angle && lt == n) {
			lt = i;
			in_angle = 1;
		} else if (v[i] == '>')
			in_angle = 0;
		else if (v[i] == ',' && !in_angle) {
			end = i;
			break;
		}
		i++;
	}
	/* the address: inside <>, else the whole mailbox; no comments,
	 * no blanks outside quotes, no obs-route */
	i = lt < end ? lt + 1 : 0;
	for (; i < end && v[i] != '>'; ) {
		if (v[i] == '(') {
			skip_comment(v, n, &i);
			continue;
		}
		if (v[i] == '"') {
			j = i;
			skip_quoted(v, n, &i);
			for (; j < i; j++)
				put(addr, sizeof(addr), &a, v[j]);
			continue;
		}
		if (v[i] == ':' && a > 0 && addr[0] == '@') {
			a = 0;		/* "@relay,@relay:" */
			i++;
			continue;
		}
		if (!is_space((unsigned char)v[i]))
			put(addr, sizeof(addr), &a, v[i]);
		i++;
	}
	addr[a] = '\0';
	if (a > 0 && addr_parse_mailbox(addr, a, ADDR_ALLOW_UTF8, &mb) ==
	    ADDR_OK && mb.domain[0] != '\0') {
		mailbox_format(&mb, m->from, sizeof(m->from));
		copy_lower(m->from, sizeof(m->from), m->from,
		    strlen(m->from));
		/* shown and printed as it is: only what needs no repair */
		scr_printable(addr, sizeof(addr), m->from, strlen(m->from));
		if (strcmp(addr, m->from) != 0)
			m->from[0] = '\0';
	}
	/* the display name: the phrase before '<', unquoted; else the
	 * comment */
	if (lt < end) {
		for (i = 0; i < lt; i++) {
			if (v[i] == '(') {
				skip_comment(v, n, &i);
				i--;
				continue;
			}
			if (v[i] == '"')
				continue;
			if (v[i] == '\\' && i + 1 < lt)
				i++;
			put(phrase, sizeof(phrase), &p, v[i]);
		}
	} else if (comment != NULL)
		for (i = 0; i < cl; i++)
			put(phrase, sizeof(phrase), &p, comment[i]);
	scr_decode_words(m->display, sizeof(m->display), phrase, p);
}

/*
 * Authentication-Results: when its authserv-id is ours, its methods'
 * results and its closing comment into m->evidence.  1 when it was ours.
 */
static int
parse_authres(const char *v, const char *id, struct scr_msg *m)
{
	char words[SCR_FIELD_MAX], last[256] = "";
	size_t n = strlen(v), i = 0, start, w = 0, k;
	int first = 1;

	while (i < n && is_space((unsigned char)v[i]))
		i++;
	for (start = i; i < n && v[i] != ';' && !is_space((unsigned char)v[i])
	    && v[i] != '('; i++)
		;
	if (i - start != strlen(id) || strncasecmp(v + start, id, i - start)
	    != 0)
		return 0;
	while (i < n) {
		if (v[i] == '"') {
			skip_quoted(v, n, &i);
			continue;
		}
		if (v[i] == '(') {
			start = i;
			skip_comment(v, n, &i);
			if (i - start >= 2 && (strncmp(v + start + 1, "TLS:", 4)
			    == 0 || strncmp(v + start + 1, "plaintext:", 10)
			    == 0))
				scr_printable(last, sizeof(last), v + start + 1,
				    i - start - 2);
			continue;
		}
		if (v[i++] != ';')
			continue;
		while (i < n && is_space((unsigned char)v[i]))
			i++;
		for (start = i; i < n && v[i] != ';' && v[i] != '(' &&
		    !is_space((unsigned char)v[i]); i++)
			;
		if (memchr(v + start, '=', i - start) == NULL)
			continue;
		if (!first)
			put(words, sizeof(words), &w, ' ');
		first = 0;
		for (k = start; k < i; k++)
			put(words, sizeof(words), &w, v[k]);
	}
	words[w] = '\0';
	if (w == 0)
		snprintf(words, sizeof(words), "none");
	w = scr_printable(m->evidence, sizeof(m->evidence), words,
	    strlen(words));
	if (last[0] != '\0')
		snprintf(m->evidence + w, sizeof(m->evidence) - w, "; %s",
		    last);
	return 1;
}

/* Where "</name" starts after s[i], or n. */
static size_t
end_tag(const char *s, size_t n, size_t i, const char *name)
{
	size_t l = strlen(name);

	for (; i + l + 2 <= n; i++)
		if (s[i] == '<' && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, l) == 0)
			return i;
	return n;
}

/* HTML text without its tags and with the commonest entities. */
static size_t
strip_html(char *s, size_t n)
{
	static const struct { const char *e; char c; } ent[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&nbsp;", ' ' }, { "&#39;", '\'' },
	};
	static const char *const hidden[] = { "head", "style", "script" };
	size_t i, o = 0, k, l;
	int tag = 0;

	for (i = 0; i < n; i++) {
		if (tag) {
			tag = s[i] != '>';
			continue;
		}
		/* what is not shown: up to its end tag */
		for (k = 0; s[i] == '<' && k < 3; k++) {
			l = strlen(hidden[k]);
			if (n - i > l + 1 && strncasecmp(s + i + 1, hidden[k],
			    l) == 0 && (s[i + l + 1] == '>' ||
			    is_space((unsigned char)s[i + l + 1]))) {
				i = end_tag(s, n, i + l + 1, hidden[k]);
				break;
			}
		}
		if (i >= n)
			break;
		if (s[i] == '<') {
			tag = 1;
			s[o++] = ' ';
			continue;
		}
		if (s[i] == '&')
			for (k = 0; k < sizeof(ent) / sizeof(ent[0]); k++) {
				l = strlen(ent[k].e);
				if (n - i >= l && strncasecmp(s + i, ent[k].e,
				    l) == 0) {
					s[i + l - 1] = ent[k].c;
					i += l - 1;
					break;
				}
			}
		s[o++] = s[i];
	}
	return o;
}

static int	find_text(const char *, size_t, const struct ctype *,
		    const char *, int, struct scr_msg *);

/* One part of a multipart at depth: its header, then its text. */
static int
find_part(const char *part, size_t len, const char *want, int depth,
    struct scr_msg *m)
{
	char name[64], value[SCR_FIELD_MAX];
	struct walk w = { part, len, 0 };
	struct ctype ct;

	memset(&ct, 0, sizeof(ct));
	while (next_field(&w, name, sizeof(name), value, sizeof(value)))
		if (strcasecmp(name, "Content-Type") == 0)
			parse_ctype(value, &ct);
		else if (strcasecmp(name, "Content-Transfer-Encoding") == 0)
			ct.cte = parse_cte(value);
	if (ct.type[0] == '\0')
		snprintf(ct.type, sizeof(ct.type), "text/plain");
	return find_text(part + w.pos, len - w.pos, &ct, want, depth + 1, m);
}

/*
 * The first text of the part body[0..len) of type ct, as want says
 * ("text/plain" or "text/html"), into m->snippet: 1 when found.
 */
static int
find_text(const char *body, size_t len, const struct ctype *ct,
    const char *want, int depth, struct scr_msg *m)
{
	char blen_buf[SCR_BOUNDARY_MAX + 3], text[SCR_TEXT_MAX];
	size_t i, l, bl, start = 0, o = 0;
	int in_part = 0;

	if (strncmp(ct->type, "multipart/", 10) == 0) {
		if (depth >= SCR_DEPTH_MAX || ct->boundary[0] == '\0')
			return 0;
		bl = (size_t)snprintf(blen_buf, sizeof(blen_buf), "--%s",
		    ct->boundary);
		for (i = 0; i < len; i += l) {
			l = line_len(body + i, len - i);
			if (l < bl || memcmp(body + i, blen_buf, bl) != 0)
				continue;
			if (in_part && find_part(body + start, i - start,
			    want, depth, m))
				return 1;
			if (l >= bl + 2 && body[i + bl] == '-' &&
			    body[i + bl + 1] == '-')
				return 0;	/* the close delimiter */
			in_part = 1;
			start = i + l;
		}
		/* a message cut short (SCR_MSG_READ): its last part */
		return in_part && find_part(body + start, len - start, want,
		    depth, m);
	}
	if (strcmp(ct->type, want) != 0)
		return 0;
	decode(text, sizeof(text), &o, body, len, ct->cte, 0,
	    is_latin1(ct->charset));
	if (strcmp(want, "text/html") == 0)
		o = strip_html(text, o);
	scr_printable(m->snippet, sizeof(m->snippet), text, o);
	return m->snippet[0] != '\0';
}

void
scr_msg_read(const char *buf, size_t len, const char *authserv_id,
    struct scr_msg *m)
{
	char name[64], value[SCR_FIELD_MAX];
	struct walk w = { buf, len, 0 };
	struct ctype ct;
	int from = 0, subject = 0, authres = 0;

	memset(m, 0, sizeof(*m));
	memset(&ct, 0, sizeof(ct));
	while (next_field(&w, name, sizeof(name), value, sizeof(value))) {
		if (!from && strcasecmp(name, "From") == 0) {
			from = 1;
			parse_from(value, m);
		} else if (!subject && strcasecmp(name, "Subject") == 0) {
			subject = 1;
			scr_decode_words(m->subject, sizeof(m->subject), value,
			    strlen(value));
		} else if (!authres && strcasecmp(name,
		    "Authentication-Results") == 0)
			authres = parse_authres(value, authserv_id, m);
		else if (!m->screened && strcasecmp(name,
		    "X-Samotop-Screener") == 0) {
			m->screened = 1;
			scr_printable(m->screener, sizeof(m->screener), value,
			    strlen(value));
		} else if (strcasecmp(name, "Content-Type") == 0)
			parse_ctype(value, &ct);
		else if (strcasecmp(name, "Content-Transfer-Encoding") == 0)
			ct.cte = parse_cte(value);
	}
	if (!authres)
		snprintf(m->evidence, sizeof(m->evidence), "none");
	if (ct.type[0] == '\0')
		snprintf(ct.type, sizeof(ct.type), "text/plain");
	if (!find_text(buf + w.pos, len - w.pos, &ct, "text/plain", 0, m))
		find_text(buf + w.pos, len - w.pos, &ct, "text/html", 0, m);
}
