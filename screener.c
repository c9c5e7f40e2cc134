/*
 * screener.c: the contacts screener's rules (screener.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "screener.h"

/* pattern "*", "@domain" or "local@domain" (canonical) matches user. */
static int
matches(const char *pattern, const char *user)
{
	const char *at = strrchr(user, '@');

	if (strcmp(pattern, "*") == 0)
		return 1;
	if (pattern[0] == '@')
		return at != NULL && strcasecmp(pattern + 1, at + 1) == 0;
	return strcasecmp(pattern, user) == 0;
}

int
screener_applies(const struct conf *c, const char *user)
{
	size_t i;

	if (c->screener_db == NULL)
		return 0;
	if (c->nscreener_rcpts == 0)
		return 1;
	for (i = 0; i < c->nscreener_rcpts; i++)
		if (matches(c->screener_rcpts[i], user))
			return 1;
	return 0;
}

/* addr lowercased into buf, and its "@domain" into dom. */
static int
keys(const char *addr, char *buf, size_t size, char *dom, size_t dsize)
{
	const char *at = strrchr(addr, '@');
	size_t i, n = strlen(addr);

	if (n == 0 || n >= size || at == NULL || at[1] == '\0')
		return -1;
	for (i = 0; i <= n; i++)
		buf[i] = addr[i] >= 'A' && addr[i] <= 'Z' ? addr[i] - 'A' +
		    'a' : addr[i];
	snprintf(dom, dsize, "%s", buf + (at - addr));
	return 0;
}

int
screener_decision(screener_lookup lookup, void *arg, const char *user,
    const char *addr, int *decision)
{
	char a[512], d[512];
	int rc;

	*decision = 0;
	if (keys(addr, a, sizeof(a), d, sizeof(d)) == -1)
		return 0;
	if ((rc = lookup(arg, user, a, decision)) != 0)
		return rc;
	return lookup(arg, user, d, decision);
}

enum screener_verdict
screener_rcpt(screener_lookup lookup, void *arg, const char *user,
    const char *sender, int spf_pass)
{
	int d, rc = screener_decision(lookup, arg, user, sender, &d);

	if (rc == -1)
		return SCREENER_ERROR;
	if (rc == 1 && d == SCREENER_DENY)
		return SCREENER_DENY_RCPT;
	if (rc == 1 && d == SCREENER_ALLOW && spf_pass)
		return SCREENER_INBOX;
	return SCREENER_LATER;
}

enum screener_verdict
screener_after(screener_lookup lookup, void *arg, const char *user,
    const char *sender, int spf_pass, const char *from, int dkim_aligned,
    const char **why)
{
	int d = 0, e = 0, rc, rce;

	*why = "new sender";
	rc = screener_decision(lookup, arg, user, from, &d);
	rce = screener_decision(lookup, arg, user, sender, &e);
	if (rc == -1 || rce == -1)
		return SCREENER_ERROR;
	if (rc == 1 && d == SCREENER_DENY)
		return SCREENER_DENY_RCPT;
	if ((rc == 1 && d == SCREENER_ALLOW && dkim_aligned) ||
	    (rce == 1 && e == SCREENER_ALLOW && spf_pass))
		return SCREENER_INBOX;
	if ((rc == 1 && d == SCREENER_ALLOW) ||
	    (rce == 1 && e == SCREENER_ALLOW))
		*why = "sender not authenticated";
	return SCREENER_HOLD;
}
