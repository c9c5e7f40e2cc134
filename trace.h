/*
 * trace.h: leave-no-trace (samotop.conf(5)): the secret key and the
 * keyed hashes that stand for personal data where samotop must still
 * tell two values apart (log lines, the greylist store), without the
 * values.
 *
 * The key is TRACE_KEY_LEN random octets in a file that the first
 * session creates (mode 0600): written under a temporary name in the
 * same directory, fsync(2)ed, then link(2)ed to its name, so that of
 * two sessions that create it at once both end up with the one that
 * was linked first.  The hashes are HMAC-SHA256 from libcrypto
 * (cryptolib.h):
 *   log:      the first TRACE_LOG_HEX hex digits of
 *             HMAC(HMAC(key, "log:" YYYY-MM-DD), value), the date in
 *             UTC: one client reads the same within a day, and no
 *             hash links one day's lines to another's;
 *   store:    hex of HMAC(key, LABEL ":" value): the same for as long
 *             as the key is, so that a greylisting retry matches.
 * Values are hashed as given: callers lowercase what is case-blind.
 *
 * Hosts that share a store must hash alike, and each has its own file:
 * for them the store hashes take another key, the store's own secret
 * (trace_shared(); trace_shared.h says which store), fetched at the
 * first store hash of a session and never before, so a session that
 * hashes nothing into the store never asks for it.  Log hashes keep
 * the file's key: a host's log is its own.
 */
#ifndef SAMOTOP_TRACE_H
#define SAMOTOP_TRACE_H

#include <stddef.h>
#include <time.h>

#include "cryptolib.h"

#define TRACE_KEY_LEN		32
#define TRACE_LOG_HEX		12
#define TRACE_STORE_HEX		(2 * CRYPTO_SHA256_LEN)

/*
 * The store hashes' key, when not the file's: into key, 0; or -1 (the
 * fetcher says why, in its log).  Called at most once per trace_shared.
 */
typedef int	trace_fetch_fn(void *arg, unsigned char key[TRACE_KEY_LEN]);

struct trace {
	struct cryptolib lib;
	unsigned char	 key[TRACE_KEY_LEN];
	int		 open;		/* key read and libcrypto loaded */
	trace_fetch_fn	*fetch;		/* NULL: the store hashes use key */
	void		*fetch_arg;
	int		 fetched;	/* 1 skey is fetch's, -1 it failed */
	unsigned char	 skey[TRACE_KEY_LEN];
	char		 day[11];	/* "YYYY-MM-DD" of daykey, or "" */
	unsigned char	 daykey[CRYPTO_SHA256_LEN];
	time_t		 (*now)(time_t *);	/* time(3); tests set it */
};

void	trace_init(struct trace *t);
/*
 * Read the key at path, creating it when there is none, and load
 * libcrypto.  0, or -1 with why ("PATH: what failed").
 */
int	trace_open(struct trace *t, const char *path, char *why, size_t size);
/*
 * Read the key at path into key, or create it (see above).  A file of
 * another size, not a regular file, or readable by group or others is
 * an error.  0, or -1 with why.
 */
int	trace_key(const char *path, unsigned char key[TRACE_KEY_LEN],
	    char *why, size_t size);
/*
 * The store hashes of t take their key from fetch(arg, ...), asked at
 * the first of them, instead of the file's (see above).
 */
void	trace_shared(struct trace *t, trace_fetch_fn *fetch, void *arg);
/*
 * For samotop-smtpd -n: the key at path is valid, or there is none yet
 * and its directory lets this user create it.  Creates nothing.  0, or
 * -1 with why.
 */
int	trace_key_check(const char *path, char *why, size_t size);
/*
 * log_hash_fn (log.h) over a struct trace: out = the log hash of value
 * for today (TRACE_LOG_HEX hex digits), or "" when it cannot be made.
 */
void	trace_log_hash(void *trace, const char *value, char *out,
	    size_t size);
/*
 * greylist_hash_fn (greylist.h) over a struct trace: out = hex of
 * HMAC(key, label ":" value), TRACE_STORE_HEX digits; size must exceed
 * that.  The key is the shared one after trace_shared() (fetched now
 * if this is the first; a fetch that failed is not tried again).  0,
 * or -1.
 */
int	trace_store_hash(void *trace, const char *label,
	    const char *value, char *out, size_t size);
/* t rounded down to a multiple of granularity seconds since the epoch. */
time_t	trace_round(time_t t, unsigned granularity);

#endif
