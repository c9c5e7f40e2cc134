/*
 * q_write.h: the enqueue, the one place the queue's commit protocol
 * lives (SHARED15), used by samotop-queue and samotop-sendmail:
 *
 *	q_write_open()	 creates tmp/ID.mess (O_EXCL), a new ID
 *	q_write_data()	 appends canonical content (CRLF, not dot-stuffed)
 *	q_write_commit() fsync tmp/ID.mess, rename to mess/ID, fsync mess/;
 *			 write tmp/ID.env, fsync, rename to env/ID (the
 *			 commit point), fsync env/
 *	q_write_abort()	 removes what was written (tmp/ID.mess, mess/ID)
 *
 * mess/ is synced before env/ID is renamed into place (the plan's order
 * with its first directory sync moved up, at no cost): so even across a
 * power loss, an env/ID on disk has its complete mess/ID.  Only after
 * q_write_commit() returned 0 may a program answer 250: a crash at any
 * moment before leaves at most a file in tmp/ or a mess/ID without
 * env/ID, which samotop-send removes after a day.
 *
 * Errors are an enum taken from errno where the call failed, never
 * classified by text: Q_WRITE_ENOSPC (full disk or quota: 452 4.3.1)
 * or Q_WRITE_ESYS (anything else: 451 4.3.0).  w->err_errno and
 * w->err_what say which call failed, for the log line.  Files are made
 * with mode 0640 (less the umask), so that the queue's group may read
 * them (samotop-sendmail(8): the drop group).
 */
#ifndef SAMOTOP_Q_WRITE_H
#define SAMOTOP_Q_WRITE_H

#include <stddef.h>
#include <time.h>

#include "q_env.h"
#include "q_id.h"

#define Q_PATH_MAX	1024	/* the queue directory's path, NUL included */
#define Q_WRITE_BUF	65536	/* content buffered between write(2)s */

enum q_write_error {
	Q_WRITE_OK = 0,
	Q_WRITE_ENOSPC,		/* ENOSPC or EDQUOT: the disk is full */
	Q_WRITE_ESYS,		/* another system error (err_errno) */
	Q_WRITE_EENV,		/* the envelope cannot be written (err_env) */
	Q_WRITE_ESTATE,		/* called in the wrong state (a bug) */
};

struct q_writer {
	int		 dirfd;		/* the queue directory, or -1 */
	int		 fd;		/* tmp/ID.mess while open, or -1 */
	int		 state;		/* closed, open, failed (q_write.c) */
	char		 id[Q_ID_LEN + 1];
	time_t		 time;		/* the ID's time */
	size_t		 size;		/* content octets accepted */
	enum q_write_error err;		/* the first failure */
	int		 err_errno;	/* its errno (Q_WRITE_ENOSPC, ESYS) */
	const char	*err_what;	/* "write tmp/", "rename env/"... */
	enum q_env_error err_env;	/* Q_WRITE_EENV's reason */
	size_t		 buflen;
	char		 buf[Q_WRITE_BUF];
};

/* A writer that holds nothing (safe to q_write_abort()). */
void		q_write_init(struct q_writer *w);

/*
 * Start a message in the queue directory dir (whose tmp/, mess/ and
 * env/ exist: q_dir_ensure()), queued at now: a new ID (w->id) and
 * tmp/ID.mess.  0, or -1 with w->err set.
 */
int		q_write_open(struct q_writer *w, const char *dir, time_t now);

/*
 * Append content.  0, or -1 with w->err set (the first failure sticks:
 * later calls return -1 at once, and so does q_write_commit()).
 */
int		q_write_data(struct q_writer *w, const char *buf, size_t len);

/*
 * Put len octets before the content written so far (a DKIM-Signature:
 * field, which needs the whole message): a new tmp/ID.pre gets them
 * and a copy of the content, and is renamed over tmp/ID.mess; later
 * q_write_data() appends as before.  The one copy is paid only by a
 * message that has something prepended.  0, or -1 with w->err set
 * (tmp/ID.pre removed).
 */
int		q_write_prepend(struct q_writer *w, const char *buf,
		    size_t len);

/*
 * Commit the message with envelope e: e->id and e->time are set from
 * the writer first; e's sender, params and recipients are the caller's.
 * 0: the message is queued as w->id (answer 250 now).  -1 with w->err
 * set: nothing is queued (what was written is removed, as far as it can
 * be), except when only the last step, the sync of env/, failed: the
 * message may then be queued, and the client's retry makes a duplicate,
 * never a loss.  Either way the writer is closed afterwards.
 */
int		q_write_commit(struct q_writer *w, struct q_env *e);

/*
 * Give up the open message: tmp/ID.mess removed, descriptors closed.
 * Harmless on a closed or committed writer.  errno is preserved.
 */
void		q_write_abort(struct q_writer *w);

/* "disk full" or "system error" etc., for logs (with err_errno). */
const char	*q_write_strerror(enum q_write_error err);

#endif
