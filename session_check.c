/*
 * session_check.c: the end of a message that waited for its checks
 * (inspect.h): their verdict carried out, and a message they let
 * through delivered with samotop's fields and the milters' changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hdr.h"
#include "route.h"
#include "session.h"
#include "session_int.h"

static int
write_to_helper(void *arg, const char *buf, size_t len)
{
	struct session *s = arg;

	return helper_write(&s->helper, buf, len, s->conf->timeout_helper);
}

/*
 * A milter discarded the message: the client is told it was taken (it
 * must not send it again), and nothing is delivered, as Sendmail and
 * Postfix do.
 */
static enum flow
discard_message(struct session *s)
{
	struct reply r = { .len = 0 };

	log_event(&s->log, LVL_INFO, "discarded", "msgid", s->msgid,
	    "reason", "a milter discarded the message", NULL);
	reply_add(&r, s->st.esmtp, R_ACCEPTED, s->msgid);
	return session_respond(s, &r);
}

/* addr is one of the addresses a filter deleted. */
static int
deleted(const struct inspect *in, const char *addr)
{
	size_t i;

	for (i = 0; i < in->ndel; i++)
		if (strcasecmp(in->del[i], addr) == 0)
			return 1;
	return 0;
}

/*
 * A recipient a filter added, in the form lists and routes use, when
 * its route is the transaction's: else -1 (one helper per transaction).
 */
static int
added_rcpt(struct session *s, const char *addr, struct mailbox *mb)
{
	const struct route *route;

	if (addr_parse_mailbox(addr, strlen(addr), ADDR_ALLOW_UTF8, mb) !=
	    ADDR_OK || mailbox_canonical(mb, s->conf->recipient_delimiter,
	    s->conf->local_part_fold, mb) == -1 ||
	    (route = route_lookup(s->conf, mb)) == NULL ||
	    !route_same(route, s->st.tx.route))
		return -1;
	return 0;
}

/*
 * The recipients after the filters' changes into s->rcpts: the kept
 * ones, then the added ones.  -1 with why.
 */
static int
changed_rcpts(struct session *s, unsigned *n, const char **why)
{
	struct inspect *in = s->insp;
	char addr[ADDR_MAX + 1];
	unsigned i, k = 0;

	for (i = 0; i < s->st.tx.nrcpt; i++) {
		mailbox_format(&s->rcpts[i], addr, sizeof(addr));
		if (deleted(in, addr))
			continue;
		if (s->scr != NULL)
			s->scr[k] = s->scr[i];
		s->rcpts[k++] = s->rcpts[i];
	}
	for (i = 0; i < in->nadd; i++) {
		if (k == s->conf->max_recipients) {
			*why = "a milter added more recipients than "
			    "max-recipients";
			return -1;
		}
		if (added_rcpt(s, in->add[i], &s->rcpts[k]) == -1) {
			*why = "a milter added a recipient of another route";
			return -1;
		}
		if (s->scr != NULL)
			s->scr[k] = SCREENER_LATER;	/* the screener's */
		log_personal(&s->log, in->add[i]);
		k++;
	}
	*n = k;
	return 0;
}

/* The recipients the screener refused after the data leave the list. */
static unsigned
drop_denied(struct session *s, unsigned n)
{
	unsigned i, k = 0;

	if (s->scr == NULL)
		return n;
	for (i = 0; i < n; i++) {
		if (s->scr[i] == SCREENER_DENY_RCPT)
			continue;
		s->scr[k] = s->scr[i];
		s->rcpts[k++] = s->rcpts[i];
	}
	return k;
}

/*
 * The envelope as the filters and the screener leave it: a milter's new
 * sender and recipients, the screener's held copies (user+FOLDER) and
 * refusals.  Nothing was given to the helper yet, so when anything
 * changed its transaction is opened again.  0, or -1 (logged): the
 * message is deferred.  *denied: the screener refused every recipient.
 */
static int
change_envelope(struct session *s, int *denied)
{
	struct inspect *in = s->insp;
	struct delivery_envelope env;
	struct mailbox from;
	struct lmtpreply rep;
	const char *why = NULL;
	unsigned i, n = s->st.tx.nrcpt;
	int milter = in->from_changed || in->nadd > 0 || in->ndel > 0;
	int screened = 0;

	*denied = 0;
	session_envelope(s, &env);
	if (in->from_changed) {
		log_personal(&s->log, in->new_from);
		if (in->new_from[0] == '\0')
			memset(&from, 0, sizeof(from));	/* <> */
		else if (addr_parse_mailbox(in->new_from,
		    strlen(in->new_from), ADDR_ALLOW_UTF8, &from) != ADDR_OK)
			why = "a milter's new sender is not an address";
		env.sender = &from;
	}
	if (why == NULL && milter && changed_rcpts(s, &n, &why) == -1)
		n = 0;
	if (why == NULL && session_screen_decide(s, n, &screened) == -1)
		why = "a held recipient's address is too long for the folder";
	if (why == NULL && !milter && !screened)
		return 0;
	if (why == NULL) {
		if ((n = drop_denied(s, n)) == 0 && screened) {
			*denied = 1;
			return 0;
		}
		if (helper_rset(&s->helper, s->conf->timeout_helper) == 0) {
			for (i = 0; i < n; i++)
				if (helper_rcpt(&s->helper, s->st.tx.route ==
				    NULL ? NULL : ((const struct route *)
				    s->st.tx.route)->argv, &env, &s->rcpts[i],
				    s->conf->timeout_helper, &rep) == -1 ||
				    rep.code / 100 != 2)
					break;
			if (i == n) {
				state_rcpt_replaced(&s->st, n);
				log_event(&s->log, LVL_INFO, milter ?
				    "milter" : "screener", "msgid", s->msgid,
				    "envelope", "changed", NULL);
				return 0;
			}
		}
		why = "the helper refused the changed envelope";
	}
	log_event(&s->log, LVL_WARN, milter ? "milter" : "screener", "msgid",
	    s->msgid, "reason", why != NULL ? why : s->helper.why, NULL);
	return -1;
}

/* The fields samotop puts above an inspected message, into hdr. */
static size_t
own_fields(struct session *s, const struct inspect_outcome *out,
    char *hdr, size_t size)
{
	struct received_info ri = { s->st.helo, session_client_name(s),
	    s->peer.ip, s->conf->hostname, session_protocol(s),
	    s->st.tls_active ? s->tls_desc : NULL, s->msgid, time(NULL),
	    s->conf->leave_no_trace ? s->conf->notrace_granularity : 0,
	    session_hide_client(s) };
	char from[ADDR_MAX + 1], more[2048], reason[HDREDIT_REASON_MAX + 1];
	const char *why = out->verdict == INSPECT_QUARANTINE ? out->reason :
	    s->insp->quarantine;
	size_t n = 0;

	if (why[0] != '\0') {
		hdr_safe(reason, sizeof(reason), why, HDR_TEXT);
		n = (size_t)snprintf(hdr, size, "%s: %s\r\n",
		    HDREDIT_QUARANTINE, reason);
	}
	/* what samotop-screener learn looks for, and the user reads */
	if (s->scr_why != NULL)
		n += (size_t)snprintf(hdr + n, size - n, "X-Samotop-Screener: "
		    "held (%s)\r\n", s->scr_why);
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	inspect_authres(s->insp, s->conf->leave_no_trace, more, sizeof(more));
	/* a user's own mail leaves: what we checked is not its reader's */
	if (session_auth_user(s) == NULL)
		n += policy_headers(&s->policy, from, s->st.helo, more,
		    hdr + n, size - n);
	n += received_header(hdr + n, size - n, &ri);
	return n;
}

/* A failure of the spool or of a filter's changes: 451, logged. */
static enum flow
local_failure(struct session *s, enum spool_error serr,
    enum hdredit_error herr)
{
	log_event(&s->log, LVL_ERROR, "error", "msgid", s->msgid, "reason",
	    serr != SPOOL_OK ? spool_strerror(serr) :
	    hdredit_strerror(herr), NULL);
	return session_say(s, serr == SPOOL_NOROOM ? R_NO_ROOM :
	    herr != HDREDIT_OK ? R_MILTER_TEMPFAIL : R_LOCAL_ERROR);
}

/*
 * dkim-sign: the message signed as it will be written, its fields into
 * sig.  0 (*len 0 when no key applies), or -1 with the reply sent
 * (*flow): a message that should be signed is deferred, never sent
 * unsigned.
 */
static int
sign_message(struct session *s, char *sig, size_t size, size_t *len,
    enum flow *flow)
{
	struct dkims_failure f;
	enum spool_error serr;
	enum hdredit_error herr;
	char why[1024];
	int rc;

	*len = 0;
	if (!session_signs(s))
		return 0;
	rc = inspect_sign(s->insp, s->msgid, sig, size, len, &f, &serr,
	    &herr);
	if (rc == -1 && (serr != SPOOL_OK || herr != HDREDIT_OK)) {
		*flow = local_failure(s, serr, herr);
		return -1;
	}
	if (rc == -1) {
		log_event(&s->log, LVL_ERROR, "error", "msgid", s->msgid,
		    "reason", dkims_strerror(&f, why, sizeof(why)), NULL);
		*flow = session_say(s, R_SIGN_FAILED);
		return -1;
	}
	if (rc == 1)
		log_event(&s->log, LVL_INFO, "dkim-sign", "msgid", s->msgid,
		    "domain", s->insp->sign.k[0] != NULL ?
		    s->insp->sign.k[0]->conf->domain : NULL, NULL);
	return 0;
}

/*
 * An inspected message the verdict lets through: the envelope as the
 * filters left it, the helper's DATA, samotop's fields and the message
 * from the spool with the filters' changes.
 */
static enum flow
deliver_inspected(struct session *s, const struct inspect_outcome *out)
{
	char hdr[RECEIVED_MAX + 4096], sig[DKIMS_FIELDS_MAX];
	struct lmtpreply rep;
	enum spool_error serr = SPOOL_OK;
	enum hdredit_error herr = HDREDIT_OK;
	enum flow flow;
	size_t n, siglen;
	int denied;

	if (s->insp->changes_failed || change_envelope(s, &denied) == -1) {
		if (s->insp->changes_failed)
			log_event(&s->log, LVL_WARN, "milter", "msgid",
			    s->msgid, "reason", "a milter's changes could "
			    "not be kept", NULL);
		return session_say(s, R_MILTER_TEMPFAIL);
	}
	if (denied)	/* the screener refused every recipient */
		return session_say(s, R_SCREENER_DENIED);
	if (s->st.tx.nrcpt == 0)	/* a filter deleted every one */
		return discard_message(s);
	n = own_fields(s, out, hdr, sizeof(hdr));
	if (inspect_prepare(s->insp, hdr, n, &serr, &herr) == -1)
		return local_failure(s, serr, herr);
	if (sign_message(s, sig, sizeof(sig), &siglen, &flow) == -1)
		return flow;
	if (helper_data(&s->helper, s->conf->timeout_helper, &rep) == -1) {
		if (rep.code >= 400 && s->helper.fd != -1)
			return session_relay_reply(s, &rep);
		session_log_helper_failure(s, NULL, NULL);
		return session_say(s, R_HELPER_FAILED);
	}
	/* the signature on top, above samotop's own trace fields */
	if ((siglen > 0 && write_to_helper(s, sig, siglen) == -1) ||
	    inspect_replay(s->insp, write_to_helper, s, &serr, &herr) ==
	    -1) {
		helper_abort(&s->helper);
		if (serr != SPOOL_OK || herr != HDREDIT_OK)
			return local_failure(s, serr, herr);
		session_log_helper_failure(s, NULL, NULL);
		return session_say(s, R_HELPER_FAILED);
	}
	if (helper_end_data(&s->helper, s->conf->timeout_helper) == -1) {
		session_log_helper_failure(s, NULL, NULL);
		return session_say(s, R_HELPER_FAILED);
	}
	session_screen_delivered(s);
	return session_fold_replies(s);
}

/* One line with what the checks found, for the postmaster. */
static void
log_inspection(struct session *s, const struct inspect_outcome *out)
{
	char res[1024], *p;
	size_t n;

	n = inspect_authres(s->insp, s->conf->leave_no_trace, res,
	    sizeof(res));
	/* the header's clauses, on one line: ";\r\n\t" becomes "; " */
	for (p = res; (p = strstr(p, ";\r\n\t")) != NULL; p += 2) {
		memmove(p + 2, p + 4, strlen(p + 4) + 1);
		p[1] = ' ';
	}
	log_event(&s->log, out->verdict == INSPECT_ACCEPT ? LVL_INFO :
	    LVL_WARN, "checks", "msgid", s->msgid, "results", n > 0 ?
	    res + 2 : "none", "verdict", out->reason[0] != '\0' ?
	    out->reason : NULL, NULL);
}

/* The end of an inspected message: its verdict carried out. */
enum flow
session_finish_inspected(struct session *s)
{
	struct inspect_input inp = { s->policy.spf_done, s->policy.spf.result,
	    s->st.tx.sender.domain[0] != '\0' ? s->st.tx.sender.domain :
	    s->st.helo, arc4random_uniform(100), s->auth_user[0] != '\0' };
	struct inspect_outcome out;
	struct reply r = { .len = 0 };
	enum policy_verdict v;
	enum flow flow;

	inspect_end(s->insp, &inp, &out);
	/* a message that waited only to be signed was not checked */
	if (session_needs_inspection(s->conf))
		log_inspection(s, &out);
	if (s->milters != NULL && out.milter_decided) {
		v = miltercheck_reply(s->milters, &out.milter, s->st.esmtp, &r);
		if (v != POLICY_PASS) {
			flow = session_respond(s, &r);
			flow = v == POLICY_CLOSE ? END : flow;
			goto done;
		}
	}
	if (s->milters != NULL && miltercheck_discarded(s->milters)) {
		flow = discard_message(s);
		goto done;
	}
	switch (out.verdict) {
	case INSPECT_REJECT:
		reply_add(&r, s->st.esmtp, R_DMARC_REJECT, out.domain);
		flow = session_respond(s, &r);
		break;
	case INSPECT_TEMPFAIL:
		reply_add(&r, s->st.esmtp, R_DMARC_TEMPFAIL, out.domain);
		flow = session_respond(s, &r);
		break;
	case INSPECT_LOCAL:
		log_event(&s->log, LVL_ERROR, "error", "msgid", s->msgid,
		    "reason", out.reason, "errno", out.spool_errno != 0 ?
		    strerror(out.spool_errno) : NULL, NULL);
		flow = session_say(s, out.spool_err == SPOOL_NOROOM ?
		    R_NO_ROOM : R_LOCAL_ERROR);
		break;
	default:
		flow = deliver_inspected(s, &out);
		break;
	}
done:
	inspect_done(s->insp);
	s->inspecting = 0;
	return flow;
}
