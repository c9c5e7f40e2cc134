/*
 * snd_bounce.c: the bounce rate limit's decision (snd_bounce.h).
 */
#include <string.h>

#include "snd_bounce.h"

enum snd_bounce
snd_bounce_decide(unsigned limit, int counted, unsigned long total)
{
	if (limit == 0)
		return SND_BOUNCE_SEND;
	if (counted == -1)
		return SND_BOUNCE_UNCOUNTED;
	return total > limit ? SND_BOUNCE_DROP : SND_BOUNCE_SEND;
}

int
snd_bounce_key(const char *addr, char *out, size_t size)
{
	size_t i, len = strlen(addr);

	if (len == 0 || len >= size)
		return -1;
	/* not tolower(3): the locale must not change whom we count */
	for (i = 0; i <= len; i++)
		out[i] = addr[i] >= 'A' && addr[i] <= 'Z' ?
		    (char)(addr[i] - 'A' + 'a') : addr[i];
	return 0;
}
