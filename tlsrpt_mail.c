/*
 * tlsrpt_mail.c: a TLS report made into a mail message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt_mail.h"

/* No base64 line can start with "--=" (nor the text part's lines). */
#define BOUNDARY	"=_samotop_tlsrpt"

struct out {
	char	*buf;
	size_t	 size, len;
	int	 over;
};

static void	put(struct out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *f, ...)
{
	va_list ap;
	int n;

	if (o->over)
		return;
	va_start(ap, f);
	n = vsnprintf(o->buf + o->len, o->size - o->len, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->over = 1;
	else
		o->len += (size_t)n;
}

/* 1 when s may go into a header field (and a quoted string) as it is. */
static int
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			return 0;
	return 1;
}

/* in[0..len) in base64, lines of 76 characters and CRLF. */
static void
base64(struct out *o, const unsigned char *in, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;
	unsigned long v;
	char g[4];

	for (i = 0; i < len; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		g[0] = b64[v >> 18 & 63];
		g[1] = b64[v >> 12 & 63];
		g[2] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		g[3] = i + 2 < len ? b64[v & 63] : '=';
		if (o->over || o->size - o->len < 7) {
			o->over = 1;
			return;
		}
		memcpy(o->buf + o->len, g, 4);
		o->len += 4;
		if ((col += 4) == 76) {
			memcpy(o->buf + o->len, "\r\n", 2);
			o->len += 2;
			col = 0;
		}
	}
	if (col > 0)
		put(o, "\r\n");
}

size_t
tlsrpt_mail(const struct tlsrpt_mail *m, char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };
	struct tm tm;
	char date[64];

	if (!clean(m->from) || !clean(m->to) || !clean(m->domain) ||
	    !clean(m->submitter) || !clean(m->report_id) ||
	    !clean(m->period) || !clean(m->filename) || !clean(m->ctype) ||
	    gmtime_r(&m->date, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm) == 0)
		return 0;
	put(&o, "From: %s\r\nTo: %s\r\nDate: %s\r\n", m->from, m->to, date);
	put(&o, "Subject: Report Domain: %s Submitter: %s\r\n"
	    " Report-ID: <%s>\r\n", m->domain, m->submitter, m->report_id);
	put(&o, "Message-ID: <%s>\r\n", m->report_id);
	put(&o, "TLS-Report-Domain: %s\r\nTLS-Report-Submitter: %s\r\n",
	    m->domain, m->submitter);
	put(&o, "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n"
	    "\tboundary=\"" BOUNDARY "\"\r\n\r\n");
	put(&o, "This is a TLS report (RFC 8460) in MIME format.\r\n\r\n");
	put(&o, "--" BOUNDARY "\r\nContent-Type: text/plain; "
	    "charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
	    "This is an aggregate TLS report from %s\r\n"
	    "for %s, of the sessions of %s (UTC).\r\n\r\n", m->submitter,
	    m->domain, m->period);
	put(&o, "--" BOUNDARY "\r\nContent-Type: %s\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment;\r\n\tfilename=\"%s\"\r\n\r\n",
	    m->ctype, m->filename);
	base64(&o, m->report, m->len);
	put(&o, "\r\n--" BOUNDARY "--\r\n");
	return o.over ? 0 : o.len;
}

int
tlsrpt_mail_is_report(const char *msg, size_t len)
{
	static const char name[] = "TLS-Report-Domain:";
	const char *p = msg, *end = msg + len, *nl;

	while (p < end && *p != '\r' && *p != '\n') {
		if ((size_t)(end - p) >= sizeof(name) - 1 &&
		    strncasecmp(p, name, sizeof(name) - 1) == 0)
			return 1;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
