/*
 * policy.c: the order and the replies of the spam checks.  The checks
 * themselves live in lists.c, rdns.c, dnsbl.c, spf.c and greylist.c.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "dnsbl.h"
#include "lists.h"
#include "policy.h"
#include "received.h"

static const char *list_kind_names[LIST__COUNT] = {
	"client", "helo", "rdns", "sender", "recipient"
};

void
policy_init(struct policy *p, const struct conf *c, const struct logger *log,
    const char *ip)
{
	memset(p, 0, sizeof(*p));
	p->conf = c;
	p->log = log;
	p->ip = ip;
	spf_ctx_init(&p->spf_ctx);
	greylist_init(&p->grey);
}

void
policy_free(struct policy *p)
{
	spf_ctx_free(&p->spf_ctx);
	greylist_close(&p->grey);
}

static const char *
deny_text(const struct policy *p)
{
	return p->conf->deny_message != NULL ? p->conf->deny_message :
	    "Access denied";
}

/* Lists of one kind: allow ends the checks, deny refuses. */
static enum list_verdict
lists(struct policy *p, enum list_kind kind, const char *value)
{
	enum list_verdict v;
	const char *err;
	unsigned line = 0;
	char n[16];

	v = list_lookup(p->conf, kind, value, &err, &line);
	if (err != NULL)
		log_event(p->log, LVL_WARN, "list", "kind",
		    list_kind_names[kind], "file", err, "reason",
		    "cannot read the list file", NULL);
	if (v == LIST_NONE)
		return v;
	snprintf(n, sizeof(n), "%u", line);
	log_event(p->log, LVL_INFO, "list", "kind", list_kind_names[kind],
	    "value", value, "result", v == LIST_ALLOW ? "allow" : "deny",
	    "line", n, NULL);
	/*
	 * Who the client is lasts the session; a sender's allow lasts its
	 * transaction, a recipient's that recipient.
	 */
	if (v == LIST_ALLOW && kind == LIST_SENDER)
		p->sender_allowed = 1;
	else if (v == LIST_ALLOW && kind == LIST_RECIPIENT)
		p->rcpt_allowed = 1;
	else if (v == LIST_ALLOW)
		p->client_allowed = 1;
	return v;
}

static int
rdns_wanted(const struct policy *p)
{
	size_t i;

	if (p->conf->rdns != ACTION_OFF)
		return 1;
	for (i = 0; i < p->conf->nlists; i++)
		if (p->conf->lists[i].kind == LIST_RDNS)
			return 1;
	return 0;
}

static void
lookup_rdns(struct policy *p)
{
	p->rdns = rdns_check(p->ip, p->rdns_name, sizeof(p->rdns_name));
	p->rdns_done = 1;
	log_event(p->log, LVL_INFO, "rdns", "result",
	    rdns_result_name(p->rdns), "name",
	    p->rdns_name[0] != '\0' ? p->rdns_name : NULL, NULL);
}

static enum policy_verdict
rdns_policy(struct policy *p, struct reply *r)
{
	enum check_action a = p->conf->rdns;

	if (p->rdns == RDNS_PASS || a == ACTION_OFF || a == ACTION_LOG)
		return POLICY_PASS;
	if (p->rdns == RDNS_TEMPERROR || a == ACTION_TEMPFAIL) {
		reply_add(r, 1, R_RDNS_TEMPFAIL, p->ip);
		return POLICY_CLOSE;
	}
	reply_add(r, 1, R_RDNS_REJECT, p->ip);
	return POLICY_CLOSE;
}

static enum policy_verdict
dnsbl(struct policy *p, struct reply *r)
{
	char reason[200];
	size_t i;

	for (i = 0; i < p->conf->ndnsbl; i++) {
		switch (dnsbl_check(p->ip, p->conf->dnsbl[i], reason,
		    sizeof(reason))) {
		case DNSBL_LISTED:
			log_event(p->log, LVL_INFO, "dnsbl", "zone",
			    p->conf->dnsbl[i], "result", "listed", "reason",
			    reason, NULL);
			reply_add(r, 1, R_DNSBL, p->ip, p->conf->dnsbl[i],
			    reason[0] != '\0' ? reason : "see the list's "
			    "web site");
			return POLICY_CLOSE;
		case DNSBL_TEMPERROR:
			log_event(p->log, LVL_WARN, "dnsbl", "zone",
			    p->conf->dnsbl[i], "result", "temperror", NULL);
			break;
		default:
			break;
		}
	}
	return POLICY_PASS;
}

/* A list checked at connect: 1 when it decided (allow or deny), in *v. */
static int
connect_list(struct policy *p, enum list_kind kind, const char *value,
    struct reply *r, enum policy_verdict *v)
{
	switch (lists(p, kind, value)) {
	case LIST_ALLOW:
		*v = POLICY_PASS;
		return 1;
	case LIST_DENY:
		reply_add(r, 1, R_DENIED_CONNECT, deny_text(p));
		*v = POLICY_CLOSE;
		return 1;
	default:
		return 0;
	}
}

enum policy_verdict
policy_connect(struct policy *p, struct reply *r)
{
	enum policy_verdict v;

	if (p->ip[0] == '\0')		/* a pipe session: nothing to ask */
		return POLICY_PASS;
	if (connect_list(p, LIST_CLIENT, p->ip, r, &v))
		return v;
	if (rdns_wanted(p)) {
		lookup_rdns(p);
		if (connect_list(p, LIST_RDNS, p->rdns == RDNS_PASS ?
		    p->rdns_name : "", r, &v))
			return v;
	}
	if (dnsbl(p, r) == POLICY_CLOSE)
		return POLICY_CLOSE;
	return p->rdns_done ? rdns_policy(p, r) : POLICY_PASS;
}

const char *
policy_client_name(const struct policy *p)
{
	return p->rdns_done && p->rdns == RDNS_PASS ? p->rdns_name : "";
}

enum policy_verdict
policy_helo(struct policy *p, const char *helo, int esmtp, struct reply *r)
{
	if (p->client_allowed)
		return POLICY_PASS;
	if (lists(p, LIST_HELO, helo) == LIST_DENY) {
		reply_add(r, esmtp, R_DENIED, deny_text(p));
		return POLICY_REFUSE;
	}
	if (p->client_allowed || p->conf->helo_check == ACTION_OFF ||
	    addr_domain_valid(helo, strlen(helo)))
		return POLICY_PASS;
	log_event(p->log, LVL_INFO, "helo-check", "helo", helo, "result",
	    "invalid", NULL);
	if (p->conf->helo_check != ACTION_REJECT)
		return POLICY_PASS;
	reply_add(r, esmtp, R_BAD_HELO);
	return POLICY_REFUSE;
}

static enum policy_verdict
spf_policy(struct policy *p, const char *helo, const char *sender, int esmtp,
    struct reply *r)
{
	enum check_action a;

	spf_check(&p->spf_ctx, p->ip, helo, sender, p->conf->hostname,
	    &p->spf);
	p->spf_done = 1;
	if (p->spf.error[0] != '\0') {
		/* not a DNS hiccup but a broken installation: never accept
		 * unchecked, whatever spf-temperror says */
		log_event(p->log, LVL_ERROR, "spf", "identity",
		    p->spf.identity, "result", "temperror", "action",
		    "tempfail", "reason", "libspf2 cannot be loaded", "error",
		    p->spf.error, NULL);
		reply_add(r, esmtp, R_SPF_TEMPFAIL);
		return POLICY_REFUSE;
	}
	a = p->conf->spf_action[p->spf.result];
	log_event(p->log, LVL_INFO, "spf", "identity", p->spf.identity,
	    "result", spf_outcome_name(p->spf.result), "action",
	    a == ACTION_REJECT ? "reject" : a == ACTION_TEMPFAIL ?
	    "tempfail" : "accept", NULL);
	if (a == ACTION_TEMPFAIL) {
		reply_add(r, esmtp, R_SPF_TEMPFAIL);
		return POLICY_REFUSE;
	}
	if (a != ACTION_REJECT)
		return POLICY_PASS;
	reply_add(r, esmtp, p->spf.result == SPFR_PERMERROR ?
	    R_SPF_PERMERROR : R_SPF_FAIL, p->spf.explanation);
	return POLICY_REFUSE;
}

enum policy_verdict
policy_mail(struct policy *p, const char *helo, const char *sender,
    int esmtp, struct reply *r)
{
	policy_tx_end(p);
	if (!p->tls && p->conf->plaintext == ACTION_REJECT) {
		reply_add(r, esmtp, R_TLS_REQUIRED);
		return POLICY_REFUSE;
	}
	if (p->client_allowed)
		return POLICY_PASS;
	switch (lists(p, LIST_SENDER, sender)) {
	case LIST_ALLOW:
		return POLICY_PASS;
	case LIST_DENY:
		reply_add(r, esmtp, R_DENIED, deny_text(p));
		return POLICY_REFUSE;
	default:
		break;
	}
	if (!p->conf->spf || p->ip[0] == '\0')
		return POLICY_PASS;
	return spf_policy(p, helo, sender, esmtp, r);
}

static int
greylisting(const struct policy *p)
{
	if (p->conf->greylist_db == NULL || p->ip[0] == '\0')
		return 0;
	return p->conf->plaintext != ACTION_GREYLIST || !p->tls;
}

static enum policy_verdict
greylist(struct policy *p, const char *sender, const char *rcpt, int esmtp,
    struct reply *r)
{
	unsigned wait = 0;
	char n[16];

	switch (greylist_check(&p->grey, p->conf, p->ip, sender, rcpt,
	    time(NULL), &wait)) {
	case GREY_PASS:
		return POLICY_PASS;
	case GREY_DEFER:
		snprintf(n, sizeof(n), "%u", wait);
		log_event(p->log, LVL_INFO, "greylist", "from", sender,
		    "to", rcpt, "result", "defer", "wait", n, NULL);
		reply_add(r, esmtp, R_GREYLISTED, wait);
		return POLICY_REFUSE;
	case GREY_LIMIT:
		snprintf(n, sizeof(n), "%u", p->conf->greylist_max_pending);
		log_event(p->log, LVL_WARN, "greylist", "from", sender,
		    "to", rcpt, "result", "limit", "max", n, NULL);
		reply_add(r, esmtp, R_GREYLIST_LIMIT);
		return POLICY_REFUSE;
	default:
		log_event(p->log, LVL_ERROR, "greylist", "result", "error",
		    "reason", p->grey.why, NULL);
		reply_add(r, esmtp, R_LOCAL_ERROR);
		return POLICY_REFUSE;
	}
}

enum policy_verdict
policy_rcpt(struct policy *p, const char *rcpt, int postmaster, int esmtp,
    struct reply *r)
{
	p->rcpt_allowed = postmaster;
	if (postmaster || p->client_allowed || p->sender_allowed)
		return POLICY_PASS;
	if (lists(p, LIST_RECIPIENT, rcpt) != LIST_DENY)
		return POLICY_PASS;
	reply_add(r, esmtp, R_DENIED, deny_text(p));
	return POLICY_REFUSE;
}

enum policy_verdict
policy_rcpt_accepted(struct policy *p, const char *sender, const char *rcpt,
    int esmtp, struct reply *r)
{
	if (p->client_allowed || p->sender_allowed || p->rcpt_allowed ||
	    !greylisting(p))
		return POLICY_PASS;
	return greylist(p, sender, rcpt, esmtp, r);
}

void
policy_tx_end(struct policy *p)
{
	p->sender_allowed = 0;
	p->rcpt_allowed = 0;
	p->spf_done = 0;
}

static const char *
iprev_result(enum rdns_result r)
{
	return r == RDNS_PASS ? "pass" : r == RDNS_TEMPERROR ? "temperror" :
	    "fail";
}

/* RFC 8601: what this host checked, for the mailbox owner's filters. */
static size_t
auth_results(const struct policy *p, const char *sender, const char *helo,
    const char *more, char *buf, size_t size)
{
	struct authres_info ai = { p->conf->hostname,
	    p->rdns_done ? iprev_result(p->rdns) : NULL, p->ip, p->rdns_name,
	    p->spf_done ? spf_outcome_name(p->spf.result) : NULL, sender,
	    helo, p->tls ? p->tls_desc : NULL, p->conf->leave_no_trace,
	    more };

	return authres_header(buf, size, &ai);
}

size_t
policy_headers(const struct policy *p, const char *sender, const char *helo,
    const char *more, char *buf, size_t size)
{
	size_t n = 0, k;

	if (p->conf->auth_results)
		n = auth_results(p, sender, helo, more, buf, size);
	/* Received-SPF: names the client's address, HELO and sender. */
	if (p->spf_done && p->spf.header[0] != '\0' &&
	    !p->conf->leave_no_trace) {
		k = snprintf(buf + n, size - n, "%s", p->spf.header);
		n = k < size - n ? n + k : n;
	}
	return n;
}
