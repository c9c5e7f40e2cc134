/*
 * spf.h: Sender Policy Framework (RFC 7208) with libspf2, at MAIL FROM
 * (the HELO identity for the null sender).  What libspf2 returns is
 * treated as untrusted: texts are sanitised and bounded here.
 */
#ifndef SAMOTOP_SPF_H
#define SAMOTOP_SPF_H

#include <stddef.h>

#include "spflib.h"

#define SPF_HEADER_MAX	600
#define SPF_TEXT_MAX	200

/* The SPF results (RFC 7208 §2.6); spf-RESULT directives act on them. */
enum spf_outcome {
	SPFR_PASS, SPFR_FAIL, SPFR_SOFTFAIL, SPFR_NEUTRAL, SPFR_NONE,
	SPFR_TEMPERROR, SPFR_PERMERROR, SPFR__COUNT
};

struct spf_verdict {
	enum spf_outcome result;
	char		 explanation[SPF_TEXT_MAX];	/* for a 550 reply */
	char		 header[SPF_HEADER_MAX];	/* "Received-SPF: ..." with
							 * CRLF line ends */
	char		 identity[16];			/* "mailfrom", "helo" */
	char		 error[SPF_TEXT_MAX];		/* why no check ran:
							 * libspf2 could not be
							 * loaded; "" otherwise */
};

/*
 * The libspf2 state of one session, owned by the caller (no global state
 * here).  spf_ctx_init() is cheap (no DNS, no libspf2 set-up): libspf2 is
 * loaded (spflib.h) and its server made at the first spf_check() that
 * needs them, so a session that never checks SPF never maps libspf2.
 * Its members are libspf2's and are not to be touched.
 */
struct spf_ctx {
	void		*server;	/* SPF_server_t *, NULL until the
					 * first check */
	struct spflib	 lib;		/* loaded at the first check */
};
void		spf_ctx_init(struct spf_ctx *ctx);
void		spf_ctx_free(struct spf_ctx *ctx);

/*
 * Check the client ip for sender (an address, "" for the null sender,
 * then postmaster@helo is checked, RFC 7208 §2.4).  hostname is ours, for
 * the header.  v->header is the whole field, folded, each line ending in
 * CR LF (the last one too); v->explanation one line of printable ASCII
 * (maybe ""), meant for the text of a 550 reply.  When libspf2 cannot
 * be loaded the result is temperror and v->error says why (dlerror's
 * text, naming the library): the caller must refuse for now, whatever
 * its spf-temperror action, rather than skip the check.
 *
 * Time: libspf2 asks the libc resolver (res_query), so each of its DNS
 * queries is bounded by resolv.conf's `options timeout:N attempts:N`; RFC
 * 7208's limit of 10 DNS-querying terms bounds their number.
 */
void		spf_check(struct spf_ctx *ctx, const char *ip, const char *helo,
		    const char *sender, const char *hostname,
		    struct spf_verdict *v);
const char	*spf_outcome_name(enum spf_outcome r);	/* "pass", ... */

/*
 * Pure helpers (fuzzed by fuzz/fuzz_spf.c).  spf_sanitise: in (NULL: "")
 * as one line of printable ASCII in out (hdr_safe()'s HDR_TEXT): tab, CR
 * and LF become blanks, runs of blanks one blank, other octets '?', no
 * blank at either end, cut to size - 1 octets; returns the length.  spf_fold: a one-line header
 * field (as spf_sanitise makes it) folded at blanks into lines of at most
 * 78 octets where the words allow, continuation lines starting with a
 * tab, every line ending in CR LF; words that no longer fit in out are
 * dropped; returns the length (0 and "" when not even the first word
 * fits).
 */
size_t		spf_sanitise(char *out, size_t size, const char *in);
size_t		spf_fold(char *out, size_t size, const char *in);

/*
 * The Received-SPF: field (RFC 7208 §9.1), folded by spf_fold(); returns
 * its length (0: no room).  Pure, fuzzed by fuzz/fuzz_headers.c.  Every
 * value goes through hdr_safe() (hdr.h): the comment as a comment,
 * envelope-from as HDR_MAILBOX, helo as HDR_DOMAIN; a key with no such
 * value (or NULL) is left out, so a client's text never adds a key.
 */
struct spf_fields {
	enum spf_outcome result;
	const char	*comment;	/* "our.host: what was found" */
	const char	*ip;		/* client-ip */
	const char	*from;		/* envelope-from: the identity checked */
	const char	*helo;
	const char	*identity;	/* "mailfrom", "helo" or NULL */
};
size_t		spf_header(char *out, size_t size,
		    const struct spf_fields *f);

#endif
