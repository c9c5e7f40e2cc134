/*
 * tlsrpt_post.h: a TLS report POSTed to an https: rua (RFC 8460 §5.4),
 * with libcurl (curllib.h).  The server's certificate must verify (the
 * system's CAs, or cafile), no redirect is followed, and only a 2xx
 * status counts as taken.
 */
#ifndef SAMOTOP_TLSRPT_POST_H
#define SAMOTOP_TLSRPT_POST_H

#include <stddef.h>

/*
 * POST body[0..len) to url as ctype ("application/tlsrpt+gzip"); 0 when
 * the server answered 2xx, or -1 with why.
 */
int	tlsrpt_post(const char *url, const char *cafile, const char *ctype,
	    const void *body, size_t len, char *why, size_t size);

#endif
