/*
 * dkim.h: DKIM verification (RFC 6376) of one message as it streams,
 * with libopendkim (dkimlib.h) doing the cryptography, the tag parsing
 * and the key lookups.  No classification by text: each signature gets
 * an enum dkim_res, which Authentication-Results: (RFC 8601) spells.
 *
 * Use: dkim_verifier_open() once per session (loads libopendkim, sets
 * the policy below); per message dkim_verify_begin(), dkim_verify_data()
 * with the canonical content (CRLF line ends, dots unstuffed, as data.c
 * and lmtp's data_write deliver it) in chunks of any size, then
 * dkim_verify_end(), which fills in the results; dkim_verifier_close()
 * at the end of the session.  A message abandoned half way is released by
 * dkim_verify_end() too (its results are then not used).
 *
 * Policy (what libopendkim alone would accept differently):
 * - At most DKIM_SIGS_MAX signatures are verified, the first ones in the
 *   header; the others are ignored before any key lookup (libopendkim's
 *   prescreen hook: 2.11 has no option for it) and counted in `ignored`.
 * - RSA keys under 1024 bits: permerror (DKIM_OPTS_MINKEYBITS, RFC 8301).
 * - a=rsa-sha1: permerror (RFC 8301: verifiers must not accept it).
 * - Ed25519 (a=ed25519-sha256, RFC 8463): verified when the library has
 *   it (dkim_libfeature(DKIM_FEATURE_ED25519); Debian's 2.11.0~beta2
 *   built with OpenSSL 3 does); dkim_verifier_ed25519() says.
 * - l= (body length): a signature whose l= leaves part of the body
 *   unsigned does not pass even when what it covers verifies: anyone can
 *   append text (a link, a new MIME part) under a valid signature.  It
 *   is neutral with partial set, so that the header can say so; l=
 *   covering the whole body passes as without it.  Whether it does is
 *   judged on the canonical body's length, which dkim.c counts itself
 *   (struct dkim_bodylen): libopendkim 2.11 reports only the raw length
 *   and the part that l= let it hash.
 * - A key record not found (NXDOMAIN, or no such line in the key file)
 *   is permerror (RFC 6376 6.1.2: PERMFAIL, no key for signature); a
 *   lookup that failed (timeout, SERVFAIL) is temperror.
 * - A DKIM-Signature: field that does not parse (missing or bad tags,
 *   expired x=, an unknown algorithm or key type) is permerror.
 * - Header limits, since libopendkim keeps a copy of every header field
 *   (it needs them all for h=): one field at most DKIM_FIELD_MAX octets,
 *   at most DKIM_FIELDS_MAX fields, DKIM_HEADER_MAX octets in all.
 *   Beyond them the message's verdict is one permerror, no d=, without
 *   asking libopendkim (a header that large is nothing a signer makes).
 * samotop's own code allocates nothing per message (the field buffer is
 * in struct dkim_msg); libopendkim allocates its handle, the header
 * copies, the hashes and one key per signature, and frees them at
 * dkim_verify_end().  Its body hashing streams (no temporary files).
 *
 * Key lookups: libopendkim's own by default (DKIM_QUERY_DNS).  Debian's
 * libopendkim.so.11 is built without libunbound: it asks glibc's
 * res_ninit()/res_nquery(), blocking, which read /etc/resolv.conf (its
 * nameservers and `options timeout:N attempts:N` bound each lookup; in
 * a test's network namespace, that namespace's resolv.conf).  That is
 * the path SPF's lookups take already (libspf2's SPF_DNS_RESOLV calls
 * res_query(), see spf.c), so `dkim yes` can keep the default.  Should
 * the session need its own resolver instead, libopendkim 2.11 takes
 * one through hooks that dkimlib resolves: dkim_dns_set_query_service()
 * (an opaque handle), dkim_dns_set_query_start() (send a query for a
 * TXT record; the wire-format answer goes into libopendkim's buffer),
 * dkim_dns_set_query_waitreply() and dkim_dns_set_query_cancel().
 * For tests a key file (DKIM_QUERY_FILE): lines of "NAME VALUE", NAME
 * being selector._domainkey.domain and VALUE the TXT record's text;
 * libopendkim reads it at each lookup.
 *
 * struct dkim_msg is about 9 KiB (the field buffer): one per session,
 * reused by each message.
 */
#ifndef SAMOTOP_DKIM_H
#define SAMOTOP_DKIM_H

#include <stddef.h>

#include "dkimlib.h"

#define DKIM_SIGS_MAX	8		/* signatures verified per message */
#define DKIM_FIELD_MAX	8192		/* octets of one header field */
#define DKIM_FIELDS_MAX	1000		/* header fields per message */
#define DKIM_HEADER_MAX	(256 * 1024)	/* octets of the whole header */
#define DKIM_MINKEYBITS	1024		/* smaller RSA keys: permerror */
#define DKIM_TIMEOUT	10		/* seconds per key lookup (DNS) */

/* RFC 8601 2.7.1's results for dkim=, but for "policy". */
enum dkim_res {
	DKIM_RES_NONE,		/* no signature */
	DKIM_RES_PASS,
	DKIM_RES_FAIL,		/* signature or body hash did not verify */
	DKIM_RES_NEUTRAL,	/* verifies, but l= leaves body unsigned */
	DKIM_RES_TEMPERROR,	/* key lookup failed; try later */
	DKIM_RES_PERMERROR,	/* bad signature field, no key, policy */
};

enum dkim_alg {
	DKIM_ALG_UNKNOWN,
	DKIM_ALG_RSA_SHA1,
	DKIM_ALG_RSA_SHA256,
	DKIM_ALG_ED25519_SHA256,
};

struct dkim_sigres {
	enum dkim_res	res;
	enum dkim_alg	alg;
	/*
	 * d=, s= and the first 8 characters of b= (RFC 6008), empty
	 * when absent or when they hold anything but letters, digits,
	 * '.', '-', '_' (b=: '+', '/', '='): safe to print in a header.
	 */
	char		domain[254];
	char		selector[64];
	char		b[9];
	unsigned int	bits;		/* key size; 0 when no key loaded */
	long long	length;		/* l=, -1 without */
	int		partial;	/* l= left part of the body unsigned */
	const char	*why;		/* static text; NULL on pass */
};

struct dkim_keys {
	const char	*file;		/* key file (tests); NULL: DNS */
	unsigned int	timeout;	/* seconds; 0: DKIM_TIMEOUT */
};

struct dkim_verifier {
	struct dkimlib	lib;
	DKIM_LIB	*dl;		/* NULL until dkim_verifier_open() */
	int		ed25519;	/* the library verifies Ed25519 */
};

/*
 * The length of the body in each canonical form (RFC 6376 3.4.3, 3.4.4),
 * counted as it streams: libopendkim says only how much of it l= covered,
 * not whether more followed.
 */
struct dkim_bodylen {
	long long	simple, relaxed;	/* through the last line */
	long long	sempty, rempty;		/* empty lines since */
	long long	scur, rcur;		/* the current line so far */
	int		wsp;			/* white space pending */
	int		cr;			/* a CR, maybe of a CRLF */
};

struct dkim_msg {
	struct dkim_verifier *v;
	DKIM		*d;		/* NULL: not, or no longer, asked */
	int		state;
	enum dkim_res	whole;		/* a verdict for the whole message */
	const char	*why;		/* its reason (static text) */
	size_t		fields;		/* header fields so far */
	size_t		hbytes;		/* header octets so far */
	size_t		flen;		/* octets in field */
	char		field[DKIM_FIELD_MAX + 2];
	struct dkim_bodylen blen;
	/* Filled in by dkim_verify_end(): */
	unsigned int	nsig;
	unsigned int	ignored;	/* signatures over DKIM_SIGS_MAX */
	struct dkim_sigres sig[DKIM_SIGS_MAX];
};

/*
 * Load libopendkim and set the policy above, keys from k (NULL: DNS).
 * 0, or -1 with why (the library or the option that failed).  Calling
 * it again on an open verifier does nothing.
 */
int	dkim_verifier_open(struct dkim_verifier *v, const struct dkim_keys *k,
	    char *why, size_t size);
/* The library's handle back; v is as if zeroed (may be called twice). */
void	dkim_verifier_close(struct dkim_verifier *v);
/* 1 when this libopendkim verifies ed25519-sha256 signatures. */
int	dkim_verifier_ed25519(const struct dkim_verifier *v);

/*
 * Start on one message; id names it in libopendkim's messages (a queue
 * id, printable).  0, or -1 when libopendkim cannot make a handle (out
 * of memory): the message's verdict is then temperror, and the other
 * calls still work (they do nothing).
 */
int	dkim_verify_begin(struct dkim_msg *m, struct dkim_verifier *v,
	    const char *id);
/* The next len octets of canonical content; any chunking. */
void	dkim_verify_data(struct dkim_msg *m, const char *buf, size_t len);
/*
 * The content ended: verify and fill in m->sig[0 .. m->nsig - 1]
 * (header order).  Without signature, nsig is 1 with DKIM_RES_NONE;
 * a verdict for the whole message (a limit, out of memory) is one
 * entry with no domain.  Releases libopendkim's handle.
 */
void	dkim_verify_end(struct dkim_msg *m);

/* "pass", "fail", ... as Authentication-Results: spells them. */
const char *dkim_res_name(enum dkim_res r);

#endif
