/*
 * enc_lookup.c: a recipient's key file; see enc_lookup.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enc_lookup.h"

void
enc_keyref_free(struct enc_keyref *r)
{
	if (r->pgp != NULL)
		pgp_key_free(r->pgp);
	if (r->smime != NULL)
		smime_key_free(r->smime);
	r->pgp = NULL;
	r->smime = NULL;
	r->kind = ENC_PLAIN;
}

enum enc_keystate
enc_lookup(struct enc_keyref *r, const char *base, time_t now)
{
	static const char *const pgp_suffix[] = { ".asc", "" };
	enum enc_keystate s;
	size_t i;
	int n;

	r->kind = ENC_PLAIN;
	r->pgp = NULL;
	r->smime = NULL;
	for (i = 0; i < 2; i++) {
		n = snprintf(r->path, sizeof(r->path), "%s%s", base,
		    pgp_suffix[i]);
		if (n < 0 || (size_t)n >= sizeof(r->path)) {
			errno = ENAMETOOLONG;
			return ENC_KEY_EIO;
		}
		s = pgp_key_load(&r->pgp, r->path, now);
		if (s == ENC_KEY_OK)
			r->kind = ENC_PGP;
		if (s != ENC_KEY_MISSING)
			return s;
	}
	n = snprintf(r->path, sizeof(r->path), "%s.pem", base);
	if (n < 0 || (size_t)n >= sizeof(r->path)) {
		errno = ENAMETOOLONG;
		return ENC_KEY_EIO;
	}
	s = smime_key_load(&r->smime, r->path, now);
	if (s == ENC_KEY_OK)
		r->kind = ENC_SMIME;
	else
		r->smime = NULL;
	if (s == ENC_KEY_MISSING)
		r->path[0] = '\0';
	return s;
}
