/*
 * maildir_notrace.c: the names and times of stored copies under
 * leave-no-trace (see maildir_notrace.h).
 *
 * The name is 128 random bits: unique with overwhelming probability,
 * and the one collision that matters (a name already in new/) is caught
 * by link(2) failing with EEXIST, after which maildir.c draws another.
 * Maildir asks only for unique names without '/' or ':'; hex digits are
 * safe in every reader, and the ",S=size" maildir.c appends stays.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "maildir_notrace.h"

time_t
maildir_notrace_floor(time_t t, unsigned long g)
{
	time_t r;

	if (g == 0)
		return t;
	r = t % (time_t)g;
	/* before the epoch, % rounds toward 0: step down once more */
	return r < 0 ? t - r - (time_t)g : t - r;
}

int
maildir_notrace_name(char *out, size_t size)
{
	unsigned char rnd[MAILDIR_NOTRACE_RANDOM];
	size_t got = 0;
	ssize_t n;

	if (size <= MAILDIR_NOTRACE_NAME_LEN) {
		errno = ENAMETOOLONG;
		return -1;
	}
	while (got < sizeof(rnd)) {
		n = getrandom(rnd + got, sizeof(rnd) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		got += (size_t)n;
	}
	hex_lower(rnd, sizeof(rnd), out);
	return 0;
}
