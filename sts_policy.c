/*
 * sts_policy.c: the parsers of MTA-STS (RFC 8461 §3.1, §3.2, §4.1) and
 * of samotop-remote's policy cache file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_txt.h"
#include "sts_policy.h"

#define WSP(c)		((c) == ' ' || (c) == '\t')
#define ALNUM(c)	(((c) >= 'a' && (c) <= 'z') || \
			 ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))

int
sts_txt_record(const char *txt, size_t len, char id[STS_ID_MAX + 1],
    int *valid)
{
	const char *p = txt, *end = txt + len, *f, *fe;
	size_t n;
	int haveid = 0;

	*valid = 0;
	if (len < 7 || memcmp(txt, "v=STSv1", 7) != 0)
		return 0;
	p += 7;
	if (p < end && *p != ';' && !WSP(*p))
		return 0;			/* "v=STSv10": not ours */
	for (;;) {
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			break;
		if (*p++ != ';')
			return 1;
		while (p < end && WSP(*p))
			p++;
		if (p == end)
			break;			/* a trailing ";" */
		for (f = p; p < end && *p != ';' && !WSP(*p); p++)
			;
		fe = p;
		if (fe - f > 3 && memcmp(f, "id=", 3) == 0) {
			if (haveid)
				continue;	/* the first counts */
			n = (size_t)(fe - f - 3);
			if (n > STS_ID_MAX)
				return 1;
			for (f += 3; f < fe; f++)
				if (!ALNUM(*f))
					return 1;
			memcpy(id, fe - n, n);
			id[n] = '\0';
			haveid = 1;
			continue;
		}
		/* an extension: name=value, value VCHAR but ; and = */
		if (f == fe || !ALNUM(*f))
			return 1;
		for (; f < fe && *f != '='; f++)
			if (!ALNUM(*f) && *f != '_' && *f != '-' && *f != '.')
				return 1;
		if (f == fe || ++f == fe)
			return 1;
		for (; f < fe; f++)
			if (*f < 0x21 || *f > 0x7e || *f == '=')
				return 1;
	}
	*valid = haveid;
	return 1;
}

/* What the TXT records of one answer said (sts_txt_answer()). */
struct sts_seen {
	char	*id;		/* the valid record's id */
	int	 found;		/* records that are MTA-STS's */
	int	 bad;		/* one of them not valid */
};

static void
sts_txt_seen(void *arg, const char *txt, size_t tl, int whole)
{
	struct sts_seen *s = arg;
	char one[STS_ID_MAX + 1];
	int valid;

	/* too long for any id: only its start matters */
	if (sts_txt_record(txt, whole ? tl : 7, one, &valid) != 1)
		return;
	s->found++;
	if (whole && valid)
		memcpy(s->id, one, sizeof(one));
	else
		s->bad = 1;
}

int
sts_txt_answer(const unsigned char *msg, size_t len, char id[STS_ID_MAX + 1])
{
	struct sts_seen s = { id, 0, 0 };
	char txt[512];

	/* the record's strings, joined (RFC 7208 §3.3 does so too) */
	if (dns_txt_each(msg, len, txt, sizeof(txt), sts_txt_seen, &s) == -1)
		return -1;
	return s.found == 1 && !s.bad ? 1 : 0;
}

/* A domain name's syntax, loosely (letters, digits, -, _, dots). */
static int
name_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > STS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!ALNUM(s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

int
sts_policy_parse(const char *text, size_t len, struct sts_policy *p)
{
	const char *s = text, *end = text + len, *eol, *k, *ke, *v, *ve;
	int have_version = 0, have_mode = 0, have_age = 0;
	unsigned long age;
	size_t n;

	memset(p, 0, sizeof(*p));
	while (s < end) {
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			eol = end;
		ve = eol;
		if (ve > s && ve[-1] == '\r')
			ve--;
		k = s;
		s = eol < end ? eol + 1 : end;
		if (k == ve)
			continue;		/* an empty line: be lenient */
		for (ke = k; ke < ve && *ke != ':'; ke++)
			;
		if (ke == ve)
			return -1;		/* not "name: value" */
		for (v = ke + 1; v < ve && WSP(*v); v++)
			;
		while (ve > v && WSP(ve[-1]))
			ve--;
		n = (size_t)(ve - v);
		if (ke - k == 7 && memcmp(k, "version", 7) == 0) {
			if (have_version++)
				continue;
			if (n != 5 || memcmp(v, "STSv1", 5) != 0)
				return -1;
		} else if (ke - k == 4 && memcmp(k, "mode", 4) == 0) {
			if (have_mode++)
				continue;
			if (n == 7 && memcmp(v, "enforce", 7) == 0)
				p->mode = STS_ENFORCE;
			else if (n == 7 && memcmp(v, "testing", 7) == 0)
				p->mode = STS_TESTING;
			else if (n == 4 && memcmp(v, "none", 4) == 0)
				p->mode = STS_NONE;
			else
				return -1;
		} else if (ke - k == 7 && memcmp(k, "max_age", 7) == 0) {
			if (have_age++)
				continue;
			if (n == 0 || n > 10)
				return -1;
			for (age = 0; v < ve; v++) {
				if (*v < '0' || *v > '9')
					return -1;
				age = age * 10 + (unsigned long)(*v - '0');
			}
			p->max_age = age > STS_MAX_AGE_MAX ? STS_MAX_AGE_MAX :
			    age;
		} else if (ke - k == 2 && memcmp(k, "mx", 2) == 0) {
			if (n > 2 && v[0] == '*' && v[1] == '.' ?
			    !name_ok(v + 2, n - 2) : !name_ok(v, n))
				return -1;
			if (p->nmx == STS_MX_MAX)
				continue;
			memcpy(p->mx[p->nmx], v, n);
			p->mx[p->nmx][n] = '\0';
			lower(p->mx[p->nmx++]);
		}
		/* else: an extension, ignored (§3.2) */
	}
	if (!have_version || !have_mode || !have_age)
		return -1;
	if (p->mode != STS_NONE && p->nmx == 0)
		return -1;
	return 0;
}

int
sts_mx_match(const char *pattern, const char *host)
{
	size_t hl = strlen(host), pl = strlen(pattern);
	const char *dot;

	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.example.com": one label, then ".example.com" */
		if ((dot = memchr(host, '.', hl)) == NULL || dot == host)
			return 0;
		return (size_t)(hl - (size_t)(dot - host)) == pl - 1 &&
		    strncasecmp(dot, pattern + 1, pl - 1) == 0;
	}
	return hl == pl && strncasecmp(host, pattern, hl) == 0;
}

int
sts_policy_allows(const struct sts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (sts_mx_match(p->mx[i], host))
			return 1;
	return 0;
}

const char *
sts_mode_name(enum sts_mode m)
{
	return m == STS_ENFORCE ? "enforce" : m == STS_TESTING ? "testing" :
	    "none";
}

size_t
sts_cache_format(char *buf, size_t size, const char *id, time_t fetched,
    const char *policy, size_t len)
{
	int n;

	n = snprintf(buf, size, "samotop-sts 1\nid %s\nfetched %lld\n\n", id,
	    (long long)fetched);
	if (n < 0 || (size_t)n >= size || size - (size_t)n < len)
		return 0;
	memcpy(buf + n, policy, len);
	return (size_t)n + len;
}

int
sts_cache_parse(const char *buf, size_t len, char id[STS_ID_MAX + 1],
    time_t *fetched, struct sts_policy *p)
{
	const char *s = buf, *end = buf + len, *eol;
	size_t n, i;
	long long t;
	int line;

	for (line = 0; line < 4; line++) {
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			return -1;
		n = (size_t)(eol - s);
		switch (line) {
		case 0:
			if (n != 13 || memcmp(s, "samotop-sts 1", 13) != 0)
				return -1;
			break;
		case 1:
			if (n < 4 || n - 3 > STS_ID_MAX ||
			    memcmp(s, "id ", 3) != 0)
				return -1;
			for (i = 3; i < n; i++)
				if (!ALNUM(s[i]))
					return -1;
			memcpy(id, s + 3, n - 3);
			id[n - 3] = '\0';
			break;
		case 2:
			if (n < 9 || n > 8 + 19 || memcmp(s, "fetched ", 8))
				return -1;
			for (t = 0, i = 8; i < n; i++) {
				if (s[i] < '0' || s[i] > '9' ||
				    t > (0x7fffffffffffffffLL - 9) / 10)
					return -1;
				t = t * 10 + (s[i] - '0');
			}
			*fetched = (time_t)t;
			break;
		case 3:
			if (n != 0)
				return -1;
			break;
		}
		s = eol + 1;
	}
	return sts_policy_parse(s, (size_t)(end - s), p);
}
