/*
 * snd_alias.c: aliases and SRS in samotop-send (snd_alias.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fdio.h"
#include "q_dir.h"
#include "q_retry.h"
#include "q_write.h"
#include "route.h"
#include "snd_alias.h"

/* addr, as the envelope keeps it, in canonical form: 0, or -1. */
static int
canonical(const struct conf *c, const char *addr, struct mailbox *canon)
{
	struct mailbox mb;
	char path[ADDR_MAX + 3];
	size_t used, len;

	len = (size_t)snprintf(path, sizeof(path), "<%s>", addr);
	if (len >= sizeof(path))
		return -1;
	if (addr_parse_path(path, len, ADDR_ALLOW_UTF8 |
	    ADDR_ALLOW_POSTMASTER, &mb, &used) != ADDR_OK || used != len)
		return -1;
	return mailbox_canonical(&mb, c->recipient_delimiter,
	    c->local_part_fold, canon);
}

/* The alias addr is, whole or without its extension; -1: none. */
static long
find(const struct conf *c, const char *addr)
{
	struct mailbox canon;
	long base = -1;
	size_t k;

	if (canonical(c, addr, &canon) == -1)
		return -1;
	for (k = 0; k < c->naliases; k++)
		switch (addr_pattern_match(c->aliases[k].address, &canon,
		    c->recipient_delimiter, c->local_part_fold)) {
		case ADDR_MATCH_EXACT:
			return (long)k;
		case ADDR_MATCH_BASE:
			if (base == -1)
				base = (long)k;
			break;
		default:
			break;
		}
	return base;
}

struct expansion {
	const struct conf *c;
	long	 stack[SND_ALIAS_DEPTH];	/* the aliases being expanded */
	size_t	 depth;
	char	(*out)[ADDR_MAX + 1];
	size_t	 max, n;
};

static enum snd_alias_expansion
expand(struct expansion *x, const char *addr)
{
	enum snd_alias_expansion e;
	const char *const *t;
	long k = find(x->c, addr);
	size_t i;

	if (k == -1) {
		for (i = 0; i < x->n; i++)
			if (strcmp(x->out[i], addr) == 0)
				return SND_ALIAS_OK;
		if (x->n == x->max || strlen(addr) > ADDR_MAX)
			return SND_ALIAS_MANY;
		snprintf(x->out[x->n++], sizeof(x->out[0]), "%s", addr);
		return SND_ALIAS_OK;
	}
	for (i = 0; i < x->depth; i++)
		if (x->stack[i] == k)
			return SND_ALIAS_LOOP;
	if (x->depth == SND_ALIAS_DEPTH)
		return SND_ALIAS_LOOP;
	x->stack[x->depth++] = k;
	for (t = x->c->aliases[k].targets; *t != NULL; t++)
		if ((e = expand(x, *t)) != SND_ALIAS_OK)
			return e;
	x->depth--;
	return SND_ALIAS_OK;
}

enum snd_alias_expansion
snd_alias_expand(const struct conf *c, const char *rcpt,
    char (*out)[ADDR_MAX + 1], size_t max, size_t *n)
{
	struct expansion x;
	enum snd_alias_expansion e;

	*n = 0;
	if (find(c, rcpt) == -1)
		return SND_ALIAS_NONE;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.out = out;
	x.max = max;
	if ((e = expand(&x, rcpt)) != SND_ALIAS_OK)
		return e;
	*n = x.n;
	return SND_ALIAS_OK;
}

int
snd_alias_is(const struct conf *c, const char *rcpt)
{
	return find(c, rcpt) != -1;
}

void
snd_alias_init(struct snd_alias *a, const struct conf *c, const char *dir,
    const struct logger *log)
{
	memset(a, 0, sizeof(*a));
	a->conf = c;
	a->dir = dir;
	a->log = log;
	/* the domain alone, for srs_is_ours(); the key when it is needed */
	(void)srs_init(&a->srs, c->srs_domain != NULL ? c->srs_domain :
	    c->hostname, NULL, NULL);
}

/* Read the SRS key and load libcrypto, once: 0, or -1 with why. */
static int
need_srs(struct snd_alias *a, char *why, size_t size)
{
	const struct conf *c = a->conf;

	if (a->srs_open)
		return 0;
	if (srs_open(&a->srs, c->srs_key != NULL ? c->srs_key : CONF_SRS_KEY,
	    c->srs_domain != NULL ? c->srs_domain : c->hostname, why,
	    size) == -1)
		return -1;
	a->srs_open = 1;
	return 0;
}

/*
 * Queue env's content again, from from to rcpt[0..n): 0 with its ID
 * in id, or -1 with why.
 */
static int
requeue(struct snd_alias *a, const struct q_env *env, const char *from,
    char (*rcpt)[ADDR_MAX + 1], size_t n, time_t now, char *id,
    char *why, size_t size)
{
	struct q_writer *w;
	struct q_env ne;
	char path[Q_PATH_MAX], buf[16384];
	ssize_t got;
	int fd, rc = -1;

	if ((w = malloc(sizeof(*w))) == NULL) {
		snprintf(why, size, "4.3.0 out of memory");
		return -1;
	}
	q_write_init(w);
	if (q_dir_path(path, sizeof(path), a->dir, "mess", env->id) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, size, "4.3.0 mess/%s: %s", env->id,
		    strerror(errno));
		free(w);
		return -1;
	}
	if (q_write_open(w, a->dir, now) == -1)
		goto failed;
	while ((got = fd_read_some(fd, buf, sizeof(buf))) > 0)
		if (q_write_data(w, buf, (size_t)got) == -1)
			goto failed;
	if (got == -1) {
		snprintf(why, size, "4.3.0 mess/%s: %s", env->id,
		    strerror(errno));
		q_write_abort(w);
		goto out;
	}
	memset(&ne, 0, sizeof(ne));
	snprintf(ne.from, sizeof(ne.from), "%s", from);
	ne.smtputf8 = env->smtputf8;
	ne.body8 = env->body8;
	ne.nrcpt = n;
	ne.rcpt = rcpt;
	if (q_write_commit(w, &ne) == -1)
		goto failed;
	snprintf(id, Q_ID_LEN + 1, "%s", w->id);
	a->queued++;
	rc = 0;
	goto out;
failed:
	snprintf(why, size, "4.3.0 queueing failed: %s%s%s",
	    q_write_strerror(w->err), w->err_errno != 0 ? ": " : "",
	    w->err_errno != 0 ? strerror(w->err_errno) : "");
	q_write_abort(w);
out:
	close(fd);
	free(w);
	return rc;
}

/* r is pending again, with its next try: 1. */
static int
later(struct snd_alias *a, const struct q_env *env, size_t i,
    struct q_rcpt_state *r, time_t now, const char *why)
{
	r->attempts++;
	r->status = Q_PENDING;
	r->code = 451;
	r->next = q_retry_next(r->attempts, now, a->conf->queue_retry,
	    a->conf->nqueue_retry);
	q_state_set_text(r, why);
	log_event(a->log, LVL_WARN, "alias", "id", env->id, "to",
	    env->rcpt[i], "status", "deferred", "reply", why, NULL);
	return 1;
}

/* r is settled with code and text: 1. */
static int
settle(struct q_rcpt_state *r, int status, int code, const char *text)
{
	r->attempts++;
	r->status = status;
	r->code = code;
	q_state_set_text(r, text);
	return 1;
}

/* An SRS address of ours: back to the address it stands for. */
static int
reverse(struct snd_alias *a, const struct q_env *env, size_t i,
    struct q_rcpt_state *r, time_t now)
{
	char why[Q_TEXT_MAX + 1], id[Q_ID_LEN + 1], (*to)[ADDR_MAX + 1];
	enum srs_error e;

	if (need_srs(a, why, sizeof(why)) == -1)
		return later(a, env, i, r, now, why);
	if ((to = malloc(sizeof(*to))) == NULL)
		return later(a, env, i, r, now, "4.3.0 out of memory");
	e = srs_reverse(&a->srs, env->rcpt[i], now, to[0], sizeof(to[0]));
	if (e != SRS_OK) {
		/* forged or expired: dropped, never a bounce of a bounce */
		log_event(a->log, LVL_WARN, "srs", "id", env->id, "to",
		    env->rcpt[i], "status", "dropped", "error",
		    srs_strerror(e), NULL);
		snprintf(why, sizeof(why), "5.7.1 %s", srs_strerror(e));
		free(to);
		return settle(r, Q_BOUNCED, 550, why);
	}
	if (requeue(a, env, env->from, to, 1, now, id, why,
	    sizeof(why)) == -1) {
		free(to);
		return later(a, env, i, r, now, why);
	}
	log_event(a->log, LVL_INFO, "srs", "id", env->id, "to", env->rcpt[i],
	    "status", "reversed", "orig", to[0], "queued", id, NULL);
	snprintf(why, sizeof(why), "2.1.5 SRS reversed, queued as %s", id);
	free(to);
	return settle(r, Q_DONE, 250, why);
}

/* Whether addr is at the SRS domain. */
static int
in_srs_domain(const struct snd_alias *a, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL && strcasecmp(at + 1, a->srs.domain) == 0;
}

/* Whether the target goes through a route. */
static int
is_local(const struct conf *c, const char *addr)
{
	struct mailbox canon;

	return canonical(c, addr, &canon) == 0 &&
	    route_lookup(c, &canon) != NULL;
}

int
snd_alias_take(struct snd_alias *a, const struct q_env *env, size_t i,
    struct q_rcpt_state *r, time_t now)
{
	enum snd_alias_expansion e;
	char (*t)[ADDR_MAX + 1], from[ADDR_MAX + 1], why[Q_TEXT_MAX + 1];
	char ids[2][Q_ID_LEN + 1], nt[24];
	size_t n, k, nl, remote;
	enum srs_error se;

	if (srs_is_ours(&a->srs, env->rcpt[i]))
		return reverse(a, env, i, r, now);
	/*
	 * A domain of its own for SRS (srs-domain) has no other users:
	 * its route to samotop-queue would queue them again and again.
	 */
	if (a->conf->srs_domain != NULL && in_srs_domain(a, env->rcpt[i]))
		return settle(r, Q_FAILED, 550, "5.1.1 no such user at the "
		    "SRS domain");
	if ((t = malloc(SND_ALIAS_MAX * sizeof(*t))) == NULL)
		return find(a->conf, env->rcpt[i]) == -1 ? 0 :
		    later(a, env, i, r, now, "4.3.0 out of memory");
	e = snd_alias_expand(a->conf, env->rcpt[i], t, SND_ALIAS_MAX, &n);
	if (e == SND_ALIAS_NONE) {
		free(t);
		return 0;
	}
	if (e != SND_ALIAS_OK) {
		free(t);
		log_event(a->log, LVL_ERROR, "alias", "id", env->id, "to",
		    env->rcpt[i], "status", "failed", "error", e ==
		    SND_ALIAS_LOOP ? "loop, or nested too deep" :
		    "too many targets", NULL);
		return settle(r, Q_FAILED, 554, e == SND_ALIAS_LOOP ?
		    "5.4.6 alias loop, or aliases nested too deep" :
		    "5.3.4 alias expands to too many targets");
	}
	/* the local targets first, the remote ones after them */
	for (k = nl = 0; k < n; k++)
		if (is_local(a->conf, t[k])) {
			char tmp[ADDR_MAX + 1];

			memcpy(tmp, t[k], sizeof(tmp));
			memmove(t[nl + 1], t[nl], (k - nl) * sizeof(*t));
			memcpy(t[nl++], tmp, sizeof(tmp));
		}
	remote = n - nl;
	ids[0][0] = ids[1][0] = '\0';
	/* the key first: a key that cannot be read queues nothing */
	snprintf(from, sizeof(from), "%s", env->from);
	if (remote > 0 && env->from[0] != '\0') {
		if (need_srs(a, why, sizeof(why)) == -1)
			goto later;
		se = srs_forward(&a->srs, env->from, now, from, sizeof(from));
		if (se != SRS_OK) {
			/* the mail goes all the same, SPF or not */
			log_event(a->log, LVL_WARN, "srs", "id", env->id,
			    "from", env->from, "status", "kept", "error",
			    srs_strerror(se), NULL);
			snprintf(from, sizeof(from), "%s", env->from);
		}
	}
	if (nl > 0 && requeue(a, env, env->from, t, nl, now, ids[0], why,
	    sizeof(why)) == -1)
		goto later;
	if (remote > 0 && requeue(a, env, from, t + nl, remote, now, ids[1],
	    why, sizeof(why)) == -1)
		goto later;
	snprintf(nt, sizeof(nt), "%zu", n);
	log_event(a->log, LVL_INFO, "alias", "id", env->id, "to",
	    env->rcpt[i], "status", "expanded", "targets", nt, "local",
	    ids[0][0] != '\0' ? ids[0] : NULL, "remote", ids[1][0] != '\0' ?
	    ids[1] : NULL, "from", remote > 0 ? from : NULL, NULL);
	snprintf(why, sizeof(why), "2.1.5 alias of %zu target%s, queued as "
	    "%s%s%s", n, n == 1 ? "" : "s", ids[0], ids[0][0] != '\0' &&
	    ids[1][0] != '\0' ? " " : "", ids[1]);
	free(t);
	return settle(r, Q_DONE, 250, why);
later:
	/*
	 * When the local targets' message was queued and the remote one
	 * could not be (a full disk), the next try queues both again: at
	 * least once.
	 */
	free(t);
	return later(a, env, i, r, now, why);
}
