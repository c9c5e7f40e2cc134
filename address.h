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

const char	*addr_strerror(enum addr_error e);

#endif
