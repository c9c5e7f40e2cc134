/*
 * scr_auth.h: who is asking, for samotop-screener's web page.
 *
 * A user signs in with their mail password, checked by the program that
 * screener-checkpassword names, through the checkpassword interface of
 * qmail (and Dovecot's checkpassword): the program reads "login NUL
 * password NUL timestamp NUL" on fd 3 and exits 0 when they are right,
 * 1 when they are not, 111 (or anything else) when it cannot tell.
 *
 * Once signed in, the browser holds a session cookie that the page signs
 * with HMAC-SHA256 under a key of its own (SCR_AUTH_KEY_LEN random octets
 * in a file that the first request creates, mode 0600, as trace.h's
 * key), and each form carries a CSRF token derived from the same key and
 * the user: a page of another site can neither read it nor guess it.
 * The key's file: the screener store's path with ".web-key" appended.
 */
#ifndef SAMOTOP_SCR_AUTH_H
#define SAMOTOP_SCR_AUTH_H

#include <stddef.h>
#include <time.h>

#include "address.h"
#include "cryptolib.h"

#define SCR_AUTH_KEY_LEN	32
#define SCR_SESSION_TTL		(8 * 3600)	/* a cookie's life, seconds */
#define SCR_CHECKPW_TIMEOUT	10		/* seconds for the program */
#define SCR_CSRF_HEX		32		/* a token's digits */
#define SCR_COOKIE_MAX		(2 * (ADDR_MAX + 1) + 100)
#define SCR_USER_MAX		(ADDR_MAX + 1)

struct scr_auth {
	struct cryptolib lib;
	unsigned char	 key[SCR_AUTH_KEY_LEN];
	int		 open;
};

/*
 * Read (or create) the key at path and load libcrypto.  0, or -1 with
 * why ("PATH: what failed").
 */
int	scr_auth_open(struct scr_auth *a, const char *path, char *why,
	    size_t size);
/* Wipe the key. */
void	scr_auth_close(struct scr_auth *a);

/*
 * The user a login names: lowercased, with "@" domain appended when it
 * has no '@' (domain NULL: then it must have one).  0, or -1 when it is
 * empty, too long, holds a control octet, blank, or more than one '@'.
 * Pure.
 */
int	scr_auth_user(const char *login, const char *domain, char *user,
	    size_t size);
/*
 * Run argv (the checkpassword program and its arguments) with login and
 * password on fd 3, stdin and stdout /dev/null, for timeout seconds at
 * most (then it is killed).  1 the password is right, 0 it is wrong, -1
 * the program could not tell or not be run (why says what happened).
 */
int	scr_auth_check(const char *const argv[], const char *login,
	    const char *password, unsigned timeout, char *why, size_t size);

/*
 * A session cookie's value for user, valid until now + SCR_SESSION_TTL:
 * "EXPIRY.HEXUSER.MAC" (no octet a cookie may not hold).  0, or -1.
 */
int	scr_cookie_make(const struct scr_auth *a, const char *user,
	    time_t now, char *out, size_t size);
/*
 * 1 when value is a cookie that a made and that has not expired at now,
 * with its user in user; 0 otherwise.
 */
int	scr_cookie_check(const struct scr_auth *a, const char *value,
	    time_t now, char *user, size_t size);
/*
 * The CSRF token of user on the day (UTC) of now: SCR_CSRF_HEX digits
 * and a NUL.  0 or -1.
 */
int	scr_csrf_make(const struct scr_auth *a, const char *user, time_t now,
	    char out[SCR_CSRF_HEX + 1]);
/*
 * 1 when token is user's of the day of now or the day before (a page
 * left open overnight still works; an older one is stale), compared in
 * constant time; else 0.
 */
int	scr_csrf_check(const struct scr_auth *a, const char *user, time_t now,
	    const char *token);

#endif
