/*
 * route.h: which helper delivers a recipient.  Pure.
 */
#ifndef SAMOTOP_ROUTE_H
#define SAMOTOP_ROUTE_H

#include "address.h"
#include "conf.h"

/*
 * The most specific route for rcpt, whatever the order in the file:
 * "local@domain" (the whole address, then without its extension), then
 * "@domain", then "*".  rcpt and the patterns are compared in canonical
 * form (mailbox_canonical() with the configured recipient-delimiter and
 * local-part-case).  NULL: no route.
 */
const struct route	*route_lookup(const struct conf *c,
			    const struct mailbox *rcpt);
/*
 * RFC 5321 §4.5.1: whether rcpt (canonical) is the postmaster, and where
 * its mail goes.  <postmaster>, postmaster@hostname and postmaster@ any
 * domain a route names (the local part in any case) are rewritten to
 * the "postmaster" directive's address, by default postmaster@ the first
 * domain a route names in the file (postmaster@hostname when none does),
 * unless a route names that postmaster address itself.  The result is
 * canonical.  Returns 1 for the postmaster (rewritten or not), else 0
 * (rcpt untouched).
 */
int			 route_postmaster(const struct conf *c,
			    struct mailbox *rcpt);
/* Whether any route names this domain ("@domain" or "x@domain"). */
int			 route_domain_known(const struct conf *c,
			    const char *domain);
/* Whether two routes run the same helper (same argv). */
int			 route_same(const struct route *a,
			    const struct route *b);

#endif
