/*
 * snd_bounce.h: the bounce rate limit against backscatter
 * (samotop.conf(5), bounce-limit).  A spammer who forges one victim's
 * address as the sender of many messages to unknown users makes every
 * MTA on the way bounce them to the victim; samotop-send sends at most
 * N DSNs (bounces and delay warnings) to one address per period,
 * counted in the store (store_counter_add(), name "dsn", key the
 * address lowercased).  Over the limit the DSN is not queued, and the
 * failed recipients are marked bounced all the same (never retried).
 * A store that cannot be read or written does not suppress a DSN:
 * better a notice too many than one lost.
 */
#ifndef SAMOTOP_SND_BOUNCE_H
#define SAMOTOP_SND_BOUNCE_H

#include <stddef.h>
#include <time.h>

#include "conf.h"

#define SND_BOUNCE_COUNTER	"dsn"	/* the store counter's name */

enum snd_bounce {
	SND_BOUNCE_SEND,	/* within the limit, or no limit */
	SND_BOUNCE_UNCOUNTED,	/* the store failed: send, and log it */
	SND_BOUNCE_DROP		/* over the limit: no DSN */
};

/*
 * What to do with a DSN when limit DSNs a period are allowed (0: no
 * limit), given whether counting it worked (counted 0) or the store
 * failed (-1), and total, the period's count with this one.  Pure.
 */
enum snd_bounce	snd_bounce_decide(unsigned limit, int counted,
		    unsigned long total);

/*
 * The counter's key for a DSN to addr: the address lowercased (ASCII
 * only; a UTF-8 local part is kept as it is), into out.  -1 when it
 * does not fit (or is empty: no DSN goes to <>).  Pure.
 */
int		snd_bounce_key(const char *addr, char *out, size_t size);

struct store;
/*
 * Count a DSN to addr in st at now under lim and decide: the one place
 * samotop-send and samotop-smtpd (fold-partial dsn) both go through.
 * st NULL (it would not open) or a store error (store_error(st) says
 * which) is SND_BOUNCE_UNCOUNTED; no limit, or <>, SND_BOUNCE_SEND.
 */
enum snd_bounce	snd_bounce_count(struct store *st,
		    const struct conf_rate *lim, const char *addr, time_t now);

#endif
