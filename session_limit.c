/*
 * session_limit.c: the session's counters: their store, and the rate
 * limits (limit.h) as replies and log lines.
 */
#include <stdio.h>
#include <time.h>

#include "session_int.h"

struct store *
session_counter_store(struct session *s)
{
	char err[512];

	if (s->store == NULL && !s->store_failed &&
	    (s->store = store_open(s->conf->store_db, err, sizeof(err))) ==
	    NULL) {
		s->store_failed = 1;
		log_event(&s->log, LVL_ERROR, "store", "reason", err, NULL);
	}
	return s->store;
}

static const enum reply_id over_replies[LIMIT__COUNT] = {
	R_LIMIT_CONNECTIONS, R_LIMIT_MESSAGES, R_LIMIT_RECIPIENTS
};

int
session_limit(struct session *s, enum limit_kind kind, struct reply *r)
{
	const struct conf_rate *rate = limit_rate(s->conf, kind);
	unsigned long total;
	char count[24], max[16], period[16];
	int esmtp = kind == LIMIT_CONNECTIONS ? 1 : s->st.esmtp;

	/* An allow-listed client is never counted (policy.h). */
	if (rate->n == 0 || s->policy.client_allowed)
		return 0;
	switch (limit_check(&s->limits, s->conf, session_counter_store(s),
	    kind, s->peer.ip, time(NULL), &total)) {
	case LIMIT_PASS:
		return 0;
	case LIMIT_UNCHECKED:
		/* limit-default accept: let through, but never silently */
		log_event(&s->log, LVL_WARN, "limit", "limit",
		    limit_directive(kind), "result", "unchecked", "action",
		    "accept", "reason", s->limits.why, NULL);
		return 0;
	case LIMIT_ERROR:
		log_event(&s->log, LVL_ERROR, "limit", "limit",
		    limit_directive(kind), "result", "error", "action",
		    "tempfail", "reason", s->limits.why, NULL);
		if (kind == LIMIT_CONNECTIONS)
			reply_add(r, 1, R_SHUTDOWN, s->conf->hostname);
		else
			reply_add(r, esmtp, R_LOCAL_ERROR);
		return -1;
	case LIMIT_OVER:
		break;
	}
	snprintf(count, sizeof(count), "%lu", total);
	snprintf(max, sizeof(max), "%u", rate->n);
	snprintf(period, sizeof(period), "%u", rate->period);
	log_event(&s->log, LVL_INFO, "limit", "limit", limit_directive(kind),
	    "client", s->peer.ip, "count", count, "max", max, "period",
	    period, "result", "over", NULL);
	if (kind == LIMIT_CONNECTIONS)
		reply_add(r, 1, R_LIMIT_CONNECTIONS, s->conf->hostname);
	else
		reply_add(r, esmtp, over_replies[kind]);
	return -1;
}
