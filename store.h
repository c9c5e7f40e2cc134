/*
 * store.h: the state that outlives one session (greylisting, the
 * contacts screener's decisions, rate counters), behind one small
 * interface.
 * store_sqlite.c keeps it in an SQLite file, the embedded default;
 * store_pg.c in a PostgreSQL database that several MX hosts share
 * (store.c picks one by the name it is given).  The store knows
 * records and their lifetimes, not the greylisting rules (greylist.c)
 * nor the screener's (which decision wins).
 *
 * A record whose until has passed is garbage: store_expire may remove
 * it at any time, and callers must not rely on it being gone.
 * Times are seconds since the epoch, always given by the caller.
 */
#ifndef SAMOTOP_STORE_H
#define SAMOTOP_STORE_H

#include <stddef.h>
#include <strings.h>
#include <time.h>

/* A greylisting triplet. */
struct store_key {
	const char	*network;	/* "192.0.2.0/24", "2001:db8::/64" */
	const char	*sender;	/* lowercased, "" for <> */
	const char	*rcpt;		/* lowercased */
};

struct store_triplet {
	time_t		 first;		/* first attempt of this round */
	time_t		 last;		/* latest attempt */
	time_t		 passed;	/* first pass, 0: not yet */
	unsigned long	 attempts;	/* all attempts seen */
	time_t		 until;		/* garbage after this */
};

struct store_network {
	unsigned long	 passes;	/* triplets that got through */
	time_t		 last;		/* latest pass */
	time_t		 until;		/* garbage after this */
};

struct store;

/*
 * 1 when where is a server's URI (postgresql://... or postgres://...),
 * 0 when it is a file's path.
 */
static inline int
store_is_uri(const char *where)
{
	return strncasecmp(where, "postgresql://", 13) == 0 ||
	    strncasecmp(where, "postgres://", 11) == 0;
}
/*
 * Open the store at where: a URI (store_is_uri) connects to that
 * PostgreSQL database, creating or updating its tables; anything else
 * is an SQLite file, created mode 0600.  NULL with err filled
 * ("where: what failed", a URI without its password) on failure.
 */
struct store	*store_open(const char *where, char *err, size_t size);
/*
 * Everything from store_begin to store_commit is atomic: no other
 * client writes what it read or wrote in between, so a
 * read-modify-write loses nothing.  store_rollback undoes it (after an
 * error, too).  A shared store may refuse a transaction that collided
 * with another client's instead of making it wait: store_retry() then
 * says so, and the caller rolls back and runs the whole transaction
 * again.
 */
int		 store_begin(struct store *s);
int		 store_commit(struct store *s);
void		 store_rollback(struct store *s);
/* 1 found, 0 not found, -1 error. */
int		 store_triplet_get(struct store *s, const struct store_key *k,
		    struct store_triplet *t);
/* Insert or replace; 0 or -1. */
int		 store_triplet_put(struct store *s, const struct store_key *k,
		    const struct store_triplet *t);
int		 store_network_get(struct store *s, const char *network,
		    struct store_network *n);
int		 store_network_put(struct store *s, const char *network,
		    const struct store_network *n);
/*
 * The pending triplets of network: not passed, and until not before
 * now (their round is still open).  Counts at most max of them, so the
 * work is bounded whatever one network sent.  Inside a transaction,
 * other transactions that count the same network wait for this one's
 * end, so that a limit checked with the count holds exactly.  The
 * number, or -1.
 */
long		 store_pending(struct store *s, const char *network,
		    time_t now, unsigned max);
/*
 * Remove up to max records of each kind whose until is before now:
 * bounded work, so a session never pays for a large backlog.  The
 * number removed, or -1.
 */
long		 store_expire(struct store *s, time_t now, unsigned max);

/*
 * The contacts screener's decisions: per user (the recipient, an
 * address), for a sender (an address, or "@domain" for a whole
 * domain): STORE_ALLOW or STORE_DENY.  Both keys are stored and
 * compared lowercased (ASCII), whatever case the caller gives.  The
 * store knows exact keys only: that an address decision beats its
 * domain's is the caller's rule (ask for the address, then the domain).
 * Decisions do not expire.
 */
#define STORE_ALLOW	1
#define STORE_DENY	2
/* 1 found (*decision set), 0 not found, -1 error. */
int		 store_decision_get(struct store *s, const char *user,
		    const char *sender, int *decision);
/* Insert or replace, made at time at; 0, or -1 (a bad decision too). */
int		 store_decision_put(struct store *s, const char *user,
		    const char *sender, int decision, time_t at);
/* 1 removed, 0 there was none, -1 error. */
int		 store_decision_forget(struct store *s, const char *user,
		    const char *sender);
/*
 * Call each for every decision of user, ordered by sender.  each
 * returns 0 to go on; anything else stops the walk and is returned
 * (so -1 from each is this call's -1, with store_error() not set).
 * 0, or -1 on a store error.  each may call the store, but not this
 * same walk again (its statement is the one being stepped).
 */
int		 store_decision_list(struct store *s, const char *user,
		    int (*each)(void *arg, const char *sender, int decision,
		    time_t at), void *arg);
/*
 * The users the screener held mail for (samotop-screener learn scans
 * their folders): remember user, seen at time at.  0 or -1.
 */
int		 store_user_seen(struct store *s, const char *user, time_t at);
/* Call each for every such user, ordered; as store_decision_list. */
int		 store_user_list(struct store *s, int (*each)(void *arg,
		    const char *user), void *arg);
/*
 * Rate counters (rate limits, AUTH failures, bounces sent): a count per
 * name (what is counted, such as "auth-fail") and key (whom: a network,
 * a user) over a fixed window of period seconds from its first event.
 * Add n (0 only reads) at time now and set *total to the window's count
 * after the addition; a window that has ended starts again at now with
 * n.  Atomic on its own, outside store_begin too.  0, or -1.
 */
int		 store_counter_add(struct store *s, const char *name,
		    const char *key, unsigned long n, unsigned period,
		    time_t now, unsigned long *total);
/*
 * A named secret shared by everyone who uses the store (the
 * leave-no-trace key that several MX hosts must agree on): its len
 * octets into out.  The first caller to ask for name makes it, len
 * random octets (getrandom(2)); of callers that ask at once, on one
 * host or several, all get the one that was stored first.  A stored
 * secret of another length is an error.  Secrets do not expire, and
 * whoever reads the store reads them.  Atomic on its own, outside
 * store_begin too.  len is 1 to STORE_SECRET_MAX.  0, or -1.
 */
#define STORE_SECRET_MAX	64	/* octets */
int		 store_secret(struct store *s, const char *name,
		    unsigned char *out, size_t len);
/*
 * 1 when the last failure was a collision with another client's
 * transaction (a serialization failure or a deadlock), so that running
 * the same transaction again, from store_begin, may well succeed; 0
 * for any other failure.
 */
int		 store_retry(const struct store *s);
/* What the last failure was: "where: message", on one line. */
const char	*store_error(const struct store *s);
void		 store_close(struct store *s);

#endif
