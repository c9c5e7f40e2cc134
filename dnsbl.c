/*
 * dnsbl.c: DNS block lists (RFC 5782) through the libc resolver.
 *
 * The client's address, reversed (IPv4 octets, IPv6 nibbles), is looked up
 * under the list's zone with res_query(): an A record in 127.0.0.0/8
 * means listed, and then the TXT record of the same name is the reason.
 * An answer outside 127.0.0.0/8 is not a listing (RFC 5782 §2.1: such an
 * entry is a mistake or a wildcard, e.g. of a domain that expired).
 * 127.255.255.0/24 is what the big lists answer when they will not serve
 * the query (Spamhaus: 127.255.255.252 "typing error in the list's name",
 * .254 "query through a public resolver", .255 "too many queries"); taking
 * that for a listing would refuse every client, so it is a temporary error
 * and gets logged as one.
 *
 * NXDOMAIN or no A record: not listed.  SERVFAIL, REFUSED, a time-out, or
 * an answer that does not parse: DNSBL_TEMPERROR, which is not a reason to
 * refuse anybody.  Time limits are the resolver's, from resolv.conf
 * (options timeout:, attempts:).
 *
 * The answer comes from the network and is parsed here with bounds checks
 * on every field; glibc (2.34 and later) has res_query, dn_skipname in
 * libc itself, so only them are used (no ns_initparse from libresolv).
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "dnsbl.h"

#define ANSWER_MAX	4096

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* A zone is a domain name: labels of letters, digits, '-', '_'. */
static int
zone_ok(const char *zone)
{
	size_t i, label = 0;

	if (zone == NULL || zone[0] == '\0' || zone[0] == '.')
		return 0;
	for (i = 0; zone[i] != '\0'; i++) {
		char c = zone[i];

		if (c == '.') {
			if (label == 0)
				return 0;	/* ".." */
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return i - (zone[i - 1] == '.') <= 253;	/* the final '.' aside */
}

int
dnsbl_query_name(const char *ip, const char *zone, char *out, size_t size)
{
	unsigned char a[16];
	static const char hex[] = "0123456789abcdef";
	char buf[NS_MAXDNAME];
	size_t n = 0;
	int i, len;

	if (size > 0)
		out[0] = '\0';
	if (ip == NULL || !zone_ok(zone))
		return -1;
	if (inet_pton(AF_INET, ip, a) == 1)
		len = snprintf(buf, sizeof(buf), "%u.%u.%u.%u.%s",
		    a[3], a[2], a[1], a[0], zone);
	else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
			len = snprintf(buf, sizeof(buf), "%u.%u.%u.%u.%s",
			    a[15], a[14], a[13], a[12], zone);
		else {
			for (i = 15; i >= 0; i--) {
				buf[n++] = hex[a[i] & 0xf];
				buf[n++] = '.';
				buf[n++] = hex[a[i] >> 4];
				buf[n++] = '.';
			}
			len = snprintf(buf + n, sizeof(buf) - n, "%s", zone);
			len = len < 0 ? len : len + (int)n;
		}
	} else
		return -1;
	if (len < 0 || (size_t)len >= sizeof(buf) || (size_t)len >= size)
		return -1;
	/* a domain name has at most 253 octets, the final '.' aside */
	if (len - (buf[len - 1] == '.') > 253)
		return -1;
	memcpy(out, buf, (size_t)len + 1);
	return 0;
}

/* The reason, from the network: printable ASCII only, bounded. */
static void
reason_add(char *reason, size_t size, size_t *n, const unsigned char *p,
    size_t len)
{
	size_t i;

	for (i = 0; i < len && *n + 1 < size; i++) {
		unsigned char c = p[i];

		reason[(*n)++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (size > 0)
		reason[*n] = '\0';
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Walk the answer section of a reply of len octets, calling fn for each
 * record of type want in class IN; -1 when the reply does not parse.
 */
static int
answers(const unsigned char *msg, size_t len, unsigned want,
    int (*fn)(const unsigned char *, unsigned, void *), void *arg)
{
	const unsigned char *p, *end = msg + len;
	unsigned qd, an, type, class, rdlen;
	int k;

	if (len < HFIXEDSZ)
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	p = msg + HFIXEDSZ;
	while (qd-- > 0) {
		if ((k = dn_skipname(p, end)) < 0 || end - (p + k) < QFIXEDSZ)
			return -1;
		p += k + QFIXEDSZ;
	}
	while (an-- > 0) {
		if ((k = dn_skipname(p, end)) < 0 || end - (p + k) < RRFIXEDSZ)
			return -1;
		p += k;
		type = get16(p);
		class = get16(p + 2);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if ((size_t)(end - p) < rdlen)
			return -1;
		if (type == want && class == C_IN && fn(p, rdlen, arg))
			break;
		p += rdlen;
	}
	return 0;
}

struct a_seen {
	int	listed;		/* an A in 127.0.0.0/8 */
	int	refused;	/* an A in 127.255.255.0/24 */
};

static int
on_a(const unsigned char *rd, unsigned len, void *arg)
{
	struct a_seen *s = arg;

	if (len != 4 || rd[0] != 127)
		return 0;
	if (rd[1] == 255 && rd[2] == 255)
		s->refused = 1;
	else
		s->listed = 1;
	return 0;
}

struct txt_seen {
	char	*reason;
	size_t	 size, n;
};

/* The first TXT record: its character-strings, joined. */
static int
on_txt(const unsigned char *rd, unsigned len, void *arg)
{
	struct txt_seen *t = arg;
	unsigned i = 0, l;

	while (i < len) {
		l = rd[i++];
		if (l > len - i)
			l = len - i;
		reason_add(t->reason, t->size, &t->n, rd + i, l);
		i += l;
	}
	return 1;
}

/* res_query()'s failure: is it an answer ("not there") or no answer? */
static int
no_answer(void)
{
	return h_errno != HOST_NOT_FOUND && h_errno != NO_DATA;
}

enum dnsbl_result
dnsbl_parse_a(const unsigned char *msg, size_t len)
{
	struct a_seen a = { 0, 0 };

	if (answers(msg, len, T_A, on_a, &a) != 0)
		return DNSBL_TEMPERROR;
	if (!a.listed)
		return a.refused ? DNSBL_TEMPERROR : DNSBL_NOT_LISTED;
	return DNSBL_LISTED;
}

int
dnsbl_parse_txt(const unsigned char *msg, size_t len, char *reason,
    size_t size)
{
	struct txt_seen t = { reason, size, 0 };

	if (size > 0)
		reason[0] = '\0';
	return answers(msg, len, T_TXT, on_txt, &t);
}

enum dnsbl_result
dnsbl_check(const char *ip, const char *zone, char *reason, size_t size)
{
	unsigned char msg[ANSWER_MAX];
	char qname[NS_MAXDNAME];
	enum dnsbl_result r;
	int len;

	if (size > 0)
		reason[0] = '\0';
	if (dnsbl_query_name(ip, zone, qname, sizeof(qname)) != 0)
		return DNSBL_NOT_LISTED;

	len = res_query(qname, C_IN, T_A, msg, sizeof(msg));
	if (len < 0)
		return no_answer() ? DNSBL_TEMPERROR : DNSBL_NOT_LISTED;
	if (len > (int)sizeof(msg))
		len = (int)sizeof(msg);		/* truncated: parse what is */
	if ((r = dnsbl_parse_a(msg, (size_t)len)) != DNSBL_LISTED)
		return r;

	/* the reason is a courtesy: without it, still listed */
	len = res_query(qname, C_IN, T_TXT, msg, sizeof(msg));
	if (len > (int)sizeof(msg))
		len = (int)sizeof(msg);
	if (len > 0 && dnsbl_parse_txt(msg, (size_t)len, reason, size) != 0 &&
	    size > 0)
		reason[0] = '\0';		/* half a reply: no reason */
	return DNSBL_LISTED;
}
