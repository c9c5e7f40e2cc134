/*
 * received.c: the Received: header.  It names no recipient ("for"
 * clause left out): a trace header that lists them would disclose Bcc
 * recipients to everyone else.
 */
#include <stdio.h>
#include <string.h>

#include "hdr.h"
#include "received.h"

/* "from" and its TCP-info comment: a HELO that is no name goes inside. */
static void
from_clause(const struct received_info *ri, char *out, size_t size)
{
	char helo[256], text[256], note[262] = "", host[256], ip[64];

	hdr_safe(host, sizeof(host), ri->host, HDR_DOMAIN);
	hdr_safe(ip, sizeof(ip), ri->ip, HDR_COMMENT);
	if (hdr_safe(helo, sizeof(helo), ri->helo, HDR_HOST) == 0) {
		if (hdr_safe(text, sizeof(text), ri->helo, HDR_COMMENT) > 0)
			snprintf(note, sizeof(note), "helo=%s ", text);
		snprintf(helo, sizeof(helo), "unknown");
	}
	if (ip[0] == '\0')
		snprintf(out, size, "%s (%slocal pipe)", helo, note);
	else
		snprintf(out, size, "%s (%s%s%s[%s])", helo, note, host,
		    host[0] != '\0' ? " " : "", ip);
}

size_t
received_header(char *buf, size_t size, const struct received_info *ri)
{
	char from[900], date[64], tls[200] = "", desc[180];
	struct tm tm;
	time_t when = ri->when;
	int n;

	if (ri->notrace > 0 || ri->hide_client) {
		snprintf(from, sizeof(from), "unknown (not recorded)");
		if (ri->notrace > 0)
			when -= when % (time_t)ri->notrace;
	} else
		from_clause(ri, from, sizeof(from));
	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (ri->tls != NULL && hdr_safe(desc, sizeof(desc), ri->tls,
	    HDR_COMMENT) > 0)
		snprintf(tls, sizeof(tls), "\t(using %s)\r\n", desc);
	n = snprintf(buf, size, "Received: from %s\r\n%s"
	    "\tby %s (samotop) with %s id %s;\r\n\t%s\r\n",
	    from, tls, ri->hostname, ri->protocol, ri->id, date);
	if (n < 0 || (size_t)n >= size)
		return 0;
	return n;
}

size_t
authres_header(char *buf, size_t size, const struct authres_info *ai)
{
	char iprev[400] = "", spf[400] = "", ip[80], v[330], name[256];
	char tls[180];
	const char *more;
	int n;

	if (ai->iprev != NULL) {
		hdr_safe(ip, sizeof(ip), ai->notrace ? "" : ai->ip, HDR_VALUE);
		hdr_safe(name, sizeof(name), ai->notrace ? "" : ai->rdns_name,
		    HDR_COMMENT);
		snprintf(iprev, sizeof(iprev), ";\r\n\tiprev=%s%s%s%s%s%s",
		    ai->iprev, ip[0] != '\0' ? " policy.iprev=" : "", ip,
		    name[0] != '\0' ? " (" : "", name,
		    name[0] != '\0' ? ")" : "");
	}
	if (ai->spf != NULL) {
		/* the identity SPF checked: the sender, or HELO for <> */
		if (ai->notrace)
			v[0] = '\0';
		else if (ai->sender[0] != '\0')
			hdr_safe(v, sizeof(v), ai->sender, HDR_MAILBOX);
		else
			hdr_safe(v, sizeof(v), ai->helo, HDR_DOMAIN);
		snprintf(spf, sizeof(spf), ";\r\n\tspf=%s%s%s", ai->spf,
		    v[0] == '\0' ? "" : ai->sender[0] != '\0' ?
		    " smtp.mailfrom=" : " smtp.helo=", v);
	}
	hdr_safe(tls, sizeof(tls), ai->tls, HDR_COMMENT);
	more = ai->more != NULL ? ai->more : "";
	n = snprintf(buf, size, "Authentication-Results: %s%s%s%s%s\r\n"
	    "\t(%s%s)\r\n", ai->hostname, iprev, spf, more,
	    ai->iprev == NULL && ai->spf == NULL && more[0] == '\0' ?
	    "; none" : "",
	    ai->tls != NULL ? "TLS: " : "plaintext: no TLS", tls);
	if (n < 0 || (size_t)n >= size)
		return 0;
	return n;
}

void
received_session_id(char out[SID_LEN + 1], time_t t, long pid,
    const unsigned char noise[8])
{
	static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned long long v;
	int i;

	/* 7 characters of time (base 32: sortable), 9 of pid and noise. */
	v = (unsigned long long)t;
	for (i = 6; i >= 0; i--, v >>= 5)
		out[i] = digits[v & 31];
	v = (unsigned long long)pid;
	for (i = 0; i < 8; i++)
		v = v * 131 + noise[i];
	for (i = 15; i >= 7; i--, v >>= 5)
		out[i] = digits[v & 31];
	out[SID_LEN] = '\0';
}
