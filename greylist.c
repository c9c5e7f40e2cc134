/*
 * greylist.c: the greylisting rules, over the records of store.h.
 *
 * A triplet's round starts at its first attempt; a retry between
 * greylist-delay and greylist-window after it passes, and the triplet
 * then passes until greylist-expire after its latest attempt.  A retry
 * after the window starts a new round.  Each triplet that gets through
 * counts one pass for its network: a triplet that waited out the delay
 * is what shows that a network retries (repeated deliveries of one
 * triplet show nothing more), and greylist-autoallow such passes
 * allow the whole network until greylist-expire after its latest pass.
 *
 * What a client can add is bounded: a network may have at most
 * greylist-max-pending triplets whose round is open and not passed; a
 * further one is not recorded (GREY_LIMIT) until some pass or their
 * window ends.  Each triplet recorded removes a bounded number of
 * expired records, so expiry keeps pace with what is added.
 *
 * A check is one store transaction.  A shared store (several MX hosts)
 * may refuse it for colliding with another host's check of the same
 * rows (store_retry()): it is then run again from the start, a few
 * times, after a short random wait.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "greylist.h"
#include "store.h"

#define GREY_NET_MAX		(INET6_ADDRSTRLEN + 4)
#define GREY_EXPIRE_ODDS	100	/* expire on one check in this many */
#define GREY_EXPIRE_MAX		200	/* records removed at a time */
#define GREY_TRIES		5	/* of a transaction that collided */
#define GREY_BACKOFF_US		2000	/* the first wait after it */

int
greylist_network(const char *ip, char *out, size_t size)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	int af, bits, n;

	if (inet_pton(AF_INET, ip, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	else if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		/* The same client as its IPv4 address, so the same key. */
		memmove(a, a + 12, 4);
		af = AF_INET;
	} else
		af = AF_INET6;
	if (af == AF_INET) {
		a[3] = 0;
		bits = 24;
	} else {
		memset(a + 8, 0, 8);
		bits = 64;
	}
	if (inet_ntop(af, a, buf, sizeof(buf)) == NULL)
		return -1;
	n = snprintf(out, size, "%s/%d", buf, bits);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void
greylist_init(struct greylist *g)
{
	g->store = NULL;
	g->why[0] = '\0';
	g->hash = NULL;
	g->hash_arg = NULL;
}

void
greylist_close(struct greylist *g)
{
	store_close(g->store);
	g->store = NULL;
}

/*
 * Domains are case-insensitive and nearly every site treats local parts
 * so: one key for one mailbox, whatever the client's spelling.  ASCII
 * only; UTF-8 octets are kept.
 */
static int
lower(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] != '\0'; i++) {
		if (i + 1 >= size)
			return -1;
		dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i];
	}
	dst[i] = '\0';
	return 0;
}

static time_t
elapsed(time_t now, time_t since)
{
	return now > since ? now - since : 0;
}

/* The store's failure as the reason; always GREY_ERROR. */
static enum grey_result
store_failed(struct greylist *g)
{
	snprintf(g->why, sizeof(g->why), "greylist %s", store_error(g->store));
	store_rollback(g->store);
	return GREY_ERROR;
}

/* Open on first use: sessions that never reach RCPT never pay for it. */
static int
opened(struct greylist *g, const struct conf *c)
{
	char err[sizeof(g->why) - 16];

	if (g->store != NULL)
		return 0;
	if ((g->store = store_open(c->greylist_db, err, sizeof(err))) == NULL) {
		snprintf(g->why, sizeof(g->why), "greylist %s", err);
		return -1;
	}
	return 0;
}

struct store *
greylist_store(struct greylist *g, const struct conf *c)
{
	return opened(g, c) == 0 ? g->store : NULL;
}

/* Allowed for having passed often enough; its pass is refreshed. */
static int
network_allowed(struct greylist *g, const struct conf *c, const char *net,
    time_t now)
{
	struct store_network n;
	int rc;

	if (c->greylist_autoallow == 0)
		return 0;
	if ((rc = store_network_get(g->store, net, &n)) != 1)
		return rc;
	if (n.passes < c->greylist_autoallow ||
	    elapsed(now, n.last) > c->greylist_expire)
		return 0;
	n.last = now;
	n.until = now + c->greylist_expire;
	return store_network_put(g->store, net, &n) == -1 ? -1 : 1;
}

/* One more triplet of this network got through. */
static int
network_pass(struct greylist *g, const struct conf *c, const char *net,
    time_t now)
{
	struct store_network n;
	int rc;

	if (c->greylist_autoallow == 0)
		return 0;
	if ((rc = store_network_get(g->store, net, &n)) == -1)
		return -1;
	if (rc == 0 || elapsed(now, n.last) > c->greylist_expire)
		n.passes = 0;
	n.passes++;
	n.last = now;
	n.until = now + c->greylist_expire;
	return store_network_put(g->store, net, &n);
}

/* Whether an attempt at now starts a new round of t. */
static int
new_round(const struct store_triplet *t, int found, const struct conf *c,
    time_t now)
{
	if (!found)
		return 1;
	return t->passed != 0 ?
	    elapsed(now, t->last) > c->greylist_expire :
	    elapsed(now, t->first) > c->greylist_window;
}

/*
 * Update t for an attempt at now; 1 when it passes (*first_pass set if
 * this attempt is the one that got it through), else 0.
 */
static int
attempt(struct store_triplet *t, int found, const struct conf *c,
    time_t now, int *first_pass)
{
	*first_pass = 0;
	if (!found)
		memset(t, 0, sizeof(*t));
	if (new_round(t, found, c, now)) {
		t->first = now;
		t->passed = 0;
	}
	t->last = now;
	t->attempts++;
	if (t->passed == 0 && elapsed(now, t->first) >= c->greylist_delay) {
		t->passed = now;
		*first_pass = 1;
	}
	/* Garbage once a retry would start a new round anyway. */
	t->until = t->passed != 0 ? now + c->greylist_expire :
	    t->first + c->greylist_window;
	return t->passed != 0;
}

/*
 * Whenever a round opens, so that what is removed keeps pace with what
 * is added; otherwise occasionally, for the rest.  Bounded either way,
 * so that no one session pays for many others.  Outside the check's
 * transaction: a shared store's check holds row locks, and two hosts
 * each removing a row the other holds would wait for each other.
 */
static int
maybe_expire(struct greylist *g, time_t now, int started)
{
	if (!started && arc4random_uniform(GREY_EXPIRE_ODDS) != 0)
		return 0;
	return store_expire(g->store, now, GREY_EXPIRE_MAX) == -1 ? -1 : 0;
}

/* 1 when network already has all the open rounds it may have. */
static int
at_limit(struct greylist *g, const struct conf *c, const char *net,
    time_t now)
{
	long n;

	n = store_pending(g->store, net, now, c->greylist_max_pending);
	if (n == -1)
		return -1;
	return (unsigned long)n >= c->greylist_max_pending;
}

/*
 * A shared store refused the transaction for colliding with another
 * host's on the same rows: wait a little, longer each time and by a
 * random amount, so that the two do not collide again in step.
 */
static void
collided(int tries)
{
	struct timespec ts = { 0, 0 };
	unsigned us;

	us = GREY_BACKOFF_US * (unsigned)tries;
	us += arc4random_uniform(us);
	ts.tv_nsec = (long)us * 1000;
	nanosleep(&ts, NULL);
}

/*
 * Inside the transaction: look up, decide, record.  *started is set
 * when a round was opened (a record added, or an old one started over).
 */
static enum grey_result
decide(struct greylist *g, const struct conf *c, const struct store_key *k,
    time_t now, unsigned *wait, int *started)
{
	struct store_triplet t;
	int found, pass, first_pass, full, round;

	if ((found = network_allowed(g, c, k->network, now)) == -1)
		return GREY_ERROR;
	if (found == 1)
		return GREY_PASS;
	if ((found = store_triplet_get(g->store, k, &t)) == -1)
		return GREY_ERROR;
	if ((round = new_round(&t, found, c, now)) != 0) {
		if ((full = at_limit(g, c, k->network, now)) == -1)
			return GREY_ERROR;
		if (full)
			return GREY_LIMIT;
	}
	pass = attempt(&t, found, c, now, &first_pass);
	if (store_triplet_put(g->store, k, &t) == -1)
		return GREY_ERROR;
	*started = round;
	if (first_pass && network_pass(g, c, k->network, now) == -1)
		return GREY_ERROR;
	if (pass)
		return GREY_PASS;
	*wait = (unsigned)(c->greylist_delay - elapsed(now, t.first));
	return GREY_DEFER;
}

enum grey_result
greylist_check(struct greylist *g, const struct conf *c, const char *ip,
    const char *sender, const char *rcpt, time_t now, unsigned *wait)
{
	char net[GREY_NET_MAX], from[ADDR_MAX + 1], to[ADDR_MAX + 1];
	char hnet[GREY_HASH_MAX], hfrom[GREY_HASH_MAX], hto[GREY_HASH_MAX];
	struct store_key k = { net, from, to };
	enum grey_result r;
	int started, tries;

	*wait = 0;
	if (greylist_network(ip, net, sizeof(net)) == -1) {
		snprintf(g->why, sizeof(g->why),
		    "greylist: not an IP address: %.64s", ip);
		return GREY_ERROR;
	}
	if (lower(from, sender, sizeof(from)) == -1 ||
	    lower(to, rcpt, sizeof(to)) == -1) {
		snprintf(g->why, sizeof(g->why), "greylist: address too long");
		return GREY_ERROR;
	}
	/* First: under leave-no-trace the hash's key may be the store's. */
	if (opened(g, c) == -1)
		return GREY_ERROR;
	if (g->hash != NULL) {
		if (g->hash(g->hash_arg, "greylist", net, hnet,
		    sizeof(hnet)) == -1 || g->hash(g->hash_arg, "greylist",
		    from, hfrom, sizeof(hfrom)) == -1 ||
		    g->hash(g->hash_arg, "greylist", to, hto,
		    sizeof(hto)) == -1) {
			snprintf(g->why, sizeof(g->why),
			    "greylist: cannot hash (leave-no-trace)");
			return GREY_ERROR;
		}
		k.network = hnet;
		k.sender = hfrom;
		k.rcpt = hto;
	}
	for (tries = 1;; tries++) {
		started = 0;
		*wait = 0;
		if (store_begin(g->store) == 0 &&
		    (r = decide(g, c, &k, now, wait, &started)) != GREY_ERROR &&
		    store_commit(g->store) == 0)
			break;
		if (tries == GREY_TRIES || !store_retry(g->store))
			return store_failed(g);
		store_rollback(g->store);
		collided(tries);
	}
	/* After the commit: holding no lock, it waits for nobody's. */
	if (maybe_expire(g, now, started) == -1)
		return store_failed(g);
	return r;
}
