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
	l->why[0] = '\0';
	l->hash = NULL;
	l->hash_arg = NULL;
}

enum limit_verdict
limit_check(struct limits *l, const struct conf *c, struct store *st,
    enum limit_kind kind, const char *ip, time_t now, unsigned long *total)
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
	if (st == NULL) {
		snprintf(l->why, sizeof(l->why), "store %s: cannot be opened",
		    c->store_db);
		return limit_decide(rate->n, 0, 0, c->limit_default);
	}
	if (store_counter_add(st, limit_counter(kind), k, 1, rate->period,
	    now, total) == -1) {
		snprintf(l->why, sizeof(l->why), "store %s",
		    store_error(st));
		*total = 0;
		return limit_decide(rate->n, 0, 0, c->limit_default);
	}
	return limit_decide(rate->n, *total, 1, c->limit_default);
}
