/*
 * store.h: the state that outlives one session (greylisting), behind
 * one small interface.  store_sqlite.c keeps it in an SQLite file; a
 * shared server database (several MX hosts) can implement the same
 * calls.  The store knows records and their lifetimes, not the
 * greylisting rules: those are in greylist.c.
 *
 * A record whose until has passed is garbage: store_expire may remove
 * it at any time, and callers must not rely on it being gone.
 * Times are seconds since the epoch, always given by the caller.
 */
#ifndef SAMOTOP_STORE_H
#define SAMOTOP_STORE_H

#include <stddef.h>
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
 * Open (creating it, mode 0600) the store at path.  NULL with err
 * filled ("path: what failed") on failure.
 */
struct store	*store_open(const char *path, char *err, size_t size);
/*
 * Everything from store_begin to store_commit is atomic: no other
 * client reads or writes the store in between, so a read-modify-write
 * loses nothing.  store_rollback undoes it (after an error, too).
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
 * work is bounded whatever one network sent.  The number, or -1.
 */
long		 store_pending(struct store *s, const char *network,
		    time_t now, unsigned max);
/*
 * Remove up to max records of each kind whose until is before now:
 * bounded work, so a session never pays for a large backlog.  The
 * number removed, or -1.
 */
long		 store_expire(struct store *s, time_t now, unsigned max);
/* What the last failure was: "path: message". */
const char	*store_error(const struct store *s);
void		 store_close(struct store *s);

#endif
