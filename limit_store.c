/*
 * limit_store.c: the rate limits' counts, in the store.
 */
#include <stdio.h>
#include <string.h>

#include "limit.h"
#include "store.h"

void
limit_init(struct limits *l)
{
	l->store = NULL;
	l->failed = 0;
	l->why[0] = '\0';
	l->hash = NULL;
	l->hash_arg = NULL;
}

void
limit_close(struct limits *l)
{
	store_close(l->store);
	l->store = NULL;
}

/* Open on first use: a session that meets no limit never pays for it. */
static int
opened(struct limits *l, const struct conf *c)
{
	char err[sizeof(l->why) - 16];

	if (l->store != NULL)
		return 0;
	if (l->failed)
		return -1;
	if ((l->store = store_open(c->store_db, err, sizeof(err))) == NULL) {
		l->failed = 1;
		snprintf(l->why, sizeof(l->why), "store %s", err);
		return -1;
	}
	return 0;
}

enum limit_verdict
limit_check(struct limits *l, const struct conf *c, enum limit_kind kind,
    const char *ip, time_t now, unsigned long *total)
{
	const struct conf_rate *rate = limit_rate(c, kind);
	char net[LIMIT_NET_MAX], key[LIMIT_HASH_MAX];
	const char *k = net;

	*total = 0;
	if (rate->n == 0 || ip[0] == '\0')
		return LIMIT_PASS;
	if (limit_network(ip, c->limit_prefix4, c->limit_prefix6, net,
	    sizeof(net)) == -1) {
		snprintf(l->why, sizeof(l->why), "no network for %s", ip);
		return limit_decide(rate->n, 0, 0, c->limit_default);
	}
	if (l->hash != NULL) {
		if (l->hash(l->hash_arg, "limit", net, key,
		    sizeof(key)) == -1) {
			snprintf(l->why, sizeof(l->why),
			    "leave-no-trace: cannot hash the network");
			return limit_decide(rate->n, 0, 0, c->limit_default);
		}
		k = key;
	}
	if (opened(l, c) == -1)
		return limit_decide(rate->n, 0, 0, c->limit_default);
	if (store_counter_add(l->store, limit_counter(kind), k, 1, rate->period,
	    now, total) == -1) {
		snprintf(l->why, sizeof(l->why), "store %s",
		    store_error(l->store));
		*total = 0;
		return limit_decide(rate->n, 0, 0, c->limit_default);
	}
	return limit_decide(rate->n, *total, 1, c->limit_default);
}
