/*
 * snd_bounce.c: the bounce rate limit's decision (snd_bounce.h).
 */
#include <string.h>

#include "address.h"
#include "snd_bounce.h"
#include "store.h"

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

enum snd_bounce
snd_bounce_count(struct store *st, const struct conf_rate *lim,
    const char *addr, time_t now)
{
	char key[ADDR_MAX + 1];
	unsigned long total = 0;
	int counted = -1;

	if (lim->n == 0 || snd_bounce_key(addr, key, sizeof(key)) == -1)
		return SND_BOUNCE_SEND;
	if (st != NULL)
		counted = store_counter_add(st, SND_BOUNCE_COUNTER, key, 1,
		    lim->period, now, &total);
	return snd_bounce_decide(lim->n, counted, total);
}
