/*
 * auth_dovecot.h: a client of Dovecot's authentication socket (the
 * auth-client protocol v1, as Postfix's smtpd uses it), for AUTH with
 * auth-dovecot unix:/PATH.
 *
 * The client greets with "VERSION 1 2" and "CPID pid"; the server
 * answers "VERSION 1 x", then SPID, CUID, COOKIE, one MECH line per
 * mechanism and DONE.  The client then asks
 *   AUTH id PLAIN service=smtp nologin secured [rip=IP] resp=BASE64
 * (fields separated by TABs, lines ended by LF) and the server answers
 * "OK id ..." or "FAIL id ..." ("temp" or code=temp_fail: it could not
 * tell).  The password crosses only that socket, inside resp=.
 *
 * The request and the lines' meanings are pure (auth_dovecot_request(),
 * auth_dovecot_line()); auth_dovecot_check() runs the conversation.
 */
#ifndef SAMOTOP_AUTH_DOVECOT_H
#define SAMOTOP_AUTH_DOVECOT_H

#include <stddef.h>

#define AUTH_DOVECOT_LINE_MAX	16384	/* the protocol's own limit */
#define AUTH_DOVECOT_TIMEOUT	30	/* seconds for the whole check */

/* What one line from the server is, as auth_dovecot_line() reads it. */
enum auth_dovecot_event {
	ADC_MORE,	/* a handshake line to take and go on */
	ADC_DONE,	/* DONE: the handshake is over */
	ADC_OK,		/* OK for our id: the password is right */
	ADC_FAIL,	/* FAIL for our id: it is not */
	ADC_TEMP,	/* FAIL for our id, temporary */
	ADC_ERROR,	/* a line the protocol does not allow here */
};

struct auth_dovecot_state {
	int	version;	/* the server's VERSION 1 came */
	int	plain;		/* it offers PLAIN */
	int	done;		/* its DONE came */
	unsigned id;		/* our request's */
	const char *why;	/* with ADC_ERROR */
};

/*
 * The client's handshake and request into buf for user and password
 * (rip the client's address, or "" unknown): its length, or 0 when it
 * does not fit (the caller wipes buf: it holds the password).
 */
size_t	auth_dovecot_request(char *buf, size_t size, unsigned id,
	    long pid, const char *user, const char *password,
	    const char *rip);
/* One line from the server (without its LF), in order. */
enum auth_dovecot_event auth_dovecot_line(struct auth_dovecot_state *s,
	    const char *line, size_t len);

/*
 * Ask the server at spec ("unix:/PATH") whether password is user's:
 * 1 yes, 0 no, -1 it could not tell (why says what happened), within
 * timeout seconds.
 */
int	auth_dovecot_check(const char *spec, const char *user,
	    const char *password, const char *rip, unsigned timeout,
	    char *why, size_t size);

#endif
