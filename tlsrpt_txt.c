/*
 * tlsrpt_txt.c: the _smtp._tls TXT record (RFC 8460 §3):
 *
 *	v=TLSRPTv1; rua=mailto:reports@example.com,https://r.example/v1
 *
 * fields separated by ";" with optional white space around it, the
 * URIs of rua by "," (a "," or ";" inside a URI is percent-encoded).
 */
#include <string.h>
#include <strings.h>

#include "dns_txt.h"
#include "tlsrpt.h"

#define WSP(c)		((c) == ' ' || (c) == '\t')
#define ALNUM(c)	(((c) >= 'a' && (c) <= 'z') || \
			 ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A mailto: URI's address (after "mailto:", up to "?"), percent-decoded
 * into out: 0, or -1 when it is empty, too long, or decodes to a control
 * octet, a space or angle brackets (none of which an address we would
 * send to holds).
 */
static int
mailto(const char *s, size_t n, char out[TLSRPT_URI_MAX])
{
	size_t i, k = 0;
	int h, l;
	char c;

	for (i = 0; i < n && s[i] != '?'; i++) {
		c = s[i];
		if (c == '%') {
			if (n - i < 3 || (h = hexval(s[i + 1])) == -1 ||
			    (l = hexval(s[i + 2])) == -1)
				return -1;
			c = (char)(h << 4 | l);
			i += 2;
		}
		if ((unsigned char)c <= 0x20 || c == 0x7f || c == '<' ||
		    c == '>' || c == '"' || k + 1 >= TLSRPT_URI_MAX)
			return -1;
		out[k++] = c;
	}
	if (k == 0 || memchr(out, '@', k) == NULL)
		return -1;
	out[k] = '\0';
	return 0;
}

/* One URI of rua (s[0..n), VCHAR only) into r; -1 for a bad one. */
static int
uri(const char *s, size_t n, struct tlsrpt_rua *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return -1;
	if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
		if (r->nmailto == TLSRPT_RUA_MAX)
			return 0;
		if (mailto(s + 7, n - 7, r->mailto[r->nmailto]) == -1)
			return -1;
		r->nmailto++;
	} else if (n >= 8 && strncasecmp(s, "https://", 8) == 0) {
		if (n == 8)
			return -1;
		if (r->nhttps == TLSRPT_RUA_MAX || n >= TLSRPT_URI_MAX)
			return 0;	/* past our bounds: not used */
		memcpy(r->https[r->nhttps], s, n);
		r->https[r->nhttps++][n] = '\0';
	}
	/* another scheme: ignored */
	return 0;
}

/* rua's value s[0..n): the URIs, "," between them; 0, or -1. */
static int
rua(const char *s, size_t n, struct tlsrpt_rua *r)
{
	const char *p = s, *end = s + n, *u;
	size_t k;

	for (;;) {
		while (p < end && WSP(*p))
			p++;
		for (u = p; p < end && *p != ',' && !WSP(*p); p++)
			;
		if ((k = (size_t)(p - u)) == 0 || uri(u, k, r) == -1)
			return -1;
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int
tlsrpt_txt_record(const char *txt, size_t len, struct tlsrpt_rua *r,
    int *valid)
{
	const char *p = txt, *end = txt + len, *f, *fe;
	int have = 0;

	*valid = 0;
	memset(r, 0, sizeof(*r));
	if (len < 10 || memcmp(txt, "v=TLSRPTv1", 10) != 0)
		return 0;
	p += 10;
	if (p < end && *p != ';' && !WSP(*p))
		return 0;			/* "v=TLSRPTv10": not ours */
	for (;;) {
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			break;
		if (*p++ != ';')
			goto bad;
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			break;			/* a trailing ";" */
		for (f = p; p < end && *p != ';'; p++)
			;
		for (fe = p; fe > f && WSP(fe[-1]); fe--)
			;
		if (fe - f > 4 && strncmp(f, "rua=", 4) == 0) {
			if (have || rua(f + 4, (size_t)(fe - f - 4), r) == -1)
				goto bad;
			have = 1;
			continue;
		}
		/* an extension: name=value */
		if (f == fe || !ALNUM(*f))
			goto bad;
		for (; f < fe && *f != '='; f++)
			if (!ALNUM(*f) && *f != '_' && *f != '-' && *f != '.')
				goto bad;
		if (f == fe)
			goto bad;
	}
	*valid = have;
	if (!have)
		memset(r, 0, sizeof(*r));
	return 1;
bad:
	memset(r, 0, sizeof(*r));
	return 1;
}

/* What the TXT records of one answer said (tlsrpt_txt_answer()). */
struct rpt_seen {
	struct tlsrpt_rua *r;	/* the valid record's destinations */
	int	 found;		/* records that are TLS-RPT's */
	int	 good;		/* one of them valid */
};

static void
rpt_txt_seen(void *arg, const char *txt, size_t tl, int whole)
{
	static struct tlsrpt_rua one;
	struct rpt_seen *s = arg;
	int valid;

	if (!whole) {
		/* too long to be one of ours */
		if (tl >= 10 && memcmp(txt, "v=TLSRPTv1", 10) == 0)
			s->found++;	/* counts, but unusable */
		return;
	}
	if (tlsrpt_txt_record(txt, tl, &one, &valid) == 1) {
		s->found++;
		if (valid) {
			*s->r = one;
			s->good = 1;
		}
	}
}

int
tlsrpt_txt_answer(const unsigned char *msg, size_t len, struct tlsrpt_rua *r)
{
	static char txt[4096];
	struct rpt_seen s = { r, 0, 0 };

	memset(r, 0, sizeof(*r));
	/* the record's strings, joined (§3: as for SPF) */
	if (dns_txt_each(msg, len, txt, sizeof(txt), rpt_txt_seen, &s) == -1)
		return -1;
	if (s.found == 1 && s.good)
		return 1;
	memset(r, 0, sizeof(*r));
	return 0;
}
