/*
 * tlsrpt_agg.c: a day's lines for one policy domain made into the RFC
 * 8460 §4.4 JSON report: one policy entry per policy applied (sts: per
 * policy string, tlsa: per MX host, no-policy-found: one), each with its
 * summary and its failure details (per result type, sending address, MX
 * host and receiving address).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt.h"

void
tlsrpt_agg_init(struct tlsrpt_agg *a, const char *domain)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; domain[i] != '\0' && i < sizeof(a->domain) - 1; i++)
		a->domain[i] = domain[i] >= 'A' && domain[i] <= 'Z' ?
		    domain[i] - 'A' + 'a' : domain[i];
}

/* The policy of l, found or made; -1 when there is no room. */
static long
policy_of(struct tlsrpt_agg *a, const struct tlsrpt_line *l)
{
	struct tlsrpt_agg_policy *p;
	const char *mx = l->policy == TLSRPT_POLICY_TLSA ? l->mx : "";
	size_t i;

	for (i = 0; i < a->npol; i++) {
		p = &a->pol[i];
		if (p->type != l->policy || strcmp(p->mx, mx) != 0)
			continue;
		if (l->policy == TLSRPT_POLICY_STS && (p->mode != l->mode ||
		    p->max_age != l->max_age ||
		    strcmp(p->mxlist, l->mxlist) != 0))
			continue;
		return (long)i;
	}
	if (a->npol == TLSRPT_POLICIES_MAX)
		return -1;
	p = &a->pol[a->npol];
	memset(p, 0, sizeof(*p));
	p->type = l->policy;
	snprintf(p->mx, sizeof(p->mx), "%s", mx);
	if (l->policy == TLSRPT_POLICY_STS) {
		p->mode = l->mode;
		p->max_age = l->max_age;
		snprintf(p->mxlist, sizeof(p->mxlist), "%s", l->mxlist);
	}
	return (long)a->npol++;
}

int
tlsrpt_agg_add(struct tlsrpt_agg *a, const struct tlsrpt_line *l)
{
	struct tlsrpt_agg_detail *d;
	long p;
	size_t i;

	if (strcasecmp(l->domain, a->domain) != 0 ||
	    (p = policy_of(a, l)) == -1) {
		a->skipped++;
		return -1;
	}
	a->lines++;
	if (l->result == TLSRPT_SUCCESS) {
		a->pol[p].ok++;
		return 0;
	}
	a->pol[p].failed++;
	for (i = 0; i < a->ndet; i++) {
		d = &a->det[i];
		if (d->policy == (size_t)p && d->result == l->result &&
		    strcmp(d->mx, l->mx) == 0 && strcmp(d->rip, l->rip) == 0 &&
		    strcmp(d->sip, l->sip) == 0) {
			d->count++;
			return 0;
		}
	}
	if (a->ndet == TLSRPT_DETAILS_MAX)
		return 0;		/* in the summary, not in a detail */
	d = &a->det[a->ndet++];
	d->policy = (size_t)p;
	d->result = l->result;
	snprintf(d->mx, sizeof(d->mx), "%s", l->mx);
	snprintf(d->rip, sizeof(d->rip), "%s", l->rip);
	snprintf(d->sip, sizeof(d->sip), "%s", l->sip);
	d->count = 1;
	return 0;
}

void
tlsrpt_agg_text(struct tlsrpt_agg *a, const char *text, size_t len)
{
	static struct tlsrpt_line l;	/* large: not on the stack */
	const char *p = text, *end = text + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (tlsrpt_line_parse(p, (size_t)(nl - p), &l) == 0)
			(void)tlsrpt_agg_add(a, &l);
		else
			a->skipped++;
		p = nl + 1;
	}
}

/* The JSON being written: the first overflow sticks. */
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

/*
 * prefix and s as one JSON string (prefix is ours: written as it is); a
 * control octet makes the output fail.
 */
static void
str2(struct out *o, const char *prefix, const char *s)
{
	put(o, "\"%s", prefix);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			o->over = 1;
			return;
		}
		if (*s == '"' || *s == '\\')
			put(o, "\\%c", *s);
		else
			put(o, "%c", *s);
	}
	put(o, "\"");
}

static void
str(struct out *o, const char *s)
{
	str2(o, "", s);
}

/* A time as RFC 3339 in UTC: "2016-04-01T00:00:00Z". */
static void
datetime(struct out *o, time_t t)
{
	struct tm tm;
	char b[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		o->over = 1;
		return;
	}
	str(o, b);
}

/* mxlist's patterns ("a,*.b") as strings, each after prefix. */
static void
patterns(struct out *o, const char *mxlist, const char *prefix)
{
	char one[STS_NAME_MAX + 1];
	const char *p = mxlist, *c;
	size_t n;
	int first = 1;

	while (*p != '\0') {
		c = strchr(p, ',');
		n = c != NULL ? (size_t)(c - p) : strlen(p);
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			put(o, "%s", first ? "" : ", ");
			str2(o, prefix, one);
			first = 0;
		}
		p += n + (c != NULL);
	}
}

static void
policy(struct out *o, const struct tlsrpt_agg *a, size_t i)
{
	const struct tlsrpt_agg_policy *p = &a->pol[i];
	const struct tlsrpt_agg_detail *d;
	size_t k;
	int first = 1;

	put(o, "    {\n      \"policy\": {\n        \"policy-type\": ");
	str(o, tlsrpt_policy_name(p->type));
	if (p->type == TLSRPT_POLICY_STS && p->mode != STS_NONE) {
		/* RFC 8460 §4.4: the policy, one string a line */
		put(o, ",\n        \"policy-string\": [\"version: STSv1\", "
		    "\"mode: %s\", ", p->mode == STS_ENFORCE ? "enforce" :
		    p->mode == STS_TESTING ? "testing" : "none");
		patterns(o, p->mxlist, "mx: ");
		put(o, "%s\"max_age: %lu\"]", p->mxlist[0] != '\0' ? ", " : "",
		    p->max_age);
	}
	put(o, ",\n        \"policy-domain\": ");
	str(o, a->domain);
	if (p->type == TLSRPT_POLICY_STS && p->mxlist[0] != '\0') {
		put(o, ",\n        \"mx-host\": [");
		patterns(o, p->mxlist, "");
		put(o, "]");
	} else if (p->type == TLSRPT_POLICY_TLSA && p->mx[0] != '\0') {
		put(o, ",\n        \"mx-host\": [");
		str(o, p->mx);
		put(o, "]");
	}
	put(o, "\n      },\n      \"summary\": {\n"
	    "        \"total-successful-session-count\": %lu,\n"
	    "        \"total-failure-session-count\": %lu\n      }",
	    p->ok, p->failed);
	for (k = 0; k < a->ndet; k++) {
		d = &a->det[k];
		if (d->policy != i)
			continue;
		put(o, "%s        {\n          \"result-type\": ",
		    first ? ",\n      \"failure-details\": [\n" : ",\n");
		first = 0;
		str(o, tlsrpt_result_name(d->result));
		if (d->sip[0] != '\0') {
			put(o, ",\n          \"sending-mta-ip\": ");
			str(o, d->sip);
		}
		if (d->mx[0] != '\0') {
			put(o, ",\n          \"receiving-mx-hostname\": ");
			str(o, d->mx);
		}
		if (d->rip[0] != '\0') {
			put(o, ",\n          \"receiving-ip\": ");
			str(o, d->rip);
		}
		put(o, ",\n          \"failed-session-count\": %lu\n"
		    "        }", d->count);
	}
	if (!first)
		put(o, "\n      ]");
	put(o, "\n    }");
}

size_t
tlsrpt_json(const struct tlsrpt_agg *a, const struct tlsrpt_meta *m,
    char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };
	size_t i;

	if (size == 0)
		return 0;
	put(&o, "{\n  \"organization-name\": ");
	str(&o, m->org);
	put(&o, ",\n  \"date-range\": {\n    \"start-datetime\": ");
	datetime(&o, m->start);
	put(&o, ",\n    \"end-datetime\": ");
	datetime(&o, m->end);
	put(&o, "\n  },\n  \"contact-info\": ");
	str(&o, m->contact);
	put(&o, ",\n  \"report-id\": ");
	str(&o, m->report_id);
	put(&o, ",\n  \"policies\": [\n");
	for (i = 0; i < a->npol; i++) {
		policy(&o, a, i);
		put(&o, "%s\n", i + 1 < a->npol ? "," : "");
	}
	put(&o, "  ]\n}\n");
	return o.over ? 0 : o.len;
}
