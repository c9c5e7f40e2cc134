/*
 * auth_check.h: whether a password is a login's, by the checker the
 * configuration names: auth-checkpassword PROGRAM (the checkpassword
 * interface, through scr_auth_check(): the program reads "login NUL
 * password NUL timestamp NUL" on fd 3 and exits 0 yes, 1 no, anything
 * else: it cannot tell) or auth-dovecot unix:/PATH (auth_dovecot.h).
 * The password crosses only the pipe to the program or the socket.
 */
#ifndef SAMOTOP_AUTH_CHECK_H
#define SAMOTOP_AUTH_CHECK_H

#include <stddef.h>

#include "conf.h"

#define AUTH_CHECK_TIMEOUT	30	/* seconds for the checker */

/*
 * 1 the password is right, 0 it is wrong, -1 the checker could not
 * tell (why says what happened, never the password).  rip: the client's
 * address, for Dovecot's own failure delays ("" unknown).
 */
int	auth_check(const struct conf *c, const char *user,
	    const char *password, const char *rip, char *why, size_t size);

/*
 * Whether login may send as addr (the MAIL FROM or a From: address,
 * local@domain): when addr is login itself (case ignored), or when a
 * sender-login line (or a line of a sender-login file) whose pattern is
 * addr or "@" its domain names login; addr with a +extension
 * (recipient-delimiter) is also tried without it.  1 yes, 0 no, -1 a
 * file could not be read (why).
 */
int	auth_sender_allowed(const struct conf *c, const char *login,
	    const char *addr, char *why, size_t size);
/*
 * The same over the text of a sender-login file: lines "PATTERN
 * LOGIN...", blanks between words, '#' to the line's end a comment.
 * 1 when a line allows it, else 0.  Pure.
 */
int	auth_sender_text(const char *text, size_t len, const char *login,
	    const char *addr);

#endif
