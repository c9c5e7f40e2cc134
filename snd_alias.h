/*
 * snd_alias.h: aliases and SRS in samotop-send (samotop-send(8),
 * ALIASES AND SRS).  A queued recipient that is an alias (samotop.conf(5)
 * `alias ADDRESS TARGET...') is expanded, and one that is an SRS address
 * of ours (srs.h: the bounce of a message we forwarded) is reversed,
 * before any route is looked up.  Neither is delivered in place: the
 * message is queued again, a new message with the same content, for
 * the targets (up to two: the local ones with the original sender, the
 * remote ones with the sender rewritten by SRS, never <>), or for the
 * original sender.  The new messages have their own state, so each
 * target is retried, expired and bounced (a DSN naming the target) on
 * its own, and a target's retry never repeats the others; the alias
 * recipient is done once its targets are queued.  A crash between the
 * queueing and the state's write queues them again (at least once, as
 * every delivery).  The bounce of a remote target comes back to the SRS
 * address and from there to the original sender.
 */
#ifndef SAMOTOP_SND_ALIAS_H
#define SAMOTOP_SND_ALIAS_H

#include <time.h>

#include "address.h"
#include "conf.h"
#include "log.h"
#include "q_env.h"
#include "q_state.h"
#include "srs.h"

#define SND_ALIAS_DEPTH	8	/* aliases within aliases */
#define SND_ALIAS_MAX	(CONF_ALIAS_TARGETS * 4)	/* targets in all */

enum snd_alias_expansion {
	SND_ALIAS_LOOP = -2,	/* a loop, or deeper than SND_ALIAS_DEPTH */
	SND_ALIAS_MANY = -1,	/* more than max targets in all */
	SND_ALIAS_NONE = 0,	/* not an alias */
	SND_ALIAS_OK = 1,	/* expanded */
};

struct snd_alias {
	const struct conf	*conf;
	const char		*dir;		/* the queue */
	const struct logger	*log;
	struct srs		 srs;
	int			 srs_open;	/* key read, libcrypto loaded */
	unsigned		 queued;	/* messages queued; the caller
						   resets it */
};

/*
 * Set a up (no I/O: the SRS key is read at its first use).  The SRS
 * domain is srs-domain, or the hostname.
 */
void	snd_alias_init(struct snd_alias *a, const struct conf *c,
	    const char *dir, const struct logger *log);
/*
 * Pure: the final targets of rcpt into out[0..*n), at most max, in the
 * order written, each once.  An alias is matched as a route pattern
 * "local@domain" is (address.h addr_pattern_match(), canonical forms):
 * the whole address first, then without its extension.  A target that
 * is an alias is expanded in turn, SND_ALIAS_DEPTH deep at most; an
 * alias met again within its own expansion is a loop.
 */
enum snd_alias_expansion snd_alias_expand(const struct conf *c,
	    const char *rcpt, char (*out)[ADDR_MAX + 1], size_t max,
	    size_t *n);
/*
 * Pure: whether rcpt ("local@domain" as the envelope keeps it) is an
 * alias, matched as snd_alias_expand() does: for samotop-smtpd, which
 * must put such a recipient into the queue.
 */
int	snd_alias_is(const struct conf *c, const char *rcpt);
/*
 * Recipient i of env, pending and due: 0 when it is neither an alias
 * nor an SRS address of ours (deliver it as usual); 1 when it was taken
 * care of here, its state r set (and logged): done (its targets
 * queued), failed (a loop: 554 5.4.6; any other address at an
 * srs-domain given in the configuration: 550 5.1.1; a DSN is owed),
 * bounced (a forged
 * or expired SRS address: dropped, no DSN, never a bounce of a bounce)
 * or pending again with its next try (the queue or the SRS key could
 * not be written: 451).
 */
int	snd_alias_take(struct snd_alias *a, const struct q_env *env, size_t i,
	    struct q_rcpt_state *r, time_t now);

#endif
