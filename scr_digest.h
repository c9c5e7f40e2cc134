/*
 * scr_digest.h: the screener's digest, a message into each screened
 * user's inbox that lists the senders who came to wait in the Screener
 * folder since a time (samotop-screener digest, run daily from cron or
 * a timer), with a link to the web page when `screener-url` names it.
 *
 * The message is written as samotop-maildir writes one: a file in the
 * inbox's tmp/, synced, then renamed into new/.  It carries no
 * X-Samotop-Screener: field, so `learn` never takes it for a released
 * message, and Auto-Submitted: auto-generated (RFC 3834), so that
 * nothing answers it.  Users whose route is not samotop-maildir get no
 * digest (there is no inbox to write into).
 */
#ifndef SAMOTOP_SCR_DIGEST_H
#define SAMOTOP_SCR_DIGEST_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "scr_sender.h"
#include "store.h"

#define SCR_DIGEST_MAX	100	/* senders listed in one digest */

/*
 * One digest for each screened user (store_user_list()) with senders
 * whose first waiting message came at since or later; report(arg, user,
 * n) for each written (n senders listed).  0, or -1 with why (the
 * store); a user's folder that cannot be read or written is reported
 * with n -1 and skipped.
 */
int	scr_digest(const struct conf *c, struct store *st, time_t since,
	    time_t now, void (*report)(void *arg, const char *user, int n),
	    void *arg, char *why, size_t size);
/*
 * The message for user into buf (pure, for tests): its header and the
 * list of senders s[0 .. n).  The length, or 0 when it does not fit.
 */
size_t	scr_digest_message(const struct conf *c, const char *user,
	    const struct scr_sender *s, size_t n, time_t now, char *buf,
	    size_t size);

#endif
