/*
 * received.c: the Received: header.  It names no recipient ("for"
 * clause left out): a trace header that lists them would disclose Bcc
 * recipients to everyone else.
 */
#include <stdio.h>
#include <string.h>

#include "received.h"

/* Client-chosen text goes into a header: keep only harmless octets. */
static void
clean(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = in[i];

		out[i] = (c > 0x20 && c < 0x7f && c != '(' && c != ')' &&
		    c != '\\' && c != ';') ? c : '?';
	}
	out[i] = '\0';
}

size_t
received_header(char *buf, size_t size, const struct received_info *ri)
{
	char helo[256], date[64], from[320], tls[200] = "";
	struct tm tm;
	int n;

	clean(ri->helo, helo, sizeof(helo));
	gmtime_r(&ri->when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (ri->ip[0] == '\0')
		snprintf(from, sizeof(from), "(local pipe)");
	else
		snprintf(from, sizeof(from), "(%s%s[%s])", ri->host,
		    ri->host[0] != '\0' ? " " : "", ri->ip);
	if (ri->tls != NULL)
		snprintf(tls, sizeof(tls), "\t(using %s)\r\n", ri->tls);
	n = snprintf(buf, size, "Received: from %s %s\r\n%s"
	    "\tby %s (samotop) with %s id %s;\r\n\t%s\r\n",
	    helo, from, tls, ri->hostname, ri->protocol, ri->id, date);
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
