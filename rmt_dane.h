/*
 * rmt_dane.h: DANE for samotop-remote (RFC 7672): which MX hosts publish
 * TLSA records that validate through DNSSEC, looked up with libunbound
 * (scr_dane.h's context: a trust anchor, a resolver that passes DNSSEC
 * records through, libunbound validating them itself).
 *
 * For each mail host, as Postfix does (RFC 7672 2.2.1 allows it even
 * when the MX records themselves are not signed: a hosting provider's
 * signed zone protects unsigned customer domains): its A and AAAA
 * records, and TLSA records at _PORT._tcp.HOST, all asked together.
 * Addresses that validate make the TLSA answer count (2.2.2); secure
 * TLSA records make TLS mandatory and, when some are usable (DANE-TA(2)
 * or DANE-EE(3), 3.1; PKIX-TA(0)/PKIX-EE(1) never are, 3.1.3), the
 * certificate must match one of them; a look-up that fails or whose
 * signatures do not validate makes the host unusable for this attempt
 * (a temporary failure, never a downgrade to plaintext).  The TLSA
 * records are looked up at the MX host name only, not at the target of
 * a CNAME it may be.
 */
#ifndef SAMOTOP_RMT_DANE_H
#define SAMOTOP_RMT_DANE_H

#include <stddef.h>

#include "rmt_mx.h"
#include "scr_dane.h"

#define RMT_DANE_TLSA_MAX	8	/* usable records kept per host */
#define RMT_DANE_DATA_MAX	2048	/* a Full(0) record: a key or a
					   certificate, DER */

struct rmt_tlsa {
	unsigned char	usage, selector, mtype;
	size_t		len;
	unsigned char	data[RMT_DANE_DATA_MAX];
};

enum rmt_dane_state {
	RMT_DANE_NONE,		/* DANE does not apply: opportunistic TLS */
	RMT_DANE_SECURE,	/* secure TLSA records: TLS is mandatory */
	RMT_DANE_FAIL,		/* a look-up failed or was bogus: skip */
};

struct rmt_dane_host {
	enum rmt_dane_state state;
	size_t		ntlsa;		/* usable records; 0 with SECURE:
					   TLS without authentication */
	struct rmt_tlsa	tlsa[RMT_DANE_TLSA_MAX];
	char		why[320];	/* FAIL's reason, NONE's note */
};

/*
 * 1 and the record in t when rdata p[0..len) is a usable TLSA record
 * (scr_dane_tlsa_usable()); 0 otherwise; -1 for a usable one longer
 * than RMT_DANE_DATA_MAX (a host that publishes one is skipped rather
 * than authenticated by fewer records than it meant).  Pure.
 */
int	rmt_dane_tlsa_parse(const unsigned char *p, size_t len,
	    struct rmt_tlsa *t);
/*
 * The DANE state of each of mx's hosts into out[0..mx->nhost), for
 * connections to port, within dc->timeout seconds.  With domain (NULL:
 * the hosts were given, not looked up) its MX records are asked too,
 * since mx came from the system's resolver, which does not validate: a
 * look-up that fails or is bogus (RFC 7672 2.1.1) makes every host
 * RMT_DANE_FAIL, and so does, when the answer validates, a host it does
 * not name (or any host, when it names some and mx->implicit says there
 * were none).  0; -1 when DANE could not run at all (the trust anchor,
 * libunbound, the resolver): every host is then RMT_DANE_FAIL with why.
 */
int	rmt_dane_lookup(const struct scr_dane_conf *dc, const char *domain,
	    const struct rmt_mx *mx, unsigned port, struct rmt_dane_host *out,
	    char *why, size_t size);
/* "DANE-EE", "DANE-TA", "PKIX-EE", "PKIX-TA" or "?" for a usage. */
const char *rmt_dane_usage_name(unsigned usage);

#endif
