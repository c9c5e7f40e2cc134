/*
 * sts_fetch.h: an MTA-STS policy fetched over HTTPS (RFC 8461 §3.3):
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt, with libcurl, loaded
 * with dlopen(3) at the first fetch (dlload.h: only the deliveries to
 * domains that publish a policy pay for it).  The server's certificate
 * must verify for mta-sts.DOMAIN (the system's CAs, or cafile); no
 * redirect is followed; only "200" with a text/plain body of at most
 * STS_POLICY_MAX octets counts.
 */
#ifndef SAMOTOP_STS_FETCH_H
#define SAMOTOP_STS_FETCH_H

#include <stddef.h>

#include "sts_policy.h"

/*
 * Fetch domain's policy into buf (STS_POLICY_MAX octets), its length in
 * *len; cafile: the CAs to trust instead of the system's (NULL: those).
 * 0, or -1 with why; -2 with why when the server's certificate did not
 * verify (RFC 8460's sts-webpki-invalid).
 */
int	sts_fetch(const char *domain, const char *cafile, char *buf,
	    size_t *len, char *why, size_t size);

#endif
