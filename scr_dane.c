/*
 * scr_dane.c: DNSSEC and DANE evidence about a sender's domain, with
 * libunbound validating (scr_dane.h).
 *
 * The queries are asynchronous (libunbound's own thread does the work)
 * so that one deadline bounds the whole check however the resolver
 * behaves: libunbound alone would retry an unanswering server for
 * minutes.  The TLSA, A and AAAA queries of all the mail hosts go out
 * together.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "scr_dane.h"
#include "unboundlib.h"

#define RR_MX		15
#define RR_TLSA		52
#define CLASS_IN	1
#define RCODE_NXDOMAIN	3
/*
 * A host name as text: what fits struct scr_dane mx.  A longer one
 * (possible only with \DDD escapes) is no mail host worth showing.
 */
#define NAME_TEXT	SCR_DANE_NAME_TEXT

struct host {
	unsigned	 pref;
	char		 name[NAME_TEXT];	/* no trailing dot */
};

static void
note(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* Copy s as printable ASCII (it may come from the network). */
static void
printable(char *buf, size_t size, const char *s)
{
	size_t i;

	if (size == 0)
		return;
	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

static void
unknown(struct scr_dane *out)
{
	memset(out, 0, sizeof(*out));
	out->dnssec = -1;
	out->tlsa = -1;
}

/* -1 from the check, with the reason in out and why. */
static int
cannot(struct scr_dane *out, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	unknown(out);
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	note(why, size, "%s", out->why);
	return -1;
}

/*
 * domain, lowercased and without its trailing dot, into buf: 0, or -1
 * when it is no ASCII host name (labels of 1 to 63 letters, digits,
 * hyphens or underscores, 253 octets at most).
 */
static int
domain_name(const char *domain, char *buf, size_t size)
{
	size_t i, n, label = 0;
	unsigned char c;

	n = strlen(domain);
	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= size)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)domain[i];
		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c += 'a' - 'A';
			label++;
		} else
			return -1;
		if (label > 63)
			return -1;
		buf[i] = (char)c;
	}
	if (label == 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * The uncompressed wire-format name at p[off..len) (libunbound gives
 * rdata decompressed) as lowercase text without the trailing dot, ""
 * for the root, octets other than letters, digits, '-' and '_' as \DDD
 * (RFC 1035 5.1).  0, or -1 when it is malformed.
 */
int
scr_dane_wire_name(const unsigned char *p, size_t len, size_t off, char *buf,
    size_t size)
{
	size_t o = 0, total = 0, i, n;
	unsigned char c;

	for (;;) {
		if (off >= len)
			return -1;
		n = p[off++];
		if (n == 0)
			break;
		if (n > 63 || off + n > len || (total += n + 1) > 255)
			return -1;
		if (o > 0) {
			if (o + 1 >= size)
				return -1;
			buf[o++] = '.';
		}
		for (i = 0; i < n; i++) {
			c = p[off++];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_') {
				if (o + 1 >= size)
					return -1;
				buf[o++] = (char)c;
			} else {
				if (o + 4 >= size)
					return -1;
				snprintf(buf + o, 5, "\\%03u", c);
				o += 4;
			}
		}
	}
	if (size == 0)
		return -1;
	buf[o] = '\0';
	return 0;
}

/*
 * A TLSA record a DANE SMTP client can use (RFC 7672 3.1, RFC 6698
 * 2.1): DANE-TA(2) or DANE-EE(3), selector Cert(0) or SPKI(1), matching
 * type Full(0), SHA2-256(1) or SHA2-512(2) with a digest of its length.
 */
int
scr_dane_tlsa_usable(const unsigned char *p, size_t len)
{
	if (len < 4 || (p[0] != 2 && p[0] != 3) || p[1] > 1)
		return 0;
	switch (p[2]) {
	case 0:
		return 1;
	case 1:
		return len - 3 == 32;
	case 2:
		return len - 3 == 64;
	}
	return 0;
}

static void
answered(void *arg, int err, struct ub_result *res)
{
	struct scr_dane_query *q = arg;

	q->done = 1;
	q->err = err;
	q->res = res;
}

/* Send q; libunbound's error when it cannot (q is then done). */
int
scr_dane_ask(const struct unboundlib *l, struct ub_ctx *ctx, struct scr_dane_query *q,
    int type)
{
	int rc;

	q->done = 0;
	q->res = NULL;
	if ((rc = l->resolve_async(ctx, q->name, type, CLASS_IN, q, answered,
	    NULL)) != 0) {
		q->done = 1;
		q->err = rc;
	}
	return rc;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Until every one of q[0..n) is answered: 0; 1 when the deadline came
 * first; -1 when waiting failed (why).
 */
int
scr_dane_wait(const struct unboundlib *l, struct ub_ctx *ctx, struct scr_dane_query *q,
    size_t n, const struct timespec *deadline, char *why, size_t size)
{
	struct pollfd pfd;
	size_t i;
	long left;
	int rc;

	if ((pfd.fd = l->fd(ctx)) == -1) {
		note(why, size, "libunbound has no descriptor to wait on");
		return -1;
	}
	pfd.events = POLLIN;
	for (;;) {
		for (i = 0; i < n && q[i].done; i++)
			;
		if (i == n)
			return 0;
		if ((left = ms_left(deadline)) <= 0)
			return 1;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			note(why, size, "poll: %s", strerror(errno));
			return -1;
		}
		if ((pfd.revents & POLLIN) != 0 &&
		    (rc = l->process(ctx)) != 0) {
			note(why, size, "libunbound: %s", l->strerror(rc));
			return -1;
		}
	}
}

/*
 * Why an answer is no answer: a failed lookup, bogus data (sets
 * *bogus) or an error code; 0 when it is an answer (data, NODATA or
 * NXDOMAIN), secure or not.
 */
int
scr_dane_failed(const struct unboundlib *l, const struct scr_dane_query *q, int *bogus,
    char *buf, size_t size)
{
	const struct ub_result *r = q->res;

	*bogus = 0;
	if (!q->done) {
		note(buf, size, "%s: no answer in time", q->name);
		return 1;
	}
	if (q->err != 0 || r == NULL) {
		note(buf, size, "%s: lookup failed: %s", q->name,
		    l->strerror(q->err));
		return 1;
	}
	if (r->bogus) {
		*bogus = 1;
		if (r->why_bogus != NULL)
			printable(buf, size, r->why_bogus);
		else
			note(buf, size, "%s: signatures do not validate",
			    q->name);
		return 1;
	}
	if (r->rcode != 0 && r->rcode != RCODE_NXDOMAIN) {
		note(buf, size, "%s: lookup failed: %s", q->name,
		    r->rcode == 2 ? "SERVFAIL" : r->rcode == 5 ? "REFUSED" :
		    "error");
		return 1;
	}
	return 0;
}

/*
 * The mail hosts of an MX answer by preference into h (at most
 * SCR_DANE_MX_MAX): their number; 0 with *null set for a null MX
 * (RFC 7505); the domain itself when there is no MX record.
 */
static size_t
mail_hosts(const struct ub_result *r, const char *domain, struct host *h,
    int *null)
{
	struct host t;
	size_t n = 0, i, j;
	const unsigned char *p;

	*null = 0;
	if (!r->havedata || r->data == NULL || r->data[0] == NULL) {
		h[0].pref = 0;
		snprintf(h[0].name, sizeof(h[0].name), "%s", domain);
		return 1;
	}
	for (i = 0; r->data[i] != NULL && n < SCR_DANE_MX_MAX; i++) {
		p = (const unsigned char *)r->data[i];
		if (r->len[i] < 3 || scr_dane_wire_name(p, (size_t)r->len[i], 2,
		    h[n].name, sizeof(h[n].name)) == -1)
			continue;	/* malformed: not a host */
		if (h[n].name[0] == '\0') {
			*null = 1;	/* "0 .": no mail at all */
			return 0;
		}
		h[n].pref = (unsigned)p[0] << 8 | p[1];
		for (j = n; j > 0 && h[j - 1].pref > h[j].pref; j--) {
			t = h[j - 1];
			h[j - 1] = h[j];
			h[j] = t;
		}
		n++;
	}
	return n;
}

/*
 * What one mail host's answers say (its TLSA, A and AAAA queries at
 * q[0..3)): 1 DANE applies (usable TLSA records and addresses, all
 * validated: RFC 7672 2.2.2 looks up TLSA records only for a host whose
 * addresses are secure); 0 it does not, with a note in buf when there
 * is something to tell; -1 a lookup failed or was bogus (*bogus), why
 * in buf.
 */
static int
host_dane(const struct unboundlib *l, const struct scr_dane_query *q,
    const char *host, int *bogus, char *buf, size_t size)
{
	const struct ub_result *r;
	char why[2][sizeof(((struct scr_dane *)0)->why)];
	int i, bad[2], badly[2], ok = 0;
	size_t k;

	buf[0] = '\0';
	if (scr_dane_failed(l, &q[0], bogus, buf, size))
		return -1;
	r = q[0].res;
	if (!r->havedata)
		return 0;
	if (!r->secure) {
		note(buf, size, "%s: TLSA not signed", q[0].name);
		return 0;
	}
	for (k = 0; r->data[k] != NULL; k++)
		if (scr_dane_tlsa_usable((const unsigned char *)r->data[k],
		    (size_t)r->len[k]))
			break;
	if (r->data[k] == NULL) {
		note(buf, size, "%s: no usable TLSA record", q[0].name);
		return 0;
	}
	for (i = 0; i < 2; i++) {
		bad[i] = scr_dane_failed(l, &q[1 + i], &badly[i], why[i],
		    sizeof(why[i]));
		if (!bad[i] && q[1 + i].res->havedata)
			ok |= q[1 + i].res->secure ? 1 : 2;
	}
	if (ok & 1)
		return 1;
	if (ok == 0 && bad[0] && bad[1]) {
		*bogus = badly[0];
		note(buf, size, "%s", why[0]);
		return -1;
	}
	note(buf, size, "%s: %s", host, ok ? "addresses not signed" :
	    "no address");
	return 0;
}

/*
 * The TLSA records of hosts h[0..n), into out->tlsa and out->mx: the
 * first host by preference to which DANE applies; else the first whose
 * lookups failed; else none, the note of the first that has one.
 */
static void
check_tlsa(const struct unboundlib *l, struct ub_ctx *ctx,
    const struct host *h, size_t n, const struct timespec *deadline,
    struct scr_dane *out)
{
	static const int type[3] = { RR_TLSA, 1 /* A */, 28 /* AAAA */ };
	struct scr_dane_query q[3 * SCR_DANE_MX_MAX];
	char why[sizeof(out->why)];
	size_t i, j, bad = n;
	int waited, rc, bogus, firstbogus = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < 3; j++) {
			snprintf(q[3 * i + j].name, sizeof(q[0].name), "%s%s",
			    j == 0 ? "_25._tcp." : "", h[i].name);
			scr_dane_ask(l, ctx, &q[3 * i + j], type[j]);
		}
	waited = scr_dane_wait(l, ctx, q, 3 * n, deadline, why, sizeof(why));
	out->tlsa = 0;
	out->why[0] = '\0';
	snprintf(out->mx, sizeof(out->mx), "%s", h[0].name);
	for (i = 0; i < n; i++) {
		bogus = 0;
		rc = waited == -1 ? -1 : host_dane(l, &q[3 * i], h[i].name,
		    &bogus, why, sizeof(why));
		if (rc == 1) {
			out->tlsa = 1;
			out->why[0] = '\0';
			snprintf(out->mx, sizeof(out->mx), "%s", h[i].name);
			break;
		}
		if (rc == -1 && bad == n) {
			bad = i;
			firstbogus = bogus;
			snprintf(out->why, sizeof(out->why), "%s", why);
		} else if (rc == 0 && bad == n && out->why[0] == '\0' &&
		    why[0] != '\0')
			snprintf(out->why, sizeof(out->why), "%s", why);
	}
	if (out->tlsa == 0 && bad < n) {
		out->tlsa = -1;
		out->bogus = firstbogus;
		snprintf(out->mx, sizeof(out->mx), "%s", h[bad].name);
	}
	for (i = 0; i < 3 * n; i++)
		if (q[i].done && q[i].res != NULL)
			l->resolve_free(q[i].res);
}

/*
 * Whether file has a DS or DNSKEY record (in its first 64 KiB; the
 * root's has two lines): 1, 0, -1 with errno when it cannot be read.
 * An empty or mistaken file would otherwise make every domain look
 * unsigned; libunbound reads it only at the first query, and a file it
 * cannot parse is then just an "initialization failure".
 */
static int
anchor_records(const char *file)
{
	char buf[65536], *line, *end, *w, *save;
	ssize_t n;
	size_t got = 0;
	int fd, e;

	if ((fd = open(file, O_RDONLY)) == -1)
		return -1;
	while (got < sizeof(buf) - 1 &&
	    (n = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	for (line = buf; line != NULL; line = end) {
		if ((end = strchr(line, '\n')) != NULL)
			*end++ = '\0';
		line[strcspn(line, ";")] = '\0';	/* a comment */
		for (w = strtok_r(line, " \t\r", &save); w != NULL;
		    w = strtok_r(NULL, " \t\r", &save))
			if (strcasecmp(w, "DS") == 0 ||
			    strcasecmp(w, "DNSKEY") == 0)
				return 1;
	}
	return 0;
}

/*
 * Make the context: a thread for the asynchronous queries, the trust
 * anchor, the resolver.  NULL with why.
 */
static struct ub_ctx *
context(const struct scr_dane_conf *dc, const char *anchor, char *why,
    size_t size)
{
	const struct unboundlib *l = dc->lib;
	struct ub_ctx *ctx;
	int rc;

	if ((ctx = l->ctx_create()) == NULL) {
		note(why, size, "libunbound: cannot make a context");
		return NULL;
	}
	if ((rc = l->ctx_async(ctx, 1)) != 0 ||
	    (rc = l->ctx_add_ta_file(ctx, anchor)) != 0) {
		note(why, size, "libunbound: %s", l->strerror(rc));
		goto fail;
	}
	if (dc->resolver != NULL) {
		if ((rc = l->ctx_set_fwd(ctx, dc->resolver)) != 0) {
			note(why, size, "resolver %s: %s", dc->resolver,
			    l->strerror(rc));
			goto fail;
		}
	} else if ((rc = l->ctx_resolvconf(ctx, NULL)) != 0) {
		note(why, size, "/etc/resolv.conf: %s", l->strerror(rc));
		goto fail;
	}
	return ctx;
fail:
	l->ctx_delete(ctx);
	return NULL;
}

int
scr_dane_check(const struct scr_dane_conf *dc, const char *domain,
    struct scr_dane *out, char *why, size_t size)
{
	struct scr_dane_query q;
	struct host h[SCR_DANE_MX_MAX];
	struct timespec deadline;
	struct ub_ctx *ctx;
	const struct unboundlib *l;
	const char *anchor;
	char name[256], err[256];
	size_t n;
	int rc, bogus, null;

	if (domain_name(domain, name, sizeof(name)) == -1)
		return cannot(out, why, size, "not an ASCII domain name");
	anchor = dc->trust_anchor != NULL ? dc->trust_anchor :
	    SCR_DANE_TRUST_ANCHOR;
	if ((rc = anchor_records(anchor)) != 1)
		return cannot(out, why, size, "trust anchor %s: %s", anchor,
		    rc == -1 ? strerror(errno) : "no DS or DNSKEY record");
	if (unboundlib_open(dc->lib, err, sizeof(err)) == -1)
		return cannot(out, why, size, "libunbound: %s", err);
	l = dc->lib;
	if ((ctx = context(dc, anchor, err, sizeof(err))) == NULL)
		return cannot(out, why, size, "%s", err);

	unknown(out);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += dc->timeout > 0 ? dc->timeout : SCR_DANE_TIMEOUT;
	snprintf(q.name, sizeof(q.name), "%s", name);
	/* the first query starts libunbound: it reads the anchor now */
	if ((rc = scr_dane_ask(l, ctx, &q, RR_MX)) != 0) {
		l->ctx_delete(ctx);
		return cannot(out, why, size, "libunbound: %s (see its log)",
		    l->strerror(rc));
	}
	rc = scr_dane_wait(l, ctx, &q, 1, &deadline, err, sizeof(err));
	if (rc == -1) {
		snprintf(out->why, sizeof(out->why), "%s", err);
		goto done;
	}
	if (scr_dane_failed(l, &q, &bogus, out->why, sizeof(out->why))) {
		out->bogus = bogus;
		goto done;
	}
	out->dnssec = q.res->secure ? 1 : 0;
	out->tlsa = 0;
	if (q.res->nxdomain) {
		note(out->why, sizeof(out->why), "%s: no such domain", name);
		goto done;
	}
	n = mail_hosts(q.res, name, h, &null);
	if (n == 0) {
		note(out->why, sizeof(out->why), null ?
		    "null MX: %s accepts no mail" : "%s: no usable MX", name);
		goto done;
	}
	snprintf(out->mx, sizeof(out->mx), "%s", h[0].name);
	/* RFC 7672 2.2.1: without secure MX records, no DANE */
	if (out->dnssec == 1)
		check_tlsa(l, ctx, h, n, &deadline, out);
done:
	if (q.done && q.res != NULL)
		l->resolve_free(q.res);
	/* stops libunbound's thread and drops what is still asked */
	l->ctx_delete(ctx);
	note(why, size, "%s", out->why);
	return 0;
}

void
scr_dane_text(const struct scr_dane *d, char *buf, size_t size)
{
	char why[sizeof(d->why) + 3] = "";

	if (d->why[0] != '\0')
		snprintf(why, sizeof(why), " (%s)", d->why);
	if (d->dnssec == -1)
		snprintf(buf, size, "DNSSEC: %s%s", d->bogus ? "bogus" :
		    "unknown", why);
	else if (d->dnssec == 0)
		snprintf(buf, size, "DNSSEC: not signed");
	else if (d->tlsa == 1)
		snprintf(buf, size, "DNSSEC: signed; DANE: TLSA for %s", d->mx);
	else if (d->tlsa == 0 && d->mx[0] != '\0')
		snprintf(buf, size, "DNSSEC: signed; DANE: no TLSA for %s%s",
		    d->mx, why);
	else if (d->tlsa == 0)
		snprintf(buf, size, "DNSSEC: signed; DANE: no mail host%s", why);
	else
		snprintf(buf, size, "DNSSEC: signed; DANE: %s for %s%s",
		    d->bogus ? "bogus TLSA" : "unknown", d->mx, why);
}

struct ub_ctx *
scr_dane_context(const struct scr_dane_conf *dc, char *why, size_t size)
{
	const char *anchor;
	char err[256];
	int rc;

	anchor = dc->trust_anchor != NULL ? dc->trust_anchor :
	    SCR_DANE_TRUST_ANCHOR;
	if ((rc = anchor_records(anchor)) != 1) {
		note(why, size, "trust anchor %s: %s", anchor,
		    rc == -1 ? strerror(errno) : "no DS or DNSKEY record");
		return NULL;
	}
	if (unboundlib_open(dc->lib, err, sizeof(err)) == -1) {
		note(why, size, "libunbound: %s", err);
		return NULL;
	}
	return context(dc, anchor, why, size);
}
