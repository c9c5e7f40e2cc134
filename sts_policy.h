/*
 * sts_policy.h: MTA-STS (RFC 8461) for samotop-remote, the pure part:
 * the _mta-sts TXT record, the policy file, the policy's mx patterns and
 * the cache file that keeps a policy between deliveries.  All of these
 * come from the network or from disk, so each parser checks every bound
 * and none allocates (fuzzed: fuzz/fuzz_sts.c).
 */
#ifndef SAMOTOP_STS_POLICY_H
#define SAMOTOP_STS_POLICY_H

#include <stddef.h>
#include <time.h>

#define STS_ID_MAX	32		/* RFC 8461 §3.1: 1*32 alphanumerics */
#define STS_MX_MAX	16		/* mx patterns kept at most */
#define STS_NAME_MAX	255
#define STS_POLICY_MAX	65536		/* §3.2: a policy body, at most */
#define STS_MAX_AGE_MAX	31557600UL	/* §3.2: max_age, at most */

enum sts_mode {
	STS_NONE,		/* no policy, or mode: none */
	STS_TESTING,		/* report, deliver as before */
	STS_ENFORCE,		/* only the mx hosts, verified TLS only */
};

struct sts_policy {
	enum sts_mode	mode;
	unsigned long	max_age;	/* seconds */
	size_t		nmx;
	char		mx[STS_MX_MAX][STS_NAME_MAX + 1];	/* lower case */
};

/*
 * One TXT record's text (its strings joined, len octets): 1 when it
 * starts with "v=STSv1", and then 0 with its id copied into id, or -1
 * when it is not a valid record; 0 when it is not an MTA-STS record at
 * all (§3.1: such records are ignored).  Pure.
 */
int	sts_txt_record(const char *txt, size_t len, char id[STS_ID_MAX + 1],
	    int *valid);
/*
 * The TXT answer to "_mta-sts.DOMAIN" (a DNS message of len octets):
 * 1 with the id of its one valid MTA-STS record, 0 when there is none
 * (or more than one: §3.1 says there is no policy then), -1 when the
 * answer does not parse.  Pure.
 */
int	sts_txt_answer(const unsigned char *msg, size_t len,
	    char id[STS_ID_MAX + 1]);
/*
 * The policy file of len octets into p: 0, or -1 when it is not a valid
 * STSv1 policy (no version, an unknown mode, no max_age, no mx with a
 * mode other than none).  Unknown fields are ignored; of a field given
 * twice (but mx) the first counts; mx patterns past STS_MX_MAX are
 * ignored.  Pure.
 */
int	sts_policy_parse(const char *text, size_t len, struct sts_policy *p);
/*
 * 1 when host (an MX name, any case, with or without the final dot)
 * matches pattern ("mx.example.com", or "*.example.com": exactly one
 * label more on the left).  Pure.
 */
int	sts_mx_match(const char *pattern, const char *host);
/* 1 when host matches one of p's mx patterns. */
int	sts_policy_allows(const struct sts_policy *p, const char *host);
const char *sts_mode_name(enum sts_mode m);

/*
 * The cache file: "samotop-sts 1", "id ID", "fetched EPOCH", an empty
 * line, then the policy as fetched.  sts_cache_format() writes it into
 * buf (size octets; the length, or 0 when it does not fit);
 * sts_cache_parse() reads one back: 0 with id, fetched and the policy,
 * or -1.  Pure.
 */
size_t	sts_cache_format(char *buf, size_t size, const char *id,
	    time_t fetched, const char *policy, size_t len);
int	sts_cache_parse(const char *buf, size_t len, char id[STS_ID_MAX + 1],
	    time_t *fetched, struct sts_policy *p);

#endif
