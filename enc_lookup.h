/*
 * enc_lookup.h: a recipient's key, found from the expanded key template
 * of samotop-encrypt (-k).  Three files are tried in turn: BASE.asc
 * (armored OpenPGP), BASE as given (OpenPGP, binary or armored), and
 * BASE.pem (an X.509 certificate, for S/MIME).  The first that exists
 * decides: a malformed BASE.asc is not passed over for BASE.pem, so
 * that a broken key is seen and logged, never silently replaced.
 */
#ifndef SAMOTOP_ENC_LOOKUP_H
#define SAMOTOP_ENC_LOOKUP_H

#include <time.h>

#include "enc_key.h"
#include "enc_pgp.h"
#include "enc_smime.h"

#define ENC_KEYPATH_MAX	1100	/* an expanded template and a suffix */

enum enc_kind {
	ENC_PLAIN,		/* no key: the copy passes in clear */
	ENC_PGP,
	ENC_SMIME,
};

struct enc_keyref {
	enum enc_kind		 kind;	/* ENC_PLAIN unless ENC_KEY_OK */
	struct pgp_key		*pgp;
	struct smime_key	*smime;
	char			 path[ENC_KEYPATH_MAX];	/* the file tried
							 * last, for logs */
};

/*
 * Look the key up for base at time now: ENC_KEY_OK with r->kind and the
 * key set, or the state of the file that decided (ENC_KEY_MISSING when
 * none of the three exists, ENC_KEY_EIO with errno when one exists but
 * cannot be read).
 */
enum enc_keystate enc_lookup(struct enc_keyref *r, const char *base,
		    time_t now);
/* Free the key r holds, if any; r is ENC_PLAIN afterwards. */
void		enc_keyref_free(struct enc_keyref *r);

#endif
