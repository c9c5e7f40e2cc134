/*
 * dmarc.c: DMARC evaluation (RFC 7489) over libopendmarc; see dmarc.h
 * for what is decided here rather than by the library, and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dmarc.h"

/* Room for a domain name and its NUL in libopendmarc's buffers. */
#define NAMEBUF	(DMARC_DOMAIN_MAX + 3)

int
dmarc_same_domain(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

int
dmarc_record_v1(const char *t)
{
	t += strspn(t, " \t");
	if (*t != 'v')
		return 0;
	t++;
	t += strspn(t, " \t");
	if (*t != '=')
		return 0;
	t++;
	t += strspn(t, " \t");
	if (strncmp(t, "DMARC1", 6) != 0)
		return 0;
	t += 6;
	t += strspn(t, " \t");
	return *t == '\0' || *t == ';';
}

const char *
dmarc_res_name(enum dmarc_res r)
{
	switch (r) {
	case DMARC_RES_PASS:
		return "pass";
	case DMARC_RES_FAIL:
		return "fail";
	case DMARC_RES_TEMPERROR:
		return "temperror";
	case DMARC_RES_PERMERROR:
		return "permerror";
	case DMARC_RES_NONE:
		break;
	}
	return "none";
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POL_NONE:
		return "none";
	case DMARC_POL_QUARANTINE:
		return "quarantine";
	case DMARC_POL_REJECT:
		return "reject";
	case DMARC_POL_UNSET:
		break;
	}
	return "";
}

/* A name as a client may have written it: one we can hand to the PSL. */
static int
usable_domain(const char *d)
{
	size_t n = strlen(d), i;

	if (n == 0 || n > DMARC_DOMAIN_MAX || d[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = d[i];

		if (c <= ' ' || c == 0x7f || strchr("@<>;,()\"\\[]:", c))
			return 0;
		if (c == '.' && d[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* d into out when it is safe in a header (letters, digits, . - _). */
static void
safe_copy(char *out, size_t size, const char *d)
{
	size_t n = strlen(d);

	out[0] = '\0';
	if (n >= size || strspn(d, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != n)
		return;
	memcpy(out, d, n + 1);
}

static enum dmarc_policy
policy_of(int c)
{
	switch (c) {
	case DMARC_RECORD_P_NONE:
		return DMARC_POL_NONE;
	case DMARC_RECORD_P_QUARANTINE:
		return DMARC_POL_QUARANTINE;
	case DMARC_RECORD_P_REJECT:
		return DMARC_POL_REJECT;
	}
	return DMARC_POL_UNSET;
}

/*
 * The organizational domain of d into org ("" for a public suffix), from
 * libopendmarc's list, and the list's default rule ("*": an unknown TLD
 * is a public suffix of one label, PSL's algorithm) done here: 1.4.2
 * returns "" for every name under a TLD not in the list.  *raw says
 * what libopendmarc itself found (its own fallback lookup uses that).
 */
static int
org_domain(struct dmarc_evaluator *e, const char *d, char *org, size_t size,
    int *raw)
{
	char copy[NAMEBUF];
	const char *last, *p;
	size_t n;

	org[0] = '\0';
	if (!usable_domain(d))
		return -1;
	/* libopendmarc takes it writable; it is not to touch ours. */
	n = strlen(d);
	memcpy(copy, d, n + 1);
	if (e->lib.get_tld((u_char *)copy, (u_char *)org, size) != 0)
		return -1;
	org[size - 1] = '\0';
	if (raw != NULL)
		*raw = org[0] != '\0';
	if (org[0] != '\0')
		return 0;
	if (n > 0 && copy[n - 1] == '.')
		copy[--n] = '\0';
	if ((last = strrchr(copy, '.')) == NULL)
		return 0;		/* a TLD: no organizational domain */
	for (p = last; p > copy && p[-1] != '.'; p--)
		;
	if (p == last)
		return -1;		/* an empty label */
	if (strlen(p) >= size)
		return -1;
	memcpy(org, p, strlen(p) + 1);
	return 0;
}

/* RFC 7489 3.1: id aligned with the From: domain in mode 's' or 'r'. */
static int
aligned(struct dmarc_evaluator *e, const char *id, const char *from,
    const char *fromorg, int mode)
{
	char org[NAMEBUF];

	if (id == NULL || !usable_domain(id))
		return 0;
	if (dmarc_same_domain(id, from))
		return 1;
	if (mode == DMARC_RECORD_A_STRICT || fromorg[0] == '\0')
		return 0;
	if (org_domain(e, id, org, sizeof(org), NULL) == -1 ||
	    org[0] == '\0')
		return 0;
	return dmarc_same_domain(org, fromorg);
}

static void
fail_with(struct dmarc_result *r, enum dmarc_res res, const char *why)
{
	r->res = res;
	r->disposition = DMARC_POL_NONE;
	r->why = why;
}

/*
 * Find the record the caller's way (RFC 7489 6.6.3): at the From:
 * domain, else at its organizational domain.  1 found (at says where),
 * 0 none, -1 temporary failure.
 */
static int
lookup_record(const struct dmarc_input *in, const char *from,
    const char *org, char *rec, size_t size, const char **at)
{
	const char *where[2] = { from, org };
	int i;

	for (i = 0; i < 2; i++) {
		if (i == 1 && (org[0] == '\0' || dmarc_same_domain(org, from)))
			break;
		rec[0] = '\0';
		switch (in->lookup(in->lookup_arg, where[i], rec, size)) {
		case DMARC_LOOKUP_TEMPFAIL:
			return -1;
		case DMARC_LOOKUP_FOUND:
			rec[size - 1] = '\0';
			if (dmarc_record_v1(rec)) {
				*at = where[i];
				return 1;
			}
			break;
		case DMARC_LOOKUP_NONE:
			break;
		}
	}
	return 0;
}

/* The record into pctx; the result so far into r.  0, or -1: r is final. */
static int
get_record(struct dmarc_evaluator *e, const struct dmarc_input *in,
    DMARC_POLICY_T *pctx, const char *from, const char *org, int liborg,
    struct dmarc_result *r)
{
	char rec[DMARC_RECORD_MAX + 1], fromcopy[NAMEBUF], orgcopy[NAMEBUF];
	char used[NAMEBUF];
	const char *at = NULL;
	int st;

	memcpy(fromcopy, from, strlen(from) + 1);
	memcpy(orgcopy, org, strlen(org) + 1);
	if (in->lookup != NULL) {
		switch (lookup_record(in, from, org, rec, sizeof(rec), &at)) {
		case -1:
			fail_with(r, DMARC_RES_TEMPERROR,
			    "DMARC record lookup failed");
			return -1;
		case 0:
			fail_with(r, DMARC_RES_NONE, "no DMARC record");
			return -1;
		}
		st = e->lib.store_dmarc(pctx, (u_char *)rec,
		    (u_char *)fromcopy, at == from ? NULL : (u_char *)orgcopy);
		safe_copy(r->policy_domain, sizeof(r->policy_domain), at);
		r->used_sp = at != from;
	} else {
		if (e->lib.store_from_domain(pctx, (u_char *)fromcopy) !=
		    DMARC_PARSE_OKAY) {
			fail_with(r, DMARC_RES_PERMERROR,
			    "From: domain unusable");
			return -1;
		}
		st = e->lib.query_dmarc(pctx, (u_char *)fromcopy);
		at = from;
		/*
		 * 1.4.2 asks the organizational domain itself only when
		 * its list knows the TLD (liborg): else here.
		 */
		if ((st == DMARC_DNS_ERROR_NO_RECORD ||
		    st == DMARC_DNS_ERROR_NXDOMAIN) && !liborg &&
		    org[0] != '\0' && !dmarc_same_domain(org, from)) {
			st = e->lib.query_dmarc(pctx, (u_char *)orgcopy);
			at = org;
		}
		if (st == DMARC_DNS_ERROR_NO_RECORD ||
		    st == DMARC_DNS_ERROR_NXDOMAIN) {
			fail_with(r, DMARC_RES_NONE, "no DMARC record");
			return -1;
		}
		if (st == DMARC_DNS_ERROR_TMPERR) {
			fail_with(r, DMARC_RES_TEMPERROR,
			    "DMARC record lookup failed");
			return -1;
		}
		if (e->lib.fetch_utilized_domain(pctx, (u_char *)used,
		    sizeof(used)) == DMARC_PARSE_OKAY) {
			used[sizeof(used) - 1] = '\0';
			if (at == org)
				memcpy(used, org, strlen(org) + 1);
			safe_copy(r->policy_domain, sizeof(r->policy_domain),
			    used);
			r->used_sp = !dmarc_same_domain(used, from);
		}
	}
	if (st != DMARC_PARSE_OKAY) {
		/* A static text of libopendmarc's, which stays mapped. */
		fail_with(r, DMARC_RES_PERMERROR, e->lib.status_to_str(st));
		return -1;
	}
	return 0;
}

static void
evaluate_one(struct dmarc_evaluator *e, const struct dmarc_input *in,
    const char *from, struct dmarc_result *r)
{
	DMARC_POLICY_T *pctx;
	char org[NAMEBUF];
	int p = 0, sp = 0, adkim = 0, aspf = 0, pct = 100, liborg = 0;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->pct = 100;
	if (org_domain(e, from, org, sizeof(org), &liborg) == -1) {
		fail_with(r, DMARC_RES_PERMERROR, "From: domain unusable");
		return;
	}
	safe_copy(r->from, sizeof(r->from), from);
	if ((pctx = e->lib.connect_init((u_char *)"0.0.0.0", 0)) == NULL) {
		fail_with(r, DMARC_RES_TEMPERROR, "out of memory");
		return;
	}
	if (get_record(e, in, pctx, from, org, liborg, r) == -1)
		goto done;
	e->lib.fetch_p(pctx, &p);
	e->lib.fetch_sp(pctx, &sp);
	e->lib.fetch_adkim(pctx, &adkim);
	e->lib.fetch_aspf(pctx, &aspf);
	e->lib.fetch_pct(pctx, &pct);
	r->p = policy_of(p);
	r->sp = policy_of(sp);
	r->adkim = adkim == DMARC_RECORD_A_STRICT ? 's' : 'r';
	r->aspf = aspf == DMARC_RECORD_A_STRICT ? 's' : 'r';
	r->pct = pct < 0 || pct > 100 ? 100 : pct;
	if (!r->used_sp || r->sp == DMARC_POL_UNSET) {
		r->used_sp = 0;
		r->applied = r->p;
	} else
		r->applied = r->sp;

	if (in->spf == SPFR_PASS && in->spf_domain != NULL &&
	    aligned(e, in->spf_domain, from, org, r->aspf))
		r->aligned |= DMARC_ALIGN_SPF;
	for (i = 0; i < in->ndkim; i++)
		if (in->dkim[i].res == DKIM_RES_PASS &&
		    aligned(e, in->dkim[i].domain, from, org, r->adkim))
			r->aligned |= DMARC_ALIGN_DKIM;
	if (r->aligned != 0) {
		r->res = DMARC_RES_PASS;
		r->disposition = DMARC_POL_NONE;
		r->why = NULL;
		goto done;
	}
	r->res = DMARC_RES_FAIL;
	r->why = "no aligned identifier passed";
	r->disposition = r->applied;
	if (r->pct < 100 && in->random % 100 >= (unsigned int)r->pct &&
	    r->disposition > DMARC_POL_NONE) {
		/* RFC 7489 6.6.4: not sampled, the next lower policy. */
		r->sampled_out = 1;
		r->disposition--;
	}
done:
	e->lib.connect_shutdown(pctx);
}

/* Higher is stricter: how several From: domains' verdicts combine. */
static int
rank(const struct dmarc_result *r)
{
	switch (r->res) {
	case DMARC_RES_FAIL:
		if (r->disposition == DMARC_POL_REJECT)
			return 6;
		if (r->disposition == DMARC_POL_QUARANTINE)
			return 5;
		return 2;
	case DMARC_RES_TEMPERROR:
		return 4;
	case DMARC_RES_PERMERROR:
		return 3;
	case DMARC_RES_NONE:
		return 1;
	case DMARC_RES_PASS:
		break;
	}
	return 0;
}

void
dmarc_evaluate(struct dmarc_evaluator *e, const struct dmarc_input *in,
    struct dmarc_result *r)
{
	struct dmarc_result one;
	size_t i, j;
	int done = 0;

	memset(r, 0, sizeof(*r));
	r->pct = 100;
	if (!e->open) {
		fail_with(r, DMARC_RES_TEMPERROR, "DMARC evaluator not open");
		return;
	}
	if (in->nfrom == 0) {
		fail_with(r, DMARC_RES_PERMERROR, "no From: domain");
		return;
	}
	if (in->nfrom > DMARC_FROM_MAX) {
		fail_with(r, DMARC_RES_PERMERROR, "too many From: domains");
		return;
	}
	for (i = 0; i < in->nfrom; i++) {
		if (in->from[i] == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (in->from[j] != NULL &&
			    dmarc_same_domain(in->from[i], in->from[j]))
				break;
		if (j < i)
			continue;	/* evaluated already */
		evaluate_one(e, in, in->from[i], &one);
		if (!done || rank(&one) > rank(r))
			*r = one;
		done = 1;
	}
	if (!done)
		fail_with(r, DMARC_RES_PERMERROR, "no From: domain");
}

int
dmarc_open(struct dmarc_evaluator *e, const char *psl, char *why,
    size_t size)
{
	OPENDMARC_LIB_T init;
	int fd, st;

	if (e->open)
		return 0;
	if (psl == NULL)
		psl = DMARC_PSL;
	if (dmarclib_open(&e->lib, why, size) == -1)
		return -1;
	/* libopendmarc says only errno; say which file. */
	if ((fd = open(psl, O_RDONLY)) == -1) {
		snprintf(why, size, "%s: %s", psl, strerror(errno));
		return -1;
	}
	close(fd);
	memset(&init, 0, sizeof(init));
	init.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
	if (strlen(psl) >= sizeof(init.tld_source_file)) {
		snprintf(why, size, "%s: %s", psl, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(init.tld_source_file, psl, strlen(psl) + 1);
	if ((st = e->lib.library_init(&init)) != 0) {
		snprintf(why, size, "%s: %s", psl, st > 0 ? strerror(st) :
		    "cannot be read");
		e->lib.tld_shutdown();
		return -1;
	}
	e->open = 1;
	return 0;
}

void
dmarc_close(struct dmarc_evaluator *e)
{
	OPENDMARC_LIB_T init;

	if (e->open) {
		memset(&init, 0, sizeof(init));
		e->lib.library_shutdown(&init);
	}
	dmarclib_close(&e->lib);
	e->open = 0;
}
