/*
 * route.c: which helper delivers a recipient.
 *
 * The local part is compared as written, quotes included, because that
 * is what a pattern in samotop.conf(5) can name.  The +extension fallback
 * applies only to unquoted local parts: splitting "\"a+b\"" as written
 * would give "\"a", which names nothing.
 */
#include <string.h>

#include "route.h"

/* Not tolower(3): the locale must not change where mail goes. */
static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (; alen > 0; alen--, a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return 1;
}

/* Length of the local part before its extension, or 0 when none. */
static size_t
user_len(const struct conf *c, const char *local)
{
	const char	*d;

	if (c->recipient_delimiter == 0 || local[0] == '"')
		return 0;
	if ((d = strchr(local, c->recipient_delimiter)) == NULL)
		return 0;
	return d - local;
}

/*
 * How well a "@domain" or "local@domain" route matches: 4 the whole
 * local part, 3 the local part without its extension, 2 the domain,
 * 0 not at all.
 */
static int
rank(const struct route *r, const struct mailbox *rcpt, size_t ulen)
{
	const char	*at = strchr(r->pattern, '@');
	size_t		 llen;

	if (at == NULL || !same(at + 1, strlen(at + 1), rcpt->domain,
	    strlen(rcpt->domain)))
		return 0;
	if (r->specificity == 1)
		return 2;
	llen = at - r->pattern;
	if (same(r->pattern, llen, rcpt->local, strlen(rcpt->local)))
		return 4;
	if (ulen > 0 && same(r->pattern, llen, rcpt->local, ulen))
		return 3;
	return 0;
}

/*
 * The null path and <postmaster> have no domain: only "*" can take
 * them (the caller rewrites <postmaster> first when it has a domain).
 */
const struct route *
route_lookup(const struct conf *c, const struct mailbox *rcpt)
{
	const struct route	*r, *best = NULL;
	int			 k, best_k = 0, addressed;
	size_t			 i, ulen;

	addressed = !rcpt->is_null && rcpt->domain[0] != '\0';
	ulen = user_len(c, rcpt->local);
	for (i = 0; i < c->nroutes; i++) {
		r = &c->routes[i];
		if (r->specificity == 0)
			k = 1;
		else if (addressed)
			k = rank(r, rcpt, ulen);
		else
			k = 0;
		if (k > best_k) {
			best = r;
			best_k = k;
		}
	}
	return best;
}

int
route_domain_known(const struct conf *c, const char *domain)
{
	const char	*at;
	size_t		 i, len;

	if (domain == NULL || domain[0] == '\0')
		return 0;
	len = strlen(domain);
	for (i = 0; i < c->nroutes; i++) {
		if (c->routes[i].specificity == 0)
			continue;
		at = strchr(c->routes[i].pattern, '@');
		if (at != NULL && same(at + 1, strlen(at + 1), domain, len))
			return 1;
	}
	return 0;
}

int
route_same(const struct route *a, const struct route *b)
{
	size_t	i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; i <= CONF_ARGV_MAX; i++) {
		if (a->argv[i] == NULL || b->argv[i] == NULL)
			return a->argv[i] == b->argv[i];
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return 0;
	}
	return 1;
}
