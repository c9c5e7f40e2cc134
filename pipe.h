/*
 * pipe.h: the pure parts of samotop-pipe.  The envelope in the command's
 * environment, the command's end (exit status, signal, time limit) as an
 * LMTP reply, the reply text taken from the command's output, and the
 * CRLF -> LF conversion of the stored message.  No I/O, no allocation.
 */
#ifndef SAMOTOP_PIPE_H
#define SAMOTOP_PIPE_H

#include <stddef.h>

#include "address.h"
#include "xforward.h"

#define PIPE_TEXT_MAX	200	/* reply text from the command, octets */
#define PIPE_ENV_MAX	48	/* environment entries, the NULL included */
#define PIPE_ENV_SIZE	16384	/* their "NAME=value" text */

/* The sysexits(3) codes that have a reply of their own. */
#define PIPE_EX_NOUSER		67
#define PIPE_EX_TEMPFAIL	75
#define PIPE_EX_NOPERM		77

/* A command's environment, built in place: envp is ready for execve. */
struct pipe_env {
	char	*envp[PIPE_ENV_MAX];
	size_t	 n;			/* entries, the NULL excluded */
	size_t	 len;			/* octets of buf in use */
	char	 buf[PIPE_ENV_SIZE];
};

/* How the command ended. */
enum pipe_end {
	PIPE_EXITED,		/* code: its exit status */
	PIPE_SIGNALED,		/* code: the signal that killed it */
	PIPE_TIMEOUT,		/* code: the time limit, in seconds */
	PIPE_NOSTART,		/* code: errno of posix_spawn() */
};

void	pipe_env_init(struct pipe_env *e);
/* Set NAME=value, replacing an earlier value; -1 when it does not fit. */
int	pipe_env_set(struct pipe_env *e, const char *name, const char *value);
/*
 * Copy the variables of environ (an execve-style list) that a command
 * may need and that say nothing about the session: PATH (default
 * /usr/local/bin:/usr/bin:/bin), HOME, USER, LOGNAME, SHELL, TZ, LANG,
 * LC_*, TMPDIR and SAMOTOP_SID.  -1 when they do not fit.
 */
int	pipe_env_inherit(struct pipe_env *e, char *const *environ_);
/*
 * The envelope of one recipient: SENDER ("" for <>), RECIPIENT, the
 * values of the final delivery's fields RETURN_PATH ("<SENDER>") and
 * DELIVERED_TO ("<RECIPIENT>"), LOCAL
 * (unquoted, without the extension), DOMAIN (lowercased), EXTENSION
 * (after the first delim; "" when there is none or delim is 0) and,
 * from XFORWARD (x may be NULL), CLIENT_IP, CLIENT_HOST, HELO, PROTOCOL
 * and MESSAGE_ID ("" when not given).  -1 when they do not fit.
 */
int	pipe_env_envelope(struct pipe_env *e, const char *sender,
	    const struct mailbox *rcpt, int delim, const struct xforward *x);

/*
 * "250 2.0.0", "451 4.3.0", "550 5.1.1", "550 5.7.1" or "554 5.3.0":
 * 0 delivered; 75 (EX_TEMPFAIL), a signal, the time limit or a command
 * that could not start: 4xx; 67 (EX_NOUSER), 77 (EX_NOPERM) and any
 * other exit status: 5xx.
 */
const char *pipe_status(enum pipe_end how, int code);
/*
 * The LMTP reply for one recipient: pipe_status(), then text when the
 * command exited and wrote one (see pipe_text()), else a default text
 * that says what happened ("Command timed out after 300 s").
 */
void	pipe_reply(char *reply, size_t size, enum pipe_end how, int code,
	    const char *text);
/*
 * The reply text from the first line of the command's output in[0..len):
 * up to the first CR or LF, blanks trimmed, a tab made a space, any other
 * octet that is not printable ASCII made '?', at most PIPE_TEXT_MAX
 * octets.  out gets a NUL-terminated string; returns its length.
 */
size_t	pipe_text(char *out, size_t size, const char *in, size_t len);

#endif
