/*
 * scr_http_main.c: `samotop-screener http`, the web page bound to the
 * real data: the senders waiting in a user's Screener folder
 * (scr_box_senders()), the decisions' store (store_decision_list()) and
 * the decisions themselves (scr_decide(), which releases or deletes
 * what waited).  Kept apart from scr_http.c so that the page's tests
 * link without the folder and the store.
 */
#include <stdio.h>
#include <sysexits.h>

#include "scr_box.h"
#include "scr_http.h"
#include "store.h"

struct bound {
	const struct conf	*c;
	struct store		*st;
};

static int
senders(void *arg, const char *user,
    int (*each)(void *, const struct scr_sender *), void *eacharg,
    char *why, size_t size)
{
	const struct bound *b = arg;

	return scr_box_senders(b->c, user, each, eacharg, why, size);
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
	struct bound b = { c, NULL };
	struct scr_source src = { senders, decide, decisions, &b };
	char why[300];
	int rc;

	if (c->screener_db == NULL) {
		fprintf(stderr, "samotop-screener: no `screener FILE' in the "
		    "configuration\n");
		return EX_CONFIG;
	}
	/* Opened before the first request: a broken store shows at once. */
	if ((b.st = store_open(c->screener_db, why, sizeof(why))) == NULL) {
		fprintf(stderr, "samotop-screener: %s\n", why);
		return EX_UNAVAILABLE;
	}
	rc = scr_http_serve(c, &src, rfd, wfd);
	store_close(b.st);
	return rc;
}
