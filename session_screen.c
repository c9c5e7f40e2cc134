/*
 * session_screen.c: the contacts screener in the session (screener.h
 * has the rules): each recipient's verdict at RCPT, the rest after the
 * data, and the copies it holds given to the helper as
 * user+FOLDER@domain, which samotop-maildir files in the Screener folder
 * (samotop.conf(5), SCREENER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scr_learn.h"
#include "session.h"
#include "session_int.h"

/* The store, opened at the first recipient the screener asks about. */
static struct store *
screen_store(struct session *s)
{
	char err[512];

	if (s->scr_store == NULL && !s->scr_failed &&
	    (s->scr_store = store_open(s->conf->screener_db, err,
	    sizeof(err))) == NULL) {
		s->scr_failed = 1;
		log_event(&s->log, LVL_ERROR, "screener", "reason", err,
		    NULL);
	}
	return s->scr_store;
}

static int
lookup(void *arg, const char *user, const char *sender, int *decision)
{
	struct session *s = arg;
	int rc;

	/* The caller defers the recipient; the log says why. */
	if ((rc = store_decision_get(s->scr_store, user, sender,
	    decision)) == -1)
		log_event(&s->log, LVL_ERROR, "screener", "result", "error",
		    "reason", store_error(s->scr_store), NULL);
	return rc;
}

/*
 * The user a recipient is: its address without the extension, as the
 * screener's decisions name it.
 */
static void
user_of(const struct session *s, const struct mailbox *rcpt, char *buf,
    size_t size)
{
	struct mailbox mb = *rcpt;
	char *d;

	if (s->conf->recipient_delimiter != 0 && mb.local[0] != '"' &&
	    (d = strchr(mb.local, s->conf->recipient_delimiter)) != NULL)
		*d = '\0';
	mailbox_format(&mb, buf, size);
}

static int
spf_pass(const struct session *s)
{
	return s->policy.spf_done && s->policy.spf.result == SPFR_PASS;
}

int
session_screen_rcpt(struct session *s, const struct mailbox *rcpt,
    struct reply *r)
{
	char user[ADDR_MAX + 1], from[ADDR_MAX + 1];
	enum screener_verdict v;

	s->scr_next = SCREENER_INBOX;
	/* An authenticated user's mail is no stranger's: never held. */
	if (s->auth_user[0] != '\0')
		return 0;
	user_of(s, rcpt, user, sizeof(user));
	if (!screener_applies(s->conf, user))
		return 0;
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	v = screen_store(s) == NULL ? SCREENER_ERROR :
	    screener_rcpt(lookup, s, user, from, spf_pass(s));
	if (v == SCREENER_DENY_RCPT) {
		log_event(&s->log, LVL_INFO, "screener", "msgid", s->msgid,
		    "to", user, "from", from, "result", "deny", NULL);
		reply_add(r, s->st.esmtp, R_SCREENER_DENIED);
		return -1;
	}
	if (v == SCREENER_ERROR) {
		reply_add(r, s->st.esmtp, R_LOCAL_ERROR);
		return -1;
	}
	/* decided here (an allowed sender, SPF pass): logged as after it */
	if (v == SCREENER_INBOX)
		log_event(&s->log, LVL_INFO, "screener", "msgid", s->msgid,
		    "to", user, "from", from, "result", "inbox", NULL);
	s->scr_next = v;
	return 0;
}

void
session_screen_accepted(struct session *s, unsigned i)
{
	s->scr[i] = (unsigned char)s->scr_next;
}

/* user+FOLDER@domain: the recipient of a held copy. */
static int
to_folder(const struct session *s, struct mailbox *mb)
{
	char local[ADDR_LOCAL_MAX + 1], *d;
	int quoted = mb->local[0] == '"';
	int n;

	snprintf(local, sizeof(local), "%s", mb->local);
	if (quoted)
		local[strlen(local) - 1] = '\0';	/* its closing quote */
	else if ((d = strchr(local, s->conf->recipient_delimiter)) != NULL)
		*d = '\0';
	n = snprintf(mb->local, sizeof(mb->local), "%s%c%s%s", local,
	    s->conf->recipient_delimiter, s->conf->screener_folder,
	    quoted ? "\"" : "");
	return n < 0 || (size_t)n >= sizeof(mb->local) ? -1 : 0;
}

int
session_screen_decide(struct session *s, unsigned n, int *changed)
{
	char user[ADDR_MAX + 1], from[ADDR_MAX + 1];
	const char *why;
	enum screener_verdict v;
	unsigned i;

	*changed = 0;
	s->scr_why = NULL;
	if (s->conf->screener_db == NULL)
		return 0;
	mailbox_format(&s->st.tx.sender, from, sizeof(from));
	for (i = 0; i < n; i++) {
		if (s->scr[i] != SCREENER_LATER)
			continue;
		user_of(s, &s->rcpts[i], user, sizeof(user));
		if (!screener_applies(s->conf, user)) {
			s->scr[i] = SCREENER_INBOX;
			continue;
		}
		v = screen_store(s) == NULL ? SCREENER_ERROR :
		    screener_after(lookup, s, user, from, spf_pass(s),
		    inspect_from(s->insp), inspect_dkim_aligned(s->insp),
		    &why);
		if (v == SCREENER_ERROR) {
			v = SCREENER_HOLD;	/* never the inbox unchecked */
			why = "the screener's store failed";
		}
		log_event(&s->log, LVL_INFO, "screener", "msgid", s->msgid,
		    "to", user, "from", inspect_from(s->insp), "result",
		    v == SCREENER_INBOX ? "inbox" : v == SCREENER_HOLD ?
		    "held" : "deny", "reason", v == SCREENER_HOLD ? why :
		    NULL, NULL);
		s->scr[i] = (unsigned char)v;
		if (v == SCREENER_HOLD) {
			if (to_folder(s, &s->rcpts[i]) == -1)
				return -1;
			if (s->scr_why == NULL)
				s->scr_why = why;
		}
		if (v != SCREENER_INBOX)
			*changed = 1;
	}
	return 0;
}

void
session_screen_learn(struct session *s)
{
	char from[ADDR_MAX + 1], rcpt[ADDR_MAX + 1], why[256];
	unsigned i;

	/* The mailbox replies come back to: the sender, checked as the
	 * user's (sender-login), without its extension. */
	user_of(s, &s->st.tx.sender, from, sizeof(from));
	if (from[0] == '\0' || screen_store(s) == NULL)
		return;
	for (i = 0; i < s->st.tx.nrcpt; i++) {
		mailbox_format(&s->rcpts[i], rcpt, sizeof(rcpt));
		if (scr_learn_outgoing(s->conf, s->scr_store, from, rcpt,
		    time(NULL), why, sizeof(why)) == -1)
			log_event(&s->log, LVL_WARN, "screener", "user", from,
			    "to", rcpt, "reason", why, NULL);
	}
}

void
session_screen_delivered(struct session *s)
{
	char user[ADDR_MAX + 1];
	unsigned i;

	if (s->scr_store == NULL)
		return;
	for (i = 0; i < s->st.tx.nrcpt; i++) {
		if (s->scr[i] != SCREENER_HOLD)
			continue;
		user_of(s, &s->rcpts[i], user, sizeof(user));
		if (store_user_seen(s->scr_store, user, time(NULL)) == -1)
			log_event(&s->log, LVL_WARN, "screener", "reason",
			    store_error(s->scr_store), NULL);
	}
}
