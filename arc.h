/*
 * arc.h: ARC chain verification (RFC 8617, section 5.2 "Validator
 * Actions") of one message as it streams, for arc= in
 * Authentication-Results: and for trusting named sealers when DMARC
 * fails (samotop.conf's arc-trusted-sealer).
 *
 * Why samotop's own code: no C library for ARC is packaged in Debian 12
 * (no libopenarc; libopendkim 2.11, which dkim.h uses, has no ARC).  So
 * the canonicalization (RFC 6376 3.4), the tag-list parsing (3.2), the
 * key records (3.6.1) and the chain rules are here, in small pure
 * functions that tests/test_arc.c and fuzz/fuzz_arc.c exercise; the
 * cryptography (SHA-256, RSA PKCS#1 v1.5) is libcrypto's, loaded with
 * dlopen(3) (cryptolib.h).  It is meant to be replaced by a library
 * when a maintained one is packaged.  tests/test_arc.c checks every
 * verdict against dkimpy's (Debian's python3-dkim) on messages dkimpy
 * sealed.
 *
 * Use: arc_verifier_open() once per session; per message
 * arc_verify_begin(), arc_verify_data() with the canonical content (CRLF
 * line ends, dots unstuffed, as data.c delivers it) in chunks of any
 * size, then arc_verify_end(), which looks up the keys, verifies and
 * fills in the result; arc_verifier_close() at the end of the session.
 * One message at a time per verifier (they share its hash contexts).
 *
 * What is verified, in RFC 8617 5.2's order; the first rule broken
 * makes the chain fail (why says which), and it stops there:
 *   1. no ARC header field at all: none.  An ARC set with i= over
 *      ARC_SETS_MAX (50): fail.
 *   2. the newest ARC-Seal says cv=fail: fail.
 *   3. every instance 1..N has exactly one ARC-Authentication-Results,
 *      ARC-Message-Signature and ARC-Seal (no gap, no duplicate); cv=
 *      is none at i=1 and pass above; ARC fields whose i= or tag-list
 *      does not parse, or an ARC-Seal with h=: fail.
 *   4. the newest ARC-Message-Signature verifies (its bh= over the body,
 *      simple or relaxed, and b= over the fields h= names and itself,
 *      simple or relaxed): else fail.
 *   5. oldest_pass: the older AMSs are verified from N-1 down; the
 *      first that does not gives oldest_pass = its i + 1 (0: all did).
 *      It does not change the verdict, so it is done after step 6, and
 *      only for a chain that passes (else oldest_pass is 0).
 *   6. every ARC-Seal verifies, N down to 1, over the ARC sets 1..i in
 *      order (relaxed header canonicalization): else fail.
 *   7. pass.
 * Signatures: a=rsa-sha256 only, what ARC sealers use: rsa-sha1 fails
 * (RFC 8301), and so does ed25519-sha256 (dkimpy's ARC verifier refuses
 * it too; its fixture, tests/arc/ed25519.eml, says so).  RSA keys under ARC_MINKEYBITS
 * (1024) fail (RFC 8301).  An AMS without c= is simple/simple (RFC
 * 6376's default, which RFC 8617 keeps; dkimpy assumes relaxed/relaxed;
 * sealers write c=).  An AMS's l= must cover the whole body (else
 * fail: anything could be appended under it).  t= and x= are not
 * checked (a seal's age says nothing about the chain).  A DNS key record
 * is read as RFC 6376 3.6.1 says (v=DKIM1 when present, k=rsa, h=
 * listing sha256 when present, s= email or *; an empty p= is a revoked
 * key): anything else fails.
 *
 * Key lookups: selector._domainkey.domain TXT through the libc resolver
 * (res_query(), as dnsbl.c and libspf2 ask it: its time limits are
 * resolv.conf's `options timeout:N attempts:N`).  No such record
 * (NXDOMAIN, NODATA): fail.  A lookup that failed (SERVFAIL, a timeout):
 * fail too, since RFC 8617 gives arc= only none, pass and fail, but with
 * temp set, so that the caller may log it as the temporary error it is.
 * For tests, struct arc_keys gives a key file (lines "NAME TXT-TEXT",
 * NAME being selector._domainkey.domain, as dkim.h's) or a function.
 * ARC_KEYS_CACHED keys are kept per message (sealers usually sign the
 * AMS and the AS with one key), and at most ARC_LOOKUPS_MAX lookups are
 * made: so a message's verification waits for DNS at most that many
 * times the resolver's limit, however many sealers it names.  Beyond
 * them the signature in hand fails ("too many key lookups"); when step
 * 5 runs out of them, the AMS it could not verify counts as one that
 * failed.
 *
 * Limits, so that nothing is allocated per octet: the header is copied
 * into struct arc_msg (its fields h= may name are known only when the
 * AMS is read, and every ARC field is needed for the seals), at most
 * ARC_HEADER_MAX octets in ARC_FIELDS_MAX fields: beyond them a message
 * with ARC fields fails ("header too large") and one without is none.
 * At most ARC_HNAMES_MAX names in an AMS's h=.  The body is not kept:
 * it is canonicalized and hashed as it streams (SHA-256 contexts of the
 * verifier, one per canonicalization the AMSs use).  struct arc_msg is
 * about 144 KiB: allocate one per session (calloc), reused by each
 * message; arc_verify_begin() does not touch the header buffer.  The end
 * of the header and arc_verify_end() take about 32 KiB of stack (the
 * ARC sets, parsed).
 */
#ifndef SAMOTOP_ARC_H
#define SAMOTOP_ARC_H

#include <stddef.h>

#include "cryptolib.h"

#define ARC_SETS_MAX	50		/* RFC 8617 5.2 step 1 */
#define ARC_HEADER_MAX	(128 * 1024)	/* octets of the header kept */
#define ARC_FIELDS_MAX	1000		/* header fields kept */
#define ARC_HNAMES_MAX	128		/* names in an AMS's h= */
#define ARC_MINKEYBITS	1024		/* smaller RSA keys fail */
#define ARC_TXT_MAX	4096		/* octets of a key record */
#define ARC_KEYS_CACHED	8		/* keys kept per message */
#define ARC_LOOKUPS_MAX	12		/* key lookups per message */

/* What arc= in Authentication-Results: says: RFC 8617 has no other. */
enum arc_res {
	ARC_RES_NONE,		/* no ARC header field */
	ARC_RES_PASS,
	ARC_RES_FAIL,
};

/* What a key lookup found (struct arc_keys' function answers this). */
enum arc_keyres {
	ARC_KEY_FOUND,		/* txt holds the record's text */
	ARC_KEY_NONE,		/* no such record */
	ARC_KEY_TEMP,		/* no answer: try again later */
};

/*
 * Where keys come from: lookup when set (tests), else file when set
 * (tests: read at each lookup), else DNS.  lookup gets the name
 * (selector._domainkey.domain) and puts the TXT record's text, cut to
 * size - 1 octets, NUL-terminated, in txt.
 */
struct arc_keys {
	const char	*file;
	enum arc_keyres	(*lookup)(void *arg, const char *name, char *txt,
			    size_t size);
	void		*arg;
};

struct arc_verifier {
	struct cryptolib lib;
	struct arc_keys	keys;		/* file copied by pointer */
	EVP_MD_CTX	*md[3];		/* body simple, relaxed; header */
	int		open;
};

/*
 * A body in one canonical form (RFC 6376 3.4.3 simple, 3.4.4 relaxed),
 * produced as the content streams: out holds what is not yet handed on.
 */
struct arc_body {
	int		relaxed;
	int		cr;		/* a CR, maybe of a CRLF */
	int		wsp;		/* relaxed: white space pending */
	long long	empty;		/* empty lines held back */
	long long	line;		/* octets of the line so far */
	long long	len;		/* canonical octets handed on */
	size_t		n;
	char		out[512];
};

struct arc_field {
	unsigned int	off, len;	/* in hdr, without the last CRLF */
	int		kind;		/* ARC field kind, 0 for others */
};

struct arc_key {
	char		name[256];
	EVP_PKEY	*k;		/* NULL: failed, see why and temp */
	const char	*why;
	int		temp;
};

struct arc_msg {
	struct arc_verifier *v;
	int		state;
	int		over;		/* a header limit was passed */
	int		prev;		/* the previous header octet */
	unsigned int	narc;		/* ARC fields seen */
	unsigned int	nfields;
	size_t		hlen;
	size_t		fstart;		/* where the current field began */
	int		inname;
	size_t		nlen;
	char		name[32];	/* the current field's name */
	int		hashing[2];	/* body simple, relaxed hashed */
	struct arc_body	body[2];
	unsigned int	nkeys;
	unsigned int	lookups;
	struct arc_key	key[ARC_KEYS_CACHED];
	/* Filled in by arc_verify_end(): */
	enum arc_res	res;
	const char	*why;		/* static text; NULL on pass, none */
	int		temp;		/* fail for a key lookup that failed */
	/*
	 * N, the newest instance, and from it on what follows: 0, empty
	 * or NULL for none and for a chain whose structure failed (steps
	 * 1 to 3).
	 */
	unsigned int	nsets;
	unsigned int	oldest_pass;	/* step 5; 0: every AMS verified */
	/*
	 * d= and s= of the newest ARC-Seal (for arc-trusted-sealer),
	 * empty when the chain is none, or when they hold anything but
	 * letters, digits, '.', '-', '_': safe to print in a header.
	 */
	char		seal_d[254];
	char		seal_s[64];
	/*
	 * On pass only: the value of the newest ARC-Authentication-Results
	 * (what the newest sealer found, after its "i=N;"), aarlen octets,
	 * raw (folded, and network input: not safe to print as it is);
	 * in hdr, valid until the next arc_verify_begin().
	 */
	const char	*aar;
	size_t		aarlen;
	struct arc_field field[ARC_FIELDS_MAX];
	char		hdr[ARC_HEADER_MAX];
};

/*
 * Load libcrypto and make the hash contexts, keys from k (NULL: DNS;
 * k's strings are used, not copied).  0, or -1 with why.  Calling it
 * again on an open verifier does nothing.
 */
int	arc_verifier_open(struct arc_verifier *v, const struct arc_keys *k,
	    char *why, size_t size);
/* Free the contexts; v is as if zeroed (may be called twice). */
void	arc_verifier_close(struct arc_verifier *v);

/*
 * Start on one message.  0, or -1 when the verifier is not open (the
 * verdict is then fail, "not open", and the other calls still work).
 */
int	arc_verify_begin(struct arc_msg *m, struct arc_verifier *v);
/* The next len octets of canonical content; any chunking. */
void	arc_verify_data(struct arc_msg *m, const char *buf, size_t len);
/*
 * The content ended: look up the keys, verify, and fill in res, why,
 * temp, nsets, oldest_pass, seal_d, seal_s, aar and aarlen.  Frees the
 * keys.
 */
void	arc_verify_end(struct arc_msg *m);

/* "none", "pass", "fail": as Authentication-Results: spells them. */
const char *arc_res_name(enum arc_res r);

/*
 * The pure parts, exported for the tests.
 *
 * arc_body_*: one canonical form of a body as it streams; each piece of
 * canonical body goes to sink(arg, octets, len) (at most sizeof(out)
 * at a time); arc_body_end() hands on the rest (the CRLF a last line
 * lacks; for simple, the CRLF of an empty body) and b->len is then the
 * canonical length.
 */
void	arc_body_start(struct arc_body *b, int relaxed);
void	arc_body_data(struct arc_body *b, const char *buf, size_t len,
	    void (*sink)(void *, const char *, size_t), void *arg);
void	arc_body_end(struct arc_body *b,
	    void (*sink)(void *, const char *, size_t), void *arg);

/*
 * One header field (raw, its folding CRLFs included, without its last
 * CRLF) in canonical form (relaxed: RFC 6376 3.4.2; else simple, as it
 * is) to sink, without the octets raw[skip .. skip + skiplen - 1] (the
 * value of the signature's own b= tag; skiplen 0: none).
 */
void	arc_canon_header(const char *raw, size_t len, int relaxed,
	    size_t skip, size_t skiplen,
	    void (*sink)(void *, const char *, size_t), void *arg);

/* A tag of a tag-list (RFC 6376 3.2): name and value, in the input. */
struct arc_tag {
	const char	*name, *val;
	size_t		nlen, vlen;
};
/*
 * Split the tag-list s (len octets) into at most max tags: their number,
 * or -1 when it does not parse, a name repeats, or there are more.
 * Values have no leading or trailing white space; inside, their folding
 * is kept.
 */
int	arc_tags(const char *s, size_t len, struct arc_tag *t, int max);

/*
 * Base64 (RFC 4648, white space ignored, as RFC 6376 3.5 allows) into
 * out: the number of octets, or -1 when it is not base64 or does not
 * fit in size.
 */
int	arc_base64(const char *s, size_t len, unsigned char *out,
	    size_t size);

#endif
