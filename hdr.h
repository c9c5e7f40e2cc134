/*
 * hdr.h: text from outside samotop (the client's HELO and sender, DNS
 * names, the launcher's environment, libtls' and libspf2's strings) made
 * safe to print in a header field samotop writes: Received:,
 * Authentication-Results: (RFC 8601) and Received-SPF: (RFC 7208).  Every
 * builder of those fields passes each such value through hdr_safe().
 * Pure: no I/O, no allocation.
 */
#ifndef SAMOTOP_HDR_H
#define SAMOTOP_HDR_H

#include <stddef.h>

enum hdr_kind {
	HDR_TEXT,	/* one line: each run of blanks (SP, HT, CR, LF) one
			 * SP, none at either end, other octets outside
			 * 0x21-0x7e '?'; cut to fit */
	HDR_COMMENT,	/* HDR_TEXT for inside "( )": '\', ';' and every
			 * parenthesis without its partner become '?' */
	HDR_DOMAIN,	/* an ASCII domain name as it is, else "" */
	HDR_HOST,	/* HDR_DOMAIN or an address literal ("[192.0.2.1]") */
	HDR_MAILBOX,	/* "local@domain" as it is when local is a dot-atom
			 * without '=' and domain a HDR_DOMAIN; else the
			 * domain alone; else "" */
	HDR_VALUE,	/* an RFC 2045 token as it is, else an RFC 5322
			 * quoted-string of printable ASCII, else "" */
};

/*
 * in (NULL reads as "") as kind says, into out; returns the length.
 * Whatever the input, out is NUL-terminated, at most size - 1 octets of
 * printable ASCII (0x20-0x7e, no CR, LF or other control octet, no 8-bit
 * octet) and cannot leave the element it is printed in: no ';' outside a
 * quoted-string, so no client adds a result, property or clause.  The
 * kinds that must not be cut (all but HDR_TEXT and HDR_COMMENT) give ""
 * when the value does not fit in size - 1 octets.
 */
size_t	hdr_safe(char *out, size_t size, const char *in, enum hdr_kind kind);

#endif
