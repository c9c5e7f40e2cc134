/*
 * auth_check.c: the password's check and the sender-login map
 * (auth_check.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_check.h"
#include "auth_dovecot.h"
#include "fdio.h"
#include "scr_auth.h"

#define SENDER_FILE_MAX	(16 * 1024 * 1024)

int
auth_check(const struct conf *c, const char *user, const char *password,
    const char *rip, char *why, size_t size)
{
	if (c->auth_dovecot != NULL)
		return auth_dovecot_check(c->auth_dovecot, user, password,
		    rip, AUTH_CHECK_TIMEOUT, why, size);
	if (c->auth_checkpassword[0] != NULL)
		return scr_auth_check(c->auth_checkpassword, user, password,
		    AUTH_CHECK_TIMEOUT, why, size);
	snprintf(why, size, "no auth-checkpassword or auth-dovecot");
	return -1;
}

/* Whether pattern (address or @domain, any case) takes addr. */
static int
pattern_takes(const char *pat, size_t plen, const char *addr)
{
	const char *at = strrchr(addr, '@');

	if (plen > 0 && pat[0] == '@')
		return at != NULL && strlen(at) == plen &&
		    strncasecmp(at, pat, plen) == 0;
	return strlen(addr) == plen && strncasecmp(addr, pat, plen) == 0;
}

static int
same_word(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(w, s, n) == 0;
}

/* One line of words [s, e): its pattern takes addr and names login. */
static int
line_allows(const char *s, const char *e, const char *login,
    const char *addr)
{
	const char *w[2];
	size_t n[2], k = 0;
	int takes = -1;

	for (;;) {
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == e || *s == '#')
			return 0;
		w[k] = s;
		while (s < e && *s != ' ' && *s != '\t' && *s != '\r' &&
		    *s != '#')
			s++;
		n[k] = (size_t)(s - w[k]);
		if (takes == -1) {
			if (!(takes = pattern_takes(w[0], n[0], addr)))
				return 0;
		} else if (same_word(w[k], n[k], login))
			return 1;
		k = 1;
	}
}

int
auth_sender_text(const char *text, size_t len, const char *login,
    const char *addr)
{
	const char *s = text, *end = text + len, *e;

	while (s < end) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		if (line_allows(s, e, login, addr))
			return 1;
		s = e + 1;
	}
	return 0;
}

/* addr without its +extension (recipient-delimiter): 0, or -1 none. */
static int
base_address(const struct conf *c, const char *addr, char *out,
    size_t size)
{
	const char *at = strrchr(addr, '@'), *d;

	if (c->recipient_delimiter == 0 || at == NULL || addr[0] == '"' ||
	    (d = memchr(addr, c->recipient_delimiter, (size_t)(at - addr))) ==
	    NULL || d == addr)
		return -1;
	snprintf(out, size, "%.*s%s", (int)(d - addr), addr, at);
	return 0;
}

static int
allowed(const struct conf *c, const char *login, const char *addr,
    char *why, size_t size);

int
auth_sender_allowed(const struct conf *c, const char *login,
    const char *addr, char *why, size_t size)
{
	char base[512];
	int rc;

	/* user+tag@ is user@'s, as it is for delivery */
	if ((rc = allowed(c, login, addr, why, size)) != 0 ||
	    base_address(c, addr, base, sizeof(base)) == -1)
		return rc;
	return allowed(c, login, base, why, size);
}

static int
allowed(const struct conf *c, const char *login, const char *addr,
    char *why, size_t size)
{
	const struct sender_login *e;
	char *text, err[80];
	size_t i, k, len;
	int rc, ok;

	if (strcasecmp(login, addr) == 0)
		return 1;
	for (i = 0; i < c->nsender_logins; i++) {
		e = &c->sender_logins[i];
		if (e->is_file) {
			if ((rc = fd_read_file(e->pattern, SENDER_FILE_MAX,
			    &text, &len)) != 0) {
				snprintf(why, size, "%s: %s", e->pattern,
				    fd_read_file_error(rc, SENDER_FILE_MAX,
				    err, sizeof(err)));
				return -1;
			}
			ok = auth_sender_text(text, len, login, addr);
			free(text);
			if (ok)
				return 1;
			continue;
		}
		if (!pattern_takes(e->pattern, strlen(e->pattern), addr))
			continue;
		for (k = 0; e->logins[k] != NULL; k++)
			if (strcasecmp(e->logins[k], login) == 0)
				return 1;
	}
	return 0;
}
