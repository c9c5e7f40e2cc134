/*
 * data.h: the message-content codec.  Pure: no I/O, no allocation.
 *
 * The decoder turns what a client sends after DATA (dot-stuffed, ended by
 * CRLF.CRLF) or inside BDAT chunks (raw octets) into canonical content:
 * CRLF line ends, dots unstuffed.  Only CRLF ends a line.  A bare LF or a
 * bare CR never ends the message and never starts a line that dot rules
 * apply to, so "\n.\n" and "\r.\r" cannot smuggle a second message past
 * us or a downstream server.  Under strict mode such a message fails
 * (DATA_EBARELF/DATA_EBARECR); otherwise its line ends are stored as CRLF.
 *
 * The encoder dot-stuffs canonical content for an LMTP/SMTP DATA stream.
 */
#ifndef SAMOTOP_DATA_H
#define SAMOTOP_DATA_H

#include <stddef.h>

enum data_result {
	DATA_MORE,	/* all input used, message not ended */
	DATA_END,	/* end marker seen; *used stops right after it */
	DATA_FULL,	/* output buffer full; call again with the rest */
};

enum data_fail {
	DATA_OK = 0,
	DATA_EBARELF,	/* a LF not preceded by CR (strict mode) */
	DATA_EBARECR,	/* a CR not followed by LF (strict mode) */
	DATA_ELINE,	/* a line longer than max_line octets */
	DATA_ESIZE,	/* content over max_size octets */
};

struct data_decoder {
	int		state;
	int		dotted;		/* DATA (1) or BDAT (0) */
	int		strict;		/* refuse bare CR and bare LF */
	size_t		max_line;	/* octets per line, CRLF included */
	size_t		max_size;	/* octets of content */
	size_t		size;		/* octets of content so far */
	size_t		line;		/* octets of the current line so far */
	enum data_fail	fail;		/* first failure; output stops then */
	int		stuffed;	/* output still dot-stuffed */
};

/* Output room one call needs at the least, to make progress. */
#define DATA_OUT_MIN	4

void		data_init(struct data_decoder *d, int dotted, int strict,
		    size_t max_line, size_t max_size);
/*
 * For a strict DATA decoder: write the content still dot-stuffed, ready
 * to go on in an LMTP or SMTP DATA stream as it is, rather than unstuff
 * it only for the encoder to stuff it again.  In strict mode nothing else
 * differs (a bare CR or LF fails the message), and limits still count
 * the content.  0, or -1 (nothing changed) for any other decoder.
 */
int		data_keep_stuffing(struct data_decoder *d);
enum data_result data_decode(struct data_decoder *d, const char *in,
		    size_t inlen, size_t *used, char *out, size_t outsize,
		    size_t *outlen);
/*
 * End of a BDAT message (the LAST chunk): settles a trailing CR and ends
 * an unterminated last line with CRLF.  out needs DATA_OUT_MIN octets.
 */
size_t		data_finish(struct data_decoder *d, char *out);
const char	*data_strerror(enum data_fail f);

/*
 * Dot-stuffing encoder for canonical content.  at_bol is the state
 * between calls: 1 at the start of a message.  out needs 2 * inlen
 * octets; returns the octets written.  data_encode_end() writes what
 * ends the stream (CRLF if the content did not end with one, then
 * ".\r\n") into out (5 octets) and returns its length.
 */
size_t		data_encode(int *at_bol, const char *in, size_t inlen,
		    char *out);
size_t		data_encode_end(int at_bol, char *out);

/*
 * CRLF -> LF, as Maildirs and mbox store a message, over a stream cut in
 * chunks: *pending_cr carries a CR that ended the previous chunk.  out
 * needs room for len + 1 octets; returns the octets written.  A CR not
 * followed by LF is kept.
 */
size_t		data_to_lf(int *pending_cr, const char *in, size_t len,
		    char *out);

#endif
