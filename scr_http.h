/*
 * scr_http.h: samotop-screener's web page: one HTTP/1.1 connection on a
 * pair of descriptors (stdin and stdout under tcpserver, systemd's
 * Accept=yes or inetd), the way samotop-smtpd serves one SMTP session.
 * TLS is its own (screener-tls-certificate and -key, libtls loaded on
 * demand) or a proxy's in front of it.  samotop-screener(8), THE WEB
 * PAGE, says what a user sees.
 *
 * The page reaches the data only through a struct scr_source: the
 * program binds it to the Screener folder and the decisions' store
 * (scr_http_main()), the unit tests to a table in memory.
 */
#ifndef SAMOTOP_SCR_HTTP_H
#define SAMOTOP_SCR_HTTP_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "scr_auth.h"
#include "scr_httpreq.h"
#include "scr_page.h"
#include "store.h"
#include "scr_sender.h"


#define SCR_HTTP_DEADLINE	20	/* seconds for one request */
#define SCR_HTTP_REQUESTS_MAX	100	/* on one connection */
#define SCR_HTTP_SENDERS_MAX	500	/* shown on one page */
#define SCR_HTTP_FAIL_DELAY	1000	/* ms after a wrong password */
#define SCR_COOKIE_NAME		"samotop_screener"

/*
 * Where the page's data comes from.  Each call is for one user (the
 * canonical, lowercased address of whoever signed in: the page never
 * passes another) and returns 0, or -1 with why (logged, not shown).
 * An each callback returns 0 to go on, anything else to stop (then the
 * call still returns 0).
 */
struct scr_source {
	/* The senders waiting in user's Screener folder. */
	int	(*senders)(void *arg, const char *user,
		    int (*each)(void *eacharg, const struct scr_sender *),
		    void *eacharg, char *why, size_t size);
	/*
	 * Decide for sender (a lowercased address, or "@domain"):
	 * STORE_ALLOW (and release what waited), STORE_DENY, or 0 to
	 * forget the decision.
	 */
	int	(*decide)(void *arg, const char *user, const char *sender,
		    int decision, char *why, size_t size);
	/* The decisions user has made. */
	int	(*decisions)(void *arg, const char *user,
		    int (*each)(void *eacharg, const char *sender,
		    int decision, time_t at),
		    void *eacharg, char *why, size_t size);
	void	*arg;
};

/* One connection's state, apart from its I/O. */
struct scr_http {
	const struct conf	*c;
	const struct scr_source	*src;
	const struct logger	*lg;
	struct scr_auth		 auth;
	char			 keypath[4096];	/* auth's key file */
	int			 tls;		/* the connection is ours, TLS */
	unsigned		 fail_delay;	/* ms; tests set 0 */
	time_t			 (*now)(time_t *);	/* time(3) */
	/* the Basic credentials already checked on this connection */
	char			 basic[512];
	char			 basic_user[SCR_USER_MAX];
	/* what the last request did, for its log line */
	char			 user[SCR_USER_MAX];
	const char		*why;
	char			 whybuf[300];	/* what why may point to */
	int			 close;		/* end the connection after it */
};

/*
 * Set h up for one connection: c's screener-* directives, src, logging
 * to lg.  The key's file is the store's path with ".web-key"; nothing
 * is read or loaded before a request needs it.
 */
void	scr_http_init(struct scr_http *h, const struct conf *c,
	    const struct scr_source *src, const struct logger *lg);
void	scr_http_done(struct scr_http *h);
/*
 * Answer one parsed request r (body: its body, body_len octets) with
 * the whole response (status line, fields, body) appended to out; the
 * status is returned, h->user, h->why and h->close set.  No I/O but
 * the source's calls, the checkpassword program and the key's file.
 */
int	scr_http_handle(struct scr_http *h, const struct scr_http_req *r,
	    const char *body, size_t body_len, struct scr_buf *out);
/*
 * The response for a request the parser refused (r->status): a short
 * page, and the connection closes.
 */
void	scr_http_refuse(struct scr_http *h, const struct scr_http_req *r,
	    struct scr_buf *out);

/*
 * Serve one connection from rfd/wfd with src: TLS first when c has
 * screener-tls-certificate and -key, then requests until the client
 * closes, SCR_HTTP_REQUESTS_MAX, an error or a deadline.  One log line
 * a request on fd 2.  A sysexits(3) code: 0, EX_CONFIG (78), EX_OSERR.
 */
int	scr_http_serve(const struct conf *c, const struct scr_source *src,
	    int rfd, int wfd);
/*
 * `samotop-screener http`: scr_http_serve() with the source bound to
 * the user's Screener folder (scr_box.h) and the decisions' store.
 */
int	scr_http_main(const struct conf *c, int rfd, int wfd);

#endif
