/*
 * session_auth.c: submission, the session's side (samotop.conf(5),
 * SUBMISSION): AUTH's exchange and check (the core decides the
 * replies: state_auth_done()), the failures counted per client network
 * in the store, and what an authenticated user may send: only as
 * themselves (MAIL FROM and From:), within their limits.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_check.h"
#include "auth_sasl.h"
#include "hdrfrom.h"
#include "hdrscan.h"
#include "session.h"
#include "session_int.h"

#define COUNTER_KEY_MAX	128

/*
 * The key of a counter: under leave-no-trace a keyed hash (the store
 * must not list who connected or who sent), else the value.  -1 when
 * it cannot be made.
 */
static int
counter_key(struct session *s, const char *name, const char *value,
    char *out, size_t size)
{
	if (!s->conf->leave_no_trace) {
		snprintf(out, size, "%s", value);
		return 0;
	}
	return trace_store_hash(&s->trace, name, value, out, size);
}

/*
 * Add n to counter name of value; *over when the total passes limit.
 * -1 (logged) when the store fails.
 */
static int
count(struct session *s, const char *name, const char *value,
    const struct conf_rate *limit, unsigned long n, int *over)
{
	char key[COUNTER_KEY_MAX];
	unsigned long total;
	struct store *st;

	*over = 0;
	if ((st = session_counter_store(s)) == NULL)
		return -1;
	if (counter_key(s, name, value, key, sizeof(key)) == -1 ||
	    store_counter_add(st, name, key, n, limit->period, time(NULL),
	    &total) == -1) {
		log_event(&s->log, LVL_ERROR, "store", "counter", name,
		    "reason", store_error(st), NULL);
		return -1;
	}
	*over = total > limit->n || (n == 0 && total >= limit->n);
	return 0;
}

/* The client's network: its /24 (IPv4) or /64 (IPv6); "" for a pipe. */
static void
client_network(const struct session *s, char *out, size_t size)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];

	out[0] = '\0';
	if (inet_pton(AF_INET, s->peer.ip, a) == 1) {
		a[3] = 0;
		inet_ntop(AF_INET, a, text, sizeof(text));
		snprintf(out, size, "%s/24", text);
	} else if (inet_pton(AF_INET6, s->peer.ip, a) == 1) {
		memset(a + 8, 0, 8);
		inet_ntop(AF_INET6, a, text, sizeof(text));
		snprintf(out, size, "%s/64", text);
	}
}

/* Whether the client's network has failed auth-failure-limit times. */
static int
network_limited(struct session *s, const char *net)
{
	int over;

	if (net[0] == '\0')
		return 0;
	if (count(s, "auth-fail", net, &s->conf->auth_failure_limit, 0,
	    &over) == -1)
		return -1;
	return over;
}

static void
log_auth(struct session *s, const struct auth_sasl *a, const char *result,
    const char *why)
{
	if (a->user[0] != '\0')
		log_personal(&s->log, a->user);
	log_event(&s->log, result[0] == 's' ? LVL_INFO : LVL_WARN, "auth",
	    "client", s->peer.ip[0] != '\0' ? s->peer.ip : "pipe",
	    "mechanism", auth_mech_name(a->mech), "user",
	    a->user[0] != '\0' ? a->user : NULL, "result", result,
	    "reason", why, NULL);
}

/* The SASL exchange's end, as the core's result. */
static enum auth_result
step_result(enum auth_step step)
{
	switch (step) {
	case AUTH_STEP_EMECH:
		return AUTH_RES_MECH;
	case AUTH_STEP_CANCEL:
		return AUTH_RES_CANCEL;
	case AUTH_STEP_EBASE64:
		return AUTH_RES_BASE64;
	case AUTH_STEP_EAUTHZID:
		return AUTH_RES_FAIL;
	default:
		return AUTH_RES_MALFORMED;
	}
}

/*
 * Challenges and responses until the mechanism has what it needs.
 * END when the client went away; else *step says how it ended (a
 * response line too long: *too_long).
 */
static enum flow
exchange(struct session *s, struct auth_sasl *a, enum auth_step *step,
    char *challenge, int *too_long)
{
	struct reply r = { .len = 0 };
	struct io_line line;
	enum io_status st;

	*too_long = 0;
	while (*step == AUTH_STEP_CHALLENGE) {
		reply_add(&r, s->st.esmtp, R_AUTH_CHALLENGE, challenge);
		if (session_respond(s, &r) == END)
			return END;
		st = io_line(&s->io, AUTH_LINE_MAX, s->conf->timeout_command,
		    &line);
		if (st == IO_TIMEOUT) {
			log_event(&s->log, LVL_INFO, "timeout", "after",
			    "auth", NULL);
			session_say(s, R_TIMEOUT);
		}
		if (st != IO_OK)
			return END;
		if (line.too_long) {
			*too_long = 1;
			return GO_ON;
		}
		*step = line.bare_lf || line.bare_cr ? AUTH_STEP_EBASE64 :
		    auth_sasl_next(a, line.text, line.len, challenge);
		/* The password's base64 must not stay in the buffer. */
		explicit_bzero((char *)(uintptr_t)line.text, line.len);
	}
	return GO_ON;
}

/* A checked login: the session is the user's from now on. */
static void
authenticated(struct session *s, const char *user)
{
	snprintf(s->auth_user, sizeof(s->auth_user), "%s", user);
	/* Lists, SPF and greylisting are for strangers. */
	s->policy.client_allowed = 1;
	/* Milters learn it as Postfix tells them (rspamd: a user's mail) */
	if (s->milters != NULL)
		s->milters->macros.auth_authen = s->auth_user;
	if (s->auth_scan == NULL &&
	    (s->auth_scan = malloc(sizeof(*s->auth_scan))) == NULL)
		log_event(&s->log, LVL_ERROR, "error", "reason",
		    "out of memory (From: checks refuse every message)",
		    NULL);
}

/* The password's check, and the failure counted for the network. */
static enum auth_result
verify(struct session *s, struct auth_sasl *a, const char *net)
{
	char why[256] = "";
	int over, rc;

	rc = auth_check(s->conf, a->user, a->pass, s->peer.ip, why,
	    sizeof(why));
	if (rc == 1) {
		log_auth(s, a, "success", NULL);
		authenticated(s, a->user);
		return AUTH_RES_OK;
	}
	if (rc == -1) {
		log_auth(s, a, "tempfail", why);
		return AUTH_RES_TEMP;
	}
	log_auth(s, a, "failure", "wrong login or password");
	if (net[0] != '\0')
		(void)count(s, "auth-fail", net, &s->conf->auth_failure_limit,
		    1, &over);
	return AUTH_RES_FAIL;
}

enum flow
session_auth(struct session *s, const struct smtp_cmd *cmd)
{
	struct reply r = { .len = 0 };
	struct auth_sasl a;
	char challenge[AUTH_CHALLENGE_MAX], net[INET6_ADDRSTRLEN + 8];
	enum auth_result res;
	enum auth_step step;
	int limited, too_long = 0;

	memset(&a, 0, sizeof(a));
	client_network(s, net, sizeof(net));
	log_personal(&s->log, net);	/* leave-no-trace: hashed */
	/* Before the password is even read: a guesser learns nothing. */
	if ((limited = network_limited(s, net)) != 0) {
		if (cmd->has_ir)
			explicit_bzero((char *)(uintptr_t)cmd->ir,
			    cmd->ir_len);
		log_event(&s->log, LVL_WARN, "auth", "client", s->peer.ip,
		    "network", net, "result", limited == 1 ? "limited" :
		    "tempfail", "reason", limited == 1 ?
		    "auth-failure-limit reached" : "the store failed", NULL);
		res = limited == 1 ? AUTH_RES_LIMITED : AUTH_RES_TEMP;
		goto done;
	}
	step = auth_sasl_start(&a, cmd->arg, strlen(cmd->arg), cmd->has_ir,
	    cmd->ir, cmd->ir_len, challenge);
	if (cmd->has_ir)
		explicit_bzero((char *)(uintptr_t)cmd->ir, cmd->ir_len);
	if (exchange(s, &a, &step, challenge, &too_long) == END) {
		auth_sasl_wipe(&a);
		return END;
	}
	if (too_long)
		res = AUTH_RES_LINE;
	else if (step == AUTH_STEP_DONE)
		res = verify(s, &a, net);
	else {
		res = step_result(step);
		if (step != AUTH_STEP_EMECH)
			log_auth(s, &a, step == AUTH_STEP_CANCEL ?
			    "cancelled" : "failure", step ==
			    AUTH_STEP_EAUTHZID ? "authorization identity of "
			    "another user" : step == AUTH_STEP_CANCEL ? NULL :
			    "malformed response");
	}
done:
	auth_sasl_wipe(&a);
	if (state_auth_done(&s->st, res, &r) == ACT_CLOSE) {
		log_event(&s->log, LVL_WARN, "auth", "client", s->peer.ip,
		    "result", "closed", "reason", "auth-max-failures reached",
		    NULL);
		session_respond(s, &r);
		return END;
	}
	return session_respond(s, &r);
}

/* Whether login owns addr (logged when a file fails: then not). */
static int
owns(struct session *s, const char *addr)
{
	char why[512];
	int rc;

	rc = auth_sender_allowed(s->conf, s->auth_user, addr, why,
	    sizeof(why));
	if (rc == -1)
		log_event(&s->log, LVL_ERROR, "sender-login", "reason", why,
		    NULL);
	return rc == 1;
}

int
session_auth_mail(struct session *s, const struct smtp_cmd *cmd,
    struct reply *r)
{
	char from[ADDR_MAX + 1];
	int over;

	if (s->auth_user[0] == '\0')
		return 0;
	mailbox_format(&cmd->path, from, sizeof(from));
	/* <> (a bounce, a receipt) claims no address. */
	if (from[0] != '\0' && !owns(s, from)) {
		reply_add(r, s->st.esmtp, R_SENDER_LOGIN, from, s->auth_user);
		return -1;
	}
	if (s->conf->user_limit_messages.n == 0)
		return 0;
	if (count(s, "user-messages", s->auth_user,
	    &s->conf->user_limit_messages, 1, &over) == -1) {
		reply_add(r, s->st.esmtp, R_LOCAL_ERROR);
		return -1;
	}
	if (over) {
		log_event(&s->log, LVL_WARN, "limit", "user", s->auth_user,
		    "limit", "user-limit-messages", NULL);
		reply_add(r, s->st.esmtp, R_USER_MESSAGES, s->auth_user);
		return -1;
	}
	return 0;
}

int
session_auth_rcpt(struct session *s, struct reply *r)
{
	int over;

	if (s->auth_user[0] == '\0' || s->conf->user_limit_recipients.n == 0)
		return 0;
	if (count(s, "user-recipients", s->auth_user,
	    &s->conf->user_limit_recipients, 1, &over) == -1) {
		reply_add(r, s->st.esmtp, R_LOCAL_ERROR);
		return -1;
	}
	if (over) {
		log_event(&s->log, LVL_WARN, "limit", "user", s->auth_user,
		    "limit", "user-limit-recipients", NULL);
		reply_add(r, s->st.esmtp, R_USER_RECIPIENTS, s->auth_user);
		return -1;
	}
	return 0;
}

void
session_auth_begin(struct session *s)
{
	if (s->auth_scan != NULL)
		hdrscan_init(s->auth_scan);
	s->auth_scan_done = 0;
	s->auth_from_bad[0] = '\0';
}

/* Each From: field's addresses: the first one not the user's is kept. */
static void
check_from(struct session *s, const char *value)
{
	struct hdrfrom_mailbox mb[8];
	size_t n, i;

	n = hdrfrom_mailboxes(value, mb, sizeof(mb) / sizeof(mb[0]));
	for (i = 0; i < n && s->auth_from_bad[0] == '\0'; i++) {
		if (i >= sizeof(mb) / sizeof(mb[0]) || mb[i].addr[0] == '\0') {
			snprintf(s->auth_from_bad, sizeof(s->auth_from_bad),
			    "%s", i < sizeof(mb) / sizeof(mb[0]) ?
			    "(no address)" : "(too many addresses)");
			return;
		}
		if (!owns(s, mb[i].addr))
			snprintf(s->auth_from_bad, sizeof(s->auth_from_bad),
			    "%.*s", ADDR_MAX, mb[i].addr);
	}
}

void
session_auth_data(struct session *s, const char *buf, size_t len)
{
	enum hdrscan_event ev;
	const char *body;
	size_t used, blen;

	if (s->auth_scan == NULL || s->auth_scan_done)
		return;
	while (len > 0 || buf == NULL) {
		ev = buf == NULL ? hdrscan_finish(s->auth_scan, &body, &blen) :
		    hdrscan_feed(s->auth_scan, buf, len, &used, &body, &blen);
		if (ev == HDRSCAN_FIELD && hdrscan_is(s->auth_scan, "From"))
			check_from(s, hdrscan_value(s->auth_scan));
		if (ev == HDRSCAN_EOH || ev == HDRSCAN_BODY) {
			s->auth_scan_done = 1;	/* the header is read */
			return;
		}
		if (buf == NULL) {
			if (ev == HDRSCAN_MORE)
				return;
			continue;
		}
		buf += used;
		len -= used;
	}
}

int
session_auth_from(struct session *s, struct reply *r)
{
	if (s->auth_user[0] == '\0')
		return 0;
	if (s->auth_scan == NULL)
		snprintf(s->auth_from_bad, sizeof(s->auth_from_bad),
		    "(not checked)");
	else if (!s->auth_scan_done)
		session_auth_data(s, NULL, 0);
	if (s->auth_from_bad[0] == '\0')
		return 0;
	log_personal(&s->log, s->auth_from_bad);
	log_event(&s->log, LVL_WARN, "sender-login", "msgid", s->msgid,
	    "user", s->auth_user, "from", s->auth_from_bad, "result",
	    "refused", NULL);
	reply_add(r, s->st.esmtp, R_FROM_LOGIN, s->auth_from_bad,
	    s->auth_user);
	return -1;
}
