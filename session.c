/*
 * session.c: the conversation with one client, from banner to QUIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "hdr.h"
#include "proc.h"
#include "route.h"
#include "session.h"

enum flow { GO_ON, END };

static const char *last_command(const struct session *);

/* RFC 3848 and RFC 6531 names for the Received: "with" clause. */
static const char *
protocol(const struct session *s)
{
	if (!s->st.esmtp)
		return "SMTP";
	if (s->st.tls_active)
		return s->st.tx.smtputf8 ? "UTF8SMTPS" : "ESMTPS";
	return s->st.tx.smtputf8 ? "UTF8SMTP" : "ESMTP";
}

/* What the helper learns of the client through XFORWARD. */
static void
describe_client(struct session *s)
{
	struct xforward *x = &s->xforward;

	snprintf(x->name, sizeof(x->name), "%s", s->peer.host);
	snprintf(x->addr, sizeof(x->addr), "%s", s->peer.ip);
	snprintf(x->port, sizeof(x->port), "%s", s->peer.port);
	snprintf(x->helo, sizeof(x->helo), "%s", s->st.helo);
	snprintf(x->proto, sizeof(x->proto), "%s", protocol(s));
	snprintf(x->ident, sizeof(x->ident), "%s", s->msgid);
	snprintf(x->tls, sizeof(x->tls), "%s",
	    s->st.tls_active ? s->tls.version : "");
	/*
	 * leave-no-trace: no helper learns who the client is, so none can
	 * write it down (samotop-lmtp passes XFORWARD on to the LDA, whose
	 * log keeps it; samotop-pipe gives CLIENT_IP to commands).
	 */
	if (s->conf->leave_no_trace) {
		x->name[0] = '\0';
		x->addr[0] = '\0';
		x->port[0] = '\0';
		x->helo[0] = '\0';
	}
}

void
session_make_id(char sid[SID_LEN + 1], int notrace)
{
	unsigned char noise[16] = { 0 };
	unsigned long long t = 0;
	unsigned i;

	/* Uniqueness comes from time and pid; noise only helps. */
	(void)getentropy(noise, sizeof(noise));
	if (!notrace) {
		received_session_id(sid, time(NULL), (long)getpid(), noise);
		return;
	}
	/*
	 * leave-no-trace: the id goes into Received: and the helpers'
	 * logs, and must not tell the time its session began; 80 random
	 * bits instead of time, pid and noise.
	 */
	for (i = 0; i < 8; i++)
		t = t << 8 | noise[8 + i];
	received_session_id(sid, (time_t)(t & 0x7ffffffff), (long)(t >> 35),
	    noise);
}

/* The names of the verbs, in enum smtp_verb order, for the log. */
static const char *const verb_names[] = {
	"other", "helo", "ehlo", "mail", "rcpt", "data", "bdat", "rset",
	"noop", "quit", "vrfy", "help", "starttls", "other"
};

/* Why a reply refuses, by the reply's id: a check's or a limit's name. */
static const char *const refusal_reasons[R__COUNT + 1] = {
	[R_RELAY_DENIED] = "relay", [R_NO_MAILBOX] = "no-mailbox",
	[R_OTHER_ROUTE] = "other-route", [R_TOO_MANY_RCPTS] = "max-recipients",
	[R_GREYLISTED] = "greylist", [R_GREYLIST_LIMIT] = "greylist-limit",
	[R_SPF_FAIL] = "spf", [R_SPF_PERMERROR] = "spf",
	[R_SPF_TEMPFAIL] = "spf", [R_TLS_REQUIRED] = "plaintext",
	[R_LOCAL_ERROR] = "local-error", [R_HELPER_FAILED] = "helper-failed",
	[R_PARTIAL] = "partial-delivery", [R_SIZE_EXCEEDED] = "size",
	[R_BARE_LF] = "bare-lf", [R_BARE_CR] = "bare-cr",
	[R_LONG_TEXT_LINE] = "line-length", [R_TOO_MANY_ERRORS] = "max-errors",
	[R_TIMEOUT] = "timeout", [R_DESYNC] = "bdat-framing",
	[R_UTF8_REQUIRED] = "smtputf8",
	[R_DMARC_REJECT] = "dmarc", [R_DMARC_TEMPFAIL] = "dmarc",
	[R_NO_ROOM] = "spool", [R_MILTER_REJECT] = "milter",
	[R_MILTER_TEMPFAIL] = "milter", [R_MILTER_SHUTDOWN] = "milter",
	[R__COUNT] = "helper",		/* the helper's own refusal */
};

static const char *
refusal_reason(enum reply_id id, enum smtp_verb verb)
{
	if (id == R_DENIED)
		return verb == CMD_MAIL ? "deny-list:sender" :
		    "deny-list:recipient";
	return refusal_reasons[id] != NULL ? refusal_reasons[id] :
	    "protocol";
}

/*
 * A refusal of MAIL, RCPT, DATA or BDAT: one line with the client, the
 * command, the reply and the check that refused, as Postfix's "NOQUEUE:
 * reject:" line, for the postmaster asked why a message never came.
 */
static void
log_refusal(struct session *s, const struct reply *r)
{
	const struct smtp_cmd *cmd = s->cmd;
	char code[8], from[ADDR_MAX + 1], to[ADDR_MAX + 1], text[REPLY_MAX];
	size_t end = r->len, start;
	int in_tx = s->st.phase >= PH_MAIL, has_from = 0;

	if (cmd == NULL || (cmd->verb != CMD_MAIL && cmd->verb != CMD_RCPT &&
	    cmd->verb != CMD_DATA && cmd->verb != CMD_BDAT))
		return;
	/* The last line's text, without its code and CRLF. */
	if (end >= 2)
		end -= 2;
	for (start = end; start > 0 && r->text[start - 1] != '\n'; start--)
		;
	start = start + 4 < end ? start + 4 : end;
	snprintf(text, sizeof(text), "%.*s", (int)(end - start),
	    r->text + start);
	snprintf(code, sizeof(code), "%d", r->code);
	if (cmd->verb == CMD_MAIL ? cmd->error == PARSE_OK : in_tx)
		has_from = 1;
	if (cmd->verb == CMD_MAIL && has_from)
		mailbox_format(&cmd->path, from, sizeof(from));
	else if (has_from)
		mailbox_format(&s->st.tx.sender, from, sizeof(from));
	if (cmd->verb == CMD_RCPT && cmd->error == PARSE_OK)
		mailbox_format(&cmd->path, to, sizeof(to));
	log_event(&s->log, LVL_INFO, "reject", "msgid",
	    in_tx || s->mail_logged ? s->msgid : NULL, "client", s->peer.ip[0] != '\0' ? s->peer.ip : "pipe",
	    "command", verb_names[cmd->verb], "from", has_from ? from : NULL,
	    "to", cmd->verb == CMD_RCPT && cmd->error == PARSE_OK ? to : NULL,
	    "code", code, "reply", text, "reason",
	    refusal_reason(r->id, cmd->verb), NULL);
}

/* Send r; the core counts it against max-errors. */
static enum flow
respond(struct session *s, struct reply *r)
{
	enum flow flow = GO_ON;

	if (r->code >= 400)
		log_refusal(s, r);
	if (state_replied(&s->st, r->code)) {
		reply_add(r, s->st.esmtp, R_TOO_MANY_ERRORS,
		    s->conf->hostname);
		log_event(&s->log, LVL_WARN, "error", "reason",
		    "too many errors", NULL);
		flow = END;
	}
	if (io_write(&s->io, r->text, r->len, s->conf->timeout_command) !=
	    IO_OK)
		flow = END;
	r->len = 0;
	return flow;
}

static enum flow
say(struct session *s, enum reply_id id)
{
	struct reply r = { .len = 0 };

	reply_add(&r, s->st.esmtp, id, s->conf->hostname);
	return respond(s, &r);
}

/* The helper's own reply, for the client (no enhanced code after HELO). */
static enum flow
relay_reply(struct session *s, const struct lmtpreply *rep)
{
	struct reply r = { .len = 0 };
	char line[LMTPREPLY_TEXT_MAX + 8];

	snprintf(line, sizeof(line), "%d %s", rep->code,
	    s->st.esmtp ? rep->text : lmtpreply_plain_text(rep));
	reply_line(&r, rep->code, line);
	return respond(s, &r);
}

/*
 * The one end of a transaction, whatever ended it (RSET, a greeting, a
 * message answered or refused): the core's, the policy's and the
 * helper's together, so that no later RCPT can reach a helper whose
 * transaction is still the last one's.
 */
static void
end_transaction(struct session *s)
{
	state_tx_end(&s->st);
	policy_tx_end(&s->policy);
	if (s->milters != NULL)
		miltercheck_end(s->milters);
	s->helper_ok = 0;
	if (helper_rset(&s->helper, s->conf->timeout_helper) == -1)
		log_event(&s->log, LVL_WARN, "helper", "msgid", s->msgid,
		    "reason", s->helper.why, NULL);
	io_set_deadline(&s->io, IO_DL_MESSAGE, 0);
}

/* Every helper failure: which helper, which recipient, and why. */
static void
log_helper_failure(struct session *s, const struct route *route,
    const char *rcpt)
{
	char n[16], first[ADDR_MAX + 1];

	if (route == NULL)
		route = s->st.tx.route;
	snprintf(n, sizeof(n), "%u", s->st.tx.nrcpt);
	if (rcpt == NULL && s->st.tx.nrcpt > 0) {
		mailbox_format(&s->rcpts[0], first, sizeof(first));
		rcpt = first;
	}
	log_event(&s->log, LVL_ERROR, "helper", "msgid", s->msgid,
	    "helper", route != NULL ? route->argv[0] : NULL, "to", rcpt,
	    "recipients", rcpt == first ? n : NULL,
	    "reason", s->helper.why != NULL ? s->helper.why : "unknown",
	    NULL);
}

/* A recipient refused with r: counted by the core, logged, answered. */
static enum flow
refuse_rcpt(struct session *s, const char *addr, struct reply *r)
{
	char code[8];

	snprintf(code, sizeof(code), "%d", r->code);
	log_event(&s->log, LVL_INFO, "rcpt", "msgid", s->msgid, "to", addr,
	    "code", code, NULL);
	state_rcpt_refused(&s->st);
	return respond(s, r);
}

static enum flow
refuse_rcpt_with(struct session *s, const char *addr, enum reply_id id)
{
	struct reply r = { .len = 0 };

	reply_add(&r, s->st.esmtp, id, addr);
	return refuse_rcpt(s, addr, &r);
}

static void
envelope(struct session *s, struct delivery_envelope *env)
{
	env->sender = &s->st.tx.sender;
	env->body = s->st.tx.body;
	env->smtputf8 = s->st.tx.smtputf8;
	env->xforward = &s->xforward;
}

/*
 * Take back the recipient the helper has just accepted.  LMTP cannot
 * drop one recipient, so the helper's transaction starts over with the
 * recipients accepted before it; if the helper will not take them all
 * again, it is dropped and the message gets 451 at DATA.
 */
static void
retract_rcpt(struct session *s, const struct route *route)
{
	struct delivery_envelope env;
	struct lmtpreply rep;
	unsigned i;

	envelope(s, &env);
	if (helper_rset(&s->helper, s->conf->timeout_helper) == -1)
		goto failed;
	for (i = 0; i < s->st.tx.nrcpt; i++) {
		if (helper_rcpt(&s->helper, route->argv, &env, &s->rcpts[i],
		    s->conf->timeout_helper, &rep) == -1)
			goto failed;
		if (rep.code / 100 != 2) {
			s->helper.why = "helper refused a recipient again";
			helper_abort(&s->helper);
			goto failed;
		}
	}
	return;
failed:
	log_helper_failure(s, route, NULL);
}

/* Greylisting, once the helper has accepted the recipient. */
static enum flow
check_accepted_rcpt(struct session *s, const struct route *route,
    const char *addr)
{
	struct reply r = { .len = 0 };
	char from[ADDR_MAX + 1];

	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	if (policy_rcpt_accepted(&s->policy, from, addr, s->st.esmtp, &r) ==
	    POLICY_PASS)
		return GO_ON;
	retract_rcpt(s, route);
	refuse_rcpt(s, addr, &r);
	return END;
}

static enum flow
rcpt(struct session *s, const struct smtp_cmd *cmd)
{
	struct delivery_envelope env;
	struct mailbox mb = cmd->path;
	const struct route *route;
	struct reply r = { .len = 0 };
	struct lmtpreply rep;
	char addr[ADDR_MAX + 1], code[8];
	enum policy_verdict v;
	int pm;

	/* One form for lists, routes, greylisting and the helper. */
	if (mailbox_canonical(&mb, s->conf->recipient_delimiter,
	    s->conf->local_part_fold, &mb) == -1) {
		state_rcpt_refused(&s->st);	/* never for a parsed path */
		return say(s, R_SYNTAX);
	}
	pm = route_postmaster(s->conf, &mb);	/* never "relaying" */
	mailbox_format(&mb, addr, sizeof(addr));
	log_personal(&s->log, addr);
	if ((route = route_lookup(s->conf, &mb)) == NULL)
		return refuse_rcpt_with(s, addr, pm ? R_NO_POSTMASTER :
		    route_domain_known(s->conf, mb.domain) ? R_NO_MAILBOX :
		    R_RELAY_DENIED);
	/* Route lines that run the same command are one helper. */
	if (route_same(route, s->st.tx.route))
		route = s->st.tx.route;
	if (state_rcpt_route(&s->st, route, &r) == -1 ||
	    policy_rcpt(&s->policy, addr, pm, s->st.esmtp, &r) != POLICY_PASS)
		return refuse_rcpt(s, addr, &r);
	if (s->milters != NULL && (v = miltercheck_rcpt(s->milters, addr,
	    s->st.esmtp, &r)) != POLICY_PASS)
		return refuse_rcpt(s, addr, &r) == END || v == POLICY_CLOSE ?
		    END : GO_ON;
	envelope(s, &env);
	if ((s->st.tx.nrcpt > 0 && s->helper.fd == -1) ||
	    helper_rcpt(&s->helper, route->argv, &env, &mb,
	    s->conf->timeout_helper, &rep) == -1) {
		log_helper_failure(s, route, addr);
		state_rcpt_refused(&s->st);
		return say(s, R_HELPER_FAILED);
	}
	if (rep.code / 100 == 2 &&
	    check_accepted_rcpt(s, route, addr) == END)
		return GO_ON;
	snprintf(code, sizeof(code), "%d", rep.code);
	log_event(&s->log, LVL_INFO, "rcpt", "msgid", s->msgid, "to", addr,
	    "code", code, NULL);
	if (rep.code / 100 == 2) {
		s->rcpts[s->st.tx.nrcpt] = mb;
		state_rcpt_accepted(&s->st, route);
	} else
		state_rcpt_refused(&s->st);
	return relay_reply(s, &rep);
}


/* A verified name first; the launcher's only when nothing else. */
static const char *
client_name(const struct session *s)
{
	const char *name = policy_client_name(&s->policy);

	return name[0] != '\0' ? name : s->peer.host;
}

/* Whether a message must wait for checks decided at its end. */
static int
needs_inspection(const struct conf *c)
{
	return c->dkim || c->dmarc || c->nmilters > 0;
}

/*
 * The message goes to the spool (inspect.h); the helper's DATA waits
 * for the verdict.  -1 when the checks cannot be set up: 451, nothing
 * is accepted unchecked.
 */
static int
begin_inspected(struct session *s, struct lmtpreply *rep)
{
	char why[256];

	rep->code = 0;
	if (inspect_open(s->insp, s->conf, why, sizeof(why)) == -1)
		goto fail;
	inspect_begin(s->insp, s->msgid, s->milters != NULL ?
	    &s->milters->set : NULL);
	s->inspecting = 1;
	s->helper_ok = 1;
	return 0;
fail:
	log_event(&s->log, LVL_ERROR, "error", "msgid", s->msgid, "reason",
	    why, NULL);
	rep->code = 451;
	snprintf(rep->text, sizeof(rep->text), "451 4.3.0 Local error, "
	    "try again later");
	return -1;
}

/* Open the helper's DATA and give it the trace header. */
static int
begin_message(struct session *s, int dotted, struct lmtpreply *rep)
{
	struct received_info ri = { s->st.helo, client_name(s), s->peer.ip,
	    s->conf->hostname, protocol(s),
	    s->st.tls_active ? s->tls_desc : NULL, s->msgid, time(NULL),
	    s->conf->leave_no_trace ? s->conf->notrace_granularity : 0 };
	char hdr[RECEIVED_MAX + 2048], from[ADDR_MAX + 1];
	size_t n;

	io_set_deadline(&s->io, IO_DL_MESSAGE, s->conf->deadline_message);
	data_init(&s->dec, dotted, s->conf->strict_crlf,
	    s->conf->max_line_length, s->conf->max_message_size);
	rep->code = 0;
	s->helper_ok = 0;
	s->inspecting = 0;
	if (s->st.tx.nrcpt > 0 && s->helper.fd != -1 &&
	    needs_inspection(s->conf))
		return begin_inspected(s, rep);
	/* Strict DATA goes on still stuffed: no unstuffing and restuffing. */
	(void)data_keep_stuffing(&s->dec);
	if (s->st.tx.nrcpt == 0 || s->helper.fd == -1 ||
	    helper_data(&s->helper, s->conf->timeout_helper, rep) == -1)
		return -1;
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	n = policy_headers(&s->policy, from, s->st.helo, NULL, hdr,
	    sizeof(hdr));
	n += received_header(hdr + n, sizeof(hdr) - n, &ri);
	if (helper_write(&s->helper, hdr, n, s->conf->timeout_helper) == -1)
		return -1;
	s->helper_ok = 1;
	return 0;
}

/* Decoded content goes to the helper until anything goes wrong. */
static void
feed(struct session *s, const char *buf, size_t len)
{
	unsigned timeout = s->conf->timeout_helper;
	int rc;

	if (!s->helper_ok)
		return;
	if (s->dec.fail != DATA_OK) {
		if (s->inspecting)
			inspect_abort(s->insp);
		else
			helper_abort(&s->helper);
		s->helper_ok = 0;
		return;
	}
	if (len == 0)
		return;
	if (s->inspecting) {
		inspect_data(s->insp, buf, len);
		return;
	}
	rc = s->dec.stuffed ?
	    helper_write_stuffed(&s->helper, buf, len, timeout) :
	    helper_write(&s->helper, buf, len, timeout);
	if (rc == -1) {
		log_helper_failure(s, NULL, NULL);
		s->helper_ok = 0;
	}
}

/*
 * Decode what is buffered, at most limit octets; returns the octets
 * consumed and sets *ended at the end marker.
 */
static size_t
decode_pending(struct session *s, size_t limit, int *ended)
{
	const char *p;
	size_t avail = io_pending(&s->io, &p), used, outlen, total = 0;
	enum data_result res;

	if (avail > limit)
		avail = limit;
	do {
		res = data_decode(&s->dec, p + total, avail - total, &used,
		    s->out, sizeof(s->out), &outlen);
		total += used;
		feed(s, s->out, outlen);
	} while (res == DATA_FULL);
	io_consume(&s->io, total);
	*ended = res == DATA_END;
	return total;
}

static enum flow
lost_client(struct session *s, enum io_status st)
{
	if (s->inspecting && s->helper_ok)
		inspect_abort(s->insp);
	if (s->helper_ok || s->helper.fd != -1)
		helper_abort(&s->helper);
	s->helper_ok = 0;
	log_event(&s->log, LVL_WARN, st == IO_TIMEOUT ? "timeout" :
	    "disconnect", "msgid", s->msgid, "deadline", io_expired(&s->io),
	    "after", st == IO_TIMEOUT ? last_command(s) : NULL, "reason", "client gone during message data; nothing delivered",
	    NULL);
	if (st == IO_TIMEOUT)
		say(s, R_TIMEOUT);
	return END;
}

static enum reply_id
data_failure_reply(enum data_fail f)
{
	switch (f) {
	case DATA_EBARELF:
		return R_BARE_LF;
	case DATA_EBARECR:
		return R_BARE_CR;
	case DATA_ELINE:
		return R_LONG_TEXT_LINE;
	default:
		return R_SIZE_EXCEEDED;
	}
}

static enum flow
refuse_message(struct session *s)
{
	struct reply r = { .len = 0 };
	enum reply_id id = data_failure_reply(s->dec.fail);

	reply_add(&r, s->st.esmtp, id, id == R_LONG_TEXT_LINE ?
	    s->conf->max_line_length : s->conf->max_message_size);
	log_event(&s->log, LVL_INFO, "refused", "msgid", s->msgid,
	    "reason", data_strerror(s->dec.fail), NULL);
	return respond(s, &r);
}

/*
 * A fold that is neither all 2xx nor all 5xx: one line with every
 * recipient's result, for the postmaster who must explain a duplicate.
 */
static void
log_mixed_fold(struct session *s, const int *codes, unsigned ok)
{
	char results[LOG_LINE_MAX / 2], addr[ADDR_MAX + 1], n[16];
	size_t len = 0;
	unsigned i;
	int w;

	results[0] = '\0';
	for (i = 0; i < s->st.tx.nrcpt; i++) {
		mailbox_format(&s->rcpts[i], addr, sizeof(addr));
		w = snprintf(results + len, sizeof(results) - len, "%s%s=%d",
		    i > 0 ? "," : "", addr, codes[i]);
		if (w < 0 || (size_t)w >= sizeof(results) - len)
			break;		/* the delivery lines have the rest */
		len += w;
	}
	snprintf(n, sizeof(n), "%u", ok);
	log_event(&s->log, LVL_WARN, "fold", "msgid", s->msgid, "client",
	    s->peer.ip[0] != '\0' ? s->peer.ip : "pipe", "delivered", n,
	    "reply", "451", "results", results, NULL);
}

/* Fold the per-recipient replies into one (DESIGN.md: never a loss). */
static enum flow
fold_replies(struct session *s)
{
	struct lmtpreply rep, first5 = { .code = 0 };
	struct reply r = { .len = 0 };
	unsigned i, ok = 0, bad = 0, n = s->st.tx.nrcpt;
	char code[8], size[24], addr[ADDR_MAX + 1];
	int *codes = s->rcpt_codes;

	for (i = 0; i < n; i++) {
		mailbox_format(&s->rcpts[i], addr, sizeof(addr));
		if (helper_reply(&s->helper, s->conf->timeout_helper,
		    &rep) == -1) {
			log_helper_failure(s, NULL, addr);
			return say(s, R_HELPER_FAILED);
		}
		codes[i] = rep.code;
		snprintf(code, sizeof(code), "%d", rep.code);
		log_event(&s->log, rep.code / 100 == 2 ? LVL_INFO : LVL_WARN,
		    "delivery", "msgid", s->msgid, "to", addr,
		    "code", code, "reply", rep.text, NULL);
		if (rep.code / 100 == 2)
			ok++;
		else if (rep.code / 100 == 5 && bad++ == 0)
			first5 = rep;
	}
	if (ok == n) {
		snprintf(size, sizeof(size), "%zu", s->dec.size);
		log_event(&s->log, LVL_INFO, "accepted", "msgid", s->msgid,
		    "size", size, NULL);
		reply_add(&r, s->st.esmtp, R_ACCEPTED, s->msgid);
		s->delivered++;
		return respond(s, &r);
	}
	if (bad == n)
		return relay_reply(s, &first5);
	if (ok > 0)
		log_mixed_fold(s, codes, ok);
	return say(s, R_PARTIAL);
}

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
	return respond(s, &r);
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
		if (!deleted(in, addr))
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
		log_personal(&s->log, in->add[i]);
		k++;
	}
	*n = k;
	return 0;
}

/*
 * A filter changed the envelope: nothing was given to the helper yet,
 * so its transaction is opened again with the new sender and
 * recipients.  0, or -1 (logged): the message is deferred.
 */
static int
change_envelope(struct session *s)
{
	struct inspect *in = s->insp;
	struct delivery_envelope env;
	struct mailbox from;
	struct lmtpreply rep;
	const char *why = NULL;
	unsigned i, n;

	if (!in->from_changed && in->nadd == 0 && in->ndel == 0)
		return 0;
	envelope(s, &env);
	if (in->from_changed) {
		log_personal(&s->log, in->new_from);
		if (in->new_from[0] == '\0')
			memset(&from, 0, sizeof(from));	/* <> */
		else if (addr_parse_mailbox(in->new_from,
		    strlen(in->new_from), ADDR_ALLOW_UTF8, &from) != ADDR_OK)
			why = "a milter's new sender is not an address";
		env.sender = &from;
	}
	if (why == NULL && changed_rcpts(s, &n, &why) == 0 &&
	    helper_rset(&s->helper, s->conf->timeout_helper) == 0) {
		for (i = 0; i < n; i++)
			if (helper_rcpt(&s->helper, s->st.tx.route == NULL ?
			    NULL : ((const struct route *)s->st.tx.route)->argv,
			    &env, &s->rcpts[i], s->conf->timeout_helper,
			    &rep) == -1 || rep.code / 100 != 2)
				break;
		if (i == n) {
			state_rcpt_replaced(&s->st, n);
			log_event(&s->log, LVL_INFO, "milter", "msgid",
			    s->msgid, "envelope", "changed", NULL);
			return 0;
		}
		why = "the helper refused the changed envelope";
	}
	log_event(&s->log, LVL_WARN, "milter", "msgid", s->msgid, "reason",
	    why != NULL ? why : s->helper.why, NULL);
	return -1;
}

/* The fields samotop puts above an inspected message, into hdr. */
static size_t
own_fields(struct session *s, const struct inspect_outcome *out,
    char *hdr, size_t size)
{
	struct received_info ri = { s->st.helo, client_name(s), s->peer.ip,
	    s->conf->hostname, protocol(s),
	    s->st.tls_active ? s->tls_desc : NULL, s->msgid, time(NULL),
	    s->conf->leave_no_trace ? s->conf->notrace_granularity : 0 };
	char from[ADDR_MAX + 1], more[2048], reason[HDREDIT_REASON_MAX + 1];
	const char *why = out->verdict == INSPECT_QUARANTINE ? out->reason :
	    s->insp->quarantine;
	size_t n = 0;

	if (why[0] != '\0') {
		hdr_safe(reason, sizeof(reason), why, HDR_TEXT);
		n = (size_t)snprintf(hdr, size, "%s: %s\r\n",
		    HDREDIT_QUARANTINE, reason);
	}
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	inspect_authres(s->insp, s->conf->leave_no_trace, more, sizeof(more));
	n += policy_headers(&s->policy, from, s->st.helo, more, hdr + n,
	    size - n);
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
	return say(s, serr == SPOOL_NOROOM ? R_NO_ROOM : herr != HDREDIT_OK ?
	    R_MILTER_TEMPFAIL : R_LOCAL_ERROR);
}

/*
 * An inspected message the verdict lets through: the envelope as the
 * filters left it, the helper's DATA, samotop's fields and the message
 * from the spool with the filters' changes.
 */
static enum flow
deliver_inspected(struct session *s, const struct inspect_outcome *out)
{
	char hdr[RECEIVED_MAX + 4096];
	struct lmtpreply rep;
	enum spool_error serr = SPOOL_OK;
	enum hdredit_error herr = HDREDIT_OK;
	size_t n;

	if (s->insp->changes_failed || change_envelope(s) == -1) {
		if (s->insp->changes_failed)
			log_event(&s->log, LVL_WARN, "milter", "msgid",
			    s->msgid, "reason", "a milter's changes could "
			    "not be kept", NULL);
		return say(s, R_MILTER_TEMPFAIL);
	}
	if (s->st.tx.nrcpt == 0)	/* a filter deleted every one */
		return discard_message(s);
	n = own_fields(s, out, hdr, sizeof(hdr));
	if (inspect_prepare(s->insp, hdr, n, &serr, &herr) == -1)
		return local_failure(s, serr, herr);
	if (helper_data(&s->helper, s->conf->timeout_helper, &rep) == -1) {
		if (rep.code >= 400 && s->helper.fd != -1)
			return relay_reply(s, &rep);
		log_helper_failure(s, NULL, NULL);
		return say(s, R_HELPER_FAILED);
	}
	if (inspect_replay(s->insp, write_to_helper, s, &serr, &herr) ==
	    -1) {
		helper_abort(&s->helper);
		if (serr != SPOOL_OK || herr != HDREDIT_OK)
			return local_failure(s, serr, herr);
		log_helper_failure(s, NULL, NULL);
		return say(s, R_HELPER_FAILED);
	}
	if (helper_end_data(&s->helper, s->conf->timeout_helper) == -1) {
		log_helper_failure(s, NULL, NULL);
		return say(s, R_HELPER_FAILED);
	}
	return fold_replies(s);
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
static enum flow
finish_inspected(struct session *s)
{
	struct inspect_input inp = { s->policy.spf_done, s->policy.spf.result,
	    s->st.tx.sender.domain[0] != '\0' ? s->st.tx.sender.domain :
	    s->st.helo, arc4random_uniform(100) };
	struct inspect_outcome out;
	struct reply r = { .len = 0 };
	enum policy_verdict v;
	enum flow flow;

	inspect_end(s->insp, &inp, &out);
	log_inspection(s, &out);
	if (s->milters != NULL && out.milter_decided) {
		v = miltercheck_reply(s->milters, &out.milter, s->st.esmtp, &r);
		if (v != POLICY_PASS) {
			flow = respond(s, &r);
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
		flow = respond(s, &r);
		break;
	case INSPECT_TEMPFAIL:
		reply_add(&r, s->st.esmtp, R_DMARC_TEMPFAIL, out.domain);
		flow = respond(s, &r);
		break;
	case INSPECT_LOCAL:
		log_event(&s->log, LVL_ERROR, "error", "msgid", s->msgid,
		    "reason", out.reason, "errno", out.spool_errno != 0 ?
		    strerror(out.spool_errno) : NULL, NULL);
		flow = say(s, out.spool_err == SPOOL_NOROOM ? R_NO_ROOM :
		    R_LOCAL_ERROR);
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

/*
 * The end of a message, whatever happened to it: the reply, then the
 * transaction's end (the helper's too).
 */
static enum flow
finish_message(struct session *s)
{
	enum flow flow;

	if (s->dec.fail != DATA_OK) {
		feed(s, NULL, 0);	/* aborts the helper if still open */
		flow = refuse_message(s);
	} else if (s->inspecting)
		flow = finish_inspected(s);
	else if (!s->helper_ok ||
	    helper_end_data(&s->helper, s->conf->timeout_helper) == -1) {
		log_helper_failure(s, NULL, NULL);
		flow = say(s, R_HELPER_FAILED);
	} else
		flow = fold_replies(s);
	end_transaction(s);
	return flow;
}

/* The helper would not take the message: its refusal, or 451. */
static enum flow
refuse_data_start(struct session *s, const struct lmtpreply *rep)
{
	enum flow flow;
	char code[16];

	if (rep->code >= 400 && s->helper.fd != -1) {
		/* A refusal, not a failure: the helper is fine. */
		snprintf(code, sizeof(code), "%d", rep->code);
		log_event(&s->log, LVL_WARN, "data", "msgid", s->msgid,
		    "code", code, "reply", rep->text, NULL);
		flow = relay_reply(s, rep);
	} else {
		log_helper_failure(s, NULL, NULL);
		flow = say(s, R_HELPER_FAILED);
	}
	end_transaction(s);
	return flow;
}

/*
 * DATA (or the first BDAT) told to the milters, before any content: a
 * refusal is the reply, and the transaction ends.  -1 then, *flow set.
 */
static int
milter_data(struct session *s, enum flow *flow)
{
	struct reply r = { .len = 0 };
	enum policy_verdict v;

	if (s->milters == NULL || s->st.tx.nrcpt == 0 ||
	    (v = miltercheck_data(s->milters, s->st.esmtp, &r)) ==
	    POLICY_PASS)
		return 0;
	*flow = respond(s, &r) == END || v == POLICY_CLOSE ? END : GO_ON;
	end_transaction(s);
	return -1;
}

static enum flow
data(struct session *s)
{
	struct lmtpreply rep;
	enum io_status st;
	enum flow flow;
	int ended = 0;

	if (milter_data(s, &flow) == -1)
		return flow;
	if (begin_message(s, 1, &rep) == -1)
		return refuse_data_start(s, &rep);
	if (say(s, R_DATA_GO) == END)
		return END;
	while (!ended) {
		if (decode_pending(s, (size_t)-1, &ended) == 0 && !ended &&
		    (st = io_fill(&s->io, s->conf->timeout_data)) != IO_OK)
			return lost_client(s, st);
	}
	return finish_message(s);
}

/* Read exactly n octets of a chunk, decoding or dropping them. */
static enum io_status
read_chunk(struct session *s, size_t n, int keep)
{
	enum io_status st;
	const char *p;
	size_t avail;
	int ended;

	while (n > 0) {
		if ((avail = io_pending(&s->io, &p)) == 0) {
			if ((st = io_fill(&s->io, s->conf->timeout_data)) !=
			    IO_OK)
				return st;
			continue;
		}
		if (keep)
			avail = decode_pending(s, n, &ended);
		else
			io_consume(&s->io, avail = avail < n ? avail : n);
		n -= avail;
	}
	return IO_OK;
}

/*
 * A chunk that cannot go on (the decoder refused the message, or the
 * helper failed): the refusal is the reply, and the transaction ends,
 * so the chunks after it get 503 (RFC 3030 §2).
 */
static enum flow
refuse_chunk(struct session *s)
{
	feed(s, NULL, 0);
	if (s->dec.fail != DATA_OK)
		refuse_message(s);
	else
		say(s, R_HELPER_FAILED);
	end_transaction(s);
	return GO_ON;
}

static enum flow
bdat(struct session *s, const struct smtp_cmd *cmd)
{
	struct lmtpreply rep;
	struct reply r = { .len = 0 };
	enum io_status st;
	enum flow flow;
	char tail[DATA_OUT_MIN];

	/* A refused message still has its chunk read and dropped. */
	if (s->st.tx.chunks == 1 && s->milters != NULL &&
	    s->st.tx.nrcpt > 0 && miltercheck_data(s->milters, s->st.esmtp,
	    &r) != POLICY_PASS) {
		if ((st = read_chunk(s, cmd->chunk, 0)) != IO_OK)
			return lost_client(s, st);
		flow = respond(s, &r);
		end_transaction(s);
		return r.code == 421 ? END : flow;
	}
	if (s->st.tx.chunks == 1 && begin_message(s, 0, &rep) == -1) {
		if ((st = read_chunk(s, cmd->chunk, 0)) != IO_OK)
			return lost_client(s, st);
		return refuse_data_start(s, &rep);
	}
	if ((st = read_chunk(s, cmd->chunk, 1)) != IO_OK)
		return lost_client(s, st);
	if (cmd->last) {
		feed(s, tail, data_finish(&s->dec, tail));
		return finish_message(s);
	}
	if (s->dec.fail != DATA_OK || !s->helper_ok)
		return refuse_chunk(s);
	reply_add(&r, s->st.esmtp, R_CHUNK_OK, cmd->chunk);
	return respond(s, &r);
}

/* A refused BDAT: its reply, then its chunk read and dropped. */
static enum flow
skip_chunk(struct session *s, const struct smtp_cmd *cmd, struct reply *r)
{
	enum io_status st;

	if (respond(s, r) == END)
		return END;
	if ((st = read_chunk(s, cmd->chunk, 0)) != IO_OK)
		return lost_client(s, st);
	return GO_ON;
}

/* The message id of the transaction MAIL begins, for every log line. */
static void
log_mail(struct session *s, const struct mailbox *sender)
{
	char from[ADDR_MAX + 1];

	snprintf(s->msgid, sizeof(s->msgid), "%s.%u", s->sid,
	    s->st.transactions);
	s->mail_logged = 1;
	mailbox_format(sender, from, sizeof(from));
	log_event(&s->log, LVL_INFO, "mail", "msgid", s->msgid, "from", from,
	    NULL);
}

/* The handshake; on failure the session ends, and nothing was open. */
static enum flow
start_tls(struct session *s)
{
	if (smtptls_accept(&s->tls, s->conf, s->io.rfd, s->io.wfd,
	    s->conf->timeout_command) == -1) {
		log_event(&s->log, LVL_WARN, "tls", "reason", s->tls.why,
		    NULL);
		return END;
	}
	s->io.tls = s->tls.conn;
	s->io.tls_lib = &s->tls.lib;
	snprintf(s->tls_desc, sizeof(s->tls_desc),
	    "%s with cipher %s (%d bits)", s->tls.version, s->tls.cipher,
	    s->tls.bits);
	log_event(&s->log, LVL_INFO, "tls", "version", s->tls.version,
	    "cipher", s->tls.cipher, NULL);
	state_tls_started(&s->st);
	if (s->milters != NULL)
		miltercheck_tls(s->milters, s->tls.version, s->tls.cipher);
	s->policy.tls = 1;
	snprintf(s->policy.tls_desc, sizeof(s->policy.tls_desc), "%s",
	    s->tls_desc);
	return GO_ON;
}

/*
 * The only place libtls is loaded and set up: a plaintext session never
 * is.  Done before the 220, so that a failure is a 454 and the session
 * goes on in the clear (RFC 3207), not a connection dropped after 220.
 */
static int
prepare_tls(struct session *s)
{
	log_event(&s->log, LVL_DEBUG, "tls", "stage", "initialising libtls",
	    NULL);
	if (smtptls_prepare(&s->tls, s->conf) == 0)
		return 0;
	log_event(&s->log, LVL_ERROR, "tls", "reason", s->tls.why, NULL);
	return -1;
}

static enum flow
starttls(struct session *s, struct reply *r)
{
	char n[24];
	size_t dropped;

	if (prepare_tls(s) == -1)
		return say(s, R_TLS_TEMP_UNAVAIL);
	if (respond(s, r) == END ||
	    io_flush(&s->io, s->conf->timeout_command) != IO_OK)
		return END;
	/* What came in the clear after STARTTLS is never executed. */
	if ((dropped = io_discard(&s->io)) > 0) {
		snprintf(n, sizeof(n), "%zu", dropped);
		log_event(&s->log, LVL_WARN, "tls", "reason",
		    "plaintext after STARTTLS discarded", "octets", n, NULL);
	}
	return start_tls(s);
}

/* ACT_HELO: the name's checks, then the greeting ends any transaction. */
static enum flow
helo(struct session *s, const struct smtp_cmd *cmd, struct reply *r)
{
	enum policy_verdict v;

	log_personal(&s->log, cmd->arg);
	if (policy_helo(&s->policy, cmd->arg, s->st.esmtp, r) != POLICY_PASS)
		return respond(s, r);
	if (s->milters != NULL && (v = miltercheck_helo(s->milters,
	    cmd->arg, s->st.esmtp, r)) != POLICY_PASS)
		return respond(s, r) == END || v == POLICY_CLOSE ? END : GO_ON;
	end_transaction(s);
	state_helo(&s->st, cmd, r);
	log_event(&s->log, LVL_INFO, "helo", "helo", s->st.helo, NULL);
	return respond(s, r);
}

/* ACT_MAIL: the sender's checks; only a sender they pass begins one. */
static enum flow
mail(struct session *s, const struct smtp_cmd *cmd, struct reply *r)
{
	char from[ADDR_MAX + 1];
	enum policy_verdict v;

	mailbox_format(&cmd->path, from, sizeof(from));
	log_personal(&s->log, from);
	log_personal(&s->log, policy_client_name(&s->policy));
	log_mail(s, &cmd->path);
	if (policy_mail(&s->policy, s->st.helo, from, s->st.esmtp, r) !=
	    POLICY_PASS)
		return respond(s, r);
	if (s->milters != NULL && (v = miltercheck_mail(s->milters, cmd,
	    s->msgid, s->st.esmtp, r)) != POLICY_PASS) {
		miltercheck_end(s->milters);
		return respond(s, r) == END || v == POLICY_CLOSE ? END : GO_ON;
	}
	state_mail(&s->st, cmd, r);
	describe_client(s);
	return respond(s, r);
}

/*
 * RFC 2920: a client may pipeline only once EHLO has advertised it.
 * Octets already waiting behind a command before then were sent without
 * waiting for our reply: what ratware does.
 */
static enum flow
unauthorized_pipelining(struct session *s)
{
	struct reply r = { .len = 0 };
	const char *p;

	if (s->conf->unauth_pipelining == ACTION_OFF || s->pipelining_seen ||
	    s->policy.client_allowed ||
	    (s->st.esmtp && s->st.phase != PH_START) ||
	    io_pending(&s->io, &p) == 0)
		return GO_ON;
	s->pipelining_seen = 1;
	log_event(&s->log, LVL_INFO, "pipelining", "result",
	    "unauthorized", "action", s->conf->unauth_pipelining ==
	    ACTION_REJECT ? "reject" : "log", NULL);
	if (s->conf->unauth_pipelining != ACTION_REJECT)
		return GO_ON;
	reply_add(&r, 1, R_UNAUTH_PIPELINING);
	respond(s, &r);
	return END;
}

static enum flow
dispatch(struct session *s, const struct io_line *line, struct smtp_cmd *cmd)
{
	struct reply r = { .len = 0 };

	if (state_line(&s->st, (line->too_long ? LINE_TOO_LONG : 0) |
	    (line->bare_lf ? LINE_BARE_LF : 0) |
	    (line->bare_cr ? LINE_BARE_CR : 0), &r) == -1)
		return respond(s, &r);
	if (unauthorized_pipelining(s) == END)
		return END;
	parse_command(line->text, line->len, cmd);
	s->commands[cmd->verb]++;
	s->last_verb = cmd->verb;
	switch (state_command(&s->st, cmd, &r)) {
	case ACT_HELO:
		return helo(s, cmd, &r);
	case ACT_MAIL:
		return mail(s, cmd, &r);
	case ACT_RSET:
		end_transaction(s);
		return respond(s, &r);
	case ACT_RCPT:
		return rcpt(s, cmd);
	case ACT_DATA:
		return data(s);
	case ACT_BDAT:
		return bdat(s, cmd);
	case ACT_BDAT_SKIP:
		return skip_chunk(s, cmd, &r);
	case ACT_CLOSE:
		respond(s, &r);
		return END;
	case ACT_STARTTLS:
		return starttls(s, &r);
	case ACT_DESYNC:
		if (respond(s, &r) == GO_ON)
			say(s, R_DESYNC);
		log_event(&s->log, LVL_WARN, "error", "reason",
		    "malformed BDAT; cannot find the next command", NULL);
		return END;
	case ACT_REPLY:
		break;
	}
	return respond(s, &r);
}

/* One command line; s->cmd is its parsed command while it is answered. */
static enum flow
command(struct session *s, const struct io_line *line)
{
	struct smtp_cmd cmd;
	enum flow flow;

	cmd.verb = CMD_UNKNOWN;		/* until parsed */
	cmd.error = PARSE_OK;
	s->cmd = &cmd;
	s->mail_logged = 0;
	flow = dispatch(s, line, &cmd);
	s->cmd = NULL;
	return flow;
}

/*
 * Before the banner: the connect-time checks, then the early-talker
 * wait (a client that speaks before the banner is not an SMTP client
 * that waits for replies, as RFC 5321 §3.1 requires).
 */
static enum flow
greet(struct session *s)
{
	struct reply r = { .len = 0 };
	enum policy_verdict v;
	enum io_status st;

	v = policy_connect(&s->policy, &r);
	log_personal(&s->log, policy_client_name(&s->policy));
	if (v != POLICY_PASS) {
		log_event(&s->log, LVL_INFO, "refused", "stage", "connect",
		    NULL);
		respond(s, &r);
		return END;
	}
	/* Not for allowed clients, nor a pipe (a local program writes
	 * its whole script at once). */
	if (s->conf->greet_delay > 0 && !s->policy.client_allowed &&
	    s->peer.ip[0] != '\0') {
		st = io_fill(&s->io, s->conf->greet_delay);
		if (st == IO_OK) {
			log_event(&s->log, LVL_INFO, "early-talker",
			    "result", "reject", NULL);
			reply_add(&r, 1, R_EARLY_TALKER);
			respond(s, &r);
			return END;
		}
		if (st != IO_TIMEOUT)
			return END;
	}
	if (s->milters != NULL && miltercheck_connect(s->milters, s->peer.ip,
	    s->peer.port, policy_client_name(&s->policy), &r) !=
	    POLICY_PASS) {
		respond(s, &r);
		return END;
	}
	state_greeting(&s->st, &r);
	return respond(s, &r);
}

/* The verb of the last command, "none" before the first. */
static const char *
last_command(const struct session *s)
{
	unsigned i, n = 0;

	for (i = 0; i < sizeof(s->commands) / sizeof(s->commands[0]); i++)
		n += s->commands[i];
	return n > 0 ? verb_names[s->last_verb] : "none";
}

/* "helo:0,ehlo:1,...,other:0": every verb's count, for disconnect. */
static const char *
command_counts(const struct session *s, char *buf, size_t size)
{
	size_t len = 0, i;
	int w;

	buf[0] = '\0';
	for (i = CMD_HELO; i < CMD_NOTIMPL && len < size; i++) {
		w = snprintf(buf + len, size - len, "%s:%u,", verb_names[i],
		    s->commands[i]);
		len += w > 0 ? (size_t)w : 0;
	}
	if (len < size)
		snprintf(buf + len, size - len, "other:%u",
		    s->commands[CMD_UNKNOWN] + s->commands[CMD_NOTIMPL]);
	return buf;
}

static void
start(struct session *s, const struct conf *c, int rfd, int wfd, int logfd)
{
	char prefix[SID_LEN + 8], delim[2] = "", gran[16];

	s->conf = c;
	s->insp = NULL;
	s->milters = NULL;
	s->inspecting = 0;
	session_make_id(s->sid, c->leave_no_trace);
	snprintf(prefix, sizeof(prefix), "sid=%s", s->sid);
	log_init(&s->log, logfd, c->log_level, prefix);
	if (c->log_sink == LOG_SINK_SYSLOG)
		log_use_syslog(&s->log, "samotop-smtpd");
	/*
	 * leave-no-trace: the caller opened the key (samotop-smtpd.c).
	 * Were it not open, the log would say "~" and greylisting fail
	 * (451): nothing is ever written in the clear.
	 */
	if (c->leave_no_trace) {
		proc_no_core();	/* a core dump would hold the session */
		log_notrace(&s->log, trace_log_hash, &s->trace);
		snprintf(gran, sizeof(gran), "%u", c->notrace_granularity);
		setenv(LOG_NOTRACE_ENV, gran, 1);
	} else
		unsetenv(LOG_NOTRACE_ENV);
	/* Helpers inherit these, so that their log lines join ours... */
	setenv("SAMOTOP_SID", s->sid, 1);
	setenv("SAMOTOP_LOG_LEVEL", log_level_name(c->log_level), 1);
	setenv("SAMOTOP_LOG", c->log_sink == LOG_SINK_SYSLOG ? "syslog" :
	    "stderr", 1);
	/* ...and they split extensions where routes and lists do. */
	delim[0] = (char)c->recipient_delimiter;
	setenv("SAMOTOP_RECIPIENT_DELIMITER", delim[0] != '\0' ? delim :
	    "none", 1);
	peer_detect(&s->peer, rfd);
	io_init(&s->io, rfd, wfd);
	io_line_rules(&s->io, c->strict_crlf, c->deadline_line);
	io_set_deadline(&s->io, IO_DL_SESSION, c->deadline_session);
	state_init(&s->st, c);
	helper_init(&s->helper, c->hostname);
	smtptls_init(&s->tls);
	policy_init(&s->policy, c, &s->log, s->peer.ip);
	if (c->leave_no_trace) {
		s->policy.grey.hash = trace_store_hash;
		s->policy.grey.hash_arg = &s->trace;
	}
	log_personal(&s->log, s->peer.ip);
	log_personal(&s->log, s->peer.host);
	s->pipelining_seen = 0;
	snprintf(s->msgid, sizeof(s->msgid), "%s.0", s->sid);
	s->helper_ok = 0;
	s->delivered = 0;
	s->cmd = NULL;
	memset(s->commands, 0, sizeof(s->commands));
	s->last_verb = CMD_UNKNOWN;
	s->started = fd_now_ms();
	log_event(&s->log, LVL_INFO, "connect", "remote",
	    s->peer.ip[0] != '\0' ? s->peer.ip : NULL, "port",
	    s->peer.port[0] != '\0' ? s->peer.port : NULL, "host",
	    s->peer.host[0] != '\0' ? s->peer.host : NULL, "via",
	    s->peer.source, NULL);
}

int
session_run(struct session *s, const struct conf *c, int rfd, int wfd,
    int logfd)
{
	struct io_line line;
	enum io_status st = IO_OK;
	char n[16], m[16], ms[24], counts[256];

	start(s, c, rfd, wfd, logfd);
	s->rcpts = calloc(c->max_recipients, sizeof(*s->rcpts));
	s->rcpt_codes = calloc(c->max_recipients, sizeof(*s->rcpt_codes));
	if (s->rcpts == NULL || s->rcpt_codes == NULL) {
		log_event(&s->log, LVL_ERROR, "error", "reason",
		    "out of memory", NULL);
		say(s, R_SHUTDOWN);
		io_flush(&s->io, c->timeout_command);
		free(s->rcpts);
		free(s->rcpt_codes);
		return 1;
	}
	if (c->tls_certificate != NULL) {
		if (smtptls_load(&s->tls, c) == -1) {
			log_event(&s->log, LVL_ERROR, "tls", "reason",
			    s->tls.why, NULL);
			say(s, R_SHUTDOWN);
			st = IO_ERROR;
			goto done;
		}
		s->st.tls_offered = 1;
	}
	if (needs_inspection(c)) {
		if ((s->insp = calloc(1, sizeof(*s->insp))) == NULL ||
		    (c->nmilters > 0 && (s->milters = calloc(1,
		    sizeof(*s->milters))) == NULL)) {
			log_event(&s->log, LVL_ERROR, "error", "reason",
			    "out of memory", NULL);
			say(s, R_SHUTDOWN);
			st = IO_ERROR;
			goto done;
		}
		if (s->milters != NULL)
			miltercheck_open(s->milters, c, &s->log,
			    inspect_mods(s->insp));
	}
	if (c->tls_implicit && (!s->st.tls_offered || prepare_tls(s) == -1 ||
	    start_tls(s) == END))
		goto done;
	if (greet(s) == END)
		goto done;
	for (;;) {
		st = io_line(&s->io, c->max_command_line, c->timeout_command,
		    &line);
		if (st == IO_TIMEOUT) {
			log_event(&s->log, LVL_INFO, "timeout", "deadline",
			    io_expired(&s->io), "after", last_command(s),
			    NULL);
			say(s, R_TIMEOUT);
		}
		if (st != IO_OK || command(s, &line) == END)
			break;
	}
done:
	/* The client's last reply first: it need not wait for the helper. */
	io_flush(&s->io, c->timeout_command);
	helper_quit(&s->helper, c->timeout_helper);
	if (s->milters != NULL) {
		miltercheck_close(s->milters);
		free(s->milters);
	}
	if (s->insp != NULL) {
		inspect_close(s->insp);
		free(s->insp);
	}
	smtptls_free(&s->tls);
	policy_free(&s->policy);
	snprintf(n, sizeof(n), "%u", s->st.transactions);
	snprintf(m, sizeof(m), "%u", s->delivered);
	snprintf(ms, sizeof(ms), "%lld", fd_now_ms() - s->started);
	log_event(&s->log, LVL_INFO, "disconnect", "transactions", n,
	    "accepted", m, "duration_ms", ms, "commands",
	    command_counts(s, counts, sizeof(counts)), NULL);
	free(s->rcpts);
	free(s->rcpt_codes);
	return st == IO_ERROR ? 1 : 0;
}
