/*
 * session_trace.c: leave-no-trace's store key in a session whose store
 * is shared (trace_store.h says which database keeps it): fetched from
 * that database at the session's first store hash, through the
 * connection the session uses there anyway, so that a session that
 * hashes nothing opens nothing for it, and one that does opens no
 * connection more than it would without leave-no-trace.
 */
#include <string.h>

#include "session_int.h"
#include "trace_store.h"

/*
 * An open connection to db: the greylist's when greylist names db and
 * it is open, or when db is not the counters' store (its hashes are
 * about to be stored there); else the counters' (opened for them now).
 */
static struct store *
key_store(struct session *s, const char *db)
{
	const struct conf *c = s->conf;
	struct greylist *g = &s->policy.grey;
	struct store *st;

	if (c->greylist_db != NULL && strcmp(db, c->greylist_db) == 0 &&
	    (g->store != NULL || db != c->store_db)) {
		if ((st = greylist_store(g, c)) == NULL)
			log_event(&s->log, LVL_ERROR, "store", "secret",
			    TRACE_SECRET, "reason", g->why, NULL);
		return st;
	}
	return session_counter_store(s);	/* logs its failure */
}

/* trace_fetch_fn over a session. */
static int
fetch(void *arg, unsigned char key[TRACE_KEY_LEN])
{
	struct session *s = arg;
	struct store *st;

	if ((st = key_store(s, trace_store_db(s->conf))) == NULL)
		return -1;
	if (store_secret(st, TRACE_SECRET, key, TRACE_KEY_LEN) == -1) {
		log_event(&s->log, LVL_ERROR, "store", "secret",
		    TRACE_SECRET, "reason", store_error(st), NULL);
		return -1;
	}
	return 0;
}

void
session_trace_shared(struct session *s)
{
	if (s->conf->leave_no_trace && trace_store_db(s->conf) != NULL)
		trace_shared(&s->trace, fetch, s);
}
