/*
 * session_int.h: what the files of one session share (session.c: the
 * commands; session_msg.c: a message's data; session_check.c: the end
 * of a message that waited for its checks).  Not for other callers:
 * session.h is the interface.
 */
#ifndef SAMOTOP_SESSION_INT_H
#define SAMOTOP_SESSION_INT_H

#include "session.h"

/* Whether the session goes on after a reply. */
enum flow { GO_ON, END };

/* session.c */
/* Send r (logging a refusal, counting errors); END when it must close. */
enum flow	session_respond(struct session *s, struct reply *r);
enum flow	session_say(struct session *s, enum reply_id id);
/* A helper's LMTP reply as ours. */
enum flow	session_relay_reply(struct session *s,
		    const struct lmtpreply *rep);
/* The transaction ends: state, policy, milters, the helper's RSET. */
void		session_end_transaction(struct session *s);
void		session_log_helper_failure(struct session *s,
		    const struct route *route, const char *rcpt);
void		session_envelope(struct session *s,
		    struct delivery_envelope *env);
const char	*session_client_name(const struct session *s);
const char	*session_protocol(const struct session *s);
/* Received: names no client (received-hide-client, for AUTH users). */
int		session_hide_client(const struct session *s);
const char	*session_last_command(const struct session *s);

/* session_msg.c */
int		session_needs_inspection(const struct conf *c);
/* Whether this session's messages are signed (dkim-sign, dkims.h). */
int		session_signs(const struct session *s);
enum flow	session_data(struct session *s);
enum flow	session_bdat(struct session *s, const struct smtp_cmd *cmd);
enum flow	session_skip_chunk(struct session *s,
		    const struct smtp_cmd *cmd, struct reply *r);
enum flow	session_fold_replies(struct session *s);

/* session_screen.c */
/*
 * A recipient the helper is about to be asked about: 0 (its verdict
 * kept for session_screen_accepted()), or -1 with the refusal in r.
 */
int		session_screen_rcpt(struct session *s,
		    const struct mailbox *rcpt, struct reply *r);
/* The recipient i was accepted. */
void		session_screen_accepted(struct session *s, unsigned i);
/*
 * After the data, the first n recipients: the verdicts left for it; a
 * held one's address becomes user+FOLDER.  *changed when any is held or
 * refused.  -1 when a held address cannot take the folder.
 */
int		session_screen_decide(struct session *s, unsigned n,
		    int *changed);
/* The held recipients' users are remembered (samotop-screener learn). */
void		session_screen_delivered(struct session *s);
/*
 * An authenticated user's message was accepted: each recipient becomes
 * an allowed sender for the user's mailbox, the message's sender (the
 * screener learns, scr_learn.h).
 */
void		session_screen_learn(struct session *s);

/* session_auth.c */
/* ACT_AUTH: the exchange, the check, the core's reply. */
enum flow	session_auth(struct session *s, const struct smtp_cmd *cmd);
/*
 * An authenticated user's MAIL: 0, or -1 with the refusal in r (a
 * sender not theirs, user-limit-messages).
 */
int		session_auth_mail(struct session *s,
		    const struct smtp_cmd *cmd, struct reply *r);
/* An authenticated user's RCPT: 0, or -1 (user-limit-recipients). */
int		session_auth_rcpt(struct session *s, struct reply *r);
/* A message begins; its content, decoded, as it streams. */
void		session_auth_begin(struct session *s);
void		session_auth_data(struct session *s, const char *buf,
		    size_t len);
/* At its end: 0, or -1 with r (a From: address not the user's). */
int		session_auth_from(struct session *s, struct reply *r);

/* session_dsn.c */
/*
 * fold-partial dsn: some recipients were delivered, the others failed
 * for good (codes[] and s->rcpt_texts[] per recipient): a DSN for the
 * failures goes into the queue to the sender.  0 (answer 250), or -1
 * (logged: fold as before, 451).
 */
int		session_partial_dsn(struct session *s, const int *codes);

/* session_limit.c */
/*
 * The store of the session's counters (rate limits, AUTH failures,
 * per-user limits): one handle, opened at the first need and closed
 * with the session.  NULL (logged once) when it cannot be opened.
 */
struct store	*session_counter_store(struct session *s);
/*
 * Count one event of kind for the client (not for an allowed one):
 * 0, or -1 with the refusal in r (logged, naming the limit).
 */
int		session_limit(struct session *s, enum limit_kind kind,
		    struct reply *r);

/* session_trace.c */
/*
 * Under leave-no-trace with a shared store (trace_store.h): the store
 * hashes' key is that store's secret, fetched at their first need.
 */
void		session_trace_shared(struct session *s);

/* session_check.c */
enum flow	session_finish_inspected(struct session *s);

#endif
