/*
 * rmt_dane.c: the TLSA records of samotop-remote's mail hosts, through
 * libunbound (rmt_dane.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unbound.h>

#include "rmt_dane.h"
#include "unboundlib.h"

#define RR_A		1
#define RR_AAAA		28
#define RR_MX		15
#define RR_TLSA		52
#define NQ		3	/* per host: TLSA, A, AAAA */

int
rmt_dane_tlsa_parse(const unsigned char *p, size_t len, struct rmt_tlsa *t)
{
	if (!scr_dane_tlsa_usable(p, len))
		return 0;
	if (len - 3 > RMT_DANE_DATA_MAX)
		return -1;
	t->usage = p[0];
	t->selector = p[1];
	t->mtype = p[2];
	t->len = len - 3;
	memcpy(t->data, p + 3, t->len);
	return 1;
}

const char *
rmt_dane_usage_name(unsigned usage)
{
	static const char *name[4] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
	    "DANE-EE" };

	return usage < 4 ? name[usage] : "?";
}

static void
every(struct rmt_dane_host *out, size_t n, enum rmt_dane_state st,
    const char *why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].state = st;
		snprintf(out[i].why, sizeof(out[i].why), "%s", why);
	}
}

/* One host's state from its answers q[0..NQ) (TLSA, A, AAAA). */
static void
host_state(const struct unboundlib *l, const struct scr_dane_query *q,
    const char *host, struct rmt_dane_host *h)
{
	const struct ub_result *r;
	char why[2][sizeof(h->why)];
	int i, bad[2], bogus, secure = 0, insecure = 0, rc;
	size_t k;

	memset(h, 0, sizeof(*h));
	/* RFC 7672 2.2.2: TLSA records count for secure addresses only */
	for (i = 0; i < 2; i++) {
		bad[i] = scr_dane_failed(l, &q[1 + i], &bogus, why[i],
		    sizeof(why[i]));
		if (bad[i] || !q[1 + i].res->havedata)
			continue;
		if (q[1 + i].res->secure)
			secure = 1;
		else
			insecure = 1;
	}
	if (!secure && (bad[0] || bad[1])) {
		/* indeterminate: no downgrade on a failed look-up */
		h->state = RMT_DANE_FAIL;
		snprintf(h->why, sizeof(h->why), "%s", why[bad[0] ? 0 : 1]);
		return;
	}
	if (!secure) {
		snprintf(h->why, sizeof(h->why), "%s: %s", host, insecure ?
		    "addresses not signed" : "no address");
		return;
	}
	if (scr_dane_failed(l, &q[0], &bogus, h->why, sizeof(h->why))) {
		h->state = RMT_DANE_FAIL;
		return;
	}
	r = q[0].res;
	if (!r->havedata || !r->secure) {
		snprintf(h->why, sizeof(h->why), "%s: %s", q[0].name,
		    r->havedata ? "TLSA not signed" : "no TLSA record");
		return;
	}
	h->state = RMT_DANE_SECURE;
	for (k = 0; r->data[k] != NULL && h->ntlsa < RMT_DANE_TLSA_MAX; k++) {
		rc = rmt_dane_tlsa_parse((const unsigned char *)r->data[k],
		    (size_t)r->len[k], &h->tlsa[h->ntlsa]);
		if (rc == -1) {
			h->state = RMT_DANE_FAIL;
			snprintf(h->why, sizeof(h->why), "%s: a TLSA record "
			    "too long to use", q[0].name);
			return;
		}
		h->ntlsa += (size_t)rc;
	}
	if (h->ntlsa == 0)
		snprintf(h->why, sizeof(h->why), "%s: no usable TLSA record",
		    q[0].name);
}

/* 1 when the validated MX answer r names host (RFC 7672 2.2.1). */
static int
mx_names(const struct ub_result *r, const char *host, int implicit)
{
	char name[SCR_DANE_NAME_TEXT];
	size_t k, n = strlen(host);

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (!r->havedata || r->data == NULL)
		return implicit;	/* none: the domain is its own host */
	if (implicit)
		return 0;
	for (k = 0; r->data[k] != NULL; k++)
		if (r->len[k] >= 3 && scr_dane_wire_name((const unsigned char *)
		    r->data[k], (size_t)r->len[k], 2, name,
		    sizeof(name)) == 0 && strlen(name) == n &&
		    strncasecmp(name, host, n) == 0)
			return 1;
	return 0;
}

/* The MX answer q against mx's hosts: the ones it does not vouch for fail. */
static void
check_mx(const struct unboundlib *l, const struct scr_dane_query *q,
    const char *domain, const struct rmt_mx *mx, struct rmt_dane_host *out)
{
	char why[256];
	size_t i;
	int bogus;

	if (scr_dane_failed(l, q, &bogus, why, sizeof(why))) {
		for (i = 0; i < mx->nhost; i++) {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].state = RMT_DANE_FAIL;
			snprintf(out[i].why, sizeof(out[i].why), "MX: %s",
			    why);
		}
		return;
	}
	if (!q->res->secure)
		return;
	for (i = 0; i < mx->nhost; i++)
		if (!mx_names(q->res, mx->host[i].name, mx->implicit)) {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].state = RMT_DANE_FAIL;
			snprintf(out[i].why, sizeof(out[i].why), "%s is not "
			    "in the validated MX records of %s",
			    mx->host[i].name, domain);
		}
}

int
rmt_dane_lookup(const struct scr_dane_conf *dc, const char *domain,
    const struct rmt_mx *mx, unsigned port, struct rmt_dane_host *out,
    char *why, size_t size)
{
	static const int type[NQ] = { RR_TLSA, RR_A, RR_AAAA };
	static struct scr_dane_query q[NQ * RMT_MX_HOSTS + 1];
	size_t nq = NQ * mx->nhost;
	struct timespec deadline;
	struct ub_ctx *ctx;
	const struct unboundlib *l;
	size_t i, j;
	int waited;

	if ((ctx = scr_dane_context(dc, why, size)) == NULL) {
		every(out, mx->nhost, RMT_DANE_FAIL, why);
		return -1;
	}
	l = dc->lib;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += dc->timeout > 0 ? dc->timeout : SCR_DANE_TIMEOUT;
	for (i = 0; i < mx->nhost; i++)
		for (j = 0; j < NQ; j++) {
			if (j == 0)
				snprintf(q[NQ * i].name, sizeof(q[0].name),
				    "_%u._tcp.%s", port, mx->host[i].name);
			else
				snprintf(q[NQ * i + j].name, sizeof(q[0].name),
				    "%s", mx->host[i].name);
			(void)scr_dane_ask(l, ctx, &q[NQ * i + j], type[j]);
		}
	if (domain != NULL) {
		snprintf(q[nq].name, sizeof(q[0].name), "%s", domain);
		(void)scr_dane_ask(l, ctx, &q[nq], RR_MX);
		nq++;
	}
	waited = scr_dane_wait(l, ctx, q, nq, &deadline, why, size);
	for (i = 0; i < mx->nhost; i++) {
		if (waited == -1) {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].state = RMT_DANE_FAIL;
			snprintf(out[i].why, sizeof(out[i].why), "%s", why);
		} else
			host_state(l, &q[NQ * i], mx->host[i].name, &out[i]);
	}
	if (domain != NULL && waited != -1)
		check_mx(l, &q[NQ * mx->nhost], domain, mx, out);
	for (i = 0; i < nq; i++)
		if (q[i].done && q[i].res != NULL)
			l->resolve_free(q[i].res);
	l->ctx_delete(ctx);
	return 0;
}
