/*
 * scr_msg.h: what the contacts screener shows of one held message, read
 * from the start of its file: the From: address and display name, the
 * subject, the first words of its text, and the evidence samotop's own
 * Authentication-Results: gave.  Pure: no I/O, no allocation; the
 * caller reads at most SCR_MSG_READ octets of the file.
 *
 * Everything it returns is printable: valid UTF-8 without control
 * characters (C0, DEL, C1) or bidirectional overrides, each run of
 * white space one space, cut at a character boundary to fit.  HTML or
 * shell escaping is still the printer's job.
 */
#ifndef SAMOTOP_SCR_MSG_H
#define SAMOTOP_SCR_MSG_H

#include <stddef.h>

#include "address.h"

#define SCR_MSG_READ	65536	/* octets of a file looked at */
#define SCR_FIELD_MAX	4096	/* an unfolded field; longer ones cut */

struct scr_msg {
	/*
	 * The first mailbox of the first From: field, lowercased (ASCII);
	 * "" when there is none or it is no address.
	 */
	char	from[ADDR_MAX + 1];
	char	display[256];	/* its display name (or comment), decoded */
	char	subject[256];	/* RFC 2047 encoded-words decoded */
	char	snippet[512];	/* the first text: a text/plain part, else
				 * a text/html one without its tags */
	/*
	 * From the topmost Authentication-Results: whose authserv-id is
	 * ours: its "method=result" words, then ";" and its closing comment
	 * ("TLS: ..." or "plaintext: no TLS"), e.g.
	 * "iprev=pass spf=pass dkim=pass dmarc=pass; TLS: TLSv1.3";
	 * "none" when there is no such field.
	 */
	char	evidence[512];
	/* The X-Samotop-Screener: field's value ("held (new sender)"), or
	 * "" when the message has none. */
	char	screener[128];
	int	screened;	/* it has an X-Samotop-Screener: field */
};

/*
 * Read buf[0..len) (a message as a Maildir stores it: LF or CRLF line
 * ends), authserv_id being samotop's hostname.  Never fails: what is
 * missing or malformed is left "".
 */
void	scr_msg_read(const char *buf, size_t len, const char *authserv_id,
	    struct scr_msg *m);

/*
 * in[0..len) made printable as above, into out (size > 0); returns the
 * length.  Leading and trailing white space is dropped.
 */
size_t	scr_printable(char *out, size_t size, const char *in, size_t len);

/*
 * RFC 2047: the encoded-words of a header value decoded (B and Q; the
 * ISO-8859-1 and windows-1252 family taken as Latin-1, other charsets'
 * octets as they are), white space between two of them dropped, then
 * made printable.  Returns the length.
 */
size_t	scr_decode_words(char *out, size_t size, const char *in, size_t len);

#endif
