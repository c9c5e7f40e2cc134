/*
 * q_state.h: a queued message's delivery state, DIR/state/ID (the queue's
 * format: SHARED15.md, samotop-send(8)).  Text, LF line ends:
 *
 *	samotop-state 1
 *	rcpt N STATUS ATTEMPTS NEXT_TRY LAST_CODE TEXT
 *	warned EPOCH			(optional: the delay DSN was sent)
 *
 * one rcpt line per recipient of the envelope, N its 0-based index there.
 * The file is absent until the first attempt (q_state_init() stands for
 * it) and is rewritten whole after each one, atomically, so that a crash
 * leaves either the old state or the new, never a mixture.  Unknown
 * lines are ignored (versioning).  Formatting and parsing are pure.
 */
#ifndef SAMOTOP_Q_STATE_H
#define SAMOTOP_Q_STATE_H

#include <stddef.h>
#include <time.h>

#define Q_STATE_MAX	(256 * 1024)	/* the file's largest size */
#define Q_TEXT_MAX	512		/* a reply's text, octets */

enum q_status {
	Q_PENDING,	/* to be tried (again) at next */
	Q_DONE,		/* delivered */
	Q_FAILED,	/* permanent failure: a DSN is owed */
	Q_BOUNCED,	/* the DSN was sent, or none is owed */
};

struct q_rcpt_state {
	int		status;			/* enum q_status */
	unsigned	attempts;
	time_t		next;			/* the next try, epoch */
	int		code;			/* the last reply code; 0: none */
	char		text[Q_TEXT_MAX + 1];	/* the last reply or error */
};

struct q_state {
	size_t			 nrcpt;
	struct q_rcpt_state	*rcpt;		/* nrcpt, malloc'd */
	time_t			 warned;	/* 0: no delay DSN sent */
};

/* Name of a status ("pending" ...), and back: -1 when none. */
const char	*q_status_name(int status);
int		 q_status_parse(const char *word);

/*
 * The state of a message with n recipients nothing was tried for: every
 * one pending, due at now.  0, or -1 (ENOMEM) with st empty.
 */
int	q_state_init(struct q_state *st, size_t n, time_t now);
/* Free st's recipients; st is empty after, and may be freed again. */
void	q_state_free(struct q_state *st);

/*
 * Set recipient i's text from a reply or an error: control octets and
 * non-ASCII become '?', cut at Q_TEXT_MAX octets, so that it fits one
 * line of the file.
 */
void	q_state_set_text(struct q_rcpt_state *r, const char *text);

/*
 * Format st into buf (size octets).  Returns the length (without the
 * NUL, which is written), or -1 when it does not fit.  Pure.
 */
int	q_state_format(const struct q_state *st, char *buf, size_t size);
/*
 * Parse len octets of buf (no NUL needed) for a message with nrcpt
 * recipients into st (initialised here: q_state_free() it after, even
 * on failure).  A recipient the file does not name stays pending, due
 * at 0; an index >= nrcpt, a malformed rcpt line or a wrong first line
 * is an error.  0, or -1 with errno EINVAL (or ENOMEM).  Pure.
 */
int	q_state_parse(struct q_state *st, size_t nrcpt, const char *buf,
	    size_t len);

/*
 * Read DIR/state/ID (at most Q_STATE_MAX octets): 0 with st filled,
 * q_state_init(nrcpt, now) when the file does not exist (nothing tried
 * yet), -1 with errno otherwise (EINVAL: malformed, EFBIG: too large).
 */
int	q_state_read(const char *dir, const char *id, size_t nrcpt,
	    time_t now, struct q_state *st);
/*
 * Write st as DIR/state/ID atomically: DIR/tmp/ID.state, fsync, rename,
 * fsync DIR/state.  0, or -1 with errno (the old file stays).
 */
int	q_state_write(const char *dir, const char *id,
	    const struct q_state *st);
/* Remove DIR/state/ID; a missing file is no error.  0 or -1 (errno). */
int	q_state_remove(const char *dir, const char *id);

#endif
