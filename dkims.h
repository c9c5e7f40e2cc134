/*
 * dkims.h: DKIM signing (RFC 6376) of outgoing mail, with the library
 * that verifies (libopendkim, dkimlib.h) doing the hashing, the
 * signature and the DKIM-Signature: field, and libcrypto (cryptolib.h)
 * reading the keys, so that a key is judged before any message needs
 * it.
 *
 * Which key: `dkim-sign DOMAIN SELECTOR KEYFILE` (samotop.conf(5)).  A
 * message is signed by every key whose DOMAIN is its From: field's
 * domain, compared without case; a message with no From: mailbox, or
 * with several, is not signed (dkims_from_domain()).  Only the exact
 * domain: RFC 6376 lets d= be a parent of the From: domain (DMARC's
 * relaxed alignment accepts it), but a key for example.org then signs
 * for every host name under it; a site that wants that names each
 * domain with the same key file.
 *
 * The signature: a=rsa-sha256 (keys of at least DKIMS_RSA_MIN bits,
 * RFC 8301; 2048 recommended) or a=ed25519-sha256 (RFC 8463), c=
 * relaxed/relaxed, no l=, no x=, t= the signing time (under
 * leave-no-trace rounded down as Received:'s is, trace_round()), and
 * h= the fields of dkims_fields[]
 * that the message has, From: once more than it has ("oversigned"), so
 * that no From: can be added above it without breaking the signature.
 * Key files are PEM (PKCS#8 or PKCS#1, unencrypted), as
 * samotop-dkimkey(8), openssl genpkey and opendkim-genkey write them.
 *
 * Errors are enum dkims_error; the caller decides: samotop-smtpd -n
 * reports a key that cannot be read, a session answers 451 4.7.0, and
 * samotop-sendmail exits EX_TEMPFAIL.  Never is a message that should
 * be signed sent unsigned.
 *
 * Use: dkims_open() (loads the libraries, nothing read yet); per
 * message dkims_begin() with the From: domain (reads that domain's
 * keys, once per signer), dkims_data() with the canonical message
 * (CRLF line ends, not dot-stuffed; any chunking), dkims_end() for the
 * fields; dkims_close().  libopendkim keeps a copy of each header field
 * and hashes the body as it streams; nothing of the message is kept.
 * Debian's libopendkim 2.11.0~beta2 never frees the Ed25519 key it
 * loads for each signature (about 1.3 KB; tests/lsan.supp): bounded by
 * the messages of one session or samotop-sendmail run, which ends.
 */
#ifndef SAMOTOP_DKIMS_H
#define SAMOTOP_DKIMS_H

#include <stddef.h>

#include "conf.h"
#include "cryptolib.h"
#include "dkimlib.h"

#define DKIMS_RSA_MIN	1024		/* bits; RFC 8301 */
#define DKIMS_KEY_MAX	(32 * 1024)	/* octets of a key file */
/* One DKIM-Signature: field, folded: an 8192-bit key's b= fits. */
#define DKIMS_FIELD_MAX	3072
/* All of a message's fields (CONF_DKIM_SIGN_DOMAIN of them). */
#define DKIMS_FIELDS_MAX (CONF_DKIM_SIGN_DOMAIN * DKIMS_FIELD_MAX)

enum dkims_error {
	DKIMS_OK = 0,
	DKIMS_ELIB,		/* libopendkim or libcrypto will not load */
	DKIMS_EREAD,		/* the key file cannot be read (errnum) */
	DKIMS_EBIG,		/* the key file is over DKIMS_KEY_MAX */
	DKIMS_EKEY,		/* no unencrypted PEM private key in it */
	DKIMS_ETYPE,		/* a key neither RSA nor Ed25519 */
	DKIMS_ESMALL,		/* RSA under DKIMS_RSA_MIN bits */
	DKIMS_ENOED25519,	/* this libopendkim cannot sign Ed25519 */
	DKIMS_ESIGN,		/* libopendkim failed (detail: its text) */
	DKIMS_ESPACE,		/* the fields do not fit the buffer */
};

enum dkims_alg {
	DKIMS_RSA_SHA256,
	DKIMS_ED25519_SHA256,
};

/* A key read (dkims_key_read()). */
struct dkims_key {
	const struct conf_dkim_sign *conf;	/* its dkim-sign line */
	enum dkims_alg	 alg;
	unsigned int	 bits;
	char		*pem;		/* the file's text, NUL-terminated */
	size_t		 len;
};

/* Why a call failed, for a log line or a -n message. */
struct dkims_failure {
	enum dkims_error err;
	int		 errnum;	/* DKIMS_EREAD's errno */
	const struct conf_dkim_sign *key;	/* the key concerned, or NULL */
	char		 detail[256];	/* libopendkim's text, dlerror's; "" */
};

struct dkims_signer {
	const struct conf *conf;
	struct dkimlib	 lib;
	struct cryptolib crypto;
	DKIM_LIB	*dl;		/* NULL until dkims_open() */
	int		 ed25519;	/* the library signs Ed25519 */
	/* keys read so far, by conf->dkim_sign index (pem NULL: not yet) */
	struct dkims_key keys[CONF_DKIM_SIGN_MAX];
};

/* One message being signed by up to CONF_DKIM_SIGN_DOMAIN keys. */
struct dkims_msg {
	struct dkims_signer *s;
	size_t		 n;		/* handles in use (0: not signed) */
	DKIM		*d[CONF_DKIM_SIGN_DOMAIN];
	const struct dkims_key *k[CONF_DKIM_SIGN_DOMAIN];
	DKIM_STAT	 st;		/* the first failure of dkims_data() */
};

/* The header fields signed, when present (h=). */
extern const char *const dkims_fields[];

/*
 * Load libopendkim and libcrypto and set the signing policy; c (its
 * dkim-sign lines) must outlive s.  0, or -1 with f filled.  Calling it
 * again on an open signer does nothing.
 */
int	dkims_open(struct dkims_signer *s, const struct conf *c,
	    struct dkims_failure *f);
/* Wipe and free the keys read, release the library's handle. */
void	dkims_close(struct dkims_signer *s);

/*
 * Read and judge one key file into k (pem malloc'd; free with
 * dkims_key_free(), which wipes it): crypto must be open.  0, or -1
 * with f filled (f->key = line).  What `samotop-smtpd -n` runs for
 * each dkim-sign line, and a signer before a key's first use.
 */
int	dkims_key_read(struct dkims_key *k, const struct cryptolib *crypto,
	    const struct conf_dkim_sign *line, struct dkims_failure *f);
void	dkims_key_free(struct dkims_key *k);

/*
 * The domain a message is signed for, from its From: field's value:
 * exactly one mailbox with a domain, into out (lowercased); 0, or -1
 * when the field has none or several.  Pure.
 */
int	dkims_from_domain(const char *value, char *out, size_t size);
/* How many dkim-sign lines name domain (already lowercased).  Pure. */
size_t	dkims_keys_for(const struct conf *c, const char *domain);

/*
 * Start signing a message whose From: domain is domain (lowercased; as
 * dkims_from_domain() gives it); id names it in libopendkim's
 * messages.  1: it is signed, by m->n keys; 0: no dkim-sign line names
 * that domain (nothing to do: dkims_data() and dkims_end() may still
 * be called); -1 with f filled (a key cannot be read, libopendkim
 * failed).
 */
int	dkims_begin(struct dkims_msg *m, struct dkims_signer *s,
	    const char *domain, const char *id, struct dkims_failure *f);
/* The next len octets of the canonical message. */
void	dkims_data(struct dkims_msg *m, const char *buf, size_t len);
/*
 * The message ended: its DKIM-Signature: fields, CRLF line ends and
 * folded, into out[0..*len) (NUL-terminated; *len 0 when not signed).
 * 0, or -1 with f filled.  Releases the handles either way.
 */
int	dkims_end(struct dkims_msg *m, char *out, size_t size, size_t *len,
	    struct dkims_failure *f);
/* A message given up (the handles released; harmless twice). */
void	dkims_abort(struct dkims_msg *m);

/* What f says, on one line, into buf (for a log line, -n, stderr). */
const char *dkims_strerror(const struct dkims_failure *f, char *buf,
	    size_t size);

#endif
