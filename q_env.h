/*
 * q_env.h: DIR/env/ID, the envelope of a queued message, written once
 * and never changed (SHARED15):
 *
 *	samotop-queue 1
 *	id ID
 *	time EPOCH
 *	from SENDER		("" for <>: "from " and nothing after)
 *	param SMTPUTF8		(0..n param lines: SMTPUTF8, BODY=8BITMIME)
 *	param BODY=8BITMIME
 *	rcpt ADDRESS		(1..n lines, in order)
 *
 * Text with LF line ends, one field a line, the value everything after
 * the first space.  Readers ignore lines they do not know (a later
 * version may add some) and unknown param values; the first line is
 * the version, and another version is refused.  At most Q_ENV_MAX
 * octets.  Addresses are as mailbox_format() writes them, without
 * brackets; a value may hold no control octet (CR, LF, NUL, DEL...), so
 * that a line is always one field.
 *
 * q_env_format() and q_env_parse() are pure (fuzzed: fuzz/fuzz_q_env.c);
 * q_env_read() reads the file, with the bound.
 */
#ifndef SAMOTOP_Q_ENV_H
#define SAMOTOP_Q_ENV_H

#include <stddef.h>
#include <time.h>

#include "address.h"
#include "q_id.h"

#define Q_ENV_MAX	65536	/* octets in an env file */
#define Q_RCPT_MAX	1000	/* recipients of one message (LMTP_RCPT_MAX) */
#define Q_ENV_MAGIC	"samotop-queue 1"

struct q_env {
	char	 id[Q_ID_LEN + 1];
	time_t	 time;			/* queued, epoch seconds */
	char	 from[ADDR_MAX + 1];	/* "" for the null sender <> */
	int	 smtputf8;		/* param SMTPUTF8 */
	int	 body8;			/* param BODY=8BITMIME */
	size_t	 nrcpt;
	char	(*rcpt)[ADDR_MAX + 1];	/* the caller's array */
};

enum q_env_error {
	Q_ENV_OK = 0,
	Q_ENV_ESYS,		/* reading failed: errno says why */
	Q_ENV_EVERSION,		/* the first line is not Q_ENV_MAGIC */
	Q_ENV_ESYNTAX,		/* a line without a value, a bad ID or time */
	Q_ENV_ECONTROL,		/* a control octet in a value */
	Q_ENV_ETOOLONG,		/* a value over its field's size */
	Q_ENV_ETOOBIG,		/* over Q_ENV_MAX octets */
	Q_ENV_ETOOMANY,		/* more recipients than the array holds */
	Q_ENV_EMISSING,		/* no id, time or from line, or no rcpt */
	Q_ENV_EDUPLICATE,	/* id, time or from given twice */
};

/*
 * The file's text into buf[0..size): *len receives its length (no NUL
 * is written).  Q_ENV_OK, or Q_ENV_ETOOBIG when it does not fit (or is
 * over Q_ENV_MAX), Q_ENV_ECONTROL when a value holds a control octet,
 * Q_ENV_EMISSING without recipients, Q_ENV_ESYNTAX for an ID that
 * q_id_valid() refuses.  Pure.
 */
enum q_env_error q_env_format(const struct q_env *e, char *buf, size_t size,
		    size_t *len);

/*
 * Parse text[0..len) (need not be NUL-terminated) into e, the
 * recipients into rcpt[0..maxrcpt), which e->rcpt is set to.  The last
 * line may lack its LF.  Pure; e is left cleared on error.
 */
enum q_env_error q_env_parse(const char *text, size_t len, struct q_env *e,
		    char (*rcpt)[ADDR_MAX + 1], size_t maxrcpt);

/*
 * Read and parse DIR/env/ID (dir is the queue directory; id must pass
 * q_id_valid(), or it is Q_ENV_ESYNTAX).  Q_ENV_ESYS with errno for a
 * file that cannot be read (ENOENT: the message is not, or no longer,
 * queued); a file whose id line differs from id is Q_ENV_ESYNTAX.
 * Allocates nothing: the text is read into a buffer on the stack.
 */
enum q_env_error q_env_read(const char *dir, const char *id, struct q_env *e,
		    char (*rcpt)[ADDR_MAX + 1], size_t maxrcpt);

/* A short English phrase for logs and stderr. */
const char	*q_env_strerror(enum q_env_error err);

#endif
