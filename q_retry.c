/*
 * q_retry.c: the back-off between attempts (q_retry.h).
 */
#include <limits.h>
#include <stdint.h>

#include "q_retry.h"

time_t
q_retry_next(unsigned attempts, time_t now, const unsigned *schedule,
    size_t n)
{
	unsigned delay;
	size_t i;

	if (attempts == 0)
		attempts = 1;
	if (n == 0 || schedule == NULL)
		delay = Q_RETRY_DEFAULT;
	else {
		i = attempts - 1 < n ? attempts - 1 : n - 1;
		delay = schedule[i];
	}
	/* time_t is signed and at least 32 bits; saturate, never wrap */
	if (sizeof(time_t) >= 8) {
		if (now > (time_t)(INT64_MAX - delay))
			return (time_t)INT64_MAX;
	} else if (now > (time_t)(INT32_MAX - delay))
		return (time_t)INT32_MAX;
	return now + (time_t)delay;
}
