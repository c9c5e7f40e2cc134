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

#endif
