/*
 * srs.h: the Sender Rewriting Scheme, so that mail forwarded to another
 * domain (alias, samotop-send(8)) passes SPF there, and its bounces
 * come back to us and on to the original sender.  The forms are those
 * of libsrs2 and Postfix's postsrsd (Shevek's "SRS" paper):
 *
 *	SRS0=HHHHHHHH=TT=orig-domain=orig-local@srs-domain
 *	SRS1=HHHHHHHH=first-srs-domain==HHHHHHHH=TT=d=l@srs-domain
 *
 * TT is the day (epoch days mod 1024) in two base32 characters; HHHHHHHH
 * the first 40 bits of HMAC-SHA256(key, the rest of the address's
 * fields, lowercased, joined by '='), in base32, compared ignoring case
 * (some relays lowercase addresses).  SRS1 is made when the sender is
 * already an SRS0 or SRS1 address of another forwarder: its bounce goes
 * back to that forwarder, as an SRS0 address, after our hash is checked.
 * A reverse is refused when the hash is wrong or the day is more than
 * SRS_MAX_AGE days old.
 *
 * No Debian package provides libsrs2 for bookworm, hence this file: the
 * formatting and parsing are pure (fuzzed: fuzz/fuzz_srs.c), the HMAC is
 * a function pointer (libcrypto's, cryptolib.h, in samotop-send; a fake
 * one in the unit tests), and the key is a file of SRS_KEY_LEN random
 * octets created on first use exactly as leave-no-trace's (trace.h).
 */
#ifndef SAMOTOP_SRS_H
#define SAMOTOP_SRS_H

#include <stddef.h>
#include <time.h>

#include "address.h"
#include "cryptolib.h"

#define SRS_KEY_LEN	32
#define SRS_HASH_LEN	8	/* base32 characters: 40 bits */
#define SRS_MAX_AGE	21	/* days a bounce may take to come back */

/*
 * out = HMAC-SHA256(key, data): 0, or -1.  arg is struct srs's.
 */
typedef int	(*srs_hmac_fn)(void *arg, const unsigned char *key,
		    size_t keylen, const void *data, size_t len,
		    unsigned char out[CRYPTO_SHA256_LEN]);

struct srs {
	unsigned char	 key[SRS_KEY_LEN];
	char		 domain[ADDR_DOMAIN_MAX + 1];	/* lowercase */
	srs_hmac_fn	 hmac;
	void		*arg;
	struct cryptolib lib;		/* srs_open()'s; arg points here */
};

enum srs_error {
	SRS_OK = 0,
	SRS_ENOTSRS,	/* not an SRS address of our domain */
	SRS_ESYNTAX,	/* SRS0=/SRS1= but malformed */
	SRS_EHASH,	/* the hash is wrong: forged */
	SRS_EAGE,	/* older than SRS_MAX_AGE days */
	SRS_ELONG,	/* the result would not fit an address */
	SRS_EHMAC,	/* the HMAC function failed */
};

/*
 * Set up s for domain with the given HMAC (the caller sets key).  The
 * domain is copied, lowercased.  0, or -1 when it is too long.
 */
int	srs_init(struct srs *s, const char *domain, srs_hmac_fn hmac,
	    void *arg);
/*
 * srs_init() with libcrypto's HMAC, the key read from path or created
 * there (trace_key(), trace.h).  0, or -1 with why.
 */
int	srs_open(struct srs *s, const char *path, const char *domain,
	    char *why, size_t size);
/*
 * The SRS form of sender ("local@domain") into out, at the day of now.
 * A sender of our own domain is copied as it is.  SRS_ESYNTAX for the
 * null sender, an address without '@', with a quoted local part or
 * '=' in its domain;
 * SRS_ELONG when the result's local part would be over ADDR_LOCAL_MAX
 * (the caller keeps the original sender then).
 */
enum srs_error	srs_forward(const struct srs *s, const char *sender,
		    time_t now, char *out, size_t size);
/* Whether addr is an SRS0/SRS1 address at our domain (ASCII case ignored). */
int		srs_is_ours(const struct srs *s, const char *addr);
/*
 * The address an SRS address of ours stands for, into out: the original
 * sender for SRS0, the first forwarder's SRS0 address for SRS1.
 * SRS_ENOTSRS, SRS_ESYNTAX, SRS_EHASH, SRS_EAGE or SRS_ELONG.
 */
enum srs_error	srs_reverse(const struct srs *s, const char *addr,
		    time_t now, char *out, size_t size);
const char	*srs_strerror(enum srs_error e);

#endif
