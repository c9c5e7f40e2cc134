/*
 * miltercheck.c: the milters as a check of the session (miltercheck.h).
 */
#include <stdio.h>
#include <string.h>

#include "miltercheck.h"

void
miltercheck_open(struct miltercheck *m, const struct conf *c,
    const struct logger *log, const struct milter_mods *mods)
{
	struct milterconn_timeouts t = { c->milter_timeout_connect,
	    c->milter_timeout_command, c->milter_timeout_content };
	const char *err;
	size_t i;

	memset(&m->macros, 0, sizeof(m->macros));
	m->conf = c;
	m->log = log;
	m->discard = 0;
	m->mail[0] = m->rcpt[0] = m->msgid[0] = '\0';
	m->tls_version[0] = m->cipher[0] = '\0';
	m->macros.j = c->hostname;
	m->macros.daemon_name = "samotop";
	m->macros.underscore = m->underscore;
	m->macros.client_name = m->name;
	m->macros.mail_addr = m->mail;
	m->macros.rcpt_addr = m->rcpt;
	m->macros.i = m->msgid;
	m->macros.tls_version = m->tls_version;
	m->macros.cipher = m->cipher;
	milterconn_init(&m->set, &t, c->milter_default == ACTION_ACCEPT ?
	    MILTERCONN_DEFAULT_ACCEPT : MILTERCONN_DEFAULT_TEMPFAIL,
	    &m->macros, mods);
	/* conf.c checked each address as milterconn_add() does */
	for (i = 0; i < c->nmilters; i++)
		if (milterconn_add(&m->set, c->milters[i], &err) == -1)
			log_event(log, LVL_ERROR, "milter", "filter",
			    c->milters[i], "reason", err, NULL);
}

/* A line for each filter that went down at this event. */
static void
log_down(struct miltercheck *m, const struct milter_decision *d)
{
	const struct milter_filter *f;
	size_t i;

	for (i = 0; i < m->set.n; i++) {
		if (!(d->down & (1u << i)))
			continue;
		f = &m->set.f[i];
		log_event(m->log, LVL_WARN, "milter", "filter", f->spec,
		    "result", milterconn_fault_name(f->fault), "reason",
		    f->why, "action", m->conf->milter_default ==
		    ACTION_ACCEPT ? "skipped" : "tempfail", NULL);
	}
}

/* The filter's own reply, line by line, counted as the milter's. */
static void
own_reply(const struct milter_decision *d, struct reply *r)
{
	char line[MILTERCONN_REPLY_MAX];
	const char *p = d->text, *e;
	size_t n;

	for (; *p != '\0'; p = *e != '\0' ? e + 2 : e) {
		if ((e = strstr(p, "\r\n")) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		memcpy(line, p, n);
		line[n] = '\0';
		reply_line(r, d->code, line);
	}
	r->id = d->code / 100 == 4 ? R_MILTER_TEMPFAIL : R_MILTER_REJECT;
}

enum policy_verdict
miltercheck_reply(struct miltercheck *m, const struct milter_decision *d,
    int esmtp, struct reply *r)
{
	const char *spec = d->filter >= 0 ? m->set.f[d->filter].spec :
	    "local";

	log_down(m, d);
	if (d->verdict != MILTERCONN_CONTINUE &&
	    d->verdict != MILTERCONN_ACCEPT)
		log_event(m->log, LVL_INFO, "milter", "msgid", m->msgid[0] !=
		    '\0' ? m->msgid : NULL, "filter", spec, "verdict",
		    milterconn_verdict_name(d->verdict), "default",
		    d->by_default ? "yes" : NULL, NULL);
	switch (d->verdict) {
	case MILTERCONN_DISCARD:
		m->discard = 1;
		return POLICY_PASS;
	case MILTERCONN_REJECT:
		reply_add(r, esmtp, R_MILTER_REJECT);
		return POLICY_REFUSE;
	case MILTERCONN_TEMPFAIL:
		reply_add(r, esmtp, R_MILTER_TEMPFAIL);
		return POLICY_REFUSE;
	case MILTERCONN_REPLY:
		own_reply(d, r);
		return POLICY_REFUSE;
	case MILTERCONN_SHUTDOWN:
		reply_add(r, esmtp, R_MILTER_SHUTDOWN, m->conf->hostname);
		return POLICY_CLOSE;
	default:
		return POLICY_PASS;
	}
}

enum policy_verdict
miltercheck_connect(struct miltercheck *m, const char *ip, const char *port,
    const char *name, struct reply *r)
{
	struct milter_decision d;
	char addr[80];
	int family = ip[0] == '\0' ? SMFIA_UNKNOWN : strchr(ip, ':') !=
	    NULL ? SMFIA_INET6 : SMFIA_INET;
	unsigned p = 0;

	if (ip[0] != '\0')
		snprintf(addr, sizeof(addr), "[%s]", ip);
	else
		snprintf(addr, sizeof(addr), "localhost");
	snprintf(m->name, sizeof(m->name), "%s", name[0] != '\0' ? name :
	    addr);
	snprintf(m->underscore, sizeof(m->underscore), "%s %s", m->name,
	    addr);
	m->macros.client_addr = ip[0] != '\0' ? ip : NULL;
	m->macros.client_port = port[0] != '\0' ? port : NULL;
	if (family != SMFIA_UNKNOWN)
		(void)sscanf(port, "%u", &p);
	milterconn_connect(&m->set, m->name, family, p, ip, &d);
	/*
	 * A refusal at connect (a filter's, or one down under tempfail)
	 * sticks: HELO and every later command get it, as Postfix does,
	 * since a greeting may only be 220, 554 or 421.  Only a shutdown
	 * ends the session now.
	 */
	if (d.verdict != MILTERCONN_SHUTDOWN) {
		log_down(m, &d);
		return POLICY_PASS;
	}
	return miltercheck_reply(m, &d, 1, r);
}

void
miltercheck_tls(struct miltercheck *m, const char *version,
    const char *cipher)
{
	snprintf(m->tls_version, sizeof(m->tls_version), "%s", version);
	snprintf(m->cipher, sizeof(m->cipher), "%s", cipher);
}

enum policy_verdict
miltercheck_helo(struct miltercheck *m, const char *helo, int esmtp,
    struct reply *r)
{
	struct milter_decision d;

	milterconn_helo(&m->set, helo, &d);
	return miltercheck_reply(m, &d, esmtp, r);
}

enum policy_verdict
miltercheck_mail(struct miltercheck *m, const struct smtp_cmd *cmd,
    const char *msgid, int esmtp, struct reply *r)
{
	static const char *const bodies[] = { NULL, "BODY=7BIT",
	    "BODY=8BITMIME", "BODY=BINARYMIME" };
	struct milter_decision d;
	const char *args[3];
	char size[32];
	size_t n = 0;

	m->discard = 0;
	mailbox_format(&cmd->path, m->mail, sizeof(m->mail));
	snprintf(m->msgid, sizeof(m->msgid), "%s", msgid);
	if (cmd->has_size) {
		snprintf(size, sizeof(size), "SIZE=%zu", cmd->size);
		args[n++] = size;
	}
	if (bodies[cmd->body] != NULL)
		args[n++] = bodies[cmd->body];
	if (cmd->smtputf8)
		args[n++] = "SMTPUTF8";
	milterconn_mail(&m->set, m->mail, args, n, &d);
	return miltercheck_reply(m, &d, esmtp, r);
}

enum policy_verdict
miltercheck_rcpt(struct miltercheck *m, const char *rcpt, int esmtp,
    struct reply *r)
{
	struct milter_decision d;

	snprintf(m->rcpt, sizeof(m->rcpt), "%s", rcpt);
	milterconn_rcpt(&m->set, m->rcpt, NULL, 0, &d);
	return miltercheck_reply(m, &d, esmtp, r);
}

enum policy_verdict
miltercheck_data(struct miltercheck *m, int esmtp, struct reply *r)
{
	struct milter_decision d;

	milterconn_data(&m->set, &d);
	return miltercheck_reply(m, &d, esmtp, r);
}

int
miltercheck_discarded(const struct miltercheck *m)
{
	return m->discard;
}

void
miltercheck_end(struct miltercheck *m)
{
	struct milter_decision d;

	milterconn_abort(&m->set, &d);
	m->discard = 0;
	m->msgid[0] = m->mail[0] = m->rcpt[0] = '\0';
}

void
miltercheck_close(struct miltercheck *m)
{
	struct milter_decision d;

	milterconn_quit(&m->set, &d);
}
