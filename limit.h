/*
 * limit.h: rate limits per client network (samotop.conf(5), SCALE-OUT:
 * limit-connections, limit-messages, limit-recipients), Postfix's anvil
 * without a daemon: the counts live in the store (store.h's counters),
 * so that every session, and every MX host sharing the store, adds to
 * the same ones.
 *
 * limit_network() and limit_decide() are pure; limit_check() counts in
 * the store its caller owns (the session's, opened at its first need).
 */
#ifndef SAMOTOP_LIMIT_H
#define SAMOTOP_LIMIT_H

#include <stddef.h>
#include <time.h>

#include "conf.h"

enum limit_kind {
	LIMIT_CONNECTIONS,	/* at the greeting */
	LIMIT_MESSAGES,		/* at MAIL */
	LIMIT_RECIPIENTS,	/* at RCPT */
	LIMIT__COUNT
};

enum limit_verdict {
	LIMIT_PASS,		/* within it, or no limit */
	LIMIT_OVER,		/* over it: refuse */
	LIMIT_UNCHECKED,	/* store failed, limit-default accept */
	LIMIT_ERROR,		/* store failed, limit-default tempfail */
};

#define LIMIT_NET_MAX	(46 + 5)	/* "2001:db8::/64", NUL */
#define LIMIT_HASH_MAX	129		/* as GREY_HASH_MAX */

/* leave-no-trace: out = a keyed hash of label and value (greylist.h). */
typedef int	limit_hash_fn(void *arg, const char *label,
		    const char *value, char *out, size_t size);

struct store;

struct limits {
	char		 why[200];	/* the last failure */
	limit_hash_fn	*hash;		/* NULL; leave-no-trace's */
	void		*hash_arg;
};

/* "limit-connections"... and the store's counter names "conn"... */
const char	*limit_directive(enum limit_kind kind);
const char	*limit_counter(enum limit_kind kind);
/* The configured N/PERIOD of kind (n 0: none). */
const struct conf_rate *limit_rate(const struct conf *c, enum limit_kind kind);
/*
 * The network of ip the counts are kept for: its first prefix4 (IPv4)
 * or prefix6 (IPv6) bits, "192.0.2.0/24", "2001:db8::/64"; an
 * IPv4-mapped IPv6 address counts as its IPv4 address.  0, or -1.
 */
int		 limit_network(const char *ip, unsigned prefix4,
		    unsigned prefix6, char *out, size_t size);
/*
 * What a count means: total (the window's count, this event included)
 * against max; store_ok 0 when the store failed, and then on_error
 * (ACTION_TEMPFAIL or ACTION_ACCEPT, limit-default) decides.
 */
enum limit_verdict limit_decide(unsigned max, unsigned long total,
		    int store_ok, enum check_action on_error);

void		 limit_init(struct limits *l);
/*
 * Count one event of kind for ip at time now in st and decide; *total
 * is the window's count (0 when the store failed, or st is NULL because
 * it could not be opened: l->why says why).  A kind without a limit, or
 * a session without an address, is LIMIT_PASS without a count.
 */
enum limit_verdict limit_check(struct limits *l, const struct conf *c,
		    struct store *st, enum limit_kind kind, const char *ip,
		    time_t now, unsigned long *total);

#endif
