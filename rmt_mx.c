/*
 * rmt_mx.c: the MX look-up of samotop-remote (RFC 5321 §5.1, RFC 7505).
 *
 * Answers are parsed here with a bounds check on every field; dn_expand()
 * and dn_skipname() (in glibc's libc since 2.34) read the names, which
 * may be compressed.  The resolver's failures: NXDOMAIN is the domain's
 * answer (it does not exist: permanent), NODATA is "no such record"
 * (no MX: the domain's address), anything else (SERVFAIL, REFUSED, a
 * time-out) may pass and is temporary.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "rmt_mx.h"

#define ANSWER_MAX	8192

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Walk the answer section, calling fn(msg, len, rdata, rdlen, arg) for
 * each record of type want in class IN; -1 when it does not parse or fn
 * says so.
 */
static int
answers(const unsigned char *msg, size_t len, unsigned want,
    int (*fn)(const unsigned char *, size_t, const unsigned char *, unsigned,
    void *), void *arg)
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
		if (type == want && class == C_IN &&
		    fn(msg, len, p, rdlen, arg) != 0)
			return -1;
		p += rdlen;
	}
	return 0;
}

struct mx_seen {
	struct rmt_mx_rr *rr;
	size_t		 max, n;
};

static int
on_mx(const unsigned char *msg, size_t len, const unsigned char *rd,
    unsigned rdlen, void *arg)
{
	struct mx_seen *s = arg;
	char name[NS_MAXDNAME];
	size_t l;
	int k;

	if (rdlen < 3)
		return -1;
	/* the name must end inside the record (and the answer) */
	k = dn_expand(msg, msg + len, rd + 2, name, sizeof(name));
	if (k < 0 || (unsigned)k + 2 != rdlen)
		return -1;
	if (s->n == s->max)
		return 0;			/* more than we try: left out */
	l = strlen(name);
	if (l > 0 && name[l - 1] == '.')
		name[--l] = '\0';
	if (l > RMT_MX_NAME_MAX)
		return -1;
	s->rr[s->n].pref = get16(rd);
	memcpy(s->rr[s->n].name, name, l + 1);
	s->n++;
	return 0;
}

int
rmt_mx_parse_mx(const unsigned char *msg, size_t len, struct rmt_mx_rr *rr,
    size_t max, size_t *n)
{
	struct mx_seen s = { rr, max, 0 };
	int rc;

	rc = answers(msg, len, T_MX, on_mx, &s);
	*n = s.n;
	return rc;
}

struct addr_seen {
	int		 family;
	struct rmt_addr	*addr;
	size_t		 max, *n;
};

static int
on_addr(const unsigned char *msg, size_t len, const unsigned char *rd,
    unsigned rdlen, void *arg)
{
	struct addr_seen *s = arg;
	unsigned want = s->family == AF_INET ? 4 : 16;

	(void)msg;
	(void)len;
	if (rdlen != want)
		return -1;
	if (*s->n == s->max)
		return 0;
	s->addr[*s->n].family = s->family;
	memset(s->addr[*s->n].a, 0, sizeof(s->addr[*s->n].a));
	memcpy(s->addr[*s->n].a, rd, want);
	(*s->n)++;
	return 0;
}

int
rmt_mx_parse_addr(const unsigned char *msg, size_t len, int family,
    struct rmt_addr *addr, size_t max, size_t *n)
{
	struct addr_seen s = { family, addr, max, n };

	if (family != AF_INET && family != AF_INET6)
		return -1;
	return answers(msg, len, family == AF_INET ? T_A : T_AAAA, on_addr,
	    &s);
}

void
rmt_mx_order(struct rmt_mx_rr *rr, size_t n, unsigned (*rnd)(void *),
    void *arg)
{
	struct rmt_mx_rr t;
	size_t i, j, lo;

	/* insertion sort: stable, n is small (RMT_MX_PARSE_MAX) */
	for (i = 1; i < n; i++) {
		t = rr[i];
		for (j = i; j > 0 && rr[j - 1].pref > t.pref; j--)
			rr[j] = rr[j - 1];
		rr[j] = t;
	}
	/* Fisher-Yates over each run of equal preference */
	for (lo = 0; lo < n; lo = i) {
		for (i = lo + 1; i < n && rr[i].pref == rr[lo].pref; i++)
			;
		for (j = i - 1; j > lo; j--) {
			size_t k = lo + rnd(arg) % (j - lo + 1);

			t = rr[j];
			rr[j] = rr[k];
			rr[k] = t;
		}
	}
}

int
rmt_mx_is_null(const struct rmt_mx_rr *rr, size_t n)
{
	return n == 1 && rr[0].name[0] == '\0';
}

int
rmt_mx_cut_self(struct rmt_mx_rr *rr, size_t *n, const char *self)
{
	size_t i;

	if (self == NULL || self[0] == '\0')
		return 0;
	for (i = 0; i < *n; i++) {
		if (strcasecmp(rr[i].name, self) != 0)
			continue;
		while (i > 0 && rr[i - 1].pref == rr[i].pref)
			i--;		/* the equals before it go too */
		*n = i;
		return i == 0;
	}
	return 0;
}

const char *
rmt_addr_str(const struct rmt_addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

static unsigned
rnd_libc(void *arg)
{
	(void)arg;
	return (unsigned)random();
}

enum q_res { Q_OK, Q_NONE, Q_NXDOMAIN, Q_TEMP };

/* One query; Q_NONE for NODATA, Q_OK with the answer's length in *len. */
static enum q_res
query(const char *name, int type, unsigned char *msg, size_t size,
    size_t *len)
{
	int l;

	l = res_query(name, C_IN, type, msg, (int)size);
	if (l < 0) {
		if (h_errno == HOST_NOT_FOUND)
			return Q_NXDOMAIN;
		if (h_errno == NO_DATA)
			return Q_NONE;
		return Q_TEMP;
	}
	*len = (size_t)l > size ? size : (size_t)l;	/* truncated */
	return Q_OK;
}

static void
fail(struct rmt_mx *mx, enum rmt_mx_status st, int code, const char *why,
    const char *domain)
{
	mx->status = st;
	mx->code = code;
	snprintf(mx->why, sizeof(mx->why), why, domain);
}

/*
 * The host's addresses: IPv4 first, then IPv6 (a site whose IPv6 is
 * broken still gets its mail without waiting for a time-out per MX).
 * Q_OK with at least one, else the worse failure.
 */
static enum q_res
addresses(struct rmt_mx_host *h)
{
	static const int fam[2] = { AF_INET, AF_INET6 };
	unsigned char msg[ANSWER_MAX];
	enum q_res r, worst = Q_NXDOMAIN;
	size_t len;
	int i;

	h->naddr = 0;
	for (i = 0; i < 2; i++) {
		r = query(h->name, fam[i] == AF_INET ? T_A : T_AAAA, msg,
		    sizeof(msg), &len);
		if (r == Q_OK && rmt_mx_parse_addr(msg, len, fam[i], h->addr,
		    RMT_MX_ADDRS, &h->naddr) != 0)
			r = Q_TEMP;
		if (r == Q_TEMP)
			worst = Q_TEMP;
		else if (r == Q_NONE && worst == Q_NXDOMAIN)
			worst = Q_NONE;
	}
	return h->naddr > 0 ? Q_OK : worst;
}

void
rmt_mx_resolve(const char *domain, const char *self, struct rmt_mx *mx)
{
	static struct rmt_mx_rr rr[RMT_MX_PARSE_MAX];
	unsigned char msg[ANSWER_MAX];
	enum q_res r;
	size_t len, n = 0, i;
	int temp = 0;
	static int seeded;

	memset(mx, 0, sizeof(*mx));
	if (!seeded) {
		srandom((unsigned)time(NULL) ^ (unsigned)getpid() << 16);
		seeded = 1;
	}
	r = query(domain, T_MX, msg, sizeof(msg), &len);
	if (r == Q_TEMP) {
		fail(mx, RMT_MX_TEMP, 451, "4.4.3 MX look-up of %s failed "
		    "for now", domain);
		return;
	}
	if (r == Q_NXDOMAIN) {
		fail(mx, RMT_MX_PERM, 550, "5.1.2 domain %s does not exist",
		    domain);
		return;
	}
	if (r == Q_OK && rmt_mx_parse_mx(msg, len, rr, RMT_MX_PARSE_MAX,
	    &n) != 0) {
		fail(mx, RMT_MX_TEMP, 451, "4.4.3 MX answer for %s does not "
		    "parse", domain);
		return;
	}
	if (rmt_mx_is_null(rr, n)) {
		fail(mx, RMT_MX_PERM, 556, "5.1.10 domain %s accepts no mail "
		    "(null MX)", domain);
		return;
	}
	if (n == 0) {
		/* RFC 5321 §5.1: the domain is its own MX, preference 0 */
		mx->implicit = 1;
		rr[0].pref = 0;
		snprintf(rr[0].name, sizeof(rr[0].name), "%s", domain);
		n = 1;
	} else {
		rmt_mx_order(rr, n, rnd_libc, NULL);
		if (rmt_mx_cut_self(rr, &n, self)) {
			fail(mx, RMT_MX_PERM, 554, "5.4.6 the best MX of %s "
			    "is this host: mail would loop", domain);
			return;
		}
	}

	for (i = 0; i < n && mx->nhost < RMT_MX_HOSTS; i++) {
		struct rmt_mx_host *h = &mx->host[mx->nhost];

		if (rr[i].name[0] == '\0')
			continue;	/* "." among real ones: not a host */
		h->pref = rr[i].pref;
		memcpy(h->name, rr[i].name, sizeof(h->name));
		r = addresses(h);
		if (r == Q_OK)
			mx->nhost++;
		else if (r == Q_TEMP)
			temp = 1;
	}
	if (mx->nhost > 0)
		mx->status = RMT_MX_OK;
	else if (temp)
		fail(mx, RMT_MX_TEMP, 451, "4.4.3 address look-up for the MX "
		    "hosts of %s failed for now", domain);
	else if (mx->implicit)
		fail(mx, RMT_MX_PERM, 550, "5.1.2 domain %s has no MX and no "
		    "address", domain);
	else
		/* a broken MX may be fixed: retry until the lifetime ends */
		fail(mx, RMT_MX_TEMP, 451, "4.4.4 no MX host of %s has an "
		    "address", domain);
}

void
rmt_mx_resolve_host(const char *host, struct rmt_mx *mx)
{
	struct rmt_mx_host *h = &mx->host[0];
	enum q_res r;

	memset(mx, 0, sizeof(*mx));
	snprintf(h->name, sizeof(h->name), "%s", host);
	if (inet_pton(AF_INET, host, h->addr[0].a) == 1)
		h->addr[0].family = AF_INET;
	else if (inet_pton(AF_INET6, host, h->addr[0].a) == 1)
		h->addr[0].family = AF_INET6;
	if (h->addr[0].family != 0) {
		h->naddr = 1;
		mx->nhost = 1;
		return;
	}
	if ((r = addresses(h)) == Q_OK)
		mx->nhost = 1;
	else if (r == Q_TEMP)
		fail(mx, RMT_MX_TEMP, 451, "4.4.3 address look-up of %s "
		    "failed for now", host);
	else
		fail(mx, RMT_MX_TEMP, 451, "4.4.4 host %s has no address",
		    host);
}
