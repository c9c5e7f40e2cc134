/*
 * scr_httpreq.c: the request head and the values in it (scr_httpreq.h).
 */
#include <string.h>
#include <strings.h>

#include "scr_httpreq.h"

static int
refuse(struct scr_http_req *r, int status, const char *why)
{
	r->status = status;
	r->error = why;
	return -1;
}

/* RFC 9110 5.6.2 tchar */
static int
is_tchar(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A field value's octet: HTAB, SP, VCHAR, obs-text. */
static int
is_vchar(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/*
 * The line at buf[0..len): its length with CR LF, 0 when there is no LF
 * yet, -1 when an LF comes without its CR or a CR stands alone.
 */
static long
line_len(const char *buf, size_t len)
{
	const char *lf = memchr(buf, '\n', len);
	const char *cr = memchr(buf, '\r', len);

	if (lf == NULL)
		return cr != NULL && cr + 1 < buf + len ? -1 : 0;
	if (lf == buf || lf[-1] != '\r' || cr != lf - 1)
		return -1;
	return (long)(lf - buf) + 1;
}

static int
set_field(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int
request_line(const char *p, size_t n, struct scr_http_req *r)
{
	const char *sp1, *sp2, *q, *end = p + n;
	size_t i;

	if ((sp1 = memchr(p, ' ', n)) == NULL || sp1 == p)
		return refuse(r, 400, "malformed request line");
	for (q = p; q < sp1; q++)
		if (!is_tchar((unsigned char)*q))
			return refuse(r, 400, "malformed method");
	if (sp1 - p == 3 && memcmp(p, "GET", 3) == 0)
		r->method = SCR_GET;
	else if (sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0)
		r->method = SCR_HEAD;
	else if (sp1 - p == 4 && memcmp(p, "POST", 4) == 0)
		r->method = SCR_POST;
	else
		r->method = SCR_OTHER;
	if ((sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL)
		return refuse(r, 400, "malformed request line");
	if (sp1[1] != '/')
		return refuse(r, 400, "not an origin-form target");
	for (q = sp1 + 1; q < sp2; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return refuse(r, 400, "malformed target");
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	if (set_field(r->path, sizeof(r->path), sp1 + 1,
	    (size_t)((q != NULL ? q : sp2) - sp1 - 1)) == -1 ||
	    (q != NULL && set_field(r->query, sizeof(r->query), q + 1,
	    (size_t)(sp2 - q - 1)) == -1))
		return refuse(r, 414, "target too long");
	i = (size_t)(end - sp2 - 1);
	if (i < 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[7] != '.' ||
	    sp2[8] < '0' || sp2[8] > '9' || i != 8)
		return refuse(r, 400, "malformed version");
	if (sp2[6] != '1')
		return refuse(r, 505, "HTTP version not supported");
	r->minor = sp2[8] - '0';
	r->keep_alive = r->minor >= 1;
	return 0;
}

/* Connection: a comma-separated list of options. */
static void
connection(const char *v, size_t n, struct scr_http_req *r)
{
	const char *end = v + n, *t;
	size_t len;

	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		for (t = v; t < end && *t != ',' && *t != ' ' &&
		    *t != '\t'; t++)
			;
		len = (size_t)(t - v);
		if (len == 5 && strncasecmp(v, "close", 5) == 0)
			r->keep_alive = 0;
		else if (len == 10 && strncasecmp(v, "keep-alive", 10) == 0 &&
		    r->minor == 0)
			r->keep_alive = 1;
		v = t;
	}
}

static int
content_length(const char *v, size_t n, struct scr_http_req *r)
{
	size_t x = 0, i;

	if (n == 0)
		return refuse(r, 400, "malformed Content-Length");
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return refuse(r, 400, "malformed Content-Length");
		if (x > SCR_HTTP_BODY_MAX)
			continue;	/* too large already; digits checked */
		x = x * 10 + (size_t)(v[i] - '0');
	}
	if (r->has_length && x != r->content_length)
		return refuse(r, 400, "two Content-Length fields");
	r->has_length = 1;
	r->content_length = x;
	return 0;
}

#define NAME_IS(s) (nlen == sizeof(s) - 1 && strncasecmp(p, s, nlen) == 0)

static int
header(const char *p, size_t n, struct scr_http_req *r, int *te)
{
	const char *colon, *v, *e;
	size_t nlen, used;

	if (*p == ' ' || *p == '\t')
		return refuse(r, 400, "obsolete line folding");
	if (++r->nheaders > SCR_HTTP_HEADERS_MAX)
		return refuse(r, 431, "too many header fields");
	if ((colon = memchr(p, ':', n)) == NULL || colon == p)
		return refuse(r, 400, "malformed header field");
	nlen = (size_t)(colon - p);
	for (v = p; v < colon; v++)
		if (!is_tchar((unsigned char)*v))
			return refuse(r, 400, "malformed header field name");
	v = colon + 1;
	e = p + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (colon = v; colon < e; colon++)
		if (!is_vchar((unsigned char)*colon))
			return refuse(r, 400, "control octet in a header field");
	n = (size_t)(e - v);
	if (NAME_IS("Host")) {
		if (r->host[0] != '\0' || n == 0)
			return refuse(r, 400, "Host missing or twice");
		if (set_field(r->host, sizeof(r->host), v, n) == -1)
			return refuse(r, 431, "Host too long");
	} else if (NAME_IS("Content-Length")) {
		return content_length(v, n, r);
	} else if (NAME_IS("Transfer-Encoding")) {
		*te = 1;
	} else if (NAME_IS("Connection")) {
		connection(v, n, r);
	} else if (NAME_IS("Authorization")) {
		if (r->authorization[0] != '\0')
			return refuse(r, 400, "two Authorization fields");
		if (set_field(r->authorization, sizeof(r->authorization), v,
		    n) == -1)
			return refuse(r, 431, "Authorization too long");
	} else if (NAME_IS("Cookie")) {
		used = strlen(r->cookie);
		if (used > 0) {
			if (used + 2 + n >= sizeof(r->cookie))
				return refuse(r, 431, "Cookie too long");
			memcpy(r->cookie + used, "; ", 2);
			used += 2;
		}
		if (set_field(r->cookie + used, sizeof(r->cookie) - used, v,
		    n) == -1)
			return refuse(r, 431, "Cookie too long");
	} else if (NAME_IS("Content-Type")) {
		if (set_field(r->content_type, sizeof(r->content_type), v,
		    n) == -1)
			return refuse(r, 431, "Content-Type too long");
	} else if (NAME_IS("X-Forwarded-Proto")) {
		if (set_field(r->forwarded_proto, sizeof(r->forwarded_proto),
		    v, n) == -1)
			r->forwarded_proto[0] = '\0';
	}
	return 0;
}

int
scr_http_parse(const char *buf, size_t len, struct scr_http_req *r)
{
	size_t off = 0, start;
	long n;
	int te = 0;

	memset(r, 0, sizeof(*r));
	/* Empty lines before the request (after a previous body). */
	while (off + 2 <= len && buf[off] == '\r' && buf[off + 1] == '\n' &&
	    off < 8)
		off += 2;
	start = off;
	n = line_len(buf + off, len - off < SCR_HTTP_LINE_MAX ? len - off :
	    SCR_HTTP_LINE_MAX);
	if (n == -1)
		return refuse(r, 400, "bare CR or LF");
	if (n == 0)
		return len - off >= SCR_HTTP_LINE_MAX ?
		    refuse(r, 414, "request line too long") : 0;
	/* The whole line, CR LF included, must be seen before parsing. */
	if (request_line(buf + off, (size_t)n - 2, r) == -1)
		return -1;
	off += (size_t)n;
	for (;;) {
		size_t room = start + SCR_HTTP_HEAD_MAX - off;

		if (off - start >= SCR_HTTP_HEAD_MAX)
			return refuse(r, 431, "request head too large");
		n = line_len(buf + off, len - off < room ? len - off : room);
		if (n == -1)
			return refuse(r, 400, "bare CR or LF");
		if (n == 0)
			return len - off >= room ?
			    refuse(r, 431, "request head too large") : 0;
		if (n == 2)
			break;
		if (header(buf + off, (size_t)n - 2, r, &te) == -1)
			return -1;
		off += (size_t)n;
	}
	off += 2;
	if (te)
		return r->has_length ?
		    refuse(r, 400, "Transfer-Encoding and Content-Length") :
		    refuse(r, 501, "Transfer-Encoding not implemented");
	if (r->minor >= 1 && r->host[0] == '\0')
		return refuse(r, 400, "no Host");
	if (r->method == SCR_OTHER)
		return refuse(r, 405, "method not allowed");
	if (r->has_length && r->content_length > SCR_HTTP_BODY_MAX)
		return refuse(r, 413, "body too large");
	if (r->method == SCR_POST && !r->has_length)
		return refuse(r, 411, "POST without Content-Length");
	if (r->method != SCR_POST && r->has_length && r->content_length > 0)
		return refuse(r, 400, "a body where none belongs");
	return (int)off;
}

static int
hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decode v[0..n) into out; -1 malformed, control or too long. */
static int
form_decode(const char *v, size_t n, char *out, size_t size)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)v[i];
		if (ch == '+')
			ch = ' ';
		else if (ch == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hexval((unsigned char)v[i + 1])) == -1 ||
			    (lo = hexval((unsigned char)v[i + 2])) == -1)
				return -1;
			ch = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (ch < 0x20 || ch == 0x7f)
			return -1;
		if (o + 1 >= size)
			return -1;
		out[o++] = (char)ch;
	}
	if (size == 0)
		return -1;
	out[o] = '\0';
	return 1;
}

int
scr_form_get(const char *body, size_t len, const char *name, char *out,
    size_t size)
{
	const char *p = body, *end = body + len, *amp, *eq;
	size_t nlen = strlen(name);

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return form_decode(eq + 1, (size_t)(amp - eq - 1), out,
			    size);
		p = amp + 1;
	}
	return 0;
}

int
scr_cookie_get(const char *header, const char *name, char *out, size_t size)
{
	const char *p = header, *semi, *eq;
	size_t nlen = strlen(name), vlen;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0) {
			vlen = (size_t)(semi - eq - 1);
			while (vlen > 0 && (eq[vlen] == ' ' ||
			    eq[vlen] == '\t'))
				vlen--;
			if (vlen >= size)
				return -1;
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p = *semi == ';' ? semi + 1 : semi;
	}
	return 0;
}

static int
b64val(unsigned char ch)
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

int
scr_basic_get(const char *header, char *user, size_t usize, char *pass,
    size_t psize)
{
	char plain[384];
	const char *p;
	size_t n = 0, i, ulen;
	unsigned acc = 0;
	int bits = 0, v, pad = 0;

	if (strncasecmp(header, "Basic ", 6) != 0)
		return 0;
	for (p = header + 6; *p == ' '; p++)
		;
	for (; *p != '\0'; p++) {
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64val((unsigned char)*p)) == -1)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= sizeof(plain))
				return -1;
			plain[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)plain[i] < 0x20 || plain[i] == 0x7f)
			goto bad;
	plain[n] = '\0';
	if ((p = memchr(plain, ':', n)) == NULL)
		goto bad;
	ulen = (size_t)(p - plain);
	if (ulen == 0 || ulen >= usize || n - ulen - 1 >= psize)
		goto bad;
	memcpy(user, plain, ulen);
	user[ulen] = '\0';
	memcpy(pass, p + 1, n - ulen - 1);
	pass[n - ulen - 1] = '\0';
	explicit_bzero(plain, sizeof(plain));
	return 1;
bad:
	explicit_bzero(plain, sizeof(plain));
	return -1;
}
