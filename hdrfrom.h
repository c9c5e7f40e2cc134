/*
 * hdrfrom.h: the domains of a From: header field's addresses, for DMARC
 * (RFC 7489 6.6.1 takes the RFC5322.From domain).  Pure: no I/O, no
 * allocation.
 *
 * The value is read as RFC 5322 3.4's address-list, with the obsolete
 * forms a sender may still write: display names (quoted or not, with
 * any octets), comments (nested), an angle-addr with an obs-route
 * ("<@relay:user@example.org>"), folding, empty list elements, and
 * groups ("friends: a@example.org, b@example.net;"), whose members count
 * as the field's mailboxes.  A mailbox's domain is what follows the
 * last '@' outside quotes and comments, in its angle brackets when it
 * has them, blanks taken out.  What is not an address (a group with no
 * member, "undisclosed-recipients:;") adds no mailbox.  A mailbox
 * without '@', or whose domain is longer than HDRFROM_DOMAIN_MAX octets,
 * adds one with an empty domain: DMARC then cannot apply, which the
 * caller treats as RFC 7489 says (permerror), never as a pass.
 */
#ifndef SAMOTOP_HDRFROM_H
#define SAMOTOP_HDRFROM_H

#include <stddef.h>

#define HDRFROM_DOMAIN_MAX	253
#define HDRFROM_ADDR_MAX	(64 + 1 + 253)	/* local@domain */

/* One mailbox of the field. */
struct hdrfrom_mailbox {
	/* local@domain as written, blanks and comments out ("" when
	 * longer than HDRFROM_ADDR_MAX or without '@') */
	char	addr[HDRFROM_ADDR_MAX + 1];
	char	domain[HDRFROM_DOMAIN_MAX + 1];	/* as hdrfrom_domains() */
};

/*
 * The mailboxes' domains into out[0 .. max) (NUL-terminated, as
 * written: case is kept); returns how many mailboxes the value has,
 * which may be more than max (the others are not written).
 */
size_t	hdrfrom_domains(const char *value, char (*out)[HDRFROM_DOMAIN_MAX + 1],
	    size_t max);
/* The same, each mailbox's address and domain into out[0 .. max). */
size_t	hdrfrom_mailboxes(const char *value, struct hdrfrom_mailbox *out,
	    size_t max);

#endif
