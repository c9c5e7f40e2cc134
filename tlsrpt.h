/*
 * tlsrpt.h: SMTP TLS Reporting (RFC 8460), the pure part: the result
 * types of a TLS session attempt, the line samotop-remote appends for
 * each attempt to its day file, the aggregation of a day's lines into
 * the report's JSON, and the _smtp._tls TXT record that says where a
 * domain wants its reports.  These read what the disk and the network
 * give (fuzzed: fuzz/fuzz_tlsrpt.c): every parser checks every bound,
 * and nothing here allocates.
 *
 * A line (one write(2) with O_APPEND, so that concurrent samotop-remote
 * runs never interleave), fields separated by one space, "-" for none:
 *
 *	tlsrpt1 EPOCH RESULT POLICY DOMAIN MX RIP SIP MODE MAXAGE MXLIST
 *
 * RESULT: "success" or an RFC 8460 §4.3 result-type; POLICY: "sts",
 * "tlsa" or "no-policy-found"; DOMAIN: the policy domain; MX: the MX
 * host; RIP and SIP: the receiving and the sending address; for sts the
 * policy as samotop-remote applied it: MODE ("testing", "enforce"),
 * MAXAGE and MXLIST (its mx patterns, comma-separated), from which the
 * report's policy-string is made.  Every field is made of the octets
 * [A-Za-z0-9.:_*,-] only, so no field can break a line or the JSON.
 */
#ifndef SAMOTOP_TLSRPT_H
#define SAMOTOP_TLSRPT_H

#include <stddef.h>
#include <time.h>

#include "sts_policy.h"

#define TLSRPT_NAME_MAX		255	/* a domain or host name */
#define TLSRPT_IP_MAX		63	/* an address, as text */
#define TLSRPT_MXLIST_MAX	(STS_MX_MAX * (STS_NAME_MAX + 1))
#define TLSRPT_LINE_MAX		(TLSRPT_MXLIST_MAX + 1024)
#define TLSRPT_POLICIES_MAX	32	/* policies in one report */
#define TLSRPT_DETAILS_MAX	256	/* failure-details in one report */
#define TLSRPT_RUA_MAX		8	/* report URIs kept from a record */
#define TLSRPT_URI_MAX		512
/* The JSON of a full aggregation fits in this, with room to spare. */
#define TLSRPT_JSON_MAX		(1024 * 1024)

/* What one session attempt came to (RFC 8460 §4.3). */
enum tlsrpt_result {
	TLSRPT_SUCCESS,
	/* negotiation failures, §4.3.1 */
	TLSRPT_STARTTLS_NOT_SUPPORTED,
	TLSRPT_CERT_HOST_MISMATCH,
	TLSRPT_CERT_EXPIRED,
	TLSRPT_CERT_NOT_TRUSTED,
	TLSRPT_VALIDATION_FAILURE,
	/* policy failures, §4.3.2 */
	TLSRPT_TLSA_INVALID,
	TLSRPT_DNSSEC_INVALID,
	TLSRPT_DANE_REQUIRED,
	TLSRPT_STS_POLICY_FETCH_ERROR,
	TLSRPT_STS_POLICY_INVALID,
	TLSRPT_STS_WEBPKI_INVALID,
	TLSRPT_NRESULT
};

/* The policy that applied (§4.4 policy-type). */
enum tlsrpt_policy {
	TLSRPT_POLICY_STS,
	TLSRPT_POLICY_TLSA,
	TLSRPT_POLICY_NONE,		/* "no-policy-found" */
	TLSRPT_NPOLICY
};

struct tlsrpt_line {
	time_t			when;
	enum tlsrpt_result	result;
	enum tlsrpt_policy	policy;
	char	domain[TLSRPT_NAME_MAX + 1];
	char	mx[TLSRPT_NAME_MAX + 1];	/* "" none */
	char	rip[TLSRPT_IP_MAX + 1];		/* "" none */
	char	sip[TLSRPT_IP_MAX + 1];		/* "" none */
	enum sts_mode		mode;		/* sts: testing or enforce */
	unsigned long		max_age;
	char	mxlist[TLSRPT_MXLIST_MAX + 1];	/* sts: "a,*.b" */
};

/* The RFC's name of a result or policy type (one table each). */
const char	*tlsrpt_result_name(enum tlsrpt_result r);
const char	*tlsrpt_policy_name(enum tlsrpt_policy p);

/*
 * l as a line, LF included, into buf[0..size): its length, or 0 when a
 * field is empty where it may not be, holds an octet outside the set
 * above, or the line does not fit.  Pure.
 */
size_t	tlsrpt_line_format(const struct tlsrpt_line *l, char *buf,
	    size_t size);
/*
 * One line, s[0..len) without its LF, into l: 0, or -1 when it is not a
 * valid line (another version, a field missing, unknown, too long or
 * with a foreign octet).  Pure.
 */
int	tlsrpt_line_parse(const char *s, size_t len, struct tlsrpt_line *l);

/* A report's policies, each with its counts (RFC 8460 §4.4). */
struct tlsrpt_agg_policy {
	enum tlsrpt_policy	type;
	char	mx[TLSRPT_NAME_MAX + 1];	/* tlsa: its MX host */
	enum sts_mode		mode;		/* sts: the policy string */
	unsigned long		max_age;
	char	mxlist[TLSRPT_MXLIST_MAX + 1];
	unsigned long		ok, failed;
};

struct tlsrpt_agg_detail {
	size_t			policy;		/* index into pol[] */
	enum tlsrpt_result	result;
	char	mx[TLSRPT_NAME_MAX + 1];
	char	rip[TLSRPT_IP_MAX + 1];
	char	sip[TLSRPT_IP_MAX + 1];
	unsigned long		count;
};

/*
 * One day's aggregation for one policy domain.  Bounded: lines of a
 * policy past TLSRPT_POLICIES_MAX are counted in skipped, failure
 * details past TLSRPT_DETAILS_MAX in their policy's summary only.
 */
struct tlsrpt_agg {
	char			domain[TLSRPT_NAME_MAX + 1];
	size_t			npol, ndet;
	struct tlsrpt_agg_policy pol[TLSRPT_POLICIES_MAX];
	struct tlsrpt_agg_detail det[TLSRPT_DETAILS_MAX];
	unsigned long		lines;		/* added */
	unsigned long		skipped;	/* not valid, or no room */
};

/* An empty aggregation for domain (copied, lower case). */
void	tlsrpt_agg_init(struct tlsrpt_agg *a, const char *domain);
/*
 * Every line of text[0..len) (a day file's contents; a last line
 * without its LF, which a writer may be appending, is ignored) added;
 * a line for another domain, or one that does not parse, is counted
 * in a->skipped.  Pure.
 */
void	tlsrpt_agg_text(struct tlsrpt_agg *a, const char *text, size_t len);
/* One line added (0), or counted in skipped (-1). */
int	tlsrpt_agg_add(struct tlsrpt_agg *a, const struct tlsrpt_line *l);

/* What a report says about its sender and its period. */
struct tlsrpt_meta {
	const char	*org;		/* organization-name */
	const char	*contact;	/* contact-info */
	const char	*report_id;
	time_t		 start, end;	/* date-range, inclusive */
};

/*
 * The RFC 8460 §4.4 JSON report of a into buf[0..size): its length
 * (no NUL written), or 0 when it does not fit (TLSRPT_JSON_MAX always
 * does) or a meta string holds a control octet.  Pure.
 */
size_t	tlsrpt_json(const struct tlsrpt_agg *a, const struct tlsrpt_meta *m,
	    char *buf, size_t size);

/* Where a domain wants its reports (§3: "rua="). */
struct tlsrpt_rua {
	size_t	nmailto, nhttps;
	char	mailto[TLSRPT_RUA_MAX][TLSRPT_URI_MAX];	/* addresses */
	char	https[TLSRPT_RUA_MAX][TLSRPT_URI_MAX];	/* whole URIs */
};

/*
 * One TXT record's text (its strings joined, len octets): 0 when it
 * does not start with "v=TLSRPTv1" (not ours: §3 says it is
 * discarded); else 1, with *valid set when it is a valid record with a
 * rua field, whose mailto: (percent-decoded, the ?headers dropped) and
 * https: URIs are copied into r; URIs of other schemes are ignored.
 * Pure.
 */
int	tlsrpt_txt_record(const char *txt, size_t len, struct tlsrpt_rua *r,
	    int *valid);
/*
 * The TXT answer to "_smtp._tls.DOMAIN" (a DNS message of len octets):
 * 1 with r from its one TLSRPT record, 0 when it has none, or several
 * (§3: then the domain does not take reports), or its one is not valid;
 * -1 when the answer does not parse.  Pure.
 */
int	tlsrpt_txt_answer(const unsigned char *msg, size_t len,
	    struct tlsrpt_rua *r);

#endif
