/*
 * scr_learn.h: what the contacts screener learns without being told.
 * A decision someone made stays: learning only fills in senders that
 * have none (neither the address nor an allow of its domain).
 */
#ifndef SAMOTOP_SCR_LEARN_H
#define SAMOTOP_SCR_LEARN_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "store.h"

/*
 * Mail user sends to rcpt (the submission side calls this for each
 * recipient): rcpt is allowed for user, at time now, unless a decision
 * for that address exists already (a deny stays a deny).  1 learned,
 * 0 decided before, -1 with why (user or rcpt no address, the store).
 */
int	scr_learn_outgoing(const struct conf *c, struct store *st,
	    const char *user, const char *rcpt, time_t now, char *why,
	    size_t size);

/*
 * For each user the screener held mail for (store_user_list()), a
 * message carrying an X-Samotop-Screener: field found in the inbox or
 * a folder other than the screener's and those of spam and deleted
 * mail (.Junk, .Spam, .Trash, .Deleted Messages, .Deleted Items,
 * .Junk E-mail, .Bulk Mail, in any case, and their subfolders) was
 * moved there out of the Screener folder by the user: its From: address is allowed, at time now, unless it or its domain
 * has a decision.  report(arg, user, sender, NULL) tells each allow
 * learned; report(arg, user, NULL, why) a user skipped (no Maildir, an
 * unreadable folder).  A user whose route is not samotop-maildir is
 * skipped without a word: their folders are not ours to read.  Returns
 * the number learned, or -1 with why when the store fails.
 */
long	scr_learn(const struct conf *c, struct store *st, time_t now,
	    void (*report)(void *arg, const char *user, const char *sender,
	    const char *why), void *arg, char *why, size_t size);

#endif
