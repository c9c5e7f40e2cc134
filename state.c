/*
 * state.c: sequencing (RFC 5321 §4.1.4, RFC 3030, RFC 2920).
 */
#include <stdio.h>
#include <string.h>

#include "state.h"

void
state_init(struct smtp_state *st, const struct conf *c)
{
	memset(st, 0, sizeof(*st));
	st->conf = c;
	st->phase = PH_START;
	st->auth_offered = c->auth_checkpassword[0] != NULL ||
	    c->auth_dovecot != NULL;
}

void
state_greeting(const struct smtp_state *st, struct reply *r)
{
	reply_add(r, 0, R_GREETING, st->conf->hostname);
}

void
state_tx_end(struct smtp_state *st)
{
	memset(&st->tx, 0, sizeof(st->tx));
	if (st->phase != PH_START)
		st->phase = PH_READY;
}

int
state_line(const struct smtp_state *st, unsigned flags, struct reply *r)
{
	if (flags & LINE_TOO_LONG)
		reply_add(r, st->esmtp, R_LINE_TOO_LONG);
	else if ((flags & LINE_BARE_LF) && st->conf->strict_crlf)
		reply_add(r, st->esmtp, R_BARE_LF_COMMAND);
	else if (flags & LINE_BARE_CR)
		reply_add(r, st->esmtp, R_BARE_CR_COMMAND);
	else
		return 0;
	return -1;
}

int
state_replied(struct smtp_state *st, int code)
{
	return code >= 500 && ++st->errors >= st->conf->max_errors;
}

static void
ehlo_reply(const struct smtp_state *st, struct reply *r)
{
	char line[300];

	snprintf(line, sizeof(line), "250-%s", st->conf->hostname);
	reply_line(r, 250, line);
	/* First, so that a client that must use it sees it at once. */
	if (st->tls_offered && !st->tls_active)
		reply_line(r, 250, "250-STARTTLS");
	/* Never in the clear: a password is never sent unencrypted. */
	if (st->auth_offered && st->tls_active)
		reply_line(r, 250, "250-AUTH PLAIN LOGIN");
	reply_line(r, 250, "250-PIPELINING");
	snprintf(line, sizeof(line), "250-SIZE %zu",
	    st->conf->max_message_size);
	reply_line(r, 250, line);
	reply_line(r, 250, "250-8BITMIME");
	reply_line(r, 250, "250-ENHANCEDSTATUSCODES");
	reply_line(r, 250, "250-SMTPUTF8");
	reply_line(r, 250, "250 CHUNKING");
}

void
state_helo(struct smtp_state *st, const struct smtp_cmd *cmd, struct reply *r)
{
	state_tx_end(st);
	st->phase = PH_READY;
	st->esmtp = cmd->verb == CMD_EHLO;
	snprintf(st->helo, sizeof(st->helo), "%s", cmd->arg);
	if (st->esmtp)
		ehlo_reply(st, r);
	else
		reply_add(r, 0, R_HELO, st->conf->hostname);
}

static enum action
say(struct smtp_state *st, struct reply *r, enum reply_id id)
{
	reply_add(r, st->esmtp, id);
	return ACT_REPLY;
}

static enum action
mail(struct smtp_state *st, const struct smtp_cmd *cmd, struct reply *r)
{
	if (st->phase == PH_START)
		return say(st, r, R_SEQ_HELO);
	if (st->phase != PH_READY)
		return say(st, r, R_SEQ_MAIL_NESTED);
	if (st->conf->require_tls && !st->tls_active)
		return say(st, r, R_TLS_REQUIRED);
	/* Parameters of extensions that HELO did not advertise. */
	if (!st->esmtp && (cmd->has_size || cmd->body || cmd->smtputf8))
		return say(st, r, R_PARAM_UNKNOWN);
	if (cmd->has_auth && !(st->esmtp && st->auth_offered &&
	    st->tls_active))
		return say(st, r, R_PARAM_UNKNOWN);
	if (cmd->path.is_utf8 && !cmd->smtputf8)
		return say(st, r, R_UTF8_REQUIRED);
	if (cmd->has_size && cmd->size > st->conf->max_message_size) {
		reply_add(r, st->esmtp, R_SIZE_EXCEEDED,
		    st->conf->max_message_size);
		return ACT_REPLY;
	}
	st->transactions++;	/* begun, even if its checks refuse it */
	return ACT_MAIL;
}

void
state_mail(struct smtp_state *st, const struct smtp_cmd *cmd, struct reply *r)
{
	memset(&st->tx, 0, sizeof(st->tx));
	st->tx.id = st->transactions;
	st->tx.sender = cmd->path;
	st->tx.smtputf8 = cmd->smtputf8;
	st->tx.body = cmd->body;
	st->phase = PH_MAIL;
	reply_add(r, st->esmtp, R_MAIL_OK);
}

static enum action
rcpt(struct smtp_state *st, const struct smtp_cmd *cmd, struct reply *r)
{
	if (st->phase == PH_START)
		return say(st, r, R_SEQ_HELO);
	if (st->phase != PH_MAIL && st->phase != PH_RCPT)
		return say(st, r, R_SEQ_NEED_MAIL);
	if (cmd->path.is_utf8 && !st->tx.smtputf8)
		return say(st, r, R_UTF8_REQUIRED);
	/*
	 * Refused recipients count too: a client that tries addresses
	 * (or feeds the greylist) gets no more tries than a sender gets
	 * recipients.
	 */
	if (st->tx.nrcpt + st->tx.nrefused >= st->conf->max_recipients)
		return say(st, r, R_TOO_MANY_RCPTS);
	return ACT_RCPT;
}

int
state_rcpt_route(struct smtp_state *st, const void *route, struct reply *r)
{
	if (st->tx.route == NULL || st->tx.route == route)
		return 0;
	state_rcpt_refused(st);
	reply_add(r, st->esmtp, R_OTHER_ROUTE);
	return -1;
}

void
state_rcpt_accepted(struct smtp_state *st, const void *route)
{
	st->tx.nrcpt++;
	st->tx.route = route;
	st->phase = PH_RCPT;
}

void
state_rcpt_refused(struct smtp_state *st)
{
	st->tx.nrefused++;
}

void
state_rcpt_replaced(struct smtp_state *st, unsigned n)
{
	st->tx.nrcpt = n;
}

static enum action
data(struct smtp_state *st, struct reply *r)
{
	if (st->phase == PH_START)
		return say(st, r, R_SEQ_HELO);
	if (st->phase == PH_READY)
		return say(st, r, R_SEQ_NEED_MAIL);
	if (st->phase == PH_MAIL)
		return say(st, r, R_SEQ_NEED_RCPT);
	if (st->tx.body == BODY_BINARYMIME)
		return say(st, r, R_SEQ_BINARY);
	return ACT_DATA;
}

/*
 * A BDAT command's octets follow it whatever the answer, so a refused
 * BDAT still has its chunk read and dropped (RFC 3030 §2).
 */
static enum action
bdat(struct smtp_state *st, struct reply *r)
{
	enum reply_id why;

	if (st->phase == PH_RCPT || st->phase == PH_BDAT) {
		st->phase = PH_BDAT;
		st->tx.chunks++;
		return ACT_BDAT;
	}
	why = st->phase == PH_START ? R_SEQ_HELO :
	    st->phase == PH_READY ? R_SEQ_NEED_MAIL : R_SEQ_NEED_RCPT;
	reply_add(r, st->esmtp, why);
	return ACT_BDAT_SKIP;
}

static enum action
starttls(struct smtp_state *st, struct reply *r)
{
	if (st->tls_active)
		return say(st, r, R_TLS_ACTIVE);
	if (!st->tls_offered)
		return say(st, r, R_STARTTLS_UNAVAIL);
	if (st->phase == PH_START)
		return say(st, r, R_SEQ_HELO);
	if (st->phase != PH_READY)
		return say(st, r, R_TLS_IN_TX);
	reply_add(r, st->esmtp, R_STARTTLS_READY);
	return ACT_STARTTLS;
}

/*
 * Before TLS, AUTH is neither advertised nor taken: 530 5.7.0 as for
 * any command that needs STARTTLS first (RFC 3207 §4), not RFC 4954's
 * 538 5.7.11, which would say a mechanism without TLS exists.
 */
static enum action
auth(struct smtp_state *st, struct reply *r)
{
	if (!st->auth_offered)
		return say(st, r, R_NOTIMPL);
	if (st->phase == PH_START)
		return say(st, r, R_SEQ_HELO);
	if (!st->esmtp)
		return say(st, r, R_AUTH_EHLO);
	if (!st->tls_active)
		return say(st, r, R_TLS_REQUIRED);
	if (st->authenticated)
		return say(st, r, R_AUTH_ALREADY);
	if (st->phase != PH_READY)
		return say(st, r, R_AUTH_IN_TX);
	return ACT_AUTH;
}

enum action
state_auth_done(struct smtp_state *st, enum auth_result res,
    struct reply *r)
{
	static const enum reply_id ids[] = {
		[AUTH_RES_OK] = R_AUTH_OK, [AUTH_RES_FAIL] = R_AUTH_FAILED,
		[AUTH_RES_TEMP] = R_AUTH_TEMPFAIL,
		[AUTH_RES_LIMITED] = R_AUTH_LIMITED,
		[AUTH_RES_CANCEL] = R_AUTH_CANCELLED,
		[AUTH_RES_BASE64] = R_AUTH_BASE64,
		[AUTH_RES_MALFORMED] = R_AUTH_MALFORMED,
		[AUTH_RES_MECH] = R_AUTH_MECH, [AUTH_RES_LINE] = R_AUTH_LINE,
	};

	if (res == AUTH_RES_OK)
		st->authenticated = 1;
	/* The last try: 421 instead of 535, and the session ends. */
	if (res == AUTH_RES_FAIL &&
	    ++st->auth_failures >= st->conf->auth_max_failures) {
		reply_add(r, st->esmtp, R_AUTH_TOO_MANY, st->conf->hostname);
		return ACT_CLOSE;
	}
	return say(st, r, ids[res]);
}

void
state_tls_started(struct smtp_state *st)
{
	state_tx_end(st);
	st->phase = PH_START;
	st->esmtp = 0;
	st->helo[0] = '\0';
	st->tls_active = 1;
}

static enum action
parse_failure(struct smtp_state *st, const struct smtp_cmd *cmd,
    struct reply *r)
{
	const char *why = addr_strerror(cmd->addr_error);

	switch (cmd->error) {
	case PARSE_ECONTROL:
		return say(st, r, R_CONTROL);
	case PARSE_ESENDER:
		reply_add(r, st->esmtp, R_BAD_SENDER, why);
		return ACT_REPLY;
	case PARSE_ERCPT:
		reply_add(r, st->esmtp, R_BAD_RCPT, why);
		return ACT_REPLY;
	case PARSE_EPARAM:
		return say(st, r, R_PARAM_UNKNOWN);
	case PARSE_EPARAMVAL:
		return say(st, r, R_PARAM_VALUE);
	default:
		return say(st, r, R_SYNTAX);
	}
}

/* Inside a BDAT sequence only BDAT, RSET, QUIT and NOOP make sense. */
static int
allowed_in_bdat(enum smtp_verb v)
{
	return v == CMD_BDAT || v == CMD_RSET || v == CMD_QUIT ||
	    v == CMD_NOOP;
}

enum action
state_command(struct smtp_state *st, const struct smtp_cmd *cmd,
    struct reply *r)
{
	if (cmd->error != PARSE_OK) {
		/* A BDAT whose size we cannot read leaves its chunk unframed. */
		if (cmd->verb == CMD_BDAT) {
			parse_failure(st, cmd, r);
			return ACT_DESYNC;
		}
		return parse_failure(st, cmd, r);
	}
	if (st->phase == PH_BDAT && !allowed_in_bdat(cmd->verb))
		return say(st, r, R_SEQ_BDAT);
	switch (cmd->verb) {
	case CMD_HELO:
	case CMD_EHLO:
		return ACT_HELO;
	case CMD_MAIL:
		return mail(st, cmd, r);
	case CMD_RCPT:
		return rcpt(st, cmd, r);
	case CMD_DATA:
		return data(st, r);
	case CMD_BDAT:
		return bdat(st, r);
	case CMD_RSET:
		reply_add(r, st->esmtp, R_RSET);
		return ACT_RSET;
	case CMD_NOOP:
		return say(st, r, R_NOOP);
	case CMD_QUIT:
		reply_add(r, st->esmtp, R_BYE, st->conf->hostname);
		return ACT_CLOSE;
	case CMD_VRFY:
		return say(st, r, R_VRFY);
	case CMD_HELP:
		return say(st, r, R_HELP);
	case CMD_STARTTLS:
		return starttls(st, r);
	case CMD_AUTH:
		return auth(st, r);
	case CMD_NOTIMPL:
		return say(st, r, R_NOTIMPL);
	default:
		return say(st, r, R_UNKNOWN);
	}
}
