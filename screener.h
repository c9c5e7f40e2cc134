/*
 * screener.h: the contacts screener's decision for one recipient (the
 * user) of one message.  Pure: the store is asked through the caller's
 * lookup, so that the rules are tested without one.
 *
 * The rules (samotop.conf(5), SCREENER): a sender is an address or a
 * whole domain ("@example.org"), and an address decision beats its
 * domain's.  A deny needs no proof: it refuses.  An allow lets a message
 * into the inbox only when the allowed identity is authenticated: the
 * envelope sender with SPF pass, or the From: address with a DKIM
 * signature that passed aligned with its domain (DMARC's alignment).
 * Anything else waits in the Screener folder: a forger of a friend's
 * address never reaches the inbox through the allow.
 *
 * At RCPT only the envelope is known: a deny of the envelope sender
 * refuses (550 5.7.1), an allow with SPF pass is the inbox, the rest is
 * decided after the data, when the From: address and DKIM are known.
 */
#ifndef SAMOTOP_SCREENER_H
#define SAMOTOP_SCREENER_H

#include <stddef.h>

#include "conf.h"

#define SCREENER_ALLOW	1	/* store.h's STORE_ALLOW */
#define SCREENER_DENY	2	/* STORE_DENY */

enum screener_verdict {
	SCREENER_INBOX,		/* deliver as usual */
	SCREENER_HOLD,		/* into the Screener folder */
	SCREENER_DENY_RCPT,	/* refuse: 550 5.7.1 at RCPT, or no copy */
	SCREENER_LATER,		/* decide after the data */
	SCREENER_ERROR,		/* the store failed: 451 */
};

/*
 * The decision for user about sender (lowercased address or @domain):
 * 1 found (*decision SCREENER_ALLOW or SCREENER_DENY), 0 none, -1 error.
 */
typedef int	(*screener_lookup)(void *arg, const char *user,
		    const char *sender, int *decision);

/* Whether user (a canonical address) is screened (screener-recipient). */
int	screener_applies(const struct conf *c, const char *user);
/*
 * The decision for an address: its own, else its domain's.  0 none
 * (also for "" the null sender), 1, -1 as the lookup.
 */
int	screener_decision(screener_lookup lookup, void *arg, const char *user,
	    const char *addr, int *decision);
/* At RCPT: INBOX, DENY_RCPT, LATER or ERROR. */
enum screener_verdict screener_rcpt(screener_lookup lookup, void *arg,
	    const char *user, const char *sender, int spf_pass);
/*
 * After the data, for a recipient screener_rcpt() left LATER: from is
 * the From: address ("" when none or several), dkim_aligned whether a
 * DKIM signature aligned with its domain passed.  *why says why a HOLD
 * holds ("new sender", "sender not authenticated").
 */
enum screener_verdict screener_after(screener_lookup lookup, void *arg,
	    const char *user, const char *sender, int spf_pass,
	    const char *from, int dkim_aligned, const char **why);

#endif
