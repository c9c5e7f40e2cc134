/*
 * q_id.h: the name of a queued message (SHARED15, the queue directory):
 * EPOCH-16HEX, the time it was queued in decimal seconds and 8 random
 * octets in lowercase hex.  Names sort by age (while epochs have ten
 * digits, until 2286) and never collide in practice; the writer creates
 * its first file with O_EXCL all the same (q_write.h).
 */
#ifndef SAMOTOP_Q_ID_H
#define SAMOTOP_Q_ID_H

#include <time.h>

#define Q_ID_RANDOM	8			/* random octets */
#define Q_ID_LEN	(20 + 1 + 2 * Q_ID_RANDOM)	/* longest ID */

/*
 * A new ID for a message queued at now into id[Q_ID_LEN + 1], the
 * random part from getentropy(3).  0, or -1 with errno set (then id is
 * the empty string).
 */
int	q_id_new(char id[Q_ID_LEN + 1], time_t now);

/*
 * 1 when s is an ID as q_id_new() makes them (digits, '-', 16 lowercase
 * hex digits), 0 otherwise.  Every name taken from a directory or a
 * command line passes this check before it becomes part of a path: it
 * can hold neither '/' nor "..".  Pure.
 */
int	q_id_valid(const char *s);

/* The time an ID says its message was queued; -1 for an invalid ID. */
time_t	q_id_time(const char *s);

#endif
