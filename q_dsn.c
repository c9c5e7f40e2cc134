/*
 * q_dsn.c: delivery status notifications (q_dsn.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "q_dsn.h"

/* A growing buffer; a failure sticks, and is seen at the end. */
struct buf {
	char	*s;
	size_t	 len, size;
	int	 failed;
};

static void
grow(struct buf *b, size_t more)
{
	size_t size;
	char *s;

	if (b->failed || b->len + more < b->size)
		return;
	size = b->size ? b->size : 4096;
	while (size <= b->len + more)
		size *= 2;
	if ((s = realloc(b->s, size)) == NULL) {
		b->failed = 1;
		return;
	}
	b->s = s;
	b->size = size;
}

static void
add(struct buf *b, const char *s, size_t n)
{
	grow(b, n);
	if (b->failed)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* A string literal, its length counted by the compiler. */
#define ADD(b, lit)	add((b), (lit), sizeof(lit) - 1)

static void
addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	grow(b, (size_t)n + 1);
	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * A reply's text as one printable line: a remote host's words go into
 * header fields and must not end them.
 */
static void
add_clean(struct buf *b, const char *s)
{
	char c;

	for (; s != NULL && *s != '\0'; s++) {
		c = *s;
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			c = '?';
		add(b, &c, 1);
	}
}

/*
 * An address: as add_clean(), but UTF-8 kept (RFC 6531 addresses; the
 * DSN is then a global one, RFC 6533).
 */
static void
add_addr(struct buf *b, const char *s)
{
	char c;

	for (; s != NULL && *s != '\0'; s++) {
		c = *s;
		if ((unsigned char)c < 0x20 || (unsigned char)c == 0x7f)
			c = '?';
		add(b, &c, 1);
	}
}

static int
non_ascii(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* An RFC 5322 date, in UTC: the DSN is made by a daemon, not a user. */
static void
add_date(struct buf *b, time_t t)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	addf(b, "%s, %d %s %d %02d:%02d:%02d +0000", wd[tm.tm_wday % 7],
	    tm.tm_mday, mon[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* "d.ddd.ddd" at s, of class c: its length, else 0. */
static size_t
enhanced(const char *s, char c)
{
	const char *p = s;
	int part, n;

	if (s[0] != c || s[1] != '.')
		return 0;
	p = s + 2;
	for (part = 0; part < 2; part++) {
		for (n = 0; *p >= '0' && *p <= '9'; p++)
			n++;
		if (n < 1 || n > 3)
			return 0;
		if (part == 0 && *p++ != '.')
			return 0;
	}
	if (*p != '\0' && *p != ' ')
		return 0;
	return (size_t)(p - s);
}

void
q_dsn_status(int code, const char *text, int action,
    char out[Q_DSN_STATUS_LEN])
{
	char c;
	size_t n;

	if (code >= 200 && code <= 599)
		c = (char)('0' + code / 100);
	else
		c = action == Q_DSN_DELAYED ? '4' : '5';
	if (c == '3')
		c = '5';	/* a 3xx where it makes no sense: a failure */
	/*
	 * Without a reply (an expiry, a local error) the text's own code
	 * counts, of either failure class: "4.4.7 message expired" is
	 * what RFC 3463 says for a message that timed out in the queue.
	 */
	n = 0;
	if (text != NULL && code == 0) {
		if ((n = enhanced(text, '4')) == 0)
			n = enhanced(text, '5');
	} else if (text != NULL)
		n = enhanced(text, c);
	if (n != 0 && n < Q_DSN_STATUS_LEN) {
		memcpy(out, text, n);
		out[n] = '\0';
		return;
	}
	snprintf(out, Q_DSN_STATUS_LEN, "%c.0.0", c);
}

size_t
q_dsn_header_len(const char *msg, size_t len)
{
	size_t i, last = 0;

	for (i = 0; i + 1 < len; i++) {
		if (msg[i] != '\r' || msg[i + 1] != '\n')
			continue;
		if (i + 2 > Q_DSN_HEADER_MAX)
			break;
		if (i == last)	/* an empty line: the header's end */
			return last;
		last = i + 2;
	}
	if (i + 1 >= len && len <= Q_DSN_HEADER_MAX)
		return len;
	return last;
}

static int
any_action(const struct q_dsn *d, int action)
{
	size_t i;

	for (i = 0; i < d->nrcpt; i++)
		if (d->rcpt[i].action == action)
			return 1;
	return 0;
}

static void
human(struct buf *b, const struct q_dsn *d, int failed)
{
	const struct q_dsn_rcpt *r;
	size_t i;

	addf(b, "This is the mail system at host %s.\r\n\r\n", d->hostname);
	if (failed)
		ADD(b, "Your message could not be delivered to one or more "
		    "recipients.\r\nIts header is attached below.");
	else
		ADD(b, "Your message could not be delivered yet to one or "
		    "more recipients.\r\nDelivery will be retried; you need "
		    "not send it again.");
	ADD(b, "\r\n\r\n");
	for (i = 0; i < d->nrcpt; i++) {
		r = &d->rcpt[i];
		if ((r->action == Q_DSN_FAILED) != failed)
			continue;
		ADD(b, "<");
		add_addr(b, r->addr);
		ADD(b, ">: ");
		if (r->remote != NULL && r->code != 0) {
			ADD(b, "host ");
			add_clean(b, r->remote);
			ADD(b, " said: ");
		}
		if (r->code != 0)
			addf(b, "%d ", r->code);
		add_clean(b, r->text);
		ADD(b, "\r\n");
	}
	if (!failed) {
		ADD(b, "\r\nIt will be retried until ");
		add_date(b, d->until);
		ADD(b, ".\r\n");
	}
}

static void
status_part(struct buf *b, const struct q_dsn *d, int utf8)
{
	const struct q_dsn_rcpt *r;
	char status[Q_DSN_STATUS_LEN];
	size_t i;

	addf(b, "Reporting-MTA: dns; %s\r\n", d->hostname);
	ADD(b, "X-Samotop-Queue-ID: ");
	add_clean(b, d->id);
	ADD(b, "\r\nArrival-Date: ");
	add_date(b, d->arrival);
	ADD(b, "\r\n");
	for (i = 0; i < d->nrcpt; i++) {
		r = &d->rcpt[i];
		q_dsn_status(r->code, r->text, r->action, status);
		if (utf8 && non_ascii(r->addr))
			ADD(b, "\r\nFinal-Recipient: utf-8; ");
		else
			ADD(b, "\r\nFinal-Recipient: rfc822; ");
		add_addr(b, r->addr);
		addf(b, "\r\nAction: %s\r\nStatus: %s\r\n",
		    r->action == Q_DSN_DELAYED ? "delayed" : "failed", status);
		if (r->remote != NULL) {
			ADD(b, "Remote-MTA: dns; ");
			add_clean(b, r->remote);
			ADD(b, "\r\n");
		}
		if (r->code != 0) {
			addf(b, "Diagnostic-Code: smtp; %d ", r->code);
			add_clean(b, r->text);
			ADD(b, "\r\n");
		}
		if (r->action == Q_DSN_DELAYED) {
			ADD(b, "Will-Retry-Until: ");
			add_date(b, d->until);
			ADD(b, "\r\n");
		}
	}
}

char *
q_dsn_format(const struct q_dsn *d, size_t *len, int *flags)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *report;
	int failed, eightbit = 0, utf8;
	size_t i;

	*flags = 0;
	if (d->sender == NULL || d->sender[0] == '\0' || d->nrcpt == 0) {
		errno = EINVAL;
		return NULL;
	}
	failed = any_action(d, Q_DSN_FAILED);
	for (i = 0; i < d->header_len; i++)
		if ((unsigned char)d->header[i] >= 0x80)
			eightbit = 1;
	/*
	 * An address in UTF-8 (the sender's or a recipient's): a global
	 * DSN (RFC 6533), to be sent with SMTPUTF8.
	 */
	utf8 = non_ascii(d->sender);
	for (i = 0; i < d->nrcpt; i++)
		utf8 |= non_ascii(d->rcpt[i].addr);
	report = utf8 ? "global-delivery-status" : "delivery-status";
	*flags = (eightbit || utf8 ? Q_DSN_8BIT : 0) | (utf8 ? Q_DSN_UTF8 : 0);
	addf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n",
	    d->hostname);
	ADD(&b, "To: <");
	add_addr(&b, d->sender);
	ADD(&b, ">\r\nSubject: ");
	add_clean(&b, failed ? "Undelivered Mail Returned to Sender" :
	    "Delayed Mail (still being retried)");
	ADD(&b, "\r\nDate: ");
	add_date(&b, d->now);
	addf(&b, "\r\nMessage-ID: <%s@%s>\r\n", d->dsn_id, d->hostname);
	ADD(&b, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n");
	addf(&b, "Content-Type: multipart/report; "
	    "report-type=%s;\r\n\tboundary=\"%s/%s\"\r\n", report,
	    d->dsn_id, d->hostname);
	if (*flags & Q_DSN_8BIT)
		ADD(&b, "Content-Transfer-Encoding: 8bit\r\n");
	ADD(&b, "\r\nThis is a MIME-encapsulated message.\r\n");

	addf(&b, "\r\n--%s/%s\r\n", d->dsn_id, d->hostname);
	addf(&b, "Content-Description: Notification\r\n"
	    "Content-Type: text/plain; charset=%s\r\n",
	    utf8 ? "utf-8" : "us-ascii");
	if (utf8)
		ADD(&b, "Content-Transfer-Encoding: 8bit\r\n");
	ADD(&b, "\r\n");
	if (failed)
		human(&b, d, 1);
	if (any_action(d, Q_DSN_DELAYED)) {
		if (failed)
			ADD(&b, "\r\n");
		human(&b, d, 0);
	}

	addf(&b, "\r\n--%s/%s\r\n", d->dsn_id, d->hostname);
	addf(&b, "Content-Description: Delivery report\r\n"
	    "Content-Type: message/%s\r\n", report);
	if (utf8)
		ADD(&b, "Content-Transfer-Encoding: 8bit\r\n");
	ADD(&b, "\r\n");
	status_part(&b, d, utf8);

	addf(&b, "\r\n--%s/%s\r\n", d->dsn_id, d->hostname);
	addf(&b, "Content-Description: Undelivered Message Headers\r\n"
	    "Content-Type: %s\r\n", utf8 ? "message/global-headers" :
	    "text/rfc822-headers");
	if (eightbit)
		ADD(&b, "Content-Transfer-Encoding: 8bit\r\n");
	ADD(&b, "\r\n");
	add(&b, d->header, d->header_len);
	if (d->header_len < 2 || d->header[d->header_len - 2] != '\r' ||
	    d->header[d->header_len - 1] != '\n')
		ADD(&b, "\r\n");
	addf(&b, "\r\n--%s/%s--\r\n", d->dsn_id, d->hostname);
	if (b.failed) {
		free(b.s);
		errno = ENOMEM;
		return NULL;
	}
	*len = b.len;
	return b.s;
}
