/*
 * scr_box.h: a user's Screener folder, for samotop-screener.  What
 * waited is read from the folder itself (the session delivers a held
 * message to user+Screener@domain, samotop-maildir puts it in the
 * Maildir++ folder .Screener); the decisions are in the store
 * (store.h).  The user's Maildir is found as samotop-smtpd would
 * deliver to it: the route samotop.conf(5) gives the user's address,
 * when that route runs samotop-maildir, its first TEMPLATE whose
 * Maildir exists.  Other routes (samotop-lmtp to Dovecot, ...) keep
 * their decisions, but their folders are not samotop-screener's to
 * read or release.
 *
 * Bounded: at most SCR_FILES_MAX files of each directory listing (the
 * folder's new/ and cur/) are looked at, each through its first
 * SCR_MSG_READ octets.
 */
#ifndef SAMOTOP_SCR_BOX_H
#define SAMOTOP_SCR_BOX_H

#include <stddef.h>
#include <time.h>

#include "address.h"
#include "conf.h"
#include "scr_sender.h"
#include "store.h"

#define SCR_FILES_MAX	10000	/* files of one directory listing read */


/*
 * The key a user is stored under: USER parsed as an address, put in
 * canonical form (c's recipient-delimiter and local-part case), without
 * its +extension, lowercased: "Bob+x@Example.ORG" is "bob@example.org".
 * 0, or -1 when it is no address with a domain.
 */
int	scr_user_key(const struct conf *c, const char *user, char *out,
	    size_t size);
/*
 * A sender as decisions name it: an address "alice@example.net" or a
 * domain "@example.net", lowercased.  0, or -1 when it is neither.
 */
int	scr_sender_key(const char *sender, char *out, size_t size);
/*
 * Whether the From: address addr is what sender (a key) names: the
 * same address, or an address in the domain "@domain".
 */
int	scr_sender_matches(const char *sender, const char *addr);

/*
 * The user's Maildir into root and the screener's folder name (".NAME":
 * the route's samotop-maildir -s, else c's screener-folder) into
 * folder.  0, or a sysexits(3) code with why: EX_DATAERR (no address),
 * EX_NOUSER (no route, or no Maildir), EX_UNAVAILABLE (the route does
 * not run samotop-maildir), EX_OSERR (the Maildir cannot be looked at).
 */
int	scr_box_maildir(const struct conf *c, const char *user, char *root,
	    size_t rsize, char *folder, size_t fsize, char *why,
	    size_t wsize);

/*
 * Call each for every sender with messages waiting in user's Screener
 * folder, ordered by address.  Messages without a From: address are
 * not listed (a mail client moves them).  each returns 0 to go on;
 * anything else stops the walk and is returned.  A missing folder has
 * no senders.  0, or -1 with why.
 */
int	scr_box_senders(const struct conf *c, const char *user,
	    int (*each)(void *arg, const struct scr_sender *), void *arg,
	    char *why, size_t size);

/*
 * allow/deny/forget: the store, then the folder.  allow moves the
 * sender's messages (sender an address or @domain) from the Screener
 * folder into the inbox (rename(2), new/ or cur/ and the file name
 * kept; one that is gone was moved by another run); deny deletes them
 * with `screener-on-deny delete` (default keep).  decision is
 * STORE_ALLOW, STORE_DENY, or 0 to forget.  A user whose route is not
 * samotop-maildir gets the decision alone.  0, -1 with why.
 */
int	scr_decide(const struct conf *c, struct store *st, const char *user,
	    const char *sender, int decision, char *why, size_t size);
/*
 * scr_decide, made at time now, telling more: 0, or a sysexits(3) code
 * with why (those of scr_box_maildir(), EX_TEMPFAIL for the store,
 * EX_IOERR for the folder).  *count: the messages moved (allow) or
 * deleted (deny); for forget, 1 when there was a decision, else 0.
 * *folder_read: 1 when the folder was looked at (0: the route is not
 * samotop-maildir).
 */
int	scr_decide_status(const struct conf *c, struct store *st,
	    const char *user, const char *sender, int decision, time_t now,
	    unsigned *count, int *folder_read, char *why, size_t size);

/*
 * Call fn for each entry of dir whose name does not start with '.', at
 * most SCR_FILES_MAX of them.  fn returns 0 to go on, anything else
 * stops the walk.  0, fn's value, or -1 with why (a missing dir has no
 * entries).
 */
int	scr_box_each(const char *dir, int (*fn)(void *arg, const char *name),
	    void *arg, char *why, size_t size);

/*
 * Read one message file (its first SCR_MSG_READ octets) at path into
 * m, *mtime its modification time.  0, or -1 with errno.
 */
struct scr_msg;
int	scr_box_read(const char *path, const char *authserv_id,
	    struct scr_msg *m, time_t *mtime);
/* The same through the first max octets (at most SCR_MSG_READ). */
int	scr_box_read_n(const char *path, size_t max, const char *authserv_id,
	    struct scr_msg *m, time_t *mtime);

#endif
