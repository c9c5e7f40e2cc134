/*
 * scr_http_main.c: `samotop-screener http`, the web page bound to the
 * real data: the senders waiting in a user's Screener folder
 * (scr_box_senders()), the decisions' store (store_decision_list()) and
 * the decisions themselves (scr_decide(), which releases or deletes
 * what waited).  Kept apart from scr_http.c so that the page's tests
 * link without the folder and the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "scr_box.h"
#include "scr_dane.h"
#include "unboundlib.h"
#include "scr_http.h"
#include "store.h"

#define DANE_CACHE	16	/* sender domains a connection remembers */
#define DANE_TIMEOUT	3	/* seconds a domain's check may take */

struct bound {
	const struct conf	*c;
	struct store		*st;
	struct unboundlib	 ub;	/* loaded at the first check */
	size_t			 ncache;
	struct {
		char	domain[256];
		char	text[256];
	}			 cache[DANE_CACHE];
	/* the page's own callback, while senders() wraps it */
	int			(*each)(void *, const struct scr_sender *);
	void			*eacharg;
};

/*
 * What DNSSEC and DANE say of the sender's domain (scr_dane.h), checked
 * once per connection and domain, at most DANE_TIMEOUT seconds each.
 */
static const char *
dane_text(struct bound *b, const char *addr)
{
	struct scr_dane_conf dc = { b->c->screener_trust_anchor, NULL,
	    DANE_TIMEOUT, &b->ub };
	struct scr_dane d;
	const char *at = strrchr(addr, '@');
	char why[256];
	size_t i;

	if (at == NULL || at[1] == '\0')
		return NULL;
	for (i = 0; i < b->ncache; i++)
		if (strcmp(b->cache[i].domain, at + 1) == 0)
			return b->cache[i].text;
	i = b->ncache < DANE_CACHE ? b->ncache++ : DANE_CACHE - 1;
	snprintf(b->cache[i].domain, sizeof(b->cache[i].domain), "%s",
	    at + 1);
	(void)scr_dane_check(&dc, at + 1, &d, why, sizeof(why));
	scr_dane_text(&d, b->cache[i].text, sizeof(b->cache[i].text));
	return b->cache[i].text;
}

/* A waiting sender, its evidence completed with DNSSEC and DANE's. */
static int
with_dane(void *arg, const struct scr_sender *s)
{
	struct bound *b = arg;
	struct scr_sender t = *s;
	const char *text = dane_text(b, s->addr);
	size_t n = strlen(t.evidence);

	if (text != NULL)
		snprintf(t.evidence + n, sizeof(t.evidence) - n, "%s%s",
		    n > 0 ? "; " : "", text);
	return b->each(b->eacharg, &t);
}

static int
senders(void *arg, const char *user,
    int (*each)(void *, const struct scr_sender *), void *eacharg,
    char *why, size_t size)
{
	struct bound *b = arg;

	b->each = each;
	b->eacharg = eacharg;
	return scr_box_senders(b->c, user, with_dane, b, why, size);
}

static int
decide(void *arg, const char *user, const char *sender, int decision,
    char *why, size_t size)
{
	const struct bound *b = arg;

	return scr_decide(b->c, b->st, user, sender, decision, why, size) ==
	    0 ? 0 : -1;
}

static int
decisions(void *arg, const char *user,
    int (*each)(void *, const char *, int, time_t), void *eacharg,
    char *why, size_t size)
{
	const struct bound *b = arg;

	if (store_decision_list(b->st, user, each, eacharg) == -1) {
		snprintf(why, size, "%s: cannot list the decisions",
		    b->c->screener_db);
		return -1;
	}
	return 0;
}

int
scr_http_main(const struct conf *c, int rfd, int wfd)
{
	struct bound *b;
	struct scr_source src = { senders, decide, decisions, NULL };
	char why[300];
	int rc;

	if (c->screener_db == NULL) {
		fprintf(stderr, "samotop-screener: no `screener FILE' in the "
		    "configuration\n");
		return EX_CONFIG;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		fprintf(stderr, "samotop-screener: %s\n", strerror(errno));
		return EX_OSERR;
	}
	b->c = c;
	src.arg = b;
	/* Opened before the first request: a broken store shows at once. */
	if ((b->st = store_open(c->screener_db, why, sizeof(why))) == NULL) {
		fprintf(stderr, "samotop-screener: %s\n", why);
		free(b);
		return EX_UNAVAILABLE;
	}
	rc = scr_http_serve(c, &src, rfd, wfd);
	store_close(b->st);
	free(b);
	return rc;
}
