/*
 * scr_dane.h: DNSSEC and DANE evidence about a sender's domain, for the
 * screener's web page ("the user verifies signatures").
 *
 * With libunbound (unboundlib.h), validating every answer up to a trust
 * anchor (Debian's dns-root-data /usr/share/dns/root.key by default,
 * samotop.conf's screener-trust-anchor), it asks:
 *   - the domain's MX records: is its DNSSEC chain secure?  A secure
 *     answer (or a proven absence of MX records) means signed; an answer
 *     from an unsigned zone means not signed; signatures that do not
 *     validate mean bogus;
 *   - when the MX records are secure (RFC 7672 2.2.1: an insecure MX
 *     RRset makes DANE inapplicable), TLSA records at _25._tcp.HOST for
 *     each mail host (the domain itself when it has no MX records, RFC
 *     5321 5.1), in order of preference: usable records (RFC 7672 3.1:
 *     DANE-TA(2) or DANE-EE(3), a known selector and matching type) that
 *     validate as secure, for a host whose addresses (A or AAAA) validate
 *     too (RFC 7672 2.2.2), mean that a sending server can authenticate
 *     the domain's mail host.  (The TLSA records are looked up at the
 *     MX host name only, not at the target of a CNAME it may be.)
 * Queries go to the forwarder given (conf resolver), else to the
 * nameservers of /etc/resolv.conf, which must pass DNSSEC records
 * through: any recursive resolver does, and a validating one too, since
 * libunbound asks with the CD bit and validates the data itself (a
 * resolver that strips signatures makes every signed domain look
 * bogus).  The whole check takes at most conf timeout seconds.  No
 * global state: a libunbound context is made and deleted by each check.
 */
#ifndef SAMOTOP_SCR_DANE_H
#define SAMOTOP_SCR_DANE_H

#include <stddef.h>
#include <time.h>

#define SCR_DANE_TRUST_ANCHOR	"/usr/share/dns/root.key"
#define SCR_DANE_TIMEOUT	10	/* seconds, the whole check */
#define SCR_DANE_MX_MAX		8	/* mail hosts looked at */

struct unboundlib;

struct scr_dane_conf {
	/* DS or DNSKEY records in zone file format; NULL: the default */
	const char	*trust_anchor;
	/* "IP" or "IP@PORT" of a recursive resolver; NULL: resolv.conf's */
	const char	*resolver;
	int		 timeout;	/* seconds; <= 0: SCR_DANE_TIMEOUT */
	/* libunbound's functions: zeroed by the caller, loaded by the
	 * first check, kept for the next */
	struct unboundlib *lib;
};

struct scr_dane {
	int	dnssec;		/* -1 unknown or bogus, 0 not signed, 1 signed */
	int	tlsa;		/* -1 unknown or bogus, 0 no usable secure TLSA
				   (or DNSSEC is not 1), 1 TLSA for mx */
	int	bogus;		/* the -1 is a validation failure */
	char	mx[256];	/* the mail host looked at, "" for none: the
				   one with TLSA, the one whose lookup failed,
				   else the most preferred */
	char	why[256];	/* what made a -1, or a note on a 0 (why not
				   DANE, no mail host); printable */
};

/*
 * Check domain (ASCII, A-labels; a trailing dot is allowed).  0 when
 * DNS was asked: out says what it answered (a failed lookup or bogus
 * data is a -1 there, explained in out->why and why).  -1 when the check
 * could not run (not a domain name, libunbound not loadable, the trust
 * anchor unreadable, a bad resolver address): out is all unknown, and
 * why (and out->why) says why.
 */
int	scr_dane_check(const struct scr_dane_conf *dc, const char *domain,
	    struct scr_dane *out, char *why, size_t size);

/*
 * One line for the web page, into buf (truncated to size): "DNSSEC:
 * signed; DANE: TLSA for mx.example.org", "DNSSEC: signed; DANE: no TLSA
 * for mx.example.org (NOTE)", "DNSSEC: signed; DANE: no mail host
 * (...)", "DNSSEC: signed; DANE: bogus TLSA for HOST (...)", "DNSSEC:
 * signed; DANE: unknown for HOST (...)", "DNSSEC: not signed", "DNSSEC:
 * bogus (...)", "DNSSEC: unknown (...)".  Printable ASCII, not
 * HTML-escaped: the page escapes it.
 */
void	scr_dane_text(const struct scr_dane *d, char *buf, size_t size);

/*
 * The parts samotop-remote's DANE look-ups (rmt_dane.h) share, asking
 * other questions of the same resolver in the same way.
 */
#define SCR_DANE_NAME_TEXT	256	/* a host name as text */

struct ub_ctx;
struct ub_result;

struct scr_dane_query {
	char		 name[SCR_DANE_NAME_TEXT + 9];	/* "_25._tcp." NAME */
	int		 done;
	int		 err;		/* libunbound's, 0 with a result */
	struct ub_result *res;		/* the asker frees it */
};

/*
 * A libunbound context as scr_dane_check() makes it (the trust anchor
 * checked, libunbound loaded into dc->lib, the resolver set, queries
 * asynchronous); NULL with why.  The caller deletes it with
 * dc->lib->ctx_delete().
 */
struct ub_ctx *scr_dane_context(const struct scr_dane_conf *dc, char *why,
	    size_t size);
/* Send q for type (class IN); libunbound's error when it cannot (q is
 * then done). */
int	scr_dane_ask(const struct unboundlib *l, struct ub_ctx *ctx,
	    struct scr_dane_query *q, int type);
/*
 * Until every one of q[0..n) is answered: 0; 1 when the deadline
 * (CLOCK_MONOTONIC) came first; -1 when waiting failed (why).
 */
int	scr_dane_wait(const struct unboundlib *l, struct ub_ctx *ctx,
	    struct scr_dane_query *q, size_t n,
	    const struct timespec *deadline, char *why, size_t size);
/*
 * 1 with why in buf when q's answer is no answer (no answer in time, a
 * failed lookup, bogus data: *bogus set, an error rcode); 0 when it is
 * one (data, NODATA or NXDOMAIN), secure or not.
 */
int	scr_dane_failed(const struct unboundlib *l,
	    const struct scr_dane_query *q, int *bogus, char *buf,
	    size_t size);
/*
 * 1 when a TLSA record's rdata is usable by an SMTP client (RFC 7672
 * 3.1): DANE-TA(2) or DANE-EE(3), selector 0 or 1, matching type 0, 1
 * or 2 with a digest of its length.
 */
int	scr_dane_tlsa_usable(const unsigned char *p, size_t len);
/*
 * The uncompressed wire-format name at p[off..len) (as libunbound gives
 * rdata) as lowercase text without the trailing dot, "" for the root,
 * odd octets as \DDD; 0, or -1 when it is malformed or does not fit.
 */
int	scr_dane_wire_name(const unsigned char *p, size_t len, size_t off,
	    char *buf, size_t size);

#endif
