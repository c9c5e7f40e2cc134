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
#include "lists.h"
#include "snd_alias.h"
#include "proc.h"
#include "proxy.h"
#include "route.h"
#include "sandbox.h"
#include "session.h"
#include "session_int.h"

/* RFC 3848 and RFC 6531 names for the Received: "with" clause. */
const char *
session_protocol(const struct session *s)
{
	if (!s->st.esmtp)
		return "SMTP";
	/* RFC 3848: A for AUTH; AUTH is only ever taken under TLS. */
	if (s->st.tls_active && s->st.authenticated)
		return s->st.tx.smtputf8 ? "UTF8SMTPSA" : "ESMTPSA";
	if (s->st.tls_active)
		return s->st.tx.smtputf8 ? "UTF8SMTPS" : "ESMTPS";
	return s->st.tx.smtputf8 ? "UTF8SMTP" : "ESMTP";
}

int
session_hide_client(const struct session *s)
{
	int hide = s->conf->received_hide_client;

	if (hide == -1)		/* not set: as leave-no-trace */
		hide = s->conf->leave_no_trace;
	return s->auth_user[0] != '\0' && hide;
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
	snprintf(x->proto, sizeof(x->proto), "%s", session_protocol(s));
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
	"noop", "quit", "vrfy", "help", "starttls", "auth", "other"
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
	[R_SCREENER_DENIED] = "screener",
	[R_LIMIT_MESSAGES] = "limit-messages",
	[R_LIMIT_RECIPIENTS] = "limit-recipients",
	[R_SENDER_LOGIN] = "sender-login", [R_FROM_LOGIN] = "sender-login",
	[R_USER_MESSAGES] = "user-limit-messages",
	[R_USER_RECIPIENTS] = "user-limit-recipients",
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
	    in_tx || s->mail_logged ? s->msgid : NULL, "client",
	    s->peer.ip[0] != '\0' ? s->peer.ip : "pipe",
	    "command", verb_names[cmd->verb], "from", has_from ? from : NULL,
	    "to", cmd->verb == CMD_RCPT && cmd->error == PARSE_OK ? to : NULL,
	    "code", code, "reply", text, "reason",
	    refusal_reason(r->id, cmd->verb), NULL);
}

/* Send r; the core counts it against max-errors. */
enum flow
session_respond(struct session *s, struct reply *r)
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

enum flow
session_say(struct session *s, enum reply_id id)
{
	struct reply r = { .len = 0 };

	reply_add(&r, s->st.esmtp, id, s->conf->hostname);
	return session_respond(s, &r);
}

/* The helper's own reply, for the client (no enhanced code after HELO). */
enum flow
session_relay_reply(struct session *s, const struct lmtpreply *rep)
{
	struct reply r = { .len = 0 };
	char line[LMTPREPLY_TEXT_MAX + 8];

	snprintf(line, sizeof(line), "%d %s", rep->code,
	    s->st.esmtp ? rep->text : lmtpreply_plain_text(rep));
	reply_line(&r, rep->code, line);
	return session_respond(s, &r);
}

/*
 * The one end of a transaction, whatever ended it (RSET, a greeting, a
 * message answered or refused): the core's, the policy's and the
 * helper's together, so that no later RCPT can reach a helper whose
 * transaction is still the last one's.
 */
void
session_end_transaction(struct session *s)
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
void
session_log_helper_failure(struct session *s, const struct route *route,
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
	return session_respond(s, r);
}

static enum flow
refuse_rcpt_with(struct session *s, const char *addr, enum reply_id id)
{
	struct reply r = { .len = 0 };

	reply_add(&r, s->st.esmtp, id, addr);
	return refuse_rcpt(s, addr, &r);
}

void
session_envelope(struct session *s, struct delivery_envelope *env)
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

	session_envelope(s, &env);
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
	session_log_helper_failure(s, route, NULL);
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

/*
 * A recipient no route names, from a relay-client or an authenticated
 * user: relay-route's helper (the queue) takes it.  Never one of a
 * domain a route names (its unknown users stay unknown), nor the
 * postmaster.
 */
static const struct route *
relay_route(struct session *s, const struct mailbox *rcpt, int pm)
{
	if (!(s->relay_client || (s->auth_user[0] != '\0' &&
	    s->relay.argv[0] != NULL)) || pm || route_domain_known(s->conf,
	    rcpt->domain))
		return NULL;
	return &s->relay;
}

/*
 * An alias, or a bounce to one of our SRS addresses: samotop-send
 * expands or reverses it, so it goes into the queue (relay-route's
 * helper), whoever sends it.
 */
static const struct route *
queued_route(struct session *s, const struct mailbox *rcpt,
    const char *addr)
{
	const char *srs = s->conf->srs_domain != NULL ? s->conf->srs_domain :
	    s->conf->hostname;

	if (s->conf->relay_route[0] == NULL)
		return NULL;
	if (snd_alias_is(s->conf, addr) || (strcasecmp(rcpt->domain,
	    srs) == 0 && (strncasecmp(rcpt->local, "SRS0=", 5) == 0 ||
	    strncasecmp(rcpt->local, "SRS1=", 5) == 0)))
		return &s->relay;
	return NULL;
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
		return session_say(s, R_SYNTAX);
	}
	pm = route_postmaster(s->conf, &mb);	/* never "relaying" */
	mailbox_format(&mb, addr, sizeof(addr));
	log_personal(&s->log, addr);
	/* The postmaster stays reachable (RFC 5321 §4.5.1), as in policy.h */
	if ((!pm && session_limit(s, LIMIT_RECIPIENTS, &r) == -1) ||
	    session_auth_rcpt(s, &r) == -1)
		return refuse_rcpt(s, addr, &r);
	if ((route = queued_route(s, &mb, addr)) == NULL &&
	    (route = route_lookup(s->conf, &mb)) == NULL &&
	    (route = relay_route(s, &mb, pm)) == NULL)
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
	if (s->scr != NULL && session_screen_rcpt(s, &mb, &r) == -1)
		return refuse_rcpt(s, addr, &r);
	session_envelope(s, &env);
	if ((s->st.tx.nrcpt > 0 && s->helper.fd == -1) ||
	    helper_rcpt(&s->helper, route->argv, &env, &mb,
	    s->conf->timeout_helper, &rep) == -1) {
		session_log_helper_failure(s, route, addr);
		state_rcpt_refused(&s->st);
		return session_say(s, R_HELPER_FAILED);
	}
	if (rep.code / 100 == 2 &&
	    check_accepted_rcpt(s, route, addr) == END)
		return GO_ON;
	snprintf(code, sizeof(code), "%d", rep.code);
	log_event(&s->log, LVL_INFO, "rcpt", "msgid", s->msgid, "to", addr,
	    "code", code, NULL);
	if (rep.code / 100 == 2) {
		s->rcpts[s->st.tx.nrcpt] = mb;
		if (s->scr != NULL)
			session_screen_accepted(s, s->st.tx.nrcpt);
		state_rcpt_accepted(&s->st, route);
	} else
		state_rcpt_refused(&s->st);
	return session_relay_reply(s, &rep);
}

const char *
session_auth_user(const struct session *s)
{
	return s->auth_user[0] != '\0' ? s->auth_user : NULL;
}

/* A verified name first; the launcher's only when nothing else. */
const char *
session_client_name(const struct session *s)
{
	const char *name = policy_client_name(&s->policy);

	return name[0] != '\0' ? name : s->peer.host;
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
		return session_say(s, R_TLS_TEMP_UNAVAIL);
	if (session_respond(s, r) == END ||
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
		return session_respond(s, r);
	if (s->milters != NULL && (v = miltercheck_helo(s->milters,
	    cmd->arg, s->st.esmtp, r)) != POLICY_PASS)
		return session_respond(s, r) == END || v == POLICY_CLOSE ?
		    END : GO_ON;
	session_end_transaction(s);
	state_helo(&s->st, cmd, r);
	log_event(&s->log, LVL_INFO, "helo", "helo", s->st.helo, NULL);
	return session_respond(s, r);
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
	if (session_auth_mail(s, cmd, r) == -1)
		return session_respond(s, r);
	if (policy_mail(&s->policy, s->st.helo, from, s->st.esmtp, r) !=
	    POLICY_PASS || session_limit(s, LIMIT_MESSAGES, r) == -1)
		return session_respond(s, r);
	if (s->milters != NULL && (v = miltercheck_mail(s->milters, cmd,
	    s->msgid, s->st.esmtp, r)) != POLICY_PASS) {
		miltercheck_end(s->milters);
		return session_respond(s, r) == END || v == POLICY_CLOSE ?
		    END : GO_ON;
	}
	state_mail(&s->st, cmd, r);
	describe_client(s);
	return session_respond(s, r);
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
	session_respond(s, &r);
	return END;
}

static enum flow
dispatch(struct session *s, const struct io_line *line, struct smtp_cmd *cmd)
{
	struct reply r = { .len = 0 };

	if (state_line(&s->st, (line->too_long ? LINE_TOO_LONG : 0) |
	    (line->bare_lf ? LINE_BARE_LF : 0) |
	    (line->bare_cr ? LINE_BARE_CR : 0), &r) == -1)
		return session_respond(s, &r);
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
		session_end_transaction(s);
		return session_respond(s, &r);
	case ACT_RCPT:
		return rcpt(s, cmd);
	case ACT_DATA:
		return session_data(s);
	case ACT_BDAT:
		return session_bdat(s, cmd);
	case ACT_BDAT_SKIP:
		return session_skip_chunk(s, cmd, &r);
	case ACT_CLOSE:
		session_respond(s, &r);
		return END;
	case ACT_STARTTLS:
		return starttls(s, &r);
	case ACT_AUTH:
		return session_auth(s, cmd);
	case ACT_DESYNC:
		if (session_respond(s, &r) == GO_ON)
			session_say(s, R_DESYNC);
		log_event(&s->log, LVL_WARN, "error", "reason",
		    "malformed BDAT; cannot find the next command", NULL);
		return END;
	case ACT_REPLY:
		break;
	}
	return session_respond(s, &r);
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

/* Whether this client may relay, and the route its relayed mail takes. */
static void
relay_setup(struct session *s)
{
	const struct conf *c = s->conf;
	size_t i;

	memset(&s->relay, 0, sizeof(s->relay));
	s->relay.pattern = "relay";
	memcpy(s->relay.argv, c->relay_route, sizeof(s->relay.argv));
	s->relay_client = 0;
	for (i = 0; i < c->nrelay_clients && s->peer.ip[0] != '\0'; i++)
		if (list_cidr_match(c->relay_clients[i], s->peer.ip) == 1)
			s->relay_client = 1;
	if (s->relay_client)
		log_event(&s->log, LVL_INFO, "relay", "client", s->peer.ip,
		    "result", "relay-client", NULL);
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
		session_respond(s, &r);
		return END;
	}
	if (session_limit(s, LIMIT_CONNECTIONS, &r) == -1) {
		session_respond(s, &r);
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
			session_respond(s, &r);
			return END;
		}
		if (st != IO_TIMEOUT)
			return END;
	}
	if (s->milters != NULL && miltercheck_connect(s->milters, s->peer.ip,
	    s->peer.port, policy_client_name(&s->policy), &r) !=
	    POLICY_PASS) {
		session_respond(s, &r);
		return END;
	}
	state_greeting(&s->st, &r);
	return session_respond(s, &r);
}

/* The verb of the last command, "none" before the first. */
const char *
session_last_command(const struct session *s)
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

/* -1: a balancer sent no valid PROXY header: close without a word. */
static int
start(struct session *s, const struct conf *c, int rfd, int wfd, int logfd)
{
	char prefix[SID_LEN + 8], delim[2] = "", gran[16];
	int proxied;

	s->conf = c;
	s->insp = NULL;
	s->milters = NULL;
	s->scr_store = NULL;
	s->scr_failed = 0;
	s->scr = NULL;
	s->scr_why = NULL;
	s->rcpt_texts = NULL;
	s->inspecting = 0;
	s->local_failure = 0;
	s->auth_user[0] = '\0';
	s->store = NULL;
	s->store_failed = 0;
	s->auth_scan = NULL;
	s->auth_scan_done = 0;
	s->auth_from_bad[0] = '\0';
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
	/* samotop-maildir files user+FOLDER in the screener's folder */
	if (c->screener_db != NULL)
		setenv("SAMOTOP_SCREENER_FOLDER", c->screener_folder, 1);
	else
		unsetenv("SAMOTOP_SCREENER_FOLDER");
	/* ...and they split extensions where routes and lists do. */
	delim[0] = (char)c->recipient_delimiter;
	setenv("SAMOTOP_RECIPIENT_DELIMITER", delim[0] != '\0' ? delim :
	    "none", 1);
	peer_detect(&s->peer, rfd);
	/* Before any check, log line or read sees the balancer's address. */
	proxied = proxy_accept(c, rfd, &s->peer, &s->log);
	io_init(&s->io, rfd, wfd);
	io_line_rules(&s->io, c->strict_crlf, c->deadline_line);
	io_set_deadline(&s->io, IO_DL_SESSION, c->deadline_session);
	state_init(&s->st, c);
	helper_init(&s->helper, c->hostname);
	smtptls_init(&s->tls);
	policy_init(&s->policy, c, &s->log, s->peer.ip);
	limit_init(&s->limits);
	relay_setup(s);
	if (c->leave_no_trace) {
		s->policy.grey.hash = trace_store_hash;
		s->policy.grey.hash_arg = &s->trace;
		s->limits.hash = trace_store_hash;
		s->limits.hash_arg = &s->trace;
		session_trace_shared(s);
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
	return proxied;
}

int
session_run(struct session *s, const struct conf *c, int rfd, int wfd,
    int logfd)
{
	struct io_line line;
	enum io_status st = IO_OK;
	char n[16], m[16], ms[24], counts[256];

	if (start(s, c, rfd, wfd, logfd) == -1) {
		s->rcpts = NULL;
		s->rcpt_codes = NULL;
		s->scr = NULL;
		s->rcpt_texts = NULL;
		goto done;
	}
	/*
	 * Not cleared: an entry is written when its recipient is accepted
	 * (rcpts) or answered (rcpt_codes), and read only below st.tx.nrcpt.
	 * Clearing max-recipients of them (33 KiB by default) cost every
	 * session its memset and the page faults of memory it mostly never
	 * uses.
	 */
	s->rcpts = reallocarray(NULL, c->max_recipients, sizeof(*s->rcpts));
	s->rcpt_codes = reallocarray(NULL, c->max_recipients,
	    sizeof(*s->rcpt_codes));
	if (c->screener_db != NULL)
		s->scr = calloc(c->max_recipients, sizeof(*s->scr));
	s->rcpt_texts = c->fold_partial_dsn ? calloc(c->max_recipients,
	    sizeof(*s->rcpt_texts)) : NULL;
	if (s->rcpts == NULL || s->rcpt_codes == NULL ||
	    (c->screener_db != NULL && s->scr == NULL) ||
	    (c->fold_partial_dsn && s->rcpt_texts == NULL)) {
		log_event(&s->log, LVL_ERROR, "error", "reason",
		    "out of memory", NULL);
		session_say(s, R_SHUTDOWN);
		io_flush(&s->io, c->timeout_command);
		free(s->rcpts);
		free(s->rcpt_codes);
		free(s->scr);
		free(s->rcpt_texts);
		return 1;
	}
	if (c->tls_certificate != NULL) {
		if (smtptls_load(&s->tls, c) == -1) {
			log_event(&s->log, LVL_ERROR, "tls", "reason",
			    s->tls.why, NULL);
			session_say(s, R_SHUTDOWN);
			st = IO_ERROR;
			goto done;
		}
		s->st.tls_offered = 1;
	}
	/* dkim-sign: a session may authenticate later, and sign then */
	if (session_needs_inspection(c) || c->ndkim_sign > 0) {
		if ((s->insp = calloc(1, sizeof(*s->insp))) == NULL ||
		    (c->nmilters > 0 && (s->milters = calloc(1,
		    sizeof(*s->milters))) == NULL)) {
			log_event(&s->log, LVL_ERROR, "error", "reason",
			    "out of memory", NULL);
			session_say(s, R_SHUTDOWN);
			st = IO_ERROR;
			goto done;
		}
		if (s->milters != NULL)
			miltercheck_open(s->milters, c, &s->log,
			    inspect_mods(s->insp));
	}
	/*
	 * Set up: from here on only the calls of a session and of the
	 * helpers it starts (sandbox.h); the helpers seal themselves too,
	 * unless told not to.
	 */
	if (c->sandbox && sandbox_wanted()) {
		setenv(SANDBOX_ENV, "yes", 1);
		(void)sandbox_smtpd_seal(c, &s->log);
	} else
		setenv(SANDBOX_ENV, "no", 1);
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
			    io_expired(&s->io), "after",
			    session_last_command(s),
			    NULL);
			session_say(s, R_TIMEOUT);
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
	if (s->scr_store != NULL)
		store_close(s->scr_store);
	if (s->store != NULL)
		store_close(s->store);
	free(s->auth_scan);
	free(s->scr);
	free(s->rcpt_texts);
	free(s->rcpts);
	free(s->rcpt_codes);
	return st == IO_ERROR ? 1 : 0;
}
