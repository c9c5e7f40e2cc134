/*
 * hdredit.c: a milter's header modifications applied to a message; see
 * hdredit.h for the semantics.
 *
 * The edits are kept (each whole field, ready to write, in the arena)
 * until the first pass has read the header: that pass notes only, for
 * each field, which of the edits' names it has (or none), so a header
 * costs one octet a field whatever its names.  hdredit_scan_end() then
 * plays the edits on a list of the fields (items[]: a field read, or an
 * edit's), and the second pass merges that list into the message: it
 * counts the fields again as they stream past (the first pass said how
 * many there are, so where the header ends is known without looking
 * ahead), copies a field that is still in the list, skips one that is
 * not, and writes the edits' fields where the list puts them.
 */
#include <stdio.h>
#include <string.h>

#include "hdr.h"
#include "hdredit.h"

enum { PH_EDITS, PH_SCAN, PH_WRITE, PH_DONE };
enum { OP_ADD, OP_INSERT, OP_CHANGE };
enum { R_BOL, R_BOLCR, R_NAME, R_NAMEWSP, R_LINE, R_BODY };

#define NO_NAME		0xff	/* fname[]: none of the edits' names */
#define QUARANTINE_NAME	0	/* names[0] */
#define SCREENER_NAME	1	/* names[1] */
#define EDIT_ITEM(i)	(HDREDIT_FIELDS_MAX + (i))

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* A field name's octet (RFC 5322 ftext). */
static int
is_ftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
same_name(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static enum hdredit_error
fail(struct hdredit *h, enum hdredit_error e)
{
	if (h->error == HDREDIT_OK)
		h->error = e;
	return h->error;
}

/* The number of a known name, or NO_NAME. */
static int
find_name(const struct hdredit *h, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < h->nnames; i++)
		if (h->name_len[i] == len &&
		    same_name(h->arena + h->name_off[i], name, len))
			return (int)i;
	return NO_NAME;
}

/* Copy s[0..len) into the arena: its offset, or -1 when it is full. */
static long
arena_put(struct hdredit *h, const char *s, size_t len)
{
	long off = (long)h->used;

	if (len > sizeof(h->arena) - h->used)
		return -1;
	memcpy(h->arena + h->used, s, len);
	h->used += len;
	return off;
}

/* The number of name, registered when new; -1 with h->error set. */
static int
intern(struct hdredit *h, const char *name, size_t len)
{
	int id;
	long off;

	if ((id = find_name(h, name, len)) != NO_NAME)
		return id;
	/* one per edit at the most, so this cannot overflow */
	if ((off = arena_put(h, name, len)) == -1) {
		fail(h, HDREDIT_EARENA);
		return -1;
	}
	h->name_off[h->nnames] = (uint32_t)off;
	h->name_len[h->nnames] = (uint16_t)len;
	return (int)h->nnames++;
}

void
hdredit_init(struct hdredit *h)
{
	static const char q[] = HDREDIT_QUARANTINE;
	static const char r[] = HDREDIT_SCREENER;

	/* all but the arena, which is only read where it was written */
	memset(h, 0, offsetof(struct hdredit, arena));
	h->phase = PH_EDITS;
	h->lastc = -1;
	intern(h, q, sizeof(q) - 1);
	intern(h, r, sizeof(r) - 1);
}

static enum hdredit_error
check_edit(struct hdredit *h)
{
	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase != PH_EDITS)
		return fail(h, HDREDIT_EMISUSE);
	return HDREDIT_OK;
}

static int
valid_name(const char *name, size_t *len)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (i == HDREDIT_NAME_MAX || !is_ftext((unsigned char)name[i]))
			return 0;
	*len = i;
	return i > 0;
}

/* Append c to the field being built at h->used; 0, or -1 when full. */
static int
put(struct hdredit *h, size_t *n, char c)
{
	if (h->used + *n == sizeof(h->arena))
		return -1;
	h->arena[h->used + (*n)++] = c;
	return 0;
}

/*
 * The field "name:" SP value CRLF into the arena (no SP with leadspc),
 * each line end of value a CRLF followed by a blank; no line that is
 * empty or only blanks (some readers take one for the end of the
 * header).  Its length, or 0 when the arena is full.
 */
static size_t
build_field(struct hdredit *h, const char *name, size_t nlen,
    const char *value, int leadspc)
{
	size_t n = 0, i, blanks;
	int nl = 0;

	for (i = 0; i < nlen; i++)
		if (put(h, &n, name[i]) == -1)
			return 0;
	if (put(h, &n, ':') == -1 || (!leadspc && put(h, &n, ' ') == -1))
		return 0;
	for (; *value != '\0'; value++) {
		if (*value == '\r' && value[1] == '\n')
			continue;	/* the LF makes the line end */
		if (*value == '\n' || *value == '\r') {
			nl = 1;
			continue;
		}
		if (nl) {
			/* a new line: its blanks, and something after them */
			for (blanks = 0; is_blank(value[blanks]); blanks++)
				;
			if (value[blanks] == '\0' || value[blanks] == '\n' ||
			    value[blanks] == '\r') {
				value += blanks - 1;
				continue;
			}
			if (put(h, &n, '\r') == -1 || put(h, &n, '\n') == -1 ||
			    (blanks == 0 && put(h, &n, '\t') == -1))
				return 0;
			nl = 0;
		}
		if (put(h, &n, *value) == -1)
			return 0;
	}
	if (put(h, &n, '\r') == -1 || put(h, &n, '\n') == -1)
		return 0;
	return n;
}

static enum hdredit_error
edit(struct hdredit *h, int op, uint32_t index, const char *name,
    const char *value, int leadspc)
{
	struct hdredit_edit *e;
	size_t nlen, len = 0;
	int id;

	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	if (name == NULL || value == NULL || !valid_name(name, &nlen))
		return fail(h, HDREDIT_EBADNAME);
	if (h->nedits == HDREDIT_EDITS_MAX)
		return fail(h, HDREDIT_EEDITS);
	if ((id = intern(h, name, nlen)) == -1)
		return h->error;
	/* a change to "" deletes: nothing to write */
	if ((op != OP_CHANGE || *value != '\0') &&
	    (len = build_field(h, name, nlen, value, leadspc)) == 0)
		return fail(h, HDREDIT_EARENA);
	e = &h->edits[h->nedits++];
	e->op = op;
	e->index = index;
	e->name = (uint8_t)id;
	e->off = (uint32_t)h->used;
	e->len = (uint32_t)len;
	h->used += len;
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_add(struct hdredit *h, const char *name, const char *value,
    int leadspc)
{
	return edit(h, OP_ADD, 0, name, value, leadspc);
}

enum hdredit_error
hdredit_insert(struct hdredit *h, uint32_t index, const char *name,
    const char *value, int leadspc)
{
	return edit(h, OP_INSERT, index, name, value, leadspc);
}

enum hdredit_error
hdredit_change(struct hdredit *h, uint32_t index, const char *name,
    const char *value, int leadspc)
{
	return edit(h, OP_CHANGE, index == 0 ? 1 : index, name, value,
	    leadspc);
}

enum hdredit_error
hdredit_reply(struct hdredit *h, const struct milter_reply *r,
    const struct milter_neg *n)
{
	int leadspc = (n->protocol & SMFIP_HDR_LEADSPC) != 0;

	switch (r->cmd) {
	case SMFIR_ADDHEADER:
		return hdredit_add(h, r->name, r->value, leadspc);
	case SMFIR_INSHEADER:
		return hdredit_insert(h, r->index, r->name, r->value, leadspc);
	case SMFIR_CHGHEADER:
		return hdredit_change(h, r->index, r->name, r->value, leadspc);
	}
	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	return fail(h, HDREDIT_EMISUSE);
}

enum hdredit_error
hdredit_quarantine(struct hdredit *h, const char *reason)
{
	char text[HDREDIT_REASON_MAX + 1];

	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	if (hdr_safe(text, sizeof(text), reason, HDR_TEXT) == 0)
		snprintf(text, sizeof(text), "quarantined");
	snprintf(h->quarantine, sizeof(h->quarantine), "%s: %s\r\n",
	    HDREDIT_QUARANTINE, text);
	h->strip = 1;
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_strip(struct hdredit *h)
{
	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	h->strip = 1;
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_replace_body(struct hdredit *h)
{
	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	h->body_replaced = 1;
	return HDREDIT_OK;
}

/* --- the first pass --- */

/* A field starts; its name is in r->name (when it fits). */
static enum hdredit_error
field(struct hdredit *h)
{
	struct hdredit_reader *r = &h->rd;

	if (h->nfields == HDREDIT_FIELDS_MAX)
		return fail(h, HDREDIT_EFIELDS);
	h->fname[h->nfields++] = r->namelen > sizeof(r->name) ? NO_NAME :
	    (uint8_t)find_name(h, r->name, r->namelen);
	return HDREDIT_OK;
}

/*
 * Read buf[0..len) of a header; stops at its end (R_BODY) or at an
 * error.  Each field found is noted in fname[].
 */
static enum hdredit_error
read_header(struct hdredit *h, const char *buf, size_t len)
{
	struct hdredit_reader *r = &h->rd;
	const char *nl;
	size_t i;
	int c;

	for (i = 0; i < len && r->state != R_BODY; i++) {
		c = (unsigned char)buf[i];
		switch (r->state) {
		case R_BOL:
			if (c == '\n')
				r->state = R_BODY;
			else if (c == '\r')
				r->state = R_BOLCR;
			else if (is_blank(c) && h->nfields > 0 && !r->fresh)
				r->state = R_LINE;	/* continuation */
			else if (is_ftext(c)) {
				r->name[0] = (char)c;
				r->namelen = 1;
				r->state = R_NAME;
			} else
				r->state = R_BODY;
			r->fresh = 0;
			break;
		case R_BOLCR:
			/* an empty line, or a line that is no field */
			r->state = R_BODY;
			break;
		case R_NAME:
			if (c == ':') {
				if (field(h) != HDREDIT_OK)
					return h->error;
				r->state = R_LINE;
			} else if (is_blank(c))
				r->state = R_NAMEWSP;
			else if (is_ftext(c)) {
				if (r->namelen < sizeof(r->name))
					r->name[r->namelen] = (char)c;
				if (r->namelen <= sizeof(r->name))
					r->namelen++;
			} else
				r->state = R_BODY;
			break;
		case R_NAMEWSP:
			if (c == ':') {
				if (field(h) != HDREDIT_OK)
					return h->error;
				r->state = R_LINE;
			} else if (!is_blank(c))
				r->state = R_BODY;
			break;
		case R_LINE:
			if ((nl = memchr(buf + i, '\n', len - i)) == NULL)
				return HDREDIT_OK;
			i = (size_t)(nl - buf);
			r->state = R_BOL;
			break;
		}
	}
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_own(struct hdredit *h, const char *text, size_t len)
{
	if (check_edit(h) != HDREDIT_OK)
		return h->error;
	if (h->own != NULL || len == 0 || text[len - 1] != '\n')
		return fail(h, HDREDIT_EMISUSE);
	if (read_header(h, text, len) != HDREDIT_OK)
		return h->error;
	if (h->rd.state != R_BOL)
		return fail(h, HDREDIT_EMISUSE);
	h->own = text;
	h->ownlen = len;
	h->nown = h->nfields;
	h->rd.fresh = 1;
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_scan(struct hdredit *h, const char *buf, size_t len)
{
	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase == PH_EDITS)
		h->phase = PH_SCAN;
	if (h->phase != PH_SCAN)
		return fail(h, HDREDIT_EMISUSE);
	return read_header(h, buf, len);
}

/* The name of an item. */
static int
item_name(const struct hdredit *h, uint16_t item)
{
	if (item >= HDREDIT_FIELDS_MAX)
		return h->edits[item - HDREDIT_FIELDS_MAX].name;
	return h->fname[item];
}

static void
item_insert(struct hdredit *h, size_t at, uint16_t item)
{
	memmove(h->items + at + 1, h->items + at,
	    (h->nitems - at) * sizeof(h->items[0]));
	h->items[at] = item;
	h->nitems++;
}

/*
 * Change or delete edit e's field: the index-th of its name among the
 * fields the filters saw (not the MTA's own).
 */
static void
change(struct hdredit *h, size_t e)
{
	const struct hdredit_edit *ed = &h->edits[e];
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < h->nitems; i++) {
		if (h->items[i] < h->nown ||
		    item_name(h, h->items[i]) != ed->name ||
		    ++n != ed->index)
			continue;
		if (ed->len != 0)
			h->items[i] = EDIT_ITEM(e);
		else {
			memmove(h->items + i, h->items + i + 1,
			    (h->nitems - i - 1) * sizeof(h->items[0]));
			h->nitems--;
		}
		return;
	}
	if (ed->len != 0)	/* no such field: Postfix appends it */
		item_insert(h, h->nitems, EDIT_ITEM(e));
}

enum hdredit_error
hdredit_scan_end(struct hdredit *h)
{
	const struct hdredit_edit *ed;
	size_t i;

	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase == PH_EDITS)
		h->phase = PH_SCAN;	/* an empty message */
	if (h->phase != PH_SCAN)
		return fail(h, HDREDIT_EMISUSE);
	for (i = 0; i < h->nfields; i++)
		h->items[i] = (uint16_t)i;
	h->nitems = h->nfields;
	for (i = 0; i < h->nedits; i++) {
		ed = &h->edits[i];
		switch (ed->op) {
		case OP_ADD:
			item_insert(h, h->nitems, EDIT_ITEM(i));
			break;
		case OP_INSERT:
			item_insert(h, ed->index < h->nitems ? ed->index :
			    h->nitems, EDIT_ITEM(i));
			break;
		case OP_CHANGE:
			change(h, i);
			break;
		}
	}
	h->phase = PH_WRITE;
	h->rd.state = R_BOL;
	h->rd.fresh = 0;
	return HDREDIT_OK;
}

/* --- the second pass --- */

static enum hdredit_error
out(struct hdredit *h, hdredit_sink sink, void *arg, const char *buf,
    size_t len)
{
	if (len > 0 && sink(arg, buf, len) == -1)
		return fail(h, HDREDIT_EOUTPUT);
	return HDREDIT_OK;
}

/* Whether a field of this name is left out (quarantine). */
static int
stripped(const struct hdredit *h, int name)
{
	return h->strip && (name == QUARANTINE_NAME || name == SCREENER_NAME);
}

/* A field ends a line the message left open: CRLF before what follows. */
static enum hdredit_error
close_line(struct hdredit *h, hdredit_sink sink, void *arg)
{
	int c = h->lastc;

	h->lastc = -1;
	if (c == -1 || c == '\n')
		return HDREDIT_OK;
	return out(h, sink, arg, c == '\r' ? "\n" : "\r\n", c == '\r' ? 1 : 2);
}

/* Write the edits' fields up to the next field read (or to the end). */
static enum hdredit_error
place_edits(struct hdredit *h, hdredit_sink sink, void *arg)
{
	const struct hdredit_edit *ed;

	for (; h->next < h->nitems; h->next++) {
		if (h->items[h->next] < HDREDIT_FIELDS_MAX)
			return HDREDIT_OK;
		ed = &h->edits[h->items[h->next] - HDREDIT_FIELDS_MAX];
		if (stripped(h, ed->name))
			continue;
		if (close_line(h, sink, arg) != HDREDIT_OK ||
		    out(h, sink, arg, h->arena + ed->off, ed->len) !=
		    HDREDIT_OK)
			return h->error;
		h->written++;
	}
	return HDREDIT_OK;
}

/*
 * The header ends here, before a line starting with c (-1: the end of
 * the message): the edits left, and the empty line if the body is the
 * caller's.  A line that starts with a blank, after a field we wrote,
 * would read as its continuation: an empty line keeps it in the body.
 */
static enum hdredit_error
header_end(struct hdredit *h, int c, hdredit_sink sink, void *arg)
{
	/* a field read that the list still holds was not read again */
	while (h->next < h->nitems) {
		if (place_edits(h, sink, arg) != HDREDIT_OK)
			return h->error;
		if (h->next < h->nitems)
			h->next++;
	}
	h->rd.state = R_BODY;
	if ((h->body_replaced || (is_blank(c) && h->written > 0)) &&
	    (close_line(h, sink, arg) != HDREDIT_OK ||
	    out(h, sink, arg, "\r\n", 2) != HDREDIT_OK))
		return h->error;
	return HDREDIT_OK;
}

/* At the start of a line of the header, c its first octet. */
static enum hdredit_error
line_start(struct hdredit *h, int c, hdredit_sink sink, void *arg)
{
	struct hdredit_reader *r = &h->rd;
	int fresh = r->fresh;

	r->fresh = 0;
	if (is_blank(c) && h->seen > 0 && !fresh) {
		r->state = R_LINE;	/* the current field goes on */
		return HDREDIT_OK;
	}
	if (h->seen == h->nfields)
		return header_end(h, c, sink, arg);
	/* field number seen starts: what goes before it, and its fate */
	if (place_edits(h, sink, arg) != HDREDIT_OK)
		return h->error;
	h->keep = 0;
	if (h->next < h->nitems && h->items[h->next] == h->seen) {
		h->next++;
		h->keep = h->seen < h->nown ||
		    !stripped(h, h->fname[h->seen]);
	}
	h->lastc = -1;
	h->written += h->keep;
	h->seen++;
	r->state = R_LINE;
	return HDREDIT_OK;
}

static enum hdredit_error
rewrite(struct hdredit *h, const char *buf, size_t len, hdredit_sink sink,
    void *arg)
{
	const char *nl;
	size_t i = 0, n;

	while (i < len) {
		switch (h->rd.state) {
		case R_BODY:
			if (h->body_replaced)
				return HDREDIT_OK;
			return out(h, sink, arg, buf + i, len - i);
		case R_BOL:
			if (line_start(h, (unsigned char)buf[i], sink, arg) !=
			    HDREDIT_OK)
				return h->error;
			break;	/* the octet is copied in its new state */
		default:
			nl = memchr(buf + i, '\n', len - i);
			n = nl != NULL ? (size_t)(nl - (buf + i)) + 1 : len - i;
			if (h->keep) {
				if (out(h, sink, arg, buf + i, n) != HDREDIT_OK)
					return h->error;
				h->lastc = (unsigned char)buf[i + n - 1];
			}
			i += n;
			if (nl != NULL)
				h->rd.state = R_BOL;
			break;
		}
	}
	return HDREDIT_OK;
}

/* The first octets of the result: ours on top, then the MTA's own. */
static enum hdredit_error
start(struct hdredit *h, hdredit_sink sink, void *arg)
{
	if (h->started)
		return HDREDIT_OK;
	h->started = 1;
	if (h->quarantine[0] != '\0') {
		if (out(h, sink, arg, h->quarantine, strlen(h->quarantine)) !=
		    HDREDIT_OK)
			return h->error;
		h->written++;
	}
	if (h->own != NULL) {
		if (rewrite(h, h->own, h->ownlen, sink, arg) != HDREDIT_OK)
			return h->error;
		h->rd.fresh = 1;
	}
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_write(struct hdredit *h, const char *buf, size_t len,
    hdredit_sink sink, void *arg)
{
	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase != PH_WRITE)
		return fail(h, HDREDIT_EMISUSE);
	if (start(h, sink, arg) != HDREDIT_OK)
		return h->error;
	return rewrite(h, buf, len, sink, arg);
}

enum hdredit_error
hdredit_write_again(struct hdredit *h)
{
	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase != PH_WRITE && h->phase != PH_DONE)
		return fail(h, HDREDIT_EMISUSE);
	/* what hdredit_scan_end() leaves for the second pass */
	h->phase = PH_WRITE;
	memset(&h->rd, 0, sizeof(h->rd));
	h->rd.state = R_BOL;
	h->started = 0;
	h->seen = 0;
	h->next = 0;
	h->keep = 0;
	h->lastc = -1;
	h->written = 0;
	return HDREDIT_OK;
}

enum hdredit_error
hdredit_write_end(struct hdredit *h, hdredit_sink sink, void *arg)
{
	if (h->error != HDREDIT_OK)
		return h->error;
	if (h->phase != PH_WRITE)
		return fail(h, HDREDIT_EMISUSE);
	if (start(h, sink, arg) != HDREDIT_OK)
		return h->error;
	if (h->rd.state != R_BODY) {
		if (h->seen < h->nfields)
			return fail(h, HDREDIT_EMISUSE);
		if (header_end(h, -1, sink, arg) != HDREDIT_OK)
			return h->error;
	}
	h->phase = PH_DONE;
	return HDREDIT_OK;
}

size_t
hdredit_field_name(const char *line, size_t len)
{
	size_t n = 0, i;

	while (n < len && is_ftext((unsigned char)line[n]))
		n++;
	for (i = n; i < len && is_blank((unsigned char)line[i]); i++)
		;
	return n > 0 && i < len && line[i] == ':' ? n : 0;
}

int
hdredit_active(const struct hdredit *h)
{
	return h->nedits > 0 || h->strip || h->body_replaced;
}

const char *
hdredit_strerror(enum hdredit_error e)
{
	switch (e) {
	case HDREDIT_OK:
		return "no error";
	case HDREDIT_EBADNAME:
		return "a header edit names no valid field";
	case HDREDIT_EEDITS:
		return "too many header edits";
	case HDREDIT_EARENA:
		return "header edits too large";
	case HDREDIT_EFIELDS:
		return "too many header fields to edit";
	case HDREDIT_EMISUSE:
		return "header edits out of order";
	case HDREDIT_EOUTPUT:
		return "cannot write the edited message";
	}
	return "unknown error";
}
