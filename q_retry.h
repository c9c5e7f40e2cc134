/*
 * q_retry.h: the back-off between delivery attempts (queue-retry in
 * samotop.conf(5)).  Pure.
 */
#ifndef SAMOTOP_Q_RETRY_H
#define SAMOTOP_Q_RETRY_H

#include <stddef.h>
#include <time.h>

/*
 * When to try again after the attempts-th failed attempt (attempts >= 1;
 * 0 is taken as 1): now + schedule[attempts - 1], the last of the n
 * values repeating once the schedule is exhausted.  An empty schedule
 * (n 0) retries after Q_RETRY_DEFAULT seconds.  The sum saturates
 * instead of overflowing time_t.
 */
#define Q_RETRY_DEFAULT	300

time_t	q_retry_next(unsigned attempts, time_t now, const unsigned *schedule,
	    size_t n);

#endif
