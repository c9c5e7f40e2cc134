/*
 * scr_httpreq.h: the HTTP/1.1 request head of samotop-screener's web page
 * (RFC 9112), and what the page reads out of a request: form fields,
 * cookies, Basic credentials.  Pure: no I/O, no allocation, so that a
 * fuzzer drives it byte by byte (fuzz/fuzz_scr_http.c).
 *
 * The parser is strict where leniency has been a smuggling or injection
 * vector: lines end in CR LF only, no obsolete line folding, no
 * Transfer-Encoding (a form is small and has a Content-Length), one
 * Content-Length, no control octets in a value, the origin form of a
 * target only.  Anything else is refused with the status to send.
 */
#ifndef SAMOTOP_SCR_HTTPREQ_H
#define SAMOTOP_SCR_HTTPREQ_H

#include <stddef.h>

/* Limits (samotop-screener(8), THE WEB PAGE). */
#define SCR_HTTP_LINE_MAX	2048	/* request line with CR LF: 414 */
#define SCR_HTTP_HEAD_MAX	8192	/* the whole head: 431 */
#define SCR_HTTP_HEADERS_MAX	48	/* header fields: 431 */
#define SCR_HTTP_BODY_MAX	8192	/* Content-Length: 413 */

enum scr_method { SCR_GET = 1, SCR_HEAD, SCR_POST, SCR_OTHER };

struct scr_http_req {
	enum scr_method	 method;
	int		 minor;		/* HTTP/1.minor */
	char		 path[512];	/* the target up to '?' */
	char		 query[512];	/* after '?', or "" */
	int		 keep_alive;	/* the connection may go on */
	size_t		 content_length;
	int		 has_length;	/* Content-Length was given */
	unsigned	 nheaders;
	char		 host[256];
	char		 authorization[512];
	char		 cookie[1024];	/* all Cookie fields, "; " apart */
	char		 content_type[128];
	char		 forwarded_proto[16];	/* X-Forwarded-Proto */
	/* when refused: the status to answer and why, for the log */
	int		 status;
	const char	*error;
};

/*
 * Parse the request head at buf[0..len).  Returns its length up to and
 * including the empty line (> 0); 0 when buf holds no complete head yet
 * and is within the limits (read more); -1 when the request is refused,
 * with r->status (400, 405, 411, 413, 414, 431, 501, 505) and r->error
 * set.  Empty lines before the request line are skipped (RFC 9112 2.2).
 * A method other than GET, HEAD and POST is refused with 405 once the
 * head is complete.
 */
int	scr_http_parse(const char *buf, size_t len, struct scr_http_req *r);

/*
 * The value of field name in an application/x-www-form-urlencoded body
 * (or a query string), decoded ('+' and %XX) into out: 1 found, 0 not
 * there, -1 malformed, holding a NUL or control octet, or longer than
 * size - 1.  The first field of that name counts.
 */
int	scr_form_get(const char *body, size_t len, const char *name,
	    char *out, size_t size);
/* The value of cookie name in a Cookie field: 1, 0 or -1 (as above). */
int	scr_cookie_get(const char *header, const char *name, char *out,
	    size_t size);
/*
 * An Authorization field's Basic credentials (RFC 7617) into user and
 * pass: 1, 0 when it is not Basic, -1 when malformed, too long, or
 * holding a NUL or control octet.
 */
int	scr_basic_get(const char *header, char *user, size_t usize,
	    char *pass, size_t psize);

#endif
