/*
 * sts_lookup.h: the MTA-STS policy that applies to a domain now (RFC 8461
 * §3, §5.1), for samotop-remote: the _mta-sts TXT record through the libc
 * resolver (res_query()), the cached policy (one file per domain in the
 * cache directory, written atomically), and a fetch over HTTPS
 * (sts_fetch.h) when the record's id differs from the cached one or the
 * cached policy's max_age has passed.  A fetch that fails leaves the
 * cached policy in force while it has not expired; without one, there is
 * no policy (delivery as before).
 */
#ifndef SAMOTOP_STS_LOOKUP_H
#define SAMOTOP_STS_LOOKUP_H

#include <time.h>

#include "sts_policy.h"

#define STS_CACHE_DEFAULT	"/var/lib/samotop/sts"

/* What went wrong on the way, as a type (TLS-RPT's result types). */
enum sts_fail {
	STS_FAIL_NONE,
	STS_FAIL_DNS,		/* the TXT look-up failed */
	STS_FAIL_FETCH,		/* the HTTPS fetch failed */
	STS_FAIL_WEBPKI,	/* the policy server's certificate did not
				   verify */
	STS_FAIL_INVALID,	/* the policy fetched does not parse */
	STS_FAIL_CACHE,		/* the cache could not be written */
};

struct sts_result {
	struct sts_policy policy;	/* mode STS_NONE: no policy */
	char		  id[STS_ID_MAX + 1];	/* "" without one */
	const char	 *source;	/* "none", "cache", "fetched" */
	char		  why[320];	/* what went wrong on the way, or "" */
	enum sts_fail	  fail;		/* and its type */
};

/*
 * The policy for domain (any case) into r: cachedir holds the cache
 * (made when missing), cafile the CAs the policy's HTTPS server is
 * checked against (NULL: the system's).  Never fails: a failure is
 * told in r->why and leaves what the cache had, or no policy.
 */
void	sts_lookup(const char *domain, const char *cachedir,
	    const char *cafile, time_t now, struct sts_result *r);

#endif
