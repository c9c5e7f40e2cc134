/*
 * hdredit.h: a milter's header modifications applied to a message, with
 * the semantics of Sendmail and Postfix, and the quarantine marker.
 *
 * The edits.  A filter's modifications arrive at the end of the message
 * (SMFIR_ADDHEADER, SMFIR_INSHEADER, SMFIR_CHGHEADER), from each filter
 * in turn, and apply in that order, each to the header as the edits
 * before it left it:
 * - add: the field goes after the last field of the header;
 * - insert at index i: i counts all fields from 0 (0: before the first;
 *   an index past the last field appends);
 * - change the i-th field of a name: i counts the fields of that name
 *   from 1 (0 is taken as 1, as Sendmail does); the value "" deletes the
 *   field (nothing happens when there is no such field); a change of a
 *   field that does not exist appends the field, as Postfix does
 *   (cleanup_upd_header()) and as libmilter's smfi_chgheader(3) says.
 * Names compare without regard to ASCII case.  A value comes without the
 * space after the colon unless the filter negotiated SMFIP_HDR_LEADSPC
 * (leadspc here): the field is written "Name: value", or "Name:value"
 * with leadspc (so a caller that has the whole text after the colon,
 * the space put back for a filter without SMFIP_HDR_LEADSPC, passes
 * leadspc 1).  A value's lines are joined by "\n" (libmilter's form) or
 * "\r\n"; each becomes a CRLF, a line that does not start with a space or a tab
 * gets a tab first, and empty lines are left out, so that no value can
 * end the header or start a field of its own.
 *
 * The MTA's own fields.  Sendmail and Postfix do not show filters the
 * Received: field they put on top, and treat it so: a change or delete
 * counts and reaches only the fields the filters saw, while an insert
 * counts the MTA's fields too (index 0 goes above them).  hdredit_own()
 * gives those fields (samotop's Received:, Authentication-Results:), and
 * they are treated the same way; without it, indexes count the message's
 * fields alone, and whatever the caller writes before the result stays
 * above everything.
 *
 * The header.  The header section is the lines up to the first empty
 * line, or up to the first line that is neither a field ("Name:", the
 * name printable ASCII without ':', blanks allowed before the colon) nor
 * a continuation (a line starting with a space or a tab, after a field);
 * as Postfix reads it, everything from that line on is the body.  Line
 * ends are CRLF (canonical content; a lone LF also ends a line).
 * Nothing but the fields edited changes: the body, the kept fields and
 * their folding pass as they are; a last line without CRLF gets one
 * only when a field is appended after it; no empty line is added, but
 * before a body whose first line starts with a blank (it would read as
 * the continuation of a field written before it).
 *
 * Quarantine.  hdredit_quarantine() puts one field
 * "X-Samotop-Quarantine: REASON" first in the result and leaves out
 * every other field of that name, those the message came with and those
 * an edit adds: samotop-maildir files a message carrying it in the Junk
 * folder, so only samotop's own marker may stay.  hdredit_strip() leaves
 * them out without adding one.
 *
 * Use, for one message:
 *	hdredit_init();
 *	edits: hdredit_add(), hdredit_insert(), hdredit_change() or
 *	    hdredit_reply(); hdredit_quarantine(), hdredit_strip(),
 *	    hdredit_replace_body(), hdredit_own();
 *	first pass over the message: hdredit_scan()..., hdredit_scan_end();
 *	second pass over the same octets: hdredit_write()...,
 *	    hdredit_write_end(); hdredit_write_again() before another
 *	    second pass (a DKIM signer reads the result before it goes).
 * Every call returns HDREDIT_OK or an error; the first error sticks
 * (every later call returns it) and the caller defers the message (a
 * limit is no reason to deliver it unfiltered).  Both passes must see
 * the same octets, in chunks of any size.
 *
 * Pure: no I/O (the result goes to the caller's sink), no allocation, no
 * global state.  The struct is large (HDREDIT_ARENA): not for a small
 * stack.
 */
#ifndef SAMOTOP_HDREDIT_H
#define SAMOTOP_HDREDIT_H

#include <stddef.h>
#include <stdint.h>

#include "milter.h"

#define HDREDIT_FIELDS_MAX	1000	/* fields of the header we read */
#define HDREDIT_EDITS_MAX	64	/* edits of one message */
#define HDREDIT_NAME_MAX	255	/* octets of a name in an edit */
#define HDREDIT_ARENA		(64 * 1024)	/* their names and fields */
#define HDREDIT_REASON_MAX	200	/* octets of a quarantine reason */
#define HDREDIT_QUARANTINE	"X-Samotop-Quarantine"
#define HDREDIT_SCREENER	"X-Samotop-Screener"	/* the screener's */

enum hdredit_error {
	HDREDIT_OK = 0,
	HDREDIT_EBADNAME,	/* an edit's name is no field name */
	HDREDIT_EEDITS,		/* more than HDREDIT_EDITS_MAX edits */
	HDREDIT_EARENA,		/* their names and values over HDREDIT_ARENA */
	HDREDIT_EFIELDS,	/* the header over HDREDIT_FIELDS_MAX fields */
	HDREDIT_EMISUSE,	/* a call out of order, an edit reply that
				 * is none, own fields that are not fields */
	HDREDIT_EOUTPUT,	/* the sink failed */
};

/*
 * Where the result goes: len octets, in order.  0, or -1 to stop (the
 * rewrite fails with HDREDIT_EOUTPUT; errno is the sink's).
 */
typedef int	(*hdredit_sink)(void *arg, const char *buf, size_t len);

/* A line-by-line reading of a header (both passes use one). */
struct hdredit_reader {
	int		 state;
	int		 fresh;		/* no continuation may come next */
	size_t		 namelen;	/* octets of the name so far */
	char		 name[HDREDIT_NAME_MAX];
};

struct hdredit {
	enum hdredit_error error;	/* the first one, sticks */
	int		 phase;		/* edits, scan, write, done */
	int		 strip;		/* leave out X-Samotop-Quarantine: */
	int		 body_replaced;	/* the result stops after the header */
	/* the MTA's own fields (hdredit_own()), not copied */
	const char	*own;
	size_t		 ownlen;
	size_t		 nown;		/* how many fields they are */
	/* distinct names (0: X-Samotop-Quarantine), in arena */
	size_t		 nnames;
	uint32_t	 name_off[HDREDIT_EDITS_MAX + 2];
	uint16_t	 name_len[HDREDIT_EDITS_MAX + 2];
	/* edits, in order: the whole field in arena (len 0: a delete) */
	size_t		 nedits;
	struct hdredit_edit {
		int		 op;
		uint32_t	 index;
		uint8_t		 name;
		uint32_t	 off;
		uint32_t	 len;
	}		 edits[HDREDIT_EDITS_MAX];
	/* the header read by the first pass: the name of each field */
	size_t		 nfields;
	uint8_t		 fname[HDREDIT_FIELDS_MAX];
	/* the result: a field read (< HDREDIT_FIELDS_MAX) or an edit's
	 * (HDREDIT_FIELDS_MAX + its number), in order */
	size_t		 nitems;
	uint16_t	 items[HDREDIT_FIELDS_MAX + HDREDIT_EDITS_MAX];
	struct hdredit_reader rd;
	/* the second pass */
	int		 started;	/* the top is written */
	size_t		 seen;		/* fields read again so far */
	size_t		 next;		/* next item to place */
	int		 keep;		/* the current field is copied */
	int		 lastc;		/* last octet copied of it, or -1 */
	size_t		 written;	/* fields in the result */
	/* the quarantine field, "" when none */
	char		 quarantine[sizeof(HDREDIT_QUARANTINE) + 2 +
			    HDREDIT_REASON_MAX + 2];
	size_t		 used;		/* octets of arena taken */
	char		 arena[HDREDIT_ARENA];
};

void	hdredit_init(struct hdredit *h);

/*
 * The edits, before the first pass.  name (1 to HDREDIT_NAME_MAX
 * octets of printable ASCII, no ':') and value as a filter sent them
 * (NUL-terminated; see above for leadspc).  HDREDIT_EBADNAME,
 * HDREDIT_EEDITS and HDREDIT_EARENA are the filter's doing.
 */
enum hdredit_error hdredit_add(struct hdredit *h, const char *name,
	    const char *value, int leadspc);
enum hdredit_error hdredit_insert(struct hdredit *h, uint32_t index,
	    const char *name, const char *value, int leadspc);
/* value "": delete the field. */
enum hdredit_error hdredit_change(struct hdredit *h, uint32_t index,
	    const char *name, const char *value, int leadspc);
/*
 * A filter's SMFIR_ADDHEADER, SMFIR_INSHEADER or SMFIR_CHGHEADER (as
 * milter_parse() gives it) by what was negotiated with it (its
 * SMFIP_HDR_LEADSPC); any other reply is HDREDIT_EMISUSE.
 */
enum hdredit_error hdredit_reply(struct hdredit *h,
	    const struct milter_reply *r, const struct milter_neg *n);
/*
 * "X-Samotop-Quarantine: REASON" first in the result, and no other
 * field of that name.  reason is made one line of printable ASCII
 * (hdr_safe(), HDR_TEXT), cut at HDREDIT_REASON_MAX octets; "" or NULL
 * reads as "quarantined".  A second call replaces the reason.
 */
enum hdredit_error hdredit_quarantine(struct hdredit *h, const char *reason);
/*
 * No X-Samotop-Quarantine: nor X-Samotop-Screener: field in the result
 * but samotop's own (its quarantine field, its own fields): each makes
 * samotop's programs act (samotop-maildir's Junk, samotop-screener
 * learn), so none may come from outside.
 */
enum hdredit_error hdredit_strip(struct hdredit *h);
/*
 * A filter replaced the body (SMFIR_REPLBODY): the result is the header
 * section and the empty line that ends it (one is written when the
 * message had none); the caller writes the new body after
 * hdredit_write_end().
 */
enum hdredit_error hdredit_replace_body(struct hdredit *h);
/*
 * The fields the MTA puts above the message, which the filters did not
 * see (see above): text[0..len), whole fields with their CRLFs.  Not
 * copied: text stays valid and unchanged until hdredit_write_end(),
 * which writes it (with any inserts among it) before the message.
 * HDREDIT_EMISUSE when text is not whole fields.
 */
enum hdredit_error hdredit_own(struct hdredit *h, const char *text,
	    size_t len);

/*
 * First pass: the message, buf[0..len), from its first octet; only the
 * header is looked at (the rest is skipped at once).  HDREDIT_EFIELDS
 * when it has more than HDREDIT_FIELDS_MAX fields (own ones included).
 */
enum hdredit_error hdredit_scan(struct hdredit *h, const char *buf,
	    size_t len);
/* The message ended: the edits are applied to what was read. */
enum hdredit_error hdredit_scan_end(struct hdredit *h);

/*
 * Second pass: the same message again, buf[0..len); the result goes to
 * sink, in order (its fields first, then the body as it is).
 */
enum hdredit_error hdredit_write(struct hdredit *h, const char *buf,
	    size_t len, hdredit_sink sink, void *arg);
/*
 * The message ended: what is left of the result (the fields appended
 * to a message that is all header).  HDREDIT_EMISUSE when the second
 * pass saw less of a header than the first.
 */
enum hdredit_error hdredit_write_end(struct hdredit *h, hdredit_sink sink,
	    void *arg);
/*
 * Start the second pass over: the same result is written again from
 * its first octet.  After hdredit_scan_end() (harmless before any
 * write) or hdredit_write_end(); HDREDIT_EMISUSE otherwise.
 */
enum hdredit_error hdredit_write_again(struct hdredit *h);

/*
 * Whether line[0..len), the start of a line of a header, starts a field
 * as this module reads one: the length of its name (the field's first
 * octets up to the blanks and colon after them), or 0.  For a caller
 * that splits the header itself (the SMFIC_HEADER events of the first
 * pass's message), so that it and the edits count the same fields: an
 * empty line ends the header; a line starting with a blank, after a
 * field, continues it; a line this says is a field starts one; any other
 * line ends the header.
 */
size_t	hdredit_field_name(const char *line, size_t len);
/*
 * Whether the result may differ from the message: an edit, quarantine,
 * strip or a replaced body (hdredit_own() alone is none).  Without, the
 * caller may send its own fields and the message as they are and skip
 * both passes.
 */
int	hdredit_active(const struct hdredit *h);
/* What an error is, for a log line. */
const char *hdredit_strerror(enum hdredit_error e);

#endif
