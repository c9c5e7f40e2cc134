/*
 * rmt_mx.h: where mail for a domain goes (RFC 5321 §5.1), for
 * samotop-remote: the MX records in preference order, equal preferences
 * shuffled, then each host's addresses; no MX record: the domain itself
 * (its A/AAAA); a null MX (RFC 7505): nowhere, for good.
 *
 * The DNS answers come from the network: rmt_mx_parse_mx() and
 * rmt_mx_parse_addr() read them with bounds checks on every field and
 * are pure (fuzzed: fuzz/fuzz_rmt_mx.c).  rmt_mx_resolve() asks the libc
 * resolver (res_query(), /etc/resolv.conf: its time-outs and servers).
 */
#ifndef SAMOTOP_RMT_MX_H
#define SAMOTOP_RMT_MX_H

#include <stddef.h>

#define RMT_MX_HOSTS	16	/* hosts tried at most */
#define RMT_MX_ADDRS	8	/* addresses per host at most */
#define RMT_MX_NAME_MAX	255	/* a domain name, without the final dot */
#define RMT_MX_PARSE_MAX 64	/* MX records read from one answer */

struct rmt_addr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	a[16];		/* 4 or 16 octets, network order */
};

struct rmt_mx_rr {
	unsigned	pref;
	char		name[RMT_MX_NAME_MAX + 1];	/* "" for "." */
};

struct rmt_mx_host {
	unsigned	pref;
	char		name[RMT_MX_NAME_MAX + 1];
	size_t		naddr;
	struct rmt_addr	addr[RMT_MX_ADDRS];
};

enum rmt_mx_status {
	RMT_MX_OK,		/* hosts with addresses */
	RMT_MX_TEMP,		/* SERVFAIL, time-out, no address yet: 4xx */
	RMT_MX_PERM,		/* NXDOMAIN, null MX, no address: 5xx */
};

struct rmt_mx {
	enum rmt_mx_status status;
	int		code;		/* 451, 550, 556 with status != OK */
	char		why[160];	/* "5.1.10 null MX: ..." likewise */
	int		implicit;	/* no MX: the domain's own address */
	size_t		nhost;
	struct rmt_mx_host host[RMT_MX_HOSTS];
};

/*
 * The MX records of an answer of len octets (class IN, type MX, in the
 * answer section), at most max of them into rr, their count in *n; the
 * exchange names without the final dot, "" for the root (a null MX).
 * 0, or -1 when the answer does not parse.  Pure.
 */
int	rmt_mx_parse_mx(const unsigned char *msg, size_t len,
	    struct rmt_mx_rr *rr, size_t max, size_t *n);
/*
 * The A (family AF_INET) or AAAA (AF_INET6) records of an answer,
 * appended to addr[*n..max); 0, or -1 when it does not parse.  Pure.
 */
int	rmt_mx_parse_addr(const unsigned char *msg, size_t len, int family,
	    struct rmt_addr *addr, size_t max, size_t *n);
/*
 * Sort rr[0..n) by preference, and shuffle the records of equal
 * preference with rnd(arg) (any unsigned; RFC 5321 §5.1: spreads the
 * load).  Pure for a pure rnd.
 */
void	rmt_mx_order(struct rmt_mx_rr *rr, size_t n,
	    unsigned (*rnd)(void *), void *arg);
/*
 * 1 when the records are a null MX (RFC 7505: one record, exchange "."),
 * the domain's way of saying it takes no mail.
 */
int	rmt_mx_is_null(const struct rmt_mx_rr *rr, size_t n);
/*
 * RFC 5321 §5.1: when the sorted list names self (our own host name,
 * any case), that record and all of a preference as great or greater
 * go (delivering to them would send the mail back to us, or round in a
 * loop); *n is cut.  1 when self was the best: nothing is left that is
 * better than us, a loop.  Pure.
 */
int	rmt_mx_cut_self(struct rmt_mx_rr *rr, size_t *n, const char *self);
/*
 * The whole look-up for domain into mx; self is our host name for
 * rmt_mx_cut_self() (NULL: none): its status, and with RMT_MX_OK
 * at least one host with at least one address.  Hosts whose addresses
 * fail to resolve are left out; when none is left the status is
 * RMT_MX_TEMP (a look-up failed) or RMT_MX_PERM (none exists).
 */
void	rmt_mx_resolve(const char *domain, const char *self,
	    struct rmt_mx *mx);
/*
 * One host instead of an MX look-up (samotop-remote -m: a smarthost, or
 * tests): an address literal, or a name whose A/AAAA are looked up.
 */
void	rmt_mx_resolve_host(const char *host, struct rmt_mx *mx);
/* "192.0.2.1" or "2001:db8::1" into buf (INET6_ADDRSTRLEN). */
const char *rmt_addr_str(const struct rmt_addr *a, char *buf, size_t size);

#endif
