/*
 * tlsrpt_day.h: TLS-RPT's directory (the tlsrpt directive): one file a
 * UTC day and policy domain, DIR/YYYY-MM-DD.DOMAIN, to which each
 * samotop-remote run appends a line per TLS session attempt
 * (tlsrpt.h), and which samotop-tlsrpt reads once the day is over and
 * removes once its report has gone out.
 *
 * A line is appended with one write(2) on a descriptor opened with
 * O_APPEND: concurrent runs never interleave their lines (a line is far
 * below any file system's atomic append), and a reader that finds a
 * last line without its LF knows it is being written.  The files are
 * not synced: a report is a statistic, and a crash may cost its last
 * lines, never a message.
 */
#ifndef SAMOTOP_TLSRPT_DAY_H
#define SAMOTOP_TLSRPT_DAY_H

#include <stddef.h>
#include <time.h>

#include "tlsrpt.h"

#define TLSRPT_PATH_MAX	4096

/*
 * The day file's name for domain and time t ("2026-12-03.example.com",
 * the domain in lower case, a final dot dropped) into name[0..size): 0,
 * or -1 when the domain holds an octet a file name must not (it then
 * has no report: nothing outside [a-z0-9.-_] is a domain we deliver to
 * by name) or it does not fit.  Pure.
 */
int	tlsrpt_day_name(const char *domain, time_t t, char *name,
	    size_t size);
/*
 * A day file's name back: 0 with the day's first second (UTC) in *day
 * and the domain in domain[0..TLSRPT_NAME_MAX], or -1 when name is not
 * one (a temporary or foreign file).  Pure.
 */
int	tlsrpt_day_parse(const char *name, time_t *day,
	    char domain[TLSRPT_NAME_MAX + 1]);
/*
 * l appended to its day file in dir (made, mode 0750, when missing):
 * 0, or -1 with errno (EINVAL: l does not make a line or a name).
 */
int	tlsrpt_day_append(const char *dir, const struct tlsrpt_line *l);

#endif
