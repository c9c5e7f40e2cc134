/*
 * auth_sasl.h: the SASL exchange of SMTP AUTH (RFC 4954) for the PLAIN
 * (RFC 4616) and LOGIN mechanisms, from the AUTH command's arguments and
 * the client's response lines to a login and a password.  Pure: no I/O,
 * no allocation; the caller sends each challenge as "334 CHALLENGE" and
 * reads the next line (at most AUTH_LINE_MAX octets) itself.
 *
 * Responses are strict base64 (RFC 4648 §4: no blanks, padding only at
 * the end); "=" alone is an empty initial response (RFC 4954 §4), and
 * "*" cancels the exchange.  A PLAIN message is [authzid] NUL authcid
 * NUL passwd; an authzid other than the authcid is refused (nobody may
 * act for another user).  A login or password with a NUL, or a login
 * with a control octet, is malformed.
 */
#ifndef SAMOTOP_AUTH_SASL_H
#define SAMOTOP_AUTH_SASL_H

#include <stddef.h>

#define AUTH_USER_MAX	255	/* a login's octets */
#define AUTH_PASS_MAX	1023	/* a password's octets */
#define AUTH_LINE_MAX	12288	/* RFC 4954 §4: a response line, CRLF in */
#define AUTH_CHALLENGE_MAX 32	/* a challenge's base64 and its NUL */

enum auth_mech { AUTH_MECH_NONE, AUTH_MECH_PLAIN, AUTH_MECH_LOGIN };

enum auth_step {
	AUTH_STEP_CHALLENGE,	/* send "334 " and the challenge, read */
	AUTH_STEP_DONE,		/* login and password are in */
	AUTH_STEP_EMECH,	/* no such mechanism: 504 5.5.4 */
	AUTH_STEP_CANCEL,	/* the client sent "*": 501 5.0.0 */
	AUTH_STEP_EBASE64,	/* not base64: 501 5.5.2 */
	AUTH_STEP_EMALFORMED,	/* base64, but not the mechanism's: 501 */
	AUTH_STEP_EAUTHZID,	/* PLAIN for another identity: 535 */
};

struct auth_sasl {
	enum auth_mech	mech;
	int		want;	/* LOGIN: 0 the login, 1 the password */
	char		user[AUTH_USER_MAX + 1];
	char		pass[AUTH_PASS_MAX + 1];
};

/*
 * Begin with mechanism mech[0..mechlen) (any case) and the initial
 * response ir[0..irlen) when has_ir.  AUTH_STEP_CHALLENGE sets
 * challenge (NUL-terminated, maybe empty).
 */
enum auth_step	auth_sasl_start(struct auth_sasl *a, const char *mech,
		    size_t mechlen, int has_ir, const char *ir, size_t irlen,
		    char challenge[AUTH_CHALLENGE_MAX]);
/* The client's response line[0..len) (no CRLF) to the last challenge. */
enum auth_step	auth_sasl_next(struct auth_sasl *a, const char *line,
		    size_t len, char challenge[AUTH_CHALLENGE_MAX]);
/* Forget the password (and the rest). */
void		auth_sasl_wipe(struct auth_sasl *a);
/* The mechanism's name as AUTH and logs spell it. */
const char	*auth_mech_name(enum auth_mech m);

/*
 * Strict base64 of s[0..len) into out: the octets, or -1 when it is not
 * base64 or does not fit in size.
 */
long		auth_b64_decode(const char *s, size_t len, unsigned char *out,
		    size_t size);
/*
 * in[0..len) as base64 into out, NUL-terminated: its length, or -1
 * when size is too small.
 */
long		auth_b64_encode(const unsigned char *in, size_t len, char *out,
		    size_t size);

#endif
