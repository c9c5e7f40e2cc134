/*
 * auth_sasl.c: PLAIN and LOGIN, and their base64 (auth_sasl.h).
 */
#include <string.h>
#include <strings.h>

#include "auth_sasl.h"

/* The decoded response: the longest PLAIN message, and a little room. */
#define DECODED_MAX	(2 * AUTH_USER_MAX + AUTH_PASS_MAX + 8)

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

long
auth_b64_decode(const char *s, size_t len, unsigned char *out, size_t size)
{
	unsigned long acc;
	size_t i, j, n = 0, pad = 0;
	int v;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len; i += 4) {
		acc = 0;
		for (j = 0; j < 4; j++) {
			if (i + j >= len - pad)
				v = 0;	/* the padding, at the end only */
			else if ((v = b64val(s[i + j])) < 0)
				return -1;
			acc = acc << 6 | (unsigned long)v;
		}
		for (j = 0; j < 3; j++) {
			if (i + 4 == len && j >= 3 - pad)
				break;
			if (n >= size)
				return -1;
			out[n++] = (unsigned char)(acc >> (16 - 8 * j));
		}
	}
	return (long)n;
}

long
auth_b64_encode(const unsigned char *in, size_t len, char *out, size_t size)
{
	size_t i, n = 0;
	unsigned long acc;

	if (size == 0 || (len + 2) / 3 * 4 >= size)
		return -1;
	for (i = 0; i < len; i += 3) {
		acc = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			acc |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			acc |= in[i + 2];
		out[n++] = b64[acc >> 18 & 63];
		out[n++] = b64[acc >> 12 & 63];
		out[n++] = i + 1 < len ? b64[acc >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? b64[acc & 63] : '=';
	}
	out[n] = '\0';
	return (long)n;
}

const char *
auth_mech_name(enum auth_mech m)
{
	return m == AUTH_MECH_PLAIN ? "PLAIN" : m == AUTH_MECH_LOGIN ?
	    "LOGIN" : "none";
}

void
auth_sasl_wipe(struct auth_sasl *a)
{
	explicit_bzero(a, sizeof(*a));
}

/* A login: 1..AUTH_USER_MAX octets, none a control octet or a blank. */
static int
take_user(struct auth_sasl *a, const unsigned char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > AUTH_USER_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] == 0x7f)
			return -1;
	memcpy(a->user, s, n);
	a->user[n] = '\0';
	return 0;
}

/* A password: any octets but NUL, at most AUTH_PASS_MAX. */
static int
take_pass(struct auth_sasl *a, const unsigned char *s, size_t n)
{
	if (n > AUTH_PASS_MAX || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(a->pass, s, n);
	a->pass[n] = '\0';
	return 0;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd. */
static enum auth_step
plain(struct auth_sasl *a, const unsigned char *m, size_t n)
{
	const unsigned char *nul1, *nul2;
	size_t zlen, ulen;

	if ((nul1 = memchr(m, '\0', n)) == NULL ||
	    (nul2 = memchr(nul1 + 1, '\0', n - (size_t)(nul1 + 1 - m))) ==
	    NULL)
		return AUTH_STEP_EMALFORMED;
	zlen = (size_t)(nul1 - m);
	ulen = (size_t)(nul2 - nul1 - 1);
	if (take_user(a, nul1 + 1, ulen) == -1 ||
	    take_pass(a, nul2 + 1, n - (size_t)(nul2 + 1 - m)) == -1)
		return AUTH_STEP_EMALFORMED;
	if (zlen > 0 && (zlen != ulen || memcmp(m, nul1 + 1, ulen) != 0))
		return AUTH_STEP_EAUTHZID;
	return AUTH_STEP_DONE;
}

/* One response, decoded, for the mechanism's step. */
static enum auth_step
respond(struct auth_sasl *a, const unsigned char *m, size_t n,
    char challenge[AUTH_CHALLENGE_MAX])
{
	if (a->mech == AUTH_MECH_PLAIN)
		return plain(a, m, n);
	if (a->want == 0) {
		if (take_user(a, m, n) == -1)
			return AUTH_STEP_EMALFORMED;
		a->want = 1;
		memcpy(challenge, "UGFzc3dvcmQ6", 13);	/* "Password:" */
		return AUTH_STEP_CHALLENGE;
	}
	if (take_pass(a, m, n) == -1)
		return AUTH_STEP_EMALFORMED;
	return AUTH_STEP_DONE;
}

/* Decode line[0..len) and take it; "=" is empty when initial. */
static enum auth_step
decode(struct auth_sasl *a, const char *line, size_t len, int initial,
    char challenge[AUTH_CHALLENGE_MAX])
{
	unsigned char m[DECODED_MAX];
	enum auth_step step;
	long n;

	if (len == 1 && line[0] == '*')
		return AUTH_STEP_CANCEL;
	if (initial && len == 1 && line[0] == '=')
		n = 0;
	else if ((n = auth_b64_decode(line, len, m, sizeof(m))) < 0)
		return len > (DECODED_MAX + 2) / 3 * 4 ?
		    AUTH_STEP_EMALFORMED : AUTH_STEP_EBASE64;
	step = respond(a, m, (size_t)n, challenge);
	explicit_bzero(m, sizeof(m));
	return step;
}

enum auth_step
auth_sasl_start(struct auth_sasl *a, const char *mech, size_t mechlen,
    int has_ir, const char *ir, size_t irlen,
    char challenge[AUTH_CHALLENGE_MAX])
{
	memset(a, 0, sizeof(*a));
	challenge[0] = '\0';
	if (mechlen == 5 && strncasecmp(mech, "PLAIN", 5) == 0)
		a->mech = AUTH_MECH_PLAIN;
	else if (mechlen == 5 && strncasecmp(mech, "LOGIN", 5) == 0)
		a->mech = AUTH_MECH_LOGIN;
	else
		return AUTH_STEP_EMECH;
	if (has_ir)
		return decode(a, ir, irlen, 1, challenge);
	if (a->mech == AUTH_MECH_LOGIN)
		memcpy(challenge, "VXNlcm5hbWU6", 13);	/* "Username:" */
	return AUTH_STEP_CHALLENGE;
}

enum auth_step
auth_sasl_next(struct auth_sasl *a, const char *line, size_t len,
    char challenge[AUTH_CHALLENGE_MAX])
{
	challenge[0] = '\0';
	return decode(a, line, len, 0, challenge);
}
