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

/* a malformed SAMOTOP_LEAVE_NO_TRACE: on, a day */
#define MAILDIR_NOTRACE_DEFAULT		86400UL
#define MAILDIR_NOTRACE_MAX		2147483647UL	/* largest granularity */
#define MAILDIR_NOTRACE_RANDOM		16	/* octets of a name: 128 bits */
#define MAILDIR_NOTRACE_NAME_LEN	(2 * MAILDIR_NOTRACE_RANDOM) /* hex */

/*
 * A granularity as written: NULL, "" and "0" are 0 (off); else decimal
 * digits only, 1 to MAILDIR_NOTRACE_MAX.  -1: anything else, *g
 * untouched.
 */
int		maildir_notrace_parse(const char *s, unsigned long *g);
/* t rounded down to a multiple of g (UTC epoch); g 0: t itself. */
time_t		maildir_notrace_floor(time_t t, unsigned long g);
/*
 * A unique name of MAILDIR_NOTRACE_NAME_LEN lowercase hex digits from
 * getrandom(2) into out (size > MAILDIR_NOTRACE_NAME_LEN); -1 with
 * errno.
 */
int		maildir_notrace_name(char *out, size_t size);

#endif
