/*
 * route.c: which helper delivers a recipient.
 *
 * Patterns and recipients are compared in their canonical form
 * (address.h, mailbox_canonical()), so that "\"bob\""@d, BOB@d and
 * bob+x@d reach the helper that bob@d's route names, as they reach
 * bob's mailbox.
 */
#include <stdio.h>
#include <string.h>

#include "proc.h"
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
 * them (route_postmaster() gives <postmaster> one first).
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

/* Where postmaster mail goes when no route names the address itself. */
static int
postmaster_address(const struct conf *c, struct mailbox *out)
{
	char		 buf[ADDR_MAX + 1];
	const char	*at = NULL;
	size_t		 i;

	if (c->postmaster != NULL)
		snprintf(buf, sizeof(buf), "%s", c->postmaster);
	else {
		/* A domain cannot hold '@'; a quoted local part can. */
		for (i = 0; i < c->nroutes && at == NULL; i++)
			if (c->routes[i].specificity != 0)
				at = strrchr(c->routes[i].pattern, '@');
		snprintf(buf, sizeof(buf), "postmaster@%s",
		    at != NULL ? at + 1 : c->hostname);
	}
	memset(out, 0, sizeof(*out));
	if (addr_parse_mailbox(buf, strlen(buf), ADDR_ALLOW_UTF8, out) !=
	    ADDR_OK) {	/* no hostname (unit tests): <postmaster> */
		memset(out, 0, sizeof(*out));
		snprintf(out->local, sizeof(out->local), "postmaster");
	}
	return mailbox_canonical(out, c->recipient_delimiter,
	    c->local_part_fold, out);
}

int
route_postmaster(const struct conf *c, struct mailbox *rcpt)
{
	struct mailbox	pm;
	size_t		i, dlen = strlen(rcpt->domain);

	if (rcpt->is_null || !same(rcpt->local, strlen(rcpt->local),
	    "postmaster", 10))
		return 0;
	if (dlen > 0 && !same(rcpt->domain, dlen, c->hostname,
	    strlen(c->hostname)) && !route_domain_known(c, rcpt->domain))
		return 0;
	for (i = 0; i < c->nroutes; i++)
		if (c->routes[i].specificity == 2 &&
		    rank(c, &c->routes[i], rcpt) >= 3)
			return 1;
	if (postmaster_address(c, &pm) == 0)
		*rcpt = pm;
	return 1;
}

int
route_same(const struct route *a, const struct route *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return proc_argv_same(a->argv, b->argv);
}
