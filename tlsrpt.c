/*
 * tlsrpt.c: TLS-RPT's result and policy types and the day file's line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt.h"

/* RFC 8460 §4.3's names: the one place the types become text. */
static const char *const result_names[TLSRPT_NRESULT] = {
	[TLSRPT_SUCCESS] = "success",
	[TLSRPT_STARTTLS_NOT_SUPPORTED] = "starttls-not-supported",
	[TLSRPT_CERT_HOST_MISMATCH] = "certificate-host-mismatch",
	[TLSRPT_CERT_EXPIRED] = "certificate-expired",
	[TLSRPT_CERT_NOT_TRUSTED] = "certificate-not-trusted",
	[TLSRPT_VALIDATION_FAILURE] = "validation-failure",
	[TLSRPT_TLSA_INVALID] = "tlsa-invalid",
	[TLSRPT_DNSSEC_INVALID] = "dnssec-invalid",
	[TLSRPT_DANE_REQUIRED] = "dane-required",
	[TLSRPT_STS_POLICY_FETCH_ERROR] = "sts-policy-fetch-error",
	[TLSRPT_STS_POLICY_INVALID] = "sts-policy-invalid",
	[TLSRPT_STS_WEBPKI_INVALID] = "sts-webpki-invalid",
};

static const char *const policy_names[TLSRPT_NPOLICY] = {
	[TLSRPT_POLICY_STS] = "sts",
	[TLSRPT_POLICY_TLSA] = "tlsa",
	[TLSRPT_POLICY_NONE] = "no-policy-found",
};

const char *
tlsrpt_result_name(enum tlsrpt_result r)
{
	return (unsigned)r < TLSRPT_NRESULT ? result_names[r] : "?";
}

const char *
tlsrpt_policy_name(enum tlsrpt_policy p)
{
	return (unsigned)p < TLSRPT_NPOLICY ? policy_names[p] : "?";
}

/* The octets a field may hold: nothing that breaks a line or JSON. */
static int
field_octet(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '_' ||
	    c == '*' || c == ',' || c == '-';
}

/* s as a field ("-" when empty): 0, or -1 when it may not be one. */
static int
field_ok(const char *s)
{
	if (strcmp(s, "-") == 0)
		return -1;		/* would read back as empty */
	for (; *s != '\0'; s++)
		if (!field_octet(*s))
			return -1;
	return 0;
}

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

size_t
tlsrpt_line_format(const struct tlsrpt_line *l, char *buf, size_t size)
{
	int n;

	if ((unsigned)l->result >= TLSRPT_NRESULT ||
	    (unsigned)l->policy >= TLSRPT_NPOLICY || l->domain[0] == '\0' ||
	    field_ok(l->domain) == -1 || field_ok(l->mx) == -1 ||
	    field_ok(l->rip) == -1 || field_ok(l->sip) == -1 ||
	    field_ok(l->mxlist) == -1 || l->when < 0)
		return 0;
	n = snprintf(buf, size, "tlsrpt1 %lld %s %s %s %s %s %s %s %lu %s\n",
	    (long long)l->when, result_names[l->result],
	    policy_names[l->policy], l->domain, dash(l->mx), dash(l->rip),
	    dash(l->sip), l->mode == STS_ENFORCE ? "enforce" :
	    l->mode == STS_TESTING ? "testing" : "-", l->max_age,
	    dash(l->mxlist));
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The next field of s[*off..len) into out[0..size): 0, or -1. */
static int
next_field(const char *s, size_t len, size_t *off, char *out, size_t size)
{
	size_t i = *off, n;

	if (i >= len)
		return -1;
	for (n = 0; i + n < len && s[i + n] != ' '; n++)
		if (!field_octet(s[i + n]))
			return -1;
	if (n == 0 || n >= size)
		return -1;
	memcpy(out, s + i, n);
	out[n] = '\0';
	if (strcmp(out, "-") == 0)
		out[0] = '\0';
	*off = i + n + (i + n < len);		/* past the space */
	return 0;
}

/*
 * A decimal number of at most digits digits, without leading zeros,
 * into *v: 0, or -1.
 */
static int
number(const char *s, unsigned digits, unsigned long long *v)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > digits || (n > 1 && s[0] == '0'))
		return -1;		/* one spelling per number */
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
tlsrpt_line_parse(const char *s, size_t len, struct tlsrpt_line *l)
{
	char f[24];
	unsigned long long v;
	size_t off = 0;
	unsigned i;

	memset(l, 0, sizeof(*l));
	if (next_field(s, len, &off, f, sizeof(f)) == -1 ||
	    strcmp(f, "tlsrpt1") != 0)
		goto bad;
	if (next_field(s, len, &off, f, sizeof(f)) == -1 ||
	    number(f, 12, &v) == -1)
		goto bad;
	l->when = (time_t)v;
	if (next_field(s, len, &off, f, sizeof(f)) == -1)
		goto bad;
	for (i = 0; i < TLSRPT_NRESULT && strcmp(f, result_names[i]); i++)
		;
	if (i == TLSRPT_NRESULT)
		goto bad;
	l->result = (enum tlsrpt_result)i;
	if (next_field(s, len, &off, f, sizeof(f)) == -1)
		goto bad;
	for (i = 0; i < TLSRPT_NPOLICY && strcmp(f, policy_names[i]); i++)
		;
	if (i == TLSRPT_NPOLICY)
		goto bad;
	l->policy = (enum tlsrpt_policy)i;
	if (next_field(s, len, &off, l->domain, sizeof(l->domain)) == -1 ||
	    l->domain[0] == '\0' ||
	    next_field(s, len, &off, l->mx, sizeof(l->mx)) == -1 ||
	    next_field(s, len, &off, l->rip, sizeof(l->rip)) == -1 ||
	    next_field(s, len, &off, l->sip, sizeof(l->sip)) == -1 ||
	    next_field(s, len, &off, f, sizeof(f)) == -1)
		goto bad;
	if (strcmp(f, "enforce") == 0)
		l->mode = STS_ENFORCE;
	else if (strcmp(f, "testing") == 0)
		l->mode = STS_TESTING;
	else if (f[0] == '\0')
		l->mode = STS_NONE;
	else
		goto bad;
	if (next_field(s, len, &off, f, sizeof(f)) == -1 ||
	    number(f, 9, &v) == -1 || v > STS_MAX_AGE_MAX)
		goto bad;
	l->max_age = (unsigned long)v;
	if (next_field(s, len, &off, l->mxlist, sizeof(l->mxlist)) == -1 ||
	    off != len || s[len - 1] == ' ')
		goto bad;
	return 0;
bad:
	memset(l, 0, sizeof(*l));
	return -1;
}
