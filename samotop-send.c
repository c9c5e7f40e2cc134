/*
 * samotop-send: the queue's scheduler (samotop-send(8)).
 *
 *	samotop-send [-1] [-c CONF]
 *
 * Trusts only the disk, as qmail-send does: a message is queued when
 * env/ID exists, and what was tried is in state/ID, rewritten whole
 * (q_state.h) after every attempt.  Each delivery is a job, one child
 * process per message and destination: the route's helper over LMTP
 * for the local recipients of one route (a forked child of ours, as
 * samotop-smtpd drives the helpers), the queue-remote program for the
 * remote recipients of one domain.  Either prints r and m lines
 * (snd_result.h) on the pipe that is its stdout; the parent alone reads
 * and writes the state, so the files never see two writers.  A crash at
 * any moment loses nothing: a delivery whose result was not yet written
 * is made again (a duplicate, never a loss).
 */
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "conf.h"
#include "deliver.h"
#include "fdio.h"
#include "log.h"
#include "proc.h"
#include "q_conf.h"
#include "q_dir.h"
#include "q_dsn.h"
#include "q_env.h"
#include "q_retry.h"
#include "q_state.h"
#include "q_write.h"
#include "route.h"
#include "snd_alias.h"
#include "snd_bounce.h"
#include "snd_result.h"
#include "store.h"
#include "version.h"

#define SCAN_EVERY	60		/* seconds between periodic scans */
#define GARBAGE_EVERY	3600		/* seconds between garbage walks */
#define GARBAGE_AGE	86400		/* a tmp/ or orphan mess/ file */
#define JOB_OUT_MAX	(Q_RCPT_MAX * (ADDR_MAX + Q_TEXT_MAX + 16) + 4096)
#define REAP_MS		10000		/* for a child that closed stdout */
#define DSN_RETRY	300		/* a DSN that could not be queued */
#define JOB_MAX		3600		/* seconds a delivery may last */
#define LOCK_WAIT_MS	5000		/* for a scheduler that is ending */

extern char **environ;

struct msg;

struct job {
	struct job		*next;
	struct msg		*msg;
	const struct route	*route;		/* NULL: remote */
	char			 domain[ADDR_DOMAIN_MAX + 1];
	size_t			 n;
	size_t			*idx;		/* into the envelope's rcpt */
	pid_t			 pid;		/* 0: not started */
	time_t			 started;
	int			 killed;	/* over JOB_MAX: SIGKILL sent */
	int			 fd;		/* its stdout, or -1 */
	char			*out;
	size_t			 len;
};

struct msg {
	struct msg		*next;
	char			 id[Q_ID_LEN + 1];
	struct q_env		 env;
	char			(*rcpt)[ADDR_MAX + 1];
	char			(*remote)[SND_HOST_MAX + 1];	/* per rcpt */
	struct q_state		 st;
	unsigned		 jobs;		/* queued or running */
};

/* A message not in flight and when it is next due. */
struct known {
	char	id[Q_ID_LEN + 1];
	time_t	next;
};

struct sched {
	const struct conf	*conf;
	const char		*conf_path;
	const char		*dir;
	mode_t			 dir_mode;
	struct logger		 log;
	const char		*remote[CONF_ARGV_MAX + 1];
	char			 remote_path[PATH_MAX];
	int			 remote_default;
	struct msg		*msgs;		/* in flight */
	struct job		*jobs;		/* queued and running */
	unsigned		 running;
	struct known		*known, *nknown;
	size_t			 nk, nnk, knsize, nknsize;
	time_t			 wake;		/* the earliest next try */
	time_t			 scan_now;	/* of the scan under way */
	int			 scan_full;	/* it reads every message */
	char			(*scratch)[ADDR_MAX + 1];	/* Q_RCPT_MAX */
	struct snd_alias	 alias;		/* aliases and SRS */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: samotop-send [-1V] [-c file]\n");
	exit(64);
}

/* The address's domain, lowercased, into out. */
static void
domain_of(const char *addr, char *out, size_t size)
{
	const char *at = strrchr(addr, '@');
	size_t i;

	snprintf(out, size, "%s", at != NULL ? at + 1 : "");
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

/* An address as the envelope keeps it, back into a mailbox. */
static int
mailbox_of(const char *addr, int null_ok, struct mailbox *mb)
{
	char path[ADDR_MAX + 3];
	size_t used, len;

	len = (size_t)snprintf(path, sizeof(path), "<%s>", addr);
	if (len >= sizeof(path))
		return -1;
	memset(mb, 0, sizeof(*mb));
	if (addr_parse_path(path, len, ADDR_ALLOW_UTF8 |
	    ADDR_ALLOW_POSTMASTER | (null_ok ? ADDR_ALLOW_NULL : 0), mb,
	    &used) != ADDR_OK || used != len)
		return -1;
	return 0;
}

static void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	q_state_free(&m->st);
	free(m->rcpt);
	free(m->remote);
	free(m);
}

static void
job_free(struct job *j)
{
	free(j->idx);
	free(j->out);
	free(j);
}

static int
save_state(struct sched *s, struct msg *m)
{
	if (q_state_write(s->dir, m->id, &m->st) == -1) {
		log_event(&s->log, LVL_ERROR, "state", "id", m->id, "error",
		    strerror(errno), NULL);
		return -1;
	}
	return 0;
}

/* Remember a message that waits, and the earliest wake-up. */
static void
remember(struct sched *s, const char *id, time_t next)
{
	struct known *k;

	if (s->nnk == s->nknsize) {
		size_t n = s->nknsize ? s->nknsize * 2 : 256;

		if ((k = realloc(s->nknown, n * sizeof(*k))) == NULL)
			return;		/* it is read again at the next scan */
		s->nknown = k;
		s->nknsize = n;
	}
	k = &s->nknown[s->nnk++];
	snprintf(k->id, sizeof(k->id), "%s", id);
	k->next = next;
	if (s->wake == 0 || next < s->wake)
		s->wake = next;
}

static int
known_cmp(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->id,
	    ((const struct known *)b)->id);
}

/* Load env/ID and state/ID; NULL (logged) when it cannot be. */
static struct msg *
msg_load(struct sched *s, const char *id, time_t now)
{
	enum q_env_error e;
	struct msg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	snprintf(m->id, sizeof(m->id), "%s", id);
	e = q_env_read(s->dir, id, &m->env, s->scratch, Q_RCPT_MAX);
	if (e != Q_ENV_OK) {
		if (!(e == Q_ENV_ESYS && errno == ENOENT))
			log_event(&s->log, LVL_ERROR, "envelope", "id", id,
			    "error", e == Q_ENV_ESYS ? strerror(errno) :
			    q_env_strerror(e), NULL);
		free(m);
		return NULL;
	}
	m->rcpt = malloc(m->env.nrcpt * sizeof(*m->rcpt));
	m->remote = calloc(m->env.nrcpt, sizeof(*m->remote));
	if (m->rcpt == NULL || m->remote == NULL) {
		msg_free(m);
		return NULL;
	}
	memcpy(m->rcpt, s->scratch, m->env.nrcpt * sizeof(*m->rcpt));
	m->env.rcpt = m->rcpt;
	if (q_state_read(s->dir, id, m->env.nrcpt, now, &m->st) == -1) {
		log_event(&s->log, LVL_ERROR, "state", "id", id, "error",
		    strerror(errno), NULL);
		m->st.rcpt = NULL;
		msg_free(m);
		return NULL;
	}
	return m;
}

/* The original's header, for a DSN: read from mess/ID, bounded. */
static char *
read_header(struct sched *s, const char *id, size_t *len)
{
	char path[Q_PATH_MAX], *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	*len = 0;
	if ((buf = malloc(Q_DSN_HEADER_MAX + 2)) == NULL)
		return NULL;
	if (q_dir_path(path, sizeof(path), s->dir, "mess", id) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return buf;	/* a DSN without the header, all the same */
	while (got < Q_DSN_HEADER_MAX + 2 &&
	    (n = fd_read_some(fd, buf + got, Q_DSN_HEADER_MAX + 2 - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = q_dsn_header_len(buf, got);
	return buf;
}

/*
 * bounce-limit: 1 when a DSN (a bounce or a delay warning) may go to
 * m's sender now, 0 when the sender has had its share this period
 * (logged).  The store is opened for each DSN and closed again: DSNs
 * are rare, and no connection is held across the fork of a job.  A
 * store that fails lets the DSN go (logged): a notice too many beats
 * one lost.
 */
static int
bounce_allowed(struct sched *s, struct msg *m, int status, time_t now)
{
	const struct conf_rate *lim = &s->conf->bounce_limit;
	char err[256] = "", show[32];
	struct store *st;
	enum snd_bounce b;

	if (lim->n == 0)
		return 1;
	st = store_open(s->conf->store_db, err, sizeof(err));
	b = snd_bounce_count(st, lim, m->env.from, now);
	if (b == SND_BOUNCE_UNCOUNTED && st != NULL)
		snprintf(err, sizeof(err), "%s", store_error(st));
	store_close(st);
	snprintf(show, sizeof(show), "%u/%us", lim->n, lim->period);
	switch (b) {
	case SND_BOUNCE_SEND:
		return 1;
	case SND_BOUNCE_UNCOUNTED:
		log_event(&s->log, LVL_ERROR, "bounce-limit", "id", m->id,
		    "to", m->env.from, "limit", show, "error", err,
		    "action", "sent uncounted", NULL);
		return 1;
	case SND_BOUNCE_DROP:
		break;
	}
	log_event(&s->log, LVL_WARN, "bounce-limit", "id", m->id, "to",
	    m->env.from, "dsn", status == Q_FAILED ? "failed" : "delayed",
	    "limit", show, "action", "not sent", NULL);
	return 0;
}

/*
 * Queue a DSN about m's recipients of the given status (Q_FAILED or
 * Q_PENDING for a delay warning) to its sender, with the null sender.
 * 0 (also when bounce-limit holds it back), or -1 (logged).
 */
static int
send_dsn(struct sched *s, struct msg *m, int status, time_t now)
{
	struct q_dsn_rcpt *dr;
	struct q_writer *w;
	struct q_env de;
	struct q_dsn d;
	char dsn_id[Q_ID_LEN + 1], (*to)[ADDR_MAX + 1];
	char *hdr, *text;
	size_t i, n = 0, hlen, tlen;
	int flags, rc = -1;

	if ((dr = calloc(m->env.nrcpt, sizeof(*dr))) == NULL)
		return -1;
	for (i = 0; i < m->env.nrcpt; i++) {
		const struct q_rcpt_state *r = &m->st.rcpt[i];

		if (r->status != status)
			continue;
		dr[n].addr = m->rcpt[i];
		dr[n].action = status == Q_FAILED ? Q_DSN_FAILED :
		    Q_DSN_DELAYED;
		dr[n].code = r->code;
		dr[n].text = r->text;
		dr[n].remote = m->remote[i][0] != '\0' ? m->remote[i] : NULL;
		n++;
	}
	w = malloc(sizeof(*w));
	to = malloc(sizeof(*to));
	hdr = read_header(s, m->id, &hlen);
	if (w == NULL || to == NULL || hdr == NULL || n == 0)
		goto out;
	if (!bounce_allowed(s, m, status, now)) {
		rc = 0;
		goto out;
	}
	q_write_init(w);
	if (q_write_open(w, s->dir, now) == -1)
		goto failed;
	snprintf(dsn_id, sizeof(dsn_id), "%s", w->id);
	memset(&d, 0, sizeof(d));
	d.hostname = s->conf->hostname;
	d.id = m->id;
	d.dsn_id = dsn_id;
	d.sender = m->env.from;
	d.arrival = m->env.time;
	d.now = now;
	d.until = m->env.time + (time_t)s->conf->queue_lifetime;
	d.rcpt = dr;
	d.nrcpt = n;
	d.header = hdr;
	d.header_len = hlen;
	if ((text = q_dsn_format(&d, &tlen, &flags)) == NULL) {
		q_write_abort(w);
		goto out;
	}
	rc = q_write_data(w, text, tlen);
	free(text);
	if (rc == -1)
		goto failed;
	memset(&de, 0, sizeof(de));
	snprintf(to[0], sizeof(to[0]), "%s", m->env.from);
	de.nrcpt = 1;
	de.rcpt = to;
	de.body8 = (flags & Q_DSN_8BIT) != 0;
	de.smtputf8 = (flags & Q_DSN_UTF8) != 0 || m->env.smtputf8;
	if ((rc = q_write_commit(w, &de)) == -1)
		goto failed;
	log_event(&s->log, LVL_INFO, "dsn", "id", m->id, "dsn", dsn_id,
	    "to", m->env.from, "action", status == Q_FAILED ? "failed" :
	    "delayed", NULL);
	goto out;
failed:
	rc = -1;
	log_event(&s->log, LVL_ERROR, "dsn", "id", m->id, "error",
	    q_write_strerror(w->err), "call", w->err_what, "errno",
	    w->err_errno != 0 ? strerror(w->err_errno) : NULL, NULL);
	q_write_abort(w);
out:
	free(hdr);
	free(to);
	free(w);
	free(dr);
	return rc;
}

/*
 * Every recipient is done, failed or bounced: the DSN for the failed
 * ones, then the message goes (env/ID first).  -1 when the DSN could
 * not be queued: the message stays, to be tried again.
 */
static int
finish(struct sched *s, struct msg *m, time_t now)
{
	size_t i, failed = 0;

	for (i = 0; i < m->env.nrcpt; i++)
		if (m->st.rcpt[i].status == Q_FAILED)
			failed++;
	/* never a bounce to <>: nothing is owed for a DSN's failure */
	if (failed > 0 && m->env.from[0] != '\0' &&
	    send_dsn(s, m, Q_FAILED, now) == -1)
		return -1;
	if (failed > 0) {
		for (i = 0; i < m->env.nrcpt; i++)
			if (m->st.rcpt[i].status == Q_FAILED)
				m->st.rcpt[i].status = Q_BOUNCED;
		/* so that a crash now does not send the DSN twice */
		(void)save_state(s, m);
	}
	if (q_dir_remove(s->dir, m->id) == -1) {
		log_event(&s->log, LVL_ERROR, "remove", "id", m->id, "error",
		    strerror(errno), NULL);
		return -1;
	}
	log_event(&s->log, LVL_INFO, "removed", "id", m->id, NULL);
	return 0;
}

/* The earliest next try of m's pending recipients; 0: none pending. */
static time_t
next_due(const struct msg *m)
{
	time_t t = 0;
	size_t i;

	for (i = 0; i < m->env.nrcpt; i++)
		if (m->st.rcpt[i].status == Q_PENDING &&
		    (t == 0 || m->st.rcpt[i].next < t))
			t = m->st.rcpt[i].next;
	return t;
}

/*
 * The delay warning, once, after an attempt (so that it can say what
 * went wrong): 1 when it was queued and the state changed.
 */
static int
warn(struct sched *s, struct msg *m, time_t now)
{
	int tried = 0;
	size_t i;

	if (s->conf->queue_warn == 0 || m->st.warned != 0 ||
	    now - m->env.time < (time_t)s->conf->queue_warn ||
	    m->env.from[0] == '\0')
		return 0;
	for (i = 0; i < m->env.nrcpt; i++)
		tried |= m->st.rcpt[i].status == Q_PENDING &&
		    m->st.rcpt[i].attempts > 0;
	if (!tried || send_dsn(s, m, Q_PENDING, now) == -1)
		return 0;
	m->st.warned = now;
	return 1;
}

/* The lifetime: 1 when the state changed. */
static int
age(struct sched *s, struct msg *m, time_t now)
{
	time_t queued = now - m->env.time;
	char text[2 * Q_TEXT_MAX];	/* cut by q_state_set_text() */
	int pending = 0;
	size_t i;

	for (i = 0; i < m->env.nrcpt; i++)
		pending |= m->st.rcpt[i].status == Q_PENDING;
	if (!pending)
		return 0;
	if (queued >= (time_t)s->conf->queue_lifetime) {
		for (i = 0; i < m->env.nrcpt; i++) {
			struct q_rcpt_state *r = &m->st.rcpt[i];

			if (r->status != Q_PENDING)
				continue;
			/* the last reply stays in the text, for the DSN */
			if (r->code != 0)
				snprintf(text, sizeof(text), "4.4.7 message "
				    "expired; last: %d %s", r->code, r->text);
			else
				snprintf(text, sizeof(text), "4.4.7 message "
				    "expired%s%s", r->text[0] ? "; last: " : "",
				    r->text);
			r->status = Q_FAILED;
			r->code = 0;
			q_state_set_text(r, text);
			log_event(&s->log, LVL_WARN, "expired", "id", m->id,
			    "to", m->rcpt[i], NULL);
		}
		return 1;
	}
	return 0;
}

/* A job for m's recipient i: the one of its route or domain, or a new one. */
static int
add_to_job(struct sched *s, struct msg *m, struct job **mine, size_t i)
{
	const struct route *route = NULL;
	struct mailbox mb, canon;
	char domain[ADDR_DOMAIN_MAX + 1];
	struct job *j;
	size_t *idx;

	if (mailbox_of(m->rcpt[i], 0, &mb) == -1) {
		m->st.rcpt[i].status = Q_FAILED;
		m->st.rcpt[i].code = 553;
		q_state_set_text(&m->st.rcpt[i], "5.1.3 malformed address");
		return 0;
	}
	if (mailbox_canonical(&mb, s->conf->recipient_delimiter,
	    s->conf->local_part_fold, &canon) == 0)
		route = route_lookup(s->conf, &canon);
	domain_of(m->rcpt[i], domain, sizeof(domain));
	for (j = *mine; j != NULL; j = j->next) {
		if (j->msg != m)
			break;
		if (route != NULL ? j->route != NULL &&
		    route_same(j->route, route) : j->route == NULL &&
		    strcmp(j->domain, domain) == 0)
			break;
	}
	if (j == NULL || j->msg != m) {
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return -1;
		j->msg = m;
		j->route = route;
		j->fd = -1;
		snprintf(j->domain, sizeof(j->domain), "%s", domain);
		j->next = *mine;
		*mine = j;
		m->jobs++;
	}
	if ((idx = realloc(j->idx, (j->n + 1) * sizeof(*idx))) == NULL)
		return -1;
	j->idx = idx;
	j->idx[j->n++] = i;
	return 0;
}

/*
 * A message read at a scan: expire, warn, make its jobs, or finish it.
 * m is kept (in flight) or freed.
 */
static void
consider(struct sched *s, struct msg *m, time_t now)
{
	struct job *mine = NULL, *j, *last;
	int changed;
	size_t i;

	changed = age(s, m, now);
	for (i = 0; i < m->env.nrcpt; i++) {
		if (m->st.rcpt[i].status != Q_PENDING ||
		    m->st.rcpt[i].next > now)
			continue;
		/* an alias or an SRS address: queued again, not routed */
		if (snd_alias_take(&s->alias, &m->env, i, &m->st.rcpt[i],
		    now)) {
			changed = 1;
			continue;
		}
		if (add_to_job(s, m, &mine, i) == -1)
			break;	/* out of memory: what has a job goes */
		if (m->st.rcpt[i].status != Q_PENDING)
			changed = 1;
	}
	if (changed)
		(void)save_state(s, m);
	if (mine != NULL) {
		/* the jobs go last, in the order of the messages' age */
		for (last = mine; last->next != NULL; last = last->next)
			;
		if (s->jobs == NULL)
			s->jobs = mine;
		else {
			for (j = s->jobs; j->next != NULL; j = j->next)
				;
			j->next = mine;
		}
		m->next = s->msgs;
		s->msgs = m;
		return;
	}
	if (next_due(m) == 0) {
		if (finish(s, m, now) == -1)
			remember(s, m->id, now + DSN_RETRY);
	} else {
		if (warn(s, m, now))
			(void)save_state(s, m);
		remember(s, m->id, next_due(m));
	}
	msg_free(m);
}

static int
in_flight(const struct sched *s, const char *id)
{
	const struct msg *m;

	for (m = s->msgs; m != NULL; m = m->next)
		if (strcmp(m->id, id) == 0)
			return 1;
	return 0;
}


static int
scan_one(const char *id, void *arg)
{
	struct sched *s = arg;
	struct known key, *k;
	struct msg *m;

	if (stop)
		return 1;
	if (in_flight(s, id))
		return 0;
	snprintf(key.id, sizeof(key.id), "%s", id);
	k = s->nk == 0 ? NULL : bsearch(&key, s->known, s->nk,
	    sizeof(*k), known_cmp);
	if (!s->scan_full && k != NULL && k->next > s->scan_now) {
		remember(s, id, k->next);
		return 0;
	}
	if ((m = msg_load(s, id, s->scan_now)) != NULL)
		consider(s, m, s->scan_now);
	return 0;
}

/*
 * Walk env/: every message that is due gets its jobs.  A full scan
 * reads every message; the others (after an inotify event, at a
 * wake-up) skip those the last scan found not yet due, so that a queue
 * of many deferred messages costs a new message little.  The periodic
 * scans are full: they see what another program changed in state/
 * (samotop-mailq's retry).
 */
static void
scan(struct sched *s, time_t now, int full)
{
	struct known *t;
	size_t tn;

	s->scan_now = now;
	s->scan_full = full;
	s->nnk = 0;
	s->wake = 0;
	if (q_dir_list(s->dir, "env", scan_one, s) == -1)
		log_event(&s->log, LVL_ERROR, "scan", "path", s->dir,
		    "error", strerror(errno), NULL);
	/* the new list is in the walk's order: sorted, for bsearch */
	t = s->known;
	s->known = s->nknown;
	s->nknown = t;
	tn = s->knsize;
	s->knsize = s->nknsize;
	s->nknsize = tn;
	s->nk = s->nnk;
	s->nnk = 0;
}

/* Remove what a crash left: old tmp/ files, orphan mess/ and state/. */
static void
garbage(struct sched *s, time_t now)
{
	static const char *const subs[] = { "tmp", "mess", "state" };
	char path[Q_PATH_MAX], env[Q_PATH_MAX];
	struct dirent *de;
	struct stat sb;
	size_t i;
	DIR *d;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (q_dir_path(path, sizeof(path), s->dir, subs[i], NULL) ==
		    -1 || (d = opendir(path)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (q_dir_path(path, sizeof(path), s->dir, subs[i],
			    de->d_name) == -1 || lstat(path, &sb) == -1)
				continue;
			if (i > 0) {
				/* a message's file, its envelope present */
				if (!q_id_valid(de->d_name) ||
				    q_dir_path(env, sizeof(env), s->dir,
				    "env", de->d_name) == -1 ||
				    access(env, F_OK) == 0 || errno != ENOENT)
					continue;
				/* state/ID without env/ID: a removal cut short */
				if (i == 2 && !in_flight(s, de->d_name))
					goto unlink;
			}
			if (sb.st_mtime > now - GARBAGE_AGE)
				continue;
unlink:
			if (unlink(path) == 0)
				log_event(&s->log, LVL_INFO, "garbage",
				    "file", path, NULL);
		}
		closedir(d);
	}
}

/* Print one result line on the job's pipe (a local delivery). */
static void
say(FILE *f, const char *kind, const char *addr, int code, const char *text)
{
	if (addr != NULL)
		fprintf(f, "%s %s %d %s\n", kind, addr, code, text);
	else
		fprintf(f, "%s %d %s\n", kind, code, text);
}

/*
 * The child of a local job: the route's helper over LMTP, as
 * samotop-smtpd drives it, the content from mess/ID; r and m lines on
 * out.  Exits.
 */
static void
local_child(struct sched *s, struct job *j, int out)
{
	const struct conf *c = s->conf;
	struct msg *m = j->msg;
	struct delivery_envelope denv;
	struct mailbox sender, *rcpts;
	struct lmtpreply rep, *reps;
	static struct helper h;
	int *final;
	char path[Q_PATH_MAX], buf[65536], why[Q_TEXT_MAX + 1];
	size_t i, accepted = 0;
	ssize_t n;
	int fd = -1, failed = 0;
	FILE *f;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if ((f = fdopen(out, "w")) == NULL)
		_exit(111);
	rcpts = calloc(j->n, sizeof(*rcpts));
	reps = calloc(j->n, sizeof(*reps));
	/* which replies are the recipient's last word: kept on a failure */
	final = calloc(j->n, sizeof(*final));
	if (rcpts == NULL || reps == NULL || final == NULL ||
	    mailbox_of(m->env.from, 1, &sender) == -1) {
		say(f, "m", NULL, 451, "4.3.0 out of memory or bad sender");
		goto out;
	}
	memset(&denv, 0, sizeof(denv));
	denv.sender = &sender;
	denv.body = m->env.body8 ? BODY_8BITMIME : BODY_NONE;
	denv.smtputf8 = m->env.smtputf8;
	helper_init(&h, c->hostname);
	for (i = 0; i < j->n && !failed; i++) {
		(void)mailbox_of(m->rcpt[j->idx[i]], 0, &rcpts[i]);
		if (helper_rcpt(&h, j->route->argv, &denv, &rcpts[i],
		    c->timeout_helper, &reps[i]) == -1)
			failed = 1;
		else if (reps[i].code / 100 == 2)
			accepted++;
		else
			final[i] = 1;
	}
	if (failed)
		goto helper_failed;
	if (accepted == 0)
		goto print;
	if (q_dir_path(path, sizeof(path), s->dir, "mess", m->id) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		helper_quit(&h, c->timeout_helper);
		snprintf(why, sizeof(why), "4.3.0 mess/%s: %s", m->id,
		    strerror(errno));
		say(f, "m", NULL, 451, why);
		goto out;
	}
	memset(&rep, 0, sizeof(rep));
	if (helper_data(&h, c->timeout_helper, &rep) == -1) {
		if (rep.code == 0)
			goto helper_failed;
		for (i = 0; i < j->n; i++)
			if (reps[i].code / 100 == 2)
				reps[i] = rep;
		goto print;
	}
	while ((n = fd_read_some(fd, buf, sizeof(buf))) > 0)
		if (helper_write(&h, buf, (size_t)n, c->timeout_helper) == -1)
			goto helper_failed;
	if (n == -1) {
		/* the helper sees no final dot, and so delivers nothing */
		helper_abort(&h);
		snprintf(why, sizeof(why), "4.3.0 mess/%s: %s", m->id,
		    strerror(errno));
		say(f, "m", NULL, 451, why);
		goto out;
	}
	if (helper_end_data(&h, c->timeout_helper) == -1)
		goto helper_failed;
	for (i = 0; i < j->n; i++) {
		if (reps[i].code / 100 != 2)
			continue;
		if (helper_reply(&h, c->timeout_helper, &reps[i]) == -1)
			goto helper_failed;
		final[i] = 1;
	}
print:
	helper_quit(&h, c->timeout_helper);
	for (i = 0; i < j->n; i++)
		say(f, "r", m->rcpt[j->idx[i]], reps[i].code, reps[i].text);
	say(f, "m", NULL, 250, "done");
	goto out;
helper_failed:
	/*
	 * The replies already given stand (a recipient delivered before
	 * the helper failed must not be delivered again); the others are
	 * tried again.
	 */
	for (i = 0; i < j->n; i++)
		if (final[i])
			say(f, "r", m->rcpt[j->idx[i]], reps[i].code,
			    reps[i].text);
	snprintf(why, sizeof(why), "4.3.0 delivery helper failed: %s",
	    h.why != NULL ? h.why : "?");
	say(f, "m", NULL, 451, why);
out:
	if (fd != -1)
		close(fd);
	fflush(f);
	_exit(0);
}

/* Start job j: 0, or -1 with its recipients' results set (logged). */
static int
job_start(struct sched *s, struct job *j)
{
	const char **argv = NULL;
	char path[Q_PATH_MAX];
	size_t i, a = 0;
	int p[2], in = -1, err;

	if (fd_pipe(p, 0) == -1)
		return -1;
	if (j->route != NULL) {
		switch (j->pid = fork()) {
		case -1:
			err = errno;
			close(p[0]);
			close(p[1]);
			errno = err;
			return -1;
		case 0:
			close(p[0]);
			local_child(s, j, p[1]);
			_exit(111);
		}
		close(p[1]);
		goto started;
	}
	if (q_dir_path(path, sizeof(path), s->dir, "mess", j->msg->id) ==
	    -1 || (in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto failed;
	if ((argv = calloc(CONF_ARGV_MAX + 6 + j->n, sizeof(*argv))) ==
	    NULL)
		goto failed;
	for (i = 0; s->remote[i] != NULL; i++)
		argv[a++] = s->remote[i];
	if (s->remote_default && s->conf_path != NULL) {
		argv[a++] = "-c";
		argv[a++] = s->conf_path;
	}
	argv[a++] = j->domain;
	argv[a++] = j->msg->env.from;
	for (i = 0; i < j->n; i++)
		argv[a++] = j->msg->rcpt[j->idx[i]];
	argv[a] = NULL;
	if ((err = proc_spawn(&j->pid, argv, environ, in, p[1], 0)) != 0) {
		errno = err;
		goto failed;
	}
	free(argv);
	close(in);
	close(p[1]);
started:
	j->fd = p[0];
	j->started = time(NULL);
	/* blocking if this fails: harmless, poll says when to read */
	(void)fd_set_flags(j->fd, 1);
	s->running++;
	return 0;
failed:
	err = errno;
	free(argv);
	if (in != -1)
		close(in);
	close(p[0]);
	close(p[1]);
	errno = err;
	return -1;
}

/* Record job j's results in its message's state (and the log). */
static void
job_results(struct sched *s, struct job *j, int status, int start_errno)
{
	struct msg *m = j->msg;
	struct snd_result *res;
	struct snd_message mm;
	const char **rc;
	char why[128], code[8];
	int tempcode = 451;
	time_t now = time(NULL);
	size_t i, bad;

	res = calloc(j->n, sizeof(*res));
	rc = calloc(j->n, sizeof(*rc));
	if (res == NULL || rc == NULL) {
		free(res);
		free(rc);
		return;		/* the state stays: tried again later */
	}
	for (i = 0; i < j->n; i++)
		rc[i] = m->rcpt[j->idx[i]];
	bad = snd_result_parse(j->out != NULL ? j->out : "", j->len, rc,
	    j->n, res, &mm);
	if (bad > 0)
		log_event(&s->log, LVL_WARN, "results", "id", m->id,
		    "error", "lines ignored", NULL);
	if (start_errno != 0)
		snprintf(why, sizeof(why), "4.3.0 cannot start delivery: %s",
		    strerror(start_errno));
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "4.3.0 delivery killed by signal "
		    "%d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
		tempcode = 554;
		snprintf(why, sizeof(why), "5.3.0 delivery program failed "
		    "permanently");
	} else
		snprintf(why, sizeof(why), "4.3.0 delivery program gave no "
		    "result (status %d)", WIFEXITED(status) ?
		    WEXITSTATUS(status) : -1);
	snd_result_fill(res, j->n, &mm, tempcode, why);
	for (i = 0; i < j->n; i++) {
		struct q_rcpt_state *r = &m->st.rcpt[j->idx[i]];
		const char *what;

		r->attempts++;
		r->code = res[i].code;
		q_state_set_text(r, res[i].text);
		if (res[i].code / 100 == 2) {
			r->status = Q_DONE;
			what = "sent";
		} else if (res[i].code / 100 == 5) {
			r->status = Q_FAILED;
			what = "failed";
		} else {
			r->status = Q_PENDING;
			r->next = q_retry_next(r->attempts, now,
			    s->conf->queue_retry, s->conf->nqueue_retry);
			what = "deferred";
		}
		snprintf(m->remote[j->idx[i]], sizeof(m->remote[0]), "%s",
		    mm.host);
		snprintf(code, sizeof(code), "%d", res[i].code);
		log_event(&s->log, r->status == Q_DONE ? LVL_INFO : LVL_WARN,
		    "delivery", "id", m->id, "to", rc[i], "status", what,
		    "code", code, "reply", res[i].text, "via", j->route !=
		    NULL ? j->route->argv[0] : "remote", "host",
		    mm.host[0] != '\0' ? mm.host : NULL, "ip",
		    mm.ip[0] != '\0' ? mm.ip : NULL, "tls",
		    mm.tls[0] != '\0' ? mm.tls : NULL, "sts",
		    mm.sts[0] != '\0' ? mm.sts : NULL, "verified",
		    mm.verified[0] != '\0' ? mm.verified : NULL, "dane",
		    mm.dane[0] != '\0' ? mm.dane : NULL, "tlsa",
		    mm.tlsa[0] != '\0' ? mm.tlsa : NULL, NULL);
	}
	free(res);
	free(rc);
	(void)save_state(s, m);
}

/* Take job j off the list; settle its message when it was the last. */
static void
job_end(struct sched *s, struct job *j, time_t now)
{
	struct msg *m = j->msg, **mp;
	struct job **jp;

	for (jp = &s->jobs; *jp != NULL; jp = &(*jp)->next)
		if (*jp == j) {
			*jp = j->next;
			break;
		}
	job_free(j);
	if (--m->jobs > 0)
		return;
	for (mp = &s->msgs; *mp != NULL; mp = &(*mp)->next)
		if (*mp == m) {
			*mp = m->next;
			break;
		}
	if (next_due(m) == 0) {
		if (finish(s, m, now) == -1)
			remember(s, m->id, now + DSN_RETRY);
	} else {
		if (warn(s, m, now))
			(void)save_state(s, m);
		/* found again by the next scan; until then, wake for it */
		if (s->wake == 0 || next_due(m) < s->wake)
			s->wake = next_due(m);
	}
	msg_free(m);
}

/* How many running jobs go to domain. */
static unsigned
running_to(const struct sched *s, const char *domain)
{
	const struct job *j;
	unsigned n = 0;

	for (j = s->jobs; j != NULL; j = j->next)
		if (j->pid != 0 && j->route == NULL &&
		    strcmp(j->domain, domain) == 0)
			n++;
	return n;
}

/* Start what the limits allow, oldest messages first. */
static void
dispatch(struct sched *s)
{
	struct job *j, *next;
	unsigned conc = s->conf->queue_concurrency ?
	    s->conf->queue_concurrency : 1;
	unsigned dconc = s->conf->queue_concurrency_domain ?
	    s->conf->queue_concurrency_domain : 1;

	for (j = s->jobs; j != NULL && s->running < conc && !stop; j = next) {
		next = j->next;
		if (j->pid != 0)
			continue;
		if (j->route == NULL && running_to(s, j->domain) >= dconc)
			continue;
		if (job_start(s, j) == -1) {
			int err = errno;

			log_event(&s->log, LVL_ERROR, "start", "id", j->msg->id,
			    "error", strerror(err), NULL);
			job_results(s, j, 0, err);
			job_end(s, j, time(NULL));
		}
	}
}

/* Read what job j printed; at its end, reap it and record. */
static void
job_read(struct sched *s, struct job *j)
{
	char buf[4096];
	ssize_t n;
	int status = 0;
	char *out;

	n = read(j->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		if (j->len + (size_t)n > JOB_OUT_MAX)
			return;		/* more than any result: dropped */
		if ((out = realloc(j->out, j->len + (size_t)n + 1)) == NULL)
			return;
		j->out = out;
		memcpy(j->out + j->len, buf, (size_t)n);
		j->len += (size_t)n;
		j->out[j->len] = '\0';
		return;
	}
	close(j->fd);
	j->fd = -1;
	(void)proc_reap(j->pid, &status, fd_deadline(REAP_MS), 0);
	s->running--;
	job_results(s, j, status, 0);
	job_end(s, j, time(NULL));
}

/*
 * A delivery that outlives JOB_MAX is killed (its recipients are
 * deferred): a hung helper or remote program must not hold its slot for
 * ever.
 */
static void
overdue(struct sched *s, time_t now)
{
	struct job *j;

	for (j = s->jobs; j != NULL; j = j->next)
		if (j->pid != 0 && !j->killed && now - j->started > JOB_MAX) {
			log_event(&s->log, LVL_WARN, "overdue", "id",
			    j->msg->id, "domain", j->route == NULL ?
			    j->domain : NULL, NULL);
			kill(j->pid, SIGKILL);
			j->killed = 1;
		}
}

/*
 * One scheduler per queue: two would deliver the same messages and
 * overwrite each other's state.  The lock is the queue directory's
 * flock(2), held as long as the descriptor is open (a forked local
 * delivery shares it: a scheduler killed with its process group frees
 * it when the last of them is gone, so it is waited for a little).
 * The descriptor is close-on-exec: no helper or remote program holds it.
 */
static int
lock_queue(const char *dir)
{
	long long deadline = fd_deadline(LOCK_WAIT_MS);
	int fd, save;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    fd_ms_left(deadline) <= 0) {
			save = errno;
			close(fd);
			errno = save;
			return -1;
		}
		(void)poll(NULL, 0, 50);
	}
	return fd;
}

/* The queue-remote program: the configured one, or ours next to us. */
static int
remote_program(struct sched *s)
{
	char self[PATH_MAX - 32];
	ssize_t n;
	char *slash;
	size_t i;

	if (s->conf->queue_remote[0] != NULL) {
		for (i = 0; i < CONF_ARGV_MAX && s->conf->queue_remote[i] !=
		    NULL; i++)
			s->remote[i] = s->conf->queue_remote[i];
		s->remote[i] = NULL;
		return 0;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	snprintf(s->remote_path, sizeof(s->remote_path), "%s/samotop-remote",
	    self);
	s->remote[0] = s->remote_path;
	s->remote[1] = NULL;
	s->remote_default = 1;
	return 0;
}

static int
inotify_open(struct sched *s)
{
	char path[Q_PATH_MAX];
	int fd;

	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	if (q_dir_path(path, sizeof(path), s->dir, "env", NULL) == -1 ||
	    inotify_add_watch(fd, path, IN_MOVED_TO | IN_CREATE) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
run(struct sched *s, int once)
{
	struct pollfd *pfd = NULL;
	struct job **pj = NULL, *j;
	size_t npfd, cap = 0, i;
	time_t now, next_scan = 0, next_garbage = 0, until;
	int ino = -1, rescan = 1, ms;
	char evbuf[4096];

	if (!once && (ino = inotify_open(s)) == -1)
		log_event(&s->log, LVL_WARN, "inotify", "error",
		    strerror(errno), NULL);
	for (;;) {
		now = time(NULL);
		if (!stop && now >= next_garbage) {
			garbage(s, now);
			next_garbage = now + GARBAGE_EVERY;
		}
		if (!stop && (rescan || now >= next_scan ||
		    (s->wake != 0 && now >= s->wake))) {
			scan(s, now, now >= next_scan);
			rescan = 0;
			next_scan = once ? (time_t)LLONG_MAX : now + SCAN_EVERY;
			/* -1: what aliases queued is delivered in this pass */
			if (once && s->alias.queued > 0)
				rescan = 1;
			s->alias.queued = 0;
		}
		dispatch(s);
		if (s->running == 0 && (stop || (once && !rescan)))
			break;
		overdue(s, now);
		/* the poll set: inotify, then each running job */
		npfd = 0;
		for (j = s->jobs; j != NULL; j = j->next)
			npfd += j->fd != -1;
		if (npfd + 1 > cap) {
			cap = npfd + 16;
			free(pfd);
			free(pj);
			pfd = calloc(cap, sizeof(*pfd));
			pj = calloc(cap, sizeof(*pj));
			if (pfd == NULL || pj == NULL) {
				log_event(&s->log, LVL_ERROR, "memory", NULL);
				sleep(1);
				cap = 0;
				continue;
			}
		}
		npfd = 0;
		pfd[npfd].fd = ino;
		pfd[npfd++].events = POLLIN;
		for (j = s->jobs; j != NULL; j = j->next)
			if (j->fd != -1) {
				pj[npfd] = j;
				pfd[npfd].fd = j->fd;
				pfd[npfd++].events = POLLIN;
			}
		until = next_scan;
		if (s->wake != 0 && s->wake < until)
			until = s->wake;
		ms = until <= now ? 0 : until - now > 60 ? 60000 :
		    (int)(until - now) * 1000;
		if (once || stop)
			ms = rescan ? 0 : 1000;
		if (poll(pfd, npfd, ms) == -1) {
			if (errno != EINTR)
				log_event(&s->log, LVL_ERROR, "poll", "error",
				    strerror(errno), NULL);
			continue;
		}
		if (ino != -1 && (pfd[0].revents & POLLIN)) {
			while (read(ino, evbuf, sizeof(evbuf)) > 0)
				;
			rescan = 1;
		}
		for (i = 1; i < npfd; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				job_read(s, pj[i]);
	}
	free(pfd);
	free(pj);
	if (ino != -1)
		close(ino);
}

int
main(int argc, char *argv[])
{
	static struct sched s;
	struct sigaction sa;
	struct conf *conf;
	char msg[512], *text;
	int ch, once = 0;

	while ((ch = getopt(argc, argv, "1c:V")) != -1) {
		switch (ch) {
		case '1':
			once = 1;
			break;
		case 'c':
			s.conf_path = optarg;
			break;
		case 'V':
			version_exit("samotop-send");
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(&s.log, 2, LVL_INFO, "prog=samotop-send");
	if ((conf = malloc(sizeof(*conf))) == NULL ||
	    (s.scratch = calloc(Q_RCPT_MAX, sizeof(*s.scratch))) == NULL) {
		log_event(&s.log, LVL_ERROR, "memory", "error",
		    strerror(errno), NULL);
		return 111;
	}
	if (q_conf_load(conf, s.conf_path, &text, msg, sizeof(msg)) == -1) {
		log_event(&s.log, LVL_ERROR, "config", "error", msg, NULL);
		return 78;
	}
	s.conf = conf;
	s.dir = conf->queue_dir;
	s.dir_mode = q_conf_dir_mode(conf);
	snd_alias_init(&s.alias, conf, s.dir, &s.log);
	if (q_dir_ensure(s.dir, s.dir_mode) == -1) {
		log_event(&s.log, LVL_ERROR, "queue", "path", s.dir, "error",
		    strerror(errno), NULL);
		return 111;
	}
	if (lock_queue(s.dir) == -1) {
		log_event(&s.log, LVL_ERROR, "lock", "queue", s.dir, "error",
		    errno == EWOULDBLOCK ? "another samotop-send runs on "
		    "this queue" : strerror(errno), NULL);
		return 111;
	}
	if (remote_program(&s) == -1) {
		log_event(&s.log, LVL_ERROR, "queue-remote", "error",
		    "cannot find samotop-remote next to samotop-send", NULL);
		return 111;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_event(&s.log, LVL_INFO, "start", "queue", s.dir, "mode",
	    once ? "once" : "daemon", NULL);
	run(&s, once);
	log_event(&s.log, LVL_INFO, "stop", NULL);
	free(s.known);
	free(s.nknown);
	free(s.scratch);
	free(conf);
	free(text);
	return 0;
}
