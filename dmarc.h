/*
 * dmarc.h: DMARC evaluation (RFC 7489) of one message, from the results
 * samotop already has: the From: header field's domain(s), the SPF
 * result with the domain it was for, and each DKIM signature's d= and
 * result (dkim.h).  libopendmarc (dmarclib.h) parses the published
 * record, fetches it from DNS by default, and holds the Public Suffix
 * List that gives each name's organizational domain.
 *
 * What libopendmarc 1.4.2 alone would decide differently, and why
 * dmarc.c decides it itself:
 * - Alignment (RFC 7489 3.1) is computed here, over every DKIM signature:
 *   strict is the same name (ASCII case ignored, a final dot ignored),
 *   relaxed the same organizational domain.  1.4.2's
 *   opendmarc_get_policy_to_enforce() passes adkim=s/aspf=s when the
 *   From: domain is the organizational domain of d= (From example.org,
 *   d=mail.example.org), aligns d=org with From example.org in relaxed
 *   mode (a public suffix has no organizational domain), and weighs
 *   only the one signature opendmarc_policy_store_dkim() kept.
 * - A record that fails to parse is permerror, whatever it set before
 *   the bad tag: 1.4.2 leaves p= set when a later tag is bad (pct=200),
 *   and its verdict would then apply that p=.
 * - pct= (RFC 7489 6.6.4) is applied here, with the caller's random
 *   number: 1.4.2 only parses it.  A fail not sampled gets the next
 *   lower disposition (reject: quarantine; quarantine: none).  1.4.2
 *   takes a pct= that is not a number as 0 (so no fail is sampled).
 * - A record without p= is permerror, even with a valid rua= (RFC 7489
 *   6.3 would have it read as p=none): libopendmarc 1.4.2 refuses it
 *   (DMARC_PARSE_ERROR_NO_REQUIRED_P) and no policy is applied either way.
 * - sp= applies when the record was found at the organizational domain
 *   because the From: domain itself has none (RFC 7489 6.6.3); without
 *   sp=, p= applies.
 *
 * - The organizational domain: 1.4.2's opendmarc_get_tld() returns
 *   nothing for a name under a TLD its list lacks (a.b.test), where the
 *   list's default rule ("*") makes b.test; dmarc.c applies that rule,
 *   and looks the record up there itself when libopendmarc would not.
 *   Left as 1.4.2 has them (documented, not corrected): a wildcard
 *   rule counts as its parent (*.kawasaki.jp: a.b.c.kawasaki.jp gets
 *   c.kawasaki.jp, not b.c.kawasaki.jp), a multi-label suffix is its
 *   own organizational domain (co.uk), and the suffixes of the list's
 *   private section do not count (a.github.io gets github.io).
 *
 * Several From: domains (RFC 7489 6.6.1): each distinct one (ASCII case
 * ignored) is evaluated, and the strictest verdict is the message's, in
 * this order: fail with reject, fail with quarantine, temperror,
 * permerror, fail with none, none, pass.  So a message passes only when
 * every From: domain passes, and one domain publishing p=reject rejects
 * it whatever the others say.  No From: domain at all (no From: field,
 * or one without a domain, such as a group) is permerror with the
 * disposition none: RFC 7489 leaves such a message outside DMARC (RFC
 * 5322 requires one From:), and what to do with it is the caller's
 * policy.  At most DMARC_FROM_MAX domains are evaluated (each may mean
 * two DNS lookups); more are one permerror.
 *
 * Results: pass (an aligned identifier passed), fail (a record was found
 * and none aligned), none (no record at the From: domain nor at its
 * organizational domain; records not starting with v=DMARC1 are no
 * records), temperror (a lookup failed: the caller must defer the
 * message, 451, never accept it silently), permerror (the record is
 * malformed, or the From: domain is unusable).  The disposition is what
 * the policy asks for a fail (none otherwise): the caller decides
 * what each means (reject with 550 5.7.1, quarantine, accept).
 *
 * Cost: dmarc_open() takes about 5 ms (loading libopendmarc, and
 * reading the list, some 230 KB, into its hash table; measured with
 * tests/dmarc_drive on the shared build machine), paid by a session's
 * first evaluation.
 *
 * State: libopendmarc keeps the Public Suffix List and its set-up in
 * global state (one per process): dmarc_open() loads it, dmarc_close()
 * frees it (and a unit test may open again).  Evaluations allocate in
 * libopendmarc (one policy context per From: domain, freed before
 * dmarc_evaluate() returns); nothing of it survives a message.
 */
#ifndef SAMOTOP_DMARC_H
#define SAMOTOP_DMARC_H

#include <stddef.h>

#include "dkim.h"
#include "dmarclib.h"
#include "spf.h"

#define DMARC_PSL	"/usr/share/publicsuffix/public_suffix_list.dat"
#define DMARC_FROM_MAX	8		/* From: domains evaluated */
#define DMARC_RECORD_MAX 1024		/* octets of a record (text) */
#define DMARC_DOMAIN_MAX 253		/* octets of a domain name */

/* RFC 8601 2.7.1's results for dmarc=, but for "policy". */
enum dmarc_res {
	DMARC_RES_NONE,
	DMARC_RES_PASS,
	DMARC_RES_FAIL,
	DMARC_RES_TEMPERROR,
	DMARC_RES_PERMERROR,
};

/* A policy (p=, sp=) and a disposition alike. */
enum dmarc_policy {
	DMARC_POL_UNSET,		/* no record, or no sp= */
	DMARC_POL_NONE,
	DMARC_POL_QUARANTINE,
	DMARC_POL_REJECT,
};

/* Which identifiers aligned and passed (a bit set). */
#define DMARC_ALIGN_SPF		0x1
#define DMARC_ALIGN_DKIM	0x2

/* What a record lookup found. */
enum dmarc_lookup {
	DMARC_LOOKUP_FOUND,		/* record holds the TXT record's text */
	DMARC_LOOKUP_NONE,		/* no such name, no TXT record */
	DMARC_LOOKUP_TEMPFAIL,		/* timeout, SERVFAIL: try later */
};

/*
 * A record source other than DNS through libopendmarc: the text of the
 * TXT record at _dmarc.domain (domain as given: the From: domain, then
 * its organizational domain), written into record (size octets with
 * its NUL; longer text is cut).  Of several TXT records, the one
 * starting with v=DMARC1 (RFC 7489 6.6.3: more than one is none).
 */
typedef enum dmarc_lookup (*dmarc_lookup_fn)(void *arg, const char *domain,
    char *record, size_t size);

struct dmarc_input {
	const char *const *from;	/* the From: domains, as parsed */
	size_t		nfrom;
	enum spf_outcome spf;		/* SPF's result ... */
	const char	*spf_domain;	/* ... for this domain (MAIL FROM's,
					 * or HELO's for the null sender);
					 * NULL or "": no SPF result */
	const struct dkim_sigres *dkim;	/* dkim_msg's sig[] */
	size_t		ndkim;
	dmarc_lookup_fn	lookup;		/* NULL: DNS, by libopendmarc */
	void		*lookup_arg;
	unsigned int	random;		/* uniform in 0..99, for pct= */
};

struct dmarc_result {
	enum dmarc_res	res;
	enum dmarc_policy disposition;	/* what the caller should apply */
	enum dmarc_policy p, sp;	/* as published (UNSET: absent) */
	enum dmarc_policy applied;	/* p or sp, whichever applied */
	int		used_sp;	/* sp= applied (a subdomain) */
	int		pct;		/* pct=, 100 without */
	int		sampled_out;	/* a fail not sampled under pct= */
	unsigned int	aligned;	/* DMARC_ALIGN_* that passed */
	char		adkim, aspf;	/* 's' or 'r' as published */
	/*
	 * The From: domain whose verdict this is (header.from=) and the
	 * domain of the record that applied (policy.domain): only
	 * letters, digits, '.', '-', '_', else empty; safe in a header.
	 */
	char		from[DMARC_DOMAIN_MAX + 1];
	char		policy_domain[DMARC_DOMAIN_MAX + 1];
	const char	*why;		/* static text; NULL on pass */
};

struct dmarc_evaluator {
	struct dmarclib	lib;
	int		open;		/* the library set up, the PSL read */
};

/*
 * Load libopendmarc and read the Public Suffix List from psl (NULL:
 * DMARC_PSL, Debian's publicsuffix package).  0, or -1 with why (the
 * library, or the list that could not be read: without it no
 * organizational domain can be found, so no evaluation is done).
 * Calling it again on an open evaluator does nothing.  The list is
 * libopendmarc's global state: one open evaluator per process.
 */
int	dmarc_open(struct dmarc_evaluator *e, const char *psl, char *why,
	    size_t size);
/* Free the list; e is as if zeroed (may be called twice). */
void	dmarc_close(struct dmarc_evaluator *e);

/*
 * Evaluate one message (see above) into r.  With in->lookup NULL the
 * records come from DNS through libopendmarc's
 * opendmarc_policy_query_dmarc(), which asks glibc's resolver (the
 * nameservers and options of /etc/resolv.conf, as SPF's and DKIM's
 * lookups); 1.4.2 there looks up the organizational domain even when
 * the From: domain's lookup failed, and a temporary failure is then
 * reported only when the second lookup fails too (with a lookup
 * function, a failed first lookup is temperror at once).  A From:
 * domain that does not exist (NXDOMAIN) still gets its organizational
 * domain's record.  An evaluator not open gives temperror.
 */
void	dmarc_evaluate(struct dmarc_evaluator *e, const struct dmarc_input *in,
	    struct dmarc_result *r);

/* "pass", "fail", ... as Authentication-Results: spells them. */
const char *dmarc_res_name(enum dmarc_res r);
/* "none", "quarantine", "reject" ("" for UNSET). */
const char *dmarc_policy_name(enum dmarc_policy p);

/*
 * Pure helpers (no library): 1 when a and b are the same domain (ASCII
 * case and one final dot ignored).  dmarc_record_v1: 1 when text starts
 * with the tag v=DMARC1 (blanks around '=' allowed), as RFC 7489 6.6.3
 * requires of a record.
 */
int	dmarc_same_domain(const char *a, const char *b);
int	dmarc_record_v1(const char *text);

#endif
