/*
 * maildir_notrace.h: samotop-maildir's part of leave-no-trace (issue 12).
 * When it is on, a stored copy's name holds no time, process id or host
 * name, only 128 random bits, and the file's mtime and atime are the
 * arrival time rounded down to a granularity (seconds, UTC epoch).
 *
 * samotop-smtpd passes the granularity in SAMOTOP_LEAVE_NO_TRACE; -z
 * gives it under other MTAs.  Nothing here keeps state.
 */
#ifndef SAMOTOP_MAILDIR_NOTRACE_H
#define SAMOTOP_MAILDIR_NOTRACE_H

#include <stddef.h>
#include <time.h>

#define MAILDIR_NOTRACE_RANDOM		16	/* octets of a name: 128 bits */
#define MAILDIR_NOTRACE_NAME_LEN	(2 * MAILDIR_NOTRACE_RANDOM) /* hex */

/* t rounded down to a multiple of g (UTC epoch); g 0: t itself. */
time_t		maildir_notrace_floor(time_t t, unsigned long g);
/*
 * A unique name of MAILDIR_NOTRACE_NAME_LEN lowercase hex digits from
 * getrandom(2) into out (size > MAILDIR_NOTRACE_NAME_LEN); -1 with
 * errno.
 */
int		maildir_notrace_name(char *out, size_t size);

#endif
