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

/* session_dsn.c */
/*
 * fold-partial dsn: some recipients were delivered, the others failed
 * for good (codes[] and s->rcpt_texts[] per recipient): a DSN for the
 * failures goes into the queue to the sender.  0 (answer 250), or -1
 * (logged: fold as before, 451).
 */
int		session_partial_dsn(struct session *s, const int *codes);

/* session_check.c */
enum flow	session_finish_inspected(struct session *s);

#endif
