/*
 * lists.h: allow and deny lists (samotop.conf(5): allow, deny).
 * The matchers are pure; list_lookup() also reads list files, which are
 * read afresh by every session so that an edit needs no reload.
 */
#ifndef SAMOTOP_LISTS_H
#define SAMOTOP_LISTS_H

#include "conf.h"

enum list_verdict {
	LIST_NONE,	/* no entry names it */
	LIST_ALLOW,	/* an allow entry: skip every later check */
	LIST_DENY,	/* a deny entry, and no allow entry */
};

/* "192.0.2.0/24", "192.0.2.1", "2001:db8::/32", "::1". */
int	list_cidr_valid(const char *cidr);
int	list_cidr_match(const char *cidr, const char *ip);
/* "name" equal, or ".suffix" ending the name or equal to it; any case. */
int	list_name_match(const char *pattern, const char *name);
/*
 * One entry against a value of its kind.  Sender and recipient entries
 * ("local@domain" or "@domain") and values are compared in canonical
 * form (address.h: addr_pattern_match(), with c's recipient-delimiter
 * and local-part-case): an entry for bob@d names "bob"@d, BOB@d and,
 * without its extension, bob+x@d.
 */
int	list_entry_match(const struct conf *c, enum list_kind kind,
	    const char *pattern, const char *value);
/*
 * What the lists of kind say about value.  Allow beats deny, except that
 * for an address with an extension the entries naming it whole decide
 * first, and only when none does the entries naming it without.  A list
 * file that cannot be read counts as no entry, and *err names it (the
 * caller logs); *line gets the configuration line that decided.
 */
enum list_verdict list_lookup(const struct conf *c, enum list_kind kind,
	    const char *value, const char **err, unsigned *line);

#endif
