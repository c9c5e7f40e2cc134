/*
 * fuzz_scr_http.c: libFuzzer target for the screener's web page request
 * parser and the values read out of a request (scr_httpreq.h), and its
 * HTML escaping (scr_page.h).  The input is the bytes a client sends.
 * Every prefix of it must either need more or be refused, never be a
 * request longer than itself; an accepted head must hold no CR, LF or
 * NUL in a field and stay within the limits; escaped text must hold no
 * markup.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scr_httpreq.h"
#include "scr_page.h"

static void
plain(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size || strpbrk(s, "\r\n") != NULL)
		abort();
}

static void
escaped(const char *s)
{
	struct scr_buf b = { 0 };

	scr_buf_html(&b, s);
	if (b.p != NULL && strpbrk(b.p, "<>\"'") != NULL)
		abort();
	scr_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct scr_http_req r, p;
	char v[1024], u[256], pw[256];
	int head, rc;
	size_t i, step;

	head = scr_http_parse(buf, size, &r);
	if (head > (int)size || (head == -1 && (r.status < 400 ||
	    r.status > 505 || r.error == NULL)))
		abort();
	/* Prefixes: a shorter input is never a longer request. */
	step = size / 16 + 1;
	for (i = 0; i < size; i += step) {
		rc = scr_http_parse(buf, i, &p);
		if (rc > (int)i || (rc > 0 && head > 0 && rc != head))
			abort();
	}
	if (head <= 0)
		return 0;
	if (r.path[0] != '/' || r.content_length > SCR_HTTP_BODY_MAX ||
	    r.nheaders > SCR_HTTP_HEADERS_MAX || (size_t)head >
	    SCR_HTTP_HEAD_MAX + 8)
		abort();
	plain(r.path, sizeof(r.path));
	plain(r.query, sizeof(r.query));
	plain(r.host, sizeof(r.host));
	plain(r.authorization, sizeof(r.authorization));
	plain(r.cookie, sizeof(r.cookie));
	plain(r.content_type, sizeof(r.content_type));
	escaped(r.path);
	escaped(r.cookie);
	i = size - (size_t)head;
	if (i > r.content_length)
		i = r.content_length;
	if (scr_form_get(buf + head, i, "sender", v, sizeof(v)) == 1) {
		if (strlen(v) >= sizeof(v) || strpbrk(v, "\r\n") != NULL)
			abort();
		escaped(v);
	}
	scr_form_get(r.query, strlen(r.query), "who", v, sizeof(v));
	scr_cookie_get(r.cookie, "samotop_screener", v, sizeof(v));
	if (scr_basic_get(r.authorization, u, sizeof(u), pw,
	    sizeof(pw)) == 1 && (strchr(u, ':') != NULL ||
	    strpbrk(pw, "\r\n") != NULL))
		abort();
	return 0;
}
