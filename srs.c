/*
 * srs.c: the Sender Rewriting Scheme (srs.h).  Everything but
 * srs_open() is pure.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "srs.h"
#include "trace.h"

#define SRS_DAY		86400
#define SRS_DAYS	1024	/* TT counts days modulo this */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int
srs_init(struct srs *s, const char *domain, srs_hmac_fn hmac, void *arg)
{
	size_t i;

	if (strlen(domain) > ADDR_DOMAIN_MAX)
		return -1;
	for (i = 0; domain[i] != '\0'; i++)
		s->domain[i] = (domain[i] >= 'A' && domain[i] <= 'Z') ?
		    (char)(domain[i] - 'A' + 'a') : domain[i];
	s->domain[i] = '\0';
	s->hmac = hmac;
	s->arg = arg;
	return 0;
}

static int
lib_hmac(void *arg, const unsigned char *key, size_t keylen,
    const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	return cryptolib_hmac_sha256(arg, key, keylen, data, len, out);
}

int
srs_open(struct srs *s, const char *path, const char *domain, char *why,
    size_t size)
{
	char err[200];

	memset(&s->lib, 0, sizeof(s->lib));
	if (srs_init(s, domain, lib_hmac, &s->lib) == -1) {
		snprintf(why, size, "srs-domain: too long");
		return -1;
	}
	if (trace_key(path, s->key, why, size) == -1)
		return -1;
	if (cryptolib_open(&s->lib, err, sizeof(err)) == -1) {
		explicit_bzero(s->key, sizeof(s->key));
		snprintf(why, size, "libcrypto: %s", err);
		return -1;
	}
	return 0;
}

/* The hash of the n fields, lowercased and joined by '=': 0, or -1. */
static int
hash(const struct srs *s, const char *const f[], size_t n,
    char out[SRS_HASH_LEN + 1])
{
	unsigned char md[CRYPTO_SHA256_LEN];
	char buf[4 * ADDR_MAX];
	unsigned long long bits = 0;
	size_t i, k, len = 0;

	for (i = 0; i < n; i++) {
		if (len + strlen(f[i]) + 1 >= sizeof(buf))
			return -1;
		if (i > 0)
			buf[len++] = '=';
		for (k = 0; f[i][k] != '\0'; k++)
			buf[len++] = (f[i][k] >= 'A' && f[i][k] <= 'Z') ?
			    (char)(f[i][k] - 'A' + 'a') : f[i][k];
	}
	if (s->hmac(s->arg, s->key, sizeof(s->key), buf, len, md) == -1)
		return -1;
	for (i = 0; i < 5; i++)			/* 40 bits */
		bits = bits << 8 | md[i];
	for (i = 0; i < SRS_HASH_LEN; i++)
		out[i] = b32[(bits >> (35 - 5 * i)) & 31];
	out[SRS_HASH_LEN] = '\0';
	return 0;
}

/* "SRS0" or "SRS1" (n) and a separator at the start of local? */
static int
srs_prefix(const char *local, int n)
{
	char tag[5];

	snprintf(tag, sizeof(tag), "SRS%d", n);
	return strncasecmp(local, tag, 4) == 0 && local[4] != '\0' &&
	    strchr("=+-", local[4]) != NULL;
}

static int
b32_value(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == '\0' || (p = strchr(b32, c)) == NULL)
		return -1;
	return (int)(p - b32);
}

/* Print into out; SRS_ELONG when the local part or the whole is too big. */
static enum srs_error
put(char *out, size_t size, const char *fmt, const char *a, const char *b,
    const char *c, const char *d, const char *domain)
{
	int n;

	n = snprintf(out, size, fmt, a, b, c, d);
	if (n < 0 || (size_t)n > ADDR_LOCAL_MAX)
		return SRS_ELONG;
	if ((size_t)n + 1 + strlen(domain) + 1 > size ||
	    (size_t)n + 1 + strlen(domain) > ADDR_MAX)
		return SRS_ELONG;
	snprintf(out + n, size - (size_t)n, "@%s", domain);
	return SRS_OK;
}

enum srs_error
srs_forward(const struct srs *s, const char *sender, time_t now, char *out,
    size_t size)
{
	char local[ADDR_MAX + 1], h[SRS_HASH_LEN + 1], tt[3];
	const char *at = strrchr(sender, '@'), *dom, *p, *q, *f[3];
	unsigned day;

	/* a domain with '=' could not be told from the fields after it */
	if (at == NULL || at == sender || at[1] == '\0' || sender[0] == '"' ||
	    strchr(at, '=') != NULL || (size_t)(at - sender) >= sizeof(local))
		return SRS_ESYNTAX;
	memcpy(local, sender, (size_t)(at - sender));
	local[at - sender] = '\0';
	dom = at + 1;
	if (strcasecmp(dom, s->domain) == 0) {
		if (strlen(sender) >= size)
			return SRS_ELONG;
		snprintf(out, size, "%s", sender);
		return SRS_OK;
	}
	if (srs_prefix(local, 1) && (p = strchr(local + 5, '=')) != NULL &&
	    (q = strstr(p + 1, "==")) != NULL && q != p + 1 &&
	    q[2] != '\0') {
		/* SRS1=H=first==rest: keep first and rest, our own hash */
		char first[ADDR_MAX + 1];

		snprintf(first, sizeof(first), "%.*s", (int)(q - p - 1),
		    p + 1);
		f[0] = first;
		f[1] = q + 2;
		if (hash(s, f, 2, h) == -1)
			return SRS_EHMAC;
		return put(out, size, "SRS1=%s=%s==%s", h, first, q + 2, "",
		    s->domain);
	}
	if (srs_prefix(local, 0) && local[5] != '\0') {
		/* another forwarder's SRS0: its bounce goes back there */
		f[0] = dom;
		f[1] = local + 5;
		if (hash(s, f, 2, h) == -1)
			return SRS_EHMAC;
		return put(out, size, "SRS1=%s=%s==%s", h, dom, local + 5, "",
		    s->domain);
	}
	day = (unsigned)((unsigned long long)now / SRS_DAY % SRS_DAYS);
	tt[0] = b32[day >> 5];
	tt[1] = b32[day & 31];
	tt[2] = '\0';
	f[0] = tt;
	f[1] = dom;
	f[2] = local;
	if (hash(s, f, 3, h) == -1)
		return SRS_EHMAC;
	return put(out, size, "SRS0=%s=%s=%s=%s", h, tt, dom, local,
	    s->domain);
}

int
srs_is_ours(const struct srs *s, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL && strcasecmp(at + 1, s->domain) == 0 &&
	    (srs_prefix(addr, 0) || srs_prefix(addr, 1));
}

enum srs_error
srs_reverse(const struct srs *s, const char *addr, time_t now, char *out,
    size_t size)
{
	char local[ADDR_MAX + 1], h[SRS_HASH_LEN + 1], field[ADDR_MAX + 1];
	char tt[3];
	const char *at, *p, *q, *f[3];
	int t0, t1;
	unsigned day, age;
	size_t n;

	if (!srs_is_ours(s, addr))
		return SRS_ENOTSRS;
	at = strrchr(addr, '@');
	if ((size_t)(at - addr) >= sizeof(local))
		return SRS_ESYNTAX;
	memcpy(local, addr, (size_t)(at - addr));
	local[at - addr] = '\0';
	/* the hash: SRS_HASH_LEN characters, then '=' */
	p = local + 5;
	if ((q = strchr(p, '=')) == NULL || q - p != SRS_HASH_LEN)
		return SRS_ESYNTAX;
	p = q + 1;
	if (srs_prefix(local, 1)) {
		/* SRS1=H=first==rest -> SRS0=rest@first */
		if ((q = strstr(p, "==")) == NULL || q == p || q[2] == '\0')
			return SRS_ESYNTAX;
		n = (size_t)(q - p);
		memcpy(field, p, n);
		field[n] = '\0';
		f[0] = field;
		f[1] = q + 2;
		if (hash(s, f, 2, h) == -1)
			return SRS_EHMAC;
		if (strncasecmp(h, local + 5, SRS_HASH_LEN) != 0)
			return SRS_EHASH;
		if (strlen(q + 2) + 5 > ADDR_LOCAL_MAX ||
		    (size_t)snprintf(out, size, "SRS0=%s@%s", q + 2, field) >=
		    size)
			return SRS_ELONG;
		return SRS_OK;
	}
	/* SRS0=H=TT=domain=local */
	if ((t0 = b32_value(p[0])) == -1 || (t1 = b32_value(p[1])) == -1 ||
	    p[2] != '=')
		return SRS_ESYNTAX;
	tt[0] = p[0];
	tt[1] = p[1];
	tt[2] = '\0';
	p += 3;
	if ((q = strchr(p, '=')) == NULL || q == p || q[1] == '\0')
		return SRS_ESYNTAX;
	n = (size_t)(q - p);
	memcpy(field, p, n);
	field[n] = '\0';
	f[0] = tt;
	f[1] = field;
	f[2] = q + 1;
	if (hash(s, f, 3, h) == -1)
		return SRS_EHMAC;
	if (strncasecmp(h, local + 5, SRS_HASH_LEN) != 0)
		return SRS_EHASH;
	day = (unsigned)((unsigned long long)now / SRS_DAY % SRS_DAYS);
	age = (day + SRS_DAYS - (unsigned)(t0 << 5 | t1)) % SRS_DAYS;
	if (age > SRS_MAX_AGE)
		return SRS_EAGE;
	if ((size_t)snprintf(out, size, "%s@%s", q + 1, field) >= size)
		return SRS_ELONG;
	return SRS_OK;
}

const char *
srs_strerror(enum srs_error e)
{
	switch (e) {
	case SRS_OK:
		return "ok";
	case SRS_ENOTSRS:
		return "not an SRS address";
	case SRS_ESYNTAX:
		return "malformed SRS address";
	case SRS_EHASH:
		return "bad SRS hash";
	case SRS_EAGE:
		return "SRS address expired";
	case SRS_ELONG:
		return "SRS address too long";
	case SRS_EHMAC:
		return "HMAC failed";
	}
	return "?";
}
