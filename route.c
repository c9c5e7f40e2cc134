/*
 * route.c: which helper delivers a recipient.
 *
 * Patterns and recipients are compared in their canonical form
 * (address.h, mailbox_canonical()), so that "\"bob\""@d, BOB@d and
 * bob+x@d reach the helper that bob@d's route names, as they reach
 * bob's mailbox.
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

/*
 * How well a route matches: 4 the whole address, 3 the address without
 * its extension, 2 the domain, 1 "*", 0 not at all.
 */
static int
rank(const struct conf *c, const struct route *r,
    const struct mailbox *canon)
{
	if (r->specificity == 0)
		return 1;
	switch (addr_pattern_match(r->pattern, canon, c->recipient_delimiter,
	    c->local_part_fold)) {
	case ADDR_MATCH_EXACT:
		return 4;
	case ADDR_MATCH_BASE:
		return 3;
	case ADDR_MATCH_DOMAIN:
		return 2;
	default:
		return 0;
	}
}

/*
 * The null path and <postmaster> have no domain: only "*" can take
 * them (the caller rewrites <postmaster> first when it has a domain).
 */
const struct route *
route_lookup(const struct conf *c, const struct mailbox *rcpt)
{
	const struct route	*best = NULL;
	struct mailbox		 canon;
	int			 k, best_k = 0;
	size_t			 i;

	if (mailbox_canonical(rcpt, c->recipient_delimiter,
	    c->local_part_fold, &canon) == -1)
		return NULL;
	for (i = 0; i < c->nroutes; i++) {
		k = rank(c, &c->routes[i], &canon);
		if (k > best_k) {
			best = &c->routes[i];
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
