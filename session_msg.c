/*
 * session_msg.c: one message of a session, DATA or BDAT: the client's
 * octets decoded (data.h) and streamed to the helper, or kept for the
 * checks decided at its end (session_check.c), then the helper's
 * per-recipient replies folded into the one reply (DESIGN.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "session_int.h"

/* Whether a message must wait for checks decided at its end. */
int
session_needs_inspection(const struct conf *c)
{
	return c->dkim || c->dmarc || c->arc || c->nmilters > 0;
}

/*
 * A submission's mail is signed: a relay-client's and an authenticated
 * user's.  It waits in the spool (inspect.h) like a checked message,
 * since its DKIM-Signature: comes first.
 */
int
session_signs(const struct session *s)
{
	if (s->conf->ndkim_sign == 0)
		return 0;
	return s->relay_client || session_auth_user(s) != NULL;
}

/*
 * The message goes to the spool (inspect.h); the helper's DATA waits
 * for the verdict.  -1 when the checks cannot be set up: 451, nothing
 * is accepted unchecked.
 */
static int
begin_inspected(struct session *s)
{
	char why[256];

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
	s->local_failure = 1;
	return -1;
}

/* Open the helper's DATA and give it the trace header. */
static int
begin_message(struct session *s, int dotted, struct lmtpreply *rep)
{
	struct received_info ri = { s->st.helo, session_client_name(s),
	    s->peer.ip, s->conf->hostname, session_protocol(s),
	    s->st.tls_active ? s->tls_desc : NULL, s->msgid, time(NULL),
	    s->conf->leave_no_trace ? s->conf->notrace_granularity : 0,
	    session_hide_client(s) };
	char hdr[RECEIVED_MAX + 2048], from[ADDR_MAX + 1];
	size_t n;

	io_set_deadline(&s->io, IO_DL_MESSAGE, s->conf->deadline_message);
	data_init(&s->dec, dotted, s->conf->strict_crlf,
	    s->conf->max_line_length, s->conf->max_message_size);
	rep->code = 0;
	s->helper_ok = 0;
	s->inspecting = 0;
	s->local_failure = 0;
	session_auth_begin(s);
	if (s->st.tx.nrcpt > 0 && s->helper.fd != -1 &&
	    (session_needs_inspection(s->conf) || session_signs(s)))
		return begin_inspected(s);
	/* Strict DATA goes on still stuffed: no unstuffing and restuffing. */
	(void)data_keep_stuffing(&s->dec);
	if (s->st.tx.nrcpt == 0 || s->helper.fd == -1 ||
	    helper_data(&s->helper, s->conf->timeout_helper, rep) == -1)
		return -1;
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	n = session_auth_user(s) != NULL ? 0 : policy_headers(&s->policy,
	    from, s->st.helo, NULL, hdr, sizeof(hdr));
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
	session_auth_data(s, buf, len);
	if (s->inspecting) {
		inspect_data(s->insp, buf, len);
		return;
	}
	rc = s->dec.stuffed ?
	    helper_write_stuffed(&s->helper, buf, len, timeout) :
	    helper_write(&s->helper, buf, len, timeout);
	if (rc == -1) {
		session_log_helper_failure(s, NULL, NULL);
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
	    "after", st == IO_TIMEOUT ? session_last_command(s) : NULL,
	    "reason", "client gone during message data; nothing delivered",
	    NULL);
	if (st == IO_TIMEOUT)
		session_say(s, R_TIMEOUT);
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
	return session_respond(s, &r);
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
enum flow
session_fold_replies(struct session *s)
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
			session_log_helper_failure(s, NULL, addr);
			return session_say(s, R_HELPER_FAILED);
		}
		codes[i] = rep.code;
		if (s->rcpt_texts != NULL)
			memcpy(s->rcpt_texts[i], rep.text,
			    sizeof(s->rcpt_texts[i]));
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
		return session_respond(s, &r);
	}
	if (bad == n)
		return session_relay_reply(s, &first5);
	if (ok > 0)
		log_mixed_fold(s, codes, ok);
	/* delivered and refused for good only: 250, and a bounce */
	if (ok > 0 && ok + bad == n && s->rcpt_texts != NULL &&
	    session_partial_dsn(s, codes) == 0) {
		reply_add(&r, s->st.esmtp, R_ACCEPTED, s->msgid);
		s->delivered++;
		return session_respond(s, &r);
	}
	return session_say(s, R_PARTIAL);
}

/*
 * The end of a message, whatever happened to it: the reply, then the
 * transaction's end (the helper's too).
 */
static enum flow
finish_message(struct session *s)
{
	struct reply r = { .len = 0 };
	unsigned delivered = s->delivered;
	enum flow flow;

	if (s->dec.fail != DATA_OK) {
		feed(s, NULL, 0);	/* aborts the helper if still open */
		flow = refuse_message(s);
	} else if (s->helper_ok && session_auth_from(s, &r) == -1) {
		/* Before the final dot: the helper delivers nothing. */
		if (s->inspecting)
			inspect_abort(s->insp);
		else
			helper_abort(&s->helper);
		s->helper_ok = 0;
		flow = session_respond(s, &r);
	} else if (s->inspecting)
		flow = session_finish_inspected(s);
	else if (!s->helper_ok ||
	    helper_end_data(&s->helper, s->conf->timeout_helper) == -1) {
		session_log_helper_failure(s, NULL, NULL);
		flow = session_say(s, R_HELPER_FAILED);
	} else
		flow = session_fold_replies(s);
	if (s->delivered > delivered && s->auth_user[0] != '\0' &&
	    s->scr != NULL)
		session_screen_learn(s);
	session_end_transaction(s);
	return flow;
}

/*
 * The message cannot begin: the checks could not be set up (logged), or
 * the helper would not take it (its refusal, or 451).
 */
static enum flow
refuse_data_start(struct session *s, const struct lmtpreply *rep)
{
	enum flow flow;
	char code[16];

	if (s->local_failure)
		flow = session_say(s, R_LOCAL_ERROR);
	else if (rep->code >= 400 && s->helper.fd != -1) {
		/* A refusal, not a failure: the helper is fine. */
		snprintf(code, sizeof(code), "%d", rep->code);
		log_event(&s->log, LVL_WARN, "data", "msgid", s->msgid,
		    "code", code, "reply", rep->text, NULL);
		flow = session_relay_reply(s, rep);
	} else {
		session_log_helper_failure(s, NULL, NULL);
		flow = session_say(s, R_HELPER_FAILED);
	}
	session_end_transaction(s);
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
	*flow = session_respond(s, &r) == END || v == POLICY_CLOSE ? END :
	    GO_ON;
	session_end_transaction(s);
	return -1;
}

enum flow
session_data(struct session *s)
{
	struct lmtpreply rep;
	enum io_status st;
	enum flow flow;
	int ended = 0;

	if (milter_data(s, &flow) == -1)
		return flow;
	if (begin_message(s, 1, &rep) == -1)
		return refuse_data_start(s, &rep);
	if (session_say(s, R_DATA_GO) == END)
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
		session_say(s, R_HELPER_FAILED);
	session_end_transaction(s);
	return GO_ON;
}

enum flow
session_bdat(struct session *s, const struct smtp_cmd *cmd)
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
		flow = session_respond(s, &r);
		session_end_transaction(s);
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
	return session_respond(s, &r);
}

/* A refused BDAT: its reply, then its chunk read and dropped. */
enum flow
session_skip_chunk(struct session *s, const struct smtp_cmd *cmd,
    struct reply *r)
{
	enum io_status st;

	if (session_respond(s, r) == END)
		return END;
	if ((st = read_chunk(s, cmd->chunk, 0)) != IO_OK)
		return lost_client(s, st);
	return GO_ON;
}
