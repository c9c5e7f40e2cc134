/*
 * address.h: the RFC 5321 path grammar (§4.1.2), shared by samotop-smtpd
 * and the LMTP helpers.  Pure: no I/O, no allocation.
 */
#ifndef SAMOTOP_ADDRESS_H
#define SAMOTOP_ADDRESS_H

#include <stddef.h>

#define ADDR_LOCAL_MAX	64	/* RFC 5321 §4.5.3.1.1, octets */
#define ADDR_DOMAIN_MAX	255	/* RFC 5321 §4.5.3.1.2, octets */
#define ADDR_MAX	(ADDR_LOCAL_MAX + 1 + ADDR_DOMAIN_MAX)

/* flags for addr_parse_path() */
#define ADDR_ALLOW_NULL		0x01	/* "<>" (MAIL FROM) */
#define ADDR_ALLOW_POSTMASTER	0x02	/* "<postmaster>" (RCPT TO) */
#define ADDR_ALLOW_UTF8		0x04	/* RFC 6531 addresses */

struct mailbox {
	char	local[ADDR_LOCAL_MAX + 1];	/* as written: quotes kept */
	char	domain[ADDR_DOMAIN_MAX + 1];	/* "" for <> and <postmaster> */
	int	is_null;			/* the null path <> */
	int	is_utf8;			/* holds non-ASCII octets */
};

enum addr_error {
	ADDR_OK = 0,
	ADDR_ENOBRACKET,	/* not "<...>" */
	ADDR_ESYNTAX,		/* malformed local part, domain or route */
	ADDR_ELOCALLEN,		/* local part over ADDR_LOCAL_MAX */
	ADDR_EDOMAINLEN,	/* domain over ADDR_DOMAIN_MAX */
	ADDR_ENULL,		/* <> where it is not allowed */
	ADDR_EUTF8,		/* non-ASCII without ADDR_ALLOW_UTF8 */
	ADDR_ECONTROL,		/* a control octet (CR, LF, NUL, ...) */
};

/*
 * Parse a Path or Reverse-path starting at s[0] == '<'.  Source routes
 * ("<@a,@b:user@c>") are accepted and dropped.  On success *used is the
 * number of octets consumed, through the closing '>'.
 */
enum addr_error	addr_parse_path(const char *s, size_t len, int flags,
		    struct mailbox *mb, size_t *used);

/* A whole Domain or address-literal (ASCII), as HELO should give one. */
int		addr_domain_valid(const char *s, size_t len);

/* "local@domain", "postmaster" or "" for the null path; returns length. */
size_t		mailbox_format(const struct mailbox *mb, char *buf,
		    size_t size);

/*
 * Split the local part at the first delim ('+'): user gets what is
 * before, ext what follows ("" when there is none).  Quotes are removed
 * from a quoted local part first.  Returns 0, or -1 if a part is too big.
 */
int		mailbox_split(const struct mailbox *mb, int delim,
		    char *user, size_t usize, char *ext, size_t esize);

/*
 * The one form of an address that lists, routes, greylisting and the
 * helpers all see (samotop.conf(5), ADDRESSES).  A quoted local part
 * whose content is a dot-string loses its quotes; one that needs them
 * is quoted again with only '"' and backslash escaped.  With fold_case
 * the part before the first delim is lowercased (ASCII only: the locale
 * must not change where mail goes); the extension after it is kept as
 * written, for it may name a folder.  The domain is lowercased.  The null path
 * and a <postmaster> without domain keep their shape.  in and out may
 * be the same.  Returns 0, or -1 when the result would not fit (never
 * for what addr_parse_path() accepted).
 */
int		mailbox_canonical(const struct mailbox *in, int delim,
		    int fold_case, struct mailbox *out);

/*
 * A canonical mailbox without its extension: 1 when it had a delim and
 * a non-empty user part before it, 0 otherwise (out is then a copy).
 */
int		mailbox_base(const struct mailbox *in, int delim,
		    struct mailbox *out);

/* A bare "local@domain", as a pattern in samotop.conf(5) names one. */
enum addr_error	addr_parse_mailbox(const char *s, size_t len, int flags,
		    struct mailbox *mb);

enum addr_match {
	ADDR_MATCH_NONE,
	ADDR_MATCH_DOMAIN,	/* "@domain" names its domain */
	ADDR_MATCH_BASE,	/* "local@domain" names it without extension */
	ADDR_MATCH_EXACT,	/* "local@domain" names the whole address */
};

/*
 * How a pattern "local@domain" or "@domain", written in any of the
 * forms that have one canonical form, names canon (a canonical mailbox).
 * Domains are compared ignoring ASCII case, local parts too when
 * fold_case.  A pattern that is no address matches nothing.
 */
enum addr_match	addr_pattern_match(const char *pattern,
		    const struct mailbox *canon, int delim, int fold_case);

/*
 * A recipient delimiter as samotop.conf(5) and the helpers'
 * SAMOTOP_RECIPIENT_DELIMITER write it: one ASCII punctuation character
 * other than '@' and '"', or "none" (0).  -1 for anything else or NULL.
 */
int		addr_delimiter_parse(const char *s);

const char	*addr_strerror(enum addr_error e);

#endif
