/*
 * trace_store.h: leave-no-trace with a shared store: which database
 * keeps the one key of a session's store hashes (greylist triplets,
 * rate counters, AUTH failure counters; trace.h), so that MX hosts
 * sharing that database hash a client alike.  The rule
 * (samotop.conf(5), leave-no-trace-key): the store database's secret
 * when store is a postgresql:// URI, else the greylist database's when
 * greylist is one, else none: the key file, as on a single host.
 */
#ifndef SAMOTOP_TRACE_STORE_H
#define SAMOTOP_TRACE_STORE_H

#include "conf.h"

/* The secret's name in the store (store_secret). */
#define TRACE_SECRET	"leave-no-trace"

/*
 * The database (c->store_db or c->greylist_db itself, so a caller may
 * compare pointers) whose secret keys the store hashes, or NULL: the
 * key file.  Whether leave-no-trace is on is the caller's to ask.
 */
const char	*trace_store_db(const struct conf *c);
/*
 * For samotop-smtpd -n: 1 when greylist and store are two different
 * URIs (the greylist's hashes are then keyed by the store database's
 * secret, which every host sharing the greylist must share too).
 */
int		 trace_store_split(const struct conf *c);

#endif
