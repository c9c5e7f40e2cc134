/*
 * hdrscan.c: the header's fields, one at a time (hdrscan.h).
 */
#include <string.h>

#include "hdrscan.h"

enum {
	S_START,	/* the message's first octet */
	S_NAME,		/* a line that may be a field, before its colon */
	S_NAME_WSP,	/* blanks after a name: only a colon may follow */
	S_VALUE,	/* after the colon */
	S_CR,		/* a CR in a field's value */
	S_EOL,		/* a field's line ended: continued or not? */
	S_EMPTY_CR,	/* a CR at the start of a line */
	S_HELD,		/* EOH given; the held line goes out as body */
	S_BODY,
	S_DONE,		/* hdrscan_finish() gave everything */
};

void
hdrscan_init(struct hdrscan *h)
{
	h->state = S_START;
	h->truncated = 0;
	h->len = 0;
	h->namelen = 0;
	h->fields = 0;
	h->field[0] = '\0';
}

static void
append(struct hdrscan *h, char ch)
{
	if (h->len < HDRSCAN_FIELD_MAX)
		h->field[h->len++] = ch;
	else
		h->truncated = 1;
}

/* The line being read is no field: it is the body's start. */
static enum hdrscan_event
not_a_field(struct hdrscan *h)
{
	h->state = S_HELD;
	h->namelen = 0;
	return HDRSCAN_EOH;
}

static void
new_field(struct hdrscan *h)
{
	h->len = 0;
	h->namelen = 0;
	h->truncated = 0;
	h->state = S_NAME;
}

static enum hdrscan_event
complete(struct hdrscan *h)
{
	h->field[h->len] = '\0';
	h->fields++;
	return HDRSCAN_FIELD;
}

/* One octet in the header; -1: it was not taken (an event first). */
static int
step(struct hdrscan *h, unsigned char ch, enum hdrscan_event *ev)
{
	switch (h->state) {
	case S_START:
		if (ch == '\r') {
			h->state = S_EMPTY_CR;
			return 0;
		}
		new_field(h);
		if (ch == ' ' || ch == '\t') {
			append(h, ch);
			*ev = not_a_field(h);
			return 0;
		}
		return step(h, ch, ev);
	case S_NAME:
	case S_NAME_WSP:
		if (h->len == HDRSCAN_FIELD_MAX) {
			*ev = not_a_field(h);
			return -1;
		}
		if (ch == ':' && h->len == 0) {
			append(h, ch);
			*ev = not_a_field(h);
			return 0;
		}
		if (ch == ':') {
			if (h->state == S_NAME)
				h->namelen = h->len;
			append(h, ch);
			h->state = S_VALUE;
			return 0;
		}
		append(h, ch);
		if ((ch == ' ' || ch == '\t') && h->len > 1) {
			if (h->state == S_NAME)
				h->namelen = h->len - 1;
			h->state = S_NAME_WSP;
			return 0;
		}
		if (h->state == S_NAME_WSP || ch < 33 || ch > 126)
			*ev = not_a_field(h);
		return 0;
	case S_VALUE:
		if (ch == '\r')
			h->state = S_CR;
		else
			append(h, ch);
		return 0;
	case S_CR:
		if (ch == '\n') {
			h->state = S_EOL;
			return 0;
		}
		append(h, '\r');	/* not canonical; kept as it came */
		h->state = S_VALUE;
		return step(h, ch, ev);
	case S_EOL:
		if (ch == ' ' || ch == '\t') {
			append(h, '\r');
			append(h, '\n');
			append(h, ch);
			h->state = S_VALUE;
			return 0;
		}
		*ev = complete(h);
		if (ch == '\r') {
			h->state = S_EMPTY_CR;
			return 0;
		}
		h->state = S_START;	/* the next field, from this octet */
		return -1;
	case S_EMPTY_CR:
		if (ch == '\n') {
			h->state = S_BODY;
			*ev = HDRSCAN_EOH;
			return 0;
		}
		/* A CR alone is no line end: this line is body. */
		h->len = 0;
		h->field[h->len++] = '\r';
		*ev = not_a_field(h);
		return -1;
	}
	return 0;
}

enum hdrscan_event
hdrscan_feed(struct hdrscan *h, const char *in, size_t len, size_t *used,
    const char **body, size_t *bodylen)
{
	enum hdrscan_event ev = HDRSCAN_MORE;
	size_t i;

	*body = NULL;
	*bodylen = 0;
	if (h->state == S_HELD) {
		*body = h->field;
		*bodylen = h->len;
		h->len = 0;
		h->state = S_BODY;
		*used = 0;
		return HDRSCAN_BODY;
	}
	if (h->state == S_BODY || h->state == S_DONE) {
		*body = in;
		*bodylen = len;
		*used = len;
		return HDRSCAN_BODY;
	}
	for (i = 0; i < len && ev == HDRSCAN_MORE; i++) {
		if (step(h, (unsigned char)in[i], &ev) == -1)
			i--;
	}
	*used = i;
	return ev;
}

enum hdrscan_event
hdrscan_finish(struct hdrscan *h, const char **body, size_t *bodylen)
{
	*body = NULL;
	*bodylen = 0;
	switch (h->state) {
	case S_VALUE:
	case S_CR:
		if (h->state == S_CR)
			append(h, '\r');
		h->state = S_START;
		return complete(h);
	case S_EOL:
		h->state = S_START;
		return complete(h);
	case S_NAME:
	case S_NAME_WSP:
		return not_a_field(h);
	case S_START:
	case S_EMPTY_CR:
		h->len = 0;
		if (h->state == S_EMPTY_CR)
			h->field[h->len++] = '\r';
		return not_a_field(h);
	case S_HELD:
		*body = h->field;
		*bodylen = h->len;
		h->len = 0;
		h->state = S_DONE;
		return HDRSCAN_BODY;
	case S_BODY:
		h->state = S_DONE;
		return HDRSCAN_BODY;
	default:
		return HDRSCAN_MORE;
	}
}

const char *
hdrscan_name(const struct hdrscan *h, size_t *namelen)
{
	*namelen = h->namelen;
	return h->field;
}

const char *
hdrscan_value(const struct hdrscan *h)
{
	const char *colon = memchr(h->field, ':', h->len);

	return colon != NULL ? colon + 1 : h->field + h->len;
}

int
hdrscan_is(const struct hdrscan *h, const char *name)
{
	size_t i, n = strlen(name);
	unsigned char a, b;

	if (h->namelen != n)
		return 0;
	for (i = 0; i < n; i++) {
		a = (unsigned char)h->field[i];
		b = (unsigned char)name[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}
