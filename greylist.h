/*
 * greylist.h: greylisting of (client network, sender, recipient)
 * triplets.  The network is the client's IPv4 /24 or IPv6 /64.  A
 * triplet first seen, or retried before greylist-delay, is deferred;
 * a retry after the delay and within greylist-window passes, and the
 * triplet then passes until greylist-expire.  A network with
 * greylist-autoallow passes is allowed for greylist-expire without
 * greylisting.  A network may have at most greylist-max-pending
 * triplets that are waiting to pass; a new one beyond that is not
 * recorded and gets GREY_LIMIT.  The state is kept through store.h.
 */
#ifndef SAMOTOP_GREYLIST_H
#define SAMOTOP_GREYLIST_H

#include <stddef.h>
#include <time.h>

#include "conf.h"

enum grey_result {
	GREY_PASS,		/* known and old enough, or network allowed */
	GREY_DEFER,		/* *wait seconds left */
	GREY_LIMIT,		/* not recorded: the network has too many
				   pending; defer it, as for GREY_DEFER */
	GREY_ERROR,		/* the store failed: the caller decides */
};

struct store;

/*
 * leave-no-trace (trace.h): out = a keyed hash (hex) of LABEL and
 * value, of fewer than GREY_HASH_MAX octets; 0 or -1.
 */
#define GREY_HASH_MAX	129
typedef int	greylist_hash_fn(void *arg, const char *label,
		    const char *value, char *out, size_t size);

/* One session's greylisting: the store opens on first use. */
struct greylist {
	struct store	*store;
	char		 why[200];	/* the last GREY_ERROR */
	/*
	 * NULL (greylist_init's default), or leave-no-trace: the store
	 * then keeps hash(arg, "greylist", X) for the network, the sender
	 * and the recipient, never X itself.  The hash must not change
	 * from one session to the next: a retry has to find its triplet.
	 */
	greylist_hash_fn *hash;
	void		*hash_arg;
};

/* The network of ip: "192.0.2.0/24" or "2001:db8:1:2::/64"; 0 or -1. */
int		 greylist_network(const char *ip, char *out, size_t size);
void		 greylist_init(struct greylist *g);
/*
 * Check and record one triplet at time now (the store opens on first
 * use).  g->why says what failed on GREY_ERROR.
 */
enum grey_result greylist_check(struct greylist *g, const struct conf *c,
		    const char *ip, const char *sender, const char *rcpt,
		    time_t now, unsigned *wait);
/*
 * The store, opened now if it was not (a session's other users of the
 * same database share its connection); NULL with g->why.
 */
struct store	*greylist_store(struct greylist *g, const struct conf *c);
void		 greylist_close(struct greylist *g);

#endif
