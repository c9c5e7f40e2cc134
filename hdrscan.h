/*
 * hdrscan.h: a message's header cut into its fields as the message
 * streams, for the checks that read fields one by one (a milter's
 * SMFIC_HEADER events, DMARC's From: domains).  Pure: no I/O, no
 * allocation; the field being read is held in the struct.
 *
 * Input is canonical content (CRLF line ends, dots unstuffed) in chunks
 * of any size.  A field is its first line and the continuation lines
 * that follow it (a line starting with a space or a tab), CRLFs inside
 * kept, the last CRLF not.  The header ends at an empty line (which
 * belongs to neither), or, as Postfix has it, at the first line that is
 * no field: one that starts with a blank before any field, has no colon,
 * or has an octet outside 33..126 before its colon (RFC 5322 2.2); that
 * line is then the body's first, and is handed back as body.
 *
 * A field longer than HDRSCAN_FIELD_MAX octets is cut there, with
 * truncated set: what follows, up to the field's end, is dropped.
 */
#ifndef SAMOTOP_HDRSCAN_H
#define SAMOTOP_HDRSCAN_H

#include <stddef.h>

#define HDRSCAN_FIELD_MAX	(32 * 1024)

enum hdrscan_event {
	HDRSCAN_MORE,	/* all input used; nothing complete */
	HDRSCAN_FIELD,	/* a field is complete: hdrscan_field() */
	HDRSCAN_EOH,	/* the header ended; the body follows */
	HDRSCAN_BODY,	/* body octets: *body, *bodylen (maybe 0) */
};

struct hdrscan {
	int	 state;
	int	 truncated;	/* the field was cut */
	size_t	 len;		/* octets in field */
	size_t	 namelen;	/* octets before the colon; 0: not yet */
	size_t	 fields;	/* complete fields so far */
	char	 field[HDRSCAN_FIELD_MAX + 1];
};

void	hdrscan_init(struct hdrscan *h);
/*
 * Take in[0..len) until something happens; *used says how much was
 * taken (call again with the rest).  HDRSCAN_FIELD: the field is ready
 * until the next call.  HDRSCAN_EOH: once, at the header's end.  After
 * it every call is HDRSCAN_BODY: *body and *bodylen point at body
 * octets: the rest of in, or first the line that ended the header when
 * it was no field (held in the struct until then).
 */
enum hdrscan_event hdrscan_feed(struct hdrscan *h, const char *in,
	    size_t len, size_t *used, const char **body, size_t *bodylen);
/*
 * The content ended: HDRSCAN_FIELD when a last field was pending (the
 * message had no body), then HDRSCAN_EOH when the header had not ended,
 * then HDRSCAN_BODY (held octets of a line that was no field, maybe
 * none), then HDRSCAN_MORE; call until HDRSCAN_MORE.
 */
enum hdrscan_event hdrscan_finish(struct hdrscan *h, const char **body,
	    size_t *bodylen);
/*
 * The complete field: its name (namelen octets, not NUL-terminated
 * there), and its value: the octets after the colon, NUL-terminated.
 */
const char *hdrscan_name(const struct hdrscan *h, size_t *namelen);
const char *hdrscan_value(const struct hdrscan *h);
/* 1 when the field's name is name, ASCII case ignored. */
int	hdrscan_is(const struct hdrscan *h, const char *name);

#endif
